"""Candidate short answers, merging across sources, disagreements, refusals and quoting in the
offline generator — offline: the fake embedder and a scorer with weights set in the test."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pytest

from index.embed import FakeEmbedder
from rag.answer.analysis import analyse
from rag.answer.candidates import candidates_in, normal_key
from rag.answer.extractive import ExtractiveGenerator
from rag.answer.features import CANDIDATE_FEATURES, SENTENCE_FEATURES
from rag.answer.nlp import parse
from rag.answer.scoring import Logistic, Scorer, load_scorer
from rag.records import Passage


def _scorer(refuse_below: float = 0.5) -> Scorer:
    s = {"overlap": 8.0, "typed_present": 1.0, "unseen": -6.0}
    c = {**s, "type_primary": 3.0, "proximity": 2.0, "redundancy": 2.0}
    return Scorer(
        Logistic(SENTENCE_FEATURES, tuple(s.get(f, 0.0) for f in SENTENCE_FEATURES), -3.0),
        Logistic(CANDIDATE_FEATURES, tuple(c.get(f, 0.0) for f in CANDIDATE_FEATURES), -4.0),
        refuse_below,
        0.0,
        {},
    )


def _passages(texts: Sequence[tuple[str, str]], published: str | None = None) -> list[Passage]:
    return [
        Passage(f"{f}#0", f, 0, len(t), t, 1.0 / (i + 1), title="", published=published)
        for i, (f, t) in enumerate(texts)
    ]


@pytest.fixture
def generator() -> ExtractiveGenerator:
    return ExtractiveGenerator(FakeEmbedder(), scorer=_scorer())


def test_typed_question_takes_entities_not_in_the_question() -> None:
    info = analyse("When will Putin visit North Korea?")
    doc = parse("Putin will visit North Korea on June 18-19, the Kremlin said.")
    found = {(c.text, c.label) for c in candidates_in(doc, 0, info)}
    assert ("June 18-19", "DATE") in found
    assert not any(text in ("Putin", "North Korea") for text, _ in found)


def test_untyped_question_takes_noun_phrases_with_their_prepositional_phrase() -> None:
    info = analyse("What did Kim Jong Un declare was his very first priority?")
    doc = parse("Kim said his very first priority is relations with the Russian Federation.")
    texts = {c.text for c in candidates_in(doc, 0, info)}
    assert "relations with the Russian Federation" in texts
    assert "his very first priority" not in texts, "words of the question are not an answer"


def test_name_question_takes_only_proper_names() -> None:
    info = analyse("What was the name of Kim's armored train?")
    doc = parse("Kim travelled on an armored train from Pyongyang to the border.")
    assert {c.text for c in candidates_in(doc, 0, info)} <= {"Pyongyang"}


def test_normal_key_merges_spellings() -> None:
    assert normal_key("the Kremlin") == normal_key("Kremlin")
    assert normal_key("June 18–19") == normal_key("June 18-19")
    assert normal_key("Tass's") == normal_key("Tass")
    assert normal_key("July") != normal_key("August")


def test_same_answer_in_three_articles_is_corroborated(generator: ExtractiveGenerator) -> None:
    passages = _passages(
        [
            ("a.txt", "Putin will visit North Korea on June 18-19, the Kremlin said."),
            ("b.txt", "The Kremlin said Putin will visit North Korea on June 18-19."),
            ("c.txt", "Putin is to visit North Korea on June 18-19, officials confirmed."),
        ]
    )
    draft = generator.draft("When will Putin visit North Korea?", passages)
    assert not draft.refused
    assert draft.short_answer == "June 18-19"
    assert draft.corroboration == 3
    files = {passages[c.passage - 1].file for claim in draft.claims for c in claim.citations}
    assert len(files) >= 2, "the quotes come from more than one of the agreeing articles"


def test_different_answers_in_two_articles_are_both_reported(
    generator: ExtractiveGenerator,
) -> None:
    passages = _passages(
        [
            ("a.txt", "Defense Minister Sergei Shoigu visited North Korea in August 2023."),
            ("b.txt", "Defense Minister Sergei Shoigu visited North Korea in July 2023."),
        ]
    )
    draft = generator.draft("When did Defense Minister Sergei Shoigu visit North Korea?", passages)
    assert not draft.refused and draft.disagreements
    values = {v for v, _ in draft.disagreements[0].values}
    assert values == {"August 2023", "July 2023"}
    assert draft.short_answer and "August 2023" in draft.short_answer
    assert "July 2023" in draft.short_answer


def test_weak_evidence_is_refused() -> None:
    passages = _passages([("a.txt", "The weather in Vladivostok was mild and sunny all week.")])
    strict = ExtractiveGenerator(FakeEmbedder(), scorer=_scorer(refuse_below=0.5))
    draft = strict.draft("Who won the football match between Russia and North Korea?", passages)
    assert draft.refused and not draft.claims


def test_question_after_the_newest_article_is_refused_with_the_span() -> None:
    passages = _passages([("a.txt", "Putin will visit North Korea on June 18-19.")], "2024-06-17")
    gen = ExtractiveGenerator(
        FakeEmbedder(),
        scorer=_scorer(refuse_below=0.0),
        date_span=lambda: (date(2023, 9, 14), date(2024, 6, 17)),
    )
    draft = gen.draft("Who will Putin meet in 2031?", passages)
    assert draft.refused
    assert "the articles run from 14 September 2023 to 17 June 2024" in draft.refusal_note
    inside = gen.draft("When will Putin visit North Korea in 2024?", passages)
    assert not inside.refused


def test_pronoun_subject_gets_its_referent_outside_the_cited_span(
    generator: ExtractiveGenerator,
) -> None:
    text = (
        "Kremlin spokesman Dmitry Peskov spoke to reporters on Tuesday. "
        "He also confirmed that Putin will visit North Korea on June 18-19."
    )
    passages = _passages([("a.txt", text)])
    draft = generator.draft("When will Putin visit North Korea?", passages)
    claim = next(c for c in draft.claims if "June 18-19" in c.text)
    assert claim.text.startswith("[Peskov] also confirmed")
    cite = claim.citations[0]
    assert cite.start is not None and cite.end is not None
    assert text[cite.start : cite.end].startswith("also confirmed"), "brackets are not quoted"


def test_committed_weights_load_and_name_their_features() -> None:
    scorer = load_scorer()
    assert scorer.sentence.features == SENTENCE_FEATURES
    assert scorer.candidate.features == CANDIDATE_FEATURES
    assert 0.0 < scorer.refuse_below < 1.0
    assert scorer.meta.get("fitted_on", {}).get("half") == "fit"


def test_who_wrote_it_is_answered_from_the_article_metadata() -> None:
    passages = _passages(
        [("a.txt", "Putin will visit North Korea on June 18-19, the Kremlin said.")]
    )
    gen = ExtractiveGenerator(
        FakeEmbedder(),
        scorer=_scorer(refuse_below=0.0),
        article_meta=lambda f: {"author": "Ben Whedon"} if f == "a.txt" else None,
    )
    draft = gen.draft("Who wrote the report that Putin will visit North Korea?", passages)
    assert draft.short_answer == "Ben Whedon"
    assert draft.claims and draft.claims[0].citations[0].passage == 1
    plain = ExtractiveGenerator(FakeEmbedder(), scorer=_scorer(refuse_below=0.0))
    assert plain.draft("Who wrote the report that Putin will visit?", passages).short_answer != (
        "Ben Whedon"
    )
