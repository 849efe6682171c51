"""Hand-made report documents, so the renderers are tested without the database or the builder.

``make_document()`` is a small, fully known report: 鎌倉市, plan 令和2〜7年度, report 年度 2024
(令和6年度), two goals, three indicators, four initiatives (one of them 再掲), reviews,
comments, summaries and a glossary. Keyword arguments replace any field of the document.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sasaeai.publication.document import (
    CountRow,
    GlossaryEntry,
    GoalNode,
    GoalSection,
    IndicatorEntry,
    InitiativeEntry,
    PolicyNode,
    ReportDocument,
    ReviewEntry,
    SummaryEntry,
    TypeNode,
    YearValue,
)

TOKYO = ZoneInfo("Asia/Tokyo")
BUILT_AT = dt.datetime(2025, 11, 28, 10, 30, tzinfo=TOKYO)
PUBLISHED_AT = dt.datetime(2025, 11, 20, 9, 0, tzinfo=TOKYO)

# Text a spreadsheet could take for a formula, and text that needs CSV quoting.
FORMULA_TEXT = '=HYPERLINK("http://example.com","x")'
TRICKY_TEXT = 'A,B "引用" 改行\nのあと'

GRADES = (
    CountRow("A", "順調", 0),
    CountRow("B", "概ね順調", 0),
    CountRow("C", "やや遅れている", 0),
    CountRow("D", "遅れている", 0),
)
DIRECTIONS = ("拡充", "継続", "見直し", "終了")


def grade_counts(**counts: int) -> tuple[CountRow, ...]:
    return tuple(CountRow(g.code, g.label, counts.get(g.code, 0)) for g in GRADES)


def direction_counts(*counts: int) -> tuple[CountRow, ...]:
    return tuple(CountRow(d, d, n) for d, n in zip(DIRECTIONS, counts, strict=True))


def structure() -> tuple[GoalNode, ...]:
    return (
        GoalNode(
            number=1,
            name="総合的な相談体制の確立",
            description="だれもが相談できる体制をつくります。",
            applies_from_fy=None,
            policies=(
                PolicyNode(
                    1,
                    "相談窓口の充実",
                    (TypeNode(1, "相談支援", 2), TypeNode(2, "情報提供", 0)),
                ),
            ),
        ),
        GoalNode(
            number=2,
            name="包括的支援体制の構築",
            description="",
            applies_from_fy=2021,
            policies=(PolicyNode(2, "関係機関の連携", (TypeNode(3, "ネットワーク", 1),)),),
        ),
    )


def indicators() -> tuple[IndicatorEntry, ...]:
    return (
        IndicatorEntry(
            number=1,
            goal_number=1,
            name="相談窓口の認知度",
            unit_label="%",
            baseline=Decimal("40.5"),
            baseline_fy=2019,
            target=Decimal("60.0"),
            target_fy=2025,
            direction="increase",
            direction_label="増やす",
            source="市民意識調査",
            is_survey=True,
            values=(
                YearValue(2020, Decimal("42.0")),
                YearValue(2022, Decimal("48.25"), note="（架空）市民意識調査（令和4年度実施）"),
                YearValue(2024, Decimal("55.0")),
            ),
            achievement=Decimal("74.4"),
            status_code="C",
            status_label="やや遅れている",
        ),
        IndicatorEntry(
            number=2,
            goal_number=1,
            name="相談件数",
            unit_label="件",
            baseline=Decimal("1200"),
            baseline_fy=2019,
            target=Decimal("1500"),
            target_fy=2025,
            direction="increase",
            direction_label="増やす",
            source=FORMULA_TEXT,
            is_survey=False,
            values=tuple(
                YearValue(year, Decimal(value))
                for year, value in ((2020, "1250"), (2021, "1310"), (2022, "1405"), (2023, "1460"))
            ),
            achievement=None,
            status_code="-",
            status_label="実績なし",
        ),
        IndicatorEntry(
            number=3,
            goal_number=2,
            name="待機期間の日数",
            unit_label="日",
            baseline=Decimal("-3.5"),
            baseline_fy=2020,
            target=None,
            target_fy=None,
            direction="decrease",
            direction_label="減らす",
            source="",
            is_survey=False,
            values=(YearValue(2024, Decimal("-1.25"), note=TRICKY_TEXT),),
            achievement=None,
            status_code="",
            status_label="",
        ),
    )


def goals() -> tuple[GoalSection, ...]:
    first = (
        InitiativeEntry(
            number=1,
            title="くらしと福祉の相談窓口の運営",
            description="分野を問わず相談を受けます。",
            policy_number=1,
            type_number=1,
            type_name="相談支援",
            units=("福祉総務課", "高齢者いきいき課"),
            results="相談を受けた。\n月に1回、事例検討会を開いた。",
            grade_code="A",
            grade_label="順調",
            issues="相談員の確保",
            direction="継続",
            repost_of_number=None,
            comments=(
                ReviewEntry("委員A", "窓口の周知をさらに進めてください。", "広報紙で周知します。"),
            ),
        ),
        InitiativeEntry(
            number=2,
            title="アウトリーチによる訪問",
            description="",
            policy_number=1,
            type_number=1,
            type_name="相談支援",
            units=("高齢者いきいき課",),
            results=FORMULA_TEXT,
            grade_code="B",
            grade_label="概ね順調",
            issues="-訪問先が多い",
            direction="拡充",
            repost_of_number=None,
        ),
    )
    second = (
        InitiativeEntry(
            number=3,
            title="支援会議の開催",
            description="",
            policy_number=2,
            type_number=3,
            type_name="ネットワーク",
            units=("福祉総務課",),
            results="年4回開いた。",
            grade_code="C",
            grade_label="やや遅れている",
            issues="",
            direction="見直し",
            repost_of_number=None,
        ),
        InitiativeEntry(
            number=4,
            title=TRICKY_TEXT,
            description="",
            policy_number=2,
            type_number=3,
            type_name="ネットワーク",
            units=("高齢者いきいき課",),
            results="再掲のため省略",
            grade_code="A",
            grade_label="順調",
            issues="",
            direction="継続",
            repost_of_number=1,
        ),
    )
    return (
        GoalSection(
            number=1,
            name="総合的な相談体制の確立",
            grade_counts=grade_counts(A=1, B=1),
            direction_counts=direction_counts(1, 1, 0, 0),
            initiatives=first,
            reviews=(
                ReviewEntry(
                    "推進委員会", "相談体制は順調に整っています。", "引き続き取り組みます。"
                ),
                ReviewEntry("委員B", "+周知が課題です。", ""),
            ),
            summaries=(
                SummaryEntry("❶社会動向", "国は重層的支援体制整備事業を進めています。"),
                SummaryEntry("❹その他", ""),
            ),
        ),
        GoalSection(
            number=2,
            name="包括的支援体制の構築",
            grade_counts=grade_counts(C=1),
            direction_counts=direction_counts(0, 0, 1, 0),
            initiatives=second,
            reviews=(),
            summaries=(SummaryEntry("❸今後進むべき方向性", "連携の場を広げます。"),),
        ),
    )


def make_document(**overrides: Any) -> ReportDocument:
    doc = ReportDocument(
        municipality_code="142042",
        municipality_name="鎌倉市",
        plan_name="鎌倉市地域福祉計画",
        plan_start_fy=2020,
        plan_end_fy=2025,
        vision="お互いを尊重し、支え合いながら、ともに活きるまち かまくら",
        fiscal_year=2024,
        title="鎌倉市地域福祉計画 令和6年度 推進状況報告書",
        is_draft=False,
        is_demo=True,
        published_at=PUBLISHED_AT,
        built_at=BUILT_AT,
        years=(2020, 2021, 2022, 2023, 2024),
        grade_legend=GRADES,
        structure=structure(),
        indicators=indicators(),
        goals=goals(),
        glossary=(GlossaryEntry("アウトリーチ", "支援が必要な人のところへ出向くこと。"),),
        totals=grade_counts(A=1, B=1, C=1),
    )
    return replace(doc, **overrides)
