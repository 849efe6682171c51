"""Reads for the evaluation cycle: cycle lists, the completion dashboard, a department's list,
an evaluation's history and the committee's review board.

Each function that lists evaluations, cycles or reviews for a user narrows them through the
policy (``permissions.visible_evaluations``, ``visible_cycles``, ``visible_reviews``), so a
page shows what the API shows. Each runs a constant number of queries, whatever the number
of initiatives.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, Prefetch, Q, QuerySet

from sasaeai.accounts.models import OrganisationUnit, unit_names_prefetch
from sasaeai.audit.models import AuditEvent
from sasaeai.plans import permissions
from sasaeai.plans.models import (
    CycleStatus,
    Evaluation,
    EvaluationCycle,
    EvaluationState,
    Goal,
    Initiative,
    Review,
    ReviewKind,
    Summary,
)

EVALUATION_RELATED = (
    "cycle__plan",
    "initiative__initiative_type__policy__goal",
    "unit",
)


def _percent(part: int, whole: int) -> int:
    return round(part * 100 / whole) if whole else 0


@dataclass
class Progress:
    """Counts of evaluations per state, for one department or a whole cycle."""

    draft: int = 0
    submitted: int = 0
    returned: int = 0
    approved: int = 0

    @property
    def total(self) -> int:
        return self.draft + self.submitted + self.returned + self.approved

    @property
    def handed_in(self) -> int:
        """Submitted or already approved."""
        return self.submitted + self.approved

    @property
    def submitted_percent(self) -> int:
        return _percent(self.handed_in, self.total)

    @property
    def approved_percent(self) -> int:
        return _percent(self.approved, self.total)

    @property
    def open(self) -> int:
        return self.draft + self.returned

    def add(self, other: Progress) -> None:
        self.draft += other.draft
        self.submitted += other.submitted
        self.returned += other.returned
        self.approved += other.approved


def _progress_annotations() -> dict[str, Any]:
    return {
        state: Count("evaluations", filter=Q(evaluations__state=state))
        for state in EvaluationState.values
    }


@dataclass
class CycleRow:
    cycle: EvaluationCycle
    progress: Progress


def cycles_of(municipality: Any, user: Any) -> list[CycleRow]:
    """The municipality's cycles the user may see, newest first, with counts per state (one
    query)."""
    cycles = (
        permissions.visible_cycles(user, EvaluationCycle.objects.all(), municipality)
        .select_related("plan")
        .annotate(**_progress_annotations())
        .order_by("-fiscal_year", "plan__start_fy")
    )
    return [
        CycleRow(
            cycle,
            Progress(
                draft=getattr(cycle, EvaluationState.DRAFT),
                submitted=getattr(cycle, EvaluationState.SUBMITTED),
                returned=getattr(cycle, EvaluationState.RETURNED),
                approved=getattr(cycle, EvaluationState.APPROVED),
            ),
        )
        for cycle in cycles
    ]


def cycle_of(municipality: Any, cycle_id: int) -> EvaluationCycle | None:
    return (
        EvaluationCycle.objects.filter(municipality=municipality, pk=cycle_id)
        .select_related("plan")
        .first()
    )


@dataclass
class UnitProgress:
    unit: OrganisationUnit
    name: str
    progress: Progress


@dataclass
class CycleDashboard:
    cycle: EvaluationCycle
    units: list[UnitProgress]
    total: Progress


def cycle_dashboard(cycle: EvaluationCycle) -> CycleDashboard:
    """Completion by department: counts per state and the share submitted / approved.

    Two queries: the counts grouped by unit, and the units with their names.
    """
    rows = list(
        Evaluation.objects.filter(cycle=cycle)
        .values("unit_id")
        .annotate(**{state: Count("id", filter=Q(state=state)) for state in EvaluationState.values})
        .order_by("unit_id")
    )
    units = {
        u.pk: u
        for u in OrganisationUnit.objects.filter(
            pk__in=[r["unit_id"] for r in rows]
        ).prefetch_related(Prefetch("names", queryset=unit_names_prefetch().queryset))
    }
    total = Progress()
    result = []
    for row in rows:
        unit = units[row["unit_id"]]
        progress = Progress(
            draft=row[EvaluationState.DRAFT],
            submitted=row[EvaluationState.SUBMITTED],
            returned=row[EvaluationState.RETURNED],
            approved=row[EvaluationState.APPROVED],
        )
        total.add(progress)
        result.append(
            UnitProgress(unit, unit.name_in(cycle.fiscal_year) or unit.current_name(), progress)
        )
    result.sort(key=lambda r: (-r.progress.open, r.name))
    return CycleDashboard(cycle, result, total)


def _evaluations() -> QuerySet[Evaluation]:
    return Evaluation.objects.select_related(*EVALUATION_RELATED).prefetch_related(
        Prefetch("unit__names", queryset=unit_names_prefetch().queryset)
    )


@dataclass
class EvaluationRow:
    evaluation: Evaluation
    unit_name: str


def _rows(evaluations: QuerySet[Evaluation]) -> list[EvaluationRow]:
    return [
        EvaluationRow(e, e.unit.name_in(e.cycle.fiscal_year) or e.unit.current_name())
        for e in evaluations
    ]


def cycle_evaluations(
    cycle: EvaluationCycle, user: Any, unit_id: int | None = None
) -> list[EvaluationRow]:
    """The evaluations of a cycle the user may see in initiative order, or one department's."""
    evaluations = permissions.visible_evaluations(
        user, _evaluations().filter(cycle=cycle), cycle.municipality_id
    )
    if unit_id is not None:
        evaluations = evaluations.filter(unit_id=unit_id)
    return _rows(evaluations.order_by("initiative__number"))


