"""The phrase of a sentence that fills the question's gap, found by matching the two parses.

"Which airline announced a deal to buy Spirit Airlines?" asks for the subject of "announce";
in "JetBlue Airways on Thursday announced it would purchase Spirit Airlines, a combination that
would create America's fifth-largest airline" that subject is "JetBlue Airways", though
"America" is also a place-like name near the question's words. The gap is the wh-word's phrase
("which airline", "who", "what"); its path in the question's dependency parse runs up to the
nearest word the sentence also has (an *anchor*: "announce", or "sale" in "approved the sale of
which team"), and following the same path down from that word in the sentence reaches the
answer. Voice is undone at a verb: the subject of "Which country was shaken by an earthquake?"
is the object of "shook" in "An earthquake shook Peru". When the question's verb is not in the
sentence ("Which singer will launch a Las Vegas residency?" against "Adele has postponed her Las
Vegas residency"), another argument of that verb is looked for instead ("residency", the object)
and the gap's role taken at the sentence's verb of that argument: a weaker match, marked so.

This is the classic syntactic answer matching of TREC-era question answering (e.g. Cui et al.,
2005, "Question answering passage retrieval using dependency relations"), reduced to one path.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from rag.answer.nlp import parse

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

_WH_TAGS = frozenset({"WDT", "WP", "WP$"})
_SUBJECT = "SUBJ"
_OBJECT = "OBJ"
_COPULA = "COP"  # from a copula's complement ("bankrupt" of "is bankrupt") to its other side
# Words that carry nothing to anchor on.
_LIGHT = frozenset({"be", "do", "have", "of", "in", "on", "at", "for", "to", "by", "with"})
# "much of Peru", "part of the city": the answer is inside the "of" phrase.
_PARTITIVES = frozenset({"much", "part", "parts", "all", "most", "some", "many", "each", "one"})
_MAX_DEPTH = 4
_COPULA_SIDES = frozenset({"acomp", "attr", "nsubj"})


@dataclass(frozen=True)
class Step:
    """One step down the question's parse, from a word to its dependent."""

    role: str  # SUBJ / OBJ at a verb (voice undone), else the dependency label
    word: str  # the dependent's lemma for a preposition ("of"), else ""


@dataclass(frozen=True)
class Gap:
    """Where the answer sits in the question: the anchor words (lemmas) and the path down to
    the gap from each; the first is the gap's own head, the rest are its siblings' (weaker)."""

    anchors: tuple[tuple[str, tuple[Step, ...]], ...]
    siblings: tuple[tuple[str, str, str], ...]  # (sibling lemma, its role, the gap's role)


def _role(tok: Token) -> str:
    dep = tok.dep_
    if dep in ("nsubj", "csubj"):
        return _SUBJECT
    if dep in ("nsubjpass", "dobj", "csubjpass"):
        return _OBJECT
    if dep == "pobj" and tok.head.dep_ == "agent":
        return _SUBJECT
    return dep


def _step(tok: Token) -> Step:
    if tok.dep_ == "prep":
        return Step("prep", tok.lemma_.lower())
    return Step(_role(tok), "")


def _slot(doc: Doc | Span) -> Token | None:
    """The token standing for the answer: the noun a "which/what" modifies, else the wh-word."""
    wh = next((t for t in doc if t.tag_ in _WH_TAGS), None)
    if wh is None:
        return None
    if wh.dep_ == "det" and wh.head.pos_ in ("NOUN", "PROPN"):
        return wh.head
    if wh.tag_ == "WDT":  # a detached "which": the noun run after it
        run = []
        for t in doc[wh.i - doc[0].i + 1 : wh.i - doc[0].i + 5]:
            if t.pos_ not in ("NOUN", "ADJ", "ADV", "PROPN", "VERB") or t.dep_ == "ROOT":
                break
            run.append(t)
        nouns = [t for t in run if t.pos_ == "NOUN"]
        if nouns:
            return nouns[-1]
    return wh


@lru_cache(maxsize=256)
def gap(question: str) -> Gap | None:
    """The question's gap, or None when it has no wh-phrase to align (a "when" or "where" is an
    adverb: the answer's type finds it, not its place). Cached: every sentence judged or
    searched for a short answer is aligned against the same question."""
    doc = parse(question)
    sents = list(doc.sents)
    # The question is the sentence with the wh-word (RealTime QA opens with a statement).
    sent = next((s for s in reversed(sents) if any(t.tag_ in _WH_TAGS for t in s)), None)
    slot = _slot(sent) if sent is not None else None
    if slot is None:
        return None
    anchors = _copula_anchors(slot)
    path: list[Step] = []
    node = slot
    verb: Token | None = None
    for _ in range(_MAX_DEPTH):
        if node.head.i == node.i:
            break
        path.insert(0, _step(node))
        node = node.head
        lemma = node.lemma_.lower()
        if node.pos_ in ("VERB", "NOUN", "PROPN", "ADJ") and lemma not in _LIGHT:
            anchors.append((lemma, tuple(path)))
            if node.pos_ == "VERB":
                verb = node if len(path) == 1 else None
                break
    siblings: list[tuple[str, str, str]] = []
    if verb is not None and path[0].role in (_SUBJECT, _OBJECT):
        for child in verb.children:
            role = _role(child)
            if child.i != slot.i and role in (_SUBJECT, _OBJECT) and child.pos_ == "NOUN":
                siblings.append((child.lemma_.lower(), role, path[0].role))
    return Gap(tuple(anchors), tuple(siblings))


