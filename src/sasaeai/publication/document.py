"""The annual report (推進状況報告書) as one document model, rendered to HTML, PDF, XLSX and CSV.

``publication.selectors.published.build_document(cycle, ...)`` fills a :class:`ReportDocument`
from the database in a constant number of queries, through the published read model's wall; the
public pages, the feed and the public API read the same entries. Every renderer reads only this
model, so the four formats say the same thing. Plain data only: no model instances and no database access
(only Django's translation functions) — a renderer can be tested with a hand-made document.

Order of the report (issue: 推進状況報告書):
cover and contents → 計画の概要 (vision, goal → 施策 → 取組の種類 structure) → 進捗管理の状況
(1) 成果指標 (2) 具体的な取組 per goal → 委員会の講評 per goal with the city's responses →
総括 per goal under its headings → 用語解説.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class TypeNode:
    """取組の種類 in the structure diagram."""

    number: int
    name: str
    initiative_count: int  # originals only; 再掲 rows are not counted


@dataclass(frozen=True)
class PolicyNode:
    """施策 in the structure diagram."""

    number: int
    name: str
    types: tuple[TypeNode, ...]


@dataclass(frozen=True)
class GoalNode:
    """基本目標 in the structure diagram."""

    number: int
    name: str
    description: str
    applies_from_fy: int | None
    policies: tuple[PolicyNode, ...]


@dataclass(frozen=True)
class YearValue:
    fiscal_year: int
    value: Decimal
    note: str = ""


@dataclass(frozen=True)
class IndicatorEntry:
    """成果指標 with every year's actual up to the report's 年度."""

    number: int
    goal_number: int
    name: str
    unit_label: str
    baseline: Decimal | None
    baseline_fy: int | None
    target: Decimal | None
    target_fy: int | None
    direction: str  # "increase" | "decrease" | "maintain"
    direction_label: str  # 増やす / 減らす / 維持
    source: str
    is_survey: bool
    values: tuple[YearValue, ...]  # ascending 年度, only years <= the report's 年度
    achievement: Decimal | None  # percent, from the plan's rule; None when not computable
    status_code: str  # the plan's indicator status code, "" when not judged
    status_label: str


@dataclass(frozen=True)
class CountRow:
    code: str
    label: str
    count: int


@dataclass(frozen=True)
class ReviewEntry:
    """A 講評 (per goal) or a comment on an initiative, with the city's response."""

    author_label: str
    body: str
    city_response: str
    draft_note: str = ""  # only in the secretariat's check (案): 「公表しない」


@dataclass(frozen=True)
class InitiativeEntry:
    number: int
    title: str
    description: str
    policy_number: int
    type_number: int
    type_name: str
    units: tuple[str, ...]  # 担当課 names in force that 年度, lead first
    results: str  # 実施内容・実績
    grade_code: str
    grade_label: str
    issues: str  # 課題
    direction: str  # 今後の方向性 (the plan's own wording)
    repost_of_number: int | None  # 再掲: the original's number; counted once in the tallies
    comments: tuple[ReviewEntry, ...] = ()  # published committee comments on this initiative
    draft_note: str = ""  # only in the secretariat's check (案): 「未承認（差し戻し）」


@dataclass(frozen=True)
class SummaryEntry:
    heading: str
    body: str


@dataclass(frozen=True)
class GoalSection:
    """One goal's part of 進捗管理の状況, 講評 and 総括."""

    number: int
    name: str
    grade_counts: tuple[CountRow, ...]  # the plan's grades in order, zeros included
    direction_counts: tuple[CountRow, ...]  # the plan's directions in order, zeros included
    initiatives: tuple[InitiativeEntry, ...]
    reviews: tuple[ReviewEntry, ...]  # published 講評 on this goal
    summaries: tuple[SummaryEntry, ...]  # 総括 under the plan's headings, in their order


@dataclass(frozen=True)
class GlossaryEntry:
    """用語解説: a term the plain-language check flagged and the secretariat kept."""

    term: str
    explanation: str


