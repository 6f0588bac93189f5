"""Suggested questions, overview requests, topic coverage and relative days resolved to dates."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.brief.relative import resolve_relative_dates
from rag.brief.suggest import (
    OVERVIEW_QUESTION,
    Doc,
    is_overview_request,
    passage_supports,
    shared_names,
    suggest_questions,
    topic_support,
)
from rag.records import Passage
from rag.service import Dossier

DOCS = [
    Doc(
        "a.txt",
        "Putin to visit North Korea",
        "Russian President Vladimir Putin accepted an invitation. Kim Jong Un said the visit "
        "would come soon. Vladimir Putin met officials in Moscow.",
    ),
    Doc(
        "b.txt",
        "Summit in Pyongyang",
        "Kim Jong Un welcomed Vladimir Putin in Pyongyang. The United Nations said sanctions "
        "remain.",
    ),
    Doc("c.txt", "Other news", "The United Nations met in Geneva on Tuesday."),
]


@pytest.mark.parametrize(
    "question",
    [
        "Summarize these articles",
        "summarise the articles",
        "Please summarize",
        "What's new?",
        "what is new in these stories",
        "Give me an overview",
        "What are these articles about?",
        "tl;dr",
    ],
)
def test_overview_requests(question: str) -> None:
    assert is_overview_request(question)


@pytest.mark.parametrize(
    "question",
    ["Who invited Putin?", "What is the summary of the treaty's article 4?", "When is the summit?"],
)
def test_questions_are_not_overview_requests(question: str) -> None:
    assert not is_overview_request(question)


def test_shared_names_rank_by_articles_and_spot_people() -> None:
    got = shared_names(DOCS)
    assert got[0].name in ("Vladimir Putin", "Kim Jong Un") and got[0].articles == 2
    people = {n.name for n in got if n.person}
    assert "Vladimir Putin" in people  # "President Vladimir Putin"
    assert "Kim Jong Un" in people  # "Kim Jong Un said"
    assert "United Nations" in {n.name for n in got} and "United Nations" not in people


def test_suggested_questions() -> None:
    qs = suggest_questions(DOCS, limit=4)
    assert qs[0] == OVERVIEW_QUESTION and len(qs) == 4 and len(set(qs)) == 4
    assert any("Vladimir Putin" in q for q in qs)
    assert "What do the articles say about United Nations?" in suggest_questions(DOCS, limit=9)
    assert suggest_questions([]) == [OVERVIEW_QUESTION]


def _passage(text: str, file: str = "a.txt") -> Passage:
    return Passage(f"{file}#0", file, 0, len(text), text, 1.0, title="")


def test_passage_supports_a_topic() -> None:
    p = _passage("Putin will visit North Korea, the Kremlin said.")
    assert passage_supports("Putin's visit to North Korea", p)
    assert not passage_supports("Xi Jinping", p)
    assert not passage_supports("the economy of Brazil", _passage("The economy grew."))


def test_uncovered_topic_offers_the_closest_topics() -> None:
    passages = [_passage("Putin will visit North Korea.")]
    covered = topic_support("Putin's visit to North Korea", passages, ["Kim Jong Un"])
    assert covered.covered and covered.files == ("a.txt",)
    miss = topic_support("Xi Jinping", passages, ["Kim Jong Un", "Putin visit", "Xi's China"])
    assert not miss.covered and miss.files == () and miss.closest[0] == "Xi's China"

    def sim(q: str, pool: list[str]) -> list[float]:
        return [1.0 if "Kim" in c else 0.0 for c in pool]

    ranked = topic_support("Xi Jinping", passages, ["Putin visit", "Kim Jong Un"], sim)
    assert ranked.closest[0] == "Kim Jong Un"


def test_dossier_topic_support_and_suggestions(fake_dossier: Dossier, sample_copy: Path) -> None:
    fake_dossier.ingest(sample_copy)
    assert fake_dossier.topic_support("Putin's visit to North Korea").covered
    miss = fake_dossier.topic_support("Xi Jinping")
    assert not miss.covered and miss.closest
    first = fake_dossier.suggestions()
    assert first[0] == OVERVIEW_QUESTION and len(first) >= 3
    # refreshed after an ingest that changes the index
    (sample_copy / "new.txt").write_text(
        "Harbour reopens\n\n"
        + "Mayor Alice Fontaine said the harbour reopened on Friday after repairs. " * 6
    )
    fake_dossier.ingest(sample_copy)
    assert any("Alice Fontaine" in q for q in fake_dossier.suggestions(limit=8))


@pytest.mark.parametrize(
    ("text", "published", "want"),
    [
        (
            "The Kremlin confirmed on Thursday that he will visit.",
            "2024-06-20",
            "The Kremlin confirmed on Thursday (20 Jun 2024) that he will visit.",
        ),
        (
            "Talks will resume Friday, officials said yesterday.",
            "2024-06-20T10:00:00-04:00",
            "Talks will resume Friday (21 Jun 2024), officials said yesterday (19 Jun 2024).",
        ),
        ("He spoke on Monday.", None, "He spoke on Monday."),
        ("He spoke on June 17, 2024.", "2024-06-20", "He spoke on June 17, 2024."),
        (
            "Talks were held last week.",
            "2024-06-20",
            "Talks were held last week (week of 10 Jun 2024).",
        ),
    ],
)
def test_relative_days_resolved(text: str, published: str | None, want: str) -> None:
    assert resolve_relative_dates(text, published) == want
