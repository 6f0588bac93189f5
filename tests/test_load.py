from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from index.load import (
    SUPPORTED_SUFFIXES,
    LoadError,
    decode_text,
    extract_html,
    iter_files,
    load_file,
    pdf_date,
)

BODY = "Russian President Vladimir Putin arrived in Pyongyang on Wednesday for talks. " * 3


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def reason(path: Path, **kwargs: int) -> str:
    with pytest.raises(LoadError) as err:
        load_file(path, **kwargs)
    return str(err.value)


# --- iter_files ----------------------------------------------------------------------------------


def test_iter_files_walks_sorted_skipping_hidden_and_unsupported(tmp_path: Path) -> None:
    for name in [
        "b.txt",
        "a.md",
        "README.md",
        "page.HTML",
        "doc.pdf",
        "notes.markdown",
        "old.htm",
        "sub/z.txt",
        "sub/deeper/y.txt",
        ".hidden.txt",
        ".git/config.txt",
        "sub/.cache/x.txt",
        "image.png",
        "data.docx",
        "noext",
    ]:
        write(tmp_path / name, BODY)
    files = [p.relative_to(tmp_path).as_posix() for p in iter_files(tmp_path)]
    assert files == [
        "README.md",
        "a.md",
        "b.txt",
        "doc.pdf",
        "notes.markdown",
        "old.htm",
        "page.HTML",
        "sub/deeper/y.txt",
        "sub/z.txt",
    ]
    assert ".pdf" in SUPPORTED_SUFFIXES


def test_iter_files_single_file_and_missing_root(tmp_path: Path) -> None:
    f = write(tmp_path / "one.txt", BODY)
    assert iter_files(f) == [f]
    odd = write(tmp_path / "one.docx", BODY)
    assert iter_files(odd) == [odd]  # given explicitly: load_file says why it is refused
    assert reason(odd) == "unsupported file type (.docx)"
    with pytest.raises(FileNotFoundError):
        iter_files(tmp_path / "missing")


# --- plain text ----------------------------------------------------------------------------------


def test_txt_newlines_normalised_and_characters_kept(tmp_path: Path) -> None:
    text = "Headline\r\n\r\nFirst\u00a0paragraph – “quoted”.\rSecond line\n"
    doc = load_file(write(tmp_path / "a.txt", text))
    assert doc.text == "Headline\n\nFirst\u00a0paragraph – “quoted”.\nSecond line\n"
    assert doc.fields == {}
    assert doc.warnings == ()
    assert doc.path == tmp_path / "a.txt"


def test_utf8_bom_is_stripped(tmp_path: Path) -> None:
    doc = load_file(write(tmp_path / "bom.txt", b"\xef\xbb\xbf" + "Café au lait".encode()))
    assert doc.text == "Café au lait"


def test_utf16_with_bom(tmp_path: Path) -> None:
    data = "Héllo wörld\r\nSecond line".encode("utf-16")  # with BOM, has NUL bytes
    assert data[:2] in (b"\xff\xfe", b"\xfe\xff")
    doc = load_file(write(tmp_path / "u16.txt", data))
    assert doc.text == "Héllo wörld\nSecond line"
    assert doc.warnings == ()


def test_invalid_utf8_bytes_replaced_and_counted(tmp_path: Path) -> None:
    data = b"Kim met Putin \xff in Vladivostok. " + BODY.encode() + b" Truncated \xe2\x82 euro."
    doc = load_file(write(tmp_path / "bad.txt", data))
    assert doc.warnings == ("invalid UTF-8: 3 bytes replaced",)
    assert doc.text.count("\ufffd") == 3
    assert doc.text.startswith("Kim met Putin \ufffd in Vladivostok.")
    one = load_file(write(tmp_path / "one.txt", BODY.encode() + b"\x80"))
    assert one.warnings == ("invalid UTF-8: 1 byte replaced",)


