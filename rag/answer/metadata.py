"""Questions about the articles themselves — who wrote it, which outlet published it, when it was
published — answered from the index's metadata of the article the question is about.

The question's verb says which field it asks for ("write" → author, "publish" with "when" →
publication date, "publish" otherwise → outlet); the article is the one whose sentence best
matches the rest of the question, and that sentence is quoted and cited as what identifies it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from rag.answer.analysis import QuestionInfo
from rag.answer.nlp import parse

ArticleMeta = Callable[[str], Mapping[str, Any] | None]


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


def field_value(meta: Mapping[str, Any] | None, field: str) -> str | None:
    if not meta:
        return None
    value = meta.get(field)
    if not value:
        return None
    text = str(value)
    return text[:10] if field == "published" else text