def unapproved_evaluations(cycle: EvaluationCycle, user: Any) -> list[EvaluationRow]:
    """The cycle's evaluations not approved yet (入力中, 提出済み, 差し戻し) that the user may
    see, in initiative order: the close page lists them."""
    evaluations = permissions.visible_evaluations(
        user,
        _evaluations().filter(cycle=cycle, state__in=permissions.UNAPPROVED_STATES),
        cycle.municipality_id,
    )
    return _rows(evaluations.order_by("initiative__number"))


@dataclass
class DepartmentCycle:
    cycle: EvaluationCycle
    rows: list[EvaluationRow] = field(default_factory=list)
    progress: Progress = field(default_factory=Progress)


def department_evaluations(user: Any, municipality: Any) -> list[DepartmentCycle]:
    """ "My updates": the evaluations of the user's own departments in open cycles only (the
    secretariat's own units too, when it holds the 担当課 role as well)."""
    unit_ids = permissions.department_unit_ids(user)
    if not unit_ids:
        return []
    evaluations = (
        permissions.visible_evaluations(user, _evaluations(), municipality)
        .filter(cycle__status=CycleStatus.OPEN, unit_id__in=unit_ids)
        .order_by("-cycle__fiscal_year", "cycle__plan__start_fy", "initiative__number")
    )
    by_cycle: dict[int, DepartmentCycle] = {}
    for row in _rows(evaluations):
        group = by_cycle.setdefault(row.evaluation.cycle_id, DepartmentCycle(row.evaluation.cycle))
        group.rows.append(row)
        group.progress.add(Progress(**{row.evaluation.state: 1}))
    return list(by_cycle.values())


def evaluation_of(municipality: Any, evaluation_id: int) -> Evaluation | None:
    """One evaluation of the municipality, whoever may see it: the caller asks the policy
    (``permissions.can_view_evaluation``) and answers 403 rather than 404."""
    return (
        _evaluations()
        .select_related("updated_by")
        .filter(cycle__municipality=municipality, pk=evaluation_id)
        .first()
    )


@dataclass
class HistoryRow:
    event: AuditEvent
    changes: list[tuple[str, Any, Any]]


def evaluation_history(evaluation: Evaluation) -> list[HistoryRow]:
    """The evaluation's audit log, newest first, with field names as people read them."""
    events = AuditEvent.objects.filter(
        object_type=Evaluation._meta.label, object_id=str(evaluation.pk)
    ).order_by("-at", "-id")
    rows = []
    for event in events:
        changes = []
        for name, values in sorted((event.changes or {}).items(), key=_field_order):
            before, after = (
                [*values, None, None][:2] if isinstance(values, list) else (None, values)
            )
            changes.append(
                (_field_label(name), _value_label(name, before), _value_label(name, after))
            )
        rows.append(HistoryRow(event, changes))
    return rows


