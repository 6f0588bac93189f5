"""RealTime QA (2022 dev questions, CNN/USA Today/The Week articles) as a Dossier eval set.

The benchmark lives outside the repository (``../shared/bench/realtimeqa/``: research data under
its publishers' copyright, never copied into the project). It is found through the environment
variable ``DOSSIER_BENCH_DIR`` (the ``bench`` folder, or its ``realtimeqa`` folder) or by walking
up from the repository to a sibling ``shared/bench``; when it is absent the eval is skipped with
:class:`BenchMissing`, whose message says where it looked.

To ingest the corpus with the real pipeline, each article is written as ``<doc_id>.md`` with a
front-matter block (title, author, date YYYY-MM-DD, outlet from the URL's host) into a cache folder
in the eval's work dir (outside git). Files are rewritten only when their content changes, so the
index's incremental ingest finds them unchanged on a re-run.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from evals.benchdir import BENCH_ENV, BenchMissing, locate
from evals.runner import GoldQuestion

CORPUS_FILE = "corpus.jsonl.gz"
QUESTIONS_FILE = "questions_dev.jsonl"

OUTLETS: dict[str, str] = {
    "cnn.com": "CNN",
    "usatoday.com": "USA Today",
    "theweek.co.uk": "The Week",
    "theweek.com": "The Week",
    "cdc.gov": "CDC",
}
"""Outlet names by registered domain; other hosts get their second-level name capitalised."""

_QUOTES = "\"'“”‘’«»„"


def find_bench(start: Path | None = None, stop: Path | None = None) -> Path:
    """The ``realtimeqa`` data folder, or raise :class:`BenchMissing`.

    ``DOSSIER_BENCH_DIR`` (the ``bench`` folder, or its ``realtimeqa`` folder) wins when set;
    otherwise ``shared/bench/realtimeqa`` is looked for beside each ancestor of ``start``
    (default: this repository), e.g. ``/work/shared/bench`` for a checkout at ``/work/main``,
    nearest first, up to and including ``stop`` (default: the filesystem root).
    """
    return locate("realtimeqa", (CORPUS_FILE, QUESTIONS_FILE), "RealTime QA", start, stop)


def outlet_from_url(url: str) -> str | None:
    """ "CNN", "USA Today", "The Week" … from an article URL's host."""
    host = (urlparse(url).hostname or "").lower()
    if not host:
        return None
    parts = host.split(".")
    for n in range(len(parts) - 1):
        domain = ".".join(parts[n:])
        if domain in OUTLETS:
            return OUTLETS[domain]
    labels = [p for p in parts if p not in ("www", "com", "org", "net", "co", "uk", "gov")]
    return labels[-1].capitalize() if labels else None


def iso_date(value: str | None) -> str | None:
    """``2022/06/12`` → ``2022-06-12`` (None when it is not a date of that form)."""
    if not value:
        return None
    parts = value.strip().replace("-", "/").split("/")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None
    y, m, d = (int(p) for p in parts)
    return f"{y:04d}-{m:02d}-{d:02d}"


def _one_line(value: str) -> str:
    return " ".join(value.split())


def to_markdown(doc: dict[str, Any]) -> str:
    """An article as Markdown with front matter that ``index.load`` reads.

    Values are wrapped in double quotes: the loader strips one outer pair and no more, so titles
    that start or end with a quotation mark survive.
    """
    fields: list[tuple[str, str | None]] = [
        ("title", _one_line(str(doc.get("title") or "")) or None),
        ("author", _one_line(", ".join(str(a) for a in doc.get("authors") or [])) or None),
        ("date", iso_date(doc.get("publish_date"))),
        ("outlet", outlet_from_url(str(doc.get("url") or ""))),
        ("url", _one_line(str(doc.get("url") or "")) or None),
    ]
    head = [f'{k}: "{v}"' for k, v in fields if v]
    body = str(doc.get("text") or "").replace("\r\n", "\n").strip()
    return "---\n" + "\n".join(head) + "\n---\n\n" + body + "\n"


