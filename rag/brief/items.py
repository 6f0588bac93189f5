"""A briefing item from a unit of the sentence pool: its citation, and the near-duplicates in
other articles merged in (``support`` counts the articles)."""

from __future__ import annotations

from rag.brief.pool import Pool, duplicates
from rag.brief.records import BriefItem
from rag.records import Citation


def citation(pool: Pool, i: int, cid: int = 0) -> Citation:
    u = pool.units[i]
    a = pool.articles[u.file]
    return Citation(cid, u.file, u.start, u.end, u.text, "", a.title, a.outlet, a.published)


def make_item(pool: Pool, section: str, i: int, text: str | None = None, **kw: object) -> BriefItem:
    group = [i, *duplicates(pool, i)]
    cites = tuple(citation(pool, j, n) for n, j in enumerate(group, 1))
    return BriefItem(
        section,
        text if text is not None else pool.units[i].text,
        cites,
        support=len({pool.units[j].file for j in group}),
        **kw,  # type: ignore[arg-type]
    )
