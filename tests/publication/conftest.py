"""Fixtures for the report tests: a small plan with reviews, comments, summaries and terms."""

from __future__ import annotations

from typing import Any

import pytest

from tests.plans.builders import build_plan


@pytest.fixture
def report_plan(kamakura: Any, units: dict[str, Any]) -> dict[str, Any]:
    """build_plan() (4 initiatives + a 再掲, grades A B B C, every evaluation approved) plus, in
    the 2024 cycle (open): a published and an unpublished 講評 on goal 1, a published comment on
    initiative 2,
    two 総括 of goal 1 written in the reverse of the plan's heading order, and a goal 3 that
    applies only from 2025."""
    from sasaeai.plans.models import (
        Evaluation,
        EvaluationState,
        Goal,
        Indicator,
        Review,
        ReviewKind,
        Summary,
    )

    built = build_plan(kamakura, units)
    plan, cycle = built["plan"], built["cycle"]
    Evaluation.objects.filter(cycle=cycle).update(state=EvaluationState.APPROVED)
    goal1 = built["goals"][0]
    Review.objects.create(
        cycle=cycle,
        kind=ReviewKind.GOAL_REVIEW,
        goal=goal1,
        author_label="委員長",
        body="相談の窓口が増えたことを評価します。",
        city_response="引き続き取り組みます。",
        is_published=True,
    )
    Review.objects.create(
        cycle=cycle,
        kind=ReviewKind.GOAL_REVIEW,
        goal=goal1,
        author_label="委員",
        body="まだ公表しない講評です。",
        is_published=False,
    )
    Review.objects.create(
        cycle=cycle,
        kind=ReviewKind.INITIATIVE_COMMENT,
        initiative=built["initiatives"][1],
        author_label="副委員長",
        body="アウトリーチを広げてください。",
        city_response="検討します。",
        is_published=True,
    )
    Summary.objects.create(
        cycle=cycle, goal=goal1, heading="❸今後進むべき方向性", body="相談支援を続けます。"
    )
    Summary.objects.create(cycle=cycle, goal=goal1, heading="❶社会動向", body="高齢化が進んだ。")
    goal3 = Goal.objects.create(plan=plan, number=3, name="ケアラー", applies_from_fy=2025)
    Indicator.objects.create(
        plan=plan, goal=goal3, number=3, name="ケアラーの相談件数", direction="increase"
    )
    built["goal3"] = goal3
    return built
