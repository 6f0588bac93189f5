"""The offline, extractive briefing: every line is an article's own sentence, cited.

* summary — the most central units (mean cosine to the other articles' sentences), picked with
  MMR so they do not repeat each other;
* timeline — units that date an event, the event's date resolved apart from the publication
  date, planned events marked; a day and month with no year takes its year only when a dated
  article reports the same event as still planned (the year is then marked inferred and that
  article cited), otherwise it stays "year not stated" and sorts last;
* actors — attributions ("Peskov said", "said Putin", "according to KCNA") grouped under one
  canonical name, pronouns ("He also confirmed") read as the previous speaker of the article;
* figures — numbers with their units and source ("around 5 million artillery shells");
* disagreements — units of different articles about the same thing (a rare shared name, shared
  words) that date it differently or give different figures; both sides cited;
* watch — units that look ahead or name an open question, unless their date has passed by the
  newest article.

Near-duplicates in other articles are merged into each item; ``support`` counts the articles.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date as Day

import numpy as np

from rag.brief.actors import Speaker, is_pronoun, looks_personal, speakers_in
from rag.brief.disagree import disagreements_in
from rag.brief.items import citation, make_item
from rag.brief.pool import Pool, date_match, duplicates, shared_names
from rag.brief.records import Actor, BriefItem
from rag.brief.units import looks_ahead, shorten
from rag.text.dates import event_dates, first_on_or_after, parse_published
from rag.text.terms import jaccard


@dataclass(frozen=True)
class Limits:
    summary: int = 4
    timeline: int = 10
    actors: int = 5
    per_actor: int = 2
    figures: int = 4
    disagreements: int = 3
    watch: int = 4


@dataclass(frozen=True)
class Sections:
    summary: tuple[BriefItem, ...]
    timeline: tuple[BriefItem, ...]
    actors: tuple[Actor, ...]
    figures: tuple[BriefItem, ...]
    disagreements: tuple[BriefItem, ...]
    watch: tuple[BriefItem, ...]


def extract(pool: Pool, limits: Limits = Limits()) -> Sections:
    used: set[int] = set()
    summary = _summary(pool, limits.summary, used)
    timeline = _timeline(pool, limits.timeline)
    disagreements = disagreements_in(pool, limits.disagreements)
    disputed = {(c.file, c.start) for d in disagreements for c in d.citations}
    if disputed:
        timeline = tuple(
            replace(t, disputed=True)
            if any((c.file, c.start) in disputed for c in t.citations)
            else t
            for t in timeline
        )
    watch = _watch(pool, limits.watch, used)
    for item in watch:
        used.update(_indices(pool, item))
    actors = _actors(pool, limits.actors, limits.per_actor, used)
    figures = _figures(pool, limits.figures, used)
    return Sections(summary, timeline, actors, figures, disagreements, watch)


# ---- summary -----------------------------------------------------------------------------------
_ANAPHORIC = re.compile(
    r"[\"“]?(?:he|she|they|it|this|that|these|those|but|and|so|during|however|overall|still|"
    r"meanwhile|also|yet|its|his|her|their|such|there|since then|at the same time|as a result|"
    r"in addition|on the other hand|by contrast|in turn|even so|instead)\b",
    re.IGNORECASE,
)


def _quality(pool: Pool, i: int) -> float:
    """Penalties for units that read badly on their own."""
    text = pool.units[i].text
    words = len(text.split())
    q = 0.0
    if _ANAPHORIC.match(text):
        q -= 0.25  # leans on a sentence the reader will not see
    if text[:1] in '"“':
        q -= 0.1
    if words < 10:
        q -= 0.15
    if words > 55:
        q -= 0.15
    return q


def _summary(pool: Pool, n: int, used: set[int]) -> tuple[BriefItem, ...]:
    if not pool.units:
        return ()
    recency = _recency(pool)
    lead = {0: 0.15, 1: 0.05}
    base = np.array(
        [
            pool.centrality[i]
            + _quality(pool, i)
            + 0.15 * recency[i]
            + lead.get(pool.units[i].n, 0.0)
            for i in range(len(pool.units))
        ]
    )
    chosen: list[int] = []
    per_file: Counter[str] = Counter()
    while len(chosen) < min(n, len(pool.units)):
        best, best_score = -1, -1e9
        for i in range(len(pool.units)):
            if i in chosen or any(j in chosen for j in duplicates(pool, i)):
                continue  # chosen already, or the same fact as a chosen unit
            redundancy = max((_redundancy(pool, i, j) for j in chosen), default=0.0)
            score = 0.7 * base[i] - 0.3 * redundancy - 0.1 * per_file[pool.units[i].file]
            if score > best_score:
                best, best_score = i, score
        chosen.append(best)
        per_file[pool.units[best].file] += 1
    items = []
    for i in sorted(chosen, key=lambda k: _when(pool, k)):
        item = make_item(pool, "summary", i)
        used.update(_indices(pool, item))
        items.append(item)
    return tuple(items)


def _redundancy(pool: Pool, i: int, j: int) -> float:
    """How much unit ``i`` repeats ``j``: embedding and word overlap, halved when the two date
    different events."""
    r = 0.5 * float(pool.sim[i, j]) + 0.5 * jaccard(pool.terms[i], pool.terms[j])
    return r * (0.5 if date_match(pool, i, j) is False else 1.0)


def _when(pool: Pool, i: int) -> tuple[int, int, int, int]:
    """Chronological order of units: the event's date, else the publication date."""
    d = pool.dated[i]
    if d is not None and d.date.year is not None:
        return d.date.sort_key()
    ref = pool.ref(i)
    return (0, ref.year, ref.month, ref.day) if ref else (1, 0, 0, 0)


