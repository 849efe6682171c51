"""Reads for the plan tree, indicators and roll-ups — a constant number of queries per call.

Evaluations shown to a staff user are narrowed by the policy
(``permissions.visible_evaluations``), so the plan tree page shows what the staff API shows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from sasaeai.accounts.models import OrganisationUnit, unit_names_prefetch
from sasaeai.plans import indicators as indicator_rules
from sasaeai.plans import permissions
from sasaeai.plans.models import (
    Evaluation,
    EvaluationCycle,
    Goal,
    Indicator,
    IndicatorValue,
    Initiative,
    InitiativeType,
    InitiativeUnit,
    Plan,
    Policy,
)


@dataclass
class IndicatorRow:
    indicator: Indicator
    values: dict[int, IndicatorValue]
    latest: IndicatorValue | None
    status: indicator_rules.IndicatorStatus


@dataclass
class Tally:
    """Counts of grades and directions over the initiatives under one node."""

    grades: Counter[str] = field(default_factory=Counter)
    directions: Counter[str] = field(default_factory=Counter)
    initiatives: int = 0
    evaluated: int = 0
    grade_rows: list[tuple[str, str, int]] = field(default_factory=list)
    direction_rows: list[tuple[str, int]] = field(default_factory=list)

    def finish(self, plan: Plan) -> None:
        """Counts in the plan's own order, zeros included, for tables and charts."""
        self.grade_rows = [
            (str(g["code"]), str(g["label"]), self.grades[str(g["code"])]) for g in plan.grades
        ]
        self.direction_rows = [(d, self.directions[d]) for d in plan.directions]

    def add(self, evaluation: Evaluation | None) -> None:
        self.initiatives += 1
        if evaluation is None:
            return
        if evaluation.grade:
            self.grades[evaluation.grade] += 1
            self.evaluated += 1
        if evaluation.direction:
            self.directions[evaluation.direction] += 1


@dataclass
class InitiativeRow:
    initiative: Initiative
    units: list[tuple[OrganisationUnit, bool]]  # (unit, is_lead) in force that year
    evaluation: Evaluation | None
    repost_of: Initiative | None
    warnings: list[str]


@dataclass
class TypeNode:
    initiative_type: InitiativeType
    initiatives: list[InitiativeRow]
    tally: Tally


@dataclass
class PolicyNode:
    policy: Policy
    types: list[TypeNode]
    tally: Tally


@dataclass
class GoalNode:
    goal: Goal
    policies: list[PolicyNode]
    indicators: list[IndicatorRow]
    tally: Tally
    indicator_statuses: Counter[str]


@dataclass
class PlanTree:
    plan: Plan
    fiscal_year: int
    cycle: EvaluationCycle | None
    goals: list[GoalNode]
    tally: Tally


def plans_of(municipality: Any, user: Any) -> QuerySet[Plan]:
    """The municipality's plans the user may see (``permissions.visible_plans``)."""
    return permissions.visible_plans(user, Plan.objects.all(), municipality).order_by("start_fy")


def plan_of(municipality: Any, plan_id: int, user: Any) -> Plan | None:
    """One plan of the municipality the user may see, else None."""
    return permissions.visible_plans(user, Plan.objects.filter(pk=plan_id), municipality).first()


def plan_in_force(municipality: Any, fiscal_year: int) -> Plan | None:
    return (
        Plan.objects.filter(
            municipality=municipality, start_fy__lte=fiscal_year, end_fy__gte=fiscal_year
        )
        .order_by("-start_fy")
        .first()
    )


def indicator_rows(plan: Plan, fiscal_year: int) -> dict[int, list[IndicatorRow]]:
    """Indicators by goal id, with values up to the 年度 and the status of the latest one."""
    indicators = (
        Indicator.objects.filter(plan=plan)
        .select_related("goal")
        .prefetch_related(
            Prefetch("values", queryset=IndicatorValue.objects.order_by("fiscal_year"))
        )
    )
    by_goal: dict[int, list[IndicatorRow]] = {}
    for indicator in indicators:
        values = {v.fiscal_year: v for v in indicator.values.all() if v.fiscal_year <= fiscal_year}
        latest = values[max(values)] if values else None
        status = indicator_rules.status(
            direction=indicator.direction,
            baseline=indicator.baseline,
            target=indicator.target,
            actual=latest.value if latest else None,
            is_survey=indicator.is_survey,
            rule=plan.indicator_rule,
        )
        by_goal.setdefault(indicator.goal_id, []).append(
            IndicatorRow(indicator, values, latest, status)
        )
    return by_goal


def _contradiction(grade: str, statuses: Counter[str]) -> str | None:
    if grade == "A" and statuses.get("D"):
        return _("自己評価は A ですが、関連する成果指標に D（遅れている）があります。")
    if grade == "D" and statuses.get("A"):
        return _("自己評価は D ですが、関連する成果指標に A（順調）があります。")
    return None


