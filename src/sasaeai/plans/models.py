"""The plan hierarchy, outcome indicators and the yearly evaluation cycle.

Plan → Goal (基本目標) → Policy (施策) → InitiativeType (取組の種類) → Initiative (取組).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sasaeai.core.models import TenantScopedModel, TimeStampedModel
from sasaeai.plans import defaults


def _grades() -> list[dict[str, Any]]:
    return [dict(grade) for grade in defaults.GRADES]


def _directions() -> list[str]:
    return list(defaults.DIRECTIONS)


def _headings() -> list[str]:
    return list(defaults.SUMMARY_HEADINGS)


def _indicator_rule() -> dict[str, Any]:
    return dict(defaults.INDICATOR_RULE)


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("策定中")
    ACTIVE = "active", _("推進中")
    CLOSED = "closed", _("終了")


class Plan(TenantScopedModel):
    name = models.CharField(_("名称"), max_length=200)
    vision = models.TextField(_("基本理念"), blank=True)
    start_fy = models.PositiveSmallIntegerField(_("開始年度"))
    end_fy = models.PositiveSmallIntegerField(_("終了年度"))
    status = models.CharField(
        _("状態"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.ACTIVE
    )
    grades = models.JSONField(_("評価の段階"), default=_grades)
    directions = models.JSONField(_("今後の方向性の選択肢"), default=_directions)
    summary_headings = models.JSONField(_("総括の見出し"), default=_headings)
    indicator_rule = models.JSONField(_("成果指標の判定基準"), default=_indicator_rule)
    is_demo = models.BooleanField(_("デモ（架空を含む）"), default=False)

    class Meta:
        verbose_name = _("計画")
        verbose_name_plural = _("計画")
        ordering = ["municipality", "start_fy"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="plan_unique_name"),
            models.CheckConstraint(
                condition=models.Q(end_fy__gte=models.F("start_fy")), name="plan_period"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def covers(self, fiscal_year: int) -> bool:
        return self.start_fy <= fiscal_year <= self.end_fy

    def grade_codes(self) -> list[str]:
        return [str(grade["code"]) for grade in self.grades]

    def grade_label(self, code: str) -> str:
        for grade in self.grades:
            if grade["code"] == code:
                return str(grade["label"])
        return code


class Goal(TimeStampedModel):
    """基本目標. ``applies_from_fy`` is set for a goal added mid-period (e.g. goal 6 from 令和7年度)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="goals")
    number = models.PositiveSmallIntegerField(_("番号"))
    name = models.CharField(_("名称"), max_length=200)
    description = models.TextField(_("説明"), blank=True)
    applies_from_fy = models.PositiveSmallIntegerField(_("開始年度"), null=True, blank=True)
    is_demo = models.BooleanField(_("デモ（架空）"), default=False)

    class Meta:
        verbose_name = _("基本目標")
        verbose_name_plural = _("基本目標")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="goal_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    def applies_in(self, fiscal_year: int) -> bool:
        return self.applies_from_fy is None or self.applies_from_fy <= fiscal_year


