"""Library: the indexed articles; correct an article's title, outlet, date and byline, include or
exclude it from chat and briefings; see the lines cleaning removed from an article, with the rule
that removed each, and restore one (kept beside the index, re-indexed at once); upload files,
re-index the folders actually ingested, keep them watched, delete an article (after confirming)
— each with the ingest report (what was skipped, and why)."""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

import streamlit as st

from rag import (
    SUPPORTED_SUFFIXES,
    CorrectionError,
    Dossier,
    IndexMissingError,
    RestoreError,
    UsageError,
    iter_files,
)
from ui import state, watching
from ui.components import md_escape, run_ingest, show_error, show_report
from ui.uploads import MAX_UPLOAD_BYTES, UploadRejected, safe_name, save_upload

REPORT = "library_report"
NOTES = "library_notes"
UPLOADER = "library_uploader_n"
CONFIRM = "library_confirm_delete"


def _remember(report: dict[str, Any] | None, notes: list[str] | None = None) -> None:
    st.session_state[REPORT] = report
    st.session_state[NOTES] = notes or []


def folder_label(d: Dossier, folder: str | Path) -> str:
    """A folder as the reader knows it: never a raw temporary path."""
    p = Path(folder).resolve()
    if p == state.uploads_dir(d):
        return "Uploads"
    if p == state.sample_dir().resolve():
        return f"Sample corpus ({p.name})"
    tmp = Path(tempfile.gettempdir()).resolve()
    if p.is_relative_to(tmp):
        return p.name
    for base, shown in ((Path.cwd(), ""), (Path.home(), "~/")):
        if p.is_relative_to(base) and p != base:
            return shown + p.relative_to(base).as_posix()
    return str(p)


def indexed_status(d: Dossier) -> dict[str, Any] | None:
    """The index status when articles are indexed; otherwise offer the sample corpus and
    return None (the page shows nothing else)."""
    status = state.index_status(d)
    if status and status.get("articles"):
        return status
    offer_sample_corpus(d)
    return None


def offer_sample_corpus(d: Dossier) -> None:
    """First start: nothing indexed yet; offer the bundled sample corpus."""
    src = state.sample_dir()
    st.info("No articles are indexed yet.", icon=":material/inventory_2:")
    if not src.is_dir():
        st.warning(
            "The sample corpus was not found (set DOSSIER_SAMPLE_DIR); upload articles on the "
            "Library page instead."
        )
        return
    n = len(iter_files(src))
    if st.button(
        f"Index the sample corpus ({n} articles)",
        type="primary",
        key="index_sample",
        icon=":material/download:",
    ):
        report = run_ingest(d, src)
        if report is not None:
            _remember(report)
            st.rerun()
    st.caption(f"From {md_escape(folder_label(d, src))}. Or add your own files in the Library.")


def _states(d: Dossier) -> dict[str, dict[str, Any]]:
    try:
        return d.store().article_states()
    except IndexMissingError:
        return {}


def save_uploads(d: Dossier, files: list[Any]) -> tuple[list[Path], list[dict[str, str]]]:
    """Save uploaded files into the uploads folder; (saved, rejected with reasons)."""
    folder = state.uploads_dir(d)
    states = _states(d)
    saved: list[Path] = []
    rejected: list[dict[str, str]] = []
    for f in files:
        try:
            base = safe_name(f.name)
            other = states.get(base, {}).get("root")
            if other and Path(str(other)).resolve() != folder:
                raise UploadRejected(
                    f"an article named {base} is already indexed from "
                    f"{folder_label(d, str(other))}; rename the file"
                )
            saved.append(save_upload(folder, f.name, f.getvalue()))
        except UploadRejected as exc:
            rejected.append({"file": f.name, "reason": str(exc)})
    return saved, rejected


