"""Reads for the staff report screens: the cycle to report on, the cycles per plan, the latest
builds, the kept terms, where each piece of report text is edited, and the evaluations that a
publication would leave out.

Each function runs a constant number of queries, whatever the number of cycles or initiatives.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from sasaeai.accounts.models import unit_names_prefetch
from sasaeai.core.errors import DomainError
from sasaeai.core.wareki import format_fiscal_year
from sasaeai.plans.models import (
    Evaluation,
    EvaluationCycle,
    EvaluationState,
    Initiative,
    Plan,
    Review,
    ReviewKind,
)
from sasaeai.plans.permissions import UNAPPROVED_STATES
from sasaeai.plans.selectors.tree import plan_in_force
from sasaeai.publication import permissions
from sasaeai.publication.models import KeptTerm, ReportBuild


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


@dataclass
class PlanCycles:
    plan: Plan
    cycles: list[EvaluationCycle] = field(default_factory=list)


def cycles_by_plan(municipality: Any, user: Any) -> list[PlanCycles]:
    """The cycles of the municipality the user may open, grouped by plan (newest plan and 年度
    first; 1 query)."""
    groups: dict[int, PlanCycles] = {}
    for cycle in (
        permissions.visible_cycles(user, EvaluationCycle.objects.all(), municipality)
        .select_related("plan")
        .order_by("-plan__start_fy", "plan_id", "-fiscal_year")
    ):
        groups.setdefault(cycle.plan_id, PlanCycles(cycle.plan)).cycles.append(cycle)
    return list(groups.values())


def staff_cycle(municipality: Any, cycle_id: int, user: Any) -> EvaluationCycle | None:
    return (
        permissions.visible_cycles(user, EvaluationCycle.objects.all(), municipality)
        .filter(pk=cycle_id)
        .select_related("plan__municipality", "municipality")
        .first()
    )


def latest_builds(cycle: EvaluationCycle) -> dict[str, ReportBuild]:
    """The newest build of each format of a cycle, without its bytes (1 query)."""
    found: dict[str, ReportBuild] = {}
    for build in (
        ReportBuild.objects.filter(cycle=cycle).defer("content").order_by("-created_at", "-id")
    ):
        found.setdefault(build.format, build)
    return found


def build_of(municipality: Any, build_id: int, *, with_content: bool = False) -> ReportBuild | None:
    builds = ReportBuild.objects.filter(cycle__municipality=municipality, pk=build_id)
    if not with_content:
        builds = builds.defer("content")
    return builds.select_related("cycle__plan", "cycle__municipality").first()


def kept_terms(municipality: Any) -> QuerySet[KeptTerm]:
    return (
        KeptTerm.objects.filter(municipality=municipality)
        .select_related("kept_by")
        .order_by("term")
    )


@dataclass(frozen=True)
class SourceLink:
    """Where a piece of report text is written, for the gate's 「元の文章」 link."""

    url: str
    label: str
    note: str = ""


@dataclass
class SourceLinks:
    """Edit links of the report's text slots, by (anchor, field label)."""

    links: dict[tuple[str, str], SourceLink]
    by_anchor: dict[str, SourceLink]

    def get(self, anchor: str, field_label: str) -> SourceLink | None:
        return self.links.get((anchor, field_label)) or self.by_anchor.get(anchor)


