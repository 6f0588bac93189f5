"""Eval reports: a plain-text summary, a JSON report, a Markdown report and a chart (PNG)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from evals import goals, withheld

ANSWER_METRICS = (
    ("answer_correct", "answer correct"),
    ("short_answer_correct", "short answer correct"),
    ("mc_reading", "multiple-choice reading"),
    ("answer_reachable", "gold answer in its article"),
    ("refusal_precision", "refusal precision"),
    ("refusal_recall", "refusal recall"),
    ("refusal_accuracy", "refusal accuracy"),
    ("citation_recall", "citation recall (ALCE)"),
    ("citation_precision", "citation precision (ALCE)"),
    ("cited_gold_rate", "cited gold passage"),
    ("cited_gold_file_rate", "cited gold article"),
    ("invalid_citation_rate", "invalid citations"),
)
RETRIEVAL_METRICS = (
    ("hit@1", "hit@1"),
    ("hit@5", "hit@5"),
    ("hit@10", "hit@10"),
    ("mrr@10", "MRR@10"),
    ("passage_recall", "passage recall"),
)
FILES = {"json": "report.json", "markdown": "report.md", "chart": "report.png"}


def _f(value: Any, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float | int):
        return f"{value:.{digits}f}"
    return str(value)


def _retrieval_rows(report: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    r = report["retrieval"]
    rows = [
        (f"ours, {mode}{' (default)' if mode == report['retrieval_mode'] else ''}", s)
        for mode, s in r["ours"].items()
    ]
    if r.get("peer"):
        rows.append(("peer: llama-index defaults", r["peer"]))
    return rows


def _lat(s: dict[str, Any], key: str) -> str:
    lat = s.get("latency_ms")
    return f"{lat[key]:.1f}" if lat else "–"


def _title(report: dict[str, Any]) -> str:
    corpus = report.get("corpus") or {}
    size = ""
    if corpus.get("articles"):
        size = f", {corpus['articles']} articles"
        if corpus.get("subset"):
            size += f" (subset: {corpus.get('note', '')})"
    if report.get("as_asked"):
        size += ", each question asked on its own date (articles published by then)"
    return (
        f"Dossier eval — set {report['set']} ({report.get('half', 'all')} half){size}, "
        f"generator {report['generator']}, "
        f"{report['n_questions']} questions ({report['n_answerable']} answerable, "
        f"{report['n_answered']} answered), k={report['k']}, embedder {report['embedder']}"
    )


def format_summary(report: dict[str, Any]) -> str:
    """The plain-text table printed at the end of a run."""
    m, ci = report["metrics"], report["ci95"]
    lines = [_title(report), "", f"{'metric':28}{'value':>8}   95% CI"]
    for key, label in (*ANSWER_METRICS, *RETRIEVAL_METRICS):
        interval = ci.get(key)
        ci_text = f"[{interval[0]:.3f}, {interval[1]:.3f}]" if interval else ""
        lines.append(f"{label:28}{_f(m.get(key)):>8}   {ci_text}")
    lines += [
        "",
        f"{'retrieval (article level)':34}{'hit@1':>7}{'hit@5':>7}{'hit@10':>7}{'MRR@10':>8}"
        f"{'p.rec':>7}{'p50 ms':>9}{'p95 ms':>9}",
    ]
    for name, s in _retrieval_rows(report):
        lines.append(
            f"{name:34}{_f(s['hit@1']):>7}{_f(s['hit@5']):>7}{_f(s.get('hit@10')):>7}"
            f"{_f(s['mrr@10']):>8}"
            f"{_f(s['passage_recall']):>7}{_lat(s, 'p50'):>9}{_lat(s, 'p95'):>9}"
        )
    ask = report.get("ask_latency_ms")
    if ask:
        lines.append(
            f"answer latency: p50 {ask['p50'] / 1000:.2f} s, p95 {ask['p95'] / 1000:.2f} s "
            f"per answer"
        )
    if report.get("withheld"):
        lines.append(withheld.describe(report["withheld"]))
    lines += goals.describe(report)
    fails = [q for q in report.get("questions", []) if q["failure"]]
    lines.append("")
    lines.append(f"failures: {len(fails)} of {report['n_questions']}")
    for q in fails:
        lines.append(f"  {q['id']:12} {'; '.join(q['reasons'])}")
    return "\n".join(lines)


def _cell(text: Any, limit: int = 160) -> str:
    s = " ".join(str(text).split())
    if len(s) > limit:
        s = s[: limit - 1] + "…"
    return s.replace("|", "\\|")


def _goals_markdown(report: dict[str, Any]) -> list[str]:
    """The goals section (``evals/goals.py``): each goal met or missed and by how much, then
    the failing questions by cause."""
    if not report.get("goals"):
        return []
    out = ["", "## Goals", "", "| goal | target | measured | result |", "|---|---:|---:|---|"]
    for g in report["goals"]:
        result = goals.result_text(g)
        out.append(f"| {g['label']} | {g['target']:.3f} | {_f(g['measured'])} | {result} |")
    fails = report.get("what_fails") or {}
    if fails:
        out += ["", f"What fails: {goals.fails_text(fails)}."]
    return out


def to_markdown(report: dict[str, Any]) -> str:
    m, ci = report["metrics"], report["ci95"]
    out = [
        f"# {_title(report)}",
        "",
        f"Created {report['created']}. "
        "Failures (wrong answer, wrong refusal or an unsupported claim) come first.",
        "",
        "## Answers and citations",
        "",
        "| metric | value | 95% CI |",
        "|---|---:|---|",
    ]
    for key, label in ANSWER_METRICS:
        interval = ci.get(key)
        ci_text = f"{interval[0]:.3f}–{interval[1]:.3f}" if interval else ""
        out.append(f"| {label} | {_f(m.get(key))} | {ci_text} |")
    out += _goals_markdown(report)
    out += [
        "",
        "## Retrieval (article level, ours vs peer)",
        "",
        "| retriever | hit@1 | hit@5 | hit@10 | MRR@10 | passage recall | p50 ms | p95 ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, s in _retrieval_rows(report):
        out.append(
            f"| {name} | {_f(s['hit@1'])} | {_f(s['hit@5'])} | {_f(s.get('hit@10'))} | "
            f"{_f(s['mrr@10'])} | "
            f"{_f(s['passage_recall'])} | {_lat(s, 'p50')} | {_lat(s, 'p95')} |"
        )
    timing = report.get("timing") or {}
    if timing.get("load_avg_1m") is not None:
        out += [
            "",
            f"Latencies are wall-clock on {timing.get('cpus')} CPUs with a 1-minute load "
            f"average of {timing['load_avg_1m']} at the end of the run: compare them within "
            "a run, not across machines.",
        ]
    info = report["retrieval"].get("peer_info")
    if info:
        out += [
            "",
            f"Peer: {info['name']}, {info['splitter']}, {info['nodes']} nodes, "
            f"embedder {info['embedder']}.",
        ]
    if report.get("withheld"):
        out += [
            "",
            "## Questions about news no article covers",
            "",
            withheld.describe(report["withheld"]) + ".",
        ]
    out += [
        "",
        "## By question type",
        "",
        "| type | n | answer correct | refusal accuracy | hit@5 | failures |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for t, s in report["by_type"].items():
        out.append(
            f"| {t} | {s['n']} | {_f(s['answer_correct'])} | "
            f"{_f(s['refusal_accuracy'])} | {_f(s['hit@5'])} | {s['failures']} |"
        )
    mode = report["retrieval_mode"]
    out += [
        "",
        "## Questions",
        "",
        "| id | type | result | gold rank | answer | cited files |",
        "|---|---|---|---:|---|---|",
    ]
    for q in report["questions"]:
        result = "FAIL: " + "; ".join(q["reasons"]) if q["failure"] else "ok"
        cited = sorted({c["file"] for cl in q["claims"] for c in cl["citations"]})
        rank = _f(q["retrieval"][mode].get("gold_rank"), 0)
        out.append(
            f"| {q['id']} | {q['type']} | {_cell(result)} | {rank} | "
            f"{_cell(q['answer'] or '—')} | "
            f"{_cell(', '.join(cited), 80)} |"
        )
    fails = [q for q in report["questions"] if q["failure"]]
    if fails:
        out += ["", "## Failures in detail"]
    for q in fails:
        out += [
            "",
            f"### {q['id']} — {'; '.join(q['reasons'])}",
            "",
            f"- question: {_cell(q['question'], 400)}",
            f"- gold: {', '.join(q['answers']) or '(should refuse)'} in "
            f"{', '.join(q['gold_files']) or '—'}",
            f"- retrieved ({mode}): {', '.join(q['retrieval'][mode]['files'][:5]) or '—'}",
            f"- answer: {_cell(q['answer'], 600)}",
        ]
        for cl in q["claims"]:
            mark = "supported" if cl["supported"] else "NOT supported"
            where = ", ".join(
                f"[{c['id']}] {c['file']}:{c['start']}-{c['end']}" for c in cl["citations"]
            )
            out.append(f"  - claim ({mark}; {where}): {_cell(cl['text'], 300)}")
    return "\n".join(out) + "\n"


def write_chart(report: dict[str, Any], path: Path) -> None:
    """Retrieval metrics (ours per mode vs peer), answer/citation metrics, and latency."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    series = _retrieval_rows(report)
    # Metrics not measured on this set (None everywhere) are left out rather than drawn as 0.
    r_metrics = [
        (k, lab) for k, lab in RETRIEVAL_METRICS if any(s.get(k) is not None for _, s in series)
    ]
    a_metrics = [(k, lab) for k, lab in ANSWER_METRICS if report["metrics"].get(k) is not None]
    fig, axes = plt.subplots(1, 3, figsize=(17, 5), gridspec_kw={"width_ratios": [4, 4, 3]})
    ax = axes[0]
    width = 0.8 / max(1, len(series))
    for i, (name, s) in enumerate(series):
        xs = [j + i * width for j in range(len(r_metrics))]
        ax.bar(xs, [s.get(key) or 0.0 for key, _ in r_metrics], width, label=name)
    ax.set_xticks(
        [j + 0.4 - width / 2 for j in range(len(r_metrics))], [label for _, label in r_metrics]
    )
    # Retrieval's goals (evals/goals.py, the whole corpus only): a dashed target over the group.
    goal_of = {g["metric"]: g for g in report.get("goals", [])}
    aimed = [(j, goal_of[k]["target"]) for j, (k, _) in enumerate(r_metrics) if k in goal_of]
    for j, target in aimed:
        ax.hlines(target, j - width / 2, j + 0.8 - width / 2, colors="black", linestyles="--")
    if aimed:
        ax.plot([], [], "k--", label="goal")
    ax.set_ylim(0, 1.05)
    ax.set_title("Retrieval: ours vs peer")
    ax.legend(fontsize=8, loc="lower right")

    ax = axes[1]
    values = [report["metrics"][key] for key, _ in a_metrics]
    labels = [label for _, label in a_metrics]
    withheld_rate = (report.get("withheld") or {}).get("uncovered_refusal")
    if withheld_rate is not None:  # questions about news no article covers (evals/withheld.py)
        values.append(withheld_rate)
        labels.append("refused, gold withheld")
    # The set's goals (evals/goals.py): a dashed target over the bar, the bar red when missed.
    missed = [(goal_of.get(k) or {}).get("met") is False for k, _ in a_metrics]
    colors = ["tab:red" if m else "tab:green" for m in missed]
    bars = ax.bar(
        range(len(values)), values, color=colors + ["tab:green"] * (len(values) - len(colors))
    )
    ax.bar_label(bars, fmt="%.2f", fontsize=8)
    marked = [(j, goal_of[k]["target"]) for j, (k, _) in enumerate(a_metrics) if k in goal_of]
    for j, target in marked:
        ax.hlines(target, j - 0.45, j + 0.45, colors="black", linestyles="--", linewidth=1.2)
    if marked:
        ax.plot([], [], "k--", linewidth=1.2, label="goal (bar red: missed)")
        ax.legend(fontsize=8, loc="lower left")
    ax.set_xticks(range(len(values)), labels, rotation=25, ha="right", fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.set_title(
        f"Answers and citations ({report['generator']})"
        if values
        else "Answers: not run (--retrieval-only)"
    )

    ax = axes[2]
    names = [n for n, s in series if s.get("latency_ms")]
    p50 = [s["latency_ms"]["p50"] for _, s in series if s.get("latency_ms")]
    p95 = [s["latency_ms"]["p95"] for _, s in series if s.get("latency_ms")]
    ys = range(len(names))
    ax.barh([y + 0.2 for y in ys], p50, 0.4, label="p50")
    ax.barh([y - 0.2 for y in ys], p95, 0.4, label="p95")
    ax.set_yticks(list(ys), names, fontsize=8)
    ax.set_xlabel("search latency, ms (query embedding included)")
    ax.legend(fontsize=8)
    ax.set_title("Retrieval latency")
    fig.suptitle(f"Dossier eval: {report['set']} ({report['n_questions']} questions)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_reports(report: dict[str, Any], out_dir: Path) -> dict[str, Path]:
    """Write report.json, report.md and report.png into ``out_dir``; return their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {kind: out_dir / name for kind, name in FILES.items()}
    paths["json"].write_text(
        json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    paths["markdown"].write_text(to_markdown(report), encoding="utf-8")
    write_chart(report, paths["chart"])
    return paths


__all__ = ["FILES", "format_summary", "to_markdown", "write_chart", "write_reports"]
