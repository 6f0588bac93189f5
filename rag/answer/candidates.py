"""Candidate short answers: entities and noun phrases of the wanted type in the retrieved
sentences, not already in the question.

A typed question ("Who…", "When…", "Which city…") takes every named entity of a sentence as a
candidate (the features say whether its label is the one wanted); a question that wants a noun
phrase ("What crab…", "How did Kim travel…") takes the sentence's noun phrases too, each with the
prepositional phrase it governs ("relations with the Russian Federation"). A "name of X" question
takes only proper names. Candidates are merged across sentences by a normalised key, so the same
answer in three articles is one answer with three sources.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from index.sentences import sentence_spans
from rag.answer.analysis import QuestionInfo
from rag.records import Passage
from rag.text.terms import STOPWORDS

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

_MIN_WORDS = 4
_MAX_NP_TOKENS = 8
_LEADING = re.compile(r"^(?:the|a|an|his|her|its|their|our|this|that|these|those)\s+", re.I)


@dataclass(frozen=True)
class Sentence:
    """A sentence of a retrieved passage; ``start``/``end`` are absolute in the article."""

    passage: int  # 1-based passage number (= retrieval rank)
    file: str
    start: int
    end: int
    text: str
    title: str = ""
    published: str | None = None


@dataclass(frozen=True)
class Candidate:
    sentence: int  # index into the sentence list
    text: str  # as written in the sentence
    start: int  # offsets into the sentence text
    end: int
    label: str  # the entity label, or "NP" for a noun phrase
    key: str  # normalised, for merging across sources
    token_start: int  # token offsets into the sentence's parse
    token_end: int


def sentences_of(passages: Sequence[Passage]) -> list[Sentence]:
    """Each distinct sentence of the passages (of at least four words), in passage order."""
    seen: set[tuple[str, int]] = set()
    out: list[Sentence] = []
    for i, p in enumerate(passages, 1):
        for s, e in sentence_spans(p.text):
            text = p.text[s:e]
            key = (p.file, p.start + s)
            if key in seen or len(text.split()) < _MIN_WORDS:
                continue
            seen.add(key)
            out.append(Sentence(i, p.file, p.start + s, p.start + e, text, p.title, p.published))
    return out


def normal_key(text: str) -> str:
    """A candidate's text in a form where "the Kremlin", "Kremlin" and "June 18–19" vs
    "June 18-19" compare equal."""
    t = unicodedata.normalize("NFKC", text).lower().replace("–", "-").replace("—", "-")
    t = t.replace("’", "'")
    t = _LEADING.sub("", t.strip(" .,;:\"'“”‘’()"))
    t = re.sub(r"'s$", "", t)
    return " ".join(t.split())


def _content(words: Sequence[str]) -> set[str]:
    return {w.lower() for w in words if w.lower() not in STOPWORDS and any(c.isalnum() for c in w)}


def _new(span: Span, info: QuestionInfo) -> bool:
    """Not merely words of the question."""
    words = _content([t.text for t in span])
    return bool(words) and not words <= info.asked


def _noun_phrase(chunk: Span) -> Span:
    """A noun chunk with the prepositional phrase its head governs, within a few tokens."""
    root = chunk.root
    end = chunk.end
    for child in root.rights:
        if child.dep_ == "prep" and child.i == end:
            right = max((t.i for t in child.subtree), default=child.i) + 1
            if right - chunk.start <= _MAX_NP_TOKENS:
                end = right
            break
    start = chunk.start
    while start < end and (chunk.doc[start].pos_ in ("DET", "PRON") or chunk.doc[start].is_punct):
        start += 1
    return chunk.doc[start:end]


_CURRENCY = "£$€¥"


def _widen(text: str, start: int, end: int) -> tuple[int, int]:
    """A figure with the currency sign before it and the unit glued after it ("£9m", "6GB",
    "17.30m"), which the entity recogniser leaves out."""
    while start > 0 and text[start - 1] in _CURRENCY:
        start -= 1
    if end > start and text[end - 1].isdigit():
        while end < len(text) and (text[end].isalpha() or text[end] == "%"):
            end += 1
    return start, end


def candidates_in(doc: Doc, sentence: int, info: QuestionInfo) -> list[Candidate]:
    """The candidate short answers of one parsed sentence."""
    spans: list[tuple[Span, str]] = []
    for ent in doc.ents:
        if info.name and ent.root.pos_ != "PROPN":
            continue
        spans.append((ent, ent.label_))
    if not info.typed or info.name:
        taken = {(e.start, e.end) for e in doc.ents}
        for chunk in doc.noun_chunks:
            if chunk.root.pos_ == "PRON":
                continue
            np = _noun_phrase(chunk)
            if not len(np) or (np.start, np.end) in taken:
                continue
            if info.name and np.root.pos_ != "PROPN":
                continue
            spans.append((np, "NP"))
    out: list[Candidate] = []
    seen: set[tuple[int, int]] = set()
    for span, label in spans:
        if (span.start, span.end) in seen or not _new(span, info):
            continue
        seen.add((span.start, span.end))
        start, end = _widen(doc.text, span.start_char, span.start_char + len(span.text.strip()))
        text = doc.text[start:end]
        if not text:
            continue
        out.append(
            Candidate(
                sentence,
                text,
                start,
                end,
                label,
                normal_key(text),
                span.start,
                span.end,
            )
        )
    return out
