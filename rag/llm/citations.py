"""The one citation resolver: the passage ids a model wrote → the passages they name.

The model sees passages numbered from 1 and cites them as it likes: ``3``, ``"3"``, ``"[3]"``,
``"【3】"``, ``"1, 3"``, a small range ``"1-3"``, ``"source 3"``. ``resolve`` turns what it wrote
into passage numbers; an id that names no passage (``"7"`` of five, ``"0"``, ``"a"``, ``"Reuters"``)
is kept, as written, among the invalid ones: never attached to the claim, never silently dropped.
``citation`` makes the ``Citation`` record of a span of a passage. Used by answers
(``rag.answer.llm_draft``) and briefings (``rag.brief.llm_items``) alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rag.records import Citation, Passage

_BRACKETS = "[]【】"
_SPLIT_RE = re.compile(r"\s*(?:[,;]|\band\b)\s*")
_RANGE_RE = re.compile(r"^(\d+)\s*[-–]\s*(\d+)$")
MAX_RANGE = 10
"""A range wider than this ("1-40") is not expanded: it is kept, as written, as invalid."""


@dataclass(frozen=True)
class Resolved:
    """Passage numbers (1-based, in the order first cited, no repeats) and the ids as written
    that name no passage."""

    passages: tuple[int, ...] = ()
    invalid: tuple[str, ...] = ()


def _items(written: object) -> list[str]:
    """One written citation as the ids in it: 3 → ["3"]; "[1, 3]" → ["1", "3"]."""
    if isinstance(written, bool) or not isinstance(written, int | str):
        return [str(written)]
    text = str(written).strip().strip(_BRACKETS).strip()
    return [s for s in _SPLIT_RE.split(text) if s] or [str(written)]


def _expand(item: str) -> list[str]:
    m = _RANGE_RE.match(item)
    if m:
        lo, hi = int(m.group(1)), int(m.group(2))
        if lo <= hi and hi - lo < MAX_RANGE:
            return [str(n) for n in range(lo, hi + 1)]
    return [item]


def resolve(written: Iterable[object], n_passages: int) -> Resolved:
    """What the model wrote, resolved against passages numbered 1..``n_passages``. Only a
    number names a passage ("source 3" is kept as invalid: the prompt shows the valid form)."""
    valid: list[int] = []
    invalid: list[str] = []
    for w in written:
        for item in _items(w):
            for one in _expand(item):
                if one.isascii() and one.isdigit() and 1 <= int(one) <= n_passages:
                    if int(one) not in valid:
                        valid.append(int(one))
                elif one not in invalid:
                    invalid.append(one)
    return Resolved(tuple(valid), tuple(invalid))


def citation(cid: int, passage: Passage, start: int, end: int) -> Citation:
    """The citation ``cid`` of the absolute span ``start``–``end`` of ``passage``'s article."""
    quote = passage.text[start - passage.start : end - passage.start]
    return Citation(
        cid,
        passage.file,
        start,
        end,
        quote,
        passage.id,
        passage.title,
        passage.outlet,
        passage.published,
    )
