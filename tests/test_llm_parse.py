"""The one output parser (``rag.llm.parse``), the one citation resolver (``rag.llm.citations``)
and answer drafting over a fake chat model (``tests.fakes.FakeChat``): no HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from rag.answer.drafts import REFUSAL_TEXT
from rag.answer.llm_draft import TRUNCATED_WARNING, LLMGenerator, LLMRewriter, parse_draft
from rag.errors import GeneratorError
from rag.llm.chat import Reply
from rag.llm.citations import citation, resolve
from rag.llm.parse import cited_sentences, clean_prose, clean_reply, parse_json
from rag.records import Passage
from tests.fakes import FakeChat

PASSAGES = [
    Passage(id=f"a{i}.txt#0", file=f"a{i}.txt", start=10, end=10 + len(t), text=t, score=1.0)
    for i, t in enumerate(
        [
            "Putin accepted the invitation to visit North Korea.",
            "Kim Jong Un met Putin in Vladivostok on Wednesday.",
            "Shoigu visited Pyongyang in July.",
        ],
        1,
    )
]


# --- clean_reply / parse_json ------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        '{"a": 1}',
        '<think>the user wants JSON</think>{"a": 1}',
        '```json\n{"a": 1}\n```',
        '<THINK>hmm</THINK>\n```\n{"a": 1}\n```',
        'Here is the JSON you asked for:\n{"a": 1}\nHope it helps.',
    ],
)
def test_parse_json_finds_the_object(raw: str) -> None:
    class Shape(BaseModel):
        a: int

    assert parse_json(raw, Shape).a == 1


def test_an_unclosed_think_block_is_dropped() -> None:
    assert clean_reply("Answer [1].<think>and then I") == "Answer [1]."


@pytest.mark.parametrize("raw", ["", "no json here", "{broken", '{"a": "x"}', "[1, 2]"])
def test_parse_json_without_the_shape_is_a_generator_error(raw: str) -> None:
    class Shape(BaseModel):
        a: int

    with pytest.raises(GeneratorError, match="not the JSON asked for"):
        parse_json(raw, Shape, what="briefing")


def test_parse_json_validates_lists_too() -> None:
    assert parse_json("verdicts: [true, false]", list[bool]) == [True, False]


# --- the citation resolver -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "valid", "invalid"),
    [
        ([3], (3,), ()),
        (["[2]", "【1】"], (2, 1), ()),
        (["1-3"], (1, 2, 3), ()),
        (["1–2"], (1, 2), ()),
        (["2-5"], (2, 3), ("4", "5")),
        (["1-40"], (), ("1-40",)),
        (["1, 3"], (1, 3), ()),
        ([7, 0, "a", "Reuters", "source 3"], (), ("7", "0", "a", "Reuters", "source 3")),
        ([2, "2", "[2]"], (2,), ()),
        ([True, 1.0, None], (), ("True", "1.0", "None")),
        (["²"], (), ("²",)),
    ],
)
def test_resolve(written: list[Any], valid: tuple[int, ...], invalid: tuple[str, ...]) -> None:
    got = resolve(written, 3)
    assert got.passages == valid
    assert got.invalid == invalid


def test_citation_is_an_exact_span_of_the_passage() -> None:
    p = PASSAGES[1]
    c = citation(4, p, p.start + 10, p.start + 21)
    assert (c.id, c.file, c.quote, c.chunk_id) == (4, "a2.txt", p.text[10:21], p.id)


# --- prose answers -------------------------------------------------------------------------------


def test_cited_sentences_move_trailing_markers_to_their_sentence() -> None:
    text = clean_prose("**Kim** met Putin. [2]\n- He accepted.[1][3] [2]")
    got = [(s.text, s.ids) for s in cited_sentences(text)]
    assert got == [("Kim met Putin.", ["2"]), ("He accepted.", ["1", "3", "2"])]


def test_parse_draft_keeps_invented_ids_per_claim() -> None:
    draft = parse_draft("Putin accepted [1][9]. Kim met him [2-3]. Shoigu went [x] [sic].", 3)
    assert [[c.passage for c in claim.citations] for claim in draft.claims] == [[1], [2, 3], []]
    assert draft.invalid_citations == [("9", 0), ("x", 2)]
    assert draft.claims[2].text == "Shoigu went [sic]."


def test_parse_draft_refusal_and_empty() -> None:
    assert parse_draft(f"<think>nothing</think>{REFUSAL_TEXT}", 3).refused
    with pytest.raises(GeneratorError, match="empty answer"):
        parse_draft("<think>only thoughts</think>", 3)


# --- drafting over the fake chat model ----------------------------------------------------------


def test_llm_generator_streams_and_parses() -> None:
    chat = FakeChat(["Putin accepted ", "the invitation [1]."], name="m")
    pieces: list[str] = []
    draft = LLMGenerator(chat).draft("Did Putin accept?", PASSAGES, on_text=pieces.append)
    assert pieces == ["Putin accepted ", "the invitation [1]."]
    assert [(c.text, [x.passage for x in c.citations]) for c in draft.claims] == [
        ("Putin accepted the invitation.", [1])
    ]
    system, user = chat.history[0]
    assert system["role"] == "system" and "Question: Did Putin accept?" in user["content"]
    assert chat.streamed == [True]


def test_llm_generator_warns_when_cut_off() -> None:
    chat = FakeChat(Reply("Putin accepted [1]. And", truncated=True))
    assert LLMGenerator(chat).draft("q", PASSAGES).warnings == [TRUNCATED_WARNING]


def test_no_passages_refuses_without_asking() -> None:
    chat = FakeChat()
    assert LLMGenerator(chat).draft("q", []).refused
    assert chat.history == []


def test_rewriter_only_asks_for_follow_ups_and_survives_failures() -> None:
    chat = FakeChat('Standalone question: "When did Kim visit Russia before?"')
    rewrite = LLMRewriter(chat)
    assert rewrite("Who is Peskov?", ["When did Kim visit Russia?"]) == "Who is Peskov?"
    assert chat.history == []  # a question that stands alone costs no call
    history = ["When did Kim visit Russia?"]
    assert rewrite("And before that?", history) == "When did Kim visit Russia before?"
    chat.enqueue(GeneratorError("down"))
    assert rewrite("And before that?", history) == "And before that?"
