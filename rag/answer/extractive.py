"""The offline generator: a short answer first, then the retrieved articles' own sentences that
carry it, each quoted exactly and cited.

Per part of the question (``rag.answer.question.split_parts``): analyse it with spaCy
(``rag.answer.analysis``), score every retrieved sentence and every candidate short answer in
them with the fitted logistic regressions (``rag.answer.features``, ``rag.answer.scoring``),
refuse when the best sentence's probability is below the calibrated threshold, else take the
best-supported candidate as the short answer. The same answer in several articles is counted as
corroboration; a different answer of the same kind with comparable support in another article is
reported as a disagreement, both sides quoted. A question about a time after the newest article
(or before the oldest, when no sentence names that time) is refused with the articles' span.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from index.embed import Embedder
from rag.answer.analysis import QuestionInfo, analyse
from rag.answer.candidates import Candidate
from rag.answer.drafts import Draft, DraftCitation, DraftClaim, OnText
from rag.answer.features import Evidence, featurize
from rag.answer.metadata import ArticleMeta, field_value, metadata_field
from rag.answer.question import split_parts
from rag.answer.scoring import Scorer, load_scorer
from rag.records import Disagreement, Passage
from rag.text.dates import MONTH_NAMES_LOWER, find_dates
from rag.text.terms import content_terms, stem_all

DateSpan = Callable[[], tuple[date, date] | None]
_SIDE_RATIO = 0.6  # sentences this close to the best one's score are strong
_DISAGREE_RATIO = 0.6  # a second answer this close to the best one's support is a disagreement
_MORE_RATIO = 0.85  # further quoted sentences need this share of the best sentence's score
_UNSEEN_MAX = 0.5  # a question half of whose terms no passage uses is about something else


@dataclass
class PartAnswer:
    """What one part of the question got: its short answer, quoted sentences and sides."""

    info: QuestionInfo
    short: str | None
    quotes: list[int]  # sentence indices
    corroboration: int = 0
    disagreement: list[tuple[str, int]] = field(default_factory=list)  # (value, sentence)
    score: float = 0.0  # the answer's score: its candidate's and sentence's probability
    short_prob: float = 0.0  # the short answer's candidate probability
    features: dict[str, float] = field(default_factory=dict)  # QUESTION_FEATURES
    confidence: float = 0.0  # P(the articles answer it): the refusal model on ``features``


def _value_shape(value: str) -> str:
    """The granularity of a value (month, year, day, number, word): only like compares with
    like, so "June 18-19" and "2000" are not two answers to one question."""
    v = value.lower()
    if re.fullmatch(r"[a-z]+", v):
        return "word"
    if re.fullmatch(r"(19|20)\d\d", v):
        return "year"
    if re.search(r"[a-z]", v) and re.search(r"\d", v):
        return "mixed"
    return "number" if re.search(r"\d", v) else "word"


def _a_date(text: str, info: QuestionInfo) -> bool:
    """A date a reader can place (a day, month, year or weekday), not "this week" or "just
    months": the text's own date finder (``rag.text.dates``) names one; and of the unit the
    question's focus names ("which month" is answered by a month, "which year" by a year)."""
    month = any(w.strip(".,").lower() in MONTH_NAMES_LOWER for w in text.split())
    found = [m for m in find_dates(text) if m.kind not in ("rel", "ago")]
    if info.focus_lemma == "month":
        return month or any(m.month for m in found)
    if info.focus_lemma == "year":
        return any(m.year for m in found)
    return month or bool(found)


def _years_fit(info: QuestionInfo, text: str) -> bool:
    """A date candidate naming a year outside the question's time scope does not answer it."""
    years = [int(y) for y in re.findall(r"\b(?:19|20)\d\d\b", text)]
    scope = info.scope
    return scope is None or not years or any(scope.start.year <= y <= scope.end.year for y in years)


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / (len(a | b) or 1)


def _fmt(d: date) -> str:
    return f"{d.day} {d.strftime('%B %Y')}"


