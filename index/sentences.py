"""Sentences of news text as exact character spans.

:func:`sentence_spans` splits at ``. ! ? …`` (with any closing quotes or brackets) followed by
whitespace and what looks like the start of a sentence, and always at line breaks; a period that
closes a known abbreviation ("Mr.", "Sept.", "U.S."), a single initial ("J. Smith") or a dotted
acronym does not end a sentence. Spans carry no outer whitespace, so ``text[start:end]`` is the
sentence as written — chunks, citations and quotes are all cut from these spans.
"""

from __future__ import annotations

import re

# A sentence ends at . ! ? (optionally followed by closing quotes/brackets) + whitespace, when the
# next thing looks like the start of a sentence. Paragraph breaks always end a sentence.
_BOUNDARY = re.compile(r"""[.!?…]+["'”’)\]]*(?=\s+["'“‘(\[]?[A-Z0-9])""")
_PARAGRAPH = re.compile(r"\n\s*\n|\n")
_ACRONYM = re.compile(r"(?:[a-z]\.)+[a-z]?")
ABBREVIATIONS = frozenset(
    {
        "mr", "mrs", "ms", "dr", "prof", "sen", "rep", "gov", "gen", "col", "lt", "sgt", "capt",
        "st", "jr", "sr", "inc", "corp", "co", "ltd", "vs", "etc", "jan", "feb", "mar", "apr",
        "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "no", "fig", "est", "approx",
        "dept", "univ", "u.s", "u.k", "u.n", "e.g", "i.e", "a.m", "p.m",
    }
)  # fmt: skip
"""Lower-case words whose closing period does not end a sentence."""


def is_abbreviation(text: str, end: int) -> bool:
    """True when the period at ``text[end-1]`` closes an abbreviation or an initial."""
    start = end - 1
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    word = text[start:end].rstrip(".").lstrip("\"'“‘(").lower()
    if word in ABBREVIATIONS:
        return True
    # Single initials ("J. Smith") and dotted acronyms ("U.S.") are not sentence ends.
    return (len(word) == 1 and word.isalpha()) or bool(_ACRONYM.fullmatch(word))


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Split ``text`` into sentences, returned as (start, end) spans with no outer whitespace."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for para in [*_PARAGRAPH.finditer(text), None]:
        para_end = para.start() if para else len(text)
        cursor = pos
        for m in _BOUNDARY.finditer(text, pos, para_end):
            if (
                text[m.start()] == "."
                and m.end() - m.start() == 1
                and is_abbreviation(text, m.start() + 1)
            ):
                continue
            _add_span(text, cursor, m.end(), spans)
            cursor = m.end()
        _add_span(text, cursor, para_end, spans)
        if para is None:
            break
        pos = para.end()
    return spans


def _add_span(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))