def group_structure(
    policies: Iterable[Policy], types: Iterable[InitiativeType], initiatives: Iterable[Initiative]
) -> tuple[dict[int, list[Policy]], dict[int, list[InitiativeType]], dict[int, list[Initiative]]]:
    """A plan's levels by parent, in the order given: 施策 by 基本目標, 取組の種類 by 施策 and
    取組 by 取組の種類 (the staff tree and the published document both build from this)."""
    policies_by_goal: dict[int, list[Policy]] = {}
    for policy in policies:
        policies_by_goal.setdefault(policy.goal_id, []).append(policy)
    types_by_policy: dict[int, list[InitiativeType]] = {}
    for initiative_type in types:
        types_by_policy.setdefault(initiative_type.policy_id, []).append(initiative_type)
    initiatives_by_type: dict[int, list[Initiative]] = {}
    for initiative in initiatives:
        initiatives_by_type.setdefault(initiative.initiative_type_id, []).append(initiative)
    return policies_by_goal, types_by_policy, initiatives_by_type


def plan_tree(plan: Plan, fiscal_year: int, user: Any = None) -> PlanTree:
    """The whole hierarchy with that 年度's evaluations, indicators and roll-ups.

    With ``user`` (every staff page and the staff API), only the evaluations the policy lets
    that user see are shown and counted (``permissions.visible_evaluations``). Without it, every
    evaluation of the cycle: only for a build that applies its own wall (the published read
    model).

    再掲 initiatives appear under the goal where they are listed again, but are counted only
    under their original, so roll-ups never count an initiative twice.
    """
    cycle = EvaluationCycle.objects.filter(plan=plan, fiscal_year=fiscal_year).first()
    evaluations: dict[int, Evaluation] = {}
    if cycle is not None:
        shown = Evaluation.objects.filter(cycle=cycle)
        if user is not None:
            shown = permissions.visible_evaluations(user, shown, plan.municipality_id)
        evaluations = {e.initiative_id: e for e in shown}
    goals = list(Goal.objects.filter(plan=plan).order_by("number"))
    policies = list(Policy.objects.filter(plan=plan).order_by("number"))
    types = list(InitiativeType.objects.filter(plan=plan).order_by("number"))
    units_prefetch = Prefetch(
        "responsible_units",
        queryset=InitiativeUnit.objects.select_related("unit").prefetch_related(
            Prefetch("unit__names", queryset=unit_names_prefetch().queryset)
        ),
    )
    initiatives = list(
        Initiative.objects.filter(plan=plan)
        .select_related("repost_of")
        .prefetch_related(units_prefetch)
        .order_by("number")
    )
    indicators = indicator_rows(plan, fiscal_year)

    policies_by_goal, types_by_policy, by_type = group_structure(policies, types, initiatives)

    plan_tally = Tally()
    goal_nodes = []
    for goal in goals:
        statuses = Counter(row.status.code for row in indicators.get(goal.id, []))
        goal_tally = Tally()
        policy_nodes = []
        for policy in policies_by_goal.get(goal.id, []):
            policy_tally = Tally()
            type_nodes = []
            for initiative_type in types_by_policy.get(policy.id, []):
                type_tally = Tally()
                rows = []
                for initiative in by_type.get(initiative_type.id, []):
                    evaluation = evaluations.get(initiative.id)
                    warnings = []
                    if evaluation is not None and evaluation.grade:
                        warning = _contradiction(evaluation.grade, statuses)
                        if warning:
                            warnings.append(warning)
                    rows.append(
                        InitiativeRow(
                            initiative=initiative,
                            units=[
                                (u.unit, u.is_lead)
                                for u in initiative.responsible_units.all()
                                if u.covers(fiscal_year)
                            ],
                            evaluation=evaluation,
                            repost_of=initiative.repost_of,
                            warnings=warnings,
                        )
                    )
                    if initiative.repost_of_id is None and goal.applies_in(fiscal_year):
                        for tally in (type_tally, policy_tally, goal_tally, plan_tally):
                            tally.add(evaluation)
                type_nodes.append(TypeNode(initiative_type, rows, type_tally))
            policy_nodes.append(PolicyNode(policy, type_nodes, policy_tally))
        goal_nodes.append(
            GoalNode(goal, policy_nodes, indicators.get(goal.id, []), goal_tally, statuses)
        )
    for goal_node in goal_nodes:
        goal_node.tally.finish(plan)
        for policy_node in goal_node.policies:
            policy_node.tally.finish(plan)
            for type_node in policy_node.types:
                type_node.tally.finish(plan)
    plan_tally.finish(plan)
    return PlanTree(plan, fiscal_year, cycle, goal_nodes, plan_tally)
