"""Reads for the public plan pages, the Atom feed and the public API — published data only.

The wall, in one place (tests/plans_public/test_no_leak.py walks every public route):

* a plan appears only if it has at least one cycle with status ``published``;
* evaluations come only from published cycles, and only approved ones; their state, return
  comment and who edited them are never read out;
* 講評 and comments need ``Review.is_published`` as well; the reviewer is shown by the label
  the committee gave (``author_label``), never by the account;
* 総括 only from published cycles;
* indicator values only for 年度 up to the latest published 年度 (what the published report
  shows);
* goals only if they apply in a published 年度 (a goal added later appears with its first
  published 年度).

Every function runs a constant number of queries, whatever the size of the plan.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch
from django.utils.translation import gettext as _

from sasaeai.accounts.models import unit_names_prefetch
from sasaeai.plans import indicators as indicator_rules
from sasaeai.plans.models import (
    CycleStatus,
    Evaluation,
    EvaluationCycle,
    EvaluationState,
    Goal,
    Indicator,
    IndicatorValue,
    Initiative,
    InitiativeType,
    InitiativeUnit,
    Plan,
    Policy,
    Review,
    ReviewKind,
    Summary,
)
from sasaeai.reports.document import (
    CountRow,
    IndicatorEntry,
    ReviewEntry,
    SummaryEntry,
    YearValue,
    format_percent,
    format_value,
)

# --- published plans and years -------------------------------------------------------------


@dataclass(frozen=True)
class PublishedPlan:
    """A plan with its published 年度 (ascending) and when each was published."""

    plan: Plan
    years: tuple[int, ...]
    cycle_ids: dict[int, int]
    published_at: dict[int, dt.datetime | None]

    @property
    def latest_year(self) -> int:
        return self.years[-1]

    def is_published(self, fiscal_year: int) -> bool:
        return fiscal_year in self.cycle_ids


def published_plans(municipality: Any) -> list[PublishedPlan]:
    """The municipality's plans that have a published cycle, oldest first (one query)."""
    cycles = (
        EvaluationCycle.objects.filter(
            municipality=municipality,
            plan__municipality=municipality,
            status=CycleStatus.PUBLISHED,
        )
        .select_related("plan__municipality")
        .order_by("plan__start_fy", "plan_id", "fiscal_year")
    )
    by_plan: dict[int, list[EvaluationCycle]] = {}
    for cycle in cycles:
        by_plan.setdefault(cycle.plan_id, []).append(cycle)
    return [
        PublishedPlan(
            plan=rows[0].plan,
            years=tuple(c.fiscal_year for c in rows),
            cycle_ids={c.fiscal_year: c.pk for c in rows},
            published_at={c.fiscal_year: c.published_at for c in rows},
        )
        for rows in by_plan.values()
    ]


def featured_plan(plans: Sequence[PublishedPlan], fiscal_year: int) -> PublishedPlan | None:
    """The plan in force in ``fiscal_year`` if it has published results, else the newest one."""
    in_force = [p for p in plans if p.plan.covers(fiscal_year)]
    if in_force:
        return max(in_force, key=lambda p: p.plan.start_fy)
    return max(plans, key=lambda p: (p.plan.start_fy, p.plan.pk)) if plans else None


def find_plan(plans: Sequence[PublishedPlan], plan_id: int) -> PublishedPlan | None:
    return next((p for p in plans if p.plan.pk == plan_id), None)


# --- shared pieces ------------------------------------------------------------------------


def grade_rows(plan: Plan, counts: Counter[str]) -> tuple[CountRow, ...]:
    """The plan's grades in order with their counts, zeros included."""
    return tuple(
        CountRow(str(g["code"]), _(str(g["label"])), counts[str(g["code"])]) for g in plan.grades
    )


def status_label(plan: Plan, code: str, has_value: bool) -> tuple[str, str]:
    """(code, label) of an indicator status, as the report words it."""
    if code == indicator_rules.NO_DATA:
        return "", _("判定なし") if has_value else _("実績なし")
    if code == indicator_rules.STEADY:
        return code, _("現状維持")
    return code, _(plan.grade_label(code))


