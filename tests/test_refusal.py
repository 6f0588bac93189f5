"""The calibrated refusal (rag.answer.refusal) and its fitting (evals/fit_answerer.py)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from evals.fit_answerer import calibrate
from index.embed import FakeEmbedder
from rag.answer.analysis import analyse, asked_attribute, unmentioned_attribute
from rag.answer.extractive import ExtractiveGenerator
from rag.answer.refusal import (
    FEATURES,
    MODEL_FILE,
    RefusalModel,
    features,
    load_model,
    typed_answer,
)
from rag.answer.timescope import after_the_articles, published_span
from rag.records import Passage

ARTICLE = (
    "Calling each other comrades, the two leaders toasted their friendship after Putin showed "
    "Kim around the space launch facility and they held talks alongside their defense ministers."
)


def _passage(text: str, file: str = "a.txt") -> Passage:
    return Passage("a:0", file, 0, len(text), text, 1.0, "Kim meets Putin")


def test_an_entity_the_evidence_never_names_lowers_the_coverage() -> None:
    hit = analyse("Where did Putin show Kim around a space launch facility?")
    miss = analyse("Who is the president of South Korea?")
    p = [_passage(ARTICLE)]
    f_hit = features(hit, ARTICLE, "a.txt", 0.6, 0.6, 0.8, p)
    f_miss = features(miss, ARTICLE, "a.txt", 0.6, 0.6, 0.3, p)
    assert f_hit["entities_in_sentence"] == 1.0
    assert f_miss["entities_in_sentence"] == 0.0
    assert f_miss["unseen"] > f_hit["unseen"]
    assert set(f_hit) == set(FEATURES)


def test_north_korea_does_not_cover_south_korea() -> None:
    info = analyse("Who is the president of South Korea?")
    text = "The president of North Korea met Putin."
    got = features(info, text, "a.txt", 0.5, 0.5, 0.5, [_passage(text)])
    assert got["entities_in_sentence"] == 0.0 and got["entities_in_article"] == 0.0


def test_words_of_the_question_in_the_article_count() -> None:
    info = analyse("How many shells did Russia buy from Pyongyang?")
    sentence = "Russia bought shells."
    other = _passage("Pyongyang sold them to Russia.", "a.txt")
    far = _passage("Pyongyang sold them to Russia.", "b.txt")
    near = features(info, sentence, "a.txt", 0.5, 0.5, 0.5, [other])
    alone = features(info, sentence, "a.txt", 0.5, 0.5, 0.5, [far])
    assert near["entities_in_article"] > alone["entities_in_article"]
    assert near["terms_in_article"] > alone["terms_in_article"]


def test_model_probability_follows_its_weights() -> None:
    model = RefusalModel({"overlap": 4.0}, -2.0, 0.5)
    assert model.probability({"overlap": 1.0}) > 0.5 > model.probability({"overlap": 0.0})


def test_calibrated_threshold_keeps_the_asked_share_of_answerable() -> None:
    p = np.array([0.9, 0.8, 0.7, 0.6, 0.2, 0.1, 0.65])
    y = np.array([1, 1, 1, 1, 0, 0, 0])
    t = calibrate(p, y, 1.0)
    assert np.all(p[y == 1] >= t) and t > 0.59
    assert calibrate(p, y, 0.75) > 0.6  # one answerable in four may be refused


def test_the_committed_model_is_complete_and_calibrated() -> None:
    model = load_model()
    assert model is not None, f"{MODEL_FILE} missing: run python -m evals.fit_answerer"
    assert set(model.weights) == set(FEATURES)
    data = json.loads(Path(MODEL_FILE).read_text(encoding="utf-8"))
    assert 0.0 < model.threshold < 1.0
    assert data["held_aside"]["held_aside_right_kept"] >= 0.9


def test_typed_answer_by_family_of_labels() -> None:
    seconds = analyse("After how many seconds do callers hang up?")
    assert typed_answer(seconds, "Callers hang up after 55 seconds of music.") == 1.0
    assert typed_answer(seconds, "Callers hang up when the music plays.") == 0.0
    who = analyse("Who met Putin?")
    assert typed_answer(who, "Putin met the press.") == 0.0, "only the question's own name"
    assert typed_answer(who, "Putin met Kim Jong Un.") == 1.0
    assert typed_answer(analyse("Why did Putin go?"), "He went.") == 1.0


# ---- time scope ----------------------------------------------------------------------------
def test_published_span_skips_undated_and_malformed() -> None:
    span = published_span(["2024-06-14T00:00:00+00:00", None, "", "soon", "2023-09-10"])
    assert span == (date(2023, 9, 10), date(2024, 6, 14))
    assert published_span([None]) is None


def test_a_question_after_the_newest_article_is_refused_with_the_span() -> None:
    span = (date(2023, 9, 10), date(2024, 6, 14))
    after = analyse("Who won the election in 2030?").scope
    note = after_the_articles(after, span)
    assert note is not None and "2023-09-10 to 2024-06-14" in note
    # News recounts the past: a year before the oldest article is not refused for it.
    assert after_the_articles(analyse("What did they discuss in 2019?").scope, span) is None
    assert after_the_articles(analyse("What happened in May 2024?").scope, span) is None
    assert after_the_articles(None, span) is None


def test_the_generator_refuses_a_question_after_the_articles_and_says_why() -> None:
    from index.embed import FakeEmbedder
    from rag.answer.extractive import ExtractiveGenerator

    span = (date(2023, 9, 10), date(2024, 6, 14))
    gen = ExtractiveGenerator(FakeEmbedder(), date_span=lambda: span)
    draft = gen.draft("Who will Kim meet in 2031?", [_passage(ARTICLE)])
    assert draft.refused and "the articles run from 2023-09-10 to 2024-06-14" in draft.refusal_note
    kept = gen.draft("Who did Putin show around in 2023?", [_passage(ARTICLE)])
    assert kept.refusal_note == ""


def test_the_refusal_is_off_unless_a_threshold_is_set() -> None:
    from rag.answer.refusal import calibrated, refusal_model

    assert refusal_model(None) is None
    on = refusal_model(0.3)
    assert on is not None and on.threshold == 0.3
    assert calibrated() is not None


@pytest.mark.parametrize(
    ("question", "noun"),
    [
        ("What was the weather in Vladivostok during the Economic Forum?", "weather"),
        ("What is the price of the new 30GB iPod Photo?", "price"),
        ("What was Japan's unemployment rate at the end of 2004?", "rate"),
        ("What is the name of the space launch facility?", None),  # no meaning of its own
        ("What is the population of Vladivostok?", "population"),
        ("What did Kim say about the talks?", None),  # not a copular question
        ("Who chaired the forum?", None),
    ],
)
def test_the_attribute_a_question_asks_the_value_of(question: str, noun: str | None) -> None:
    assert asked_attribute(question) == noun


def test_an_attribute_no_passage_mentions_is_refused() -> None:
    question = "What was the weather in Vladivostok during the Economic Forum?"
    forum = "Putin and Kim will meet during the Economic Forum in Vladivostok, the Kremlin said."
    assert unmentioned_attribute(question, [forum]) == "weather"
    rainy = forum + " The weather in Vladivostok was wet and windy all week."
    assert unmentioned_attribute(question, [rainy]) is None
    gen = ExtractiveGenerator(FakeEmbedder(), sentence_weights=None)
    assert gen.draft(question, [_passage(forum)]).refused
    assert not gen.draft(question, [_passage(rainy)]).refused
