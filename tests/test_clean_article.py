"""clean_article: whole-line removals recorded with their rule, the general chrome shapes
(each a named rule, and body text that merely resembles one kept), and boilerplate learned per
outlet."""

from __future__ import annotations

import pytest

from index.boilerplate import BoilerplateStats
from index.clean import (
    CleanResult,
    Removal,
    clean_article,
    clean_lines,
    clean_text,
    describe_removed,
)
from tests.test_clean import PROSE, sample


def rules_of(text: str, outlet: str | None = None) -> dict[str, str]:
    """Each removed line's text with the rule that removed it."""
    lines = text.split("\n")
    return {lines[i].strip(): r for i, r in clean_article(text, outlet).removed_lines().items()}


def test_clean_article_matches_clean_text_and_keeps_whole_lines() -> None:
    for prefix in ("000", "001", "002", "003", "004"):
        raw = sample(prefix)
        result = clean_article(raw)
        assert result.text == clean_text(raw)
        lines = raw.split("\n")
        assert result.text == "\n\n".join(lines[i].strip() for i in result.kept)
        removed = result.removed_lines()
        assert not set(removed) & set(result.kept)
        # every non-empty line is either kept or removed by a named rule
        assert {i for i, ln in enumerate(lines) if ln.strip()} == set(removed) | set(result.kept)


def test_removed_spans_merge_over_blank_lines() -> None:
    text = f"Headline\n{PROSE}\n\nShare\n\nTweet\nAdvertisement\n{PROSE}x\n"
    result = clean_article(text)
    assert result.removed == (Removal(3, 6, "widget"),)
    assert result.kept == (0, 1, 7)
    assert isinstance(result, CleanResult)


def body(*lines: str) -> str:
    return "\n".join(["Headline", PROSE, *lines, PROSE.replace("two", "three")])


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        (
            "JUST WATCHED Heat dome bakes South Replay More Videos ... MUST WATCH Heat dome 02:19",
            "video-promo",
        ),
        (
            "Video Ad Feedback Hear the 911 call that led to his rescue 01:58 - Source: CNN",
            "video-promo",
        ),
        ("01:58 - Source: Example News", "media-timestamp"),
        ("How the storm formed over the Gulf 03:41", "media-timestamp"),
        ("Photos: Floods in Europe A man wades through water. Hide Caption 3 of 28", "gallery"),
        ("A firefighter battles a blaze near Athens on Monday. Jane Roe/AP", "photo-credit"),
        ("Firefighters at work. (Photo by Jane Roe/Getty Images)", "photo-credit"),
        ("A penguin colony near the peninsula. Credit: Dr. Jane Roe", "photo-credit"),
        ("The reactor near the river produced a record. Credit: Example Fusion.", "photo-credit"),
        (
            "To read more editorials, go to the Opinion page or sign up for the daily newsletter.",
            "promo",
        ),
        ("Ohio Gov. Mike DeWine SAUL LOEB/AFP/Getty Images", "photo-credit"),
        ("Read more: Why the storm season started early", "read-more"),
        ("More: Ten towns where rents fell this year", "read-more"),
        ("You can read the transcript here.", "read-more"),
        ("Follow the latest developments here.", "read-more"),
        ("Follow Jane Roe at https://twitter.com/janeroe", "contact"),
        ("Connect with this reporter: Jane Roe on Twitter.", "contact"),
        ("Follow along for updates throughout the day from our reporters.", "promo"),
        ("Share your story on the form below. If you don't see a form, click here.", "promo"),
        (
            "Rep. Jane Roe speaks on May 12, 2022. Bill Clark/CQ-Roll Call, Inc via Getty Images",
            "photo-credit",
        ),
        ("Storm season:Why it started early this year", "related-link"),
        ("Get our free weekly newsletter Sign up for the Opinion newsletter.", "newsletter"),
        (
            "Around the Harbour, a free newsletter from our reporters on the coast. "
            + "Twice a week we will send you a close look at the biggest stories from the ports, "
            * 4
            + "and what they mean for the towns along the shore. Sign up here!",
            "promo",
        ),
        (
            "Thank you for supporting our journalism. You can subscribe to our print edition here.",
            "promo",
        ),
        ("(You can get the Morning Brief delivered to your inbox daily. Sign up here .)", "promo"),
        ("To get updates sent to your inbox, sign up for the Royal Desk newsletter.", "promo"),
        ("A version of this story first appeared in the Markets Daily newsletter.", "promo"),
        ("Welcome to Fast Break, our daily basketball newsletter with what to watch.", "promo"),
        ("Turn to Example News for live coverage from the launch site on Saturday.", "promo"),
        ("If you wish to object to the use of your data in this way, please tick here.", "consent"),
        ("Contact Jane Roe at jroe@example.com or follow her on Twitter @janeroe.", "social"),
        ("Reach the reporter at jroe@example.com or 555-222-3434.", "contact"),
        ("Jane Roe can be reached at jroe@example.com.", "contact"),
        ("jroe@example.com; 555-222-3434", "contact"),
        ("– Jane Roe and John Doe, Springfield Gazette", "signature"),
        ("- Associated Press", "wire-credit"),
        ("Contributing: Jane Roe, The Associated Press", "wire-credit"),
        ("– Example News’ Jane Roe contributed to this report.", "wire-credit"),
        ("From Example Network and wire reports", "wire-credit"),
        ("AP", "wire-credit"),
        ("London Example News —", "dateline"),
        ("This story has been updated with additional developments.", "update-note"),
        ("Our fact-check work is supported in part by a grant from a foundation.", "disclosure"),
        ("Purchases you make through our links may earn us a commission.", "disclosure"),
        ("The opinions expressed in this commentary are her own.", "disclosure"),
    ],
)
def test_general_shapes(line: str, rule: str) -> None:
    assert rules_of(body(line)) == {line: rule}


