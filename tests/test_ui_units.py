"""The UI's pure parts: upload names, passage and card HTML (escaped), timelines, labels."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ui.components import Context, context_html, context_of
from ui.sources import ArticleView, cards_html, panel_html
from ui.uploads import UploadRejected, safe_name, save_upload

# ---------------------------------------------------------------------------- units


@pytest.mark.parametrize(
    "name",
    [
        "../x.txt",
        "a/../../x.txt",
        "..",
        ".env",
        ".hidden.md",
        "",
        "x.exe",
        "noext",
        "evil\x00.txt",
        "semi;colon.txt",
        "star*.txt",
        "con.txt",
        "a" * 200 + ".txt",
    ],
)
def test_unsafe_upload_names_are_rejected(name: str) -> None:
    with pytest.raises(UploadRejected):
        safe_name(name)


@pytest.mark.parametrize(
    ("name", "saved"),
    [
        ("story.txt", "story.txt"),
        ("C:\\Users\\me\\story.HTML", "story.HTML"),
        ("dir/sub/Über Report (2).pdf", "Über Report (2).pdf"),
    ],
)
def test_upload_names_lose_their_folders(name: str, saved: str) -> None:
    assert safe_name(name) == saved


def test_save_upload_stays_inside_its_folder(tmp_path: Path) -> None:
    folder = tmp_path / "uploads"
    path = save_upload(folder, "/etc/passwd.txt", b"hello")
    assert path == folder.resolve() / "passwd.txt" and path.read_bytes() == b"hello"
    (folder / "link.txt").symlink_to(tmp_path / "outside.txt")
    with pytest.raises(UploadRejected):
        save_upload(folder, "link.txt", b"x")
    with pytest.raises(UploadRejected, match="larger"):
        save_upload(folder, "big.txt", b"x" * 11, max_bytes=10)
    assert not (tmp_path / "outside.txt").exists()
    assert sorted(p.name for p in folder.iterdir()) == ["link.txt", "passwd.txt"]


def test_passage_html_escapes_article_text() -> None:
    text = 'Before <script>alert("x")</script> & $1\n\nthe <b>cited</b> span and after.'
    start = text.index("the <b>")
    end = text.index(" and after")
    html = context_html(context_of(text, start, end, text[start:end]))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<mark>the &lt;b&gt;cited&lt;/b&gt; span</mark>" in html
    assert "\n" not in html and "$" not in html


def test_context_falls_back_to_the_quote_when_the_article_changed() -> None:
    ctx = context_of("new text entirely", 0, 5, "old q")
    assert ctx == Context("", "old q", "", False, False, found=False)
    long = "word " * 400
    ctx = context_of(long, 1000, 1004, long[1000:1004], window=100)
    assert ctx.cut_before and ctx.cut_after and len(ctx.before) <= 100


def test_cards_and_panels_escape_user_text() -> None:
    from rag.records import Citation

    text = "Lead. The `cited` span [x](http://evil) <b>here</b>. Tail."
    start = text.index("The")
    end = text.index(" Tail")
    c = Citation(1, "a`b`[c](d).txt", start, end, text[start:end], title="T <i>", outlet="O*")
    v = ArticleView("a`b`[c](d).txt", "T <i>", "O*", "2024-06-18", "By `x`", text, (c,))
    html = panel_html("dz0", v, 0) + cards_html("dz0", {"f": v})
    assert "<i>" not in html and "&lt;i&gt;" in html and "<b>" not in html
    assert '<mark id="dz0-m-1">The `cited` span [x](http://evil) &lt;b&gt;here&lt;/b&gt;.' in html
    assert "<code>a`b`[c](d).txt</code>" in html  # an HTML block: backticks stay text
    assert "2024-06-18" in html and "by By `x`" in html and "1 passage" in html


def test_panel_marks_overlapping_spans_and_a_changed_article() -> None:
    from rag.records import Citation

    text = "One two three four five six seven eight nine ten."
    c1 = Citation(1, "f.txt", 4, 23, text[4:23])
    c2 = Citation(2, "f.txt", 8, 18, text[8:18])  # inside c1
    c3 = Citation(3, "f.txt", 14, 33, text[14:33])  # overlaps c1's end
    gone = Citation(4, "f.txt", 0, 3, "Uno")
    html = panel_html("p", ArticleView("f.txt", text=text, citations=(c1, c2, c3, gone)), 0)
    for i in (1, 2, 3, 4):
        assert html.count(f'id="p-m-{i}"') == 1
    assert "changed or left the index" in html and "“Uno”" in html
    assert "Only the headline" not in html


def test_a_headline_only_article_says_why_it_is_one_line() -> None:
    from rag.records import Citation

    text = "Sprite will no longer be sold in green bottles"
    c = Citation(1, "s.md", 0, len(text), text)
    html = panel_html("p", ArticleView("s.md", text=text, citations=(c,), headline_only=True), 0)
    assert f'<mark id="p-m-1">{text}</mark>' in html
    assert "Only the headline is indexed" in html and "Lines removed by cleaning" in html


@pytest.mark.parametrize(
    ("days", "cut"),
    [
        (["2000-07-19", "2024-06-18", "2024-06-19", "2024-06-20", "2024-07-01"], "2024-06-18"),
        (
            ["1948-09-09", "2000-07-19", "2023-09-13", "2023-09-14", "2024-06-18", "2024-06-19"],
            "2023-09-13",
        ),
        (["2024-06-01", "2024-06-18", "2024-07-02"], None),
        (["2000-01-01", "2024-01-01"], None),
    ],
)
def test_timeline_background_is_split_off(days: list[str], cut: str | None) -> None:
    from ui.timeline import background_cutoff

    got = background_cutoff([date.fromisoformat(d) for d in days])
    assert got == (date.fromisoformat(cut) if cut else None)


def test_folder_labels_hide_temp_paths(tmp_path: Path) -> None:
    import tempfile

    from ui.library import folder_label

    class D:
        class settings:
            data_dir = tmp_path / "data"

    inside = Path(tempfile.gettempdir()) / "pytest-x" / "articles"
    assert folder_label(D(), inside) == "articles"  # type: ignore[arg-type]
    assert folder_label(D(), tmp_path / "data" / "uploads") == "Uploads"  # type: ignore[arg-type]