def _recency(pool: Pool) -> list[float]:
    """0 for the oldest publication date in scope, 1 for the newest; 0.5 when unknown."""
    dates = sorted({d for a in pool.articles.values() if (d := parse_published(a.published))})
    rank = {d: k / max(1, len(dates) - 1) for k, d in enumerate(dates)}
    out = []
    for i in range(len(pool.units)):
        d = pool.ref(i)
        out.append(rank.get(d, 0.5) if d is not None else 0.5)
    return out


def _indices(pool: Pool, item: BriefItem) -> set[int]:
    spans = {(c.file, c.start) for c in item.citations}
    return {i for i, u in enumerate(pool.units) if (u.file, u.start) in spans}


# ---- timeline ----------------------------------------------------------------------------------
def _infer_year(pool: Pool, i: int) -> tuple[int, int] | None:
    """(year, unit) for a day/month without a year: the first such date on or after the latest
    publication date of a dated article that reports the same event as still planned."""
    d = pool.dated[i]
    if d is None or d.date.month is None:
        return None
    best: tuple[Day, int] | None = None
    for j in range(len(pool.units)):
        ref = pool.ref(j)
        if ref is None or pool.units[j].file == pool.units[i].file:
            continue
        if not looks_ahead(pool.units[j].text):
            continue
        if not shared_names(pool, i, j) or jaccard(pool.terms[i], pool.terms[j]) < 0.2:
            continue
        if best is None or ref > best[0]:
            best = (ref, j)
    if best is None:
        return None
    latest, j = best
    return first_on_or_after(d.date.month, d.date.day, latest), j


def _date_mass(pool: Pool) -> Counter[str]:
    """How many units of the scope mention each resolved date: much-discussed days matter."""
    mass: Counter[str] = Counter()
    for i, u in enumerate(pool.units):
        for _m, d, _t in event_dates(u.text, pool.ref(i)):
            if d.year is not None and d.iso:
                mass[d.iso] += 1
    return mass


