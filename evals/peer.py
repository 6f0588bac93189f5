"""The peer: LlamaIndex's default ``VectorStoreIndex`` over the same folder, with the same embedder.

Built as a LlamaIndex user would out of the box — ``SimpleDirectoryReader`` over the folder's files,
``VectorStoreIndex.from_documents`` with the default ``SentenceSplitter`` (1,024-token chunks, 200
overlap), the default retriever with ``similarity_top_k = k`` — except that nothing touches
llama-index's global ``Settings``: the embedder and the splitter are passed explicitly and no LLM is
ever built (retrieval only).

The embedder is ours, wrapped in a small ``BaseEmbedding`` adapter: with MiniLM this gives the same
vectors as ``llama_index.embeddings.huggingface.HuggingFaceEmbedding`` over the bundled model
(checked: cosine 1.0000), shares the loaded model instead of loading a second copy, needs no extra
package, and lets the tests run the peer with the fake embedder. Note that MiniLM reads only the
first 256 word pieces of each 1,024-token chunk — that is the peer's default behaviour, measured
as is.

The index is persisted (``StorageContext.persist``) in the eval's work dir with a manifest of the
folder's files and the embedder; a re-run over the same files loads it instead of re-embedding.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any

from llama_index.core import (
    SimpleDirectoryReader,
    StorageContext,
    VectorStoreIndex,
    load_index_from_storage,
)
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.node_parser import SentenceSplitter
from pydantic import PrivateAttr

from rag import Embedder, iter_files

MANIFEST = "dossier-peer.json"


class EmbedderAdapter(BaseEmbedding):
    """One of Dossier's embedders (``Embedder.embed``) as a LlamaIndex embed model."""

    _embedder: Any = PrivateAttr()

    def __init__(self, embedder: Embedder, batch_size: int = 64) -> None:
        super().__init__(model_name=embedder.name, embed_batch_size=batch_size)
        self._embedder = embedder

    @classmethod
    def class_name(cls) -> str:
        return "DossierEmbedderAdapter"

    def _get_query_embedding(self, query: str) -> list[float]:
        return list(self._embedder.embed([query])[0])

    def _get_text_embedding(self, text: str) -> list[float]:
        return list(self._embedder.embed([text])[0])

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return [list(v) for v in self._embedder.embed(texts)]

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    async def _aget_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embedding(text)


def _fingerprint(folder: Path, embedder_name: str) -> str:
    """Hash of every file under ``folder`` (name and bytes) and the embedder's name."""
    import llama_index.core

    h = hashlib.sha256(f"{embedder_name}\n{llama_index.core.__version__}\n".encode())
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        if any(part.startswith(".") for part in Path(rel).parts):
            continue
        h.update(rel.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


class LlamaIndexPeer:
    """Build (or load) the peer index over ``folder`` and retrieve from it."""

    name = "llama-index VectorStoreIndex (defaults)"

    def __init__(
        self,
        folder: Path,
        embedder: Embedder,
        persist_dir: Path | None = None,
        show_progress: bool = False,
    ) -> None:
        self.folder = Path(folder).resolve()
        self.embedder = embedder
        self.persist_dir = Path(persist_dir) if persist_dir else None
        self.embed_model = EmbedderAdapter(embedder)
        self.splitter = SentenceSplitter()  # the default: chunk_size=1024, chunk_overlap=200
        self.loaded_from_cache = False
        self.build_s = 0.0
        t0 = time.perf_counter()
        self.index = self._load_or_build(show_progress)
        self.build_s = time.perf_counter() - t0
        self._retrievers: dict[int, Any] = {}

    def _load_or_build(self, show_progress: bool) -> VectorStoreIndex:
        fingerprint = _fingerprint(self.folder, self.embedder.name)
        manifest = self.persist_dir / MANIFEST if self.persist_dir else None
        if manifest is not None and manifest.is_file():
            try:
                stored = json.loads(manifest.read_text(encoding="utf-8"))
            except ValueError:
                stored = {}
            if stored.get("fingerprint") == fingerprint:
                storage = StorageContext.from_defaults(persist_dir=str(self.persist_dir))
                index = load_index_from_storage(storage, embed_model=self.embed_model)
                self.loaded_from_cache = True
                return index  # type: ignore[return-value]
        # The very files Dossier ingests (input_dir would refuse a folder below a hidden one,
        # such as the default work dir .dossier-evals/).
        files = [str(p) for p in iter_files(self.folder)]
        documents = SimpleDirectoryReader(input_files=files).load_data()
        index = VectorStoreIndex.from_documents(
            documents,
            embed_model=self.embed_model,
            transformations=[self.splitter],
            show_progress=show_progress,
        )
        if manifest is not None and self.persist_dir is not None:
            self.persist_dir.mkdir(parents=True, exist_ok=True)
            if manifest.exists():
                manifest.unlink()  # a crash mid-persist must not leave a valid-looking manifest
            index.storage_context.persist(persist_dir=str(self.persist_dir))
            manifest.write_text(
                json.dumps(
                    {
                        "fingerprint": fingerprint,
                        "embedder": self.embedder.name,
                        "documents": len(documents),
                    }
                ),
                encoding="utf-8",
            )
        return index

    def _file(self, meta: dict[str, Any]) -> str:
        path = meta.get("file_path")
        if path:
            try:
                return Path(path).resolve().relative_to(self.folder).as_posix()
            except ValueError:
                pass
        return str(meta.get("file_name", ""))

    def retrieve(self, query: str, k: int) -> list[tuple[str, str]]:
        if k not in self._retrievers:
            self._retrievers[k] = self.index.as_retriever(similarity_top_k=k)
        nodes = self._retrievers[k].retrieve(query)
        return [(self._file(n.node.metadata), n.node.get_content()) for n in nodes]

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "splitter": f"SentenceSplitter(chunk_size={self.splitter.chunk_size}, "
            f"chunk_overlap={self.splitter.chunk_overlap})",
            "embedder": self.embedder.name,
            "nodes": len(self.index.docstore.docs),
            "loaded_from_cache": self.loaded_from_cache,
            "build_s": round(self.build_s, 1),
        }


__all__ = ["EmbedderAdapter", "LlamaIndexPeer"]
