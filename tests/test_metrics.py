"""Tests for evals/metrics.py and the gold question set evals/data/sample.jsonl."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from evals.metrics import (
    CitationScores,
    Claim,
    answer_correct,
    bootstrap_ci,
    citation_precision,
    citation_recall,
    citation_scores,
    cited_gold_rate,
    dedupe_files,
    hit_at_k,
    invalid_citation_rate,
    mean,
    mrr_at_k,
    normalize_answer,
    normalize_passage,
    passage_recall,
    recall_at_k,
    refusal_accuracy,
    refusal_scores,
    wilson_interval,
)

ROOT = Path(__file__).parents[1]
ARTICLES = ROOT / "data" / "articles"
SAMPLE = ROOT / "evals" / "data" / "sample.jsonl"

# --------------------------------------------------------------------------- retrieval

RANKED_CHUNKS = ["b.txt", "b.txt", "c.txt", "a.txt", "c.txt", "d.txt"]


def test_dedupe_files_keeps_first_occurrence_order() -> None:
    assert dedupe_files(RANKED_CHUNKS) == ["b.txt", "c.txt", "a.txt", "d.txt"]
    assert dedupe_files([]) == []


def test_hit_at_k_chunk_level_and_article_level() -> None:
    gold = {"a.txt"}
    # chunk-level: a.txt is the 4th entry
    assert hit_at_k(RANKED_CHUNKS, gold, 3) == 0.0
    assert hit_at_k(RANKED_CHUNKS, gold, 4) == 1.0
    # article-level: a.txt is the 3rd distinct file
    assert hit_at_k(dedupe_files(RANKED_CHUNKS), gold, 3) == 1.0
    assert hit_at_k(dedupe_files(RANKED_CHUNKS), gold, 2) == 0.0
    # any gold file suffices; k beyond the list is fine
    assert hit_at_k(["x", "d.txt"], ["a.txt", "d.txt"], 2) == 1.0
    assert hit_at_k([], gold, 5) == 0.0


def test_hit_at_k_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        hit_at_k(RANKED_CHUNKS, set(), 5)
    with pytest.raises(ValueError):
        hit_at_k(RANKED_CHUNKS, {"a.txt"}, 0)


def test_mrr_at_k() -> None:
    assert mrr_at_k(RANKED_CHUNKS, {"b.txt"}) == 1.0
    assert mrr_at_k(RANKED_CHUNKS, {"c.txt"}) == pytest.approx(1 / 3)
    assert mrr_at_k(dedupe_files(RANKED_CHUNKS), {"c.txt"}) == pytest.approx(1 / 2)
    assert mrr_at_k(RANKED_CHUNKS, {"a.txt", "d.txt"}) == pytest.approx(1 / 4)
    assert mrr_at_k(RANKED_CHUNKS, {"a.txt"}, k=3) == 0.0
    assert mrr_at_k(RANKED_CHUNKS, {"z.txt"}) == 0.0
    with pytest.raises(ValueError):
        mrr_at_k(RANKED_CHUNKS, [])


def test_recall_at_k() -> None:
    files = dedupe_files(RANKED_CHUNKS)  # b c a d
    assert recall_at_k(files, ["a.txt", "d.txt"], 3) == 0.5
    assert recall_at_k(files, ["a.txt", "d.txt"], 4) == 1.0
    assert recall_at_k(files, ["z.txt", "b.txt"], 1) == 0.5
    with pytest.raises(ValueError):
        recall_at_k(files, [], 3)


def test_passage_recall_whole_containment_after_whitespace_normalisation() -> None:
    chunks = [
        "Intro text. Kim visited\nRussia  this week. More.",
        "Putin will visit on June 18\u201319.",
        "the first half of a sentence",
    ]
    gold = [
        "Kim visited Russia this week.",  # inside chunk 0 once whitespace is collapsed
        "Putin will visit on June 18-19.",  # en dash vs hyphen
        "the first half of a sentence that continues in the next chunk",  # split: not found
        "Not retrieved at all.",
    ]
    assert passage_recall(chunks, gold) == 0.5
    assert passage_recall(chunks, gold[:1]) == 1.0
    assert passage_recall([], gold) == 0.0
    # case is kept for passages
    assert passage_recall(chunks, ["kim visited russia this week."]) == 0.0
    with pytest.raises(ValueError):
        passage_recall(chunks, [])


def test_normalize_passage_handles_nbsp_and_typography() -> None:
    assert normalize_passage(" said\u00a0 Thursday  that\u00a0North ") == "said Thursday that North"
    assert normalize_passage("Kremlin\u2019s \u201cfirm\u201d") == 'Kremlin\'s "firm"'


# --------------------------------------------------------------------------- citations (ALCE)


def make_supports(
    support_sets: dict[str, list[set[int]]],
) -> tuple[list[tuple[str, tuple[int, ...]]], Any]:
    """A fake verifier: claim text -> list of minimal id sets that support it. A set of cited
    ids supports the claim when it includes one of the minimal sets. Records every call."""
    calls: list[tuple[str, tuple[int, ...]]] = []

    def supports(text: str, ids: Sequence[int]) -> bool:
        calls.append((text, tuple(ids)))
        have = set(ids)
        return any(need <= have for need in support_sets.get(text, []))

    return calls, supports


def test_citation_one_of_two_supports_alone_other_is_imprecise() -> None:
    # [1] alone supports; [2] alone does not, and the rest ([1]) supports -> [2] imprecise.
    _, supports = make_supports({"s": [{1}]})
    scores = citation_scores([Claim("s", (1, 2))], supports)
    assert scores.supported == (True,)
    assert scores.precise == ((True, False),)
    assert scores.recall == 1.0
    assert scores.precision == 0.5
    assert scores.n_multi_cited == 1
    assert scores.n_overcited == 1


def test_citation_both_needed_together_are_both_precise() -> None:
    # neither alone supports, together they do -> both precise.
    _, supports = make_supports({"s": [{1, 2}]})
    scores = citation_scores([("s", [1, 2])], supports)
    assert scores.supported == (True,)
    assert scores.precise == ((True, True),)
    assert scores.precision == 1.0
    assert scores.n_overcited == 0


def test_citation_both_support_alone_are_both_precise() -> None:
    # each alone supports -> condition (a) fails for both -> both precise (ALCE).
    _, supports = make_supports({"s": [{1}, {2}]})
    scores = citation_scores([Claim("s", (1, 2))], supports)
    assert scores.precise == ((True, True),)


def test_citation_unsupported_claim_citations_are_imprecise() -> None:
    _, supports = make_supports({})
    scores = citation_scores([Claim("s", (1, 2, 3))], supports)
    assert scores.supported == (False,)
    assert scores.precise == ((False, False, False),)
    assert scores.recall == 0.0
    assert scores.precision == 0.0
    assert scores.n_citations == 3


def test_citation_uncited_claim_unsupported_and_not_in_denominator() -> None:
    _, supports = make_supports({"a": [{1}]})
    scores = citation_scores([Claim("a", (1,)), Claim("b")], supports)
    assert scores.supported == (True, False)
    assert scores.precise == ((True,), ())
    assert scores.recall == 0.5
    assert scores.precision == 1.0
    assert scores.n_uncited == 1
    assert scores.n_citations == 1


def test_citation_scores_mixed_answer_hand_computed() -> None:
    support_sets = {
        "one": [{1}],  # cites [1, 2] -> precise (T, F)
        "two": [{3, 4}],  # cites [3, 4] -> precise (T, T)
        "three": [],  # cites [5] -> unsupported -> (F,)
        "four": [{6}],  # cites [6] -> (T,)
        "five": [{1}],  # no citations
    }
    _, supports = make_supports(support_sets)
    claims = [
        Claim("one", (1, 2)),
        Claim("two", (3, 4)),
        Claim("three", (5,)),
        Claim("four", (6,)),
        Claim("five"),
    ]
    scores = citation_scores(claims, supports)
    assert scores == CitationScores(
        recall=3 / 5,
        precision=4 / 6,
        supported=(True, True, False, True, False),
        precise=((True, False), (True, True), (False,), (True,), ()),
        n_claims=5,
        n_supported=3,
        n_uncited=1,
        n_citations=6,
        n_precise=4,
        n_multi_cited=2,
        n_overcited=1,
    )
    assert citation_recall(claims, supports) == pytest.approx(0.6)
    assert citation_precision(claims, supports) == pytest.approx(2 / 3)


def test_citation_scores_empty_answer_is_zero_like_alce() -> None:
    _, supports = make_supports({})
    scores = citation_scores([], supports)
    assert (scores.recall, scores.precision) == (0.0, 0.0)
    assert (scores.n_claims, scores.n_citations) == (0, 0)


def test_citation_scores_calls_verifier_once_per_distinct_check() -> None:
    calls, supports = make_supports({"s": [{1}]})
    citation_scores([Claim("s", (1, 2)), Claim("s", (1, 2))], supports)
    # joint (1, 2); [1] alone supports; [2] alone fails, its rest (1,) is already cached;
    # the repeated claim is answered from the cache entirely.
    assert calls == [("s", (1, 2)), ("s", (1,)), ("s", (2,))]


def test_citation_unsupported_claim_skips_precision_checks() -> None:
    calls, supports = make_supports({})
    citation_scores([Claim("s", (1, 2))], supports)
    assert calls == [("s", (1, 2))]


def test_cited_gold_rate() -> None:
    gold = ["Putin will visit North Korea on June 18-19.", "Kim had visited Russia once before."]
    cited = [
        "Intro. Putin will visit  North Korea on June 18\u201319. More text.",  # contains gold 0
        "Kim had visited Russia once before. Then...",  # contains gold 1
        "Something else entirely.",
        "Putin will visit North Korea",  # partial quote: does not contain a gold passage
    ]
    assert cited_gold_rate(cited, gold) == 0.5
    assert cited_gold_rate([], gold) == 0.0
    assert cited_gold_rate(cited, []) == 0.0


def test_invalid_citation_rate() -> None:
    assert invalid_citation_rate(0, 0) == 0.0
    assert invalid_citation_rate(1, 4) == 0.25
    assert invalid_citation_rate(3, 3) == 1.0
    with pytest.raises(ValueError):
        invalid_citation_rate(5, 4)
    with pytest.raises(ValueError):
        invalid_citation_rate(-1, 4)


# --------------------------------------------------------------------------- answers


def test_answer_correct_normalisation() -> None:
    text = "Putin will visit on JUNE 18\u201319, the Kremlin\u2019s  press\u00a0service said."
    assert answer_correct(text, ["June 18-19"], answers_any=False)
    assert answer_correct(text, ["kremlin's press service"], answers_any=False)
    assert answer_correct("He said \u201cpay a price\u201d.", ['"pay a price"'], answers_any=False)
    assert not answer_correct(text, ["June 20"], answers_any=False)


def test_answer_correct_any_versus_all() -> None:
    text = "Sources differ: 002 says July."
    assert not answer_correct(text, ["July", "August"], answers_any=False)
    assert answer_correct(text, ["July", "August"], answers_any=True)
    assert answer_correct("In July or August", ["July", "August"], answers_any=False)
    with pytest.raises(ValueError):
        answer_correct(text, [], answers_any=True)


def test_normalize_answer() -> None:
    raw = "  Kim\u2019s  \u201cVERY\u201d first\u2014priority "
    assert normalize_answer(raw) == 'kim\'s "very" first-priority'


def test_refusal_accuracy_and_scores() -> None:
    records = [(True, True), (True, False), (False, True), (False, False), (False, False)]
    assert refusal_accuracy(records) == pytest.approx(3 / 5)
    scores = refusal_scores(records)
    assert (scores.true_refusals, scores.false_refusals) == (1, 1)
    assert (scores.missed_refusals, scores.true_answers) == (1, 2)
    assert scores.precision == 0.5
    assert scores.recall == 0.5
    assert scores.f1 == 0.5


def test_refusal_scores_undefined_parts_are_none() -> None:
    never_refused = refusal_scores([(False, False), (True, False)])
    assert never_refused.precision is None
    assert never_refused.recall == 0.0
    assert never_refused.f1 is None
    nothing_to_refuse = refusal_scores([(False, True), (False, False)])
    assert nothing_to_refuse.recall is None
    assert nothing_to_refuse.precision == 0.0
    assert nothing_to_refuse.accuracy == 0.5
    wrong_both = refusal_scores([(True, False), (False, True)])
    assert wrong_both.f1 == 0.0
    with pytest.raises(ValueError):
        refusal_accuracy([])


# --------------------------------------------------------------------------- aggregation


def test_mean_ignores_none() -> None:
    assert mean([1.0, None, 0.0, None, 0.5]) == 0.5
    assert mean([True, False, True, None]) == pytest.approx(2 / 3)
    assert mean([None, None]) is None
    assert mean([]) is None


def test_wilson_interval_hand_computed() -> None:
    # 0 of 10: lower 0, upper (z^2/n) / (1 + z^2/n) with z = 1.96
    lo, hi = wilson_interval(0, 10, z=1.96)
    assert lo == 0.0
    assert hi == pytest.approx(0.38416 / 1.38416)
    # 10 of 10 mirrors it
    lo, hi = wilson_interval(10, 10, z=1.96)
    assert lo == pytest.approx(1 - 0.38416 / 1.38416)
    assert hi == pytest.approx(1.0)
    # 5 of 10: centred on 0.5, half-width 1.96*sqrt(0.025+0.009604)/1.38416
    lo, hi = wilson_interval(5, 10, z=1.96)
    half = 1.96 * (0.025 + 0.0096040) ** 0.5 / 1.38416
    assert lo == pytest.approx(0.5 - half)
    assert hi == pytest.approx(0.5 + half)
    assert wilson_interval(0, 0) == (0.0, 1.0)
    with pytest.raises(ValueError):
        wilson_interval(3, 2)


def test_bootstrap_ci() -> None:
    assert bootstrap_ci([0.7, 0.7, 0.7]) == pytest.approx((0.7, 0.7))
    values = [0.0, 1.0] * 20
    lo, hi = bootstrap_ci(values, seed=1)
    assert 0.0 < lo < 0.5 < hi < 1.0
    assert bootstrap_ci(values, seed=1) == (lo, hi)  # deterministic
    with pytest.raises(ValueError):
        bootstrap_ci([])
    with pytest.raises(ValueError):
        bootstrap_ci([1.0], confidence=1.0)


# --------------------------------------------------------------------------- the gold set

TYPES = {"single", "multi", "conflict", "unanswerable"}
WANTED = {"date", "number", "person", "place", "org", "other"}


def load_sample() -> list[dict[str, Any]]:
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def article_texts() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(ARTICLES.glob("*.txt"))}


def test_sample_shape_and_counts() -> None:
    rows = load_sample()
    assert len(rows) >= 36
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids))
    counts = Counter(r["type"] for r in rows)
    assert set(counts) <= TYPES
    assert counts["single"] >= 20
    assert counts["multi"] >= 4
    assert counts["conflict"] >= 2
    assert counts["unanswerable"] >= 8
    required = {"id", "question", "type", "wanted", "gold_files", "gold_passages", "answers"}
    for r in rows:
        assert required <= set(r), r["id"]
        assert set(r) <= required | {"answers_any", "note"}, r["id"]
        assert r["wanted"] in WANTED, r["id"]
        assert isinstance(r["answers_any"], bool), r["id"]
        assert r["question"].strip().endswith("?"), r["id"]


def test_sample_single_questions_cover_every_article() -> None:
    rows = load_sample()
    used = {f for r in rows if r["type"] == "single" for f in r["gold_files"]}
    assert used == set(article_texts())


def test_sample_gold_passages_are_exact_substrings() -> None:
    texts = article_texts()
    for r in load_sample():
        for name in r["gold_files"]:
            assert name in texts, (r["id"], name)
        for passage in r["gold_passages"]:
            assert passage.strip() == passage and passage, r["id"]
            assert any(passage in texts[name] for name in r["gold_files"]), (r["id"], passage)
        # every gold file contributes a gold passage
        for name in r["gold_files"]:
            assert any(p in texts[name] for p in r["gold_passages"]), (r["id"], name)


def test_sample_gold_by_type() -> None:
    for r in load_sample():
        kind, files = r["type"], r["gold_files"]
        if kind == "unanswerable":
            assert files == [] and r["gold_passages"] == [] and r["answers"] == [], r["id"]
            continue
        assert r["answers"] and r["gold_passages"], r["id"]
        if kind == "single":
            assert len(files) >= 1, r["id"]
        elif kind == "multi":
            assert len(set(files)) == 2, r["id"]
        else:
            assert len(set(files)) >= 2, r["id"]


def test_sample_answers_occur_in_gold_passages() -> None:
    for r in load_sample():
        if r["type"] == "unanswerable":
            continue
        passages = [normalize_answer(p) for p in r["gold_passages"]]
        for answer in r["answers"]:
            assert any(normalize_answer(answer) in p for p in passages), (r["id"], answer)
        # the gold passages together make a correct answer
        assert answer_correct(" ".join(r["gold_passages"]), r["answers"], r["answers_any"]), r["id"]


def test_sample_multi_and_conflict_need_both_sources() -> None:
    for r in load_sample():
        if r["type"] not in {"multi", "conflict"}:
            continue
        assert r["answers_any"] is False, r["id"]
        for passage in r["gold_passages"]:
            assert not answer_correct(passage, r["answers"], answers_any=False), r["id"]


def test_sample_conflict_shoigu_month() -> None:
    rows = [r for r in load_sample() if r["type"] == "conflict"]
    assert any(
        "Shoigu" in r["question"] and sorted(r["answers"]) == ["August", "July"] for r in rows
    )


def test_sample_unanswerable_near_misses_absent_from_corpus() -> None:
    corpus = normalize_answer(" ".join(article_texts().values()))
    for absent in ("Vostochny", "Lavrov arrived", "strategic partnership agreement says"):
        assert normalize_answer(absent) not in corpus
