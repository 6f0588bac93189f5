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

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from rag.brief_dates import first_on_or_after
from rag.brief_pool import Pool, date_match, duplicates, shared_names
from rag.brief_records import Actor, BriefItem
from rag.brief_text import Speaker, is_pronoun, jaccard, looks_ahead, shorten, speakers_in
from rag.records import Citation


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


def citation(pool: Pool, i: int, cid: int = 0) -> Citation:
    u = pool.units[i]
    a = pool.articles[u.file]
    return Citation(cid, u.file, u.start, u.end, u.text, "", a.title, a.outlet, a.published)


def _item(pool: Pool, section: str, i: int, text: str | None = None, **kw: object) -> BriefItem:
    group = [i, *duplicates(pool, i)]
    cites = tuple(citation(pool, j, n) for n, j in enumerate(group, 1))
    return BriefItem(section, text if text is not None else pool.units[i].text, cites,
                     support=len({pool.units[j].file for j in group}), **kw)  # type: ignore[arg-type]


def extract(pool: Pool, limits: Limits = Limits()) -> Sections:
    used: set[int] = set()
    summary = _summary(pool, limits.summary, used)
    timeline = _timeline(pool, limits.timeline)
    disagreements = _disagreements(pool, limits.disagreements)
    disputed = {(c.file, c.start) for d in disagreements for c in d.citations}
    if disputed:
        timeline = tuple(
            replace(t, disputed=True) if any((c.file, c.start) in disputed for c in t.citations)
            else t for t in timeline
        )
    actors = _actors(pool, limits.actors, limits.per_actor, used)
    for a in actors:
        for item in a.items:
            used.update(_indices(pool, item))
    figures = _figures(pool, limits.figures, used)
    for item in figures:
        used.update(_indices(pool, item))
    watch = _watch(pool, limits.watch, used)
    return Sections(summary, timeline, actors, figures, disagreements, watch)


# ---- summary -----------------------------------------------------------------------------------
def _quality(pool: Pool, i: int) -> float:
    """Penalties for units that read badly on their own."""
    text = pool.units[i].text
    words = len(text.split())
    q = 0.0
    if text.split()[0].lower().strip("\"“") in {"he", "she", "they", "it", "this", "that", "these",
                                                 "those", "but", "and", "so", "during"}:
        q -= 0.25
    if text[:1] in "\"“":
        q -= 0.1
    if words < 10:
        q -= 0.15
    if words > 55:
        q -= 0.15
    return q


def _summary(pool: Pool, n: int, used: set[int]) -> tuple[BriefItem, ...]:
    if not pool.units:
        return ()
    base = np.array([pool.centrality[i] + _quality(pool, i) for i in range(len(pool.units))])
    chosen: list[int] = []
    per_file: Counter[str] = Counter()
    while len(chosen) < min(n, len(pool.units)):
        best, best_score = -1, -1e9
        for i in range(len(pool.units)):
            if i in chosen:
                continue
            redundancy = max((float(pool.sim[i, j]) for j in chosen), default=0.0)
            score = 0.7 * base[i] - 0.3 * redundancy - 0.1 * per_file[pool.units[i].file]
            if score > best_score:
                best, best_score = i, score
        chosen.append(best)
        per_file[pool.units[best].file] += 1
    items = []
    for i in chosen:
        item = _item(pool, "summary", i)
        used.update(_indices(pool, item))
        items.append(item)
    return tuple(items)


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
    best: tuple[object, int] | None = None
    for j in range(len(pool.units)):
        ref = pool.ref(j)
        if ref is None or pool.units[j].file == pool.units[i].file:
            continue
        if not looks_ahead(pool.units[j].text):
            continue
        if not shared_names(pool, i, j) or jaccard(pool.terms[i], pool.terms[j]) < 0.2:
            continue
        if best is None or ref > best[0]:  # type: ignore[operator]
            best = (ref, j)
    if best is None:
        return None
    ref, j = best
    return first_on_or_after(d.date.month, d.date.day, ref), j  # type: ignore[arg-type]


