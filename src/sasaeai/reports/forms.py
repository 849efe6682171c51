"""Forms of the report screens: builds, publishing, unpublishing and kept terms (用語解説)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from sasaeai.reports.models import ReportFormat
from sasaeai.reports.services import EXPLANATION_MAX_LENGTH, NOTE_MAX_LENGTH, TERM_MAX_LENGTH

TOO_LONG = _("%(limit_value)d文字以内で入力してください（いま%(show_value)d文字）。")


class BuildForm(forms.Form):
    format = forms.ChoiceField(
        label=_("形式"),
        choices=ReportFormat.choices,
        error_messages={
            "required": _("作成する形式を選んでください。"),
            "invalid_choice": _("形式「%(value)s」には対応していません。"),
        },
    )


class PublishForm(forms.Form):
    confirm_open_errors = forms.BooleanField(
        label=_("エラーが残っていることを確認したうえで公表します"), required=False
    )
    confirmation_note = forms.CharField(
        label=_("確認のメモ（エラーを残す理由）"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": "3"}),
        help_text=_("監査ログに残ります。例: 固有の事業名のため言い換えない。"),
        error_messages={"max_length": TOO_LONG},
    )


class UnpublishForm(forms.Form):
    reason = forms.CharField(
        label=_("公表を取り消す理由"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": "3"}),
        help_text=_("監査ログに残ります。例: 取組 12 の実績の数値に誤りがあったため。"),
        error_messages={
            "required": _("公表を取り消す理由を入力してください。"),
            "max_length": TOO_LONG,
        },
    )


class KeptTermForm(forms.Form):
    term = forms.CharField(
        label=_("語"),
        max_length=TERM_MAX_LENGTH,
        error_messages={
            "required": _("用語解説に加える語を入力してください。"),
            "max_length": TOO_LONG,
        },
    )
    explanation = forms.CharField(
        label=_("解説"),
        max_length=EXPLANATION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": "3"}),
        help_text=_("報告書の用語解説に載ります。だれにでも分かる言葉で、短く書いてください。"),
        error_messages={
            "required": _("解説を入力してください。報告書の用語解説に載ります。"),
            "max_length": TOO_LONG,
        },
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class KeptTermEditForm(forms.Form):
    explanation = KeptTermForm.base_fields["explanation"]
