"""The records of a briefing: frozen, JSON round-trippable (the last briefing of a scope is saved
and compared with the next one)."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from typing import Any

from rag.records import Citation
from rag.text.dates import EventDate

SECTIONS = ("summary", "timeline", "actors", "figures", "disagreements", "watch")


@dataclass(frozen=True)
class BriefScope:
    """What a briefing covers: the whole index, a topic, and/or a publication-date range (ISO
    dates; an article with no known publication date is left out whenever a bound is set)."""

    topic: str | None = None
    since: str | None = None
    until: str | None = None

    @property
    def key(self) -> str:
        """A stable name for the scope: the file its last briefing is saved under."""
        norm = {
            "topic": " ".join((self.topic or "").lower().split()) or None,
            "since": self.since or None,
            "until": self.until or None,
        }
        return hashlib.sha1(json.dumps(norm, sort_keys=True).encode()).hexdigest()[:16]

    def describe(self) -> str:
        parts = []
        if self.topic:
            parts.append(f"topic “{self.topic}”")
        if self.since or self.until:
            parts.append(f"published {self.since or '…'} to {self.until or '…'}")
        return ", ".join(parts) or "all indexed articles"

    def to_json(self) -> dict[str, Any]:
        return {"topic": self.topic, "since": self.since, "until": self.until, "key": self.key}


@dataclass(frozen=True)
class ArticleRef:
    file: str
    title: str = ""
    outlet: str | None = None
    published: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "title": self.title,
            "outlet": self.outlet,
            "published": self.published,
        }


@dataclass(frozen=True)
class BriefItem:
    """One cited line of a briefing. ``support`` counts the independent articles that state it
    (near-duplicates from several articles are merged, their citations kept together)."""

    section: str  # summary | timeline | actors | figures | disagreements | watch
    text: str
    citations: tuple[Citation, ...]
    support: int = 1
    supported: bool = True  # the verifier's verdict (extractive items quote their source)
    score: float = 1.0
    date: EventDate | None = None  # timeline: when the event happened / is planned
    status: str = ""  # timeline: happened | planned
    actor: str = ""  # actors: canonical name
    figure: str = ""  # figures: the number with its unit
    about: str = ""  # disagreements: what the sources differ on
    values: tuple[tuple[str, int], ...] = ()  # disagreements: (value, citation id)
    disputed: bool = False  # timeline: another source gives another date
    new: bool = False  # absent from the previous briefing of this scope

    @property
    def key(self) -> str:
        """Identity across regenerations: section, actor and the normalised text."""
        words = " ".join(re.findall(r"[a-z0-9]+", self.text.lower()))
        return f"{self.section}:{self.actor}:" + hashlib.sha1(words.encode()).hexdigest()[:12]

    @property
    def published(self) -> str | None:
        """Publication date of the first cited article (kept apart from an event's date)."""
        return self.citations[0].published if self.citations else None

    @property
    def files(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.file for c in self.citations))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "section": self.section,
            "text": self.text,
            "support": self.support,
            "supported": self.supported,
            "score": round(self.score, 4),
            "new": self.new,
            "key": self.key,
            "citations": [_citation_json(c) for c in self.citations],
        }
        if self.date is not None:
            out["date"] = self.date.to_json()
            out["status"] = self.status
            out["published"] = self.published
            out["disputed"] = self.disputed
        if self.actor:
            out["actor"] = self.actor
        if self.figure:
            out["figure"] = self.figure
        if self.about:
            out["about"] = self.about
            out["values"] = [{"value": v, "citation": c} for v, c in self.values]
        return out

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> BriefItem:
        return cls(
            section=d["section"],
            text=d["text"],
            citations=tuple(_citation_from(c) for c in d.get("citations", [])),
            support=int(d.get("support", 1)),
            supported=bool(d.get("supported", True)),
            score=float(d.get("score", 1.0)),
            date=EventDate.from_json(d["date"]) if d.get("date") else None,
            status=d.get("status", ""),
            actor=d.get("actor", ""),
            figure=d.get("figure", ""),
            about=d.get("about", ""),
            values=tuple((v["value"], int(v["citation"])) for v in d.get("values", [])),
            disputed=bool(d.get("disputed")),
            new=bool(d.get("new")),
        )


def _citation_json(c: Citation) -> dict[str, Any]:
    return {**c.to_json(), "chunk_id": c.chunk_id}


def _citation_from(d: dict[str, Any]) -> Citation:
    return Citation(
        int(d["id"]),
        d["file"],
        int(d["start"]),
        int(d["end"]),
        d["quote"],
        d.get("chunk_id", ""),
        d.get("title", ""),
        d.get("outlet"),
        d.get("published"),
    )


@dataclass(frozen=True)
class Actor:
    """Someone the articles quote or report on, under one canonical name."""

    name: str
    items: tuple[BriefItem, ...]
    role: str = ""  # "Kremlin spokesman", as the articles call them
    aliases: tuple[str, ...] = ()  # other spellings seen ("Peskov")
    articles: int = 0  # in how many articles they speak or act

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "role": self.role,
            "aliases": list(self.aliases),
            "articles": self.articles,
            "items": [i.to_json() for i in self.items],
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Actor:
        return cls(
            d["name"],
            tuple(BriefItem.from_json(i) for i in d.get("items", [])),
            d.get("role", ""),
            tuple(d.get("aliases", [])),
            int(d.get("articles", 0)),
        )


