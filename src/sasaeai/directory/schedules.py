"""Schedules in plain Japanese, and whether a schedule is open on a date.

A ``Schedule`` holds HSDS's RRULE fields (see its docstring). ``describe`` turns one into
the words a resident reads — 「毎週火曜 10:00〜12:00」, 「第2・第4水曜 13:30〜15:00」,
「毎月15日」 — followed by the closures 「（祝日・年末年始は休み）」. ``is_open_on`` answers
for one date, counting national holidays (jpholiday) and 年末年始 (12月29日〜1月3日).
``weekdays`` is what the search index stores for the 曜日 filter.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass
from typing import Protocol

import jpholiday
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from sasaeai.directory.models import Frequency

RRULE_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")  # index = date.weekday()
WEEKDAY_NAMES = (
    gettext_noop("月"),
    gettext_noop("火"),
    gettext_noop("水"),
    gettext_noop("木"),
    gettext_noop("金"),
    gettext_noop("土"),
    gettext_noop("日"),
)
_AND = "\u30fb"  # ・

_BYDAY = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")


class ScheduleLike(Protocol):
    """The fields of ``Schedule`` these functions read (a model instance or a stand-in)."""

    freq: str
    interval: int | None
    byday: str
    bymonthday: str
    opens_at: datetime.time | None
    closes_at: datetime.time | None
    dtstart: datetime.date | None
    until: datetime.date | None
    valid_from: datetime.date | None
    valid_to: datetime.date | None
    description: str
    closed_on_holidays: bool
    closed_year_end: bool


@dataclass(frozen=True)
class ByDay:
    """One BYDAY entry: a weekday (0 = Monday) and, in monthly rules, its ordinal (2 = 第2,
    -1 = 最終; None = every)."""

    weekday: int
    ordinal: int | None


def parse_byday(value: str) -> list[ByDay]:
    """``"2WE,4WE"`` → ``[ByDay(2, 2), ByDay(2, 4)]``; entries that are not RRULE days are
    skipped."""
    days: list[ByDay] = []
    for raw in value.replace(" ", "").upper().split(","):
        match = _BYDAY.match(raw)
        if not match:
            continue
        ordinal = int(match.group(1)) if match.group(1) else None
        days.append(ByDay(RRULE_DAYS.index(match.group(2)), ordinal))
    return days


def parse_bymonthday(value: str) -> list[int]:
    """``"1,15"`` → ``[1, 15]``; ``-1`` is the last day of the month."""
    days: list[int] = []
    for raw in value.replace(" ", "").split(","):
        try:
            day = int(raw)
        except ValueError:
            continue
        if 1 <= abs(day) <= 31:
            days.append(day)
    return days


def _time(value: datetime.time) -> str:
    return f"{value.hour}:{value.minute:02d}"


def _ordinal(ordinal: int) -> str:
    if ordinal < 0:
        return _("最終") if ordinal == -1 else _("最後から{n}番目の").format(n=-ordinal)
    return _("第{n}").format(n=ordinal)


def _days_phrase(schedule: ScheduleLike) -> str:
    days = parse_byday(schedule.byday)
    if schedule.freq == Frequency.WEEKLY:
        names = _AND.join(_(WEEKDAY_NAMES[day.weekday]) for day in days)
        if not names:
            return _("毎週")
        if schedule.interval and schedule.interval == 2:
            return _("隔週{days}曜").format(days=names)
        if schedule.interval and schedule.interval > 2:
            return _("{n}週ごとの{days}曜").format(n=schedule.interval, days=names)
        return _("毎週{days}曜").format(days=names)
    if schedule.freq == Frequency.MONTHLY:
        if days:
            weekdays = {day.weekday for day in days}
            if len(weekdays) == 1 and all(day.ordinal is not None for day in days):
                ordinals = _AND.join(_ordinal(day.ordinal or 0) for day in days)
                return _("{ordinals}{day}曜").format(
                    ordinals=ordinals, day=_(WEEKDAY_NAMES[days[0].weekday])
                )
            return _AND.join(
                (_ordinal(day.ordinal) if day.ordinal is not None else _("毎週"))
                + _("{day}曜").format(day=_(WEEKDAY_NAMES[day.weekday]))
                for day in days
            )
        monthdays = parse_bymonthday(schedule.bymonthday)
        if monthdays:
            return _("毎月") + _AND.join(
                _("{n}日").format(n=day) if day > 0 else _("末日") for day in monthdays
            )
        return _("毎月")
    return ""


def describe(schedule: ScheduleLike) -> str:
    """The schedule in plain Japanese, e.g. 「第2・第4水曜 13:30〜15:00（祝日・年末年始は休み）」.

    A schedule without a recurrence is described by its ``description`` text.
    """
    parts = [_days_phrase(schedule)]
    if schedule.opens_at and schedule.closes_at:
        parts.append(f"{_time(schedule.opens_at)}〜{_time(schedule.closes_at)}")
    elif schedule.opens_at:
        parts.append(f"{_time(schedule.opens_at)}〜")
    text = " ".join(part for part in parts if part)
    if not text:
        text = schedule.description.strip()
    closures = []
    if schedule.closed_on_holidays:
        closures.append(_("祝日"))
    if schedule.closed_year_end:
        closures.append(_("年末年始"))
    if closures:
        text += _("（{closures}は休み）").format(closures=_AND.join(closures))
    return text


def is_year_end(date: datetime.date) -> bool:
    """12月29日〜1月3日, the usual 年末年始 closure of public offices."""
    return (date.month == 12 and date.day >= 29) or (date.month == 1 and date.day <= 3)


def is_holiday(date: datetime.date) -> bool:
    """A national holiday (国民の祝日 and 振替休日), from jpholiday."""
    return bool(jpholiday.is_holiday(date))


def is_open_on(schedule: ScheduleLike, date: datetime.date) -> bool:
    """Whether the schedule's service takes place on ``date``."""
    for start in (schedule.valid_from, schedule.dtstart):
        if start and date < start:
            return False
    for end in (schedule.valid_to, schedule.until):
        if end and date > end:
            return False
    if schedule.closed_year_end and is_year_end(date):
        return False
    if schedule.closed_on_holidays and is_holiday(date):
        return False
    days = parse_byday(schedule.byday)
    if schedule.freq == Frequency.WEEKLY:
        if days and date.weekday() not in {day.weekday for day in days}:
            return False
        interval = schedule.interval or 1
        if interval > 1 and schedule.dtstart:
            first_monday = schedule.dtstart - datetime.timedelta(days=schedule.dtstart.weekday())
            weeks = (date - first_monday).days // 7
            return weeks % interval == 0
        return True
    if schedule.freq == Frequency.MONTHLY:
        last_day = calendar.monthrange(date.year, date.month)[1]
        if days:
            nth = (date.day - 1) // 7 + 1
            nth_from_end = -((last_day - date.day) // 7 + 1)
            return any(
                day.weekday == date.weekday()
                and (day.ordinal is None or day.ordinal in (nth, nth_from_end))
                for day in days
            )
        monthdays = parse_bymonthday(schedule.bymonthday)
        return any(date.day == (day if day > 0 else last_day + 1 + day) for day in monthdays)
    return False


def weekdays(schedule: ScheduleLike) -> set[int]:
    """The weekdays (0 = Monday) the schedule can fall on, for the 曜日 filter.

    Weekly rules and monthly rules by weekday (第2水曜) give their weekdays; a monthly rule
    by date (毎月15日) falls on any weekday and so gives none: it is not a 「水曜の活動」.
    """
    if schedule.freq not in (Frequency.WEEKLY, Frequency.MONTHLY):
        return set()
    return {day.weekday for day in parse_byday(schedule.byday)}


def weekday_mask(schedules: list[ScheduleLike]) -> int:
    """A bit per weekday (bit 0 = Monday) over all the schedules."""
    mask = 0
    for schedule in schedules:
        for day in weekdays(schedule):
            mask |= 1 << day
    return mask
