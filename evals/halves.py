"""Fit / validation halves of a gold set, split by article.

Every article is in one half by a hash of its file name (SHA-1, parity), so no article that the
answerer's weights were fitted on is asked about in the validation half. A question belongs to
the half of its gold articles; one whose articles fall in both halves goes to validation (it is
never fitted on); an unanswerable question goes with the article it is a near miss of when the
gold set names one (``near_files``), else by a hash of its id. ``evals/fit_answerer.py`` fits on
the fit halves; ``dossier eval`` reports on the validation half.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Protocol, TypeVar

FIT = "fit"
VALIDATION = "validation"
HALVES = (FIT, VALIDATION)


class HasFiles(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def gold_files(self) -> tuple[str, ...]: ...

    @property
    def near_files(self) -> tuple[str, ...]: ...


def _parity(text: str) -> int:
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest(), 16) % 2


def article_half(file: str) -> str:
    """The half an article is in."""
    return FIT if _parity(file) == 0 else VALIDATION


def question_half(q: HasFiles) -> str:
    files = tuple(q.gold_files) or tuple(q.near_files)
    if not files:
        return FIT if _parity(q.id) == 0 else VALIDATION
    halves = {article_half(f) for f in files}
    return halves.pop() if len(halves) == 1 else VALIDATION


Q = TypeVar("Q", bound=HasFiles)


def select(questions: Iterable[Q], half: str | None) -> list[Q]:
    """The questions of one half (all of them for ``None`` or ``"all"``)."""
    if half not in (None, "all", *HALVES):
        raise ValueError(f"unknown half {half!r}: choose from fit, validation, all")
    qs = list(questions)
    if half in (None, "all"):
        return qs
    return [q for q in qs if question_half(q) == half]


def counts(questions: Sequence[HasFiles]) -> dict[str, int]:
    out = {h: 0 for h in HALVES}
    for q in questions:
        out[question_half(q)] += 1
    return out