@dataclass(frozen=True)
class Briefing:
    scope: BriefScope
    generated_at: str  # ISO timestamp
    generator: str  # "extractive" or the model's name
    articles: tuple[ArticleRef, ...]
    summary: tuple[BriefItem, ...] = ()
    timeline: tuple[BriefItem, ...] = ()
    actors: tuple[Actor, ...] = ()
    figures: tuple[BriefItem, ...] = ()
    disagreements: tuple[BriefItem, ...] = ()
    watch: tuple[BriefItem, ...] = ()
    warnings: tuple[str, ...] = ()
    invalid_citations: tuple[str, ...] = ()  # passage ids the model wrote that name nothing
    previous: str | None = None  # when the briefing compared against was generated
    dropped: tuple[BriefItem, ...] = ()  # items of the previous briefing no longer present
    new_articles: tuple[str, ...] = ()  # in scope now, not in the previous briefing
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def items(self) -> list[BriefItem]:
        """Every item, in reading order."""
        return [
            *self.summary,
            *self.timeline,
            *[i for a in self.actors for i in a.items],
            *self.figures,
            *self.disagreements,
            *self.watch,
        ]

    @property
    def citations(self) -> list[Citation]:
        seen: dict[int, Citation] = {}
        for item in self.items:
            for c in item.citations:
                seen.setdefault(c.id, c)
        return [seen[k] for k in sorted(seen)]

    @property
    def new_items(self) -> list[BriefItem]:
        return [i for i in self.items if i.new]

    def to_json(self) -> dict[str, Any]:
        return {
            "scope": self.scope.to_json(),
            "generated_at": self.generated_at,
            "generator": self.generator,
            "articles": [a.to_json() for a in self.articles],
            "summary": [i.to_json() for i in self.summary],
            "timeline": [i.to_json() for i in self.timeline],
            "actors": [a.to_json() for a in self.actors],
            "figures": [i.to_json() for i in self.figures],
            "disagreements": [i.to_json() for i in self.disagreements],
            "watch": [i.to_json() for i in self.watch],
            "warnings": list(self.warnings),
            "invalid_citations": list(self.invalid_citations),
            "changes": {
                "previous": self.previous,
                "new_items": len(self.new_items),
                "new_articles": list(self.new_articles),
                "dropped": [i.to_json() for i in self.dropped],
            },
            "seconds": round(self.seconds, 3),
            **({"offline": self.extra} if self.extra else {}),
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Briefing:
        scope = d.get("scope") or {}
        changes = d.get("changes") or {}
        return cls(
            scope=BriefScope(scope.get("topic"), scope.get("since"), scope.get("until")),
            generated_at=d.get("generated_at", ""),
            generator=d.get("generator", ""),
            articles=tuple(
                ArticleRef(a["file"], a.get("title", ""), a.get("outlet"), a.get("published"))
                for a in d.get("articles", [])
            ),
            summary=_items(d, "summary"),
            timeline=_items(d, "timeline"),
            actors=tuple(Actor.from_json(a) for a in d.get("actors", [])),
            figures=_items(d, "figures"),
            disagreements=_items(d, "disagreements"),
            watch=_items(d, "watch"),
            warnings=tuple(d.get("warnings", [])),
            invalid_citations=tuple(d.get("invalid_citations", [])),
            previous=changes.get("previous"),
            dropped=tuple(BriefItem.from_json(i) for i in changes.get("dropped", [])),
            new_articles=tuple(changes.get("new_articles", [])),
            seconds=float(d.get("seconds", 0.0)),
            extra=dict(d.get("offline") or {}),
        )


def _items(d: dict[str, Any], name: str) -> tuple[BriefItem, ...]:
    return tuple(BriefItem.from_json(i) for i in d.get(name, []))


def renumber(b: Briefing) -> Briefing:
    """Citation ids in reading order (1, 2, …), one id per distinct span; disagreement values
    follow their citations."""
    ids: dict[tuple[str, int, int], int] = {}

    def fix(item: BriefItem) -> BriefItem:
        old_to_new: dict[int, int] = {}
        cites = []
        for c in item.citations:
            cid = ids.setdefault((c.file, c.start, c.end), len(ids) + 1)
            old_to_new[c.id] = cid
            cites.append(replace(c, id=cid))
        values = tuple((v, old_to_new.get(c, c)) for v, c in item.values)
        return replace(item, citations=tuple(cites), values=values)

    return replace(
        b,
        summary=tuple(fix(i) for i in b.summary),
        timeline=tuple(fix(i) for i in b.timeline),
        actors=tuple(replace(a, items=tuple(fix(i) for i in a.items)) for a in b.actors),
        figures=tuple(fix(i) for i in b.figures),
        disagreements=tuple(fix(i) for i in b.disagreements),
        watch=tuple(fix(i) for i in b.watch),
    )