def _timeline(pool: Pool, n: int) -> tuple[BriefItem, ...]:
    mass = _date_mass(pool)
    candidates: list[tuple[float, BriefItem]] = []
    seen: set[int] = set()
    for i, dated in enumerate(pool.dated):
        if dated is None or i in seen:
            continue
        date, group = dated.date, [i]
        extra: list[int] = []
        if date.precision == "unknown":
            continue
        if date.year is None and date.month is not None:
            inferred = _infer_year(pool, i)
            if inferred:
                year, j = inferred
                a = pool.articles[pool.units[j].file]
                date = replace(
                    date,
                    year=year,
                    inferred=(
                        f"year inferred: {a.file} (published {(a.published or '')[:10]}) reports "
                        "the event as still planned"
                    ),
                )
                extra.append(j)
        for j in duplicates(pool, i):
            if date_match(pool, i, j) and j not in group:
                group.append(j)
        seen.update(group)
        # The member that dates the event most precisely speaks for the group.
        lead = max(
            group,
            key=lambda k: (
                pool.dated[k] is not None and pool.dated[k].date.year is not None,  # type: ignore[union-attr]
                pool.ref(k) is not None,
                -k,
            ),
        )
        lead_dated = pool.dated[lead]
        if lead != i and lead_dated is not None and lead_dated.date.year is not None:
            date = lead_dated.date
            dated = lead_dated
        members = [lead, *[k for k in group if k != lead], *extra]
        cites = tuple(citation(pool, k, m) for m, k in enumerate(members, 1))
        support = len({pool.units[k].file for k in group})
        item = BriefItem(
            "timeline",
            pool.units[lead].text,
            cites,
            support=support,
            date=date,
            status=dated.status,
        )
        precision = {"day": 0.15, "week": 0.1, "month": 0.1, "year": 0.0}.get(date.precision, 0)
        score = float(pool.centrality[lead]) + 0.15 * (support - 1) + precision
        score += 0.1 * (dated.status == "planned")
        score -= 0.3 * (pool.outlook[lead] >= 1.0)  # an open question, not an event
        score += _quality(pool, lead)
        score += 0.1 * min(3, mass[date.iso or ""] - 1)
        candidates.append((score, item))
    candidates.sort(key=lambda c: -c[0])
    kept: list[BriefItem] = []
    slots: set[tuple[str, str | None, str]] = set()
    for _, item in candidates:
        slot = (item.citations[0].file, item.date.iso if item.date else None, item.status)
        if slot in slots:
            continue  # one event per article, date and status
        slots.add(slot)
        kept.append(item)
        if len(kept) >= n:
            break
    kept.sort(key=lambda it: it.date.sort_key() if it.date else (2, 0, 0, 0))
    return tuple(kept)


# ---- actors ------------------------------------------------------------------------------------
def _speaker_of(pool: Pool, i: int, last: dict[str, tuple[str, int]]) -> tuple[str, Speaker] | None:
    """Who speaks in unit ``i``: the attribution's canonical name; "he"/"she" is the speaker of
    the unit just before, or the one person that unit names (else nobody)."""
    found = speakers_in(pool.units[i].text)
    if not found:
        return None
    sp = found[0]
    file = pool.units[i].file
    if not is_pronoun(sp.name):
        return pool.actor_names.canonical(sp.name), sp
    prev = i - 1
    if sp.name.lower() not in ("he", "she") or prev < 0 or pool.units[prev].file != file:
        return None
    if file in last and last[file][1] == prev:
        name = last[file][0]
        return (name, sp) if looks_personal(name) else None
    people = [n for n in pool.names[prev] if looks_personal(n)]
    return (people[0], sp) if len(people) == 1 else None


