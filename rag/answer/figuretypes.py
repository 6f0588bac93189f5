"""What kind of figure a word takes, learned from news text.

"How much will the recall cost?" wants a sum of money, "By how much did GDP fall?" a share, "How
much music can it hold?" a quantity — but "how much" alone allows any of them, so a sentence
that gives the number of vehicles recalled ("155,465 pickups") passes for an answer to what the
recall costs. News says which figures a word takes: "cost £2bn", "a price of £35", "fell 0.1%",
"holds 6GB". A figure's governor is the word it is the amount of: its head, through a
preposition ("fell by 0.1%", "a price of £35"; ``governor``). ``evals/fit_figure_types.py``
counts, over the fit halves' articles of the benchmark corpora, the figure labels each word
governs, and writes ``rag/answer/data/figure_types.json``: the counts and the two thresholds
(``min_count``, ``share``) chosen on the fit halves' gold questions. A word the table knows
with at least ``min_count`` figures is typed by the fewest labels that together hold ``share``
of them (``FigureTypes.labels``); the rest keep what the wh-word allows
(``rag/answer/analysis.py``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rag.answer.nlp import count_labels, parse

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

TABLE_FILE = Path(__file__).resolve().parent / "data" / "figure_types.json"
# The labels of figures a "how much" or "what <figure noun>" question may want (not dates).
FIGURE_LABELS = ("MONEY", "PERCENT", "QUANTITY", "CARDINAL")
_GOVERNORS = frozenset({"VERB", "NOUN", "ADJ"})
_MAX_CLIMB = 3


def governor(ent: Span) -> Token | None:
    """The word the figure ``ent`` is the amount of: its head outside the figure, through a
    preposition, a number's own modifiers or a unit written onto it ("fell by 0.1%" → "fall",
    "a price of £35" → "price", "cost $40m" → "cost", "a £2.5m budget" → "budget"); None when
    that is no verb, noun or adjective, or the figure is the sentence's root."""
    node = ent.root
    for _ in range(_MAX_CLIMB):
        head = node.head
        if head.i == node.i:
            return None  # the figure is the sentence's root
        glued = head.i == node.i + 1 and not node.whitespace_  # "$40m", "6GB": the figure's own
        if ent.start <= head.i < ent.end or glued or head.pos_ in ("ADP", "NUM", "SYM"):
            node = head
            continue
        # A word, not a sign the tagger took for one ("%", ".").
        word = head.pos_ in _GOVERNORS and any(c.isalpha() for c in head.text)
        return head if word else None
    return None


@dataclass(frozen=True)
class FigureTypes:
    counts: Mapping[str, Mapping[str, int]]  # lemma → figure label → figures it governs
    min_count: int  # fewer figures than this: the word does not type a question
    share: float  # the labels kept hold at least this share of the word's figures

    def labels(self, lemma: str) -> tuple[str, ...] | None:
        """The figure labels ``lemma`` takes, most frequent first (the fewest whose counts
        hold ``share`` of its figures), or None when it is seen governing too few."""
        per = {k: n for k, n in self.counts.get(lemma.lower(), {}).items() if n > 0}
        total = sum(per.values())
        if total < max(self.min_count, 1):
            return None
        kept: list[str] = []
        held = 0
        for label in sorted(per, key=lambda k: (-per[k], k)):
            kept.append(label)
            held += per[label]
            if held / total >= self.share:
                break
        return tuple(kept)


def answer_labels(passage: str, answer: str) -> frozenset[str]:
    """The figure labels the parse of ``passage`` gives the entities where it states ``answer``
    ("£2bn" in "would cost £2bn" → MONEY): how a gold answer is typed when the thresholds are
    chosen. Empty when ``passage`` does not hold it or no figure entity covers it."""
    at = passage.lower().find(answer.lower())
    if at < 0 or not answer:
        return frozenset()
    end = at + len(answer)
    doc = parse(passage)
    return frozenset(
        e.label_
        for e in doc.ents
        if e.label_ in FIGURE_LABELS and e.start_char < end and at < e.end_char
    )


@lru_cache(maxsize=4)
def load_table(path: Path = TABLE_FILE) -> FigureTypes | None:
    """The learned table, or None when none has been built."""
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return FigureTypes(data["counts"], int(data["min_count"]), float(data["share"]))


def count_texts(
    texts: Iterable[str], n_process: int = 1, on_text: Callable[[int], None] | None = None
) -> dict[str, dict[str, int]]:
    """For each word lemma, the labels of the figures it governs (``governor``) over ``texts``,
    counted; ``on_text``: called with the number of texts parsed so far."""
    return count_labels(texts, _governed, n_process, on_text)


def _governed(ent: Span) -> list[Token]:
    word = governor(ent) if ent.label_ in FIGURE_LABELS else None
    return [word] if word is not None else []


def write_table(
    counts: Mapping[str, Mapping[str, int]],
    min_count: int,
    share: float,
    about: Mapping[str, Any],
    path: Path = TABLE_FILE,
    keep_from: int = 2,
) -> None:
    """Write the table: the words seen governing at least ``keep_from`` figures and at least
    ``min_count`` (the rest could never type a question), the thresholds, and ``about``."""
    kept = {
        word: dict(sorted(per.items()))
        for word, per in sorted(counts.items())
        if sum(per.values()) >= max(keep_from, min_count, 1)
    }
    data = {**about, "min_count": min_count, "share": share, "counts": kept}
    path.write_text(json.dumps(data, indent=0, ensure_ascii=False) + "\n", encoding="utf-8")
    load_table.cache_clear()
