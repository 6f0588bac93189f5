"""News-aware retrieval: article table and titles, phrases, time fit, features, fusion, the hybrid
retriever's variants, and the chunk's embedding input."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from index.ingest import embed_input
from index.records import Article, Meta
from index.settings import IndexSettings
from rag.records import Filters
from rag.retrieval.articles import build_articles
from rag.retrieval.bm25_segments import Bm25Table, build_segment
from rag.retrieval.features import FEATURES, Candidate, Hit, QueryContext, compute_features
from rag.retrieval.fusion import (
    WEIGHTS_PATH,
    FusionWeights,
    FusionWeightsError,
    feature_hash,
    learned_scores,
    read_weights,
    rrf_scores,
    write_weights,
)
from rag.retrieval.hybrid import FUSIONS
from rag.retrieval.phrases import QuestionPhrases, contains, fraction_found, question_phrases
from rag.retrieval.prf import expand, expansion_terms
from rag.retrieval.timefit import DAY, TimeCue, date_fit, recency, time_cue
from rag.service import Dossier
from tests.conftest import SAMPLE_DIR


def ts(y: int, m: int, d: int) -> float:
    return datetime(y, m, d, tzinfo=UTC).timestamp()


class Table:
    def __init__(self, rows: list[tuple[str, str, dict[str, Any]]], live: Any = None) -> None:
        self.ids = [r[0] for r in rows]
        self.texts = [r[1] for r in rows]
        self.metas = [r[2] for r in rows]
        if live is not None:
            self.live = np.asarray(live, dtype=bool)


def _table() -> Table:
    a = {
        "file": "a.md",
        "title": "Jackson water crisis deepens",
        "published_ts": int(ts(2022, 8, 30)),
    }
    b = {"file": "b.md", "title": "Mississippi river barges stuck", "published_ts": None}
    return Table(
        [
            ("a.md#1", "Residents of Jackson, Mississippi lack water.", {**a, "n": 1}),
            ("a.md#0", "The crisis began on Monday.", {**a, "n": 0}),
            ("b.md#0", "Barges on the river in Jackson county.", {**b, "n": 0}),
            ("b.md#1", "An old chunk replaced since.", {**b, "n": 1}),
        ],
        live=[True, True, True, False],
    )


# ---- articles and titles ------------------------------------------------------------------------
def test_article_table_orders_rows_skips_dead_rows_and_searches_titles() -> None:
    table = _table()
    arts = build_articles(table)
    assert arts.files == ["a.md", "b.md"]
    assert arts.rows["a.md"] == [1, 0]  # chunk order, not row order
    assert arts.rows["b.md"] == [2]  # the dead row is left out
    assert math.isnan(arts.ts[1]) and arts.newest_ts == ts(2022, 8, 30)
    assert [f for f, _ in arts.search_titles("water crisis", 5, Filters())] == ["a.md"]
    assert arts.search_titles("water crisis", 5, Filters(files=("b.md",))) == []
    text = arts.text("a.md", table)
    assert text.startswith(" jackson water crisis ") and " the crisis began " in text


def test_article_table_from_segments_equals_the_row_by_row_reading() -> None:
    """The segment fast path (one metadata dict per article) gives what reading every row's
    metadata gives: across segments, with dead rows, a re-indexed article whose live rows moved
    to a newer segment, and a row whose metadata is kept whole."""
    a = {"file": "a.md", "title": "Jackson water crisis deepens", "published_ts": 1}
    b = {"file": "b.md", "title": "Mississippi river barges stuck", "published_ts": None}
    c = {"file": "c.md", "title": "Storm season", "published_ts": 5}
    old = build_segment(
        "s0",
        [
            ("a.md#1", "Residents lack water.", {**a, "n": 1}),
            ("b.md#0", "Barges on the river.", {**b, "n": 0}),
            ("a.md#0", "The crisis began.", {**a, "n": 0}),
            ("c.md#0", "Storms ahead.", {**c, "n": 0}),
        ],
    )
    new = build_segment(
        "s1",
        [
            ("b.md#1", "Barges again.", {**b, "n": 1}),
            ("b.md#0", "Barges on the river, updated.", {**b, "n": 0}),
            ("c.md#1", "Odd row.", {**c, "n": 1, "start": -5}),  # kept whole (negative int)
        ],
    )
    table = Bm25Table(2, [old, new], np.array([1, 0, 1, 1, 1, 1, 1], dtype=bool), {})
    fast = build_articles(table)
    slow = build_articles(
        Table(list(zip(table.ids, table.texts, table.metas, strict=True)), table.live)
    )
    assert fast.files == slow.files == ["a.md", "c.md", "b.md"]
    assert fast.rows == slow.rows
    assert fast.rows["b.md"] == [5, 4] and fast.rows["c.md"] == [3, 6]
    assert fast.metas == slow.metas and fast.titles == slow.titles
    assert np.array_equal(fast.ts, slow.ts, equal_nan=True)
    empty = Bm25Table(3, [old], np.zeros(4, dtype=bool), {})
    assert build_articles(empty).files == []


def test_newest_in_scope_follows_filters() -> None:
    arts = build_articles(_table())
    assert arts.newest_in(Filters(files=("b.md",))) is None  # only an undated article
    assert arts.newest_in(Filters(files=("a.md",))) == ts(2022, 8, 30)


# ---- phrases ------------------------------------------------------------------------------------
def test_phrases_match_consecutive_words_only() -> None:
    assert contains("in jackson, mississippi, the taps", "jackson mississippi")
    assert not contains("jackson said mississippi", "jackson mississippi")
    assert not contains("jacksonville", "jackson")
    assert fraction_found("patriot front members", ("patriot front", "pride event")) == 0.5
    assert fraction_found("anything", ()) == 0.0


def test_question_phrases_names_and_noun_phrases() -> None:
    got = question_phrases("What caused the Jackson, Mississippi water crisis this week?")
    assert "jackson" in got.entities
    assert any("water crisis" in p for p in got.phrases)
    assert not any(p.startswith(("what", "the ")) for p in got.phrases)
    assert "this week" not in got.phrases  # times are the time signal's


# ---- time ---------------------------------------------------------------------------------------
def test_time_cues() -> None:
    assert time_cue("Which automaker recalled cars this week?").kind == "recent"
    assert time_cue("Which show was recently renewed?").kind == "recent"
    assert time_cue("Who won the election?").kind == "none"
    named = time_cue("What happened in July 2022?")
    assert named.kind == "named" and named.start == ts(2022, 7, 1) and named.end == ts(2022, 8, 1)
    day = time_cue("What did Biden say on June 18, 2022?")
    assert day.kind == "named" and day.start == ts(2022, 6, 18)


def test_date_fit_prefers_newest_and_named_and_keeps_undated_neutral() -> None:
    recent = TimeCue("recent", days=7.0)
    newest = ts(2022, 8, 30)
    assert date_fit(recent, newest, newest) == pytest.approx(0.5)
    assert date_fit(recent, newest - 3 * DAY, newest) > date_fit(recent, newest - 60 * DAY, newest)
    assert date_fit(recent, None, newest) == 0.0
    assert date_fit(recent, float("nan"), newest) == 0.0
    assert date_fit(TimeCue(), newest, newest) == 0.0
    july = time_cue("What happened in July 2022?")
    assert date_fit(july, ts(2022, 7, 15), None) == 0.5
    assert date_fit(july, ts(2022, 8, 5), None) == 0.5  # reported just after: within the slack
    assert date_fit(july, ts(2021, 1, 5), None) < 0.0 < date_fit(july, ts(2022, 6, 25), None)


def test_recency_tells_last_quarter_from_years_back_where_date_fit_cannot() -> None:
    recent = TimeCue("recent", days=7.0)
    newest = ts(2022, 8, 30)
    quarter, years = newest - 90 * DAY, ts(2016, 4, 1)
    # date_fit has fallen to its floor for both; recency still ranks them by age
    assert date_fit(recent, quarter, newest) == pytest.approx(
        date_fit(recent, years, newest), abs=1e-4
    )
    assert recency(recent, newest, newest) == pytest.approx(0.5)
    assert recency(recent, newest - 3 * DAY, newest) > recency(recent, quarter, newest)
    assert recency(recent, quarter, newest) > 0.0 > recency(recent, years, newest) >= -0.5
    assert recency(recent, ts(2000, 1, 1), newest) == pytest.approx(-0.5)  # bottoms out
    # no "recent" cue, an undated article or nothing dated in scope: neutral
    assert recency(TimeCue(), quarter, newest) == 0.0
    assert recency(time_cue("What happened in July 2022?"), quarter, newest) == 0.0
    assert recency(recent, None, newest) == recency(recent, float("nan"), newest) == 0.0
    assert recency(recent, quarter, None) == 0.0


# ---- features -----------------------------------------------------------------------------------
def _ctx(**kw: Any) -> QueryContext:
    base: dict[str, Any] = {
        "phrases": QuestionPhrases(("jackson",), ("jackson", "jackson, mississippi")),
        "cue": TimeCue("recent", days=7.0),
        "newest": ts(2022, 8, 30),
        "depth": 40,
        "top_similarity": 0.8,
        "top_bm25": 10.0,
        "top_title": 4.0,
    }
    return QueryContext(**{**base, **kw})


def test_features_from_all_passages_and_the_article() -> None:
    table = _table()
    arts = build_articles(table)
    cand = Candidate(
        "a.md",
        [
            Hit("a.md#1", "", {}, vector_rank=3, similarity=0.7, bm25_rank=1, bm25_score=10.0),
            Hit("a.md#0", "", {}, vector_rank=9, similarity=0.5),
        ],
        title_rank=1,
        title_score=4.0,
    )
    f = compute_features(cand, _ctx(), arts, table)
    assert list(f) == list(FEATURES)
    assert f["vec_inv_rank"] == pytest.approx(1 / 3) and f["bm25_inv_rank"] == 1.0
    assert f["vec_sim_gap"] == pytest.approx(-0.1) and f["both"] == 1.0
    assert f["vec_count"] > f["bm25_count"] > 0
    assert f["title_rel"] == 1.0 and f["phrase"] == 1.0 and f["entity"] == 1.0
    assert f["title_phrase"] == 0.5  # "jackson" is in the title, "jackson, mississippi" not
    assert f["date_fit"] == pytest.approx(0.5) == f["recency"]
    other = compute_features(Candidate("b.md", [Hit("b.md#0", "", {})]), _ctx(), arts, table)
    assert other["vec_inv_rank"] == 0.0 and other["vec_log_rank"] == 0.0
    assert other["date_fit"] == 0.0 == other["recency"]  # undated: neither wins nor vanishes
    assert other["phrase"] == 0.5


# ---- fusion -------------------------------------------------------------------------------------
def test_committed_weights_exist_and_match_the_features() -> None:
    weights = read_weights(WEIGHTS_PATH)  # fails when the file is missing or stale: refit it
    assert weights.features == FEATURES
    assert len(weights.weights) == len(FEATURES)
    data = json.loads(WEIGHTS_PATH.read_text())
    assert data["feature_hash"] == feature_hash()


def test_missing_or_stale_weights_are_refused(tmp_path: Path) -> None:
    with pytest.raises(FusionWeightsError, match="fit_fusion"):
        read_weights(tmp_path / "none.json")
    path = tmp_path / "w.json"
    write_weights(path, [0.0] * len(FEATURES), 0.0, {})
    assert read_weights(path).features == FEATURES
    data = json.loads(path.read_text())
    data["features"] = [*FEATURES[:-1], "renamed"]
    path.write_text(json.dumps(data))
    with pytest.raises(FusionWeightsError, match="other features"):
        read_weights(path)
    assert feature_hash(FEATURES[:-1]) != feature_hash()


def test_learned_scores_follow_the_weights() -> None:
    w = FusionWeights(FEATURES, tuple(1.0 if n == "phrase" else 0.0 for n in FEATURES), 0.0, {})
    cands = [Candidate("x", features={n: 0.0 for n in FEATURES}) for _ in range(2)]
    cands[1].features["phrase"] = 1.0
    learned_scores(cands, w)
    assert cands[1].score > cands[0].score


def test_a_scope_with_an_end_date_is_ranked_by_the_dated_weights(tmp_path: Path) -> None:
    def only(name: str) -> list[float]:
        return [1.0 if n == name else 0.0 for n in FEATURES]

    path = tmp_path / "w.json"
    with pytest.raises(FusionWeightsError, match="no undated weights"):
        write_weights(path, only("date_fit"), 0.0, {"run": "dated"}, dated=True)
    write_weights(path, only("phrase"), 0.0, {"run": "undated"})
    write_weights(path, only("date_fit"), 0.0, {"run": "dated"}, dated=True)
    write_weights(path, only("phrase"), 0.5, {"run": "undated again"})  # keeps the dated set
    w = read_weights(path)
    assert w.info == {"run": "undated again"} and w.bias == 0.5
    assert w.dated is not None and w.dated.info == {"run": "dated"}
    assert w.for_scope(False) is w and w.for_scope(True) is w.dated
    recent, matching = (Candidate(f, features={n: 0.0 for n in FEATURES}) for f in "rm")
    recent.features["date_fit"] = 1.0
    matching.features["phrase"] = 1.0
    learned_scores([recent, matching], w)
    assert matching.score > recent.score
    learned_scores([recent, matching], w, has_end_date=True)
    assert recent.score > matching.score
    data = json.loads(path.read_text())
    data["dated"]["weights"] = [1.0]
    path.write_text(json.dumps(data))
    with pytest.raises(FusionWeightsError, match="one weight per feature"):
        read_weights(path)
    # Without a dated set the undated weights serve both kinds of scope.
    plain = FusionWeights(FEATURES, tuple(only("phrase")), 0.0, {})
    assert plain.for_scope(True) is plain


def test_committed_weights_have_a_dated_set_fitted_as_asked() -> None:
    dated = read_weights(WEIGHTS_PATH).dated
    assert dated is not None and dated.info.get("as_asked") is True


def test_article_rrf_ranks_by_best_passage_and_adds_signals() -> None:
    def cand(file: str, ranks: list[int], **features: float) -> Candidate:
        c = Candidate(
            file, [Hit(f"{file}#{i}", "", {}, vector_rank=r) for i, r in enumerate(ranks)]
        )
        c.features = {"vec_inv_rank": 1.0 / min(ranks), **features}
        return c

    one, many = cand("one", [1]), cand("many", [2, 3, 4])
    rrf_scores([one, many], 60, frozenset())
    assert one.score > many.score  # the best passage ranks the article
    one, many = cand("one", [1], phrase=1.0), cand("many", [2, 3, 4])
    rrf_scores([one, many], 60, frozenset({"phrase"}))
    assert one.score > many.score


# ---- the retriever ------------------------------------------------------------------------------
@pytest.fixture
def sample_dossier(fake_dossier: Dossier) -> Dossier:
    fake_dossier.ingest(SAMPLE_DIR)
    return fake_dossier


@pytest.mark.parametrize(
    "scope",
    [
        Filters(until="2024-05-25"),
        Filters(since="2024-06-01"),
        Filters(outlets=("Newsmax",)),
        Filters(since="2030-01-01"),  # nothing in scope
    ],
)
def test_scoped_vector_search_equals_chromas_filtered_search(
    sample_dossier: Dossier, scope: Filters, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rag.retrieval import hybrid
    from rag.retrieval.filters import chroma_where

    retriever = sample_dossier.retriever()
    store = retriever.store
    vec = retriever.embedder.embed(["Putin visit to Pyongyang"])[0]
    expected = [(h.id, round(h.distance, 5)) for h in store.query(vec, 8, chroma_where(scope))]
    used: list[str] = []
    real_query, real_nearest = store.query, store.nearest

    def query(*args: Any, **kwargs: Any) -> Any:
        used.append("where")
        return real_query(*args, **kwargs)

    def nearest(*args: Any, **kwargs: Any) -> Any:
        used.append("cut")
        return real_nearest(*args, **kwargs)

    monkeypatch.setattr(store, "query", query)
    monkeypatch.setattr(store, "nearest", nearest)
    got = [(h.id, round(h.distance, 5)) for h in retriever._scoped_nearest(vec, 8, scope)]
    assert got == expected
    assert used == ([] if not expected else ["cut"])  # a share that large is cut, not filtered
    monkeypatch.setattr(hybrid, "SCOPE_SHARE_MIN", 1.01)  # as for a narrow scope
    used.clear()
    assert [(h.id, round(h.distance, 5)) for h in retriever._scoped_nearest(vec, 8, scope)] == (
        expected
    )
    assert used == ([] if not expected else ["where"])


def test_vector_hits_read_from_the_bm25_table_equal_the_stores_read(
    sample_dossier: Dossier,
) -> None:
    retriever = sample_dossier.retriever()
    query = "How many artillery shells has North Korea sent to Russia?"

    def seen(from_table: bool) -> list[tuple[Any, ...]]:
        hits = retriever._vector_hits(query, 12, Filters(), from_table=from_table)
        return [(h.cid, h.text, h.meta, h.vector_rank, round(h.similarity or 0, 6)) for h in hits]

    from_store = seen(False)
    assert len(from_store) == 12
    assert seen(True) == from_store


@pytest.mark.parametrize("fusion", [f for f in FUSIONS if f != "learned"])
def test_every_variant_caps_passages_and_keeps_filters(
    sample_dossier: Dossier, fusion: str
) -> None:
    mode = f"hybrid:{fusion}"
    got = sample_dossier.search("Putin visit to North Korea", k=8, mode=mode)
    assert got and len(got) <= 8
    files = [p.file for p in got]
    assert all(files.count(f) <= 3 for f in files)
    assert len({p.id for p in got}) == len(got)
    only = sample_dossier.search("Putin", k=8, mode=mode, filters=Filters(files=(files[0],)))
    assert only and {p.file for p in only} == {files[0]}


def test_learned_variant_and_second_passages_after_other_articles(sample_dossier: Dossier) -> None:
    got = sample_dossier.search("Putin visit to North Korea", k=6, mode="hybrid:learned")
    assert len({p.file for p in got[:3]}) == 3  # a second passage waits for the next articles
    cands = sample_dossier.retriever().candidates("Putin visit", None, 40, "learned")
    assert [c.score for c in cands] == sorted((c.score for c in cands), reverse=True)


def test_unknown_fusion_is_refused(sample_dossier: Dossier) -> None:
    with pytest.raises(ValueError, match="unknown fusion"):
        sample_dossier.search("Putin", mode="hybrid:magic")


# ---- title and date in the chunk's vector -------------------------------------------------------
def test_embed_input_puts_title_and_date_in_front() -> None:
    art = Article(
        file="a.md",
        text="Body.",
        meta=Meta(title="Floods in Yellowstone", published="2022-06-14T10:00:00+00:00"),
        sha256="x",
    )
    assert embed_input(art, "It closed.") == "Floods in Yellowstone\n2022-06-14\nIt closed."


def test_embed_context_changes_the_index_identity() -> None:
    plain = IndexSettings().identity("m", 3)
    ctx = IndexSettings(embed_context=True).identity("m", 3)
    assert "embed_text" not in plain and ctx["embed_text"] == "title+date"


# ---- pseudo-relevance feedback ---------------------------------------------------------------
def test_rm3_adds_the_heaviest_new_terms_of_the_best_passages() -> None:
    texts = ["The treatment plant failed; the plant flooded.", "A governor spoke."]
    got = expansion_terms("Jackson water crisis", texts, [9.0, 1.0], terms=2)
    assert got[0] == "plant" and "governor" not in got
    assert "water" not in expansion_terms("water", ["water waters plant"], [1.0])
    assert expand("Jackson", [], []) == "Jackson"


def test_the_eval_compares_every_fusion_variant() -> None:
    from evals.runner import VARIANTS

    assert {v.split(":", 1)[1] for v in VARIANTS} == set(FUSIONS)
