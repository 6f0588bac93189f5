"""The short answer's candidate score (rag.answer.short_score) and its use in rag.answer.short."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from rag.answer.analysis import analyse
from rag.answer.sentences import feature_hash
from rag.answer.short import Evidence, considered, short_answer
from rag.answer.short_score import (
    FEATURES,
    HAND,
    WEIGHTS_PATH,
    ShortWeights,
    ShortWeightsError,
    candidate_features,
    load_weights,
    write_weights,
)

FACTORIES = (
    "Kim is due Thursday to visit military and civilian aviation factories in the Russian city "
    "of Komsomolsk-on-Amur and to inspect other facilities."
)


def _product(
    label: float, strength: float, focus: bool, distance: int, gran: float, i: int
) -> float:
    """The hand-set score the features' logarithms stand for."""
    weight = label * (1 + 0.3 * strength + (0.3 if focus else 0.0))
    return weight * (0.6 + 0.4 / (1 + distance / 4)) * gran / (1 + 0.5 * i)


@pytest.mark.parametrize(
    ("label", "strength", "focus", "distance", "gran", "i"),
    [(1.0, 0.0, False, 0, 1.0, 0), (0.5, 1.0, True, 3, 0.7, 2), (1.0, 0.5, False, 12, 0.4, 1)],
)
def test_hand_weights_score_the_log_of_the_old_product(
    label: float, strength: float, focus: bool, distance: int, gran: float, i: int
) -> None:
    f = candidate_features(label, strength, focus, distance, gran, i)
    assert set(f) == set(FEATURES)
    assert HAND.score(f) == pytest.approx(
        math.log(_product(label, strength, focus, distance, gran, i))
    )


def test_a_missing_or_stale_weights_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ShortWeightsError, match="no fitted"):
        load_weights(tmp_path / "missing.json")
    good = tmp_path / "good.json"
    write_weights(good, {f: 1.0 for f in FEATURES}, {})
    assert load_weights(good).weights == {f: 1.0 for f in FEATURES}
    path = tmp_path / "stale.json"
    data = json.loads(good.read_text(encoding="utf-8"))
    data["features"] = [*FEATURES, "another"]
    data["feature_hash"] = feature_hash((*FEATURES, "another"))
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ShortWeightsError, match="other short-answer features"):
        load_weights(path)


def test_the_committed_weights_file_is_there_and_fitted() -> None:
    fitted = load_weights()
    data = json.loads(WEIGHTS_PATH.read_text(encoding="utf-8"))
    assert data["info"]["records"] > 100
    assert dict(fitted.weights) != dict(HAND.weights)


def test_agreement_features_count_the_other_sentences_stating_the_candidate() -> None:
    info = analyse("Where did Kim visit aviation factories?")
    quoted = [Evidence(FACTORIES, "a.md"), Evidence("Komsomolsk-on-Amur lies on the Amur.", "b.md")]
    strong = [*quoted, Evidence("He flew to Komsomolsk-on-Amur by train.", "c.md")]
    found = considered(info, quoted, strong, weights=HAND)
    city = [c for c in found if c.key == "komsomolsk-on-amur"]
    assert city and city[0].sentence == 0
    assert city[0].features["repeats"] == 1.0  # the other quoted sentence names it
    assert city[0].features["strong"] == pytest.approx(1 / 3)  # and one strong one not quoted
    assert all(c.score == HAND.score(c.features) for c in found)


def test_the_weights_decide_the_short_answer() -> None:
    info = analyse("Where did Kim visit aviation factories?")
    quoted = [Evidence(FACTORIES, "a.md")]
    assert short_answer(info, quoted, weights=HAND).text == "Komsomolsk-on-Amur"
    # Weights that prefer long phrases over short ones pick another candidate, if any.
    long_first = ShortWeights({**HAND.weights, "words": 50.0})
    found = considered(info, quoted, weights=long_first)
    assert found[0].features["words"] == max(c.features["words"] for c in found)
