"""End to end in a real browser: ``streamlit run ui/app.py`` on a free loopback port, driven by
Debian's headless Chromium through Playwright, over a tmp copy of the sample corpus indexed with
the real bundled MiniLM embedder.

In order (the tests share one server and index): ask, click a ``[n]`` and see the whole article
with the span highlighted and in view; correct an outlet in the Library and see it on the next
answer's source card; choose an outlet, visit other pages, come back — the filter is still set
and the answer states it; a briefing of a topic no article covers is refused with a message; the
briefing of everything is written; suggested questions start an empty chat; the Library watches
the folder and picks up a new file within seconds. Screenshots go to tmp_path, and to
``$DOSSIER_SCREENSHOTS`` when set; the time from page load to the first answer is printed."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
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
ANSWER_TIMEOUT = 180_000

# The lowest contrast ratio (WCAG) of any caption against the background it sits on.
CONTRAST_JS = """() => {
  const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map(v => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((a, v, i) => a + v * [0.2126, 0.7152, 0.0722][i], 0);
  const bg = el => { for (; el; el = el.parentElement) { const c = rgb(getComputedStyle(el)
    .backgroundColor); if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c; }
    return [255, 255, 255]; };
  const ratios = [...document.querySelectorAll('[data-testid=stCaptionContainer]')]
    .filter(e => e.innerText.trim()).map(e => {
      const a = lum(rgb(getComputedStyle(e).color)), b = lum(bg(e));
      return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05); });
  return ratios.length ? Math.min(...ratios) : 0;
}"""

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


def app_env(**settings: str) -> dict[str, str]:
    """The app's environment: this one without Dossier's or OpenAI's settings, offline, plus
    ``settings``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DOSSIER_") and k not in ("OPENAI_API_KEY", "OPENAI_BASE_URL")
    }
    env.update(HF_HUB_OFFLINE="1", ANONYMIZED_TELEMETRY="False", PYTHONUNBUFFERED="1")
    env.update(settings)
    return env


@contextmanager
def running_app(env: dict[str, str], log: Path) -> Iterator[str]:
    """``streamlit run ui/app.py`` on a free 127.0.0.1 port with ``env`` (its output in ``log``);
    yields the app's URL once it answers its health check, and stops it after."""
    port = _free_port()
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
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A writable copy of the sample corpus: the watch test adds a file to it."""
    dest = tmp_path_factory.mktemp("corpus") / "articles"
    shutil.copytree(SAMPLE, dest)
    return dest


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> Iterator[str]:
    """The app on a free port, over a tmp index of the corpus (real MiniLM embedder)."""
    tmp = tmp_path_factory.mktemp("browser")
    data = tmp / "data"
    report = Dossier(Settings(data_dir=data)).ingest(corpus)
    assert report.added and not report.skipped, report.to_json()
    env = app_env(DOSSIER_DATA_DIR=str(data), DOSSIER_SAMPLE_DIR=str(corpus))
    with running_app(env, tmp / "streamlit.log") as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser context (its own Streamlit session) per test."""
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    p = context.new_page()
    p.set_default_timeout(60_000)
    try:
        yield p
    finally:
        context.close()


def _save(page: Any, tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    page.screenshot(path=str(path))
    if os.environ.get("DOSSIER_SCREENSHOTS"):
        folder = Path(os.environ["DOSSIER_SCREENSHOTS"])
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, folder / name)
    return path


def _ask(page: Any, question: str, nth: int) -> Any:
    """Ask in the chat; the ``nth`` (0-based) assistant message once it is answered."""
    from playwright.sync_api import expect

    box = page.locator('[data-testid="stChatInput"] textarea')
    box.fill(question)
    box.press("Enter")
    reply = page.locator('[data-testid="stChatMessage"]').nth(2 * nth + 1)
    expect(reply).to_contain_text("Answered by", timeout=ANSWER_TIMEOUT)
    return reply


def _nav(page: Any, name: str) -> None:
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=name).click()