def _timeline(pool: Pool, n: int) -> tuple[BriefItem, ...]:
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
                date = replace(date, year=year, inferred=(
                    f"year inferred: {a.file} (published {(a.published or '')[:10]}) reports "
                    "the event as still planned"))
                extra.append(j)
        for j in duplicates(pool, i):
            if date_match(pool, i, j) and j not in group:
                group.append(j)
        seen.update(group)
        # The member that dates the event most precisely speaks for the group.
        lead = max(group, key=lambda k: (pool.dated[k] is not None and
                                         pool.dated[k].date.year is not None,  # type: ignore[union-attr]
                                         pool.ref(k) is not None, -k))
        if lead != i and pool.dated[lead] and pool.dated[lead].date.year is not None:  # type: ignore[union-attr]
            date = pool.dated[lead].date  # type: ignore[union-attr]
            dated = pool.dated[lead]  # type: ignore[assignment]
        members = [lead, *[k for k in group if k != lead], *extra]
        cites = tuple(citation(pool, k, m) for m, k in enumerate(members, 1))
        support = len({pool.units[k].file for k in group})
        item = BriefItem("timeline", pool.units[lead].text, cites, support=support, date=date,
                         status=dated.status)  # type: ignore[union-attr]
        precision = {"day": 0.15, "week": 0.1, "month": 0.1, "year": 0.0}.get(date.precision, 0)
        score = float(pool.centrality[lead]) + 0.15 * (support - 1) + precision
        score += 0.1 * (dated.status == "planned")  # type: ignore[union-attr]
        candidates.append((score, item))
    candidates.sort(key=lambda c: -c[0])
    kept = [item for _, item in candidates[:n]]
    kept.sort(key=lambda it: (it.date.sort_key() if it.date else (2, 0, 0, 0)))
    return tuple(kept)


# ---- disagreements -----------------------------------------------------------------------------
def _disagreements(pool: Pool, n: int) -> tuple[BriefItem, ...]:
    found: list[tuple[float, BriefItem]] = []
    seen: set[frozenset[int]] = set()
    for i in range(len(pool.units)):
        for j in range(i + 1, len(pool.units)):
            if pool.units[i].file == pool.units[j].file:
                continue
            rare = sorted(x for x in shared_names(pool, i, j) if pool.rare(x))
            if not rare or jaccard(pool.terms[i], pool.terms[j]) < 0.15:
                continue
            if float(pool.sim[i, j]) < 0.35:
                continue
            pair = _conflict(pool, i, j)
            if pair is None or frozenset((i, j)) in seen:
                continue
            seen.add(frozenset((i, j)))
            kind, (va, vb) = pair
            a, b = pool.articles[pool.units[i].file], pool.articles[pool.units[j].file]
            about = f"{kind} — {', '.join(rare)}"
            text = (f"Sources differ on the {kind} ({', '.join(rare)}): {va} per {_source(a)} "
                    f"vs {vb} per {_source(b)}.")
            item = BriefItem("disagreements", text, (citation(pool, i, 1), citation(pool, j, 2)),
                             support=2, about=about, values=((va, 1), (vb, 2)))
            found.append((float(pool.sim[i, j]) + len(rare), item))
    found.sort(key=lambda f: -f[0])
    return tuple(item for _, item in found[:n])


def _source(a: object) -> str:
    outlet = getattr(a, "outlet", None) or getattr(a, "file", "")
    published = (getattr(a, "published", None) or "")[:10]
    return f"{outlet} ({published})" if published else str(outlet)


def _conflict(pool: Pool, i: int, j: int) -> tuple[str, tuple[str, str]] | None:
    a, b = pool.dated[i], pool.dated[j]
    if a and b and a.date.month and b.date.month and a.date.precision != "unknown" \
            and b.date.precision != "unknown" and a.status == b.status:
        x, y = a.date.coarse(b.date)
        if x and x != y:
            kind = "date" if len(x) >= 3 and x[-1] else "month" if a.date.month else "year"
            return kind, (a.mention.text, b.mention.text)
    fa = {f.unit.lower(): f for f in pool.figures[i] if f.specific and f.unit}
    fb = {f.unit.lower(): f for f in pool.figures[j] if f.specific and f.unit}
    for unit in fa.keys() & fb.keys():
        if fa[unit].value.lower() != fb[unit].value.lower():
            return f"number of {unit}", (fa[unit].phrase, fb[unit].phrase)
    return None


