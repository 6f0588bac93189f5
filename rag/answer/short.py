"""Short answers: the answer itself, picked out of the sentences the extractive generator quotes.

Candidates are the named entities of the wanted type (``QuestionInfo.labels``, then the labels
that may also answer) in the quoted sentences, not already words of the question; for a question
that wants a noun phrase ("Which factories…", "What crab…") the noun chunks headed by the focus
noun that add words of their own ("military and civilian aviation factories"). A candidate is
ranked by its sentence's place among the quoted ones, by how well its label fits, and by its
distance in tokens from the words of the question; the same answer in several articles' strong
sentences counts as corroboration ("3 articles"). A phrase standing in the question's gap
(``rag/answer/align.py``) outweighs the rest of its sentence; a definite description of the
focus there ("the wildly popular South Korean show") gives way to the name the sentences around
it use (``rag/answer/referent.py``), and that sentence is quoted too. No candidate: no short
answer — the quotes alone are the answer.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING

from rag.answer.about import initialisms
from rag.answer.align import aligned
from rag.answer.analysis import QuestionInfo, typed_by_passages
from rag.answer.kinds import NUMERIC_LABELS, ages, counts_focus, durations, name_spans
from rag.answer.nlp import parse_many
from rag.answer.referent import is_description, named_near
from rag.answer.short_score import ShortWeights, candidate_features, load_weights
from rag.text.dates import find_dates
from rag.text.terms import STOPWORDS

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

_LEADING = re.compile(r"^(?:the|a|an|his|her|its|their|our|this|that|these|those)\s+", re.I)
_CURRENCY = "£$€¥"
_POSSESSIVE = re.compile(r"['’]s$")  # "New York's" (of "New York's Radio City") names New York
_MAX_WORDS = 8


@dataclass(frozen=True)
class Evidence:
    """A sentence that may carry the answer: its text and article."""

    text: str
    file: str


@dataclass(frozen=True)
class Around:
    """The sentences of the best quoted one's article around it: ``before`` it (nearest last)
    and ``after`` it (nearest first)."""

    before: Sequence[Evidence] = ()
    after: Sequence[Evidence] = ()


@dataclass(frozen=True)
class ShortInputs:
    """What a short answer is picked from: the question's analysis, the quoted sentences (best
    first), the other strong ones and the sentences around the best."""

    info: QuestionInfo
    quoted: Sequence[Evidence]
    strong: Sequence[Evidence]
    around: Around


@dataclass(frozen=True)
class ShortCandidate:
    text: str
    key: str
    label: str  # entity label, or "NP" for a noun phrase
    sentence: int  # index of the sentence among the quoted ones
    features: Mapping[str, float]  # rag/answer/short_score.py
    score: float = 0.0
    referent: int | None = None  # the index among the sentences around the best one naming it


@dataclass(frozen=True)
class ShortAnswer:
    text: str
    files: frozenset[str]  # the articles whose strong sentences state it
    # The sentence around the best quoted one that names the answer, when the best one refers
    # to it by a description ("the wildly popular South Korean show"): its index in
    # ``[*before, *after]`` (``short_answer``).
    referent: int | None = None

    @property
    def corroboration(self) -> int:
        return len(self.files)


def normal_key(text: str) -> str:
    """A candidate's text in a form where "the Kremlin" and "Kremlin", "June 18–19" and
    "June 18-19" compare equal."""
    t = unicodedata.normalize("NFKC", text).lower().replace("–", "-").replace("—", "-")
    t = t.replace("’", "'")
    t = _LEADING.sub("", t.strip(" .,;:\"'“”‘’()"))
    t = re.sub(r"'s$", "", t)
    return " ".join(t.split())


def _content(words: Sequence[str]) -> set[str]:
    return {w.lower() for w in words if w.lower() not in STOPWORDS and any(c.isalnum() for c in w)}


_ACRONYM = re.compile(r"\b[A-Z]{2,5}\b")


@lru_cache(maxsize=256)
def _question_acronyms(question: str) -> tuple[frozenset[str], frozenset[str]]:
    """The question's acronyms (lower case) and the initials of its names (``initialisms``),
    read once per question rather than once per candidate span."""
    return frozenset(a.lower() for a in _ACRONYM.findall(question)), initialisms(question)


def _new(span: Span, info: QuestionInfo) -> bool:
    """Adds words the question does not already have ("shows" adds nothing to "Which show…"),
    nor spells out an acronym of the question ("the United States" when it says "US") or is the
    acronym of a name it spells out."""
    words = _content([t.text for t in span])
    lemmas = _content([t.lemma_ for t in span])
    if not words or words <= info.asked or lemmas <= info.asked:
        return False
    acronyms, initials = _question_acronyms(info.text)
    if acronyms and acronyms & initialisms(span.text):
        return False
    text = span.text.strip()
    return not (_ACRONYM.fullmatch(text) and text.lower() in initials)


def _widen(text: str, start: int, end: int) -> tuple[int, int]:
    """A figure with its currency sign and the unit glued to it ("£9m", "6GB", "5%")."""
    while start > 0 and text[start - 1] in _CURRENCY:
        start -= 1
    if end > start and text[end - 1].isdigit():
        while end < len(text) and (text[end].isalpha() or text[end] == "%"):
            end += 1
    # A hyphenated name the recogniser cut short ("Komsomolsk" of "Komsomolsk-on-Amur").
    while end + 1 < len(text) and text[end] == "-" and text[end + 1].isalpha():
        end += 1
        while end < len(text) and text[end].isalnum():
            end += 1
    return start, end


def _granularity(info: QuestionInfo, text: str, label: str) -> float:
    """How well a date answers a question that asks for a month, a year or a day: 1.0 when it
    has each asked part, less for each missing one."""
    if label not in ("DATE", "TIME"):
        return 1.0
    asked = [w for w in ("day", "month", "year") if w in info.asked]
    if not asked:
        return 1.0
    found = find_dates(text)
    has = {
        "day": any(d.day is not None or d.weekday is not None for d in found),
        "month": any(d.month is not None for d in found),
        "year": any(d.year is not None for d in found),
    }
    return 1.0 - 0.3 * sum(not has[w] for w in asked)


def _distance(doc: Doc, span: Span, info: QuestionInfo) -> int:
    """Tokens between the span and the nearest word of the question (focus words count)."""
    wanted = set(info.asked) | ({info.focus_lemma} if info.focus_lemma else set())
    near = [
        t.i
        for t in doc
        if not (span.start <= t.i < span.end)
        and (t.lower_ in wanted or t.lemma_.lower() in wanted)
        and not t.is_stop
    ]
    if not near:
        return len(doc)
    return min(abs(i - span.start) if i < span.start else abs(i - span.end + 1) for i in near)


def _bare(chunk: Span) -> Span:
    """A noun chunk without its leading determiners, pronouns and punctuation."""
    doc, start = chunk.doc, chunk.start
    while start < chunk.end and doc[start].pos_ in ("DET", "PRON", "PUNCT"):
        start += 1
    return doc[start : chunk.end]


def _states_kind(span: Span, info: QuestionInfo) -> bool:
    """For "how old": the span holds an age the sentence states ("39" of "Kim, 39,"), not
    another figure; for "how long", it meets a span of time ("14 years", not the "one day" of
    "one day after the campaign"); any span for other questions."""
    if info.wh == "how old":
        return any(span.start_char <= s and e <= span.end_char for s, e in ages(span.doc.text))
    if info.wh == "how long":
        found = durations(span.doc.text, info)
        return any(s < span.end_char and span.start_char < e for s, e in found)
    return True


def _spans(doc: Doc, info: QuestionInfo) -> list[tuple[Span, str, float]]:
    """(span, label, label weight) for each candidate span of one parsed sentence."""
    out: list[tuple[Span, str, float]] = []
    if info.labels:
        for ent in doc.ents:
            if not _states_kind(ent, info):
                continue
            if ent.label_ in info.labels:
                out.append((ent, ent.label_, 1.0))
            elif ent.label_ in info.also:
                out.append((ent, ent.label_, 0.5))
            elif counts_focus(ent, info):
                out.append((ent, ent.label_, 1.0))
        return out
    if info.name:
        return [(e, e.label_ or "NAME", 1.0) for e in name_spans(doc) if e.root.pos_ == "PROPN"]
    if info.focus_lemma:
        for chunk in doc.noun_chunks:
            if chunk.root.lemma_.lower() != info.focus_lemma:
                continue
            span = _bare(chunk)
            if len(span) > 1:
                out.append((span, "NP", 1.0))
    return out


def _fits(span: Span, info: QuestionInfo) -> bool:
    """Whether a phrase standing in the question's gap is of the kind the question wants: an
    entity of its labels; for a "which/what" focus (typed by a guess) or a proper name, any name;
    for a noun-phrase focus, any phrase."""
    ent = next((e for e in span.doc.ents if e.start <= span.root.i < e.end), None)
    label = ent.label_ if ent is not None else ""
    if info.labels:
        if label in info.labels or label in info.also:
            return True
        # The glossary's type of a focus noun is a guess ("Which show…" is not typed
        # WORK_OF_ART): any named entity in the gap answers it.
        return bool(label) and label not in NUMERIC_LABELS and info.wh in ("which", "what")
    if info.name or not info.focus_lemma:
        return span.root.pos_ == "PROPN" and label not in NUMERIC_LABELS
    return True


def _names_focus(span: Span, info: QuestionInfo) -> bool:
    return info.focus_lemma is not None and any(t.lemma_.lower() == info.focus_lemma for t in span)


def _aligned_spans(doc: Doc, info: QuestionInfo) -> list[tuple[Span, str, float, float]]:
    """(span, label, 1.0, alignment strength) for the phrases standing where the question's gap
    stands (``rag/answer/align.py``)."""
    out: list[tuple[Span, str, float, float]] = []
    for span, strength in aligned(info.text, doc):
        if len(span) and _fits(span, info) and _states_kind(span, info):
            ent = next((e for e in doc.ents if e.start <= span.root.i < e.end), None)
            out.append((span, ent.label_ if ent is not None else "NP", 1.0, strength))
    return out


def _definite_focus(doc: Doc, info: QuestionInfo) -> list[Span]:
    """The definite descriptions of the focus noun in ``doc`` ("the park", "the processed cheese
    product"), determiners stripped, wherever they stand."""
    out: list[Span] = []
    for chunk in doc.noun_chunks:
        span = _bare(chunk)
        if len(span) and is_description(span, info.focus_lemma):
            out.append(span)
    return out


def _described(
    info: QuestionInfo, around: Around, described: Sequence[tuple[Span, float]]
) -> list[ShortCandidate]:
    """The names the ``described`` phrases (each with its gap alignment's strength, -1 when not
    in the gap) of the best sentence stand for, found in the sentences around it
    (``referent.named_near``). The labels a guessed "which/what <focus>" type gives are not
    required of them (as in ``_fits``)."""
    out: list[ShortCandidate] = []
    if not described or not (around.before or around.after) or info.asks_kind:
        return out  # "What kind of agreement…" is answered by the description itself
    guessed = info.wh in ("which", "what")
    labels = frozenset(info.labels) | frozenset(info.also) if not guessed else frozenset()
    before = parse_many([e.text for e in around.before])
    after = parse_many([e.text for e in around.after])
    for span, strength in described:
        found = named_near(span, before, after, info.asked, labels)
        if found is not None:
            k, text = found
            feats = candidate_features(
                1.0,
                max(0.0, strength),
                strength >= 0,
                None,
                1.0,
                0,
                referent=True,
                words=len(text.split()),
                proper=1.0,
            )
            out.append(ShortCandidate(text, normal_key(text), "NAME", 0, feats, referent=k))
    return out


def candidates(
    info: QuestionInfo, docs: Sequence[Doc], around: Around | None = None
) -> list[ShortCandidate]:
    """Every candidate of the sentences ``docs`` (the best-scored sentence first), unscored;
    ``around``: the sentences before and after the best one in its article, where what a
    description of the focus in it stands for is looked up — one in the gap weighs as a phrase
    in the gap does, one elsewhere is taken when the sentence offers nothing else."""
    if not docs:
        return []
    around = around or Around()
    in_gap = [
        (span, strength)
        for span, strength in aligned(info.text, docs[0])
        if len(span) and is_description(span, info.focus_lemma)
    ]
    out = _described(info, around, in_gap)
    resolved = bool(out)
    descriptions: list[ShortCandidate] = []  # of the best sentence, not resolved
    for i, doc in enumerate(docs):
        plain = [(span, label, weight, -1.0) for span, label, weight in _spans(doc, info)]
        for span, label, weight, strength in [*_aligned_spans(doc, info), *plain]:
            if not _new(span, info) or len(span) > _MAX_WORDS:
                continue
            description = i == 0 and is_description(span, info.focus_lemma)
            if description and resolved:
                continue  # resolved: the name it stands for is the candidate
            start, end = _widen(doc.text, span.start_char, span.end_char)
            text = _POSSESSIVE.sub("", doc.text[start:end].strip(" ,;:"))
            if not text:
                continue
            feats = candidate_features(
                weight,
                max(0.0, strength),
                strength >= 0 and _names_focus(span, info),
                _distance(doc, span, info),
                _granularity(info, text, label),
                i,
                description=description,
                words=len(span),
                proper=sum(t.pos_ == "PROPN" for t in span) / len(span),
            )
            found = ShortCandidate(text, normal_key(text), label, i, feats)
            (descriptions if description else out).append(found)
    if not any(c.sentence == 0 for c in out):
        named = _described(info, around, [(span, -1.0) for span in _definite_focus(docs[0], info)])
        out += named or descriptions
    else:
        out += descriptions
    return out


def _scored(
    found: Sequence[ShortCandidate], strong: Sequence[Evidence], weights: ShortWeights
) -> list[ShortCandidate]:
    """The candidates with their agreement features set (how many of the other quoted sentences,
    and of the strong ones not quoted, state the same answer) and scored, best first."""
    sentences: dict[str, set[int]] = {}
    for c in found:
        sentences.setdefault(c.key, set()).add(c.sentence)
    n_quoted = 1 + max((c.sentence for c in found), default=0)
    keys = {c.key for c in found}
    in_strong = {k: sum(k in normal_key(e.text) for e in strong) for k in keys}
    out = []
    for c in found:
        others = len(sentences[c.key] - {c.sentence})
        feats = {
            **c.features,
            "repeats": others / (n_quoted - 1) if n_quoted > 1 else 0.0,
            "strong": min(3, in_strong[c.key]) / 3,
        }
        out.append(replace(c, features=feats, score=weights.score(feats)))
    out.sort(key=lambda c: -c.score)
    return out


def considered(
    info: QuestionInfo,
    quoted: Sequence[Evidence],
    strong: Sequence[Evidence] = (),
    around: Around | None = None,
    weights: ShortWeights | None = None,
) -> list[ShortCandidate]:
    """Every short-answer candidate of the ``quoted`` sentences (best first) with its features,
    scored by ``weights`` (default: the fitted ones), best first — what ``short_answer`` picks
    from and ``evals/fit_short.py`` fits on."""
    if not quoted:
        return []
    docs = parse_many([e.text for e in quoted])
    # A focus noun the glossary could not type ("Which MSP…", "Which telecoms analyst…") is
    # typed by the entities it stands beside in these sentences ("analyst Hannes Wittig").
    typed = typed_by_passages(info, docs)
    quoted_texts = {e.text for e in quoted}
    others = [e for e in strong if e.text not in quoted_texts]
    return _scored(candidates(typed, docs, around), others, weights or load_weights())


def short_answer(
    info: QuestionInfo,
    quoted: Sequence[Evidence],
    strong: Sequence[Evidence] = (),
    around: Around | None = None,
    weights: ShortWeights | None = None,
) -> ShortAnswer | None:
    """The short answer carried by the ``quoted`` sentences (best first), with the articles among
    ``quoted`` and ``strong`` (other well-scored sentences) that state it; None when no candidate
    of the wanted type is found. ``around``: the sentences before and after the best quoted one
    in its article, for what a description in it stands for."""
    found = considered(info, quoted, strong, around, weights)
    if not found:
        return None
    best = found[0]
    files = {quoted[c.sentence].file for c in found if c.key == best.key}
    for e in strong:
        if e.file not in files and best.key in normal_key(e.text):
            files.add(e.file)
    return ShortAnswer(best.text, frozenset(files), best.referent)
