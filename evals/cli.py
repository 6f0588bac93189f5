"""`dossier eval` — registered through the ``dossier.commands`` entry point (``rag`` never
imports ``evals``).

    dossier eval --set sample|bbc|realtimeqa [--half validation|fit|all]
                 [--generator extractive|llm] [--out DIR] [--json]
                 [--limit N] [--corpus-limit N] [--retrieval-only] [--no-peer]
                 [--modes hybrid,vector,bm25] [--check-floors [FILE]] [--work-dir DIR]
                 [--rebuild] [-k 10] [--quiet]

``sample`` ingests the repository's ``data/articles`` into a fresh temporary index (or into
``--work-dir`` when given); ``realtimeqa`` writes the benchmark's articles as Markdown into the work
dir (default ``.dossier-evals/``, which ignores itself in git) and keeps the index and the peer's
index there, so re-runs are incremental. Reports go to ``--out``, by default
``$DOSSIER_DATA_DIR/evals/<set>/`` (``.dossier/evals/<set>/``): never into the source tree. The
committed reports in ``evals/reports/<set>/`` are refreshed only by naming them with ``--out``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from rag import UsageError

PACKAGE = Path(__file__).resolve().parent
SAMPLE_GOLD = PACKAGE / "data" / "sample.jsonl"
SAMPLE_CORPUS = PACKAGE.parent / "data" / "articles"
FLOORS = PACKAGE / "floors.json"
DEFAULT_WORK_DIR = Path(".dossier-evals")


def _err(*parts: Any) -> None:
    print(*parts, file=sys.stderr, flush=True)


def _ingest_bar(enabled: bool) -> tuple[Callable[[int, int, str], None] | None, Callable[[], None]]:
    if not enabled:
        return None, lambda: None
    from rag import progress_bar

    return progress_bar("ingest")


Prepared = tuple[Any, Path, Path, Path | None, dict[str, Any]]


def _prepare(args: argparse.Namespace, stack: ExitStack) -> Prepared:
    """(questions, corpus folder, data dir, peer persist dir, corpus info) for the set."""
    from evals.runner import load_gold

    if args.set == "sample":
        if args.corpus_limit:
            raise UsageError("--corpus-limit applies to --set realtimeqa only")
        questions = load_gold(SAMPLE_GOLD, args.limit)
        info = {"folder": "data/articles", "articles": len(list(SAMPLE_CORPUS.iterdir()))}
        if args.work_dir:
            work = Path(args.work_dir) / "sample"
            return questions, SAMPLE_CORPUS, work / "data", work / "peer", info
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="dossier-eval-")))
        return questions, SAMPLE_CORPUS, tmp / "data", None, info
    if args.set == "bbc":
        return _prepare_bbc(args)
    from evals import realtimeqa as rtqa

    bench = rtqa.find_bench()  # raises BenchMissing
    root = Path(args.work_dir or DEFAULT_WORK_DIR)
    rtqa.ensure_gitignored(root)
    work = root / "realtimeqa"
    articles = work / "articles"
    t0 = time.perf_counter()
    only = rtqa.select_ids(bench, args.corpus_limit, rtqa.gold_doc_ids(bench))
    counts = rtqa.write_articles(bench, articles, only)
    n = counts["written"] + counts["unchanged"]
    _err(
        f"realtimeqa: {bench} → {articles}: {n} articles ({counts['written']} written, "
        f"{counts['unchanged']} unchanged, {counts['removed']} removed) "
        f"in {time.perf_counter() - t0:.1f}s"
    )
    info = {
        "folder": str(bench),
        "articles": n,
        "subset": only is not None,
        "note": (
            "all gold articles plus the first others by doc id"
            if only is not None
            else "the whole corpus"
        ),
    }
    return rtqa.load_questions(bench, args.limit), articles, work / "data", work / "peer", info


def _prepare_bbc(args: argparse.Namespace) -> Prepared:
    """The BBC gold set: its corpus (the first articles of each category) written into the work
    dir, the questions checked against the corpus as they load."""
    from evals import bbc
    from evals import realtimeqa as rtqa

    if args.corpus_limit:
        raise UsageError("--corpus-limit applies to --set realtimeqa only")
    bench = bbc.find_bench()  # raises BenchMissing
    root = Path(args.work_dir or DEFAULT_WORK_DIR)
    rtqa.ensure_gitignored(root)
    work = root / "bbc"
    counts = bbc.write_articles(bench, work / "articles")
    n = counts["written"] + counts["unchanged"]
    _err(f"bbc: {bench / bbc.CORPUS_FILE} → {work / 'articles'}: {n} articles")
    info = {
        "folder": str(bench / "bbc"),
        "articles": n,
        "subset": True,
        "note": f"the first {bbc.PER_CATEGORY} articles of each of the five categories",
    }
    questions = bbc.load_questions(bench, limit=args.limit)
    return questions, work / "articles", work / "data", work / "peer", info


def _half(questions: Any, half: str) -> Any:
    from evals.halves import counts, select

    chosen = select(questions, half)
    _err(f"half {half}: {len(chosen)} of {len(questions)} questions ({counts(questions)})")
    return chosen


def report_dir(set_name: str, out: str | None) -> Path:
    """Where a run's reports go: ``--out`` when given, else ``<data dir>/evals/<set>/``."""
    if out:
        return Path(out)
    from rag import Settings

    return Path(Settings().data_dir) / "evals" / set_name


