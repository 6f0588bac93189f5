"""Answers written by a language model: the ``Generator`` over any ``ChatModel``, and the
follow-up rewriter.

The model's reply is read by the shared parser (``rag.llm.parse``): one claim per sentence, its
citation markers ([1], [1, 3], [1][3], [1-3], 【1】) resolved by the shared resolver
(``rag.llm.citations``); ids that name no passage are kept in ``Draft.invalid_citations`` (never
attached, never dropped), and the refusal sentence is recognised.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from rag.answer.drafts import REFUSAL_TEXT, Draft, DraftCitation, DraftClaim
from rag.answer.question import is_follow_up
from rag.errors import GeneratorError
from rag.llm.chat import ChatModel, OnText, truncated
from rag.llm.citations import resolve
from rag.llm.parse import cited_sentences, clean_prose, first_line
from rag.llm.prompts import answer_messages, rewrite_messages
from rag.records import Passage

log = logging.getLogger(__name__)

TRUNCATED_WARNING = (
    "The model's answer was cut off at its length limit; the last sentence may be incomplete."
)


def is_refusal(text: str) -> bool:
    """The refusal sentence, alone or first (any case, curly apostrophe, final stop optional)."""
    norm = " ".join(text.replace("’", "'").split()).lower()
    refusal = REFUSAL_TEXT.lower()
    return norm.startswith(refusal) or norm == refusal.rstrip(".")


def parse_draft(raw: str, n_passages: int) -> Draft:
    """The model's answer as a Draft; ids outside 1..n_passages go to ``invalid_citations``.
    Raises GeneratorError for a reply with nothing in it."""
    text = clean_prose(raw)
    if not text:
        raise GeneratorError("The model returned an empty answer. Try again, or another model.")
    if is_refusal(text):
        return Draft(claims=[], refused=True, raw=raw)
    claims: list[DraftClaim] = []
    invalid: list[tuple[str, int]] = []
    for s in cited_sentences(text):
        got = resolve(s.ids, n_passages)
        invalid.extend((written, len(claims)) for written in got.invalid)
        claims.append(DraftClaim(s.text, tuple(DraftCitation(passage=n) for n in got.passages)))
    return Draft(claims=claims, invalid_citations=invalid, raw=raw)


class LLMGenerator:
    """Drafts cited answers with ``chat`` (the ``Generator`` protocol)."""

    def __init__(self, chat: ChatModel) -> None:
        self.chat = chat
        self.name = chat.name

    def draft(
        self,
        question: str,
        passages: Sequence[Passage],
        on_text: OnText | None = None,
        history: Sequence[tuple[str, str]] = (),
    ) -> Draft:
        """Ask the model; stream its reply to ``on_text`` when given. Raises GeneratorError."""
        if not passages:
            if on_text is not None:
                on_text(REFUSAL_TEXT)
            return Draft(claims=[], refused=True, raw=REFUSAL_TEXT)
        reply = self.chat.complete(answer_messages(question, passages, history), on_text)
        draft = parse_draft(reply, len(passages))
        if truncated(reply):
            draft.warnings.append(TRUNCATED_WARNING)
        return draft


_LABEL_RE = re.compile(
    r"^(?:standalone question|rewritten question|question)\s*:\s*", re.IGNORECASE
)


def clean_rewrite(reply: str, question: str) -> str:
    """The rewritten question in ``reply``, or ``question`` when the reply is unusable."""
    line = _LABEL_RE.sub("", first_line(reply)).strip().strip("\"'“”‘’`").strip()
    if not line or len(line) > max(300, 4 * len(question)):
        return question
    return line


class LLMRewriter:
    """Rewrites a follow-up ("and before that?") into a standalone question with ``chat``; a
    question that is not a follow-up, or any model failure, leaves it as asked."""

    def __init__(self, chat: ChatModel) -> None:
        self.chat = chat

    def __call__(self, question: str, history: Sequence[str | tuple[str, str]]) -> str:
        if not history or not is_follow_up(question):
            return question
        try:
            return clean_rewrite(self.chat.complete(rewrite_messages(question, history)), question)
        except GeneratorError as exc:
            log.warning("question rewrite failed, using the question as asked: %s", exc)
            return question
