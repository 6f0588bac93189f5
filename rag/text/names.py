"""Names in article text: capitalised word sequences, the words that merely start a sentence,
and the titles and roles that stand before a person's name."""

from __future__ import annotations

import re

from rag.text.terms import STOPWORDS

# Capitalised word sequences: names of people, places and organisations.
NAME_RE = re.compile(r"\b[A-Z][a-zA-Z'’\-]+(?:\s+(?:[A-Z][a-zA-Z'’\-]+|de|von|bin|al|of))*\b")
SENTENCE_START_WORDS = {
    "The",
    "A",
    "An",
    "In",
    "On",
    "At",
    "But",
    "And",
    "He",
    "She",
    "It",
    "They",
    "This",
    "That",
    "After",
    "Before",
    "During",
    "Since",
    "As",
    "Asked",
    "According",
    "Both",
    "For",
    "While",
    "When",
    "What",
    "Who",
    "Where",
    "Why",
    "How",
    "Which",
    "Did",
    "Does",
    "Do",
    "Is",
    "Are",
    "Was",
    "Were",
    "Will",
    "Has",
    "Have",
    "Had",
    "Can",
    "Could",
    "Would",
    "Should",
    "Calling",
    "Over",
    "Ahead",
    "Amid",
    "Although",
}

# Titles and roles that precede or describe a person ("Foreign Minister Sergei Lavrov").
TITLES = frozenset(
    [
        "president",
        "vice",
        "prime",
        "minister",
        "foreign",
        "defense",
        "defence",
        "interior",
        "finance",
        "supreme",
        "leader",
        "chairman",
        "chairwoman",
        "chair",
        "secretary",
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "ambassador",
        "general",
        "gen",
        "senator",
        "sen",
        "representative",
        "rep",
        "governor",
        "mayor",
        "chancellor",
        "king",
        "queen",
        "prince",
        "princess",
        "dr",
        "mr",
        "mrs",
        "ms",
        "miss",
        "chief",
        "executive",
        "ceo",
        "director",
        "commissioner",
        "judge",
        "justice",
        "pope",
        "sir",
        "lord",
        "dame",
        "premier",
        "deputy",
        "state",
        "former",
        "acting",
        "head",
        "minister's",
        "officer",
        "founder",
        "commander",
    ]
)


def names(text: str) -> list[str]:
    """Capitalised names in ``text``, leaving out ordinary words that start a sentence."""
    found: list[str] = []
    for m in NAME_RE.finditer(text):
        words = m.group(0).split()
        while words and words[0] in SENTENCE_START_WORDS and len(words) > 1:
            words = words[1:]
        name = " ".join(words)
        if name and name not in SENTENCE_START_WORDS and name.lower() not in STOPWORDS:
            found.append(name)
    return found
