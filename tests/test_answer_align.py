"""The question's gap aligned with a sentence's parse (rag.answer.align), and the short answers
and question analysis that use it (rag.answer.short, rag.answer.analysis)."""

from __future__ import annotations

import pytest

from index.embed import Embedder, make_embedder
from rag.answer.align import aligned, gap
from rag.answer.analysis import analyse
from rag.answer.nlp import parse
from rag.answer.short import Evidence, short_answer


@pytest.fixture(scope="module")
def minilm() -> Embedder:
    return make_embedder("minilm-onnx")


def _aligned(question: str, sentence: str) -> list[tuple[str, float]]:
    return [(span.text, strength) for span, strength in aligned(question, parse(sentence))]


@pytest.mark.parametrize(
    ("question", "sentence", "answer"),
    [
        # the subject of the same verb, though another name stands nearer the question's words
        (
            "Which airline announced a deal to buy Spirit Airlines?",
            "JetBlue Airways on Thursday announced it would purchase Spirit Airlines, a "
            "combination that would create America's fifth-largest airline.",
            "JetBlue Airways",
        ),
        # the path runs through a noun: "the sale of which team"
        (
            "NFL owners unanimously approved the sale of which football team?",
            "NFL owners unanimously approved the sale of the Denver Broncos on Tuesday.",
            "Denver Broncos",
        ),
        # voice undone: the passive question's subject is the active sentence's object,
        # and a partitive ("much of") opens onto its "of" phrase
        (
            "Which country was shaken by a strong earthquake?",
            "An offshore earthquake shook much of Peru on Wednesday.",
            "Peru",
        ),
        # the object of the verb, the question's subject in the sentence too
        (
            "Who did Putin meet in Vladivostok?",
            "Putin met Kim Jong Un in Vladivostok.",
            "Kim Jong Un",
        ),
        # a small clause's subject stands for the object ("found X liable")
        (
            "Which celebrity was found liable in a civil case?",
            "A jury found embattled comedian Bill Cosby liable in a civil case.",
            "Bill Cosby",
        ),
        # one side of a copula: its other side, whichever way round the sentence has it
        (
            "Which country is now bankrupt, according to its prime minister?",
            "Sri Lanka is bankrupt, Prime Minister Ranil Wickremesinghe said on Tuesday.",
            "Sri Lanka",
        ),
        ("What is the capital of Peru?", "The capital of Peru is Lima.", "Lima"),
        ("What is the capital of Peru?", "Lima is the capital of Peru.", "Lima"),
        # a figure's conversion in brackets is not a name in apposition
        (
            "What was the total cost of fraud reported by consumers?",
            "The total cost of fraud reported by consumers was $546m (£290m).",
            "$546m",
        ),
        # a participle the parser reads as the complement of "was" is a passive: its subject
        # is the object of the sentence's active verb ("which wildly popular…": adverbs too)
        (
            "Which wildly popular show was recently renewed for a new season?",
            "Netflix renewed Squid Game for a second season on Sunday.",
            "Squid Game",
        ),
    ],
)
def test_the_phrase_in_the_gap_is_found(question: str, sentence: str, answer: str) -> None:
    got = _aligned(question, sentence)
    assert got and got[0] == (answer, 1.0), got


def test_another_verb_is_matched_through_a_sibling_argument_as_a_weaker_match() -> None:
    got = _aligned(
        "Which popular singer will launch a Las Vegas residency?",
        "Adele has postponed her Las Vegas residency because of production delays.",
    )
    assert got == [("Adele", 0.5)]


def test_nothing_is_aligned_without_the_anchor_or_a_wh_phrase() -> None:
    assert _aligned("Who won the match?", "The weather in Vladivostok was mild.") == []
    assert gap("Putin met Kim in Vladivostok.") is None
    # "when" is an adverb: the answer's type finds it, not its place in the parse
    assert gap("When did Putin meet Kim?") is None


