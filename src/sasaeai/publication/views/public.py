"""Public pages, no login: the plan's progress (/m/<code>/plan/) and the published reports with
their downloads (/m/<code>/reports/).

Every page reads through the published read model (``selectors/published.py``, through
``selectors/pages.py``): published cycles only, approved evaluations, published reviews. The
plan pages of a 年度 read the same document as that 年度's report, so their figures agree.
Plan pages carry Open Graph tags, a canonical address and the Atom feed's link; nothing is
cached.

A download serves the stored file of a *published* cycle (built and stored on first request),
with its Content-Type, a Content-Disposition carrying the Japanese filename (RFC 6266 /
RFC 5987 ``filename*=``) and an ASCII fallback, and an ETag and Last-Modified so a repeat
download is answered with 304. A 年度 with no published report — unknown, open, closed or
unpublished again — is the same Japanese 404 page: nothing about an unpublished cycle is
revealed, and nothing is built for it.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from sasaeai.accounts.models import Municipality
from sasaeai.core.errors import DomainError
from sasaeai.core.wareki import fiscal_year_of, format_fiscal_year
from sasaeai.publication import charts, services
from sasaeai.publication.models import ReportFile, ReportFormat
from sasaeai.publication.render import EXTENSIONS
from sasaeai.publication.selectors import pages
from sasaeai.publication.selectors.published import PublishedPlan, published_plans, status_counts


def absolute_url(path: str) -> str:
    """The public address of a path on this site (``SASAEAI_BASE_URL`` + path)."""
    return str(settings.SASAEAI_BASE_URL).rstrip("/") + path


# --- the plan's progress ----------------------------------------------------------------------


def _municipality(code: str) -> Municipality:
    return get_object_or_404(Municipality, code=code)


def _published(
    municipality: Municipality, plan_id: int
) -> tuple[list[PublishedPlan], PublishedPlan]:
    plans = published_plans(municipality)
    published = pages.find_plan(plans, plan_id)
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
            "reports_url": reverse("reports_public:index", kwargs={"code": code}),
            **context,
        },
        status=status,
    )


def _plan_description(municipality: Municipality, glance: pages.PlanGlance) -> str:
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
    plans: list[PublishedPlan],
    published: PublishedPlan,
    fiscal_year: int,
    *,
    today_fy: int | None = None,
) -> HttpResponse:
    glance = pages.plan_glance(published, fiscal_year)
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
    reports = [r for r in pages.published_reports(municipality, plans) if r.plan_id == plan.pk]
    return _render(
        request,
        "publication/public/plan.html",
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
    plans = published_plans(municipality)
    today_fy = fiscal_year_of(timezone.localdate())
    published = pages.featured_plan(plans, today_fy)
    if published is None:
        return _render(
            request,
            "publication/public/empty.html",
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
    detail = pages.goal_detail(published, number)
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
        "publication/public/goal.html",
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
    detail = pages.initiative_detail(published, number, plans)
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
        "publication/public/initiative.html",
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
    entries = pages.public_indicators(published)
    return _render(
        request,
        "publication/public/indicators.html",
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
            "cards": [pages.indicator_card(entry) for entry in entries],
            "status_counts": status_counts(published.plan, entries),
        },
    )


def indicator_detail(request: HttpRequest, code: str, plan_id: int, number: int) -> HttpResponse:
    municipality = _municipality(code)
    _plans, published = _published(municipality, plan_id)
    entry = pages.public_indicator(published, number)
    if entry is None:
        raise Http404
    chart = charts.indicator_trend(
        entry, pages.chart_years(published), chart_id=f"indicator-{number}"
    )
    return _render(
        request,
        "publication/public/indicator.html",
        municipality=municipality,
        title=_("成果指標{number} {name}").format(number=number, name=entry.name),
        description=_("{plan}の成果指標{number}「{name}」の推移。状況: {status}。").format(
            plan=published.plan.name, number=number, name=entry.name, status=entry.status_label
        ),
        context={
            "published": published,
            "plan": published.plan,
            "entry": entry,
            "card": pages.indicator_card(entry),
            "chart": chart,
        },
    )


# --- the published reports and their downloads ----------------------------------------------


#: Opened in the browser; the others are saved.
INLINE_FORMATS = frozenset({ReportFormat.HTML, ReportFormat.PDF})
STYLE_BLOCK = re.compile(rb"<style[^>]*>(.*?)</style>", re.S)


def style_hashes(html: bytes) -> list[str]:
    """CSP sources for the report's own inline stylesheets (the page allows nothing else)."""
    return [
        "'sha256-{}'".format(base64.b64encode(hashlib.sha256(block).digest()).decode("ascii"))
        for block in STYLE_BLOCK.findall(html)
    ]


