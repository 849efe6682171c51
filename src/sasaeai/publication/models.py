"""Stored report files, build progress, and the terms the secretariat kept at the gate."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sasaeai.core.models import TenantScopedModel, TimeStampedModel


class ReportFormat(models.TextChoices):
    HTML = "html", "HTML"
    PDF = "pdf", "PDF"
    XLSX = "xlsx", _("Excel（XLSX）")
    CSV = "csv", _("CSV（オープンデータ）")


class KeptTerm(TenantScopedModel):
    """A term the plain-language check flagged and the secretariat decided to keep.

    The gate no longer reports it, and every report whose text uses it explains it in
    用語解説.
    """

    term = models.CharField(_("語"), max_length=100)
    explanation = models.TextField(_("解説"))
    kept_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("判断した人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    is_demo = models.BooleanField(_("デモ（架空を含む）"), default=False)

    class Meta:
        verbose_name = _("用語解説の語")
        verbose_name_plural = _("用語解説")
        ordering = ["municipality", "term"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "term"],
                name="reports_keptterm_unique_term",
                violation_error_message=_("この語はすでに用語解説にあります。"),
            )
        ]

    def __str__(self) -> str:
        return self.term


class ReportFile(TimeStampedModel):
    """A built report of a published cycle, kept so downloads do not rebuild it.

    CSV is a ZIP of the open-data tables; the others are one file each.
    """

    cycle = models.ForeignKey(
        "plans.EvaluationCycle", on_delete=models.CASCADE, related_name="report_files"
    )
    format = models.CharField(_("形式"), max_length=10, choices=ReportFormat.choices)
    filename = models.CharField(_("ファイル名"), max_length=200)
    content_type = models.CharField(_("種類"), max_length=100)
    content = models.BinaryField(_("内容"))
    size = models.PositiveIntegerField(_("大きさ（バイト）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    source_published_at = models.DateTimeField(_("元にした公表日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("報告書ファイル")
        verbose_name_plural = _("報告書ファイル")
        ordering = ["cycle", "format"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "format"], name="reports_file_unique")
        ]

    def __str__(self) -> str:
        return self.filename


class BuildState(models.TextChoices):
    QUEUED = "queued", _("待機中")
    RUNNING = "running", _("作成中")
    DONE = "done", _("完了")
    FAILED = "failed", _("失敗")


class ReportBuild(TimeStampedModel):
    """One build requested from the secretariat's screen, with its progress for the page."""

    cycle = models.ForeignKey(
        "plans.EvaluationCycle", on_delete=models.CASCADE, related_name="report_builds"
    )
    format = models.CharField(_("形式"), max_length=10, choices=ReportFormat.choices)
    state = models.CharField(
        _("状態"), max_length=10, choices=BuildState.choices, default=BuildState.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("進み具合（%）"), default=0)
    step = models.CharField(_("いまの作業"), max_length=200, blank=True)
    error = models.TextField(_("エラー"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("依頼した人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    filename = models.CharField(_("ファイル名"), max_length=200, blank=True)
    content_type = models.CharField(_("種類"), max_length=100, blank=True)
    content = models.BinaryField(_("内容"), null=True, blank=True)
    size = models.PositiveIntegerField(_("大きさ（バイト）"), default=0)

    class Meta:
        verbose_name = _("報告書の作成")
        verbose_name_plural = _("報告書の作成")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.cycle_id} {self.format} {self.state}"
