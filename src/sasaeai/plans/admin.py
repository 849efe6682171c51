"""Plans in the Django admin (deployment operators, decision 0010): for corrections the screens
don't offer, such as an initiative's successor in the next plan or a plan's evaluation scale
and rules.

Each form (a base the admin completes with the model's fields) refuses what the app's own paths refuse: a row that points into another plan or
another municipality, a 年度 outside the plan's period, a second cycle of the same 年度
(``services.evaluations.cycle_refusal``, the rule ``cycle_open`` applies). A cycle's status
is never changed here: closing, reopening and publishing go through their services, which
ask the permission policy and write the audit row (closing also confirms the unapproved
evaluations).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext as _

from sasaeai.audit.admin_tools import AuditedModelAdmin
from sasaeai.plans.models import (
    EvaluationCycle,
    Goal,
    Indicator,
    Initiative,
    InitiativeType,
    InitiativeUnit,
    Plan,
    Policy,
)
from sasaeai.plans.services.evaluations import cycle_refusal


def _same_plan(form: forms.ModelForm, field: str, plan: Plan | None, message: str) -> None:
    parent = form.cleaned_data.get(field)
    if plan is not None and parent is not None and parent.plan_id != plan.pk:
        form.add_error(field, message)


def _year_in_plan(form: forms.ModelForm, field: str, plan: Plan | None) -> None:
    year = form.cleaned_data.get(field)
    if plan is not None and year is not None and not plan.covers(year):
        form.add_error(
            field,
            _("年度は計画「{plan}」の期間（{start}〜{end}）の中にしてください。").format(
                plan=plan.name, start=plan.start_fy, end=plan.end_fy
            ),
        )


class PlanForm(forms.ModelForm):
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_fy"), data.get("end_fy")
        if start is not None and end is not None and end < start:
            self.add_error("end_fy", _("終了年度は開始年度より後にしてください。"))
        if self.instance.pk and start is not None and end is not None:
            outside = EvaluationCycle.objects.filter(plan=self.instance).exclude(
                fiscal_year__range=(start, end)
            )
            if outside.exists():
                self.add_error(
                    None,
                    _("期間の外になる年度の進捗調査があります（{years}）。").format(
                        years="、".join(str(c.fiscal_year) for c in outside)
                    ),
                )
        return data


@admin.register(Plan)
class PlanAdmin(AuditedModelAdmin):
    form = PlanForm
    list_display = ("name", "municipality", "start_fy", "end_fy", "status", "is_demo")
    list_filter = ("municipality", "status")


class GoalForm(forms.ModelForm):
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _year_in_plan(self, "applies_from_fy", data.get("plan"))
        return data


@admin.register(Goal)
class GoalAdmin(AuditedModelAdmin):
    form = GoalForm
    list_display = ("number", "name", "plan", "applies_from_fy")
    list_filter = ("plan",)


class PolicyForm(forms.ModelForm):
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _same_plan(self, "goal", data.get("plan"), _("同じ計画の基本目標を選んでください。"))
        return data


@admin.register(Policy)
class PolicyAdmin(AuditedModelAdmin):
    form = PolicyForm
    list_display = ("number", "name", "goal", "plan")
    list_filter = ("plan",)


class InitiativeTypeForm(forms.ModelForm):
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _same_plan(self, "policy", data.get("plan"), _("同じ計画の施策を選んでください。"))
        return data


@admin.register(InitiativeType)
class InitiativeTypeAdmin(AuditedModelAdmin):
    form = InitiativeTypeForm
    list_display = ("number", "name", "policy", "plan")
    list_filter = ("plan",)


class InitiativeUnitForm(forms.ModelForm):
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        unit = data.get("unit")
        initiative = self.instance.initiative if self.instance.initiative_id else None
        initiative = data.get("initiative") or initiative
        if (
            unit is not None
            and initiative is not None
            and unit.municipality_id != initiative.plan.municipality_id
        ):
            self.add_error("unit", _("計画と同じ自治体の担当課を選んでください。"))
        start, end = data.get("valid_from_fy"), data.get("valid_to_fy")
        if start is not None and end is not None and end < start:
            self.add_error("valid_to_fy", _("最後の年度は最初の年度より後にしてください。"))
        return data


class InitiativeUnitInline(admin.TabularInline):
    model = InitiativeUnit
    form = InitiativeUnitForm
    extra = 0


class InitiativeForm(forms.ModelForm):
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        plan = data.get("plan")
        _same_plan(self, "initiative_type", plan, _("同じ計画の取組の種類を選んでください。"))
        _same_plan(self, "repost_of", plan, _("再掲元は同じ計画の取組を選んでください。"))
        successor = data.get("successor")
        if plan is not None and successor is not None:
            if successor.plan_id == plan.pk:
                self.add_error("successor", _("後継は次の計画の取組を選んでください。"))
            elif successor.plan.municipality_id != plan.municipality_id:
                self.add_error("successor", _("後継は同じ自治体の計画の取組を選んでください。"))
        return data


@admin.register(Initiative)
class InitiativeAdmin(AuditedModelAdmin):
    form = InitiativeForm
    list_display = ("number", "title", "plan", "repost_of", "successor")
    list_filter = ("plan",)
    search_fields = ("title",)
    raw_id_fields = ("repost_of", "successor", "initiative_type")
    inlines = [InitiativeUnitInline]


class IndicatorForm(forms.ModelForm):
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _same_plan(self, "goal", data.get("plan"), _("同じ計画の基本目標を選んでください。"))
        return data


@admin.register(Indicator)
class IndicatorAdmin(AuditedModelAdmin):
    form = IndicatorForm
    list_display = ("number", "name", "plan", "direction", "is_survey")
    list_filter = ("plan",)


class EvaluationCycleForm(forms.ModelForm):
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        plan, fiscal_year = data.get("plan"), data.get("fiscal_year")
        municipality = data.get("municipality")
        if plan is not None and fiscal_year is not None:
            refusal = cycle_refusal(
                plan=plan,
                fiscal_year=fiscal_year,
                municipality_id=municipality.pk if municipality is not None else None,
                pk=self.instance.pk,
            )
            if refusal is not None:
                self.add_error(None, refusal.message)
        return data


@admin.register(EvaluationCycle)
class EvaluationCycleAdmin(AuditedModelAdmin):
    form = EvaluationCycleForm
    list_display = ("plan", "fiscal_year", "status", "deadline")
    list_filter = ("plan", "status")
    # closing, reopening and publishing are services with their own rules and audit rows
    readonly_fields = ("status", "published_at")

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        """A cycle is opened on the staff page (``cycle_open`` creates its evaluations)."""
        return False
