"""The extractive answerer's sentence features and score (rag.answer.sentences): the hand-set
score, the fitted weights file (refused when missing or fitted for other features), and the
features each candidate sentence carries, retrieval's ranks among them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from evals.fit_sentences import holds
from index.embed import FakeEmbedder
from rag import Dossier
from rag.answer import sentences, short_score
from rag.answer.extractive import ExtractiveGenerator
from rag.answer.sentences import (
    FEATURES,
    SentenceWeights,
    feature_hash,
    hand_score,
    load_weights,
    sentence_features,
    write_weights,
)
from rag.errors import ConfigError
from rag.records import Passage


def _passage(file: str, text: str, start: int = 0) -> Passage:
    return Passage(f"{file}#{start}", file, start, start + len(text), text, 1.0, "Title")


def test_features_hold_every_name_and_retrievals_ranks() -> None:
    f = sentence_features(0.5, 0.25, True, False, 0.1, True, 2, 4, 0.3, 0.5, 80)
    assert tuple(f) == FEATURES
    assert f["passage_rank"] == 0.5 and f["article_rank"] == 0.25
    assert f["typed"] == 0.0 and f["untyped"] == 1.0 and f["headline"] == 1.0
    assert f["words"] == 1.0  # capped
    none_wanted = sentence_features(0.5, 0.25, False, False, 0.0, False, 1, 1, 1.0, 0.0, 20)
    assert none_wanted["typed"] == none_wanted["untyped"] == 0.0


def test_the_hand_score_is_the_old_formula() -> None:
    f = sentence_features(0.6, 0.5, True, True, 0.25, True, 1, 1, 1.0, 0.0, 10)
    assert hand_score(f) == pytest.approx(0.55 * 0.6 + 0.45 * 0.5 - 0.4 * 0.25 + 0.08 - 0.05)
    g = sentence_features(0.6, 0.5, True, False, 0.0, False, 3, 2, 0.5, 2.0, 10)
    assert hand_score(g) == pytest.approx(0.55 * 0.6 + 0.45 * 0.5 - 0.12)


def test_written_weights_load_and_score_on_the_mapped_scale(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    weights = {f: 0.0 for f in FEATURES} | {"similarity": 2.0}
    write_weights(path, weights, -1.0, 0.5, 0.1, {"note": "test"})
    loaded = load_weights(path)
    f = sentence_features(0.75, 0.0, False, False, 0.0, False, 1, 1, 1.0, 0.0, 10)
    assert loaded.score(f) == pytest.approx(0.5 * (2.0 * 0.75 - 1.0) + 0.1)


def _write_sentence_weights(m: Any, path: Path) -> None:
    m.write_weights(path, dict.fromkeys(m.FEATURES, 1.0), 0.0, 1.0, 0.0, {})


def _write_short_weights(m: Any, path: Path) -> None:
    m.write_weights(path, dict.fromkeys(m.FEATURES, 1.0), {})


@pytest.mark.parametrize(
    ("module", "write", "message"),
    [
        (sentences, _write_sentence_weights, "sentence"),
        (short_score, _write_short_weights, "short-answer"),
    ],
)
def test_a_missing_or_stale_weights_file_is_refused(
    tmp_path: Path, module: Any, write: Callable[[Any, Path], None], message: str
) -> None:
    """Both fitted weight files (sentence score, short-answer score) load through
    ``sentences.read_fitted``: refused when missing or fitted for other features."""
    with pytest.raises(ConfigError, match="no fitted"):
        module.load_weights(tmp_path / "missing.json")
    good = tmp_path / "good.json"
    write(module, good)
    assert dict(module.load_weights(good).weights) == dict.fromkeys(module.FEATURES, 1.0)
    path = tmp_path / "stale.json"
    data = json.loads(good.read_text(encoding="utf-8"))
    data["features"] = [*module.FEATURES, "another"]
    data["feature_hash"] = feature_hash((*module.FEATURES, "another"))
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ConfigError, match=f"other {message} features"):
        module.load_weights(path)


def test_the_committed_weights_file_is_there_and_current() -> None:
    """Fails when rag/answer/data/sentences.json is missing or was fitted for other features:
    refit with ``python -m evals.fit_sentences``."""
    weights = load_weights(sentences.WEIGHTS_PATH)
    assert set(weights.weights) == set(FEATURES)
    assert weights.scale > 0
    assert ExtractiveGenerator(FakeEmbedder()).sentence_weights == weights  # the default


def test_two_part_questions_rank_each_parts_passages_by_half() -> None:
    passages = [
        _passage("a.txt", "The mayor opened the new bridge on Monday after years of delay."),
        _passage("b.txt", "The bridge cost four million pounds to build in total."),
    ]
    gen = ExtractiveGenerator(FakeEmbedder(), sentence_weights=None)
    _, cands = gen.score("When did the mayor open the bridge?", passages, parts=2)
    assert {c.features["article_rank"] for c in cands} == {1.0}
    assert {c.features["score_gap"] for c in cands} == {0.0}


def test_candidates_carry_their_features_and_the_fitted_weights_score_them() -> None:
    passages = [
        _passage("a.txt", "The mayor opened the new bridge on Monday. Traffic was heavy after."),
        _passage("b.txt", "The bridge cost four million pounds to build in total."),
        _passage("a.txt", "Residents said the mayor had promised it for years.", 200),
    ]
    gen = ExtractiveGenerator(FakeEmbedder(), sentence_weights=None)  # the hand-set score
    _, cands = gen.score("When did the mayor open the bridge?", passages)
    assert all(tuple(c.features) == FEATURES for c in cands)
    by_text = {c.text.split()[0] + c.text.split()[1]: c.features for c in cands}
    assert by_text["Thebridge"]["article_rank"] == 0.5  # b.txt: the second article retrieved
    assert by_text["Residentssaid"]["passage_rank"] == pytest.approx(1 / 3)
    assert by_text["Residentssaid"]["article_share"] == pytest.approx(2 / 3)
    assert all(c.score == pytest.approx(hand_score(c.features)) for c in cands)
    only_rank = {f: 0.0 for f in FEATURES} | {"passage_rank": 1.0}
    gen.sentence_weights = SentenceWeights(only_rank, 0.0, 1.0, 0.0)
    _, ranked = gen.score("When did the mayor open the bridge?", passages)
    assert ranked[0].passage == 1 and ranked[-1].passage == 3


def test_a_label_needs_the_answer_as_whole_words() -> None:
    assert holds("It cost £4.5 million in 2015.", ["2015"])
    assert not holds("It cost £4.5 million in 2015.", ["201"])
    assert holds("Rishi Sunak said so.", ["rishi sunak", "Sunak"])


def test_a_question_in_the_article_is_never_a_candidate_answer() -> None:
    text = (
        "What age group can currently get Covid-19 vaccines? Children under 5 became eligible "
        "for the vaccines this week, the agency said."
    )
    gen = ExtractiveGenerator(FakeEmbedder(), sentence_weights=None)
    _, cands = gen.score("What age group can get Covid-19 vaccines?", [_passage("a.txt", text)])
    assert [c.text for c in cands] == [text.split("? ", 1)[1]]


def test_a_sentence_that_only_restates_the_question_is_not_quoted() -> None:
    """A headline or lead the question was written from ("How some cities reacted…") says
    nothing the question does not: the sentence that answers is quoted instead."""
    text = (
        "How some cities reacted to the drought this year. Some cities canceled their fireworks "
        "displays this year in reaction to the drought, the fire chief said."
    )
    question = "How did some cities react to the drought this year?"
    gen = ExtractiveGenerator(FakeEmbedder(), sentence_weights=None)
    _, cands = gen.score(question, [_passage("a.txt", text)])
    assert cands[0].text.startswith("How some cities")  # the restatement scores best
    draft = gen.draft(question, [_passage("a.txt", text)])
    assert not draft.refused and [c.text for c in draft.claims] == [text.split(". ", 1)[1]]


def test_a_why_question_quotes_the_cause_that_follows_the_event() -> None:
    """The sentence that best matches a "why" question may only state the event; a cause in
    the sentence after it ("This is because…") is quoted beside it."""
    text = (
        "GM is also recalling 19,924 Cadillac XLR coupes from the 2004 model year. This is "
        "because the accelerator pedal may not work properly in extremely cold temperatures."
    )
    question = "Why is GM recalling the Cadillac XLR coupes?"
    gen = ExtractiveGenerator(FakeEmbedder(), sentence_weights=None)
    draft = gen.draft(question, [_passage("a.txt", text)])
    assert not draft.refused
    assert [c.text for c in draft.claims] == [
        text.split(". ", 1)[0] + ".",
        text.split(". ", 1)[1],
    ]


def test_a_hand_scored_pipeline_needs_no_fitted_file(
    fake_dossier: Dossier, sample_copy: Path
) -> None:
    """``evals/fit_sentences.py`` refits the file after a feature is added, when the committed
    one is stale: its pipeline scores by hand and never reads the file."""
    fake_dossier.ingest(sample_copy)
    hand: Any = fake_dossier.pipeline("extractive", hand_scored=True).generator
    assert hand.sentence_weights is None
    fitted: Any = fake_dossier.pipeline("extractive").generator
    assert fitted.sentence_weights == load_weights(sentences.WEIGHTS_PATH)