def test_click_a_citation_opens_the_article_at_the_span(
    server: str, page: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    t0 = time.perf_counter()
    page.goto(server)
    box = page.locator('[data-testid="stChatInput"] textarea')
    box.wait_for(state="visible")
    t_ready = time.perf_counter()
    reply = _ask(page, QUESTION, 0)
    t_answer = time.perf_counter()
    print(
        f"\npage load → chat ready {t_ready - t0:.2f} s; question → answer "
        f"{t_answer - t_ready:.2f} s; page load → first answer {t_answer - t0:.2f} s"
    )
    expect(reply.locator(".dz-answer")).to_contain_text("Putin")
    expect(reply).to_contain_text("Scope: all 5 articles")
    cards = reply.locator("a.dz-card")
    expect(cards.first).to_contain_text("passage")
    _save(page, tmp_path, "ui-chat.png")

    link = reply.locator("a.dz-cite").first
    quote = " ".join((link.get_attribute("title") or "").split())
    assert len(quote) > 20, "the quote shows on hover"
    link.click()
    panel = page.locator(".dz-panel:has(:target)")
    expect(panel).to_be_visible()
    mark = panel.locator("mark:target")
    expect(mark).to_be_visible()
    assert " ".join(mark.inner_text().split()) in quote or quote.rstrip("…") in " ".join(
        mark.inner_text().split()
    )
    expect(panel).to_contain_text(".txt")  # the file, with title, outlet and date in the head
    expect(panel.locator(".dz-panel-title")).not_to_be_empty()
    # in view: inside the panel's scrolled body and the window
    box_mark = mark.bounding_box()
    box_body = panel.locator(".dz-panel-body").bounding_box()
    assert box_mark and box_body
    assert box_body["y"] <= box_mark["y"] < box_body["y"] + box_body["height"]
    assert box_mark["y"] + box_mark["height"] <= 860
    # the whole article, not an excerpt: far more text than the span
    assert len(panel.locator(".dz-panel-body").inner_text()) > 3 * len(mark.inner_text())
    _save(page, tmp_path, "ui-source.png")
    panel.locator("a.dz-close").click()
    expect(page.locator(".dz-panel:has(:target)")).to_have_count(0)


def test_corrected_outlet_shows_on_the_next_answer(server: str, page: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    page.goto(f"{server}/library")
    picker = page.locator('[data-testid="stSelectbox"]').filter(has_text="Article to correct")
    picker.click()
    page.get_by_role("option").filter(has_text="000_d455daceb9b8e86e.txt").click()
    outlet = page.get_by_label("Outlet", exact=True)
    expect(outlet).to_have_value("Just the News")
    outlet.fill("Daily Planet")
    page.get_by_role("button", name="Save corrections").click()
    expect(page.get_by_text("Saved corrections")).to_be_visible()
    expect(page.get_by_text("Corrected by you: outlet")).to_be_visible()
    page.locator('[data-testid="stMain"]').evaluate("e => e.scrollTo(0, 0)")
    _save(page, tmp_path, "ui-library.png")
    _nav(page, "Chat")
    reply = _ask(page, QUESTION, 0)
    expect(reply.locator("a.dz-card").filter(has_text="Daily Planet")).to_have_count(1)


def test_filters_survive_navigation_and_are_stated(server: str, page: Any) -> None:
    from playwright.sync_api import expect

    page.goto(server)
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.locator('[data-testid="stMultiSelect"]').click()
    page.get_by_role("option", name="Newsmax").click()
    page.keyboard.press("Escape")
    chosen = sidebar.locator('[data-testid="stMultiSelect"]')
    expect(chosen).to_contain_text("Newsmax")
    _nav(page, "Library")
    expect(page.get_by_role("heading", name="Library")).to_be_visible()
    _nav(page, "Chat")
    expect(page.get_by_role("heading", name="Ask the articles")).to_be_visible()
    expect(chosen).to_contain_text("Newsmax")
    reply = _ask(page, "What did Putin accept?", 0)
    expect(reply).to_contain_text("Scope: Newsmax")
    for card in reply.locator("a.dz-card").all():
        expect(card).to_contain_text("Newsmax")


def test_uncovered_topic_gets_no_briefing_and_the_whole_one_is_written(
    server: str, page: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    page.goto(f"{server}/briefing")
    page.get_by_label("Topic (optional)").fill("Xi Jinping")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Generate the briefing").click()
    expect(page.get_by_text("No article in scope covers “Xi Jinping”")).to_be_visible(
        timeout=ANSWER_TIMEOUT
    )
    expect(page.get_by_text("Closest topics the articles do cover")).to_be_visible()
    expect(page.get_by_text("Download PDF")).to_have_count(0)

    page.get_by_label("Topic (optional)").fill("")
    page.keyboard.press("Enter")
    expect(page.get_by_text("No article in scope covers")).to_have_count(0)
    page.get_by_role("button", name="Generate the briefing").click()
    expect(page.get_by_text("Download PDF")).to_be_visible(timeout=ANSWER_TIMEOUT)
    expect(page.get_by_role("heading", name="Summary")).to_be_visible()
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    expect(chart.locator("canvas, svg").first).to_be_visible()
    expect(page.get_by_text("Sources: 5 articles")).to_be_visible()
    with page.expect_download() as dl:
        page.get_by_text("Download Markdown").click()
    md = Path(dl.value.path()).read_text(encoding="utf-8")
    assert md.startswith("# Briefing") and "[^1]" in md
    _save(page, tmp_path, "ui-brief.png")


def test_suggested_questions_start_an_empty_chat(server: str, page: Any) -> None:
    from playwright.sync_api import expect

    page.goto(server)
    expect(page.get_by_text("Start with a question")).to_be_visible()
    # polish: no Deploy button or developer menu items; captions at 4.5:1 or better
    expect(page.get_by_text("Deploy", exact=True)).to_have_count(0)
    worst = page.evaluate(CONTRAST_JS)
    assert worst >= 4.5, f"a caption has contrast {worst:.2f}:1"
    page.get_by_role("button", name="Summarize these articles").click()
    reply = page.locator('[data-testid="stChatMessage"]').nth(1)
    expect(reply).to_contain_text("Answered by", timeout=ANSWER_TIMEOUT)
    expect(reply.locator("a.dz-cite").first).to_be_visible()
    expect(reply.get_by_text("Open the full briefing")).to_be_visible()
    expect(page.get_by_text("Start with a question")).to_have_count(0)


def test_watch_picks_up_a_new_file(server: str, page: Any, corpus: Path) -> None:
    from playwright.sync_api import expect

    page.goto(f"{server}/library")
    page.get_by_text("Keep in step with the folders").click()
    expect(page.get_by_text("Watching")).to_be_visible()
    t0 = time.perf_counter()
    (corpus / "harbour.txt").write_text(
        "Harbour reopens after repairs\n\n"
        + "Mayor Alice Fontaine said the harbour reopened on Friday after two months of "
        "repairs, and ferries will run again from Monday. " * 5,
        encoding="utf-8",
    )
    expect(page.locator('[data-testid="stCode"]')).to_contain_text("harbour.txt", timeout=20_000)
    seconds = time.perf_counter() - t0
    print(f"\nwatch: new file → shown as indexed {seconds:.2f} s")
    assert seconds < 10
    expect(page.locator('[data-testid="stCode"]')).to_contain_text("added")
    # suggestions are rebuilt after the ingest: the new article's lead person
    page.goto(server)
    expect(page.get_by_role("button", name="What did Alice Fontaine say?")).to_be_visible()