def content_disposition(filename: str, fallback: str, *, inline: bool = False) -> str:
    """``attachment; filename="ascii"; filename*=UTF-8''percent-encoded`` (RFC 6266 §4.3)."""
    kind = "inline" if inline else "attachment"
    ascii_name = fallback.replace("\\", "_").replace('"', "_")
    if filename == ascii_name:
        return f'{kind}; filename="{ascii_name}"'
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _not_found(request: HttpRequest, municipality: Municipality | None, year: str) -> HttpResponse:
    return render(
        request,
        "publication/public/report_not_found.html",
        {"municipality": municipality, "year": year},
        status=404,
    )


@require_safe
def report_list(request: HttpRequest, code: str) -> HttpResponse:
    municipality = Municipality.objects.filter(code=code).first()
    if municipality is None:
        return _not_found(request, None, "")
    return render(
        request,
        "publication/public/report_list.html",
        {"municipality": municipality, "reports": pages.published_reports(municipality)},
    )


def _plan_id(request: HttpRequest) -> tuple[bool, int | None]:
    """``?plan=<id>`` when a 年度 has two reports: (whether the value is usable, the id)."""
    raw = request.GET.get("plan", "")
    if not raw:
        return True, None
    return (True, int(raw)) if raw.isdigit() else (False, None)


@require_safe
def download(request: HttpRequest, code: str, fiscal_year: int, fmt: str) -> HttpResponse:
    municipality = Municipality.objects.filter(code=code).first()
    year = format_fiscal_year(fiscal_year) if 1900 < fiscal_year < 2200 else ""
    plan_ok, plan_id = _plan_id(request)
    if municipality is None or fmt not in ReportFormat.values or not plan_ok:
        return _not_found(request, municipality, year)
    cycle = pages.published_cycle(municipality, fiscal_year, plan_id)
    if cycle is None:
        return _not_found(request, municipality, year)
    stored = ReportFile.objects.filter(cycle=cycle, format=fmt).defer("content").first()
    if stored is None or stored.source_published_at != cycle.published_at:
        try:
            stored = services.report_file_get_or_build(cycle=cycle, fmt=fmt)
        except DomainError as error:
            return render(
                request,
                "publication/public/report_unavailable.html",
                {"municipality": municipality, "year": year, "message": error.message},
                status=503,
            )
        content = bytes(stored.content)
    else:
        content = b""  # read only when the client does not have it already
    etag = f'"{stored.sha256}"'
    last_modified = int(stored.created_at.timestamp())
    not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if not_modified is not None:
        response = not_modified
    else:
        if not content:
            content = bytes(
                ReportFile.objects.filter(pk=stored.pk).values_list("content", flat=True).get()
            )
        response = HttpResponse(content, content_type=stored.content_type)
        response["Content-Length"] = str(len(content))
        fallback = f"{municipality.code}_{cycle.fiscal_year}_report.{EXTENSIONS[fmt]}"
        response["Content-Disposition"] = content_disposition(
            stored.filename, fallback, inline=fmt in INLINE_FORMATS
        )
        if fmt == ReportFormat.HTML:
            # the standalone report carries its CSS inline: allow exactly those blocks
            setattr(response, "_csp_update", {"style-src": style_hashes(content)})  # noqa: B010
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    # caches may keep it but must ask again: an unpublished report disappears at once
    response["Cache-Control"] = "public, no-cache"
    return response
