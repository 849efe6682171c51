"""The published read model: what residents may see of a plan, decided in this one module.

Everything residents read — the public plan pages, the Atom feed, the public API and the annual
report in every format (``build_document`` → HTML, PDF, XLSX, CSV) — is built from the reads
here, through one wall:

* a plan appears only if it has a published cycle;
* evaluations come only from published cycles, and only approved ones; their state, return
  comment and who edited them are never read out (the rows are loaded without those columns);
* 講評 and comments need ``Review.is_published`` as well; the reviewer is shown by the label the
  committee gave (``author_label``), never by the account;
* 総括 only from published cycles;
* indicator values only for 年度 up to the 年度 shown (a page shows the latest published 年度);
* goals only if they apply in that 年度 (a goal added later appears from its first 年度).

Who reads is an :class:`Audience`. ``PUBLIC`` is the wall above. The secretariat's 案 of a
cycle not yet published is ``PREVIEW`` — the same rules applied to that cycle, so the 案 shows
exactly what publishing would show — or, when asked for (``include_unpublished``), ``CHECK``:
unapproved evaluations (each marked with its state) and unpublished reviews as well. Both are
marked 案 (``ReportDocument.is_draft``) and are never stored as a public file or served on a
public route (``services.builds.report_file_get_or_build`` refuses a draft).

Only this module reads evaluations, reviews and 総括 for a report or a public page
(tests/publication/test_wall.py checks that no other module of the app does). Every function
runs a constant number of queries, whatever the size of the plan.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from sasaeai.accounts.models import unit_names_prefetch
from sasaeai.core.wareki import format_fiscal_year
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
from sasaeai.plans.selectors.tree import group_structure
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
from sasaeai.publication.models import KeptTerm

# --- the wall -------------------------------------------------------------------------------


class Audience(enum.Enum):
    """Who reads: residents, or the secretariat looking at a 案."""

    PUBLIC = "public"  # published cycles only: approved evaluations, published reviews
    PREVIEW = "preview"  # any cycle, the public rules: what publishing it would show
    CHECK = "check"  # any cycle, everything: unapproved evaluations and unpublished reviews

    @property
    def is_draft(self) -> bool:
        return self is not Audience.PUBLIC


def audience_for(cycle: EvaluationCycle, *, include_unpublished: bool = False) -> Audience:
    """``PUBLIC`` for a published cycle; ``PREVIEW`` for one not yet published; ``CHECK`` when
    the unpublished content is asked for."""
    if include_unpublished:
        return Audience.CHECK
    return Audience.PUBLIC if cycle.status == CycleStatus.PUBLISHED else Audience.PREVIEW


#: The columns of an evaluation that may be read out (never its return comment or editor).
EVALUATION_FIELDS = (
    "id",
    "cycle_id",
    "initiative_id",
    "results",
    "grade",
    "issues",
    "direction",
    "state",
)
REVIEW_FIELDS = (
    "id",
    "cycle_id",
    "kind",
    "goal_id",
    "initiative_id",
    "author_label",
    "body",
    "city_response",
    "is_published",
)


def visible_evaluations(cycle_ids: Iterable[int], audience: Audience) -> QuerySet[Evaluation]:
    """Evaluations of the cycles that ``audience`` may read (the wall, once)."""
    rows = Evaluation.objects.filter(cycle_id__in=list(cycle_ids))
    if audience is Audience.PUBLIC:
        rows = rows.filter(cycle__status=CycleStatus.PUBLISHED)
    if audience is not Audience.CHECK:
        rows = rows.filter(state=EvaluationState.APPROVED)
    return rows.only(*EVALUATION_FIELDS).order_by("id")


def visible_reviews(cycle_ids: Iterable[int], audience: Audience) -> QuerySet[Review]:
    """講評 (on a goal) and comments (on an initiative) that ``audience`` may read, oldest first."""
    rows = Review.objects.filter(cycle_id__in=list(cycle_ids))
    if audience is Audience.PUBLIC:
        rows = rows.filter(cycle__status=CycleStatus.PUBLISHED)
    if audience is not Audience.CHECK:
        rows = rows.filter(is_published=True)
    rows = rows.filter(
        Q(kind=ReviewKind.GOAL_REVIEW, goal__isnull=False)
        | Q(kind=ReviewKind.INITIATIVE_COMMENT, initiative__isnull=False)
    )
    return rows.only(*REVIEW_FIELDS).order_by("created_at", "id")


def visible_summaries(cycle_ids: Iterable[int], audience: Audience) -> QuerySet[Summary]:
    """総括 of the cycles that ``audience`` may read."""
    rows = Summary.objects.filter(cycle_id__in=list(cycle_ids))
    if audience is Audience.PUBLIC:
        rows = rows.filter(cycle__status=CycleStatus.PUBLISHED)
    return rows.order_by("id")


def published_cycles(municipality: Any) -> QuerySet[EvaluationCycle]:
    """The municipality's published cycles, oldest plan and 年度 first."""
    return (
        EvaluationCycle.objects.filter(
            municipality=municipality,
            plan__municipality=municipality,
            status=CycleStatus.PUBLISHED,
            published_at__isnull=False,
        )
        .select_related("plan__municipality")
        .order_by("plan__start_fy", "plan_id", "fiscal_year")
    )


