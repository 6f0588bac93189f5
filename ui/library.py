"""Library: the indexed articles; upload files, re-index a folder, delete an article — each with a
progress bar and the ingest report (what was skipped, and why)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit as st

from rag import SUPPORTED_SUFFIXES, Dossier, IndexMissingError, iter_files
from ui import state
from ui.components import md_escape, run_ingest, show_error, show_report
from ui.uploads import MAX_UPLOAD_BYTES, UploadRejected, safe_name, save_upload

REPORT = "library_report"
NOTES = "library_notes"
UPLOADER = "library_uploader_n"


def _remember(report: dict[str, Any] | None, notes: list[str] | None = None) -> None:
    st.session_state[REPORT] = report
    st.session_state[NOTES] = notes or []


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
            f"The sample corpus was not found at `{src}` (DOSSIER_SAMPLE_DIR); upload "
            "articles on the Library page instead."
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
    st.caption(f"From `{src}`. Or add your own files on the Library page.")


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
                    f"an article named {base} is already indexed from {other}; rename the file"
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
        notes.append(f"Its file is still in {root}: re-indexing that folder brings it back.")
    return notes


def show_articles(status: dict[str, Any]) -> None:
    c1, c2 = st.columns(2)
    c1.metric("Articles", status["articles"])
    c2.metric("Passages (chunks)", status["chunks"])
    rows = [
        {
            "title": f.get("title") or "",
            "outlet": f.get("outlet") or "",
            "published": (f.get("published") or "")[:10],
            "chunks": f.get("chunks", 0),
            "file": f["file"],
            "duplicate of": f.get("duplicate_of") or "",
        }
        for f in status["files"]
    ]
    st.dataframe(rows, hide_index=True, width="stretch", key="library_table")


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
            _remember(report, [f"Saved {len(saved)} file(s) to {state.uploads_dir(d)}."])
            st.session_state[UPLOADER] = n + 1
            st.rerun()


def reindex_section(d: Dossier) -> None:
    st.subheader("Re-index")
    sample, uploads = state.sample_dir(), state.uploads_dir(d)
    folders = {f"Sample corpus ({sample})": sample, f"Uploads ({uploads})": uploads}
    choice = st.radio("Folder", list(folders), key="reindex_folder")
    rebuild = st.checkbox(
        "Rebuild from scratch (drops the whole index first — needed after "
        "changing the embedder or chunking settings)",
        key="rebuild",
    )
    if st.button("Re-index", key="reindex", icon=":material/sync:"):
        folder = folders[choice]
        if not folder.is_dir():
            st.error(f"No such folder: {folder}")
            return
        report = run_ingest(d, folder, rebuild=rebuild)
        if report is not None:
            _remember(report)
            st.rerun()


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
    if (
        st.button(
            "Delete from the index", disabled=file is None, key="delete", icon=":material/delete:"
        )
        and file
    ):
        try:
            notes = delete_article(d, file)
        except Exception as exc:
            show_error(exc)
            return
        _remember(None, notes)
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
        show_articles(status)
    elif status is None or not status.get("error"):
        offer_sample_corpus(d)
    st.divider()
    upload_section(d)
    reindex_section(d)
    if status and status.get("articles"):
        delete_section(d, status)


if __name__ == "__main__":
    render()
