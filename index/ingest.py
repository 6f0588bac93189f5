"""Incremental ingestion: keep a Chroma index in step with a folder of articles.

Per file: load → clean → metadata → chunk; chunks of many files are embedded together in batches
(the embedder is the bottleneck and likes full batches), then each article's chunks are written and
its record last, so a crash leaves every finished article whole and the rest to the next run.

Unchanged files are recognised by size and mtime, then by the hash of their bytes, and cost no
parsing or embedding; a changed file is re-chunked and its chunks replaced; a file gone from the
folder has its chunks deleted; a file whose cleaned text equals another's is recorded as a
duplicate of it and not embedded twice.

Nothing is read from outside the folder and nothing is lost to a fault (``index.walk``): a link
out of the folder, a FIFO or device is reported, not read; a folder or file that cannot be read
is reported and what was indexed from it stays (an unreadable folder given is an error that
changes nothing); an article of another folder indexed under the same relative name is never
replaced while its file is still there. What a killed ingest left half written is repaired
first (``index.repair``).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from index.boilerplate import STATS_FILE, BoilerplateStats
from index.chunk import chunk_text, count_tokens
from index.clean import CleanResult, clean_article, headline_text, is_substantive
from index.corrections import Corrections
from index.embed import Embedder
from index.load import LoadError, UnreadableError, parse_bytes, read_bytes
from index.locks import IngestBusyError, ingest_lock
from index.meta import author_line, extract_meta
from index.records import Article, Chunk, Meta, RawDoc
from index.repair import reconcile
from index.restores import Restores
from index.settings import IndexSettings
from index.states_cache import StatesCache
from index.store import ArticleWrite, Store, StoreUnavailableError, mean_vector
from index.walk import Found, Walk, WalkError, walk

__all__ = [
    "IngestBusyError",
    "IngestPathError",
    "IngestReport",
    "Skipped",
    "ingest",
    "ingest_lock",
    "rebuild",
]

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Skipped:
    file: str
    reason: str


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    ignored: list[Skipped] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    chunks_written: int = 0
    tokens: int = 0
    seconds: float = 0.0
    # Seconds per phase: walk, records, classify, learn, remove, prepare, embed, write.
    phases: dict[str, float] = field(default_factory=dict)

    def lap(self, phase: str, since: float) -> float:
        """Add the time from ``since`` to ``phase``; returns now."""
        now = time.perf_counter()
        self.phases[phase] = self.phases.get(phase, 0.0) + now - since
        return now

    @property
    def failed(self) -> bool:
        return bool(self.skipped)

    def to_json(self) -> dict[str, Any]:
        return {
            "added": len(self.added),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "removed": len(self.removed),
            "skipped": [{"file": s.file, "reason": s.reason} for s in self.skipped],
            "ignored": [{"file": s.file, "reason": s.reason} for s in self.ignored],
            "repaired": list(self.repaired),
            "duplicates": [{"file": f, "of": o} for f, o in self.duplicates],
            "warnings": [{"file": f, "warning": w} for f, w in self.warnings],
            "chunks_written": self.chunks_written,
            "tokens": self.tokens,
            "seconds": round(self.seconds, 3),
        }


@dataclass
class _Pending:
    article: Article
    chunks: list[Chunk]
    state: dict[str, Any]
    duplicate_of: str | None = None
    replacing: bool = False


@dataclass(frozen=True)
class _Read:
    """A file's bytes and parsed document, read once per ingest."""

    data: bytes
    raw: RawDoc


class IngestPathError(FileNotFoundError):
    """The folder or file given to ingest does not exist or cannot be walked; nothing in the
    index was changed."""


