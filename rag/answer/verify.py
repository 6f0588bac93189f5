"""Per-claim verification: how well do the cited passages support a claim?

Offline the evidence is lexical (the claim's content words and, strictly, its numbers and dates
must be found in the cited text) and semantic (the best embedding similarity between the claim and
a sentence of the cited text). With a language model configured, ``rag.llm.judge`` may lower a
verdict this check passed, never raise one.
The verifier also narrows each citation to the sentence(s) of the passage that carry the claim, so
the reader is shown the exact passage, not a 200-token chunk.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from index.chunk import sentence_spans
from index.embed import Embedder
from rag.records import Passage
from rag.text.figures import figures, normalise
from rag.text.terms import stems


@dataclass(frozen=True)
class Support:
    score: float
    lexical: float
    semantic: float
    figures_ok: bool


class Verifier:
    def __init__(self, embedder: Embedder, min_support: float = 0.5) -> None:
        self.embedder = embedder
        self.min_support = min_support

    def support(self, claim: str, evidence: Sequence[str]) -> Support:
        """Support of ``claim`` by the joined ``evidence`` texts, in [0, 1]."""
        text = "\n".join(evidence)
        if not text.strip() or not claim.strip():
            return Support(0.0, 0.0, 0.0, False)
        claim_terms = stems(claim)
        lexical = len(claim_terms & stems(text)) / len(claim_terms) if claim_terms else 0.0
        norm_text = normalise(text)
        figures_ok = all(f in norm_text for f in figures(claim))
        sentences = [text[s:e] for s, e in sentence_spans(text)] or [text]
        vectors = self.embedder.embed([claim, *sentences])
        semantic = max(sum(a * b for a, b in zip(vectors[0], v, strict=False)) for v in vectors[1:])
        score = 0.5 * lexical + 0.5 * max(0.0, semantic)
        if not figures_ok:
            score *= 0.5
        return Support(min(1.0, score), lexical, semantic, figures_ok)

    def supports(self, claim: str, evidence: Sequence[str]) -> bool:
        return self.support(claim, evidence).score >= self.min_support

    def narrow(self, claim: str, passage: Passage) -> tuple[int, int]:
        """The absolute span of the passage's sentence (or two adjacent ones) that best carries
        the claim."""
        spans = sentence_spans(passage.text)
        if len(spans) <= 1:
            return passage.start, passage.end
        claim_terms = stems(claim)
        windows = [*spans, *[(a[0], b[1]) for a, b in itertools.pairwise(spans)]]
        texts = [passage.text[s:e] for s, e in windows]
        vectors = self.embedder.embed([claim, *texts])
        best, best_score = windows[0], -1.0
        for (s, e), t, v in zip(windows, texts, vectors[1:], strict=True):
            terms = stems(t)
            lex = len(claim_terms & terms) / (len(claim_terms) or 1)
            sim = sum(a * b for a, b in zip(vectors[0], v, strict=False))
            # Prefer single sentences: a pair must be clearly better to be shown.
            score = 0.5 * lex + 0.5 * sim - (0.03 if (s, e) not in spans else 0.0)
            if score > best_score:
                best, best_score = (s, e), score
        return passage.start + best[0], passage.start + best[1]
