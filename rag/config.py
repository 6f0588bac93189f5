"""Dossier's settings: one pydantic-settings object, ``DOSSIER_`` environment prefix, nested
sections (``DOSSIER_RETRIEVAL__K=5``), unknown keys rejected. The standard ``OPENAI_API_KEY`` and
``OPENAI_BASE_URL`` are honoured as users expect."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from index.settings import IndexSettings


class RetrievalSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    mode: Literal["hybrid", "vector", "bm25"] = Field(
        default="hybrid", description="Vectors and BM25 fused (hybrid), or either alone."
    )
    k: int = Field(default=8, ge=1, le=100, description="Passages returned per question.")
    candidates: int = Field(
        default=80,
        ge=1,
        le=500,
        description="Candidates taken from each retriever before fusion (80: on the validation "
        "halves, RealTime QA's hit@5 0.887 -> 0.906 over 40, BBC unchanged).",
    )
    rrf_k: int = Field(default=60, ge=1, description="Reciprocal-rank-fusion constant.")
    fusion: Literal["rrf", "learned"] = Field(
        default="learned",
        description="How hybrid mode fuses vectors and BM25: 'learned' scores each candidate "
        "article from all its passages, its title, the question's phrases and time with fitted "
        "weights (rag/retrieval/data/fusion.json); 'rrf' is plain reciprocal-rank fusion of "
        "the passages.",
    )
    max_per_article: int = Field(
        default=3, ge=1, description="Diversity: at most this many passages from one article."
    )


class AnswerSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    generator: Literal["auto", "extractive", "llm"] = Field(
        default="auto",
        description="'auto' uses the LLM when an API key or base URL is configured, else the "
        "offline extractive generator.",
    )
    max_sentences: int = Field(default=3, ge=1, le=10, description="Extractive answer length.")
    min_support: float = Field(
        default=0.5, ge=0, le=1, description="Verifier score below which a claim is flagged."
    )
    refuse_below: float = Field(
        default=0.40,
        ge=0,
        le=2,
        description="Offline answers: the best sentence's score below which the question is "
        "refused as not answered by the articles. The fitted sentence score is calibrated so that "
        "0.40 refuses the most unanswerable fit-half questions for the right answers it costs "
        "(evals/fit_sentences.py); higher refuses more, lower answers more.",
    )
    refusal_threshold: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="Offline answers: the fitted near-miss refusal's probability that the best "
        "sentence answers the question, below which it is refused (the threshold calibrated "
        "on held-aside questions is in rag/answer/data/refusal.json). None: off, the default — "
        "on RealTime QA's validation half a threshold keeping 0.97 of the held-aside right "
        "answers refused 6 right answers of 53 (see rag.answer.refusal.refusal_model).",
    )


class LLMSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str = Field(default="gpt-4o-mini", description="Chat model name at the endpoint.")
    api_key: SecretStr | None = Field(
        default=None, description="API key; falls back to OPENAI_API_KEY."
    )
    base_url: str | None = Field(
        default=None,
        description="OpenAI-compatible endpoint (Ollama, vLLM, llama.cpp server); falls back to "
        "OPENAI_BASE_URL.",
    )
    timeout_s: float = Field(default=60.0, gt=0, description="Per-request timeout in seconds.")
    max_retries: int = Field(default=2, ge=0, le=10, description="Retries on 429/5xx/timeouts.")
    deadline_s: float = Field(
        default=60.0,
        gt=0,
        description="Most seconds one question (its rewrite, draft and judge together) or one "
        "briefing may spend waiting for the model, retries and streaming included; then it is "
        "answered offline.",
    )
    temperature: float = Field(default=0.0, ge=0, le=2, description="Sampling temperature.")
    judge: bool = Field(
        default=True, description="Use the model as a support judge in verification."
    )

    @model_validator(mode="after")
    def _standard_env(self) -> LLMSettings:
        if self.api_key is None and os.environ.get("OPENAI_API_KEY"):
            object.__setattr__(self, "api_key", SecretStr(os.environ["OPENAI_API_KEY"]))
        if self.base_url is None and os.environ.get("OPENAI_BASE_URL"):
            object.__setattr__(self, "base_url", os.environ["OPENAI_BASE_URL"])
        return self

    @property
    def configured(self) -> bool:
        return self.api_key is not None or self.base_url is not None


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="DOSSIER_", env_nested_delimiter="__", extra="forbid", frozen=True
    )

    data_dir: Path = Field(
        default=Path(".dossier"), description="Where the index and its state live."
    )
    chroma_url: str | None = Field(
        default=None, description="Chroma server URL (http://host:port); unset: embedded Chroma."
    )
    chroma_token: SecretStr | None = Field(
        default=None, description="Bearer token for an authenticated Chroma server."
    )
    index: IndexSettings = Field(default_factory=IndexSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)

    @property
    def use_llm(self) -> bool:
        if self.answer.generator == "auto":
            return self.llm.configured
        return self.answer.generator == "llm"

    def describe(self) -> dict[str, str]:
        """What is in force, for `dossier status` and the UI (secrets never shown)."""
        return {
            "data_dir": str(self.data_dir),
            "chroma": self.chroma_url or f"embedded ({self.data_dir / 'chroma'})",
            "embedder": self.index.embedder,
            "generator": f"llm ({self.llm.model})" if self.use_llm else "extractive (offline)",
            "llm_endpoint": self.llm.base_url or ("OpenAI default" if self.llm.api_key else "-"),
            "api_key": "set" if self.llm.api_key else "not set",
            "retrieval": self.retrieval.mode,
        }
