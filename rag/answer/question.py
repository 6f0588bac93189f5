"""What a question asks for, and how to read a follow-up question against the conversation.

Offline and deterministic: the question's type ("when" wants a date, "how many" a number, "who" a
person, "where" a place) and detectors that say whether a sentence holds such a value.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rag.text.dates import DATE_RE, MONTHS
from rag.text.figures import NUMBER_RE
from rag.text.names import TITLES, names
from rag.text.terms import STOPWORDS, content_terms

PLACE_HINTS = re.compile(
    r"\b(?:in|at|on|to|from|near|visit(?:ed|s)?|toward|towards|into)\s+(?:the\s+)?"
    r"([A-Z][a-zA-Z\-]+(?:[\s-][A-Z][a-zA-Z\-]+)*)"
)
# Words that describe a person in a question without naming them ("the Russian president").
_DESCRIPTORS = TITLES | {"russian", "american", "chinese", "korean", "north", "south"}
SPEECH_RE = re.compile(r"\b(?:said|says|told|stated|confirmed|announced|added|declared)\b", re.I)


@dataclass(frozen=True)
class QuestionInfo:
    text: str
    wanted: str  # date | number | person | place | other
    terms: tuple[str, ...]  # content words, lower-case


_NAME_Q = re.compile(
    r"\b(?:what|which) (?:is|was|are|were) (?:the )?names? of (?:the |a |an )?(?P<focus>[\w\s'-]+?)"
    r"(?: (?:where|that|which|who|in|on|at|used|did|does|do|is|was)\b|\?|$)",
    re.I,
)


def name_focus(question: str) -> str | None:
    """For "what is the name of the X ..." questions, the X."""
    m = _NAME_Q.search(question)
    return m.group("focus").strip() if m else None


def wanted_kind(question: str) -> str:
    q = question.lower().strip()
    if name_focus(question):
        return "name"
    if re.search(
        r"\b(when|what (date|day|month|year|time)|which (date|day|month|year)|how long ago)\b", q
    ):
        return "date"
    if re.search(r"\b(how (many|much)|what (number|percentage|share|amount)|how old)\b", q):
        return "number"
    if re.search(
        r"\b(where|what (city|country|place|region|site)|which (city|country|place|region))\b", q
    ):
        return "place"
    if re.search(r"\b(who|whom|whose|which (official|leader|minister|spokesman|person))\b", q):
        return "person"
    return "other"


def analyse(question: str) -> QuestionInfo:
    return QuestionInfo(question, wanted_kind(question), content_terms(question))


def has_kind(sentence: str, kind: str, question: str = "") -> bool:
    """Does ``sentence`` hold a value of the kind the question wants?"""
    if kind == "date":
        found = [m.group(0) for m in DATE_RE.finditer(sentence)]
        q = question.lower()
        if re.search(r"\bmonth\b", q):
            found = [f for f in found if re.search(MONTHS, f, re.I)]
        if re.search(r"\byear\b", q):
            found = [f for f in found if re.search(r"(19|20)\d\d", f)]
        return bool(found)
    if kind == "number":
        numbers = [
            m for m in NUMBER_RE.finditer(sentence) if not DATE_RE.fullmatch(m.group(0).strip())
        ]
        focus = _count_focus(question)
        if not focus:
            return bool(numbers)
        stems = {f[:5] for f in focus}
        for m in numbers:
            after = re.findall(r"[\w'’-]+", sentence[m.end() :])[:4]
            if any(w.lower()[:5] in stems for w in after):
                return True
        return False
    if kind == "name":
        return _names_near_focus(sentence, question)
    if kind == "place":
        asked = {n.lower() for n in names(question)}
        return any(m.group(1).lower() not in asked for m in PLACE_HINTS.finditer(sentence))
    if kind == "person":
        # A new name, not just a title ("President Putin" does not answer "who invited Putin?").
        asked = set(content_terms(question)) | _DESCRIPTORS
        return any(not set(content_terms(n)) <= asked for n in names(sentence))
    return True


def _count_focus(question: str) -> list[str]:
    """For "how many X ..." questions, the content words of X (what is being counted)."""
    m = re.search(
        r"\bhow many ([\w\s'’-]+?)(?: (?:did|does|do|has|have|had|will|would|were|was|"
        r"are|is|may|might|could|can)\b|\?|$)",
        question,
        re.I,
    )
    return list(content_terms(m.group(1))) if m else []


def _names_near_focus(sentence: str, question: str, window: int = 2) -> bool:
    """A name question is answered only by a proper name standing right by the thing asked
    about ("the Vostochny cosmodrome"), not by any capitalised word in the sentence."""
    asked = {w.lower() for n in names(question) for w in re.split(r"[\s-]+", n)}
    focus = set(content_terms(name_focus(question) or "")) - asked
    words = re.findall(r"[\w'’]+", sentence)
    hits = [i for i, w in enumerate(words) if w.lower() in focus]
    for i in hits:
        for j in range(max(0, i - window), min(len(words), i + window + 1)):
            w = words[j]
            after_preposition = j > 0 and words[j - 1].lower() in {"in", "at", "to", "from", "of"}
            if (
                j
                and w[:1].isupper()
                and w.lower() not in asked
                and w.lower() not in STOPWORDS
                and w.lower().rstrip("'’s") not in focus
                and not w.endswith(("'s", "’s"))
                and not after_preposition
            ):
                return True
    return False


def values(sentence: str, kind: str) -> list[str]:
    """The values of the wanted kind a sentence states (for spotting disagreements)."""
    if kind == "date":
        return [m.group(0) for m in DATE_RE.finditer(sentence)]
    if kind == "number":
        return [m.group(0).strip() for m in NUMBER_RE.finditer(sentence)]
    return []


# ---- follow-ups ------------------------------------------------------------------------------
_PERSON_PRONOUNS = re.compile(r"\b(he|she|him|his|her|hers|they|them|their)\b", re.I)
_PLACE_PRONOUN = re.compile(r"\b(there)\b", re.I)
_THING_PRONOUNS = re.compile(r"\b(it|this|that)\b", re.I)
_FOLLOW_UP_START = re.compile(r"^\s*(and|but|also|so|what about|how about|then)\b[\s,]*", re.I)


def is_follow_up(question: str) -> bool:
    return bool(
        _FOLLOW_UP_START.search(question)
        or _PERSON_PRONOUNS.search(question)
        or _PLACE_PRONOUN.search(question)
        or (len(content_terms(question)) <= 2 and _THING_PRONOUNS.search(question))
    )


def _split_entities(text: str) -> tuple[list[str], list[str]]:
    places = [m.group(1) for m in PLACE_HINTS.finditer(text)]
    people = [n for n in names(text) if n not in places and not any(n in p for p in places)]
    return people, places


def rewrite_follow_up(question: str, history: Sequence[str]) -> str:
    """Make a follow-up standalone: pronouns take the entities of the previous question(s).

    "When did Kim visit Russia?" then "and when did he go there before?" becomes
    "when did Kim go to Russia before?". Questions that stand alone are returned as they are.
    """
    if not history or not is_follow_up(question):
        return question
    people: list[str] = []
    places: list[str] = []
    for prev in reversed(history):
        pe, pl = _split_entities(prev)
        people = people or pe
        places = places or pl
        if people and places:
            break
    q = _FOLLOW_UP_START.sub("", question).strip()
    if people:
        subject = people[0]
        q = re.sub(r"\b(he|she|they)\b", subject, q, count=1, flags=re.I)
        q = re.sub(r"\b(him|them)\b", subject, q, count=1, flags=re.I)
        q = re.sub(r"\b(his|her|their)\b", f"{subject}'s", q, count=1, flags=re.I)
    if places:
        q = re.sub(
            r"\b(go|went|gone|travel(?:l?ed)?|come|came|fly|flew)\s+there\b",
            lambda m: f"{m.group(1)} to {places[0]}",
            q,
            flags=re.I,
        )
        q = re.sub(r"\bthere\b", places[0], q, flags=re.I)
    mentioned = {w.lower() for w in re.findall(r"\w+", q)}
    missing = [e for e in [*people[:1], *places[:1]] if e.lower() not in mentioned]
    if missing:  # a follow-up with no pronoun to resolve ("and the date?") keeps the subject
        q = f"{q.rstrip('?')} ({', '.join(missing)})?"
    return q[0].upper() + q[1:] if q else question
