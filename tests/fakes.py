"""In-process fakes for the boundaries above HTTP (after simonw/llm's ``MockModel``).

``FakeChat`` is a ``rag.llm.chat.ChatModel`` with a queue of replies::

    chat = FakeChat()
    chat.enqueue("Putin accepted [1].", '[{"i": 0, "supported": true}]')
    ... code under test calls chat.complete(messages, on_text) ...
    assert chat.history[0][0]["role"] == "system"

Each ``complete`` takes the next reply: a ``str`` (streamed to ``on_text`` in pieces of
``chunk_chars`` characters), a list of strings (streamed as exactly those pieces), a
``Reply`` (a ``str`` that may be marked ``truncated``) or an exception instance, which is raised
(``GeneratorError("...")`` stands for any failure of the model). An empty queue raises
``AssertionError``: a test must script every call it causes. The loopback HTTP server
(``tests.openai_server``) stays for the client itself.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

from rag.llm.chat import Message, OnText, Reply

Scripted = str | Sequence[str] | BaseException


class FakeChat:
    """A scripted chat model; ``history`` holds the messages of every call, in order."""

    def __init__(self, *replies: Scripted, name: str = "fake-chat", chunk_chars: int = 8) -> None:
        self.name = name
        self.chunk_chars = chunk_chars
        self._queue: deque[Scripted] = deque(replies)
        self.history: list[list[Message]] = []
        self.streamed: list[bool] = []

    def enqueue(self, *replies: Scripted) -> FakeChat:
        self._queue.extend(replies)
        return self

    @property
    def pending(self) -> int:
        return len(self._queue)

    def complete(self, messages: Sequence[Message], on_text: OnText | None = None) -> str:
        self.history.append(list(messages))
        self.streamed.append(on_text is not None)
        if not self._queue:
            raise AssertionError(f"FakeChat: no reply scripted for call {len(self.history)}")
        reply = self._queue.popleft()
        if isinstance(reply, BaseException):
            raise reply
        if isinstance(reply, str):
            size = max(1, self.chunk_chars)
            pieces = [reply[i : i + size] for i in range(0, len(reply), size)]
            text: str = reply
        else:
            pieces = list(reply)
            text = "".join(pieces)
        if on_text is not None:
            for piece in pieces:
                on_text(piece)
        return reply if isinstance(reply, Reply) else text
