"""The Kamakura plans in `sasaeai loaddemo`: real goals, a generated 架空 structure, cycles."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction

from sasaeai.accounts.models import OrganisationUnit
from sasaeai.audit.models import AuditEvent
from sasaeai.plans import demo
from sasaeai.plans.defaults import SUMMARY_HEADINGS
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
    Review,
    Summary,
)
from sasaeai.plans.selectors import tree as selectors

MARK = "（架空）"
GOALS = [
    (1, "総合的な相談体制の確立", None),
    (2, "包括的支援体制の構築", None),
    (3, "地域における福祉活動や人材への支援", None),
    (4, "地域生活支援と権利擁護", None),
    (5, "情報の収集と提供", None),
    (6, "ケアラーへの支援", 2025),
]


@pytest.fixture
def output(db: None) -> str:
    out = io.StringIO()
    call_command("loaddemo", "--quiet-accounts", stdout=out)
    return out.getvalue()


@pytest.fixture
def plan(output: str) -> Plan:
    return Plan.objects.get(name="鎌倉市地域福祉計画")


def table_counts() -> dict[str, int]:
    models = [
        Plan,
        Goal,
        Policy,
        InitiativeType,
        Initiative,
        InitiativeUnit,
        Indicator,
        IndicatorValue,
        EvaluationCycle,
        Evaluation,
        Review,
        Summary,
        OrganisationUnit,
        AuditEvent,
    ]
    return {model.__name__: model.objects.count() for model in models}


def test_first_plan_is_the_real_one(plan: Plan) -> None:
    assert (plan.municipality.code, plan.start_fy, plan.end_fy) == ("142042", 2020, 2025)
    assert plan.vision == "お互いを尊重し、支え合いながら、ともに活きるまち かまくら"
    assert (plan.status, plan.is_demo) == ("active", True)
    goals = list(plan.goals.order_by("number"))
    assert [(g.number, g.name, g.applies_from_fy) for g in goals] == GOALS
    assert [g.is_demo for g in goals] == [False] * 6
    assert [g.applies_in(2024) for g in goals] == [True] * 5 + [False]


def test_generated_structure_has_the_real_size(plan: Plan) -> None:
    assert Policy.objects.filter(plan=plan).count() == 10
    assert InitiativeType.objects.filter(plan=plan).count() == 31
    assert Initiative.objects.filter(plan=plan, repost_of__isnull=True).count() == 203
    assert Initiative.objects.filter(plan=plan).count() == 211
    per_goal = {
        goal.number: (
            goal.policies.count(),
            InitiativeType.objects.filter(policy__goal=goal).count(),
            Initiative.objects.filter(
                initiative_type__policy__goal=goal, repost_of__isnull=True
            ).count(),
        )
        for goal in plan.goals.all()
    }
    assert per_goal == {
        1: (2, 6, 41),
        2: (2, 7, 45),
        3: (2, 7, 49),
        4: (2, 6, 40),
        5: (1, 3, 20),
        6: (1, 2, 8),
    }
    originals = Initiative.objects.filter(plan=plan, repost_of__isnull=True).order_by("number")
    assert [i.number for i in originals] == list(range(1, 204))
    first = originals[0]
    assert first.title == "（架空）地域の福祉相談窓口の充実"
    assert first.key == uuid.uuid5(demo.KEY_NAMESPACE, "鎌倉市地域福祉計画:1")


def test_reposts_point_to_another_goal_and_are_not_counted_twice(plan: Plan) -> None:
    reposts = list(
        Initiative.objects.filter(plan=plan, repost_of__isnull=False)
        .select_related("repost_of__initiative_type__policy", "initiative_type__policy")
        .order_by("number")
    )
    assert [r.number for r in reposts] == list(range(204, 212))
    assert [
        (r.repost_of.initiative_type.policy.goal_id != r.initiative_type.policy.goal_id)
        for r in reposts
        if r.repost_of is not None
    ] == [True] * 8
    assert all(r.repost_of is not None and r.title == r.repost_of.title for r in reposts)
    assert all(r.repost_of is not None and r.repost_of.repost_of_id is None for r in reposts)
    assert [r.initiative_type.policy.goal.number for r in reposts] == [6, 6, 3, 4, 3, 1, 1, 4]
    # roll-ups count each initiative once; goal 6 counts from 令和7年度
    assert selectors.plan_tree(plan, 2024).tally.initiatives == 195
    assert selectors.plan_tree(plan, 2025).tally.initiatives == 203
    assert not Evaluation.objects.filter(initiative__repost_of__isnull=False).exists()


def test_responsible_units(plan: Plan) -> None:
    originals = Initiative.objects.filter(plan=plan, repost_of__isnull=True).prefetch_related(
        "responsible_units__unit"
    )
    for initiative in originals:
        rows = list(initiative.responsible_units.all())
        for year in range(2020, 2026):
            leads = [r for r in rows if r.is_lead and r.covers(year)]
            assert len(leads) == 1, (initiative.number, year)
            assert leads[0].unit.kind == "department"
    handovers = InitiativeUnit.objects.filter(
        initiative__plan=plan, is_lead=True, valid_from_fy=2023
    )
    assert sorted(handovers.values_list("initiative__number", "unit__code")) == [
        (13, "chiiki-kyosei"),
        (42, "chiiki-kyosei"),
        (45, "chiiki-kyosei"),
    ]
    assert (
        InitiativeUnit.objects.filter(
            initiative__number__in=[13, 42, 45], unit__code="fukushi-somu", valid_to_fy=2022
        ).count()
        == 3
    )
    with_others = Initiative.objects.filter(
        plan=plan, repost_of__isnull=True, responsible_units__is_lead=False
    ).distinct()
    assert with_others.count() > 20
    # an evaluation belongs to the lead unit of its year
    evaluation = Evaluation.objects.get(cycle__fiscal_year=2022, initiative__number=42)
    assert evaluation.unit.code == "fukushi-somu"
    evaluation = Evaluation.objects.get(cycle__fiscal_year=2023, initiative__number=42)
    assert evaluation.unit.code == "chiiki-kyosei"


def test_indicators_and_values(plan: Plan) -> None:
    indicators = Indicator.objects.filter(plan=plan)
    assert indicators.count() == 20
    assert indicators.filter(values__isnull=False).distinct().count() == 20
    assert indicators.filter(is_survey=True).count() == 7
    assert indicators.filter(values__fiscal_year=2025).count() == 13
    assert sorted(Counter(indicators.values_list("goal__number", flat=True)).items()) == [
        (1, 4),
        (2, 4),
        (3, 5),
        (4, 4),
        (5, 2),
        (6, 1),
    ]
    nobody = indicators.get(name="（架空）身近に相談できる人がいない市民の割合")
    assert (nobody.direction, nobody.unit_label, nobody.source, nobody.is_survey) == (
        "decrease",
        "%",
        "市民アンケート",
        True,
    )
    assert (nobody.baseline, nobody.baseline_fy, nobody.target, nobody.target_fy) == (
        Decimal("12.4"),
        2019,
        Decimal("10.0"),
        2025,
    )
    assert list(nobody.values.values_list("fiscal_year", "value")) == [
        (2020, Decimal("13.1")),
        (2021, Decimal("14.0")),
        (2022, Decimal("14.6")),
        (2023, Decimal("15.8")),
        (2024, Decimal("16.9")),
    ]
    rows = selectors.indicator_rows(plan, 2024)
    status = next(r.status for r in rows[nobody.goal_id] if r.indicator.pk == nobody.pk)
    assert (status.code, status.achievement) == ("D", Decimal("-187.5"))
    consultations = indicators.get(name="（架空）福祉の総合相談窓口の相談件数")
    assert (consultations.unit_label, consultations.direction, consultations.is_survey) == (
        "件",
        "increase",
        False,
    )


def test_published_cycles(plan: Plan) -> None:
    cycles = list(plan.cycles.order_by("fiscal_year"))
    assert [(c.fiscal_year, c.status) for c in cycles] == [
        (2020, "published"),
        (2021, "published"),
        (2022, "published"),
        (2023, "published"),
        (2024, "published"),
        (2025, "open"),
    ]
    for cycle in cycles[:5]:
        year = cycle.fiscal_year
        assert cycle.deadline == dt.date(year + 1, 6, 30)
        assert cycle.published_at is not None and cycle.published_at.year == year + 1
        evaluations = cycle.evaluations.all()
        assert evaluations.count() == 195
        assert set(evaluations.values_list("state", "version", "updated_by")) == {
            ("approved", 1, None)
        }
        assert not evaluations.filter(results="").exists()
        assert not evaluations.filter(grade="").exists()
        assert not evaluations.filter(direction="").exists()
        goal_reviews = cycle.reviews.filter(kind="goal_review")
        assert sorted(goal_reviews.values_list("goal__number", flat=True)) == [1, 2, 3, 4, 5]
        assert set(cycle.reviews.values_list("is_published", flat=True)) == {True}
        assert not cycle.reviews.filter(city_response="").exists()
        assert 2 <= cycle.reviews.filter(kind="initiative_comment", goal=None).count() <= 4
        assert cycle.summaries.count() == 25
        for goal_number in range(1, 6):
            headings = cycle.summaries.filter(goal__number=goal_number).values_list(
                "heading", flat=True
            )
            assert sorted(headings) == sorted(SUMMARY_HEADINGS)
    grades = {
        c.fiscal_year: dict(Counter(c.evaluations.values_list("grade", flat=True)))
        for c in cycles[:5]
    }
    assert grades == {
        2020: {"A": 26, "B": 81, "C": 57, "D": 31},
        2021: {"A": 42, "B": 103, "C": 40, "D": 10},
        2022: {"A": 47, "B": 105, "C": 34, "D": 9},
        2023: {"A": 60, "B": 105, "C": 24, "D": 6},
        2024: {"A": 75, "B": 93, "C": 23, "D": 4},
    }
    directions = set(
        Evaluation.objects.filter(cycle__in=cycles[:5]).values_list("direction", flat=True)
    )
    assert directions == {"拡充", "継続", "見直し"}


def test_open_cycle_has_entries_in_every_state(plan: Plan) -> None:
    cycle = plan.cycles.get(fiscal_year=2025)
    assert (cycle.deadline, cycle.published_at) == (dt.date(2027, 1, 29), None)
    assert not cycle.is_locked
    evaluations = cycle.evaluations.all()
    assert evaluations.count() == 203
    assert dict(Counter(evaluations.values_list("state", flat=True))) == {
        "approved": 63,
        "draft": 79,
        "returned": 7,
        "submitted": 54,
    }
    assert evaluations.filter(state="draft", results="").count() == 52  # not started
    assert evaluations.filter(state="draft").exclude(results="").count() == 27  # partly filled
    empty = evaluations.filter(state="draft", results="")
    assert set(empty.values_list("grade", "issues", "direction")) == {("", "", "")}
    done = evaluations.exclude(state="draft")
    assert not done.filter(results="").exists()
    assert not done.filter(grade="").exists()
    assert not done.filter(direction="").exists()
    assert not evaluations.filter(state="returned", return_comment="").exists()
    assert not evaluations.exclude(state="returned").exclude(return_comment="").exists()
    assert evaluations.filter(direction="終了").count() == 7
    # the demo departments' users have work left
    by_unit = Counter(
        evaluations.filter(unit__code__in=["koreisha", "shogai-fukushi"]).values_list(
            "unit__code", "state"
        )
    )
    assert dict(by_unit) == {
        ("koreisha", "draft"): 28,
        ("koreisha", "returned"): 2,
        ("koreisha", "submitted"): 9,
        ("shogai-fukushi", "draft"): 30,
        ("shogai-fukushi", "submitted"): 7,
    }
    # the same rows cycle_open would create: every original whose goal applies, lead unit
    expected = {
        (row.initiative_id, row.unit_id)
        for row in InitiativeUnit.objects.filter(
            initiative__plan=plan, initiative__repost_of__isnull=True, is_lead=True
        )
        if row.covers(2025)
    }
    assert set(evaluations.values_list("initiative_id", "unit_id")) == expected
    assert not cycle.reviews.exists()
    assert not cycle.summaries.exists()


def test_every_generated_name_and_text_is_marked(plan: Plan) -> None:
    names = [
        *Policy.objects.filter(plan=plan).values_list("name", "is_demo"),
        *InitiativeType.objects.filter(plan=plan).values_list("name", "is_demo"),
        *Initiative.objects.filter(plan=plan).values_list("title", "is_demo"),
        *Indicator.objects.filter(plan=plan).values_list("name", "is_demo"),
    ]
    assert len(names) == 10 + 31 + 211 + 20
    assert [n for n, is_demo in names if not (n.startswith(MARK) and is_demo)] == []
    texts = [
        *Initiative.objects.filter(plan=plan).values_list("description", flat=True),
        *IndicatorValue.objects.filter(indicator__plan=plan).values_list("note", flat=True),
        *Evaluation.objects.filter(cycle__plan=plan).values_list("results", flat=True),
        *Evaluation.objects.filter(cycle__plan=plan).values_list("issues", flat=True),
        *Evaluation.objects.filter(cycle__plan=plan).values_list("return_comment", flat=True),
        *Review.objects.filter(cycle__plan=plan).values_list("body", flat=True),
        *Review.objects.filter(cycle__plan=plan).values_list("city_response", flat=True),
        *Review.objects.filter(cycle__plan=plan).values_list("author_label", flat=True),
        *Summary.objects.filter(cycle__plan=plan).values_list("body", flat=True),
    ]
    assert [t for t in texts if t and not t.startswith(MARK)] == []
    assert sum(1 for t in texts if "アウトリーチ" in t) > 20  # for the plain-language checker
    for code in ["chiiki-kyosei", "kenko-zukuri", "sogo-bosai", "kyoiku-shido", "kouhou"]:
        unit = OrganisationUnit.objects.get(code=code)
        assert (unit.kind, unit.is_demo, unit.current_name()[:4]) == ("department", True, MARK)


def test_second_plan_is_an_empty_shell(plan: Plan) -> None:
    second = Plan.objects.get(name="鎌倉市地域福祉計画（第2期）")
    assert (second.start_fy, second.end_fy, second.status, second.is_demo) == (
        2026,
        2033,
        "draft",
        True,
    )
    assert second.vision == plan.vision
    assert second.goals.count() == 0
    assert second.policies.count() == 0
    assert second.initiatives.count() == 0
    assert second.indicators.count() == 0
    assert second.cycles.count() == 0


def test_one_audit_row_per_plan_and_cycle(plan: Plan) -> None:
    events = AuditEvent.objects.filter(object_type__startswith="plans.").order_by("id")
    assert [(e.actor_id, e.actor_label, e.action, e.object_type) for e in events] == [
        (None, "system:loaddemo", "import", "plans.Plan"),
        *[(None, "system:loaddemo", "create", "plans.EvaluationCycle")] * 6,
        (None, "system:loaddemo", "create", "plans.Plan"),
    ]
    assert events[0].detail == (
        "デモデータ（架空）を生成: 基本目標 6・施策 10・取組の種類 31・"
        "取組 203（ほかに再掲 8）・成果指標 20"
    )
    assert events[6].detail == "デモデータ（架空）: 令和7年度の進捗調査（評価 203 件）"
    assert {e.municipality_id for e in events} == {plan.municipality_id}


def test_second_load_changes_nothing(output: str) -> None:
    assert "取組 203 件・成果指標 20 件・進捗調査 6 年度分" in output
    before = table_counts()
    out = io.StringIO()
    call_command("loaddemo", "--quiet-accounts", stdout=out)
    assert table_counts() == before
    assert "計画のデモデータはすでにあります（変更なし）。" in out.getvalue()


def test_generation_is_deterministic(plan: Plan) -> None:
    def snapshot() -> list[tuple[object, ...]]:
        return [
            *Initiative.objects.order_by("number").values_list(
                "number", "key", "title", "description", "repost_of__number"
            ),
            *Evaluation.objects.order_by("cycle__fiscal_year", "initiative__number").values_list(
                "cycle__fiscal_year",
                "initiative__number",
                "unit__code",
                "grade",
                "state",
                "results",
            ),
            *Review.objects.order_by(
                "cycle__fiscal_year", "kind", "goal__number", "initiative__number"
            ).values_list("body", "city_response"),
            *Summary.objects.order_by("cycle__fiscal_year", "goal__number", "heading").values_list(
                "body"
            ),
        ]

    first = snapshot()
    Initiative.objects.filter(repost_of__isnull=False).delete()
    Plan.objects.all().delete()
    with transaction.atomic():
        demo.load()
    assert snapshot() == first
