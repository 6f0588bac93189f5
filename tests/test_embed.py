"""The embedders: length-grouped batching, the ONNX builds against torch, names per build."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from index.embed import (
    EMBEDDERS,
    CachingEmbedder,
    FakeEmbedder,
    MiniLMEmbedder,
    embedder_name,
    make_embedder,
)
from index.onnx_embed import (
    OnnxMiniLMEmbedder,
    cpu_count,
    ensure_model,
    length_batches,
    onnx_path,
    session_options,
)
from index.settings import IndexSettings

SENTENCES = [
    "Inflation rose to 9.1% in June, the highest in four decades.",
    "The central bank raised interest rates by three quarters of a point.",
    "Putin will visit North Korea next month, the Kremlin said.",
    "A cat sat on the mat.",
    "Storms flooded the valley overnight; hundreds of homes were evacuated. " * 25,
    "x",
]


def test_length_batches_cover_every_text_once_longest_first() -> None:
    lengths = [5, 1, 9, 3, 9, 2, 7]
    batches = length_batches(lengths, 3)
    flat = [i for b in batches for i in b]
    assert sorted(flat) == list(range(len(lengths)))
    assert [len(b) for b in batches] == [3, 3, 1]
    assert [lengths[i] for i in flat] == sorted(lengths, reverse=True)
    assert length_batches([], 4) == []


def test_session_runs_sequentially_on_the_usable_cpus_without_spinning() -> None:
    import onnxruntime as ort

    options = session_options()
    assert options.intra_op_num_threads == cpu_count() >= 1
    assert options.execution_mode == ort.ExecutionMode.ORT_SEQUENTIAL
    assert options.graph_optimization_level == ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"
    assert session_options(threads=1).intra_op_num_threads == 1


class _EchoSession:
    """Stands in for the ONNX session: a text's vector encodes its length and first piece."""

    def __init__(self) -> None:
        self.widths: list[int] = []

    def run(self, _outputs: Any, feed: dict[str, np.ndarray]) -> list[np.ndarray]:
        ids, mask = feed["input_ids"], feed["attention_mask"]
        self.widths.append(ids.shape[1])
        out = np.zeros((ids.shape[0], 384), dtype=np.float32)
        out[:, 0] = mask.sum(1)
        out[:, 1] = ids[:, 1]
        return [out]


class _Tokenizer:
    class _Enc:
        def __init__(self, ids: list[int]) -> None:
            self.ids = ids

    def encode_batch(self, texts: list[str]) -> list[_Enc]:
        return [self._Enc([101, *[len(w) for w in t.split()], 102]) for t in texts]


def _echo_embedder(batch_size: int) -> tuple[OnnxMiniLMEmbedder, _EchoSession]:
    e = OnnxMiniLMEmbedder.__new__(OnnxMiniLMEmbedder)
    session = _EchoSession()
    e.batch_size = batch_size
    e._tokenizer = _Tokenizer()  # type: ignore[assignment]
    e._session = session
    return e, session


def test_onnx_embedder_keeps_the_order_of_the_texts_and_pads_per_batch() -> None:
    texts = ["a bb", "ccc " * 30, "dddd", "e " * 8, "ffffff gg h"]
    e, session = _echo_embedder(batch_size=2)
    vectors = e.embed(texts)
    assert len(vectors) == len(texts)
    for text, v in zip(texts, vectors, strict=True):
        words = text.split()
        assert v[0] == len(words) + 2  # the mask covered exactly this text's pieces
        assert v[1] == len(words[0])
    # longest first (32, 10 | 5, 4 | 3 pieces), each batch as wide as its own longest text
    assert session.widths == [32, 5, 3]
    assert e.embed([]) == []


def test_every_build_has_its_own_name_so_the_index_identity_changes() -> None:
    names = {embedder_name(k) for k in EMBEDDERS}
    assert len(names) == len(EMBEDDERS)
    assert embedder_name("minilm") == MiniLMEmbedder.name
    identities = {repr(IndexSettings().identity(n, 384)) for n in names}
    assert len(identities) == len(EMBEDDERS)
    for kind in EMBEDDERS:
        lazy = make_embedder(kind)
        assert lazy.name == embedder_name(kind)
        assert (lazy.dim, lazy.max_tokens) == (384, 256)
    with pytest.raises(ValueError):
        make_embedder("minilm-onnx-int4")


def test_onnx_files_are_named_by_build_and_export_version(tmp_path: Path) -> None:
    fp32, int8 = onnx_path("fp32", folder=tmp_path), onnx_path("int8", folder=tmp_path)
    assert fp32 != int8 and fp32.parent == tmp_path
    assert "-e" in fp32.name and fp32.name.endswith("fp32.onnx")
    with pytest.raises(ValueError):
        ensure_model("fp16", folder=tmp_path)


def test_caching_embedder_embeds_each_new_text_once() -> None:
    inner = FakeEmbedder()
    cached = CachingEmbedder(inner)
    first = cached.embed(["a b", "c d", "a b"])
    again = cached.embed(["c d", "e f"])
    assert first[0] == first[2] and again[0] == first[1]
    assert inner.texts_embedded == 3


@pytest.fixture(scope="module")
def torch_vectors() -> np.ndarray:
    return np.array(MiniLMEmbedder().embed(SENTENCES))


@pytest.fixture(scope="module")
def onnx_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("onnx-models")


@pytest.mark.slow
@pytest.mark.parametrize(("build", "floor"), [("fp32", 0.9999), ("int8", 0.98)])
def test_onnx_builds_match_torch(
    build: str, floor: float, torch_vectors: np.ndarray, onnx_dir: Path
) -> None:
    path = ensure_model(build, folder=onnx_dir)
    e = OnnxMiniLMEmbedder(build, path=path, batch_size=2)
    assert e.name == embedder_name("minilm-onnx-int8" if build == "int8" else "minilm-onnx")
    vectors = np.array(e.embed(SENTENCES))
    assert vectors.shape == torch_vectors.shape
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    cosines = (vectors * torch_vectors).sum(1)
    assert cosines.min() >= floor, cosines
    # one at a time gives the same vectors as in a batch (padding changes nothing) in fp32; int8
    # quantises activations per batch, so its vectors move a little with their batch-mates
    alone = np.array([e.embed([s])[0] for s in SENTENCES])
    assert (alone * vectors).sum(1).min() >= (0.9999 if build == "fp32" else floor)
    if build == "fp32":  # grouped by length, padded per batch, back in order: the same numbers
        np.testing.assert_allclose(vectors, alone, atol=1e-5)
    assert e.count_tokens(SENTENCES[-2]) == 256  # truncated at the model's window


@pytest.mark.slow
def test_bf16_autocast_stays_close_to_fp32(torch_vectors: np.ndarray) -> None:
    e = MiniLMEmbedder(precision="bf16")
    assert e.name == embedder_name("minilm-bf16")
    cosines = (np.array(e.embed(SENTENCES)) * torch_vectors).sum(1)
    assert cosines.min() >= 0.995, cosines
