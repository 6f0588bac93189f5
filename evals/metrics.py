"""Metric functions for Dossier's evals: retrieval, citations, answers, refusals, intervals.

Pure functions over plain values: no I/O, no project imports, deterministic. The eval runner
turns `dossier search` / `dossier ask` output and a gold question file into the simple inputs
these functions take, and aggregates per-question values with `mean` (ignoring `None`) and the
interval helpers.

Conventions
-----------
* A function over an empty population whose value would be meaningless raises `ValueError`
  (e.g. `hit_at_k` for a question with no gold file: skip unanswerable questions instead of
  scoring them 0). Exceptions, documented where they occur, follow the metric's source:
  ALCE scores a response with no citations as precision 0, and an answer with no citations has
  an invalid-citation rate of 0.
* Retrieval metrics take the ranked list of *file names*. `dossier search` returns one entry per
  chunk, so the same file can occur several times; for the standard "is a gold article in the
  top k" question pass it through `dedupe_files` first (article-level ranking). Passing the raw
  chunk list instead measures "is a gold article among the first k chunks", a stricter number.
* Citation precision and recall follow ALCE (Gao et al. 2023, "Enabling Large Language Models
  to Generate Text with Citations", `eval.py: compute_autoais`); see `citation_scores`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass

from evals.stats import bootstrap_ci, wilson_interval

__all__ = [
    "CitationScores",
    "Claim",
    "ClaimLike",
    "RefusalScores",
    "SupportFn",
    "answer_correct",
    "bootstrap_ci",
    "choice_read",
    "citation_precision",
    "citation_recall",
    "citation_scores",
    "cited_gold_rate",
    "dedupe_files",
    "hit_at_k",
    "invalid_citation_rate",
    "mean",
    "mrr_at_k",
    "normalize_answer",
    "normalize_passage",
    "passage_recall",
    "recall_at_k",
    "refusal_accuracy",
    "refusal_scores",
    "short_answer_correct",
    "wilson_interval",
]

SupportFn = Callable[[str, Sequence[int]], bool]
"""`supports(claim_text, passage_ids)`: does the concatenation of these passages support the
claim? The verifier (an NLI model, the project's `rag/verify.py`, or a test fake)."""

# --------------------------------------------------------------------------- normalisation

_TYPOGRAPHY = str.maketrans(
    {
        # single quotes and primes -> '
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u0060": "'",
        "\u00b4": "'",
        # double quotes -> "
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        # hyphens, dashes and minus -> -
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
    }
)


def _collapse_whitespace(text: str) -> str:
    # str.split() with no argument splits on every Unicode whitespace, U+00A0 included.
    return " ".join(text.split())


def normalize_passage(text: str) -> str:
    """Normalise a passage for containment tests: typographic quotes and dashes mapped to
    ASCII, every run of whitespace (no-break spaces included) collapsed to one space, ends
    stripped. Case is kept: passages are compared as quoted text."""
    return _collapse_whitespace(text.translate(_TYPOGRAPHY))


def normalize_answer(text: str) -> str:
    """Normalise answer text for lenient matching: Unicode NFKC, case-folded, curly/straight
    quotes and hyphen/en dash/em dash/minus made equal, whitespace collapsed."""
    folded = unicodedata.normalize("NFKC", text).translate(_TYPOGRAPHY).casefold()
    return _collapse_whitespace(folded)


def _check_k(k: int) -> None:
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")


def _check_gold(gold: Collection[str]) -> None:
    if not gold:
        raise ValueError("no gold files: retrieval metrics are undefined for this question")


# --------------------------------------------------------------------------- retrieval


def dedupe_files(ranked: Iterable[str]) -> list[str]:
    """Drop repeated file names, keeping the first (best-ranked) occurrence of each.

    Turns the chunk-level ranking of `dossier search` into an article-level ranking; the eval
    runner should score `hit_at_k(dedupe_files(files), gold, k)` for "gold article in top k".
    """
    seen: set[str] = set()
    out: list[str] = []
    for name in ranked:
        if name not in seen:
            seen.add(name)
            out.append(name)
    return out


def hit_at_k(ranked_files: Sequence[str], gold: Collection[str], k: int) -> float:
    """1.0 if any of the first `k` entries of `ranked_files` is a gold file, else 0.0.

    Entries are taken as given (no de-duplication); see `dedupe_files` and the module notes.
    Raises `ValueError` when `gold` is empty or `k < 1`.
    """
    _check_k(k)
    _check_gold(gold)
    return 1.0 if any(name in gold for name in ranked_files[:k]) else 0.0


def mrr_at_k(ranked_files: Sequence[str], gold: Collection[str], k: int = 10) -> float:
    """Reciprocal rank (1-based) of the first gold file within the first `k` entries, 0.0 if
    none. Raises `ValueError` when `gold` is empty or `k < 1`."""
    _check_k(k)
    _check_gold(gold)
    for rank, name in enumerate(ranked_files[:k], start=1):
        if name in gold:
            return 1.0 / rank
    return 0.0


def recall_at_k(ranked_files: Sequence[str], gold: Collection[str], k: int) -> float:
    """Share of the distinct gold files found among the first `k` entries (for questions that
    need several articles, where `hit_at_k` is satisfied by one). Raises like `hit_at_k`."""
    _check_k(k)
    _check_gold(gold)
    wanted = set(gold)
    found = wanted.intersection(ranked_files[:k])
    return len(found) / len(wanted)


def passage_recall(retrieved_texts: Sequence[str], gold_passages: Sequence[str]) -> float:
    """Share of gold passages that lie wholly inside at least one retrieved chunk text.

    Both sides are compared after `normalize_passage` (whitespace collapsed, typographic
    quotes/dashes made ASCII; case kept). A gold passage split across two chunks does not
    count. Raises `ValueError` when `gold_passages` is empty.
    """
    if not gold_passages:
        raise ValueError("no gold passages: passage recall is undefined for this question")
    chunks = [normalize_passage(t) for t in retrieved_texts]
    found = 0
    for passage in gold_passages:
        needle = normalize_passage(passage)
        if any(needle in chunk for chunk in chunks):
            found += 1
    return found / len(gold_passages)


# --------------------------------------------------------------------------- citations (ALCE)


@dataclass(frozen=True)
class Claim:
    """One sentence (claim) of an answer and the ids of the passages it cites, in order."""

    text: str
    citations: tuple[int, ...] = ()


ClaimLike = Claim | tuple[str, Sequence[int]]


@dataclass(frozen=True)
class CitationScores:
    """ALCE citation recall and precision for one answer, with the per-claim detail.

    `supported[i]` says whether claim i's citations jointly support it; `precise[i][j]` whether
    the j-th citation of claim i is precise. `recall = n_supported / n_claims` (0.0 with no
    claims) and `precision = n_precise / n_citations` (0.0 with no citations, as in ALCE).
    `n_multi_cited` counts claims with more than one citation, and `n_overcited` the supported
    ones among them with at least one imprecise (unnecessary) citation.
    """

    recall: float
    precision: float
    supported: tuple[bool, ...]
    precise: tuple[tuple[bool, ...], ...]
    n_claims: int
    n_supported: int
    n_uncited: int
    n_citations: int
    n_precise: int
    n_multi_cited: int
    n_overcited: int


def _as_claim(claim: ClaimLike) -> Claim:
    if isinstance(claim, Claim):
        return claim
    text, ids = claim
    return Claim(text=text, citations=tuple(ids))


def citation_scores(claims: Sequence[ClaimLike], supports: SupportFn) -> CitationScores:
    """Score an answer's citations as ALCE does.

    Recall: a claim is supported when the concatenation of all the passages it cites supports
    it; a claim with no citation is unsupported.

    Precision, over every citation of every claim: a citation c of claim s is imprecise when
    (a) c alone does not support s and (b) the claim's other citations without c still support
    s. As in ALCE's `compute_autoais`:

    * a supported claim with a single citation: that citation is precise;
    * a supported claim with several citations: each citation is tested with (a) and (b);
    * an *unsupported* claim: all its citations are counted and all are imprecise (ALCE adds
      `joint_entail`, i.e. 0, to the precise count for such a sentence);
    * a claim with no citations adds nothing to the precision denominator.

    One difference: ALCE also marks a sentence citing an out-of-range id as unsupported and
    leaves its citations out of the denominator. Here `claims` carries only ids that resolved
    to a passage; count the others with `invalid_citation_rate`.

    `supports` is called at most once per distinct (claim text, id tuple). ALCE averages these
    per-answer scores over questions (macro); do the same with `mean`, skipping refusals.
    """
    cache: dict[tuple[str, tuple[int, ...]], bool] = {}

    def check(text: str, ids: tuple[int, ...]) -> bool:
        key = (text, ids)
        if key not in cache:
            cache[key] = bool(supports(text, ids))
        return cache[key]

    supported: list[bool] = []
    precise: list[tuple[bool, ...]] = []
    n_uncited = n_multi = n_over = 0
    for raw in claims:
        claim = _as_claim(raw)
        ids = claim.citations
        if not ids:
            n_uncited += 1
            supported.append(False)
            precise.append(())
            continue
        joint = check(claim.text, ids)
        supported.append(joint)
        if len(ids) > 1:
            n_multi += 1
        if not joint:
            flags = tuple(False for _ in ids)
        elif len(ids) == 1:
            flags = (True,)
        else:
            flag_list: list[bool] = []
            for j, cid in enumerate(ids):
                alone = check(claim.text, (cid,))
                rest = ids[:j] + ids[j + 1 :]
                flag_list.append(alone or not check(claim.text, rest))
            flags = tuple(flag_list)
            if not all(flags):
                n_over += 1
        precise.append(flags)

    n_claims = len(supported)
    n_supported = sum(supported)
    n_citations = sum(len(f) for f in precise)
    n_precise = sum(sum(f) for f in precise)
    return CitationScores(
        recall=n_supported / n_claims if n_claims else 0.0,
        precision=n_precise / n_citations if n_citations else 0.0,
        supported=tuple(supported),
        precise=tuple(precise),
        n_claims=n_claims,
        n_supported=n_supported,
        n_uncited=n_uncited,
        n_citations=n_citations,
        n_precise=n_precise,
        n_multi_cited=n_multi,
        n_overcited=n_over,
    )


def citation_recall(claims: Sequence[ClaimLike], supports: SupportFn) -> float:
    """ALCE citation recall: share of claims jointly supported by their citations (uncited
    claims count as unsupported; 0.0 with no claims). See `citation_scores`."""
    return citation_scores(claims, supports).recall


def citation_precision(claims: Sequence[ClaimLike], supports: SupportFn) -> float:
    """ALCE citation precision: share of all citations that are precise (citations of
    unsupported claims are imprecise; 0.0 with no citations). See `citation_scores`."""
    return citation_scores(claims, supports).precision


def cited_gold_rate(cited_texts: Sequence[str], gold_passages: Sequence[str]) -> float:
    """Gold-based citation check: share of citations whose cited passage contains at least
    one gold passage (after `normalize_passage`).

    0.0 when there are no citations (skip refused answers in aggregates) and 0.0 when there
    are no gold passages (every citation of an unanswerable question misses). Pass the cited
    chunk text; a quote shorter than the gold sentence does not contain it.
    """
    if not cited_texts:
        return 0.0
    golds = [normalize_passage(g) for g in gold_passages]
    hits = 0
    for text in cited_texts:
        hay = normalize_passage(text)
        if any(g in hay for g in golds):
            hits += 1
    return hits / len(cited_texts)


def invalid_citation_rate(n_invalid: int, n_total: int) -> float:
    """Share of citation ids that resolved to no passage: `n_invalid / n_total`, where
    `n_total` counts every id the answer emitted (valid and invalid). 0.0 with no citations."""
    if n_invalid < 0 or n_total < 0:
        raise ValueError("counts must not be negative")
    if n_invalid > n_total:
        raise ValueError(f"n_invalid ({n_invalid}) exceeds n_total ({n_total})")
    return n_invalid / n_total if n_total else 0.0


# --------------------------------------------------------------------------- answers


def answer_correct(answer_text: str, answers: Sequence[str], answers_any: bool) -> bool:
    """Whether `answer_text` contains the gold answer strings (after `normalize_answer`:
    case-insensitive, whitespace collapsed, curly/straight quotes and hyphen/dashes equal).

    `answers_any=True`: any one string suffices (alternative spellings of one value);
    `answers_any=False`: all must appear (multi-part and conflict questions). Raises
    `ValueError` for an empty `answers` (unanswerable questions are scored by refusal).
    """
    if not answers:
        raise ValueError("no gold answers: score unanswerable questions with refusal metrics")
    hay = normalize_answer(answer_text)
    found = (normalize_answer(a) in hay for a in answers)
    return any(found) if answers_any else all(found)


@dataclass(frozen=True)
class RefusalScores:
    """Refusal as a binary classifier; "positive" means refused.

    `precision`: of the refusals, the share that should have refused (None with no refusals).
    `recall`: of the questions that should be refused, the share refused (None with none).
    `f1`: their harmonic mean (None when either is None; 0.0 when both are 0).
    """

    accuracy: float
    precision: float | None
    recall: float | None
    f1: float | None
    true_refusals: int
    false_refusals: int
    missed_refusals: int
    true_answers: int


def refusal_scores(records: Sequence[tuple[bool, bool]]) -> RefusalScores:
    """Score `(should_refuse, did_refuse)` pairs. Raises `ValueError` when empty."""
    if not records:
        raise ValueError("no records")
    tp = sum(1 for should, did in records if should and did)
    fp = sum(1 for should, did in records if not should and did)
    fn = sum(1 for should, did in records if should and not did)
    tn = sum(1 for should, did in records if not should and not did)
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    f1: float | None
    if precision is None or recall is None:
        f1 = None
    elif precision + recall == 0:
        f1 = 0.0
    else:
        f1 = 2 * precision * recall / (precision + recall)
    return RefusalScores(
        accuracy=(tp + tn) / len(records),
        precision=precision,
        recall=recall,
        f1=f1,
        true_refusals=tp,
        false_refusals=fp,
        missed_refusals=fn,
        true_answers=tn,
    )


def refusal_accuracy(records: Sequence[tuple[bool, bool]]) -> float:
    """Share of `(should_refuse, did_refuse)` pairs that agree. Raises `ValueError` when
    empty."""
    return refusal_scores(records).accuracy


# --------------------------------------------------------------------------- aggregation
# Confidence intervals: ``evals.stats`` (wilson_interval, bootstrap_ci).


def mean(values: Iterable[float | bool | None]) -> float | None:
    """Arithmetic mean ignoring `None` (questions a metric does not apply to); None when no
    value is left. Booleans count as 1/0."""
    kept = [float(v) for v in values if v is not None]
    return sum(kept) / len(kept) if kept else None


def short_answer_correct(short: str, answers: Sequence[str], answers_any: bool = False) -> bool:
    """Is a short answer right: it holds the gold answer(s) (as ``answer_correct``) and is short —
    at most three times the gold answers' length plus a few characters, so a whole sentence does
    not count as a short answer."""
    if not answers or not short.strip():
        return False
    gold = sum(len(normalize_answer(a)) for a in answers)
    if len(normalize_answer(short)) > 3 * gold + 12:
        return False
    return answer_correct(short, answers, answers_any)


def choice_read(answer: str, choices: Sequence[str], correct: Collection[int]) -> bool:
    """Multiple-choice reading of a free answer: the text of a correct choice is in it and the
    text of no wrong choice is (a choice contained in a correct one is not counted as wrong)."""
    right = [choices[i] for i in correct if 0 <= i < len(choices)]
    if not right or not any(answer_correct(answer, [c], True) for c in right):
        return False
    norm_right = [normalize_answer(c) for c in right]
    for i, c in enumerate(choices):
        if i in correct:
            continue
        n = normalize_answer(c)
        if n and not any(n in r for r in norm_right) and answer_correct(answer, [c], True):
            return False
    return True
