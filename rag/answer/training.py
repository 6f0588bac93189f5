"""What ``evals/fit_answerer.py`` needs to fit the answerer's scorer, behind rag's public API
(``rag.answer_training``): the features of a question's sentences and candidates with their
labels against gold answers, and how the generator would decide with a given scorer.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from index.embed import Embedder
from rag.answer.analysis import analyse
from rag.answer.extractive import ExtractiveGenerator
from rag.answer.features import (
    CANDIDATE_FEATURES,
    QUESTION_FEATURES,
    SENTENCE_FEATURES,
    Evidence,
    featurize,
)
from rag.answer.question import split_parts
from rag.answer.scoring import Logistic, Scorer, load_scorer, untrained, weights_path
from rag.records import Passage

__all__ = [
    "CANDIDATE_FEATURES",
    "QUESTION_FEATURES",
    "SENTENCE_FEATURES",
    "Decision",
    "Labelled",
    "Logistic",
    "Scorer",
    "decide",
    "label_evidence",
    "load_scorer",
    "matches",
    "normal",
    "question_evidence",
    "untrained",
    "weights_path",
]


def normal(text: str) -> str:
    """Lower case, typographic quotes and dashes folded, whitespace collapsed (as the eval's
    ``answer_correct`` compares)."""
    t = unicodedata.normalize("NFKC", text).lower()
    t = re.sub(r"[‘’`´]", "'", t)
    t = re.sub(r"[“”]", '"', t)
    t = re.sub(r"[‐‑‒–—―−]", "-", t)
    return " ".join(t.split())


def matches(candidate: str, answers: Sequence[str]) -> bool:
    """Is ``candidate`` a short answer to a question whose gold answers are ``answers``: it holds
    one of them, or is most of one."""
    c = normal(candidate).strip(" .,;:\"'")
    for a in answers:
        g = normal(a)
        if g and (g in c and len(c) <= 3 * len(g) + 12):
            return True
        if c and c in g and len(c) >= 0.5 * len(g):
            return True
    return False


@dataclass(frozen=True)
class Labelled:
    """One question part's features with labels: does each sentence hold a gold answer, is each
    candidate one."""

    evidence: Evidence
    sentence_labels: list[int]
    candidate_labels: list[int]


def question_evidence(
    question: str, passages: Sequence[Passage], embedder: Embedder
) -> list[Evidence]:
    """The evidence of each part of the question, as the generator computes it."""
    return [featurize(analyse(p, embedder), passages, embedder) for p in split_parts(question)]


def label_evidence(ev: Evidence, answers: Sequence[str]) -> Labelled:
    sl = [int(any(normal(a) in normal(s.text) for a in answers)) for s in ev.sentences]
    cl = [int(matches(c.text, answers)) for c in ev.candidates]
    return Labelled(ev, sl, cl)


@dataclass(frozen=True)
class Decision:
    score: float | None  # the best eligible sentence's probability (None: nothing eligible)
    short: str | None  # the short answer the generator would give at threshold 0
    short_prob: float  # its candidate probability
    typed: bool = False  # the part asked for entity labels (a short answer is always shown)
    features: dict[str, float] | None = None  # the refusal model's inputs (QUESTION_FEATURES)


def decide(ev: Evidence, scorer: Scorer, embedder: Embedder) -> Decision:
    """How the generator, with ``scorer`` and no refusal threshold, answers this part."""
    gen = ExtractiveGenerator(
        embedder,
        scorer=Scorer(scorer.sentence, scorer.candidate, 0.0, 0.0, {}, scorer.refusal),
        refuse_below=0.0,
    )
    part = gen.answer_part(ev)
    if part is None:
        return Decision(None, None, 0.0, ev.info.typed)
    return Decision(part.confidence, part.short, part.short_prob, part.info.typed, part.features)
