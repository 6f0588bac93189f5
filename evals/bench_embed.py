"""Embedder benchmark: the bundled MiniLM's builds side by side on the same news chunks.

    python -m evals.bench_embed [--chunks 384] [--rounds 3] [--threads 2] [--kinds a,b] [--json]

The chunks are Dossier's own chunks of the first RealTime QA articles (``../shared/bench``,
written to a temp folder and ingested with the fake embedder: nothing is copied into the
project). For each build it prints the min and mean cosine of its vectors against torch fp32,
its throughput (chunks/s and word pieces/s; the builds are timed in alternating rounds, so a
shared machine's load falls on all alike, and the load average is printed beside each round),
its load time and its process's RSS once loaded (each in a fresh process).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from rag import EMBEDDERS, Dossier, FakeEmbedder, IndexSettings, Settings, build_embedder

TORCH = "minilm"


def load_avg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def news_chunks(n: int) -> list[str]:
    """Dossier's chunks of the first RealTime QA articles (doc-id order), ``n`` of them."""
    from evals import realtimeqa as rtqa

    bench = rtqa.find_bench()
    ids = sorted(str(doc["doc_id"]) for doc in rtqa.iter_corpus(bench))
    with tempfile.TemporaryDirectory(prefix="dossier-bench-embed-") as tmp:
        folder = Path(tmp) / "articles"
        texts: list[str] = []
        take = max(4, n // 8)
        while len(texts) < n and take <= len(ids):
            rtqa.write_articles(bench, folder, set(ids[:take]))
            settings = Settings(data_dir=Path(tmp) / f"data{take}", index=IndexSettings())
            d = Dossier(settings, embedder=FakeEmbedder(dim=8))
            d.ingest(folder)
            texts = [text for _, text, _ in d.store().iter_chunks()]
            take *= 2
    return texts[:n]


_PROBE = """
import json, resource, sys, time
t0 = time.perf_counter()
from rag import build_embedder
t1 = time.perf_counter()
e = build_embedder(sys.argv[1], threads=int(sys.argv[2]) or None)
e.embed(["warm up the model"])
print(json.dumps({"import_s": t1 - t0, "load_s": time.perf_counter() - t1,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def probe(kind: str, threads: int) -> dict[str, float]:
    """Time to import ``rag``, then to load ``kind`` and embed one text (the model's own imports
    included), and the peak RSS of a fresh process that does it."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, kind, str(threads)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def _median(xs: list[float]) -> float:
    s = sorted(xs)
    mid = len(s) // 2
    return s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2


def run(chunks: int, rounds: int, threads: int, kinds: list[str]) -> dict[str, Any]:
    texts = news_chunks(chunks)
    kinds = [TORCH, *[k for k in kinds if k != TORCH]]
    loads: dict[str, list[dict[str, float]]] = {k: [] for k in kinds}
    for _ in range(2):
        for k in kinds:
            loads[k].append(probe(k, threads))
    embedders = {k: build_embedder(k, threads=threads) for k in kinds}
    for e in embedders.values():
        e.embed(texts[:8])
    pieces = sum(min(embedders[TORCH].count_tokens(t), 256) for t in texts)  # type: ignore[attr-defined]
    times: dict[str, list[float]] = {k: [] for k in kinds}
    vectors: dict[str, list[list[float]]] = {}
    log: list[str] = []
    for r in range(rounds):
        for k in kinds:
            la = load_avg()
            t0 = time.perf_counter()
            vectors[k] = embedders[k].embed(texts)
            dt = time.perf_counter() - t0
            times[k].append(dt)
            log.append(f"round {r + 1} {k:18s} {dt:7.2f}s  load {la}")
    ref = vectors[TORCH]
    results = {}
    for k in kinds:
        cos = [
            sum(a * b for a, b in zip(u, v, strict=True))
            for u, v in zip(vectors[k], ref, strict=True)
        ]
        med = _median(times[k])
        results[k] = {
            "name": embedders[k].name,
            "cosine_min": round(min(cos), 5),
            "cosine_mean": round(sum(cos) / len(cos), 5),
            "median_s": round(med, 2),
            "chunks_per_s": round(len(texts) / med, 2),
            "pieces_per_s": round(pieces / med, 1),
            "speed_vs_torch": round(_median(times[TORCH]) / med, 3),
            "load_s": round(min(x["load_s"] for x in loads[k]), 2),
            "rag_import_s": round(min(x["import_s"] for x in loads[k]), 2),
            "rss_mb": round(min(x["rss_mb"] for x in loads[k]), 1),
        }
    return {
        "chunks": len(texts),
        "word_pieces": pieces,
        "threads": threads,
        "rounds": rounds,
        "load_avg_end": load_avg(),
        "cpus": os.cpu_count(),
        "log": log,
        "results": results,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--chunks", type=int, default=384)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--threads", type=int, default=2, help="threads per embedder (0: default)")
    p.add_argument("--kinds", default=",".join(EMBEDDERS), help="comma-separated builds")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    unknown = [k for k in kinds if k not in EMBEDDERS]
    if unknown:
        p.error(f"unknown builds {unknown}: choose from {', '.join(EMBEDDERS)}")
    from evals.realtimeqa import BenchMissing

    try:
        out = run(args.chunks, args.rounds, args.threads, kinds)
    except BenchMissing as exc:  # the bench data are absent: say so and skip
        print(f"skipping: {exc}", file=sys.stderr)
        return 0
    if args.json:
        print(json.dumps(out))
        return 0
    print(
        f"{out['chunks']} RealTime QA chunks, {out['word_pieces']} word pieces, "
        f"{out['threads']} threads, {out['rounds']} alternating rounds, {out['cpus']} CPUs"
    )
    for line in out["log"]:
        print(" ", line)
    head = f"{'build':18s} {'cos min':>8s} {'cos mean':>8s} {'chunks/s':>9s} {'x torch':>8s}"
    print(head + f" {'load s':>7s} {'RSS MB':>7s}")
    for k, r in out["results"].items():
        print(
            f"{k:18s} {r['cosine_min']:8.5f} {r['cosine_mean']:8.5f} {r['chunks_per_s']:9.2f} "
            f"{r['speed_vs_torch']:8.2f} {r['load_s']:7.2f} {r['rss_mb']:7.1f}"
        )
    print(f"load average at the end: {out['load_avg_end']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
