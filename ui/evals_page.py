"""Evals: run a gold question set against the index and show what the evals measure — answer
correctness, refusals, citation precision and recall, retrieval — and every failing question."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from rag import Answer, Dossier
from ui import state
from ui.components import generator_label, md_escape, show_error

REPORT = "eval_report"
SHOWN = (
    "answer_correct",
    "refusal_accuracy",
    "citation_precision",
    "citation_recall",
    "cited_gold_rate",
    "hit@1",
    "hit@5",
    "mrr@10",
    "passage_recall",
)


def sets_dir() -> Path:
    import evals

    return Path(evals.__file__).resolve().parent / "data"


def gold_sets() -> dict[str, Path]:
    return {p.stem: p for p in sorted(sets_dir().glob("*.jsonl"))}


class _Counting:
    """The Dossier as the runner sees it, reporting each answered question to a progress bar."""

    def __init__(self, d: Dossier, total: int, tick: Callable[[int, int], None]) -> None:
        self._d = d
        self.settings = d.settings
        self.embedder = d.embedder
        self.total = total
        self.done = 0
        self._tick = tick

    def search(
        self, query: str, k: int | None = None, filters: Any = None, mode: str | None = None
    ) -> list[Any]:
        return self._d.search(query, k=k, filters=filters, mode=mode)

    def ask(
        self,
        question: str,
        history: Sequence[str] = (),
        filters: Any = None,
        on_text: Any = None,
        generator: str | None = None,
    ) -> Answer:
        answer = self._d.ask(question, history, filters, on_text, generator)
        self.done += 1
        self._tick(self.done, self.total)
        return answer

    def article(self, file: str) -> tuple[str, dict[str, Any]] | None:
        return self._d.article(file)


def run(d: Dossier, path: Path, generator: str, limit: int | None = None) -> dict[str, Any] | None:
    from evals.runner import load_gold, run_eval

    questions = load_gold(path, limit=limit)
    bar = st.progress(0.0, text=f"Evaluating {len(questions)} questions …")

    def tick(done: int, total: int) -> None:
        bar.progress(done / total, text=f"Question {done}/{total}")

    try:
        report = run_eval(
            _Counting(d, len(questions), tick),
            questions,  # type: ignore[arg-type]
            set_name=path.stem,
            generator=generator,
        )
    except Exception as exc:
        bar.empty()
        show_error(exc)
        return None
    bar.progress(1.0, text=f"Evaluated {len(questions)} questions")
    from evals import goals

    goals.annotate(report)
    return report


def metrics_chart(report: dict[str, Any]) -> alt.Chart:
    rows = []
    for name in SHOWN:
        value = report["metrics"].get(name)
        if value is None:
            continue
        lo, hi = report.get("ci95", {}).get(name) or [value, value]
        rows.append({"metric": name, "value": value, "low": lo, "high": hi})
    base = alt.Chart(pd.DataFrame(rows)).encode(
        y=alt.Y(
            "metric:N", sort=None, title=None, axis=alt.Axis(labelOverlap=False, labelLimit=200)
        )
    )
    bars = base.mark_bar(color="#4c78a8").encode(
        x=alt.X("value:Q", scale=alt.Scale(domain=[0, 1]), title="score (95% CI)"),
        tooltip=[
            alt.Tooltip("metric:N"),
            alt.Tooltip("value:Q", format=".3f"),
            alt.Tooltip("low:Q", format=".3f"),
            alt.Tooltip("high:Q", format=".3f"),
        ],
    )
    ci = base.mark_rule(color="#222").encode(x="low:Q", x2="high:Q")
    return (bars + ci).properties(height=34 * len(rows))


def modes_chart(report: dict[str, Any]) -> alt.Chart | None:
    ours = report.get("retrieval", {}).get("ours", {})
    rows = [
        {"mode": mode, "metric": m, "value": s.get(m)}
        for mode, s in ours.items()
        for m in ("hit@1", "hit@5", "mrr@10")
        if s.get(m) is not None
    ]
    if not rows:
        return None
    return (
        alt.Chart(pd.DataFrame(rows))
        .mark_bar()
        .encode(
            x=alt.X("mode:N", title=None),
            y=alt.Y("value:Q", scale=alt.Scale(domain=[0, 1])),
            color="mode:N",
            column=alt.Column("metric:N", title=None),
            tooltip=["mode:N", "metric:N", alt.Tooltip("value:Q", format=".3f")],
        )
        .properties(width=140, height=180)
    )


def download(report: dict[str, Any]) -> None:
    import json

    from evals.report import to_markdown

    c1, c2 = st.columns(2)
    c1.download_button(
        "Download report (Markdown)",
        to_markdown(report),
        file_name=f"eval-{report['set']}.md",
        mime="text/markdown",
        key="eval_md",
        on_click="ignore",
        icon=":material/download:",
    )
    c2.download_button(
        "Download report (JSON)",
        json.dumps(report, indent=2, default=str),
        file_name=f"eval-{report['set']}.json",
        mime="application/json",
        key="eval_json",
        on_click="ignore",
        icon=":material/data_object:",
    )


def show_report(report: dict[str, Any]) -> None:
    m = report["metrics"]
    st.caption(
        f"Set **{md_escape(report['set'])}** · {report['n_questions']} questions · generator "
        f"{md_escape(generator_label(report['generator']))} · retrieval {report['retrieval_mode']}"
        f" · {report.get('timing', {}).get('questions_s', '?')} s"
    )
    cols = st.columns(4)
    for col, name in zip(
        cols,
        ("answer_correct", "refusal_accuracy", "citation_precision", "citation_recall"),
        strict=True,
    ):
        value = m.get(name)
        col.metric(name.replace("_", " "), "–" if value is None else f"{value:.2f}")
    st.altair_chart(metrics_chart(report), width="stretch")
    chart = modes_chart(report)
    if chart is not None:
        st.markdown("**Retrieval by mode**")
        st.altair_chart(chart)
    if report.get("goals"):
        from evals.goals import fails_text, result_text

        st.markdown("**Goals**")
        st.dataframe(
            [
                {
                    "goal": g["label"],
                    "target": g["target"],
                    "measured": g["measured"],
                    "result": result_text(g),
                }
                for g in report["goals"]
            ],
            hide_index=True,
            key="eval_goals",
        )
        if report.get("what_fails"):
            st.caption(f"What fails: {fails_text(report['what_fails'])}")
    if report.get("by_type"):
        st.markdown("**By question type**")
        st.dataframe([{"type": t, **v} for t, v in report["by_type"].items()], hide_index=True)
    download(report)
    failing = [q for q in report.get("questions", []) if q.get("failure")]
    st.markdown(f"**Failing questions ({len(failing)})**")
    if failing:
        st.dataframe(
            [
                {
                    "id": q["id"],
                    "type": q["type"],
                    "question": q["question"],
                    "why": "; ".join(q["reasons"]),
                    "answer": q["answer"],
                    "expected": ", ".join(q.get("answers") or []),
                }
                for q in failing
            ],
            hide_index=True,
            width="stretch",
            key="eval_failures",
        )
    else:
        st.success("Every question passed.")


def render() -> None:
    d = state.dossier()
    st.title("Evals")
    st.caption("Ask a gold question set of the index and score the answers and their citations.")
    sets = gold_sets()
    if not sets:
        st.warning(f"No gold question sets found in {sets_dir()}.")
        return
    status = state.index_status(d)
    if not status or not status.get("articles"):
        st.info("Index the sample corpus first (Chat or Library page).")
        return
    name = st.selectbox("Question set", list(sets), key="eval_set")
    choices = ["extractive", "llm"] if d.llm is not None else ["extractive"]
    generator = st.radio(
        "Generator", choices, horizontal=True, key="eval_generator", format_func=generator_label
    )
    if name == "sample":
        indexed = {f["file"] for f in status["files"]}
        from evals.runner import load_gold

        gold = {f for q in load_gold(sets[name]) for f in q.gold_files}
        missing = sorted(gold - indexed)
        if missing:
            st.warning(
                f"{len(missing)} gold article(s) of this set are not in the index "
                "(index the sample corpus for meaningful numbers)."
            )
    if st.button("Run the eval", type="primary", key="eval_run", icon=":material/play_arrow:"):
        report = run(d, sets[name], generator)
        if report is not None:
            st.session_state[REPORT] = report
    if st.session_state.get(REPORT):
        show_report(st.session_state[REPORT])


if __name__ == "__main__":
    render()
