"""The one object the CLI, the UI and the evals hold: settings plus the embedder, the index and
the generator, each built once, lazily, and passed down explicitly (no global state)."""

from __future__ import annotations

import json
import threading
from collections.abc import Collection, Sequence
from contextlib import AbstractContextManager
from dataclasses import replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from index.boilerplate import BoilerplateStats
from index.chroma import reopen_client
from index.clean import describe_removed
from index.corrections import Corrections
from index.embed import CachingEmbedder, Embedder, make_embedder
from index.ingest import IngestReport, Progress, ingest, ingest_lock
from index.ingest import rebuild as _rebuild
from index.load import LoadError, load_file
from index.repair import repair_if_idle
from index.restores import Restores
from index.runtime import import_spacy
from index.store import (
    IndexMismatchError,
    IndexMissingError,
    Store,
    StoreUnavailableError,
    index_collections,
    open_client,
)
from rag.answer.drafts import OnText
from rag.answer.extractive import ExtractiveGenerator
from rag.answer.llm_draft import LLMGenerator, LLMRewriter
from rag.answer.pipeline import AnswerPipeline
from rag.answer.refusal import refusal_model
from rag.answer.timescope import published_span
from rag.answer.verify import Verifier
from rag.brief import suggest
from rag.brief.build import Briefing, BriefParts, BriefScope, build_briefing, load_previous
from rag.brief.scope import docs_in, reader_scope, reusable, scoped_parts
from rag.config import Settings
from rag.errors import UsageError
from rag.llm.chat import ChatModel
from rag.llm.choice import choose
from rag.llm.judge import LLMJudge
from rag.records import Answer, Filters, Passage, Scope
from rag.retrieval.hybrid import Retriever

if TYPE_CHECKING:
    from rag.retrieval.llamaindex import DossierRetriever


