"""Reads for the annual report: the cycle to report on, and its :class:`ReportDocument`.

``build_document`` runs a constant number of queries whatever the size of the plan: it takes
the plan tree, indicators and roll-ups from ``plans.selectors.plan_tree`` (so the grade counts,
再掲 handling and indicator status follow the plan's own rules) and adds the committee's
reviews, the 総括 and the kept terms.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sasaeai.core.errors import DomainError
from sasaeai.core.wareki import format_fiscal_year
from sasaeai.plans import indicators as indicator_rules
from sasaeai.plans.models import (
    CycleStatus,
    EvaluationCycle,
    Plan,
    Review,
    ReviewKind,
    Summary,
)
from sasaeai.plans.selectors import GoalNode as TreeGoal
from sasaeai.plans.selectors import IndicatorRow, InitiativeRow, Tally, plan_in_force, plan_tree
from sasaeai.reports.document import (
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
from sasaeai.reports.models import KeptTerm


def cycle_for(municipality: Any, fiscal_year: int, plan_name: str | None = None) -> EvaluationCycle:
    """The cycle of ``fiscal_year`` of the named plan, or of the plan in force that 年度.

    Raises :class:`DomainError` (``plan_not_found`` / ``cycle_not_found``) in Japanese.
    """
    year = format_fiscal_year(fiscal_year)
    if plan_name:
        plan = Plan.objects.filter(municipality=municipality, name=plan_name).first()
        if plan is None:
            raise DomainError(
                code="plan_not_found",
                message=_("計画「{name}」は{municipality}にありません。").format(
                    name=plan_name, municipality=municipality.name
                ),
            )
    else:
        plan = plan_in_force(municipality, fiscal_year)
        if plan is None:
            raise DomainError(
                code="plan_not_found",
                message=_("{municipality}には{year}に期間が及ぶ計画がありません。").format(
                    municipality=municipality.name, year=year
                ),
            )
    cycle = (
        EvaluationCycle.objects.filter(plan=plan, fiscal_year=fiscal_year)
        .select_related("plan__municipality")
        .first()
    )
    if cycle is None:
        raise DomainError(
            code="cycle_not_found",
            message=_("計画「{name}」の{year}の進捗調査はまだありません。").format(
                name=plan.name, year=year
            ),
        )
    return cycle


def report_title(plan_name: str, fiscal_year: int) -> str:
    return _("{plan} {year} 推進状況報告書").format(
        plan=plan_name, year=format_fiscal_year(fiscal_year)
    )


def _status_label(plan: Plan, row: IndicatorRow) -> tuple[str, str]:
    code = row.status.code
    if code == indicator_rules.NO_DATA:
        return "", _("実績なし") if row.latest is None else _("判定なし")
    if code == indicator_rules.STEADY:
        return code, _("現状維持")
    return code, _(plan.grade_label(code))


def _indicator_entry(plan: Plan, goal_number: int, row: IndicatorRow) -> IndicatorEntry:
    indicator = row.indicator
    code, label = _status_label(plan, row)
    return IndicatorEntry(
        number=indicator.number,
        goal_number=goal_number,
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
        values=tuple(
            YearValue(fy, value.value, value.note) for fy, value in sorted(row.values.items())
        ),
        achievement=row.status.achievement,
        status_code=code,
        status_label=label,
    )


def _grade_rows(tally: Tally) -> tuple[CountRow, ...]:
    return tuple(CountRow(code, _(label), count) for code, label, count in tally.grade_rows)


def _direction_rows(tally: Tally) -> tuple[CountRow, ...]:
    return tuple(CountRow(code, _(code), count) for code, count in tally.direction_rows)


def _review_entry(review: Review) -> ReviewEntry:
    return ReviewEntry(
        author_label=review.author_label or _("委員"),
        body=review.body,
        city_response=review.city_response,
    )


def _initiative_entry(
    plan: Plan,
    fiscal_year: int,
    policy_number: int,
    type_number: int,
    type_name: str,
    row: InitiativeRow,
    comments: dict[int, list[ReviewEntry]],
) -> InitiativeEntry:
    initiative = row.initiative
    units = sorted(row.units, key=lambda pair: not pair[1])  # lead first, stable otherwise
    evaluation = row.evaluation
    grade = evaluation.grade if evaluation else ""
    return InitiativeEntry(
        number=initiative.number,
        title=initiative.title,
        description=initiative.description,
        policy_number=policy_number,
        type_number=type_number,
        type_name=type_name,
        units=tuple(unit.name_in(fiscal_year) or unit.current_name() for unit, _lead in units),
        results=evaluation.results if evaluation else "",
        grade_code=grade,
        grade_label=_(plan.grade_label(grade)) if grade else "",
        issues=evaluation.issues if evaluation else "",
        direction=_(evaluation.direction) if evaluation and evaluation.direction else "",
        repost_of_number=row.repost_of.number if row.repost_of is not None else None,
        comments=tuple(comments.get(initiative.pk, ())),
    )


def _structure(goals: list[TreeGoal]) -> tuple[GoalNode, ...]:
    return tuple(
        GoalNode(
            number=node.goal.number,
            name=node.goal.name,
            description=node.goal.description,
            applies_from_fy=node.goal.applies_from_fy,
            policies=tuple(
                PolicyNode(
                    number=policy.policy.number,
                    name=policy.policy.name,
                    types=tuple(
                        TypeNode(
                            number=type_node.initiative_type.number,
                            name=type_node.initiative_type.name,
                            initiative_count=sum(
                                1 for row in type_node.initiatives if row.repost_of is None
                            ),
                        )
                        for type_node in policy.types
                    ),
                )
                for policy in node.policies
            ),
        )
        for node in goals
    )


def _summaries(plan: Plan, rows: list[Summary]) -> tuple[SummaryEntry, ...]:
    """総括 under the plan's headings in their order; headings no longer configured follow."""
    by_heading = {row.heading: row.body for row in rows if row.body.strip()}
    ordered = [str(heading) for heading in plan.summary_headings]
    result = [SummaryEntry(_(h), by_heading[h]) for h in ordered if h in by_heading]
    result += [SummaryEntry(row.heading, row.body) for row in rows if row.heading not in ordered]
    return tuple(entry for entry in result if entry.body.strip())


