"""Questions that ask who holds a role ("Who is Nestle's chief executive?", "Who is the president
of South Korea?"), answered only by a name the sentence ties to that role.

A sentence that mentions the company and some person does not say who its chief executive is:
the name has to stand in the role's own phrase — the role as a title before it ("Culture
Minister Alun Pugh"), in apposition ("Robert Sinche, head of currency strategy at Bank of
America"; "The bid chairman, Lord Coe, …") or as its predicate ("… is the group's chief
executive"). And the role must be the one asked about: a title whose own modifiers name another
country or body ("Russian president Vladimir Putin" for the president of South Korea, "UKA chief
executive David Moorcroft" for Nestle's) is someone else's. Names are read from the dependency
parse; the role is the head noun of the question's predicate, matched by its lemma. A modifier
conflicts when none of its words is a word of the question and it is not the initials of one of
the question's names ("NUJ" for "the National Union of Journalists" does not conflict).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, TypeVar

from rag.answer.nlp import NUMERIC_LABELS, parse, parse_many
from rag.answer.short import ShortAnswer, normal_key

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

_TITLE_DEPS = frozenset({"compound", "amod", "nmod"})  # "Culture Minister Alun Pugh"
_OWN_DEPS = frozenset({"compound", "amod", "nmod", "poss", "npadvmod"})
_APPOSITION_WORDS = 8  # the longest title phrase between a name's comma and the title
_OWNER_LABELS = frozenset({"ORG", "GPE", "NORP", "LOC", "FAC"})


@dataclass(frozen=True)
class Role:
    """What a "who is the <role>" question asks: the role's head lemma ("executive"), the
    question's words (lower case) and the initials of its names ("nuj")."""

    lemma: str
    words: frozenset[str]
    initials: frozenset[str]
    # The bodies or places whose role it is ("UFJ Holdings", "South Korea"): each one's words
    # (lower case, stop words out) and initials.
    owners: tuple[tuple[frozenset[str], str], ...] = ()


def _initials(text: str) -> str:
    """ "National Union of Journalists" → "nuj", "World Anti-Doping Agency" → "wada"."""
    words = [w for w in re.split(r"[\s\-]+", text) if w and w[0].isupper()]
    return "".join(w[0] for w in words).lower()


def asked_role(question: str) -> Role | None:
    """The role a copular "who" question asks about, or None for any other question ("Who is
    Jack Straw?" asks about a person, "Who is developing…" about a doer)."""
    doc = parse(question)
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is None or root.lemma_ != "be":
        return None
    args = [t for t in root.children if t.dep_ in ("attr", "nsubj")]
    if not any(t.lower_ == "who" for t in args):
        return None
    noun = next((t for t in args if t.lower_ != "who" and t.pos_ in ("NOUN", "PROPN")), None)
    if noun is None or noun.ent_type_:
        return None  # "Who is Jack Straw?", "Who is Grassroots Media?": not a role
    words = frozenset(t.lower_.removesuffix("'s") for t in doc if not t.is_punct)
    initials = frozenset(_initials(e.text) for e in doc.ents if len(e) > 1)
    owners = tuple(
        (frozenset(t.lower_ for t in e if t.is_alpha and not t.is_stop), _initials(e.text))
        for e in doc.ents
        if e.label_ in _OWNER_LABELS
    )
    owners = tuple((w, ini) for w, ini in owners if w or len(ini) > 1)
    return Role(noun.lemma_.lower(), words, initials - {""}, owners)


def names_owner(role: Role, text: str | None) -> bool:
    """Whether ``text`` (a holder's article) names a body or place whose role the question asks
    about, by one of its words or its initials: the chief executive of UFJ Holdings is not named
    in an article about Yukos that never mentions UFJ. True when the question names none, or
    when the article's text is not at hand."""
    if not role.owners or text is None:
        return True
    said = {w.lower() for w in re.findall(r"[\w'’-]+", text)}
    return any(words & said or (len(ini) > 1 and ini in said) for words, ini in role.owners)


def _name(token: Token) -> Span | None:
    """The name ``token`` ends: the proper nouns of its compound ("Lord Harrow", though the
    recogniser reads "Harrow" as a place) and the entity it is in (not a figure); None when it
    is not a proper noun."""
    if token.pos_ != "PROPN":
        return None
    doc = token.doc
    start, end = token.i, token.i + 1
    while start > 0 and doc[start - 1].pos_ == "PROPN" and doc[start - 1].head == token:
        start -= 1
    if token.ent_type_ and token.ent_type_ not in NUMERIC_LABELS:
        ent = next(e for e in doc.ents if e.start <= token.i < e.end)
        start, end = min(start, ent.start), max(end, ent.end)
    return doc[start:end]


def _holder(title: Token) -> Token | None:
    """The token naming who holds ``title`` in its sentence, if its parse says so."""
    titled = title.dep_ in _TITLE_DEPS or title.dep_ == "appos"
    if titled and title.head.pos_ == "PROPN":  # "Minister Alun Pugh", "Alun Pugh, minister"
        return title.head
    for child in title.children:  # "The bid chairman, Lord Coe"
        if child.dep_ == "appos" and child.pos_ == "PROPN":
            return child
    if title.dep_ == "attr" and title.head.lemma_ == "be":  # "X is the chief executive"
        return next((t for t in title.head.children if t.dep_ == "nsubj"), None)
    doc = title.doc
    if title.i + 1 < len(doc) and doc[title.i + 1].pos_ == "PROPN":  # "coach Christos Tzekos"
        end = title.i + 1
        while end + 1 < len(doc) and doc[end + 1].pos_ == "PROPN":
            end += 1
        return doc[end]
    return _apposed(title)


