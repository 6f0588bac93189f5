"""Where a reader starts: suggested questions built offline from the corpus (the names the
articles share, the briefing's actors and disagreements), overview requests recognised
("summarize", "what's new") so they can be answered with the briefing's summary, and whether a
briefing topic is covered by any article at all — with the closest topics the corpus does cover
when it is not.

Everything here is plain text work over titles, article text and a saved briefing: no model is
loaded and nothing is generated, so suggestions can be rebuilt after every ingest.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from rag.brief.records import Briefing
from rag.records import Answer, Claim, Passage
from rag.text.names import TITLES, names
from rag.text.terms import stems

OVERVIEW_QUESTION = "Summarize these articles"

_OVERVIEW = re.compile(
    r"^\s*(?:(?:please|can you|could you|now)\s+)*(?:"
    r"summari[sz]e|sum\s+up|recap|brief\s+me|give\s+me\s+(?:a|an|the)\s+(?:summary|overview|"
    r"rundown|recap)|(?:a|an|the)?\s*(?:summary|overview|rundown|recap)\b|tl;?\s*dr|"
    r"what(?:'s|’s|\s+is)\s+new|what(?:'s|’s|\s+is)\s+(?:the\s+)?latest\b|"
    r"what\s+(?:are|do)\s+(?:these|the|all)\s+(?:articles|stories|sources)\s+(?:about|say)\s*\??$|"
    r"what\s+happened\s*\??$)",
    re.IGNORECASE,
)
_SAID = re.compile(r"^\W{0,3}(?:said|says|told|added|warned|stated)\b")


def is_overview_request(question: str) -> bool:
    """Does ``question`` ask for an overview of the articles rather than a fact in them?"""
    return bool(_OVERVIEW.match(question or ""))


@dataclass(frozen=True)
class Doc:
    """What suggestions read of an article."""

    file: str
    title: str
    text: str


@dataclass(frozen=True)
class Name:
    name: str
    articles: int  # in how many articles it occurs
    person: bool  # stands after a title ("President …") or before "said"


def shared_names(docs: Sequence[Doc], limit: int = 12) -> list[Name]:
    """Names of two or more words found in the most articles (people first among equals)."""
    seen: Counter[str] = Counter()
    person: set[str] = set()
    for d in docs:
        here: set[str] = set()
        text = f"{d.title}\n{d.text}"
        for m in _names_with_context(text):
            name, before, after = m
            words = name.split()
            titled = False
            while len(words) > 1 and words[0].lower().strip(".") in TITLES:
                words, titled = words[1:], True  # "Defense Minister Sergei Shoigu"
            name = " ".join(words)
            if len(words) < 2 or len(name) > 40:
                continue
            here.add(name)
            # "President X", or "X said" (an organisation takes "the": "the Kremlin said")
            said = _SAID.match(after) and before.lower() != "the"
            if titled or before.lower() in TITLES or said:
                person.add(name)
        seen.update(here)
    # A name that is the tail of a longer one ("Jong Un" of "Kim Jong Un") is the same name.
    ranked = sorted(seen.items(), key=lambda kv: (-kv[1], kv[0] not in person, kv[0]))
    out: list[Name] = []
    for name, n in ranked:
        if any(name in o.name or o.name in name for o in out):
            continue
        out.append(Name(name, n, name in person))
        if len(out) >= limit:
            break
    return out


def _names_with_context(text: str) -> Iterable[tuple[str, str, str]]:
    """(name, the word before it, the text after it) for each capitalised name."""
    for name in dict.fromkeys(names(text)):
        for m in re.finditer(rf"\b{re.escape(name)}\b", text):
            before = text[max(0, m.start() - 30) : m.start()].split()
            yield name, before[-1].strip(",.") if before else "", text[m.end() : m.end() + 12]


def suggest_questions(
    docs: Sequence[Doc], briefing: Briefing | None = None, limit: int = 5
) -> list[str]:
    """Questions worth asking first: an overview, the newest article's (``docs[0]``) leading
    person, the briefing's disagreements, actors and planned events, then the names the articles
    share. Deterministic; no model involved."""
    out: list[str] = [OVERVIEW_QUESTION]
    if docs:  # the newest article's leading person first: new articles bring new questions
        lead = [n for n in shared_names(docs[:1], limit=6) if n.person]
        if lead:
            out.append(f"What did {lead[0].name} say?")
    if briefing is not None:
        for item in briefing.disagreements[:1]:
            if item.about:
                out.append(f"What do the sources say about {item.about}?")
        for a in briefing.actors[:2]:
            out.append(f"What did {a.name} say?")
        for item in briefing.timeline:
            if item.status == "planned" and item.date is not None:
                out.append(f"What is planned for {item.date.label()}?")
                break
    for n in shared_names(docs):
        out.append(
            f"What did {n.name} say?" if n.person else f"What do the articles say about {n.name}?"
        )
    seen: set[str] = set()
    unique = []
    for q in out:
        key = q.lower()
        if key not in seen:
            seen.add(key)
            unique.append(q)
    return unique[:limit]


# ---- topics ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TopicSupport:
    """Is a briefing topic covered? ``files`` are the articles whose passages carry it;
    ``closest`` the topics the corpus does cover that are nearest to it (when it is not)."""

    topic: str
    covered: bool
    files: tuple[str, ...] = ()
    closest: tuple[str, ...] = ()


def passage_supports(topic: str, passage: Passage, share: float = 0.6) -> bool:
    """Does ``passage`` carry ``topic``: at least ``share`` of its content stems (all of them
    for one or two), and one of its capitalised names when it has any."""
    wanted = stems(topic)
    if not wanted:
        return True
    have = stems(f"{passage.title}\n{passage.text}")
    need = len(wanted) if len(wanted) <= 2 else math.ceil(share * len(wanted))
    if len(wanted & have) < need:
        return False
    topic_names = [n for n in names(topic) if n.lower() not in {"the", "a"}]
    return not topic_names or any(stems(n) & have for n in topic_names)


def topic_support(
    topic: str,
    passages: Sequence[Passage],
    candidates: Sequence[str],
    similarity: Callable[[str, Sequence[str]], Sequence[float]] | None = None,
    n_closest: int = 4,
) -> TopicSupport:
    """Whether ``topic`` is covered by the retrieved ``passages``; if not, the ``candidates``
    (topics the corpus covers) closest to it by ``similarity`` (embedding cosine), else by
    shared stems."""
    files = tuple(dict.fromkeys(p.file for p in passages if passage_supports(topic, p)))
    if files:
        return TopicSupport(topic, True, files)
    pool = [c for c in dict.fromkeys(candidates) if c.strip() and c.lower() != topic.lower()]
    if not pool:
        return TopicSupport(topic, False)
    if similarity is not None:
        scores = list(similarity(topic, pool))
    else:
        mine = stems(topic)
        scores = [len(mine & stems(c)) / (len(mine | stems(c)) or 1) for c in pool]
    order = sorted(range(len(pool)), key=lambda i: (-scores[i], i))
    return TopicSupport(topic, False, (), tuple(pool[i] for i in order[:n_closest]))


def topic_candidates(docs: Sequence[Doc], briefing: Briefing | None = None) -> list[str]:
    """Topics the corpus covers: the briefing's actors, the shared names, the titles."""
    out: list[str] = []
    if briefing is not None:
        out += [a.name for a in briefing.actors]
    out += [n.name for n in shared_names(docs, limit=20)]
    out += [d.title for d in docs if d.title]
    return list(dict.fromkeys(out))


def overview_answer(question: str, briefing: Briefing) -> Answer:
    """An overview request answered with the briefing's summary, each line cited as in the
    briefing; ``extra["overview"]`` says so (the UI links to the full briefing)."""
    claims = tuple(
        Claim(i.text, i.citations, i.supported, i.score) for i in briefing.summary if i.citations
    )
    if not claims:
        return Answer(
            question,
            "The articles in scope give no summary to draw on.",
            (),
            True,
            briefing.generator,
            extra={"overview": True},
        )
    return Answer(
        question,
        " ".join(c.text for c in claims),
        claims,
        False,
        briefing.generator,
        extra={"overview": True, "briefing": briefing.scope.to_json()},
    )
