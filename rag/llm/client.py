"""The OpenAI-compatible chat client: any endpoint that speaks OpenAI's chat-completions protocol
(OpenAI, Ollama, vLLM, a llama.cpp server), through the ``openai`` SDK.

``OpenAIChat`` implements ``rag.llm.chat.ChatModel`` and does only HTTP: the request, streaming,
retries (its own, so that they stay inside the deadline), timeouts, the deadline, and mapping
every failure to one ``GeneratorError`` (``rag.llm.errors``). What the reply means is decided
above it: ``rag.llm.parse``, ``rag.llm.citations``, ``rag.llm.judge``.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import cast

import openai
from openai.types.chat import (
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionMessage,
    ChatCompletionMessageParam,
)
from openai.types.chat.chat_completion import Choice

from rag.config import LLMSettings
from rag.errors import ConfigError
from rag.llm.chat import Message, OnText, Reply
from rag.llm.choice import NO_MODEL_HELP
from rag.llm.deadline import Deadline, Emit, call_deadline, run_until
from rag.llm.errors import TRANSPORT_ERRORS, Endpoint, retry_after, retryable

PLACEHOLDER_API_KEY = "not-needed"
"""Sent when only a base URL is configured: local servers (Ollama, vLLM, llama.cpp) ignore it."""


class _Stopped(Exception):
    """The caller stopped waiting (its deadline passed); the worker ends quietly."""


class OpenAIChat:
    """A chat model at an OpenAI-compatible endpoint (``rag.llm.chat.ChatModel``)."""

    def __init__(self, settings: LLMSettings, client: openai.OpenAI | None = None) -> None:
        self.settings = settings
        self.name = settings.model
        self._client = client if client is not None else make_client(settings)
        self._endpoint = Endpoint(settings.model, str(self._client.base_url).rstrip("/"))

    def complete(self, messages: Sequence[Message], on_text: OnText | None = None) -> str:
        """The reply (a ``Reply``: ``truncated`` when the model hit its length limit); streamed
        to ``on_text`` when given. Ends by the call's deadline (``deadline_s``, or the enclosing
        ``one_deadline`` scope's when sooner). Raises GeneratorError."""
        deadline = call_deadline(self.settings.deadline_s)
        if deadline.passed:
            raise self._endpoint.late(deadline.seconds)

        def work(emit: Emit, stop: threading.Event) -> Reply:
            return self._attempts(messages, emit if on_text is not None else None, stop, deadline)

        return run_until(deadline, work, on_text, lambda: self._endpoint.late(deadline.seconds))

    # --- in the worker thread ----------------------------------------------------------------

    def _attempts(
        self,
        messages: Sequence[Message],
        emit: Emit | None,
        stop: threading.Event,
        deadline: Deadline,
    ) -> Reply:
        """The first good reply of up to ``1 + max_retries`` attempts, each with a timeout that
        ends by the deadline; no retry once text has streamed (it is already shown)."""
        attempt = 0
        while True:
            attempt += 1
            timeout = min(self.settings.timeout_s, deadline.remaining())
            if timeout <= 0 or stop.is_set():
                raise self._endpoint.late(deadline.seconds)
            streamed: list[str] = []
            try:
                if emit is None:
                    return self._create(messages, timeout)
                return self._stream(messages, emit, stop, timeout, streamed)
            except _Stopped:
                raise self._endpoint.late(deadline.seconds) from None
            except TRANSPORT_ERRORS as exc:
                if deadline.passed:
                    raise self._endpoint.late(deadline.seconds) from exc
                wait = retry_after(exc, attempt - 1)
                if (
                    attempt > self.settings.max_retries
                    or streamed
                    or not retryable(exc)
                    or wait >= deadline.remaining()
                ):
                    raise self._endpoint.describe(exc, attempt, timeout) from exc
                if stop.wait(wait):
                    raise self._endpoint.late(deadline.seconds) from exc

    def _create(self, messages: Sequence[Message], timeout: float) -> Reply:
        resp = self._client.chat.completions.create(
            model=self.settings.model,
            messages=_sdk(messages),
            temperature=self.settings.temperature,
            timeout=timeout,
        )
        if not isinstance(resp, ChatCompletion):  # the SDK hands back a non-JSON body as text
            raise self._endpoint.malformed(_kind(resp))
        choices = resp.choices
        if not isinstance(choices, list) or not choices:
            raise self._endpoint.malformed("no choices")
        choice = choices[0]
        message = getattr(choice, "message", None)
        if not isinstance(choice, Choice) or not isinstance(message, ChatCompletionMessage):
            raise self._endpoint.malformed("a choice without a message")
        content = message.content
        if content is not None and not isinstance(content, str):
            raise self._endpoint.malformed("content is not text")
        if not content or not content.strip():
            raise self._endpoint.empty()
        return Reply(content, truncated=getattr(choice, "finish_reason", None) == "length")

    def _stream(
        self,
        messages: Sequence[Message],
        emit: Emit,
        stop: threading.Event,
        timeout: float,
        parts: list[str],
    ) -> Reply:
        stream = self._client.chat.completions.create(
            model=self.settings.model,
            messages=_sdk(messages),
            temperature=self.settings.temperature,
            stream=True,
            timeout=timeout,
        )
        events = 0
        finish: str | None = None
        with stream:
            for chunk in stream:
                if stop.is_set():
                    raise _Stopped
                if not isinstance(chunk, ChatCompletionChunk):
                    raise self._endpoint.malformed("an event that is not a completion chunk")
                events += 1
                choices = chunk.choices
                if not isinstance(choices, list) or not choices:
                    continue
                choice = choices[0]
                finish = getattr(choice, "finish_reason", None) or finish
                delta = getattr(getattr(choice, "delta", None), "content", None)
                if isinstance(delta, str) and delta:
                    parts.append(delta)
                    emit(delta)
        if not events:
            raise self._endpoint.malformed("no completion events in the stream")
        text = "".join(parts)
        if not text.strip():
            raise self._endpoint.empty()
        return Reply(text, truncated=finish == "length")


def _kind(body: object) -> str:
    """What a body that is not a chat completion looks like, for the message."""
    if isinstance(body, str):
        return "an HTML page" if body.lstrip().startswith("<") else "plain text"
    return f"JSON {type(body).__name__}"


def _sdk(messages: Sequence[Message]) -> list[ChatCompletionMessageParam]:
    return cast(list[ChatCompletionMessageParam], [dict(m) for m in messages])


def make_client(settings: LLMSettings) -> openai.OpenAI:
    """The SDK's client for ``settings``; its own retries are off (``OpenAIChat`` retries inside
    the deadline). Raises ConfigError when no endpoint is configured."""
    if settings.api_key is not None:
        api_key = settings.api_key.get_secret_value()
    elif settings.base_url is not None:
        api_key = PLACEHOLDER_API_KEY
    else:
        raise ConfigError(NO_MODEL_HELP)
    return openai.OpenAI(
        api_key=api_key,
        base_url=settings.base_url,
        timeout=settings.timeout_s,
        max_retries=0,
    )


__all__ = ["PLACEHOLDER_API_KEY", "OpenAIChat", "make_client"]