def delete_article(d: Dossier, file: str) -> list[str]:
    """Remove ``file`` (and records that duplicate it) from the index; an uploaded file is deleted
    from the uploads folder too, so the next re-index does not bring it back. Notes for the user."""
    notes: list[str] = []
    uploads = state.uploads_dir(d)
    removed, meta = d.remove(file)
    for dup in removed[1:]:
        notes.append(f"Also removed {dup}, a duplicate of it (re-index its folder to restore).")
    notes.insert(0, f"Deleted {file} from the index.")
    root = meta.get("root")
    if root and Path(str(root)).resolve() == uploads:
        path = (uploads / file).resolve()
        if path.parent == uploads and path.is_file():
            path.unlink()
            notes.append("Its uploaded file was deleted too.")
    elif root:
        notes.append(
            f"Its file is still in {folder_label(d, str(root))}: re-indexing that folder "
            "brings it back."
        )
    return notes


def show_articles(d: Dossier, status: dict[str, Any]) -> None:
    excluded = d.corrections.excluded()
    c1, c2, c3 = st.columns(3)
    c1.metric("Articles", status["articles"])
    c2.metric("In chat and briefings", status["articles"] - len(excluded & _files(status)))
    c3.metric("Passages (chunks)", status["chunks"])
    states = _states(d)
    rows = [
        {
            "included": f["file"] not in excluded,
            "title": f.get("title") or "",
            "outlet": f.get("outlet") or "",
            "published": (f.get("published") or "")[:10],
            "byline": str(states.get(f["file"], {}).get("author") or ""),
            "chunks": f.get("chunks", 0),
            "file": f["file"],
            "duplicate of": f.get("duplicate_of") or "",
        }
        for f in status["files"]
    ]
    st.dataframe(rows, hide_index=True, width="stretch", key="library_table")


def _files(status: dict[str, Any]) -> set[str]:
    return {f["file"] for f in status["files"]}


