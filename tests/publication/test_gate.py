"""The plain-language gate over a report: grouping, counts, context and kept terms."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sasaeai.plainlang.engine import Checker, Config, GlossaryEntry
from sasaeai.publication.document import (
    GoalNode,
    GoalSection,
    InitiativeEntry,
    ReportDocument,
    ReviewEntry,
    SummaryEntry,
)
from sasaeai.publication.gate import checker_config, gate_check, gate_checker, normalise_term

RESULTS = "相談事業が完了した。アウトリーチを行った。"


def initiative(number: int, title: str, results: str, issues: str = "") -> InitiativeEntry:
    return InitiativeEntry(
        number=number,
        title=title,
        description="",
        policy_number=1,
        type_number=1,
        type_name="相談",
        units=("福祉総務課",),
        results=results,
        grade_code="A",
        grade_label="順調",
        issues=issues,
        direction="継続",
        repost_of_number=None,
    )


def make_document(**changes: Any) -> ReportDocument:
    section = GoalSection(
        number=1,
        name="相談",
        grade_counts=(),
        direction_counts=(),
        initiatives=(
            initiative(1, "相談窓口", RESULTS, issues="アウトリーチの担い手が足りない。"),
            initiative(2, "講座", "講座を3回開いた。"),
        ),
        reviews=(ReviewEntry("委員長", "アウトリーチを広げてください。", "検討します。"),),
        summaries=(SummaryEntry("❸今後進むべき方向性", "講座の事業が完了しました。"),),
    )
    values: dict[str, Any] = {
        "municipality_code": "142042",
        "municipality_name": "鎌倉市",
        "plan_name": "テスト計画",
        "plan_start_fy": 2020,
        "plan_end_fy": 2025,
        "vision": "ともに生きるまち",
        "fiscal_year": 2024,
        "title": "テスト計画 令和6年度 推進状況報告書",
        "is_draft": False,
        "is_demo": False,
        "published_at": None,
        "built_at": dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
        "years": (2020, 2021, 2022, 2023, 2024),
        "grade_legend": (),
        "structure": (GoalNode(1, "相談", "", None, ()),),
        "indicators": (),
        "goals": (section,),
    }
    values.update(changes)
    return ReportDocument(**values)


def summary(result: Any) -> list[tuple[str, str, list[tuple[str, str, str, str | None]]]]:
    """(location, field, [(severity, rule, text, suggestion)]) in the gate's order."""
    return [
        (
            location.location,
            group.field,
            [(f.severity, f.rule, f.text, f.suggestion) for f in group.findings],
        )
        for location in result.locations
        for group in location.fields
    ]


def test_findings_are_grouped_by_place_then_field_in_report_order() -> None:
    result = gate_check(make_document(), Checker(Config()))

    assert summary(result) == [
        (
            "取組 1 相談窓口",
            "実施内容・実績",
            [
                ("warning", "expression", "相談事業が完了した", "相談事業を実施した"),
                ("warning", "loanword", "アウトリーチ", "訪問による支援"),
            ],
        ),
        (
            "取組 1 相談窓口",
            "課題",
            [("warning", "loanword", "アウトリーチ", "訪問による支援")],
        ),
        (
            "基本目標 1 の講評",
            "講評 1",
            [("warning", "loanword", "アウトリーチ", "訪問による支援")],
        ),
        (
            "基本目標 1 の総括",
            "❸今後進むべき方向性",
            [("warning", "expression", "事業が完了しました", "事業を実施しました")],
        ),
    ]
    assert [(loc.location, loc.anchor, loc.count) for loc in result.locations] == [
        ("取組 1 相談窓口", "initiative-1", 3),
        ("基本目標 1 の講評", "review-1", 1),
        ("基本目標 1 の総括", "summary-1", 1),
    ]
    assert result.counts == {"error": 0, "warning": 5, "info": 0}
    assert (result.open_errors, result.total, result.slots_checked) == (0, 5, 7)


def test_a_finding_carries_message_context_anchor_and_place() -> None:
    result = gate_check(make_document(), Checker(Config()))
    first, second = result.locations[0].fields[0].findings

    assert first.message == (
        "「相談事業が完了した」では、誰が何をしたのかが伝わりません。"
        "「相談事業を実施した」のように、行ったことを書いてください。"
    )
    assert (first.before, first.text, first.after) == (
        "",
        "相談事業が完了した",
        "。アウトリーチを行った。",
    )
    assert (second.before, second.text, second.after) == (
        "相談事業が完了した。",
        "アウトリーチ",
        "を行った。",
    )
    assert (second.offset, second.line, second.column, second.anchor) == (10, 1, 11, "initiative-1")
    assert (second.severity_label, second.rule_label, second.can_keep) == (
        "警告",
        "カタカナ語",
        True,
    )
    assert (first.rule_label, first.can_keep) == ("言い換えてほしい表現", False)


