"""Scale benchmark: a synthetic index of ~100k chunks built from BBC articles in distinct copies.

    python -m evals.bench_scale [--chunks 100000] [--queries 200] [--work-dir DIR] [--json]

The BBC corpus (``../shared/bench/bbc``) is written as files, copy after copy, each copy made
distinct (its own title prefix and a copy word in every paragraph, so BM25 and the vectors tell the
copies apart), until the index holds about ``--chunks`` chunks. Embedding 100k chunks with MiniLM
takes hours on a laptop, so the index is built with Dossier's **fake embedder** (deterministic
hashing bag-of-words, 384 dimensions like MiniLM): the vectors are synthetic but of the right size,
and they rank by shared words, so Chroma's HNSW search does real work. Everything else — cleaning,
chunking, Chroma, BM25 — is the real ingest path.

It prints: the build time; hybrid (and vector-only, BM25-only) retrieval p50/p95 over ``--queries``
article titles with the BM25 index warm; RSS while answering; an incremental ingest of 10 new
articles (the folder's unchanged files included), split into the embedding and the rest (and the
rest by phase: walk, article records, classify, chunking, writing, …), and the first query after
it, split into BM25 catching up, the article table and the search itself; the same for the ingest
that removes them again; an unchanged re-run;
the index's size on disk; and the memory of a new process that opens the built index and answers
(step by step: index open, BM25 loaded, searches, answers). The work dir is kept (default: a temp
folder) so a re-run with the same ``--work-dir`` reuses the built index. The load average is
printed beside each figure.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rag import Dossier, FakeEmbedder, IndexSettings, Settings

COPY_WORDS = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima".split()


class TimedFakeEmbedder(FakeEmbedder):
    """The fake embedder, timing its own work (the embedding part of an ingest)."""

    def __init__(self, dim: int = 384) -> None:
        super().__init__(dim)
        self.seconds = 0.0

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        t0 = time.perf_counter()
        try:
            return super().embed(texts)
        finally:
            self.seconds += time.perf_counter() - t0


def load_avg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def bbc_rows() -> list[dict[str, Any]]:
    from evals.bench_ingest import bench_dir

    root = bench_dir()
    src = root / "bbc" / "bbc.jsonl.gz" if root else None
    if src is None or not src.exists():
        raise SystemExit("BBC corpus not found (../shared/bench/bbc/bbc.jsonl.gz): skipping.")
    with gzip.open(src, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def copy_word(n: int) -> str:
    """A distinct made-up word for copy ``n`` (alpha, bravo, …, alphabravo, …)."""
    k = len(COPY_WORDS)
    word = COPY_WORDS[n % k]
    while n >= k:
        n = n // k - 1
        word = COPY_WORDS[n % k] + word
    return word


def article_text(row: dict[str, Any], copy: int) -> str:
    title, body = row["title"], row["text"].lstrip()
    if body.startswith(title):
        body = body[len(title) :]
    tag = copy_word(copy)
    paragraphs = [p.strip() for p in body.split("\n") if p.strip()]
    body = "\n\n".join(f"{p} ({tag} edition.)" for p in paragraphs)
    return f"{tag.title()} edition: {title}\n\n{body}\n"


def write_copies(folder: Path, rows: list[dict[str, Any]], copies: int, start: int = 0) -> int:
    n = 0
    for c in range(start, start + copies):
        sub = folder / f"copy{c:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        for row in rows:
            path = sub / f"{row['doc_id']}.txt"
            if not path.exists():
                path.write_text(article_text(row, c), encoding="utf-8")
            n += 1
    return n


def rss_mb() -> float:
    """Resident memory now (Linux), else the peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def disk_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def pct(xs: list[float], q: float) -> float:
    s = sorted(xs)
    pos = q * (len(s) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def latency(d: Dossier, queries: list[str], mode: str) -> dict[str, Any]:
    la = load_avg()
    ms = []
    for q in queries:
        t0 = time.perf_counter()
        d.search(q, k=10, mode=mode)
        ms.append((time.perf_counter() - t0) * 1000)
    return {"p50_ms": round(pct(ms, 0.5), 1), "p95_ms": round(pct(ms, 0.95), 1), "load_avg": la}


def fresh_process(data: Path, queries: list[str]) -> dict[str, Any]:
    """RSS of a new process that opens the built index and answers (as an app started on it
    does), step by step: nothing in it is left over from building the index."""
    la = load_avg()
    proc = subprocess.run(
        [sys.executable, "-m", "evals.bench_scale", "--answer-only", str(data), *queries[:20]],
        capture_output=True,
        text=True,
        check=True,
    )
    return {**json.loads(proc.stdout.strip().splitlines()[-1]), "load_avg": la}


def answer_only(data: Path, queries: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"start_mb": round(rss_mb(), 1)}
    d = Dossier(
        Settings(data_dir=data, index=IndexSettings(embedder="fake:384")), FakeEmbedder(384)
    )
    d.store()
    out["index_open_mb"] = round(rss_mb(), 1)
    t0 = time.perf_counter()
    d.search(queries[0], k=10, mode="bm25")
    out["bm25_load_s"] = round(time.perf_counter() - t0, 2)
    out["bm25_mb"] = round(rss_mb(), 1)
    for q in queries:
        d.search(q, k=10)
    out["hybrid_searches_mb"] = round(rss_mb(), 1)
    for q in queries[:5]:
        d.ask(q)
    out["answering_mb"] = round(rss_mb(), 1)
    out["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return out


def timed_ingest(
    d: Dossier, folder: Path, embedder: TimedFakeEmbedder, query: str | None
) -> dict[str, Any]:
    """An ingest of ``folder``, its time split into the embedding and the rest (by phase), then
    the first ``query`` after it split into BM25 catching up, the article table and the rest."""
    before, embed_before = embedder.texts_embedded, embedder.seconds
    la = load_avg()
    t0 = time.perf_counter()
    report = d.ingest(folder)
    ingest_s = time.perf_counter() - t0
    embed_s = embedder.seconds - embed_before
    phases = {k: round(v, 2) for k, v in report.phases.items() if k != "embed"}
    out: dict[str, Any] = {
        "added": len(report.added),
        "removed": len(report.removed),
        "unchanged": len(report.unchanged),
        "chunks_embedded": embedder.texts_embedded - before,
        "ingest_s": round(ingest_s, 2),
        "embedding_s": round(embed_s, 2),
        "rest_s": round(ingest_s - embed_s, 2),
        "rest_by_phase_s": {**phases, "other": round(ingest_s - sum(report.phases.values()), 2)},
        "load_avg": la,
    }
    if query is None:
        return out
    bm25 = d.retriever().bm25
    stats_before = dict(bm25.stats)
    la = load_avg()
    t0 = time.perf_counter()
    table = d.retriever().bm25.table()
    t1 = time.perf_counter()
    d.retriever().articles()
    t2 = time.perf_counter()
    d.search(query, k=10)
    t3 = time.perf_counter()
    now = d.retriever().bm25  # the same object, unless the index was reopened
    out["first_query_after"] = {
        "total_s": round(t3 - t0, 2),
        "bm25_catch_up_s": round(t1 - t0, 2),
        "article_table_s": round(t2 - t1, 2),
        "search_s": round(t3 - t2, 2),
        "bm25": {
            k: v - (stats_before.get(k, 0) if now is bm25 else 0) for k, v in now.stats.items()
        },
        "bm25_segments": len(table.segments),
        "load_avg": la,
    }
    return out


def run(chunks: int, n_queries: int, work: Path) -> dict[str, Any]:
    rows = bbc_rows()
    folder, data = work / "articles", work / "data"
    embedder = TimedFakeEmbedder(dim=384)
    settings = Settings(data_dir=data, index=IndexSettings(embedder="fake:384"))
    d = Dossier(settings, embedder=embedder)
    out: dict[str, Any] = {"embedder": f"{embedder.name} (synthetic vectors, not MiniLM)"}

    # Build: copies of the corpus until the index holds about `chunks` chunks.
    t0 = time.perf_counter()
    la = load_avg()
    copies = 0
    have = 0
    per_copy = None
    while have < chunks:
        step = 1 if per_copy is None else max(1, min(8, -(-(chunks - have) // per_copy)))
        write_copies(folder, rows, step, copies)
        copies += step
        d.ingest(folder)
        have = d.store().count_chunks()
        per_copy = max(1, have // copies)
    copies = max(copies, len(list(folder.glob("copy*"))))  # a re-run finds them written
    out["build"] = {
        "copies": copies,
        "articles": len(d.store().article_states()),
        "chunks": have,
        "seconds": round(time.perf_counter() - t0, 1),
        "load_avg_start": la,
    }

    queries = [article_text(r, i % copies).split("\n", 1)[0] for i, r in enumerate(rows)]
    queries = queries[:: max(1, len(queries) // n_queries)][:n_queries]
    la = load_avg()
    t0 = time.perf_counter()
    d.search(queries[0], k=10)  # opens the index, loads or builds BM25
    out["first_query_s"] = round(time.perf_counter() - t0, 2)
    out["first_query_load_avg"] = la
    out["retrieval"] = {m: latency(d, queries, m) for m in ("hybrid", "vector", "bm25")}
    out["rss_searching_mb"] = round(rss_mb(), 1)
    d.ask(queries[1])
    out["rss_answering_mb"] = round(rss_mb(), 1)
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)

    # Incremental: 10 new articles (a new copy of 10 BBC articles) into the same folder.
    new = folder / "new"
    shutil.rmtree(new, ignore_errors=True)
    new.mkdir()
    for i, row in enumerate(rows[:10]):
        (new / f"{row['doc_id']}.txt").write_text(article_text(row, 10_000 + i), "utf-8")
    out["incremental"] = timed_ingest(d, folder, embedder, queries[2])
    shutil.rmtree(new)
    out["incremental_removal"] = timed_ingest(d, folder, embedder, queries[3])  # back as built
    out["unchanged_rerun"] = timed_ingest(d, folder, embedder, None)
    out["disk_mb"] = {"index": round(disk_mb(data), 1), "articles": round(disk_mb(folder), 1)}
    out["fresh_process_rss"] = fresh_process(data, queries)
    out["load_avg_end"] = load_avg()
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--chunks", type=int, default=100_000, help="index size to build (about)")
    p.add_argument("--queries", type=int, default=200)
    p.add_argument("--work-dir", default=None, help="kept and reused (default: a temp folder)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--answer-only", default=None, help=argparse.SUPPRESS)
    p.add_argument("answer_queries", nargs="*", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.answer_only:
        print(json.dumps(answer_only(Path(args.answer_only), args.answer_queries)))
        return 0
    if args.work_dir:
        out = run(args.chunks, args.queries, Path(args.work_dir))
    else:
        with tempfile.TemporaryDirectory(prefix="dossier-bench-scale-") as tmp:
            out = run(args.chunks, args.queries, Path(tmp))
    print(json.dumps(out) if args.json else json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
