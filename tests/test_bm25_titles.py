"""The title BM25 kept per segment: scores equal bm25s's over the live articles' titles, the
title segments are reused by the next table, and filters and odd rows behave."""

from __future__ import annotations

from typing import Any

import bm25s
import numpy as np
import pytest

from rag.records import Filters
from rag.retrieval.articles import build_articles
from rag.retrieval.bm25_segments import Bm25Table, build_segment
from rag.retrieval.bm25_titles import plain_title_index
from rag.text.terms import stemmer

TITLES = {
    "a.md": "Jackson water crisis deepens",
    "b.md": "Mississippi river barges stuck in Jackson",
    "c.md": "Storm season brings water to the river",
    "d.md": "",
    "e.md": "The water of the Jackson river",
}


def _meta(f: str, title: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"file": f, "title": TITLES[f] if title is None else title, "published_ts": 1, **extra}


def _bm25s(titles: list[str], query: str, n: int) -> list[tuple[int, float]]:
    """What the title search gave before: bm25s over the titles (doc index, score)."""
    tok = lambda xs: bm25s.tokenize(xs, stopwords="en", stemmer=stemmer(), show_progress=False)  # noqa: E731
    model = bm25s.BM25()
    model.index(tok(titles), show_progress=False)
    docs, scores = model.retrieve(tok([query]), k=min(n, len(titles)), show_progress=False)
    return [(int(d), float(s)) for d, s in zip(docs[0], scores[0], strict=True) if s > 0]


def _tables() -> tuple[Bm25Table, Bm25Table]:
    s0 = build_segment(
        "s0",
        [
            ("a.md#0", "Residents lack water.", _meta("a.md", n=0)),
            ("b.md#0", "Barges on the river.", _meta("b.md", n=0)),
            ("c.md#0", "Storms ahead.", _meta("c.md", n=0)),
            ("d.md#0", "Untitled.", _meta("d.md", n=0)),
        ],
    )
    first = Bm25Table(1, [s0], None, {})
    # b.md re-indexed with a new title, e.md added: a segment of their chunks, b's old row dead.
    s1 = build_segment(
        "s1",
        [
            ("b.md#0", "Barges again.", _meta("b.md", "Barges freed on the Mississippi", n=0)),
            ("e.md#0", "The river rises.", _meta("e.md", n=0)),
        ],
    )
    second = Bm25Table(2, [s0, s1], np.array([1, 0, 1, 1, 1, 1], dtype=bool), {})
    return first, second


@pytest.mark.parametrize("query", ["Jackson water", "river barges Mississippi", "the", "storm"])
def test_title_scores_equal_bm25s_over_the_live_titles(query: str) -> None:
    for table in _tables():
        arts = build_articles(table)
        got = arts.search_titles(query, 10, Filters())
        want = [(arts.files[d], s) for d, s in _bm25s(arts.titles, query, 10)]
        assert dict(got) == pytest.approx(dict(want), rel=1e-5)
        scores = [s for _, s in got]
        assert scores == sorted(scores, reverse=True)  # ties: by file name
        assert [f for f, _ in got] == sorted(dict(got), key=lambda f: (-dict(got)[f], f))


def test_the_next_table_reuses_the_title_segments_of_the_previous() -> None:
    first, second = _tables()
    before = build_articles(first)
    after = build_articles(second, before)
    assert before.title_index is not None and after.title_index is not None
    assert after.title_index.segments["s0"] is before.title_index.segments["s0"]
    assert set(after.title_index.segments) == {"s0", "s1"}
    # b.md's title is its new one, and its old row no longer counts
    assert [f for f, _ in after.search_titles("barges freed", 5, Filters())] == ["b.md"]
    assert after.search_titles("stuck", 5, Filters()) == []
    assert before.search_titles("stuck", 5, Filters())[0][0] == "b.md"


def test_filters_keep_only_their_articles_and_n_caps_the_list() -> None:
    arts = build_articles(_tables()[1])
    got = arts.search_titles("water river", 10, Filters(files=("c.md", "e.md")))
    assert {f for f, _ in got} == {"c.md", "e.md"}
    assert arts.search_titles("water", 10, Filters(files=("d.md",))) == []
    assert len(arts.search_titles("water river jackson", 2, Filters())) == 2


def test_a_first_row_kept_whole_with_another_title_gets_its_own_row() -> None:
    """An article whose first live chunk carries a title its entry does not share."""
    seg = build_segment(
        "s0",
        [
            ("a.md#0", "Residents lack water.", _meta("a.md", n=0)),
            ("c.md#0", "Odd row.", _meta("c.md", "Heatwave in Jackson", n=0, start=-5)),
            ("c.md#1", "Storms ahead.", _meta("c.md", n=1)),
        ],
    )
    arts = build_articles(Bm25Table(1, [seg], None, {}))
    assert arts.titles == ["Jackson water crisis deepens", "Heatwave in Jackson"]
    got = arts.search_titles("heatwave", 5, Filters())
    assert [f for f, _ in got] == ["c.md"]
    want = _bm25s(arts.titles, "jackson", 5)
    assert [s for _, s in arts.search_titles("jackson", 5, Filters())] == pytest.approx(
        [s for _, s in want], rel=1e-5
    )


def test_plain_index_and_empty_tables() -> None:
    index = plain_title_index(["Jackson water", "", "River news"])
    assert [i for i, _ in index.search("river", 5)] == [2]
    assert plain_title_index([]).search("river", 5) == []
    empty = Bm25Table(3, [], None, {})
    assert build_articles(empty).search_titles("river", 5, Filters()) == []


def test_a_retriever_made_anew_reuses_the_process_s_title_segments() -> None:
    """Without the previous table (an app that reopened the index), title segments of the same
    chunk segments are found again; a segment of the same name with other titles is not."""
    first, second = _tables()
    before = build_articles(first)
    anew = build_articles(second)
    assert before.title_index is not None and anew.title_index is not None
    assert anew.title_index.segments["s0"] is before.title_index.segments["s0"]
    other = build_segment("s0", [("a.md#0", "Text.", _meta("a.md", "Another title", n=0))])
    got = build_articles(Bm25Table(3, [other], None, {}))
    assert got.title_index is not None
    assert got.title_index.segments["s0"] is not before.title_index.segments["s0"]
    assert [f for f, _ in got.search_titles("another", 5, Filters())] == ["a.md"]
