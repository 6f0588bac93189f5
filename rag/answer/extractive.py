"""The offline generator: answers by quoting the retrieved articles' own sentences, each cited.

Sentences of the retrieved passages are scored against the question — embedding similarity,
IDF-weighted term overlap, and whether the sentence holds the kind of value the question wants
("when" → a date, "how many" → a number, "who" → a person, "where" → a place), weighed with how
far retrieval scored the sentence's article below the best one by weights fitted on the gold
sets' fit halves (``rag/answer/sentences.py``, ``evals/fit_sentences.py``). The best one to
three sentences are quoted exactly, non-redundant, covering the parts of the question; when the
best sentence is weak the generator refuses; when cited sentences give different values for what
was asked, both are reported.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from index.chunk import sentence_spans
from index.embed import Embedder
from rag.answer import about, analysis, disagreement, kinds, metadata, roles, sentences
from rag.answer.drafts import Draft, DraftCitation, DraftClaim, OnText
from rag.answer.metadata import ArticleLookup
from rag.answer.nlp import parse_many
from rag.answer.parts import split_question
from rag.answer.question import QuestionInfo
from rag.answer.referent import courtesy_surname, full_name, nearest_person, pronoun_subject
from rag.answer.refusal import RefusalModel, features
from rag.answer.sentences import SentenceWeights, sentence_features
from rag.answer.short import Around, Evidence, ShortAnswer, ShortInputs, short_answer
from rag.answer.timescope import DateSpan, after_the_articles
from rag.records import Disagreement, Passage
from rag.text.dates import find_dates
from rag.text.terms import content_terms, stem_all


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
    features: Mapping[str, float] = field(default_factory=dict)  # ``sentences.FEATURES``


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=False))


_HEADLINE_MAX_WORDS = 16
# How many of the best sentences are parsed to judge an entity, name or number question's kind.
_PARSED_SENTENCES = 10
# A sentence scoring at least this share of the best one's is strong: quoted beside it, counted as
# corroboration, compared for disagreements.
_STRONG = 0.85


def _asks(sentence: str) -> bool:
    """A question ("What age group can get the vaccines?", a quiz's own wording) answers none."""
    return sentence.rstrip(" \"'”’)").endswith("?")


def sentence_candidates(passages: Sequence[Passage]) -> list[tuple[int, Passage, int, int, str]]:
    """(passage number, passage, abs start, abs end, text) for each distinct sentence that is
    not itself a question."""
    seen: set[tuple[str, int]] = set()
    out: list[tuple[int, Passage, int, int, str]] = []
    for i, p in enumerate(passages, 1):
        for s, e in sentence_spans(p.text):
            text = p.text[s:e]
            key = (p.file, p.start + s)
            if key in seen or len(text.split()) < 4 or _asks(text):
                continue
            seen.add(key)
            out.append((i, p, p.start + s, p.start + e, text))
    return out


class ExtractiveGenerator:
    name = "extractive"
    # For ``evals/fit_sentences.py`` (evals use rag's public API only): the sentence features
    # and the writer of their fitted weights.
    sentence_feature_names = sentences.FEATURES
    write_sentence_weights = staticmethod(sentences.write_weights)

    def __init__(
        self,
        embedder: Embedder,
        max_sentences: int = 3,
        refuse_below: float = 0.40,
        article: ArticleLookup | None = None,
        refusal: RefusalModel | None = None,
        date_span: DateSpan | None = None,
        sentence_weights: SentenceWeights | Literal["fitted"] | None = "fitted",
    ) -> None:
        self.embedder = embedder
        self.max_sentences = max_sentences
        self.refuse_below = refuse_below
        self.article = article  # the stored text and metadata of an article, for metadata questions
        self.refusal = refusal  # the fitted refusal (None: only the similarity floor refuses)
        self.date_span = date_span  # first and last publication day of the indexed articles
        # The sentence score: "fitted" (rag/answer/data/sentences.json; SentenceWeightsError
        # when missing or stale), given weights, or None: the hand-set ``sentences.hand_score``.
        self.sentence_weights = (
            sentences.load_weights() if sentence_weights == "fitted" else sentence_weights
        )
        # When a list: each short answer's inputs are appended to it (for evals/fit_short.py).
        self.short_inputs: list[ShortInputs] | None = None
        self._texts: dict[str, str | None] = {}  # articles looked up for the current draft

    # ---- scoring ---------------------------------------------------------------------------
    def score(
        self,
        question: str,
        passages: Sequence[Passage],
        parsed: analysis.QuestionInfo | None = None,
        parts: int = 1,
    ) -> tuple[QuestionInfo, list[Candidate]]:
        """The sentences of ``passages``, best first. ``parsed``: the question's parse
        (``analysis.analyse``), for the kind of value it asks for when the wording does not say
        ("What dates…" wants a date) and for the entity labels that answer a "who", "where" or
        "which <focus>"; ``parts``: the number of parts of the question ``passages`` were
        retrieved for (interleaved, so each part's ranks are the passages' divided by it)."""
        parsed = parsed if parsed is not None else analysis.analyse(question)
        kind = kinds.question_kind(parsed)
        info = QuestionInfo(question, kind, content_terms(question))
        by_entity = kind in (kinds.ENTITY, kinds.NAME)
        raw = sentence_candidates(passages)
        if not raw:
            return info, []
        q_terms = stem_all(info.terms)
        sent_terms = [frozenset(stem_all(content_terms(r[4]))) for r in raw]
        n = len(raw)
        idf = {t: math.log(1 + n / (1 + sum(t in s for s in sent_terms))) for t in set(q_terms)}
        total = sum(idf[t] for t in q_terms) or 1.0
        # Question words the evidence never uses ("football", "weather") say the articles are
        # about something else: every sentence's score pays for them.
        seen = set().union(*sent_terms, *(stem_all(content_terms(p.title)) for p in passages))
        unseen = [t for t in q_terms if t not in seen and not t.isdigit()]
        unseen_share = len(unseen) / (len(q_terms) or 1)
        vectors = self.embedder.embed([question] + [r[4] for r in raw])
        qv = vectors[0]
        files = list(dict.fromkeys(p.file for p in passages))
        per_file = {f: sum(p.file == f for p in passages) / len(passages) for f in files}
        top_score = max(p.score for p in passages)
        wanted_kind = info.wanted != "other"
        out: list[Candidate] = []
        for (pnum, p, s, e, text), terms, vec in zip(raw, sent_terms, vectors[1:], strict=True):
            sim = _cosine(qv, vec)
            overlap = sum(idf[t] for t in q_terms if t in terms) / total
            # An entity kind is first judged by the capitalised names (cheap), then, for the
            # best sentences, by the entities the parse finds (below).
            typed = (
                kinds.new_name(text, question)
                if by_entity
                else kinds.value_typed(text, kind, parsed)
            )
            # A headline-like fragment (no verb-ending punctuation) is a weak answer on its own.
            words = len(text.split())
            headline = not re.search(r"[.!?\"”’']$", text) and words <= _HEADLINE_MAX_WORDS
            feats = sentence_features(
                sim,
                overlap,
                wanted_kind,
                typed,
                unseen_share,
                headline,
                math.ceil(pnum / parts),
                math.ceil((files.index(p.file) + 1) / parts),
                per_file[p.file],
                top_score - p.score if parts == 1 else 0.0,  # parts' scores don't compare
                words,
            )
            out.append(
                Candidate(
                    pnum, p.file, s, e, text, self._score(feats), sim, overlap, typed, terms, feats
                )
            )
        out.sort(key=lambda c: -c.score)
        if by_entity or (kind == "number" and parsed.labels):
            out = self._typed_by_parse(out, parsed, kind)
        return info, out

    def _score(self, feats: Mapping[str, float]) -> float:
        if self.sentence_weights is not None:
            return self.sentence_weights.score(feats)
        return sentences.hand_score(feats)

    def _typed_by_parse(
        self, cands: list[Candidate], parsed: analysis.QuestionInfo, kind: str
    ) -> list[Candidate]:
        """The best sentences of an entity, name or number question typed by their parse
        (``kinds.entity_typed``; a number's figure pattern must also meet a figure entity of
        the wanted labels, ``kinds.figure_typed``). Only the best ``_PARSED_SENTENCES`` are
        parsed (a parse costs per sentence); the rest keep the cheap judgement."""
        top = cands[:_PARSED_SENTENCES]
        docs = parse_many([c.text for c in top])
        rescored: list[Candidate] = []
        for c, doc in zip(top, docs, strict=True):
            typed = (
                c.typed and kinds.figure_typed(doc, parsed)
                if kind == "number"
                else kinds.entity_typed(doc, kind, parsed)
            )
            if typed == c.typed:
                rescored.append(c)
                continue
            feats = {**c.features, "typed": float(typed), "untyped": float(not typed)}
            rescored.append(replace(c, typed=typed, score=self._score(feats), features=feats))
        out = rescored + cands[_PARSED_SENTENCES:]
        out.sort(key=lambda c: -c.score)
        return out

    def considered(
        self, question: str, passages: Sequence[Passage]
    ) -> list[tuple[list[Candidate], list[Candidate]]]:
        """For each part of ``question``: its sentences, best first, and those its draft chooses
        among (of the wanted kind, in the question's period) — what ``evals/fit_sentences.py``
        labels and fits on."""
        out: list[tuple[list[Candidate], list[Candidate]]] = []
        parts = split_question(question)
        for part in parts:
            parsed = analysis.analyse(part, self.embedder)
            info, every = self.score(part, passages, parsed, len(parts))
            cands = [c for c in every if c.typed] if info.wanted != "other" else every
            out.append((every, in_scope(cands, parsed.scope)))
        return out

    # ---- drafting --------------------------------------------------------------------------
    def draft(
        self, question: str, passages: Sequence[Passage], on_text: OnText | None = None
    ) -> Draft:
        self._texts = {}  # the owner, about-the-names and full-name checks share lookups
        note = self._after_the_articles(question)
        if note is not None:
            return Draft(claims=[], refused=True, refusal_note=note)
        parts = split_question(question)
        chosen: list[Candidate] = []
        disagreements: list[Disagreement] = []
        shorts: list[ShortAnswer] = []
        part_features: list[dict[str, float]] = []
        for part in parts:
            parsed = analysis.analyse(part, self.embedder)
            info, cands = self.score(part, passages, parsed, len(parts))
            every = cands
            if len(parts) == 1 and cands:
                about = self._from_metadata(parsed, cands[0], passages)
                if about is not None:
                    return about
            said = (t for p in passages for t in (p.text, p.title))  # read only when asked
            if analysis.unmentioned_attribute(part, said):
                continue  # "What was the weather…" where no passage speaks of weather
            if parsed.wh:  # a sentence saying nothing the question does not say answers nothing
                asked = frozenset(stem_all(info.terms))
                cands = [c for c in cands if not c.terms <= asked]
            if info.wanted != "other":
                # A sentence lacking the wanted kind of value does not answer the question —
                # unless the kind is only the glossary's guess at a "which <focus>" ("Which
                # movie…" resembles PERSON's entry, "Which website…" a place's) and no typed
                # sentence is strong: none passes the floor, or none is nearly as strong as the
                # best sentence (a strong one, in ``_STRONG``'s sense).
                typed = [c for c in cands if c.typed]
                guessed = (
                    info.wanted == kinds.ENTITY and parsed.wh in ("which", "what")
                ) or info.wanted == kinds.REASON  # a cause may be given without a marker
                floor = max(self.refuse_below, cands[0].score * _STRONG) if cands else 0.0
                weak = not typed or typed[0].score < floor
                cands = cands if guessed and weak else typed
            cands = self._about_the_names(parsed, in_scope(cands, parsed.scope), passages)
            # "Who is Nestle's chief executive?": only a name the sentence ties to that role.
            role = roles.asked_role(part) if parsed.wanted == "person" else None
            held = roles.holding(role, cands, 3 * _PARSED_SENTENCES) if role is not None else []
            if role is not None:  # and the holder's article names whose role it is (per file)
                owned = {
                    f: roles.names_owner(role, self._text(f)) for f in {c.file for c, _ in held}
                }
                held = [(c, n) for c, n in held if owned[c.file]]
            cands = [c for c, _ in held] if role is not None else cands
            if not cands or cands[0].score < self.refuse_below:
                continue  # this part is not answered by the articles
            picked = self._select(info, cands) if len(parts) == 1 else [cands[0]]
            found, sides = disagreement.disagreements(info, cands, _STRONG)
            strong = [c for c in cands if c.score >= picked[0].score * _STRONG]
            before, after = _around(picked[0], every)
            if info.wanted == kinds.REASON and not picked[0].typed and after and after[0].typed:
                # "GM is also recalling… This is because the pedal…": the cause follows
                picked = [picked[0], after[0], *(c for c in picked[1:] if c is not after[0])]
            inputs = ShortInputs(
                parsed,
                [Evidence(c.text, c.file) for c in picked],
                [Evidence(c.text, c.file) for c in strong],
                Around(
                    [Evidence(c.text, c.file) for c in before],
                    [Evidence(c.text, c.file) for c in after],
                ),
            )
            if self.short_inputs is not None:
                self.short_inputs.append(inputs)
            short = (
                roles.answer(held, _STRONG)
                if role is not None
                else short_answer(inputs.info, inputs.quoted, inputs.strong, inputs.around)
            )
            if short is not None and courtesy_surname(short.text) is not None:
                # "Ms Hewitt": as the article first names her ("Patricia Hewitt")
                text = self._text(picked[0].file)
                short = replace(short, text=full_name(short.text, text)) if text else short
            best = cands[0]
            feats = features(
                parsed,
                best.text,
                best.file,
                best.score,
                best.similarity,
                best.overlap,
                passages,
            )
            part_features.append(feats)
            # Fitted on single questions (the gold sets' unanswerables are all single): the
            # parts of a two-part question are not refused by it.
            if (
                self.refusal is not None
                and len(parts) == 1
                and self.refusal.probability(feats) < self.refusal.threshold
            ):
                continue  # the best sentence misses what the question is about: a near miss
            disagreements.extend(found)
            if short is not None and short.referent is not None:
                # The best sentence names the answer only by a description: the sentence
                # that names it is quoted beside it, in the article's order.
                named = [*before, *after][short.referent]
                picked = (
                    [named, *picked]
                    if named.start < picked[0].start
                    else [picked[0], named, *picked[1:]]
                )
            for c in [*picked, *sides]:
                if all((c.file, c.start) != (o.file, o.start) for o in chosen):
                    chosen.append(c)
            if short is not None:
                shorts.append(short)
        if not chosen:
            return Draft(claims=[], refused=True, features=part_features)
        claims = [self._claim(c, passages) for c in chosen]
        if on_text:
            for claim in claims:
                on_text(claim.text + " ")
        return Draft(
            claims=claims,
            disagreements=disagreements,
            short_answer="; ".join(s.text for s in shorts) or None,
            corroboration=max((s.corroboration for s in shorts), default=0),
            features=part_features,
        )

    def _claim(self, c: Candidate, passages: Sequence[Passage]) -> DraftClaim:
        """The quoted sentence, cited; one that opens with "He"/"She" names the person in square
        brackets ("[Peskov] also confirmed…") and cites the rest of the sentence, exactly."""
        skip = pronoun_subject(c.text)
        if skip:
            p = passages[c.passage - 1]
            before = p.text[: max(0, c.start - p.start)]
            pronoun = c.text[:skip].strip().lower()
            name = nearest_person(before, pronoun)
            if name is None and self.article is not None:
                found = self.article(c.file)
                name = nearest_person(found[0][: c.start], pronoun) if found else None
            if name is not None:
                rest = c.text[skip:]
                return DraftClaim(
                    f"[{name}] {rest}", (DraftCitation(c.passage, c.start + skip, c.end),)
                )
        return DraftClaim(c.text, (DraftCitation(c.passage, c.start, c.end),))

    def _text(self, file: str) -> str | None:
        """An article's title and stored text (None without an article lookup), looked up once
        per draft."""
        if file not in self._texts:
            found = self.article(file) if self.article is not None else None
            self._texts[file] = (
                f"{found[1].get('title') or ''}\n{found[0]}" if found is not None else None
            )
        return self._texts[file]

    def _about_the_names(
        self, info: analysis.QuestionInfo, cands: list[Candidate], passages: Sequence[Passage]
    ) -> list[Candidate]:
        """Without the sentences whose article names none of the question's names, or does not
        state the figures it states (``about``). The retrieved passages of an article are read
        first; the whole article is looked up only when they do not, and not at all for
        sentences too weak to be quoted."""
        names = about.question_names(info, nationalities=False)
        figures = about.question_figures(info.text)
        if not (names or figures) or self.article is None:
            return cands

        def covers(text: str) -> bool:
            return about.names_any(names, text) and about.states_figures(figures, text)

        retrieved: dict[str, list[str]] = {}
        for p in passages:
            retrieved.setdefault(p.file, [p.title]).append(p.text)
        named: dict[str, bool] = {}
        for c in cands:
            if c.score < self.refuse_below * _STRONG or c.file in named:
                continue
            named[c.file] = covers("\n".join(retrieved.get(c.file, [])))
            if not named[c.file]:
                text = self._text(c.file)
                named[c.file] = text is None or covers(text)
        return [c for c in cands if named.get(c.file, True)]

    def _after_the_articles(self, question: str) -> str | None:
        """The note of a refusal for a question about a time after the newest article."""
        if self.date_span is None:
            return None
        scope = analysis.analyse(question).scope
        return after_the_articles(scope, self.date_span()) if scope is not None else None

    def _from_metadata(
        self, info: analysis.QuestionInfo, best: Candidate, passages: Sequence[Passage]
    ) -> Draft | None:
        """Who wrote / which outlet published / when was published: the metadata of the article
        asked about — the one whose sentences best match the words saying which article
        ("the article about Kim's visit"), else the question's best sentence's."""
        asked = metadata.metadata_question(info)
        if asked is None or self.article is None:
            return None
        field, about = asked
        if about:
            among = metadata.of_outlet(about, passages)
            _, by_about = self.score(about, among, analysis.analyse(about, self.embedder))
            best = by_about[0] if by_about else best
        found = self.article(best.file)
        if found is None:
            return None
        return metadata.metadata_draft(field, best.file, found, len(passages))

    def _select(self, info: QuestionInfo, cands: list[Candidate]) -> list[Candidate]:
        """The best sentence, then sentences that answer parts of the question it leaves open
        (a question that needs two articles gets one sentence from each)."""
        best = cands[0]
        chosen = [best]
        q_terms = set(stem_all(info.terms))
        covered = set(best.terms) & q_terms
        for c in cands[1:]:
            if len(chosen) >= self.max_sentences or c.score < best.score * _STRONG:
                break
            new_terms = (c.terms & q_terms) - covered
            if not new_terms or any(_jaccard(c.terms, o.terms) > 0.5 for o in chosen):
                continue
            chosen.append(c)
            covered |= c.terms & q_terms
        return chosen


_LOOK_AROUND = 2  # sentences either side of the best one searched for what it describes


def _around(best: Candidate, every: Sequence[Candidate]) -> tuple[list[Candidate], list[Candidate]]:
    """The sentences of ``best``'s passage before it (nearest last) and after it (nearest first),
    at most ``_LOOK_AROUND`` each."""
    same = sorted(
        (c for c in every if c.passage == best.passage and c.file == best.file),
        key=lambda c: c.start,
    )
    before = [c for c in same if c.end <= best.start][-_LOOK_AROUND:]
    after = [c for c in same if c.start >= best.end][:_LOOK_AROUND]
    return before, after


def in_scope(cands: list[Candidate], scope: analysis.TimeScope | None) -> list[Candidate]:
    """Without the sentences that date themselves outside the question's period: a sentence that
    names years, none of them the question's ("…visited Pyongyang in July 2000" for a question
    about 2023), is about another time. All of them kept when none would be left."""
    if scope is None:
        return cands
    kept = []
    for c in cands:
        years = {m.year for m in find_dates(c.text) if m.year is not None}
        if not years or any(scope.start.year <= y <= scope.end.year for y in years):
            kept.append(c)
    return kept or cands


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / (len(a | b) or 1)
