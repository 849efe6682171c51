"""Forms of the plans app: indicator values, the evaluation cycle, the committee's reviews and
the 総括."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sasaeai.core.forms import FiscalYearField, WarekiDateField
from sasaeai.plans.models import Plan

TEXT_MAX_LENGTH = 10_000


def _textarea(rows: int = 6, **attrs: str) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": str(rows), **attrs})


class VersionField(forms.IntegerField):
    """The version the editor started from; it travels in a hidden field."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.HiddenInput)
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault(
            "error_messages",
            {
                "required": _("画面の版の情報がありません。画面を読み込み直してください。"),
                "invalid": _("画面の版の情報が正しくありません。画面を読み込み直してください。"),
            },
        )
        super().__init__(**kwargs)


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


class CycleOpenForm(forms.Form):
    plan = forms.ModelChoiceField(
        label=_("計画"),
        queryset=Plan.objects.none(),
        empty_label=None,
        error_messages={
            "required": _("計画を選んでください。"),
            "invalid_choice": _("選んだ計画が見つかりません。選び直してください。"),
        },
    )
    fiscal_year = FiscalYearField(
        label=_("調査する年度"),
        help_text=_("例: 令和7年度、R7、2025年度"),
        error_messages={"required": _("調査する年度を入力してください。")},
    )
    deadline = WarekiDateField(label=_("提出期限"), required=False)

    def __init__(self, *args: Any, municipality: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["plan"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Plan.objects.filter(municipality=municipality).order_by("-start_fy")


class CycleCloseForm(forms.Form):
    """The close confirmation; with ``unapproved`` evaluations, a second box confirms that
    they stay out of the report and the public pages (the service refuses without it)."""

    confirm = forms.BooleanField(
        label=_(
            "締め切ると、この年度の評価・講評・市の対応・総括は変更できなくなることを確認しました"
        ),
        error_messages={"required": _("締め切る前に、確認の欄にチェックを入れてください。")},
    )
    leave_unapproved = forms.BooleanField(required=False)

    def __init__(self, *args: Any, unapproved: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if unapproved:
            self.fields["leave_unapproved"].label = _(
                "承認していない評価 {count} 件は、報告書と公開ページに載らないことを確認しました"
            ).format(count=unapproved)
        else:
            del self.fields["leave_unapproved"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data.setdefault("leave_unapproved", False)
        return data


class CycleReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("再開する理由"),
        max_length=500,
        help_text=_("例: 公表前の確認で見つかった表現を直すため"),
        error_messages={"required": _("受付を再開する理由を書いてください。")},
    )


class EvaluationForm(forms.Form):
    results = forms.CharField(
        label=_("実施内容・実績"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=_textarea(8, **{"data-plainlang-hints": ""}),
        help_text=_("この年度に行ったこと、その結果（数値があれば数値も）を書いてください。"),
    )
    grade = forms.ChoiceField(label=_("評価"), required=False, widget=forms.RadioSelect, choices=())
    issues = forms.CharField(
        label=_("課題"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=_textarea(5, **{"data-plainlang-hints": ""}),
    )
    direction = forms.ChoiceField(
        label=_("今後の方向性"), required=False, widget=forms.RadioSelect, choices=()
    )
    version = VersionField()

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        grade = self.fields["grade"]
        direction = self.fields["direction"]
        assert isinstance(grade, forms.ChoiceField) and isinstance(direction, forms.ChoiceField)
        grade.choices = [(str(g["code"]), f"{g['code']} {g['label']}") for g in plan.grades]
        grade.error_messages["invalid_choice"] = _(
            "評価「%(value)s」は使えません。選択肢から選んでください。"
        )
        direction.choices = [(d, d) for d in plan.directions]
        direction.error_messages["invalid_choice"] = _(
            "今後の方向性「%(value)s」は使えません。選択肢から選んでください。"
        )
        for name in ("results", "issues"):
            self.fields[name].error_messages["max_length"] = _(
                "%(limit_value)d文字以内で入力してください（いま%(show_value)d文字）。"
            )


class VersionForm(forms.Form):
    """Approve, copy forward, publish: only the version the user saw."""

    version = VersionField()


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("差し戻しの理由"),
        max_length=TEXT_MAX_LENGTH,
        widget=_textarea(4),
        help_text=_("担当課の画面に表示されます。直してほしい点を具体的に書いてください。"),
        error_messages={"required": _("差し戻しの理由を入力してください。")},
    )
    version = VersionField()


class ReviewCreateForm(forms.Form):
    body = forms.CharField(
        label=_("内容"),
        max_length=TEXT_MAX_LENGTH,
        widget=_textarea(8),
        error_messages={"required": _("内容を入力してください。")},
    )


class ReviewForm(ReviewCreateForm):
    version = VersionField()


class ResponseForm(forms.Form):
    city_response = forms.CharField(
        label=_("市の対応"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=_textarea(6, **{"data-plainlang-hints": ""}),
    )
    version = VersionField()


class ReviewPublishForm(forms.Form):
    """Whether a 講評 or comment goes into the report (the cycle's publishing is
    publication.forms.PublishForm)."""

    is_published = forms.BooleanField(label=_("報告書で公表する"), required=False)
    version = VersionField()


class SummaryForm(forms.Form):
    """One text per heading of the plan's 総括, each with the version it started from."""

    def __init__(self, *args: Any, headings: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.headings = list(headings)
        for index, heading in enumerate(self.headings):
            self.fields[f"body_{index}"] = forms.CharField(
                label=heading,
                required=False,
                max_length=TEXT_MAX_LENGTH,
                widget=_textarea(5, **{"data-plainlang-hints": ""}),
            )
            self.fields[f"version_{index}"] = VersionField()

    def pairs(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [
            (self[f"body_{index}"], self[f"version_{index}"]) for index in range(len(self.headings))
        ]

    def entries(self) -> dict[str, tuple[str, int]]:
        return {
            heading: (
                self.cleaned_data[f"body_{index}"],
                self.cleaned_data[f"version_{index}"],
            )
            for index, heading in enumerate(self.headings)
        }