def _indicator_entry(
    plan: Plan, indicator: Indicator, values: Sequence[YearValue], fiscal_year: int
) -> IndicatorEntry:
    shown = tuple(v for v in values if v.fiscal_year <= fiscal_year)
    latest = shown[-1] if shown else None
    status = indicator_rules.status(
        direction=indicator.direction,
        baseline=indicator.baseline,
        target=indicator.target,
        actual=latest.value if latest else None,
        is_survey=indicator.is_survey,
        rule=plan.indicator_rule,
    )
    code, label = status_label(plan, status.code, latest is not None)
    return IndicatorEntry(
        number=indicator.number,
        goal_number=indicator.goal.number,
        name=indicator.name,
        unit_label=indicator.unit_label,
        baseline=indicator.baseline,
        baseline_fy=indicator.baseline_fy,
        target=indicator.target,
        target_fy=indicator.target_fy,
        direction=indicator.direction,
        direction_label=str(indicator.get_direction_display()),
        source=indicator.source,
        is_survey=indicator.is_survey,
        values=shown,
        achievement=status.achievement,
        status_code=code,
        status_label=label,
    )


def _year_values(indicators: Any, fiscal_year: int) -> dict[int, list[YearValue]]:
    """Values up to ``fiscal_year`` by indicator id, ascending (one query, no model objects)."""
    rows = (
        IndicatorValue.objects.filter(indicator__in=indicators, fiscal_year__lte=fiscal_year)
        .order_by("indicator_id", "fiscal_year")
        .values_list("indicator_id", "fiscal_year", "value", "note")
    )
    by_indicator: dict[int, list[YearValue]] = {}
    for indicator_id, year, value, note in rows:
        by_indicator.setdefault(indicator_id, []).append(YearValue(year, value, note))
    return by_indicator


def indicator_entries(
    plan: Plan, fiscal_year: int, *, goal_ids: Iterable[int] | None = None
) -> list[IndicatorEntry]:
    """Indicators (of the given goals) with values up to ``fiscal_year`` (two queries)."""
    indicators = Indicator.objects.filter(plan=plan).select_related("goal").order_by("number")
    if goal_ids is not None:
        indicators = indicators.filter(goal_id__in=list(goal_ids))
    rows = list(indicators)
    values = _year_values([i.pk for i in rows], fiscal_year)
    return [_indicator_entry(plan, i, values.get(i.pk, []), fiscal_year) for i in rows]


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


def status_counts(plan: Plan, entries: Sequence[IndicatorEntry]) -> tuple[CountRow, ...]:
    """How many indicators are in each status: the plan's grades, 現状維持, then 実績なし."""
    counts = Counter(entry.status_code for entry in entries)
    rows = [
        CountRow(str(g["code"]), _(str(g["label"])), counts[str(g["code"])]) for g in plan.grades
    ]
    if counts[indicator_rules.STEADY]:
        rows.append(CountRow(indicator_rules.STEADY, _("現状維持"), counts[indicator_rules.STEADY]))
    if counts[""]:
        rows.append(CountRow("", _("判定なし・実績なし"), counts[""]))
    return tuple(rows)


def _approved(cycle_ids: Iterable[int]) -> Any:
    return Evaluation.objects.filter(
        cycle_id__in=list(cycle_ids),
        cycle__status=CycleStatus.PUBLISHED,
        state=EvaluationState.APPROVED,
    )


def _published_reviews(cycle_ids: Iterable[int]) -> Any:
    return Review.objects.filter(
        cycle_id__in=list(cycle_ids), cycle__status=CycleStatus.PUBLISHED, is_published=True
    ).order_by("created_at", "id")


def _review_entry(review: Review) -> ReviewEntry:
    return ReviewEntry(
        author_label=review.author_label or _("委員"),
        body=review.body,
        city_response=review.city_response,
    )


def _summaries(plan: Plan, rows: Sequence[Summary]) -> list[SummaryEntry]:
    """総括 under the plan's headings in their order; other headings follow; empty ones dropped."""
    by_heading = {row.heading: row.body for row in rows if row.body.strip()}
    ordered = [str(heading) for heading in plan.summary_headings]
    result = [SummaryEntry(_(h), by_heading[h]) for h in ordered if h in by_heading]
    result += [
        SummaryEntry(row.heading, row.body)
        for row in rows
        if row.heading not in ordered and row.body.strip()
    ]
    return result


# --- plan at a glance ---------------------------------------------------------------------


@dataclass
class GoalGlance:
    goal: Goal
    grade_counts: tuple[CountRow, ...]
    evaluated: int
    indicators: list[IndicatorEntry]
    indicator_counts: tuple[CountRow, ...]

    @property
    def cards(self) -> list[IndicatorCard]:
        return [indicator_card(entry) for entry in self.indicators]


