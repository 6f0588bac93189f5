from __future__ import annotations

from pathlib import Path

import pytest

from index.clean import clean_lines, clean_text, headline_text, is_date_line, is_substantive

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


def test_headline_text_is_a_title_of_some_words_that_is_not_chrome() -> None:
    title = "Apple expected to unveil new iPhones at 'far out' event on ..."
    assert headline_text(title, "CNN") == title
    assert headline_text("  Walmart   is slashing prices ", None) == "Walmart is slashing prices"
    for title in (None, "", "Share this", "Trending Now", "Subscribe to our newsletter today"):
        assert headline_text(title, "CNN") is None, title


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