def _copula_anchors(slot: Token) -> list[tuple[str, tuple[Step, ...]]]:
    """The anchors of a gap that is one side of a copula: "Which country is now bankrupt?" is
    answered by the subject of "is" beside "bankrupt" ("Sri Lanka is bankrupt"), "What is the
    capital of Peru?" by the other side of "capital" ("The capital of Peru is Lima", "Lima is
    the capital…"). A participle read as the complement ("Which show was green lit…") is a
    passive too: its subject is the object of "light" in the sentence."""
    cop = slot.head
    if cop.i == slot.i or cop.lemma_.lower() != "be" or slot.dep_ not in ("nsubj", "attr"):
        return []
    out: list[tuple[str, tuple[Step, ...]]] = []
    for c in cop.children:
        if c.i == slot.i or c.dep_ not in ("acomp", "attr", "nsubj"):
            continue
        if c.pos_ not in ("NOUN", "ADJ", "VERB") or c.lemma_.lower() in _LIGHT:
            continue
        if c.pos_ == "VERB" and c.tag_ == "VBN" and slot.dep_ == "nsubj":
            out.append((c.lemma_.lower(), (Step(_OBJECT, ""),)))
        out.append((c.lemma_.lower(), (Step(_COPULA, ""),)))
    return out


def _children(tok: Token, step: Step) -> list[Token]:
    """``tok``'s dependents reached by one step of the question's path (for a copula's
    complement, the copula's other side)."""
    if step.role == _COPULA:
        cop = tok.head
        if cop.i == tok.i or cop.lemma_.lower() != "be" or tok.dep_ not in _COPULA_SIDES:
            return []
        return [c for c in cop.children if c.i != tok.i and c.dep_ in ("nsubj", "attr")]
    out: list[Token] = []
    for c in tok.children:
        if step.role == "prep":
            if c.dep_ == "prep" and c.lemma_.lower() == step.word:
                out.append(c)
        elif _role(c) == step.role:
            out.append(c)
        elif step.role == _SUBJECT and c.dep_ == "agent":
            out += [g for g in c.children if g.dep_ == "pobj"]
    if not out and step.role == _OBJECT:  # "found Bill Cosby liable": a small clause's subject
        for c in tok.children:
            if c.dep_ in ("ccomp", "xcomp", "oprd"):
                out += [g for g in c.children if g.dep_ == "nsubj"]
    return out


def _follow(tok: Token, path: tuple[Step, ...]) -> list[Token]:
    nodes = [tok]
    for step in path:
        nodes = [c for n in nodes for c in _children(n, step)]
    return nodes


def phrase(tok: Token) -> Span:
    """The phrase a token heads, as an answer: its named entity, the "of" phrase of a partitive
    ("much of Peru"), a name in apposition ("the company, Subway"), the conjoined names
    ("Sweden and Finland"), else its noun chunk without determiners."""
    doc = tok.doc
    if tok.lower_ in _PARTITIVES:
        for prep in tok.children:
            if prep.dep_ == "prep" and prep.lower_ == "of":
                obj = next((g for g in prep.children if g.dep_ == "pobj"), None)
                if obj is not None:
                    return phrase(obj)
    if not tok.ent_type_ and tok.pos_ == "NOUN":
        named = next(
            (c for c in tok.children if c.dep_ == "appos" and c.ent_type_ and not c.like_num),
            None,
        )  # a name, not a figure in brackets ("$546m (£290m)")
        if named is not None:
            tok = named
    conj = [c for c in tok.children if c.dep_ == "conj" and c.pos_ == tok.pos_]
    ent = next((e for e in doc.ents if e.start <= tok.i < e.end), None)
    start, end = (ent.start, ent.end) if ent is not None else _chunk(tok)
    if conj:
        last = conj[-1]
        last_ent = next((e for e in doc.ents if e.start <= last.i < e.end), None)
        end = last_ent.end if last_ent is not None else last.i + 1
    while start < end and doc[start].pos_ in ("DET", "PRON", "PUNCT"):
        start += 1
    return doc[start:end]


def _chunk(tok: Token) -> tuple[int, int]:
    for chunk in tok.doc.noun_chunks:
        if chunk.start <= tok.i < chunk.end:
            return chunk.start, chunk.end
    return tok.i, tok.i + 1


def aligned(question: str, sentence: Doc) -> list[tuple[Span, float]]:
    """The phrases of ``sentence`` standing where the question's gap stands, each with how
    direct the match is (1.0 through the gap's own head, 0.5 through a sibling argument)."""
    found = gap(question)
    if found is None:
        return []
    by_lemma: dict[str, list[Token]] = {}
    for t in sentence:
        by_lemma.setdefault(t.lemma_.lower(), []).append(t)
    out: list[tuple[Span, float]] = []
    for lemma, path in found.anchors:
        for tok in by_lemma.get(lemma, []):
            out += [(phrase(n), 1.0) for n in _follow(tok, path)]
        if out:
            return out
    for sibling, role, gap_role in found.siblings:
        for tok in by_lemma.get(sibling, []):
            if _role(tok) != role or tok.head.pos_ != "VERB":
                continue
            out += [(phrase(n), 0.5) for n in _children(tok.head, Step(gap_role, ""))]
    return out
