"""Reading news sentences for a briefing: quote-aware sentence units and whether a sentence looks
ahead (who says what: ``rag.brief.actors``; the figures it states: ``rag.brief.figures``).

A *unit* is a sentence, or several when a quotation runs over sentence boundaries: in
``"The visit is being prepared. We will announce the dates," Peskov said.`` the quote and its
attribution stay together, so a cited passage always says who is speaking.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from index.chunk import sentence_spans
from rag.brief.actors import speakers_in, unquoted

_OPEN_QUOTES = '"“'


@dataclass(frozen=True)
class Unit:
    """A span of an article's stored text: ``article_text[start:end] == text``."""

    file: str
    start: int
    end: int
    text: str
    n: int  # position in the article (0 = first unit after the title)
    para: int


def _quote_balance(text: str) -> int:
    return (text.count('"') % 2) + text.count("“") - text.count("”")


def units(file: str, text: str, title: str = "", max_words: int = 110) -> list[Unit]:
    """The article's sentence units, leaving out the title line and fragments under 5 words."""
    spans = sentence_spans(text)
    paras: list[int] = []
    p = 0
    prev_end = 0
    for s, _e in spans:
        if "\n" in text[prev_end:s]:
            p += 1
        paras.append(p)
        prev_end = _e
    groups: list[list[int]] = []
    for i, (s, e) in enumerate(spans):
        if groups:
            last = groups[-1]
            joined = text[spans[last[0]][0] : spans[last[-1]][1]]
            open_quote = _quote_balance(joined) > 0
            same_para = paras[last[-1]] == paras[i]
            words = len(joined.split()) + len(text[s:e].split())
            if open_quote and same_para and words <= max_words:
                last.append(i)
                continue
            # A bare quotation right after an attributed one continues the same speaker.
            piece = text[s:e]
            if (
                same_para
                and piece[:1] in _OPEN_QUOTES
                and _quote_balance(piece) == 0
                and piece.rstrip()[-1:] in '"”'
                and not speakers_in(piece)
                and speakers_in(joined)
                and words <= max_words
            ):
                last.append(i)
                continue
        groups.append([i])
    out: list[Unit] = []
    title_norm = " ".join(title.split()).lower()
    for g in groups:
        s, e = spans[g[0]][0], spans[g[-1]][1]
        piece = text[s:e]
        if (
            not out
            and g[0] == 0
            and (
                " ".join(piece.split()).lower() == title_norm or not re.search(r"[.!?\"”]$", piece)
            )
        ):
            continue  # the title line
        if len(piece.split()) < 5:
            continue
        out.append(Unit(file, s, e, piece, len(out), paras[g[0]]))
    return out


# ---- outlook -----------------------------------------------------------------------------------
_OUTLOOK = (
    (
        re.compile(
            r"\b(?:unclear|uncertain|remains? to be seen|did not (?:specify|say|give)|"
            r"declined to (?:say|specify|comment)|not (?:yet )?(?:known|specified|clear)|"
            r"no (?:details|date|timetable)|in due course)\b",
            re.I,
        ),
        1.0,
    ),
    (
        re.compile(
            r"\b(?:being prepared|is expected|are expected|expected to|is due|are due|"
            r"is set to|are set to|plans to|scheduled|will|won't|upcoming|prospective)\b",
            re.I,
        ),
        0.8,
    ),
    (
        re.compile(
            r"\b(?:likely|unlikely|may|might|could|fears?|possible|possibility|would|"
            r"considering|being considered|warned)\b",
            re.I,
        ),
        0.5,
    ),
)


def outlook(text: str) -> float:
    """How strongly a unit looks ahead or names an open question (0 = not at all); markers in
    the reporter's own words count fully, markers inside a quotation count half."""
    frame = unquoted(text)
    best = 0.0
    for rx, weight in _OUTLOOK:
        if rx.search(frame):
            best = max(best, weight)
        elif rx.search(text):
            best = max(best, weight * 0.5)
    return best


_AHEAD = re.compile(
    r"\b(?:will|won't|being prepared|is expected|are expected|expected to|is due|are due|"
    r"is set to|are set to|plans to|scheduled|upcoming|prospective|in due course|"
    r"coming (?:days|weeks|months))\b",
    re.IGNORECASE,
)


def looks_ahead(text: str) -> bool:
    """Does the unit (quotations included) speak of something still to come?"""
    return bool(_AHEAD.search(text))


# ---- small helpers -----------------------------------------------------------------------------
def shorten(text: str, max_words: int = 60) -> str:
    """A long quotation cut at a sentence end (or a word) with an ellipsis."""
    words = text.split()
    if len(words) <= max_words:
        return text
    cut = " ".join(words[:max_words])
    ends = [m.end() for m in re.finditer(r"[.!?][\"”’]?(?=\s)", cut)]
    if ends and ends[-1] > len(cut) // 2:
        cut = cut[: ends[-1]]
    return cut.rstrip(" ,;:") + " …"


def first_words(texts: Sequence[str], n: int = 8) -> list[str]:
    return [" ".join(t.split()[:n]) for t in texts]