# ---- actors ------------------------------------------------------------------------------------
def _speaker_of(pool: Pool, i: int, last: dict[str, str]) -> tuple[str, Speaker] | None:
    found = speakers_in(pool.units[i].text)
    if not found:
        return None
    sp = found[0]
    file = pool.units[i].file
    if is_pronoun(sp.name):
        if file not in last:
            return None
        return last[file], sp
    name = pool.actor_names.canonical(sp.name)
    return name, sp


def _actors(pool: Pool, n: int, per_actor: int, used: set[int]) -> tuple[Actor, ...]:
    said: dict[str, list[int]] = {}
    roles: dict[str, Counter[str]] = {}
    aliases: dict[str, set[str]] = {}
    last: dict[str, str] = {}
    for i, u in enumerate(pool.units):
        got = _speaker_of(pool, i, last)
        if got is None:
            continue
        name, sp = got
        last[u.file] = name
        said.setdefault(name, []).append(i)
        if sp.role:
            roles.setdefault(name, Counter())[sp.role] += 1
        if not is_pronoun(sp.name) and sp.name != name:
            aliases.setdefault(name, set()).add(sp.name)

    def weight(name: str) -> tuple[int, int, float]:
        idx = said[name]
        return (len({pool.units[i].file for i in idx}), len(idx),
                max(float(pool.centrality[i]) for i in idx))

    out = []
    for name in sorted(said, key=weight, reverse=True)[:n]:
        ranked = sorted(said[name], key=lambda i: -(float(pool.centrality[i])
                                                   + 0.2 * ('"' in pool.units[i].text or
                                                            "“" in pool.units[i].text)
                                                   - 0.5 * (i in used)))
        items: list[BriefItem] = []
        taken: set[int] = set()
        for i in ranked:
            if len(items) >= per_actor or i in taken:
                continue
            item = _item(pool, "actors", i, shorten(pool.units[i].text), actor=name)
            taken.update(_indices(pool, item))
            items.append(item)
        role = roles[name].most_common(1)[0][0] if name in roles else ""
        out.append(Actor(name, tuple(items), role, tuple(sorted(aliases.get(name, ()))),
                         weight(name)[0]))
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
        item = _item(pool, "figures", i, figure=fig.phrase)
        taken.update(_indices(pool, item))
        items.append(item)
    return tuple(items)


# ---- what to watch -----------------------------------------------------------------------------
def _watch(pool: Pool, n: int, used: set[int]) -> tuple[BriefItem, ...]:
    latest = pool.latest
    files_by_date = sorted({a.published or "" for a in pool.articles.values()})
    scored: list[tuple[float, int]] = []
    for i, strength in enumerate(pool.outlook):
        if strength < 0.5 or i in used:
            continue
        d = pool.dated[i]
        if d and d.date.year is not None and latest is not None:
            if (d.date.year, d.date.month or 12) < (latest.year, latest.month):
                continue  # its time has passed by the newest article
        published = pool.articles[pool.units[i].file].published or ""
        recency = (files_by_date.index(published) / max(1, len(files_by_date) - 1)
                   if published else 0.5)
        score = float(pool.centrality[i]) + 0.5 * strength + 0.3 * recency + _quality(pool, i)
        scored.append((score, i))
    scored.sort(reverse=True)
    items: list[BriefItem] = []
    taken: set[int] = set()
    for _, i in scored:
        if len(items) >= n or i in taken:
            continue
        item = _item(pool, "watch", i)
        taken.update(_indices(pool, item))
        items.append(item)
    return tuple(items)


def scope_limits(n_articles: int) -> Limits:
    """Section sizes that keep a briefing to one page."""
    if n_articles <= 2:
        return Limits(summary=3, timeline=6, actors=3, figures=3, disagreements=2, watch=3)
    return Limits()


__all__: Sequence[str] = ("Limits", "Sections", "citation", "extract", "scope_limits")