class Policy(TimeStampedModel):
    """施策."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="policies")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="policies")
    number = models.PositiveSmallIntegerField(_("番号"))
    name = models.CharField(_("名称"), max_length=200)
    is_demo = models.BooleanField(_("デモ（架空）"), default=False)

    class Meta:
        verbose_name = _("施策")
        verbose_name_plural = _("施策")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="policy_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class InitiativeType(TimeStampedModel):
    """取組の種類."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="initiative_types")
    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="initiative_types")
    number = models.PositiveSmallIntegerField(_("番号"))
    name = models.CharField(_("名称"), max_length=200)
    is_demo = models.BooleanField(_("デモ（架空）"), default=False)

    class Meta:
        verbose_name = _("取組の種類")
        verbose_name_plural = _("取組の種類")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="initiativetype_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class Initiative(TimeStampedModel):
    """取組. ``key`` stays the same across revisions; 再掲 rows point to their original."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="initiatives")
    initiative_type = models.ForeignKey(
        InitiativeType, on_delete=models.CASCADE, related_name="initiatives"
    )
    key = models.UUIDField(_("識別子"), default=uuid.uuid4, editable=False)
    number = models.PositiveIntegerField(_("番号"))
    title = models.CharField(_("名称"), max_length=300)
    description = models.TextField(_("内容"), blank=True)
    repost_of = models.ForeignKey(
        "self",
        verbose_name=_("再掲元"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reposts",
    )
    successor = models.ForeignKey(
        "self",
        verbose_name=_("次期計画での後継"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="predecessors",
    )
    is_demo = models.BooleanField(_("デモ（架空）"), default=False)

    class Meta:
        verbose_name = _("取組")
        verbose_name_plural = _("取組")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="initiative_unique_number"),
            models.UniqueConstraint(fields=["key"], name="initiative_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_repost(self) -> bool:
        return self.repost_of_id is not None


class InitiativeUnit(models.Model):
    """A responsible unit of an initiative over a span of 年度 (one lead, any others)."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="responsible_units"
    )
    unit = models.ForeignKey(
        "accounts.OrganisationUnit", verbose_name=_("担当課"), on_delete=models.PROTECT
    )
    is_lead = models.BooleanField(_("主担当"), default=False)
    valid_from_fy = models.PositiveSmallIntegerField(_("最初の年度"), null=True, blank=True)
    valid_to_fy = models.PositiveSmallIntegerField(_("最後の年度"), null=True, blank=True)

    class Meta:
        verbose_name = _("取組の担当課")
        verbose_name_plural = _("取組の担当課")
        ordering = ["initiative", "-is_lead", "unit"]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "unit", "valid_from_fy"], name="initiativeunit_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.initiative_id}:{self.unit_id}"

    def covers(self, fiscal_year: int) -> bool:
        starts = self.valid_from_fy is None or self.valid_from_fy <= fiscal_year
        ends = self.valid_to_fy is None or fiscal_year <= self.valid_to_fy
        return starts and ends


class Direction(models.TextChoices):
    INCREASE = "increase", _("増やす")
    DECREASE = "decrease", _("減らす")
    MAINTAIN = "maintain", _("維持")


class Indicator(TimeStampedModel):
    """成果指標."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="indicators")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="indicators")
    number = models.PositiveSmallIntegerField(_("番号"))
    name = models.CharField(_("名称"), max_length=300)
    unit_label = models.CharField(_("単位"), max_length=30, blank=True)
    baseline = models.DecimalField(
        _("基準値"), max_digits=14, decimal_places=3, null=True, blank=True
    )
    baseline_fy = models.PositiveSmallIntegerField(_("基準年度"), null=True, blank=True)
    target = models.DecimalField(
        _("目標値"), max_digits=14, decimal_places=3, null=True, blank=True
    )
    target_fy = models.PositiveSmallIntegerField(_("目標年度"), null=True, blank=True)
    direction = models.CharField(_("方向"), max_length=10, choices=Direction.choices)
    source = models.CharField(_("出典"), max_length=200, blank=True)
    is_survey = models.BooleanField(_("アンケート指標"), default=False)
    is_demo = models.BooleanField(_("デモ（架空）"), default=False)

    class Meta:
        verbose_name = _("成果指標")
        verbose_name_plural = _("成果指標")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="indicator_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class IndicatorValue(TimeStampedModel):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    value = models.DecimalField(_("実績値"), max_digits=14, decimal_places=3)
    note = models.CharField(_("備考"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("成果指標の実績")
        verbose_name_plural = _("成果指標の実績")
        ordering = ["indicator", "fiscal_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "fiscal_year"], name="indicatorvalue_unique_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.fiscal_year}: {self.value}"


class CycleStatus(models.TextChoices):
    OPEN = "open", _("受付中")
    CLOSED = "closed", _("締切（ロック）")
    PUBLISHED = "published", _("公表済み")


class EvaluationCycle(TenantScopedModel):
    """進捗調査: one per plan and 年度."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="cycles")
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    deadline = models.DateField(_("提出期限"), null=True, blank=True)
    status = models.CharField(
        _("状態"), max_length=10, choices=CycleStatus.choices, default=CycleStatus.OPEN
    )
    published_at = models.DateTimeField(_("公表日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("進捗調査")
        verbose_name_plural = _("進捗調査")
        ordering = ["plan", "fiscal_year"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "fiscal_year"], name="cycle_unique_year")
        ]

    def __str__(self) -> str:
        return f"{self.plan} {self.fiscal_year}"

    @property
    def is_locked(self) -> bool:
        return self.status != CycleStatus.OPEN


