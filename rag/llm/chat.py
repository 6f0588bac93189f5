"""The one boundary to a language model: ``ChatModel.complete(messages, on_text=None) -> str``.

Everything above it (prompts, parsing the reply, resolving citations, the judge step) works with
any ``ChatModel``: the OpenAI-compatible client (``rag.llm.client.OpenAIChat``) or the in-process
fake the tests use (``tests.fakes.FakeChat``). Below it is only HTTP.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal, Protocol, TypedDict

Role = Literal["system", "user", "assistant"]


class Message(TypedDict):
    """One chat message, in the shape every OpenAI-compatible endpoint accepts."""

    role: Role
    content: str


OnText = Callable[[str], None]
"""Receives each piece of the reply as it streams in."""


class Reply(str):
    """A model's reply: the text, and whether the model stopped at its length limit."""

    truncated: bool

    def __new__(cls, text: str, truncated: bool = False) -> Reply:
        reply = super().__new__(cls, text)
        reply.truncated = truncated
        return reply


def truncated(text: str) -> bool:
    """Whether ``text`` (what ``complete`` returned) was cut off at the model's length limit."""
    return isinstance(text, Reply) and text.truncated


class ChatModel(Protocol):
    """A chat model: a name (shown as an answer's ``generator``) and one call."""

    name: str

    def complete(self, messages: Sequence[Message], on_text: OnText | None = None) -> str:
        """The model's reply to ``messages`` (non-empty), streaming its pieces to ``on_text``
        when given. Raises ``rag.errors.GeneratorError`` for every failure: unreachable, timed
        out, rate-limited, refused, a malformed or empty reply."""
        ...
