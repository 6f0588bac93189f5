"""The calibrated refusal: is the question answered by the sentence the generator would quote?

Near misses — an article on the topic that does not hold the answer ("Who was North Korea's
defense minister at the talks?") — score well on similarity alone, so the refusal looks at what
of the question the evidence covers: the question's named entities and its focus noun in the
best sentence and in its article, the IDF-weighted share of its content words there, the words
no retrieved sentence has, whether an answer of the wanted type was found, and the sentence's
own score. The weights are fitted by logistic regression on the fit halves of the gold sets
(``evals/fit_answerer.py``) and the threshold is calibrated on questions held aside from the
fitting; both are in ``rag/answer/data/refusal.json``. The threshold is a setting
(``DOSSIER_ANSWER__REFUSE_BELOW``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rag.answer.analysis import QuestionInfo
from rag.answer.nlp import parse
from rag.records import Passage
from rag.text.terms import content_terms, stem_all

MODEL_FILE = Path(__file__).resolve().parent / "data" / "refusal.json"
FEATURES = (
    "score",
    "similarity",
    "overlap",
    "unseen",
    "entities_in_sentence",
    "entities_in_article",
    "focus_in_sentence",
    "terms_in_article",
    "typed_answer",
)
_NUMERIC = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT"})


@dataclass(frozen=True)
class RefusalModel:
    weights: Mapping[str, float]
    intercept: float
    threshold: float  # the probability of "answered" below which the question is refused

    def probability(self, features: Mapping[str, float]) -> float:
        z = self.intercept + sum(w * features.get(name, 0.0) for name, w in self.weights.items())
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@lru_cache(maxsize=4)
def load_model(path: Path = MODEL_FILE) -> RefusalModel | None:
    """The fitted model, or None when none has been fitted."""
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return RefusalModel(dict(data["weights"]), float(data["intercept"]), float(data["threshold"]))


def _entities(info: QuestionInfo) -> list[str]:
    """The question's named entities (numbers and dates aside) and other proper nouns, as
    lower-case phrases: "South Korea" is covered by "South Korea", not by "North Korea"."""
    doc = parse(info.text)
    out: list[str] = []
    for ent in doc.ents:
        if ent.label_ in _NUMERIC:
            continue
        words = [t.lower_ for t in ent if not (t.is_stop or t.is_punct or t.tag_ == "POS")]
        if words:
            out.append(" ".join(words))
    out += [t.lower_ for t in doc if t.pos_ == "PROPN" and t.ent_type_ == "" and not t.is_stop]
    return list(dict.fromkeys(out))


def _share(phrases: Sequence[str], text: str) -> float:
    """The share of ``phrases`` found in ``text`` (1.0 when there are none)."""
    if not phrases:
        return 1.0
    low = " ".join(text.lower().replace("'s", " ").replace("’s", " ").split())
    return sum(p in low for p in phrases) / len(phrases)


def features(
    info: QuestionInfo,
    sentence: str,
    file: str,
    score: float,
    similarity: float,
    overlap: float,
    passages: Sequence[Passage],
    typed_answer: bool | None,
) -> dict[str, float]:
    """The refusal features of a question and the best sentence found for it."""
    article = "\n".join(p.text for p in passages if p.file == file) + "\n" + sentence
    everything = "\n".join(p.text for p in passages)
    q_terms = stem_all(info.terms)
    seen = set(stem_all(content_terms(everything)))
    in_article = set(stem_all(content_terms(article)))
    unseen = [t for t in q_terms if t not in seen and not t.isdigit()]
    entities = _entities(info)
    focus = [w for w in (info.focus or "").split() if w]
    return {
        "score": score,
        "similarity": similarity,
        "overlap": overlap,
        "unseen": len(unseen) / (len(q_terms) or 1),
        "entities_in_sentence": _share(entities, sentence),
        "entities_in_article": _share(entities, article),
        "focus_in_sentence": _share(focus, sentence),
        "terms_in_article": sum(t in in_article for t in q_terms) / (len(q_terms) or 1),
        "typed_answer": 1.0 if typed_answer is None else float(typed_answer),
    }


def refusal_model(threshold: float | None = None) -> RefusalModel | None:
    """The fitted model with its calibrated threshold, or ``threshold`` when one is set."""
    model = load_model()
    if model is None or threshold is None:
        return model
    return RefusalModel(model.weights, model.intercept, threshold)
