"""The question as the extractive generator scores sentences against it, the values a sentence
states (for spotting disagreements), and how to read a follow-up question against the
conversation. (What a question asks for is read from its parse: ``rag.answer.analysis``.)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rag.text.dates import DATE_RE
from rag.text.figures import NUMBER_RE
from rag.text.names import names
from rag.text.terms import content_terms

PLACE_HINTS = re.compile(
    r"\b(?:in|at|on|to|from|near|visit(?:ed|s)?|toward|towards|into)\s+(?:the\s+)?"
    r"([A-Z][a-zA-Z\-]+(?:[\s-][A-Z][a-zA-Z\-]+)*)"
)


@dataclass(frozen=True)
class QuestionInfo:
    text: str
    wanted: str  # date | number | entity | name | other (``rag.answer.kinds``)
    terms: tuple[str, ...]  # content words, lower-case


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
