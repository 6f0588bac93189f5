"""Time scope: a question about a time after the newest article is refused, saying the span the
articles cover ("the articles run from 2023-09-10 to 2024-06-14").

Only "after the newest" refuses: news recounts the past, so a question about a year before the
oldest article ("What did Kim and Putin's 2019 discussions focus on?") may well be answered.
The question's scope is the first dated span it names with a year (``analysis.TimeScope``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from rag.answer.analysis import TimeScope

DateSpan = Callable[[], tuple[date, date] | None]


def published_span(published: Iterable[object]) -> tuple[date, date] | None:
    """The first and last publication day of the articles (None: none is dated)."""
    days: list[date] = []
    for value in published:
        if not value:
            continue
        try:
            days.append(date.fromisoformat(str(value)[:10]))
        except ValueError:
            continue
    return (min(days), max(days)) if days else None


def after_the_articles(scope: TimeScope | None, span: tuple[date, date] | None) -> str | None:
    """The refusal's note when the question's whole scope lies after the newest article."""
    if scope is None or span is None or scope.start <= span[1]:
        return None
    first, last = span
    return (
        f"The question is about {scope.text}; the articles run from {first.isoformat()} to "
        f"{last.isoformat()}."
    )
