"""年度・和暦: Japanese fiscal years (April–March) and era (元号) years and dates.

Pure Python: this module imports nothing from Django, so the CLI, the importers and the
template filters (``sasaeai.core.templatetags.wareki``) all share one implementation.

Rules (docs/wareki.md explains them in Japanese):

* A fiscal year (年度) runs from 1 April to 31 March and is named by the year it starts in.
* A year, fiscal or calendar, takes the newest era that began in or before it: 2019 is
  令和元年(度) and 1989 is 平成元年(度). The parsers also accept the older era for the
  year an era changed (平成31年度 = 令和元年度 = 2019), but not a year after the era ended
  (平成32年度 is refused with 令和2年度 suggested).
* A date takes the era in force on that day; era boundaries are exact to the day.
* Years run from 1868 (明治元年) to 2200. Dates run from 1873-01-01 (明治6年1月1日, the day
  Japan adopted the Gregorian calendar) to 2200-12-31.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final, Literal

__all__ = [
    "ERAS",
    "MAX_DATE",
    "MAX_YEAR",
    "MIN_DATE",
    "MIN_YEAR",
    "DateParseError",
    "Era",
    "FiscalYearParseError",
    "ParseErrorCode",
    "WarekiParseError",
    "YearStyle",
    "era_for_date",
    "era_for_year",
    "fiscal_year_bounds",
    "fiscal_year_of",
    "format_date",
    "format_fiscal_year",
    "format_year",
    "parse_date",
    "parse_fiscal_year",
]

YearStyle = Literal["wareki", "seireki"]
"""How to write a year: ``"wareki"`` (和暦, 令和7年) or ``"seireki"`` (西暦, 2025年)."""

ParseErrorCode = Literal[
    "empty",
    "unrecognized",
    "unknown_era",
    "year_zero",
    "era_year_out_of_range",
    "out_of_range",
    "invalid_date",
    "era_mismatch",
    "weekday_mismatch",
]

_STYLES: Final = ("wareki", "seireki")


@dataclass(frozen=True, slots=True)
class Era:
    """One era (元号): its name, one-letter and one-kanji abbreviations, and its first day."""

    name: str
    letter: str
    kanji: str
    start: date

    @property
    def start_year(self) -> int:
        return self.start.year

    def year_number(self, year: int) -> int:
        """The era year (1 = 元年) that the western ``year`` is in this era."""
        return year - self.start.year + 1


ERAS: Final[tuple[Era, ...]] = (
    # 明治 was proclaimed on 1868-10-23 and applied from the first day of that (lunisolar)
    # year; only its start *year* matters here, since dates before 1873 are not supported.
    Era("明治", "M", "明", date(1868, 10, 23)),
    Era("大正", "T", "大", date(1912, 7, 30)),
    Era("昭和", "S", "昭", date(1926, 12, 25)),
    Era("平成", "H", "平", date(1989, 1, 8)),
    Era("令和", "R", "令", date(2019, 5, 1)),
)
"""Supported eras, oldest first."""

MIN_YEAR: Final = 1868
"""First supported year (fiscal or calendar): 明治元年."""
MAX_YEAR: Final = 2200
"""Last supported year (fiscal or calendar): 令和182年."""
MIN_DATE: Final = date(1873, 1, 1)
"""First supported date: 明治6年1月1日, when Japan adopted the Gregorian calendar."""
MAX_DATE: Final = date(MAX_YEAR, 12, 31)
"""Last supported date."""

_ERA_BY_SPELLING: Final[Mapping[str, Era]] = {
    spelling: era for era in ERAS for spelling in (era.name, era.letter, era.kanji)
}
_WEEKDAYS: Final = "月火水木金土日"  # date.weekday(): Monday = 0

_MAX_INPUT_LENGTH: Final = 64  # longer text is refused before any regex or int() runs

_FY_EXAMPLES: Final = "令和7年度、R7、2025年度 のように入力してください。"
_DATE_EXAMPLES: Final = "令和7年4月1日、R7.4.1、2025/4/1 のように入力してください。"


# --- errors -----------------------------------------------------------------------------


class WarekiParseError(ValueError):
    """Text that could not be read as a year or date.

    ``code`` is stable for programs, ``text`` is the input as given, ``message`` is a Japanese
    sentence for people that quotes the input, and ``suggestion`` is the corrected spelling
    when one can be offered (for example ``"令和2年度"`` for ``"平成32年度"``).
    """

    def __init__(
        self, code: ParseErrorCode, text: str, message: str, suggestion: str | None = None
    ) -> None:
        super().__init__(message)
        self.code: ParseErrorCode = code
        self.text = text
        self.message = message
        self.suggestion = suggestion


class FiscalYearParseError(WarekiParseError):
    """Raised by :func:`parse_fiscal_year`."""


class DateParseError(WarekiParseError):
    """Raised by :func:`parse_date`."""


# --- eras and fiscal years ---------------------------------------------------------------


def _check_style(style: str) -> None:
    if style not in _STYLES:
        raise ValueError(f'style must be "wareki" or "seireki", not {style!r}')


def _check_year(year: int, what: str) -> None:
    if isinstance(year, bool) or not isinstance(year, int):
        raise TypeError(f"{what} must be an int, not {type(year).__name__}")
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"{what} {year} is outside the supported range {MIN_YEAR}–{MAX_YEAR}")


def _checked_date(d: date) -> date:
    """``d`` as a plain date (a datetime is cut to its own date fields), if supported."""
    if not isinstance(d, date):
        raise TypeError(f"expected a date, not {type(d).__name__}")
    if isinstance(d, datetime):
        d = d.date()
    if not MIN_DATE <= d <= MAX_DATE:
        raise ValueError(f"{d.isoformat()} is outside the supported range {MIN_DATE}–{MAX_DATE}")
    return d


def era_for_year(year: int) -> Era:
    """The era a (fiscal or calendar) year is named by: the newest that began in or before it."""
    _check_year(year, "year")
    return next(era for era in reversed(ERAS) if era.start.year <= year)


def era_for_date(d: date) -> Era:
    """The era in force on ``d``, exact to the day (``d`` from MIN_DATE to MAX_DATE).

    A ``datetime`` is read by its own date fields; convert an aware one to Japan time first.
    """
    d = _checked_date(d)
    return next(era for era in reversed(ERAS) if era.start <= d)


def _era_index(era: Era) -> int:
    return ERAS.index(era)


def _last_year(era: Era) -> int:
    """The last calendar year in which ``era`` was in force (MAX_YEAR for the current era)."""
    i = _era_index(era)
    return ERAS[i + 1].start.year if i + 1 < len(ERAS) else MAX_YEAR


def _era_year_text(era: Era, year: int) -> str:
    n = era.year_number(year)
    return f"{era.name}{'元' if n == 1 else n}"


def fiscal_year_of(d: date) -> int:
    """The fiscal year (年度) that ``d`` falls in: April–March, named by the starting year.

    >>> fiscal_year_of(date(2026, 3, 31)), fiscal_year_of(date(2026, 4, 1))
    (2025, 2026)

    A ``datetime`` is read by its own (naive or local) fields; convert an aware datetime to
    Japan time first.
    """
    return d.year if d.month >= 4 else d.year - 1


def fiscal_year_bounds(fy: int) -> tuple[date, date]:
    """The first and last day of fiscal year ``fy``: (fy-04-01, (fy+1)-03-31)."""
    return date(fy, 4, 1), date(fy + 1, 3, 31)


def format_fiscal_year(fy: int, style: YearStyle = "wareki") -> str:
    """``2025`` → ``"令和7年度"`` (wareki) or ``"2025年度"`` (seireki); 2019 → ``"令和元年度"``."""
    _check_style(style)
    _check_year(fy, "fiscal year")
    if style == "seireki":
        return f"{fy}年度"
    return f"{_era_year_text(era_for_year(fy), fy)}年度"


def format_year(year: int, style: YearStyle = "wareki") -> str:
    """A calendar year: ``2019`` → ``"令和元年"`` (wareki) or ``"2019年"`` (seireki)."""
    _check_style(style)
    _check_year(year, "year")
    if style == "seireki":
        return f"{year}年"
    return f"{_era_year_text(era_for_year(year), year)}年"


def format_date(d: date, style: YearStyle = "wareki") -> str:
    """``date(2019, 5, 1)`` → ``"令和元年5月1日"`` (wareki) or ``"2019年5月1日"`` (seireki)."""
    _check_style(style)
    d = _checked_date(d)
    if style == "seireki":
        return _seireki_date(d)
    return f"{_era_year_text(era_for_date(d), d.year)}年{d.month}月{d.day}日"


# --- parsing ----------------------------------------------------------------------------

_DASHES: Final = dict.fromkeys(map(ord, "‐‑‒–—―−ー"), "-")  # NFKC leaves these alone
_KANJI_DIGITS: Final = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0}
_KANJI_UNITS: Final = {"十": 10, "百": 100, "千": 1000}
_NUM: Final = r"[0-9]+|[〇零一二三四五六七八九十百千]+"
_ERA_PREFIX: Final = r"(?P<era>[^0-9./\-()]{0,6}?)\.?"
_FY_RE: Final = re.compile(rf"{_ERA_PREFIX}(?P<year>{_NUM}|元)(?:年度|年)?")
_DATE_SEP: Final = r"[./\-]"
_WEEKDAY_SUFFIX: Final = r"(?:\((?P<weekday>[月火水木金土日])(?:曜日?)?\))?"
_DATE_RE: Final = re.compile(
    rf"{_ERA_PREFIX}(?P<year>{_NUM}|元)(?:年|{_DATE_SEP})"
    rf"(?P<month>{_NUM})(?:月|{_DATE_SEP})(?P<day>{_NUM})日?{_WEEKDAY_SUFFIX}"
)
_COMPACT_DATE_RE: Final = re.compile(r"(?P<year>[0-9]{4})(?P<month>[0-9]{2})(?P<day>[0-9]{2})")


def _normalize(text: str) -> str:
    """Fold full-width forms (NFKC), unify dashes, drop all spaces and upper-case letters.

    NFKC also turns the one-character era signs (㋿ ㍻ ㍼ ㍽ ㍾) into their names.
    """
    folded = unicodedata.normalize("NFKC", text).translate(_DASHES)
    return "".join(folded.split()).upper()


def _kanji_number(s: str) -> int | None:
    """Read 五, 十二, 三十一, 百八十二 or positional 二〇二五; None if malformed."""
    if not any(c in _KANJI_UNITS for c in s):
        return int("".join(str(_KANJI_DIGITS[c]) for c in s))
    total = 0
    digit: int | None = None
    last_unit = 10_000
    for c in s:
        if c in _KANJI_DIGITS:
            if digit is not None:
                return None  # two digits in a row, as in 二三十
            digit = _KANJI_DIGITS[c]
        else:
            unit = _KANJI_UNITS[c]
            if unit >= last_unit or digit == 0:
                return None  # 十百, 十十, 〇十
            total += (1 if digit is None else digit) * unit
            digit, last_unit = None, unit
    return total + (digit or 0)


def _number(s: str) -> int | None:
    """A number written in ASCII digits or kanji numerals; 元 counts as 1."""
    if s == "元":
        return 1
    if s.isascii():
        return int(s)
    return _kanji_number(s)


def _quote(text: str) -> str:
    """The input as the messages quote it: trimmed, and cut short if very long."""
    shown = text.strip()
    if len(shown) > _MAX_INPUT_LENGTH:
        shown = shown[:_MAX_INPUT_LENGTH] + "…"
    return f'"{shown}"'


def _fy_error(
    code: ParseErrorCode, text: str, detail: str, suggestion: str | None = None
) -> FiscalYearParseError:
    return FiscalYearParseError(code, text, f"{_quote(text)} は{detail}", suggestion)


def parse_fiscal_year(text: str) -> int:
    """Read a fiscal year as people type it and return the western year it starts in.

    Accepts 令和5年度, 令和５年度, 令和 5 年度, R5, R05, r5, Ｒ５, R5年度, R.5, 令5, 令和元年度,
    令和五年度, 平成31年度 (= 2019), H30, 2023年度, 2023, ２０２３, 2023年, FY2023, 西暦2023年度
    and 令和7.
    Raises :class:`FiscalYearParseError` (a ``ValueError``) with a ``code`` and a Japanese
    message otherwise.
    """
    if not isinstance(text, str):
        raise TypeError(f"expected str, not {type(text).__name__}")
    s = _normalize(text)
    if not s:
        raise FiscalYearParseError("empty", text, f"年度が入力されていません。{_FY_EXAMPLES}")
    unrecognized = _fy_error("unrecognized", text, f"年度として読み取れません。{_FY_EXAMPLES}")
    m = _FY_RE.fullmatch(s) if len(s) <= _MAX_INPUT_LENGTH else None
    if m is None:
        raise unrecognized
    n = _number(m["year"])
    if n is None:
        raise unrecognized
    era_text = m["era"]
    if era_text in ("", "FY", "西暦"):
        if m["year"] == "元" or n < 1000:
            raise unrecognized
        if not MIN_YEAR <= n <= MAX_YEAR:
            raise _fy_error("out_of_range", text, _fy_range_detail())
        return n
    era = _ERA_BY_SPELLING.get(era_text)
    if era is None:
        raise _fy_error("unknown_era", text, _unknown_era_detail(era_text, _FY_EXAMPLES))
    if n == 0:
        right = f"{era.name}元年度"
        raise _fy_error("year_zero", text, _year_zero_detail(right), right)
    year = era.start.year + n - 1
    if year > MAX_YEAR:
        raise _fy_error("out_of_range", text, _fy_range_detail())
    last = _last_year(era)
    if year > last:
        right = format_fiscal_year(year)
        raise _fy_error(
            "era_year_out_of_range",
            text,
            f"年度として読み取れません（{era.name}は{era.year_number(last)}年（{last}年）"
            f"までです）。{right} と入力してください。",
            right,
        )
    return year


def _fy_range_detail() -> str:
    return (
        f"対応範囲外の年度です。{MIN_YEAR}年度（明治元年度）から"
        f"{MAX_YEAR}年度（{format_fiscal_year(MAX_YEAR)}）までの年度を入力してください。"
    )


def _unknown_era_detail(era_text: str, examples: str) -> str:
    return (
        f"読み取れません（元号「{era_text}」には対応していません。"
        f"使える元号は 明治・大正・昭和・平成・令和、略記は M・T・S・H・R です）。{examples}"
    )


def _year_zero_detail(right: str) -> str:
    return (
        "読み取れません（0年はありません。元号の最初の年は「元年」です）。"
        f"{right} と入力してください。"
    )


def _date_error(
    code: ParseErrorCode, text: str, detail: str, suggestion: str | None = None
) -> DateParseError:
    return DateParseError(code, text, f"{_quote(text)} は{detail}", suggestion)


def _seireki_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _date_range_detail() -> str:
    return (
        "対応範囲外の日付です。明治6年1月1日（1873年1月1日、日本でグレゴリオ暦が使われ始めた日）"
        f"から{MAX_YEAR}年12月31日までの日付を入力してください。"
    )


def parse_date(text: str) -> date:
    """Read a date as people type it.

    Accepts 令和元年5月1日, 令和元年５月１日, R1.5.1, R1/5/1, R01-05-01, 令和元年五月一日,
    平成31年4月30日, 2019/5/1, 2019-05-01, 2019年5月1日, 西暦2019年5月1日, 2019.5.1 and 20190501,
    optionally followed by the weekday in brackets (（水）, (水曜日)), which must be right.
    Raises :class:`DateParseError` (a ``ValueError``) with a ``code`` and a Japanese message:
    the era must be the one in force on the day (平成31年5月1日 and 令和元年4月30日 are errors
    that suggest the right spelling) and the day must exist.
    """
    if not isinstance(text, str):
        raise TypeError(f"expected str, not {type(text).__name__}")
    s = _normalize(text)
    if not s:
        raise DateParseError("empty", text, f"日付が入力されていません。{_DATE_EXAMPLES}")
    unrecognized = _date_error("unrecognized", text, f"日付として読み取れません。{_DATE_EXAMPLES}")
    if len(s) > _MAX_INPUT_LENGTH:
        raise unrecognized
    m = _DATE_RE.fullmatch(s) or _COMPACT_DATE_RE.fullmatch(s)
    if m is None or "元" in (m["month"], m["day"]):
        raise unrecognized
    n, month, day = (_number(m[group]) for group in ("year", "month", "day"))
    if n is None or month is None or day is None:
        raise unrecognized
    groups = m.groupdict()
    era_text = groups.get("era") or ""
    era: Era | None = None
    if era_text in ("", "西暦"):
        if m["year"] == "元" or n < 1000:
            raise unrecognized
        year = n
    else:
        era = _ERA_BY_SPELLING.get(era_text)
        if era is None:
            raise _date_error("unknown_era", text, _unknown_era_detail(era_text, _DATE_EXAMPLES))
        if n == 0:
            right = f"{era.name}元年{month}月{day}日"
            raise _date_error("year_zero", text, _year_zero_detail(right), right)
        year = era.start.year + n - 1
    # MIN_DATE is a 1 January and MAX_DATE a 31 December, so checking the year is enough.
    if not MIN_DATE.year <= year <= MAX_DATE.year:
        raise _date_error("out_of_range", text, _date_range_detail())
    if not 1 <= month <= 12:
        raise _date_error("invalid_date", text, "存在しない日付です（月は1〜12です）。")
    days_in_month = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days_in_month:
        raise _date_error(
            "invalid_date",
            text,
            f"存在しない日付です（{year}年{month}月は{days_in_month}日までです）。",
        )
    d = date(year, month, day)
    if era is not None:
        actual = era_for_date(d)
        if actual != era:
            right = format_date(d)
            last = _last_year(era)
            if year > last:
                code: ParseErrorCode = "era_year_out_of_range"
                why = f"{era.name}は{era.year_number(last)}年（{last}年）までです"
            else:
                code = "era_mismatch"
                later = max(era, actual, key=_era_index)  # the era whose first day is the edge
                why = f"{_seireki_date(later.start)}から{later.name}です"
            raise _date_error(
                code, text, f"存在しません（{why}）。{right} と入力してください。", right
            )
    weekday = groups.get("weekday")
    if weekday and _WEEKDAYS[d.weekday()] != weekday:
        raise _date_error(
            "weekday_mismatch",
            text,
            f"曜日が合いません（{format_date(d)} は{_WEEKDAYS[d.weekday()]}曜日です）。",
        )
    return d
