from __future__ import annotations

from pathlib import Path

import pytest

from index.clean import clean_text
from index.load import load_file
from index.meta import (
    author_from_text,
    author_line,
    date_iso,
    extract_meta,
    outlet_from_text,
    without_site_name,
)
from index.records import Meta, RawDoc

ARTICLES = Path(__file__).resolve().parent.parent / "data" / "articles"
BODY = (
    "Russian President Vladimir Putin will visit North Korea on June 18-19, 2024 at the "
    "invitation of Kim Jong Un, the Kremlin said, in his first trip there since 2000."
)


def meta_of(path: Path) -> Meta:
    raw = load_file(path)
    return extract_meta(raw, clean_text(raw.text), path.name)


def text_meta(text: str, fields: dict[str, str] | None = None, file: str = "x.txt") -> Meta:
    raw = RawDoc(path=Path(file), text=text, fields=fields or {})
    return extract_meta(raw, clean_text(text), file)


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        (
            "000",
            Meta(
                title="Putin to visit North Korea after Kim trip to Russia, Kremlin confirms",
                outlet="Just the News",
                author="Ben Whedon",
                published=None,
            ),
        ),
        (
            "001",
            Meta(
                title="Breaking: Kremlin announces Kim Jong-un's visit to Russia",
                outlet=None,
                author="Henrik Rothen",
                published="2023-09-12T07:30:00+01:00",
            ),
        ),
        (
            "002",
            Meta(
                title="Putin 'Gratefully Accepted' Kim's Invite to North Korea",
                outlet="Newsmax",
                author=None,
                published="2023-09-14T07:18:00-04:00",
            ),
        ),
        (
            "003",
            Meta(
                title="Kremlin Says Putin Visit to North Korea 'Being Prepared'",
                outlet="Newsmax",
                author=None,
                published="2024-05-25T18:28:00-04:00",
            ),
        ),
        (
            "004",
            Meta(
                title="Putin to visit North Korea for the first time in over two decades",
                outlet=None,
                author=None,
                published=None,
            ),
        ),
    ],
)
def test_samples(prefix: str, expected: Meta) -> None:
    (path,) = ARTICLES.glob(f"{prefix}_*.txt")
    assert meta_of(path) == expected


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("Sep.12 - 2023 7:30 AM CET", "2023-09-12T07:30:00+01:00"),
        ("Thursday, 14 September 2023 07:18 AM EDT", "2023-09-14T07:18:00-04:00"),
        ("Saturday, 25 May 2024 06:28 PM", "2024-05-25T18:28:00"),
        ("2024-05-25", "2024-05-25"),
        ("2024-06-19T08:00:00Z", "2024-06-19T08:00:00+00:00"),
        ("2023-09-14T07:18:00.123+0200", "2023-09-14T07:18:00+02:00"),
        ("2023-09-14 07:18", "2023-09-14T07:18:00"),
        ("2024/05/25", "2024-05-25"),
        ("14 September 2023", "2023-09-14"),
        ("September 14, 2023", "2023-09-14"),
        ("Sep. 12, 2023", "2023-09-12"),
        ("Sept 12 2023 12:05 am", "2023-09-12T00:05:00"),
        ("1st May 2024, 12 PM BST", "2024-05-01T12:00:00+01:00"),
        ("Updated 3:45 PM EDT, Thu September 14, 2023", "2023-09-14T15:45:00-04:00"),
        ("June 19, 2024 10:15 a.m. KST", "2024-06-19T10:15:00+09:00"),
        ("19 June 2024 14:00 MSK", "2024-06-19T14:00:00+03:00"),
        ("Jan 5, 2024 9:00 PST", "2024-01-05T09:00:00-08:00"),
        ("July 4, 2024 10:00 PDT", "2024-07-04T10:00:00-07:00"),
        ("March 3, 2024 08:00 UTC", "2024-03-03T08:00:00+00:00"),
        ("March 3, 2024 08:00 GMT+2", "2024-03-03T08:00:00+02:00"),
        ("Oct 1, 2023 8:00 CEST", "2023-10-01T08:00:00+02:00"),
        ("Nov 2, 2023 11:30 EST", "2023-11-02T11:30:00-05:00"),
        ("14/09/2023", "2023-09-14"),
        ("09/10/2023", None),  # day and month ambiguous
        ("2024-28-25", None),
        ("February 30, 2024", None),
        ("13:00 on no date at all", None),
        ("", None),
    ],
)
def test_date_iso(value: str, iso: str | None) -> None:
    assert date_iso(value) == iso


