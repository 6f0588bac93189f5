"""Who "he" is, what "the show" is: referents a quoted sentence leaves in the sentences before.

A sentence quoted on its own loses the sentence before it, so "He also confirmed the visit" no
longer says who confirmed it. When a quoted sentence opens with a personal pronoun that is its
subject ("He", "She"), the person it stands for is the nearest person named before it in the
article — in the closest earlier sentence that names one, its subject first — and the quote reads
"[Peskov] also confirmed the visit": the name in square brackets, the cited span the sentence
without its pronoun, still the article's exact text. A definite description standing where the
question's answer would ("the wildly popular South Korean show" for "Which … show…") is resolved
the same way, to the names of the nearest sentence before it that has any (``named_before``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from index.chunk import sentence_spans
from rag.answer.kinds import NUMERIC_LABELS
from rag.answer.nlp import parse, parse_many

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

_PRONOUNS = frozenset({"he", "she"})
_SUBJECTS = frozenset({"nsubj", "nsubjpass"})
_LOOK_BACK = 4  # sentences before the quoted one that are searched for the referent


@dataclass(frozen=True)
class Referent:
    name: str  # the person the pronoun stands for ("Dmitry Peskov")
    skip: int  # characters of the sentence the pronoun and the space after it take


def pronoun_subject(sentence: str) -> int:
    """Characters taken by the sentence's opening pronoun subject and the spaces after it; 0 when
    it does not open with one."""
    doc = parse(sentence)
    first = next((t for t in doc if not t.is_space), None)
    if first is None or first.lower_ not in _PRONOUNS or first.dep_ not in _SUBJECTS:
        return 0
    end = first.idx + len(first.text)
    while end < len(sentence) and sentence[end] == " ":
        end += 1
    return end if end < len(sentence) else 0


def _main_subject(doc: Doc, article: str) -> str | None:
    """The person who is the proper-noun subject of the sentence's main clause ("White failed a
    drugs test…"): the sentence a pronoun follows is most often about its referent. spaCy often
    leaves a lone surname untyped or mistyped; such a subject counts only when ``article`` names
    a person by it ("Kelli White"), and is given as named there."""
    for tok in doc:
        if tok.dep_ in _SUBJECTS and tok.head.dep_ == "ROOT" and tok.pos_ == "PROPN":
            if tok.ent_type_ == "PERSON":
                ent = next((e for e in doc.ents if e.start <= tok.i < e.end), None)
                name = ent.text if ent is not None else tok.text
                return _named_in_full(name, article) or name
            if tok.ent_type_:
                return None
            first = [t for t in tok.lefts if t.dep_ == "compound" and t.pos_ == "PROPN"]
            if first and not any(t.ent_type_ for t in first):  # "Theresa May", untyped
                return " ".join(t.text for t in [*first, tok])
            if re.search(rf"\b{re.escape(tok.lower_)}\b", article):
                return None  # a common word opening a sentence ("Children need…")
            return _named_in_full(tok.text, article)
    return None


def _named_in_full(surname: str, article: str) -> str | None:
    """The first person ``article`` names in more than one word ending in ``surname``, with no
    courtesy title first ("Patricia Hewitt" for "Hewitt"); None when it names none."""
    if " " in surname.strip():
        return None
    spans = [(s, e) for s, e in sentence_spans(article) if surname in article[s:e]]
    for doc in parse_many([article[s:e] for s, e in spans]):
        for ent in doc.ents:
            words = [t.text for t in ent if not t.is_punct]
            if (
                ent.label_ == "PERSON"
                and len(words) > 1
                and words[-1] == surname
                and words[0].replace(".", "").lower() not in _COURTESY
            ):
                return " ".join(words)
    return None


_FEMALE = frozenset({"ms", "mrs", "miss"})
_MALE = frozenset({"mr"})


def _other_gender(name: str, pronoun: str | None, text: str) -> bool:
    """Whether ``text`` titles the person ``name`` (by surname) as the other gender from
    ``pronoun``'s ("Mr Conte" for "she")."""
    if pronoun not in _PRONOUNS or not name.split():
        return False
    other = _MALE if pronoun == "she" else _FEMALE
    surname = re.escape(name.split()[-1])
    titles = re.findall(rf"\b(\w+)\.? {surname}\b", text)
    return any(t.lower() in other for t in titles)


def nearest_person(before: str, pronoun: str | None = None) -> str | None:
    """The person named closest before the end of ``before``: in the last sentence that names
    one, the proper-noun subject of its main clause, else its person subject (or the head of a
    phrase the subject is in), else the first person named. With ``pronoun`` ("he", "she"), a
    person the text titles as the other gender ("Mr …" for "she") is passed over."""
    spans = sentence_spans(before)[-_LOOK_BACK:]
    docs = parse_many([before[s:e] for s, e in spans])
    for doc in reversed(docs):
        people = [e for e in doc.ents if e.label_ == "PERSON"]
        subject = next((e for e in people if e.root.dep_ in _SUBJECTS), None)
        if subject is None:  # "spokesperson Dmitry Peskov said": the name in apposition
            subject = next((e for e in people if e.root.head.dep_ in _SUBJECTS), None)
        names = [n for n in (_main_subject(doc, before), subject.text if subject else None) if n]
        names += [e.text for e in people]
        for name in (n.strip() for n in names):
            name = name[:-2] if name.endswith(("'s", "’s")) else name
            if not _other_gender(name, pronoun, before):
                return name
    return None


