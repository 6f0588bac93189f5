"""The briefing written by a language model: numbered passages in, one JSON object out, every
item naming the passages it rests on.

The reply is read by the shared parser (``rag.llm.parse.parse_json``, validated against
``BriefOut``), its passage ids by the shared resolver (``rag.llm.citations``: ids that name no
passage are kept as invalid citations, never attached and never silently dropped), and every item
is verified like an answer's claim: the offline evidence check first, then the shared judge step
(``rag.llm.judge``), which may flag an item but never vouch for one the check rejected.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from rag.answer.verify import Verifier
from rag.brief.extract import Sections
from rag.brief.records import Actor, BriefItem
from rag.llm.chat import ChatModel
from rag.llm.citations import citation, resolve
from rag.llm.deadline import one_deadline
from rag.llm.judge import Check, Judge, LLMJudge, judge_checks, verified
from rag.llm.parse import parse_json
from rag.llm.prompts import BRIEF_SYSTEM_PROMPT, brief_messages
from rag.records import Citation, Passage
from rag.text.dates import EventDate

__all__ = [
    "BRIEF_SYSTEM_PROMPT",
    "BriefOut",
    "brief_messages",
    "parse_brief",
    "sections_from",
    "write_sections",
]


class _Cited(BaseModel):
    model_config = ConfigDict(extra="ignore")
    text: str = ""
    cite: list[Any] = Field(default_factory=list)

    @field_validator("cite", mode="before")
    @classmethod
    def _listify(cls, v: Any) -> list[Any]:
        return v if isinstance(v, list) else [] if v is None else [v]


class _Event(_Cited):
    date: str | None = None
    date_text: str = ""
    status: str = "happened"


class _ActorOut(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str
    role: str = ""
    items: list[_Cited] = Field(default_factory=list)


class _Figure(_Cited):
    figure: str = ""


class _Side(BaseModel):
    model_config = ConfigDict(extra="ignore")
    value: str
    cite: list[Any] = Field(default_factory=list)


class _Disagreement(BaseModel):
    model_config = ConfigDict(extra="ignore")
    about: str = ""
    sides: list[_Side] = Field(default_factory=list)


class BriefOut(BaseModel):
    """The JSON the model is asked for (validated at the edge)."""

    model_config = ConfigDict(extra="ignore")
    summary: list[_Cited] = Field(default_factory=list)
    timeline: list[_Event] = Field(default_factory=list)
    actors: list[_ActorOut] = Field(default_factory=list)
    figures: list[_Figure] = Field(default_factory=list)
    disagreements: list[_Disagreement] = Field(default_factory=list)
    watch: list[_Cited] = Field(default_factory=list)


def parse_brief(raw: str) -> BriefOut:
    """The model's reply as ``BriefOut``; a reply with no usable JSON object is a
    ``GeneratorError`` (the caller falls back to the offline briefing)."""
    return parse_json(raw, BriefOut, what="briefing")


@dataclass
class _Resolver:
    """Turns an item's written ids into cited spans (the shared resolver) and verifies it."""

    passages: Sequence[Passage]
    verifier: Verifier
    invalid: list[str]

    def cites(self, text: str, written: Sequence[Any]) -> tuple[Citation, ...]:
        got = resolve(written, len(self.passages))
        self.invalid.extend(got.invalid)
        out: list[Citation] = []
        for n in got.passages:
            p = self.passages[n - 1]
            start, end = self.verifier.narrow(text, p)
            out.append(citation(len(out) + 1, p, start, end))
        return tuple(out)

    def item(self, section: str, text: str, written: Sequence[Any], **kw: Any) -> BriefItem:
        text = " ".join(text.split())
        cites = self.cites(text, written)
        support = self.verifier.support(text, _evidence(cites, self.passages))
        ok = bool(cites) and verified(support, self.verifier.min_support)
        return BriefItem(
            section,
            text,
            cites,
            support=len({c.file for c in cites}) or 0,
            supported=ok,
            score=support.score,
            **kw,
        )


def _evidence(cites: Sequence[Citation], passages: Sequence[Passage]) -> list[str]:
    """The texts of the passages ``cites`` were taken from, each once."""
    by_id = {p.id: p.text for p in passages}
    return [by_id[c] for c in dict.fromkeys(c.chunk_id for c in cites) if c in by_id]


def _event_date(date: str | None, text: str) -> EventDate:
    m = re.fullmatch(r"\s*(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?\s*", date or "")
    if not m:
        return EventDate(None, None, None, None, "unknown", text or (date or ""))
    y, mo, d = (int(g) if g else None for g in m.groups())
    precision = "day" if d else "month" if mo else "year"
    return EventDate(y, mo, d, None, precision, text or (date or ""))