@dataclass(frozen=True)
class TextSlot:
    """One piece of prose in the report, for the plain-language gate.

    ``location`` says where it is (「取組 12 ○○」「基本目標 1 の講評」), ``field`` which
    field (「実施内容・実績」), ``anchor`` the id of its place in the HTML report.
    """

    location: str
    field: str
    text: str
    anchor: str


@dataclass(frozen=True)
class ReportDocument:
    municipality_code: str
    municipality_name: str
    plan_name: str
    plan_start_fy: int
    plan_end_fy: int
    vision: str
    fiscal_year: int
    title: str  # e.g. 鎌倉市地域福祉計画 令和6年度 推進状況報告書
    is_draft: bool  # True unless built from a published cycle
    is_demo: bool  # the plan holds invented (架空) data
    published_at: dt.datetime | None
    built_at: dt.datetime
    years: tuple[int, ...]  # the 年度 columns of the indicator tables: plan start .. report 年度
    grade_legend: tuple[CountRow, ...]  # the plan's grades (count unused, 0)
    structure: tuple[GoalNode, ...]
    indicators: tuple[IndicatorEntry, ...]
    goals: tuple[GoalSection, ...]
    glossary: tuple[GlossaryEntry, ...] = ()
    totals: tuple[CountRow, ...] = field(default=())  # grade counts over the whole plan

    def texts(self) -> Iterator[TextSlot]:
        """Every piece of prose a resident reads, in report order (for the plain-language gate)."""
        yield TextSlot(_("計画の概要"), _("基本理念"), self.vision, "overview")
        for goal in self.structure:
            if goal.description:
                yield TextSlot(
                    _("基本目標 {number} {name}").format(number=goal.number, name=goal.name),
                    _("説明"),
                    goal.description,
                    f"goal-{goal.number}",
                )
        for section in self.goals:
            for entry in section.initiatives:
                where = _("取組 {number} {title}").format(number=entry.number, title=entry.title)
                anchor = f"initiative-{entry.number}"
                for label, text in (
                    (_("内容"), entry.description),
                    (_("実施内容・実績"), entry.results),
                    (_("課題"), entry.issues),
                ):
                    if text:
                        yield TextSlot(where, label, text, anchor)
                for index, comment in enumerate(entry.comments, start=1):
                    yield TextSlot(
                        where, _("委員のコメント {index}").format(index=index), comment.body, anchor
                    )
                    if comment.city_response:
                        yield TextSlot(
                            where,
                            _("市の対応 {index}").format(index=index),
                            comment.city_response,
                            anchor,
                        )
            for index, review in enumerate(section.reviews, start=1):
                where = _("基本目標 {number} の講評").format(number=section.number)
                anchor = f"review-{section.number}"
                yield TextSlot(where, _("講評 {index}").format(index=index), review.body, anchor)
                if review.city_response:
                    yield TextSlot(
                        where,
                        _("市の対応 {index}").format(index=index),
                        review.city_response,
                        anchor,
                    )
            for summary in section.summaries:
                if summary.body:
                    yield TextSlot(
                        _("基本目標 {number} の総括").format(number=section.number),
                        summary.heading,
                        summary.body,
                        f"summary-{section.number}",
                    )


def format_number(value: Decimal | int | None) -> str:
    """A value as Japanese documents write it: thousands separators, no trailing zeros.

    ``Decimal("1234.500")`` → ``1,234.5``; ``None`` → ``—``.
    """
    if value is None:
        return "—"
    number = Decimal(value)
    if number == number.to_integral_value():
        return f"{number.quantize(Decimal(1)):,f}"
    return f"{number.normalize():,f}"


def format_value(value: Decimal | int | None, unit_label: str = "") -> str:
    """A value with its unit (``16%``, ``1,200件``); ``—`` when missing."""
    if value is None:
        return "—"
    return f"{format_number(value)}{unit_label}"


def format_percent(value: Decimal | None) -> str:
    """A percentage with one decimal place (``104.5%``); ``—`` when missing."""
    if value is None:
        return "—"
    return f"{Decimal(value).quantize(Decimal('0.1')):,f}%"
