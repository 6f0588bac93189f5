from __future__ import annotations

from pathlib import Path

import pytest

from evals import bench_clean
from evals.bench_clean import (
    PR,
    Doc,
    families,
    gold_lines,
    load_gold,
    score_gold,
    split_of,
    text_sha,
)
from index.clean import clean_article

PROSE = (
    "The two leaders signed a strategic partnership agreement on Wednesday, pledging mutual "
    "assistance if either country is attacked, state media reported."
)


def test_split_by_last_hex_digit() -> None:
    assert split_of("rtqa_cf8dcb23df1e") == "fit"
    assert split_of("rtqa_cf8dcb23df1f") == "val"
    assert split_of("bbc_sport_120") == "fit"
    assert split_of("bbc_sport_121") == "val"


def test_precision_and_recall_counts() -> None:
    pr = PR()
    pr.add({1, 2, 3}, {2, 3, 4, 5})
    assert (pr.tp, pr.fp, pr.fn) == (2, 1, 2)
    assert pr.precision == pytest.approx(2 / 3)
    assert pr.recall == pytest.approx(0.5)
    assert PR().precision == 1.0 and PR().recall == 1.0  # nothing to find, nothing found


def test_gold_lines_skip_blank_lines_inside_spans() -> None:
    text = "Headline\n\nRead More\n\nShare\nBody."
    assert gold_lines(text, [[2, 4, "readmore"]]) == {2: "readmore", 4: "readmore"}
    assert gold_lines(text, [[9, 12, "x"]]) == {}


def test_probe_families() -> None:
    assert families(["JUST WATCHED A storm Replay More Videos ... 02:21"]) >= {"video promo"}
    assert families(["  Read More  "]) == {"read more"}
    assert families(["Sign up for our weekly newsletter"]) == {"newsletter promo"}
    assert families(["Photos: Floods Hide Caption 3 of 28"]) == {"hide caption"}
    assert families(["A man wades. Jane Roe/Getty Images"]) == {"photo credit"}
    assert families(["Follow her on Twitter @janeroe"]) == {"share/follow"}
    assert families([PROSE, "Read more of the story in the archive."]) == set()
    # body text that mentions newsletters or a tax credit is not a promo or a photo credit
    body = [
        "Users may subscribe to their favourite accounts for content beyond the usual posts. "
        "This could be anything from newsletters to videos.",
        "These payments will amount to half of the credit: $1,800 for younger children.",
    ]
    assert families(body) == set()
    assert families(["A reactor near Oxford. Credit: EUROfusion."]) == {"photo credit"}


def doc(doc_id: str, text: str) -> Doc:
    return Doc(doc_id, "realtimeqa", "Example News", text)


def test_score_gold_counts_lines_and_names_mistakes() -> None:
    text = "\n".join(
        ["Headline", PROSE, "Read More", "A caption of a photo.", PROSE.replace("two", "three")]
    )
    d = doc("rtqa_0001", text)
    results = {d.doc_id: clean_article(text, outlet=d.outlet)}
    record = {"doc_id": d.doc_id, "sha256": text_sha(text), "chrome": [[2, 3, "x"]]}
    rep = score_gold([record], {d.doc_id: d}, results)
    assert (rep.pr.tp, rep.pr.fp, rep.pr.fn) == (1, 0, 1)  # "Read More" found, caption missed
    assert rep.missed_kind == {"x": 1}
    assert [(e[1], e[2]) for e in rep.errors] == [(3, "missed x")]
    # a changed article is reported, not scored
    stale = score_gold([{**record, "sha256": "0" * 16}], {d.doc_id: d}, results)
    assert stale.stale == [d.doc_id] and stale.pr.tp == 0


def test_the_hand_checked_gold_is_well_formed() -> None:
    gold = load_gold()
    assert sorted(gold) == ["bbc", "realtimeqa"]
    records = [r for rs in gold.values() for r in rs]
    assert len(records) == 40 and len({r["doc_id"] for r in records}) == 40
    assert len(gold["bbc"]) == 15
    for r in records:
        assert set(r) == {"doc_id", "outlet", "sha256", "lines", "nonempty_lines", "chrome"}
        assert split_of(r["doc_id"]) == "val"  # chosen from the held-out half only
        assert len(r["sha256"]) == 16
        for first, last, kind in r["chrome"]:
            assert 0 <= first <= last < r["lines"] and isinstance(kind, str)


def test_main_skips_without_the_bench(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DOSSIER_BENCH_DIR", str(tmp_path))
    assert bench_clean.main([]) == 0
    assert "skipped" in capsys.readouterr().out