class EvaluationState(models.TextChoices):
    DRAFT = "draft", _("入力中")
    SUBMITTED = "submitted", _("提出済み")
    RETURNED = "returned", _("差し戻し")
    APPROVED = "approved", _("承認済み")


class Evaluation(TimeStampedModel):
    """A department's evaluation of one initiative in one cycle. ``version`` guards lost updates."""

    cycle = models.ForeignKey(EvaluationCycle, on_delete=models.CASCADE, related_name="evaluations")
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="evaluations")
    unit = models.ForeignKey(
        "accounts.OrganisationUnit",
        verbose_name=_("担当課"),
        on_delete=models.PROTECT,
        related_name="evaluations",
    )
    results = models.TextField(_("実施内容・実績"), blank=True)
    grade = models.CharField(_("評価"), max_length=10, blank=True)
    issues = models.TextField(_("課題"), blank=True)
    direction = models.CharField(_("今後の方向性"), max_length=20, blank=True)
    state = models.CharField(
        _("状態"), max_length=10, choices=EvaluationState.choices, default=EvaluationState.DRAFT
    )
    return_comment = models.TextField(_("差し戻しの理由"), blank=True)
    version = models.PositiveIntegerField(_("版"), default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("最終更新者"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("取組の評価")
        verbose_name_plural = _("取組の評価")
        ordering = ["cycle", "initiative__number"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "initiative"], name="evaluation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.cycle_id}:{self.initiative_id}"


class ReviewKind(models.TextChoices):
    GOAL_REVIEW = "goal_review", _("講評（基本目標）")
    INITIATIVE_COMMENT = "initiative_comment", _("取組へのコメント")


class Review(TimeStampedModel):
    """委員会の講評 (per goal) or a comment on an initiative, with the city's response."""

    cycle = models.ForeignKey(EvaluationCycle, on_delete=models.CASCADE, related_name="reviews")
    kind = models.CharField(_("種類"), max_length=20, choices=ReviewKind.choices)
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, null=True, blank=True)
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("委員"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    author_label = models.CharField(_("委員名（表示）"), max_length=100, blank=True)
    body = models.TextField(_("内容"))
    city_response = models.TextField(_("市の対応"), blank=True)
    is_published = models.BooleanField(_("公表する"), default=False)
    version = models.PositiveIntegerField(_("版"), default=1)

    class Meta:
        verbose_name = _("講評・コメント")
        verbose_name_plural = _("講評・コメント")
        ordering = ["cycle", "kind", "goal__number", "initiative__number", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}"


class Summary(TimeStampedModel):
    """総括: the city's summary per goal, under the plan's configured headings."""

    cycle = models.ForeignKey(EvaluationCycle, on_delete=models.CASCADE, related_name="summaries")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="summaries")
    heading = models.CharField(_("見出し"), max_length=100)
    body = models.TextField(_("内容"), blank=True)
    version = models.PositiveIntegerField(_("版"), default=1)

    class Meta:
        verbose_name = _("総括")
        verbose_name_plural = _("総括")
        ordering = ["cycle", "goal__number", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "goal", "heading"], name="summary_unique")
        ]

    def __str__(self) -> str:
        return f"{self.goal_id} {self.heading}"
