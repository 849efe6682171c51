from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from sasaeai.web.forms import FiscalYearField


class IndicatorValueForm(forms.Form):
    fiscal_year = FiscalYearField(
        label=_("年度"), error_messages={"required": _("年度を入力してください。")}
    )
    value = forms.CharField(
        label=_("実績値"),
        required=False,
        max_length=30,
        help_text=_("空欄で保存すると、その年度の実績を削除します。"),
    )
    note = forms.CharField(label=_("備考"), required=False, max_length=300)
