"""Public plan progress pages, no login: what residents see of the plan (published data only).

Every page reads through ``plans.selectors_public`` (the wall: published cycles only) and carries
Open Graph tags, a canonical address and the Atom feed's link. Nothing is cached.
"""

from __future__ import annotations

import functools
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sasaeai.accounts.models import Municipality
from sasaeai.core.wareki import fiscal_year_of, format_fiscal_year
from sasaeai.plans import selectors_public as public
from sasaeai.reports import charts
from sasaeai.reports.selectors_publication import published_reports


def absolute_url(path: str) -> str:
    """The public address of a path on this site (``SASAEAI_BASE_URL`` + path)."""
    return str(settings.SASAEAI_BASE_URL).rstrip("/") + path


REPORT_LIST_NAMES = ("reports_public:list", "reports_public:index", "reports_public:report_list")


@functools.cache
def _report_list_name() -> str | None:
    """The URL name of the public report list, once the reports app provides one."""
    for name in REPORT_LIST_NAMES:
        try:
            reverse(name, kwargs={"code": "000000"})
        except NoReverseMatch:
            continue
        return name
    return None


def reports_url(code: str) -> str | None:
    """The public list of report downloads (None while the reports app has none)."""
    name = _report_list_name()
    return reverse(name, kwargs={"code": code}) if name else None


def _municipality(code: str) -> Municipality:
    return get_object_or_404(Municipality, code=code)


def _published(
    municipality: Municipality, plan_id: int
) -> tuple[list[public.PublishedPlan], public.PublishedPlan]:
    plans = public.published_plans(municipality)
    published = public.find_plan(plans, plan_id)
    if published is None:
        raise Http404
    return plans, published


def _render(
    request: HttpRequest,
    template: str,
    *,
    municipality: Municipality,
    title: str,
    description: str,
    context: dict[str, Any],
    status: int = 200,
) -> HttpResponse:
    code = municipality.code
    page_url = absolute_url(request.path)
    return render(
        request,
        template,
        {
            "municipality": municipality,
            "page_title": title,
            "page_description": description,
            "page_url": page_url,
            "feed_url": reverse("plans_public:feed", kwargs={"code": code}),
            "reports_url": reports_url(code),
            **context,
        },
        status=status,
    )


def _plan_description(municipality: Municipality, glance: public.PlanGlance) -> str:
    plan = glance.published.plan
    grades = "、".join(f"{row.label} {row.count}" for row in glance.totals)
    return _("{municipality}「{plan}」の{year}の進み具合。取組の評価: {grades}。").format(
        municipality=municipality.name,
        plan=plan.name,
        year=format_fiscal_year(glance.fiscal_year),
        grades=grades,
    )


def _glance_page(
    request: HttpRequest,
    municipality: Municipality,
    plans: list[public.PublishedPlan],
    published: public.PublishedPlan,
    fiscal_year: int,
    *,
    today_fy: int | None = None,
) -> HttpResponse:
    glance = public.plan_glance(published, fiscal_year)
    plan = published.plan
    goal_charts = [
        (
            goal,
            charts.grade_bars(
                _("基本目標{number}「{name}」の取組の評価（{year}）").format(
                    number=goal.goal.number,
                    name=goal.goal.name,
                    year=format_fiscal_year(fiscal_year),
                ),
                goal.grade_counts,
                chart_id=f"goal-{goal.goal.number}-grades",
            ),
        )
        for goal in glance.goals
    ]
    in_force_missing = today_fy is not None and not plan.covers(today_fy)
    reports = [r for r in published_reports(municipality) if r.plan_id == plan.pk]
    return _render(
        request,
        "plans/public/plan.html",
        municipality=municipality,
        title=_("{plan} {year}の進み具合").format(
            plan=plan.name, year=format_fiscal_year(fiscal_year)
        ),
        description=_plan_description(municipality, glance),
        context={
            "plans": plans,
            "published": published,
            "plan": plan,
            "glance": glance,
            "goal_charts": goal_charts,
            # links in loops are built on this prefix (stable: /m/<code>/plan/<plan_id>/)
            "plan_base": reverse(
                "plans_public:plan", kwargs={"code": municipality.code, "plan_id": plan.pk}
            ),
            "is_latest": fiscal_year == published.latest_year,
            "today_fy": today_fy,
            "in_force_missing": in_force_missing,
            "reports": reports,
        },
    )