# --- published plans and years -------------------------------------------------------------


@dataclass(frozen=True)
class PublishedPlan:
    """A plan with its published cycles by 年度 (ascending)."""

    plan: Plan
    cycles: Mapping[int, EvaluationCycle]

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(sorted(self.cycles))

    @property
    def latest_year(self) -> int:
        return max(self.cycles)

    @property
    def cycle_ids(self) -> dict[int, int]:
        return {fy: cycle.pk for fy, cycle in self.cycles.items()}

    @property
    def published_at(self) -> dict[int, dt.datetime | None]:
        return {fy: cycle.published_at for fy, cycle in self.cycles.items()}

    def is_published(self, fiscal_year: int) -> bool:
        return fiscal_year in self.cycles


def published_plans(municipality: Any) -> list[PublishedPlan]:
    """The municipality's plans that have a published cycle, oldest first (one query)."""
    by_plan: dict[int, dict[int, EvaluationCycle]] = {}
    for cycle in published_cycles(municipality):
        by_plan.setdefault(cycle.plan_id, {})[cycle.fiscal_year] = cycle
    return [
        PublishedPlan(plan=next(iter(cycles.values())).plan, cycles=cycles)
        for cycles in by_plan.values()
    ]


# --- one set of helpers: rows → the document's entries ---------------------------------------


def report_title(plan_name: str, fiscal_year: int) -> str:
    return _("{plan} {year} 推進状況報告書").format(
        plan=plan_name, year=format_fiscal_year(fiscal_year)
    )


def counts_in_tally(*, is_repost: bool) -> bool:
    """Whether an initiative's evaluation is counted: a 再掲 is counted under its original."""
    return not is_repost


def grade_rows(plan: Plan, counts: Mapping[str, int]) -> tuple[CountRow, ...]:
    """The plan's grades in order with their counts, zeros included."""
    return tuple(
        CountRow(str(g["code"]), _(str(g["label"])), counts.get(str(g["code"]), 0))
        for g in plan.grades
    )


def direction_rows(plan: Plan, counts: Mapping[str, int]) -> tuple[CountRow, ...]:
    """The plan's 今後の方向性 in order with their counts, zeros included."""
    return tuple(CountRow(str(d), _(str(d)), counts.get(str(d), 0)) for d in plan.directions)


def evaluated_count(plan: Plan, rows: Sequence[CountRow]) -> int:
    """How many initiatives were evaluated: the sum over the plan's grades."""
    codes = set(plan.grade_codes())
    return sum(row.count for row in rows if row.code in codes)


