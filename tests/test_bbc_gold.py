"""The BBC gold set (evals/data/bbc.jsonl), its loader's checks against the corpus, the fit /
validation halves, and the short-answer and multiple-choice measures."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from pathlib import Path

import pytest

from evals import bbc
from evals.halves import FIT, VALIDATION, article_half, question_half, select
from evals.metrics import choice_read, short_answer_correct
from evals.realtimeqa import BenchMissing
from evals.runner import GoldQuestion

ROWS = [json.loads(x) for x in bbc.GOLD.read_text(encoding="utf-8").splitlines() if x.strip()]


def test_bbc_set_has_the_counts_the_issue_asks_for() -> None:
    types = Counter(r["type"] for r in ROWS)
    assert len(ROWS) >= 150
    assert types["unanswerable"] >= 40
    assert types["multi"] >= 20
    docs = {d for r in ROWS for d in r["gold_docs"] + r.get("near_docs", [])}
    assert len(docs) >= 60
    assert len({r["id"] for r in ROWS}) == len(ROWS)
    for r in ROWS:
        assert all(bbc.in_eval_corpus(d) for d in r["gold_docs"] + r.get("near_docs", []))
        if r["type"] == "unanswerable":
            assert not r["gold_docs"] and not r["answers"] and r["near_docs"]
        else:
            assert len(r["gold_spans"]) == len(r["gold_docs"]) == (2 if r["type"] == "multi" else 1)


def test_bbc_set_holds_no_article_text() -> None:
    for r in ROWS:
        assert set(r) <= {
            "id",
            "question",
            "type",
            "wanted",
            "gold_docs",
            "gold_spans",
            "answers",
            "answers_any",
            "near_docs",
            "note",
        }
        for span in r["gold_spans"]:
            assert set(span) == {"doc", "start", "end", "sha1"}


def _bench() -> Path:
    try:
        return bbc.find_bench()
    except BenchMissing as exc:
        pytest.skip(str(exc))


def test_bbc_spans_are_checked_against_the_corpus() -> None:
    questions = bbc.load_questions(_bench())
    assert len(questions) == len(ROWS)
    single = next(q for q in questions if q.type == "single")
    assert all(a.lower() in single.gold_passages[0].lower() for a in single.answers)


def test_a_span_that_does_not_match_the_article_fails_to_load(tmp_path: Path) -> None:
    bench = _bench()
    row = dict(ROWS[0])
    row["gold_spans"] = [dict(row["gold_spans"][0], start=row["gold_spans"][0]["start"] + 1)]
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(row) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="does not match"):
        bbc.load_questions(bench, bad)


def test_markdown_carries_title_and_outlet() -> None:
    md = bbc.to_markdown({"doc_id": "bbc_tech_001", "title": "A  title", "text": "Body.\r\n"})
    assert md.startswith('---\ntitle: "A title"\noutlet: "BBC News"')
    assert md.endswith("Body.\n")


def test_halves_split_by_article() -> None:
    def q(qid: str, files: tuple[str, ...], near: tuple[str, ...] = ()) -> GoldQuestion:
        return GoldQuestion(qid, "?", "single", gold_files=files, near_files=near)

    a = next(f"a{i}.md" for i in range(50) if article_half(f"a{i}.md") == FIT)
    b = next(f"b{i}.md" for i in range(50) if article_half(f"b{i}.md") == VALIDATION)
    assert question_half(q("1", (a,))) == FIT
    assert question_half(q("2", (b,))) == VALIDATION
    assert question_half(q("3", (a, b))) == VALIDATION, "mixed questions are never fitted on"
    assert question_half(q("4", (), (a,))) == FIT, "a near miss goes with its article"
    qs = [q("1", (a,)), q("2", (b,))]
    assert [x.id for x in select(qs, FIT)] == ["1"]
    assert len(select(qs, "all")) == 2
    with pytest.raises(ValueError):
        select(qs, "train")


def test_bbc_halves_are_balanced() -> None:
    questions = [
        GoldQuestion(
            r["id"],
            r["question"],
            r["type"],
            gold_files=tuple(bbc.file_name(d) for d in r["gold_docs"]),
            near_files=tuple(bbc.file_name(d) for d in r.get("near_docs", [])),
        )
        for r in ROWS
    ]
    halves = Counter(question_half(x) for x in questions)
    assert min(halves.values()) >= 0.35 * len(questions)


def test_short_answer_correct_wants_the_answer_and_brevity() -> None:
    assert short_answer_correct("June 18–19", ["June 18-19"])
    assert not short_answer_correct("June 20", ["June 18-19"])
    sentence = "Russian president Vladimir Putin will visit North Korea on June 18-19, it said."
    assert not short_answer_correct(sentence, ["June 18-19"]), "a sentence is not short"
    assert short_answer_correct("July or August", ["July", "August"])
    assert not short_answer_correct("", ["July"])


def test_choice_read_needs_the_right_choice_and_no_wrong_one() -> None:
    choices = ("Game of Thrones", "Squid Game", "Breaking Bad", "Friends")
    assert choice_read("Netflix renewed Squid Game.", choices, [1])
    assert not choice_read("Squid Game and Friends were renewed.", choices, [1])
    assert not choice_read("Breaking Bad was renewed.", choices, [1])
    assert choice_read("It was Squid Game.", ("Game", "Squid Game"), [1]) is True


def test_bbc_corpus_subset_is_the_first_articles_of_each_category() -> None:
    bench = _bench()
    with gzip.open(bench / bbc.CORPUS_FILE, "rt", encoding="utf-8") as fh:
        ids = [json.loads(line)["doc_id"] for line in fh if line.strip()]
    kept = [i for i in ids if bbc.in_eval_corpus(i)]
    assert len(kept) == 5 * bbc.PER_CATEGORY
