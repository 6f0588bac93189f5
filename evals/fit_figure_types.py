"""Learn what kind of figure each word takes, from the benchmark corpora's news.

    python -m evals.fit_figure_types [--processes 2] [--chars 5000] [--out FILE]

Reads the fit half (``evals/halves.py``) of the RealTime QA and BBC corpora in ``shared/bench``
(never the validation half), parses each article's first ``--chars`` characters with spaCy and
counts, for every word, the labels of the figures it governs ("cost £2bn" → MONEY for "cost",
"fell 0.1%" → PERCENT for "fall": ``rag.answer.figuretypes.governor``). The two thresholds that
decide when the table narrows what a "how much" or "what <figure noun>" question wants (the
fewest figures seen, ``min_count``, and the share of them the kept labels hold, ``share``) are
chosen on the fit halves of the sample and BBC gold sets: of the pairs that keep the label of
every fit-half answer that the wh-word alone keeps (the gold answer typed by the parse of its
gold passage), the one that allows the fewest labels over the fit half's figure questions, so
the strictest that costs no fit-half answer (ties: the most figures, then the highest share).
Writes ``rag/answer/data/figure_types.json`` (or ``--out``) with what each half keeps and
allows, the wh-word alone beside it.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from evals import bbc
from evals.cli import SAMPLE_GOLD
from evals.fit_noun_types import corpus_args, progress
from evals.gold import GoldQuestion, load_gold
from evals.halves import FIT, VALIDATION, select
from rag import Dossier, Embedder, Settings, answer_analysis, answer_figures

MIN_COUNTS = (5, 10, 20, 40)
SHARES = (0.7, 0.8, 0.9, 0.95)


def _err(*parts: Any) -> None:
    print(*parts, file=sys.stderr, flush=True)


def figure_questions() -> list[GoldQuestion]:
    """The sample and BBC gold questions that want a figure (single questions only)."""
    questions = [*load_gold(SAMPLE_GOLD), *bbc.load_questions(bbc.find_bench())]
    return [q for q in questions if q.wanted == "number" and q.type in ("single", "unanswerable")]


def gold_labels(q: GoldQuestion) -> frozenset[str]:
    """The figure labels of ``q``'s gold answer where its gold passage states it."""
    for passage in q.gold_passages:
        for answer in (*q.short_answers, *q.answers):
            found = answer_figures.answer_labels(passage, answer)
            if found:
                return found
    return frozenset()


def tally(
    questions: Sequence[GoldQuestion],
    golds: dict[str, frozenset[str]],
    embedder: Embedder,
    table: answer_figures.FigureTypes,
) -> tuple[int, int]:
    """(answers whose gold label the question's typing keeps, labels allowed in all)."""
    kept = allowed = 0
    for q in questions:
        info = answer_analysis.analyse(q.question, embedder, figures=table)
        labels = set(info.labels) | set(info.also)
        allowed += len(labels)
        kept += bool(golds.get(q.id, frozenset()) & labels)
    return kept, allowed


def choose(
    counts: dict[str, dict[str, int]],
    fit: Sequence[GoldQuestion],
    golds: dict[str, frozenset[str]],
    embedder: Embedder,
) -> tuple[int, float, dict[str, list[int]]]:
    """(min_count, share, [answers kept, labels allowed] per pair): the strictest pair that keeps
    every fit-half answer the wh-word alone keeps (ties: the most figures, the highest share)."""
    base_kept, _ = tally(fit, golds, embedder, answer_figures.FigureTypes({}, 1, 1.0))
    grid: dict[str, list[int]] = {}
    best: tuple[int, int, float, int, float] | None = None  # (allowed, -count, -share, m, s)
    for m in MIN_COUNTS:
        for share in SHARES:
            table = answer_figures.FigureTypes(counts, m, share)
            kept, allowed = tally(fit, golds, embedder, table)
            grid[f"{m}/{share}"] = [kept, allowed]
            key = (allowed, -m, -share, m, share)
            if kept >= base_kept and (best is None or key < best):
                best = key
    if best is None:  # no pair keeps them all: the table never narrows (the highest bar)
        return MIN_COUNTS[-1] * 1000, 1.0, grid
    return best[3], best[4], grid


def main(argv: Sequence[str] | None = None) -> int:
    read = corpus_args(__doc__ or "", answer_figures.TABLE_FILE, argv)
    if read is None:
        return 2
    args, texts = read
    questions = figure_questions()
    counts = answer_figures.count_texts(texts, args.processes, progress)
    _err(f"{len(texts)} articles, {len(counts)} words seen governing figures")
    embedder = Dossier(Settings()).query_embedder
    golds = {q.id: gold_labels(q) for q in questions}
    halves = {h: select(questions, h) for h in (FIT, VALIDATION)}
    m, share, grid = choose(counts, halves[FIT], golds, embedder)
    plain = answer_figures.FigureTypes({}, 1, 1.0)
    chosen = answer_figures.FigureTypes(counts, m, share)
    measured: dict[str, dict[str, Any]] = {}
    for h, qs in halves.items():
        answerable = [q for q in qs if golds[q.id]]
        kept, allowed = tally(qs, golds, embedder, chosen)
        plain_kept, plain_allowed = tally(qs, golds, embedder, plain)
        measured[h] = {
            "questions": len(qs),
            "answers_typed": len(answerable),
            "learned": {"kept": kept, "allowed": allowed},
            "wh_word_alone": {"kept": plain_kept, "allowed": plain_allowed},
        }
    about = {
        "about": "python -m evals.fit_figure_types: what kind of figure each word takes",
        "articles": len(texts),
        "chars": args.chars,
        "halves": measured,
        "grid": grid,
    }
    answer_figures.write_table(counts, m, share, about, args.out)
    _err(f"min_count {m}, share {share}: {measured}")
    _err(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