def _check_floors(args: argparse.Namespace, summary: dict[str, Any]) -> int:
    from evals.runner import check_floors, load_floors

    path = Path(args.check_floors)
    if path == FLOORS and args.set != "sample":  # each set has its own floors file
        path = PACKAGE / f"floors-{args.set}.json"
    floors = load_floors(path)
    for key in ("set", "generator", "half"):
        if floors.get(key) and floors[key] != summary[key]:
            _err(
                f"floor check: {path} holds floors for {key} {floors[key]!r}, "
                f"this run is {summary[key]!r}"
            )
            return 2
    problems = check_floors(summary, floors)
    if problems:
        _err(f"floor check FAILED ({len(problems)} metric(s) below floor, {path}):")
        for p in problems:
            _err(f"  {p}")
        return 1
    _err(f"floor check passed: {len(floors['metrics'])} metrics at or above their floors")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from evals import goals
    from evals.realtimeqa import BenchMissing
    from evals.report import format_summary, write_reports
    from evals.runner import MODES, VARIANTS, run_eval, summary_only
    from rag import Dossier, Settings

    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if modes == ["fusions"]:  # every fusion variant, then each retriever alone
        modes = [*VARIANTS, "vector", "bm25"]
    unknown = [m for m in modes if m not in MODES and m not in VARIANTS]
    if unknown:
        raise UsageError(
            f"unknown retrieval mode(s) {unknown}: choose from {', '.join(MODES + VARIANTS)}"
        )
    show = not args.quiet
    with ExitStack() as stack:
        try:
            questions, corpus, data_dir, peer_dir, corpus_info = _prepare(args, stack)
            questions = _half(questions, args.half)
        except BenchMissing as exc:
            _err(f"dossier eval: {exc}")
            if args.json:
                print(json.dumps({"set": args.set, "skipped": str(exc)}))
            return 0
        dossier = Dossier(Settings(data_dir=data_dir))
        update, close = _ingest_bar(show)
        t0 = time.perf_counter()
        try:
            ingest = dossier.ingest(corpus, progress=update, rebuild=args.rebuild)
        finally:
            close()
        ingest_s = time.perf_counter() - t0
        _err(
            f"ingest {corpus}: {len(ingest.added)} added, {len(ingest.updated)} updated, "
            f"{len(ingest.unchanged)} unchanged, {len(ingest.skipped)} skipped "
            f"({ingest_s:.1f}s)"
        )
        peer = None
        peer_s = 0.0
        if not args.no_peer:
            from evals.peer import LlamaIndexPeer

            t0 = time.perf_counter()
            peer = LlamaIndexPeer(corpus, dossier.embedder, peer_dir, show_progress=show)
            peer_s = time.perf_counter() - t0
            _err(f"peer: {peer.describe()}")
        report = run_eval(
            dossier,
            questions,
            set_name=args.set,
            generator=args.generator,
            k=args.k,
            modes=modes,
            peer=peer,
            progress=show,
            answers=not args.retrieval_only,
            as_asked=args.as_asked,
        )
        if args.set == "realtimeqa" and not args.retrieval_only and not args.no_withheld:
            from evals.withheld import run_withheld

            files = {*ingest.added, *ingest.updated, *ingest.unchanged}
            report["withheld"] = run_withheld(
                dossier,
                questions,
                files,
                generator=args.generator,
                as_asked=args.as_asked,
                progress=show,
            )
    report["as_asked"] = args.as_asked
    report["timing"].update(ingest_s=round(ingest_s, 1), peer_s=round(peer_s, 1))
    report["ingest"] = {
        "added": len(ingest.added),
        "updated": len(ingest.updated),
        "unchanged": len(ingest.unchanged),
        "skipped": len(ingest.skipped),
        "chunks_written": ingest.chunks_written,
    }
    report["corpus"] = corpus_info
    report["half"] = args.half
    if args.limit:
        report["limit"] = args.limit
    goals.annotate(report)
    out = report_dir(args.set, args.out)
    paths = write_reports(report, out)
    summary = summary_only(report)
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
        _err(format_summary(report))
    else:
        print(format_summary(report))
    _err(f"reports written to {out.resolve()}: " + ", ".join(p.name for p in paths.values()))
    return _check_floors(args, summary) if args.check_floors else 0