_FIELD_ORDER = {f.name: i for i, f in enumerate(Evaluation._meta.concrete_fields)}


def _field_order(item: tuple[str, Any]) -> tuple[int, str]:
    return (_FIELD_ORDER.get(item[0], len(_FIELD_ORDER)), item[0])


def _field_label(name: str) -> str:
    try:
        return str(getattr(Evaluation._meta.get_field(name), "verbose_name", name))
    except FieldDoesNotExist:  # a field removed since the row was written
        return name


def _value_label(name: str, value: Any) -> Any:
    if name == "state" and value in EvaluationState.values:
        return EvaluationState(value).label
    return value


def initiative_comments(evaluation: Evaluation, user: Any) -> list[Review]:
    """The committee's comments on this evaluation's initiative in its cycle that the user may
    see (unpublished ones: the secretariat and committee only)."""
    return list(
        permissions.visible_reviews(
            user,
            Review.objects.filter(
                cycle_id=evaluation.cycle_id,
                kind=ReviewKind.INITIATIVE_COMMENT,
                initiative_id=evaluation.initiative_id,
            ),
            evaluation.cycle.municipality_id,
        )
        .select_related("author")
        .order_by("created_at", "id")
    )


@dataclass
class SummaryCell:
    heading: str
    summary: Summary | None

    @property
    def version(self) -> int:
        return self.summary.version if self.summary else 0

    @property
    def body(self) -> str:
        return self.summary.body if self.summary else ""


@dataclass
class GoalReviews:
    goal: Goal
    reviews: list[Review]
    comments: list[Review]
    summaries: list[SummaryCell]


@dataclass
class ReviewBoard:
    cycle: EvaluationCycle
    goals: list[GoalReviews]


def review_board(cycle: EvaluationCycle, user: Any) -> ReviewBoard:
    """Per goal that applies that 年度: the committee's 講評, its comments on initiatives under
    the goal (with the city's responses) and the 総括 under each of the plan's headings.

    Three queries whatever the number of reviews.
    """
    plan = cycle.plan
    goals = [
        g
        for g in Goal.objects.filter(plan=plan).order_by("number")
        if g.applies_in(cycle.fiscal_year)
    ]
    reviews = list(
        permissions.visible_reviews(user, Review.objects.filter(cycle=cycle), cycle.municipality_id)
        .select_related("initiative__initiative_type__policy", "author")
        .order_by("created_at", "id")
    )
    summaries = {(s.goal_id, s.heading): s for s in Summary.objects.filter(cycle=cycle)}
    result = []
    for goal in goals:
        result.append(
            GoalReviews(
                goal=goal,
                reviews=[
                    r for r in reviews if r.kind == ReviewKind.GOAL_REVIEW and r.goal_id == goal.pk
                ],
                comments=sorted(
                    (
                        r
                        for r in reviews
                        if r.kind == ReviewKind.INITIATIVE_COMMENT
                        and r.initiative is not None
                        and r.initiative.initiative_type.policy.goal_id == goal.pk
                    ),
                    key=lambda r: (r.initiative.number if r.initiative else 0, r.pk),
                ),
                summaries=[
                    SummaryCell(heading, summaries.get((goal.pk, heading)))
                    for heading in plan.summary_headings
                ],
            )
        )
    return ReviewBoard(cycle, result)


def review_of(municipality: Any, review_id: int, user: Any) -> Review | None:
    """One review the user may see (``permissions.visible_reviews``), else None."""
    return (
        permissions.visible_reviews(user, Review.objects.filter(pk=review_id), municipality)
        .select_related("cycle__plan", "goal", "initiative", "author")
        .first()
    )


def initiative_in_cycle(cycle: EvaluationCycle, initiative_id: int) -> Initiative | None:
    return Initiative.objects.filter(plan_id=cycle.plan_id, pk=initiative_id).first()


def goal_in_cycle(cycle: EvaluationCycle, goal_id: int) -> Goal | None:
    return Goal.objects.filter(plan_id=cycle.plan_id, pk=goal_id).first()
