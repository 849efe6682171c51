"""Plans in the Django admin (system administrators): for corrections the screens don't offer,
such as an initiative's successor in the next plan or a plan's evaluation scale and rules."""

from django.contrib import admin

from sasaeai.core.admin_site import AuditedModelAdmin
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


@admin.register(Plan)
class PlanAdmin(AuditedModelAdmin):
    list_display = ("name", "municipality", "start_fy", "end_fy", "status", "is_demo")
    list_filter = ("municipality", "status")


@admin.register(Goal)
class GoalAdmin(AuditedModelAdmin):
    list_display = ("number", "name", "plan", "applies_from_fy")
    list_filter = ("plan",)


@admin.register(Policy)
class PolicyAdmin(AuditedModelAdmin):
    list_display = ("number", "name", "goal", "plan")
    list_filter = ("plan",)


@admin.register(InitiativeType)
class InitiativeTypeAdmin(AuditedModelAdmin):
    list_display = ("number", "name", "policy", "plan")
    list_filter = ("plan",)


class InitiativeUnitInline(admin.TabularInline):
    model = InitiativeUnit
    extra = 0


@admin.register(Initiative)
class InitiativeAdmin(AuditedModelAdmin):
    list_display = ("number", "title", "plan", "repost_of", "successor")
    list_filter = ("plan",)
    search_fields = ("title",)
    raw_id_fields = ("repost_of", "successor", "initiative_type")
    inlines = [InitiativeUnitInline]


@admin.register(Indicator)
class IndicatorAdmin(AuditedModelAdmin):
    list_display = ("number", "name", "plan", "direction", "is_survey")
    list_filter = ("plan",)


@admin.register(EvaluationCycle)
class EvaluationCycleAdmin(AuditedModelAdmin):
    list_display = ("plan", "fiscal_year", "status", "deadline")
    list_filter = ("plan", "status")
