"""A real HTTP server on 127.0.0.1 that speaks OpenAI's chat-completions protocol, for tests.

Tests of the LLM path point the real ``openai`` SDK (or any OpenAI-compatible client) at
:attr:`FakeOpenAIServer.base_url`; nothing in the client is patched. Standard library only.

Usage::

    with FakeOpenAIServer(["first answer", Reply(status=429, retry_after=0.01), "second"]) as srv:
        client = openai.OpenAI(base_url=srv.base_url, api_key="test-key", max_retries=1)
        ...
        assert srv.requests[0]["messages"][0]["role"] == "system"
        assert srv.request_headers[0]["authorization"] == "Bearer test-key"

Scripted replies
    Every ``POST .../chat/completions`` takes the next reply from the queue (given to the
    constructor or added with :meth:`FakeOpenAIServer.push`; a ``str`` means
    ``Reply(content=str)``). When the queue is empty the ``default`` reply is used, or, if there
    is none, a 500 error whose message is ``"no scripted reply"``.

    Each HTTP request consumes one reply, **including every retry the SDK makes**: a 429 (or
    500) followed by a good reply tests that the client retries and then succeeds. The SDK
    retries 408, 409, 429 and >= 500 by default (``max_retries=2``), so a test of a single
    error should build its client with ``max_retries=0`` or script one error per attempt.
    Give 429s a small ``retry_after`` (e.g. 0.01): the SDK honours ``Retry-After`` and
    otherwise backs off for about half a second. A request that times out in the client
    still consumed its reply (the server takes the reply, then sleeps ``delay_s``).

What is recorded
    :attr:`FakeOpenAIServer.requests` holds every chat-completions JSON request body (a
    ``dict``), in arrival order. :attr:`FakeOpenAIServer.request_headers` is parallel to it (same
    index): each entry a ``dict`` of that request's headers with **lower-cased** names, e.g.
    ``srv.request_headers[0]["authorization"] == "Bearer test-key"``. A body that is not a JSON
    object is recorded as ``{"_invalid_json": <text>}``, answered 400, and consumes no reply.
    Both lists are appended under a lock; read them after the client call returns (or use
    :meth:`FakeOpenAIServer.snapshot`).

Other endpoints
    ``GET .../models`` lists one model, ``"fake-model"``; ``GET .../models/<id>`` describes it.
    Neither is recorded nor consumes a reply. Anything else is a 404 in OpenAI's error shape.
    Paths are accepted with or without the ``/v1`` prefix.

Responses
    Non-streaming: a ``chat.completion`` object (``model`` is the request's model unless
    ``Reply.model`` overrides it; ``usage`` counts are rough, ``len(text) // 4``). When the
    request has ``"stream": true``: ``text/event-stream`` with HTTP/1.1 chunked transfer
    encoding, one ``data: {chat.completion.chunk}`` event per chunk, flushed one at a time: the
    role delta, the content in ``stream_chunk_chars``-sized deltas, a final empty delta with
    ``finish_reason``, a usage chunk with empty ``choices`` if ``stream_options.include_usage``,
    then ``data: [DONE]``. A reply with ``status != 200`` is always a plain JSON error body
    ``{"error": {"message", "type", "param", "code"}}`` (``Reply.content`` is the message when
    given), with ``Retry-After`` when ``retry_after`` is set. ``raw_body`` is sent verbatim with
    the reply's status, as ``Reply.content_type`` when given (``"text/html"`` for a proxy's
    error page), else ``application/json`` (or ``text/event-stream`` for a streaming request).
    ``delay_s`` is slept before the first byte of any response; ``chunk_delay_s`` before each
    streamed event after the first (a server that trickles its answer).

Clients that disconnect (for instance after a client-side timeout) are handled quietly, and the
default request logging is silenced.
"""

from __future__ import annotations

import contextlib
import json
import socket
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from tests.openai_payloads import (
    _DEFAULT_ERROR_MESSAGES,
    _ERROR_KINDS,
    FAKE_MODEL,
    Reply,
    _as_reply,
    _chunks,
    _completion,
    _format_seconds,
    _model_object,
    _reply_model,
    _usage,
)

