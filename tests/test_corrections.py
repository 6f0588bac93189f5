"""Reader corrections of article metadata and per-article include/exclude: stored beside the
index, applied by ingest, written onto chunks, surviving re-ingest and rebuild, and feeding the
scope of answers and briefings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.corrections import CorrectionError, Corrections, StoreView, normalise
from index.records import Meta
from rag.records import Filters, Scope
from rag.service import Dossier

FILE = "000_d455daceb9b8e86e.txt"
QUESTION = "Who invited Putin to visit North Korea?"


# ---- the corrections file ------------------------------------------------------------------------
def test_normalise_fields() -> None:
    assert normalise("outlet", "  Fox   News ") == "Fox News"
    assert normalise("outlet", "") is None
    assert normalise("published", "June 18, 2024") == "2024-06-18"
    assert normalise("published", "2024-06-18T07:00:00-04:00") == "2024-06-18T07:00:00-04:00"
    with pytest.raises(CorrectionError, match="not a date"):
        normalise("published", "soon")
    with pytest.raises(CorrectionError, match="unknown field"):
        normalise("sha256", "x")


def test_corrections_round_trip_and_apply(tmp_path: Path) -> None:
    c = Corrections(tmp_path)
    assert c.load() == {} and c.apply("a.txt", Meta("T")) == Meta("T")
    c.correct("a.txt", {"outlet": "Reuters", "published": "2024-06-18"})
    c.set_included("a.txt", False)
    c.set_included("b.txt", False)
    assert c.excluded() == {"a.txt", "b.txt"}
    meta = c.apply("a.txt", Meta("Title", outlet=None, author="X", published=None))
    assert meta == Meta("Title", "Reuters", "X", "2024-06-18")
    c.set_included("b.txt", True)
    assert c.excluded() == {"a.txt"} and "b.txt" not in c.load()
    c.reset("a.txt", ["outlet"])
    assert c.fields("a.txt") == {"published": "2024-06-18"}
    assert json.loads(c.path.read_text())["articles"]["a.txt"]["excluded"] is True
    assert not list(tmp_path.glob(".corrections-*"))  # atomic write leaves no temp file
    with pytest.raises(CorrectionError, match="title"):
        c.correct("a.txt", {"title": "  "})


def test_unreadable_corrections_are_none(tmp_path: Path) -> None:
    (tmp_path / "corrections.json").write_text("{not json")
    assert Corrections(tmp_path).load() == {}
    (tmp_path / "corrections.json").write_text('["a list"]')
    assert Corrections(tmp_path).excluded() == set()


# ---- through the index ------------------------------------------------------------------------
@pytest.fixture
def indexed(fake_dossier: Dossier, sample_copy: Path) -> Dossier:
    fake_dossier.ingest(sample_copy)
    return fake_dossier


def _chunk_outlets(d: Dossier, file: str) -> set[object]:
    got = d.store().chunks.get(where={"file": file}, include=["metadatas"])
    return {m.get("outlet") for m in got["metadatas"]}


def test_correction_reaches_chunks_filters_and_answers(indexed: Dossier) -> None:
    before = indexed.store().generation
    clean = indexed.correct(FILE, {"outlet": "Daily Planet", "published": "2023-09-14"})
    assert clean == {"outlet": "Daily Planet", "published": "2023-09-14"}
    assert indexed.store().generation > before  # BM25 rebuilds its table
    assert _chunk_outlets(indexed, FILE) == {"Daily Planet"}
    _, meta = indexed.article(FILE) or ("", {})
    assert meta["outlet"] == "Daily Planet" and meta["published"] == "2023-09-14"
    hits = indexed.search("Putin invitation", filters=Filters(outlets=("Daily Planet",)))
    assert hits and {p.file for p in hits} == {FILE}
    answer = indexed.ask_in_scope(QUESTION, filters=Filters(outlets=("Daily Planet",)))
    assert answer.citations and {c.outlet for c in answer.citations} == {"Daily Planet"}
    assert answer.scope is not None and answer.scope.outlets == ("Daily Planet",)
    assert "Daily Planet" in answer.to_json()["scope"]["description"]


def test_corrections_survive_reingest_of_a_changed_file_and_rebuild(
    indexed: Dossier, sample_copy: Path
) -> None:
    indexed.correct(FILE, {"outlet": "Daily Planet", "author": "Lois Lane"})
    path = sample_copy / FILE
    path.write_text(path.read_text() + "\n\nA late paragraph was added to the story today.\n")
    report = indexed.ingest(sample_copy)
    assert FILE in report.updated
    assert _chunk_outlets(indexed, FILE) == {"Daily Planet"}
    indexed.ingest(sample_copy, rebuild=True)
    _, meta = indexed.article(FILE) or ("", {})
    assert meta["outlet"] == "Daily Planet" and meta["author"] == "Lois Lane"
    assert _chunk_outlets(indexed, FILE) == {"Daily Planet"}


def test_excluded_articles_leave_chat_and_briefings(indexed: Dossier) -> None:
    total = indexed.status()["articles"]
    indexed.set_included(FILE, False)
    effective, scope = indexed.in_scope()
    assert FILE not in effective.files and len(effective.files) == total - 1
    assert scope == Scope(articles=total - 1, total=total, excluded=(FILE,))
    assert "excluded by you" in scope.describe()
    answer = indexed.ask_in_scope(QUESTION)
    assert FILE not in {c.file for c in answer.citations}
    briefing, bscope = indexed.brief_in_scope(None)
    assert FILE not in {a.file for a in briefing.articles} and bscope.excluded == (FILE,)
    indexed.set_included(FILE, True)
    assert indexed.in_scope()[1].whole


def test_no_article_in_scope_is_said(indexed: Dossier) -> None:
    answer = indexed.ask_in_scope(QUESTION, filters=Filters(outlets=("Nobody",)))
    assert answer.refused and "No article is in scope" in answer.text
    assert answer.scope is not None and answer.scope.articles == 0


def test_overview_request_is_answered_with_the_briefing_summary(indexed: Dossier) -> None:
    answer = indexed.ask_in_scope("Summarize these articles")
    assert not answer.refused and answer.extra.get("overview") is True
    assert answer.claims and all(c.citations for c in answer.claims)
    # the overview reuses the briefing it saved while the index is unchanged
    again, _ = indexed.brief_in_scope(None)
    assert again.generated_at == indexed.previous_briefing(again.scope).generated_at  # type: ignore[union-attr]


def test_store_view_hides_other_articles(indexed: Dossier) -> None:
    view = StoreView(indexed.store(), {FILE})
    assert set(view.article_states()) == {FILE}
    assert view.article("001_8d517ec488ed0d82.txt") is None and view.article(FILE) is not None
    assert {m["file"] for _, _, m in view.iter_chunks()} == {FILE}
    assert view.count_chunks() == indexed.store().count_chunks()  # the rest goes through


def test_update_of_an_unknown_article(indexed: Dossier) -> None:
    assert indexed.store().update_article_meta("nope.txt", {"outlet": "X"}) is False


def test_changed_at_and_folders(indexed: Dossier, sample_copy: Path) -> None:
    t = indexed.index_changed_at()
    assert t is not None and t > 0
    assert indexed.ingested_folders() == [str(sample_copy.resolve())]
