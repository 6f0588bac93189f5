"""Does a sentence hold the kind of value the question wants?

The kind comes from the question's parse (``rag.answer.analysis``): a date, a number, a name, or
a named entity of given labels (a person, a place, an organisation, "which <focus>"). Dates and
numbers are found by the date and figure patterns every sentence is cheaply scanned with (a
"which month" question needs a month in it, a "which year" one a year, a "how many shells" one a
number counting shells); a name or an entity by spaCy's entities, which cost a parse — so the
extractive generator judges every sentence first by its capitalised names (``new_name``) and
parses only its best ones (``entity_typed``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rag.answer.align import aligned
from rag.answer.analysis import QuestionInfo
from rag.answer.nlp import NUMERIC_LABELS
from rag.text.dates import DATE_RE, MONTHS, find_dates
from rag.text.figures import NUMBER_RE
from rag.text.names import names
from rag.text.terms import content_terms

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

VALUE_KINDS = frozenset({"date", "number"})
ENTITY = "entity"  # the kind of a question a named entity answers
NAME = "name"  # "What is the name of X": a proper name by X
REASON = "reason"  # "Why…": a sentence that gives a cause or a purpose
# How news gives a cause or a purpose: "because of", "due to", "citing a risk of fire", "to
# address labour shortages" after a verb of doing, "so severe that…".
REASON_RE = re.compile(
    r"\b(?:because|due to|owing to|thanks to|as a result|result(?:ed|s)? (?:of|from)|caused by|"
    r"blam(?:e|es|ed|ing)|in order to|so as to|so that|citing|cited|amid (?:concerns|fears)|"
    r"over (?:concerns|fears)|(?:risk|fear|threat)s? of|reasons?|so \w+ that|"
    r"(?:aim|bid|effort|attempt|move)s? to)\b",
    re.IGNORECASE,
)
_NEAR_FOCUS = 3
_DAY_WORDS = frozenset(
    {"date", "dates", "day", "days"}
)  # tokens between a name and the focus noun it names


# A span of time: a number (in figures or words, or "a", "several") of a time unit, "a six-month
# ban" and "two-year" too ("a second" is an ordinal). What "how long" asks for: "22 February" or
# "early next week" is a day, and "one day after the campaign" or "two years ago" says when.
_SPAN_OF_TIME = (
    r"\b(?!an?\s+second\b)(?:\d[\d,.]*|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|"
    r"twelve|fifteen|twenty|thirty|forty|fifty|hundred|several|few|couple of)"
    r"(?:[\s-]+(?:and a half|more))?[\s-]+"
    r"(?:second|minute|hour|day|week|fortnight|month|year|decade|century|centuries)s?\b"
)
_OFFSET = r"(?!\s+(?:after|before|later|earlier|ago)\b)"
DURATION_RE = re.compile(_SPAN_OF_TIME + _OFFSET, re.IGNORECASE)
# A question for the time between two events ("How long after the vote…") is answered by one.
_OFFSET_ASKED = re.compile(r"\bhow long (?:after|before|ago)\b", re.IGNORECASE)
_OFFSET_RE = re.compile(_SPAN_OF_TIME, re.IGNORECASE)


# A time as a race or a task is timed: "6.46secs", "44.93 seconds", "2hr 5min", "3:45.20". What
# "what time" asks for beside a time of day (sports news times its races).
TIMED_RE = re.compile(
    r"\b\d+(?:[.:]\d+)*\s*(?:secs?|seconds?|mins?|minutes?|hrs?|hours?)\b|\b\d{1,2}:\d{2}(?:[.:]\d+)?\b",
    re.IGNORECASE,
)


# An age, as news states one: "the 17-year-old", "aged 39", "39 years old", "at the age of 17",
# or set off after a name ("Kim, 39, …", "Adele (34)"). What "how old" asks for: "the 400m" and
# "the third fastest" are figures, not ages.
AGE_RE = re.compile(
    r"\b(?P<a>\d{1,3})[\s-]+years?[\s-]+old\b"
    r"|\b(?:aged|age of|ages?)\s+(?P<b>\d{1,3})\b"
    r"|\b[A-Z][\w'’.-]*,\s+(?P<c>\d{1,3}),"
    r"|\b[A-Z][\w'’.-]*\s+\((?P<d>\d{1,3})\)",
)


def ages(sentence: str) -> list[tuple[int, int]]:
    """The character spans of the ages ``sentence`` states (the number alone: "17" of "the
    17-year-old")."""
    out: list[tuple[int, int]] = []
    for m in AGE_RE.finditer(sentence):
        group = next(g for g in "abcd" if m.group(g) is not None)
        if 0 < int(m.group(group)) < 130:
            out.append(m.span(group))
    return out


def durations(sentence: str, info: QuestionInfo) -> list[tuple[int, int]]:
    """The character spans of the spans of time ``sentence`` states, as a "how long" question
    asks for them (a time between two events only when it asks for one)."""
    found = _OFFSET_RE if _OFFSET_ASKED.search(info.text) else DURATION_RE
    return [m.span() for m in found.finditer(sentence)]


def question_kind(info: QuestionInfo) -> str:
    """date | number | reason (found by pattern), entity | name (found by the parse), or
    other."""
    if info.wanted in VALUE_KINDS:
        return info.wanted
    if info.wh == "why":
        return REASON
    if info.name and info.focus_lemma is not None:
        return NAME  # "the name of the cosmodrome": a name beside "cosmodrome", whatever its label
    return ENTITY if info.labels else "other"


def entity_labels(info: QuestionInfo) -> frozenset[str]:
    """The labels of the entities that answer an entity question (its wanted and its other
    labels: a "who" may be answered by an organisation)."""
    return (frozenset(info.labels) | frozenset(info.also)) - NUMERIC_LABELS


def value_typed(sentence: str, kind: str, info: QuestionInfo) -> bool:
    """A date, number or reason question: does ``sentence`` state one (of the asked
    granularity, or counting the focus noun; for a reason, a cause or a purpose)?"""
    if kind == REASON:
        return bool(REASON_RE.search(sentence))
    if kind == "date":
        if info.wh == "how long":  # a duration ("three years", "a six-month ban"), not a day
            return bool(durations(sentence, info))
        if info.focus_lemma == "time" and TIMED_RE.search(sentence):
            return True  # "In what time did Scott win?": "6.46secs"
        found = [m.group(0) for m in DATE_RE.finditer(sentence)]
        if "month" in info.asked:
            found = [f for f in found if re.search(MONTHS, f, re.I)]
        if "year" in info.asked:
            found = [f for f in found if re.search(r"(19|20)\d\d", f)]
        if found and info.asked & _DAY_WORDS:  # "On what date…": a day, not just a month
            return any(m.day is not None or m.weekday is not None for m in find_dates(sentence))
        return bool(found)
    if kind == "number":
        if info.wh == "how old":  # an age ("aged 39", "the 17-year-old"), not any figure
            return bool(ages(sentence))
        numbers = [
            m for m in NUMBER_RE.finditer(sentence) if not DATE_RE.fullmatch(m.group(0).strip())
        ]
        focus = _counted(info)
        if not focus:
            return bool(numbers)
        stems = {f[:5] for f in focus}
        for m in numbers:
            after = re.findall(r"[\w'’-]+", sentence[m.end() :])[:4]
            if any(w.lower()[:5] in stems for w in after):
                return True
        return False
    return True


def _counted(info: QuestionInfo) -> tuple[str, ...]:
    """The words of what a "how many" question counts, modifiers too ("mobile phones")."""
    if info.wh != "how many" or not info.focus:
        return ()
    low = info.text.lower()
    start = low.find("how many")
    end = low.find(info.focus.split()[-1], start)
    if start < 0 or end < 0:
        return content_terms(info.focus)
    return content_terms(info.text[start + len("how many") : end + len(info.focus.split()[-1])])


def new_name(sentence: str, question: str) -> bool:
    """A capitalised name in ``sentence`` with a word the question does not have: the cheap
    first judgement of an entity or name question."""
    asked = {w.lower() for w in re.findall(r"[\w'’-]+", question)}
    return any(not {w.lower() for w in n.split()} <= asked for n in names(sentence))


def _names(doc: Doc, ent: Span, spots: list[int]) -> bool:
    """Whether ``ent`` stands by one of the focus noun's places (``spots``) with nothing but
    modifiers and punctuation between: "the Vostochny cosmodrome", "the train, Taeyangho", not
    "the train in Pyongyang" (a preposition or verb between says it is not the train's name)."""
    for i in spots:
        if ent.start - _NEAR_FOCUS <= i < ent.start:
            between = doc[i + 1 : ent.start]
        elif ent.end <= i < ent.end + _NEAR_FOCUS:
            between = doc[ent.end : i]
        else:
            continue
        if not any(t.pos_ in ("ADP", "VERB", "AUX", "SCONJ", "CCONJ") for t in between):
            return True
    return False


def name_spans(doc: Doc) -> list[Span]:
    """The names of a parsed sentence: its non-numeric entities, and the runs of proper nouns
    the recogniser left out ("The service, IT Safe, will issue warnings")."""
    ents = [e for e in doc.ents if e.label_ not in NUMERIC_LABELS]
    covered = {i for e in doc.ents for i in range(e.start, e.end)}
    runs: list[Span] = []
    start: int | None = None
    for t in [*doc, None]:
        inside = t is not None and t.pos_ == "PROPN" and t.i not in covered
        if inside and start is None:
            start = t.i
        elif not inside and start is not None:
            runs.append(doc[start : t.i if t is not None else len(doc)])
            start = None
    return sorted([*ents, *runs], key=lambda span: span.start)


def counts_focus(ent: Span, info: QuestionInfo) -> bool:
    """A figure of the very unit asked for: "12 years" (a DATE to spaCy) for "How many years…",
    "the 187 minutes" (a TIME) for "How many minutes…"."""
    return (
        info.wh in ("how many", "how much", "how long")
        and info.focus_lemma is not None
        and ent.label_ in NUMERIC_LABELS
        and any(t.like_num for t in ent)
        and any(t.lemma_.lower() == info.focus_lemma for t in ent)
    )


def vague(ent: Span) -> bool:
    """An amount that states no number: "millions of people", "thousands of fans", "dozens" (a
    plural number noun alone; "a dozen", "two million" are numbers)."""
    return all(not t.like_num and t.tag_ == "NNS" for t in ent)


def figure_typed(doc: Doc, info: QuestionInfo) -> bool:
    """A number question's sentence, parsed: does it state a figure of the labels the question
    wants ("How much…" a sum, a share or a quantity, not "its 11th year"; "millions" is no
    figure), or one in the unit asked for?"""
    labels = frozenset(info.labels) | frozenset(info.also)
    return any(
        (e.label_ in labels and not {t.lower_ for t in e} <= info.asked and not vague(e))
        or counts_focus(e, info)
        for e in doc.ents
    )


def entity_typed(doc: Doc, kind: str, info: QuestionInfo) -> bool:
    """An entity question: does the parsed sentence name an entity of the wanted labels that the
    question does not name, or put a name in the question's gap? A name question: is there a
    name beside the focus noun ("the Vostochny cosmodrome"), or anywhere when it has none?"""

    def new(words: set[str]) -> bool:
        return not words <= info.asked

    if kind == NAME:
        ents = name_spans(doc)
        if info.focus_lemma is None:
            return any(new({t.lower_ for t in e}) for e in ents)
        spots = [t.i for t in doc if t.lemma_.lower() == info.focus_lemma]
        return any(new({t.lower_ for t in e}) and _names(doc, e, spots) for e in ents)
    labels = entity_labels(info)
    if any(e.label_ in labels and new({t.lower_ for t in e}) for e in doc.ents):
        return True
    return any(span.root.pos_ == "PROPN" for span, _ in aligned(info.text, doc))
