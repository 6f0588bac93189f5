"""The sentence pool a briefing is made from: every quote-aware sentence unit of the articles in
scope, with its embedding, centrality (mean cosine to the sentences of the *other* articles), the
names it mentions, its event date, and its near-duplicates in other articles.

Large scopes are cut to a budget first: units are ranked by a cheap lexical centrality (TF-IDF
cosine to the scope's centroid, plus a bonus for dates, figures, attributions and article leads)
and only the best ``max_units`` are kept. Up to ``embed_limit`` units are embedded with the
index's embedder (vectors cached in the data dir, so a regenerated briefing embeds only the
sentences of new articles); past that, TF-IDF vectors hashed to a dense array stand in — a
sentence embedding costs about 30 ms on a laptop CPU, so 1,500 units would take a minute.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np

from index.embed import Embedder
from rag.brief.actors import ActorNames, normalise_name, person_names
from rag.brief.figures import Figure, figures_in
from rag.brief.records import ArticleRef
from rag.brief.units import Unit, outlook, units
from rag.text.dates import (
    MONTH_NAMES_LOWER,
    WEEKDAY_NUMBERS,
    DateMention,
    EventDate,
    best_date,
    parse_published,
    status_for,
)
from rag.text.terms import jaccard, stems

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Dated:
    mention: DateMention
    date: EventDate
    status: str  # happened | planned


@dataclass
class Pool:
    units: list[Unit]
    articles: dict[str, ArticleRef]
    vectors: np.ndarray  # (n, dim), unit length
    sim: np.ndarray  # (n, n) cosine
    centrality: np.ndarray  # (n,) mean cosine to the other articles' units, scaled to [0, 1]
    terms: list[frozenset[str]]
    names: list[frozenset[str]]  # canonical names mentioned
    dated: list[Dated | None]
    figures: list[list[Figure]]
    outlook: list[float]
    actor_names: ActorNames
    name_df: Counter[str]  # in how many articles each canonical name occurs
    mode: str = "embed"  # how the vectors were made: embed | lexical
    near: dict[int, list[int]] = field(default_factory=dict)  # memo of neighbours()
    dups: dict[int, list[int]] = field(default_factory=dict)  # memo of duplicates()

    def ref(self, i: int) -> date | None:
        return parse_published(self.articles[self.units[i].file].published)

    def rare(self, name: str) -> bool:
        """A name few articles mention: sharing it says two sentences are about the same thing."""
        n = len(self.articles)
        return self.name_df[name] <= max(2, math.ceil(0.05 * n)) and n > 1

    @property
    def latest(self) -> date | None:
        dates = [d for a in self.articles.values() if (d := parse_published(a.published))]
        return max(dates) if dates else None


# ---- building ----------------------------------------------------------------------------------
def build_pool(
    docs: Sequence[tuple[ArticleRef, str]],
    embedder: Embedder,
    allowed: dict[str, list[tuple[int, int]]] | None = None,
    max_units: int = 1500,
    cache_dir: Path | None = None,
    progress: Progress | None = None,
    vectors: str = "auto",
    embed_limit: int = 600,
) -> Pool:
    """``docs``: (article, stored text). ``allowed``: per file, the spans a topic retrieved —
    only units inside them are kept. ``vectors``: 'embed' (the embedder, cached), 'lexical'
    (TF-IDF hashed into a dense vector: no model, instant) or 'auto' (embed up to
    ``embed_limit`` units, lexical beyond)."""
    all_units: list[Unit] = []
    articles: dict[str, ArticleRef] = {}
    for ref, text in docs:
        articles[ref.file] = ref
        for u in units(ref.file, text, ref.title):
            spans = allowed.get(ref.file) if allowed is not None else None
            if spans is not None and not any(s <= u.start and u.end <= e + 1 for s, e in spans):
                continue
            all_units.append(u)
    unit_terms = [stems(u.text) for u in all_units]
    if len(all_units) > max_units:
        keep = _preselect(all_units, unit_terms, max_units)
        all_units = [all_units[i] for i in keep]
        unit_terms = [unit_terms[i] for i in keep]
    mode = (
        vectors if vectors != "auto" else ("embed" if len(all_units) <= embed_limit else "lexical")
    )
    if mode == "lexical":
        mat = _tfidf_vectors(unit_terms)
    else:
        mat = _embed([u.text for u in all_units], embedder, cache_dir, progress)
    sim = mat @ mat.T if len(all_units) else np.zeros((0, 0), dtype=np.float32)
    centrality = _centrality(all_units, sim)

    inventory = person_names(u.text for u in all_units)
    actor_names = ActorNames(inventory)
    names: list[frozenset[str]] = []
    name_articles: dict[str, set[str]] = {}
    proper = _proper_words([u.text for u in all_units])
    for u in all_units:
        found = frozenset(actor_names.canonical(n) for n in _mentions(u.text, proper))
        names.append(found)
        for n in found:
            name_articles.setdefault(n, set()).add(u.file)
    name_df = Counter({n: len(f) for n, f in name_articles.items()})

    dated: list[Dated | None] = []
    for u in all_units:
        pub = parse_published(articles[u.file].published)
        best = best_date(u.text, pub)
        if best is None:
            dated.append(None)
            continue
        m, d, tense = best
        dated.append(Dated(m, d, status_for(d, tense, pub)))
    return Pool(
        units=all_units,
        articles=articles,
        vectors=mat,
        sim=sim,
        centrality=centrality,
        mode=mode,
        terms=unit_terms,
        names=names,
        dated=dated,
        figures=[figures_in(u.text) for u in all_units],
        outlook=[outlook(u.text) for u in all_units],
        actor_names=actor_names,
        name_df=name_df,
    )


def _proper_words(texts: Sequence[str]) -> set[str]:
    """Words written capitalised inside a sentence somewhere in scope: proper nouns, as opposed
    to ordinary words that are capitalised only because they open a sentence ("Net profit")."""
    from rag.text.names import NAME_RE

    found: set[str] = set()
    for text in texts:
        for m in NAME_RE.finditer(text):
            before = text[: m.start()].rstrip()
            if before and before[-1] not in '.!?"“:':
                found.update(m.group(0).split())
    return found


def _mentions(text: str, proper: set[str]) -> list[str]:
    from rag.text.names import names

    out = []
    for n in names(text):
        n = normalise_name(n)
        if len(n) <= 2 or n.lower() in _CALENDAR_WORDS:
            continue
        if " " not in n and n not in proper:
            continue
        out.append(n)
    return out


_CALENDAR_WORDS = frozenset([*MONTH_NAMES_LOWER, *WEEKDAY_NUMBERS, "today", "yesterday"])


def _centrality(us: Sequence[Unit], sim: np.ndarray) -> np.ndarray:
    n = len(us)
    if n == 0:
        return np.zeros(0, dtype=np.float32)
    files = np.array([u.file for u in us])
    other = files[:, None] != files[None, :]
    if not other.any():  # a single article: centrality within it
        other = ~np.eye(n, dtype=bool)
    counts = np.maximum(other.sum(axis=1), 1)
    raw = (sim * other).sum(axis=1) / counts
    lo, hi = float(raw.min()), float(raw.max())
    return ((raw - lo) / (hi - lo)) if hi > lo else np.ones(n, dtype=np.float32)


def _preselect(us: Sequence[Unit], unit_terms: Sequence[frozenset[str]], budget: int) -> list[int]:
    """Indices of the ``budget`` most promising units, in their original order."""
    df: Counter[str] = Counter()
    for t in unit_terms:
        df.update(t)
    n = len(us)
    idf = {t: math.log(1 + n / c) for t, c in df.items()}
    centroid: dict[str, float] = {}
    for t in unit_terms:
        for w in t:
            centroid[w] = centroid.get(w, 0.0) + idf[w]
    norm_c = math.sqrt(sum(v * v for v in centroid.values())) or 1.0
    scores: list[tuple[float, int]] = []
    for i, (u, t) in enumerate(zip(us, unit_terms, strict=True)):
        norm_u = math.sqrt(sum(idf[w] ** 2 for w in t)) or 1.0
        cos = sum(idf[w] * centroid[w] for w in t) / (norm_u * norm_c)
        bonus: float = 0.05 * (u.n < 3)
        bonus += 0.03 * bool(best_date(u.text, None)) + 0.03 * bool(figures_in(u.text))
        bonus += 0.03 * (outlook(u.text) > 0.5) + 0.02 * ('"' in u.text or "“" in u.text)
        scores.append((cos + bonus, i))
    keep = sorted(i for _, i in sorted(scores, reverse=True)[:budget])
    return keep


def _tfidf_vectors(unit_terms: Sequence[frozenset[str]], dim: int = 2048) -> np.ndarray:
    """TF-IDF over stemmed content words, hashed into ``dim`` signed buckets, unit length."""
    df: Counter[str] = Counter()
    for t in unit_terms:
        df.update(t)
    n = max(1, len(unit_terms))
    mat = np.zeros((len(unit_terms), dim), dtype=np.float32)
    for row, t in enumerate(unit_terms):
        for w in t:
            h = int.from_bytes(hashlib.blake2b(w.encode(), digest_size=8).digest(), "big")
            mat[row, h % dim] += (1.0 if (h >> 32) & 1 else -1.0) * math.log(1 + n / df[w])
    norms = np.linalg.norm(mat, axis=1, keepdims=True)
    return mat / np.where(norms == 0, 1, norms)


def _embed(
    texts: Sequence[str],
    embedder: Embedder,
    cache_dir: Path | None,
    progress: Progress | None,
    batch: int = 128,
) -> np.ndarray:
    keys = [hashlib.sha1(t.encode()).hexdigest()[:20] for t in texts]
    cache = _load_cache(cache_dir, embedder.name)
    missing = [i for i, k in enumerate(keys) if k not in cache]
    total = max(1, math.ceil(len(missing) / batch))
    for b in range(0, len(missing), batch):
        idx = missing[b : b + batch]
        if progress:
            progress(b // batch, total, f"embedding sentences ({b}/{len(missing)})")
        for i, v in zip(idx, embedder.embed([texts[i] for i in idx]), strict=True):
            cache[keys[i]] = np.asarray(v, dtype=np.float32)
    if missing:
        _save_cache(cache_dir, embedder.name, cache, keys)
    if not texts:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    mat = np.stack([cache[k] for k in keys]).astype(np.float32)
    norms = np.linalg.norm(mat, axis=1, keepdims=True)
    return mat / np.where(norms == 0, 1, norms)


def _cache_path(cache_dir: Path, name: str) -> Path:
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)
    return cache_dir / f"vectors-{safe}.npz"


def _load_cache(cache_dir: Path | None, name: str) -> dict[str, np.ndarray]:
    if cache_dir is None:
        return {}
    path = _cache_path(cache_dir, name)
    if not path.exists():
        return {}
    try:
        with np.load(path) as data:
            keys = json.loads(bytes(data["keys"]).decode())
            mat = data["vectors"]
            return {k: mat[i] for i, k in enumerate(keys)}
    except (OSError, ValueError, KeyError):
        return {}


def _save_cache(
    cache_dir: Path | None,
    name: str,
    cache: dict[str, np.ndarray],
    current: Sequence[str],
    limit: int = 50_000,
) -> None:
    if cache_dir is None:
        return
    cache_dir.mkdir(parents=True, exist_ok=True)
    keys = list(cache)
    if len(keys) > limit:  # keep what this scope uses
        keys = list(dict.fromkeys(current))
    mat = np.stack([cache[k] for k in keys]).astype(np.float32)
    path = _cache_path(cache_dir, name)
    tmp = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npz")
    np.savez(tmp, vectors=mat, keys=np.frombuffer(json.dumps(keys).encode(), dtype=np.uint8))
    tmp.replace(path)


# ---- near-duplicates ---------------------------------------------------------------------------
def date_match(pool: Pool, i: int, j: int) -> bool | None:
    """True when both units date their event alike, False when they date it differently (or only
    one dates it), None when neither does."""
    a, b = pool.dated[i], pool.dated[j]
    if a is None and b is None:
        return None
    if a is None or b is None:
        return False
    if a.date.precision == "unknown" or b.date.precision == "unknown":
        # An unresolved "Thursday" matches only the same word.
        return a.mention.text.lower() == b.mention.text.lower()
    x, y = a.date.coarse(b.date)
    return bool(x) and x == y


def figures_match(pool: Pool, i: int, j: int) -> bool:
    fa = {f.value.lower() for f in pool.figures[i] if f.specific}
    fb = {f.value.lower() for f in pool.figures[j] if f.specific}
    return not (fa and fb and not fa & fb)


def shared_names(pool: Pool, i: int, j: int) -> frozenset[str]:
    return pool.names[i] & pool.names[j]


def same_fact(pool: Pool, i: int, j: int) -> bool:
    """Do units ``i`` and ``j`` of different articles state the same thing? Lexical overlap,
    shared names and agreeing dates and figures decide; the embedding only confirms, so the
    rule holds for any embedder."""
    if pool.units[i].file == pool.units[j].file or not figures_match(pool, i, j):
        return False
    dm = date_match(pool, i, j)
    if dm is False:
        return False
    shared = shared_names(pool, i, j)
    lexical = jaccard(pool.terms[i], pool.terms[j])
    cos = float(pool.sim[i, j])
    if lexical >= 0.55:
        return True
    if not shared:
        return False
    if dm is True:
        a, b = pool.dated[i], pool.dated[j]
        if a and b and a.date.month and b.date.month:
            return lexical >= 0.2 or any(pool.rare(n) for n in shared)
        return lexical >= 0.45  # agreeing on a year alone says little
    return lexical >= 0.35 and cos >= 0.5


def neighbours(pool: Pool, i: int, k: int = 40) -> list[int]:
    """The ``k`` units of other articles most similar to ``i`` (by embedding)."""
    if i not in pool.near:
        order = np.argsort(-pool.sim[i])
        files = pool.units[i].file
        pool.near[i] = [int(j) for j in order[: k * 3] if pool.units[int(j)].file != files][:k]
    return pool.near[i]


def duplicates(pool: Pool, i: int) -> list[int]:
    """The best matching unit of each other article that states the same thing as ``i``."""
    if i in pool.dups:
        return pool.dups[i]
    best: dict[str, tuple[float, int]] = {}
    for j in neighbours(pool, i):
        f = pool.units[j].file
        if same_fact(pool, i, j):
            score = float(pool.sim[i, j]) + jaccard(pool.terms[i], pool.terms[j])
            if f not in best or score > best[f][0]:
                best[f] = (score, j)
    pool.dups[i] = [j for _, j in sorted(best.values(), reverse=True)]
    return pool.dups[i]
