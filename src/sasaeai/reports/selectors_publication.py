"""Reads about publishing reports: the public list of published reports, the cycle to serve
for a download, and, for the staff screens, the cycles per plan, the latest builds and where
each piece of report text is edited.

Each function runs a constant number of queries, whatever the number of cycles or initiatives.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from sasaeai.core.wareki import format_fiscal_year
from sasaeai.plans.models import CycleStatus, EvaluationCycle, Plan, Review, ReviewKind
from sasaeai.plans.selectors import plan_in_force
from sasaeai.reports.models import KeptTerm, ReportBuild, ReportFile, ReportFormat
from sasaeai.reports.selectors import report_title

# --- public -------------------------------------------------------------------------------


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


def _published_cycles(municipality: Any) -> QuerySet[EvaluationCycle]:
    return (
        EvaluationCycle.objects.filter(
            municipality=municipality,
            status=CycleStatus.PUBLISHED,
            published_at__isnull=False,
        )
        .select_related("plan")
        .order_by("-fiscal_year", "-plan__start_fy", "plan_id")
    )


def published_reports(municipality: Any) -> list[PublishedReport]:
    """Every published report of a municipality, newest 年度 first (2 queries).

    For the public report list, the public plan pages and the Atom feed. Download URLs name
    the plan (``?plan=``) only in a 年度 for which two plans published a report.
    """
    cycles = list(_published_cycles(municipality))
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
    cycles = [
        cycle
        for cycle in _published_cycles(municipality).filter(fiscal_year=fiscal_year)
        if plan_id is None or cycle.plan_id == plan_id
    ]
    if len(cycles) <= 1:
        return cycles[0] if cycles else None
    in_force = plan_in_force(municipality, fiscal_year)
    return next((c for c in cycles if in_force and c.plan_id == in_force.pk), cycles[0])


# --- staff --------------------------------------------------------------------------------


@dataclass
class PlanCycles:
    plan: Plan
    cycles: list[EvaluationCycle] = field(default_factory=list)


def cycles_by_plan(municipality: Any) -> list[PlanCycles]:
    """Every cycle of the municipality, grouped by plan (newest plan and 年度 first; 1 query)."""
    groups: dict[int, PlanCycles] = {}
    for cycle in (
        EvaluationCycle.objects.filter(municipality=municipality)
        .select_related("plan")
        .order_by("-plan__start_fy", "plan_id", "-fiscal_year")
    ):
        groups.setdefault(cycle.plan_id, PlanCycles(cycle.plan)).cycles.append(cycle)
    return list(groups.values())


def staff_cycle(municipality: Any, cycle_id: int) -> EvaluationCycle | None:
    return (
        EvaluationCycle.objects.filter(municipality=municipality, pk=cycle_id)
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
    from sasaeai.plans.models import Evaluation, Initiative

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
