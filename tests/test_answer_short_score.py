"""The short answer's candidate score (rag.answer.short_score) and its use in rag.answer.short."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from evals.fit_short import choose_pull, fit_toward, top1
from rag.answer.analysis import analyse
from rag.answer.short import Evidence, considered, short_answer
from rag.answer.short_score import (
    FEATURES,
    HAND,
    WEIGHTS_PATH,
    ShortWeights,
    candidate_features,
    load_weights,
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


def test_the_committed_weights_file_is_there_and_no_worse_than_the_hand_set_ones() -> None:
    """``rag/answer/data/short.json`` is current and what ``evals/fit_short.py`` chose: the pull
    toward the hand-set weights whose held-aside best candidate is right most often."""
    fitted = load_weights()
    info = json.loads(WEIGHTS_PATH.read_text(encoding="utf-8"))["info"]
    assert info["records"] >= info["informative_records"] > 20
    by_pull = info["held_aside_top1_by_pull"]
    assert by_pull[info["pull"]] >= by_pull["inf"]  # the hand-set weights, held aside the same
    counts = {
        float(p): (won, lost) for p, (won, lost) in info["held_aside_won_lost_by_pull"].items()
    }
    assert str(choose_pull(counts)) == info["pull"]
    if info["pull"] == "inf":
        assert dict(fitted.weights) == dict(HAND.weights)


def test_a_pull_is_chosen_only_for_a_held_aside_gain_beyond_noise() -> None:
    assert choose_pull({math.inf: (0, 0), 10.0: (2, 0), 1.0: (3, 2)}) == math.inf
    assert choose_pull({math.inf: (0, 0), 10.0: (5, 1), 1.0: (9, 2)}) == 1.0
    assert choose_pull({math.inf: (0, 0), 10.0: (9, 0), 1.0: (12, 10)}) == 10.0


def _record(x: list[list[float]], y: list[int], group: str = "g") -> dict[str, object]:
    return {"set": "s", "id": group, "group": group, "x": np.array(x), "y": np.array(y)}


def test_the_fit_moves_from_the_prior_only_as_far_as_the_data_asks() -> None:
    # the second feature, not the first (the prior's), marks the right candidate every time
    records = [
        _record([[1.0, 0.0], [0.0, 1.0]], [0, 1], str(i))
        if i % 2
        else _record([[0.0, 1.0], [0.5, 0.0]], [1, 0], str(i))
        for i in range(20)
    ]
    prior = np.array([1.0, 0.0])
    assert fit_toward(records, prior, math.inf).tolist() == prior.tolist()
    assert top1(records, prior) < 1.0
    loose = fit_toward(records, prior, 0.001)
    assert top1(records, loose) == 1.0 and loose[1] > loose[0]
    tight = fit_toward(records, prior, 100.0)
    assert np.abs(tight - prior).sum() < np.abs(loose - prior).sum()
    # a feature the pairs never tell apart keeps its prior weight
    flat = [_record([[1.0, 2.0, 3.0], [0.0, 1.0, 3.0]], [1, 0], str(i)) for i in range(5)]
    assert fit_toward(flat, np.array([0.0, 0.0, 0.7]), 0.01)[2] == pytest.approx(0.7)


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
