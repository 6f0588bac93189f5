"""The scripted replies of ``tests.openai_server`` and the OpenAI-shaped bodies built from them
(completions, usage, errors, models). Standard library only."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

FAKE_MODEL = "fake-model"

# (type, code) per status, as OpenAI's API spells them.
_ERROR_KINDS: dict[int, tuple[str, str | None]] = {
    400: ("invalid_request_error", None),
    401: ("invalid_request_error", "invalid_api_key"),
    403: ("invalid_request_error", "unsupported_country_region_territory"),
    404: ("invalid_request_error", "model_not_found"),
    408: ("timeout", "request_timeout"),
    409: ("invalid_request_error", "conflict"),
    422: ("invalid_request_error", None),
    429: ("requests", "rate_limit_exceeded"),
    500: ("server_error", None),
    502: ("server_error", "bad_gateway"),
    503: ("server_error", "service_unavailable"),
}

_DEFAULT_ERROR_MESSAGES: dict[int, str] = {
    400: "Bad request (scripted).",
    401: "Incorrect API key provided (scripted).",
    404: "The model does not exist (scripted).",
    429: "Rate limit reached (scripted).",
    500: "The server had an error while processing your request (scripted).",
    503: "The engine is currently overloaded (scripted).",
}


@dataclass
class Reply:
    """One scripted answer to one chat-completions request."""

    content: str = ""  # assistant message content (the error message when status != 200)
    status: int = 200  # HTTP status; e.g. 429 (with retry_after), 500, 400
    delay_s: float = 0.0  # sleep before the first byte (to trigger client timeouts)
    raw_body: str | None = None  # if set, send this body verbatim (malformed JSON etc.)
    retry_after: float | None = None  # Retry-After header (seconds), typically for 429s
    stream_chunk_chars: int = 8  # content characters per SSE delta when stream=true (<= 0: one)
    finish_reason: str = "stop"
    model: str | None = None  # echoed model override (default: the request's model)
    content_type: str | None = None  # Content-Type for raw_body (e.g. "text/html")
    chunk_delay_s: float = 0.0  # sleep before each SSE event after the first (a trickling server)


def _as_reply(reply: Reply | str) -> Reply:
    if isinstance(reply, Reply):
        return reply
    if isinstance(reply, str):
        return Reply(content=reply)
    raise TypeError(f"expected Reply or str, got {type(reply).__name__}")


def _rough_tokens(text: str) -> int:
    return len(text) // 4


def _message_text(messages: object) -> str:
    """All text in a request's messages (string contents and text parts), for usage counts."""
    if not isinstance(messages, list):
        return ""
    parts: list[str] = []
    for message in messages:
        if not isinstance(message, dict):
            continue
        content = message.get("content")
        if isinstance(content, str):
            parts.append(content)
        elif isinstance(content, list):
            for part in content:
                if isinstance(part, dict) and isinstance(part.get("text"), str):
                    parts.append(part["text"])
    return "".join(parts)


def _format_seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _chunks(text: str, size: int) -> Iterator[str]:
    if size <= 0:
        if text:
            yield text
        return
    for start in range(0, len(text), size):
        yield text[start : start + size]


def _model_object(model_id: str) -> dict[str, Any]:
    return {
        "id": model_id,
        "object": "model",
        "created": 1_700_000_000,
        "owned_by": "dossier-tests",
    }


def _reply_model(body: dict[str, Any], reply: Reply) -> str:
    if reply.model is not None:
        return reply.model
    model = body.get("model")
    return model if isinstance(model, str) and model else FAKE_MODEL


def _usage(body: dict[str, Any], reply: Reply) -> dict[str, int]:
    prompt = _rough_tokens(_message_text(body.get("messages")))
    completion = _rough_tokens(reply.content)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def _completion(body: dict[str, Any], reply: Reply) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": _reply_model(body, reply),
        "system_fingerprint": None,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": reply.content, "refusal": None},
                "logprobs": None,
                "finish_reason": reply.finish_reason,
            }
        ],
        "usage": _usage(body, reply),
    }