def _articles(status: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """The indexed articles a reader can pick (duplicates left out) and every file's title."""
    files = [f["file"] for f in status["files"] if not f.get("duplicate_of")]
    titles = {f["file"]: f.get("title") or f["file"] for f in status["files"]}
    return files, titles


def _pick_article(files: list[str], titles: dict[str, str], label: str, key: str) -> str | None:
    """A choice of one of ``files``, shown by title; None: none chosen yet."""
    choice = st.selectbox(
        label,
        files,
        index=None,
        key=key,
        format_func=lambda f: f"{titles[f]} ({f})",
        placeholder="Choose one",
    )
    return None if choice is None else str(choice)


def correct_section(d: Dossier, status: dict[str, Any]) -> None:
    """Correct one article's metadata; include or exclude it."""
    st.subheader("Correct an article")
    files, titles = _articles(status)
    file = _pick_article(files, titles, "Article to correct", "edit_file")
    if file is None:
        st.caption("Corrections are kept beside the index: re-indexing and rebuilding keep them.")
        return
    got = d.article(file)
    meta = got[1] if got else {}
    fixed = d.corrections.fields(file)
    included = file not in d.corrections.excluded()
    n = files.index(file)
    with st.form(key=f"edit_form_{n}"):
        title = st.text_input("Title", value=str(meta.get("title") or ""), key=f"edit_title_{n}")
        outlet = st.text_input(
            "Outlet", value=str(meta.get("outlet") or ""), key=f"edit_outlet_{n}"
        )
        published = st.text_input(
            "Published (YYYY-MM-DD; empty: unknown)",
            value=str(meta.get("published") or "")[:10],
            key=f"edit_published_{n}",
        )
        byline = st.text_input("Byline", value=str(meta.get("author") or ""), key=f"edit_by_{n}")
        keep = st.toggle("Include in chat and briefings", value=included, key=f"edit_inc_{n}")
        saved = st.form_submit_button("Save corrections", icon=":material/save:")
    if fixed:
        st.caption("Corrected by you: " + md_escape(", ".join(sorted(fixed))))
    if not saved:
        return
    wanted = {"title": title, "outlet": outlet, "published": published, "author": byline}
    have = {
        "title": str(meta.get("title") or ""),
        "outlet": str(meta.get("outlet") or ""),
        "published": str(meta.get("published") or "")[:10],
        "author": str(meta.get("author") or ""),
    }
    changed = {k: v for k, v in wanted.items() if v.strip() != have[k]}
    try:
        if changed:
            d.correct(file, changed)
        if keep != included:
            d.set_included(file, keep)
    except CorrectionError as exc:
        st.error(md_escape(str(exc)), icon=":material/error:")
        return
    what = ", ".join(sorted(changed)) or "nothing changed"
    inc = "" if keep == included else (" · included again" if keep else " · excluded")
    _remember(None, [f"Saved corrections to {titles[file]} ({what}){inc}."])
    st.rerun()


def cleaning_section(d: Dossier, status: dict[str, Any]) -> None:
    """One article's lines that cleaning removed, each with its rule and a Restore button; the
    lines restored already, each with a button to let cleaning remove it again."""
    st.subheader("Lines removed by cleaning")
    files, titles = _articles(status)
    file = _pick_article(files, titles, "Article to inspect", "clean_file")
    if file is None:
        st.caption("Site chrome, promos and captions are cleaned out; a line put back stays.")
        return
    try:
        removed, restored = d.removed_lines(file), d.restored_lines(file)
    except UsageError as exc:
        st.error(md_escape(str(exc)), icon=":material/error:")
        return
    if not removed and not restored:
        st.caption("Cleaning removed nothing from this article.")
    n = files.index(file)
    for r in removed:
        c1, c2 = st.columns([6, 1], vertical_alignment="center")
        c1.markdown(f"`{r['line']}` · **{md_escape(r['rule'])}** · {md_escape(r['text'])}")
        if c2.button("Restore", key=f"restore_{n}_{r['line']}", icon=":material/undo:"):
            _put_back(d, file, titles[file], r["line"], undo=False)
    for r in restored:
        c1, c2 = st.columns([6, 1], vertical_alignment="center")
        c1.markdown(f"`{r['line']}` · **restored by you** · {md_escape(r['text'])}")
        if c2.button("Remove again", key=f"unrestore_{n}_{r['line']}"):
            _put_back(d, file, titles[file], r["line"], undo=True)


def _put_back(d: Dossier, file: str, title: str, line: int, undo: bool) -> None:
    try:
        d.restore(file, [line], undo=undo)
    except RestoreError as exc:
        st.error(md_escape(str(exc)), icon=":material/error:")
        return
    except Exception as exc:  # another ingest running, the file gone: said; a bug: traced
        show_error(exc)
        return
    what = "will be removed again" if undo else "restored"
    _remember(None, [f"Line {line} of {title} {what}; the article was re-indexed."])
    st.rerun()


def upload_section(d: Dossier) -> None:
    st.subheader("Add articles")
    kinds = [s.lstrip(".") for s in SUPPORTED_SUFFIXES]
    n = st.session_state.get(UPLOADER, 0)
    files = st.file_uploader(
        f"Files ({', '.join(kinds)}; at most {MAX_UPLOAD_BYTES // 1_000_000} MB each)",
        type=kinds,
        accept_multiple_files=True,
        key=f"uploader_{n}",
        max_upload_size=MAX_UPLOAD_BYTES // 1_000_000,
    )
    if st.button(
        "Upload and index", disabled=not files, key="upload_index", icon=":material/upload:"
    ):
        saved, rejected = save_uploads(d, list(files or []))
        report: dict[str, Any] | None = {
            "added": 0,
            "updated": 0,
            "unchanged": 0,
            "removed": 0,
            "skipped": [],
        }
        if saved:
            report = run_ingest(d, state.uploads_dir(d))
        if report is not None:
            report["skipped"] = [*rejected, *report.get("skipped", [])]
            _remember(report, [f"Saved {len(saved)} file(s) to the uploads folder."])
            st.session_state[UPLOADER] = n + 1
            st.rerun()


def _folders(d: Dossier) -> list[str]:
    """The folders actually ingested (most articles first), then the sample corpus and the
    uploads folder when they exist and are not among them."""
    try:
        found = d.ingested_folders()
    except Exception:
        found = []
    for extra in (state.sample_dir(), state.uploads_dir(d)):
        if extra.is_dir() and str(extra.resolve()) not in found:
            found.append(str(extra.resolve()))
    return found


def reindex_section(d: Dossier) -> None:
    st.subheader("Re-index")
    folders = _folders(d)
    if not folders:
        st.caption("Nothing ingested yet.")
        return
    choice = st.radio(
        "Folder", folders, key="reindex_folder", format_func=lambda f: folder_label(d, f)
    )
    rebuild = st.checkbox(
        "Rebuild from scratch (drops the whole index first — needed after "
        "changing the embedder or chunking settings; your corrections are kept)",
        key="rebuild",
    )
    if st.button("Re-index", key="reindex", icon=":material/sync:"):
        folder = Path(choice)
        if not folder.is_dir():
            st.error(f"No such folder: {md_escape(folder_label(d, folder))}")
            return
        report = run_ingest(d, folder, rebuild=rebuild)
        if report is not None:
            _remember(report)
            st.rerun()
    watch_section(d, folders)


def watch_section(d: Dossier, folders: list[str]) -> None:
    on = {w.folder for w in watching.running(d)}
    want = st.toggle(
        "Keep in step with the folders (re-index files as they change)",
        value=bool(on),
        key="watch_on",
    )
    if want and not on:
        try:
            ingested = d.ingested_folders()
        except Exception:
            ingested = []
        for f in ingested or folders[:1]:
            if Path(f).is_dir():
                watching.start(d, f)
    elif not want and on:
        for f in on:
            watching.stop(d, f)
    if want:
        live_status(d)


@st.fragment(run_every=1.5)
def live_status(d: Dossier) -> None:
    """While watching: when the index last changed and the latest changes, refreshed live."""
    ws = watching.running(d)
    names = ", ".join(folder_label(d, w.folder) for w in ws) or "nothing"
    changed = d.index_changed_at()
    when = datetime.fromtimestamp(changed).strftime("%H:%M:%S") if changed else "never"
    st.caption(f"Watching {md_escape(names)} · index last changed {when}")
    lines = [line for w in ws for line in w.lines][-8:]
    if lines:
        st.code("\n".join(lines), language=None)
    seen = st.session_state.get("watch_seen")
    if seen is not None and changed != seen:
        st.session_state["watch_seen"] = changed
        st.rerun(scope="app")
    st.session_state["watch_seen"] = changed


def delete_section(d: Dossier, status: dict[str, Any]) -> None:
    st.subheader("Delete an article")
    files = [f["file"] for f in status["files"]]
    titles = {f["file"]: f.get("title") or f["file"] for f in status["files"]}
    file = st.selectbox(
        "Article",
        files,
        index=None,
        key="delete_file",
        format_func=lambda f: f"{titles[f]} ({f})",
        placeholder="Choose one",
    )
    if st.button(
        "Delete from the index", disabled=file is None, key="delete", icon=":material/delete:"
    ):
        st.session_state[CONFIRM] = file
    pending = st.session_state.get(CONFIRM)
    if not pending or pending != file:
        return
    st.warning(
        f"Delete “{md_escape(titles.get(pending, pending))}” from the index? Its chunks and "
        "record go; a file in an ingested folder comes back on the next re-index.",
        icon=":material/warning:",
    )
    c1, c2 = st.columns(2)
    if c1.button("Yes, delete it", key="delete_confirm", type="primary"):
        st.session_state.pop(CONFIRM, None)
        try:
            notes = delete_article(d, pending)
        except Exception as exc:
            show_error(exc)
            return
        _remember(None, notes)
        st.rerun()
    if c2.button("Cancel", key="delete_cancel"):
        st.session_state.pop(CONFIRM, None)
        st.rerun()


def render() -> None:
    d = state.dossier()
    st.title("Library")
    for note in st.session_state.get(NOTES, []):
        st.success(md_escape(note), icon=":material/check:")
    if st.session_state.get(REPORT):
        show_report(st.session_state[REPORT])
    status = state.index_status(d, stop=False)
    if status and status.get("articles"):
        show_articles(d, status)
        correct_section(d, status)
        cleaning_section(d, status)
    elif status is None or not status.get("error"):
        offer_sample_corpus(d)
    st.divider()
    upload_section(d)
    reindex_section(d)
    if status and status.get("articles"):
        delete_section(d, status)


if __name__ == "__main__":
    render()