def test_mostly_undecodable_text_is_refused(tmp_path: Path) -> None:
    assert reason(write(tmp_path / "latin.txt", b"ok " + bytes(range(0x80, 0x100)) * 4)) == (
        "undecodable text"
    )


def test_binary_files_are_refused(tmp_path: Path) -> None:
    assert reason(write(tmp_path / "nul.txt", b"abc\x00def" + BODY.encode())) == (
        "binary file (NUL bytes)"
    )
    controls = bytes([1, 2, 3, 4, 5, 6, 7, 8, 14, 15]) * 20 + b"some text"
    assert reason(write(tmp_path / "ctl.md", controls)) == "binary file (control characters)"


def test_empty_and_whitespace_only_files(tmp_path: Path) -> None:
    assert reason(write(tmp_path / "empty.txt", b"")) == "empty file"
    assert reason(write(tmp_path / "blank.txt", b"  \n\t\r\n  ")) == "empty file"
    assert reason(write(tmp_path / "blank.md", "---\ntitle: x\n---\n\n  \n")) == "empty file"


def test_large_file_rejected_by_size_without_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as f:
        f.truncate(50_000_000)  # sparse: instant, no disk used

    def no_open(*args: object, **kwargs: object) -> None:
        raise AssertionError("the file was opened")

    monkeypatch.setattr(Path, "open", no_open)
    assert reason(big) == "file too large (50.0 MB > 20 MB limit)"
    monkeypatch.undo()
    small = write(tmp_path / "small.txt", BODY)
    assert reason(small, max_bytes=100).startswith("file too large (0.0 MB > 0.0001 MB limit")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can read anything")
def test_permission_denied(tmp_path: Path) -> None:
    f = write(tmp_path / "secret.txt", BODY)
    f.chmod(0)
    try:
        assert reason(f) == "permission denied"
    finally:
        f.chmod(0o644)


