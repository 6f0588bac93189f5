"""What a question asks for, read from its spaCy parse; and how to read a follow-up question
against the conversation.

The wh-word and the focus noun give the wanted answer type as entity labels: "who" wants a
PERSON, "when" a DATE, "where" a GPE/LOC/FAC, "how many shells" a CARDINAL/QUANTITY next to
"shells". After "which"/"what" the focus noun ("Which news agency…", "In which city…") is typed by
comparing it with spaCy's own glossary of its entity labels (``spacy.explain``) in the embedder's
space — or, where news says plainly what the noun names ("attorney Gloria Allred"), by that
(``rag/answer/nountypes.py``); a focus that resembles no label ("What crab…") asks for a noun
phrase. "The name of X" asks for a proper name. A "how much" or "what <figure noun>" question
wants the figures its word takes in news ("How much will it cost?" a sum of money, "By how much
did it fall?" a share or a sum: ``rag/answer/figuretypes.py``), not any figure. A two-part
question ("Who …, and when …?") is split at the conjunction that introduces a second wh-phrase,
and dates in the question are kept as its time scope.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

from index.embed import Embedder
from rag.answer.figuretypes import FigureTypes
from rag.answer.figuretypes import load_table as figure_table
from rag.answer.nlp import NUMERIC_LABELS, entity_labels, parse
from rag.answer.nountypes import NAME_KINDS, NounTypes, noun_kind
from rag.text.dates import find_dates
from rag.text.terms import content_terms, stem_all, stems

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

# What each wh-word asks for (primary labels, labels that may also answer): the definition of
# the wh-words, as in every TREC-style answer typer.
WH_LABELS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "who": (("PERSON",), ("ORG", "NORP", "GPE")),
    "whom": (("PERSON",), ("ORG", "NORP", "GPE")),
    "whose": (("PERSON",), ("ORG", "NORP", "GPE")),
    "when": (("DATE", "TIME"), ()),
    "where": (("GPE", "LOC", "FAC"), ("ORG",)),
    "how many": (("CARDINAL", "QUANTITY"), ("MONEY", "PERCENT")),
    "how much": (("MONEY", "QUANTITY", "PERCENT"), ("CARDINAL",)),
    "how old": (("CARDINAL", "DATE"), ()),
    "how long": (("DATE", "TIME", "QUANTITY"), ()),
    "how soon": (("DATE", "TIME"), ()),
    "how far": (("QUANTITY",), ("CARDINAL",)),
}
# "How high/large/fast…": any other degree question asks for a measure.
_DEGREE = (("QUANTITY", "CARDINAL", "MONEY", "PERCENT"), ())
# Entity labels by the coarse kind the gold sets name (``wanted``).
KINDS: dict[str, tuple[str, ...]] = {
    "date": ("DATE", "TIME"),
    "number": ("CARDINAL", "QUANTITY", "MONEY", "PERCENT"),
    **NAME_KINDS,  # person, place, org
}
# Heads that carry no type of their own: "the name of X", "what type of X".
_EMPTY_HEADS = frozenset({"name", "type", "kind", "sort"})
_SUBJECTS = frozenset({"nsubj", "nsubjpass"})
_WH_TAGS = frozenset({"WDT", "WP", "WP$", "WRB"})
_PERSONAL = frozenset({"his", "her"})
_MIN_TYPE_SIMILARITY = 0.25  # a focus noun this unlike every label asks for a noun phrase


@dataclass(frozen=True)
class TimeScope:
    """The period a question is about ("in 2023", "in May 2024"): first and last day."""

    start: date
    end: date
    text: str


@dataclass(frozen=True)
class QuestionInfo:
    text: str
    wanted: str  # date | number | person | place | org | other (coarse, as the gold sets)
    terms: tuple[str, ...]  # content words, lower-case
    wh: str = ""  # "who", "when", "how many", "which", … ("" when none)
    focus: str | None = None  # the focus noun phrase ("news agency", "shells")
    labels: tuple[str, ...] = ()  # wanted entity labels; () asks for a noun phrase
    also: tuple[str, ...] = ()  # labels that may also answer (a "who" answered by an ORG)
    focus_lemma: str | None = None  # the focus noun's lemma ("shell")
    name: bool = False  # asks for a proper name
    asks_kind: bool = False  # "What kind of agreement…": a description of the focus answers it
    scope: TimeScope | None = None
    asked: frozenset[str] = field(default_factory=frozenset)  # lower-case words of the question

    @property
    def typed(self) -> bool:
        return bool(self.labels)


def kind_of(labels: Sequence[str]) -> str:
    """The coarse kind of a set of entity labels (``other`` when mixed or none)."""
    kinds = {k for label in labels for k, ls in KINDS.items() if label in ls}
    return kinds.pop() if len(kinds) == 1 else "other"


# ---- the focus noun's type -------------------------------------------------------------------
@lru_cache(maxsize=1)
def _glossary() -> tuple[tuple[str, ...], tuple[str, ...]]:
    import spacy

    labels = entity_labels()
    return labels, tuple(spacy.explain(label) or label for label in labels)


def _label_vectors(embedder: Embedder) -> tuple[tuple[str, ...], list[list[float]]]:
    """Each entity label with the embedding of its glossary entry (the caching embedder keeps
    these; they are embedded once)."""
    labels, texts = _glossary()
    return labels, embedder.embed(list(texts))


def focus_labels(
    focus: str,
    embedder: Embedder | None,
    lemma: str | None = None,
    nouns: NounTypes | None = None,
) -> tuple[tuple[str, ...], tuple[str, ...], float]:
    """(primary labels, other labels of the same kind, similarity) for a focus noun phrase: the
    entity label whose glossary entry it most resembles, or () when it resembles none. A focus
    the glossary does not read as a date or a figure is typed instead by the kind of name its
    head noun (``lemma``) stands beside in news text, when that is known
    (``rag/answer/nountypes.py``: "Which attorney…" wants a PERSON, "Which firm…" an ORG; a
    noun that names works is of no typed kind; ``nouns``: another table than the learned one)."""
    if embedder is None or not focus:
        return (), (), 0.0
    labels, vectors = _label_vectors(embedder)
    fv = embedder.embed([focus])[0]
    sims = [sum(a * b for a, b in zip(fv, v, strict=False)) for v in vectors]
    best = max(range(len(labels)), key=lambda i: sims[i])
    kind = kind_of([labels[best]]) if sims[best] >= _MIN_TYPE_SIMILARITY else "other"
    if kind not in ("date", "number") and lemma:
        named = noun_kind(lemma, nouns)
        if named is not None:
            return KINDS.get(named, ()), (), sims[best]
    if kind == "other":  # PRODUCT, LAW, EVENT…: too unreliably recognised to require; a phrase
        return (), (), sims[best]
    return KINDS[kind], (), sims[best]


# ---- reading the parse -----------------------------------------------------------------------
def _relative_pronoun(wh: Token) -> bool:
    """A relative pronoun ("…, who passed away", "an earthquake that killed…", "the city in
    which…"), not a question word: it opens a clause after the noun it modifies. (The parser
    also hangs "In which country…?" on a relative clause, so the clause alone does not say.)"""
    if wh.lower_ == "that":
        return True
    node, clause = wh, False
    for _ in range(4):
        if node.dep_ in ("relcl", "acl"):
            clause = True
            break
        if node.head.i == node.i:
            break
        node = node.head
    if not clause or (node.head.dep_ == "ROOT" and node.head.pos_ in ("NOUN", "PROPN")):
        return False  # no clause, or no main verb outside it: "A volcano in which country…"
    before = wh.i - 1
    while before >= wh.sent.start and wh.doc[before].pos_ == "ADP":
        before -= 1
    if before < wh.sent.start:
        return False
    prev = wh.doc[before]
    return prev.text == "," or prev.pos_ in ("NOUN", "PROPN", "PRON")


def _wh_token(tokens: Doc | Span) -> Token | None:
    """The question word: in the last sentence that has one (RealTime QA-style questions open
    with a statement), relative pronouns aside."""
    found = [t for t in tokens if t.tag_ in _WH_TAGS and not _relative_pronoun(t)]
    if not found:
        return None
    last = found[-1].sent
    return next(t for t in found if t.sent == last)


def _phrase(noun: Token) -> str:
    """A noun with its compound modifiers ("state media outlet")."""
    words = [c for c in noun.lefts if c.dep_ == "compound" and c.pos_ in ("NOUN", "PROPN")]
    return " ".join([*(w.text for w in words), noun.text]).lower()


def _of_object(noun: Token) -> Token | None:
    for prep in noun.rights:
        if prep.dep_ == "prep" and prep.lower_ == "of":
            return next((c for c in prep.children if c.dep_ == "pobj"), None)
    return None


def _called(wh: Token) -> Token | None:
    """The noun of "What is X called?" (a name of X is asked for), however the parser hangs
    "called": on X ("the mission called") or as the verb with "is" its auxiliary."""
    head = wh.head
    if wh.lower_ != "what" or head.lemma_ != "be":
        return None
    if head.dep_ == "auxpass" and head.head.lemma_ == "call":
        return next(
            (c for c in head.head.children if c.dep_ in _SUBJECTS and c.pos_ == "NOUN"), None
        )
    for c in head.children:
        named = any(g.dep_ == "acl" and g.lemma_ == "call" for g in c.children)
        if c.dep_ in _SUBJECTS and c.pos_ == "NOUN" and named:
            return c
    return None


def _noun_run(wh: Token) -> list[Token]:
    """The modifiers and nouns right after "which"/"what", up to the end of the first noun
    compound: "which wildly popular show", "which news agency". A word the tagger took for a
    verb stays in when a noun or adjective follows it, as a participle or noun modifier would
    ("which banned substance", "which bestselling book", "which lead actress"); a verb before
    anything else ("which won", "which did") ends it."""
    run: list[Token] = []
    doc = wh.doc
    for t in doc[wh.i + 1 : wh.i + 6]:
        if t.pos_ in ("NOUN", "PROPN"):
            run.append(t)
        elif any(r.pos_ == "NOUN" for r in run):
            break  # the compound has ended
        elif t.pos_ in ("ADJ", "ADV") or (
            t.pos_ == "VERB"
            and t.lemma_ not in ("be", "do", "have")
            and t.i + 1 < len(doc)
            and doc[t.i + 1].pos_ in ("NOUN", "ADJ")
        ):
            run.append(t)
        else:
            break
    return run


def _focus(wh: Token) -> Token | None:
    """The noun the wh-word asks about."""
    called = _called(wh)
    if called is not None:
        return called
    head = wh.head
    if wh.dep_ == "det" and head.pos_ in ("NOUN", "PROPN"):
        return head
    of = _of_object(wh) if wh.lower_ == "which" else None
    if of is not None and of.pos_ == "NOUN" and of.lemma_ != "following":
        return of  # "Which of the following US cities…", "Which of these companies…"
    if wh.tag_ == "WDT":  # the parser may detach "which city": the noun run right after it
        run = _noun_run(wh)
        nouns = [t for t in run if t.pos_ == "NOUN"]
        if nouns:
            return nouns[-1]
        if run and run[-1].pos_ == "PROPN":  # "Which Home Office Minister…": a capitalised head
            return run[-1]
    if wh.lower_ == "how" and head.pos_ == "ADJ":  # how many shells
        noun = head.head
        return noun if head.dep_ == "amod" and noun.pos_ in ("NOUN", "PROPN") else None
    if head.lemma_ == "be":  # what is the name of X / what is the price of Y
        for c in head.children:
            if c is wh or c.dep_ not in ("nsubj", "attr") or c.pos_ != "NOUN":
                continue
            if c.lemma_.lower() in _EMPTY_HEADS or _of_object(c) is not None:
                return c
    return None


def _wh_phrase(wh: Token) -> str:
    word = wh.lower_
    if word == "how" and wh.head.pos_ in ("ADJ", "ADV") and wh.head.i == wh.i + 1:
        return f"how {wh.head.lower_}"
    return word


_RELATIONS = frozenset({"before", "after", "since", "until", "prior"})


def _relative(ent: Span) -> bool:
    """A date the question names as a bound ("before his 2023 trip", "since 2019"), not as the
    period it is about."""
    node = ent.root
    while node.head.i != node.i:  # up to the root (its own head)
        node = node.head
        if node.lower_ in _RELATIONS and node.pos_ in ("ADP", "SCONJ", "ADV"):
            return True
        if node.pos_ in ("VERB", "AUX"):
            return False
    return False


def _scope(doc: Doc) -> TimeScope | None:
    for ent in doc.ents:
        if ent.label_ != "DATE" or _relative(ent):
            continue
        for m in find_dates(ent.text):
            if m.year is None:
                continue
            if m.month is None:
                return TimeScope(date(m.year, 1, 1), date(m.year, 12, 31), ent.text)
            last = 31
            while last > 28:
                try:
                    date(m.year, m.month, last)
                    break
                except ValueError:
                    last -= 1
            first, end = (m.day or 1), (m.end_day or m.day or last)
            return TimeScope(date(m.year, m.month, first), date(m.year, m.month, end), ent.text)
    return None


_LIGHT_VERBS = frozenset({"be", "do", "have"})


def _figure_words(wh: Token, focus: Token | None, phrase: str) -> list[str]:
    """The words whose figures a figure question asks for, in the order they decide: the focus
    noun ("how much funding", "what price"), then for "how much" the root ("How much will the
    recall cost…"), the word "much" hangs on (through auxiliaries and prepositions, where the
    root is none: "By how much did sales fall…"), the other verbs and the last word (where a
    question with no object ends on its verb: "How much do tickets cost?", "… worth?", which
    the tagger often reads as a noun)."""
    words = [focus] if focus is not None else []
    if phrase == "how much":
        words.append(wh.sent.root)
        node = wh.head  # "much"
        for _ in range(3):
            if node.head.i == node.i:
                break
            node = node.head
            if _content(node):
                words.append(node)
                break
        last = [t for t in wh.sent if not t.is_punct][-1:]
        verbs = [t for t in wh.sent if t.tag_.startswith("VB")]
        words += [*verbs, *last]
    return [t.lemma_.lower() for t in words if phrase != "how much" or _content(t)]


def _content(t: Token) -> bool:
    """A verb, noun or adjective that is not "be", "do" or "have"."""
    return t.pos_ in ("VERB", "NOUN", "ADJ") and t.lemma_.lower() not in _LIGHT_VERBS


def figure_labels(
    wh: Token, focus: Token | None, phrase: str, table: FigureTypes | None
) -> tuple[str, ...] | None:
    """The figure labels the first of ``_figure_words`` the table knows takes ("cost" →
    MONEY, "fall" → PERCENT/MONEY); None when it knows none of them."""
    if table is None:
        return None
    for word in _figure_words(wh, focus, phrase):
        found = table.labels(word)
        if found is not None:
            return found
    return None


def analyse(
    question: str,
    embedder: Embedder | None = None,
    nouns: NounTypes | None = None,
    figures: FigureTypes | None = None,
) -> QuestionInfo:
    """The question's wh-word, focus, wanted labels and time scope (see the module docstring).
    Without an embedder a focus noun after "which"/"what" is left untyped; ``nouns``: the table
    of what common nouns name, when not the learned one (``rag/answer/nountypes.py``);
    ``figures``: the table of what figures words take, when not the learned one
    (``rag/answer/figuretypes.py``)."""
    doc = parse(question)
    asked = frozenset(t.lower_ for t in doc if not t.is_punct and not t.is_stop)
    wh = _wh_token(doc)
    info = QuestionInfo(question, "other", content_terms(question), asked=asked, scope=_scope(doc))
    if wh is None:
        return info
    phrase = _wh_phrase(wh)
    focus = _focus(wh)
    name = _called(wh) is not None  # "What is the mission called?": its name
    person = False
    asks_kind = False
    if focus is not None and focus.lemma_.lower() in _EMPTY_HEADS:
        name = focus.lemma_.lower() == "name"
        asks_kind = not name
        # "What is her name?": the name of a person.
        person = name and any(c.dep_ == "poss" and c.lower_ in _PERSONAL for c in focus.children)
        focus = _of_object(focus)
    primary: tuple[str, ...] = ()
    also: tuple[str, ...] = ()
    if person:
        primary, also = ("PERSON",), ()
    elif phrase in WH_LABELS and not (phrase in ("who", "whom") and name):
        primary, also = WH_LABELS[phrase]
    elif phrase.startswith("how ") and wh.head.pos_ == "ADJ":
        primary, also = _DEGREE
    elif focus is not None and phrase in ("what", "which", "whose"):
        primary, also, _ = focus_labels(_phrase(focus), embedder, focus.lemma_.lower(), nouns)
    elif phrase == "where":
        primary, also = WH_LABELS["where"]
    if phrase in ("how much", "what", "which") and kind_of(primary[:1]) == "number":
        # "How much will it cost?": the figures "cost" takes in news (money), not any figure.
        table = figures if figures is not None else figure_table()
        narrowed = figure_labels(wh, focus, phrase, table)
        if narrowed is not None:
            primary, also = narrowed, ()
    return QuestionInfo(
        question,
        kind_of(primary[:1]),
        info.terms,
        wh=phrase,
        focus=_phrase(focus) if focus is not None else None,
        focus_lemma=focus.lemma_.lower() if focus is not None else None,
        labels=primary,
        also=also,
        name=name,
        asks_kind=asks_kind,
        scope=info.scope,
        asked=asked,
    )


# ---- the focus typed by the passages ----------------------------------------------------------


def typed_by_passages(info: QuestionInfo, docs: Sequence[Doc]) -> QuestionInfo:
    """The focus noun typed by the entities it stands beside in the retrieved sentences
    ("IT firm Dimension Data", "Hannes Wittig, telecoms analyst", "the city of Vladivostok"):
    the label most often found there wins when it is seen twice, or once for an untyped focus."""
    lemma = info.focus_lemma
    if lemma is None or info.wh not in ("what", "which", "whose"):
        return info
    votes: dict[str, int] = {}
    for doc in docs:
        for ent in doc.ents:
            if ent.label_ in NUMERIC_LABELS:
                continue
            near = [ent.root.head, *ent.root.children]
            if ent.start > 0:
                near.append(doc[ent.start - 1])
            near += [t for t in doc[ent.end : ent.end + 2] if t.dep_ == "appos" or t.pos_ == "NOUN"]
            near += [t for t in ent.root.head.children if t.dep_ == "appos"]
            if any(t.lemma_.lower() == lemma and not (ent.start <= t.i < ent.end) for t in near):
                votes[ent.label_] = votes.get(ent.label_, 0) + 1
    if not votes:
        return info
    best = max(votes, key=lambda label: votes[label])
    if votes[best] < (1 if not info.typed else 2) or best in info.labels:
        return info
    kind = kind_of([best])
    labels = KINDS[kind] if kind != "other" else (best,)
    return replace(info, labels=labels, also=(), wanted=kind)


# ---- what the question asks the value of ------------------------------------------------------


def asked_attribute(question: str) -> str | None:
    """The noun a copular "what" question asks the value of ("What was the weather in
    Vladivostok…" → "weather", "What is the price of the iPod…" → "price"), or None: no such
    question, or a head with no meaning of its own ("What is the name of X")."""
    doc = parse(question)
    wh = _wh_token(doc)
    if wh is None or wh.lower_ != "what" or wh.head.lemma_ != "be":
        return None
    for c in wh.head.children:
        if c is not wh and c.dep_ in _SUBJECTS | {"attr"} and c.pos_ == "NOUN":
            return None if c.lemma_.lower() in _EMPTY_HEADS else c.lower_
    return None


def unmentioned_attribute(question: str, texts: Iterable[str]) -> str | None:
    """The attribute the question asks the value of (``asked_attribute``) when none of
    ``texts`` (the retrieved passages and their titles) mentions it: "the weather" where no
    article says a word of it is a question the articles do not answer."""
    noun = asked_attribute(question)
    if noun is None:
        return None
    stem = stem_all([noun])[0]
    return None if any(stem in stems(t) for t in texts) else noun