def _actors(pool: Pool, n: int, per_actor: int, used: set[int]) -> tuple[Actor, ...]:
    said: dict[str, list[int]] = {}
    roles: dict[str, Counter[str]] = {}
    aliases: dict[str, set[str]] = {}
    last: dict[str, tuple[str, int]] = {}
    for i, u in enumerate(pool.units):
        got = _speaker_of(pool, i, last)
        if got is None:
            continue
        name, sp = got
        last[u.file] = (name, i)
        said.setdefault(name, []).append(i)
        if sp.role:
            roles.setdefault(name, Counter())[sp.role] += 1
        if not is_pronoun(sp.name) and sp.name != name:
            aliases.setdefault(name, set()).add(sp.name)

    def weight(name: str) -> tuple[int, int, float]:
        idx = said[name]
        return (
            len({pool.units[i].file for i in idx}),
            len(idx),
            max(float(pool.centrality[i]) for i in idx),
        )

    out = []
    for name in sorted(said, key=weight, reverse=True)[:n]:
        ranked = sorted(
            said[name],
            key=lambda i: (
                -(
                    float(pool.centrality[i])
                    + 0.2 * ('"' in pool.units[i].text or "“" in pool.units[i].text)
                    - 0.5 * (i in used)
                )
            ),
        )
        items: list[BriefItem] = []
        taken: set[int] = set()
        for i in ranked:
            if len(items) >= per_actor or i in taken:
                continue
            item = make_item(pool, "actors", i, shorten(pool.units[i].text), actor=name)
            taken.update(_indices(pool, item))
            items.append(item)
        role = roles[name].most_common(1)[0][0] if name in roles else ""
        out.append(
            Actor(name, tuple(items), role, tuple(sorted(aliases.get(name, ()))), weight(name)[0])
        )
    return tuple(out)


# ---- figures -----------------------------------------------------------------------------------
def _figures(pool: Pool, n: int, used: set[int]) -> tuple[BriefItem, ...]:
    scored: list[tuple[float, int]] = []
    for i, figs in enumerate(pool.figures):
        if not figs:
            continue
        sourced = any(s.kind == "according" or s.verb for s in speakers_in(pool.units[i].text))
        score = float(pool.centrality[i]) + 0.2 * sourced + 0.1 * any(f.specific for f in figs)
        scored.append((score, i))
    scored.sort(reverse=True)
    items: list[BriefItem] = []
    taken: set[int] = set()
    for _, i in scored:
        if len(items) >= n or i in taken:
            continue
        fig = max(pool.figures[i], key=lambda f: (f.specific, len(f.phrase)))
        item = make_item(pool, "figures", i, figure=fig.phrase)
        taken.update(_indices(pool, item))
        items.append(item)
    return tuple(items)


# ---- what to watch -----------------------------------------------------------------------------
def _watch(pool: Pool, n: int, used: set[int]) -> tuple[BriefItem, ...]:
    latest = pool.latest
    recency = _recency(pool)
    scored: list[tuple[float, int]] = []
    for i, strength in enumerate(pool.outlook):
        if strength < 0.5 or i in used:
            continue
        if latest is not None and any(
            (d := pool.dated[k])
            and d.date.year is not None
            and (d.date.year, d.date.month or 12) < (latest.year, latest.month)
            for k in [i, *duplicates(pool, i)]
        ):
            continue  # its time has passed by the newest article
        score = float(pool.centrality[i]) + 0.5 * strength + 0.6 * recency[i] + _quality(pool, i)
        scored.append((score, i))
    scored.sort(reverse=True)
    items: list[BriefItem] = []
    taken: set[int] = set()
    for _, i in scored:
        if len(items) >= n or i in taken:
            continue
        item = make_item(pool, "watch", i)
        taken.update(_indices(pool, item))
        items.append(item)
    return tuple(items)


def scope_limits(n_articles: int) -> Limits:
    """Section sizes that keep a briefing to one page."""
    if n_articles <= 2:
        return Limits(summary=3, timeline=6, actors=3, figures=3, disagreements=2, watch=3)
    return Limits()


__all__ = ["Limits", "Sections", "citation", "extract", "scope_limits"]