def test_permission_error_while_opening(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = write(tmp_path / "secret.txt", BODY)

    def denied(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "open", denied)
    assert reason(f) == "permission denied"


def test_missing_file_and_directory(tmp_path: Path) -> None:
    assert reason(tmp_path / "gone.txt") == "file not found"
    (tmp_path / "folder.txt").mkdir()
    assert reason(tmp_path / "folder.txt") == "not a regular file"


def test_decode_text_directly() -> None:
    assert decode_text(b"a\r\nb\rc") == ("a\nb\nc", [])
    assert decode_text("café".encode("cp1252"), "windows-1252") == ("café", [])


# --- Markdown ------------------------------------------------------------------------------------

MD = """---
title: "Putin visits Pyongyang"
Outlet: 'The Example Times'
author: Jane Doe
date: 2024-06-19
tags: [russia, north korea]
---

# Putin visits Pyongyang

Russian President Vladimir Putin arrived in Pyongyang on Wednesday.

---

A second section after a horizontal rule.
"""


def test_markdown_front_matter_becomes_fields(tmp_path: Path) -> None:
    doc = load_file(write(tmp_path / "a.md", MD))
    assert doc.text.startswith("# Putin visits Pyongyang\n\nRussian President")
    assert "title:" not in doc.text
    assert "---\n\nA second section" in doc.text  # a later rule is body text
    assert doc.fields["title"] == "Putin visits Pyongyang"
    assert doc.fields["outlet"] == "The Example Times"
    assert doc.fields["author"] == "Jane Doe"
    assert doc.fields["published"] == "2024-06-19"
    assert doc.fields["date"] == "2024-06-19"
    assert doc.fields["tags"] == "[russia, north korea]"


def test_markdown_without_closed_front_matter_is_kept(tmp_path: Path) -> None:
    text = "---\ntitle: never closed\n\nBody text of the article follows here."
    doc = load_file(write(tmp_path / "b.markdown", text))
    assert doc.text == text
    assert doc.fields == {}
    assert load_file(write(tmp_path / "c.txt", MD)).fields == {}  # only Markdown has it


# --- HTML ----------------------------------------------------------------------------------------

HTML = """<!DOCTYPE html>
<html><head>
<meta charset="utf-8">
<title>Putin visits Pyongyang | Example News</title>
<meta property="og:title" content="Putin visits Pyongyang for the first time in 24 years">
<meta property="og:site_name" content="Example News">
<meta name="author" content="Jane Doe">
<meta property="article:published_time" content="2024-06-19T08:00:00Z">
<style>p { color: red }</style>
<script>var html = "<p>not text</p>";</script>
</head>
<body>
<header><nav><a href="/">Home</a> <a href="/world">World</a></nav><h1>Example News</h1></header>
<div class="ticker">Most read: something else entirely that is not the article at all</div>
<article>
  <header><h1>Putin   visits
     Pyongyang</h1><p class="byline">By Jane Doe</p></header>
  <p>Russian President Vladimir Putin arrived in Pyongyang &amp; was greeted by
     Kim&nbsp;Jong Un at the airport, state media said on Wednesday morning.</p>
  <p>The two leaders signed a <b>strategic</b> partnership agreement, according to
     KCNA, the official news agency &mdash; a pact that alarmed Seoul and Washington.</p>
  <aside>Related: Kim visits Russia</aside>
  <figure><img src="x.jpg"><figcaption>Photo: AP</figcaption></figure>
  <form>Sign up for our newsletter <input type="email"></form>
  <blockquote>We stand together.</blockquote>
  <ul><li>First point</li><li>Second point</li></ul>
  <p>Line one<br>line two</p>
</article>
<footer>&copy; 2024 Example News. All rights reserved.</footer>
<noscript>Enable JavaScript</noscript>
</body></html>
"""


def test_html_extracts_article_text_and_meta_fields(tmp_path: Path) -> None:
    doc = load_file(write(tmp_path / "page.html", HTML))
    lines = doc.text.split("\n\n")
    assert lines[0] == "Putin visits Pyongyang"  # the h1 headline first
    assert (
        "Russian President Vladimir Putin arrived in Pyongyang & was greeted by Kim Jong Un "
        "at the airport, state media said on Wednesday morning." in lines
    )
    assert "KCNA, the official news agency — a pact" in doc.text
    for line in ("We stand together.", "First point", "Second point", "Line one", "line two"):
        assert line in lines
    for chrome in ("Home", "not text", "color", "Most read", "Related", "Photo: AP", "Sign up",
                   "All rights reserved", "JavaScript", "Example News", "By Jane Doe"):  # fmt: skip
        assert chrome not in doc.text
    assert doc.fields == {
        "title": "Putin visits Pyongyang for the first time in 24 years",
        "outlet": "Example News",
        "author": "Jane Doe",
        "published": "2024-06-19T08:00:00Z",
    }


def test_html_fallbacks_without_og_tags() -> None:
    html = """<html><head><title>Kim visits Russia - Daily Planet</title>
    <meta name="application-name" content="Daily Planet">
    <script type="application/ld+json">{"@type": "NewsArticle", "headline": "x",
      "author": [{"@type": "Person", "name": "John Roe"}], "datePublished": "2023-09-12"}
    </script></head>
    <body><div><h2>Kim visits Russia</h2><time datetime="2023-09-13T10:00:00+03:00">Sep 13</time>
    <p>North Korean leader Kim Jong Un crossed into Russia by armoured train.</p></div>
    </body></html>"""
    text, fields = extract_html(html)
    assert text.split("\n\n") == [
        "Kim visits Russia",
        "North Korean leader Kim Jong Un crossed into Russia by armoured train.",
    ]
    assert fields["title"] == "Kim visits Russia"  # the <title>, less the site's name
    assert fields["outlet"] == "Daily Planet"
    assert fields["author"] == "John Roe"
    assert fields["published"] == "2023-09-12"
    _, only_title = extract_html("<title>Kim visits Russia - Daily Planet</title><p>Body.</p>")
    assert only_title["title"] == "Kim visits Russia"
    _, with_time = extract_html('<p>Body.</p><time datetime="2023-09-13">Sep 13</time>')
    assert with_time == {"published": "2023-09-13"}


def test_html_declared_charset_and_empty_page(tmp_path: Path) -> None:
    page = b'<html><head><meta charset="windows-1252"></head><body><p>Caf\xe9 society.</p>'
    assert load_file(write(tmp_path / "cp.htm", page)).text == "Café society."
    latin = b'<meta charset="iso-8859-1"><p>\x93Caf\xe9\x94</p>'  # browsers read it as cp1252
    assert load_file(write(tmp_path / "l1.htm", latin)).text == "“Café”"
    lying = '<meta charset="iso-8859-1"><p>Café – “quoted”</p>'.encode()
    assert load_file(write(tmp_path / "utf8.htm", lying)).text == "Café – “quoted”"
    empty = write(tmp_path / "empty.html", "<html><script>x()</script><nav>Home</nav></html>")
    assert reason(empty) == "no readable text in HTML"


# --- PDF -----------------------------------------------------------------------------------------


def make_pdf(pages: list[list[str]], encrypt: str | None = None, **info: str) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, encrypt=encrypt)
    c.setTitle(info.get("title", ""))
    c.setAuthor(info.get("author", ""))
    for lines in pages:
        y = 780
        for line in lines:
            c.drawString(60, y, line)
            y -= 16
        if not lines:
            c.rect(100, 100, 200, 200)  # a drawing, no text
        c.showPage()
    c.save()
    return buf.getvalue()


