"""What kind of name a common noun stands for, learned from news text.

"Which attorney…" wants a person and "Which firm…" an organisation, but the words alone do not
say so to the embedder: compared with spaCy's glossary of its labels ("People, including
fictional"; "Countries, cities, states"), "movie" resembles PERSON and "official" GPE. News says
it plainly, though: "attorney Gloria Allred", "the retailer, Walmart", "Walmart, the retailer" —
a common noun set before a name or in apposition to it is what that name is (``isa_nouns``).
``evals/fit_noun_types.py`` counts, over the fit halves' articles of the benchmark corpora, the
entity labels each noun stands beside this way, and writes ``rag/answer/data/noun_types.json``:
the counts and the two thresholds (``min_count``, ``min_share``) chosen on the fit halves' gold
``wanted`` labels. A focus noun the table knows, with one kind of name holding at least
``min_share`` of its votes, is typed by it (``noun_kind``; a noun that names works, products
or events is of no typed kind); the rest are left to the glossary (``rag/answer/analysis.py``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rag.answer.nlp import NUMERIC_LABELS, count_labels

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

TABLE_FILE = Path(__file__).resolve().parent / "data" / "noun_types.json"
# The kinds of name a question can ask for, by their entity labels (``analysis.KINDS`` adds the
# dates and figures); the other labels (works, products, events, nationalities…) are names of no
# typed kind ("other").
NAME_KINDS: dict[str, tuple[str, ...]] = {
    "person": ("PERSON",),
    "place": ("GPE", "LOC", "FAC"),
    "org": ("ORG",),
}
LABEL_KINDS = {label: kind for kind, labels in NAME_KINDS.items() for label in labels}
# Figures and dates are not names: a noun beside one says nothing about what it names.
NOT_NAMES = NUMERIC_LABELS | {"LANGUAGE"}
_MODIFIERS = frozenset({"compound", "nmod", "amod"})


def isa_nouns(ent: Span) -> list[Token]:
    """The common nouns that say what the name ``ent`` is: one modifying it from just before
    ("singer Adele", "IT firm Dimension Data": "firm"), in apposition to it ("Walmart, the
    retailer") or it in apposition to them ("the retailer, Walmart"). Not a noun it modifies
    ("US officials" do not make the US an official)."""
    doc, root = ent.doc, ent.root
    found = [
        t
        for t in doc[max(0, ent.start - 2) : ent.start]
        if t.dep_ in _MODIFIERS and ent.start <= t.head.i < ent.end
    ]
    found += [t for t in root.children if t.dep_ == "appos"]
    if root.dep_ == "appos":
        found.append(root.head)
    out: list[Token] = []
    for t in found:
        if t.pos_ == "NOUN" and not (ent.start <= t.i < ent.end) and t not in out:
            out.append(t)
    return out


@dataclass(frozen=True)
class NounTypes:
    counts: Mapping[str, Mapping[str, int]]  # noun lemma → entity label → times seen beside it
    min_count: int  # fewer votes than this: the noun is left to the glossary
    min_share: float  # the winning kind's share of the votes needed to type the noun

    def kind(self, lemma: str) -> str | None:
        """The kind of name ``lemma`` stands for ("person", "org", "place", or "other": names of
        no typed kind), or None when the table does not know it well enough to say."""
        votes: dict[str, int] = {}
        for label, n in self.counts.get(lemma.lower(), {}).items():
            k = LABEL_KINDS.get(label, "other")
            votes[k] = votes.get(k, 0) + n
        total = sum(votes.values())
        if total < self.min_count or total == 0:
            return None
        best = max(sorted(votes), key=lambda k: votes[k])
        return best if votes[best] / total >= self.min_share else None


@lru_cache(maxsize=4)
def load_table(path: Path = TABLE_FILE) -> NounTypes | None:
    """The learned table, or None when none has been built."""
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return NounTypes(data["counts"], int(data["min_count"]), float(data["min_share"]))


def noun_kind(lemma: str, table: NounTypes | None = None) -> str | None:
    """The kind of name the common noun ``lemma`` stands for, by the learned table (None: not
    known well enough, or no table)."""
    table = table if table is not None else load_table()
    return table.kind(lemma) if table is not None else None


def count_texts(
    texts: Iterable[str], n_process: int = 1, on_text: Callable[[int], None] | None = None
) -> dict[str, dict[str, int]]:
    """For each common noun lemma, the entity labels of the names it says what they are
    (``isa_nouns``) over ``texts``, counted (``evals/fit_noun_types.py``); ``on_text``: called
    with the number of texts parsed so far."""
    return count_labels(
        texts, lambda ent: [] if ent.label_ in NOT_NAMES else isa_nouns(ent), n_process, on_text
    )


def write_table(
    counts: Mapping[str, Mapping[str, int]],
    min_count: int,
    min_share: float,
    about: Mapping[str, Any],
    path: Path = TABLE_FILE,
    keep_from: int = 2,
) -> None:
    """Write the table: the nouns seen beside names at least ``keep_from`` times (the rest could
    never type a focus), the thresholds, and ``about`` (how it was built and measured)."""
    kept = {
        noun: dict(sorted(per.items()))
        for noun, per in sorted(counts.items())
        if sum(per.values()) >= max(keep_from, 1)
    }
    data = {**about, "min_count": min_count, "min_share": min_share, "counts": kept}
    path.write_text(json.dumps(data, indent=0, ensure_ascii=False) + "\n", encoding="utf-8")
    load_table.cache_clear()
