"""Form fields every app shares: a 年度 and a date typed the way people type them, and the
年度 picker."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sasaeai.core.wareki import DateParseError, FiscalYearParseError, parse_date, parse_fiscal_year


class FiscalYearField(forms.CharField):
    """A 年度 typed the way people type it: 令和7年度, R7, 2025年度, ２０２５ …"""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", _("例: 令和8年度、R8、2026年度"))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> int | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            return parse_fiscal_year(text)
        except FiscalYearParseError as error:
            raise forms.ValidationError(str(error)) from None


class WarekiDateField(forms.CharField):
    """A date typed the way people type it: 令和8年6月30日, R8.6.30, 2026/6/30 …"""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", _("例: 令和8年6月30日、R8.6.30、2026/6/30"))
        kwargs.setdefault("max_length", 64)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> dt.date | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            return parse_date(text)
        except DateParseError as error:
            raise forms.ValidationError(str(error)) from None


class YearForm(forms.Form):
    """The 年度 a page shows (``?fy=``); blank means the page's own default."""

    fy = FiscalYearField(label=_("年度"), required=False)