def referent(sentence: str, before: str) -> Referent | None:
    """The referent of ``sentence``'s opening pronoun subject, found in the article text
    ``before`` it; None when the sentence does not open with one or no person is named."""
    skip = pronoun_subject(sentence)
    if not skip:
        return None
    name = nearest_person(before, sentence[:skip].strip().lower())
    return Referent(name, skip) if name else None


# ---- a description's referent -----------------------------------------------------------------
# "Netflix announced Sunday that the wildly popular South Korean show is green lit for a second
# season" answers "Which wildly popular show was recently green lit…?" only with the sentence
# before it, "“Squid Game” is officially coming back.": the article names the show first, then
# refers to it by a description of the very kind the question asks about.

_DEFINITE = frozenset({"the", "this", "that", "these", "those"})
# A quoted title: up to five capitalised words ("“Squid Game”", "“Ted Lasso.”"), small words
# between; a quoted remark has lower-case words and is not one.
_SMALL = r"(?:of|the|and|a|an|in|on|at|to|for|&)"
_TITLE_RE = re.compile(
    rf"[“\"‘]((?:[A-Z0-9][\w'’.:!?-]*)(?:\s+(?:{_SMALL}|[A-Z0-9][\w'’.:!?-]*)){{0,4}})[,.]?[”\"’]"
)


def _determiner(span: Span) -> str:
    return span.doc[span.start - 1].lower_ if span.start > 0 else ""


def is_description(span: Span, focus_lemma: str | None) -> bool:
    """Whether ``span`` (a phrase of the best sentence, its determiner stripped) describes the
    question's focus instead of naming it — "the wildly popular South Korean show" for "Which …
    show": headed by the focus noun, no name in it, a definite determiner before it; the thing
    is named elsewhere in the article. (An indefinite one — "a strategic partnership agreement"
    for "What agreement…" — is as often the answer itself as a thing named later: "A low-budget
    horror film… has topped the box office. Boogeyman… took $19.5m"; it is left as it stands.)"""
    root = span.root
    if focus_lemma is None or root.lemma_.lower() != focus_lemma or root.ent_type_:
        return False
    if any(t.pos_ == "PROPN" and t.ent_type_ != "NORP" for t in span):
        return False
    return _determiner(span) in _DEFINITE


def _names(doc: Doc, asked: frozenset[str], labels: frozenset[str]) -> list[str]:
    """The names in ``doc`` the question does not have: entities of ``labels`` (any non-numeric
    entity when empty) and quoted titles, in order, none inside another."""
    found: list[tuple[int, str]] = []
    for ent in doc.ents:
        if ent.label_ in NUMERIC_LABELS or (labels and ent.label_ not in labels):
            continue
        found.append((ent.start_char, ent.text))
    for m in _TITLE_RE.finditer(doc.text):
        found.append((m.start(1), m.group(1).rstrip(".,!?")))
    names: list[str] = []
    for _, text in sorted(found):
        words = {w.lower() for w in re.findall(r"[\w'’-]+", text)}
        if words and not words <= asked and all(text not in n for n in names):
            names = [n for n in names if n not in text] + [text]
    return names


def named_near(
    span: Span,
    before: Sequence[Doc],
    after: Sequence[Doc],
    asked: frozenset[str],
    labels: frozenset[str],
) -> tuple[int, str] | None:
    """What the description ``span`` stands for: the names of the nearest sentence around it that
    names anything the question does not (``_names``), looking back first (``before``, nearest
    last), then ahead (``after``, nearest first: a news lede describes, the next sentence names:
    "…, the Trade and Industry Secretary has said. Patricia Hewitt said…"). All the names,
    joined, for a plural description ("the shows"), the first for a singular one. The index is
    into ``[*before, *after]``."""
    order = [*range(len(before) - 1, -1, -1), *(len(before) + j for j in range(len(after)))]
    docs = [*before, *after]
    plural = span.root.tag_ in ("NNS", "NNPS")
    for k in order:
        names = _names(docs[k], asked, labels)
        if names:
            return k, " and ".join(names[:3]) if plural else names[0]
    return None


# ---- a person named in full ------------------------------------------------------------------
# News names a person in full at the first mention and by a courtesy title and surname after it
# ("Trade and Industry Secretary Patricia Hewitt … Ms Hewitt told the seminar"): a short answer
# read from a later sentence is given as the article first names them.

_COURTESY = frozenset({"mr", "mrs", "ms", "miss", "dr"})


def courtesy_surname(name: str) -> str | None:
    """The surname of a name written as a courtesy title and a surname ("Ms Hewitt" → Hewitt);
    None for any other name."""
    words = name.replace(".", "").split()
    if len(words) != 2 or words[0].lower() not in _COURTESY or not words[1][:1].isupper():
        return None
    return words[1]


def full_name(name: str, article: str) -> str:
    """``name`` as ``article`` first names the person in full: "Ms Hewitt" → "Patricia Hewitt",
    the first person it names with more than a courtesy title before that surname. ``name``
    itself when it is no courtesy-title name or the article never gives the full one."""
    surname = courtesy_surname(name)
    if surname is None:
        return name
    return _named_in_full(surname, article) or name
