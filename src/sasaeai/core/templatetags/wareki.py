"""Template filters for 年度 and dates: ``{% load wareki %}``.

``{{ fy|fiscal_year }}`` → 令和7年度, ``{{ fy|fiscal_year:"seireki" }}`` → 2025年度,
``{{ d|wareki_date }}`` → 令和7年4月1日, ``{{ d|wareki_date:"seireki" }}`` → 2025年4月1日.

Without an argument the style is the ``SASAEAI_YEAR_STYLE`` setting (``"wareki"`` when unset),
read on every call. ``None`` renders as an empty string; a value that is not a supported year
or date is rendered unchanged, so a bad row shows up instead of vanishing. A style that is
neither ``"wareki"`` nor ``"seireki"`` is a programming error and raises.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django import template
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from sasaeai.core.wareki import YearStyle, format_date, format_fiscal_year

register = template.Library()

JAPAN = ZoneInfo("Asia/Tokyo")


_STYLES: dict[str, YearStyle] = {"wareki": "wareki", "seireki": "seireki"}


def _style(arg: object) -> YearStyle:
    """The filter's argument if given, else the SASAEAI_YEAR_STYLE setting, read now."""
    if arg is None:
        configured = getattr(settings, "SASAEAI_YEAR_STYLE", "wareki")
        if isinstance(configured, str) and configured in _STYLES:
            return _STYLES[configured]
        raise ImproperlyConfigured(
            f'SASAEAI_YEAR_STYLE must be "wareki" or "seireki", not {configured!r}'
        )
    if isinstance(arg, str) and arg in _STYLES:
        return _STYLES[arg]
    raise template.TemplateSyntaxError(f'the year style must be "wareki" or "seireki", not {arg!r}')


@register.filter(name="fiscal_year")
def fiscal_year(value: object, arg: object = None) -> str:
    """A fiscal year (int or numeric str such as ``"2025"``) as 令和7年度 or 2025年度."""
    style = _style(arg)
    if value is None:
        return ""
    try:
        if isinstance(value, int) and not isinstance(value, bool):
            return format_fiscal_year(value, style)
        if isinstance(value, str) and value.strip().isdecimal():
            return format_fiscal_year(int(value.strip()), style)
    except ValueError:
        pass
    return str(value)


@register.filter(name="wareki_date")
def wareki_date(value: object, arg: object = None) -> str:
    """A date as 令和7年4月1日 or 2025年4月1日; an aware datetime is taken in Japan time."""
    style = _style(arg)
    if value is None:
        return ""
    if isinstance(value, datetime):
        d: date = (value.astimezone(JAPAN) if value.tzinfo is not None else value).date()
    elif isinstance(value, date):
        d = value
    else:
        return str(value)
    try:
        return format_date(d, style)
    except ValueError:
        return str(value)
