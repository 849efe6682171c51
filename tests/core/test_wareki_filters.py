"""Tests for the template filters in sasaeai.core.templatetags.wareki (``{% load wareki %}``)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.template import Context, Template, TemplateSyntaxError
from django.test import override_settings

from sasaeai.core.templatetags.wareki import fiscal_year, wareki_date


def render(source: str, **context: object) -> str:
    return Template("{% load wareki %}" + source).render(Context(context))


# --- fiscal_year -------------------------------------------------------------------------


@override_settings(SASAEAI_YEAR_STYLE="wareki")
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2025, "令和7年度"),
        (2019, "令和元年度"),
        (1989, "平成元年度"),
        ("2025", "令和7年度"),
        (" 2025 ", "令和7年度"),
        ("２０２５", "令和7年度"),
        (None, ""),
    ],
)
def test_fiscal_year_filter(value: object, expected: str) -> None:
    assert render("{{ fy|fiscal_year }}", fy=value) == expected


@override_settings(SASAEAI_YEAR_STYLE="wareki")
def test_fiscal_year_filter_with_style_argument() -> None:
    assert render('{{ fy|fiscal_year:"seireki" }}', fy=2025) == "2025年度"
    assert render('{{ fy|fiscal_year:"wareki" }}', fy=2025) == "令和7年度"
    assert render("{{ fy|fiscal_year:style }}", fy=2025, style="seireki") == "2025年度"


def test_fiscal_year_filter_reads_the_setting_at_call_time() -> None:
    with override_settings(SASAEAI_YEAR_STYLE="seireki"):
        assert render("{{ fy|fiscal_year }}", fy=2025) == "2025年度"
        assert render('{{ fy|fiscal_year:"wareki" }}', fy=2025) == "令和7年度"
    with override_settings(SASAEAI_YEAR_STYLE="wareki"):
        assert render("{{ fy|fiscal_year }}", fy=2025) == "令和7年度"


def test_filters_default_to_wareki_when_the_setting_is_unset() -> None:
    with override_settings():
        del settings.SASAEAI_YEAR_STYLE  # override_settings() restores it afterwards
        assert not hasattr(settings, "SASAEAI_YEAR_STYLE")
        assert fiscal_year(2025) == "令和7年度"
        assert wareki_date(date(2025, 4, 1)) == "令和7年4月1日"


@override_settings(SASAEAI_YEAR_STYLE="wareki")
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1867, "1867"),
        (2201, "2201"),
        ("令和7年度", "令和7年度"),
        ("abc", "abc"),
        ("", ""),
        (2025.0, "2025.0"),
        (True, "True"),
        ("9" * 5000, "9" * 5000),
    ],
)
def test_fiscal_year_filter_leaves_unsupported_values_as_they_are(
    value: object, expected: str
) -> None:
    assert fiscal_year(value) == expected


def test_fiscal_year_filter_output_is_escaped() -> None:
    with override_settings(SASAEAI_YEAR_STYLE="wareki"):
        assert render("{{ fy|fiscal_year }}", fy="<b>") == "&lt;b&gt;"


# --- wareki_date -------------------------------------------------------------------------


@override_settings(SASAEAI_YEAR_STYLE="wareki")
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2019, 5, 1), "令和元年5月1日"),
        (date(2019, 4, 30), "平成31年4月30日"),
        (date(1989, 1, 7), "昭和64年1月7日"),
        (date(1989, 1, 8), "平成元年1月8日"),
        (datetime(2019, 4, 30, 23, 59), "平成31年4月30日"),  # naive: taken as it is
        # 2019-04-30 15:00 UTC is 2019-05-01 00:00 in Japan.
        (datetime(2019, 4, 30, 15, 0, tzinfo=UTC), "令和元年5月1日"),
        (datetime(2019, 4, 30, 14, 59, tzinfo=UTC), "平成31年4月30日"),
        (datetime(2019, 5, 1, 8, 0, tzinfo=timezone(timedelta(hours=-5))), "令和元年5月1日"),
        (None, ""),
    ],
)
def test_wareki_date_filter(value: object, expected: str) -> None:
    assert render("{{ d|wareki_date }}", d=value) == expected


@override_settings(SASAEAI_YEAR_STYLE="wareki")
def test_wareki_date_filter_with_style_argument() -> None:
    assert render('{{ d|wareki_date:"seireki" }}', d=date(2019, 5, 1)) == "2019年5月1日"
    assert render('{{ d|wareki_date:"wareki" }}', d=date(2019, 5, 1)) == "令和元年5月1日"
    aware = datetime(2019, 4, 30, 15, 0, tzinfo=UTC)
    assert render('{{ d|wareki_date:"seireki" }}', d=aware) == "2019年5月1日"


def test_wareki_date_filter_reads_the_setting_at_call_time() -> None:
    with override_settings(SASAEAI_YEAR_STYLE="seireki"):
        assert render("{{ d|wareki_date }}", d=date(2025, 4, 1)) == "2025年4月1日"
    with override_settings(SASAEAI_YEAR_STYLE="wareki"):
        assert render("{{ d|wareki_date }}", d=date(2025, 4, 1)) == "令和7年4月1日"


@override_settings(SASAEAI_YEAR_STYLE="wareki")
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(1872, 12, 31), "1872-12-31"),
        (date(2201, 1, 1), "2201-01-01"),
        ("2025-04-01", "2025-04-01"),
        (2025, "2025"),
    ],
)
def test_wareki_date_filter_leaves_unsupported_values_as_they_are(
    value: object, expected: str
) -> None:
    assert wareki_date(value) == expected


# --- bad styles ----------------------------------------------------------------------------


def test_unknown_style_argument_is_an_error() -> None:
    with override_settings(SASAEAI_YEAR_STYLE="wareki"), pytest.raises(TemplateSyntaxError):
        render('{{ fy|fiscal_year:"japanese" }}', fy=2025)
    with override_settings(SASAEAI_YEAR_STYLE="wareki"), pytest.raises(TemplateSyntaxError):
        render('{{ d|wareki_date:"iso" }}', d=date(2025, 4, 1))


def test_unknown_style_setting_is_an_error() -> None:
    with override_settings(SASAEAI_YEAR_STYLE="showa"), pytest.raises(ImproperlyConfigured):
        fiscal_year(2025)
    with override_settings(SASAEAI_YEAR_STYLE="showa"), pytest.raises(ImproperlyConfigured):
        wareki_date(date(2025, 4, 1))
