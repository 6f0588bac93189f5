"""The shapes judged with their neighbours (index.neighbours): uncredited captions, headlines of
other stories between paragraphs, lists of links ending an article. Lines are invented."""

from __future__ import annotations

import pytest

from index.clean import clean_article
from index.neighbours import is_caption, is_related_headline, link_lists, neighbour_rules

PARA_A = (
    "The city council voted on Tuesday to expand the tram network along the river, after a "
    "consultation that drew more than four thousand responses from residents and businesses."
)
PARA_B = (
    "Construction is expected to begin next spring, and officials said the first trams could "
    "carry passengers within three years if the budget holds and suppliers deliver on time."
)


@pytest.mark.parametrize(
    "line",
    [
        "Protesters march outside the parliament building in Lisbon on March 5, 2022.",
        "Mayor Ana Silva speaks during a news conference at City Hall on June 14.",
        "Volunteers load sandbags onto a truck near the harbour in November 2021.",
        "From left: Ana Silva, Tom Reed and Lea Park at the opening of the bridge in Porto.",
    ],
)
def test_caption_in_wire_caption_style(line: str) -> None:
    assert is_caption(line)


@pytest.mark.parametrize(
    "line",
    [
        # past tense: prose tells what happened
        "Protesters marched outside the parliament building in Lisbon on March 5, 2022.",
        "Mayor Ana Silva said the harbour would reopen on June 14.",
        # no dated moment
        "Mayor Ana Silva speaks during a news conference at City Hall.",
        # leans on the sentence before it
        "She speaks during a news conference at City Hall on June 14.",
        # scheduled, not pictured
        "The festival runs until Jan. 8 at the old market square.",
        # two sentences
        "Protesters march in Lisbon on March 5. Police watch from the square.",
        # a quotation
        'Ana Silva speaks of "a new start" for the harbour on June 14.',
    ],
)
def test_prose_is_not_a_caption(line: str) -> None:
    assert not is_caption(line)


def test_related_headline_shares_nothing_with_its_neighbours() -> None:
    link = "Heat wave warning: Millions told to stay indoors as temperatures climb"
    assert is_related_headline(link, [PARA_A], [PARA_B])
    quoted = "'Stay indoors': Millions told to avoid the heat as temperatures climb"
    assert is_related_headline(quoted, [PARA_A], [PARA_B])


@pytest.mark.parametrize(
    "line",
    [
        "Tram expansion: Council votes to extend the network along the river",  # on topic
        "CHAPTER TWO: THE YEARS OF BUILDING TRAMS",  # a section heading
        "May 27: Authorities issue a warning about drones",  # a timeline entry
        "Reed: Let me ask you a follow up --",  # a transcript cut off
        "After the success of Garfield: The Movie, a sequel",  # not a kicker
        'Biggest opening weekend: "The Harbour" (2016), $75.1 million',  # a value
        "Midfielders (7): Ana Silva, Lea Park, Tom Reed and four others",  # a roster
        "Reed: 'We build trams.' (They build buses)",  # a transcript
        '"The Harbour: A Survey in Words and Pictures" by Ana Silva',  # a quoted title
        "'Harbour Lights: The Ferry Years' premieres on the public channel",
    ],
)
def test_headings_and_transcripts_are_not_related_links(line: str) -> None:
    assert not is_related_headline(line, [PARA_A], [PARA_B])


def test_a_heading_about_the_section_under_it_is_not_a_link() -> None:
    # a live blog's entry heading: the speaker is named in full two paragraphs on
    heading = "Silva: Harbour reopening is a 'turning point' for ferries"
    under = [
        "The ferries had been idle for two months while engineers repaired the quay walls.",
        "Mayor Ana Silva said on Friday the reopening was a turning point for the whole town.",
    ]
    assert not is_related_headline(heading, [PARA_A], under)


def test_related_headline_needs_paragraphs_around_it() -> None:
    link = "Heat wave warning: Millions told to stay indoors as temperatures climb"
    assert not is_related_headline(link, ["Short heading"], [PARA_B])


LINKS = [
    "More from the network",
    "— Why the league could change its draft rules in two years, explained",
    "— The new season's jerseys, ranked from best to worst",
    "— Three trade targets the club could chase this winter",
]


def test_link_list_ending_the_article_with_its_heading() -> None:
    lines = ["Headline", PARA_A, PARA_B, *LINKS]
    assert link_lists(lines) == [3, 4, 5, 6]
    assert set(neighbour_rules(lines).values()) == {"link-list"}


def test_a_list_inside_the_body_stays() -> None:
    assert link_lists(["Headline", PARA_A, *LINKS[1:], PARA_B]) == []


def test_labelled_items_and_short_runs_are_not_links() -> None:
    labelled = [
        "- Best new play - The Harbour by Ana Silva at the Lyceum",
        "- Best actress - Lea Park for The Harbour at the Lyceum",
        "- Best director - Tom Reed for The Harbour at the Lyceum",
    ]
    assert link_lists(["Headline", PARA_A, *labelled]) == []
    assert link_lists(["Headline", PARA_A, *LINKS[:3]]) == []  # two items only


def test_clean_article_records_the_shapes_and_keeps_the_body() -> None:
    caption = "Protesters march outside the town hall in Porto on March 5, 2022."
    link = "Heat wave warning: Millions told to stay indoors as temperatures climb"
    last = "Residents of the eastern districts, who have waited longest, will be consulted first."
    text = "\n\n".join(["Trams for the river", PARA_A, caption, PARA_B, link, last])
    result = clean_article(text)
    lines = text.split("\n")
    assert result.removed_lines() == {
        lines.index(caption): "caption",
        lines.index(link): "related-link",
    }
    assert PARA_A in result.text and PARA_B in result.text and last in result.text


def test_a_restored_caption_stays() -> None:
    caption = "Protesters march outside the town hall in Porto on March 5, 2022."
    text = "\n\n".join(["Trams for the river", PARA_A, caption, PARA_B])
    n = text.split("\n").index(caption)
    assert caption not in clean_article(text).text
    assert caption in clean_article(text, restore=[n]).text
