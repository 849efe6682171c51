"""Small plan structures for tests, written straight to the database (no import)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sasaeai.accounts.models import Municipality, OrganisationUnit
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


def build_plan(
    municipality: Municipality,
    units: dict[str, OrganisationUnit],
    *,
    initiatives: int = 4,
    grades: list[str] | None = None,
    name: str = "テスト計画",
) -> dict[str, Any]:
    """Two goals; goal 1 has one policy and type with ``initiatives`` initiatives, goal 2 has
    one type holding a 再掲 of initiative 1. One survey indicator per goal. A 2024 cycle."""
    plan = Plan.objects.create(
        municipality=municipality, name=name, vision="ともに", start_fy=2020, end_fy=2025
    )
    goal1 = Goal.objects.create(plan=plan, number=1, name="相談")
    goal2 = Goal.objects.create(plan=plan, number=2, name="情報", applies_from_fy=2020)
    policy1 = Policy.objects.create(plan=plan, goal=goal1, number=1, name="施策一")
    policy2 = Policy.objects.create(plan=plan, goal=goal2, number=2, name="施策二")
    type1 = InitiativeType.objects.create(plan=plan, policy=policy1, number=1, name="種類一")
    type2 = InitiativeType.objects.create(plan=plan, policy=policy2, number=2, name="種類二")
    rows = Initiative.objects.bulk_create(
        Initiative(plan=plan, initiative_type=type1, number=n, title=f"取組{n}")
        for n in range(1, initiatives + 1)
    )
    repost = Initiative.objects.create(
        plan=plan, initiative_type=type2, number=initiatives + 1, title="取組1", repost_of=rows[0]
    )
    InitiativeUnit.objects.bulk_create(
        InitiativeUnit(initiative=i, unit=units["koreisha"], is_lead=True) for i in rows
    )
    InitiativeUnit.objects.create(initiative=rows[0], unit=units["fukushi-somu"], is_lead=False)
    survey = Indicator.objects.create(
        plan=plan,
        goal=goal1,
        number=1,
        name="相談できる人がいない割合",
        unit_label="%",
        baseline=Decimal("10"),
        baseline_fy=2019,
        target=Decimal("5"),
        target_fy=2025,
        direction="decrease",
        source="市民アンケート",
        is_survey=True,
    )
    count = Indicator.objects.create(
        plan=plan,
        goal=goal2,
        number=2,
        name="相談件数",
        unit_label="件",
        baseline=Decimal("100"),
        baseline_fy=2019,
        target=Decimal("200"),
        target_fy=2025,
        direction="increase",
        source="業務統計",
    )
    IndicatorValue.objects.create(indicator=survey, fiscal_year=2024, value=Decimal("16"))
    IndicatorValue.objects.create(indicator=count, fiscal_year=2023, value=Decimal("150"))
    IndicatorValue.objects.create(indicator=count, fiscal_year=2024, value=Decimal("210"))
    cycle = EvaluationCycle.objects.create(municipality=municipality, plan=plan, fiscal_year=2024)
    grades = grades or ["A", "B", "B", "C"]
    Evaluation.objects.bulk_create(
        Evaluation(
            cycle=cycle,
            initiative=initiative,
            unit=units["koreisha"],
            grade=grades[index % len(grades)],
            direction="継続",
            results="実施した。",
        )
        for index, initiative in enumerate(rows)
    )
    return {
        "plan": plan,
        "goals": [goal1, goal2],
        "initiatives": rows,
        "repost": repost,
        "indicators": [survey, count],
        "cycle": cycle,
    }
