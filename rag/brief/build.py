"""One-page briefing of the indexed articles — every line cited.

``build_briefing(parts, scope)`` selects the articles in scope (the whole index, a topic's
retrieved passages, a publication-date range), writes the briefing with the configured language
model (JSON with passage ids, every item verified) or offline (``rag.brief.extract``: the
articles' own sentences), falls back to offline when the model fails (and says so), compares it
with the previous briefing of the same scope (``<data_dir>/briefs/<scope key>.json``: new items
are marked, dropped ones listed) and saves it for next time.

Sections: summary · timeline (event dates kept apart from publication dates) · key actors · key
figures · where the sources disagree · what to watch. Renderers: ``rag.brief.render``.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from index.embed import Embedder
from index.store import Store
from rag.answer.verify import Verifier
from rag.brief.extract import Sections, extract, scope_limits
from rag.brief.llm_items import write_sections
from rag.brief.pool import build_pool
from rag.brief.records import (
    Actor,
    ArticleRef,
    Briefing,
    BriefItem,
    BriefScope,
    renumber,
)
from rag.errors import GeneratorError
from rag.llm.chat import ChatModel
from rag.llm.choice import choose
from rag.records import Filters, Passage
from rag.retrieval.filters import in_date_range
from rag.retrieval.hybrid import Retriever

Progress = Callable[[int, int, str], None]

__all__ = [
    "Actor",
    "ArticleRef",
    "BriefItem",
    "BriefParts",
    "BriefScope",
    "Briefing",
    "build_briefing",
    "load_previous",
]

_STAGES = 4  # selecting, embedding / asking the model, extracting / verifying, comparing


@dataclass(frozen=True)
class BriefParts:
    """What a briefing uses of the assembled Dossier, and nothing more."""

    store: Store
    retriever: Retriever
    embedder: Embedder
    briefs_dir: Path  # the previous briefing of each scope, and cached sentence vectors
    llm: ChatModel | None = None  # None when no model is configured
    min_support: float = 0.5
    judge: bool = True
    deadline_s: float | None = None  # one deadline for all the model's work on a briefing


def select(
    parts: BriefParts, scope: BriefScope, topic_k: int = 30
) -> tuple[list[tuple[ArticleRef, str]], dict[str, list[tuple[int, int]]] | None, list[Passage]]:
    """(articles with their stored text, spans a topic retrieved per file or None, passages)."""
    store = parts.store
    states = store.article_states()
    files = sorted(
        f
        for f, m in states.items()
        if not m.get("duplicate_of") and in_date_range(m, scope.since, scope.until)
    )
    allowed: dict[str, list[tuple[int, int]]] | None = None
    passages: list[Passage] = []
    if scope.topic:
        passages = parts.retriever.retrieve(
            scope.topic, k=topic_k, filters=Filters(since=scope.since, until=scope.until)
        )
        allowed = {}
        for p in passages:
            allowed.setdefault(p.file, []).append((p.start, p.end))
        files = [f for f in files if f in allowed]
    docs: list[tuple[ArticleRef, str]] = []
    for f in files:
        got = store.article(f)
        if got is None:
            continue
        text, meta = got
        docs.append(
            (
                ArticleRef(
                    f,
                    str(meta.get("title") or ""),
                    _opt(meta.get("outlet")),
                    _opt(meta.get("published")),
                ),
                text,
            )
        )
    return docs, allowed, passages


def _opt(v: Any) -> str | None:
    return str(v) if v else None


def _lead_passages(
    store: Store, docs: list[tuple[ArticleRef, str]], limit: int = 24
) -> list[Passage]:
    """For the model without a topic: each article's chunks in order, newest article first,
    taken round-robin (leads first) up to ``limit``."""
    refs = {r.file: r for r, _ in docs}
    chunks: dict[str, list[tuple[int, str, str, dict[str, Any]]]] = {}
    for cid, text, meta in store.iter_chunks():
        f = str(meta.get("file", ""))
        if f in refs:
            chunks.setdefault(f, []).append((int(meta.get("n", 0)), cid, text, meta))
    order = sorted(refs, key=lambda f: refs[f].published or "", reverse=True)
    out: list[Passage] = []
    depth = 0
    while len(out) < limit and any(len(chunks.get(f, [])) > depth for f in order):
        for f in order:
            got = sorted(chunks.get(f, []))
            if len(got) > depth and len(out) < limit:
                _, cid, text, meta = got[depth]
                r = refs[f]
                out.append(
                    Passage(
                        cid,
                        f,
                        int(meta.get("start", 0)),
                        int(meta.get("end", 0)),
                        text,
                        0.0,
                        r.title,
                        r.outlet,
                        r.published,
                    )
                )
        depth += 1
    return out


# ---- incremental: the previous briefing of the scope --------------------------------------------
def load_previous(briefs_dir: Path, scope: BriefScope) -> Briefing | None:
    path = briefs_dir / f"{scope.key}.json"
    if not path.exists():
        return None
    try:
        return Briefing.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None  # an unreadable old briefing is simply not compared against


def _save(briefs_dir: Path, b: Briefing) -> None:
    d = briefs_dir
    d.mkdir(parents=True, exist_ok=True)
    path = d / f"{b.scope.key}.json"
    tmp = path.with_name(f"{path.stem}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(b.to_json(), ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(path)


def compare(b: Briefing, prev: Briefing | None) -> Briefing:
    """Mark items that were not in ``prev`` (or cite an article it did not have) as new; list
    the items of ``prev`` that are gone."""
    if prev is None:
        return b
    old_keys = {i.key for i in prev.items}
    old_files = {a.file for a in prev.articles}
    new_files = tuple(a.file for a in b.articles if a.file not in old_files)

    def mark(i: BriefItem) -> BriefItem:
        fresh = i.key not in old_keys or any(c.file in new_files for c in i.citations)
        return replace(i, new=fresh)

    cur_keys = {i.key for i in b.items}
    return replace(
        b,
        summary=tuple(mark(i) for i in b.summary),
        timeline=tuple(mark(i) for i in b.timeline),
        actors=tuple(replace(a, items=tuple(mark(i) for i in a.items)) for a in b.actors),
        figures=tuple(mark(i) for i in b.figures),
        disagreements=tuple(mark(i) for i in b.disagreements),
        watch=tuple(mark(i) for i in b.watch),
        previous=prev.generated_at,
        dropped=tuple(replace(i, new=False) for i in prev.items if i.key not in cur_keys),
        new_articles=new_files,
    )


# ---- the briefing ------------------------------------------------------------------------------
def build_briefing(
    parts: BriefParts,
    scope: BriefScope | None = None,
    progress: Progress | None = None,
    generator: str | None = None,
    save: bool = True,
    vectors: str = "auto",
) -> Briefing:
    """The briefing of ``scope`` (default: every indexed article). ``generator``: 'extractive',
    'llm', or None for what the settings say. ``progress(done, total, stage)`` is called as it
    goes. With ``save`` the briefing is compared with, then replaces, the scope's previous one.
    ``vectors`` (offline): 'embed', 'lexical' or 'auto' — see ``rag.brief.pool.build_pool``."""
    scope = scope or BriefScope()
    t0 = time.perf_counter()
    step = progress or (lambda done, total, stage: None)
    step(0, _STAGES, "selecting articles")
    docs, allowed, passages = select(parts, scope)
    warnings: list[str] = []
    invalid: list[str] = []
    use_llm = choose(generator, parts.llm)
    name = "extractive"
    extra: dict[str, Any] = {}
    sections: Sections | None = None
    if not docs:
        warnings.append(f"No indexed article in scope ({scope.describe()}).")
        sections = Sections((), (), (), (), (), ())
    elif use_llm:
        step(1, _STAGES, "asking the model")
        try:
            chat = parts.llm
            assert chat is not None  # choose() said so
            sections, invalid = write_sections(
                chat,
                Verifier(parts.embedder, parts.min_support),
                passages[:24] if passages else _lead_passages(parts.store, docs),
                scope.describe(),
                parts.judge,
                parts.deadline_s,
            )
            name = chat.name
        except GeneratorError as exc:
            warnings.append(f"{exc} — briefing written offline instead.")
    if sections is None:

        def embed_step(done: int, total: int, stage: str) -> None:
            step(1, _STAGES, stage)

        pool = build_pool(
            docs,
            parts.embedder,
            allowed,
            cache_dir=parts.briefs_dir,
            progress=embed_step,
            vectors=vectors,
        )
        extra = {
            "vectors": pool.mode if pool.mode == "lexical" else parts.embedder.name,
            "sentences": len(pool.units),
        }
        step(2, _STAGES, "extracting")
        sections = extract(pool, scope_limits(len(docs)))
    step(3, _STAGES, "comparing with the previous briefing")
    b = Briefing(
        scope=scope,
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
        generator=name,
        articles=tuple(r for r, _ in docs),
        summary=sections.summary,
        timeline=sections.timeline,
        actors=sections.actors,
        figures=sections.figures,
        disagreements=sections.disagreements,
        watch=sections.watch,
        warnings=tuple(warnings),
        invalid_citations=tuple(invalid),
        extra=extra,
    )
    b = renumber(b)
    if save:
        b = compare(b, load_previous(parts.briefs_dir, scope))
    b = replace(b, seconds=time.perf_counter() - t0)
    if save:
        _save(parts.briefs_dir, b)
    step(_STAGES, _STAGES, "done")
    return b
