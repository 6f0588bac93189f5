from __future__ import annotations

import json
from pathlib import Path

from index.boilerplate import (
    STATS_FILE,
    BoilerplateStats,
    Thresholds,
    is_sentence_like,
    learn,
    line_hash,
    line_key,
    outlet_key,
)

WORDS = "river market council harbour station orchard museum bridge valley festival".split()
CHROME = "Our sources for this report:"
PROSE = "The council said on Monday that the harbour would reopen to ferries next spring."


def story(n: int, *extra: str) -> str:
    """An article whose own lines recur in no other ``story``, plus ``extra`` lines."""
    a, b = WORDS[n % 10], WORDS[(n // 10) % 10]
    return "\n".join(
        [f"The {a} {b} reopened", f"Officials said the {a} near the {b} opened.", *extra]
    )


def folder(
    n: int, chrome_in: int = 0, prose_in: int = 0, outlet: str = "Example News", prefix: str = "d"
) -> list[tuple[str, str, str]]:
    return [
        (
            f"{prefix}{i}",
            outlet,
            story(i, *([CHROME] if i < chrome_in else []), *([PROSE] if i < prose_in else [])),
        )
        for i in range(n)
    ]


def test_line_key_collapses_numbers_case_and_punctuation() -> None:
    assert line_key("Replay More Videos ... 02:21") == line_key("replay more videos 01:07")
    assert line_key("  Read More:  ") == "read more"
    assert line_key("* * *") == ""
    assert line_hash(line_key("Read More")) == line_hash("read more")
    assert len(line_hash("read more")) == 12
    assert outlet_key("USA TODAY") == outlet_key("USA Today") == "usa today"
    assert outlet_key(None) is None and outlet_key("  ") is None


def test_is_sentence_like() -> None:
    assert is_sentence_like(PROSE)
    assert not is_sentence_like(CHROME)
    assert not is_sentence_like("Get the latest news")
    assert is_sentence_like(" ".join(["word"] * 20))


def test_short_line_needs_min_docs_and_share() -> None:
    assert learn(folder(20, chrome_in=2)).learned("Example News", CHROME) is None
    hit = learn(folder(20, chrome_in=3)).learned("Example News", CHROME)
    assert hit is not None and (hit.docs, hit.outlet_docs) == (3, 20)
    assert hit.rule == "repeated:3/20"
    # the share: 3 of 400 articles is under 1%
    assert learn(folder(400, chrome_in=3)).learned("Example News", CHROME) is None
    assert learn(folder(400, chrome_in=4)).learned("Example News", CHROME) is not None


def test_sentence_like_lines_need_more_repeats() -> None:
    """A paragraph quoted by a few articles (or a story filed twice) is not chrome."""
    assert learn(folder(50, prose_in=7)).learned("Example News", PROSE) is None
    assert learn(folder(50, prose_in=8)).learned("Example News", PROSE) is not None


def test_a_folder_of_one_article_learns_nothing() -> None:
    stats = learn([("only", "Example News", story(0, CHROME, CHROME))])
    assert stats.outlet_docs("Example News") == 1
    assert stats.learned("Example News", CHROME) is None
    assert stats.learned_hashes("Example News") == frozenset()
    # nor does a folder below min_outlet_docs, even if every article repeats the line
    assert learn(folder(4, chrome_in=4)).learned("Example News", CHROME) is None
    assert learn(folder(5, chrome_in=5)).learned("Example News", CHROME) is not None


def test_incremental_updates_and_removal() -> None:
    stats = learn(folder(20, chrome_in=2))
    assert stats.learned("Example News", CHROME) is None
    stats.observe("new", "Example News", story(77, CHROME))
    assert stats.doc_freq("Example News", CHROME) == 3
    assert stats.learned("Example News", CHROME) is not None
    # observing the same article again replaces it: no double count
    stats.observe("new", "Example News", story(77, CHROME))
    assert stats.doc_freq("Example News", CHROME) == 3 and len(stats) == 21
    # an updated article without the line, then a removed one
    stats.observe("new", "Example News", story(77))
    assert stats.doc_freq("Example News", CHROME) == 2
    assert stats.forget("d0") and not stats.forget("d0")
    assert stats.doc_freq("Example News", CHROME) == 1
    assert stats.outlet_docs("Example News") == 20
    for doc_id in [f"d{i}" for i in range(1, 20)] + ["new"]:
        stats.forget(doc_id)
    assert len(stats) == 0 and stats.outlets() == {}


def test_outlets_are_counted_apart_and_articles_without_one_not_at_all() -> None:
    stats = learn(folder(10, chrome_in=10) + folder(10, outlet="Other Paper", prefix="o"))
    assert stats.learned("Example News", CHROME) is not None
    assert stats.learned("Other Paper", CHROME) is None
    assert stats.learned(None, CHROME) is None
    stats.observe("orphan", None, CHROME)
    assert "orphan" not in stats and stats.doc_freq("Example News", CHROME) == 10


def test_numbers_are_never_learned() -> None:
    docs = [(f"d{i}", "Example News", story(i, "$10,000", "02:21")) for i in range(10)]
    stats = learn(docs)
    assert stats.learned("Example News", "$10,000") is None
    assert stats.learned("Example News", "02:21") is None


def test_order_does_not_matter() -> None:
    docs = folder(30, chrome_in=5, prose_in=9)
    a, b = learn(docs), learn(reversed(docs))
    assert a.snapshot() == b.snapshot()
    assert a.outlets() == b.outlets()


def test_save_and_load_round_trip_without_text(tmp_path: Path) -> None:
    stats = BoilerplateStats.load(tmp_path)  # no file yet: empty
    assert len(stats) == 0
    for doc_id, outlet, text in folder(10, chrome_in=4):
        stats.observe(doc_id, outlet, text)
    stats.save()
    path = tmp_path / STATS_FILE
    raw = path.read_text(encoding="utf-8")
    assert "sources" not in raw and "Officials" not in raw  # hashes only, never text
    assert json.loads(raw)["version"] == 1
    again = BoilerplateStats.load(tmp_path)
    assert again.snapshot() == stats.snapshot()
    assert again.doc_freq("Example News", CHROME) == 4
    assert not list(tmp_path.glob("*.tmp"))


def test_affected_since_names_the_articles_to_clean_again() -> None:
    stats = learn(folder(20, chrome_in=2))
    before = stats.snapshot()
    stats.observe("d99", "Example News", story(99, CHROME))  # the third: now learned
    assert stats.affected_since(before) == ["d0", "d1", "d99"]
    assert stats.affected_since(stats.snapshot()) == []


def test_thresholds_are_configurable() -> None:
    strict = Thresholds(min_docs=5)
    assert learn(folder(20, chrome_in=4), strict).learned("Example News", CHROME) is None
    assert learn(folder(20, chrome_in=5), strict).learned("Example News", CHROME) is not None
