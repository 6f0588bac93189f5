"""rag/answer/about.py: the question's names, and whether an article names one of them; and the
extractive answerer quoting only articles that do. The example texts are made up."""

from __future__ import annotations

from index.embed import FakeEmbedder
from rag.answer.about import (
    initialisms,
    names_any,
    question_figures,
    question_names,
    states_figures,
    words_of,
)
from rag.answer.analysis import analyse
from rag.answer.extractive import ExtractiveGenerator
from rag.records import Passage


def test_the_question_names_are_its_entities_and_proper_nouns_without_figures() -> None:
    names = question_names(analyse("How much did Brightwater Bank pay for Zenith in 2004?"))
    assert "brightwater bank" in names and "zenith" in names
    assert not any("2004" in n for n in names)  # a date is no name
    assert question_names(analyse("How many people were hurt in the fire?")) == []


def test_an_article_names_a_name_by_all_its_words_or_its_initials() -> None:
    assert names_any(["arts council wales"], "The Arts Council of Wales said on Monday…")
    assert names_any(["world anti doping agency"], "Wada officials will meet.")
    assert names_any(["covid-19"], "Covid-19 cases rose.")
    assert not names_any(["arts council wales"], "The council said the arts would suffer.")
    assert not names_any(["mary poppins"], "Cinema tickets cost more this year.")
    assert names_any(["india", "mary poppins"], "Mary Poppins opens in London.")  # one suffices
    assert names_any([], "Anything.")  # a question that names nothing
    assert words_of("Nestle's chief") == {"nestle", "chief"}


def test_an_acronym_is_named_by_the_words_it_stands_for() -> None:
    assert names_any(["us"], "The United States said on Monday…")
    assert names_any(["nhs"], "The National Health Service will pay.")
    assert not names_any(["us"], "The UK said on Monday…")
    assert "wada" in initialisms("The World Anti-Doping Agency")


def test_a_nationality_is_no_subject_of_its_own_for_the_article_check() -> None:
    info = analyse("How many months did a Russian court add to the detention?")
    assert question_names(info) == ["russian"]
    assert question_names(info, nationalities=False) == []


def _passage(file: str, text: str, score: float = 1.0) -> Passage:
    return Passage(f"{file}#0", file, 0, len(text), text, score, "Ticket prices")


TEXTS = {
    "cinema.md": "Tickets for the new musical cost as much as $6.25 this year, cinema owners said.",
    "opening.md": "The Mary Poppins musical opens in London next month, its producers said.",
    "seats.md": "Seats for the Mary Poppins musical will cost up to £65 each, the producers said.",
}
QUESTION = "How much do tickets for the Mary Poppins musical cost?"


def _article(file: str) -> tuple[str, dict[str, str]] | None:
    return (TEXTS[file], {"title": "Ticket prices"}) if file in TEXTS else None


def _passages(*files: str) -> list[Passage]:
    return [_passage(f, TEXTS[f], 1.0 - i / 10) for i, f in enumerate(files)]


def test_a_figure_from_an_article_that_never_names_the_subject_is_not_an_answer() -> None:
    # Without the article lookup the sentence alone is judged: it gives a ticket price (and
    # another retrieved article names Mary Poppins, so no question word goes unseen).
    plain = ExtractiveGenerator(FakeEmbedder(), sentence_weights=None)
    got = plain.draft(QUESTION, _passages("cinema.md", "opening.md"))
    assert not got.refused and "$6.25" in (got.short_answer or "")
    gen = ExtractiveGenerator(FakeEmbedder(), sentence_weights=None, article=_article)
    assert gen.draft(QUESTION, _passages("cinema.md", "opening.md")).refused
    named = gen.draft(QUESTION, _passages("cinema.md", "opening.md", "seats.md"))
    assert not named.refused and "£65" in (named.short_answer or "")
    assert all("Mary Poppins" in c.text for c in named.claims)


def test_the_title_counts_as_naming() -> None:
    def article(file: str) -> tuple[str, dict[str, str]] | None:
        return (TEXTS[file], {"title": "Mary Poppins fans pay more"}) if file in TEXTS else None

    gen = ExtractiveGenerator(FakeEmbedder(), sentence_weights=None, article=article)
    got = gen.draft(QUESTION, _passages("cinema.md", "opening.md"))
    assert not got.refused and "$6.25" in (got.short_answer or "")


def test_the_figures_a_question_states_and_an_article_that_states_them() -> None:
    assert question_figures("Which carmaker recalled 2.9 million cars, worth $1,250m?") == [
        "2.9",
        "1250",
    ]
    assert question_figures("Which chain opened in 21,000 towns in 2022?") == ["21000"]  # no year
    assert question_figures("Who made the Covid-19 vaccine for the G7?") == []  # part of a name
    assert question_figures("Where did a 7.0-magnitude quake hit?") == ["7.0"]
    assert states_figures(["2.9", "1250"], "It recalled 2.9m cars at a cost of $1,250m.")
    assert not states_figures(["2.9"], "It recalled 1.56 million cars, up 2.95%.")
    assert states_figures(["2", "21000"], "He scored two goals before 21,000 fans.")  # in words
    assert not states_figures(["2"], "He scored twice.")
    assert states_figures(["13", "2.9"], "Prices rose 13.1% as 2.87 million cars sold.")  # rounded
    assert not states_figures(["13"], "Prices rose 13.6%.")
    assert states_figures([], "Anything.")


RECALLS = {
    "jeeps.md": "Carmaker Fiat Chrysler is recalling 1.56 million vehicles over a fault.",
    "fords.md": "Carmaker Ford is recalling 2.9 million vehicles over a fault in their gears.",
}


def test_an_article_that_never_states_the_questions_figure_reports_another_event() -> None:
    def article(file: str) -> tuple[str, dict[str, str]] | None:
        return (RECALLS[file], {"title": "Recall"}) if file in RECALLS else None

    question = "Which carmaker is recalling 2.9 million vehicles over a fault?"
    gen = ExtractiveGenerator(FakeEmbedder(), sentence_weights=None, article=article)
    jeeps = [Passage("jeeps.md#0", "jeeps.md", 0, 71, RECALLS["jeeps.md"], 1.0, "Recall")]
    plain = ExtractiveGenerator(FakeEmbedder(), sentence_weights=None)
    assert not plain.draft(question, jeeps).refused  # the sentence alone would be quoted
    assert gen.draft(question, jeeps).refused
    fords = [Passage("fords.md#0", "fords.md", 0, 76, RECALLS["fords.md"], 0.9, "Recall")]
    got = gen.draft(question, jeeps + fords)
    assert not got.refused and all("Ford" in c.text for c in got.claims)
