"""An index brought in step by incremental ingests (additions, an edit, a removal, a duplicate, a
correction) holds exactly what one full ingest of the final folder holds: records, chunks, BM25
scores, the article table and its title search."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from index.embed import FakeEmbedder
from rag.records import Filters
from rag.service import Dossier
from tests.conftest import make_settings

VOLATILE = ("ingested_at",)
QUERIES = ["Putin visit North Korea", "Kremlin confirms", "Shoigu", "the summit talks", "Newsmax"]


def _content(d: Dossier) -> dict[str, Any]:
    store = d.store()
    records = {
        f: {k: v for k, v in m.items() if k not in VOLATILE}
        for f, m in store.article_states().items()
    }
    texts = {f: (store.article(f) or ("", {}))[0] for f in records}
    chunks = {cid: (text, meta) for cid, text, meta in store.iter_chunks()}
    r = d.retriever()
    table = r.bm25.table()
    arts = r.articles()
    bm25 = {
        q: [(table.ids[row], round(s, 9)) for row, s in r.bm25.search(q, 20, Filters())]
        for q in QUERIES
    }
    titles = {
        q: [(f, round(s, 6)) for f, s in arts.search_titles(q, 10, Filters())] for q in QUERIES
    }
    return {
        "records": records,
        "texts": texts,
        "chunks": chunks,
        "bm25": bm25,
        "titles": titles,
        "articles": {f: [table.ids[x] for x in arts.rows[f]] for f in arts.files},
        "article_titles": dict(zip(arts.files, arts.titles, strict=True)),
    }


@pytest.mark.parametrize("query_between", [False, True], ids=["cold", "warm-retriever"])
def test_incremental_ingests_equal_a_full_one(
    tmp_path: Path, sample_copy: Path, query_between: bool
) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    files = sorted(sample_copy.glob("*.txt"))
    inc = Dossier(make_settings(tmp_path / "inc"), embedder=FakeEmbedder())

    def step() -> None:
        inc.ingest(folder)
        if query_between:  # the retriever's BM25 and article table catch up step by step
            inc.search("Putin visit", k=5)

    for f in files[:2]:
        shutil.copy(f, folder / f.name)
    step()
    for f in files[2:]:
        shutil.copy(f, folder / f.name)
    step()
    edited = folder / files[1].name
    edited.write_text(edited.read_text("utf-8") + "\n\nA later paragraph adds news.\n", "utf-8")
    (folder / files[0].name).unlink()
    shutil.copy(files[3], folder / "copy_of_3.txt")  # a duplicate of another's text
    step()
    inc.correct(files[2].name, {"title": "A corrected headline about the summit"})
    step()
    shutil.copy(files[0], folder / files[0].name)  # back again
    step()

    full = Dossier(make_settings(tmp_path / "full"), embedder=FakeEmbedder())
    full.corrections.correct(files[2].name, {"title": "A corrected headline about the summit"})
    full.ingest(folder)
    got, want = _content(inc), _content(full)
    assert got["records"] == want["records"]
    assert got["texts"] == want["texts"]
    assert got["chunks"] == want["chunks"]
    assert got["articles"] == want["articles"]
    assert got["article_titles"] == want["article_titles"]
    assert got["bm25"] == want["bm25"]
    assert got["titles"] == want["titles"]
    assert any(got["titles"].values()) and any(got["bm25"].values())