def test_the_question_word_is_in_the_question_sentence_not_a_relative_clause() -> None:
    q = (
        "Afghanistan was rocked by a powerful earthquake this week that killed more than 1,000 "
        "people. What was the magnitude of the quake?"
    )
    info = analyse(q)
    assert info.wh == "what" and info.focus == "magnitude"
    q = "A drone strike killed the most wanted terrorist, who was associated with which group?"
    assert analyse(q).wh == "which"
    # "In which country…" is a question even when the parser hangs it on a relative clause
    q = "A volcano eruption in which country recently prompted a Level 5 alert."
    assert analyse(q).wh == "which"
    assert analyse("According to which state media outlet did Peskov speak?").wh == "which"


def test_how_soon_wants_a_date_and_her_name_a_person() -> None:
    assert analyse("How soon could vaccines be available for young children?").labels == (
        "DATE",
        "TIME",
    )
    info = analyse("The critic was booted from her House seat this week. What is her name?")
    assert info.name and info.labels == ("PERSON",)


@pytest.mark.slow
def test_the_aligned_name_beats_a_nearer_name_of_the_same_kind(minilm: Embedder) -> None:
    info = analyse("Which island nation plunged into chaos, prompting its leader to flee?", minilm)
    sentence = "Sri Lanka has plunged into chaos and its president has fled to Singapore."
    got = short_answer(info, [Evidence(sentence, "a.txt")])
    assert got is not None and got.text == "Sri Lanka"


def test_a_figure_of_the_unit_asked_for_answers_how_many() -> None:
    info = analyse("How many years was his sentence?")
    sentence = "Harris has been sentenced to 12 years in federal prison, prosecutors said."
    got = short_answer(info, [Evidence(sentence, "a.txt")])
    assert got is not None and got.text == "12 years"


def test_the_best_sentences_are_typed_by_their_entities_not_by_capitals() -> None:
    from index.embed import FakeEmbedder
    from rag.answer.extractive import ExtractiveGenerator
    from rag.records import Passage

    texts = [
        "On Monday, the new bridge over the river opened to traffic at last.",
        "Mayor John Smith opened the new bridge over the river on Monday.",
    ]
    passages = [Passage(f"{i}.txt#0", f"{i}.txt", 0, len(t), t, 1.0) for i, t in enumerate(texts)]
    question = "Who opened the new bridge?"
    gen = ExtractiveGenerator(FakeEmbedder(), sentence_weights=None)
    _, cands = gen.score(question, passages, analyse(question))
    typed = {c.file: c.typed for c in cands}
    # "Monday" is capitalised but a date: the parse does not take it for a person
    assert typed == {"0.txt": False, "1.txt": True}


def test_a_guessed_focus_type_does_not_override_a_far_stronger_sentence(
    minilm: Embedder,
) -> None:
    """The glossary's guess at a "which <focus>" type (a "website" resembles the entry for
    places) is only a guess: a sentence of the guessed kind is quoted instead of the best one
    only when it is nearly as strong, not when it scores far below it."""
    from rag.answer.extractive import ExtractiveGenerator
    from rag.records import Passage

    question = "Which website does the Zeta toolbar link to when it finds a film's title?"
    info = analyse(question, minilm)
    assert info.wanted == "place" and info.focus == "website"  # the glossary's guess
    texts = [
        "The Zeta toolbar links a page to Filmbase.com if it finds a film's title on the page.",
        "The Zeta toolbar links pages in Oslo.",
    ]
    passages = [Passage(f"{i}.txt#0", f"{i}.txt", 0, len(t), t, 1.0) for i, t in enumerate(texts)]
    gen = ExtractiveGenerator(minilm, sentence_weights=None)
    _, cands = gen.score(question, passages, info)
    by_file = {c.file: c for c in cands}
    assert not by_file["0.txt"].typed and by_file["1.txt"].typed
    # strong enough not to refuse, far below the best
    assert gen.refuse_below <= by_file["1.txt"].score < 0.85 * by_file["0.txt"].score
    draft = gen.draft(question, passages)
    assert not draft.refused and "Filmbase.com" in draft.claims[0].text
