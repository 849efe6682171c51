"""Each municipality's settings for the plain-Japanese checker.

The rows here are turned into an engine ``Config`` by ``selectors.config_for``; they hold
the same things as the YAML/CSV settings file (docs/plainlang.md「設定」), so a file can be
imported into them and exported from them.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from sasaeai.core.models import TenantScopedModel
from sasaeai.plainlang.engine import Severity


class SeverityChoice(models.TextChoices):
    ERROR = Severity.ERROR.value, _("エラー")
    WARNING = Severity.WARNING.value, _("警告")
    INFO = Severity.INFO.value, _("参考")


class GlossaryTerm(TenantScopedModel):
    """A term the municipality has decided to paraphrase (found as an error)."""

    term = models.CharField(
        _("語"), max_length=100, help_text=_("カタカナ語か英字の略語。例: アウトリーチ")
    )
    paraphrase = models.CharField(_("言い換え"), max_length=200, help_text=_("例: 訪問による支援"))
    note = models.CharField(
        _("備考"),
        max_length=500,
        blank=True,
        help_text=_("決めた場や理由など。指摘の文に添えます。例: 第3回推進委員会で決定"),
    )
    is_demo = models.BooleanField(_("デモ（架空を含む）"), default=False)

    class Meta:
        verbose_name = _("用語集の語")
        verbose_name_plural = _("用語集")
        ordering = ["municipality", "term"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "term"],
                name="plainlang_glossary_unique_term",
                violation_error_message=_("この語はすでに用語集にあります。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.term} → {self.paraphrase}"


class PreferredExpression(TenantScopedModel):
    """A wording to avoid and the one to use instead, e.g. 周知を図 → 広く知らせ.

    When two expressions match at the same place, the one registered first wins.
    """

    pattern = models.CharField(_("避けたい表現"), max_length=500)
    preferred = models.CharField(_("言い換え"), max_length=500)
    regex = models.BooleanField(
        _("正規表現として扱う"),
        default=False,
        help_text=_("オフのときは書いたとおりの文字を探します。"),
    )
    severity = models.CharField(
        _("重大度"), max_length=10, choices=SeverityChoice.choices, default=SeverityChoice.WARNING
    )
    message = models.CharField(
        _("指摘の文"),
        max_length=500,
        blank=True,
        help_text=_(
            "空なら標準の文を使います。{text}（見つけた表現）と {preferred}（言い換え）を使えます。"
        ),
    )
    is_demo = models.BooleanField(_("デモ（架空を含む）"), default=False)

    class Meta:
        verbose_name = _("言い換えてほしい表現")
        verbose_name_plural = _("言い換えてほしい表現")
        ordering = ["municipality", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "pattern"],
                name="plainlang_expression_unique_pattern",
                violation_error_message=_("この表現はすでに登録されています。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.pattern} → {self.preferred}"


class AllowedWord(TenantScopedModel):
    """A katakana word or abbreviation the municipality does not want flagged."""

    word = models.CharField(_("許可語"), max_length=100, help_text=_("例: ヨリドコロ、SNS"))
    is_demo = models.BooleanField(_("デモ（架空を含む）"), default=False)

    class Meta:
        verbose_name = _("許可語")
        verbose_name_plural = _("許可語")
        ordering = ["municipality", "word"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "word"],
                name="plainlang_allowed_unique_word",
                violation_error_message=_("この語はすでに許可語にあります。"),
            )
        ]

    def __str__(self) -> str:
        return self.word


class CheckSettings(TenantScopedModel):
    """The municipality's rule switches and thresholds (one row; absent means the defaults).

    ``rules`` maps a rule id to ``{"enabled": bool, "severity": "error"|"warning"|"info"|None}``
    and lists only rules that differ from the default (enabled, the rule's own severity).
    """

    rules = models.JSONField(_("規則ごとの設定"), default=dict, blank=True)
    sentence_length_info = models.PositiveSmallIntegerField(_("長い文（参考）の文字数"), default=60)
    sentence_length_warning = models.PositiveSmallIntegerField(
        _("長すぎる文（警告）の文字数"), default=100
    )
    comma_max = models.PositiveSmallIntegerField(_("1文の読点の上限"), default=3)
    builtin_expressions = models.BooleanField(_("組み込みの表現を使う"), default=True)

    class Meta:
        verbose_name = _("チェックの設定")
        verbose_name_plural = _("チェックの設定")
        constraints = [
            models.UniqueConstraint(fields=["municipality"], name="plainlang_settings_one_per_muni")
        ]

    def __str__(self) -> str:
        return str(_("チェックの設定"))
