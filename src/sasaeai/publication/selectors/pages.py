"""Reads for the public plan pages, the Atom feed, the public API and the public report list.

Each is made from the published read model (``selectors/published.py``), which applies the
wall: a page of a 年度 reads the same :class:`ReportDocument` as that 年度's published report,
so what a page counts and what the report counts cannot differ. Nothing here reads evaluations,
reviews or 総括 itself. Every function runs a constant number of queries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from sasaeai.core.wareki import format_fiscal_year
from sasaeai.plans.models import EvaluationCycle, Goal, Initiative
from sasaeai.plans.selectors.tree import plan_in_force
from sasaeai.publication.document import (
    CountRow,
    GoalNode,
    GoalSection,
    IndicatorEntry,
    InitiativeEntry,
    PolicyNode,
    ReportDocument,
    ReviewEntry,
    SummaryEntry,
    TypeNode,
    format_percent,
    format_value,
)
from sasaeai.publication.models import ReportFile, ReportFormat
from sasaeai.publication.selectors.published import (
    Audience,
    InitiativeYear,
    PublishedPlan,
    evaluated_count,
    grade_totals,
    indicator_entries,
    initiative_years,
    published_cycles,
    published_plans,
    report_title,
    status_counts,
    units_prefetch,
    year_document,
)


def featured_plan(plans: Sequence[PublishedPlan], fiscal_year: int) -> PublishedPlan | None:
    """The plan in force in ``fiscal_year`` if it has published results, else the newest one."""
    in_force = [p for p in plans if p.plan.covers(fiscal_year)]
    if in_force:
        return max(in_force, key=lambda p: p.plan.start_fy)
    return max(plans, key=lambda p: (p.plan.start_fy, p.plan.pk)) if plans else None


def find_plan(plans: Sequence[PublishedPlan], plan_id: int) -> PublishedPlan | None:
    return next((p for p in plans if p.plan.pk == plan_id), None)


# --- indicator cards ------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorCard:
    """An indicator with its figures written out for a page (``16.9%``, ``2,380件``)."""

    entry: IndicatorEntry
    baseline: str
    target: str
    latest: str
    latest_year: int | None
    achievement: str
    values: tuple[tuple[int, str, str], ...]  # (年度, value, note)


def indicator_card(entry: IndicatorEntry) -> IndicatorCard:
    last = entry.values[-1] if entry.values else None
    unit = entry.unit_label
    return IndicatorCard(
        entry=entry,
        baseline=format_value(entry.baseline, unit),
        target=format_value(entry.target, unit),
        latest=format_value(last.value if last else None, unit),
        latest_year=last.fiscal_year if last else None,
        achievement=format_percent(entry.achievement),
        values=tuple((v.fiscal_year, format_value(v.value, unit), v.note) for v in entry.values),
    )


# --- a goal's 施策 → 種類 → 取組 ------------------------------------------------------------


@dataclass(frozen=True)
class TypeSection:
    initiative_type: TypeNode
    initiatives: list[InitiativeEntry]


@dataclass(frozen=True)
class PolicySection:
    policy: PolicyNode
    types: list[TypeSection]


def policy_sections(node: GoalNode, section: GoalSection) -> list[PolicySection]:
    """The goal's 施策 and 取組の種類 with the report's entries under each."""
    by_type: dict[tuple[int, int], list[InitiativeEntry]] = {}
    for entry in section.initiatives:
        by_type.setdefault((entry.policy_number, entry.type_number), []).append(entry)
    return [
        PolicySection(
            policy,
            [TypeSection(t, by_type.get((policy.number, t.number), [])) for t in policy.types],
        )
        for policy in node.policies
    ]


# --- plan at a glance -----------------------------------------------------------------------


@dataclass(frozen=True)
class GoalGlance:
    goal: GoalNode
    section: GoalSection
    indicators: list[IndicatorEntry]
    indicator_counts: tuple[CountRow, ...]
    evaluated: int

    @property
    def grade_counts(self) -> tuple[CountRow, ...]:
        return self.section.grade_counts

    @property
    def cards(self) -> list[IndicatorCard]:
        return [indicator_card(entry) for entry in self.indicators]

    @property
    def policies(self) -> list[PolicySection]:
        return policy_sections(self.goal, self.section)


@dataclass(frozen=True)
class PlanGlance:
    published: PublishedPlan
    fiscal_year: int
    document: ReportDocument
    goals: list[GoalGlance]
    totals: tuple[CountRow, ...]
    evaluated: int
    indicator_counts: tuple[CountRow, ...]
    published_at: dt.datetime | None


def plan_glance(published: PublishedPlan, fiscal_year: int, *, texts: bool = False) -> PlanGlance:
    """Per goal: the grade counts of a published ``fiscal_year`` and the indicator statuses —
    the figures of that 年度's published report (7 queries; 11 with ``texts``: units, 講評,
    comments and 総括)."""
    plan = published.plan
    document = year_document(published.cycles[fiscal_year], Audience.PUBLIC, texts=texts)
    nodes = {node.number: node for node in document.structure}
    goals = []
    for section in document.goals:
        entries = [e for e in document.indicators if e.goal_number == section.number]
        goals.append(
            GoalGlance(
                goal=nodes[section.number],
                section=section,
                indicators=entries,
                indicator_counts=status_counts(plan, entries),
                evaluated=evaluated_count(plan, section.grade_counts),
            )
        )
    return PlanGlance(
        published=published,
        fiscal_year=fiscal_year,
        document=document,
        goals=goals,
        totals=document.totals,
        evaluated=evaluated_count(plan, document.totals),
        indicator_counts=status_counts(plan, list(document.indicators)),
        published_at=document.published_at,
    )


# --- a goal ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoalDetail:
    published: PublishedPlan
    fiscal_year: int
    goal: GoalNode
    policies: list[PolicySection]
    grade_counts: tuple[CountRow, ...]
    evaluated: int
    indicators: list[IndicatorEntry]
    reviews: tuple[ReviewEntry, ...]
    summaries: tuple[SummaryEntry, ...]

    @property
    def cards(self) -> list[IndicatorCard]:
        return [indicator_card(entry) for entry in self.indicators]


def goal_detail(published: PublishedPlan, number: int) -> GoalDetail | None:
    """A goal's 施策, 取組の種類 and 取組 with the latest published 年度's results (11 queries).

    ``None`` when the plan has no such goal in that 年度.
    """
    glance = plan_glance(published, published.latest_year, texts=True)
    goal = next((g for g in glance.goals if g.goal.number == number), None)
    if goal is None:
        return None
    return GoalDetail(
        published=published,
        fiscal_year=glance.fiscal_year,
        goal=goal.goal,
        policies=goal.policies,
        grade_counts=goal.grade_counts,
        evaluated=goal.evaluated,
        indicators=goal.indicators,
        reviews=goal.section.reviews,
        summaries=goal.section.summaries,
    )


# --- an initiative across the published years ------------------------------------------------


@dataclass(frozen=True)
class LinkedInitiative:
    """An initiative in another published plan (predecessor or successor)."""

    plan_id: int
    plan_name: str
    number: int
    title: str


@dataclass(frozen=True)
class InitiativeDetail:
    published: PublishedPlan
    initiative: Initiative
    goal: Goal
    years: list[InitiativeYear]  # newest first
    predecessors: list[LinkedInitiative]
    successor: LinkedInitiative | None

    @property
    def policy(self) -> Any:
        return self.initiative.initiative_type.policy

    @property
    def initiative_type(self) -> Any:
        return self.initiative.initiative_type


def initiative_detail(
    published: PublishedPlan, number: int, plans: Sequence[PublishedPlan]
) -> InitiativeDetail | None:
    """An initiative's record in every published 年度 in which its goal applies (six queries).

    Predecessors and the successor are given only when their plan has published results.
    """
    initiative = (
        Initiative.objects.filter(plan=published.plan, number=number)
        .select_related("initiative_type__policy__goal", "repost_of", "successor__plan")
        .prefetch_related(units_prefetch())
        .first()
    )
    if initiative is None:
        return None
    goal = initiative.initiative_type.policy.goal
    years = [fy for fy in published.years if goal.applies_in(fy)]
    if not years:
        return None
    visible_plans = {p.plan.pk for p in plans}
    predecessors = [
        LinkedInitiative(p.plan_id, p.plan.name, p.number, p.title)
        for p in Initiative.objects.filter(successor=initiative, plan_id__in=visible_plans)
        .select_related("plan")
        .order_by("plan__start_fy", "number")
    ]
    successor = None
    if initiative.successor is not None and initiative.successor.plan_id in visible_plans:
        s = initiative.successor
        successor = LinkedInitiative(s.plan_id, s.plan.name, s.number, s.title)
    return InitiativeDetail(
        published=published,
        initiative=initiative,
        goal=goal,
        years=initiative_years(published, initiative, years),
        predecessors=predecessors,
        successor=successor,
    )


# --- indicators ---------------------------------------------------------------------------


def _goal_ids_in(published: PublishedPlan, fiscal_year: int) -> list[int]:
    return [g.pk for g in Goal.objects.filter(plan=published.plan) if g.applies_in(fiscal_year)]


def public_indicators(published: PublishedPlan) -> list[IndicatorEntry]:
    """Indicators of the goals that apply in the latest published 年度 (three queries)."""
    fiscal_year = published.latest_year
    goal_ids = _goal_ids_in(published, fiscal_year)
    return indicator_entries(published.plan, fiscal_year, goal_ids=goal_ids)


def public_indicator(published: PublishedPlan, number: int) -> IndicatorEntry | None:
    """One indicator, if its goal applies in the latest published 年度 (three queries)."""
    fiscal_year = published.latest_year
    goal_ids = _goal_ids_in(published, fiscal_year)
    found = indicator_entries(published.plan, fiscal_year, goal_ids=goal_ids, number=number)
    return found[0] if found else None


def chart_years(published: PublishedPlan) -> tuple[int, ...]:
    """The 年度 columns of indicator charts: the plan's first 年度 to the latest published."""
    return tuple(range(published.plan.start_fy, published.latest_year + 1))


