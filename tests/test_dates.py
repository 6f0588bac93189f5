from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest

from index import store
from index.dates import (
    MONTH_ABBREVIATIONS,
    MONTH_NAMES,
    MONTH_PATTERN,
    MONTHS,
    WEEKDAY_ABBREVIATIONS,
    WEEKDAY_NAMES,
    WEEKDAY_PATTERN,
    WEEKDAYS,
    BadDateError,
    Stamp,
    date_bound,
    find_date,
    parse_date,
    published_ts,
    read_date,
    to_iso,
    to_utc,
)


@pytest.fixture(params=["Asia/Tokyo", "UTC", "America/New_York"])
def local_zone(request: pytest.FixtureRequest) -> Iterator[str]:
    """Run the test with the process's local time zone set to each of the params."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    try:
        yield request.param
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()


def test_month_and_weekday_tables() -> None:
    assert MONTH_NAMES[0] == "January" and MONTH_NAMES[-1] == "December"
    assert MONTH_ABBREVIATIONS[8] == "Sep"
    assert MONTHS["september"] == MONTHS["sep"] == MONTHS["sept"] == 9
    assert MONTHS["may"] == 5 and len(set(MONTHS.values())) == 12
    assert WEEKDAYS["monday"] == 0 and WEEKDAYS["sunday"] == 6 and len(WEEKDAY_NAMES) == 7
    assert WEEKDAY_ABBREVIATIONS["thurs"] == 3
    month = re.compile(rf"\b(?:{MONTH_PATTERN})\b", re.I)
    assert [m[0] for m in month.finditer("Sept 12, September 13 and Sep. 14")] == [
        "Sept",
        "September",
        "Sep",
    ]
    assert re.fullmatch(WEEKDAY_PATTERN, "Thurs", re.I)


@pytest.mark.parametrize(
    ("text", "iso", "precision"),
    [
        ("2024-05-25", "2024-05-25", 1),
        ("Saturday, 25 May 2024 06:28 PM", "2024-05-25T18:28:00", 2),
        ("Saturday, 25 May 2024 06:28 PM EDT", "2024-05-25T18:28:00-04:00", 3),
        ("2023-09-14T07:18:00.123+0200", "2023-09-14T07:18:00+02:00", 3),
        ("2024-06-19T08:00:00Z", "2024-06-19T08:00:00+00:00", 3),
        ("June 19, 2024 10:15 IST", "2024-06-19T10:15:00+05:30", 3),  # India, in English news
        ("Mon 12 Mar 2024 10.03 GMT", "2024-03-12T10:03:00+00:00", 3),
    ],
)
def test_read_date_keeps_what_the_page_states(text: str, iso: str, precision: int) -> None:
    found = read_date(text)
    assert found is not None
    assert found.iso == iso and found.precision == precision


@pytest.mark.parametrize(
    "text",
    [
        "",
        "soon",
        "May 2024",
        "2024",
        "2 hours ago",
        "09/10/2023",
        "2024-28-25",
        "February 30, 2024",
    ],
)
def test_read_date_wants_a_whole_unambiguous_date(text: str) -> None:
    assert read_date(text) is None


@pytest.mark.parametrize(
    ("line", "iso"),
    [
        ("By Jane Doe | September 14, 2023", "2023-09-14"),
        (" date 2024-05-25 WATCH TV LIVE", "2024-05-25"),
        ("Written by Henrik Rothen 2023-09-12", "2023-09-12"),
        ("Updated 3:45 PM EDT, Thu September 14, 2023", "2023-09-14T15:45:00-04:00"),
        ("Published 2023-09-14 | Updated 2023-09-15", "2023-09-14"),  # the leftmost
        ("Kim had visited Russia once before, in April 2019.", None),
        ("Posted 2 hours ago", None),
    ],
)
def test_find_date_in_a_dateline(line: str, iso: str | None) -> None:
    found = find_date(line)
    assert (found.iso if found else None) == iso


def test_parse_date_is_utc() -> None:
    assert parse_date("Saturday, 25 May 2024 06:28 PM EDT") == datetime(
        2024, 5, 25, 22, 28, tzinfo=UTC
    )
    assert parse_date("25 May 2024 06:28 PM") == datetime(2024, 5, 25, 18, 28, tzinfo=UTC)
    assert parse_date("By Jane Doe | September 14, 2023") == datetime(2023, 9, 14, tzinfo=UTC)
    assert parse_date("not a date") is None


def test_to_iso_and_to_utc() -> None:
    stated = datetime(2024, 5, 25, 18, 28, 5, 123, tzinfo=timezone(timedelta(hours=-4)))
    assert to_iso(stated) == "2024-05-25T18:28:05-04:00"
    assert to_iso(stated, has_time=False) == "2024-05-25"
    assert to_iso(stated.date()) == "2024-05-25"
    assert to_utc(stated).isoformat() == "2024-05-25T22:28:05.000123+00:00"
    assert to_utc(datetime(2024, 5, 25)).tzinfo is UTC
    assert Stamp(datetime(2024, 5, 25, 9), has_time=True).utc() == datetime(
        2024, 5, 25, 9, tzinfo=UTC
    )


def test_published_ts() -> None:
    assert published_ts("2024-05-25T18:28:00-04:00") == 1716676080
    assert published_ts("2024-05-25T22:28:00") == 1716676080  # naive means UTC
    assert published_ts("2024-05-25") == 1716595200
    assert published_ts("Saturday, 25 May 2024 06:28 PM EDT") == 1716676080  # not ISO: parsed
    assert published_ts(None) is None and published_ts("") is None and published_ts("soon") is None
    assert store.published_ts("2024-05-25T22:28:00") == 1716676080  # the old name delegates


@pytest.mark.parametrize(
    ("value", "end", "bound"),
    [
        ("2024-05-25", False, "2024-05-25T00:00:00+00:00"),
        ("2024-05-25", True, "2024-05-25T23:59:59+00:00"),
        (" 2024-05-25 ", True, "2024-05-25T23:59:59+00:00"),
        ("2024-05-25T10:00", True, "2024-05-25T10:00:00+00:00"),
        ("2024-05-25T10:00:00+09:00", False, "2024-05-25T01:00:00+00:00"),
        ("2024-05-25T10:00:00Z", False, "2024-05-25T10:00:00+00:00"),
        ("1 May 2024", True, "2024-05-01T23:59:59+00:00"),
        ("May 2024", False, "2024-05-01T00:00:00+00:00"),
        ("May 2024", True, "2024-05-31T23:59:59+00:00"),
        ("February 2024", True, "2024-02-29T23:59:59+00:00"),
        ("2024", False, "2024-01-01T00:00:00+00:00"),
        ("2024", True, "2024-12-31T23:59:59+00:00"),
    ],
)
def test_date_bound(value: str, end: bool, bound: str) -> None:
    assert date_bound(value, end=end).isoformat() == bound


def test_date_bound_relative_days_are_whole_days() -> None:
    today = datetime.now(UTC).date()
    assert date_bound("yesterday", end=True) == datetime.combine(
        today - timedelta(days=1), datetime.max.time().replace(microsecond=0), tzinfo=UTC
    )


@pytest.mark.parametrize("value", ["xyz", "", "   ", "2024-13-45", "09/10/2023", "next blursday"])
def test_date_bound_refuses_with_what_to_type(value: str) -> None:
    with pytest.raises(BadDateError) as err:
        date_bound(value, end=False)
    assert str(err.value) == f"Not a date: {value!r} — use YYYY-MM-DD, e.g. 2024-05-25"
    assert not isinstance(err.value, ValueError)  # a bare ValueError would be a bug


def test_bounds_and_publication_times_ignore_the_local_zone(local_zone: str) -> None:
    assert time.tzname[0] != "" and os.environ["TZ"] == local_zone
    since = date_bound("2024-01-01", end=False)
    until = date_bound("2024-05-25", end=True)
    assert int(since.timestamp()) == 1704067200
    assert int(until.timestamp()) == 1716681599
    # Article 003 ("Saturday, 25 May 2024 06:28 PM EDT") lies inside the range in every zone.
    for published in ("2024-05-25T18:28:00-04:00", "2024-05-25T22:28:00"):
        ts = published_ts(published)
        assert ts == 1716676080
        assert int(since.timestamp()) <= ts <= int(until.timestamp())
    assert published_ts("2024-05-25") == 1716595200
    assert read_date("25 May 2024 06:28 PM") == Stamp(datetime(2024, 5, 25, 18, 28), True)
    assert parse_date("25 May 2024 06:28 PM") == datetime(2024, 5, 25, 18, 28, tzinfo=UTC)


@pytest.mark.parametrize("bad", ["2024-13-01", "2024-02-30", "2024/00/10"])
def test_year_first_numeric_dates_are_read_only_as_year_month_day(bad: str) -> None:
    with pytest.raises(BadDateError):
        date_bound(bad, end=False)
    assert date_bound("2024/05/25", end=True).isoformat() == "2024-05-25T23:59:59+00:00"