class Dossier:
    def __init__(self, settings: Settings | None = None, embedder: Embedder | None = None) -> None:
        self.settings = settings or Settings()
        self._embedder = embedder
        self._lock = threading.RLock()
        self._store: Store | None = None
        self._retriever: Retriever | None = None

    # ---- parts ---------------------------------------------------------------------------
    @property
    def embedder(self) -> Embedder:
        with self._lock:
            if self._embedder is None:
                self._embedder = make_embedder(self.settings.index.embedder)
            return self._embedder

    @cached_property
    def query_embedder(self) -> Embedder:
        """The embedder behind a cache, for answering (questions, sentences, claims)."""
        return CachingEmbedder(self.embedder)

    @cached_property
    def client(self) -> Any:
        token = self.settings.chroma_token
        return open_client(
            self.settings.data_dir,
            self.settings.chroma_url,
            token.get_secret_value() if token else None,
        )

    def _identity(self) -> dict[str, str | int]:
        e = self.embedder
        return self.settings.index.identity(e.name, e.dim)

    def store(self, create: bool = False) -> Store:
        """The index; ``create`` makes it when absent (ingest), readers get a helpful error. It
        is reopened when another process wrote or rebuilt it; a killed write is repaired on open."""
        with self._lock:
            change = self._store and self._store.changed_elsewhere()
            if change == "written" and self.settings.chroma_url and self._store:
                self._store.catch_up()
            elif change:
                if not self.settings.chroma_url:  # the embedded vector index is per process
                    self.__dict__["client"] = reopen_client(self.client, self.settings.data_dir)
                self._store = self._retriever = None
            if self._store is None:
                store = Store(
                    self.client, self.settings.index.collection, self._identity(), create=create
                )
                repair_if_idle(store, self._ingest_lock, Path(self.settings.data_dir) / "cache")
                self._store = store
            return self._store

    def _ingest_lock(self) -> AbstractContextManager[None]:
        """The data dir's ingest lock and, in server mode, the server's lock of this index."""
        url = self.settings.chroma_url
        server = (self.client, self.settings.index.collection, url) if url else None
        return ingest_lock(Path(self.settings.data_dir), server)

    # ---- jobs ----------------------------------------------------------------------------
    def ingest(
        self,
        path: Path,
        progress: Progress | None = None,
        rebuild: bool = False,
        force: Collection[str] = (),
    ) -> IngestReport:
        """Bring the index in step with ``path``; ``rebuild`` builds it anew in new collections
        and switches to them at the end (the old index answers until then); files in ``force``
        are re-indexed even when unchanged."""
        with self._ingest_lock():
            if not rebuild:
                return ingest(
                    path,
                    self.store(create=True),
                    self.embedder,
                    self.settings.index,
                    progress,
                    corrections=self.corrections,
                    stats=self.boilerplate(),
                    restores=self.restores,
                    force=force,
                    cache_dir=Path(self.settings.data_dir) / "cache",
                )
            report, store = _rebuild(
                path,
                self.client,
                self.settings.index.collection,
                self._identity(),
                self.embedder,
                self.settings.index,
                progress,
                self.corrections,
                stats_dir=Path(self.settings.data_dir),
                restores=self.restores,
            )
            with self._lock:
                self._store, self._retriever = store, None
            return report

    def boilerplate(self) -> BoilerplateStats:
        """The outlets' repeated-line statistics, saved beside the index."""
        return BoilerplateStats.load(Path(self.settings.data_dir))

    def _raw(self, file: str) -> tuple[dict[str, Any], list[Any], str]:
        """An indexed article's state, its stored removed-line spans and its raw text."""
        state = self.store().article_states().get(file)
        if state is None:
            raise UsageError(f"{file} is not indexed: `dossier status` lists what is.")
        path = Path(str(state.get("root") or ".")) / file
        try:
            text = load_file(path).text
        except LoadError as exc:
            raise UsageError(f"{path}: {exc} — its cleaning can't be shown.") from None
        return state, json.loads(str(state.get("removed") or "[]")), text

    def removed_lines(self, file: str) -> list[dict[str, Any]]:
        """What cleaning removed from ``file``'s raw text: ``{"line", "rule", "text"}`` each."""
        _state, spans, text = self._raw(file)
        return [{"line": n + 1, "rule": r, "text": t} for n, r, t in describe_removed(text, spans)]

    def restored_lines(self, file: str) -> list[dict[str, Any]]:
        """Lines of ``file`` the reader put back after cleaning: ``{"line", "text"}`` each."""
        return self.restores.listed(file, self._raw(file)[2])

    @cached_property
    def restores(self) -> Restores:
        """Lines the reader put back after cleaning, kept in ``<data_dir>/restores.json``."""
        return Restores(Path(self.settings.data_dir))

    def restore(self, file: str, lines: Sequence[int], undo: bool = False) -> dict[str, Any]:
        """Keep lines of ``file`` that cleaning removed (1-based, as ``removed_lines`` numbers
        them) — with ``undo``, let it remove them again — and re-index the article now. Raises
        ``RestoreError`` (a ValueError) for a line cleaning did not remove."""
        state, spans, text = self._raw(file)
        restored = self.restores.change(file, text, spans, lines, undo)
        report = self.ingest(Path(str(state.get("root") or ".")), force={file})
        self._touch()
        return {"file": file, "restored": restored, "reindexed": file in report.updated}

    def drop_index(self) -> None:
        """Delete every collection of this index (its pointer, those of rebuilds too)."""
        with self._lock:
            for n in index_collections(self.client, self.settings.index.collection):
                self.client.delete_collection(n)
            self._store = None
            self._retriever = None

    def remove(self, file: str) -> tuple[list[str], dict[str, Any]]:
        """Delete an article from the index (its file stays on disk), and the records of any
        duplicates of it. Returns the files removed and the article's former metadata."""
        with self._ingest_lock():
            store = self.store()
            states = store.article_states()
            removed = [file, *(f for f, s in states.items() if s.get("duplicate_of") == file)]
            store.remove_articles(removed)
            stats = self.boilerplate()
            if any([stats.forget(f) for f in removed]):
                stats.save()
        return removed, dict(states.get(file, {}))

    def status(self) -> dict[str, Any]:
        store = self.store()
        states = store.article_states()
        return {
            "articles": len(states),
            "chunks": store.count_chunks(),
            "identity": store.identity,
            "settings": self.settings.describe(),
            "files": [
                {
                    "file": f,
                    "title": s.get("title"),
                    "outlet": s.get("outlet"),
                    "published": s.get("published"),
                    "chunks": s.get("chunks", 0),
                    "duplicate_of": s.get("duplicate_of"),
                }
                for f, s in sorted(states.items())
            ],
        }

    # ---- question answering ------------------------------------------------------------------
    def retriever(self) -> Retriever:
        with self._lock:
            store = self.store()
            if self._retriever is None or self._retriever.store is not store:
                cache = None if self.settings.chroma_url else Path(self.settings.data_dir) / "cache"
                # the question's vector is cached: the answerer embeds the question again
                self._retriever = Retriever(
                    store, self.query_embedder, self.settings.retrieval, cache
                )
            return self._retriever

    @cached_property
    def llm(self) -> ChatModel | None:
        """The chat model (the OpenAI-compatible client), or None when none is configured."""
        if not self.settings.use_llm:
            return None
        from rag.llm.client import OpenAIChat

        return OpenAIChat(self.settings.llm)

    @property
    def generator_name(self) -> str:
        return self.llm.name if self.llm is not None else "extractive"

    def pipeline(self, generator: str | None = None, hand_scored: bool = False) -> AnswerPipeline:
        """``generator``: 'extractive', 'llm', or None for the settings; ``hand_scored``: the
        hand-set sentence score, not the fitted file (its fit must run when the file is stale)."""
        import_spacy()  # the answerer's parser, without the torch spaCy would drag in
        extractive = ExtractiveGenerator(
            self.query_embedder,
            self.settings.answer.max_sentences,
            self.settings.answer.refuse_below,
            article=lambda file: self.store().article(file),
            refusal=refusal_model(self.settings.answer.refusal_threshold),
            date_span=lambda: published_span(
                s.get("published") for s in self.store().article_states().values()
            ),
            sentence_weights=None if hand_scored else "fitted",
        )
        verifier = Verifier(self.query_embedder, self.settings.answer.min_support)
        chat = self.llm
        if not choose(generator, chat) or chat is None:
            return AnswerPipeline(self.retriever(), extractive, verifier)
        return AnswerPipeline(
            self.retriever(),
            LLMGenerator(chat),
            verifier,
            fallback=extractive,
            rewriter=LLMRewriter(chat),
            judge=LLMJudge(chat) if self.settings.llm.judge else None,
            deadline_s=self.settings.llm.deadline_s,
        )

    def search(
        self,
        query: str,
        k: int | None = None,
        filters: Filters | None = None,
        mode: str | None = None,
    ) -> list[Passage]:
        return self.retriever().retrieve(query, k=k, filters=filters, mode=mode)

    def ask(
        self,
        question: str,
        history: Sequence[str] = (),
        filters: Filters | None = None,
        on_text: OnText | None = None,
        generator: str | None = None,
    ) -> Answer:
        return self.pipeline(generator).ask(question, history, filters, on_text=on_text)

    def warm_up(self) -> None:
        """Load what answering needs before the first question (the embedder, the index and its
        BM25, the answerer's language models) by answering one offline, unseen: an app calls it
        when it starts. With no index yet, only the embedder is loaded."""
        from rag.errors import DossierError

        try:
            self.ask("What happened?", generator="extractive")
        except (DossierError, IndexMissingError, IndexMismatchError, StoreUnavailableError):
            self.embedder.embed(["warm up"])

    def article(self, file: str) -> tuple[str, dict[str, Any]] | None:
        """An article's stored text and metadata, for showing a cited passage in context."""
        return self.store().article(file)

    # ---- briefing ------------------------------------------------------------------------------
    def brief_parts(self) -> BriefParts:
        """The parts a briefing uses: the index, the retriever, the embedder, the model."""
        return BriefParts(
            store=self.store(),
            retriever=self.retriever(),
            embedder=self.embedder,
            briefs_dir=Path(self.settings.data_dir) / "briefs",
            llm=self.llm,
            min_support=self.settings.answer.min_support,
            judge=self.settings.llm.judge,
            deadline_s=self.settings.llm.deadline_s,
        )

    def as_llamaindex_retriever(
        self, k: int | None = None, filters: Filters | None = None, mode: str | None = None
    ) -> DossierRetriever:
        """This index as a llama-index ``BaseRetriever`` (e.g. for a ``RetrieverQueryEngine``)."""
        from rag.retrieval.llamaindex import DossierRetriever  # llama-index loads slowly

        return DossierRetriever(self.retriever(), k=k, filters=filters, mode=mode)

    def brief(
        self,
        topic: str | None = None,
        since: str | None = None,
        until: str | None = None,
        progress: Progress | None = None,
        generator: str | None = None,
        save: bool = True,
        vectors: str = "auto",
    ) -> Briefing:
        """A one-page briefing of the index, a topic and/or a date range; see
        ``rag.brief.build.build_briefing``."""
        return build_briefing(
            self.brief_parts(), BriefScope(topic, since, until), progress, generator, save, vectors
        )

    def previous_briefing(self, scope: BriefScope) -> Briefing | None:
        """The last saved briefing of ``scope``, if any."""
        return load_previous(Path(self.settings.data_dir) / "briefs", scope)

    # ---- the reader's corrections, scope, start and overview ------------------------------------
    @cached_property
    def corrections(self) -> Corrections:
        """Metadata corrections and exclusions, kept in ``<data_dir>/corrections.json``."""
        return Corrections(Path(self.settings.data_dir))

    def correct(self, file: str, fields: dict[str, Any]) -> dict[str, str | None]:
        """Correct ``file``'s title, outlet, published date and/or byline (``author``): stored
        beside the index (ingest and ``--rebuild`` re-apply it) and written onto the article and
        its chunks now. Raises ``CorrectionError`` (a ValueError) for a bad value."""
        with self._lock:
            clean = self.corrections.correct(file, fields)
            self.store().update_article_meta(file, clean)
            self._touch()
            return clean

    def set_included(self, file: str, included: bool) -> None:
        """Include ``file`` in chat and briefings, or leave it out (it stays indexed)."""
        self.corrections.set_included(file, included)
        self._touch()

    def _touch(self) -> None:
        stamp = Path(self.settings.data_dir) / "changed"
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.touch()

    def index_changed_at(self) -> float | None:
        """When the index (or a correction) last changed, as epoch seconds; None if unknown."""
        stamp = Path(self.settings.data_dir) / "changed"
        latest = 0.0
        for state in self.store().article_states().values():
            latest = max(latest, float(state.get("ingested_at") or 0))
        if stamp.exists():
            latest = max(latest, stamp.stat().st_mtime)
        return latest or None

    def ingested_folders(self) -> list[str]:
        """The folders the indexed articles were ingested from, most articles first."""
        roots: dict[str, int] = {}
        for s in self.store().article_states().values():
            if s.get("root"):
                roots[str(s["root"])] = roots.get(str(s["root"]), 0) + 1
        return sorted(roots, key=lambda r: (-roots[r], r))

    def in_scope(self, filters: Filters | None = None) -> tuple[Filters, Scope]:
        """The filters retrieval should use (the reader's exclusions added) and the scope to
        state: outlets, dates and how many of the indexed articles they leave."""
        return reader_scope(self.store().article_states(), self.corrections.excluded(), filters)

    def ask_in_scope(
        self,
        question: str,
        history: Sequence[str] = (),
        filters: Filters | None = None,
        on_text: OnText | None = None,
        generator: str | None = None,
    ) -> Answer:
        """``ask`` as a reader meets it: the articles they excluded left out, an overview
        request ("summarize", "what's new") answered with the briefing's summary, and the scope
        the answer drew on stated (``Answer.scope``; ``extra["scope"]`` in its JSON)."""
        effective, scope = self.in_scope(filters)
        if scope.articles == 0:
            answer = Answer(
                question,
                "No article is in scope: widen the filters or include articles in the Library.",
                (),
                True,
                self.generator_name,
            )
        elif not history and suggest.is_overview_request(question):
            briefing, _ = self.brief_in_scope(None, filters, generator=generator)
            answer = suggest.overview_answer(question, briefing)
        else:
            answer = self.ask(question, history, effective, on_text=on_text, generator=generator)
        return replace(answer, scope=scope, extra={**answer.extra, "scope": scope.to_json()})

    def brief_in_scope(
        self,
        topic: str | None,
        filters: Filters | None = None,
        progress: Progress | None = None,
        generator: str | None = None,
    ) -> tuple[Briefing, Scope]:
        """The briefing of a topic within the reader's scope (filters, exclusions). A saved
        briefing of the same articles newer than the index is reused for an overview; one
        restricted to outlets is not saved (its scope key does not name them)."""
        filters = filters or Filters()
        effective, scope = self.in_scope(filters)
        scope = replace(scope, topic=topic)
        bscope = BriefScope(topic, filters.since, filters.until)
        parts = self.brief_parts()
        if scope.excluded or filters.outlets:
            parts = scoped_parts(parts, effective)
        if topic is None and not filters.outlets:
            prev = self.previous_briefing(bscope)
            files = set(parts.store.article_states()) - set(scope.excluded)
            if reusable(prev, files, self.index_changed_at() or 0.0, generator):
                assert prev is not None
                return prev, scope
        b = build_briefing(parts, bscope, progress, generator, save=not filters.outlets)
        return b, scope

    def topic_support(self, topic: str, filters: Filters | None = None) -> suggest.TopicSupport:
        """Does any article in scope carry ``topic``? If none does, the closest topics that do."""
        effective, _ = self.in_scope(filters)
        passages = self.search(topic, k=20, filters=effective, mode="bm25")
        docs = docs_in(self.store(), effective)
        prev = self.previous_briefing(BriefScope())
        candidates = suggest.topic_candidates(docs, prev)

        def similarity(query: str, pool: Sequence[str]) -> list[float]:
            vectors = self.query_embedder.embed([query, *pool])
            q = vectors[0]
            return [sum(a * b for a, b in zip(q, v, strict=False)) for v in vectors[1:]]

        return suggest.topic_support(topic, passages, candidates, similarity)

    def suggestions(self, limit: int = 5) -> list[str]:
        """Questions to start from, built offline from the articles and the last briefing;
        rebuilt when the index or the corrections change."""
        key = repr((self.store().generation, self.corrections.mtime, self.index_changed_at()))
        cache = self._suggested
        if key not in cache:
            effective, _ = self.in_scope(Filters())
            cache.clear()
            cache[key] = suggest.suggest_questions(
                docs_in(self.store(), effective), self.previous_briefing(BriefScope()), limit=8
            )
        return cache[key][:limit]

    @cached_property
    def _suggested(self) -> dict[str, list[str]]:
        return {}