# --- the feed -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedEntry:
    published: PublishedPlan
    fiscal_year: int
    published_at: dt.datetime | None
    totals: tuple[CountRow, ...]
    evaluated: int


def feed_entries(plans: Sequence[PublishedPlan]) -> list[FeedEntry]:
    """One entry per published cycle, newest first, with its grade totals (one query)."""
    totals = grade_totals(plans)
    entries = [
        FeedEntry(
            published=published,
            fiscal_year=fy,
            published_at=cycle.published_at,
            totals=totals[cycle.pk],
            evaluated=evaluated_count(published.plan, totals[cycle.pk]),
        )
        for published in plans
        for fy, cycle in published.cycles.items()
    ]
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    entries.sort(key=lambda e: (e.published_at or epoch, e.fiscal_year), reverse=True)
    return entries


# --- the public report list and downloads ------------------------------------------------------


@dataclass(frozen=True)
class ReportLink:
    """One format of a published report, with its public download address."""

    format: str  # html | pdf | xlsx | csv
    label: str  # HTML, PDF, Excel（XLSX）, CSV（オープンデータ）
    url: str  # path, e.g. /m/142042/reports/2024/pdf/
    size: int | None  # bytes, when the file is already stored


@dataclass(frozen=True)
class PublishedReport:
    """A published 推進状況報告書: one plan, one 年度."""

    plan_id: int
    plan_name: str
    fiscal_year: int
    fiscal_year_label: str  # 令和6年度
    title: str  # 鎌倉市地域福祉計画 令和6年度 推進状況報告書
    published_at: dt.datetime
    is_demo: bool  # the plan holds invented (架空) data
    formats: tuple[ReportLink, ...]

    def link(self, fmt: str) -> ReportLink | None:
        return next((link for link in self.formats if link.format == fmt), None)


