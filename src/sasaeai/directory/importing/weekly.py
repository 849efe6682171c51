"""Reading the day and time columns of the open-data CSVs into weekly schedules.

Days: 「月～金」「月火水木金」「月・水・金」「土日祝」「平日」「毎日」「月曜日から金曜日」
「月～金（祝日を除く）」. Times: 「9:00」「９：３０」「９時」「9時30分」「午後5時」「17:00」
「24時間」. Text that does not fit returns None: the caller keeps it as it was (the schedule's
description) and reports a warning, never dropping it silently. The words live in
``vocabulary.yaml``.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_HOLIDAY = "H"  # token for 祝日
_RANGE = "-"


@cache
def vocabulary() -> dict[str, Any]:
    path = Path(__file__).with_name("vocabulary.yaml")
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def _alternatives(words: list[str]) -> str:
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


@cache
def _patterns() -> dict[str, re.Pattern[str]]:
    v = vocabulary()
    holiday = _alternatives(v["holiday_words"])
    closed = _alternatives(v["holiday_closed_words"])
    ampm = _alternatives(v["am_words"] + v["pm_words"])
    hour = _alternatives(v["hour_words"])
    minute = _alternatives(v["minute_words"])
    half = _alternatives(v["half_words"])
    return {
        "holiday_closed": re.compile(rf"[(\[]?\s*(?:{holiday})(?:{closed})\s*[)\]]?"),
        "colon": re.compile(
            rf"^(?P<ampm>{ampm})?(?P<h>\d{{1,2}})[:.](?P<m>\d{{2}})(?::\d{{2}})?$", re.I
        ),
        "kanji": re.compile(
            rf"^(?P<ampm>{ampm})?(?P<h>\d{{1,2}})(?:{hour})(?:(?P<m>\d{{1,2}})(?:{minute})|(?P<half>{half}))?$",
            re.I,
        ),
        "digits": re.compile(r"^(?P<h>\d{1,2})(?P<m>\d{2})$"),
        "range": re.compile(
            rf"\s*(?:[{re.escape(v['range_marks'])}]|{_alternatives(v['range_words'])})\s*"
        ),
    }


@dataclass(frozen=True)
class Days:
    byday: tuple[str, ...]
    closed_on_holidays: bool
    open_on_holidays: bool


def _normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def _tokens(value: str) -> list[str] | None:
    v = vocabulary()
    for word in sorted(v["holiday_words"], key=len, reverse=True):
        value = value.replace(word, _HOLIDAY)
    for word in v["day_suffixes"]:
        value = value.replace(word, "")
    for word in v["range_words"]:
        value = value.replace(word, _RANGE)
    for word in v["joiners"]:
        value = value.replace(word, ",")
    separators = set(v["separators"]) | set("()[]")
    range_marks = set(v["range_marks"])
    tokens: list[str] = []
    for char in value:
        if char in v["days"]:
            tokens.append(v["days"][char])
        elif char == _HOLIDAY:
            tokens.append(_HOLIDAY)
        elif char in range_marks or char == _RANGE:
            tokens.append(_RANGE)
        elif char in separators or char.isspace():
            continue
        else:
            return None
    return tokens


def parse_days(text: str) -> Days | None:
    """「月～金」→ MO..FR; None if the text is not only days (the caller keeps it as text)."""
    v = vocabulary()
    value = _normalize(text)
    if not value:
        return None
    closed = False
    pattern = _patterns()["holiday_closed"]
    if pattern.search(value):
        closed = True
        value = pattern.sub("", value)
    for word in v["weekday_words"]:
        if word in value:
            closed = True
            value = value.replace(word, "MO-FR")
    for word in sorted(v["every_day_words"], key=len, reverse=True):
        value = value.replace(word, "MO-SU")
    value = value.replace("MO-FR", "\x01-\x05").replace("MO-SU", "\x01-\x07")
    codes = dict(zip("\x01\x02\x03\x04\x05\x06\x07", DAYS, strict=True))
    value = "".join(_day_char(codes[ch]) if ch in codes else ch for ch in value)
    tokens = _tokens(value)
    if not tokens:
        return None
    days: list[str] = []
    holidays = False
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token == _RANGE:
            return None  # a range without a start
        if token == _HOLIDAY:
            holidays = True
            index += 1
            continue
        if index + 1 < len(tokens) and tokens[index + 1] == _RANGE:
            if index + 2 >= len(tokens) or tokens[index + 2] in {_RANGE, _HOLIDAY}:
                return None  # 「月～」
            start, end = DAYS.index(token), DAYS.index(tokens[index + 2])
            days.extend(DAYS[(start + step) % 7] for step in range((end - start) % 7 + 1))
            index += 3
            continue
        days.append(token)
        index += 1
    if not days:
        return None
    wanted = set(days)
    return Days(
        byday=tuple(day for day in DAYS if day in wanted),
        closed_on_holidays=closed and not holidays,
        open_on_holidays=holidays,
    )


def says_closed_on_holidays(text: str) -> bool:
    """「祝日を除く」「日曜・祝日は休み」: a note saying the place is closed on holidays."""
    value = _normalize(text)
    if _patterns()["holiday_closed"].search(value):
        return True
    holiday = any(word in value for word in vocabulary()["holiday_words"])
    closed = any(word in value for word in vocabulary()["holiday_closed_words"])
    return holiday and closed


def says_closed_year_end(text: str) -> bool:
    """「年末年始は休み」: a note saying the place is closed over 年末年始."""
    value = _normalize(text)
    year_end = any(word in value for word in vocabulary()["year_end_words"])
    closed = any(word in value for word in vocabulary()["holiday_closed_words"])
    return year_end and closed


def _day_char(code: str) -> str:
    return next(char for char, value in vocabulary()["days"].items() if value == code)


def parse_time(text: str) -> dt.time | None:
    """「9:00」「９時」「午後5時30分」「1730」→ a time; None if it is not one time of day."""
    value = _normalize(text).replace(" ", "")
    if not value:
        return None
    patterns = _patterns()
    match = (
        patterns["colon"].match(value)
        or patterns["kanji"].match(value)
        or patterns["digits"].match(value)
    )
    if match is None:
        return None
    groups = match.groupdict()
    hour = int(groups["h"])
    minute = 30 if groups.get("half") else int(groups.get("m") or 0)
    ampm = (groups.get("ampm") or "").upper()
    if ampm in vocabulary()["pm_words"] and hour < 12:
        hour += 12
    if ampm in vocabulary()["am_words"] and hour == 12:
        hour = 0
    if hour == 24 and minute == 0:
        return dt.time(23, 59)
    if hour > 23 or minute > 59:
        return None
    return dt.time(hour, minute)


def parse_time_range(text: str) -> tuple[dt.time, dt.time] | None:
    """「9:00～17:00」「24時間」→ (opens, closes); None if the text is not one range."""
    value = _normalize(text)
    if value in vocabulary()["all_day_words"]:
        return dt.time(0, 0), dt.time(23, 59)
    parts = _patterns()["range"].split(value)
    if len(parts) != 2:
        return None
    opens, closes = parse_time(parts[0]), parse_time(parts[1])
    if opens is None or closes is None:
        return None
    return opens, closes
