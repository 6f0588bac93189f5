"""The one-page briefing on the sample corpus: timeline with event dates apart from publication
dates, the Shoigu disagreement, citations that resolve, the one-page PDF, what changed, scopes,
and the LLM path against a real chat-completions server on loopback (offline by default)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from index.embed import FakeEmbedder
from index.settings import IndexSettings
from rag.answer.question import content_terms
from rag.brief.actors import ActorNames, person_names, speakers_in
from rag.brief.build import BriefScope, build_briefing, select
from rag.brief.figures import figures_in
from rag.brief.pool import build_pool, duplicates
from rag.brief.records import Briefing
from rag.brief.render import page_count, to_markdown, to_pdf, write
from rag.brief.units import units
from rag.config import LLMSettings, Settings
from rag.service import Dossier
from rag.text.dates import best_date, event_dates, find_dates, parse_published, resolve
from tests.conftest import SAMPLE_DIR, make_settings
from tests.openai_server import FakeOpenAIServer, Reply

SUMMIT_ARTICLE = "002_f0b6f554ee90a507.txt"
JUNE_ARTICLE = "004_89bc57a796e3b746.txt"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Dossier:
    """The sample corpus ingested once with the fake embedder."""
    d = Dossier(make_settings(tmp_path_factory.mktemp("brief-data")), embedder=FakeEmbedder())
    assert len(d.ingest(SAMPLE_DIR).added) == 5
    return d


@pytest.fixture(scope="module")
def briefing(sample: Dossier) -> Briefing:
    return build_briefing(sample.brief_parts(), save=False)


def _norm(text: str) -> str:
    return " ".join(text.split())


# ---- dates -------------------------------------------------------------------------------------
def test_dates_resolve_against_publication_date_and_tense() -> None:
    ref = date(2023, 9, 14)  # a Thursday
    (m,) = find_dates("the two leaders toasted their friendship Wednesday")
    assert resolve(m, ref, "happened").iso == "2023-09-13"
    (m,) = find_dates("Kim is due Thursday to visit factories")
    assert resolve(m, ref, "planned").iso == "2023-09-14"
    _, d, tense = best_date("Lavrov would visit North Korea in October.", ref)  # type: ignore[misc]
    assert (d.iso, tense) == ("2023-10", "planned")
    _, d, _ = best_date("Kim Jong Un visited Russia last year for a summit.", date(2024, 5, 25))  # type: ignore[misc]
    assert d.iso == "2023" and d.relative
    _, d, tense = best_date("Putin will visit North Korea on June 18-19.", None)  # type: ignore[misc]
    assert (d.year, d.month, d.day, d.end_day, tense) == (None, 6, 18, 19, "planned")
    assert d.label() == "June 18-19 (year not stated)"
    assert best_date("Putin visited Pyongyang in July 2000.", None)[1].iso == "2000-07"  # type: ignore[index]
    # A date that only opens a period is not an event of the sentence.
    assert not event_dates("his first visit since his first presidential term in 2000", None)
    _, d, tense = best_date(  # type: ignore[misc]
        'A visit is "being prepared," the Kremlin told RIA Novosti news agency Friday.',
        date(2024, 5, 25),
    )
    assert d.iso == "2024-05-24" and tense == "happened"


def test_speakers_figures_and_canonical_names() -> None:
    s = speakers_in('"The visit is being prepared," Kremlin spokesman Dmitry Peskov said.')
    assert (s[0].name, s[0].role) == ("Dmitry Peskov", "Kremlin spokesman")
    assert (
        speakers_in('"...themselves," reiterated Putin, echoing his narratives.')[0].name == "Putin"
    )
    assert (
        speakers_in('"... at a convenient time," KCNA said, referring to the DPRK.')[0].name
        == "KCNA"
    )
    assert speakers_in("Pyongyang accused of sending arms to Moscow.") == []
    figs = figures_in(
        "North Korea has sent containers that may contain around 5 million artillery shells."
    )
    assert [f.phrase for f in figs] == ["around 5 million artillery shells"]
    assert figures_in("the 70-year-old Putin showed Kim, 39, around in July 2000") == []
    names = ActorNames(
        person_names(
            [
                "Kremlin spokesman Dmitry Peskov said",
                "Dmitry Peskov",
                "Kim Jong-un and Kim Jong Un met Kim Jong Un",
            ]
        )
    )
    assert names.canonical("Peskov") == "Dmitry Peskov"
    assert names.canonical("Kim") == "Kim Jong Un"
    assert names.canonical("Kim Jong-un") == "Kim Jong Un"


def test_units_keep_a_quote_with_its_attribution() -> None:
    text = (
        'Title line\n\n"President Putin has an active invitation. The visit is being '
        'prepared. We will announce the dates of the trip in due course," Kremlin spokesman '
        "Dmitry Peskov said.\n\nNext paragraph is here now."
    )
    got = units("f.txt", text, "Title line")
    assert got[0].text.startswith('"President Putin') and got[0].text.endswith("Peskov said.")
    assert all(text[u.start : u.end] == u.text for u in got)


# ---- the sample briefing -----------------------------------------------------------------------
def test_timeline_holds_summit_then_june_visit_with_publication_dates_apart(
    briefing: Briefing,
) -> None:
    tl = list(briefing.timeline)
    keys = [t.date.sort_key() for t in tl if t.date]
    assert keys == sorted(keys), "the timeline is in event order"
    summit = next(t for t in tl if t.date and t.date.iso == "2023-09-13")
    assert summit.citations[0].file == SUMMIT_ARTICLE
    assert summit.published and summit.published.startswith("2023-09-14")  # reported a day later
    assert summit.status == "happened" and summit.date.text == "Wednesday"
    june = next(t for t in tl if "June 18-19" in t.text)
    assert june.citations[0].file == JUNE_ARTICLE and june.published is None
    assert june.date is not None and june.date.iso == "2024-06-18" and june.date.end_day == 19
    assert june.status == "planned"
    assert "2024-05-25" in june.date.inferred  # the year is inferred, and says from what
    assert tl.index(summit) < tl.index(june)
    assert any(c.file == "003_8774ab1c0d056285.txt" for c in june.citations)
    md = to_markdown(briefing)
    assert "18–19 Jun 2024*" in md and "year inferred" in md and "publication date unknown" in md


def test_shoigu_disagreement_cites_both_articles(briefing: Briefing) -> None:
    shoigu = [d for d in briefing.disagreements if "Shoigu" in d.about]
    assert len(shoigu) == 1
    item = shoigu[0]
    assert {c.file[:3] for c in item.citations} == {"001", "002"}
    by_id = {c.id: c for c in item.citations}
    values = {v: by_id[cid].file[:3] for v, cid in item.values}
    assert values == {"August": "001", "July": "002"}
    for value, cid in item.values:
        assert value in by_id[cid].quote
    assert any(t.disputed for t in briefing.timeline if t.citations[0].file.startswith("001"))


def test_every_citation_resolves_to_a_passage_holding_the_item(
    sample: Dossier, briefing: Briefing
) -> None:
    store = sample.store()
    texts: dict[str, str] = {}
    assert briefing.items and briefing.citations
    for item in briefing.items:
        assert item.citations, item
        assert item.support >= 1 and item.support <= len(item.files)
        for c in item.citations:
            if c.file not in texts:
                texts[c.file] = store.article(c.file)[0]  # type: ignore[index]
            assert texts[c.file][c.start : c.end] == c.quote
        if item.section == "disagreements":
            continue
        # Extractive items are the first cited passage itself (long quotes shortened with …).
        head = _norm(item.text).removesuffix(" …")
        assert head in _norm(item.citations[0].quote)
        terms = set(content_terms(item.text))
        assert terms <= set(content_terms(item.citations[0].quote)), item.text
    ids = [c.id for c in briefing.citations]
    assert ids == list(range(1, len(ids) + 1))


def test_sections_are_filled_on_the_sample(briefing: Briefing) -> None:
    assert 3 <= len(briefing.summary) <= 5
    names = [a.name for a in briefing.actors]
    assert "Dmitry Peskov" in names and "Peskov" not in names
    peskov = next(a for a in briefing.actors if a.name == "Dmitry Peskov")
    assert peskov.role == "Kremlin spokesman" and "Peskov" in peskov.aliases
    assert all(i.actor == "Dmitry Peskov" for i in peskov.items)
    assert any(i.figure == "around 5 million artillery shells" for i in briefing.figures)
    assert briefing.watch and all(i.section == "watch" for i in briefing.watch)
    assert briefing.generator == "extractive" and not briefing.warnings
    assert len(briefing.articles) == 5


def test_lexical_vectors_need_no_model_and_hold_the_same_findings(sample: Dossier) -> None:
    """Large scopes use TF-IDF vectors instead of sentence embeddings ('auto' past 600 units)."""
    calls = sample.embedder.calls  # type: ignore[attr-defined]
    b = build_briefing(sample.brief_parts(), vectors="lexical", save=False)
    assert sample.embedder.calls == calls  # type: ignore[attr-defined]
    assert b.extra["vectors"] == "lexical"
    iso = [t.date.iso for t in b.timeline if t.date]
    assert "2023-09-13" in iso and "2024-06-18" in iso
    assert iso.index("2023-09-13") < iso.index("2024-06-18")
    assert any("Shoigu" in d.about for d in b.disagreements)
    facts = [frozenset(c.file for c in i.citations) for i in b.summary]
    assert len(set(facts)) == len(facts)  # no fact twice in the summary


def test_near_duplicates_are_merged_with_their_support(sample: Dossier) -> None:
    docs, _, _ = select(sample.brief_parts(), BriefScope())
    pool = build_pool(docs, sample.embedder)
    lavrov = next(
        i for i, u in enumerate(pool.units) if u.file == SUMMIT_ARTICLE and "Lavrov" in u.text
    )
    assert [pool.units[j].file[:3] for j in duplicates(pool, lavrov)] == ["000"]
    shoigu = next(i for i, u in enumerate(pool.units) if "Shoigu" in u.text)
    assert duplicates(pool, shoigu) == []  # July and August are not the same fact


def test_markdown_footnotes_and_one_page_pdf(briefing: Briefing, tmp_path: Path) -> None:
    md = to_markdown(briefing)
    refs = set(re.findall(r"\[\^(\d+)\](?!:)", md))
    defs = set(re.findall(r"^\[\^(\d+)\]:", md, re.MULTILINE))
    assert refs == defs == {str(c.id) for c in briefing.citations}
    for c in briefing.citations:
        assert f"`{c.file}`" in md
        # Sources are named by title first, the file and span only to check against.
        assert re.search(rf"^\[\^{c.id}\]: \*{re.escape(c.title)}\* — ", md, re.MULTILINE)
    # A relative day lifted out of its article says which date it means (001: Mon 11 Sep 2023).
    assert "confirmed on Monday (11 Sep 2023)" in md
    pdf = tmp_path / "brief.pdf"
    assert to_pdf(briefing, pdf) == 1
    assert page_count(pdf) == 1
    from pypdf import PdfReader

    text = PdfReader(str(pdf)).pages[0].extract_text()
    for heading in (
        "Summary",
        "Timeline",
        "Key actors",
        "Key figures",
        "Where the sources disagree",
        "What to watch",
        "Sources",
    ):
        assert heading in text
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", "-singlefile", str(pdf), str(tmp_path / "page")],
            check=True,
        )
        assert (tmp_path / "page.png").stat().st_size > 10_000


def test_json_round_trip(briefing: Briefing) -> None:
    data = json.loads(json.dumps(briefing.to_json()))
    again = Briefing.from_json(data)
    assert [i.key for i in again.items] == [i.key for i in briefing.items]
    assert again.timeline[0].date == briefing.timeline[0].date
    assert again.disagreements[0].values == briefing.disagreements[0].values


# ---- scope, progress, what changed -------------------------------------------------------------
def test_date_range_and_topic_scopes(sample: Dossier) -> None:
    b = build_briefing(sample.brief_parts(), BriefScope(since="2024-01-01"), save=False)
    assert [a.file for a in b.articles] == ["003_8774ab1c0d056285.txt"]  # undated ones are out
    assert {c.file for c in b.citations} == {"003_8774ab1c0d056285.txt"}
    topic = build_briefing(
        sample.brief_parts(),
        BriefScope(topic="artillery shells supplied by North Korea"),
        save=False,
    )
    passages = sample.search("artillery shells supplied by North Korea", k=30)
    for c in topic.citations:
        assert any(p.file == c.file and p.start <= c.start and c.end <= p.end for p in passages)
    none = build_briefing(sample.brief_parts(), BriefScope(since="2030-01-01"), save=False)
    assert not none.items and "No indexed article" in none.warnings[0]


NEW_ARTICLE = """Putin arrives in Pyongyang for rare visit

