"""Forms of the report screens: builds, publishing, unpublishing and kept terms (用語解説)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sasaeai.publication.models import ReportFormat
from sasaeai.publication.services.kept_terms import EXPLANATION_MAX_LENGTH, TERM_MAX_LENGTH
from sasaeai.publication.services.publishing import NOTE_MAX_LENGTH

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
    leave_unapproved = forms.BooleanField(
        label=_("承認していない評価は報告書と公開ページに載らないことを確認したうえで公表します"),
        required=False,
    )
    # the ids of the unapproved evaluations the page listed: publishing is refused if they changed
    seen_unapproved = forms.CharField(required=False, widget=forms.HiddenInput)
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

    @staticmethod
    def ids_text(rows: Iterable[Any]) -> str:
        return ",".join(str(row.evaluation_id) for row in rows)

    def clean_seen_unapproved(self) -> list[int] | None:
        """The ids the page listed; ``None`` when the page listed none (nothing to compare)."""
        raw = self.cleaned_data.get("seen_unapproved") or ""
        parts = [part for part in raw.split(",") if part]
        if not parts:
            return None
        if not all(part.isdigit() and len(part) <= 18 for part in parts):
            raise forms.ValidationError(
                _("承認していない評価の一覧を読み取れません。ページを開き直してください。")
            )
        return [int(part) for part in parts]


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
