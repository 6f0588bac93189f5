"""Cleaning report on real scrapes: RealTime QA (CNN, USA Today, The Week) and BBC News.

``python -m evals.bench_clean [--json]`` cleans every article of ``../shared/bench`` three ways —
not at all (the raw text), with the line rules and shapes only, and with the rules plus the
boilerplate each outlet's own articles teach (``index.boilerplate``, learned over the whole
corpus as an ingest of that folder would) — and prints, per split (*fit*: doc_ids whose last hex
digit is even, on which the rules and thresholds were fitted; *val*: the odd ones, held out):

* per pattern family, how many articles carry it (a *probe*: a broad regular expression written
  independently of the rules, so it also counts what the rules miss);
* how much body text cleaning removed (lines, words) per outlet, and every BBC line removed;
* precision and recall of removed lines on the 40 hand-labelled articles of
  ``evals/data/clean_gold/`` (line spans only; the articles stay in the bench folder);
* how learning grows with the folder: CNN and USA Today validation articles cleaned with
  statistics from their outlet's first 1, 10, 50, 200 and all articles.

The bench data is found as the RealTime QA eval finds it (``evals.realtimeqa.find_bench``); when
it is absent the report says so and exits 0. Nothing is written.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evals.realtimeqa import BenchMissing, find_bench, outlet_from_url
from rag import BoilerplateStats, CleanResult, clean_article
from rag import learn_boilerplate as learn

GOLD_DIR = Path(__file__).resolve().parent / "data" / "clean_gold"
BBC_FILE = Path("bbc") / "bbc.jsonl.gz"
MODES = ("raw", "rules", "learned")
CURVE = (1, 10, 50, 200)

_I = re.IGNORECASE
PROBES: dict[str, re.Pattern[str]] = {
    "video promo": re.compile(
        r"JUST WATCHED|MUST WATCH|Replay More Videos|Video Ad Feedback|\d:\d\d\s*[-–—]\s*Source:"
    ),
    "read more": re.compile(r"^[\W_]*read more[\W_]*$", _I),
    # the call to sign up and the newsletter within a few words of each other: body prose that
    # mentions subscribing and, sentences later, newsletters is not a promo
    "newsletter promo": re.compile(
        r"\b(?:sign up|subscribe)\b.{0,60}\bnewsletters?\b"
        r"|\bnewsletters?\b.{0,60}\b(?:sign up|subscribe|inbox)\b",
        _I,
    ),
    "hide caption": re.compile(r"\b(?:hide|show) caption\b", _I),
    "photo credit": re.compile(
        # "credit:" / "photo:" naming someone ("the credit: $1,800" in a tax story does not)
        r"getty images|/(?:AP|Reuters|AFP|EPA)\)?$|\((?:AP )?photo\b"
        r"|\b(?:photo|credit):\s?(?-i:[A-Z])",
        _I,
    ),
    "share/follow": re.compile(
        r"^(?:follow|share|connect with|like us|join us)\b"
        r"|\bfollow (?:him|her|them|us|me) (?:on|at)\b",
        _I,
    ),
    "media timestamp": re.compile(r"(?<![\d:])\d{1,2}:\d\d(?:\s*[-–—]\s*Source:.*)?$", _I),
}
"""Per family, a regular expression searched in each stripped line (written apart from the
rules, to count what they miss as well as what they catch)."""


@dataclass(frozen=True)
class Doc:
    doc_id: str
    corpus: str
    outlet: str
    text: str

    @property
    def split(self) -> str:
        return split_of(self.doc_id)


def split_of(doc_id: str) -> str:
    """``fit`` when the doc_id's last hex digit is even, else ``val``."""
    last = doc_id.strip()[-1:]
    try:
        return "fit" if int(last, 16) % 2 == 0 else "val"
    except ValueError:
        return "fit"