@dataclass
class PlanGlance:
    published: PublishedPlan
    fiscal_year: int
    goals: list[GoalGlance]
    totals: tuple[CountRow, ...]
    evaluated: int
    indicator_counts: tuple[CountRow, ...]
    published_at: dt.datetime | None


def plan_glance(published: PublishedPlan, fiscal_year: int) -> PlanGlance:
    """Per goal: the grade counts of ``fiscal_year`` and the indicator statuses (four queries).

    Counts follow the report: originals only (a 再掲 is counted under its original), only
    goals that apply in that 年度, only evaluations with a grade.
    """
    plan = published.plan
    goals = [
        g for g in Goal.objects.filter(plan=plan).order_by("number") if g.applies_in(fiscal_year)
    ]
    counts: dict[int, Counter[str]] = {}
    rows = (
        _approved([published.cycle_ids[fiscal_year]])
        .filter(initiative__repost_of__isnull=True)
        .exclude(grade="")
        .values("initiative__initiative_type__policy__goal_id", "grade")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        goal_id = row["initiative__initiative_type__policy__goal_id"]
        counts.setdefault(goal_id, Counter())[row["grade"]] += row["n"]
    entries = indicator_entries(plan, fiscal_year, goal_ids=[g.pk for g in goals])
    by_goal: dict[int, list[IndicatorEntry]] = {}
    for entry in entries:
        by_goal.setdefault(entry.goal_number, []).append(entry)
    total: Counter[str] = Counter()
    glances = []
    for goal in goals:
        goal_counts = counts.get(goal.pk, Counter())
        total.update(goal_counts)
        goal_entries = by_goal.get(goal.number, [])
        glances.append(
            GoalGlance(
                goal=goal,
                grade_counts=grade_rows(plan, goal_counts),
                evaluated=sum(goal_counts[c] for c in plan.grade_codes()),
                indicators=goal_entries,
                indicator_counts=status_counts(plan, goal_entries),
            )
        )
    return PlanGlance(
        published=published,
        fiscal_year=fiscal_year,
        goals=glances,
        totals=grade_rows(plan, total),
        evaluated=sum(total[c] for c in plan.grade_codes()),
        indicator_counts=status_counts(plan, entries),
        published_at=published.published_at.get(fiscal_year),
    )


# --- a goal -------------------------------------------------------------------------------


@dataclass
class InitiativeLine:
    initiative: Initiative
    repost_of_number: int | None
    units: list[str]
    grade_code: str
    grade_label: str
    direction: str


@dataclass
class TypeSection:
    initiative_type: InitiativeType
    initiatives: list[InitiativeLine]


@dataclass
class PolicySection:
    policy: Policy
    types: list[TypeSection]


@dataclass
class GoalDetail:
    published: PublishedPlan
    fiscal_year: int
    goal: Goal
    policies: list[PolicySection]
    grade_counts: tuple[CountRow, ...]
    evaluated: int
    indicators: list[IndicatorEntry]
    reviews: list[ReviewEntry]
    summaries: list[SummaryEntry]

    @property
    def cards(self) -> list[IndicatorCard]:
        return [indicator_card(entry) for entry in self.indicators]


def _units_prefetch() -> Prefetch[Any]:
    return Prefetch(
        "responsible_units",
        queryset=InitiativeUnit.objects.select_related("unit").prefetch_related(
            Prefetch("unit__names", queryset=unit_names_prefetch().queryset)
        ),
    )


def unit_names(initiative: Initiative, fiscal_year: int) -> list[str]:
    """Names of the units responsible in that 年度 (lead first), as they were named then."""
    rows = [u for u in initiative.responsible_units.all() if u.covers(fiscal_year)]
    rows.sort(key=lambda u: not u.is_lead)
    return [u.unit.name_in(fiscal_year) or u.unit.current_name() for u in rows]


def goal_detail(published: PublishedPlan, number: int) -> GoalDetail | None:
    """A goal's 施策, 取組の種類 and 取組 with the latest published 年度's results."""
    plan = published.plan
    fiscal_year = published.latest_year
    goal = Goal.objects.filter(plan=plan, number=number).first()
    if goal is None or not goal.applies_in(fiscal_year):
        return None
    cycle_id = published.cycle_ids[fiscal_year]
    policies = list(Policy.objects.filter(plan=plan, goal=goal).order_by("number"))
    types = list(InitiativeType.objects.filter(plan=plan, policy__goal=goal).order_by("number"))
    initiatives = list(
        Initiative.objects.filter(plan=plan, initiative_type__policy__goal=goal)
        .select_related("repost_of")
        .prefetch_related(_units_prefetch())
        .order_by("number")
    )
    evaluations = {
        e.initiative_id: e
        for e in _approved([cycle_id]).filter(initiative__initiative_type__policy__goal=goal)
    }
    counts: Counter[str] = Counter()
    by_type: dict[int, list[InitiativeLine]] = {}
    for initiative in initiatives:
        evaluation = evaluations.get(initiative.pk)
        grade = evaluation.grade if evaluation else ""
        if initiative.repost_of_id is None and grade:
            counts[grade] += 1
        by_type.setdefault(initiative.initiative_type_id, []).append(
            InitiativeLine(
                initiative=initiative,
                repost_of_number=initiative.repost_of.number if initiative.repost_of else None,
                units=unit_names(initiative, fiscal_year),
                grade_code=grade,
                grade_label=_(plan.grade_label(grade)) if grade else "",
                direction=_(evaluation.direction) if evaluation and evaluation.direction else "",
            )
        )
    types_by_policy: dict[int, list[TypeSection]] = {}
    for initiative_type in types:
        types_by_policy.setdefault(initiative_type.policy_id, []).append(
            TypeSection(initiative_type, by_type.get(initiative_type.pk, []))
        )
    reviews = [
        _review_entry(r)
        for r in _published_reviews([cycle_id]).filter(kind=ReviewKind.GOAL_REVIEW, goal=goal)
    ]
    summaries = list(
        Summary.objects.filter(
            cycle_id=cycle_id, cycle__status=CycleStatus.PUBLISHED, goal=goal
        ).order_by("id")
    )
    return GoalDetail(
        published=published,
        fiscal_year=fiscal_year,
        goal=goal,
        policies=[PolicySection(p, types_by_policy.get(p.pk, [])) for p in policies],
        grade_counts=grade_rows(plan, counts),
        evaluated=sum(counts[c] for c in plan.grade_codes()),
        indicators=indicator_entries(plan, fiscal_year, goal_ids=[goal.pk]),
        reviews=reviews,
        summaries=_summaries(plan, summaries),
    )


# --- an initiative across the published years ------------------------------------------------


@dataclass
class YearRecord:
    fiscal_year: int
    units: list[str]
    evaluated: bool
    results: str
    grade_code: str
    grade_label: str
    issues: str
    direction: str
    comments: list[ReviewEntry] = field(default_factory=list)


@dataclass(frozen=True)
class LinkedInitiative:
    """An initiative in another published plan (predecessor or successor)."""

    plan_id: int
    plan_name: str
    number: int
    title: str


@dataclass
class InitiativeDetail:
    published: PublishedPlan
    initiative: Initiative
    goal: Goal
    policy: Policy
    initiative_type: InitiativeType
    years: list[YearRecord]  # newest first
    predecessors: list[LinkedInitiative]
    successor: LinkedInitiative | None


def initiative_detail(
    published: PublishedPlan, number: int, plans: Sequence[PublishedPlan]
) -> InitiativeDetail | None:
    """An initiative's record in every published 年度 in which its goal applies (six queries).

    Predecessors and the successor are given only when their plan has published results.
    """
    plan = published.plan
    initiative = (
        Initiative.objects.filter(plan=plan, number=number)
        .select_related("initiative_type__policy__goal", "repost_of", "successor__plan")
        .prefetch_related(_units_prefetch())
        .first()
    )
    if initiative is None:
        return None
    goal = initiative.initiative_type.policy.goal
    years = [fy for fy in published.years if goal.applies_in(fy)]
    if not years:
        return None
    visible_plans = {p.plan.pk for p in plans}
    cycle_ids = [published.cycle_ids[fy] for fy in years]
    evaluations = {e.cycle_id: e for e in _approved(cycle_ids).filter(initiative=initiative)}
    comments: dict[int, list[ReviewEntry]] = {}
    for review in _published_reviews(cycle_ids).filter(
        kind=ReviewKind.INITIATIVE_COMMENT, initiative=initiative
    ):
        comments.setdefault(review.cycle_id, []).append(_review_entry(review))
    records = []
    for fy in reversed(years):
        cycle_id = published.cycle_ids[fy]
        evaluation = evaluations.get(cycle_id)
        grade = evaluation.grade if evaluation else ""
        records.append(
            YearRecord(
                fiscal_year=fy,
                units=unit_names(initiative, fy),
                evaluated=evaluation is not None,
                results=evaluation.results if evaluation else "",
                grade_code=grade,
                grade_label=_(plan.grade_label(grade)) if grade else "",
                issues=evaluation.issues if evaluation else "",
                direction=_(evaluation.direction) if evaluation and evaluation.direction else "",
                comments=comments.get(cycle_id, []),
            )
        )
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
        policy=initiative.initiative_type.policy,
        initiative_type=initiative.initiative_type,
        years=records,
        predecessors=predecessors,
        successor=successor,
    )


