"""Pieces shared by the pages: safe text rendering, cited passages in context, errors, ingest
progress and reports. Article text is untrusted: it is always escaped before it reaches markdown
or HTML."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st

from rag import Citation, Dossier, exit_code_for

CSS = """
<style>
.dossier-passage { border-left: 3px solid #d0a000; padding: 0.4rem 0.8rem; line-height: 1.55;
  background: rgba(250, 230, 150, 0.08); border-radius: 4px; font-size: 0.95rem; }
.dossier-passage mark { background: #ffe066; color: #111; padding: 0 2px; border-radius: 2px; }
.dossier-cut { color: #4a4d57; }
/* captions carry outlet, date and scope: at least 4.5:1 against the page and the sidebar */
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p,
[data-testid="stCaptionContainer"] span { color: #4a4d57 !important; }
[data-testid="stWidgetLabel"] p { color: #31333f; }
</style>
"""

# Every ASCII punctuation mark CommonMark can backslash-escape that has a meaning to Streamlit's
# markdown (emphasis, links, HTML, math ``$``, emoji and colour shortcodes ``:``).
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$:&])")


def md_escape(text: str) -> str:
    """Text shown literally by ``st.markdown`` whatever it contains."""
    return _MD_SPECIAL.sub(r"\\\1", text).replace("\n", "  \n")


def html_text(text: str) -> str:
    """Text for an HTML block: escaped, newlines as ``<br>`` so no blank line ends the block."""
    escaped = html.escape(text, quote=True).replace("$", "&#36;")
    return escaped.replace("\r", "").replace("\n", "<br>")


def generator_label(name: str) -> str:
    return "offline extractive" if name == "extractive" else name


def date_label(published: str | None) -> str:
    return (published or "")[:10] or "undated"


def markers(ids: Sequence[int]) -> str:
    """Inline citation markers in bold, ``**[1][2]**`` (one bold run: ``****`` would show)."""
    return "**" + "".join(f"\\[{i}\\]" for i in ids) + "**" if ids else ""


def citation_label(c: Citation) -> str:
    """The expander label of a citation: ``[n] title — outlet · date`` (markdown-escaped)."""
    parts = [c.title or c.file, c.outlet or "unknown outlet", date_label(c.published)]
    return f"\\[{c.id}\\] " + md_escape(f"{parts[0]} — {parts[1]} · {parts[2]}")


@dataclass(frozen=True)
class Context:
    """A cited span with the article text around it. ``found`` is False when the stored article
    is gone or no longer holds the quoted text (re-indexed since): then only the quote is shown."""

    before: str
    span: str
    after: str
    cut_before: bool
    cut_after: bool
    found: bool = True


def context_of(text: str | None, start: int, end: int, quote: str, window: int = 450) -> Context:
    """The span ``text[start:end]`` with about ``window`` characters either side, cut at spaces."""
    if text is None or text[start:end] != quote:
        return Context("", quote, "", False, False, found=False)
    lo = max(0, start - window)
    if lo > 0:
        space = text.find(" ", lo, start)
        lo = space + 1 if space != -1 else lo
    hi = min(len(text), end + window)
    if hi < len(text):
        space = text.rfind(" ", end, hi)
        hi = space if space != -1 else hi
    return Context(text[lo:start], text[start:end], text[end:hi], lo > 0, hi < len(text))


def context_html(ctx: Context) -> str:
    """One HTML block: the context escaped, the cited span in ``<mark>``."""
    cut = '<span class="dossier-cut">… </span>'
    return (
        '<div class="dossier-passage">'
        + (cut if ctx.cut_before else "")
        + html_text(ctx.before)
        + ("<mark>" + html_text(ctx.span) + "</mark>" if ctx.span else "")
        + html_text(ctx.after)
        + (cut.replace("… ", " …") if ctx.cut_after else "")
        + "</div>"
    )


def show_context(ctx: Context, c: Citation) -> None:
    meta = [
        f"`{c.file}`",
        md_escape(c.outlet or "unknown outlet"),
        md_escape(date_label(c.published)),
        f"characters {c.start}–{c.end}",
    ]
    st.caption(" · ".join(meta))
    if not ctx.found:
        st.caption("The article has changed or left the index since; the quoted passage was:")
    st.markdown(context_html(ctx), unsafe_allow_html=True)


def show_error(exc: BaseException) -> None:
    """Expected errors (index missing, model unreachable, …) as one message; bugs with a trace."""
    if exit_code_for(exc) is not None:
        st.error(str(exc), icon=":material/error:")
    else:
        st.error(
            f"Something went wrong: {exc.__class__.__name__}: {exc}", icon=":material/bug_report:"
        )
        st.exception(exc)


def run_ingest(d: Dossier, path: Path, rebuild: bool = False) -> dict[str, Any] | None:
    """Ingest ``path`` with a progress bar; the report as JSON, or None after showing the error."""
    bar = st.progress(0.0, text=f"Indexing {path.name or path} …")

    def progress(done: int, total: int, file: str) -> None:
        frac = done / total if total else 1.0
        label = f"Indexing {done}/{total}" + (f": {file}" if file else " …")
        bar.progress(min(max(frac, 0.0), 1.0), text=label)

    try:
        report = d.ingest(path, progress=progress, rebuild=rebuild)
    except Exception as exc:
        bar.empty()
        show_error(exc)
        return None
    bar.empty()  # a finished bar does not stay: the report says what happened
    return report.to_json()


def show_report(report: Mapping[str, Any]) -> None:
    """An ingest report: counts, then every skipped file with its reason."""
    kinds = ("added", "updated", "unchanged", "removed")
    counts = ", ".join(f"{report.get(k, 0)} {k}" for k in kinds)
    skipped = list(report.get("skipped", []))
    (st.warning if skipped else st.success)(f"Ingest finished: {counts}.")
    if skipped:
        st.markdown(f"**Skipped {len(skipped)} file(s):**")
        st.dataframe(
            [{"file": s["file"], "reason": s["reason"]} for s in skipped],
            hide_index=True,
            width="stretch",
        )
    for dup in report.get("duplicates", []):
        st.caption(
            f"{md_escape(dup['file'])} duplicates {md_escape(dup['of'])}: not embedded twice."
        )
    for w in report.get("warnings", []):
        st.caption(f"⚠ {md_escape(w['file'])}: {md_escape(w['warning'])}")


def date_range_input(files: list[dict[str, Any]], key: str) -> tuple[str | None, str | None]:
    """A toggle and a date range over the articles' publication dates: (since, until)."""
    from datetime import date

    dates = sorted(str(f["published"])[:10] for f in files if f.get("published"))
    if not dates or not st.toggle("Limit by publication date", key=f"{key}_by_date"):
        return None, None
    picked = st.date_input(
        "Published between",
        value=(date.fromisoformat(dates[0]), date.fromisoformat(dates[-1])),
        key=f"{key}_dates",
    )
    st.caption("Undated articles are left out while a date range is set.")
    if isinstance(picked, tuple | list) and len(picked) == 2:
        return picked[0].isoformat(), picked[1].isoformat()
    return None, None
