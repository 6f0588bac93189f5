"""Ingest benchmark on the BBC corpus (``../shared/bench/bbc``): prints, in one run,

* articles/s and tokens/s of a full ingest (load, clean, chunk, embed, write to Chroma),
* the raw throughput of the embedder alone on the same chunks (the practical limit here),
* their ratio,
* the time of a re-run with nothing changed, as a fraction of the full ingest,
* peak memory (RSS), and how much chunk text the embedder's 256-word-piece window cuts off.

    python -m evals.bench_ingest [--limit N] [--json]

The corpus is read from the shared bench folder and written as .txt files to a temp folder;
nothing of it is copied into the project.
"""

from __future__ import annotations

import argparse
import gzip
import json
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from rag import Dossier, IndexSettings, MiniLMEmbedder, Settings


def bench_dir() -> Path | None:
    import os

    env = os.environ.get("DOSSIER_BENCH_DIR")
    if env:
        return Path(env) if Path(env).is_dir() else None
    for parent in Path(__file__).resolve().parents:
        cand = parent.parent / "shared" / "bench"
        if cand.is_dir():
            return cand
    return None


def write_bbc(dest: Path, limit: int | None, category: str | None = None) -> int:
    root = bench_dir()
    src = root / "bbc" / "bbc.jsonl.gz" if root else None
    if src is None or not src.exists():
        raise SystemExit("BBC corpus not found (../shared/bench/bbc/bbc.jsonl.gz): skipping.")
    dest.mkdir(parents=True, exist_ok=True)
    n = 0
    with gzip.open(src, "rt", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if category and row.get("category") != category:
                continue
            body = row["text"]
            if body.lstrip().startswith(row["title"]):
                body = body.lstrip()[len(row["title"]) :]
            text = f"{row['title']}\n\n{body.strip()}\n"
            (dest / f"{row['doc_id']}.txt").write_text(text, encoding="utf-8")
            n += 1
            if limit and n >= limit:
                break
    return n


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(limit: int | None, batch_chunks: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="dossier-bench-") as tmp:
        folder = Path(tmp) / "bbc"
        n_files = write_bbc(folder, limit)
        embedder = MiniLMEmbedder()
        embedder.embed(["warm up the model"])
        settings = Settings(
            data_dir=Path(tmp) / "data", index=IndexSettings(batch_chunks=batch_chunks)
        )
        d = Dossier(settings, embedder=embedder)
        rss_before = peak_rss_mb()

        t0 = time.perf_counter()
        report = d.ingest(folder)
        full_s = time.perf_counter() - t0

        t0 = time.perf_counter()
        again = d.ingest(folder)
        rerun_s = time.perf_counter() - t0
        assert not again.added and not again.updated, again.to_json()

        chunks = [text for _, text, _ in d.store().iter_chunks()]
        t0 = time.perf_counter()
        for i in range(0, len(chunks), batch_chunks):
            embedder.embed(chunks[i : i + batch_chunks])
        embed_s = time.perf_counter() - t0

        pieces = [embedder.count_tokens(c) for c in chunks]
        over = [p for p in pieces if p > embedder.max_tokens]
        cut = sum(p - embedder.max_tokens for p in over) / (sum(pieces) or 1)
        return {
            "articles": n_files,
            "articles_indexed": len(report.added),
            "skipped": len(report.skipped),
            "chunks": len(chunks),
            "tokens_cl100k": report.tokens,
            "word_pieces": sum(pieces),
            "full_ingest_s": round(full_s, 2),
            "ingest_articles_per_s": round(n_files / full_s, 2),
            "ingest_tokens_per_s": round(report.tokens / full_s, 1),
            "ingest_chunks_per_s": round(len(chunks) / full_s, 2),
            "embedder_only_s": round(embed_s, 2),
            "embedder_chunks_per_s": round(len(chunks) / embed_s, 2),
            "embedder_word_pieces_per_s": round(sum(pieces) / embed_s, 1),
            "ingest_to_embedder_ratio": round(embed_s / full_s, 3),
            "unchanged_rerun_s": round(rerun_s, 3),
            "unchanged_rerun_fraction": round(rerun_s / full_s, 4),
            "peak_rss_mb": round(peak_rss_mb(), 1),
            "rss_before_ingest_mb": round(rss_before, 1),
            "chunks_over_window": len(over),
            "share_of_text_past_window": round(cut, 4),
            "batch_chunks": batch_chunks,
        }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--limit", type=int, default=None, help="first N articles (default: all)")
    p.add_argument("--batch-chunks", type=int, default=IndexSettings().batch_chunks)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    out = run(args.limit, args.batch_chunks)
    if args.json:
        print(json.dumps(out))
    else:
        w = max(len(k) for k in out)
        for k, v in out.items():
            print(f"{k:{w}}  {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
