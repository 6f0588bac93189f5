"""Dossier's packing of sentences into chunks is llama-index's SentenceSplitter's, exactly, and
chunking needs no import of llama-index."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

import index.chunk as chunk_module
from index.chunk import chunk_text
from index.clean import clean_text

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "articles"
BENCH = ROOT.parent / "shared" / "bench"
BUDGETS = [(200, 20), (200, 40), (120, 30), (64, 16), (100, 0), (32, 80), (40, 40)]


def _texts() -> list[str]:
    texts = [clean_text(p.read_text(encoding="utf-8")) for p in sorted(SAMPLE.glob("*.txt"))]
    texts += [
        " ".join(["The talks went on."] * 40),
        "One two three four five six. Three more words. A sentence of exactly eight words.",
        "Read more at https://example.com/track?" + "x9Q_" * 300 + " today. Short one.",
        "A single short sentence.",
        "word " * 700,
        "Mr. Kim met Mr. Putin.\n\n\n   Then they left.   \n\nU.S. officials said so. " * 12,
    ]
    for name in ("bbc/bbc.jsonl.gz", "realtimeqa/corpus.jsonl.gz"):
        path = BENCH / name
        if path.exists():
            with gzip.open(path, "rt", encoding="utf-8") as fh:
                for i, line in enumerate(fh):
                    if i >= 40:
                        break
                    row = json.loads(line)
                    texts.append(clean_text(str(row.get("text") or row.get("body") or "")))
    return [t for t in texts if t.strip()]


@pytest.mark.parametrize("budget", BUDGETS, ids=str)
def test_packing_equals_llama_index_s_splitter(
    budget: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = _texts()
    ours = [chunk_text("f", t, *budget) for t in texts]
    monkeypatch.setattr(chunk_module, "_pack", lambda *a: None)  # llama-index's splitter
    theirs = [chunk_text("f", t, *budget) for t in texts]
    assert ours == theirs
    assert sum(len(c) for c in ours) > len(texts)


def test_chunking_does_not_import_llama_index() -> None:
    code = (
        "import sys\n"
        "from index.chunk import chunk_text\n"
        "text = ' '.join(f'Sentence {i} is about the summit.' for i in range(200))\n"
        "assert len(chunk_text('f', text, 60, 10)) > 5\n"
        "print(any(m.startswith('llama_index.') for m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"
