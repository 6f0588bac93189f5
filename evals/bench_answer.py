"""Answer benchmark: how long a question takes, warm and from a cold start, offline.

    python -m evals.bench_answer [--embedder KIND] [--rounds 2] [--no-cold] [--json]

Indexes the bundled sample corpus (``data/articles``) into a temp folder, then

* warm: asks every question of the sample gold set (``evals/data/sample.jsonl``) through one
  ``Dossier`` — the extractive answerer, retrieval, verification — ``--rounds`` times, after one
  warm-up question, and prints p50/p95/max per round (the first round meets each question for the
  first time; later rounds show what the caches save);
* cold: runs ``dossier ask "QUESTION" --json`` as a new process (imports, model load, index open,
  answer) and prints its wall time, and the same with ``search``.

The machine's load average is printed beside each figure.
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

from rag import Dossier, IndexSettings, Settings

PACKAGE = Path(__file__).resolve().parent
SAMPLE_CORPUS = PACKAGE.parent / "data" / "articles"
SAMPLE_GOLD = PACKAGE / "data" / "sample.jsonl"


def load_avg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def percentile(xs: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) by linear interpolation."""
    if not xs:
        return float("nan")
    s = sorted(xs)
    pos = q * (len(s) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def questions(limit: int | None = None) -> list[str]:
    out = []
    with SAMPLE_GOLD.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                out.append(str(json.loads(line)["question"]))
    return out[:limit] if limit else out


def summary(ms: list[float]) -> dict[str, float]:
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 0.5), 1),
        "p95_ms": round(percentile(ms, 0.95), 1),
        "max_ms": round(max(ms), 1),
    }


def warm(d: Dossier, qs: list[str], rounds: int) -> list[dict[str, Any]]:
    d.ask("What happened?")  # loads the models, opens the index, builds BM25
    out = []
    for r in range(rounds):
        la = load_avg()
        ms = []
        for q in qs:
            t0 = time.perf_counter()
            d.ask(q)
            ms.append((time.perf_counter() - t0) * 1000)
        out.append({"round": r + 1, **summary(ms), "load_avg": la})
    return out


def cold(data_dir: Path, embedder: str, question: str) -> dict[str, Any]:
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "DOSSIER_DATA_DIR": str(data_dir),
        "DOSSIER_INDEX__EMBEDDER": embedder,
    }
    exe = Path(sys.executable).with_name("dossier")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "rag.cli"]
    out: dict[str, Any] = {}
    for verb in ("ask", "search"):
        la = load_avg()
        t0 = time.perf_counter()
        subprocess.run([*cmd, verb, question, "--json"], env=env, check=True, capture_output=True)
        out[f"cold_{verb}_s"] = round(time.perf_counter() - t0, 2)
        out[f"cold_{verb}_load_avg"] = la
    return out


def run(embedder: str | None, rounds: int, do_cold: bool, limit: int | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="dossier-bench-answer-") as tmp:
        index = IndexSettings(embedder=embedder) if embedder else IndexSettings()
        settings = Settings(data_dir=Path(tmp) / "data", index=index)
        d = Dossier(settings)
        report = d.ingest(SAMPLE_CORPUS)
        qs = questions(limit)
        result: dict[str, Any] = {
            "embedder": d.embedder.name,
            "articles": len(report.added),
            "questions": len(qs),
            "warm": warm(d, qs, rounds),
        }
        if do_cold:
            result.update(cold(settings.data_dir, settings.index.embedder, qs[0]))
        result["load_avg_end"] = load_avg()
        return result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--embedder", default=None, help="the build to use (default: the settings')")
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--limit", type=int, default=None, help="first N questions")
    p.add_argument("--no-cold", action="store_true", help="skip the cold-start runs")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    out = run(args.embedder, args.rounds, not args.no_cold, args.limit)
    if args.json:
        print(json.dumps(out))
        return 0
    print(f"{out['embedder']}: {out['questions']} questions over {out['articles']} articles")
    for r in out["warm"]:
        print(
            f"warm round {r['round']}: p50 {r['p50_ms']:.0f} ms  p95 {r['p95_ms']:.0f} ms  "
            f"max {r['max_ms']:.0f} ms  (load {r['load_avg']})"
        )
    for verb in ("ask", "search"):
        if f"cold_{verb}_s" in out:
            seconds, la = out[f"cold_{verb}_s"], out[f"cold_{verb}_load_avg"]
            print(f"cold `dossier {verb}`: {seconds} s  (load {la})")
    print(f"load average at the end: {out['load_avg_end']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
