"""Questions about the articles themselves — who wrote it, which outlet published it, when it was
published — answered from the index's metadata of the article the question is about.

The question's verbs say which field it asks for ("write" with "who" → author; "publish" with
"when" → publication date, with "which"/"what"/"who" → outlet). The article is the one whose
sentence best matches the rest of the question (the caller's choice); the cited span is where the
article's own text states the value (the byline, the author's bio, the outlet's name), else the
article's first line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from index.sentences import sentence_spans
from rag.answer.analysis import QuestionInfo
from rag.answer.nlp import parse

# file → (stored text, metadata) of an indexed article, or None
ArticleLookup = Callable[[str], tuple[str, Mapping[str, Any]] | None]


@dataclass(frozen=True)
class MetaAnswer:
    value: str  # the short answer ("Ben Whedon", "Tass", "2024-05-17")
    start: int  # the cited span in the article's stored text
    end: int
    quote: str


def metadata_field(info: QuestionInfo) -> str | None:
    """``author``, ``outlet`` or ``published`` when the question asks about an article itself."""
    doc = parse(info.text)
    verbs = {t.lemma_.lower() for t in doc if t.pos_ in ("VERB", "AUX")}
    if "write" in verbs and info.wh in ("who", "whom", "whose"):
        return "author"
    if "publish" in verbs:
        if info.wh == "when":
            return "published"
        if info.wh in ("which", "what", "who"):
            return "outlet"
    return None


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
