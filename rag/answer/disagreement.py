"""Where the articles disagree: strong sentences of different articles about the same thing that
state different values of what is asked — Shoigu's visit in July in one article, in August in
another. Only values of one granularity compare ("June 18-19" and "2000" are not two answers to
one question)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol, TypeVar

from rag.answer.question import QuestionInfo, values
from rag.records import Disagreement
from rag.text.dates import MONTH_ABBREVIATIONS


class Scored(Protocol):
    @property
    def passage(self) -> int: ...  # 1-based passage number
    @property
    def file(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def score(self) -> float: ...
    @property
    def overlap(self) -> float: ...


S = TypeVar("S", bound=Scored)


def disagreements(
    info: QuestionInfo, cands: Sequence[S], strong: float
) -> tuple[list[Disagreement], list[S]]:
    """The disagreement among ``cands`` (best first) and the sentences of its sides: those scoring
    at least ``strong`` of the best one's score (and nearly its term overlap) that state exactly
    one value of the wanted date or number not in the question, one side per value, at most
    three, from at least two articles."""
    if info.wanted not in ("date", "number") or len(cands) < 2:
        return [], []
    asked = {v.lower() for v in values(info.text, info.wanted)}
    best = cands[0]
    by_value: dict[str, tuple[str, S]] = {}
    for c in cands:
        if c.score < best.score * strong or c.overlap < best.overlap * 0.9:
            continue
        vals = [v for v in values(c.text, info.wanted) if v.lower() not in asked]
        if len(vals) != 1:
            continue
        by_value.setdefault(normal_value(vals[0]), (vals[0], c))
    sides = list(by_value.values())[:3]
    if len(sides) < 2 or len({c.file for _, c in sides}) < 2:
        return [], []
    if len({value_shape(normal_value(v)) for v, _ in sides}) > 1:
        return [], []
    d = Disagreement(about=info.text, values=tuple((v, c.passage) for v, c in sides))
    return [d], [c for _, c in sides]


_MONTH_ABBREVIATIONS = frozenset(m.lower() for m in MONTH_ABBREVIATIONS)


def normal_value(value: str) -> str:
    """A value as compared: lower case, month names cut to their abbreviation ("July" → jul)."""
    v = value.lower().strip(" .,")
    return v[:3] if v[:3] in _MONTH_ABBREVIATIONS and v.isalpha() else v


def value_shape(value: str) -> str:
    """The granularity of a value: month, day, year, number — only like compares with like."""
    v = value.lower()
    if re.fullmatch(r"[a-z]{3}", v):
        return "month"
    if re.fullmatch(r"(19|20)\d\d", v):
        return "year"
    if re.search(r"[a-z]", v) and re.search(r"\d", v):
        return "day" if any(m in v for m in _MONTH_ABBREVIATIONS) else "number"
    return "number" if re.search(r"\d", v) else "word"