def test_invalid_dateline_is_ignored_and_a_valid_one_used() -> None:
    assert text_meta(f"Headline\n2024-28-25\n{BODY}").published is None
    assert text_meta(f"Headline\n2024-28-25\n{BODY}\n2024-05-27").published == "2024-05-27"


def test_event_dates_in_the_body_are_not_publication_dates() -> None:
    text = f"Headline\n{BODY}\nKim had visited Russia once before, in April 2019.\n"
    assert text_meta(text).published is None
    assert text_meta("Talks on 14 September 2023\n" + BODY).published is None


def test_dateline_prefixes_and_preference() -> None:
    assert text_meta(f"Headline\nPublished: September 14, 2023\n{BODY}").published == "2023-09-14"
    text = f"Headline\nUpdated 2023-09-15 10:00\nPosted on 2023-09-14 08:00\n{BODY}"
    assert text_meta(text).published == "2023-09-14T08:00:00"  # published before updated
    text = f"Headline\nPublished 2023-09-14\nUpdated 2023-09-14 10:00 UTC\n{BODY}"
    assert text_meta(text).published == "2023-09-14"  # an update's time is not the publication's
    text = f" date 2024-05-25 WATCH TV LIVE\nHeadline\n{BODY}\nSaturday, 25 May 2024 06:28 PM"
    assert text_meta(text).published == "2024-05-25T18:28:00"  # the fuller stamp, same day
    text = f"Headline\nBy Jane Doe | September 14, 2023\n{BODY}"
    assert text_meta(text).published == "2023-09-14"


def test_header_dateline_wins_over_the_footer() -> None:
    text = f"Headline\nMay 1, 2024\n{BODY}\n" + "More prose here.\n" * 20 + "June 2, 2024 09:00 UTC"
    assert text_meta(text).published == "2024-05-01"


def test_fields_win_over_the_text() -> None:
    fields = {
        "title": "Field title",
        "outlet": "Example News",
        "author": "By Jane Doe",
        "published": "2024-06-19T08:00:00Z",
    }
    text = f"Text headline\nBy John Roe\nSeptember 14, 2023\n{BODY}\nNewsmax Media, Inc."
    assert text_meta(text, fields) == Meta(
        title="Field title",
        outlet="Example News",
        author="Jane Doe",
        published="2024-06-19T08:00:00+00:00",
    )
    # an unparseable field date falls back to the text
    assert text_meta(text, {"published": "soon"}).published == "2023-09-14"
    # aliases as written in front matter
    assert text_meta(BODY, {"site_name": "Planet", "byline": "Ann Lee"}).outlet == "Planet"


def test_markdown_and_html_fields_end_to_end(tmp_path: Path) -> None:
    md = tmp_path / "story.md"
    md.write_text(
        "---\ntitle: 'MD title'\nsource: The Example Times\nauthor: Jane Doe\n"
        f"published: 2024-06-19\n---\n# Heading\n\n{BODY}\n",
        encoding="utf-8",
    )
    assert meta_of(md) == Meta("MD title", "The Example Times", "Jane Doe", "2024-06-19")
    page = tmp_path / "story.html"
    page.write_text(
        '<html><head><meta property="og:site_name" content="Daily Planet">'
        '<meta name="author" content="Clark Kent">'
        '<meta name="date" content="2024-06-19 10:00">'
        f"</head><body><h1>Putin in Pyongyang</h1><p>{BODY}</p></body></html>",
        encoding="utf-8",
    )
    assert meta_of(page) == Meta(
        "Putin in Pyongyang", "Daily Planet", "Clark Kent", "2024-06-19T10:00:00"
    )


def test_title_fallbacks() -> None:
    assert text_meta("# Markdown heading\n\n" + BODY).title == "Markdown heading"
    assert text_meta("Share\nTOP\n", file="folder/my-story.txt").title == "my-story"
    assert len(text_meta(BODY * 3).title) <= 201


def test_pdf_creation_date_is_a_last_resort() -> None:
    assert text_meta(BODY, {"created": "2024-06-19T08:00:00+00:00"}).published == (
        "2024-06-19T08:00:00+00:00"
    )
    text = f"Headline\nJune 1, 2024\n{BODY}"
    assert text_meta(text, {"created": "2024-06-19"}).published == "2024-06-01"