def _sha(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def _walk(target: Path) -> Walk:
    try:
        return walk(Path(target))
    except FileNotFoundError:
        raise IngestPathError(f"No such file or folder: {target}") from None
    except WalkError as exc:
        raise IngestPathError(f"{exc}; nothing in the index was changed.") from None


def _elsewhere(rel: str, path: str | Path, old: dict[str, Any], root: Path) -> Path | None:
    """The file of another folder indexed under the same name ``rel``, if it is still there
    (a folder that moved leaves nothing behind: this one takes its place)."""
    other_root = old.get("root")
    if not other_root or other_root == str(root):
        return None
    other = Path(str(other_root)) / rel
    try:
        if os.path.samefile(other, path):
            return None
    except FileNotFoundError:
        return None
    except OSError:
        return other  # there, but unreadable now: still not ours to replace
    return other


def ingest(
    target: Path,
    store: Store,
    embedder: Embedder,
    settings: IndexSettings,
    progress: Progress | None = None,
    corrections: Corrections | None = None,
    stats: BoilerplateStats | None = None,
    restores: Restores | None = None,
    force: Collection[str] = (),
    cache_dir: Path | None = None,
) -> IngestReport:
    """Bring the index in step with ``target`` (a folder, or a single file). The reader's
    ``corrections`` of titles, outlets, dates and bylines are laid over extracted metadata.
    With ``stats``, lines each outlet repeats across its articles are learned (and saved
    before anything is written) and cleaned out too; an article whose cleaning that changes is
    re-indexed. Lines the reader ``restores`` are kept whatever cleaning says; files named in
    ``force`` are re-indexed even when unchanged (a restore just made). Call it under
    :func:`ingest_lock`: it first repairs what a write that died left. What ingest reads of
    the article records is kept under ``cache_dir`` (``index.states_cache``) for the next one."""
    t0 = time.perf_counter()
    report = IngestReport()
    found = _walk(target)
    t = report.lap("walk", t0)
    root = found.root
    report.skipped = [Skipped(p.rel, p.reason) for p in found.skipped]
    report.ignored = [Skipped(p.rel, p.reason) for p in found.ignored]
    cache = StatesCache(store, cache_dir)
    states = cache.current()
    report.repaired = reconcile(store, states)
    states = cache.current()  # read again when a repair changed the index
    store.drop_stale()  # collections a rebuild that died left behind
    t = report.lap("records", t)
    on_disk = {f.rel: f for f in found.files}
    root_s = str(root)

    # Pass 1: classify. Files of this folder that vanished are removed (not those in a folder
    # or file that could not be read this time); unchanged files cost the walk's stat.
    todo: list[tuple[str, Path, str, Any]] = []
    gone: set[str] = set()
    if found.is_dir:
        gone = {
            f
            for f, s in states.items()
            if s.get("root") == root_s and f not in on_disk and not found.keeps(f)
        }
    for rel, entry in list(on_disk.items()):
        old = states.get(rel)
        st = entry.st
        if old:
            other = _elsewhere(rel, entry.real, old, root)
            if other is not None:
                report.skipped.append(
                    Skipped(
                        rel,
                        f"another folder's article is indexed under this name ({other}) and "
                        "stays; rename this file, or ingest a folder that holds both",
                    )
                )
                del on_disk[rel]
                continue
        if old and old.get("root") == root_s and rel not in force:
            if old.get("size") == st.st_size and old.get("mtime_ns") == st.st_mtime_ns:
                continue
            try:
                raw_sha = _sha(read_bytes(entry.path, int(settings.max_file_mb * 1e6)))
            except UnreadableError as exc:
                report.skipped.append(Skipped(rel, str(exc)))
                del on_disk[rel]
                continue
            except LoadError:
                raw_sha = ""  # too large, emptied, …: processing says why
            if old.get("raw_sha") == raw_sha:
                store.touch_article(rel, st.st_mtime_ns)
                cache.touched(rel, st.st_mtime_ns)
                continue
        todo.append((rel, entry.path, "updated" if old else "added", st))
    queued = {t[0] for t in todo}
    touched = gone | queued
    redo = {f for f, s in states.items() if s.get("duplicate_of") in touched}
    for rel in sorted(redo - gone - queued):
        if rel in on_disk:
            todo.append((rel, on_disk[rel].path, "updated", on_disk[rel].st))
    read: dict[str, _Read | LoadError] = {}
    t = report.lap("classify", t)
    if stats is not None:
        _learn(stats, todo, gone, on_disk, read, settings, corrections)
    t = report.lap("learn", t)
    changing = {t[0] for t in todo} | gone
    report.unchanged = sorted(set(on_disk) - changing - {s.file for s in report.skipped})

    store.remove_articles(sorted(gone))
    report.removed = sorted(gone)
    report.lap("remove", t)

    # Pass 2: process what changed, embedding chunks of many files per batch.
    by_sha = {
        s["sha256"]: f
        for f, s in states.items()
        if f not in changing and "sha256" in s and not s.get("duplicate_of")
    }
    pending: list[_Pending] = []
    pending_chunks = 0
    vectors_of: dict[str, list[float]] = {}
    done = len(on_disk) - len(todo)
    total = len(on_disk)
    if progress:
        progress(done, total, "")
    for rel, path, kind, st in todo:
        got = read.pop(rel, None)
        t = time.perf_counter()
        item = _prepare(rel, path, root, st, settings, report, corrections, stats, got, restores)
        report.lap("prepare", t)
        if isinstance(item, _Pending):
            original = by_sha.get(item.article.sha256)
            if original and original != rel:
                item.duplicate_of = original
                item.chunks = []
                item.state["duplicate_of"] = original
                report.duplicates.append((rel, original))
            else:
                by_sha[item.article.sha256] = rel
            (report.added if kind == "added" else report.updated).append(rel)
            item.replacing = kind != "added"
            pending.append(item)
            pending_chunks += len(item.chunks)
        elif kind == "updated" and not item:
            # The file is now unusable: drop its stale chunks so answers never cite old text
            # (not when it is only unreadable for now: then it stays as it was).
            store.remove_article(rel)
        if pending_chunks >= settings.batch_chunks:
            _flush(pending, store, embedder, report, vectors_of, settings.embed_context)
            pending, pending_chunks = [], 0
        done += 1
        if progress:
            progress(done, total, rel)
    _flush(pending, store, embedder, report, vectors_of, settings.embed_context)
    t = time.perf_counter()
    cache.save()
    report.lap("records", t)
    report.seconds = time.perf_counter() - t0
    return report


def rebuild(
    target: Path,
    client: Any,
    name: str,
    identity: dict[str, str | int],
    embedder: Embedder,
    settings: IndexSettings,
    progress: Progress | None = None,
    corrections: Corrections | None = None,
    stats_dir: Path | None = None,
    restores: Restores | None = None,
) -> tuple[IngestReport, Store]:
    """Build index ``name`` anew from ``target`` into new collections and switch to them when
    they are complete: if this dies, the old index is still whole and answers. With
    ``stats_dir``, repeated-line statistics are learned anew beside the old ones and replace
    them at the switch. Call it under :func:`ingest_lock`. Returns the report and the new store."""
    store = Store.build(client, name, identity)
    fresh = BoilerplateStats(stats_dir / f"{STATS_FILE}.rebuild") if stats_dir else None
    switched = False
    try:
        report = ingest(target, store, embedder, settings, progress, corrections, fresh, restores)
        store.switch()
        switched = True
        if fresh is not None and stats_dir is not None:
            fresh.save()
            os.replace(stats_dir / f"{STATS_FILE}.rebuild", stats_dir / STATS_FILE)
    finally:
        if not switched:
            store.discard()
    return report, store


def _read(rel: str, path: Path, settings: IndexSettings) -> _Read | LoadError:
    try:
        data = read_bytes(path, max_bytes=int(settings.max_file_mb * 1e6))
        # The format is the name's, as walked and reported.
        return _Read(data, parse_bytes(Path(rel), data))
    except LoadError as exc:
        return exc


def _meta(rel: str, raw: RawDoc, corrections: Corrections | None) -> tuple[CleanResult, Meta]:
    """The text cleaned by the general rules and the metadata read with it (the reader's
    corrections on top): the outlet says whose repeated lines to learn and drop."""
    base = clean_article(raw.text)
    meta = extract_meta(raw, base.text, rel)
    return base, corrections.apply(rel, meta) if corrections is not None else meta


def _learn(
    stats: BoilerplateStats,
    todo: list[tuple[str, Path, str, Any]],
    gone: set[str],
    on_disk: Mapping[str, Found],
    read: dict[str, _Read | LoadError],
    settings: IndexSettings,
    corrections: Corrections | None,
) -> None:
    """Update the outlets' repeated-line statistics with what changed; queue the unchanged
    articles whose cleaning that changes; save the statistics (observing is idempotent, so a
    crash after this only re-observes)."""
    before = stats.snapshot()
    for rel in gone:
        stats.forget(rel)
    for rel, path, _kind, _st in todo:
        got = read[rel] = _read(rel, path, settings)
        if isinstance(got, _Read):
            stats.observe(rel, _meta(rel, got.raw, corrections)[1].outlet, got.raw.text)
    queued = {t[0] for t in todo}
    for rel in stats.affected_since(before):
        if rel in on_disk and rel not in queued:
            todo.append((rel, on_disk[rel].path, "updated", on_disk[rel].st))
    stats.save()


def _prepare(
    rel: str,
    path: Path,
    root: Path,
    st: Any,
    settings: IndexSettings,
    report: IngestReport,
    corrections: Corrections | None = None,
    stats: BoilerplateStats | None = None,
    got: _Read | LoadError | None = None,
    restores: Restores | None = None,
) -> _Pending | bool:
    """The article of ``rel`` ready to embed; else False (not an article: the reason is
    reported) or True (unreadable for now: reported, and what was indexed of it stays)."""
    if got is None:
        got = _read(rel, path, settings)
    if isinstance(got, LoadError):
        report.skipped.append(Skipped(rel, str(got)))
        return isinstance(got, UnreadableError)
    data, raw = got.data, got.raw
    raw_bytes_sha = _sha(data)
    report.warnings.extend((rel, w) for w in raw.warnings)
    result, meta = _meta(rel, raw, corrections)
    keep = restores.lines_for(rel, raw.text) if restores is not None else set()
    credit = author_line(raw.text, meta.author)  # the byline stays, citable
    keep |= {credit} if credit is not None else set()
    if stats is not None or keep:
        result = clean_article(raw.text, outlet=meta.outlet, stats=stats, restore=keep)
    cleaned = result.text
    headline_only = not is_substantive(cleaned)
    if headline_only:
        # A page that came back as chrome alone is kept by its declared headline, if any.
        declared = meta.title if raw.fields.get("title") else None
        headline = headline_text(declared, meta.outlet)
        if headline is None or (stats is not None and stats.learned(meta.outlet, headline)):
            report.skipped.append(Skipped(rel, "no article text after cleaning"))
            return False
        report.warnings.append((rel, "no article text after cleaning: indexed by its headline"))
        cleaned = headline
    article = Article(
        file=rel, text=cleaned, meta=meta, sha256=_sha(cleaned), warnings=raw.warnings
    )
    chunks = chunk_text(rel, cleaned, settings.chunk_tokens, settings.chunk_overlap)
    tokens = count_tokens(cleaned)
    report.tokens += tokens
    state = {
        "root": str(root),
        "raw_sha": raw_bytes_sha,
        "sha256": article.sha256,
        "size": st.st_size,
        "mtime_ns": st.st_mtime_ns,
        "tokens": tokens,
        "ingested_at": int(time.time()),
        # What cleaning removed, as [first line, last line, rule] of the raw text.
        "removed": json.dumps(result.spans(), separators=(",", ":")),
        "removed_lines": len(result.dropped),
        "restored_lines": len(keep),
    }
    if headline_only:
        state["headline_only"] = True  # the reader says why the article is one line
    return _Pending(article, chunks, state)


def embed_input(article: Article, text: str) -> str:
    """What a chunk's vector is made of with ``embed_context``: its article's title and date
    line in front (as BM25 reads the title), so a chunk that says "he" or "the visit" is found
    by what its article is about. The stored text and its span stay the chunk's own."""
    head = "\n".join(x for x in (article.meta.title, (article.meta.published or "")[:10]) if x)
    return f"{head}\n{text}" if head else text


def _flush(
    pending: list[_Pending],
    store: Store,
    embedder: Embedder,
    report: IngestReport,
    vectors_of: dict[str, list[float]],
    context: bool = False,
) -> None:
    if not pending:
        return
    texts = [
        embed_input(p.article, c.text) if context else c.text for p in pending for c in p.chunks
    ]
    t = time.perf_counter()
    vectors = embedder.embed(texts) if texts else []
    t = report.lap("embed", t)
    writes: list[ArticleWrite] = []
    pos = 0
    for p in pending:
        mine = vectors[pos : pos + len(p.chunks)]
        pos += len(p.chunks)
        if p.duplicate_of:
            doc_vector = vectors_of.get(p.duplicate_of) or store.article_vector(p.duplicate_of)
            if doc_vector is None:
                raise StoreUnavailableError(f"Original of duplicate {p.article.file} is missing")
        else:
            doc_vector = mean_vector(mine)
            vectors_of[p.article.file] = doc_vector
        writes.append(ArticleWrite(p.article, p.chunks, mine, doc_vector, p.state, p.replacing))
        report.chunks_written += len(p.chunks)
    store.write_articles(writes)
    report.lap("write", t)
