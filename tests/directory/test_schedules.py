"""Schedules described in plain Japanese, and open days with holidays and 年末年始."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest

from sasaeai.directory.schedules import (
    ByDay,
    describe,
    is_open_on,
    parse_byday,
    weekday_mask,
    weekdays,
)


@dataclass
class Rule:
    freq: str = ""
    interval: int | None = None
    byday: str = ""
    bymonthday: str = ""
    opens_at: datetime.time | None = None
    closes_at: datetime.time | None = None
    dtstart: datetime.date | None = None
    until: datetime.date | None = None
    valid_from: datetime.date | None = None
    valid_to: datetime.date | None = None
    description: str = ""
    closed_on_holidays: bool = False
    closed_year_end: bool = False


T = datetime.time
D = datetime.date


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (Rule("WEEKLY", byday="TU", opens_at=T(10), closes_at=T(12)), "毎週火曜 10:00〜12:00"),
        (
            Rule("MONTHLY", byday="2WE,4WE", opens_at=T(13, 30), closes_at=T(15)),
            "第2・第4水曜 13:30〜15:00",
        ),
        (Rule("MONTHLY", bymonthday="15"), "毎月15日"),
        (Rule("MONTHLY", bymonthday="1,15"), "毎月1日・15日"),
        (Rule("MONTHLY", bymonthday="-1"), "毎月末日"),
        (Rule("WEEKLY", byday="MO,TH", opens_at=T(9, 30)), "毎週月・木曜 9:30〜"),
        (Rule("WEEKLY", byday="FR", interval=2), "隔週金曜"),
        (Rule("MONTHLY", byday="-1FR"), "最終金曜"),
        (Rule("MONTHLY", byday="1MO,3TH"), "第1月曜・第3木曜"),
        (
            Rule(
                "WEEKLY",
                byday="MO,TU,WE,TH,FR",
                opens_at=T(8, 30),
                closes_at=T(17, 15),
                closed_on_holidays=True,
                closed_year_end=True,
            ),
            "毎週月・火・水・木・金曜 8:30〜17:15（祝日・年末年始は休み）",
        ),
        (Rule("MONTHLY", bymonthday="15", closed_year_end=True), "毎月15日（年末年始は休み）"),
        (Rule(description="不定期（お問い合わせください）"), "不定期（お問い合わせください）"),
    ],
)
def test_describe(rule: Rule, expected: str) -> None:
    assert describe(rule) == expected


def test_parse_byday() -> None:
    assert parse_byday("2WE, 4WE") == [ByDay(2, 2), ByDay(2, 4)]
    assert parse_byday("TU,-1FR,xx") == [ByDay(1, None), ByDay(4, -1)]


def test_weekly_open_days_and_holidays() -> None:
    rule = Rule("WEEKLY", byday="MO", closed_on_holidays=True)
    assert is_open_on(rule, D(2026, 1, 5)) is True  # a Monday
    assert is_open_on(rule, D(2026, 1, 6)) is False  # Tuesday
    assert is_open_on(rule, D(2026, 1, 12)) is False  # 成人の日
    assert is_open_on(Rule("WEEKLY", byday="MO"), D(2026, 1, 12)) is True


def test_year_end_closure_is_29_december_to_3_january() -> None:
    rule = Rule("WEEKLY", byday="MO,TU,WE,TH,FR,SA,SU", closed_year_end=True)
    assert is_open_on(rule, D(2026, 12, 28)) is True
    assert is_open_on(rule, D(2026, 12, 29)) is False
    assert is_open_on(rule, D(2027, 1, 3)) is False
    assert is_open_on(rule, D(2027, 1, 4)) is True


def test_monthly_nth_weekday() -> None:
    rule = Rule("MONTHLY", byday="2WE,4WE")
    # March 2026: Wednesdays 4, 11, 18, 25
    assert [day for day in range(1, 32) if is_open_on(rule, D(2026, 3, day))] == [11, 25]
    last_friday = Rule("MONTHLY", byday="-1FR")
    assert [day for day in range(1, 32) if is_open_on(last_friday, D(2026, 3, day))] == [27]


def test_monthly_by_date_and_last_day() -> None:
    assert is_open_on(Rule("MONTHLY", bymonthday="15"), D(2026, 2, 15)) is True
    assert is_open_on(Rule("MONTHLY", bymonthday="15"), D(2026, 2, 16)) is False
    assert is_open_on(Rule("MONTHLY", bymonthday="-1"), D(2026, 2, 28)) is True


def test_every_other_week_counts_from_dtstart() -> None:
    rule = Rule("WEEKLY", byday="FR", interval=2, dtstart=D(2026, 1, 2))
    assert [is_open_on(rule, D(2026, 1, day)) for day in (2, 9, 16, 23)] == [
        True,
        False,
        True,
        False,
    ]


def test_validity_period() -> None:
    rule = Rule("WEEKLY", byday="MO", valid_from=D(2026, 4, 1), valid_to=D(2026, 4, 30))
    assert is_open_on(rule, D(2026, 3, 30)) is False
    assert is_open_on(rule, D(2026, 4, 6)) is True
    assert is_open_on(rule, D(2026, 5, 4)) is False


def test_weekdays_for_the_filter() -> None:
    assert weekdays(Rule("WEEKLY", byday="TU,TH")) == {1, 3}
    assert weekdays(Rule("MONTHLY", byday="2WE,4WE")) == {2}
    assert weekdays(Rule("MONTHLY", bymonthday="15")) == set()
    assert weekday_mask([Rule("WEEKLY", byday="MO"), Rule("MONTHLY", byday="1SU")]) == 0b1000001