@pytest.mark.parametrize(
    "line",
    [
        "The launch window opens at 2:17 p.m. ET and closes at 4:17 p.m. ET on Saturday.",
        "[1:27:26] Biden: My response is that those people live on what they grow.",
        "A Reuters/Ipsos poll found most voters opposed the plan.",
        "Musk urged users to subscribe to the paid service, which costs $8 a month.",
        "The company said its newsletter had grown to two million readers this year, "
        + "and that advertisers were paying more for space in it than ever before, " * 5
        + "though it would not say how much revenue it expects. Readers could sign up.",
        "How can you sign up for the streaming service?",
        "Voters can register online or sign up at the county office before Friday.",
        "Readers can renew or subscribe to the print edition at the same price next year.",
        "Past vs. present: Finding the right balance",
        '"Follow the money," she told reporters, pointing at @handle on the screen.',
        "Send tips to tips@example.gov, the agency said.",
        "4 things credit card holders can do to get ready for a rate hike",
        "-- WNBA legend Sue Bird, announcing on Thursday that she will retire.",
        "Barcelona, Bayern Munich, Porto, Real Madrid, Werder Bremen",
        "2. Dave Tepper, Carolina Panthers, $16.7 billion",
        "78,000",
        "I want us to --",
        "• Most popular girl name: Emily",
        "Tuesday, 1 March",
        "2000 GMT",
        "CORRECTION: An earlier version of this story misstated the grant. It is $27.1 million.",
    ],
)
def test_body_lines_that_resemble_shapes_are_kept(line: str) -> None:
    assert rules_of(body(line)) == {}


def test_short_repeated_list_entries_are_not_duplicates() -> None:
    entries = ["Position: LB.", "Team: Chicago Bears", "Position: LB.", "Team: Chicago Bears"]
    assert clean_lines(body(*entries))[2:6] == entries
    assert rules_of(body(PROSE)) == {PROSE: "duplicate"}


def test_gallery_of_doubled_captions_drops_both_copies() -> None:
    caps = [f"A firefighter works near village number {n} on August {n}." for n in range(3)]
    doubled = [c for cap in caps for c in (cap, cap)]
    assert clean_lines(body(*doubled)) == ["Headline", PROSE, PROSE.replace("two", "three")]
    # a single doubled line is an ordinary duplicate: the first copy stays
    assert clean_lines(body(caps[0], caps[0]))[2] == caps[0]


def test_byline_block_name_over_outlet() -> None:
    text = "Jane Roe\nUSA TODAY\n" + body()
    assert rules_of(text, outlet="USA Today") == {
        "Jane Roe": "byline-block",
        "USA TODAY": "byline-block",
    }
    # without an outlet "USA TODAY" is no agency: the name stays (it may be a heading)
    assert "Jane Roe" not in rules_of(text)


