"""Tests for sasaeai.core.wareki (年度・和暦). Pure Python: no Django needed."""

from __future__ import annotations

import ast
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sasaeai.core import wareki
from sasaeai.core.wareki import (
    ERAS,
    MAX_DATE,
    MAX_YEAR,
    MIN_DATE,
    MIN_YEAR,
    DateParseError,
    FiscalYearParseError,
    WarekiParseError,
    era_for_date,
    era_for_year,
    fiscal_year_bounds,
    fiscal_year_of,
    format_date,
    format_fiscal_year,
    format_year,
    parse_date,
    parse_fiscal_year,
)

STYLES: tuple[wareki.YearStyle, ...] = ("wareki", "seireki")
no_db = settings(database=None)  # keep Hypothesis from writing .hypothesis/ into the tree


def fullwidth(text: str) -> str:
    """ASCII letters, digits and punctuation as their full-width forms (Ｒ５, ２０２３)."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def kanji(n: int) -> str:
    """1..999 in kanji numerals as people write them: 五, 十, 二十三, 百八十二."""
    digits = "〇一二三四五六七八九"
    out = ""
    for unit, mark in ((100, "百"), (10, "十")):
        q, n = divmod(n, unit)
        if q:
            out += ("" if q == 1 else digits[q]) + mark
    return out + (digits[n] if n else "")


# --- fiscal_year_of --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (date(2026, 3, 31), 2025),
        (date(2026, 4, 1), 2026),
        (date(2025, 1, 1), 2024),
        (date(2025, 12, 31), 2025),
        (date(2019, 4, 30), 2019),
        (date(2019, 5, 1), 2019),
        (datetime(2026, 3, 31, 23, 59), 2025),
    ],
)
def test_fiscal_year_of(d: date, expected: int) -> None:
    assert fiscal_year_of(d) == expected


def test_fiscal_year_bounds() -> None:
    assert fiscal_year_bounds(2025) == (date(2025, 4, 1), date(2026, 3, 31))


@given(st.integers(min_value=2, max_value=9999))
@no_db
def test_fiscal_year_starts_on_1_april(y: int) -> None:
    assert fiscal_year_of(date(y, 4, 1)) == y
    assert fiscal_year_of(date(y, 3, 31)) == y - 1


@given(st.dates(min_value=date(1, 4, 1)))
@no_db
def test_fiscal_year_of_agrees_with_bounds(d: date) -> None:
    fy = fiscal_year_of(d)
    start, end = fiscal_year_bounds(fy) if fy < 9999 else (date(fy, 4, 1), date.max)
    assert start <= d <= end
    assert fy == (d.year if d.month >= 4 else d.year - 1)


# --- formatting ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fy", "wareki_text", "seireki_text"),
    [
        (2025, "令和7年度", "2025年度"),
        (2020, "令和2年度", "2020年度"),
        (2019, "令和元年度", "2019年度"),
        (2018, "平成30年度", "2018年度"),
        (1990, "平成2年度", "1990年度"),
        (1989, "平成元年度", "1989年度"),
        (1988, "昭和63年度", "1988年度"),
        (1927, "昭和2年度", "1927年度"),
        (1926, "昭和元年度", "1926年度"),
        (1925, "大正14年度", "1925年度"),
        (1912, "大正元年度", "1912年度"),
        (1911, "明治44年度", "1911年度"),
        (1868, "明治元年度", "1868年度"),
        (2200, "令和182年度", "2200年度"),
    ],
)
def test_format_fiscal_year(fy: int, wareki_text: str, seireki_text: str) -> None:
    assert format_fiscal_year(fy) == wareki_text
    assert format_fiscal_year(fy, "wareki") == wareki_text
    assert format_fiscal_year(fy, "seireki") == seireki_text


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2019, "令和元年"),
        (2025, "令和7年"),
        (1989, "平成元年"),
        (1988, "昭和63年"),
        (1868, "明治元年"),
    ],
)
def test_format_year(year: int, expected: str) -> None:
    assert format_year(year) == expected
    assert format_year(year, "seireki") == f"{year}年"


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (date(1873, 1, 1), "明治6年1月1日"),
        (date(1912, 7, 29), "明治45年7月29日"),
        (date(1912, 7, 30), "大正元年7月30日"),
        (date(1926, 12, 24), "大正15年12月24日"),
        (date(1926, 12, 25), "昭和元年12月25日"),
        (date(1989, 1, 7), "昭和64年1月7日"),
        (date(1989, 1, 8), "平成元年1月8日"),
        (date(2019, 1, 1), "平成31年1月1日"),
        (date(2019, 4, 30), "平成31年4月30日"),
        (date(2019, 5, 1), "令和元年5月1日"),
        (date(2019, 12, 31), "令和元年12月31日"),
        (date(2020, 1, 1), "令和2年1月1日"),
        (date(2025, 4, 1), "令和7年4月1日"),
        (date(2200, 12, 31), "令和182年12月31日"),
    ],
)
def test_format_date_era_boundaries(d: date, expected: str) -> None:
    assert format_date(d) == expected
    assert format_date(d, "seireki") == f"{d.year}年{d.month}月{d.day}日"
    assert parse_date(expected) == d


def test_format_date_takes_the_date_of_a_datetime() -> None:
    assert format_date(datetime(2019, 5, 1, 0, 0)) == "令和元年5月1日"
    assert format_date(datetime(2019, 4, 30, 23, 59)) == "平成31年4月30日"


@pytest.mark.parametrize(
    ("d", "era"),
    [
        (date(1912, 7, 29), "明治"),
        (date(1912, 7, 30), "大正"),
        (date(1926, 12, 24), "大正"),
        (date(1926, 12, 25), "昭和"),
        (date(1989, 1, 7), "昭和"),
        (date(1989, 1, 8), "平成"),
        (date(2019, 4, 30), "平成"),
        (date(2019, 5, 1), "令和"),
    ],
)
def test_era_for_date(d: date, era: str) -> None:
    assert era_for_date(d).name == era


def test_era_for_year_takes_the_newest_era_begun_in_the_year() -> None:
    assert [era_for_year(y).name for y in (1868, 1912, 1926, 1989, 2019)] == [
        "明治",
        "大正",
        "昭和",
        "平成",
        "令和",
    ]
    assert era_for_year(2018).name == "平成"


@pytest.mark.parametrize("fy", [MIN_YEAR - 1, MAX_YEAR + 1, 0, -1])
@pytest.mark.parametrize("style", STYLES)
def test_format_fiscal_year_out_of_range(fy: int, style: wareki.YearStyle) -> None:
    with pytest.raises(ValueError, match=str(fy)):
        format_fiscal_year(fy, style)
    with pytest.raises(ValueError, match=str(fy)):
        format_year(fy, style)


@pytest.mark.parametrize("d", [MIN_DATE - timedelta(days=1), MAX_DATE + timedelta(days=1)])
@pytest.mark.parametrize("style", STYLES)
def test_format_date_out_of_range(d: date, style: wareki.YearStyle) -> None:
    with pytest.raises(ValueError, match=d.isoformat()):
        format_date(d, style)


def test_format_rejects_unknown_style_and_wrong_types() -> None:
    with pytest.raises(ValueError, match="style"):
        format_fiscal_year(2025, "japanese")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="style"):
        format_date(date(2025, 4, 1), "iso")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        format_fiscal_year(True)
    with pytest.raises(TypeError):
        format_fiscal_year("2025")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        format_date("2025-04-01")  # type: ignore[arg-type]


# --- parse_fiscal_year: accepted forms ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("令和5年度", 2023),
        ("令和５年度", 2023),
        ("令和 5 年度", 2023),
        ("令和\u30005\u3000年度", 2023),
        (" 令和5年度 ", 2023),
        ("R5", 2023),
        ("R05", 2023),
        ("r5", 2023),
        ("Ｒ５", 2023),
        ("ｒ５", 2023),
        ("R5年度", 2023),
        ("R.5", 2023),
        ("Ｒ．５", 2023),
        ("令5", 2023),
        ("令5年度", 2023),
        ("令和7", 2025),
        ("令和7年", 2025),
        ("令和元年度", 2019),
        ("令和元", 2019),
        ("R1", 2019),
        ("平成31年度", 2019),
        ("H31", 2019),
        ("H30", 2018),
        ("平成元年度", 1989),
        ("昭和64年度", 1989),
        ("昭和63年度", 1988),
        ("S63", 1988),
        ("大正15年度", 1926),
        ("T15", 1926),
        ("昭和元年度", 1926),
        ("明治45年度", 1912),
        ("大正元年度", 1912),
        ("明治元年度", 1868),
        ("M1", 1868),
        ("令和182年度", 2200),
        ("令和99年度", 2117),
        ("2023年度", 2023),
        ("2023", 2023),
        ("２０２３", 2023),
        ("２０２３年度", 2023),
        ("2023年", 2023),
        ("FY2023", 2023),
        ("fy2023", 2023),
        ("西暦2023年度", 2023),
        ("1868", 1868),
        ("2200年度", 2200),
        ("令和五年度", 2023),
        ("令和十年度", 2028),
        ("令和十二年度", 2030),
        ("平成三十一年度", 2019),
        ("昭和二十年度", 1945),
        ("令和百八十二年度", 2200),
        ("二〇二三年度", 2023),
        ("二千二十三年度", 2023),
        ("㋿7", 2025),
        ("㍻30年度", 2018),
    ],
)
def test_parse_fiscal_year(text: str, expected: int) -> None:
    assert parse_fiscal_year(text) == expected


# --- parse_fiscal_year: errors -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code", "suggestion"),
    [
        ("令和0年度", "year_zero", "令和元年度"),
        ("R0", "year_zero", "令和元年度"),
        ("R00", "year_zero", "令和元年度"),
        ("H0", "year_zero", "平成元年度"),
        ("令和〇年度", "year_zero", "令和元年度"),
        ("平成32年度", "era_year_out_of_range", "令和2年度"),
        ("H32", "era_year_out_of_range", "令和2年度"),
        ("平成50年度", "era_year_out_of_range", "令和20年度"),
        ("昭和65年度", "era_year_out_of_range", "平成2年度"),
        ("大正16年度", "era_year_out_of_range", "昭和2年度"),
        ("明治46年度", "era_year_out_of_range", "大正2年度"),
        ("令和183年度", "out_of_range", None),
        ("1867", "out_of_range", None),
        ("1867年度", "out_of_range", None),
        ("2201", "out_of_range", None),
        ("9999年度", "out_of_range", None),
        ("20231", "out_of_range", None),
        ("慶応3年度", "unknown_era", None),
        ("天平5年度", "unknown_era", None),
        ("X5", "unknown_era", None),
        ("K5年度", "unknown_era", None),
        ("23", "unrecognized", None),
        ("23年度", "unrecognized", None),
        ("0", "unrecognized", None),
        ("元年度", "unrecognized", None),
        ("西暦5年度", "unrecognized", None),
        ("十二年度", "unrecognized", None),
        ("令和", "unrecognized", None),
        ("年度", "unrecognized", None),
        ("abc", "unrecognized", None),
        ("令和5年度です", "unrecognized", None),
        ("令和5年4月1日", "unrecognized", None),
        ("2023-2024", "unrecognized", None),
        ("-2023", "unrecognized", None),
        ("令和二三十年度", "unrecognized", None),
        ("令和十十年度", "unrecognized", None),
        ("R5.5", "unrecognized", None),
        ("9" * 5000, "unrecognized", None),
    ],
)
def test_parse_fiscal_year_errors(text: str, code: str, suggestion: str | None) -> None:
    with pytest.raises(FiscalYearParseError) as caught:
        parse_fiscal_year(text)
    error = caught.value
    assert error.code == code
    assert error.text == text
    assert error.suggestion == suggestion
    assert f'"{text[:64]}' in str(error)
    assert error.message == str(error)
    if suggestion is not None:
        assert f"{suggestion} と入力してください" in error.message
        parse_fiscal_year(suggestion)  # the suggestion itself is accepted


def test_parse_fiscal_year_message_is_the_documented_sentence() -> None:
    with pytest.raises(FiscalYearParseError) as caught:
        parse_fiscal_year("令和5年度です")
    assert str(caught.value) == (
        '"令和5年度です" は年度として読み取れません。'
        "令和7年度、R7、2025年度 のように入力してください。"
    )
    with pytest.raises(FiscalYearParseError) as caught:
        parse_fiscal_year("平成32年度")
    assert str(caught.value) == (
        '"平成32年度" は年度として読み取れません（平成は31年（2019年）までです）。'
        "令和2年度 と入力してください。"
    )


@pytest.mark.parametrize("text", ["", " ", "\u3000", "\t\n"])
def test_parse_fiscal_year_empty(text: str) -> None:
    with pytest.raises(FiscalYearParseError) as caught:
        parse_fiscal_year(text)
    assert caught.value.code == "empty"
    assert caught.value.text == text
    assert "年度が入力されていません" in str(caught.value)


def test_parse_errors_are_value_errors() -> None:
    assert issubclass(FiscalYearParseError, WarekiParseError)
    assert issubclass(DateParseError, WarekiParseError)
    assert issubclass(WarekiParseError, ValueError)
    with pytest.raises(ValueError):
        parse_fiscal_year("令和")
    with pytest.raises(TypeError):
        parse_fiscal_year(2025)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        parse_date(date(2025, 4, 1))  # type: ignore[arg-type]


# --- parse_date: accepted forms ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("令和元年5月1日", date(2019, 5, 1)),
        ("令和元年５月１日", date(2019, 5, 1)),
        ("令和 元年 5月 1日", date(2019, 5, 1)),
        ("令和1年5月1日", date(2019, 5, 1)),
        ("令和元年五月一日", date(2019, 5, 1)),
        ("令和七年十二月三十一日", date(2025, 12, 31)),
        ("R1.5.1", date(2019, 5, 1)),
        ("R01.05.01", date(2019, 5, 1)),
        ("r1.5.1", date(2019, 5, 1)),
        ("Ｒ１．５．１", date(2019, 5, 1)),
        ("R.1.5.1", date(2019, 5, 1)),
        ("R1/5/1", date(2019, 5, 1)),
        ("R1-5-1", date(2019, 5, 1)),
        ("令1.5.1", date(2019, 5, 1)),
        ("平成31年4月30日", date(2019, 4, 30)),
        ("H31.4.30", date(2019, 4, 30)),
        ("昭和64年1月7日", date(1989, 1, 7)),
        ("平成元年1月8日", date(1989, 1, 8)),
        ("大正15年12月24日", date(1926, 12, 24)),
        ("昭和元年12月25日", date(1926, 12, 25)),
        ("明治45年7月29日", date(1912, 7, 29)),
        ("大正元年7月30日", date(1912, 7, 30)),
        ("明治6年1月1日", date(1873, 1, 1)),
        ("S20.8.15", date(1945, 8, 15)),
        ("2019/5/1", date(2019, 5, 1)),
        ("2019/05/01", date(2019, 5, 1)),
        ("2019-05-01", date(2019, 5, 1)),
        ("2019－05－01", date(2019, 5, 1)),
        ("2019−05−01", date(2019, 5, 1)),
        ("2019年5月1日", date(2019, 5, 1)),
        ("２０１９年５月１日", date(2019, 5, 1)),
        ("西暦2019年5月1日", date(2019, 5, 1)),
        ("2019.5.1", date(2019, 5, 1)),
        ("20190501", date(2019, 5, 1)),
        ("2024/2/29", date(2024, 2, 29)),
        ("令和7年4月1日（火）", date(2025, 4, 1)),
        ("令和7年4月1日(火曜日)", date(2025, 4, 1)),
        ("2025/4/1(火曜)", date(2025, 4, 1)),
        ("㋿7年4月1日", date(2025, 4, 1)),
        ("1873/1/1", date(1873, 1, 1)),
        ("2200/12/31", date(2200, 12, 31)),
    ],
)
def test_parse_date(text: str, expected: date) -> None:
    result = parse_date(text)
    assert result == expected
    assert type(result) is date


# --- parse_date: errors ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code", "suggestion"),
    [
        ("平成31年5月1日", "era_mismatch", "令和元年5月1日"),
        ("H31.5.1", "era_mismatch", "令和元年5月1日"),
        ("平成31年12月31日", "era_mismatch", "令和元年12月31日"),
        ("令和元年4月30日", "era_mismatch", "平成31年4月30日"),
        ("R1.1.1", "era_mismatch", "平成31年1月1日"),
        ("昭和64年1月8日", "era_mismatch", "平成元年1月8日"),
        ("平成元年1月7日", "era_mismatch", "昭和64年1月7日"),
        ("大正15年12月25日", "era_mismatch", "昭和元年12月25日"),
        ("昭和元年12月24日", "era_mismatch", "大正15年12月24日"),
        ("明治45年7月30日", "era_mismatch", "大正元年7月30日"),
        ("大正元年7月29日", "era_mismatch", "明治45年7月29日"),
        ("平成32年1月1日", "era_year_out_of_range", "令和2年1月1日"),
        ("H32.4.1", "era_year_out_of_range", "令和2年4月1日"),
        ("昭和65年1月1日", "era_year_out_of_range", "平成2年1月1日"),
        ("令和0年5月1日", "year_zero", "令和元年5月1日"),
        ("R0.5.1", "year_zero", "令和元年5月1日"),
        ("令和5年2月30日", "invalid_date", None),
        ("2023/2/29", "invalid_date", None),
        ("2019/4/31", "invalid_date", None),
        ("2019/13/1", "invalid_date", None),
        ("2019/0/1", "invalid_date", None),
        ("2019/1/0", "invalid_date", None),
        ("20190230", "invalid_date", None),
        ("明治5年12月31日", "out_of_range", None),
        ("1872/12/31", "out_of_range", None),
        ("2201/1/1", "out_of_range", None),
        ("令和183年1月1日", "out_of_range", None),
        ("慶応4年1月1日", "unknown_era", None),
        ("X1.5.1", "unknown_era", None),
        ("令和7年4月1日（水）", "weekday_mismatch", None),
        ("2025/4/1(月)", "weekday_mismatch", None),
        ("2019/5", "unrecognized", None),
        ("19/5/1", "unrecognized", None),
        ("5/1", "unrecognized", None),
        ("元年5月1日", "unrecognized", None),
        ("令和元年元月1日", "unrecognized", None),
        ("令和元年5月1日午前", "unrecognized", None),
        ("2019-05-01T10:00", "unrecognized", None),
        ("2019/5/1/1", "unrecognized", None),
        ("きのう", "unrecognized", None),
        ("1" * 5000, "unrecognized", None),
    ],
)
def test_parse_date_errors(text: str, code: str, suggestion: str | None) -> None:
    with pytest.raises(DateParseError) as caught:
        parse_date(text)
    error = caught.value
    assert error.code == code
    assert error.text == text
    assert error.suggestion == suggestion
    assert f'"{text[:64]}' in str(error)
    if suggestion is not None:
        assert f"{suggestion} と入力してください" in error.message
        parse_date(suggestion)  # the suggestion itself is accepted


def test_parse_date_era_mismatch_messages() -> None:
    with pytest.raises(DateParseError) as caught:
        parse_date("平成31年5月1日")
    assert str(caught.value) == (
        '"平成31年5月1日" は存在しません（2019年5月1日から令和です）。'
        "令和元年5月1日 と入力してください。"
    )
    with pytest.raises(DateParseError) as caught:
        parse_date("令和元年4月30日")
    assert str(caught.value) == (
        '"令和元年4月30日" は存在しません（2019年5月1日から令和です）。'
        "平成31年4月30日 と入力してください。"
    )


def test_parse_date_invalid_day_message() -> None:
    with pytest.raises(DateParseError) as caught:
        parse_date("令和5年2月30日")
    assert str(caught.value) == '"令和5年2月30日" は存在しない日付です（2023年2月は28日までです）。'


def test_parse_date_weekday_message() -> None:
    with pytest.raises(DateParseError) as caught:
        parse_date("令和7年4月1日（水）")
    assert "令和7年4月1日 は火曜日です" in str(caught.value)


@pytest.mark.parametrize("text", ["", "  ", "\u3000"])
def test_parse_date_empty(text: str) -> None:
    with pytest.raises(DateParseError) as caught:
        parse_date(text)
    assert caught.value.code == "empty"
    assert "日付が入力されていません" in str(caught.value)


# --- round trips and other properties ---------------------------------------------------


@pytest.mark.parametrize("style", STYLES)
def test_every_fiscal_year_round_trips(style: wareki.YearStyle) -> None:
    for fy in range(MIN_YEAR, MAX_YEAR + 1):
        assert parse_fiscal_year(format_fiscal_year(fy, style)) == fy


@given(st.integers(min_value=MIN_YEAR, max_value=MAX_YEAR), st.sampled_from(STYLES))
@no_db
def test_fiscal_year_round_trip(fy: int, style: wareki.YearStyle) -> None:
    text = format_fiscal_year(fy, style)
    assert parse_fiscal_year(text) == fy
    assert parse_fiscal_year(fullwidth(text)) == fy
    assert parse_fiscal_year(format_year(fy, style)) == fy


@given(st.integers(min_value=MIN_YEAR, max_value=MAX_YEAR))
@no_db
def test_fiscal_year_abbreviations(fy: int) -> None:
    era = era_for_year(fy)
    n = era.year_number(fy)
    for text in (
        f"{era.letter}{n}",
        f"{era.letter.lower()}{n:02d}",
        f"{era.letter}.{n}",
        f"{era.kanji}{n}年度",
        f"{era.name} {n} 年度",
        fullwidth(f"{era.letter}{n}"),
        f"{era.name}{kanji(n)}年度",
    ):
        assert parse_fiscal_year(text) == fy, text


@given(st.dates(min_value=MIN_DATE, max_value=MAX_DATE), st.sampled_from(STYLES))
@no_db
def test_date_round_trip(d: date, style: wareki.YearStyle) -> None:
    assert parse_date(format_date(d, style)) == d
    assert parse_date(fullwidth(format_date(d, style))) == d


@given(st.dates(min_value=MIN_DATE, max_value=MAX_DATE))
@no_db
def test_date_abbreviations(d: date) -> None:
    era = era_for_date(d)
    n = era.year_number(d.year)
    for text in (
        f"{era.letter}{n}.{d.month}.{d.day}",
        f"{era.letter}{n:02d}/{d.month:02d}/{d.day:02d}",
        f"{era.kanji}{n}-{d.month}-{d.day}",
        f"{era.name}{kanji(n)}年{kanji(d.month)}月{kanji(d.day)}日",
        d.isoformat(),
        d.strftime("%Y%m%d"),
        f"{d.year}.{d.month}.{d.day}",
    ):
        assert parse_date(text) == d, text


def test_dates_around_every_era_change_round_trip() -> None:
    for era in ERAS[1:]:
        for offset in range(-400, 400):
            d = era.start + timedelta(days=offset)
            assert era_for_date(d).name == (
                era.name if offset >= 0 else ERAS[ERAS.index(era) - 1].name
            )
            for style in STYLES:
                assert parse_date(format_date(d, style)) == d


@given(st.dates(min_value=MIN_DATE, max_value=MAX_DATE))
@no_db
def test_wrong_era_is_refused_with_the_right_spelling(d: date) -> None:
    right = era_for_date(d)
    for era in ERAS:
        if era == right:
            continue
        n = era.year_number(d.year)
        if n < 1:
            continue
        text = f"{era.name}{n}年{d.month}月{d.day}日"
        with pytest.raises(DateParseError) as caught:
            parse_date(text)
        assert caught.value.code in {"era_mismatch", "era_year_out_of_range"}
        assert caught.value.suggestion == format_date(d)


@given(st.integers(min_value=1, max_value=MAX_YEAR - MIN_YEAR + 1))
@no_db
def test_fiscal_year_format_uses_newest_era(fy_offset: int) -> None:
    fy = MIN_YEAR + fy_offset - 1
    text = format_fiscal_year(fy)
    era = era_for_year(fy)
    assert text.startswith(era.name)
    assert all(later.start.year > fy for later in ERAS[ERAS.index(era) + 1 :])


def test_wareki_module_does_not_import_django() -> None:
    tree = ast.parse(Path(wareki.__file__).read_text(encoding="utf-8"))
    imported: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            imported.append(node.module or "")
    assert imported
    assert not [name for name in imported if name.split(".")[0] == "django"]
