"""The parts of a two-part question, read from its spaCy parse.

"Who is India's finance minister, and who is its trade minister?" asks two things. The question
is split at each "and" that opens a clause with a wh-word of its own (only prepositions,
determiners and punctuation may stand between: "and on what dates…", "and by how much…"); an "and"
inside one wh-phrase ("in which month and year…") or between two nouns ("Who are X and Y?") does
not split. Each later part is made to stand alone: a pronoun takes the name of the entity of the
first part that it can stand for ("its" → "India's", "he" → "Kim Jong-un"), and an elliptical part
("…, and when?") takes the rest of the first part ("when (did Kim Jong-un visit Russia)?").
"""

from __future__ import annotations

from itertools import pairwise
from typing import TYPE_CHECKING

from rag.answer.nlp import parse

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

_WH_TAGS = frozenset({"WDT", "WP", "WP$", "WRB"})
_BETWEEN = frozenset({"ADP", "DET", "PUNCT", "CCONJ", "ADV"})  # "and then in which…"
_PERSON_PRONOUNS = frozenset({"he", "him", "his", "she", "her", "hers"})
_THING_PRONOUNS = frozenset({"it", "its"})
_PLURAL_PRONOUNS = frozenset({"they", "them", "their", "theirs"})
_POSSESSIVE = frozenset({"his", "her", "its", "their"})
# Entity labels that name something a pronoun can stand for (not a date or a figure).
_REFERENT_LABELS = frozenset(
    {"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW"}
)


def _split_points(doc: Doc) -> list[Token]:
    """The "and"s that open a second wh-clause."""
    points: list[Token] = []
    for t in doc:
        if t.lower_ != "and" or t.i == 0:
            continue
        before = doc[: t.i]
        if not any(x.tag_ in _WH_TAGS for x in before):
            continue  # the first part must ask something itself
        if sum(1 for x in before if not x.is_punct) < 3:
            continue  # "Who and when…": one question about two things, not two questions
        j = t.i + 1
        while j < len(doc) and doc[j].pos_ in _BETWEEN and doc[j].tag_ not in _WH_TAGS:
            j += 1
        if j < len(doc) and doc[j].tag_ in _WH_TAGS:
            prev = doc[t.i - 1]
            # "in which month and year": the second wh-word belongs to the same phrase only
            # when "and" joins two nouns of it; a wh-word after "and" opens a clause.
            if prev.pos_ == "NOUN" and prev.head.tag_ in _WH_TAGS and doc[j].head == prev:
                continue
            points.append(t)
    return points


def _referents(span: Span) -> list[Span]:
    """The named things of a part, its subject's first."""
    ents = [e for e in span.ents if e.label_ in _REFERENT_LABELS]
    subjects = [e for e in ents if e.root.dep_ in ("nsubj", "nsubjpass", "poss", "attr")]
    return [*subjects, *(e for e in ents if e not in subjects)]


def _referent_for(pronoun: str, ents: list[Span]) -> Span | None:
    if pronoun in _PERSON_PRONOUNS:
        wanted: frozenset[str] | None = frozenset({"PERSON"})
    elif pronoun in _THING_PRONOUNS:
        wanted = _REFERENT_LABELS - {"PERSON", "NORP"}
    elif pronoun in _PLURAL_PRONOUNS:
        wanted = frozenset({"ORG", "NORP", "GPE"})
    else:
        return None
    return next((e for e in ents if wanted is None or e.label_ in wanted), None)


def _entity_text(ent: Span) -> str:
    text = ent.text
    return text[:-2] if text.endswith(("'s", "’s")) else text


