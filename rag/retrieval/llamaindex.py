"""``DossierRetriever``: Dossier's hybrid retriever as a llama-index ``BaseRetriever``.

LlamaIndex users can query a Dossier index with their own query engines, postprocessors and
synthesizers::

    from llama_index.core.query_engine import RetrieverQueryEngine
    from rag.retrieval.llamaindex import DossierRetriever

    engine = RetrieverQueryEngine.from_args(DossierRetriever(dossier.retriever(), k=5), llm=llm)

Each result is a ``TextNode`` whose id is the chunk id (``{file}#{n}``) and whose text is exactly
``article_text[start:end]`` of its file; the fused score is the node's score. Retrieval, filters
and fusion are Dossier's own: the query is embedded with the index's embedder, not llama-index's
``Settings.embed_model``, and no LLM is involved.
"""

from __future__ import annotations

from typing import Any

from llama_index.core.callbacks import CallbackManager
from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import (
    NodeRelationship,
    NodeWithScore,
    QueryBundle,
    RelatedNodeInfo,
    TextNode,
)

from rag.records import Filters, Passage
from rag.retrieval.hybrid import Retriever

# Spans locate the text in its article; they are bookkeeping, not content for a model or an
# embedder to read.
_NOT_FOR_MODELS = ["start", "end"]


def passage_node(passage: Passage) -> NodeWithScore:
    """A retrieved passage as a scored llama-index node (id = chunk id, text = the exact span)."""
    metadata: dict[str, Any] = {
        "file": passage.file,
        "start": passage.start,
        "end": passage.end,
        "title": passage.title,
        "outlet": passage.outlet,
        "published": passage.published,
    }
    node = TextNode(
        id_=passage.id,
        text=passage.text,
        metadata=metadata,
        start_char_idx=passage.start,
        end_char_idx=passage.end,
        excluded_llm_metadata_keys=list(_NOT_FOR_MODELS),
        excluded_embed_metadata_keys=list(_NOT_FOR_MODELS),
        relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=passage.file)},
    )
    return NodeWithScore(node=node, score=passage.score)


class DossierRetriever(BaseRetriever):
    """Dossier's hybrid retrieval (vectors + BM25, fused; filters) behind llama-index's retriever
    interface. ``k``, ``filters`` and ``mode`` default to the retriever's settings."""

    def __init__(
        self,
        retriever: Retriever,
        k: int | None = None,
        filters: Filters | None = None,
        mode: str | None = None,
        callback_manager: CallbackManager | None = None,
        verbose: bool = False,
    ) -> None:
        self.retriever = retriever
        self.k = k
        self.filters = filters
        self.mode = mode
        super().__init__(callback_manager=callback_manager, verbose=verbose)

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        passages = self.retriever.retrieve(
            query_bundle.query_str, k=self.k, filters=self.filters, mode=self.mode
        )
        return [passage_node(p) for p in passages]


__all__ = ["DossierRetriever", "passage_node"]