def _jsonl_gz(path: Path) -> Iterator[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def load_docs(bench: Path) -> list[Doc]:
    """RealTime QA articles (outlet from the URL), then BBC ones when present."""
    docs = [
        Doc(
            str(d["doc_id"]),
            "realtimeqa",
            outlet_from_url(str(d.get("url") or "")) or "?",
            str(d.get("text") or ""),
        )
        for d in _jsonl_gz(bench / "corpus.jsonl.gz")
    ]
    bbc = bench.parent / BBC_FILE
    if bbc.is_file():
        docs += [Doc(str(d["doc_id"]), "bbc", "BBC", str(d["text"])) for d in _jsonl_gz(bbc)]
    return docs


# --- metrics --------------------------------------------------------------------------------------


def nonempty(text: str) -> list[int]:
    """Input line numbers that hold any text."""
    return [i for i, ln in enumerate(text.split("\n")) if ln.strip()]


def families(lines: Iterable[str]) -> set[str]:
    """The probe families any of ``lines`` carries."""
    found: set[str] = set()
    for line in lines:
        s = line.strip()
        found.update(name for name, p in PROBES.items() if s and p.search(s))
    return found


@dataclass
class PR:
    """Counts of removed lines against a gold set."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, predicted: set[int], gold: set[int]) -> None:
        self.tp += len(predicted & gold)
        self.fp += len(predicted - gold)
        self.fn += len(gold - predicted)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


@dataclass(frozen=True)
class GoldDoc:
    doc_id: str
    sha256: str
    chrome: dict[int, str]
    """Line number → kind, for every non-empty line labelled chrome."""


def gold_lines(text: str, spans: Iterable[Iterable[Any]]) -> dict[int, str]:
    """Non-empty lines inside ``[first, last, kind]`` spans, with their kind."""
    lines = text.split("\n")
    out: dict[int, str] = {}
    for first, last, kind in spans:
        for i in range(int(first), int(last) + 1):
            if i < len(lines) and lines[i].strip():
                out[i] = str(kind)
    return out


def load_gold(folder: Path = GOLD_DIR) -> dict[str, list[dict[str, Any]]]:
    """The raw gold records per corpus file stem."""
    out: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(folder.glob("*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            out[path.stem] = [json.loads(ln) for ln in fh if ln.strip()]
    return out


def text_sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass
class GoldReport:
    pr: PR = field(default_factory=PR)
    by_kind: Counter[str] = field(default_factory=Counter)
    missed_kind: Counter[str] = field(default_factory=Counter)
    errors: list[tuple[str, int, str, str]] = field(default_factory=list)
    """(doc_id, line, "missed <kind>" | "wrong <rule>", line text) for each mistake."""
    stale: list[str] = field(default_factory=list)


def score_gold(
    records: Iterable[Mapping[str, Any]],
    docs: Mapping[str, Doc],
    results: Mapping[str, CleanResult],
) -> GoldReport:
    """Precision and recall of removed lines over the labelled articles."""
    rep = GoldReport()
    for rec in records:
        doc = docs.get(str(rec["doc_id"]))
        if doc is None or text_sha(doc.text) != rec["sha256"]:
            rep.stale.append(str(rec["doc_id"]))
            continue
        gold = gold_lines(doc.text, rec["chrome"])
        removed = results[doc.doc_id].removed_lines()
        lines = doc.text.split("\n")
        predicted = set(removed)
        rep.pr.add(predicted, set(gold))
        rep.by_kind.update(gold.values())
        for i in sorted(set(gold) - predicted):
            rep.missed_kind[gold[i]] += 1
            rep.errors.append((doc.doc_id, i, f"missed {gold[i]}", lines[i].strip()))
        for i in sorted(predicted - set(gold)):
            rep.errors.append((doc.doc_id, i, f"wrong {removed[i]}", lines[i].strip()))
    return rep


# --- the report -----------------------------------------------------------------------------------

Results = dict[str, dict[str, CleanResult]]
"""Mode ("rules", "learned") → doc_id → result."""


def clean_all(docs: list[Doc], stats: BoilerplateStats | None) -> dict[str, CleanResult]:
    return {d.doc_id: clean_article(d.text, outlet=d.outlet, stats=stats) for d in docs}


def kept_lines(doc: Doc, result: CleanResult | None) -> list[str]:
    lines = doc.text.split("\n")
    return lines if result is None else [lines[i] for i in result.kept]


def _pct(a: int, b: int) -> str:
    return f"{100 * a / b:5.1f}%" if b else "   - "


def family_table(docs: list[Doc], results: Results, out: list[str]) -> dict[str, Any]:
    """Articles carrying each probe family, raw → rules → learned, per corpus and split."""
    data: dict[str, Any] = {}
    for corpus in sorted({d.corpus for d in docs}, reverse=True):
        sel = [d for d in docs if d.corpus == corpus]
        fam: dict[str, dict[str, list[int]]] = {name: {} for name in PROBES}
        for split in ("fit", "val"):
            part = [d for d in sel if d.split == split]
            for mode in MODES:
                c: Counter[str] = Counter()
                for d in part:
                    c.update(
                        families(kept_lines(d, results[mode][d.doc_id] if mode != "raw" else None))
                    )
                for name in PROBES:
                    fam[name].setdefault(split, []).append(c[name])
        n = Counter(d.split for d in sel)
        out.append(
            f"\n== {corpus}: articles carrying each pattern family, raw → rules → learned "
            f"(fit {n['fit']}, val {n['val']} articles)"
        )
        for name in PROBES:
            cells = ["{:>5} → {:>4} → {:>4}".format(*fam[name][s]) for s in ("fit", "val")]
            out.append(f"   {name:17} fit {cells[0]}    val {cells[1]}")
        data[corpus] = fam
    return data


def removed_table(docs: list[Doc], results: Results, out: list[str]) -> dict[str, Any]:
    """Share of non-empty lines and of words removed, per outlet and split."""
    out.append("\n== body text removed: share of non-empty lines / of words, rules → learned")
    data: dict[str, Any] = {}
    for outlet in sorted({d.outlet for d in docs}):
        for split in ("fit", "val"):
            part = [d for d in docs if d.outlet == outlet and d.split == split]
            if not part:
                continue
            n_lines = sum(len(nonempty(d.text)) for d in part)
            n_words = sum(len(d.text.split()) for d in part)
            row: dict[str, Any] = {"articles": len(part), "lines": n_lines, "words": n_words}
            for mode in ("rules", "learned"):
                gone = [(d, i) for d in part for i in results[mode][d.doc_id].removed_lines()]
                words = sum(len(d.text.split("\n")[i].split()) for d, i in gone)
                row[mode] = {"lines": len(gone), "words": words}
            data[f"{outlet}/{split}"] = row
            out.append(
                f"   {outlet:10} {split} {len(part):5} articles   lines "
                f"{_pct(row['rules']['lines'], n_lines)} → {_pct(row['learned']['lines'], n_lines)}"
                f"   words {_pct(row['rules']['words'], n_words)} → "
                f"{_pct(row['learned']['words'], n_words)}"
            )
    return data


def bbc_losses(docs: list[Doc], results: Results, out: list[str]) -> dict[str, int]:
    """Every BBC line removed (the corpus is clean body text), by rule."""
    by_rule: Counter[str] = Counter()
    shown: list[str] = []
    for d in docs:
        if d.corpus != "bbc":
            continue
        lines = d.text.split("\n")
        for i, rule in sorted(results["learned"][d.doc_id].removed_lines().items()):
            by_rule[rule.split(":")[0]] += 1
            shown.append(f"   {d.doc_id}:{i} [{rule}] {lines[i].strip()[:90]}")
    if any(d.corpus == "bbc" for d in docs):
        out.append(f"\n== BBC lines removed: {sum(by_rule.values())} {dict(by_rule)}")
        out.extend(shown[:40])
    return dict(by_rule)


def gold_table(docs: list[Doc], results: Results, out: list[str]) -> dict[str, Any]:
    """Removed-line precision and recall on the hand-checked articles."""
    by_id = {d.doc_id: d for d in docs}
    data: dict[str, Any] = {}
    for name, records in load_gold().items():
        for mode in ("rules", "learned"):
            rep = score_gold(records, by_id, results[mode])
            data[f"{name}/{mode}"] = {
                "articles": len(records) - len(rep.stale),
                "tp": rep.pr.tp,
                "fp": rep.pr.fp,
                "fn": rep.pr.fn,
                "precision": round(rep.pr.precision, 4),
                "recall": round(rep.pr.recall, 4),
                "missed_by_kind": dict(rep.missed_kind),
                "stale": rep.stale,
            }
            out.append(
                f"\n== gold {name} ({len(records)} hand-checked articles, {mode}): removed-line "
                f"precision {rep.pr.precision:.3f}, recall {rep.pr.recall:.3f} "
                f"(tp {rep.pr.tp}, fp {rep.pr.fp}, fn {rep.pr.fn})"
            )
            if rep.stale:
                out.append(f"   stale or missing: {rep.stale}")
            if mode == "learned":
                kinds = sorted(rep.by_kind.items())
                out.append(
                    "   chrome lines missed per kind: "
                    + (", ".join(f"{k} {rep.missed_kind[k]}/{n}" for k, n in kinds) or "-")
                )
                out.extend(f"   {d}:{i} {what}: {text[:90]}" for d, i, what, text in rep.errors)
    return data


def learning_curve(docs: list[Doc], out: list[str]) -> dict[str, dict[str, int]]:
    """Lines of validation articles removed as learned chrome, with statistics from the first
    k articles of their outlet (sorted by doc_id)."""
    out.append(
        "\n== learning curve: lines of validation articles removed as learned boilerplate, with "
        "statistics from the outlet's first k articles"
    )
    curve: dict[str, dict[str, int]] = {}
    for outlet in ("CNN", "USA Today"):
        own = sorted((d for d in docs if d.outlet == outlet), key=lambda d: d.doc_id)
        val = [d for d in own if d.split == "val"]
        if not val:
            continue
        row: dict[str, int] = {}
        for k in (*CURVE, len(own)):
            st = learn((d.doc_id, d.outlet, d.text) for d in own[:k])
            row[str(k)] = sum(
                r.startswith("repeated")
                for d in val
                for r in clean_article(d.text, d.outlet, st).removed_lines().values()
            )
        curve[outlet] = row
        out.append(f"   {outlet:10} " + "  ".join(f"k={k}: {n}" for k, n in row.items()))
    return curve


def report(docs: list[Doc], out: list[str]) -> dict[str, Any]:
    """All figures (returned, and as lines appended to ``out``)."""
    t0 = time.perf_counter()
    stats = learn((d.doc_id, d.outlet, d.text) for d in docs)
    t_learn = time.perf_counter() - t0
    results: Results = {"rules": clean_all(docs, None), "learned": clean_all(docs, stats)}
    t_clean = time.perf_counter() - t0 - t_learn
    out.append(f"{len(docs)} articles; outlets {dict(Counter(d.outlet for d in docs))}")
    out.append(
        f"statistics learned over all articles in {t_learn:.1f}s; cleaned twice (rules, "
        f"rules + learned) in {t_clean:.1f}s ({1000 * t_clean / max(1, 2 * len(docs)):.1f} ms "
        "an article)"
    )
    data: dict[str, Any] = {
        "articles": len(docs),
        "families": family_table(docs, results, out),
        "removed": removed_table(docs, results, out),
        "bbc_removed": bbc_losses(docs, results, out),
        "gold": gold_table(docs, results, out),
        "curve": learning_curve(docs, out),
    }
    data["seconds"] = round(time.perf_counter() - t0, 1)
    out.append(f"\nbench_clean took {data['seconds']}s")
    return data


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m evals.bench_clean", description=__doc__)
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = ap.parse_args(argv)
    try:
        bench = find_bench()
    except BenchMissing as exc:
        print(f"{exc} (bench_clean skipped)")
        return 0
    lines: list[str] = []
    data = report(load_docs(bench), lines)
    print(json.dumps(data, indent=1) if args.json else "\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