Wednesday, 19 June 2024 09:00 AM EDT

Russian President Vladimir Putin arrived in Pyongyang on Wednesday for talks with North Korean \
leader Kim Jong Un, state media said.

The two leaders signed a comprehensive strategic partnership agreement, KCNA said, pledging \
mutual assistance if either country is attacked.

Kremlin spokesman Dmitry Peskov said the agreement "is not directed against third countries."

Officials said about 2,000 people lined the streets of the capital to greet the Russian leader.
"""


def test_regenerating_marks_what_changed(tmp_path: Path, sample_copy: Path) -> None:
    d = Dossier(make_settings(tmp_path / "data"), embedder=FakeEmbedder())
    d.ingest(sample_copy)
    steps: list[tuple[int, int, str]] = []
    first = build_briefing(d.brief_parts(), progress=lambda a, b, s: steps.append((a, b, s)))
    assert first.previous is None and not first.new_items
    assert steps[0][0] == 0 and steps[-1][0] == steps[-1][1]
    assert (tmp_path / "data" / "briefs" / f"{BriefScope().key}.json").exists()
    same = build_briefing(d.brief_parts())
    assert same.previous == first.generated_at
    assert not same.new_items and not same.dropped and not same.new_articles
    (sample_copy / "005_putin_arrives.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    d.ingest(sample_copy)
    after = build_briefing(d.brief_parts())
    assert after.new_articles == ("005_putin_arrives.txt",)
    citing = [i for i in after.items if any(c.file == "005_putin_arrives.txt" for c in i.citations)]
    assert citing and all(i.new for i in citing)
    md = to_markdown(after)
    assert f"new since {same.generated_at[:10]}" in md and "What changed since" in md
    assert "005_putin_arrives.txt" in md


# ---- the language model ------------------------------------------------------------------------
def _llm_dossier(tmp_path: Path, base_url: str, sample_copy: Path) -> Dossier:
    settings = Settings(
        data_dir=tmp_path / "data",
        index=IndexSettings(embedder="fake"),
        llm=LLMSettings(base_url=base_url, max_retries=0, judge=False, timeout_s=5),
    )
    d = Dossier(settings, embedder=FakeEmbedder())
    d.ingest(sample_copy)
    return d


def test_llm_briefing_is_verified_and_keeps_invalid_ids(tmp_path: Path, sample_copy: Path) -> None:
    with FakeOpenAIServer() as srv:
        d = _llm_dossier(tmp_path, srv.base_url, sample_copy)
        from rag.brief.build import _lead_passages

        docs, _, _ = select(d.brief_parts(), BriefScope())
        passages = _lead_passages(d.store(), docs)
        pid = {f[:3]: n for n, p in reversed(list(enumerate(passages, 1))) for f in [p.file]}
        reply = {
            "summary": [
                {
                    "text": "Putin accepted Kim Jong Un's invitation to visit North Korea.",
                    "cite": [pid["002"]],
                },
                {"text": "The moon is made of cheese.", "cite": [pid["001"]]},
            ],
            "timeline": [
                {
                    "date": "2024-06-18",
                    "date_text": "June 18-19",
                    "status": "planned",
                    "text": "Putin will visit North Korea on June 18-19.",
                    "cite": [pid["004"], 99],
                }
            ],
            "actors": [
                {
                    "name": "Dmitry Peskov",
                    "role": "Kremlin spokesman",
                    "items": [
                        {"text": "Peskov said the visit is being prepared.", "cite": [pid["003"]]}
                    ],
                }
            ],
            "disagreements": [
                {
                    "about": "the month of Shoigu's visit",
                    "sides": [
                        {"value": "August", "cite": [pid["001"]]},
                        {"value": "July", "cite": [pid["002"]]},
                    ],
                }
            ],
        }
        srv.push("```json\n" + json.dumps(reply) + "\n```")
        b = build_briefing(d.brief_parts(), save=False)
    assert b.generator != "extractive" and not b.warnings
    good, bad = b.summary
    assert good.supported and not bad.supported
    assert b.invalid_citations == ("99",)
    assert b.timeline[0].date is not None and b.timeline[0].date.iso == "2024-06-18"
    assert b.timeline[0].status == "planned"
    store = d.store()
    for item in b.items:
        for c in item.citations:
            assert store.article(c.file)[0][c.start : c.end] == c.quote  # type: ignore[index]
    assert srv.requests[0]["messages"][0]["role"] == "system"
    assert "JSON" in srv.requests[0]["messages"][0]["content"]


def test_llm_failure_falls_back_offline_and_says_so(tmp_path: Path, sample_copy: Path) -> None:
    with FakeOpenAIServer([Reply(status=500)] * 3) as srv:
        d = _llm_dossier(tmp_path, srv.base_url, sample_copy)
        b = build_briefing(d.brief_parts(), save=False)
    assert b.generator == "extractive"
    assert b.warnings and "offline instead" in b.warnings[0]
    assert b.timeline and b.summary
    assert "offline instead" in to_markdown(b)


# ---- the command line --------------------------------------------------------------------------
def test_cli_writes_markdown_pdf_and_json(
    tmp_path: Path,
    sample_copy: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from rag.cli import main

    monkeypatch.setenv("DOSSIER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DOSSIER_INDEX__EMBEDDER", "fake")
    assert main(["ingest", str(sample_copy), "--quiet"]) == 0
    md, pdf = tmp_path / "b.md", tmp_path / "b.pdf"
    assert main(["brief", "--out", str(md), "--quiet"]) == 0
    assert "## Timeline" in md.read_text(encoding="utf-8")
    assert (
        main(
            [
                "brief",
                "--out",
                str(pdf),
                "--quiet",
                "--since",
                "2023-09-01",
                "--until",
                "2023-12-31",
            ]
        )
        == 0
    )
    assert page_count(pdf) == 1
    capsys.readouterr()
    assert main(["brief", "--json", "--topic", "Shoigu visit", "--no-save"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["scope"]["topic"] == "Shoigu visit" and out["generator"] == "extractive"
    assert {"summary", "timeline", "actors", "figures", "disagreements", "watch"} <= set(out)
    assert main(["brief", "--out", str(tmp_path / "b.docx")]) == 2


# ---- with the real embedder --------------------------------------------------------------------
@pytest.mark.slow
def test_minilm_sample_briefing(minilm_dossier: Dossier, tmp_path: Path) -> None:
    b = build_briefing(minilm_dossier.brief_parts(), save=False)
    tl = list(b.timeline)
    summit = next(t for t in tl if t.date and t.date.iso == "2023-09-13")
    june = next(t for t in tl if t.date and t.date.iso == "2024-06-18")
    assert tl.index(summit) < tl.index(june)
    assert any("Shoigu" in d.about for d in b.disagreements)
    lavrov = next(t for t in tl if "Lavrov" in t.text)
    assert lavrov.support == 2 and {c.file[:3] for c in lavrov.citations} == {"000", "002"}
    assert write(b, tmp_path / "b.pdf") == 1
    assert parse_published(b.articles[1].published) == date(2023, 9, 12)
