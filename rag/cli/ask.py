"""`dossier search` and `dossier ask` (single question, or a batch read from JSONL)."""

from __future__ import annotations

import argparse
import json
import textwrap
from typing import Any

from rag.cli.args import add_filter_args, emit, filters_from, k_arg, question_text, read_queries
from rag.errors import UsageError
from rag.records import Answer
from rag.service import Dossier


def cmd_search(args: argparse.Namespace) -> int:
    batch = read_queries(args.queries) if args.queries else None
    if batch is None and args.query is None:
        raise UsageError("Give a QUERY or --queries FILE.jsonl")
    query = question_text(args.query, "the query") if batch is None else ""
    d = Dossier()
    filters = filters_from(args)

    def run(q: str) -> dict[str, Any]:
        return {
            "results": [p.to_json() for p in d.search(q, k=args.k, filters=filters, mode=args.mode)]
        }

    if batch is not None:
        for qid, q in batch:
            emit(json.dumps({"id": qid, **run(q)}, ensure_ascii=False))
        return 0
    out = run(query)
    if args.json:
        emit(json.dumps(out, ensure_ascii=False))
        return 0
    if not out["results"]:
        emit("No matching passages.")
    for i, r in enumerate(out["results"], 1):
        meta = " · ".join(x for x in (r["outlet"], r["published"]) if x)
        emit(f"[{i}] {r['file']}:{r['start']}-{r['end']}  score {r['score']:.4f}  {meta}")
        emit(f"    {r['title']}")
        emit(textwrap.indent(textwrap.fill(r["text"][:400], 96), "    "))
    return 0


def render_answer(a: Answer) -> str:
    lines: list[str] = []
    if a.standalone_question:
        lines.append(f"(read as: {a.standalone_question})")
    for w in a.warnings:
        lines.append(f"warning: {w}")
    if a.refused:
        lines.append(a.text)
        if a.passages:
            lines.append("\nClosest passages (none answers the question):")
            for p in a.passages[:3]:
                lines.append(
                    f"  - {p.file} ({p.outlet or 'outlet unknown'}, "
                    f"{p.published or 'date unknown'}): “{p.text[:200]}…”"
                )
        return "\n".join(lines)
    if a.short_answer:  # the answer itself first, the quotes that carry it below
        n = a.corroboration
        lines.append(f"{a.short_answer}{f'  ({n} articles)' if n > 1 else ''}\n")
    for c in a.claims:
        mark = "" if c.supported else "  ⚠ not supported by its citations"
        lines.append(
            textwrap.fill(f"{c.text} {''.join(f'[{x.id}]' for x in c.citations)}{mark}", 100)
        )
    for d in a.disagreements:
        lines.append(
            "Note: the sources disagree — " + " vs ".join(f"{v} [{c}]" for v, c in d.values)
        )
    if a.invalid_citations:
        lines.append(
            f"({len(a.invalid_citations)} citation(s) named no passage: "
            + ", ".join(i.id for i in a.invalid_citations)
            + ")"
        )
    lines.append("\nSources:")
    for cit in a.citations:
        meta = ", ".join((cit.outlet or "outlet unknown", cit.published or "date unknown"))
        lines.append(f"  [{cit.id}] {cit.file} ({meta}) chars {cit.start}-{cit.end}")
        lines.append(textwrap.indent(textwrap.fill(f"“{cit.quote}”", 96), "      "))
    lines.append(f"\n— answered by {a.generator}")
    return "\n".join(lines)


def cmd_ask(args: argparse.Namespace) -> int:
    batch = read_queries(args.queries) if args.queries else None
    if batch is None and args.question is None:
        raise UsageError("Give a QUESTION or --queries FILE.jsonl")
    question = question_text(args.question) if batch is None else ""
    d = Dossier()
    filters = filters_from(args)
    gen = args.generator if args.generator != "auto" else None
    if batch is not None:
        for qid, q in batch:
            a = d.ask_in_scope(q, filters=filters, generator=gen)
            emit(json.dumps({"id": qid, **a.to_json()}, ensure_ascii=False))
        return 0
    answer = d.ask_in_scope(question, filters=filters, generator=gen)
    emit(json.dumps(answer.to_json(), ensure_ascii=False) if args.json else render_answer(answer))
    return 0


def register(sub: Any) -> None:
    s = sub.add_parser("search", help="retrieval only: the passages that match a query")
    s.add_argument("query", nargs="?")
    s.add_argument("-k", type=k_arg, default=10, help="how many passages, 1–100 (default 10)")
    s.add_argument("--mode", choices=["hybrid", "vector", "bm25"], default=None)
    s.add_argument("--json", action="store_true")
    s.add_argument("--queries", help="JSONL file of {id, question}; one JSON result per line")
    add_filter_args(s)
    s.set_defaults(func=cmd_search)

    s = sub.add_parser("ask", help="a cited answer to a question")
    s.add_argument("question", nargs="?")
    s.add_argument("--json", action="store_true")
    s.add_argument("--queries", help="JSONL file of {id, question}; one JSON answer per line")
    s.add_argument("--generator", choices=["auto", "extractive", "llm"], default="auto")
    add_filter_args(s)
    s.set_defaults(func=cmd_ask)
