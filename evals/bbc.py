"""The BBC gold set (``evals/data/bbc.jsonl``) over the BBC News corpus in
``../shared/bench/bbc/`` (2,225 articles, 2004–2005; research data, never copied here).

Each gold question names its articles by doc id and its gold sentence as a character span into
the article's ``text`` with a SHA-1 prefix of that span, so the set holds no article text beyond
short answer strings; :func:`load_questions` checks every span against the corpus when the set
loads (and that the answer strings occur in it) and fills in the gold sentences from it.

The eval's corpus is the first ``PER_CATEGORY`` articles of each of the five categories (every
gold article is among them), written as ``<doc_id>.md`` with front matter (title, outlet) into the
eval's work dir, as ``evals/realtimeqa.py`` does for RealTime QA.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from evals.benchdir import locate
from evals.realtimeqa import sync_markdown
from evals.runner import GoldQuestion

CORPUS_FILE = Path("bbc") / "bbc.jsonl.gz"
GOLD = Path(__file__).resolve().parent / "data" / "bbc.jsonl"
PER_CATEGORY = 80
OUTLET = "BBC News"


def find_bench(start: Path | None = None, stop: Path | None = None) -> Path:
    """The bench folder holding ``bbc/bbc.jsonl.gz``, or raise :class:`BenchMissing`."""
    return locate(CORPUS_FILE.parent.name, (CORPUS_FILE.name,), "BBC corpus", start, stop).parent


def iter_corpus(bench: Path) -> Iterator[dict[str, Any]]:
    with gzip.open(bench / CORPUS_FILE, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def file_name(doc_id: str) -> str:
    return f"{doc_id}.md"


def in_eval_corpus(doc_id: str, per_category: int = PER_CATEGORY) -> bool:
    """``bbc_<category>_<nnn>`` with ``nnn <= per_category``."""
    number = doc_id.rsplit("_", 1)[-1]
    return number.isdigit() and int(number) <= per_category


def to_markdown(doc: dict[str, Any]) -> str:
    title = " ".join(str(doc.get("title") or "").split())
    head = [f'title: "{title}"', f'outlet: "{OUTLET}"', f'category: "{doc.get("category", "")}"']
    body = str(doc.get("text") or "").replace("\r\n", "\n").strip()
    return "---\n" + "\n".join(head) + "\n---\n\n" + body + "\n"


def write_articles(bench: Path, dest: Path, per_category: int = PER_CATEGORY) -> dict[str, int]:
    """Write the eval corpus as ``dest/<doc_id>.md`` (only what changed; other ``.md`` removed)."""
    dest.mkdir(parents=True, exist_ok=True)
    docs = (
        (file_name(str(doc["doc_id"])), to_markdown(doc))
        for doc in iter_corpus(bench)
        if in_eval_corpus(str(doc["doc_id"]), per_category)
    )
    return sync_markdown(dest, docs)


def span_digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def _norm(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").split())


def load_questions(bench: Path, gold: Path = GOLD, limit: int | None = None) -> list[GoldQuestion]:
    """The BBC gold questions, every gold span checked against the corpus (``ValueError`` when a
    span's digest or answer strings do not match the article text)."""
    texts = {str(d["doc_id"]): str(d["text"]) for d in iter_corpus(bench)}
    out: list[GoldQuestion] = []
    with gold.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            q = json.loads(line)
            passages: list[str] = []
            for span in q.get("gold_spans") or []:
                doc = texts.get(span["doc"])
                if doc is None:
                    raise ValueError(f"{gold}:{n}: no article {span['doc']} in the corpus")
                text = doc[span["start"] : span["end"]]
                if span_digest(text) != span["sha1"]:
                    raise ValueError(f"{gold}:{n}: span {span} does not match its article text")
                passages.append(text)
            joined = _norm(" ".join(passages))
            for a in q.get("answers") or []:
                if _norm(a) not in joined:
                    raise ValueError(f"{gold}:{n}: answer {a!r} is not in its gold sentences")
            out.append(
                GoldQuestion(
                    id=str(q["id"]),
                    question=str(q["question"]),
                    type=str(q["type"]),
                    gold_files=tuple(file_name(d) for d in q.get("gold_docs") or ()),
                    gold_passages=tuple(passages),
                    answers=tuple(q.get("answers") or ()),
                    answers_any=bool(q.get("answers_any", False)),
                    wanted=q.get("wanted"),
                    note=q.get("note"),
                    near_files=tuple(file_name(d) for d in q.get("near_docs") or ()),
                    short_answers=tuple(q.get("short_answers") or q.get("answers") or ()),
                )
            )
            if limit is not None and len(out) >= limit:
                break
    return out


__all__ = [
    "GOLD",
    "PER_CATEGORY",
    "find_bench",
    "in_eval_corpus",
    "iter_corpus",
    "load_questions",
    "span_digest",
    "to_markdown",
    "write_articles",
]