class ExtractiveGenerator:
    name = "extractive"

    def __init__(
        self,
        embedder: Embedder,
        max_sentences: int = 3,
        refuse_below: float | None = None,
        scorer: Scorer | None = None,
        date_span: DateSpan | None = None,
        article_meta: ArticleMeta | None = None,
    ) -> None:
        self.embedder = embedder
        self.max_sentences = max_sentences
        self.scorer = scorer or load_scorer()
        self.refuse_below = self.scorer.refuse_below if refuse_below is None else refuse_below
        self.date_span = date_span
        self.article_meta = article_meta

    # ---- scoring ---------------------------------------------------------------------------
    def evidence(self, question: str, passages: Sequence[Passage]) -> Evidence:
        return featurize(analyse(question, self.embedder), passages, self.embedder)

    def answer_part(self, ev: Evidence) -> PartAnswer | None:
        info = ev.info
        if not ev.sentences or ev.sentence_features[0]["unseen"] >= _UNSEEN_MAX:
            return None  # most of what it asks about no passage mentions: another subject
        s_prob = [self.scorer.sentence.prob(f) for f in ev.sentence_features]
        c_prob = [self.scorer.candidate.prob(f) for f in ev.candidate_features]
        wanted = set(info.labels) | set(info.also)
        eligible = list(range(len(ev.sentences)))
        if info.typed:  # a sentence without a value of the wanted type does not answer
            typed = {c.sentence for c in ev.candidates if c.label in wanted}
            eligible = [i for i in eligible if i in typed]
        if not eligible:
            return None
        best = max(eligible, key=lambda i: s_prob[i])
        strong = {i for i in eligible if s_prob[i] >= s_prob[best] * _SIDE_RATIO}
        pool = [
            (c, p)
            for c, p, f in zip(ev.candidates, c_prob, ev.candidate_features, strict=True)
            if c.sentence in strong
            and (not info.typed or c.label in wanted)
            and (not info.name or info.focus is None or f["focus_near"] > 0)
            and (c.label != "DATE" or (_years_fit(info, c.text) and _a_date(c.text, info)))
        ]
        part = PartAnswer(info, None, [best], score=s_prob[best])
        if not pool:
            if info.name:  # "the name of X" is answered by a name standing by X, or not at all
                return None
            return None if not self._confident(ev, part, best) else self._more(ev, part, s_prob)
        by_key: dict[str, list[tuple[Candidate, float]]] = {}
        for c, p in pool:
            by_key.setdefault(c.key, []).append((c, p * s_prob[c.sentence]))
        ranked = sorted(by_key.items(), key=lambda kv: -max(p for _, p in kv[1]))
        support = ranked[0][1]
        top, top_p = max(support, key=lambda cp: cp[1])
        part.short_prob = top_p / max(s_prob[top.sentence], 1e-9)
        if info.typed:  # the answer's score: its sentence's and its own
            part.score = top_p
        if not self._confident(ev, part, top.sentence):
            return None
        if info.typed or part.short_prob >= self.scorer.short_below:
            part.short = top.text
            files = {ev.sentences[c.sentence].file for c, _ in support}
            part.corroboration = len(files)
            part.quotes = [top.sentence]
            for c, _ in sorted(support, key=lambda cp: -cp[1]):  # one quote from each other file
                f = ev.sentences[c.sentence].file
                if f not in {ev.sentences[q].file for q in part.quotes}:
                    part.quotes.append(c.sentence)
            self._sides(ev, part, ranked, top, top_p)
        return self._more(ev, part, s_prob)

    def _confident(self, ev: Evidence, part: PartAnswer, sentence: int) -> bool:
        """The refusal decision: the fitted refusal model's probability that the articles answer
        this part, from the answer's features, against the calibrated threshold."""
        f = ev.sentence_features[sentence]
        part.features = {
            "answer_score": part.score,
            "unseen": f["unseen"],
            "similarity": f["similarity"],
            "overlap": f["overlap"],
            "missing": f["missing"],
            "typed": float(part.info.typed),
        }
        model = self.scorer.refusal
        part.confidence = model.prob(part.features) if model is not None else part.score
        return part.confidence >= self.refuse_below

    def _sides(
        self,
        ev: Evidence,
        part: PartAnswer,
        ranked: list[tuple[str, list[tuple[Candidate, float]]]],
        top: Candidate,
        top_p: float,
    ) -> None:
        """A different value of the same kind, in another article, nearly as well supported."""
        if part.info.wanted not in ("date", "number"):
            return
        top_file = ev.sentences[top.sentence].file
        for key, support in ranked[1:]:
            c, p = max(support, key=lambda cp: cp[1])
            if p < top_p * _DISAGREE_RATIO:
                break
            other_file = ev.sentences[c.sentence].file
            if other_file == top_file or _value_shape(key) != _value_shape(top.key):
                continue
            if key in top.key or top.key in key:
                continue
            part.disagreement = [(top.text, top.sentence), (c.text, c.sentence)]
            if c.sentence not in part.quotes:
                part.quotes.append(c.sentence)
            return

    def _more(self, ev: Evidence, part: PartAnswer, s_prob: list[float]) -> PartAnswer:
        """Further sentences that carry question terms the quoted ones leave open."""
        q_terms = set(stem_all(part.info.terms))
        terms = [set(stem_all(content_terms(s.text))) for s in ev.sentences]
        covered = set().union(*(terms[i] & q_terms for i in part.quotes))
        best = s_prob[part.quotes[0]]
        for i in sorted(range(len(ev.sentences)), key=lambda i: -s_prob[i]):
            if len(part.quotes) >= self.max_sentences or s_prob[i] < best * _MORE_RATIO:
                break
            new = (terms[i] & q_terms) - covered
            if (
                i in part.quotes
                or not new
                or any(_jaccard(terms[i], terms[q]) > 0.5 for q in part.quotes)
            ):
                continue
            part.quotes.append(i)
            covered |= terms[i] & q_terms
        return part

    def _outside_span(self, info: QuestionInfo) -> bool:
        span = self.date_span() if self.date_span else None
        scope = info.scope
        return bool(span and scope and (scope.start > span[1] or scope.end < span[0]))

    def _after_newest(self, info: QuestionInfo) -> tuple[date, date] | None:
        span = self.date_span() if self.date_span else None
        if span and info.scope and info.scope.start > span[1]:
            return span
        return None

    # ---- drafting --------------------------------------------------------------------------
    def draft(
        self, question: str, passages: Sequence[Passage], on_text: OnText | None = None
    ) -> Draft:
        parts = split_parts(question)
        if self.article_meta is not None and len(parts) == 1:
            about = self._from_metadata(question, passages)
            if about is not None:
                return about
        answered: list[tuple[PartAnswer, Evidence]] = []
        for text in parts:
            info = analyse(text, self.embedder)
            span = self._after_newest(info)
            if span is not None:
                return Draft(
                    claims=[],
                    refused=True,
                    refusal_note=f"The question is about {info.scope.text if info.scope else ''}"
                    f"; the articles run from {_fmt(span[0])} to {_fmt(span[1])}.",
                )
            ev = featurize(info, passages, self.embedder)
            found = self.answer_part(ev)
            if found is not None:
                if len(parts) > 1:
                    found.quotes = found.quotes[:2]
                answered.append((found, ev))
        if not answered:
            note = ""
            span = self.date_span() if self.date_span else None
            infos = [analyse(t, self.embedder) for t in parts]
            if span and any(i.scope and self._outside_span(i) for i in infos):
                note = f"The articles run from {_fmt(span[0])} to {_fmt(span[1])}."
            return Draft(claims=[], refused=True, refusal_note=note)
        claims: list[DraftClaim] = []
        taken: set[tuple[str, int]] = set()
        disagreements: list[Disagreement] = []
        shorts: list[str] = []
        corroboration = 0
        for part, ev in answered:
            numbers: dict[int, int] = {}
            for i in part.quotes:
                s = ev.sentences[i]
                if (s.file, s.start) in taken:
                    continue
                taken.add((s.file, s.start))
                claims.append(self._claim(ev, i))
                numbers[i] = s.passage
            if part.short:
                shorts.append(part.short)
                corroboration = max(corroboration, part.corroboration)
            if part.disagreement:
                disagreements.append(
                    Disagreement(
                        about=part.info.text,
                        values=tuple((v, ev.sentences[i].passage) for v, i in part.disagreement),
                    )
                )
        short = None
        if shorts and len(shorts) == len(parts):
            short = "; ".join(dict.fromkeys(shorts))
            if disagreements and len(parts) == 1:
                short = " or ".join(v for v, _ in disagreements[0].values)
        if on_text:
            if short:
                on_text(short + " — ")
            for claim in claims:
                on_text(claim.text + " ")
        return Draft(
            claims=claims,
            disagreements=disagreements,
            short_answer=short,
            corroboration=corroboration if len(parts) == 1 else 0,
        )

    def _from_metadata(self, question: str, passages: Sequence[Passage]) -> Draft | None:
        """Who wrote / which outlet published / when was published: the metadata of the
        article whose sentence best matches the question, that sentence quoted."""
        info = analyse(question, self.embedder)
        field = metadata_field(info)
        if field is None or self.article_meta is None:
            return None
        ev = featurize(info, passages, self.embedder)
        if not ev.sentences:
            return None
        s_prob = [self.scorer.sentence.prob(f) for f in ev.sentence_features]
        best = max(range(len(ev.sentences)), key=lambda i: s_prob[i])
        if s_prob[best] < self.refuse_below:
            return None
        value = field_value(self.article_meta(ev.sentences[best].file), field)
        if value is None:
            return None
        return Draft(claims=[self._claim(ev, best)], short_answer=value)

    def _claim(self, ev: Evidence, i: int) -> DraftClaim:
        """A quoted sentence; a pronoun subject gets its referent in brackets, outside the cited
        span ("[Peskov] also confirmed…")."""
        s = ev.sentences[i]
        doc = ev.docs[i]
        first = doc[0] if len(doc) else None
        if (
            first is not None
            and first.pos_ == "PRON"
            and first.dep_ in ("nsubj", "nsubjpass")
            and first.lower_ in ("he", "she")
        ):
            referent = self._referent(ev, i)
            if referent:
                cut = first.idx + len(first.text)
                while cut < len(s.text) and s.text[cut] == " ":
                    cut += 1
                text = f"[{referent}] {s.text[cut:]}"
                return DraftClaim(text, (DraftCitation(s.passage, s.start + cut, s.end),))
        return DraftClaim(s.text, (DraftCitation(s.passage, s.start, s.end),))

    @staticmethod
    def _referent(ev: Evidence, i: int) -> str | None:
        """The last person named before sentence ``i`` in the same passage (surname only)."""
        s = ev.sentences[i]
        for j in range(i - 1, -1, -1):
            prev = ev.sentences[j]
            if prev.passage != s.passage:
                break
            people = [e for e in ev.docs[j].ents if e.label_ == "PERSON"]
            if people:
                return people[-1][-1].text
        return None
