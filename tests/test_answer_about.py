"""rag/answer/about.py: the question's names, and whether an article names one of them; and the
extractive answerer quoting only articles that do. The example texts are made up."""

from __future__ import annotations

from index.embed import FakeEmbedder
from rag.answer.about import initialisms, names_any, question_names, words_of
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
