"""End to end in a real browser: ``streamlit run ui/app.py`` on a free loopback port, driven by
Debian's headless Chromium through Playwright, over a tmp index of the sample corpus built with
the real bundled MiniLM embedder. Ask a question, see the answer and its citation, open the
citation and see the highlighted passage; a screenshot is saved (to tmp_path, and to
``$DOSSIER_SCREENSHOTS`` when set); the time from page load to the first answer is printed."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rag.config import Settings
from rag.service import Dossier

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "articles"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
QUESTION = "Who invited Putin to visit North Korea?"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian's Chromium at /usr/bin/chromium (apt-get install -y chromium)",
    ),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"streamlit did not come up within {timeout:.0f} s:\n{log.read_text()}")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app on a free port, over a tmp index of the sample corpus (real MiniLM embedder)."""
    tmp = tmp_path_factory.mktemp("browser")
    data = tmp / "data"
    report = Dossier(Settings(data_dir=data)).ingest(SAMPLE)
    assert report.added and not report.skipped, report.to_json()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DOSSIER_") and k not in ("OPENAI_API_KEY", "OPENAI_BASE_URL")
    }
    env.update(
        DOSSIER_DATA_DIR=str(data),
        DOSSIER_SAMPLE_DIR=str(SAMPLE),
        HF_HUB_OFFLINE="1",
        ANONYMIZED_TELEMETRY="False",
        PYTHONUNBUFFERED="1",
    )
    port = _free_port()
    log = tmp / "streamlit.log"
    with log.open("wb") as out:
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
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc, log, timeout=90)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def _save(page: Any, tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    page.screenshot(path=str(path), full_page=True)
    if os.environ.get("DOSSIER_SCREENSHOTS"):
        folder = Path(os.environ["DOSSIER_SCREENSHOTS"])
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, folder / name)
    return path


def test_ask_see_citation_open_passage(server: str, browser: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(60_000)
    t0 = time.perf_counter()
    page.goto(server)
    box = page.locator('[data-testid="stChatInput"] textarea')
    box.wait_for(state="visible")
    t_ready = time.perf_counter()
    box.fill(QUESTION)
    box.press("Enter")
    t_asked = time.perf_counter()
    answered = page.get_by_text("Answered by offline extractive")
    expect(answered).to_be_visible(timeout=120_000)
    t_answer = time.perf_counter()
    print(
        f"\npage load → chat ready {t_ready - t0:.2f} s; question → answer "
        f"{t_answer - t_asked:.2f} s; page load → first answer {t_answer - t0:.2f} s"
    )

    reply = page.locator('[data-testid="stChatMessage"]').nth(1)
    answer = reply.locator('[data-testid="stMarkdownContainer"]').filter(has_text="[1]").first
    expect(answer).to_contain_text("Putin")
    answer_text = " ".join(answer.inner_text().split())

    citation = reply.locator('[data-testid="stExpander"]').filter(has_text="[1]").first
    expect(citation).to_contain_text("North Korea")
    mark = citation.locator("mark").first
    expect(mark).to_be_hidden()  # closed until clicked
    citation.locator("summary").click()
    expect(mark).to_be_visible()
    quote = " ".join(mark.inner_text().split())
    assert len(quote) > 20 and quote in answer_text  # the extractive answer quotes its passage
    expect(citation).to_contain_text(".txt")
    expect(citation).to_contain_text("characters")
    mark.scroll_into_view_if_needed()
    shot = _save(page, tmp_path, "ui-chat.png")
    assert shot.stat().st_size > 10_000

    # A follow-up, with the model warm: read as a standalone question, answered in turn.
    t1 = time.perf_counter()
    box.fill("When will he go?")
    box.press("Enter")
    follow_up = page.locator('[data-testid="stChatMessage"]').nth(3)
    expect(follow_up).to_contain_text("Answered by offline extractive", timeout=180_000)
    print(f"follow-up question → answer (model warm) {time.perf_counter() - t1:.2f} s")
    expect(follow_up.get_by_text("read as:")).to_contain_text("Putin")
    page.close()


def test_briefing_page_draws_timeline_and_offers_downloads(
    server: str, browser: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1400, "height": 1500})
    page.set_default_timeout(60_000)
    page.goto(f"{server}/briefing")
    page.get_by_role("button", name="Generate the briefing").click()
    expect(page.get_by_text("Download PDF")).to_be_visible(timeout=180_000)
    expect(page.get_by_role("heading", name="Summary")).to_be_visible()
    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    expect(chart.locator("canvas, svg").first).to_be_visible()
    with page.expect_download() as dl:
        page.get_by_text("Download Markdown").click()
    md = Path(dl.value.path()).read_text(encoding="utf-8")
    assert md.startswith("# Briefing") and "[^1]" in md
    _save(page, tmp_path, "ui-brief.png")
    page.close()


def test_two_browser_sessions_at_once_keep_their_own_chats(server: str, browser: Any) -> None:
    from playwright.sync_api import expect

    questions = [QUESTION, "What is the capital of Peru?"]
    pages = []
    for q in questions:  # separate contexts: separate cookies, separate Streamlit sessions
        page = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
        page.set_default_timeout(60_000)
        page.goto(server)
        box = page.locator('[data-testid="stChatInput"] textarea')
        box.fill(q)
        pages.append((page, box))
    for _, box in pages:  # both questions in flight together
        box.press("Enter")
    for (page, _), q in zip(pages, questions, strict=True):
        messages = page.locator('[data-testid="stChatMessage"]')
        expect(messages.nth(1)).to_contain_text("Answered by", timeout=180_000)
        expect(messages).to_have_count(2)
        expect(messages.nth(0).locator('[data-testid="stMarkdownContainer"]')).to_have_text(q)
    expect(pages[1][0].get_by_text("Refused")).to_be_visible()
    expect(pages[0][0].get_by_text("Refused")).to_have_count(0)
    for page, _ in pages:
        page.context.close()