def register(sub: Any) -> None:
    s = sub.add_parser("eval", help="measure retrieval, answers and citations on a gold set")
    s.add_argument(
        "--set",
        required=True,
        choices=["sample", "bbc", "realtimeqa"],
        help="sample: the bundled corpus and 53 gold questions; bbc: 182 gold questions over "
        "the BBC corpus in ../shared/bench; realtimeqa: the RealTime QA dev set from "
        "../shared/bench (both skipped when absent)",
    )
    s.add_argument(
        "--half",
        choices=["validation", "fit", "all"],
        default="validation",
        help="which half of the set, split by article (evals/halves.py): the answerer is "
        "fitted on the fit halves, so report on validation (default)",
    )
    s.add_argument("--generator", choices=["extractive", "llm"], default="extractive")
    s.add_argument(
        "--out",
        help="report folder (default $DOSSIER_DATA_DIR/evals/<set>/, i.e. .dossier/evals/<set>/)",
    )
    s.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    s.add_argument("--limit", type=int, help="only the first N questions")
    s.add_argument(
        "--corpus-limit",
        type=int,
        metavar="N",
        help="realtimeqa: ingest only N articles — every gold article plus the first "
        "others by doc id (fewer distractors: an easier corpus; the report says so)",
    )
    s.add_argument(
        "--retrieval-only",
        action="store_true",
        help="measure retrieval only (no answers: fast on large sets)",
    )
    s.add_argument("--no-peer", action="store_true", help="skip the llama-index peer")
    s.add_argument(
        "--no-withheld",
        action="store_true",
        help="realtimeqa: skip asking each question again with its gold articles withheld "
        "(how often a question about news no article covers is refused: evals/withheld.py)",
    )
    s.add_argument(
        "--as-asked",
        action="store_true",
        help="realtimeqa: ask each question on its own date — search and answer over the "
        "articles published by then (as --until would), the peer's ranking cut the same way",
    )
    s.add_argument(
        "--modes",
        default=",".join(("hybrid", "vector", "bm25")),
        help="retrieval modes to compare (comma-separated): hybrid, vector, bm25, or a hybrid "
        "fusion variant (hybrid:rrf, hybrid:article, hybrid:title, hybrid:phrase, hybrid:time, "
        "hybrid:signals, hybrid:rm3, hybrid:learned); 'fusions' for all the variants side by side",
    )
    s.add_argument("-k", type=int, default=10, help="chunks retrieved per question (default 10)")
    s.add_argument(
        "--check-floors",
        nargs="?",
        const=str(FLOORS),
        metavar="FILE",
        help="exit 1 when a metric is below its floor (default evals/floors.json)",
    )
    s.add_argument(
        "--work-dir",
        help="where corpora copies and indexes persist "
        "(default .dossier-evals/ for realtimeqa; a fresh temp dir for sample)",
    )
    s.add_argument("--rebuild", action="store_true", help="rebuild the eval's index")
    s.add_argument("--quiet", action="store_true", help="no progress bars")
    s.set_defaults(func=cmd_eval)
