from __future__ import annotations

from pathlib import Path

import pytest

from index.clean import clean_lines, clean_text, is_date_line, is_substantive

ARTICLES = Path(__file__).resolve().parent.parent / "data" / "articles"


def sample(prefix: str) -> str:
    (path,) = ARTICLES.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def assert_selection_of_lines(raw: str, cleaned: str) -> None:
    """Every output paragraph is a whole, stripped input line, in input order."""
    source = [ln.strip() for ln in raw.split("\n")]
    out = cleaned.split("\n\n")
    assert all(p and "\n" not in p for p in out)
    pos = 0
    for para in out:
        assert para in source[pos:], para
        pos = source.index(para, pos) + 1


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_samples_keep_whole_lines_in_order(prefix: str) -> None:
    raw = sample(prefix)
    cleaned = clean_text(raw)
    assert_selection_of_lines(raw, cleaned)
    assert is_substantive(cleaned)
    assert len(cleaned.split("\n\n")) == len(set(cleaned.split("\n\n")))  # no duplicates left
    assert clean_text(cleaned) == cleaned  # idempotent


def paragraphs(prefix: str) -> list[str]:
    return clean_text(sample(prefix)).split("\n\n")


def test_000_drops_bio_and_repeated_standfirst() -> None:
    paras = paragraphs("000")
    assert paras[0] == "Putin to visit North Korea after Kim trip to Russia, Kremlin confirms"
    assert paras[1].startswith("Russian President Vladimir Putin has accepted an invitation")
    assert not any(p.startswith("Ben Whedon is an editor") for p in paras)
    # the standfirst repeats the opening of a later paragraph, which is kept whole
    standfirst = (
        "Kim visited Russia this week amid speculation that Moscow sought to procure military "
        "supplies from the heavily armed Hermit Kingdom to bolster its war effort in Ukraine."
    )
    assert standfirst not in paras
    assert any(p.startswith(standfirst + " Kim declared on Wednesday") for p in paras)
    assert any(p.startswith('"Now Russia has risen to a sacred struggle') for p in paras)
    assert paras[-1].startswith("The development comes as Russia appears to have largely")
    assert len(paras) == 7


def test_001_drops_byline_dateline_trending_and_video_teaser() -> None:
    paras = paragraphs("001")
    assert paras[0] == "Breaking: Kremlin announces Kim Jong-un's visit to Russia"
    for chrome in (
        "Written by Henrik Rothen",
        "Sep.12 - 2023 7:30 AM CET",
        "Kremlin announces Kim Jong-un's visit to Russia.",  # the headline again
        "Trending Now",
        "Putin claims that Poland will invade Belarus. See more in the video below.",
    ):
        assert chrome not in paras
    assert paras[1].startswith("After days of speculation, the Kremlin officially confirmed")
    assert paras[-1].startswith("Kim had visited Russia once before, four years ago, in April")
    assert len(paras) == 9


def test_002_drops_tags_footer_and_repeated_lede() -> None:
    raw = sample("002")
    paras = paragraphs("002")
    assert paras[0] == "Putin 'Gratefully Accepted' Kim's Invite to North Korea"
    lede = (
        'Russian President Vladimir Putin has "gratefully accepted" North Korean leader Kim Jong '
        "Un's invitation to visit his country, the Kremlin said Thursday, after the two men held "
        "a rare summit in Russia's Far East."
    )
    assert paras[1] == lede
    assert paras.count(lede) == 1
    assert paras[-1] == (
        '"The United States has no right to lecture us on how to live," Russia\'s ambassador to '
        "the United States, Anatoly Antonov, said in a statement."
    )
    # a line with odd spacing is kept byte for byte
    nsc = next(p for p in paras if p.startswith("South Korea's National Security Council"))
    assert "said\u00a0 Thursday that\u00a0North Korea" in nsc and nsc in raw
    cleaned = "\n\n".join(paras)
    for chrome in (
        "Tags:",
        "Thursday, 14 September 2023",
        "Thomson/Reuters",
        "russia, north korea",
        "Newsmax",
        "Newsletter",
        "Receive breaking news",
        "Optional for Local News",
        "Privacy",
        "Community",
        "trademarks",
        "All Rights Reserved",
        "©",
    ):
        assert chrome not in cleaned, chrome
    assert len(paras) == 26


def test_003_drops_live_banner_share_widgets_and_bogus_stamps() -> None:
    paras = paragraphs("003")
    assert paras[0] == "Kremlin Says Putin Visit to North Korea 'Being Prepared'"
    assert paras[1].startswith("A visit by Russian President Vladimir Putin to North Korea is")
    assert paras[-1].startswith("The Russian president has also cut his international travel")
    cleaned = "\n\n".join(paras)
    for chrome in (
        "WATCH TV LIVE",
        "date 2024-05-25",
        "Tags:",
        "06:28 PM",
        "AFP",
        "Click Here",
        "Share",
        "GlobalTalk",
        "axis of evil",
        "218",
        "2024-28-25",
        "Newsmax",
        "TOP",
        "NEWSMAX.COM",
        "Rights Reserved",
    ):
        assert chrome not in cleaned, chrome
    assert '"President Putin has an active invitation for an official visit' in cleaned
    assert len(paras) == 9


