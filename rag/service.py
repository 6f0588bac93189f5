"""The one object the CLI, the UI and the evals hold: settings plus the embedder, the index and
the generator, each built once, lazily, and passed down explicitly (no global state)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

from index.embed import CachingEmbedder, Embedder, make_embedder
from index.ingest import IngestReport, Progress, ingest, ingest_lock
from index.store import Store, open_client
from rag.answer.drafts import OnText
from rag.answer.extractive import ExtractiveGenerator
from rag.answer.llm_draft import LLMGenerator, LLMRewriter
from rag.answer.pipeline import AnswerPipeline
from rag.answer.verify import Verifier
from rag.brief.build import Briefing, BriefParts, BriefScope, build_briefing, load_previous
from rag.config import Settings
from rag.llm.chat import ChatModel
from rag.llm.choice import choose
from rag.llm.judge import LLMJudge
from rag.records import Answer, Filters, Passage
from rag.retrieval.hybrid import Retriever


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
        """The index; ``create`` makes it when absent (ingest), readers get a helpful error."""
        with self._lock:
            if self._store is None:
                self._store = Store(
                    self.client, self.settings.index.collection, self._identity(), create=create
                )
            return self._store

    # ---- jobs ----------------------------------------------------------------------------
    def ingest(
        self, path: Path, progress: Progress | None = None, rebuild: bool = False
    ) -> IngestReport:
        with ingest_lock(Path(self.settings.data_dir)):
            if rebuild:
                self.drop_index()
            return ingest(
                path, self.store(create=True), self.embedder, self.settings.index, progress
            )

    def drop_index(self) -> None:
        with self._lock:
            name = self.settings.index.collection
            existing = {getattr(c, "name", c) for c in self.client.list_collections()}
            for suffix in ("_chunks", "_articles"):
                if name + suffix in existing:
                    self.client.delete_collection(name + suffix)
            self._store = None
            self._retriever = None

    def remove(self, file: str) -> tuple[list[str], dict[str, Any]]:
        """Delete an article from the index (its file stays on disk), and the records of any
        duplicates of it. Returns the files removed and the article's former metadata."""
        with ingest_lock(Path(self.settings.data_dir)):
            store = self.store()
            states = store.article_states()
            removed = [file, *(f for f, s in states.items() if s.get("duplicate_of") == file)]
            for f in removed:
                store.remove_article(f)
            store.bump_generation()
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
                self._retriever = Retriever(
                    store, self.embedder, self.settings.retrieval, cache
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

    def pipeline(self, generator: str | None = None) -> AnswerPipeline:
        """``generator``: 'extractive', 'llm', or None for what the settings say."""
        extractive = ExtractiveGenerator(self.query_embedder, self.settings.answer.max_sentences)
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
            llm_name=self.generator_name,
            min_support=self.settings.answer.min_support,
            judge=self.settings.llm.judge,
        )

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