def sections_from(
    out: BriefOut, passages: Sequence[Passage], verifier: Verifier, judge: Judge | None = None
) -> tuple[Sections, list[str]]:
    """Resolve the model's ids to cited spans and verify every item (offline, then ``judge``)."""
    invalid: list[str] = []
    r = _Resolver(passages, verifier, invalid)
    summary = tuple(r.item("summary", s.text, s.cite) for s in out.summary[:5] if s.text.strip())
    timeline = [
        r.item(
            "timeline",
            e.text,
            e.cite,
            date=_event_date(e.date, e.date_text),
            status="planned" if e.status.lower().startswith("plan") else "happened",
        )
        for e in out.timeline[:12]
        if e.text.strip()
    ]
    timeline.sort(key=lambda t: t.date.sort_key() if t.date else (2, 0, 0, 0))
    actors = tuple(
        Actor(
            a.name.strip(),
            tuple(
                r.item("actors", i.text, i.cite, actor=a.name.strip())
                for i in a.items[:2]
                if i.text.strip()
            ),
            a.role.strip(),
        )
        for a in out.actors[:5]
        if a.name.strip()
    )
    figures = tuple(
        r.item("figures", f.text or f.figure, f.cite, figure=f.figure)
        for f in out.figures[:4]
        if (f.text or f.figure).strip()
    )
    disagreements = []
    for d in out.disagreements[:3]:
        sides = [s for s in d.sides if s.value.strip()]
        if len(sides) < 2:
            continue
        text = (
            f"Sources differ on {d.about or 'this'}: "
            + " vs ".join(f"“{s.value}”" for s in sides)
            + "."
        )
        cites: list[Citation] = []
        values: list[tuple[str, int]] = []
        for s in sides:
            got = r.cites(s.value + " " + d.about, s.cite)
            for c in got:
                cites.append(
                    Citation(
                        len(cites) + 1,
                        c.file,
                        c.start,
                        c.end,
                        c.quote,
                        c.chunk_id,
                        c.title,
                        c.outlet,
                        c.published,
                    )
                )
            if got:
                values.append((s.value, len(cites) - len(got) + 1))
        disagreements.append(
            BriefItem(
                "disagreements",
                text,
                tuple(cites),
                support=len({c.file for c in cites}),
                supported=len(values) >= 2,
                about=d.about,
                values=tuple(values),
            )
        )
    watch = tuple(r.item("watch", w.text, w.cite) for w in out.watch[:4] if w.text.strip())
    sections = Sections(summary, tuple(timeline), actors, figures, tuple(disagreements), watch)
    if judge is not None:
        sections = _judged(sections, passages, judge)
    return sections, invalid


def _judged(s: Sections, passages: Sequence[Passage], judge: Judge) -> Sections:
    """The shared judge step over every item but the disagreements: it may lower a verdict,
    never raise one."""
    flat = [*s.summary, *s.timeline, *[i for a in s.actors for i in a.items], *s.figures, *s.watch]
    checks = judge_checks(
        [
            Check(i.text, "\n\n".join(_evidence(i.citations, passages)), i.supported, i.score)
            for i in flat
        ],
        judge,
    )
    by_id = {id(i): c for i, c in zip(flat, checks, strict=True)}

    def fix(i: BriefItem) -> BriefItem:
        c = by_id[id(i)]
        return i if c.supported == i.supported else replace(i, supported=c.supported, score=c.score)

    return Sections(
        tuple(fix(i) for i in s.summary),
        tuple(fix(i) for i in s.timeline),
        tuple(replace(a, items=tuple(fix(i) for i in a.items)) for a in s.actors),
        tuple(fix(i) for i in s.figures),
        s.disagreements,
        tuple(fix(i) for i in s.watch),
    )


def write_sections(
    chat: ChatModel,
    verifier: Verifier,
    passages: Sequence[Passage],
    scope: str,
    judge: bool = True,
    deadline_s: float | None = None,
) -> tuple[Sections, list[str]]:
    """The briefing of ``passages`` written by ``chat``: (sections, invalid ids as written).
    Every call (the briefing, then the judge when ``judge``) ends within one deadline of
    ``deadline_s``. Raises GeneratorError when the model fails or its reply is unusable."""
    with one_deadline(deadline_s):
        out = parse_brief(chat.complete(brief_messages(passages, scope)))
        return sections_from(out, passages, verifier, LLMJudge(chat) if judge else None)