def test_004_drops_trailing_keyword_list_keeps_unclosed_quote() -> None:
    paras = paragraphs("004")
    assert paras[0] == "Putin to visit North Korea for the first time in over two decades"
    assert "North Korea, Russia, Kim Jong-un, Putin" not in paras
    assert paras[-1].startswith("Putin and Kim are also likely to discuss the possibility")
    assert any(p.startswith('"Pyongyang has been and remains our staunch ally') for p in paras)
    assert any("June 18-19" in p for p in paras)
    assert len(paras) == 11


# --- generic rules -------------------------------------------------------------------------------

PROSE = (
    "The two leaders signed a strategic partnership agreement on Wednesday, pledging mutual "
    "assistance if either country is attacked, state media reported."
)


def test_single_newlines_become_paragraphs_and_whitespace_is_trimmed() -> None:
    assert clean_text("Headline  \n  First line.\nSecond line.\t\n\n\n") == (
        "Headline\n\nFirst line.\n\nSecond line."
    )
    assert clean_text("") == ""
    assert clean_lines("Share\nTOP\n218\n") == []


def test_exact_duplicates_keep_the_first() -> None:
    text = f"Headline\n{PROSE}\nAnother paragraph of the story.\n{PROSE}\n"
    assert clean_text(text) == f"Headline\n\n{PROSE}\n\nAnother paragraph of the story."


def test_bylines_versus_prose_starting_with_by() -> None:
    text = (
        "Headline\nBy Jane Doe and John Roe, Reuters\nBy JANE DOE\nWritten by Henrik Rothen\n"
        "By the end of May, Russia had moved troops to the border.\nBy Friday it was over.\n"
    )
    assert clean_lines(text) == [
        "Headline",
        "By the end of May, Russia had moved troops to the border.",
        "By Friday it was over.",
    ]


def test_generic_site_chrome() -> None:
    chrome = [
        "Advertisement",
        "Story continues below advertisement",
        "Link Copied!",
        "Related Topics",
        "Topics: Russia, North Korea",
        "Sign up for our Morning Briefing newsletter",
        "Reporting by Guy Faulconbridge; Editing by Andrew Osborn",
        "Our Standards: The Thomson Reuters Trust Principles.",
        "Copyright 2024 The Associated Press. All rights reserved.",
        "Updated 3:45 PM EDT, Thu September 14, 2023",
        "Published: 14 September 2023",
        "Follow us on Facebook and Instagram",
        "www.example.com",
        "Cable News Network, Inc.",
        "Home | World | Politics | Business",
        "* * *",
    ]
    text = "\n".join(["Headline", PROSE, *chrome])
    assert clean_lines(text) == ["Headline", PROSE]


def test_long_prose_is_never_dropped_by_a_rule() -> None:
    long_line = "Share " + PROSE + " Follow us on the story as it develops, " + PROSE
    assert len(long_line) > 200
    assert clean_lines(f"Headline\n{long_line}") == ["Headline", long_line]


def test_footer_zone_only_after_the_body() -> None:
    tail = "Kim Jong Un\nRead this next"
    text = f"Headline\n{PROSE}\n© 2024 Example Media. All rights reserved.\n{tail}\n"
    assert clean_lines(text) == ["Headline", PROSE]
    # a photo credit mid-article is not a footer: prose after it stays, and so do short lines
    mid = f"Headline\n{PROSE}\n© Reuters\nShort paragraph here.\n{PROSE.replace('two', 'three')}"
    assert clean_lines(mid) == [
        "Headline",
        PROSE,
        "Short paragraph here.",
        PROSE.replace("two", "three"),
    ]


def test_author_bio_only_at_the_end() -> None:
    bio = "Jane Doe is a senior correspondent for The Daily Planet."
    spokesman = "Dmitry Peskov is the spokesman for the Kremlin."
    assert clean_lines(f"Headline\n{bio}\n{PROSE}\n{PROSE}x\n{PROSE}y\n{bio}")[-1] == PROSE + "y"
    assert clean_lines(f"Headline\n{PROSE}\n{spokesman}") == ["Headline", PROSE, spokesman]


def test_is_date_line() -> None:
    for line in (
        "Saturday, 25 May 2024 06:28 PM EDT",
        "Sep.12 - 2023 7:30 AM CET",
        "2024-28-25",
        "Published 2023-09-14T07:18:00Z",
    ):
        assert is_date_line(line), line
    for line in ("Kim visited Russia in April 2019.", "May", "date 2024-05-25 WATCH TV LIVE"):
        assert not is_date_line(line), line


def test_is_substantive() -> None:
    assert not is_substantive("")
    assert not is_substantive("Headline only")
    assert not is_substantive("Headline\n\nA short caption of ten words is not an article at all.")
    assert is_substantive(f"Headline\n\n{PROSE}")
    assert is_substantive(PROSE)


def test_short_body_lines_that_resemble_chrome_are_kept() -> None:
    body = [
        "Register to vote by Friday, officials urged.",
        "The phrase is a trademark of Apple, which sued.",
        "The deal was signed with Gazprom Ltd.",
        "Police told residents to follow them on foot.",
        "Copyright lawsuits have surged this year.",
        "Reported by Reuters on Monday, the deal later collapsed.",
        "Share prices fell 3% on the news.",
        "Peskov said the talks were useful.",
    ]
    assert clean_lines("\n".join(["Headline", *body])) == ["Headline", *body]


# --- clean_article: what was removed, and why ----------------------------------------------------

from index.boilerplate import BoilerplateStats  # noqa: E402
from index.clean import CleanResult, Removal, clean_article, describe_removed  # noqa: E402


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
