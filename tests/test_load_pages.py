"""Saved news pages (tests/fixtures/html): each keeps its article and drops its chrome."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from index.load import extract_html, load_file
from tests.test_load import BODY

# --- saved news pages (tests/fixtures/html) -------------------------------------------------------

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "html"
PAGES: dict[str, dict[str, Any]] = {
    "northgate_tram_extension.html": {
        "fields": {
            "title": "Northgate council backs £240m tram extension to the airport",
            "outlet": "The Northgate Courier",
            "author": "Priya Raman",
            "published": "2024-03-12T09:41:00+00:00",
        },
        "paragraphs": 8,
        "keeps": [
            "Northgate city council has voted to extend the tram network to the airport, a "
            "project estimated to cost £240m that supporters say will take thousands of cars off "
            "the ring road every day.",
            "“This is the single most important transport decision the city has taken in a "
            "generation,” said the council leader, Margaret Okafor. “It connects our biggest "
            "employer to the people who work there.”",
            "The airport handled 4.1 million passengers last year, still short of the 4.6 million "
            "it carried before the pandemic. Its chief executive welcomed the vote and said the "
            "company would contribute £15m towards the new terminal stop.",
        ],
        "drops": {
            "navigation": ["Obituaries", "What's On", "Property", "Subscribe from", "Home ›"],
            "cookie banner": ["We use cookies", "Accept all cookies", "Manage preferences"],
            "related articles": [
                "Related stories",
                "Airport passenger numbers climb",
                "Tram drivers vote to strike",
                "Bus fares to rise",
            ],
            "scripts and styles": ["dataLayer", "gtag", "font-family", "document.cookie"],
            "share buttons": ["Share on Facebook", "Share on WhatsApp", "Email this story"],
            "newsletter": ["morning briefing", "Sign me up"],
            "advertising": ["Advertisement"],
            "footer": ["Registered in England", "Privacy policy", "Contact the newsroom"],
        },
    },
    "harbour_dock_strike.html": {
        "fields": {
            "title": "Dock workers at Port Halden walk out over automated cranes",
            "outlet": "Harbour Daily",
            "author": "Tomasz Wierzbicki",
            "published": "2023-11-07T06:15:00-05:00",
        },
        "paragraphs": 7,
        "keeps": [
            "More than 1,200 dock workers at Port Halden walked off the job on Tuesday, halting "
            "container traffic at the region’s busiest harbour in a dispute over the introduction "
            "of remotely operated cranes.",
            "“Nobody is against new technology, but we will not accept it being used to throw "
            "people out of work without a single conversation,” the federation’s secretary, Elin "
            "Sørbø, told reporters at the main gate.",
            "Talks between the two sides are due to resume on Thursday under the chairmanship of "
            "the state mediator, who has asked both parties not to comment publicly until then.",
        ],
        "drops": {
            "navigation": ["Puzzles", "Weather", "Sign in", "Register"],
            "cookie banner": ["Your privacy choices", "142 partners", "I agree", "Reject non"],
            "related articles": [
                "Freight rates slide",
                "You may also like",
                "How Rotterdam automated",
                "Most read",
                "Amber storm warning",
            ],
            "scripts and styles": ["__HD_CONFIG__", "Harbour Sans", "onetrust"],
            "share buttons": ["LinkedIn", "Copy link"],
            "comments": ["Comments (87)", "join the conversation"],
            "advertising": ["Advertisement"],
            "footer": ["All rights reserved", "Advertise with us", "Careers"],
        },
    },
    "techwire_chip_export_rules.html": {
        "fields": {
            "title": "Regulators tighten export rules for advanced chip tools",
            "outlet": "TechWire",
            "author": "Marcus Lindqvist",
            "published": "2024-06-19T14:30:00-07:00",
        },
        "paragraphs": 6,
        "keeps": [
            "Under the new rules, companies will need a licence to ship 11 additional categories "
            "of tools to customers in countries subject to the controls. Applications will be "
            "reviewed case by case, with a presumption of denial for the most advanced equipment.",
            "“We are closing gaps that allowed the same capabilities to be acquired through "
            "different machines,” the agency’s director said in a briefing with reporters.",
            "Analysts at Corbel Research said the biggest effect would fall on makers of etching "
            "machines, which they estimate earn about a quarter of their revenue from the "
            "affected markets.",
        ],
        "drops": {
            "navigation": ["Podcasts", "Startups", "Events"],
            "cookie banner": ["This website uses cookies", "Got it!"],
            "related articles": [
                "Lithography backlog",
                "Fab subsidies",
                "Supply-chain attacks",
                "Trending",
                "model leaderboard",
            ],
            "scripts and styles": ["TW.page", "TW.track", "cursor:pointer", "dismissGdpr"],
            "share buttons": ["Tweet", "Post to Reddit"],
            "video placeholder": ["Enable JavaScript"],
            "footer": ["Wirehouse Media", "RSS", "Tags:"],
        },
    },
    "globalwire_geneva_talks.html": {
        "fields": {
            "title": "Geneva talks on river treaty end without deal",
            "outlet": "GlobalWire",  # only the <title> names it: "… - GlobalWire"
            "author": "Amara Nwosu",
            "published": "2024-06-18T17:20:00+02:00",
        },
        "paragraphs": 6,
        "keeps": [
            "GENEVA, June 18 (GlobalWire) - Talks between three countries on sharing the waters "
            "of the Asel river ended on Tuesday without agreement on how much each may draw "
            "during the dry season, officials said.",
            # windows-1252 page: a raw é byte and &#147;/&#148; quotes
            "“We made progress on monitoring and on data sharing, but the central question "
            "remains open,” the mediator, Jean-Luc Ménard, told a news conference after the final "
            "session.",
        ],
        "drops": {
            "navigation": ["Top News", "Markets", "Environment"],
            "cookie banner": ["cookie notice", "Allow cookies", "Decline"],
            "related articles": ["More from World", "Flood warnings", "Wheat exports resume"],
            "scripts and styles": ["GW_ADS", "googletagmanager"],
            "footer": ["All quotes delayed", "Site map", "Trust Principles"],
            "relative timestamp": ["Updated 2 hours ago"],
        },
    },
}


def test_every_fixture_page_is_tested() -> None:
    assert sorted(p.name for p in FIXTURES.glob("*.html")) == sorted(PAGES)


@pytest.mark.parametrize("name", sorted(PAGES), ids=lambda n: n.split("_")[0])
def test_saved_news_page_keeps_the_article_and_drops_the_chrome(name: str) -> None:
    page = PAGES[name]
    doc = load_file(FIXTURES / name)
    paragraphs = doc.text.split("\n\n")
    assert paragraphs[0] == page["fields"]["title"]  # the headline first
    assert len(paragraphs) == 1 + page["paragraphs"]
    for kept in page["keeps"]:
        assert kept in paragraphs
    for what, chrome in page["drops"].items():
        for text in chrome:
            assert text not in doc.text, f"{what} kept: {text!r}"
    assert doc.fields == page["fields"]
    assert doc.warnings == ()


def test_markup_date_gives_the_time_when_trafilatura_gives_the_day() -> None:
    body = "<p>" + BODY + "</p>"
    head = '<meta property="article:published_time" content="2024-06-18T23:30:00-05:00">'
    _, fields = extract_html(f"<html><head>{head}</head><body><article>{body}</article></html>")
    assert fields["published"] == "2024-06-18T23:30:00-05:00"
    _, fields = extract_html(f"<html><body><article>{body}</article></body></html>")
    assert "published" not in fields  # no date is guessed from the text
