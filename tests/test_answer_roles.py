"""Questions asking who holds a role (rag.answer.roles): which questions ask one, which names a
sentence ties to the role (title, apposition, predicate, a comma-list the parser misreads), which
titles are someone else's (another country's, another body's, another office's), and the offline
answer built on them: the name that holds the role, or a refusal when no sentence names one."""

from __future__ import annotations

import pytest

from index.embed import FakeEmbedder
from rag.answer.extractive import ExtractiveGenerator
from rag.answer.nlp import parse
from rag.answer.roles import answer, asked_role, holders, holders_of, holding, names_owner
from rag.records import Passage


@pytest.mark.parametrize(
    ("question", "lemma"),
    [
        ("Who is the chief executive of Acme Holdings?", "executive"),
        ("Who is Norland's finance minister?", "minister"),
        ("Who was the coach of the Greek sprinters?", "coach"),
        ("Who is head of research at Brightwater Bank?", "head"),
        ("Who is Jack Straw?", None),  # a person, not a role
        ("Who is developing the new laptop?", None),  # a doer, not a role
        ("When did the minister resign?", None),
    ],
)
def test_which_questions_ask_who_holds_a_role(question: str, lemma: str | None) -> None:
    role = asked_role(question)
    assert (role.lemma if role is not None else None) == lemma


@pytest.mark.parametrize(
    ("question", "sentence", "names"),
    [
        # a title before the name, an apposition either way, the predicate of "is"
        (
            "Who is the Norland culture minister?",
            "Culture Minister Ada Brenn said the review was fair.",
            ["Ada Brenn"],
        ),
        (
            "Who is Norland's finance minister?",
            "Tomas Vell, Norland's finance minister, argued for lower taxes.",
            ["Tomas Vell"],
        ),
        (
            "Who is the chairman of the Olympic bid?",
            "The bid chairman, Lord Harrow, admitted he had never run a marathon.",
            ["Lord Harrow"],
        ),
        (
            "Who is head of research at Brightwater Bank?",
            '"Rates will rise," said Mia Sorel, head of research at Brightwater Bank in Leeds.',
            ["Mia Sorel"],
        ),
        # the initials of the body the question names are the same body
        (
            "Who is the General Secretary of the Union of Print Workers?",
            '"It is a scandal," said Dan Hollis, UPW General Secretary.',
            ["Dan Hollis"],
        ),
        # another country's president, another body's chief executive, another office
        (
            "Who is the president of Vellmark?",
            "Russian president Vladimir Putin will visit the region in June.",
            [],
        ),
        (
            "Who is Acme's chief executive?",
            '"We have found the right person," said Zenith chief executive Ray Lamb.',
            [],
        ),
        (
            "Who is Norland's trade minister?",
            "Tomas Vell, Norland's finance minister, argued for lower taxes.",
            [],
        ),
        # mentioning the role is not naming its holder
        (
            "Who is Acme's chief executive?",
            "Acme Holdings, the region's largest bank, has fought a bid battle all year.",
            [],
        ),
    ],
)
def test_the_names_a_sentence_ties_to_the_role(
    question: str, sentence: str, names: list[str]
) -> None:
    role = asked_role(question)
    assert role is not None
    assert holders(role, parse(sentence)) == names


def test_a_name_before_a_comma_list_the_parser_misreads_still_holds_the_title() -> None:
    """ "Kamal Nath, Commerce and Industry Minister, …" is parsed as a list of three; the name
    before the comma, with no verb between it and the title, holds it."""
    role = asked_role("Who is Norland's Commerce and Industry Minister?")
    assert role is not None
    found = holders_of(
        role,
        [
            "Lena Marsh, Commerce and Industry Minister, announced the decision on Thursday.",
            "Lena Marsh announced that the minister would resign.",
        ],
    )
    assert found == [["Lena Marsh"], []]


class _S:
    def __init__(self, text: str, file: str, score: float) -> None:
        self.text, self.file, self.score = text, file, score


def test_a_name_another_sentence_gives_another_countrys_title_does_not_hold_it() -> None:
    role = asked_role("Who was Norland's defence minister at the talks?")
    assert role is not None
    plain = "During a visit to Norland in July, Defence Minister Piet Harrow was shown the base."
    other = "Valdorian Defence Minister Piet Harrow met the delegation in the capital."
    assert holders_of(role, [plain]) == [["Piet Harrow"]]  # alone, nothing says whose he is
    assert holders_of(role, [plain, other]) == [[], []]
    own = "Norland's Defence Minister Anna Brenn joined them later."
    assert holders_of(role, [plain, other, own]) == [[], [], ["Anna Brenn"]]