def test_authors() -> None:
    assert author_from_text("Headline\nBy Jane Doe and John Roe, Reuters\n" + BODY) == (
        "Jane Doe and John Roe"
    )
    assert author_from_text("Headline\nBy Jane Doe, John Roe\n" + BODY) == "Jane Doe, John Roe"
    assert author_from_text("Headline\nWritten by Henrik Rothen\n" + BODY) == "Henrik Rothen"
    assert author_from_text("Headline\nBy the end of May it was over.\n" + BODY) is None
    assert author_from_text(BODY + "\nAnn Lee is a staff writer at The Planet.") == "Ann Lee"
    assert author_from_text(BODY + "\nDmitry Peskov is the spokesman for the Kremlin.") is None


def test_the_line_naming_the_author_is_found_where_it_was_read() -> None:
    text = "Headline\n\nBy Jane Doe and John Roe, Reuters\n" + BODY
    assert author_line(text, author_from_text(text)) == 2
    bio = BODY + "\nAnn Lee is a staff writer at The Planet. Follow her on X."
    assert bio.split("\n")[author_line(bio, "Ann Lee") or 0].startswith("Ann Lee is")
    # a name from a metadata field or a reader's correction that no byline states: no line
    assert author_line(text, "Someone Else") is None
    assert author_line(text, None) is None
    # a sentence of the body that names the author is not a byline
    assert author_line("Headline\nJane Doe said the talks failed.\n" + BODY, "Jane Doe") is None


def test_outlets() -> None:
    assert outlet_from_text(BODY + "\n© AFP 2024\nNewsmax Media, Inc.") == "Newsmax"
    assert outlet_from_text(BODY + "\n© 2024 Thomson/Reuters. All rights reserved.") == "Reuters"
    assert outlet_from_text(BODY + "\n© 2024 The Daily Planet. All rights reserved.") == (
        "The Daily Planet"
    )
    assert outlet_from_text(BODY + "\nNEWSMAX.COM") == "Newsmax"
    assert outlet_from_text(BODY + "\nKim is a reporter for nobody here.") is None
    assert outlet_from_text(BODY) is None


def test_body_sentences_are_not_outlets() -> None:
    text = (
        "Headline\nThe deal was signed with Gazprom Ltd.\n"
        "Copyright lawsuits have surged this year.\n" + BODY
    )
    assert outlet_from_text(text) is None
    assert outlet_from_text(BODY + "\nCable News Network, Inc.") == "Cable News Network"
    assert outlet_from_text(BODY + "\nCopyright 2024 The Associated Press.") == "Associated Press"


def test_saved_news_pages_end_to_end() -> None:
    pages = Path(__file__).resolve().parent / "fixtures" / "html"
    assert meta_of(pages / "harbour_dock_strike.html") == Meta(
        title="Dock workers at Port Halden walk out over automated cranes",
        outlet="Harbour Daily",
        author="Tomasz Wierzbicki",
        published="2023-11-07T06:15:00-05:00",
    )
    assert meta_of(pages / "globalwire_geneva_talks.html") == Meta(
        title="Geneva talks on river treaty end without deal",
        outlet="GlobalWire",
        author="Amara Nwosu",
        published="2024-06-18T17:20:00+02:00",
    )


@pytest.mark.parametrize(
    ("title", "outlet", "want"),
    [
        ("Sprite will no longer be sold in green bottles - CNN", "CNN", None),
        ("Georgia Senate race will go to a runoff, CNN projects | CNN Politics", "CNN", None),
        ("Kanye West's White Lives Matter controversy | The Week UK", "The Week", None),
        ("What will Boris Johnson do after leaving Downing Street? | The ...", "The Week", None),
        # a tail that is not the outlet's name is the headline's own
        ("Lib Dems 'not just protest party' - Kennedy", "BBC", "same"),
        ("Covid: Boris Johnson - the inside story", "The Week", "same"),
        ("Apple to unveil new iPhones | CNN Business", None, "same"),  # no outlet known
        ("CNN", "CNN", "same"),
    ],
)
def test_the_site_name_after_a_title_is_dropped(
    title: str, outlet: str | None, want: str | None
) -> None:
    got = without_site_name(title, outlet)
    if want == "same":
        assert got == title
    else:
        assert got == title.rsplit(" | " if " | " in title else " - ", 1)[0]


def test_a_declared_title_loses_its_site_name() -> None:
    raw = RawDoc(
        path=Path("a.md"),
        text="Walmart cut prices on clothing and other goods, the company said on Tuesday.",
        fields={"title": "Walmart is slashing prices - CNN", "outlet": "CNN"},
    )
    meta = extract_meta(raw, raw.text, "a.md")
    assert meta.title == "Walmart is slashing prices" and meta.outlet == "CNN"
