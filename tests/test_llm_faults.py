"""Model faults stay bounded and clean (issue 13, finding 8), against the real loopback server:
every malformed body (HTML with status 200, plain text, empty, JSON of another shape) is one
``GeneratorError``; a hanging or trickling server is cut at the deadline, retries included; and
answers, the judge and briefings all fall back offline the same way."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from index.embed import FakeEmbedder
from rag.answer.llm_draft import TRUNCATED_WARNING
from rag.config import LLMSettings
from rag.errors import GeneratorError
from rag.llm.deadline import one_deadline
from rag.llm.judge import LLMJudge
from rag.service import Dossier
from tests.conftest import make_settings
from tests.openai_server import FakeOpenAIServer, Reply
from tests.test_llm import GOOD, JUDGE_ITEMS, PASSAGES, QUESTION, _chat, _gen


@pytest.fixture
def srv() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as server:
        yield server


# 13 --- every malformed body is the same clean error (issue 13, finding 8) ----------------------

HTML_PAGE = "<!doctype html><html><body><h1>502 Bad Gateway</h1>nginx</body></html>"
MALFORMED = [
    pytest.param(Reply(raw_body=HTML_PAGE, content_type="text/html"), id="html-200"),
    pytest.param(Reply(raw_body=HTML_PAGE), id="html-as-json"),
    pytest.param(Reply(raw_body="model overloaded", content_type="text/plain"), id="text"),
    pytest.param(Reply(raw_body=""), id="empty-body"),
    pytest.param(Reply(raw_body="{not json"), id="broken-json"),
    pytest.param(Reply(raw_body='{"unexpected": 1}'), id="wrong-shape"),
    pytest.param(Reply(raw_body='{"choices": []}'), id="no-choices"),
    pytest.param(Reply(raw_body='{"choices": ["x"]}'), id="choice-not-object"),
    pytest.param(Reply(raw_body="[1, 2]"), id="array"),
    pytest.param(Reply(raw_body='"a string"'), id="json-string"),
]


@pytest.mark.parametrize("reply", MALFORMED)
def test_every_malformed_body_is_one_generator_error(srv: FakeOpenAIServer, reply: Reply) -> None:
    srv.push(reply)
    with pytest.raises(GeneratorError, match="sent a malformed response") as info:
        _gen(srv).draft(QUESTION, PASSAGES)
    assert "DOSSIER_LLM__BASE_URL" in str(info.value)


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param(Reply(raw_body=HTML_PAGE, content_type="text/html"), id="html-200"),
        pytest.param(Reply(raw_body="model overloaded\n\n"), id="text"),
        pytest.param(Reply(raw_body="data: [1, 2]\n\ndata: [DONE]\n\n"), id="wrong-events"),
    ],
)
def test_malformed_streams_are_the_same_error(srv: FakeOpenAIServer, reply: Reply) -> None:
    srv.push(reply)
    with pytest.raises(GeneratorError, match="sent a malformed response"):
        _gen(srv).draft(QUESTION, PASSAGES, on_text=lambda _d: None)


@pytest.mark.parametrize("reply", MALFORMED[:3])
def test_judge_survives_a_malformed_body(srv: FakeOpenAIServer, reply: Reply) -> None:
    srv.push(reply)
    assert LLMJudge(_chat(srv))(JUDGE_ITEMS) == [None, None]


def test_length_limit_is_a_warning(srv: FakeOpenAIServer) -> None:
    srv.push(Reply("Putin accepted the invitation [1]. He will", finish_reason="length"))
    draft = _gen(srv).draft(QUESTION, PASSAGES)
    assert draft.warnings == [TRUNCATED_WARNING]


# 14 --- deadlines: one per call and one per question, retries and streaming included --------------


def test_hanging_server_is_cut_at_the_deadline(srv: FakeOpenAIServer) -> None:
    # Without the deadline: 3 attempts of 5 s each.
    srv.push(*[Reply(GOOD, delay_s=10)] * 3)
    chat = _chat(srv, timeout_s=5, max_retries=2, deadline_s=0.8)
    started = time.monotonic()
    with pytest.raises(GeneratorError, match=r"timed out: no complete answer within the 0\.8 s"):
        chat.complete([{"role": "user", "content": "hi"}])
    assert time.monotonic() - started < 1.5
    assert len(srv.requests) == 1


def test_trickling_stream_is_cut_at_the_deadline(srv: FakeOpenAIServer) -> None:
    # Every gap (0.4 s) is well inside the 5 s timeout; the whole answer would take 4 s.
    srv.push(Reply(GOOD, stream_chunk_chars=12, chunk_delay_s=0.4))
    pieces: list[str] = []
    chat = _chat(srv, timeout_s=5, deadline_s=1.2)
    started = time.monotonic()
    with pytest.raises(GeneratorError, match="DOSSIER_LLM__DEADLINE_S"):
        chat.complete([{"role": "user", "content": "hi"}], on_text=pieces.append)
    assert time.monotonic() - started < 1.8
    assert pieces and "".join(pieces) != GOOD  # some text arrived, then the call was cut


def test_retries_stay_inside_the_deadline(srv: FakeOpenAIServer) -> None:
    srv.push(*[Reply(status=429, retry_after=5)] * 4)
    chat = _chat(srv, max_retries=3, deadline_s=1)
    started = time.monotonic()
    with pytest.raises(GeneratorError, match="Rate-limited"):
        chat.complete([{"role": "user", "content": "hi"}])
    assert time.monotonic() - started < 0.8  # a 5 s Retry-After does not fit: no retry
    assert len(srv.requests) == 1


def test_a_timed_out_attempt_is_retried_within_the_deadline(srv: FakeOpenAIServer) -> None:
    srv.push(Reply(GOOD, delay_s=2), GOOD)
    chat = _chat(srv, timeout_s=0.3, max_retries=1, deadline_s=5)
    assert chat.complete([{"role": "user", "content": "hi"}]) == GOOD
    assert len(srv.requests) == 2


def test_one_deadline_for_all_the_calls_of_a_question(srv: FakeOpenAIServer) -> None:
    srv.push(Reply("first", delay_s=0.6), Reply("second", delay_s=0.6))
    chat = _chat(srv, timeout_s=5, deadline_s=30)
    started = time.monotonic()
    with one_deadline(1.0):
        assert chat.complete([{"role": "user", "content": "1"}]) == "first"
        with pytest.raises(GeneratorError, match="within the 1 s deadline"):
            chat.complete([{"role": "user", "content": "2"}])
    assert time.monotonic() - started < 1.5
    srv.push("third")  # outside the scope each call has its own deadline again
    assert chat.complete([{"role": "user", "content": "3"}]) == "third"


def test_streamed_text_reaches_the_callers_thread(srv: FakeOpenAIServer) -> None:
    srv.push(Reply(GOOD, stream_chunk_chars=7))
    threads: set[int] = set()
    _chat(srv).complete(
        [{"role": "user", "content": "hi"}], lambda _t: threads.add(threading.get_ident())
    )
    assert threads == {threading.get_ident()}  # a Streamlit callback runs where it expects


# 15 --- the same clean fallback for answers, judge and briefing (issue 13, finding 8) ------------


@pytest.fixture
def dossier(tmp_path: Path, sample_copy: Path) -> Iterator[tuple[Dossier, FakeOpenAIServer]]:
    with FakeOpenAIServer() as server:
        llm = LLMSettings(
            model="fake-model", base_url=server.base_url, max_retries=2, timeout_s=5, deadline_s=1
        )
        d = Dossier(make_settings(tmp_path / "d").model_copy(update={"llm": llm}), FakeEmbedder())
        d.ingest(sample_copy)
        yield d, server


ASK = "When will Putin visit North Korea June 18-19"
HTML_200 = Reply(raw_body=HTML_PAGE, content_type="text/html")


def test_an_html_answer_falls_back_offline(dossier: tuple[Dossier, FakeOpenAIServer]) -> None:
    d, srv = dossier
    srv.push(HTML_200)
    a = d.ask(ASK)
    assert a.generator == "extractive" and not a.refused
    assert "malformed response (an HTML page)" in a.warnings[0]
    assert "answered offline instead" in a.warnings[0]
    assert len(srv.requests) == 1  # a malformed body is not retried


def test_an_html_judge_reply_keeps_the_offline_verdicts(
    dossier: tuple[Dossier, FakeOpenAIServer],
) -> None:
    d, srv = dossier
    n = next(i for i, p in enumerate(d.search(ASK), 1) if "June 18-19" in p.text)
    srv.push(f"Putin will visit North Korea on June 18-19 [{n}].", HTML_200)
    a = d.ask(ASK)
    assert a.generator == "fake-model"
    assert [c.supported for c in a.claims] == [True]
    assert len(srv.requests) == 2  # the judge was asked, and its page ignored


def test_an_html_briefing_falls_back_offline(dossier: tuple[Dossier, FakeOpenAIServer]) -> None:
    d, srv = dossier
    srv.push(HTML_200)
    b = d.brief(save=False)
    assert b.generator == "extractive" and b.summary
    assert "malformed response" in b.warnings[0] and "offline instead" in b.warnings[0]


def test_a_hanging_server_costs_one_deadline_per_question(
    dossier: tuple[Dossier, FakeOpenAIServer],
) -> None:
    d, srv = dossier
    srv.default = Reply("too late", delay_s=10)
    started = time.monotonic()
    a = d.ask("and when did he go there?", history=["When did Kim visit Russia?"])
    assert time.monotonic() - started < 2.0  # rewrite + draft inside the 1 s deadline
    assert a.generator == "extractive" and "DOSSIER_LLM__DEADLINE_S" in a.warnings[0]


def test_a_trickling_stream_is_cut_and_answered_offline(
    dossier: tuple[Dossier, FakeOpenAIServer],
) -> None:
    d, srv = dossier
    srv.push(Reply(GOOD * 4, stream_chunk_chars=10, chunk_delay_s=0.3))
    pieces: list[str] = []
    started = time.monotonic()
    a = d.ask(ASK, on_text=pieces.append)
    assert time.monotonic() - started < 2.0
    assert a.generator == "extractive" and "timed out" in a.warnings[0]
    assert "(The model failed; answering offline instead.)" in "".join(pieces)