def status_label(plan: Plan, code: str, has_value: bool) -> tuple[str, str]:
    """(code, label) of an indicator status: the plan's grade, 現状維持, 判定なし or 実績なし."""
    if code == indicator_rules.NO_DATA:
        return "", _("判定なし") if has_value else _("実績なし")
    if code == indicator_rules.STEADY:
        return code, _("現状維持")
    return code, _(plan.grade_label(code))


def indicator_entry(
    plan: Plan, indicator: Indicator, values: Sequence[YearValue], fiscal_year: int
) -> IndicatorEntry:
    """An indicator with its values up to ``fiscal_year`` and the status of the latest one."""
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


def _year_values(indicator_ids: Sequence[int], fiscal_year: int) -> dict[int, list[YearValue]]:
    """Values up to ``fiscal_year`` by indicator id, ascending (one query, no model objects)."""
    rows = (
        IndicatorValue.objects.filter(indicator_id__in=indicator_ids, fiscal_year__lte=fiscal_year)
        .order_by("indicator_id", "fiscal_year")
        .values_list("indicator_id", "fiscal_year", "value", "note")
    )
    by_indicator: dict[int, list[YearValue]] = {}
    for indicator_id, year, value, note in rows:
        by_indicator.setdefault(indicator_id, []).append(YearValue(year, value, note))
    return by_indicator


def indicator_entries(
    plan: Plan,
    fiscal_year: int,
    *,
    goal_ids: Iterable[int] | None = None,
    number: int | None = None,
) -> list[IndicatorEntry]:
    """Indicators (of the given goals, or the one numbered) with values up to ``fiscal_year``,
    by number (two queries)."""
    indicators = Indicator.objects.filter(plan=plan).select_related("goal").order_by("number")
    if goal_ids is not None:
        indicators = indicators.filter(goal_id__in=list(goal_ids))
    if number is not None:
        indicators = indicators.filter(number=number)
    rows = list(indicators)
    values = _year_values([i.pk for i in rows], fiscal_year)
    return [indicator_entry(plan, i, values.get(i.pk, []), fiscal_year) for i in rows]


def status_counts(plan: Plan, entries: Sequence[IndicatorEntry]) -> tuple[CountRow, ...]:
    """How many indicators are in each status: the plan's grades, 現状維持, then 実績なし."""
    counts = Counter(entry.status_code for entry in entries)
    rows = list(grade_rows(plan, counts))
    if counts[indicator_rules.STEADY]:
        rows.append(CountRow(indicator_rules.STEADY, _("現状維持"), counts[indicator_rules.STEADY]))
    if counts[""]:
        rows.append(CountRow("", _("判定なし・実績なし"), counts[""]))
    return tuple(rows)


def review_entry(review: Review) -> ReviewEntry:
    """A 講評 or comment as residents read it (never the account of who wrote it)."""
    return ReviewEntry(
        author_label=review.author_label or _("委員"),
        body=review.body,
        city_response=review.city_response,
        draft_note="" if review.is_published else _("公表しない"),
    )


def summary_entries(plan: Plan, rows: Sequence[Summary]) -> tuple[SummaryEntry, ...]:
    """総括 under the plan's headings in their order; other headings follow; empty ones dropped."""
    by_heading = {row.heading: row.body for row in rows if row.body.strip()}
    ordered = [str(heading) for heading in plan.summary_headings]
    result = [SummaryEntry(_(h), by_heading[h]) for h in ordered if h in by_heading]
    result += [
        SummaryEntry(row.heading, row.body)
        for row in rows
        if row.heading not in ordered and row.body.strip()
    ]
    return tuple(result)


def units_prefetch() -> Prefetch[Any]:
    """Responsible units with their names per 年度 (two queries for any number of initiatives)."""
    return Prefetch(
        "responsible_units",
        queryset=InitiativeUnit.objects.select_related("unit").prefetch_related(
            Prefetch("unit__names", queryset=unit_names_prefetch().queryset)
        ),
    )


