"""The answer pipeline: rewrite a follow-up → retrieve → draft (LLM or extractive) → resolve
citations to exact spans → verify every claim → ``Answer``.

A claim is verified only when the offline evidence check passes (``rag.llm.judge.verified``);
for a drafted-by-the-model answer the model's judge may then lower a verdict, never raise one.
With a model, the whole question (rewrite, draft, judge) runs inside one deadline.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from rag.answer.drafts import REFUSAL_TEXT, Draft, Generator, OnText
from rag.answer.parts import split_question
from rag.answer.question import rewrite_follow_up
from rag.answer.verify import Verifier
from rag.errors import GeneratorError
from rag.llm.citations import citation
from rag.llm.deadline import one_deadline
from rag.llm.judge import Check, Judge, judge_checks, verified
from rag.records import Answer, Citation, Claim, Disagreement, Filters, InvalidCitation, Passage
from rag.retrieval.hybrid import Retriever

Rewriter = Callable[[str, Sequence[str]], str]


@dataclass
class AnswerPipeline:
    retriever: Retriever
    generator: Generator
    verifier: Verifier
    fallback: Generator | None = None  # used when the LLM fails (timeouts, rate limits)
    rewriter: Rewriter = rewrite_follow_up
    judge: Judge | None = None  # the model's yes/no on the generator's claims (lowers only)
    deadline_s: float | None = None  # one deadline for all the model calls of a question

    def ask(
        self,
        question: str,
        history: Sequence[str] = (),
        filters: Filters | None = None,
        k: int | None = None,
        on_text: OnText | None = None,
    ) -> Answer:
        with one_deadline(self.deadline_s):
            return self._ask(question, history, filters, k, on_text)

    def _ask(
        self,
        question: str,
        history: Sequence[str],
        filters: Filters | None,
        k: int | None,
        on_text: OnText | None,
    ) -> Answer:
        question = question.strip()
        standalone = self.rewriter(question, history) if history else question
        passages = self._retrieve(standalone, k, filters)
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
        judge = self.judge if generator is self.generator else None
        return self.build(question, standalone, passages, draft, generator.name, warnings, judge)

    def _retrieve(self, question: str, k: int | None, filters: Filters | None) -> list[Passage]:
        """The question's passages; for a two-part question each part's, in turn (the two parts
        are often about different articles)."""
        parts = split_question(question)
        if len(parts) < 2:
            return self.retriever.retrieve(question, k=k, filters=filters)
        found = [self.retriever.retrieve(part, k=k, filters=filters) for part in parts]
        out: list[Passage] = []
        seen: set[str] = set()
        for rank in range(max(len(f) for f in found)):
            for f in found:
                if rank < len(f) and f[rank].id not in seen:
                    seen.add(f[rank].id)
                    out.append(f[rank])
        return out

    def build(
        self,
        question: str,
        standalone: str,
        passages: Sequence[Passage],
        draft: Draft,
        generator_name: str,
        warnings: Sequence[str] = (),
        judge: Judge | None = None,
    ) -> Answer:
        warnings = [*warnings, *draft.warnings]
        passages = [*passages, *draft.extra_passages]
        rewritten = standalone if standalone != question else None
        invalid = tuple(InvalidCitation(i, c) for i, c in draft.invalid_citations)
        if draft.refused or not draft.claims:
            return Answer(
                question,
                f"{REFUSAL_TEXT} {draft.refusal_note}".strip(),
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
                cites.append(citation(cid, p, start, end))
            evidence = [passages[c.passage - 1].text for c in dc.citations]
            support = self.verifier.support(dc.text, evidence)
            ok = bool(cites) and verified(support, self.verifier.min_support)
            claims.append(Claim(dc.text, tuple(cites), ok, support.score))
        checks = judge_checks(
            [
                Check(
                    c.text,
                    "\n\n".join(passages[x.passage - 1].text for x in d.citations),
                    c.supported,
                    c.score,
                )
                for c, d in zip(claims, draft.claims, strict=True)
            ],
            judge,
        )
        claims = [
            replace(c, supported=k.supported, score=k.score)
            for c, k in zip(claims, checks, strict=True)
        ]
        disagreements = tuple(
            Disagreement(d.about, tuple((v, by_passage.get(p, p)) for v, p in d.values))
            for d in draft.disagreements
        )
        text = " ".join(
            f"{c.text} {''.join(f'[{x.id}]' for x in c.citations)}".strip() for c in claims
        )
        if draft.short_answer and not disagreements:  # the answer itself, then its quotes
            quotes = " ".join(
                f"“{c.text}” {''.join(f'[{x.id}]' for x in c.citations)}".strip() for c in claims
            )
            n = draft.corroboration
            text = f"{draft.short_answer}{f' ({n} articles)' if n > 1 else ''} — {quotes}"
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
            short_answer=draft.short_answer if not disagreements else None,
            corroboration=draft.corroboration if not disagreements else 0,
        )
