"""Forms of the checker's staff pages. Validation of the values themselves is in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sasaeai.plainlang.engine import RULE_IDS, RuleSettings, Severity
from sasaeai.plainlang.labels import RULE_LABELS
from sasaeai.plainlang.models import (
    AllowedWord,
    CheckSettings,
    GlossaryTerm,
    PreferredExpression,
    SeverityChoice,
)

MAX_CHECK_CHARS = 100_000


class GlossaryTermForm(forms.ModelForm):
    class Meta:
        model = GlossaryTerm
        fields = ["term", "paraphrase", "note"]


class PreferredExpressionForm(forms.ModelForm):
    class Meta:
        model = PreferredExpression
        fields = ["pattern", "preferred", "regex", "severity", "message"]


class AllowedWordForm(forms.ModelForm):
    class Meta:
        model = AllowedWord
        fields = ["word"]


def _rule_severity_choices() -> list[tuple[str, Any]]:
    return [("", _("規則どおり")), *SeverityChoice.choices]


class CheckSettingsForm(forms.Form):
    """One on/off and one severity per rule, then the thresholds."""

    sentence_length_info = forms.IntegerField(
        label=_("長い文（参考）とする文字数"), min_value=1, max_value=1000
    )
    sentence_length_warning = forms.IntegerField(
        label=_("長すぎる文（警告）とする文字数"), min_value=2, max_value=1000
    )
    comma_max = forms.IntegerField(
        label=_("1文の読点の上限"),
        min_value=1,
        max_value=100,
        help_text=_("これより多い読点のある文を指摘します。"),
    )
    builtin_expressions = forms.BooleanField(
        label=_("組み込みの表現（「事業が完了した」など）も探す"), required=False
    )

    def __init__(self, data: Any = None, *, settings: CheckSettings) -> None:
        rules = settings.rules or {}
        initial: dict[str, Any] = {
            "sentence_length_info": settings.sentence_length_info,
            "sentence_length_warning": settings.sentence_length_warning,
            "comma_max": settings.comma_max,
            "builtin_expressions": settings.builtin_expressions,
        }
        for rule in RULE_IDS:
            initial[f"{rule}_enabled"] = rules.get(rule, {}).get("enabled", True)
            initial[f"{rule}_severity"] = rules.get(rule, {}).get("severity") or ""
        super().__init__(data, initial=initial)
        for rule, label in RULE_LABELS.items():
            self.fields[f"{rule}_enabled"] = forms.BooleanField(
                label=_("{rule}を調べる").format(rule=label), required=False
            )
            self.fields[f"{rule}_severity"] = forms.ChoiceField(
                label=_("{rule}の重大度").format(rule=label),
                choices=_rule_severity_choices(),
                required=False,
            )

    def rule_fields(self) -> list[tuple[str, str, forms.BoundField, forms.BoundField]]:
        return [
            (rule, str(label), self[f"{rule}_enabled"], self[f"{rule}_severity"])
            for rule, label in RULE_LABELS.items()
        ]

    def rules(self) -> dict[str, RuleSettings]:
        data = self.cleaned_data
        return {
            rule: RuleSettings(
                enabled=bool(data.get(f"{rule}_enabled")),
                severity=Severity(data[f"{rule}_severity"])
                if data.get(f"{rule}_severity")
                else None,
            )
            for rule in RULE_IDS
        }


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("設定ファイル（.yaml、.yml、.csv）"),
        help_text=_("書き出したファイルや、Excel で作った CSV を使えます。"),
        error_messages={"required": _("設定ファイルを選んでください。")},
    )


class CheckForm(forms.Form):
    text = forms.CharField(
        label=_("調べる文章"),
        max_length=MAX_CHECK_CHARS,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("10万字まで。入力の途中でも、下にヒントを表示します。"),
        error_messages={
            "required": _("調べる文章を入力してください。"),
            "max_length": _("文章は10万字までにしてください（いまは %(show_value)d 字）。"),
        },
    )
