"""Citations you can open: every ``[n]`` is a link to the whole article, shown in a side panel
scrolled to the cited span, which is highlighted; source cards list the cited articles in the
order cited. Pure HTML and CSS (``:target``): opening a source costs no rerun, works offline and
keeps the conversation where it is.

Each panel is an HTML block (no Markdown inside it), so article text, titles, outlets, bylines
and file names are HTML-escaped and can never become live Markdown (a file name with backticks
stays text). IDs carry a prefix per answer, so the same article cited in two answers has two
panels, each highlighting its own spans.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

from rag import Citation, Dossier
from ui.components import date_label, html_text

PANEL_CSS = """
<style>
.dz-panel { display: none; }
.dz-panel:has(:target) { display: flex; flex-direction: column; position: fixed; top: 3.75rem;
  right: 0; width: min(46rem, 46vw); height: calc(100vh - 3.75rem); z-index: 999991;
  background: var(--dz-bg, #ffffff); color: #1f2129; border-left: 1px solid #c9ccd4;
  box-shadow: -6px 0 18px rgba(0, 0, 0, 0.12); }
.dz-panel-head { padding: 0.8rem 1.1rem 0.6rem; border-bottom: 1px solid #e1e3e8; }
.dz-panel-title { font-weight: 600; font-size: 1.1rem; line-height: 1.35; margin-right: 5rem; }
.dz-panel-meta { color: #4a4d57; font-size: 0.85rem; margin-top: 0.25rem; }
.dz-panel-meta code { font-size: 0.8rem; color: #3b3e47; }
.dz-close { position: absolute; right: 1rem; top: 0.8rem; text-decoration: none;
  color: #1f2129 !important; border: 1px solid #c9ccd4; border-radius: 4px; padding: 0 0.5rem; }
.dz-panel-body { overflow-y: auto; padding: 0.8rem 1.1rem 2rem; line-height: 1.6;
  font-size: 0.95rem; }
.dz-panel-body mark { background: #ffe58a; color: #111; padding: 0 2px; border-radius: 2px;
  scroll-margin-top: 30vh; }
.dz-panel-body mark:target { background: #ffd23f; outline: 2px solid #b35c00; }
.dz-anchor { scroll-margin-top: 30vh; }
.dz-gone { color: #4a4d57; font-style: italic; }
a.dz-cite { font-weight: 600; text-decoration: none; color: #0b57d0 !important;
  padding: 0 1px; }
a.dz-cite:hover { text-decoration: underline; }
.dz-answer { line-height: 1.6; }
.dz-cards { display: flex; flex-wrap: wrap; gap: 0.5rem; margin: 0.6rem 0 0.2rem; }
a.dz-card { display: block; text-decoration: none; color: #1f2129 !important; width: 15rem;
  border: 1px solid #c9ccd4; border-radius: 6px; padding: 0.45rem 0.6rem; font-size: 0.85rem;
  line-height: 1.35; background: rgba(240, 242, 246, 0.6); }
a.dz-card:hover { border-color: #0b57d0; }
.dz-card-title { font-weight: 600; display: -webkit-box; -webkit-line-clamp: 2;
  -webkit-box-orient: vertical; overflow: hidden; }
.dz-card-meta { color: #4a4d57; }
</style>
"""

_UNSAFE_ID = re.compile(r"[^a-z0-9_-]")


def _id(prefix: str, *parts: object) -> str:
    return _UNSAFE_ID.sub("-", "-".join([prefix, *map(str, parts)]).lower())


def mark_id(prefix: str, cid: int) -> str:
    """The element a ``[cid]`` link of the answer ``prefix`` jumps to."""
    return _id(prefix, "m", cid)


@dataclass(frozen=True)
class ArticleView:
    """A cited article as shown in its panel: taken when the answer arrives, so the panel still
    shows it if the article is re-indexed or removed later. ``text`` is None when the article
    is no longer in the index."""

    file: str
    title: str = ""
    outlet: str | None = None
    published: str | None = None
    author: str | None = None
    text: str | None = None
    citations: tuple[Citation, ...] = ()
    headline_only: bool = False  # cleaning found only site chrome: indexed by its headline

    @property
    def passages(self) -> int:
        return len({(c.start, c.end) for c in self.citations})


def article_views(d: Dossier, citations: Sequence[Citation]) -> dict[str, ArticleView]:
    """The articles ``citations`` point into, in the order first cited, with their text and
    current metadata (a correction made since shows)."""
    by_file: dict[str, list[Citation]] = {}
    for c in citations:
        by_file.setdefault(c.file, []).append(c)
    out: dict[str, ArticleView] = {}
    for file, cites in by_file.items():
        got = d.article(file)
        text, meta = got if got else (None, {})
        first = cites[0]
        out[file] = ArticleView(
            file=file,
            title=str(meta.get("title") or first.title or ""),
            outlet=_opt(meta.get("outlet")) if got else first.outlet,
            published=_opt(meta.get("published")) if got else first.published,
            author=_opt(meta.get("author")),
            text=text,
            citations=tuple(cites),
            headline_only=bool(meta.get("headline_only")),
        )
    return out


def _opt(v: Any) -> str | None:
    return str(v) if v else None


def cite_link(prefix: str, c: Citation) -> str:
    """``[n]`` as a link to the cited span; the quote shows on hover."""
    quote = " ".join(c.quote.split())
    if len(quote) > 300:
        quote = quote[:297] + "…"
    return (
        f'<a class="dz-cite" href="#{mark_id(prefix, c.id)}" title="{escape(quote, quote=True)}">'
        f"[{c.id}]</a>"
    )


def links(prefix: str, cites: Sequence[Citation]) -> str:
    seen: dict[int, Citation] = {}
    for c in cites:
        seen.setdefault(c.id, c)
    return "".join(cite_link(prefix, c) for c in seen.values())


def meta_line(v: ArticleView, with_file: bool = True) -> str:
    """``outlet · date · by byline · file`` as escaped HTML."""
    parts = [v.outlet or "outlet unknown", date_label(v.published)]
    if v.author:
        parts.append(f"by {v.author}")
    out = " · ".join(html_text(p) for p in parts)
    if with_file:
        out += f" · <code>{html_text(v.file)}</code>"
    return out


def _body(prefix: str, v: ArticleView) -> str:
    """The article's text with every cited span in a ``<mark>`` carrying its citation's id (a
    span inside an earlier one gets an anchor where that one starts); quotes the article no
    longer holds are shown apart, above it."""
    text = v.text or ""
    ok = [c for c in v.citations if text[c.start : c.end] == c.quote]
    gone = [c for c in v.citations if c not in ok]
    spans = sorted({(c.start, c.end, c.id) for c in ok})
    out: list[str] = []
    pos = 0
    last_mark = 0  # where in ``out`` the latest mark starts
    for start, end, cid in spans:
        ident = mark_id(prefix, cid)
        if start < pos and end <= pos:  # inside an earlier mark: an anchor where that starts
            out.insert(last_mark, f'<span class="dz-anchor" id="{ident}"></span>')
            last_mark += 1
            continue
        if start >= pos:
            out.append(html_text(text[pos:start]))
        last_mark = len(out)
        out.append(f'<mark id="{ident}">{html_text(text[max(start, pos) : end])}</mark>')
        pos = end
    out.append(html_text(text[pos:]))
    html = "".join(out)
    if v.headline_only:
        html += (
            '<p class="dz-gone">Only the headline is indexed: cleaning found nothing but site '
            "chrome in the page's body. Library → Lines removed by cleaning can put lines "
            "back.</p>"
        )
    if gone:
        note = "The article has changed or left the index since; the quoted passage" + (
            "s were: " if len(gone) > 1 else " was: "
        )
        quotes = " ".join(
            f'<mark id="{mark_id(prefix, c.id)}">“{html_text(c.quote)}”</mark>' for c in gone
        )
        return f'<p class="dz-gone">{note}</p>{quotes}<hr>{html}'
    return html


def panel_html(prefix: str, v: ArticleView, n: int) -> str:
    """The side panel of one article (hidden until one of its spans is the URL's target)."""
    title = html_text(v.title or v.file)
    return (
        f'<div class="dz-panel" id="{_id(prefix, "a", n)}" data-file="{escape(v.file)}">'
        f'<div class="dz-panel-head"><a class="dz-close" href="#{_id(prefix, "closed")}" '
        f'title="Close">✕</a><div class="dz-panel-title">{title}</div>'
        f'<div class="dz-panel-meta">{meta_line(v)}</div></div>'
        f'<div class="dz-panel-body">{_body(prefix, v)}</div></div>'
    )


def panels_html(prefix: str, views: Mapping[str, ArticleView]) -> str:
    return "".join(panel_html(prefix, v, n) for n, v in enumerate(views.values()))


def cards_html(prefix: str, views: Mapping[str, ArticleView]) -> str:
    """Source cards in the order cited: title, outlet · date, "N passages" and the markers."""
    cards = []
    for v in views.values():
        first = min(v.citations, key=lambda c: c.id)
        n = v.passages
        ids = "".join(f"[{i}]" for i in sorted({c.id for c in v.citations}))
        cards.append(
            f'<a class="dz-card" href="#{mark_id(prefix, first.id)}" '
            f'data-file="{escape(v.file)}">'
            f'<div class="dz-card-title">{html_text(v.title or v.file)}</div>'
            f'<div class="dz-card-meta">{meta_line(v, with_file=False)}</div>'
            f'<div class="dz-card-meta">{n} passage{"s" if n != 1 else ""} · {ids}</div></a>'
        )
    return '<div class="dz-cards">' + "".join(cards) + "</div>" if cards else ""


@dataclass
class Panels:
    """Panels collected while a page renders, written once at its end, outside any chat
    message or expander (a fixed panel inside one would be clipped)."""

    html: list[str] = field(default_factory=list)

    def add(self, prefix: str, views: Mapping[str, ArticleView]) -> None:
        self.html.append(panels_html(prefix, views))

    def render(self) -> None:
        import streamlit as st

        if self.html:
            st.markdown(
                '<div class="dz-panels">' + "".join(self.html) + "</div>", unsafe_allow_html=True
            )
