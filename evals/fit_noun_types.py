"""Learn what kind of name each common noun stands for, from the benchmark corpora's news.

    python -m evals.fit_noun_types [--processes 2] [--chars 5000] [--out FILE]

Reads the fit half (``evals/halves.py``: by a hash of the article's file name) of the RealTime QA
and BBC corpora in ``shared/bench`` (never the validation half: its articles are the ones the
validation questions are asked about), parses each article's first ``--chars`` characters with
spaCy and counts, for every common noun, the entity labels of the names it says what they are
("attorney Gloria Allred", "the retailer, Walmart": ``rag.answer.nountypes.isa_nouns``). The two
thresholds that decide when the table, not the glossary, types a question's focus noun (the
fewest votes, ``min_count``, and the winning kind's share, ``min_share``) are chosen on the fit
halves of the sample and BBC gold sets: the pair whose typing agrees most often with the gold
``wanted`` labels (ties: the most votes, then the lowest share — a handful of votes is noise:
"change" was seen beside three place names). Writes
``rag/answer/data/noun_types.json`` (or ``--out``) with the agreement on both halves, the
glossary's alone beside it.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from evals import bbc, realtimeqa
from evals.benchdir import BenchMissing
from evals.cli import SAMPLE_GOLD
from evals.gold import GoldQuestion, load_gold
from evals.halves import FIT, VALIDATION, article_half, select
from rag import Dossier, Embedder, Settings, answer_analysis, answer_nouns

MIN_COUNTS = (2, 3, 5, 8, 12)
MIN_SHARES = (0.5, 0.6, 0.7, 0.8)


def _err(*parts: Any) -> None:
    print(*parts, file=sys.stderr, flush=True)


def fit_half_texts(chars: int) -> Iterator[str]:
    """The fit half's article texts of both corpora (each cut at ``chars`` characters)."""
    rtqa, corpus = realtimeqa.find_bench(), bbc.find_bench()
    for doc in itertools.chain(realtimeqa.iter_corpus(rtqa), bbc.iter_corpus(corpus)):
        if article_half(f"{doc['doc_id']}.md") == FIT:
            yield str(doc.get("text") or "")[:chars]


def typed_questions() -> list[GoldQuestion]:
    """The sample and BBC gold questions that name the kind of answer they want."""
    questions = [*load_gold(SAMPLE_GOLD), *bbc.load_questions(bbc.find_bench())]
    return [q for q in questions if q.wanted]


def agreement(
    questions: Sequence[GoldQuestion], embedder: Embedder, nouns: answer_nouns.NounTypes
) -> int:
    """How many of ``questions`` are typed as their gold ``wanted`` label says."""
    return sum(
        answer_analysis.analyse(q.question, embedder, nouns).wanted == q.wanted for q in questions
    )


def choose(
    counts: dict[str, dict[str, int]], questions: Sequence[GoldQuestion], embedder: Embedder
) -> tuple[int, float, dict[str, int]]:
    """(min_count, min_share, fit-half agreement per pair) — the pair agreeing most often."""
    fit = select(questions, FIT)
    figures: dict[str, int] = {}
    best: tuple[int, int, float] | None = None
    for m in reversed(MIN_COUNTS):
        for share in MIN_SHARES:
            n = agreement(fit, embedder, answer_nouns.NounTypes(counts, m, share))
            figures[f"{m}/{share}"] = n
            if best is None or n > best[0]:
                best = (n, m, share)
    assert best is not None
    return best[1], best[2], figures


def progress(n: int) -> None:
    if n % 500 == 0:
        _err(f"  {n} articles parsed")


def corpus_args(
    doc: str, out: Path, argv: Sequence[str] | None
) -> tuple[argparse.Namespace, list[str]] | None:
    """A table builder's arguments (``--processes``, ``--chars``, ``--out``) and the fit half's
    article texts it learns from; None (reported) when the corpora are not on this machine."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--processes", type=int, default=2, help="spaCy processes (default 2)")
    ap.add_argument("--chars", type=int, default=5000, help="characters read of each article")
    ap.add_argument("--out", type=Path, default=out)
    args = ap.parse_args(argv)
    _err("parsing the fit half's articles (RealTime QA and BBC)…")
    try:
        return args, list(fit_half_texts(args.chars))
    except BenchMissing as exc:  # the corpora are not on this machine: nothing to learn from
        _err(str(exc))
        return None


def main(argv: Sequence[str] | None = None) -> int:
    read = corpus_args(__doc__ or "", answer_nouns.TABLE_FILE, argv)
    if read is None:
        return 2
    args, texts = read
    counts = answer_nouns.count_texts(texts, args.processes, progress)
    _err(f"{len(texts)} articles, {len(counts)} nouns seen beside names")
    embedder = Dossier(Settings()).query_embedder
    questions = typed_questions()
    m, share, grid = choose(counts, questions, embedder)
    chosen = answer_nouns.NounTypes(counts, m, share)
    glossary = answer_nouns.NounTypes({}, 1, 1.0)
    halves = {h: select(questions, h) for h in (FIT, VALIDATION)}
    about = {
        "about": "python -m evals.fit_noun_types: what kind of name each noun stands for",
        "articles": len(texts),
        "chars": args.chars,
        "agreement": {
            h: {
                "questions": len(qs),
                "learned": agreement(qs, embedder, chosen),
                "glossary": agreement(qs, embedder, glossary),
            }
            for h, qs in halves.items()
        },
        "grid": grid,
    }
    answer_nouns.write_table(counts, m, share, about, args.out)
    _err(f"min_count {m}, min_share {share}: {about['agreement']}")
    _err(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