def _apposed(title: Token) -> Token | None:
    """The name before a comma that opens the title's phrase ("Kamal Nath, Commerce and
    Industry Minister, …", which the parser reads as a list): no verb between them."""
    doc = title.doc
    for i in range(title.i - 1, max(-1, title.i - _APPOSITION_WORDS), -1):
        if doc[i].pos_ in ("VERB", "AUX"):
            return None
        if doc[i].text == ",":
            return doc[i - 1] if i > 0 and doc[i - 1].pos_ == "PROPN" else None
    return None


def _other_office(title: Token, name: Span, role: Role) -> bool:
    """Whether the title's own compound nouns name another office ("finance minister" for the
    Commerce and Industry Minister)."""
    inside = {t.i for t in name}
    for child in title.children:
        office = child.dep_ == "compound" and child.pos_ in ("NOUN", "PROPN")
        if office and child.i not in inside and not child.ent_type_:
            said = {child.lower_, child.lemma_.lower()}
            if not said & role.words and child.lower_ not in role.initials:
                return True
    return False


def _other_body(title: Token, name: Span, role: Role) -> bool:
    """Whether the title's own modifiers name a body or country the question does not: "UKA
    chief executive", "Russia's president", "president of Russia" — not where its holder works
    ("head of currency strategy at Bank of America in New York")."""
    doc = title.doc
    inside = {t.i for t in name}
    near = [c for c in title.children if c.dep_ in _OWN_DEPS or c.lower_ == "of"]
    if title.i < name.start:  # a title before the name: what stands before the title is its
        near += [c for c in name.root.children if c.i < title.i]  # ("Zenith chief executive")
    mods = {t.i for c in near for t in c.subtree if t.i not in inside}
    for ent in doc.ents:
        if ent.label_ in NUMERIC_LABELS or not any(t.i in mods for t in ent):
            continue
        words = {t.lower_.removesuffix("'s") for t in ent if not (t.is_punct or t.is_stop)}
        if words & role.words or ent.text.lower() in role.initials:
            continue
        if words:
            return True
    return False


def _ties(role: Role, doc: Doc) -> list[tuple[str, bool, bool]]:
    """Each name ``doc`` ties to a title of ``role``'s lemma, in order, and whether that title is
    another office (``_other_office``) or another body's or country's (``_other_body``)."""
    out: list[tuple[str, bool, bool]] = []
    for t in doc:
        if t.lemma_.lower() != role.lemma and t.lower_ != role.lemma:
            continue
        holder = _holder(t)
        name = _name(holder) if holder is not None else None
        if name is not None and name.start <= t.i < name.end:  # "Culture Minister Ada Brenn"
            name = name.doc[t.i + 1 : name.end]
        if name is None:
            continue
        text = name.text.removesuffix("'s").removesuffix("’s").strip()
        if text and text.lower() not in role.words:
            out.append((text, _other_office(t, name, role), _other_body(t, name, role)))
    return out


def holders(role: Role, doc: Doc) -> list[str]:
    """The names ``doc`` ties to ``role``, in order."""
    return list(dict.fromkeys(n for n, office, body in _ties(role, doc) if not (office or body)))


def _surname(name: str) -> str:
    return name.split()[-1].lower() if name.split() else ""


def holders_of(role: Role, texts: Sequence[str]) -> list[list[str]]:
    """``holders`` of each of ``texts``, less the names any of them gives another body's or
    country's title of that role: "Defense Minister Sergei Shoigu" does not answer who North
    Korea's defence minister is when another sentence calls him "Russian Defense Minister". (A
    name given another office's title elsewhere still may: "economy minister" is how some
    reports name the Economic and Fiscal Policy Minister.)"""
    ties = [_ties(role, doc) for doc in parse_many(list(texts))]
    others = {_surname(n) for found in ties for n, _, body in found if body}
    return [
        list(
            dict.fromkeys(
                n for n, office, body in found if not (office or body) and _surname(n) not in others
            )
        )
        for found in ties
    ]


class _Sentence(Protocol):
    @property
    def text(self) -> str: ...

    @property
    def file(self) -> str: ...

    @property
    def score(self) -> float: ...


S = TypeVar("S", bound=_Sentence)


def holding(role: Role, sentences: Sequence[S], limit: int) -> list[tuple[S, str]]:
    """Those of the first ``limit`` ``sentences`` (best first) that tie a name to ``role``, each
    with the first such name: the only sentences that answer the question."""
    top = list(sentences[:limit])
    found = holders_of(role, [s.text for s in top])
    return [(s, names[0]) for s, names in zip(top, found, strict=True) if names]


def answer(held: Sequence[tuple[S, str]], strong: float) -> ShortAnswer | None:
    """The short answer: the name the best sentence ties to the role, with the articles whose
    sentences scoring at least ``strong`` times the best name it too."""
    if not held:
        return None
    best, name = held[0]
    key = normal_key(name)
    files = {s.file for s, n in held if normal_key(n) == key and s.score >= best.score * strong}
    return ShortAnswer(name, frozenset(files))
