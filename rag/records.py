"""Records of the question-answering side: passages, citations, claims, answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Filters:
    """Restrict retrieval. Dates are ISO (``2024-05-01``); an article with no known publication
    date is excluded whenever a date bound is set."""

    since: str | None = None
    until: str | None = None
    outlets: tuple[str, ...] = ()
    files: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.since or self.until or self.outlets or self.files)


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk: ``text == article_text[start:end]`` of ``file``."""

    id: str
    file: str
    start: int
    end: int
    text: str
    score: float
    title: str = ""
    outlet: str | None = None
    published: str | None = None
    vector_rank: int | None = None
    bm25_rank: int | None = None
    similarity: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "score": round(self.score, 6),
            "title": self.title,
            "outlet": self.outlet,
            "published": self.published,
            "chunk_id": self.id,
            "vector_rank": self.vector_rank,
            "bm25_rank": self.bm25_rank,
        }


@dataclass(frozen=True)
class Citation:
    """Citation ``id`` as shown to the reader ([1]); the span is into the article's stored text
    and ``quote == text[start:end]`` — the exact passage the claim rests on."""

    id: int
    file: str
    start: int
    end: int
    quote: str
    chunk_id: str = ""
    title: str = ""
    outlet: str | None = None
    published: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "file": self.file,
            "start": self.start,
            "end": self.end,
            "quote": self.quote,
            "title": self.title,
            "outlet": self.outlet,
            "published": self.published,
        }


@dataclass(frozen=True)
class Claim:
    text: str
    citations: tuple[Citation, ...] = ()
    supported: bool = False
    score: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "supported": self.supported,
            "score": round(self.score, 4),
            "citations": [c.to_json() for c in self.citations],
        }


@dataclass(frozen=True)
class InvalidCitation:
    """A citation id the model wrote that names no passage: kept and counted, never dropped."""

    id: str
    claim: int

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "claim": self.claim}


@dataclass(frozen=True)
class Disagreement:
    """Cited sentences that give different values for what the question asks."""

    about: str
    values: tuple[tuple[str, int], ...]  # (value, citation id)

    def to_json(self) -> dict[str, Any]:
        return {
            "about": self.about,
            "values": [{"value": v, "citation": c} for v, c in self.values],
        }


@dataclass(frozen=True)
class Scope:
    """What an answer or a briefing drew on, stated to the reader: the outlets and publication
    dates the filters allowed, how many of the indexed articles that left, and the articles the
    reader excluded."""

    outlets: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    articles: int = 0  # articles in scope
    total: int = 0  # articles indexed (duplicates not counted)
    excluded: tuple[str, ...] = ()  # files the reader left out of chat and briefings
    topic: str | None = None

    @property
    def whole(self) -> bool:
        return not (self.outlets or self.since or self.until or self.excluded or self.topic)

    def describe(self) -> str:
        """ "all 5 articles" / "Newsmax · published 2024-06-01 to … · 2 of 5 articles"."""
        parts: list[str] = []
        if self.topic:
            parts.append(f"topic “{self.topic}”")
        if self.outlets:
            parts.append(", ".join(self.outlets))
        if self.since or self.until:
            parts.append(f"published {self.since or '…'} to {self.until or '…'}")
        n = f"{self.articles} of {self.total} articles" if parts or self.excluded else ""
        if not n:
            n = f"all {self.total} article{'s' if self.total != 1 else ''}"
        if self.excluded:
            n += f" ({len(self.excluded)} excluded by you)"
        return " · ".join([*parts, n])

    def to_json(self) -> dict[str, Any]:
        return {
            "outlets": list(self.outlets),
            "since": self.since,
            "until": self.until,
            "articles": self.articles,
            "total": self.total,
            "excluded": list(self.excluded),
            "topic": self.topic,
            "description": self.describe(),
        }


@dataclass(frozen=True)
class Answer:
    question: str
    text: str
    claims: tuple[Claim, ...]
    refused: bool
    generator: str
    passages: tuple[Passage, ...] = ()
    invalid_citations: tuple[InvalidCitation, ...] = ()
    standalone_question: str | None = None
    disagreements: tuple[Disagreement, ...] = ()
    warnings: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)
    scope: Scope | None = None  # what the answer drew on (filters, articles), when stated
    short_answer: str | None = None  # the answer itself, which ``text`` begins with
    corroboration: int = 0  # how many articles state the short answer (0: not counted)

    @property
    def citations(self) -> list[Citation]:
        seen: dict[int, Citation] = {}
        for claim in self.claims:
            for c in claim.citations:
                seen.setdefault(c.id, c)
        return [seen[k] for k in sorted(seen)]

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.text,
            "short_answer": self.short_answer,
            "corroboration": self.corroboration,
            "refused": self.refused,
            "generator": self.generator,
            "claims": [c.to_json() for c in self.claims],
            "invalid_citations": [c.to_json() for c in self.invalid_citations],
            "standalone_question": self.standalone_question,
            "disagreements": [d.to_json() for d in self.disagreements],
            "warnings": list(self.warnings),
            "closest_passages": [p.to_json() for p in self.passages[:3]] if self.refused else [],
            **self.extra,
        }