PDF_PAGES = [
    [
        "Putin visits Pyongyang",
        "",
        "Russian President Vladimir Putin arrived in Pyongyang early on Wednesday for",
        "a two-day visit, the first in 24 years, state media in both countries reported.",
    ],
    ["Kim Jong Un greeted him at the airport."],
]


def test_pdf_text_and_document_info(tmp_path: Path) -> None:
    data = make_pdf(PDF_PAGES, title="Putin visits Pyongyang", author="Jane Doe")
    doc = load_file(write(tmp_path / "a.pdf", data))
    assert doc.text == (
        "Putin visits Pyongyang\n"
        "Russian President Vladimir Putin arrived in Pyongyang early on Wednesday for a two-day "
        "visit, the first in 24 years, state media in both countries reported.\n\n"
        "Kim Jong Un greeted him at the airport."
    )
    assert doc.fields["title"] == "Putin visits Pyongyang"
    assert doc.fields["author"] == "Jane Doe"
    assert doc.fields["created"][:4].isdigit() and doc.fields["created"][4] == "-"


def test_truncated_pdf_is_unreadable(tmp_path: Path) -> None:
    data = make_pdf(PDF_PAGES)
    assert reason(write(tmp_path / "cut.pdf", data[: len(data) // 2])).startswith(
        "unreadable PDF: "
    )
    assert reason(write(tmp_path / "junk.pdf", b"not a pdf at all")).startswith("unreadable PDF")


def test_encrypted_pdf_needs_a_password(tmp_path: Path) -> None:
    data = make_pdf(PDF_PAGES, encrypt="secret")
    assert reason(write(tmp_path / "locked.pdf", data)) == "encrypted PDF (password required)"


def test_pdf_without_text(tmp_path: Path) -> None:
    data = make_pdf([[]])
    assert reason(write(tmp_path / "scan.pdf", data)) == "no extractable text (scanned PDF?)"


def test_pdf_date() -> None:
    assert pdf_date("D:20230914071800+02'00'") == "2023-09-14T07:18:00+02:00"
    assert pdf_date("D:20230914071800Z") == "2023-09-14T07:18:00+00:00"
    assert pdf_date("D:20230914071800") == "2023-09-14T07:18:00"
    assert pdf_date("D:20230914") == "2023-09-14"
    assert pdf_date("D:20231399") is None
    assert pdf_date("yesterday") is None