def _own_antecedent(part: Span, pronoun: Token) -> bool:
    """Does the pronoun have an antecedent earlier in its own part ("Which bank withdrew its
    offer", "will Putin make his visit")?"""
    # The noun a wh-word asks about is not an antecedent when a preposition governs it ("In
    # which town did it open…"); it is as the subject ("Which bank raised its rates…").
    skip: set[int] = set()
    for w in part:
        if w.tag_ in _WH_TAGS and w.i > part.start and part.doc[w.i - 1].pos_ == "ADP":
            j = w.i + 1
            while j < pronoun.i and part.doc[j].pos_ in ("NOUN", "ADJ", "PROPN"):
                skip.add(j)
                j += 1
    before = [t for t in part.doc[part.start : pronoun.i] if t.i not in skip]
    if pronoun.lower_ in _PERSON_PRONOUNS:
        return any(t.ent_type_ == "PERSON" or t.pos_ == "PROPN" for t in before)
    return any(t.pos_ in ("NOUN", "PROPN") for t in before)


def _resolve(part: Span, first: Span) -> tuple[str, bool]:
    """The part's text with each pronoun that refers back to ``first`` replaced by the entity it
    stands for; and whether a pronoun was left that refers back but names no entity there."""
    ents = _referents(first)
    out: list[str] = []
    unresolved = False
    for t in part:
        word = t.text
        if t.pos_ == "PRON" and t.tag_ in ("PRP", "PRP$") and not _own_antecedent(part, t):
            ref = _referent_for(t.lower_, ents)
            if ref is not None:
                name = _entity_text(ref)
                word = f"{name}'s" if t.lower_ in _POSSESSIVE and t.tag_ == "PRP$" else name
            elif t.lower_ in _PERSON_PRONOUNS | _THING_PRONOUNS | _PLURAL_PRONOUNS:
                unresolved = True
        out.append(word + t.whitespace_)
    return "".join(out).strip(), unresolved


def _rest(first: Span) -> str:
    """The first part without its wh-phrase (the wh-word, the noun it asks about, a preposition
    before them): what an elliptical second part is about."""
    wh = next((t for t in first if t.tag_ in _WH_TAGS), None)
    if wh is None:
        return first.text
    end = wh.i + 1
    if wh.dep_ == "det" or wh.lower_ == "how":
        nouns = [t.i for t in first if wh.i < t.i <= wh.i + 4 and t.pos_ in ("NOUN", "ADJ")]
        end = max([end, *(i + 1 for i in nouns[:1])])
    doc = first.doc
    return doc[end : first.end].text.strip(" ,;?")


def _definite_mentions(part: Span, first: Span) -> list[str]:
    """What the part's definite nouns refer back to in the first part: "the visit" of "…, and what
    dates were announced for the visit?" is the first part's "Putin's visit to North Korea"."""
    out: list[str] = []
    for t in part:
        if t.pos_ != "NOUN" or not any(c.lower_ in ("the", "that", "this") for c in t.children):
            continue
        for u in first:
            if u.pos_ == "NOUN" and u.lemma_ == t.lemma_:
                phrase = first.doc[u.left_edge.i : u.right_edge.i + 1].text.strip(" ,;?")
                if phrase.lower() != u.text.lower():
                    out.append(phrase)
                break
    return out


def _content_words(span: Span) -> int:
    return sum(1 for t in span if not (t.is_punct or t.is_stop or t.tag_ in _WH_TAGS))


def split_question(question: str) -> list[str]:
    """The parts of ``question``, each standing alone and ending in "?"; a question that asks one
    thing comes back as it is (one part)."""
    doc = parse(question)
    points = _split_points(doc)
    if not points:
        return [question]
    bounds = [0, *(p.i for p in points), len(doc)]
    spans = [doc[a + (1 if k else 0) : b] for k, (a, b) in enumerate(pairwise(bounds))]
    first = spans[0]
    parts = [first.text.strip(" ,;?") + "?"]
    for span in spans[1:]:
        text, unresolved = _resolve(span, first)
        text = text.strip(" ,;?")
        if unresolved or _content_words(span) == 0:  # "…, and when?", "…, and what did it cost?"
            text = f"{text} ({_rest(first)})"
        else:
            mentions = _definite_mentions(span, first)
            if mentions:
                text = f"{text} ({'; '.join(mentions)})"
        parts.append(text[:1].upper() + text[1:] + "?")
    return parts
