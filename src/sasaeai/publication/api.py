"""Public read API of plan progress (published cycles only), no login.

Mounted at /api/v1/public. Reads go through the published read model (``selectors/pages.py`` on
``selectors/published.py``) — the same wall and the same figures as the public pages and the
published report: only plans with a published cycle, only approved evaluations of published
cycles, only published 講評 and comments, indicator values up to the latest published 年度. Unknown
municipalities, plans and numbers are JSON 404 (``not_found``) with a Japanese message.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext_noop
from ninja import Router, Schema

from sasaeai.accounts.models import Municipality
from sasaeai.publication.document import CountRow, IndicatorEntry, ReviewEntry
from sasaeai.publication.selectors import pages
from sasaeai.publication.selectors.published import PublishedPlan, published_plans

router = Router(tags=[gettext_noop("計画の進み具合（公開）")])


class CountOut(Schema):
    code: str
    label: str
    count: int


class PublishedYearOut(Schema):
    fiscal_year: int
    published_at: str | None


class PlanOut(Schema):
    id: int
    name: str
    vision: str
    start_fy: int
    end_fy: int
    is_demo: bool
    latest_fiscal_year: int
    published_years: list[PublishedYearOut]
    url: str


class InitiativeBriefOut(Schema):
    number: int
    title: str
    repost_of: int | None


class TypeOut(Schema):
    number: int
    name: str
    initiatives: list[InitiativeBriefOut]


class PolicyOut(Schema):
    number: int
    name: str
    types: list[TypeOut]


class GoalOut(Schema):
    number: int
    name: str
    description: str
    applies_from_fy: int | None
    grade_counts: list[CountOut]
    indicator_status_counts: list[CountOut]
    policies: list[PolicyOut]


class PlanDetailOut(PlanOut):
    fiscal_year: int
    grade_totals: list[CountOut]
    goals: list[GoalOut]


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
    is_survey: bool
    values: list[ValueOut]
    achievement: Decimal | None
    status: str
    status_label: str


class CommentOut(Schema):
    author: str
    body: str
    city_response: str


class YearOut(Schema):
    fiscal_year: int
    units: list[str]
    evaluated: bool
    results: str
    grade: str
    grade_label: str
    issues: str
    direction: str
    comments: list[CommentOut]


class LinkOut(Schema):
    plan_id: int
    plan_name: str
    number: int
    title: str


class InitiativeOut(Schema):
    number: int
    title: str
    description: str
    goal: int
    policy: int
    type: int
    type_name: str
    repost_of: int | None
    years: list[YearOut]
    predecessors: list[LinkOut]
    successor: LinkOut | None


def _municipality(code: str) -> Municipality:
    municipality = Municipality.objects.filter(code=code).first()
    if municipality is None:
        raise Http404
    return municipality


def _plan(code: str, plan_id: int) -> tuple[list[PublishedPlan], PublishedPlan]:
    plans = published_plans(_municipality(code))
    published = pages.find_plan(plans, plan_id)
    if published is None:
        raise Http404
    return plans, published


def _counts(rows: tuple[CountRow, ...]) -> list[dict[str, Any]]:
    return [{"code": r.code, "label": r.label, "count": r.count} for r in rows]


def _plan_out(code: str, published: PublishedPlan) -> dict[str, Any]:
    plan = published.plan
    return {
        "id": plan.pk,
        "name": plan.name,
        "vision": plan.vision,
        "start_fy": plan.start_fy,
        "end_fy": plan.end_fy,
        "is_demo": plan.is_demo,
        "latest_fiscal_year": published.latest_year,
        "published_years": [
            {
                "fiscal_year": fy,
                "published_at": at.isoformat() if (at := published.published_at[fy]) else None,
            }
            for fy in published.years
        ],
        "url": f"/m/{code}/plan/{plan.pk}/",
    }


def _indicator_out(entry: IndicatorEntry) -> dict[str, Any]:
    return {
        "number": entry.number,
        "goal": entry.goal_number,
        "name": entry.name,
        "unit": entry.unit_label,
        "baseline": entry.baseline,
        "baseline_fy": entry.baseline_fy,
        "target": entry.target,
        "target_fy": entry.target_fy,
        "direction": entry.direction,
        "source": entry.source,
        "is_survey": entry.is_survey,
        "values": [
            {"fiscal_year": v.fiscal_year, "value": v.value, "note": v.note} for v in entry.values
        ],
        "achievement": entry.achievement,
        "status": entry.status_code,
        "status_label": entry.status_label,
    }


def _comment_out(review: ReviewEntry) -> dict[str, Any]:
    return {
        "author": review.author_label,
        "body": review.body,
        "city_response": review.city_response,
    }


@router.get("/{code}/plans", response=list[PlanOut], summary=gettext_noop("公表済みの計画の一覧"))
def list_plans(request: HttpRequest, code: str) -> Any:
    return [_plan_out(code, p) for p in published_plans(_municipality(code))]


@router.get(
    "/{code}/plans/{plan_id}",
    response=PlanDetailOut,
    summary=gettext_noop("計画の体系と最新年度の進み具合"),
)
def plan_detail(request: HttpRequest, code: str, plan_id: int) -> Any:
    _plans, published = _plan(code, plan_id)
    glance = pages.plan_glance(published, published.latest_year)
    goals = []
    for summary in glance.goals:
        goal = summary.goal
        goals.append(
            {
                "number": goal.number,
                "name": goal.name,
                "description": goal.description,
                "applies_from_fy": goal.applies_from_fy,
                "grade_counts": _counts(summary.grade_counts),
                "indicator_status_counts": _counts(summary.indicator_counts),
                "policies": [
                    {
                        "number": section.policy.number,
                        "name": section.policy.name,
                        "types": [
                            {
                                "number": t.initiative_type.number,
                                "name": t.initiative_type.name,
                                "initiatives": [
                                    {
                                        "number": line.number,
                                        "title": line.title,
                                        "repost_of": line.repost_of_number,
                                    }
                                    for line in t.initiatives
                                ],
                            }
                            for t in section.types
                        ],
                    }
                    for section in summary.policies
                ],
            }
        )
    return {
        **_plan_out(code, published),
        "fiscal_year": glance.fiscal_year,
        "grade_totals": _counts(glance.totals),
        "goals": goals,
    }


@router.get(
    "/{code}/plans/{plan_id}/indicators",
    response=list[IndicatorOut],
    summary=gettext_noop("成果指標と公表済みの実績"),
)
def indicators(request: HttpRequest, code: str, plan_id: int) -> Any:
    _plans, published = _plan(code, plan_id)
    return [_indicator_out(entry) for entry in pages.public_indicators(published)]


@router.get(
    "/{code}/plans/{plan_id}/initiatives/{number}",
    response=InitiativeOut,
    summary=gettext_noop("取組の年度ごとの実績と評価（公表分）"),
)
def initiative(request: HttpRequest, code: str, plan_id: int, number: int) -> Any:
    plans, published = _plan(code, plan_id)
    detail = pages.initiative_detail(published, number, plans)
    if detail is None:
        raise Http404
    item = detail.initiative
    return {
        "number": item.number,
        "title": item.title,
        "description": item.description,
        "goal": detail.goal.number,
        "policy": detail.policy.number,
        "type": detail.initiative_type.number,
        "type_name": detail.initiative_type.name,
        "repost_of": item.repost_of.number if item.repost_of else None,
        "years": [
            {
                "fiscal_year": r.fiscal_year,
                "units": list(r.entry.units),
                "evaluated": r.evaluated,
                "results": r.entry.results,
                "grade": r.entry.grade_code,
                "grade_label": r.entry.grade_label,
                "issues": r.entry.issues,
                "direction": r.entry.direction,
                "comments": [_comment_out(c) for c in r.entry.comments],
            }
            for r in detail.years
        ],
        "predecessors": [vars(link) for link in detail.predecessors],
        "successor": vars(detail.successor) if detail.successor else None,
    }