def test_long_text_context_is_cut_with_ellipses() -> None:
    text = "あ" * 30 + "アウトリーチ" + "い" * 30 + "。"
    document = make_document(vision=text, goals=())
    result = gate_check(document, Checker(Config()))
    assert [f.rule for f in result.findings()] == ["sentence-length", "loanword"]
    finding = list(result.findings())[1]

    assert finding.before == "…" + "あ" * 20
    assert finding.after == "い" * 20 + "…"
    assert (finding.anchor, finding.offset) == ("overview", 30)


def test_glossary_terms_are_errors_and_kept_terms_are_silenced() -> None:
    config = Config(glossary=(GlossaryEntry("アウトリーチ", "訪問による支援"),))
    result = gate_check(make_document(), Checker(config))
    assert result.counts == {"error": 3, "warning": 2, "info": 0}
    assert result.open_errors == 3
    assert [f.text for f in result.findings() if f.severity == "error"] == ["アウトリーチ"] * 3

    kept = gate_check(make_document(), Checker(checker_config(config, [" アウトリーチ "])))
    assert kept.counts == {"error": 0, "warning": 2, "info": 0}
    assert kept.open_errors == 0
    assert [f.rule for f in kept.findings()] == ["expression", "expression"]


def test_a_term_explained_once_is_not_flagged_again_later_in_the_report() -> None:
    document = make_document(vision="アウトリーチ（訪問による支援）を進めるまち")
    result = gate_check(document, Checker(Config()))

    assert [f.rule for f in result.findings()] == ["expression", "expression"]


def test_a_clean_document_has_nothing_to_report() -> None:
    result = gate_check(make_document(goals=()), Checker(Config()))
    assert (result.locations, result.total, result.open_errors) == ((), 0, 0)
    assert result.counts == {"error": 0, "warning": 0, "info": 0}


def test_terms_are_normalised() -> None:
    assert normalise_term("  ｱｳﾄﾘｰﾁ\u3000") == "アウトリーチ"
    assert normalise_term("ＮＰＯ") == "NPO"
    assert checker_config(Config(), ["", "  "]) == Config()


@pytest.mark.django_db
def test_gate_checker_uses_the_municipalitys_glossary_and_kept_terms(kamakura: Any) -> None:
    from sasaeai.plainlang.models import GlossaryTerm
    from sasaeai.publication.models import KeptTerm

    GlossaryTerm.objects.create(municipality=kamakura, term="アウトリーチ", paraphrase="訪問支援")
    assert gate_check(make_document(), gate_checker(kamakura)).open_errors == 3

    KeptTerm.objects.create(municipality=kamakura, term="アウトリーチ", explanation="訪ねる支援")
    result = gate_check(make_document(), gate_checker(kamakura))
    assert result.counts == {"error": 0, "warning": 2, "info": 0}


@pytest.mark.django_db
def test_a_kept_term_appears_in_the_documents_glossary(report_plan: dict[str, Any]) -> None:
    from sasaeai.publication.models import KeptTerm
    from sasaeai.publication.selectors.published import build_document

    cycle = report_plan["cycle"]
    KeptTerm.objects.create(
        municipality=cycle.municipality, term="アウトリーチ", explanation="訪ねていく支援。"
    )
    KeptTerm.objects.create(municipality=cycle.municipality, term="ノウハウ", explanation="こつ。")
    document = build_document(cycle)

    assert [(e.term, e.explanation) for e in document.glossary] == [
        ("アウトリーチ", "訪ねていく支援。")
    ]
    result = gate_check(document, gate_checker(cycle.municipality))
    assert "アウトリーチ" not in [f.text for f in result.findings()]


@pytest.mark.django_db
def test_the_gate_checker_reads_a_constant_number_of_queries(
    kamakura: Any, django_assert_num_queries: Any
) -> None:
    from sasaeai.publication.models import KeptTerm

    with django_assert_num_queries(5):
        gate_checker(kamakura)
    KeptTerm.objects.bulk_create(
        KeptTerm(municipality=kamakura, term=f"テスト{n}", explanation="説明") for n in range(20)
    )
    with django_assert_num_queries(5):
        gate_checker(kamakura)