def _glossary(municipality_id: int, document: ReportDocument) -> tuple[GlossaryEntry, ...]:
    """Kept terms used anywhere a reader sees prose or a name in the report."""
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


def build_document(cycle: EvaluationCycle, *, include_unpublished: bool = False) -> ReportDocument:
    """The report of ``cycle`` (one plan, one 年度) as a :class:`ReportDocument`.

    Only goals that apply in that 年度 appear. 再掲 initiatives are listed where they appear
    again but counted once (under their original). Reviews and comments are the published
    ones unless ``include_unpublished`` (the secretariat's preview). A cycle that is not
    published gives a draft (``is_draft``).
    """
    plan = cycle.plan
    municipality = plan.municipality
    fiscal_year = cycle.fiscal_year
    tree = plan_tree(plan, fiscal_year)
    goals = [node for node in tree.goals if node.goal.applies_in(fiscal_year)]

    reviews = Review.objects.filter(cycle=cycle).order_by("created_at", "id")
    if not include_unpublished:
        reviews = reviews.filter(is_published=True)
    reviews = reviews.filter(
        Q(kind=ReviewKind.GOAL_REVIEW, goal__isnull=False)
        | Q(kind=ReviewKind.INITIATIVE_COMMENT, initiative__isnull=False)
    )
    goal_reviews: dict[int, list[ReviewEntry]] = {}
    comments: dict[int, list[ReviewEntry]] = {}
    for review in reviews:
        if review.kind == ReviewKind.GOAL_REVIEW and review.goal_id is not None:
            goal_reviews.setdefault(review.goal_id, []).append(_review_entry(review))
        elif review.initiative_id is not None:
            comments.setdefault(review.initiative_id, []).append(_review_entry(review))
    summaries: dict[int, list[Summary]] = {}
    for summary in Summary.objects.filter(cycle=cycle).order_by("id"):
        summaries.setdefault(summary.goal_id, []).append(summary)

    sections = []
    indicators: list[IndicatorEntry] = []
    for node in goals:
        goal = node.goal
        indicators += [_indicator_entry(plan, goal.number, row) for row in node.indicators]
        entries = [
            _initiative_entry(
                plan,
                fiscal_year,
                policy.policy.number,
                type_node.initiative_type.number,
                type_node.initiative_type.name,
                row,
                comments,
            )
            for policy in node.policies
            for type_node in policy.types
            for row in type_node.initiatives
        ]
        sections.append(
            GoalSection(
                number=goal.number,
                name=goal.name,
                grade_counts=_grade_rows(node.tally),
                direction_counts=_direction_rows(node.tally),
                initiatives=tuple(entries),
                reviews=tuple(goal_reviews.get(goal.pk, ())),
                summaries=_summaries(plan, summaries.get(goal.pk, [])),
            )
        )
    indicators.sort(key=lambda entry: entry.number)

    document = ReportDocument(
        municipality_code=municipality.code,
        municipality_name=municipality.name,
        plan_name=plan.name,
        plan_start_fy=plan.start_fy,
        plan_end_fy=plan.end_fy,
        vision=plan.vision,
        fiscal_year=fiscal_year,
        title=report_title(plan.name, fiscal_year),
        is_draft=cycle.status != CycleStatus.PUBLISHED,
        is_demo=plan.is_demo,
        published_at=cycle.published_at if cycle.status == CycleStatus.PUBLISHED else None,
        built_at=timezone.now(),
        years=tuple(range(plan.start_fy, fiscal_year + 1)),
        grade_legend=tuple(
            CountRow(str(grade["code"]), _(str(grade["label"])), 0) for grade in plan.grades
        ),
        structure=_structure(goals),
        indicators=tuple(indicators),
        goals=tuple(sections),
        totals=_grade_rows(tree.tally),
    )
    return replace(document, glossary=_glossary(municipality.pk, document))
