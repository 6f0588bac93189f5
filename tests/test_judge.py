"""The one judge step (``rag.llm.judge``): a claim is verified only when the offline evidence
check passes, and the model's judge can lower a verdict, never raise one (issue 13, finding 1).

Unit tests drive it with the fake chat model; the end-to-end tests run ``dossier ask --json`` and
a briefing against the real loopback OpenAI-protocol server, whose judge says "supported" to
everything."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from index.embed import FakeEmbedder
from rag.answer.verify import Verifier
from rag.brief.llm_items import write_sections
from rag.config import Settings
from rag.errors import GeneratorError
from rag.llm.judge import LOWERED_SCORE, Check, LLMJudge, judge_checks, parse_verdicts, verified
from rag.records import Passage
from rag.service import Dossier
from tests.fakes import FakeChat
from tests.openai_server import FakeOpenAIServer

ALL_YES = json.dumps([{"i": i, "supported": True} for i in range(10)])
ANTARCTICA = "Putin will visit Antarctica in 2030 with 5,000 penguins."
QUESTION = "When will Putin visit North Korea June 18-19"


# --- the step itself ------------------------------------------------------------------------------


def _checks() -> list[Check]:
    return [
        Check("Putin accepted the invitation.", "Putin accepted the invitation.", True, 0.8),
        Check(ANTARCTICA, "Putin accepted the invitation.", False, 0.22),
        Check("Kim met Putin.", "Kim met Putin in Vladivostok.", True, 0.7),
        Check("An uncited claim.", "", False, 0.0),
    ]


def test_the_judge_never_raises_a_verdict() -> None:
    chat = FakeChat(ALL_YES)
    out = judge_checks(_checks(), LLMJudge(chat))
    assert [c.supported for c in out] == [True, False, True, False]
    assert [c.score for c in out] == [0.8, 0.22, 0.7, 0.0]  # a "yes" is not a 0.9
    asked = chat.history[0][1]["content"]
    assert "Putin accepted the invitation." in asked and "Kim met Putin." in asked
    assert "Antarctica" not in asked and "uncited" not in asked  # never put to the judge


def test_the_judge_lowers_a_verdict() -> None:
    chat = FakeChat('[{"i": 0, "supported": true}, {"i": 1, "supported": false}]')
    out = judge_checks(_checks(), LLMJudge(chat))
    assert [c.supported for c in out] == [True, False, False, False]
    assert out[2].score == LOWERED_SCORE


def test_nothing_verified_offline_costs_no_call() -> None:
    chat = FakeChat()
    checks = [c for c in _checks() if not c.supported]
    assert judge_checks(checks, LLMJudge(chat)) == checks
    assert chat.history == []


@pytest.mark.parametrize("reply", [GeneratorError("down"), "I think so.", '[{"i": 0}]'])
def test_a_failed_or_unusable_judge_keeps_the_offline_verdicts(reply: Any) -> None:
    assert judge_checks(_checks(), LLMJudge(FakeChat(reply))) == _checks()


def test_parse_verdicts() -> None:
    assert parse_verdicts("[true, false]", 2) == [True, False]
    assert parse_verdicts('```json\n[{"i": 1, "supported": false}]\n```', 2) == [None, False]
    assert parse_verdicts('[{"i": 5, "supported": true}, {"i": 0, "supported": 1}]', 2) == [
        None,
        None,
    ]


@dataclass(frozen=True)
class _Support:
    score: float
    figures_ok: bool


def test_verified_needs_the_figures_and_the_threshold() -> None:
    assert verified(_Support(0.6, True), 0.5)
    assert not verified(_Support(0.4, True), 0.5)
    assert not verified(_Support(1.0, False), 0.5)  # a missing figure is never verified


# --- answers: `dossier ask --json` against the loopback server ------------------------------------


@pytest.fixture
def cli_env(tmp_path: Path, sample_copy: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    from rag.cli import main

    with FakeOpenAIServer() as srv:
        monkeypatch.setenv("DOSSIER_DATA_DIR", str(tmp_path / "data"))
        monkeypatch.setenv("DOSSIER_INDEX__EMBEDDER", "fake")
        monkeypatch.setenv("OPENAI_BASE_URL", srv.base_url)
        monkeypatch.setenv("DOSSIER_LLM__MODEL", "fake-model")
        monkeypatch.setenv("DOSSIER_LLM__MAX_RETRIES", "0")
        assert main(["ingest", str(sample_copy), "--quiet"]) == 0
        yield srv, main


def _ids(question: str) -> tuple[int, int]:
    """(a passage holding "June 18-19", one that does not) as the model will see them."""
    passages = Dossier(Settings()).search(question)
    holds = next(i for i, p in enumerate(passages, 1) if "June 18-19" in p.text)
    lacks = next(i for i, p in enumerate(passages, 1) if "June" not in p.text)
    return holds, lacks


def test_a_fabricated_claim_is_not_verified_whatever_the_judge_says(
    cli_env: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    srv, main = cli_env
    n, m = _ids(QUESTION)
    srv.push(
        f"Putin will visit North Korea on June 18-19 [{n}]. {ANTARCTICA[:-1]} [{n}]. "
        f"Kim Jong Un will host Putin on June 18-19 [{m}].",
        ALL_YES,
    )
    capsys.readouterr()
    assert main(["ask", QUESTION, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["generator"] == "fake-model" and not out["refused"]
    good, penguins, misattributed = out["claims"]
    assert good["supported"] is True
    assert penguins["supported"] is False and penguins["score"] < 0.5
    assert misattributed["supported"] is False and misattributed["score"] < 0.5
    judged = srv.requests[1]["messages"][1]["content"]
    assert "June 18-19" in judged and "Antarctica" not in judged and "host" not in judged


def test_the_judge_can_flag_a_claim_the_offline_check_passed(
    cli_env: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    srv, main = cli_env
    n, _ = _ids(QUESTION)
    srv.push(f"Putin will visit North Korea on June 18-19 [{n}].", "[false]")
    capsys.readouterr()
    assert main(["ask", QUESTION, "--json"]) == 0
    (claim,) = json.loads(capsys.readouterr().out)["claims"]
    assert claim["supported"] is False and claim["score"] <= LOWERED_SCORE


# --- briefings: the same step ---------------------------------------------------------------------

BRIEF_PASSAGES = [
    Passage(id="a.txt#0", file="a.txt", start=0, end=60, score=1.0, published="2024-06-17",
            text="Putin will visit North Korea on June 18-19, the Kremlin said."),
    Passage(id="b.txt#0", file="b.txt", start=0, end=50, score=1.0, published="2023-09-14",
            text="Putin accepted Kim Jong Un's invitation to visit."),
]  # fmt: skip


def _brief(*items: tuple[str, list[Any]]) -> str:
    return json.dumps({"summary": [{"text": t, "cite": c} for t, c in items]})


def test_briefing_items_get_the_same_judge_step() -> None:
    chat = FakeChat(
        _brief(
            ("Putin will visit North Korea on June 18-19.", [1]),
            (ANTARCTICA, [1]),
            ("Putin accepted Kim Jong Un's invitation.", ["[2]", 7]),
        ),
        ALL_YES,
    )
    verifier = Verifier(FakeEmbedder(), 0.5)
    sections, invalid = write_sections(chat, verifier, BRIEF_PASSAGES, "everything")
    good, penguins, accepted = sections.summary
    assert good.supported and accepted.supported
    assert not penguins.supported and penguins.score < 0.5
    assert invalid == ["7"]  # kept and counted, never attached
    assert [c.file for c in accepted.citations] == ["b.txt"]
    assert len(chat.history) == 2 and "Antarctica" not in chat.history[1][1]["content"]


def test_briefing_judge_lowers_and_can_be_off() -> None:
    verifier = Verifier(FakeEmbedder(), 0.5)
    reply = _brief(("Putin will visit North Korea on June 18-19.", [1]))
    chat = FakeChat(reply, "[false]")
    (item,) = write_sections(chat, verifier, BRIEF_PASSAGES, "everything")[0].summary
    assert not item.supported and item.score <= LOWERED_SCORE
    chat = FakeChat(reply)
    (item,) = write_sections(chat, verifier, BRIEF_PASSAGES, "x", judge=False)[0].summary
    assert item.supported and len(chat.history) == 1


def test_a_briefing_that_is_not_json_is_a_generator_error() -> None:
    with pytest.raises(GeneratorError, match="briefing was not the JSON asked for"):
        write_sections(FakeChat("Here is your briefing!"), Verifier(FakeEmbedder()), BRIEF_PASSAGES,
                       "x")  # fmt: skip
