"""The referent of a quoted sentence's pronoun subject (rag.answer.referent) and its place in an
offline answer: in square brackets, outside the cited span, which stays the article's exact
text (rag.answer.extractive); what a definite description in the question's gap stands for,
and the sentence naming it quoted before the one describing it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from index.embed import FakeEmbedder
from rag.answer.align import aligned
from rag.answer.analysis import analyse
from rag.answer.extractive import Candidate, ExtractiveGenerator
from rag.answer.nlp import parse
from rag.answer.referent import (
    is_description,
    named_near,
    nearest_person,
    pronoun_subject,
    referent,
)
from rag.answer.short import Around, Evidence, short_answer
from rag.records import Passage

if TYPE_CHECKING:
    from spacy.tokens import Span

BEFORE = (
    "The talks ended late on Tuesday. Finance minister Maria Olsen said the deal was fair. "
    "The opposition disagreed."
)


def test_an_opening_pronoun_subject_is_found() -> None:
    assert pronoun_subject("He also confirmed the visit.") == 3
    assert pronoun_subject("She  said the plan would cost more.") == 5
    assert pronoun_subject("The minister said he would resign.") == 0  # not the opening word
    assert pronoun_subject("His office declined to comment.") == 0  # not the subject
    assert pronoun_subject("It rained all day in the capital.") == 0  # not a person


def test_the_nearest_person_named_before_is_the_referent() -> None:
    assert nearest_person(BEFORE) == "Maria Olsen"
    later = BEFORE + " Chief executive Tom Berg welcomed it."
    assert nearest_person(later) == "Tom Berg"
    assert nearest_person("The talks ended late on Tuesday.") is None


def test_referent_of_a_sentence() -> None:
    got = referent("He also confirmed the visit.", "Spokesman Dmitry Peskov spoke on Friday.")
    assert got is not None and (got.name, got.skip) == ("Dmitry Peskov", 3)
    assert referent("The visit was confirmed.", BEFORE) is None


def test_quoted_pronoun_sentence_gets_the_name_in_brackets_outside_the_span() -> None:
    article = BEFORE + " She also confirmed that the vote would be held in May."
    start = article.index("She also")
    passage = Passage("a#0", "a.txt", 0, len(article), article, 1.0)
    sentence = article[start:]
    cand = Candidate(1, "a.txt", start, len(article), sentence, 0.9, 0.9, 0.9, True, frozenset())
    claim = ExtractiveGenerator(FakeEmbedder())._claim(cand, [passage])
    assert claim.text == "[Maria Olsen] also confirmed that the vote would be held in May."
    cite = claim.citations[0]
    assert cite.start is not None and cite.end is not None
    assert article[cite.start : cite.end] == "also confirmed that the vote would be held in May."
    plain = Candidate(1, "a.txt", 0, 31, article[:31], 0.9, 0.9, 0.9, True, frozenset())
    assert ExtractiveGenerator(FakeEmbedder())._claim(plain, [passage]).text == article[:31]


# ---- a definite description's referent --------------------------------------------------------

SHOW_ARTICLE = (
    "“Squid Game” is officially coming back. Netflix announced Sunday that the wildly popular "
    "South Korean show is green lit for a second season."
)
SHOW_QUESTION = "Which wildly popular show was recently green lit for a new season?"


def _gap_phrase(question: str, sentence: str) -> Span:
    spans = [span for span, _ in aligned(question, parse(sentence))]
    assert spans, "nothing aligned"
    return spans[0]


def test_a_definite_description_of_the_focus_is_told_from_a_name() -> None:
    sentence = SHOW_ARTICLE.split(". ", 1)[1]
    assert is_description(_gap_phrase(SHOW_QUESTION, sentence), "show")
    assert not is_description(_gap_phrase(SHOW_QUESTION, sentence), "season")  # not the focus
    named = "Netflix announced Sunday that Squid Game is green lit for a second season."
    assert not is_description(_gap_phrase(SHOW_QUESTION, named), "show")
    # no determiner: "military factories" is itself the answer to "Which factories…"
    bare = _gap_phrase("Which factories will Kim visit?", "Kim will visit military factories.")
    assert not is_description(bare, "factory")


def _description(sentence: str, focus: str) -> Span:
    doc = parse(sentence)
    chunk = next(c for c in doc.noun_chunks if c.root.lemma_ == focus)
    return doc[chunk.start + 1 : chunk.end]  # its determiner stripped, as phrases in the gap are


def test_the_names_of_the_nearest_sentence_are_what_a_description_stands_for() -> None:
    before = [
        parse("The awards were announced in Los Angeles."),
        parse("It was a good morning for the casts of “Succession” and “Ted Lasso.”"),
    ]
    asked = frozenset({"show", "nominations"})
    shows = _description("The shows earned several nominations.", "show")
    show = _description("The show earned several nominations.", "show")
    assert named_near(shows, before, [], asked, frozenset()) == (1, "Succession and Ted Lasso")
    assert named_near(show, before, [], asked, frozenset()) == (1, "Succession")
    # a quoted remark is not a title; a name of another kind than asked is not the referent
    remark = [parse("“And now, the hero returns,” the director said.")]
    assert named_near(show, remark, [], asked, frozenset()) is None
    place = [parse("The team flew to Paris on Monday.")]
    assert named_near(show, place, [], asked, frozenset({"PERSON"})) is None
    assert named_near(show, place, [], asked, frozenset()) == (0, "Paris")


def test_a_lede_describes_and_the_next_sentence_names() -> None:
    after = [parse("Boogeyman took $19.5m (£14.9m) in three days, the studio said.")]
    before = [parse("The thriller “Hide and Seek” was last week’s chart-topper.")]
    asked = frozenset({"horror", "film", "topped", "box", "office"})
    the_film = _description("The horror film has topped the box office.", "film")
    # back first, then ahead
    assert named_near(the_film, before, after, asked, frozenset()) == (0, "Hide and Seek")
    assert named_near(the_film, [], after, asked, frozenset()) == (0, "Boogeyman")
    # an indefinite description is left as it stands: as often the answer itself
    lede = "A low-budget horror film produced by Sam Raimi has topped the box office."
    assert not is_description(_description(lede, "film"), "film")


def test_the_sentence_naming_what_the_best_one_describes_is_quoted_first() -> None:
    passage = Passage("a#0", "a.txt", 0, len(SHOW_ARTICLE), SHOW_ARTICLE, 1.0)
    draft = ExtractiveGenerator(FakeEmbedder(), sentence_weights=None).draft(
        SHOW_QUESTION, [passage]
    )
    assert draft.short_answer == "Squid Game"
    assert [c.text for c in draft.claims][:2] == SHOW_ARTICLE.replace(". ", ".\n", 1).split("\n")


def test_a_description_outside_the_gap_is_resolved_only_when_nothing_else_is_offered() -> None:
    info = analyse(
        "A processed cheese product is seeing a boost in popularity. Which product is it?"
    )
    before = [Evidence("In 2020, Velveeta started flying off the shelves.", "a.txt")]
    best = Evidence(
        "Sales of the processed cheese product have been in decline for years.", "a.txt"
    )
    got = short_answer(info, [best], around=Around(before))
    assert got is not None and (got.text, got.referent) == ("Velveeta", 0)
    # a product the best sentence names itself is its answer, not what came before
    named = Evidence("Sales of the processed cheese product Cheez Whiz have fallen.", "a.txt")
    got = short_answer(info, [named], around=Around(before))
    assert got is not None and got.referent is None and "Cheez Whiz" in got.text
    assert short_answer(info, [best]) is None  # nothing before it: no short answer


def test_what_kind_of_thing_is_answered_by_the_description_itself() -> None:
    info = analyse("What kind of agreement did Putin sign?")
    assert info.asks_kind
    best = Evidence("Putin signed the strategic partnership agreement on Wednesday.", "a.txt")
    after = [Evidence("The “Moscow Accord” was drafted in May.", "a.txt")]
    got = short_answer(info, [best], around=Around(after=after))
    assert got is not None and (got.text, got.referent) == ("strategic partnership agreement", None)
    # "Which agreement…" asks for the one meant, named after the description
    got = short_answer(
        analyse("Which agreement did Putin sign?"), [best], around=Around(after=after)
    )
    assert got is not None and (got.text, got.referent) == ("Moscow Accord", 0)


def test_the_sentence_naming_it_after_the_best_one_is_quoted_after_it() -> None:
    article = (
        "Nestle says the French mineral water faces an uncertain future after a strike. "
        "Perrier has been hit by falling sales and rising costs this year."
    )
    passage = Passage("a#0", "a.txt", 0, len(article), article, 1.0)
    draft = ExtractiveGenerator(FakeEmbedder(), sentence_weights=None).draft(
        "Which French mineral water owned by Nestle faces an uncertain future?", [passage]
    )
    assert draft.short_answer == "Perrier"
    assert [c.text for c in draft.claims][:2] == article.replace(". ", ".\n", 1).split("\n")


def test_a_courtesy_title_and_surname_is_given_as_the_article_first_names_the_person() -> None:
    from rag.answer.referent import courtesy_surname, full_name

    article = (
        "Trade and Industry Secretary Patricia Hewitt said the plans would help families. "
        'Ms Hewitt told the seminar: "We need to do more." Mr Brown did not comment.'
    )
    assert courtesy_surname("Ms Hewitt") == "Hewitt"
    assert courtesy_surname("Dr. Jill Biden") is None and courtesy_surname("Hewitt") is None
    assert full_name("Ms Hewitt", article) == "Patricia Hewitt"
    assert full_name("Mr Brown", article) == "Mr Brown"  # never named in full
    assert full_name("Patricia Hewitt", article) == "Patricia Hewitt"


def test_the_previous_sentences_subject_is_the_referent_even_untyped() -> None:
    # spaCy leaves the lone surname "White" untyped and tags "Conte" PERSON; the pronoun follows
    # a sentence about White, as news writes it, and she is named as the article first names her.
    before = (
        "Banned American sprinter Kelli White says she took steroids given to her by Victor "
        "Conte. White said Conte at first told her the substance was flaxseed oil. "
        "White failed a drugs test after winning the 100m and 200m titles."
    )
    got = referent("She was subsequently handed a two-year ban in May.", before)
    assert got is not None and got.name == "Kelli White"
    # an untyped subject the article never names a person by is no referent ("Director, …")
    alone = "Victor Conte denied it. Medicine failed to stop the decline in sales."
    assert nearest_person(alone) == "Victor Conte"
    # nor is a common word that opens a sentence, even when a person's name ends in it
    common = "Jo Children spoke. Children need care, and children need time."
    assert nearest_person(common) == "Jo Children"


def test_a_person_titled_as_the_other_gender_is_passed_over() -> None:
    before = (
        "Ms Hewitt met the union on Monday. Mr Brown said the talks with Patricia Hewitt "
        "had gone well."
    )
    assert nearest_person(before, "she") == "Patricia Hewitt"
    assert nearest_person(before, "he") == "Brown"
    assert nearest_person(before) == "Brown"
