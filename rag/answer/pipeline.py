"""The answer pipeline: rewrite a follow-up → retrieve → draft (LLM or extractive) → resolve
citations to exact spans → verify every claim → ``Answer``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rag.errors import GeneratorError
from rag.answer.drafts import REFUSAL_TEXT, Draft, Generator, OnText
from rag.answer.question import rewrite_follow_up
from rag.records import Answer, Citation, Claim, Disagreement, Filters, InvalidCitation, Passage
from rag.retrieval.hybrid import Retriever
from rag.answer.verify import Verifier

Rewriter = Callable[[str, Sequence[str]], str]


@dataclass
class AnswerPipeline:
    retriever: Retriever
    generator: Generator
    verifier: Verifier
    fallback: Generator | None = None  # used when the LLM fails (timeouts, rate limits)
    rewriter: Rewriter = rewrite_follow_up

    def ask(
        self,
        question: str,
        history: Sequence[str] = (),
        filters: Filters | None = None,
        k: int | None = None,
        on_text: OnText | None = None,
    ) -> Answer:
        question = question.strip()
        standalone = self.rewriter(question, history) if history else question
        passages = self.retriever.retrieve(standalone, k=k, filters=filters)
        if not passages:
            why = (
                "No indexed article matches the filters."
                if filters and not filters.empty
                else ("No indexed article matches the question.")
            )
            return Answer(
                question,
                f"{REFUSAL_TEXT} {why}",
                (),
                True,
                self.generator.name,
                standalone_question=standalone if standalone != question else None,
            )
        generator = self.generator
        warnings: list[str] = []
        try:
            draft = generator.draft(standalone, passages, on_text)
        except GeneratorError as exc:
            if self.fallback is None:
                raise
            warnings.append(f"{exc} — answered offline instead.")
            if on_text:  # whatever streamed so far is void: say so before the offline answer
                on_text("\n\n(The model failed; answering offline instead.)\n\n")
            generator = self.fallback
            draft = generator.draft(standalone, passages, on_text)
        return self.build(question, standalone, passages, draft, generator.name, warnings)

    def build(
        self,
        question: str,
        standalone: str,
        passages: Sequence[Passage],
        draft: Draft,
        generator_name: str,
        warnings: Sequence[str] = (),
    ) -> Answer:
        warnings = [*warnings, *draft.warnings]
        rewritten = standalone if standalone != question else None
        invalid = tuple(InvalidCitation(i, c) for i, c in draft.invalid_citations)
        if draft.refused or not draft.claims:
            return Answer(
                question,
                REFUSAL_TEXT,
                (),
                True,
                generator_name,
                tuple(passages),
                invalid,
                rewritten,
                (),
                tuple(warnings),
            )
        ids: dict[tuple[str, int, int], int] = {}
        by_passage: dict[int, int] = {}
        claims: list[Claim] = []
        for dc in draft.claims:
            cites: list[Citation] = []
            for c in dc.citations:
                p = passages[c.passage - 1]
                start, end = (
                    (c.start, c.end)
                    if c.start is not None and c.end is not None
                    else (self.verifier.narrow(dc.text, p))
                )
                key = (p.file, start, end)
                cid = ids.setdefault(key, len(ids) + 1)
                by_passage.setdefault(c.passage, cid)
                quote = p.text[start - p.start : end - p.start]
                cites.append(
                    Citation(cid, p.file, start, end, quote, p.id, p.title, p.outlet, p.published)
                )
            evidence = [passages[c.passage - 1].text for c in dc.citations]
            support = self.verifier.support(dc.text, evidence)
            claims.append(
                Claim(
                    dc.text, tuple(cites), support.score >= self.verifier.min_support, support.score
                )
            )
        claims = self._judge(claims, passages, draft, generator_name)
        disagreements = tuple(
            Disagreement(d.about, tuple((v, by_passage.get(p, p)) for v, p in d.values))
            for d in draft.disagreements
        )
        text = " ".join(
            f"{c.text} {''.join(f'[{x.id}]' for x in c.citations)}".strip() for c in claims
        )
        for d in disagreements:
            sides = " vs ".join(f"{v} [{c}]" for v, c in d.values)
            text += f"\n\nNote: the sources disagree — {sides}."
        return Answer(
            question,
            text,
            tuple(claims),
            False,
            generator_name,
            tuple(passages),
            invalid,
            rewritten,
            disagreements,
            tuple(warnings),
        )

    def _judge(
        self, claims: list[Claim], passages: Sequence[Passage], draft: Draft, generator_name: str
    ) -> list[Claim]:
        """With a model configured, its yes/no on each claim overrides the offline score."""
        judge = self.verifier.judge
        if judge is None or generator_name == "extractive":
            return claims
        items = [
            (c.text, "\n\n".join(passages[dc.passage - 1].text for dc in d.citations))
            for c, d in zip(claims, draft.claims, strict=True)
        ]
        try:
            verdicts = judge(items)
        except GeneratorError:
            return claims
        out = []
        for c, v in zip(claims, verdicts, strict=False):
            if v is None or not c.citations:
                out.append(c)
            else:
                out.append(
                    Claim(c.text, c.citations, v, max(c.score, 0.9) if v else min(c.score, 0.3))
                )
        return out