def source_links(cycle: EvaluationCycle) -> SourceLinks:
    """Edit pages of every text of the cycle's report as published (4 queries).

    Evaluation texts → the evaluation page; the city's responses → the response page; the
    committee's own words → the review list (members edit their own text); 総括 → the summary
    page; names and descriptions from the plan → the plan structure (changed by plan import).
    """
    plan_url = reverse("plans:plan_tree", kwargs={"plan_id": cycle.plan_id})
    plan_link = SourceLink(plan_url, _("計画の体系"), _("計画の取込（Excel）で直します"))
    reviews_url = reverse("plans:review_list", kwargs={"cycle_id": cycle.pk})
    review_link = SourceLink(reviews_url, _("講評・コメントの一覧"), _("委員が直します"))
    links: dict[tuple[str, str], SourceLink] = {}
    by_anchor: dict[str, SourceLink] = {"overview": plan_link}

    originals: dict[int, int] = {}
    for number, original in Initiative.objects.filter(plan_id=cycle.plan_id).values_list(
        "number", "repost_of__number"
    ):
        originals[number] = original or number
    evaluations = dict(
        Evaluation.objects.filter(cycle=cycle).values_list("initiative__number", "pk")
    )
    for number, original in originals.items():
        anchor = f"initiative-{number}"
        by_anchor[anchor] = plan_link
        evaluation_id = evaluations.get(original)
        if evaluation_id is not None:
            link = SourceLink(
                reverse("plans:evaluation_detail", kwargs={"evaluation_id": evaluation_id}),
                _("評価の入力画面"),
            )
            links[(anchor, _("実施内容・実績"))] = link
            links[(anchor, _("課題"))] = link

    goal_ids: dict[int, int] = {}
    for goal_id, goal_number in cycle.plan.goals.values_list("pk", "number"):
        goal_ids[goal_number] = goal_id
        by_anchor[f"goal-{goal_number}"] = plan_link
        by_anchor[f"summary-{goal_number}"] = SourceLink(
            reverse("plans:summary_edit", kwargs={"cycle_id": cycle.pk, "goal_id": goal_id}),
            _("総括の入力画面"),
        )
        by_anchor[f"review-{goal_number}"] = review_link

    counters: dict[str, int] = {}
    reviews: Iterable[tuple[int, str, int | None, int | None]] = (
        Review.objects.filter(cycle=cycle, is_published=True)
        .order_by("created_at", "id")
        .values_list("pk", "kind", "goal__number", "initiative__number")
    )
    for review_id, kind, on_goal, on_initiative in reviews:
        if kind == ReviewKind.GOAL_REVIEW and on_goal is not None:
            anchor, body_label = f"review-{on_goal}", _("講評 {index}")
        elif kind == ReviewKind.INITIATIVE_COMMENT and on_initiative is not None:
            anchor, body_label = f"initiative-{on_initiative}", _("委員のコメント {index}")
        else:
            continue
        counters[anchor] = index = counters.get(anchor, 0) + 1
        links[(anchor, body_label.format(index=index))] = review_link
        links[(anchor, _("市の対応 {index}").format(index=index))] = SourceLink(
            reverse("plans:review_respond", kwargs={"review_id": review_id}),
            _("市の対応の入力画面"),
        )
    return SourceLinks(links, by_anchor)


# --- 公表前の確認: evaluations a publication leaves out -------------------------------------


@dataclass(frozen=True)
class UnapprovedEvaluation:
    """An evaluation not approved yet (入力中, 提出済み, 差し戻し): the report leaves it out."""

    evaluation_id: int
    initiative_number: int
    initiative_title: str
    unit_name: str  # the department, named as in the cycle's 年度
    state: str
    state_label: str

    def describe(self) -> str:
        """「取組 4 見守り（高齢者いきいき課・差し戻し）」, for the audit row."""
        return _("取組 {number} {title}（{unit}・{state}）").format(
            number=self.initiative_number,
            title=self.initiative_title,
            unit=self.unit_name,
            state=self.state_label,
        )


def unapproved_evaluations(cycle: EvaluationCycle) -> list[UnapprovedEvaluation]:
    """The cycle's evaluations that are not approved, in initiative order (two queries)."""
    rows = (
        Evaluation.objects.filter(cycle_id=cycle.pk, state__in=UNAPPROVED_STATES)
        .select_related("initiative", "unit")
        .prefetch_related(Prefetch("unit__names", queryset=unit_names_prefetch().queryset))
        .order_by("initiative__number", "id")
    )
    return [
        UnapprovedEvaluation(
            evaluation_id=row.pk,
            initiative_number=row.initiative.number,
            initiative_title=row.initiative.title,
            unit_name=row.unit.name_in(cycle.fiscal_year) or row.unit.current_name(),
            state=row.state,
            state_label=str(EvaluationState(row.state).label),
        )
        for row in rows
    ]
