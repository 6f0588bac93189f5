"""BM25 segments score exactly as bm25s over the same live chunks: one segment, base + deltas
with dead rows, after compaction, and saved then read back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import bm25s
import numpy as np
import pytest

from rag.retrieval import bm25_disk
from rag.retrieval.bm25_segments import (
    Bm25Table,
    build_segment,
    index_text,
    merge_segments,
    tokenize,
)
from rag.text.terms import stemmer
from tests.conftest import SAMPLE_DIR

QUERIES = [
    "Putin visit North Korea",
    "Shoigu visit Pyongyang",
    "the visit of the president",
    "election results percent votes",
    "weapons ammunition artillery shells",
    "Kim Jong Un summit summit",  # a repeated term counts twice, as in bm25s
    "zzzunknownword",
    "",
]


def _corpus() -> list[tuple[str, str, dict[str, Any]]]:
    chunks: list[tuple[str, str, dict[str, Any]]] = []
    for path in sorted(SAMPLE_DIR.glob("*.txt")):
        paras = [p for p in path.read_text().split("\n\n") if p.strip()]
        for n, para in enumerate(paras[:12]):
            meta = {
                "file": path.name,
                "title": paras[0][:60],
                "outlet": "Outlet" + path.name[:3],
                "n": n,
                "start": n * 10,
                "end": n * 10 + len(para),
                "tokens": len(para.split()),
            }
            chunks.append((f"{path.name}#{n}", para, meta))
    chunks.append(("empty.txt#0", "the and of", {"file": "empty.txt", "n": 0}))  # no terms
    return chunks


def _reference(chunks: list[tuple[str, str, dict[str, Any]]]) -> bm25s.BM25:
    model = bm25s.BM25()
    model.index(
        bm25s.tokenize(
            [index_text(t, m) for _, t, m in chunks],
            stopwords="en",
            stemmer=stemmer(),
            show_progress=False,
        ),
        show_progress=False,
    )
    return model


def _bm25s_scores(model: bm25s.BM25, query: str) -> np.ndarray:
    terms = [t for t in tokenize([query])[0] if t in model.vocab_dict]
    if not terms:
        return np.zeros(model.scores["num_docs"])
    return np.asarray(model.get_scores(terms), dtype=np.float64)


def _assert_same(table: Bm25Table, live_chunks: list[tuple[str, str, dict[str, Any]]]) -> None:
    model = _reference(live_chunks)
    row_of = {cid: r for r, cid in enumerate(table.ids) if table.live[r]}
    assert set(row_of) == {c[0] for c in live_chunks}
    for q in QUERIES:
        ours = table.scores(tokenize([q])[0])
        ref = _bm25s_scores(model, q)
        got = np.asarray([ours[row_of[c[0]]] for c in live_chunks])
        np.testing.assert_allclose(got, ref, rtol=2e-5, atol=1e-6, err_msg=q)
        assert not ours[~table.live].any(), "dead rows score nothing"
        top = table.top(tokenize([q])[0], 5)
        want = sorted(ref, reverse=True)[:5]
        want = [w for w in want if w > 0]
        np.testing.assert_allclose([s for _, s in top], want, rtol=2e-5)


def test_one_segment_scores_as_bm25s() -> None:
    chunks = _corpus()
    table = Bm25Table(1, [build_segment("s0", chunks)], None, {})
    _assert_same(table, chunks)
    for r, (cid, text, meta) in enumerate(chunks):
        assert table.ids[r] == cid and table.texts[r] == text and table.metas[r] == meta


def test_deltas_with_dead_rows_score_as_bm25s_over_the_live_chunks() -> None:
    chunks = _corpus()
    files = sorted({m["file"] for _, _, m in chunks})
    base = [c for c in chunks if c[2]["file"] != files[-1]]
    delta = [c for c in chunks if c[2]["file"] == files[-1]]
    # The second article is updated: its old chunks die, new text comes in a delta.
    changed = [
        (cid, text + " artillery artillery", meta)
        for cid, text, meta in chunks
        if meta["file"] == files[1]
    ]
    segs = [build_segment("s0", base), build_segment("s1", delta), build_segment("s2", changed)]
    table = Bm25Table(2, segs, None, {})
    live = table.live.copy()
    live[table.rows_of([files[1]])[: len(changed)]] = False  # the old rows (first segment)
    live[table.rows_of([files[2]])] = False  # an article removed
    table = Bm25Table(2, segs, live, {})
    want = [c for c in base if c[2]["file"] not in (files[1], files[2])] + delta + changed
    _assert_same(table, want)

    merged = merge_segments(
        "m",
        [
            (s, table.live[int(table.starts[i]) : int(table.starts[i + 1])])
            for i, s in enumerate(segs)
        ],
    )
    compacted = Bm25Table(3, [merged], None, {})
    assert compacted.dead == 0 and len(compacted.ids) == len(want)
    _assert_same(compacted, want)
    by_id = {c[0]: c for c in want}
    for r, cid in enumerate(compacted.ids):
        assert compacted.texts[r] == by_id[cid][1] and compacted.metas[r] == by_id[cid][2]


def test_a_saved_table_reads_back_the_same(tmp_path: Path) -> None:
    chunks = _corpus()
    seg = bm25_disk.write_segment(tmp_path, build_segment("seg-1", chunks))
    live = np.ones(seg.rows, dtype=bool)
    live[3] = False
    table = Bm25Table(7, [seg], live, {"a.txt": "x"})
    bm25_disk.write_manifest(tmp_path, table)
    manifest = bm25_disk.read_manifest(tmp_path)
    assert manifest is not None
    back = bm25_disk.read_table(tmp_path, manifest, {})
    assert back is not None and back.generation == 7 and back.fingerprints == {"a.txt": "x"}
    assert back.ids == table.ids and list(back.live) == list(live)
    assert list(back.texts) == [c[1] for c in chunks] and list(back.metas) == [c[2] for c in chunks]
    _assert_same(back, [c for i, c in enumerate(chunks) if i != 3])


def test_unusual_metadata_is_kept_whole() -> None:
    chunks = [
        ("a#0", "alpha beta", {"file": "a", "title": "A", "n": 0, "start": 0, "end": 10}),
        ("a#1", "beta gamma", {"file": "a", "title": "Other", "n": 1, "start": 5, "end": 20}),
        ("b#0", "gamma", {"file": "b", "n": "x", "flag": True}),
    ]
    table = Bm25Table(1, [build_segment("s", chunks)], None, {})
    assert list(table.metas) == [c[2] for c in chunks]
    mask = table.mask(lambda m: m.get("title") == "Other")
    assert mask.tolist() == [False, True, False]


@pytest.mark.parametrize("query", ["beta", "gamma beta"])
def test_filters_mask_rows(query: str) -> None:
    chunks = [
        ("a#0", "alpha beta", {"file": "a", "outlet": "X", "n": 0}),
        ("b#0", "beta gamma", {"file": "b", "outlet": "Y", "n": 0}),
    ]
    table = Bm25Table(1, [build_segment("s", chunks)], None, {})
    mask = table.mask(lambda m: m.get("outlet") == "Y")
    assert [r for r, _ in table.top(tokenize([query])[0], 5, mask)] == [1]
