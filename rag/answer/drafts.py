"""The generator boundary: an answer drafted from passages, before verification.

Two implementations: ``rag.answer.extractive.ExtractiveGenerator`` (offline default) and
``rag.answer.llm_draft.LLMGenerator`` (any ``rag.llm.chat.ChatModel``). Both return a ``Draft``;
the answer pipeline (``rag.answer.pipeline``) then resolves citations to spans, verifies each
claim and builds the ``Answer`` record.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from rag.llm.chat import OnText
from rag.llm.prompts import REFUSAL_TEXT
from rag.records import Disagreement, Passage

__all__ = [
    "REFUSAL_TEXT",
    "Draft",
    "DraftCitation",
    "DraftClaim",
    "Generator",
    "OnText",
]


@dataclass(frozen=True)
class DraftCitation:
    """Passage number as shown to the generator (1-based), optionally narrowed to an absolute
    character span of that passage's article (``start``/``end``); None means the whole passage."""

    passage: int
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True)
class DraftClaim:
    text: str
    citations: tuple[DraftCitation, ...] = ()


@dataclass
class Draft:
    claims: list[DraftClaim]
    refused: bool = False
    invalid_citations: list[tuple[str, int]] = field(default_factory=list)  # (id as written, claim)
    disagreements: list[Disagreement] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    raw: str = ""
    short_answer: str | None = None  # the answer itself, shown before the quotes
    corroboration: int = 0  # how many articles state the short answer
    # Passages the generator cites beyond the retrieved ones (a byline found in the article):
    # numbered after them, len(passages) + 1 onwards.
    extra_passages: list[Passage] = field(default_factory=list)
    refusal_note: str = ""  # why it refused, after the refusal ("the articles run from …")
    # The refusal features of each part the similarity floor let through (for fitting).
    features: list[dict[str, float]] = field(default_factory=list)


class Generator(Protocol):
    """Drafts a cited answer to ``question`` from numbered ``passages`` (1-based ids)."""

    name: str

    def draft(
        self, question: str, passages: Sequence[Passage], on_text: OnText | None = None
    ) -> Draft: ...
