"""The referent of a quoted sentence's pronoun subject (rag.answer.referent) and its place in an
offline answer: in square brackets, outside the cited span, which stays the article's exact
text (rag.answer.extractive)."""

from __future__ import annotations

from index.embed import FakeEmbedder
from rag.answer.extractive import Candidate, ExtractiveGenerator
from rag.answer.referent import nearest_person, pronoun_subject, referent
from rag.records import Passage

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
