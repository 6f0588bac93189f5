"""The offline generator: answers by quoting the retrieved articles' own sentences, each cited.

Sentences of the retrieved passages are scored against the question — embedding similarity,
IDF-weighted term overlap, and whether the sentence holds the kind of value the question wants
("when" → a date, "how many" → a number, "who" → a person, "where" → a place). The best one to
three sentences are quoted exactly, non-redundant, covering the parts of the question; when the
best sentence is weak the generator refuses; when cited sentences give different values for what
was asked, both are reported.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from index.chunk import sentence_spans
from index.embed import Embedder
from rag.generate import Draft, DraftCitation, DraftClaim, OnText
from rag.question import QuestionInfo, analyse, content_terms, has_kind, values
from rag.records import Disagreement, Passage
from rag.retrieve import _STEMMER


@dataclass(frozen=True)
class Candidate:
    passage: int  # 1-based passage number
    file: str
    start: int  # absolute span in the article's stored text
    end: int
    text: str
    score: float
    similarity: float
    overlap: float
    typed: bool
    terms: frozenset[str]


def _stem_all(words: Sequence[str]) -> list[str]:
    return list(_STEMMER.stemWords(list(words))) if _STEMMER else list(words)


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=False))


_HEADLINE_MAX_WORDS = 16


def sentence_candidates(passages: Sequence[Passage]) -> list[tuple[int, Passage, int, int, str]]:
    """(passage number, passage, abs start, abs end, text) for each distinct sentence."""
    seen: set[tuple[str, int]] = set()
    out: list[tuple[int, Passage, int, int, str]] = []
    for i, p in enumerate(passages, 1):
        for s, e in sentence_spans(p.text):
            text = p.text[s:e]
            key = (p.file, p.start + s)
            if key in seen or len(text.split()) < 4:
                continue
            seen.add(key)
            out.append((i, p, p.start + s, p.start + e, text))
    return out


class ExtractiveGenerator:
    name = "extractive"

    def __init__(
        self,
        embedder: Embedder,
        max_sentences: int = 3,
        refuse_below: float = 0.42,
    ) -> None:
        self.embedder = embedder
        self.max_sentences = max_sentences
        self.refuse_below = refuse_below

    # ---- scoring ---------------------------------------------------------------------------
    def score(
        self, question: str, passages: Sequence[Passage]
    ) -> tuple[QuestionInfo, list[Candidate]]:
        info = analyse(question)
        raw = sentence_candidates(passages)
        if not raw:
            return info, []
        q_terms = _stem_all(info.terms)
        sent_terms = [frozenset(_stem_all(content_terms(r[4]))) for r in raw]
        n = len(raw)
        idf = {t: math.log(1 + n / (1 + sum(t in s for s in sent_terms))) for t in set(q_terms)}
        total = sum(idf[t] for t in q_terms) or 1.0
        vectors = self.embedder.embed([question] + [r[4] for r in raw])
        qv = vectors[0]
        out: list[Candidate] = []
        for (pnum, p, s, e, text), terms, vec in zip(raw, sent_terms, vectors[1:], strict=True):
            sim = _cosine(qv, vec)
            overlap = sum(idf[t] for t in q_terms if t in terms) / total
            typed = has_kind(text, info.wanted, question)
            score = 0.55 * sim + 0.45 * overlap
            if info.wanted != "other":
                score += 0.08 if typed else -0.12
            # A headline-like fragment (no verb-ending punctuation) is a weak answer on its own.
            if not re.search(r"[.!?\"”’']$", text) and len(text.split()) <= _HEADLINE_MAX_WORDS:
                score -= 0.05
            out.append(Candidate(pnum, p.file, s, e, text, score, sim, overlap, typed, terms))
        out.sort(key=lambda c: -c.score)
        return info, out

    # ---- drafting --------------------------------------------------------------------------
    def draft(
        self, question: str, passages: Sequence[Passage], on_text: OnText | None = None
    ) -> Draft:
        info, cands = self.score(question, passages)
        if not cands or cands[0].score < self.refuse_below:
            return Draft(claims=[], refused=True)
        chosen = self._select(info, cands)
        disagreements = self._disagreements(info, chosen, cands)
        for d_cand in disagreements[1]:
            if d_cand not in chosen and len(chosen) < self.max_sentences + 1:
                chosen.append(d_cand)
        claims = [DraftClaim(c.text, (DraftCitation(c.passage, c.start, c.end),)) for c in chosen]
        if on_text:
            for c in claims:
                on_text(c.text + " ")
        return Draft(claims=claims, disagreements=disagreements[0])

    def _select(self, info: QuestionInfo, cands: list[Candidate]) -> list[Candidate]:
        best = cands[0]
        chosen = [best]
        q_terms = set(_stem_all(info.terms))
        covered = set(best.terms) & q_terms
        for c in cands[1:]:
            if len(chosen) >= self.max_sentences:
                break
            if c.score < max(self.refuse_below, best.score * 0.8):
                break
            new_terms = (c.terms & q_terms) - covered
            redundant = any(_jaccard(c.terms, o.terms) > 0.5 for o in chosen)
            if redundant:
                continue
            # A further sentence must answer a part of the question the others leave open, or
            # be the answer where the best sentence lacks the wanted kind of value.
            if new_terms or (
                info.wanted != "other" and c.typed and not any(o.typed for o in chosen)
            ):
                chosen.append(c)
                covered |= c.terms & q_terms
        return chosen

    def _disagreements(
        self, info: QuestionInfo, chosen: list[Candidate], cands: list[Candidate]
    ) -> tuple[list[Disagreement], list[Candidate]]:
        """Strong sentences of different articles stating different values for what is asked."""
        if info.wanted not in ("date", "number"):
            return [], []
        asked = {v.lower() for v in values(info.text, info.wanted)}
        best = cands[0].score
        by_value: dict[str, Candidate] = {}
        for c in [*chosen, *cands]:
            if c.score < best * 0.8 or not c.typed:
                continue
            vals = [v for v in values(c.text, info.wanted) if v.lower() not in asked]
            if len(vals) != 1:
                continue
            key = _normal_value(vals[0])
            by_value.setdefault(key, c)
        files = {c.file for c in by_value.values()}
        if len(by_value) < 2 or len(files) < 2:
            return [], []
        sides = list(by_value.items())[:3]
        # Citation ids are assigned later; record passage numbers, the pipeline renumbers them.
        d = Disagreement(about=info.text, values=tuple((v, c.passage) for v, c in sides))
        return [d], [c for _, c in sides]


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / (len(a | b) or 1)


def _normal_value(value: str) -> str:
    v = value.lower().strip(" .,")
    return (
        v[:3]
        if v[:3]
        in {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}
        and v.isalpha()
        else v
    )