# --- indicators ---------------------------------------------------------------------------


def public_indicators(published: PublishedPlan) -> list[IndicatorEntry]:
    """Indicators of the goals that apply in the latest published 年度 (three queries)."""
    fiscal_year = published.latest_year
    goal_ids = [g.pk for g in Goal.objects.filter(plan=published.plan) if g.applies_in(fiscal_year)]
    return indicator_entries(published.plan, fiscal_year, goal_ids=goal_ids)


def public_indicator(published: PublishedPlan, number: int) -> IndicatorEntry | None:
    fiscal_year = published.latest_year
    indicator = (
        Indicator.objects.filter(plan=published.plan, number=number).select_related("goal").first()
    )
    if indicator is None or not indicator.goal.applies_in(fiscal_year):
        return None
    values = _year_values([indicator.pk], fiscal_year).get(indicator.pk, [])
    return _indicator_entry(published.plan, indicator, values, fiscal_year)


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
    cycle_ids = [cid for p in plans for cid in p.cycle_ids.values()]
    counts: dict[tuple[int, int | None], Counter[str]] = {}
    rows = (
        _approved(cycle_ids)
        .filter(initiative__repost_of__isnull=True)
        .exclude(grade="")
        .values("cycle_id", "initiative__initiative_type__policy__goal__applies_from_fy", "grade")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        key = (row["cycle_id"], row["initiative__initiative_type__policy__goal__applies_from_fy"])
        counts.setdefault(key, Counter())[row["grade"]] += row["n"]
    entries = []
    for published in plans:
        for fy, cycle_id in published.cycle_ids.items():
            total: Counter[str] = Counter()
            for (cid, from_fy), counter in counts.items():
                if cid == cycle_id and (from_fy is None or from_fy <= fy):
                    total.update(counter)
            entries.append(
                FeedEntry(
                    published=published,
                    fiscal_year=fy,
                    published_at=published.published_at.get(fy),
                    totals=grade_rows(published.plan, total),
                    evaluated=sum(total[c] for c in published.plan.grade_codes()),
                )
            )
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    entries.sort(key=lambda e: (e.published_at or epoch, e.fiscal_year), reverse=True)
    return entries


def plan_structure(published: PublishedPlan) -> list[tuple[Goal, list[PolicySection]]]:
    """Goals (applying in the latest published 年度) → 施策 → 種類 → 取組, no results (4 queries).

    Used by the public API's plan document.
    """
    plan = published.plan
    fiscal_year = published.latest_year
    goals = [
        g for g in Goal.objects.filter(plan=plan).order_by("number") if g.applies_in(fiscal_year)
    ]
    goal_ids = {g.pk for g in goals}
    policies = [
        p for p in Policy.objects.filter(plan=plan).order_by("number") if p.goal_id in goal_ids
    ]
    types = list(
        InitiativeType.objects.filter(plan=plan, policy__goal_id__in=goal_ids).order_by("number")
    )
    initiatives = (
        Initiative.objects.filter(plan=plan, initiative_type__policy__goal_id__in=goal_ids)
        .select_related("repost_of")
        .order_by("number")
    )
    by_type: dict[int, list[InitiativeLine]] = {}
    for initiative in initiatives:
        by_type.setdefault(initiative.initiative_type_id, []).append(
            InitiativeLine(
                initiative,
                initiative.repost_of.number if initiative.repost_of else None,
                [],
                "",
                "",
                "",
            )
        )
    types_by_policy: dict[int, list[TypeSection]] = {}
    for t in types:
        types_by_policy.setdefault(t.policy_id, []).append(TypeSection(t, by_type.get(t.pk, [])))
    policies_by_goal: dict[int, list[PolicySection]] = {}
    for p in policies:
        policies_by_goal.setdefault(p.goal_id, []).append(
            PolicySection(p, types_by_policy.get(p.pk, []))
        )
    return [(g, policies_by_goal.get(g.pk, [])) for g in goals]
