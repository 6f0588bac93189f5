"""Two-part questions and follow-ups: a question that asks two things split into its parts, and
a follow-up read against the conversation, both from the spaCy parse (``rag.answer.nlp``).
What a question asks for is ``rag.answer.analysis``.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from index.embed import Embedder
from rag.answer.analysis import _WH_TAGS, QuestionInfo, analyse
from rag.answer.nlp import parse
from rag.text.terms import content_terms

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

__all__ = [
    "QuestionInfo",
    "analyse",
    "is_follow_up",
    "question_kind",
    "rewrite_follow_up",
    "split_parts",
]


def question_kind(question: str, embedder: Embedder | None = None) -> str:
    """The coarse kind of a whole question: its parts' kind when they agree, else ``other``."""
    kinds = {analyse(p, embedder).wanted for p in split_parts(question)}
    return kinds.pop() if len(kinds) == 1 else "other"


# ---- two-part questions ------------------------------------------------------------------------
def _split_points(doc: Doc) -> list[int]:
    """Token indices where a second question starts: a coordinating "and" followed, within three
    words, by a wh-word, when a wh-word comes before it too."""
    points: list[int] = []
    seen_wh = False
    for t in doc:
        if t.tag_ in _WH_TAGS:
            seen_wh = True
        if seen_wh and t.lower_ == "and" and t.pos_ == "CCONJ":
            after = doc[t.i + 1 : t.i + 4]
            if any(x.tag_ in _WH_TAGS for x in after):
                points.append(t.i)
                seen_wh = False
    return points


def _context_names(span: Span) -> str:
    return " ".join(e.text for e in span.ents if e.label_ not in ("DATE", "CARDINAL", "ORDINAL"))


def split_parts(question: str) -> list[str]:
    """A question that asks two things ("Who …, and when …?") as its parts; later parts keep the
    names of the first, so "and when will he go" stays about the same people."""
    doc = parse(question)
    points = _split_points(doc)
    if not points:
        return [question]
    bounds = [0, *points, len(doc)]
    spans = [doc[a:b] for a, b in itertools.pairwise(bounds)]
    texts = [re.sub(r"^(?:and)\s+", "", s.text, flags=re.I).strip(" ,?") for s in spans]
    texts = [t for t in texts if t]
    if len(texts) < 2:
        return [question]
    context = _context_names(spans[0])
    out = [texts[0] + "?"]
    for t in texts[1:]:
        missing = context and not all(w.lower() in t.lower() for w in context.split())
        out.append(f"{t} ({context})?" if missing else t + "?")
    return out


# ---- follow-ups --------------------------------------------------------------------------------
_PEOPLE = ("PERSON", "ORG", "NORP")
_PLACES = ("GPE", "LOC", "FAC")


def _third_person(t: Token) -> bool:
    personal = "Prs" in t.morph.get("PronType", [])
    return t.pos_ == "PRON" and personal and "3" in t.morph.get("Person", [])


def _is_there(t: Token) -> bool:
    return t.lower_ == "there" and t.tag_ != "EX"


def is_follow_up(question: str) -> bool:
    doc = parse(question)
    if not len(doc):
        return False
    if doc[0].pos_ == "CCONJ" or doc[0].lower_ in ("also", "then"):
        return True
    people = any(_third_person(t) and t.lower_ not in ("it", "its") for t in doc)
    things = any(t.lower_ in ("it", "this", "that") for t in doc) and len(doc.ents) == 0
    return (
        people or any(_is_there(t) for t in doc) or (things and len(content_terms(question)) <= 2)
    )


def _entities(question: str) -> tuple[list[str], list[str]]:
    doc = parse(question)
    people = [e.text for e in doc.ents if e.label_ in _PEOPLE]
    places = [e.text for e in doc.ents if e.label_ in _PLACES]
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
        pe, pl = _entities(prev)
        people = people or pe
        places = places or pl
        if people and places:
            break
    doc = parse(question)
    words: list[str] = []
    person_done = place_done = False
    for t in doc:
        if t.i == 0 and t.pos_ == "CCONJ":
            continue
        text = t.text
        if people and not person_done and _third_person(t) and t.lower_ not in ("it", "its"):
            possessive = "Poss" in t.morph.get("Poss", []) or t.tag_ == "PRP$"
            text = f"{people[0]}'s" if possessive else people[0]
            person_done = True
        elif places and not place_done and _is_there(t):
            verb = t.head
            text = f"to {places[0]}" if verb.pos_ == "VERB" and t.dep_ == "advmod" else places[0]
            place_done = True
        words.append(text + t.whitespace_)
    q = "".join(words).strip()
    mentioned = q.lower()
    missing = [e for e in [*people[:1], *places[:1]] if e.lower() not in mentioned]
    if missing:  # a follow-up with no pronoun to resolve ("and the date?") keeps the subject
        q = f"{q.rstrip('?')} ({', '.join(missing)})?"
    return q[0].upper() + q[1:] if q else question