def unit_names(initiative: Initiative, fiscal_year: int) -> tuple[str, ...]:
    """Names of the units responsible in that 年度 (lead first), as they were named then."""
    rows = [u for u in initiative.responsible_units.all() if u.covers(fiscal_year)]
    rows.sort(key=lambda u: not u.is_lead)
    return tuple(u.unit.name_in(fiscal_year) or u.unit.current_name() for u in rows)


def _draft_note(evaluation: Evaluation | None) -> str:
    if evaluation is None or evaluation.state == EvaluationState.APPROVED:
        return ""
    return _("未承認（{state}）").format(state=EvaluationState(evaluation.state).label)


def initiative_entry(
    plan: Plan,
    fiscal_year: int,
    initiative: Initiative,
    evaluation: Evaluation | None,
    comments: Sequence[ReviewEntry],
    *,
    initiative_type: InitiativeType,
    policy_number: int,
    with_units: bool = True,
) -> InitiativeEntry:
    """An initiative in one 年度 with its (visible) evaluation and comments (``initiative``
    comes with its units prefetched, unless ``with_units`` is false)."""
    grade = evaluation.grade if evaluation else ""
    return InitiativeEntry(
        number=initiative.number,
        title=initiative.title,
        description=initiative.description,
        policy_number=policy_number,
        type_number=initiative_type.number,
        type_name=initiative_type.name,
        units=unit_names(initiative, fiscal_year) if with_units else (),
        results=evaluation.results if evaluation else "",
        grade_code=grade,
        grade_label=_(plan.grade_label(grade)) if grade else "",
        issues=evaluation.issues if evaluation else "",
        direction=_(evaluation.direction) if evaluation and evaluation.direction else "",
        repost_of_number=initiative.repost_of.number if initiative.repost_of else None,
        comments=tuple(comments),
        draft_note=_draft_note(evaluation),
    )


# --- a plan's year: the document every reader's view is made from -----------------------------


def build_document(cycle: EvaluationCycle, *, include_unpublished: bool = False) -> ReportDocument:
    """The report of ``cycle`` (one plan, one 年度) as a :class:`ReportDocument`, glossary included.

    A published cycle gives the published report; any other cycle a 案 (``is_draft``) showing
    what publishing it would show, or, with ``include_unpublished``, the secretariat's check
    with unapproved evaluations and unpublished reviews too (12 queries).
    """
    document = year_document(cycle, audience_for(cycle, include_unpublished=include_unpublished))
    return replace(document, glossary=_glossary(cycle.plan.municipality_id, document))


