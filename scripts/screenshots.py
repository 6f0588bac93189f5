"""Screenshots of every page of the app, taken in Debian's headless Chromium.

    python scripts/screenshots.py --out /tmp/shots [--data DIR] [--pages chat,library,evals]

Indexes the sample corpus into ``--data`` (a tmp folder by default) when it holds no index, starts
``streamlit run ui/app.py`` on a free loopback port, and saves ``ui-<page>.png`` into ``--out``.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
QUESTION = "Who invited Putin to visit North Korea?"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(data: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DOSSIER_DATA_DIR": str(data), "HF_HUB_OFFLINE": "1"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(REPO / "ui" / "app.py"),
            "--server.headless",
            "true",
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(port),
            "--browser.gatherUsageStats",
            "false",
            "--server.fileWatcherType",
            "none",
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(300):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("streamlit did not start")


def shoot(page: Any, path: Path) -> None:
    """The whole page: Streamlit scrolls inside its main section, so grow the viewport to fit."""
    height = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('[data-testid=stMain], "
        "[data-testid=stMainBlockContainer]')].map(e => e.scrollHeight), 1000)"
    )
    page.set_viewport_size({"width": 1400, "height": min(int(height) + 40, 6000)})
    page.wait_for_timeout(800)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": 1400, "height": 1000})


def chat(page: Any, url: str, out: Path) -> None:
    page.goto(url)
    box = page.locator('[data-testid="stChatInput"] textarea')
    box.fill(QUESTION)
    box.press("Enter")
    page.get_by_text("Answered by").first.wait_for(timeout=180_000)
    page.locator('[data-testid="stExpander"]').filter(has_text="[1]").first.locator(
        "summary"
    ).click()
    page.locator("mark").first.wait_for()
    shoot(page, out / "ui-chat.png")


def briefing(page: Any, url: str, out: Path) -> None:
    page.goto(f"{url}/briefing")
    page.get_by_role("button", name="Generate the briefing").click()
    page.get_by_text("Download Markdown").wait_for(timeout=300_000)
    page.wait_for_timeout(1500)  # let the timeline chart draw
    shoot(page, out / "ui-brief.png")


def library(page: Any, url: str, out: Path) -> None:
    page.goto(f"{url}/library")
    page.get_by_text("Add articles").wait_for()
    page.wait_for_timeout(1000)
    shoot(page, out / "ui-library.png")


def evals(page: Any, url: str, out: Path) -> None:
    page.goto(f"{url}/evals")
    page.get_by_role("button", name="Run the eval").click()
    page.get_by_text("Failing questions").wait_for(timeout=600_000)
    page.wait_for_timeout(1500)
    shoot(page, out / "ui-evals.png")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("/tmp"))
    ap.add_argument("--data", type=Path, default=None)
    ap.add_argument("--pages", default="chat,briefing,library,evals")
    args = ap.parse_args()
    sys.path.insert(0, str(REPO))
    from playwright.sync_api import sync_playwright

    from rag.config import Settings
    from rag.service import Dossier

    data = args.data or Path(tempfile.mkdtemp(prefix="dossier-shots-"))
    d = Dossier(Settings(data_dir=data))
    if not (data / "chroma").exists():
        d.ingest(REPO / "data" / "articles")
    args.out.mkdir(parents=True, exist_ok=True)
    port = free_port()
    proc = start(data, port)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(120_000)
            for name in args.pages.split(","):
                {"chat": chat, "briefing": briefing, "library": library, "evals": evals}[name](
                    page, f"http://127.0.0.1:{port}", args.out
                )
                print(args.out / f"ui-{name if name != 'briefing' else 'brief'}.png")
            browser.close()
    finally:
        proc.terminate()
        proc.wait(15)


if __name__ == "__main__":
    main()
