"""Features of the retrieved sentences and of the candidate short answers in them, for the
learned scorer (``rag.answer.scoring``): one function computes them all for one question, so the
fitting script (``evals/fit_answerer.py``) and the generator see exactly the same numbers.

Sentence features: embedding similarity to the question (and its gap to the best sentence),
IDF-weighted overlap of the question's terms (and its gap), retrieval rank, title overlap, the
share of question terms no passage uses, whether the sentence holds an entity of the wanted type,
whether it is a headline fragment, and whether it fits the question's time scope. Candidate
features add: type match (primary / secondary label), noun phrase or entity for an untyped
question, closeness to the question's terms in the sentence, closeness to the focus noun,
redundancy across articles, and shortness.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from index.embed import Embedder
from rag.answer.analysis import QuestionInfo, typed_by_passages
from rag.answer.candidates import Candidate, Sentence, candidates_in, sentences_of
from rag.answer.nlp import parse_many
from rag.records import Passage
from rag.text.dates import find_dates, parse_published
from rag.text.terms import content_terms, stem_all, stemmer

if TYPE_CHECKING:
    from spacy.tokens import Doc

SENTENCE_FEATURES = (
    "similarity",
    "similarity_gap",
    "overlap",
    "overlap_gap",
    "rank",
    "title",
    "typed_present",
    "headline",
    "scope",
    "missing",
)
# The refusal model's features, of the answer a question part would get (rag.answer.extractive).
# (More — the unseen-term share, similarity, the missing term — fitted worse held aside: fewer.)
QUESTION_FEATURES = ("answer_score", "overlap")
CANDIDATE_FEATURES = (
    *SENTENCE_FEATURES,
    "type_primary",
    "type_also",
    "noun_phrase",
    "untyped_entity",
    "proximity",
    "focus_near",
    "linked",
    "redundancy",
    "short",
)
_HEADLINE_MAX_WORDS = 16


@dataclass
class Evidence:
    """One question's sentences and candidates with their features."""

    info: QuestionInfo
    sentences: list[Sentence]
    docs: list[Doc]
    sentence_features: list[dict[str, float]]
    candidates: list[Candidate]
    candidate_features: list[dict[str, float]]


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=False))


def _stem(word: str) -> str:
    return str(stemmer().stemWord(word.lower()))


def in_scope(info: QuestionInfo, sentence: Sentence) -> bool:
    """Does the sentence (a date it names, or its article's publication date) fall within the
    question's time scope?"""
    scope = info.scope
    if scope is None:
        return True
    for m in find_dates(sentence.text):
        year_ok = m.year is not None and scope.start.year <= m.year <= scope.end.year
        if year_ok and (m.month is None or scope.start.month <= m.month <= scope.end.month):
            return True
    published = parse_published(sentence.published)
    return published is not None and scope.start <= published <= scope.end


def _scope_feature(info: QuestionInfo, sentence: Sentence) -> float:
    if info.scope is None:
        return 0.0
    return 1.0 if in_scope(info, sentence) else -1.0


def _headline(text: str) -> float:
    ends = text.rstrip()[-1:] in ".!?\"”’'"
    return 1.0 if not ends and len(text.split()) <= _HEADLINE_MAX_WORDS else 0.0


def featurize(info: QuestionInfo, passages: Sequence[Passage], embedder: Embedder) -> Evidence:
    sentences = sentences_of(passages)
    if not sentences:
        return Evidence(info, [], [], [], [], [])
    q_terms = stem_all(info.terms)
    sent_terms = [frozenset(stem_all(content_terms(s.text))) for s in sentences]
    n = len(sentences)
    idf = {t: math.log(1 + n / (1 + sum(t in s for s in sent_terms))) for t in set(q_terms)}
    total = sum(idf[t] for t in q_terms) or 1.0
    titles = {s.title for s in sentences}
    seen = set().union(*sent_terms, *(stem_all(content_terms(t)) for t in titles))
    unseen = [t for t in q_terms if t not in seen and not t.isdigit()]
    unseen_share = len(unseen) / (len(q_terms) or 1)
    vectors = embedder.embed([info.text] + [s.text for s in sentences])
    sims = [_cosine(vectors[0], v) for v in vectors[1:]]
    overlaps = [sum(idf[t] for t in q_terms if t in terms) / total for terms in sent_terms]
    docs = parse_many([s.text for s in sentences])
    info = typed_by_passages(info, docs)
    cands: list[Candidate] = []
    per_sentence: list[list[Candidate]] = []
    for i, doc in enumerate(docs):
        found = candidates_in(doc, i, info)
        per_sentence.append(found)
        cands.extend(found)
    wanted = set(info.labels) | set(info.also)
    best_sim, best_overlap = max(sims), max(overlaps)
    q_set = set(q_terms)
    max_idf = max(idf.values(), default=1.0) or 1.0
    sentence_features: list[dict[str, float]] = []
    for i, s in enumerate(sentences):
        title_terms = set(stem_all(content_terms(s.title)))
        sentence_features.append(
            {
                "similarity": sims[i],
                "similarity_gap": sims[i] - best_sim,
                "overlap": overlaps[i],
                "overlap_gap": overlaps[i] - best_overlap,
                "rank": 1.0 / s.passage,
                "title": len(q_set & title_terms) / (len(q_set) or 1),
                "unseen": unseen_share,
                "typed_present": float(any(c.label in wanted for c in per_sentence[i])),
                "headline": _headline(s.text),
                "scope": _scope_feature(info, s),
                "missing": max((idf[t] for t in q_set if t not in sent_terms[i]), default=0.0)
                / max_idf,
            }
        )
    files_by_key: dict[str, set[str]] = {}
    for c in cands:
        files_by_key.setdefault(c.key, set()).add(sentences[c.sentence].file)
    focus = _stem(info.focus.split()[-1]) if info.focus else None
    candidate_features: list[dict[str, float]] = []
    for c in cands:
        doc = docs[c.sentence]
        hits = [t.i for t in doc if _stem(t.text) in q_set and not t.is_stop]
        inside = range(c.token_start, c.token_end)
        distance = min(
            (
                min(abs(h - c.token_start), abs(h - (c.token_end - 1)))
                for h in hits
                if h not in inside
            ),
            default=None,
        )
        near = False
        if focus is not None:
            window = doc[max(0, c.token_start - 3) : c.token_end + 3]
            near = any(_stem(t.text) == focus for t in window)
        typed = bool(info.labels)
        root = doc[c.token_start : c.token_end].root
        related = [root.head, *root.children, *(t for t in root.head.children if t is not root)]
        linked = any(
            _stem(t.text) in q_set and not (c.token_start <= t.i < c.token_end) for t in related
        )
        files = len(files_by_key.get(c.key, ()))
        candidate_features.append(
            {
                **sentence_features[c.sentence],
                "type_primary": float(c.label in info.labels),
                "type_also": float(c.label in info.also),
                "noun_phrase": float(c.label == "NP"),
                "untyped_entity": float(not typed and c.label != "NP"),
                "proximity": 1.0 / (1.0 + distance) if distance is not None else 0.0,
                "focus_near": float(near),
                "linked": float(linked),
                "redundancy": min(files, 4) / 4.0,
                "short": 1.0 / (c.token_end - c.token_start),
            }
        )
    return Evidence(info, sentences, docs, sentence_features, cands, candidate_features)


def published_span(dates: Sequence[str | None]) -> tuple[date, date] | None:
    """The first and last publication date among ``dates`` (ISO strings), or None."""
    days = [d for d in (parse_published(x) for x in dates) if d is not None]
    return (min(days), max(days)) if days else None
