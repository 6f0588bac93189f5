"""End to end in a real browser: the Library lists the lines cleaning removed from an article,
with the rule that removed each, and a "Restore" button puts one back — kept beside the index
and re-indexed at once — and "Remove again" undoes it. ``streamlit run ui/app.py`` on a free
loopback port over a tmp copy of the sample corpus (fake embedder: this is about the Library, not
retrieval), driven by Debian's headless Chromium through Playwright, as in ``test_browser``."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rag.service import Dossier
from tests.conftest import make_settings
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, SAMPLE, app_env, running_app

FILE = "001_8d517ec488ed0d82.txt"
WAIT = 60_000
"""Milliseconds to wait for the page after a click (a restore re-indexes the article)."""
TEASER_PREFIX = "Putin claims that Poland will invade Belarus."

pytestmark = [
    pytest.mark.slow,
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian's Chromium at /usr/bin/chromium (apt-get install -y chromium)",
    ),
]


def _dossier(data: Path) -> Dossier:
    return Dossier(make_settings(data))


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    corpus = tmp_path_factory.mktemp("corpus") / "articles"
    shutil.copytree(SAMPLE, corpus)
    data = tmp_path_factory.mktemp("library") / "data"
    report = _dossier(data).ingest(corpus)
    assert report.added and not report.skipped, report.to_json()
    return data


@pytest.fixture(scope="module")
def server(data: Path) -> Iterator[str]:
    env = app_env(
        DOSSIER_DATA_DIR=str(data),
        DOSSIER_INDEX__EMBEDDER="fake",
        DOSSIER_SAMPLE_DIR=str(SAMPLE),
    )
    with running_app(env, data.parent / "streamlit.log") as url:
        yield url


@pytest.fixture
def page(server: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 860})
            pg = context.new_page()
            pg.set_default_timeout(60_000)
            yield pg
        finally:
            browser.close()


def _stored(data: Path) -> str:
    got = _dossier(data).store().article(FILE)
    assert got is not None
    return got[0]


def test_library_restores_a_removed_line_and_removes_it_again(
    server: str, data: Path, page: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    assert TEASER_PREFIX not in _stored(data)
    removed = _dossier(data).removed_lines(FILE)
    (line,) = [r["line"] for r in removed if r["text"].startswith(TEASER_PREFIX)]
    n = sorted(f["file"] for f in _dossier(data).status()["files"]).index(FILE)

    page.goto(f"{server}/library")
    heading = page.get_by_role("heading", name="Lines removed by cleaning")
    expect(heading).to_be_visible(timeout=WAIT)
    picker = page.locator('[data-testid="stSelectbox"]').filter(has_text="Article to inspect")
    picker.click()
    page.get_by_role("option").filter(has_text=FILE).click()
    # every removed line is listed with its rule and a Restore button
    for r in removed:
        expect(page.locator(f".st-key-restore_{n}_{r['line']} button")).to_be_visible()
    main = page.locator('[data-testid="stMain"]')
    expect(main).to_contain_text(f"{line} · teaser · {TEASER_PREFIX}", timeout=WAIT)

    page.locator(f".st-key-restore_{n}_{line} button").click()
    expect(page.get_by_text(f"Line {line} of")).to_contain_text("restored", timeout=WAIT)
    assert TEASER_PREFIX in _stored(data)  # re-indexed: the line is in the article's text
    assert (data / "restores.json").is_file()

    # the article stays chosen: its restored line is listed as such, without a Restore button
    expect(main).to_contain_text(f"{line} · restored by you · {TEASER_PREFIX}", timeout=WAIT)
    expect(page.locator(f".st-key-restore_{n}_{line}")).to_have_count(0)
    page.screenshot(path=str(tmp_path / "ui-library-restore.png"))

    page.locator(f".st-key-unrestore_{n}_{line} button").click()
    expect(page.get_by_text(f"Line {line} of")).to_contain_text("removed again", timeout=WAIT)
    assert TEASER_PREFIX not in _stored(data)
    expect(page.locator(f".st-key-restore_{n}_{line} button")).to_be_visible()
