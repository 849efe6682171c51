"""Plans for the public-page tests: published cycles next to texts that must never be shown.

``publish_world`` turns ``build_plan()`` into a plan with published cycles (approved
evaluations, a published 講評 and comment, 総括 per goal), then adds, next to them, everything
the public must not see — each text carrying ``SECRET`` so one search finds any leak.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sasaeai.accounts.models import Municipality, OrganisationUnit
from sasaeai.plans.models import (
    CycleStatus,
    Evaluation,
    EvaluationCycle,
    EvaluationState,
    IndicatorValue,
    Plan,
    PlanStatus,
    Review,
    ReviewKind,
    Summary,
)
from tests.plans.builders import build_plan

SECRET = "未公表マーカー"
SECRET_NUMBER = "987654"  # an indicator value of a 年度 that is not published yet
PUBLIC_MARK = "公表済みマーカー"
JST = dt.timezone(dt.timedelta(hours=9))


def published_at(fiscal_year: int) -> dt.datetime:
    return dt.datetime(fiscal_year + 1, 10, 1, 10, 0, tzinfo=JST)


def _fill_cycle(built: dict[str, Any], cycle: EvaluationCycle, units: Any, mark: str) -> None:
    """Approved evaluations for the originals, a 講評 per goal, a comment, a 総括 per goal."""
    fy = cycle.fiscal_year
    grades = "ABBC"
    existing = {e.initiative_id: e for e in Evaluation.objects.filter(cycle=cycle)}
    for index, initiative in enumerate(built["initiatives"]):
        evaluation = existing.get(initiative.pk) or Evaluation(
            cycle=cycle, initiative=initiative, unit=units["koreisha"]
        )
        evaluation.grade = grades[(index + fy) % 4]
        evaluation.direction = "継続"
        evaluation.results = f"{mark}実績{fy}-{initiative.number}"
        evaluation.issues = f"{mark}課題{fy}-{initiative.number}"
        evaluation.state = EvaluationState.APPROVED
        evaluation.save()
    for goal in built["goals"]:
        Review.objects.create(
            cycle=cycle,
            kind=ReviewKind.GOAL_REVIEW,
            goal=goal,
            author_label="委員長",
            body=f"{mark}講評{fy}-{goal.number}",
            city_response=f"{mark}市の対応{fy}-{goal.number}",
            is_published=True,
        )
        Summary.objects.create(
            cycle=cycle, goal=goal, heading="❶社会動向", body=f"{mark}総括{fy}-{goal.number}"
        )
    Review.objects.create(
        cycle=cycle,
        kind=ReviewKind.INITIATIVE_COMMENT,
        initiative=built["initiatives"][0],
        author_label="副委員長",
        body=f"{mark}コメント{fy}",
        city_response=f"{mark}コメントへの対応{fy}",
        is_published=True,
    )


def publish_world(
    municipality: Municipality,
    units: dict[str, OrganisationUnit],
    *,
    initiatives: int = 4,
    published_years: tuple[int, ...] = (2023, 2024),
    name: str = "テスト計画",
    secrets: bool = True,
    staff: Any = None,
) -> dict[str, Any]:
    """build_plan() with ``published_years`` published; with ``secrets``, an open 2025 cycle,
    a closed cycle the 年度 before the first published one, unpublished reviews, a returned evaluation, return comments, a 2025
    indicator value and a plan with nothing published, all carrying SECRET."""
    built = build_plan(municipality, units, initiatives=initiatives, name=name)
    plan: Plan = built["plan"]
    plan.is_demo = False
    plan.save()
    cycles = {}
    for fy in published_years:
        cycle = EvaluationCycle.objects.filter(plan=plan, fiscal_year=fy).first()
        if cycle is None:
            cycle = EvaluationCycle.objects.create(
                municipality=municipality, plan=plan, fiscal_year=fy
            )
        _fill_cycle(built, cycle, units, PUBLIC_MARK)
        cycle.status = CycleStatus.PUBLISHED
        cycle.published_at = published_at(fy)
        cycle.save()
        cycles[fy] = cycle
    # build_plan's 2024 cycle, if not published, stays open
    built["cycles"] = cycles
    if not secrets or not published_years:
        return built

    latest = cycles[max(published_years)]
    originals = built["initiatives"]
    # in a published cycle: an evaluation sent back (not approved), a leftover return comment,
    # the editor's account, and reviews not marked for publication
    returned = Evaluation.objects.get(cycle=latest, initiative=originals[-1])
    returned.state = EvaluationState.RETURNED
    returned.results = f"{SECRET}差し戻し中の実績"
    returned.return_comment = f"{SECRET}差し戻しの理由"
    returned.save()
    approved = Evaluation.objects.get(cycle=latest, initiative=originals[0])
    approved.return_comment = f"{SECRET}以前の差し戻しの理由"
    approved.updated_by = staff
    approved.save()
    Review.objects.create(
        cycle=latest,
        kind=ReviewKind.GOAL_REVIEW,
        goal=built["goals"][0],
        author=staff,
        author_label=f"{SECRET}委員",
        body=f"{SECRET}未公表の講評",
        city_response=f"{SECRET}未公表の講評への対応",
        is_published=False,
    )
    Review.objects.create(
        cycle=latest,
        kind=ReviewKind.INITIATIVE_COMMENT,
        initiative=originals[0],
        author=staff,
        body=f"{SECRET}未公表のコメント",
        is_published=False,
    )
    # an open and a closed (locked, not published) cycle with everything filled in and the
    # reviews even marked "publish"
    closed_year = min(published_years) - 1
    for fy, status in ((2025, CycleStatus.OPEN), (closed_year, CycleStatus.CLOSED)):
        cycle, _created = EvaluationCycle.objects.get_or_create(
            plan=plan, fiscal_year=fy, defaults={"municipality": municipality}
        )
        _fill_cycle(built, cycle, units, SECRET)
        cycle.status = status
        cycle.save()
    # an indicator value of 2025 (not published yet)
    IndicatorValue.objects.create(
        indicator=built["indicators"][1],
        fiscal_year=2025,
        value=Decimal(SECRET_NUMBER),
        note=f"{SECRET}2025年度の値",
    )
    # a plan with nothing published
    Plan.objects.create(
        municipality=municipality,
        name=f"{SECRET}次期計画",
        vision=f"{SECRET}次期計画の理念",
        start_fy=2026,
        end_fy=2033,
        status=PlanStatus.DRAFT,
    )
    return built
