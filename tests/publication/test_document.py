"""build_document: contents, order, 再掲, reviews, glossary and a constant number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command

from sasaeai.core.errors import DomainError
from sasaeai.plans.models import CycleStatus, EvaluationCycle, Plan
from sasaeai.publication.document import (
    CountRow,
    GlossaryEntry,
    ReviewEntry,
    SummaryEntry,
    YearValue,
    format_number,
    format_percent,
    format_value,
)
from sasaeai.publication.models import KeptTerm
from sasaeai.publication.selectors.published import build_document
from sasaeai.publication.selectors.staff import cycle_for
from tests.plans.builders import build_plan

pytestmark = pytest.mark.django_db

GRADES = ("A", "B", "C", "D")


def _fresh(cycle: EvaluationCycle) -> EvaluationCycle:
    return EvaluationCycle.objects.select_related("plan__municipality").get(pk=cycle.pk)


def test_header_fields_and_draft(report_plan: dict[str, Any]) -> None:
    doc = build_document(_fresh(report_plan["cycle"]))
    assert doc.title == "テスト計画 令和6年度 推進状況報告書"
    assert (doc.municipality_code, doc.municipality_name) == ("142042", "鎌倉市")
    assert (doc.plan_name, doc.plan_start_fy, doc.plan_end_fy) == ("テスト計画", 2020, 2025)
    assert doc.vision == "ともに"
    assert doc.fiscal_year == 2024
    assert doc.years == (2020, 2021, 2022, 2023, 2024)
    assert doc.is_draft is True
    assert doc.is_demo is False
    assert doc.published_at is None
    assert [(row.code, row.label) for row in doc.grade_legend] == [
        ("A", "順調"),
        ("B", "概ね順調"),
        ("C", "やや遅れている"),
        ("D", "遅れている"),
    ]


def test_published_cycle_is_not_a_draft(report_plan: dict[str, Any]) -> None:
    cycle = report_plan["cycle"]
    when = dt.datetime(2025, 11, 28, 1, 0, tzinfo=dt.UTC)
    EvaluationCycle.objects.filter(pk=cycle.pk).update(
        status=CycleStatus.PUBLISHED, published_at=when
    )
    Plan.objects.filter(pk=report_plan["plan"].pk).update(is_demo=True)
    doc = build_document(_fresh(cycle))
    assert doc.is_draft is False
    assert doc.published_at == when
    assert doc.is_demo is True


def test_structure_only_goals_in_force_and_originals_counted(report_plan: dict[str, Any]) -> None:
    doc = build_document(_fresh(report_plan["cycle"]))
    assert [(g.number, g.name, g.applies_from_fy) for g in doc.structure] == [
        (1, "相談", None),
        (2, "情報", 2020),
    ]
    goal1, goal2 = doc.structure
    assert [(p.number, p.name) for p in goal1.policies] == [(1, "施策一")]
    assert [(t.number, t.name, t.initiative_count) for t in goal1.policies[0].types] == [
        (1, "種類一", 4)
    ]
    # goal 2 holds only the 再掲 of initiative 1, which is not counted again
    assert [(t.number, t.initiative_count) for t in goal2.policies[0].types] == [(2, 0)]
    # goal 3 applies from 2025: not in the 2024 report, nor its indicator
    assert [section.number for section in doc.goals] == [1, 2]
    assert [entry.number for entry in doc.indicators] == [1, 2]


def test_indicators_values_and_status_from_plan_rule(report_plan: dict[str, Any]) -> None:
    doc = build_document(_fresh(report_plan["cycle"]))
    survey, count = doc.indicators
    assert survey.name == "相談できる人がいない割合"
    assert (survey.baseline, survey.target, survey.unit_label) == (
        Decimal("10.000"),
        Decimal("5.000"),
        "%",
    )
    assert survey.values == (YearValue(2024, Decimal("16.000"), ""),)
    assert survey.achievement == Decimal("-120.0")
    assert (survey.status_code, survey.status_label) == ("D", "遅れている")
    assert (survey.direction, survey.direction_label, survey.is_survey) == (
        "decrease",
        "減らす",
        True,
    )
    assert [(v.fiscal_year, v.value) for v in count.values] == [
        (2023, Decimal("150.000")),
        (2024, Decimal("210.000")),
    ]
    assert count.achievement == Decimal("110.0")
    assert (count.status_code, count.status_label, count.goal_number) == ("A", "順調", 2)


def test_values_after_the_report_year_are_left_out(report_plan: dict[str, Any]) -> None:
    cycle2023 = EvaluationCycle.objects.create(
        municipality=report_plan["plan"].municipality,
        plan=report_plan["plan"],
        fiscal_year=2023,
    )
    doc = build_document(_fresh(cycle2023))
    survey, count = doc.indicators
    assert survey.values == ()
    assert (survey.status_code, survey.status_label, survey.achievement) == ("", "実績なし", None)
    assert [v.fiscal_year for v in count.values] == [2023]
    assert count.achievement == Decimal("50.0")
    assert count.status_code == "C"
    assert doc.years == (2020, 2021, 2022, 2023)
    assert doc.title == "テスト計画 令和5年度 推進状況報告書"


def test_grades_and_directions_count_repost_once(report_plan: dict[str, Any]) -> None:
    doc = build_document(_fresh(report_plan["cycle"]))
    goal1, goal2 = doc.goals
    assert goal1.grade_counts == (
        CountRow("A", "順調", 1),
        CountRow("B", "概ね順調", 2),
        CountRow("C", "やや遅れている", 1),
        CountRow("D", "遅れている", 0),
    )
    assert goal1.direction_counts == (
        CountRow("拡充", "拡充", 0),
        CountRow("継続", "継続", 4),
        CountRow("見直し", "見直し", 0),
        CountRow("終了", "終了", 0),
    )
    assert [row.count for row in goal2.grade_counts] == [0, 0, 0, 0]
    assert [row.count for row in goal2.direction_counts] == [0, 0, 0, 0]
    assert [row.count for row in doc.totals] == [1, 2, 1, 0]


def test_initiatives_with_units_evaluation_and_repost(report_plan: dict[str, Any]) -> None:
    doc = build_document(_fresh(report_plan["cycle"]))
    goal1, goal2 = doc.goals
    assert [e.number for e in goal1.initiatives] == [1, 2, 3, 4]
    first = goal1.initiatives[0]
    assert first.title == "取組1"
    assert first.units == ("高齢者いきいき課", "福祉総務課")  # lead first
    assert (first.results, first.grade_code, first.grade_label, first.direction) == (
        "実施した。",
        "A",
        "順調",
        "継続",
    )
    assert (first.policy_number, first.type_number, first.type_name) == (1, 1, "種類一")
    assert first.repost_of_number is None
    assert goal1.initiatives[1].comments == (
        ReviewEntry("副委員長", "アウトリーチを広げてください。", "検討します。"),
    )
    assert first.comments == ()
    (repost,) = goal2.initiatives
    assert (repost.number, repost.title, repost.repost_of_number) == (5, "取組1", 1)
    assert (repost.grade_code, repost.results) == ("", "")


def test_unit_names_are_those_of_the_report_year(report_plan: dict[str, Any], units: Any) -> None:
    from sasaeai.accounts.models import UnitName

    unit = units["koreisha"]
    UnitName.objects.filter(unit=unit).update(valid_to_fy=2024)
    UnitName.objects.create(unit=unit, name="高齢者福祉課", valid_from_fy=2025)
    cycle2025 = EvaluationCycle.objects.create(
        municipality=report_plan["plan"].municipality, plan=report_plan["plan"], fiscal_year=2025
    )
    assert build_document(_fresh(report_plan["cycle"])).goals[0].initiatives[0].units == (
        "高齢者いきいき課",
        "福祉総務課",
    )
    assert build_document(_fresh(cycle2025)).goals[0].initiatives[0].units == (
        "高齢者福祉課",
        "福祉総務課",
    )


def test_only_published_reviews_unless_asked(report_plan: dict[str, Any]) -> None:
    cycle = _fresh(report_plan["cycle"])
    doc = build_document(cycle)
    assert doc.goals[0].reviews == (
        ReviewEntry("委員長", "相談の窓口が増えたことを評価します。", "引き続き取り組みます。"),
    )
    assert doc.goals[1].reviews == ()
    preview = build_document(cycle, include_unpublished=True)
    assert [r.body for r in preview.goals[0].reviews] == [
        "相談の窓口が増えたことを評価します。",
        "まだ公表しない講評です。",
    ]
    assert "まだ公表しない講評です。" not in [slot.text for slot in doc.texts()]


def test_summaries_follow_the_plan_headings(report_plan: dict[str, Any]) -> None:
    doc = build_document(_fresh(report_plan["cycle"]))
    assert doc.goals[0].summaries == (
        SummaryEntry("❶社会動向", "高齢化が進んだ。"),
        SummaryEntry("❸今後進むべき方向性", "相談支援を続けます。"),
    )
    assert doc.goals[1].summaries == ()


def test_glossary_has_only_kept_terms_used_in_the_report(
    report_plan: dict[str, Any], kamakura: Any, fujisawa: Any
) -> None:
    KeptTerm.objects.create(
        municipality=kamakura, term="アウトリーチ", explanation="出向いて支援すること。"
    )
    KeptTerm.objects.create(municipality=kamakura, term="ピアサポート", explanation="仲間の支え。")
    KeptTerm.objects.create(municipality=fujisawa, term="高齢化", explanation="藤沢市の解説。")
    doc = build_document(_fresh(report_plan["cycle"]))
    assert doc.glossary == (GlossaryEntry("アウトリーチ", "出向いて支援すること。"),)


def test_texts_anchor_every_piece_of_prose(report_plan: dict[str, Any]) -> None:
    doc = build_document(_fresh(report_plan["cycle"]))
    slots = [(s.location, s.field, s.anchor) for s in doc.texts()]
    assert ("取組 1 取組1", "実施内容・実績", "initiative-1") in slots
    assert ("取組 2 取組2", "委員のコメント 1", "initiative-2") in slots
    assert ("基本目標 1 の講評", "市の対応 1", "review-1") in slots
    assert ("基本目標 1 の総括", "❶社会動向", "summary-1") in slots


@pytest.mark.parametrize("size", [3, 40])
def test_constant_number_of_queries(
    kamakura: Any, units: Any, size: int, django_assert_num_queries: Any
) -> None:
    cycle = _fresh(build_plan(kamakura, units, initiatives=size)["cycle"])
    with django_assert_num_queries(12):
        doc = build_document(cycle)
    assert sum(len(section.initiatives) for section in doc.goals) == size + 1


def test_cycle_for_picks_the_plan_in_force(report_plan: dict[str, Any], kamakura: Any) -> None:
    assert cycle_for(kamakura, 2024).pk == report_plan["cycle"].pk
    assert cycle_for(kamakura, 2024, "テスト計画").pk == report_plan["cycle"].pk
    with pytest.raises(DomainError) as no_cycle:
        cycle_for(kamakura, 2023)
    assert no_cycle.value.code == "cycle_not_found"
    assert no_cycle.value.message == "計画「テスト計画」の令和5年度の進捗調査はまだありません。"
    with pytest.raises(DomainError) as no_plan:
        cycle_for(kamakura, 2030)
    assert no_plan.value.code == "plan_not_found"
    assert no_plan.value.message == "鎌倉市には令和12年度に期間が及ぶ計画がありません。"
    with pytest.raises(DomainError) as unknown:
        cycle_for(kamakura, 2024, "ない計画")
    assert unknown.value.message == "計画「ない計画」は鎌倉市にありません。"


def test_number_formats() -> None:
    assert format_number(Decimal("1234.500")) == "1,234.5"
    assert format_number(Decimal("16.000")) == "16"
    assert format_number(None) == "—"
    assert format_value(Decimal("12000"), "件") == "12,000件"
    assert format_percent(Decimal("104.55")) == "104.6%"
    assert format_percent(Decimal("-120")) == "-120.0%"


def test_demo_report_2024() -> None:
    """The loaded demo (slow: loads the whole demo once)."""
    call_command("loaddemo", verbosity=0)
    from sasaeai.accounts.models import Municipality

    kamakura = Municipality.objects.get(code="142042")
    doc = build_document(cycle_for(kamakura, 2024))
    assert doc.title == "鎌倉市地域福祉計画 令和6年度 推進状況報告書"
    assert (doc.is_demo, doc.is_draft) == (True, False)
    assert doc.published_at == dt.datetime(2025, 11, 28, 1, 0, tzinfo=dt.UTC)
    # goal 6 (ケアラーへの支援) applies from 令和7年度
    assert [g.number for g in doc.structure] == [1, 2, 3, 4, 5]
    originals = [
        sum(t.initiative_count for p in g.policies for t in p.types) for g in doc.structure
    ]
    assert originals == [41, 45, 49, 40, 20]
    assert sum(row.count for row in doc.totals) == 195
    for section, count in zip(doc.goals, originals, strict=True):
        assert sum(row.count for row in section.grade_counts) == count
        assert len(section.reviews) == 1
        assert [s.heading for s in section.summaries] == [
            "❶社会動向",
            "❷進捗管理の状況",
            "❸今後進むべき方向性",
            "❹その他",
            "❺注釈",
        ]
    reposts = [e for s in doc.goals for e in s.initiatives if e.repost_of_number is not None]
    assert len(reposts) == 6  # 8 in all, two of them under goal 6
    assert all(e.grade_code == "" for e in reposts)
    assert len(doc.indicators) == 19

    later = build_document(cycle_for(kamakura, 2025))
    assert later.is_draft is True
    # the open 令和7年度: the 案 counts what publishing would show (approved evaluations, as
    # the public pages count), the secretariat's check every evaluation with a grade
    assert sum(row.count for row in later.totals) == 63
    checked = build_document(cycle_for(kamakura, 2025), include_unpublished=True)
    assert sum(row.count for row in checked.totals) == 140
    assert [g.number for g in later.structure] == [1, 2, 3, 4, 5, 6]
    assert (
        sum(t.initiative_count for g in later.structure for p in g.policies for t in p.types) == 203
    )


def test_the_report_shows_approved_evaluations_only(report_plan: dict[str, Any]) -> None:
    """A returned or submitted evaluation is left out of the report (and its counts), as on
    the public pages; the secretariat's check (include_unpublished) shows it, marked 案."""
    from sasaeai.plans.models import Evaluation, EvaluationState

    cycle = _fresh(report_plan["cycle"])
    first, second = report_plan["initiatives"][:2]
    Evaluation.objects.filter(cycle=cycle, initiative=first).update(
        state=EvaluationState.RETURNED, results="差し戻した実績", return_comment="理由"
    )
    Evaluation.objects.filter(cycle=cycle, initiative=second).update(
        state=EvaluationState.SUBMITTED
    )
    doc = build_document(cycle)
    entries = {e.number: e for e in doc.goals[0].initiatives}
    assert (entries[1].results, entries[1].grade_code, entries[1].draft_note) == ("", "", "")
    assert (entries[2].results, entries[2].grade_code) == ("", "")
    assert (entries[3].grade_code, entries[3].results) == ("B", "実施した。")
    assert [row.count for row in doc.totals] == [0, 1, 1, 0]  # was A 1, B 2, C 1
    assert "差し戻した実績" not in [slot.text for slot in doc.texts()]
    assert doc.is_draft is True  # the open cycle: what publishing it would show, as a 案

    check = build_document(cycle, include_unpublished=True)
    entries = {e.number: e for e in check.goals[0].initiatives}
    assert (entries[1].results, entries[1].grade_code, entries[1].draft_note) == (
        "差し戻した実績",
        "A",
        "未承認（差し戻し）",
    )
    assert entries[2].draft_note == "未承認（提出済み）"
    assert entries[3].draft_note == ""
    assert [row.count for row in check.totals] == [1, 2, 1, 0]
    assert [(r.body, r.draft_note) for r in check.goals[0].reviews] == [
        ("相談の窓口が増えたことを評価します。", ""),
        ("まだ公表しない講評です。", "公表しない"),
    ]
    assert check.is_draft is True

    # a published cycle: the published report, unless the check is asked for
    EvaluationCycle.objects.filter(pk=cycle.pk).update(
        status=CycleStatus.PUBLISHED, published_at=dt.datetime(2025, 6, 30, tzinfo=dt.UTC)
    )
    cycle = _fresh(cycle)
    published = build_document(cycle)
    assert published.is_draft is False
    assert [row.count for row in published.totals] == [0, 1, 1, 0]
    checked = build_document(cycle, include_unpublished=True)
    assert (checked.is_draft, checked.published_at) == (True, None)
