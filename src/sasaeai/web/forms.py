"""Forms of the staff pages of the foundation: renaming a unit, filtering the audit log."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sasaeai.audit.models import Action
from sasaeai.core.forms import FiscalYearField


class UnitRenameForm(forms.Form):
    name = forms.CharField(
        label=_("新しい名称"),
        max_length=100,
        error_messages={"required": _("新しい名称を入力してください。")},
    )
    reading = forms.CharField(label=_("よみ（ひらがな）"), max_length=200, required=False)
    from_fy = FiscalYearField(
        label=_("新しい名称を使い始める年度"),
        error_messages={"required": _("新しい名称を使い始める年度を入力してください。")},
    )


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=_("操作"), required=False, choices=[("", _("すべて")), *Action.choices]
    )
    actor = forms.CharField(label=_("操作者（ユーザー名）"), required=False, max_length=150)
    object_type = forms.CharField(label=_("対象の種類"), required=False, max_length=100)
    object_id = forms.CharField(label=_("対象のID"), required=False, max_length=64)
    date_from = forms.DateField(
        label=_("開始日"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("開始日は 2025-04-01 の形で入力してください。")},
    )
    date_to = forms.DateField(
        label=_("終了日"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("終了日は 2025-04-01 の形で入力してください。")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("終了日は開始日より後の日付にしてください。"))
        return data