def iter_corpus(bench: Path) -> Iterator[dict[str, Any]]:
    with gzip.open(bench / CORPUS_FILE, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def select_ids(bench: Path, limit: int | None, keep: set[str]) -> set[str] | None:
    """The doc ids of a corpus subset of ``limit`` articles: every id in ``keep`` (the gold
    articles) plus the first others in doc-id order (ids are hashes, so that is an arbitrary but
    stable sample, and the prefix a full ingest processes first). None: the whole corpus."""
    if limit is None:
        return None
    ids = sorted(str(doc["doc_id"]) for doc in iter_corpus(bench))
    gold = keep.intersection(ids)
    others = [i for i in ids if i not in gold]
    return gold | set(others[: max(0, limit - len(gold))])


def write_articles(bench: Path, dest: Path, only: set[str] | None = None) -> dict[str, int]:
    """Write every corpus article (or those whose doc id is in ``only``) as
    ``dest/<doc_id>.md``; rewrite only what changed and remove other ``.md`` files. Returns
    counts: written, unchanged, removed."""
    docs = (
        (f"{doc['doc_id']}.md", to_markdown(doc))
        for doc in iter_corpus(bench)
        if only is None or str(doc["doc_id"]) in only
    )
    return sync_markdown(dest, docs)


def sync_markdown(dest: Path, docs: Iterable[tuple[str, str]]) -> dict[str, int]:
    """Make ``dest`` hold exactly the ``(file name, text)`` articles given as ``.md`` files:
    rewrite only what changed (so an incremental ingest sees the rest unchanged), remove the
    others. Returns counts: written, unchanged, removed."""
    dest.mkdir(parents=True, exist_ok=True)
    wanted: set[str] = set()
    written = unchanged = 0
    for name, text in docs:
        wanted.add(name)
        path = dest / name
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            unchanged += 1
            continue
        path.write_text(text, encoding="utf-8")
        written += 1
    removed = 0
    for path in dest.glob("*.md"):
        if path.name not in wanted:
            path.unlink()
            removed += 1
    return {"written": written, "unchanged": unchanged, "removed": removed}


def gold_doc_ids(bench: Path) -> set[str]:
    """Every gold article id of the dev questions."""
    out: set[str] = set()
    with (bench / QUESTIONS_FILE).open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                out.update(str(d) for d in json.loads(line).get("gold_doc_ids") or [])
    return out


def clean_answer(text: str) -> str:
    """A multiple-choice answer without its enclosing quotation marks (“Squid Game” → Squid Game),
    so an answer that quotes the name differently still matches."""
    return text.strip().strip(_QUOTES).strip()


def load_questions(bench: Path, limit: int | None = None) -> list[GoldQuestion]:
    """The dev questions as gold questions: gold files ``<doc_id>.md``, ``answer_text`` (quotes
    stripped) as the answer strings, any one sufficing.

    No gold passages: ``evidence_text`` is the quiz page's own wording, and none of the 103 occurs
    verbatim in its gold article (checked after ``normalize_passage``), so passage recall and the
    cited-gold-passage rate would read 0 whatever the system did. It is kept in ``note``; the
    article-level measures (hit@k, MRR, cited gold article) stand in."""
    out: list[GoldQuestion] = []
    with (bench / QUESTIONS_FILE).open(encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            if not line.strip():
                continue
            q = json.loads(line)
            answers = [a for a in (clean_answer(str(t)) for t in q.get("answer_text") or []) if a]
            evidence = " ".join(str(q.get("evidence_text") or "").split())
            choices = " | ".join(str(c) for c in q.get("choices") or [])
            out.append(
                GoldQuestion(
                    id=str(q.get("question_id") or f"rtqa{n:03d}"),
                    question=str(q["question"]),
                    type="single",
                    gold_files=tuple(f"{d}.md" for d in q.get("gold_doc_ids") or []),
                    gold_passages=(),
                    answers=tuple(answers),
                    answers_any=True,
                    note=f"choices: {choices}; evidence (quiz wording): {evidence}",
                    choices=tuple(clean_answer(str(c)) for c in q.get("choices") or []),
                    correct_choices=tuple(int(i) for i in q.get("answer_index") or []),
                    asked_on=iso_date(q.get("question_date")),
                )
            )
            if limit is not None and len(out) >= limit:
                break
    return out


def ensure_gitignored(folder: Path) -> None:
    """Make a work folder ignore itself (a ``.gitignore`` holding ``*``), so a copy of the corpus
    or an index inside a checkout can never be committed by accident."""
    folder.mkdir(parents=True, exist_ok=True)
    marker = folder / ".gitignore"
    if not marker.exists():
        marker.write_text("*\n", encoding="utf-8")


__all__ = [
    "BENCH_ENV",
    "BenchMissing",
    "clean_answer",
    "ensure_gitignored",
    "find_bench",
    "gold_doc_ids",
    "iso_date",
    "iter_corpus",
    "load_questions",
    "outlet_from_url",
    "select_ids",
    "to_markdown",
    "write_articles",
]
