"""What kind of value a question wants and whether a sentence holds it (rag.answer.kinds)."""

from __future__ import annotations

import pytest

from rag.answer import kinds
from rag.answer.analysis import analyse
from rag.answer.nlp import parse


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("When did Putin visit Pyongyang?", "date"),
        ("How many shells did North Korea send?", "number"),
        ("Who said the summit was useful?", kinds.ENTITY),
        ("Where did Putin publish an article?", kinds.ENTITY),
        ("What is the name of the cosmodrome where they met?", kinds.NAME),
        ("Why did the talks fail?", kinds.REASON),
    ],
)
def test_the_kind_comes_from_the_parse(question: str, kind: str) -> None:
    assert kinds.question_kind(analyse(question)) == kind


@pytest.mark.parametrize(
    ("sentence", "gives"),
    [
        ("This is because the accelerator pedal may not work in extreme cold.", True),
        ("The firms recalled 200,000 SUVs, citing a risk of fire while parked.", True),
        ("Travel was cut due to the pandemic.", True),
        ("The drought is so severe that displays are canceled.", True),
        ("Officials blamed the outage on a faulty cable.", True),
        ("GM is also recalling 19,924 Cadillac XLR coupes from the 2004 model year.", False),
        ("The talks ended on Tuesday in Geneva.", False),
    ],
)
def test_a_reason_is_a_stated_cause_or_purpose(sentence: str, gives: bool) -> None:
    info = analyse("Why is GM recalling the coupes?")
    assert kinds.value_typed(sentence, kinds.REASON, info) is gives


def test_a_date_of_the_asked_granularity() -> None:
    info = analyse("In which month and year did Putin visit Pyongyang?")
    assert kinds.value_typed("Putin visited Pyongyang in July 2000.", "date", info)
    assert not kinds.value_typed("Putin visited Pyongyang in 2000.", "date", info)


def test_how_long_wants_a_span_of_time_not_a_day() -> None:
    info = analyse("How long is the tribunal hearing expected to last?")
    assert kinds.question_kind(info) == "date"
    for duration in ("It will last three days.", "They were given a six-month ban.", "90 minutes"):
        assert kinds.value_typed(duration, "date", info), duration
    days = (
        "It gives its verdict early next week.",
        "It opens on 22 February.",
        "A second man",
        "He was sentenced one day after the campaign began.",  # when, not how long
        "It closed two years ago.",
    )
    for day in days:
        assert not kinds.value_typed(day, "date", info), day
    between = analyse("How long after the campaign was he sentenced?")
    assert kinds.value_typed("He was sentenced one day after the campaign.", "date", between)
    when = analyse("When is the tribunal hearing?")  # any date answers "when"
    assert kinds.value_typed("It opens on 22 February.", "date", when)


def test_what_time_is_a_time_of_day_or_a_race_time() -> None:
    info = analyse("In what time did the sprinter win the 60m?")
    for timed in ("He won in 6.46secs.", "She clocked 44.93 seconds.", "It starts at 10:30."):
        assert kinds.value_typed(timed, "date", info), timed
    assert not kinds.value_typed("The sprinter won the 60m title.", "date", info)
    when = analyse("When did the sprinter win the 60m?")  # a race time is no date
    assert not kinds.value_typed("She clocked 44.93 seconds.", "date", when)


def test_how_old_wants_an_age_not_any_figure() -> None:
    info = analyse("How old is the sprinter?")
    ages = (
        "The 19-year-old sprinter won.",
        "Smith, 19, won the race.",
        "He was aged 19.",
        "She is 34 years old.",
        "Adele (34) sang.",
    )
    for sentence in ages:
        assert kinds.value_typed(sentence, "number", info), sentence
    figures = ("The sprinter ran the third fastest 400m of all time.", "On Tuesday, 25 people won.")
    for sentence in figures:
        assert not kinds.value_typed(sentence, "number", info), sentence
    assert [(s, e) for s, e in kinds.ages("Smith, 19, won.")] == [(7, 9)]
    much = analyse("How much did the sprinter win?")  # other number questions: any figure
    assert kinds.value_typed("The sprinter, 19, won £400.", "number", much)
    assert kinds.value_typed("The sprinter won £400.", "number", much)


def test_a_number_counting_the_focus_noun() -> None:
    info = analyse("How many shells did North Korea send?")
    assert kinds.value_typed("North Korea sent around 5 million shells.", "number", info)
    assert not kinds.value_typed("North Korea sent 5 containers by rail.", "number", info)


def test_an_entity_of_the_wanted_labels_the_question_does_not_name() -> None:
    info = analyse("Who met Putin in Vladivostok?")
    assert kinds.entity_typed(parse("Kim Jong Un met Putin there."), kinds.ENTITY, info)
    assert not kinds.entity_typed(parse("Putin arrived on Monday."), kinds.ENTITY, info)


def test_a_name_stands_beside_the_focus_noun() -> None:
    info = analyse("What is the name of the cosmodrome where they met?")
    near = parse("They met at the Vostochny cosmodrome in the Amur region.")
    far = parse("The cosmodrome is in the far east of the country, Putin said.")
    assert kinds.entity_typed(near, kinds.NAME, info)
    assert not kinds.entity_typed(far, kinds.NAME, info)


def test_capitalised_names_are_the_cheap_first_judgement() -> None:
    assert kinds.new_name("Kim Jong Un met Putin there.", "Who met Putin?")
    assert not kinds.new_name("Putin arrived there.", "Who met Putin?")


def test_a_name_after_a_preposition_is_not_the_focus_nouns_name() -> None:
    info = analyse("What was the name of Kim's armored train?")
    got = parse("Kim had boarded his armored train in Pyongyang, heading for the border.")
    assert not kinds.entity_typed(got, kinds.NAME, info)


def test_the_count_may_name_the_counted_thing_by_its_modifier() -> None:
    info = analyse("How many mobile phones were sold worldwide last year?")
    assert kinds.value_typed("More than 674 million mobiles were sold last year.", "number", info)


def test_a_question_for_a_date_wants_a_day_not_a_month() -> None:
    info = analyse("On what date did Lavrov arrive in Pyongyang?")
    assert not kinds.value_typed("Lavrov would visit North Korea in October.", "date", info)
    assert kinds.value_typed("Lavrov arrived in Pyongyang on October 18.", "date", info)
    assert kinds.value_typed("Lavrov arrived in Pyongyang on Wednesday.", "date", info)


def test_how_much_wants_a_sum_not_an_ordinal() -> None:
    info = analyse("How much money did the sale raise in total?")
    assert not kinds.figure_typed(parse("The famous sale is now in its 11th year."), info)
    assert kinds.figure_typed(parse("The sale raised £2.4m for the academy's schools."), info)


def test_how_many_wants_a_number_not_a_vague_amount() -> None:
    info = analyse("How many people have signed up for the alerts?")
    vague = parse("The threats have the potential to affect millions of people.")
    assert not kinds.figure_typed(vague, info)
    assert kinds.figure_typed(parse("About 2,000 people have signed up for the alerts."), info)
    assert kinds.figure_typed(parse("A dozen people signed up on the first day."), info)


def test_name_spans_add_the_proper_nouns_the_recogniser_missed() -> None:
    doc = parse("The service, IT Safe, was launched by Hazel Blears on 3 March.")
    names = [span.text for span in kinds.name_spans(doc)]
    assert "IT Safe" in names and "Hazel Blears" in names
    assert all("March" not in n for n in names)  # a date is not a name
