"""DossierRetriever: the hybrid retriever behind llama-index's BaseRetriever, run inside a
llama-index query engine with no LLM (offline, fake embedder, sample corpus)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from llama_index.core.llms import MockLLM
from llama_index.core.query_engine import RetrieverQueryEngine
from llama_index.core.response_synthesizers.no_text import NoText
from llama_index.core.schema import MetadataMode, NodeWithScore, TextNode

from rag.records import Filters, Passage
from rag.retrieval.llamaindex import DossierRetriever, passage_node
from rag.service import Dossier

QUERY = "When will Putin visit North Korea?"


class _NoLLM(MockLLM):
    """An LLM that fails the test if anything asks it for text."""

    def complete(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the no-text query engine called an LLM")

    def chat(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the no-text query engine called an LLM")


@pytest.fixture
def dossier(fake_dossier: Dossier, sample_copy: Path) -> Dossier:
    assert len(fake_dossier.ingest(sample_copy).added) == 5
    return fake_dossier


def _engine(retriever: DossierRetriever) -> RetrieverQueryEngine:
    # NoText is given its LLM explicitly: get_response_synthesizer(response_mode=NO_TEXT) drops
    # the llm argument and falls back to Settings.llm, which resolves to OpenAI.
    return RetrieverQueryEngine(retriever, response_synthesizer=NoText(llm=_NoLLM()))


def _check_node(hit: NodeWithScore, passage: Passage, dossier: Dossier) -> None:
    node = hit.node
    assert isinstance(node, TextNode)
    assert node.node_id == passage.id
    assert hit.score == pytest.approx(passage.score)
    assert node.metadata == {
        "file": passage.file,
        "start": passage.start,
        "end": passage.end,
        "title": passage.title,
        "outlet": passage.outlet,
        "published": passage.published,
    }
    article = dossier.article(passage.file)
    assert article is not None
    text, _ = article
    assert node.text == text[passage.start : passage.end], "a node is an exact span"
    assert (node.start_char_idx, node.end_char_idx) == (passage.start, passage.end)
    assert node.ref_doc_id == passage.file


def test_query_engine_returns_dossiers_passages_in_order(dossier: Dossier) -> None:
    expected = dossier.retriever().retrieve(QUERY, k=4)
    assert len(expected) == 4
    response = _engine(dossier.as_llamaindex_retriever(k=4)).query(QUERY)
    assert not response.response  # no text: no LLM wrote anything
    assert [h.node.node_id for h in response.source_nodes] == [p.id for p in expected]
    for hit, passage in zip(response.source_nodes, expected, strict=True):
        _check_node(hit, passage, dossier)
    scores = [h.score for h in response.source_nodes]
    assert scores == sorted(scores, reverse=True)


def test_k_filters_and_mode_are_passed_through(dossier: Dossier) -> None:
    only = "003_8774ab1c0d056285.txt"
    retriever = DossierRetriever(
        dossier.retriever(), k=2, filters=Filters(files=(only,)), mode="bm25"
    )
    hits = retriever.retrieve("Putin visit")
    expected = dossier.retriever().retrieve(
        "Putin visit", k=2, filters=Filters(files=(only,)), mode="bm25"
    )
    assert [h.node.node_id for h in hits] == [p.id for p in expected]
    assert hits and len(hits) <= 2
    assert {h.node.metadata["file"] for h in hits} == {only}
    for hit, passage in zip(hits, expected, strict=True):
        assert passage.bm25_rank is not None and passage.vector_rank is None
        _check_node(hit, passage, dossier)


def test_spans_are_kept_from_what_a_model_reads() -> None:
    passage = Passage(
        id="a.txt#2",
        file="a.txt",
        start=10,
        end=25,
        text="Some exact text",
        score=0.5,
        title="A title",
        outlet="CNN",
        published="2024-06-01",
    )
    node = passage_node(passage).node
    llm_view = node.get_content(MetadataMode.LLM)
    assert "A title" in llm_view and "Some exact text" in llm_view
    assert "start" not in llm_view and "end:" not in llm_view
    assert node.get_content(MetadataMode.NONE) == "Some exact text"