def test_a_name_another_sentence_gives_another_office_still_holds_the_title() -> None:
    # Reports name one office in several ways: "economy minister" is not another country's.
    role = asked_role("Who is Norland's Economic and Fiscal Policy Minister?")
    assert role is not None
    full = "The recovery goes on, said Economic and Fiscal Policy Minister Piet Harrow."
    short = "We will watch the figures closely, said economy minister Piet Harrow."
    assert holders_of(role, [full, short]) == [["Piet Harrow"], []]


def test_holding_keeps_only_sentences_naming_a_holder_and_answer_counts_their_articles() -> None:
    role = asked_role("Who is Acme's chief executive?")
    assert role is not None
    sentences = [
        _S("Acme Holdings had a difficult year, analysts said.", "a.md", 0.9),
        _S("Acme chief executive Jane Roe said profits would recover.", "a.md", 0.8),
        _S("Jane Roe, Acme's chief executive, spoke on Monday.", "b.md", 0.75),
        _S("Acme chief executive Jane Roe will retire next year.", "c.md", 0.3),  # weak
    ]
    held = holding(role, sentences, limit=10)
    assert [s.file for s, _ in held] == ["a.md", "b.md", "c.md"]
    short = answer(held, 0.85)
    assert short is not None and short.text == "Jane Roe"
    assert short.files == frozenset({"a.md", "b.md"})  # c.md scores below 0.85 of the best
    assert holding(role, sentences, limit=1) == []  # only the first sentence looked at
    assert answer([], 0.85) is None


def _passage(file: str, text: str) -> Passage:
    return Passage(f"{file}#0", file, 0, len(text), text, 1.0, "Acme results")


def test_the_offline_answer_names_the_holder_or_refuses() -> None:
    gen = ExtractiveGenerator(FakeEmbedder(), sentence_weights=None)
    question = "Who is Acme's chief executive?"
    named = gen.draft(
        question,
        [
            _passage(
                "a.md",
                "Acme's profits fell sharply in the year to March. Acme chief executive Jane "
                "Roe said the company would recover.",
            )
        ],
    )
    assert not named.refused and named.short_answer == "Jane Roe"
    assert "Jane Roe" in named.claims[0].text
    unnamed = gen.draft(
        question,
        [
            _passage(
                "a.md",
                "Acme's chief executive faces questions over falling profits. Acme's profits "
                'fell sharply, said Zenith chief executive Ray Lamb. "The board must act."',
            )
        ],
    )
    assert unnamed.refused


def test_the_holders_article_must_name_whose_role_it_is() -> None:
    role = asked_role("Who is the chief executive of Brightwater Bank?")
    assert role is not None
    assert names_owner(role, "Brightwater said its chief executive would stay.")
    assert not names_owner(role, "A judge dismissed the oil firm's claim, its chief said.")
    assert names_owner(role, None)  # no article text at hand: not judged
    unowned = asked_role("Who was the coach of the sprinters?")
    assert unowned is not None and names_owner(unowned, "Anything at all.")


def test_a_holder_from_an_article_that_never_names_the_owner_is_refused() -> None:
    texts = {
        "a.md": "Chief executive Ray Lamb said the firm would keep its chief executive role.",
        "b.md": "Chief executive Jane Roe said Brightwater would keep its chief executive role.",
    }

    def article(file: str) -> tuple[str, dict[str, str]] | None:
        return (texts[file], {}) if file in texts else None

    question = "Who is the chief executive of Brightwater?"
    # Without the article lookup the sentence alone is judged: it names a chief executive.
    plain = ExtractiveGenerator(FakeEmbedder(), sentence_weights=None)
    assert plain.draft(question, [_passage("a.md", texts["a.md"])]).short_answer == "Ray Lamb"
    gen = ExtractiveGenerator(FakeEmbedder(), sentence_weights=None, article=article)
    assert gen.draft(question, [_passage("a.md", texts["a.md"])]).refused  # whose chief?
    own = gen.draft(question, [_passage("b.md", texts["b.md"])])
    assert not own.refused and own.short_answer == "Jane Roe"
