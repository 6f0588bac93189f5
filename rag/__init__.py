"""Dossier's public API: what the UI, the evals and other programs use.

Build a :class:`Dossier` from :class:`Settings` and use its jobs (``ingest``, ``search``, ``ask``,
``brief``, ``status``); the records it returns (:class:`Answer`, :class:`Briefing`, …) are frozen
dataclasses with ``to_json``. Every error it raises on purpose is a :class:`DossierError` or one of
the index errors listed here, and :func:`exit_code_for` names its exit code; anything else is a bug.
Nothing above ``rag`` reaches into its sub-packages or into ``index``.
"""

from __future__ import annotations

from index.boilerplate import BoilerplateStats
from index.boilerplate import learn as learn_boilerplate
from index.clean import CleanResult, clean_article, describe_removed
from index.corrections import FIELDS as CORRECTABLE_FIELDS
from index.corrections import CorrectionError
from index.embed import (
    EMBEDDERS,
    Embedder,
    FakeEmbedder,
    MiniLMEmbedder,
    build_embedder,
    embedder_name,
    make_embedder,
)
from index.ingest import IngestBusyError, IngestReport
from index.load import SUPPORTED_SUFFIXES, content_problem, iter_files
from index.restores import RestoreError
from index.settings import IndexSettings
from index.store import IndexMismatchError, IndexMissingError, StoreUnavailableError
from rag.answer import analysis as answer_analysis
from rag.answer import figuretypes as answer_figures
from rag.answer import nountypes as answer_nouns
from rag.answer import refusal as answer_refusal
from rag.answer import short as answer_short
from rag.answer import short_score as answer_short_score
from rag.answer.verify import Support, Verifier
from rag.brief.build import BriefParts
from rag.brief.records import Briefing, BriefItem, BriefScope
from rag.brief.relative import resolve_relative_dates
from rag.brief.render import to_markdown as briefing_markdown
from rag.brief.render import to_pdf as briefing_pdf
from rag.brief.suggest import OVERVIEW_QUESTION, TopicSupport, is_overview_request
from rag.cli.progress import progress_bar
from rag.cli.watch import watch_folder
from rag.config import Settings
from rag.errors import ConfigError, DossierError, GeneratorError, UsageError, exit_code_for
from rag.records import (
    Answer,
    Citation,
    Claim,
    Disagreement,
    Filters,
    InvalidCitation,
    Passage,
    Scope,
)
from rag.retrieval.features import FEATURES as FUSION_FEATURES
from rag.retrieval.fusion import write_weights as write_fusion_weights
from rag.service import Dossier

__all__ = [
    "CORRECTABLE_FIELDS",
    "EMBEDDERS",
    "FUSION_FEATURES",
    "OVERVIEW_QUESTION",
    "SUPPORTED_SUFFIXES",
    "Answer",
    "BoilerplateStats",
    "BriefItem",
    "BriefParts",
    "BriefScope",
    "Briefing",
    "Citation",
    "Claim",
    "CleanResult",
    "ConfigError",
    "CorrectionError",
    "Disagreement",
    "Dossier",
    "DossierError",
    "Embedder",
    "FakeEmbedder",
    "Filters",
    "GeneratorError",
    "IndexMismatchError",
    "IndexMissingError",
    "IndexSettings",
    "IngestBusyError",
    "IngestReport",
    "InvalidCitation",
    "MiniLMEmbedder",
    "Passage",
    "RestoreError",
    "Scope",
    "Settings",
    "StoreUnavailableError",
    "Support",
    "TopicSupport",
    "UsageError",
    "Verifier",
    "answer_analysis",
    "answer_figures",
    "answer_nouns",
    "answer_refusal",
    "answer_short",
    "answer_short_score",
    "briefing_markdown",
    "briefing_pdf",
    "build_embedder",
    "clean_article",
    "content_problem",
    "describe_removed",
    "embedder_name",
    "exit_code_for",
    "is_overview_request",
    "iter_files",
    "learn_boilerplate",
    "make_embedder",
    "progress_bar",
    "resolve_relative_dates",
    "watch_folder",
    "write_fusion_weights",
]
