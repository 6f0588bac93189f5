"""Answer benchmark: how long a question takes, warm and from a cold start, offline.

    python -m evals.bench_answer [--embedder KIND] [--rounds 2] [--no-cold] [--json]

Indexes the bundled sample corpus (``data/articles``) into a temp folder, then

* warm: asks every question of the sample gold set (``evals/data/sample.jsonl``) through one
  ``Dossier`` — the extractive answerer, retrieval, verification — ``--rounds`` times, after one
  warm-up question, and prints p50/p95/max per round (the first round meets each question for the
  first time; later rounds show what the caches save);
* cold: runs ``dossier ask "QUESTION" --json`` as a new process (imports, model load, index open,
  answer) and prints its wall time, and the same with ``search``;
* app (``--app``, needs Chromium at ``/usr/bin/chromium`` and Playwright): starts the Streamlit app
  on 127.0.0.1 over the same index, opens it in headless Chromium as soon as the server answers,
  and times server start → page ready (the chat box shown), page ready → first answer visible,
  and a second question's answer.

The machine's load average is printed beside each figure.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from rag import Dossier, IndexSettings, Settings

PACKAGE = Path(__file__).resolve().parent
SAMPLE_CORPUS = PACKAGE.parent / "data" / "articles"
SAMPLE_GOLD = PACKAGE / "data" / "sample.jsonl"
APP = PACKAGE.parent / "ui" / "app.py"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the app exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the app did not come up within {timeout:.0f} s")


def app(data_dir: Path, embedder: str, qs: list[str], launcher: str) -> dict[str, Any]:
    """The app in real Chromium, opened the moment its server is up (a new user's first visit).
    ``launcher``: "serve" (``python -m ui.serve``: answering loads before the first visit) or
    "streamlit" (``streamlit run ui/app.py``: it loads on the first visit)."""
    from playwright.sync_api import expect, sync_playwright

    env = {k: v for k, v in os.environ.items() if not k.startswith(("DOSSIER_", "OPENAI_"))}
    env.update(
        DOSSIER_DATA_DIR=str(data_dir),
        DOSSIER_INDEX__EMBEDDER=embedder,
        HF_HUB_OFFLINE="1",
        ANONYMIZED_TELEMETRY="False",
    )
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    if launcher == "serve":
        cmd = [sys.executable, "-m", "ui.serve", "--server.headless", "true"]
    else:
        cmd = [sys.executable, "-m", "streamlit", "run", str(APP), "--server.headless", "true"]
    cmd += ["--server.address", "127.0.0.1", "--server.port", str(port)]
    cmd += ["--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    out: dict[str, Any] = {"app_load_avg": load_avg()}
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd, env=env, cwd=APP.parents[1], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        _wait_healthy(url, proc, timeout=120)
        out["app_server_up_s"] = round(time.perf_counter() - t0, 2)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1280, "height": 860})
                t1 = time.perf_counter()
                page.goto(url)
                box = page.locator('[data-testid="stChatInput"] textarea')
                box.wait_for(state="visible", timeout=120_000)
                t_ready = time.perf_counter()
                out["app_page_ready_s"] = round(t_ready - t1, 2)
                for nth, (key, q) in enumerate((("first", qs[0]), ("second", qs[1]))):
                    t2 = time.perf_counter()
                    box.fill(q)
                    box.press("Enter")
                    reply = page.locator('[data-testid="stChatMessage"]').nth(2 * nth + 1)
                    expect(reply).to_contain_text("Answered by", timeout=180_000)
                    out[f"app_{key}_answer_s"] = round(time.perf_counter() - t2, 2)
                out["app_start_to_first_answer_s"] = round(time.perf_counter() - t0, 2)
            finally:
                browser.close()
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
    return out


def run(
    embedder: str | None, rounds: int, do_cold: bool, limit: int | None, do_app: bool = False
) -> dict[str, Any]:
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
        if do_app:
            if not CHROMIUM.exists():
                result["app_skipped"] = f"no Chromium at {CHROMIUM}"
            else:
                result["app"] = {
                    launcher: app(settings.data_dir, settings.index.embedder, qs, launcher)
                    for launcher in ("serve", "streamlit")
                }
        result["load_avg_end"] = load_avg()
        return result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--embedder", default=None, help="the build to use (default: the settings')")
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--limit", type=int, default=None, help="first N questions")
    p.add_argument("--no-cold", action="store_true", help="skip the cold-start runs")
    p.add_argument("--app", action="store_true", help="also the app in headless Chromium")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    out = run(args.embedder, args.rounds, not args.no_cold, args.limit, args.app)
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
    for launcher, a in out.get("app", {}).items():
        print(
            f"app in Chromium ({launcher}): server up {a['app_server_up_s']} s, page ready "
            f"{a['app_page_ready_s']} s, page ready -> first answer "
            f"{a['app_first_answer_s']} s, "
            f"second answer {a['app_second_answer_s']} s  (load {a['app_load_avg']})"
        )
    if "app_skipped" in out:
        print(f"app: skipped ({out['app_skipped']})")
    print(f"load average at the end: {out['load_avg_end']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