def plan_home(request: HttpRequest, code: str) -> HttpResponse:
    """/m/<code>/plan/: the plan in force today (or the newest with published results)."""
    municipality = _municipality(code)
    plans = public.published_plans(municipality)
    today_fy = fiscal_year_of(timezone.localdate())
    published = public.featured_plan(plans, today_fy)
    if published is None:
        return _render(
            request,
            "plans/public/empty.html",
            municipality=municipality,
            title=_("{municipality}の地域福祉計画の進み具合").format(
                municipality=municipality.name
            ),
            description=_("地域福祉計画の進み具合は、公表されるとこのページでご覧いただけます。"),
            context={},
        )
    return _glance_page(
        request, municipality, plans, published, published.latest_year, today_fy=today_fy
    )


def plan_detail(request: HttpRequest, code: str, plan_id: int) -> HttpResponse:
    """/m/<code>/plan/<plan_id>/: one plan at a glance, its latest published 年度."""
    municipality = _municipality(code)
    plans, published = _published(municipality, plan_id)
    return _glance_page(request, municipality, plans, published, published.latest_year)


def plan_year(request: HttpRequest, code: str, plan_id: int, fiscal_year: int) -> HttpResponse:
    """/m/<code>/plan/<plan_id>/years/<fy>/: one plan at a glance in a published 年度."""
    municipality = _municipality(code)
    plans, published = _published(municipality, plan_id)
    if not published.is_published(fiscal_year):
        raise Http404
    return _glance_page(request, municipality, plans, published, fiscal_year)


def goal_detail(request: HttpRequest, code: str, plan_id: int, number: int) -> HttpResponse:
    municipality = _municipality(code)
    _plans, published = _published(municipality, plan_id)
    detail = public.goal_detail(published, number)
    if detail is None:
        raise Http404
    year = format_fiscal_year(detail.fiscal_year)
    chart = charts.grade_bars(
        _("基本目標{number}の取組の評価（{year}）").format(number=number, year=year),
        detail.grade_counts,
        chart_id=f"goal-{number}-grades",
    )
    return _render(
        request,
        "plans/public/goal.html",
        municipality=municipality,
        title=_("基本目標{number} {name}").format(number=number, name=detail.goal.name),
        description=_("{plan}の基本目標{number}「{name}」の施策と取組、{year}の評価。").format(
            plan=published.plan.name, number=number, name=detail.goal.name, year=year
        ),
        context={
            "published": published,
            "plan": published.plan,
            "detail": detail,
            "chart": chart,
        },
    )


def initiative_detail(request: HttpRequest, code: str, plan_id: int, number: int) -> HttpResponse:
    municipality = _municipality(code)
    plans, published = _published(municipality, plan_id)
    detail = public.initiative_detail(published, number, plans)
    if detail is None:
        raise Http404
    original = detail.initiative.repost_of
    if original is not None:
        return redirect(
            "plans_public:initiative", code=code, plan_id=plan_id, number=original.number
        )
    initiative = detail.initiative
    return _render(
        request,
        "plans/public/initiative.html",
        municipality=municipality,
        title=_("取組{number} {title}").format(number=number, title=initiative.title),
        description=_("{plan}の取組{number}「{title}」の年度ごとの実績と評価。").format(
            plan=published.plan.name, number=number, title=initiative.title
        ),
        context={"published": published, "plan": published.plan, "detail": detail},
    )


def indicator_list(request: HttpRequest, code: str, plan_id: int) -> HttpResponse:
    municipality = _municipality(code)
    _plans, published = _published(municipality, plan_id)
    entries = public.public_indicators(published)
    return _render(
        request,
        "plans/public/indicators.html",
        municipality=municipality,
        title=_("{plan} 成果指標").format(plan=published.plan.name),
        description=_("{plan}の成果指標{count}件の基準値・目標値・実績（{year}まで）。").format(
            plan=published.plan.name,
            count=len(entries),
            year=format_fiscal_year(published.latest_year),
        ),
        context={
            "published": published,
            "plan": published.plan,
            "cards": [public.indicator_card(entry) for entry in entries],
            "status_counts": public.status_counts(published.plan, entries),
        },
    )


def indicator_detail(request: HttpRequest, code: str, plan_id: int, number: int) -> HttpResponse:
    municipality = _municipality(code)
    _plans, published = _published(municipality, plan_id)
    entry = public.public_indicator(published, number)
    if entry is None:
        raise Http404
    chart = charts.indicator_trend(
        entry, public.chart_years(published), chart_id=f"indicator-{number}"
    )
    return _render(
        request,
        "plans/public/indicator.html",
        municipality=municipality,
        title=_("成果指標{number} {name}").format(number=number, name=entry.name),
        description=_("{plan}の成果指標{number}「{name}」の推移。状況: {status}。").format(
            plan=published.plan.name, number=number, name=entry.name, status=entry.status_label
        ),
        context={
            "published": published,
            "plan": published.plan,
            "entry": entry,
            "card": public.indicator_card(entry),
            "chart": chart,
        },
    )
