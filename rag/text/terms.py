"""Terms and stems: the content words of a text, stemmed with PyStemmer's English Snowball
stemmer, as retrieval (BM25), answers, verification and briefings all compare them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "do",
        "does",
        "did",
        "has",
        "have",
        "had",
        "will",
        "would",
        "can",
        "could",
        "should",
        "may",
        "might",
        "must",
        "shall",
        "this",
        "that",
        "these",
        "those",
        "it",
        "its",
        "it's",
        "he",
        "she",
        "they",
        "them",
        "his",
        "her",
        "their",
        "there",
        "here",
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "how",
        "not",
        "no",
        "yes",
        "if",
        "then",
        "than",
        "so",
        "such",
        "into",
        "over",
        "under",
        "about",
        "after",
        "before",
        "during",
        "since",
        "until",
        "also",
        "just",
        "only",
        "very",
        "more",
        "most",
        "much",
        "many",
        "any",
        "some",
        "all",
        "each",
        "both",
        "either",
        "neither",
        "one",
        "own",
        "same",
        "other",
        "s",
        "t",
        "i",
        "you",
        "your",
        "we",
        "our",
        "us",
        "me",
        "my",
        "mr",
        "mrs",
        "ms",
        "said",
        "says",
        "say",
        "tell",
        "told",
        "according",
    ]
)


def content_terms(text: str) -> tuple[str, ...]:
    words = re.findall(r"[a-z0-9]+(?:['’][a-z]+)?", text.lower())
    return tuple(w for w in words if w not in STOPWORDS and len(w) > 1)


@lru_cache(maxsize=1)
def stemmer() -> Any:
    """The English Snowball stemmer (PyStemmer), the one BM25 tokenises with too."""
    import Stemmer

    return Stemmer.Stemmer("english")


def stem_all(words: Iterable[str]) -> list[str]:
    return list(stemmer().stemWords(list(words)))


def stems(text: str) -> frozenset[str]:
    """The stemmed content terms of ``text``."""
    return frozenset(stem_all(content_terms(text)))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / (len(a | b) or 1)