def download_url(code: str, fiscal_year: int, fmt: str, plan_id: int | None = None) -> str:
    """The public address of a report file; ``plan_id`` only when a 年度 has two reports."""
    url = reverse(
        "reports_public:download", kwargs={"code": code, "fiscal_year": fiscal_year, "fmt": fmt}
    )
    return f"{url}?plan={plan_id}" if plan_id is not None else url


def _newest_first(cycles: Sequence[EvaluationCycle]) -> list[EvaluationCycle]:
    return sorted(cycles, key=lambda c: (-c.fiscal_year, -c.plan.start_fy, c.plan_id))


def published_reports(
    municipality: Any, plans: Sequence[PublishedPlan] | None = None
) -> list[PublishedReport]:
    """Every published report of a municipality, newest 年度 first (2 queries; 1 when the
    published ``plans`` are given).

    Download URLs name the plan (``?plan=``) only in a 年度 for which two plans published a
    report.
    """
    if plans is None:
        plans = published_plans(municipality)
    cycles = _newest_first([cycle for p in plans for cycle in p.cycles.values()])
    sizes = {
        (cycle_id, fmt): size
        for cycle_id, fmt, size in ReportFile.objects.filter(
            cycle__in=[cycle.pk for cycle in cycles]
        ).values_list("cycle_id", "format", "size")
    }
    per_year: dict[int, int] = {}
    for cycle in cycles:
        per_year[cycle.fiscal_year] = per_year.get(cycle.fiscal_year, 0) + 1
    code = municipality.code
    reports = []
    for cycle in cycles:
        assert cycle.published_at is not None
        plan_id = cycle.plan_id if per_year[cycle.fiscal_year] > 1 else None
        reports.append(
            PublishedReport(
                plan_id=cycle.plan_id,
                plan_name=cycle.plan.name,
                fiscal_year=cycle.fiscal_year,
                fiscal_year_label=format_fiscal_year(cycle.fiscal_year),
                title=report_title(cycle.plan.name, cycle.fiscal_year),
                published_at=cycle.published_at,
                is_demo=cycle.plan.is_demo,
                formats=tuple(
                    ReportLink(
                        format=fmt,
                        label=str(label),
                        url=download_url(code, cycle.fiscal_year, fmt, plan_id),
                        size=sizes.get((cycle.pk, fmt)),
                    )
                    for fmt, label in ReportFormat.choices
                ),
            )
        )
    return reports


def published_cycle(
    municipality: Any, fiscal_year: int, plan_id: int | None = None
) -> EvaluationCycle | None:
    """The published cycle to serve for a 年度: the named plan's, else the plan in force's.

    ``None`` when there is none — an unpublished cycle is never returned.
    """
    cycles = _newest_first(
        [
            cycle
            for cycle in published_cycles(municipality).filter(fiscal_year=fiscal_year)
            if plan_id is None or cycle.plan_id == plan_id
        ]
    )
    if len(cycles) <= 1:
        return cycles[0] if cycles else None
    in_force = plan_in_force(municipality, fiscal_year)
    return next((c for c in cycles if in_force and c.plan_id == in_force.pk), cycles[0])