def year_document(
    cycle: EvaluationCycle, audience: Audience, *, texts: bool = True
) -> ReportDocument:
    """The content of one plan's 年度 for ``audience``, without the glossary (11 queries).

    Only goals that apply in that 年度 appear. 再掲 initiatives are listed where they appear
    again but counted once (under their original). ``texts=False`` leaves out what only a
    reader of the whole text needs — the units, 講評, comments and 総括 (7 queries) — for the
    pages that show the figures: they are counted by the same code either way.
    """
    if audience is Audience.PUBLIC and cycle.status != CycleStatus.PUBLISHED:
        raise ValueError("a cycle that is not published has no public document")
    plan = cycle.plan
    municipality = plan.municipality
    fiscal_year = cycle.fiscal_year
    goals = [
        g for g in Goal.objects.filter(plan=plan).order_by("number") if g.applies_in(fiscal_year)
    ]
    goal_ids = {goal.pk for goal in goals}
    policies = [
        p for p in Policy.objects.filter(plan=plan).order_by("number") if p.goal_id in goal_ids
    ]
    policy_ids = {policy.pk for policy in policies}
    types = [
        t
        for t in InitiativeType.objects.filter(plan=plan).order_by("number")
        if t.policy_id in policy_ids
    ]
    type_ids = {initiative_type.pk for initiative_type in types}
    initiatives_query = (
        Initiative.objects.filter(plan=plan, initiative_type_id__in=type_ids)
        .select_related("repost_of")
        .order_by("number")
    )
    if texts:
        initiatives_query = initiatives_query.prefetch_related(units_prefetch())
    initiatives = list(initiatives_query)
    evaluations = {e.initiative_id: e for e in visible_evaluations([cycle.pk], audience)}
    goal_reviews: dict[int, list[ReviewEntry]] = {}
    comments: dict[int, list[ReviewEntry]] = {}
    summaries: dict[int, list[Summary]] = {}
    if texts:
        for review in visible_reviews([cycle.pk], audience):
            if review.kind == ReviewKind.GOAL_REVIEW and review.goal_id is not None:
                goal_reviews.setdefault(review.goal_id, []).append(review_entry(review))
            elif review.initiative_id is not None:
                comments.setdefault(review.initiative_id, []).append(review_entry(review))
        for summary in visible_summaries([cycle.pk], audience):
            summaries.setdefault(summary.goal_id, []).append(summary)
    indicators = indicator_entries(plan, fiscal_year, goal_ids=goal_ids)

    policies_by_goal, types_by_policy, by_type = group_structure(policies, types, initiatives)

    structure: list[GoalNode] = []
    sections: list[GoalSection] = []
    total_grades: Counter[str] = Counter()
    for goal in goals:
        grades: Counter[str] = Counter()
        directions: Counter[str] = Counter()
        entries: list[InitiativeEntry] = []
        policy_nodes: list[PolicyNode] = []
        for policy in policies_by_goal.get(goal.pk, []):
            type_nodes: list[TypeNode] = []
            for initiative_type in types_by_policy.get(policy.pk, []):
                rows = by_type.get(initiative_type.pk, [])
                for initiative in rows:
                    evaluation = evaluations.get(initiative.pk)
                    entry = initiative_entry(
                        plan,
                        fiscal_year,
                        initiative,
                        evaluation,
                        comments.get(initiative.pk, ()),
                        initiative_type=initiative_type,
                        policy_number=policy.number,
                        with_units=texts,
                    )
                    entries.append(entry)
                    if evaluation is not None and counts_in_tally(
                        is_repost=initiative.repost_of_id is not None
                    ):
                        if evaluation.grade:
                            grades[evaluation.grade] += 1
                        if evaluation.direction:
                            directions[evaluation.direction] += 1
                type_nodes.append(
                    TypeNode(
                        number=initiative_type.number,
                        name=initiative_type.name,
                        initiative_count=sum(
                            1 for i in rows if counts_in_tally(is_repost=i.repost_of_id is not None)
                        ),
                    )
                )
            policy_nodes.append(PolicyNode(policy.number, policy.name, tuple(type_nodes)))
        structure.append(
            GoalNode(
                number=goal.number,
                name=goal.name,
                description=goal.description,
                applies_from_fy=goal.applies_from_fy,
                policies=tuple(policy_nodes),
            )
        )
        total_grades.update(grades)
        sections.append(
            GoalSection(
                number=goal.number,
                name=goal.name,
                grade_counts=grade_rows(plan, grades),
                direction_counts=direction_rows(plan, directions),
                initiatives=tuple(entries),
                reviews=tuple(goal_reviews.get(goal.pk, ())),
                summaries=summary_entries(plan, summaries.get(goal.pk, [])),
            )
        )
    published = audience is Audience.PUBLIC
    return ReportDocument(
        municipality_code=municipality.code,
        municipality_name=municipality.name,
        plan_name=plan.name,
        plan_start_fy=plan.start_fy,
        plan_end_fy=plan.end_fy,
        vision=plan.vision,
        fiscal_year=fiscal_year,
        title=report_title(plan.name, fiscal_year),
        is_draft=audience.is_draft,
        is_demo=plan.is_demo,
        published_at=cycle.published_at if published else None,
        built_at=timezone.now(),
        years=tuple(range(plan.start_fy, fiscal_year + 1)),
        grade_legend=grade_rows(plan, {}),
        structure=tuple(structure),
        indicators=tuple(indicators),
        goals=tuple(sections),
        totals=grade_rows(plan, total_grades),
    )


