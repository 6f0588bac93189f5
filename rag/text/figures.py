"""Figures in text: numbers, amounts and dates as strings to compare, so a claim's figures can be
required verbatim in the passage it cites."""

from __future__ import annotations

import re

from rag.text.dates import DATE_RE

NUMBER_RE = re.compile(
    r"\b(?:\d[\d,.]*\s*(?:%|percent|million|billion|thousand|trillion)?|"
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|"
    r"fifty|hundred|hundreds|thousands|millions|billions|dozens?)\b)",
    re.IGNORECASE,
)


def normalise(value: str) -> str:
    """A figure or text in a form where "5,000", "5000" and "June 18–19" compare equal."""
    return re.sub(r"[\s,]", "", value.lower()).replace("–", "-").rstrip(".")


def figures(text: str) -> set[str]:
    """The numbers (with a digit) and dates in ``text``, normalised."""
    found = {
        normalise(m.group(0))
        for m in NUMBER_RE.finditer(text)
        if any(ch.isdigit() for ch in m.group(0))
    }
    found |= {normalise(m.group(0)) for m in DATE_RE.finditer(text)}
    return {f for f in found if f}
