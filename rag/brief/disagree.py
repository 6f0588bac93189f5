"""Where the sources disagree: units of different articles about the same thing (a rare shared
name, shared words) that date it differently or give different figures; both sides cited."""

from __future__ import annotations

from collections.abc import Sequence

from rag.brief.items import citation
from rag.brief.pool import Pool, neighbours, shared_names
from rag.brief.records import BriefItem
from rag.text.dates import parse_published
from rag.text.terms import jaccard


# ---- disagreements -----------------------------------------------------------------------------
def disagreements_in(pool: Pool, n: int) -> tuple[BriefItem, ...]:
    found: list[tuple[float, BriefItem]] = []
    seen: set[frozenset[int]] = set()
    for i in range(len(pool.units)):
        for j in neighbours(pool, i):
            if frozenset((i, j)) in seen:
                continue
            rare = sorted(x for x in shared_names(pool, i, j) if pool.rare(x))
            if not rare or jaccard(pool.terms[i], pool.terms[j]) < 0.15:
                continue
            pair = _conflict(pool, i, j, pool.terms[i] & pool.terms[j])
            if pair is None:
                continue
            seen.add(frozenset((i, j)))
            kind, (va, vb) = pair
            a, b = pool.articles[pool.units[i].file], pool.articles[pool.units[j].file]
            about = _about(kind, rare, pool.terms[i] & pool.terms[j])
            text = f"Sources differ on {about}: “{va}” ({_source(a)}) vs “{vb}” ({_source(b)})."
            item = BriefItem(
                "disagreements",
                text,
                (citation(pool, i, 1), citation(pool, j, 2)),
                support=2,
                about=about,
                values=((va, 1), (vb, 2)),
            )
            found.append((float(pool.sim[i, j]) + len(rare), item))
    found.sort(key=lambda f: -f[0])
    return tuple(item for _, item in found[:n])


_DATED_EVENTS = (
    "visit",
    "trip",
    "meet",
    "summit",
    "talk",
    "deal",
    "agreement",
    "attack",
    "elect",
    "launch",
    "vote",
    "arrest",
    "trial",
    "verdict",
    "merger",
    "takeov",
    "strike",
    "death",
    "kill",
    "sign",
    "resign",
    "appoint",
    "announc",
    "found",
    "open",
    "close",
)
_EVENT_WORDS = (
    "visit",
    "trip",
    "meet",
    "summit",
    "talk",
    "deal",
    "agreement",
    "attack",
    "elect",
    "launch",
    "vote",
    "sale",
    "profit",
    "loss",
    "price",
    "rate",
    "death",
    "kill",
    "arrest",
    "trial",
    "verdict",
    "merger",
    "takeover",
    "strike",
    "report",
)


def _about(kind: str, rare: Sequence[str], shared_terms: frozenset[str]) -> str:
    """'the month of Sergei Shoigu's visit', 'the number of artillery shells'."""
    if kind.startswith("number of"):
        return f"the {kind}" + (f" ({', '.join(rare)})" if rare else "")
    event = next((w for w in _EVENT_WORDS if w in shared_terms), "")
    who = " and ".join(rare[:2])
    return f"the {kind} of {who}'s {event}" if event else f"the {kind} ({who})"


def _source(a: object) -> str:
    outlet = getattr(a, "outlet", None) or str(getattr(a, "file", ""))[:12]
    published = parse_published(getattr(a, "published", None))
    return f"{outlet}, {published:%-d %b %Y}" if published else outlet


def _conflict(
    pool: Pool, i: int, j: int, shared_terms: frozenset[str]
) -> tuple[str, tuple[str, str]] | None:
    """Two values for one thing: the month/date of the same kind of event, or a figure of the
    same unit."""
    a, b = pool.dated[i], pool.dated[j]
    event = any(w in shared_terms for w in _DATED_EVENTS)
    if (
        event
        and a
        and b
        and a.date.month
        and b.date.month
        and a.date.precision != "unknown"
        and b.date.precision != "unknown"
        and a.status == b.status
    ):
        x, y = a.date.coarse(b.date)
        if x and x != y:
            kind = "date" if len(x) >= 3 and x[-1] else "month" if a.date.month else "year"
            return kind, (a.mention.text, b.mention.text)
    if jaccard(pool.terms[i], pool.terms[j]) < 0.25:
        return None
    fa = {f.unit.lower(): f for f in pool.figures[i] if f.specific and f.unit}
    fb = {f.unit.lower(): f for f in pool.figures[j] if f.specific and f.unit}
    for unit in fa.keys() & fb.keys():
        if fa[unit].value.lower() != fb[unit].value.lower():
            return f"number of {unit}", (fa[unit].phrase, fb[unit].phrase)
    return None
