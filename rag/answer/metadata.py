"""Questions about the articles themselves — who wrote it, which outlet published it, when it was
published — answered from the index's metadata of the article the question is about.

The question's verbs say which field it asks for ("write" with "who" → author; "publish" with
"when" → publication date, with "which"/"what"/"who" → outlet) when what is written or published
is an article ("Who wrote Howl's Moving Castle?" is a question for the text). The article is the
one whose sentences best match the words saying which article ("the article about Kim's visit"),
else the question's best sentence's (the caller's choice); the cited span is where the article's
own text states the value (the byline, the author's bio, the outlet's name), else the article's
first line. An article without the field is said to lack it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from spacy.tokens import Token

from index.sentences import sentence_spans
from rag.answer.analysis import QuestionInfo
from rag.answer.drafts import Draft, DraftCitation, DraftClaim
from rag.answer.nlp import parse
from rag.records import Passage

# file → (stored text, metadata) of an indexed article, or None
ArticleLookup = Callable[[str], tuple[str, Mapping[str, Any]] | None]


@dataclass(frozen=True)
class MetaAnswer:
    value: str  # the short answer ("Ben Whedon", "Tass", "2024-05-17")
    start: int  # the cited span in the article's stored text
    end: int
    quote: str


# What a question calls a news article when it asks who wrote or published one. "Report" is
# here because news says "the Newsmax report"; "letter", "book" and the like are not: who wrote a
# book is a question for the articles' text, not their bylines.
ARTICLE_NOUNS = frozenset(
    {"article", "report", "story", "piece", "column", "op-ed", "editorial", "dispatch", "item"}
)
# Pronouns that may stand for the article itself ("Who wrote this?").
_ARTICLE_PRONOUNS = frozenset({"this", "it", "that"})
# What a question calls whoever publishes the articles ("Which outlet published…").
_PUBLISHER_NOUNS = frozenset(
    {"outlet", "publication", "newspaper", "paper", "site", "website", "publisher", "magazine"}
)


def _is_article(tok: Token) -> bool:
    return tok.lemma_.lower() in ARTICLE_NOUNS or tok.lower_ in _ARTICLE_PRONOUNS


def _objects(verb: Token) -> list[Token]:
    """What the verb is done to: its object, its passive subject, or a subject that is an
    article ("When was the article published?", which the parser may read as active)."""
    return [
        c
        for c in verb.children
        if c.dep_ in ("dobj", "obj", "nsubjpass") or (c.dep_ == "nsubj" and _is_article(c))
    ]


def _article_object(verb: Token) -> Token | None:
    """The article the verb is done to ("wrote the article", "the report … published"), None
    when its object is something else ("wrote Howl's Moving Castle"). A verb with no object
    at all ("Who wrote it first?" parsed without one) speaks of the article too."""
    if verb.dep_ in ("acl", "relcl"):  # "When was the report on Kim's visit published?"
        for up in verb.ancestors:
            if _is_article(up):
                return up
            if up.pos_ in ("VERB", "AUX"):
                break
    objs = _objects(verb)
    hits = [o for o in objs if _is_article(o)]
    if hits:
        return hits[0]
    return None if objs else verb


def _subject_ok(verb: Token) -> bool:
    """The verb's doer is the one asked about ("Who wrote…", "Which outlet published…") or
    is left out ("When was it published?"), not somebody in the news ("When did Putin publish
    an article…", which asks about Putin's own article)."""
    subjects = [c for c in verb.children if c.dep_ in ("nsubj", "csubj") and not _is_article(c)]
    if not subjects:
        return True
    s = subjects[0]
    return s.lower_ in ("who", "whom") or s.lemma_.lower() in _PUBLISHER_NOUNS


def _asked_article(tok: Token) -> Token | None:
    """The article an "author"/"byline" noun belongs to ("the author of the article on…",
    "the article's byline"), the noun itself when it belongs to nothing named ("Who is the
    author?"), None when it belongs to something else ("the author of Strong Medicine")."""
    for c in tok.children:
        if c.dep_ == "poss":
            return c if _is_article(c) else None
        if c.dep_ == "prep" and c.lower_ == "of":
            objs = [o for o in c.children if o.dep_ == "pobj"]
            return objs[0] if objs and _is_article(objs[0]) else None
    return tok


def metadata_question(info: QuestionInfo) -> tuple[str, str] | None:
    """(field, about) when the question asks about an article itself: ``field`` is
    ``author``, ``outlet`` or ``published``; ``about`` the words that say which article
    ("Who wrote the article about Kim's visit?" → "about Kim's visit"; "" when none do)."""
    doc = parse(info.text)
    for tok in doc:
        lemma = tok.lemma_.lower()
        noun = None
        field = None
        if lemma in ("author", "byline") and tok.pos_ == "NOUN" and info.wh in ("who", "what"):
            # "Who is the author of the article on the summit?", "the article's byline"
            field = "author"
            noun = _asked_article(tok)
            if noun is tok:
                return field, ""
            if noun is None:
                continue
        elif tok.pos_ in ("VERB", "AUX") and lemma in ("write", "publish"):
            noun = _article_object(tok)
            if noun is None or not _subject_ok(tok):
                continue
            if lemma == "write" and info.wh in ("who", "whom", "whose"):
                field = "author"
            elif lemma == "publish" and info.wh == "when":
                field = "published"
            elif lemma == "publish" and info.wh in ("which", "what", "who"):
                field = "outlet"
        if field is None or noun is None:
            continue
        return field, _about(noun, tok) if noun.pos_ in ("NOUN", "PROPN") else ""
    return None


def _about(noun: Token, asking: Token) -> str:
    """The words of ``noun``'s phrase that say which article it is: its modifiers, less
    determiners, the noun itself and the asking word's own phrase ("published")."""
    own = set() if asking.is_ancestor(noun) else {t.i for t in asking.subtree}
    keep = [
        t
        for t in noun.subtree
        if t is not noun and t.dep_ not in ("det", "predet", "case", "punct") and t.i not in own
    ]
    return " ".join(t.text for t in keep).strip()


def _first_line(text: str) -> tuple[int, int]:
    spans = sentence_spans(text)
    return spans[0] if spans else (0, min(len(text), 200))


def _where_stated(text: str, value: str) -> tuple[int, int] | None:
    """The sentence of ``text`` that names ``value`` (its whole text, else its last word)."""
    for probe in (value, value.split()[-1] if value.split() else value):
        m = re.search(re.escape(probe), text, re.I)
        if m:
            for s, e in sentence_spans(text):
                if s <= m.start() < e:
                    return s, e
    return None


def answer_from_metadata(field: str, text: str, meta: Mapping[str, Any]) -> MetaAnswer | None:
    """The value of ``field`` for one article, with the span of its text that states it."""
    raw = meta.get(field)
    if not raw:
        return None
    value = str(raw)[:10] if field == "published" else str(raw)
    if field == "author":
        value = value.split(",")[0].strip()
    span = _where_stated(text, value) if field != "published" else None
    start, end = span or _first_line(text)
    return MetaAnswer(value, start, end, text[start:end])


# How a refusal names the field an article lacks.
_FIELD_WORDS = {"author": "byline", "outlet": "outlet's name", "published": "publication date"}


def of_outlet(about: str, passages: Sequence[Passage]) -> list[Passage]:
    """The passages of the articles whose outlet ``about`` names ("the Newsmax article"), or
    all of them when it names none."""
    low = about.lower()
    named = [p for p in passages if p.outlet and p.outlet.lower() in low]
    return named or list(passages)


def metadata_draft(
    field: str, file: str, found: tuple[str, Mapping[str, Any]], n_passages: int
) -> Draft:
    """The answer to a question about ``file`` itself: its ``field``, citing where its text
    states it (numbered after the ``n_passages`` retrieved passages), or, when the article does
    not carry the field, a refusal that says so (another article's byline would answer a
    question about a different article)."""
    text, meta = found
    got = answer_from_metadata(field, text, meta)
    title = str(meta.get("title") or "") or file
    if got is None:
        note = f"The article it asks about, “{title}” ({file}), gives no {_FIELD_WORDS[field]}."
        return Draft(claims=[], refused=True, refusal_note=note)
    passage = Passage(
        f"{file}#{got.start}",
        file,
        got.start,
        got.end,
        got.quote,
        0.0,
        str(meta.get("title") or ""),
        str(meta["outlet"]) if meta.get("outlet") else None,
        str(meta["published"]) if meta.get("published") else None,
    )
    claim = DraftClaim(got.quote, (DraftCitation(n_passages + 1, got.start, got.end),))
    return Draft(claims=[claim], short_answer=got.value, corroboration=1, extra_passages=[passage])
