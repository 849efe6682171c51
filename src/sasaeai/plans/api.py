"""Read API for staff: the plan tree, initiatives with their evaluations by 年度, indicators.

Unpublished evaluations are staff data, so every endpoint needs a signed-in user with
``plans.view`` in the plan's municipality (the public API comes with the public pages). Every
answer is narrowed by the policy the staff pages ask (``plans/permissions.py``): the plans of
``visible_plans``, and only the evaluations ``visible_evaluations`` allows — what the user's
screens show: all for the secretariat and committee, their own units' for a department,
none for other roles.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpRequest
from ninja import Router, Schema
from ninja.security import django_auth

from sasaeai.plans import permissions
from sasaeai.plans.models import Evaluation, Initiative, Plan
from sasaeai.plans.selectors import tree as selectors

router = Router(tags=["計画の進捗管理"], auth=django_auth)


class PlanOut(Schema):
    id: int
    name: str
    vision: str
    start_fy: int
    end_fy: int
    status: str
    is_demo: bool


class UnitOut(Schema):
    code: str
    name: str
    is_lead: bool
    valid_from_fy: int | None
    valid_to_fy: int | None


class InitiativeOut(Schema):
    key: str
    number: int
    title: str
    description: str
    repost_of: int | None
    units: list[UnitOut]


class TypeOut(Schema):
    number: int
    name: str
    initiatives: list[InitiativeOut]


class PolicyOut(Schema):
    number: int
    name: str
    types: list[TypeOut]


class GoalOut(Schema):
    number: int
    name: str
    description: str
    applies_from_fy: int | None
    policies: list[PolicyOut]


class TreeOut(PlanOut):
    goals: list[GoalOut]


class EvaluationOut(Schema):
    fiscal_year: int
    unit: str
    results: str
    grade: str
    issues: str
    direction: str
    state: str


class InitiativeEvaluationsOut(Schema):
    key: str
    number: int
    title: str
    evaluations: list[EvaluationOut]


class ValueOut(Schema):
    fiscal_year: int
    value: Decimal
    note: str


class IndicatorOut(Schema):
    number: int
    goal: int
    name: str
    unit: str
    baseline: Decimal | None
    baseline_fy: int | None
    target: Decimal | None
    target_fy: int | None
    direction: str
    source: str
    values: list[ValueOut]
    achievement: Decimal | None
    status: str


def _plan(request: HttpRequest, plan_id: int) -> Plan:
    """The plan, if it is of the user's municipality: another municipality's plan is as
    absent as a missing one (404, never 403)."""
    municipality_id = getattr(request.user, "municipality_id", None)
    if municipality_id is None:
        raise Http404
    if not permissions.can(request.user, "plans.view", municipality_id):
        raise PermissionDenied
    plan = selectors.plan_of(municipality_id, plan_id, request.user)
    if plan is None:
        raise Http404
    return plan


def _plan_out(plan: Plan) -> dict[str, Any]:
    return {
        "id": plan.pk,
        "name": plan.name,
        "vision": plan.vision,
        "start_fy": plan.start_fy,
        "end_fy": plan.end_fy,
        "status": plan.status,
        "is_demo": plan.is_demo,
    }


@router.get("/plans", response=list[PlanOut], summary="計画の一覧")
def list_plans(request: HttpRequest) -> Any:
    if not permissions.can(request.user, "plans.view"):
        raise PermissionDenied
    return [_plan_out(p) for p in selectors.plans_of(request.user.municipality, request.user)]  # type: ignore[union-attr]


@router.get("/plans/{plan_id}/tree", response=TreeOut, summary="計画の体系")
def plan_tree(request: HttpRequest, plan_id: int) -> Any:
    plan = _plan(request, plan_id)
    tree = selectors.plan_tree(plan, plan.end_fy, request.user)
    return {
        **_plan_out(plan),
        "goals": [
            {
                "number": g.goal.number,
                "name": g.goal.name,
                "description": g.goal.description,
                "applies_from_fy": g.goal.applies_from_fy,
                "policies": [
                    {
                        "number": p.policy.number,
                        "name": p.policy.name,
                        "types": [
                            {
                                "number": t.initiative_type.number,
                                "name": t.initiative_type.name,
                                "initiatives": [
                                    _initiative_out(r.initiative) for r in t.initiatives
                                ],
                            }
                            for t in p.types
                        ],
                    }
                    for p in g.policies
                ],
            }
            for g in tree.goals
        ],
    }


def _initiative_out(initiative: Initiative) -> dict[str, Any]:
    return {
        "key": str(initiative.key),
        "number": initiative.number,
        "title": initiative.title,
        "description": initiative.description,
        "repost_of": initiative.repost_of.number if initiative.repost_of else None,
        "units": [
            {
                "code": u.unit.code,
                "name": u.unit.current_name(),
                "is_lead": u.is_lead,
                "valid_from_fy": u.valid_from_fy,
                "valid_to_fy": u.valid_to_fy,
            }
            for u in initiative.responsible_units.all()
        ],
    }


@router.get(
    "/plans/{plan_id}/initiatives",
    response=list[InitiativeEvaluationsOut],
    summary="取組と年度ごとの評価",
)
def initiatives(request: HttpRequest, plan_id: int, fiscal_year: int | None = None) -> Any:
    plan = _plan(request, plan_id)
    evaluations = permissions.visible_evaluations(
        request.user,
        Evaluation.objects.filter(cycle__plan=plan)
        .select_related("cycle", "unit")
        .prefetch_related("unit__names"),
        plan.municipality_id,
    )
    if fiscal_year is not None:
        evaluations = evaluations.filter(cycle__fiscal_year=fiscal_year)
    rows = (
        Initiative.objects.filter(plan=plan)
        .prefetch_related(
            Prefetch("evaluations", queryset=evaluations.order_by("cycle__fiscal_year"))
        )
        .order_by("number")
    )
    return [
        {
            "key": str(i.key),
            "number": i.number,
            "title": i.title,
            "evaluations": [
                {
                    "fiscal_year": e.cycle.fiscal_year,
                    "unit": e.unit.name_in(e.cycle.fiscal_year) or e.unit.code,
                    "results": e.results,
                    "grade": e.grade,
                    "issues": e.issues,
                    "direction": e.direction,
                    "state": e.state,
                }
                for e in i.evaluations.all()
            ],
        }
        for i in rows
    ]


@router.get("/plans/{plan_id}/indicators", response=list[IndicatorOut], summary="成果指標と実績")
def indicators(request: HttpRequest, plan_id: int) -> Any:
    plan = _plan(request, plan_id)
    rows = selectors.indicator_rows(plan, plan.end_fy)
    result = []
    for goal_rows in rows.values():
        for row in goal_rows:
            i = row.indicator
            result.append(
                {
                    "number": i.number,
                    "goal": row.indicator.goal.number,
                    "name": i.name,
                    "unit": i.unit_label,
                    "baseline": i.baseline,
                    "baseline_fy": i.baseline_fy,
                    "target": i.target,
                    "target_fy": i.target_fy,
                    "direction": i.direction,
                    "source": i.source,
                    "values": [
                        {"fiscal_year": v.fiscal_year, "value": v.value, "note": v.note}
                        for v in row.values.values()
                    ],
                    "achievement": row.status.achievement,
                    "status": row.status.code,
                }
            )
    return sorted(result, key=lambda r: r["number"])