def _glossary(municipality_id: int, document: ReportDocument) -> tuple[GlossaryEntry, ...]:
    """Kept terms used anywhere a reader sees prose or a name in the report (one query)."""
    texts = [slot.text for slot in document.texts()]
    texts += [entry.title for section in document.goals for entry in section.initiatives]
    texts += [indicator.name for indicator in document.indicators]
    for goal in document.structure:
        texts.append(goal.name)
        for policy in goal.policies:
            texts.append(policy.name)
            texts += [type_node.name for type_node in policy.types]
    haystack = "\n".join(texts)
    return tuple(
        GlossaryEntry(term.term, term.explanation)
        for term in KeptTerm.objects.filter(municipality_id=municipality_id).order_by("term")
        if term.term and term.term in haystack
    )


# --- an initiative across the published years --------------------------------------------------


@dataclass(frozen=True)
class InitiativeYear:
    """An initiative in one published 年度: ``evaluated`` when an approved evaluation is shown."""

    fiscal_year: int
    evaluated: bool
    entry: InitiativeEntry


def initiative_years(
    published: PublishedPlan, initiative: Initiative, years: Sequence[int]
) -> list[InitiativeYear]:
    """The initiative's record in each of the published ``years``, newest first (two queries).

    ``initiative`` comes with ``initiative_type__policy``, ``repost_of`` and its units prefetched.
    """
    plan = published.plan
    cycle_ids = [published.cycles[fy].pk for fy in years]
    evaluations = {
        e.cycle_id: e
        for e in visible_evaluations(cycle_ids, Audience.PUBLIC).filter(initiative=initiative)
    }
    comments: dict[int, list[ReviewEntry]] = {}
    for review in visible_reviews(cycle_ids, Audience.PUBLIC).filter(
        kind=ReviewKind.INITIATIVE_COMMENT, initiative=initiative
    ):
        comments.setdefault(review.cycle_id, []).append(review_entry(review))
    records = []
    for fy in sorted(years, reverse=True):
        cycle_id = published.cycles[fy].pk
        evaluation = evaluations.get(cycle_id)
        records.append(
            InitiativeYear(
                fiscal_year=fy,
                evaluated=evaluation is not None,
                entry=initiative_entry(
                    plan,
                    fy,
                    initiative,
                    evaluation,
                    comments.get(cycle_id, ()),
                    initiative_type=initiative.initiative_type,
                    policy_number=initiative.initiative_type.policy.number,
                ),
            )
        )
    return records


# --- grade totals of many published cycles (the feed) -------------------------------------------


def grade_totals(plans: Sequence[PublishedPlan]) -> dict[int, tuple[CountRow, ...]]:
    """The plan-wide grade counts of every published cycle, by cycle id (one query).

    The same rules as the report's totals: only goals that apply in the 年度, 再掲 counted
    under the original only.
    """
    cycles = {cycle.pk: cycle for p in plans for cycle in p.cycles.values()}
    counts: dict[int, Counter[str]] = {cycle_id: Counter() for cycle_id in cycles}
    rows = (
        visible_evaluations(cycles, Audience.PUBLIC)
        .exclude(grade="")
        .values_list(
            "cycle_id",
            "grade",
            "initiative__repost_of_id",
            "initiative__initiative_type__policy__goal__applies_from_fy",
        )
    )
    for cycle_id, grade, repost_of_id, applies_from_fy in rows:
        fiscal_year = cycles[cycle_id].fiscal_year
        goal_applies = applies_from_fy is None or applies_from_fy <= fiscal_year
        if goal_applies and counts_in_tally(is_repost=repost_of_id is not None):
            counts[cycle_id][grade] += 1
    return {
        cycle_id: grade_rows(cycles[cycle_id].plan, counter) for cycle_id, counter in counts.items()
    }