__all__ = ["FAKE_MODEL", "FakeOpenAIServer", "Reply"]

# Errors that mean "the client went away"; swallowed quietly.
_DISCONNECT_ERRORS: tuple[type[BaseException], ...] = (
    BrokenPipeError,
    ConnectionResetError,
    ConnectionAbortedError,
    TimeoutError,
)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, owner: FakeOpenAIServer) -> None:
        self.owner = owner
        super().__init__(("127.0.0.1", 0), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Stay quiet about clients that went away; report anything else as usual.
        exc = sys.exc_info()[1]
        if isinstance(exc, _DISCONNECT_ERRORS) or self.owner.stopping:
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the SDK's httpx client expects
    server_version = "FakeOpenAI/1.0"
    sys_version = ""
    server: _Server

    # --- plumbing -------------------------------------------------------------------------

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; without TCP_NODELAY, Nagle's algorithm and
        # the client's delayed ACK add ~40 ms to every response.
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.owner._register_connection(self.connection)

    def finish(self) -> None:
        with contextlib.suppress(*_DISCONNECT_ERRORS, OSError, ValueError):
            super().finish()
        self.server.owner._unregister_connection(self.connection)

    def handle(self) -> None:
        with contextlib.suppress(*_DISCONNECT_ERRORS):
            super().handle()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # silence the default per-request logging

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = bytearray()
            while True:
                size_line = self.rfile.readline()
                size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    # trailers, up to the blank line
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return bytes(data)
                data += self.rfile.read(size)
                self.rfile.readline()  # CRLF after each chunk
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str = "application/json",
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-request-id", f"req_{uuid.uuid4().hex}")
        for name, value in (extra_headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def _send_json(self, status: int, payload: object, extra: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(payload).encode("utf-8"), extra_headers=extra)

    def _send_error(
        self, status: int, message: str, extra_headers: dict[str, str] | None = None
    ) -> None:
        err_type, code = _ERROR_KINDS.get(
            status, ("server_error" if status >= 500 else "invalid_request_error", None)
        )
        payload = {"error": {"message": message, "type": err_type, "param": None, "code": code}}
        self._send_json(status, payload, extra_headers)

    def _route(self) -> str:
        path = self.path.split("?", 1)[0].rstrip("/")
        if path.startswith("/v1/"):
            path = path[3:]
        return path

    # --- endpoints ------------------------------------------------------------------------

    def do_GET(self) -> None:
        path = self._route()
        if path == "/models":
            self._send_json(200, {"object": "list", "data": [_model_object(FAKE_MODEL)]})
        elif path.startswith("/models/"):
            self._send_json(200, _model_object(path[len("/models/") :]))
        else:
            self._send_error(404, f"Unknown path {self.path}")

    def do_POST(self) -> None:
        path = self._route()
        raw = self._read_body()
        if path != "/chat/completions":
            self._send_error(404, f"Unknown path {self.path}")
            return
        owner = self.server.owner
        headers = {name.lower(): value for name, value in self.headers.items()}
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            body = None
        if not isinstance(body, dict):
            owner._record({"_invalid_json": raw.decode("utf-8", "replace")}, headers)
            self._send_error(400, "We could not parse the JSON body of your request.")
            return
        reply = owner._take_reply(body, headers)

        if reply.delay_s > 0 and owner._stop_event.wait(reply.delay_s):
            return  # server stopping: drop the request without answering

        stream = body.get("stream") is True
        retry = (
            {"Retry-After": _format_seconds(reply.retry_after)}
            if reply.retry_after is not None
            else {}
        )
        if reply.raw_body is not None:
            content_type = reply.content_type or (
                "text/event-stream" if stream else "application/json"
            )
            self._send(reply.status, reply.raw_body.encode("utf-8"), content_type, retry)
        elif reply.status != 200:
            message = reply.content or _DEFAULT_ERROR_MESSAGES.get(
                reply.status, f"Scripted error {reply.status}."
            )
            self._send_error(reply.status, message, retry)
        elif stream:
            self._stream(body, reply)
        else:
            self._send_json(200, _completion(body, reply))

    def _stream(self, body: dict[str, Any], reply: Reply) -> None:
        options = body.get("stream_options")
        include_usage = isinstance(options, dict) and options.get("include_usage") is True
        completion_id = f"chatcmpl-{uuid.uuid4().hex[:24]}"
        created = int(time.time())
        model = _reply_model(body, reply)

        def chunk(delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
            out: dict[str, Any] = {
                "id": completion_id,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "system_fingerprint": None,
                "choices": [
                    {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
                ],
            }
            if include_usage:
                out["usage"] = None
            return out

        events: list[dict[str, Any]] = [chunk({"role": "assistant", "content": ""}, None)]
        events += [
            chunk({"content": piece}, None)
            for piece in _chunks(reply.content, reply.stream_chunk_chars)
        ]
        events.append(chunk({}, reply.finish_reason))
        if include_usage:
            final = chunk({}, None)
            final["choices"] = []
            final["usage"] = _usage(body, reply)
            events.append(final)

        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("x-request-id", f"req_{uuid.uuid4().hex}")
        self.end_headers()
        self.wfile.flush()
        for n, event in enumerate(events):
            if (
                n
                and reply.chunk_delay_s > 0
                and self.server.owner._stop_event.wait(reply.chunk_delay_s)
            ):
                return  # server stopping
            self._write_chunk(f"data: {json.dumps(event)}\n\n".encode())
        self._write_chunk(b"data: [DONE]\n\n")
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode("ascii") + data + b"\r\n")
        self.wfile.flush()


class FakeOpenAIServer:
    """A scripted OpenAI-compatible chat-completions server on 127.0.0.1 (a free port).

    See the module docstring for the protocol, what is recorded and how retries consume replies.
    """

    def __init__(
        self, replies: Iterable[Reply | str] = (), default: Reply | str | None = None
    ) -> None:
        self._lock = threading.Lock()
        self._queue: deque[Reply] = deque(_as_reply(r) for r in replies)
        self.default: Reply | None = None if default is None else _as_reply(default)
        self.requests: list[dict[str, Any]] = []
        self.request_headers: list[dict[str, str]] = []
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stop_event = threading.Event()
        self._connections: set[socket.socket] = set()
        self.stopping = False

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> FakeOpenAIServer:
        if self._server is not None:
            return self
        self._stop_event.clear()
        self.stopping = False
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"FakeOpenAIServer:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        self.stopping = True
        self._stop_event.set()  # wake handlers sleeping in delay_s
        server.shutdown()
        server.server_close()
        with self._lock:
            connections = list(self._connections)
            self._connections.clear()
        for conn in connections:  # end keep-alive connections still held by clients
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if thread is not None:
            thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- public API -----------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeOpenAIServer is not started")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/v1`` — pass as the client's ``base_url``."""
        return f"http://127.0.0.1:{self.port}/v1"

    def push(self, *replies: Reply | str) -> None:
        """Queue more replies (a ``str`` means ``Reply(content=str)``)."""
        converted = [_as_reply(r) for r in replies]
        with self._lock:
            self._queue.extend(converted)

    @property
    def pending(self) -> int:
        """How many scripted replies have not been consumed yet."""
        with self._lock:
            return len(self._queue)

    def snapshot(self) -> list[tuple[dict[str, Any], dict[str, str]]]:
        """A consistent copy of ``(body, headers)`` pairs received so far."""
        with self._lock:
            return list(zip(self.requests, self.request_headers, strict=True))

    # --- called from handler threads ------------------------------------------------------

    def _record(self, body: dict[str, Any], headers: dict[str, str]) -> None:
        with self._lock:
            self.requests.append(body)
            self.request_headers.append(headers)

    def _take_reply(self, body: dict[str, Any], headers: dict[str, str]) -> Reply:
        with self._lock:
            self.requests.append(body)
            self.request_headers.append(headers)
            if self._queue:
                return self._queue.popleft()
        if self.default is not None:
            return self.default
        return Reply(content="no scripted reply", status=500)

    def _register_connection(self, conn: socket.socket) -> None:
        with self._lock:
            self._connections.add(conn)

    def _unregister_connection(self, conn: socket.socket) -> None:
        with self._lock:
            self._connections.discard(conn)