def test_date_stamps_need_a_year_or_a_clock() -> None:
    rules = rules_of(body("06:28 PM", "Saturday, 25 May 2024", "Tuesday, 1 March", "1945 GMT"))
    assert rules == {"06:28 PM": "date", "Saturday, 25 May 2024": "date"}


# --- learned boilerplate --------------------------------------------------------------------------

TEMPLATE = "Our sources for this report:"


WORDS = "river market council harbour station orchard museum bridge valley festival".split()


def story(n: int) -> str:
    """A short article of its own: no line of it recurs in another ``story``."""
    a, b = WORDS[n % 10], WORDS[(n // 10) % 10]
    return f"The {a} {b} reopened\nOfficials said the {a} near the {b} had been closed all winter."


def stats_with(template_docs: int, total: int = 20) -> BoilerplateStats:
    stats = BoilerplateStats()
    for n in range(total):
        extra = f"\n{TEMPLATE}" if n < template_docs else ""
        stats.observe(f"d{n}", "Example News", story(n) + extra)
    return stats


def test_learned_line_is_removed_only_for_its_outlet() -> None:
    text = body(TEMPLATE)
    stats = stats_with(4)
    result = clean_article(text, outlet="Example News", stats=stats)
    assert result.removed_lines() == {text.split("\n").index(TEMPLATE): "repeated:4/20"}
    assert clean_article(text, outlet="Other Paper", stats=stats).removed == ()
    assert clean_article(text, stats=stats).removed == ()  # no outlet: nothing learned applies
    assert clean_article(text, outlet="Example News", stats=stats_with(2)).removed == ()


def test_learned_heading_over_its_own_section_is_kept() -> None:
    stats = BoilerplateStats()
    for n in range(10):
        stats.observe(f"d{n}", "Example News", f"TODAY'S NUMBER\n{n}\nAND FINALLY\nStory {n}.")
    text = (
        "TODAY'S NUMBER\n12\nThat is how many pupils drank floor sealant at a school.\nAND FINALLY"
    )
    rules = {r.rule for r in clean_article(text, outlet="Example News", stats=stats).removed}
    kept = clean_article(text, outlet="Example News", stats=stats).text.split("\n\n")
    assert kept[0] == "TODAY'S NUMBER"  # heads a section with text of its own
    assert "AND FINALLY" not in kept  # heads nothing here
    assert "repeated:10/10" in rules


def test_restored_lines_are_kept_whatever_the_rules_say() -> None:
    text = body("Read More", "Share", PROSE)
    lines = text.split("\n")
    assert clean_article(text).removed_lines() == {2: "widget", 3: "widget", 4: "duplicate"}
    result = clean_article(text, restore={2, 4, 99})
    assert result.removed_lines() == {3: "widget"}
    assert "Read More" in result.text.split("\n\n") and result.text.count(PROSE) == 2
    assert [lines[i].strip() for i in result.kept] == result.text.split("\n\n")


def test_stored_spans_describe_the_removed_lines() -> None:
    text = f"Headline\n{PROSE}\n\nShare\n\nTweet\n01:58 - Source: Example News\n{PROSE}x"
    spans = clean_article(text).spans()
    assert spans == [[3, 5, "widget"], [6, 6, "media-timestamp"]]
    assert describe_removed(text, spans) == [
        (3, "widget", "Share"),
        (5, "widget", "Tweet"),
        (6, "media-timestamp", "01:58 - Source: Example News"),
    ]


def test_learned_state_names_heading_a_digest_are_kept() -> None:
    stats = BoilerplateStats()
    for n in range(10):
        stats.observe(
            f"d{n}", "Example News", f"Maryland.\n{story(n)}\nOur sources for this report:"
        )
    text = "Maryland.\nAnnapolis: The state will reopen the bridge next week, officials said.\n"
    text += "Our sources for this report:"
    result = clean_article(text, outlet="Example News", stats=stats)
    assert result.text.split("\n\n")[0] == "Maryland."
    assert result.removed_lines() == {2: "repeated:10/10"}


def test_a_learned_call_to_action_is_no_heading() -> None:
    stats = BoilerplateStats()
    for n in range(10):
        stats.observe(f"d{n}", "Example News", f"{story(n)}\nFollow every game: Live Scores")
    text = f"Headline\nFollow every game: Live Scores\n{PROSE}"
    result = clean_article(text, outlet="Example News", stats=stats)
    assert result.removed_lines() == {1: "repeated:10/10"}
