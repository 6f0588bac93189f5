"""The fake OpenAI server, driven by the real ``openai`` SDK over real HTTP (nothing patched)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any

import openai
import pytest

from tests.openai_server import FAKE_MODEL, FakeOpenAIServer, Reply

MESSAGES: list[Any] = [
    {"role": "system", "content": "You answer from the sources only."},
    {"role": "user", "content": "Who won the election?"},
]


def _client(srv: FakeOpenAIServer, *, max_retries: int = 0, timeout: float = 5.0) -> openai.OpenAI:
    return openai.OpenAI(
        base_url=srv.base_url, api_key="test-key", max_retries=max_retries, timeout=timeout
    )


def test_non_streaming_reply_and_recorded_request() -> None:
    with FakeOpenAIServer(["The incumbent won [1]."]) as srv:
        client = _client(srv)
        resp = client.chat.completions.create(model="gpt-test", messages=MESSAGES, temperature=0)

        assert resp.object == "chat.completion"
        assert resp.model == "gpt-test"
        assert resp.choices[0].message.role == "assistant"
        assert resp.choices[0].message.content == "The incumbent won [1]."
        assert resp.choices[0].finish_reason == "stop"
        assert resp.usage is not None
        assert resp.usage.completion_tokens == len("The incumbent won [1].") // 4
        assert resp.usage.total_tokens == resp.usage.prompt_tokens + resp.usage.completion_tokens

        assert len(srv.requests) == 1
        body = srv.requests[0]
        assert body["model"] == "gpt-test"
        assert body["messages"] == MESSAGES
        assert body["temperature"] == 0
        assert srv.request_headers[0]["authorization"] == "Bearer test-key"
        assert srv.snapshot() == [(body, srv.request_headers[0])]
        assert srv.pending == 0


def test_model_override_and_finish_reason() -> None:
    with FakeOpenAIServer([Reply("cut", model="other-model", finish_reason="length")]) as srv:
        resp = _client(srv).chat.completions.create(model="gpt-test", messages=MESSAGES)
        assert resp.model == "other-model"
        assert resp.choices[0].finish_reason == "length"


@pytest.mark.parametrize("include_usage", [False, True])
def test_streaming_reassembles_content(include_usage: bool) -> None:
    content = "Streaming answers arrive in small pieces [2]."
    with FakeOpenAIServer([Reply(content, stream_chunk_chars=5)]) as srv:
        client = _client(srv)
        extra: dict[str, Any] = {"stream_options": {"include_usage": True}} if include_usage else {}
        stream = client.chat.completions.create(
            model="gpt-test", messages=MESSAGES, stream=True, **extra
        )
        chunks = list(stream)

    assert srv.requests[0]["stream"] is True
    with_choices = [c for c in chunks if c.choices]
    assert with_choices[0].choices[0].delta.role == "assistant"
    assert all(c.object == "chat.completion.chunk" for c in chunks)
    assert all(c.model == "gpt-test" for c in chunks)
    assert len({c.id for c in chunks}) == 1
    text = "".join(c.choices[0].delta.content or "" for c in with_choices)
    assert text == content
    # one delta per 5 characters, plus the role chunk and the final chunk
    assert len(with_choices) == 2 + -(-len(content) // 5)
    assert with_choices[-1].choices[0].finish_reason == "stop"
    assert with_choices[-1].choices[0].delta.content is None
    assert all(c.choices[0].finish_reason is None for c in with_choices[:-1])
    if include_usage:
        assert chunks[-1].choices == []
        assert chunks[-1].usage is not None
        assert chunks[-1].usage.completion_tokens == len(content) // 4
    else:
        assert chunks[-1] is with_choices[-1]


def test_streaming_raw_sse_wire_format() -> None:
    with FakeOpenAIServer([Reply("abcdef", stream_chunk_chars=4)]) as srv:
        req = urllib.request.Request(
            f"{srv.base_url}/chat/completions",
            data=json.dumps({"model": "m", "messages": MESSAGES, "stream": True}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=5) as resp:
            assert resp.headers["Content-Type"].startswith("text/event-stream")
            raw = resp.read().decode()
    events = raw.split("\n\n")
    assert events[-1] == ""
    assert events[-2] == "data: [DONE]"
    payloads = [json.loads(e.removeprefix("data: ")) for e in events[:-2]]
    assert [p["choices"][0]["delta"] for p in payloads] == [
        {"role": "assistant", "content": ""},
        {"content": "abcd"},
        {"content": "ef"},
        {},
    ]


def test_429_then_success_is_retried() -> None:
    replies = [Reply(status=429, retry_after=0.01), Reply("after retry")]
    with FakeOpenAIServer(replies) as srv:
        resp = _client(srv, max_retries=1).chat.completions.create(
            model="gpt-test", messages=MESSAGES
        )
        assert resp.choices[0].message.content == "after retry"
        assert len(srv.requests) == 2
        assert srv.requests[0] == srv.requests[1]
        assert srv.pending == 0


def test_429_without_retries_raises_rate_limit_error() -> None:
    with FakeOpenAIServer([Reply(status=429, retry_after=3)]) as srv:
        with pytest.raises(openai.RateLimitError) as info:
            _client(srv).chat.completions.create(model="gpt-test", messages=MESSAGES)
        assert info.value.status_code == 429
        assert info.value.response.headers["retry-after"] == "3"
        assert info.value.code == "rate_limit_exceeded"


def test_timeout_then_server_still_serves() -> None:
    with FakeOpenAIServer([Reply("too late", delay_s=2), Reply("on time")]) as srv:
        client = _client(srv, timeout=0.5)
        started = time.monotonic()
        with pytest.raises(openai.APITimeoutError):
            client.chat.completions.create(model="gpt-test", messages=MESSAGES)
        assert time.monotonic() - started < 1.5
        resp = client.chat.completions.create(model="gpt-test", messages=MESSAGES)
        assert resp.choices[0].message.content == "on time"
        assert len(srv.requests) == 2


def test_malformed_json_body_raises_json_decode_error() -> None:
    # The SDK does not wrap a body that is not JSON at all: json.JSONDecodeError escapes.
    malformed = Reply(raw_body='{"id": "chatcmpl-1", "choices": [')
    with FakeOpenAIServer([malformed]) as srv, pytest.raises(json.JSONDecodeError):
        _client(srv).chat.completions.create(model="gpt-test", messages=MESSAGES)


def test_wrong_shape_json_raises_validation_error_when_strict() -> None:
    # Valid JSON of the wrong shape passes silently unless strict validation is on.
    with FakeOpenAIServer([Reply(raw_body='{"unexpected": 1}')] * 2) as srv:
        lax = _client(srv).chat.completions.create(model="gpt-test", messages=MESSAGES)
        assert lax.choices is None
        strict = openai.OpenAI(
            base_url=srv.base_url,
            api_key="test-key",
            max_retries=0,
            _strict_response_validation=True,
        )
        with pytest.raises(openai.APIResponseValidationError):
            strict.chat.completions.create(model="gpt-test", messages=MESSAGES)


def test_500_raises_internal_server_error() -> None:
    with FakeOpenAIServer([Reply("boom", status=500)]) as srv:
        with pytest.raises(openai.InternalServerError) as info:
            _client(srv).chat.completions.create(model="gpt-test", messages=MESSAGES)
        assert info.value.status_code == 500
        assert info.value.body == {
            "message": "boom",
            "type": "server_error",
            "param": None,
            "code": None,
        }


def test_400_raises_bad_request_error() -> None:
    with (
        FakeOpenAIServer([Reply("context too long", status=400)]) as srv,
        pytest.raises(openai.BadRequestError, match="context too long"),
    ):
        _client(srv).chat.completions.create(model="gpt-test", messages=MESSAGES)


def test_empty_queue_uses_default_or_500() -> None:
    with (
        FakeOpenAIServer() as srv,
        pytest.raises(openai.InternalServerError, match="no scripted reply"),
    ):
        _client(srv).chat.completions.create(model="gpt-test", messages=MESSAGES)
    with FakeOpenAIServer(["first"], default="fallback") as srv:
        client = _client(srv)
        answers = [
            client.chat.completions.create(model="m", messages=MESSAGES).choices[0].message.content
            for _ in range(3)
        ]
        assert answers == ["first", "fallback", "fallback"]


def test_push_queues_more_replies() -> None:
    with FakeOpenAIServer() as srv:
        srv.push("one", Reply("two"))
        assert srv.pending == 2
        client = _client(srv)
        got = [
            client.chat.completions.create(model="m", messages=MESSAGES).choices[0].message.content
            for _ in range(2)
        ]
        assert got == ["one", "two"]


def test_models_endpoint_and_unknown_path() -> None:
    with FakeOpenAIServer() as srv:
        models = _client(srv).models.list()
        assert [m.id for m in models.data] == [FAKE_MODEL]
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(f"{srv.base_url}/nope", timeout=5)
        assert info.value.code == 404
        assert srv.requests == []


def test_stop_is_idempotent_and_frees_the_port() -> None:
    srv = FakeOpenAIServer(["x"]).start()
    url = srv.base_url
    srv.stop()
    srv.stop()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"{url}/models", timeout=1)
