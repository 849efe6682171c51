"""Staff report screens (/staff/reports/): cycles, builds with progress, the gate, publishing,
unpublishing and the kept terms (用語解説).

Thin views: they read through ``selectors.staff`` (and ``selectors.pages`` for the public
addresses), write through ``services`` and ask ``permissions`` (deny by default). The build progress is polled with htmx every second; without
JavaScript the cycle page shows the latest state on reload.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from sasaeai.accounts.decorators import requires, staff_municipality
from sasaeai.core.errors import DomainError
from sasaeai.core.http import safe_next_url
from sasaeai.core.wareki import format_fiscal_year
from sasaeai.plans.models import CycleStatus, EvaluationCycle
from sasaeai.publication import permissions, services
from sasaeai.publication.forms import (
    BuildForm,
    KeptTermEditForm,
    KeptTermForm,
    PublishForm,
    UnpublishForm,
)
from sasaeai.publication.gate import GateResult
from sasaeai.publication.models import BuildState, KeptTerm, ReportBuild, ReportFormat
from sasaeai.publication.render import EXTENSIONS
from sasaeai.publication.selectors import staff as selectors
from sasaeai.publication.selectors.pages import download_url
from sasaeai.publication.services.base import format_label
from sasaeai.publication.services.publishing import unapproved_text
from sasaeai.publication.views.public import content_disposition

FORMAT_NOTES = {
    ReportFormat.HTML: gettext_lazy("ホームページに載せる形。画面の読み上げにも向いています。"),
    ReportFormat.PDF: gettext_lazy("印刷や配布のための形。"),
    ReportFormat.XLSX: gettext_lazy("Excel で開ける表。集計や加工に使えます。"),
    ReportFormat.CSV: gettext_lazy(
        "オープンデータ（取組と成果指標の2つの表を ZIP にまとめたもの）。"
    ),
}


def _cycle(request: HttpRequest, cycle_id: int) -> EvaluationCycle:
    cycle = selectors.staff_cycle(staff_municipality(request), cycle_id, request.user)
    if cycle is None:
        raise Http404
    return cycle


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _year(cycle: EvaluationCycle) -> str:
    return format_fiscal_year(cycle.fiscal_year)


# --- cycles and builds ------------------------------------------------------------------


@requires(permissions.can, "reports.view")
def index(request: HttpRequest) -> HttpResponse:
    municipality = staff_municipality(request)
    user = request.user
    return render(
        request,
        "publication/staff/index.html",
        {
            "groups": selectors.cycles_by_plan(municipality, user),
            "can_publish": permissions.can(user, "reports.publish"),
            "can_keep_terms": permissions.can(user, "reports.keep_terms"),
            "can_build_drafts": permissions.can(user, "reports.build_draft"),
            "municipality": municipality,
        },
    )


def _build_context(build: ReportBuild | None, fmt: str) -> dict[str, Any]:
    running = build is not None and build.state in {BuildState.QUEUED, BuildState.RUNNING}
    stalled = build is not None and services.build_is_stalled(build)
    return {
        "build": build,
        "fmt": fmt,
        "polling": running and not stalled,
        "stalled": stalled,
        "is_done": build is not None and build.state == BuildState.DONE,
        "is_failed": build is not None and build.state == BuildState.FAILED,
    }


@requires(permissions.can, "reports.view")
def cycle_page(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = _cycle(request, cycle_id)
    user = request.user
    builds = selectors.latest_builds(cycle)
    formats = [
        {
            "value": fmt,
            "label": label,
            "note": FORMAT_NOTES[ReportFormat(fmt)],
            **_build_context(builds.get(fmt), fmt),
        }
        for fmt, label in ReportFormat.choices
    ]
    published = cycle.status == CycleStatus.PUBLISHED
    return render(
        request,
        "publication/staff/cycle.html",
        {
            "cycle": cycle,
            "formats": formats,
            "can_build": permissions.can_build(user, cycle),
            "can_publish": permissions.can(user, "reports.publish"),
            "is_open": cycle.status == CycleStatus.OPEN,
            "is_closed": cycle.status == CycleStatus.CLOSED,
            "is_published": published,
            "public_links": [
                {
                    "label": label,
                    "url": download_url(
                        cycle.municipality.code, cycle.fiscal_year, fmt, cycle.plan_id
                    ),
                }
                for fmt, label in ReportFormat.choices
            ]
            if published
            else [],
        },
    )


@requires(permissions.can, "reports.build")
@require_POST
def build_start(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = _cycle(request, cycle_id)
    if not permissions.can_build(request.user, cycle):
        raise PermissionDenied
    form = BuildForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("作成する形式を選んでください。"))
        return redirect("reports:cycle", cycle_id=cycle.pk)
    fmt = form.cleaned_data["format"]
    try:
        build = services.report_build_start(actor=request.user, cycle=cycle, fmt=fmt)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("reports:cycle", cycle_id=cycle.pk)
    if _is_htmx(request):
        build = selectors.build_of(cycle.municipality, build.pk) or build
        return render(request, "publication/staff/_build.html", _build_context(build, fmt))
    messages.success(
        request,
        _("{fmt} の作成を始めました。").format(fmt=format_label(fmt)),
    )
    return redirect(reverse("reports:cycle", kwargs={"cycle_id": cycle.pk}) + f"#format-{fmt}")


def _build(request: HttpRequest, build_id: int, *, with_content: bool = False) -> ReportBuild:
    build = selectors.build_of(staff_municipality(request), build_id, with_content=with_content)
    if build is None:
        raise Http404
    if not permissions.can_build(request.user, build.cycle):
        raise PermissionDenied
    return build


@requires(permissions.can, "reports.build")
@require_GET
def build_progress(request: HttpRequest, build_id: int) -> HttpResponse:
    build = _build(request, build_id)
    if not _is_htmx(request):
        target = reverse("reports:cycle", kwargs={"cycle_id": build.cycle_id})
        return redirect(f"{target}#format-{build.format}")
    return render(request, "publication/staff/_build.html", _build_context(build, build.format))


@requires(permissions.can, "reports.build")
@require_GET
def build_download(request: HttpRequest, build_id: int) -> HttpResponse:
    build = _build(request, build_id, with_content=True)
    if build.state != BuildState.DONE or build.content is None:
        raise Http404
    response = HttpResponse(bytes(build.content), content_type=build.content_type)
    cycle = build.cycle
    draft = build.filename.endswith(_("_案") + "." + EXTENSIONS[build.format])
    stem = "report_draft" if draft else "report"
    fallback = f"{cycle.municipality.code}_{cycle.fiscal_year}_{stem}.{EXTENSIONS[build.format]}"
    response["Content-Disposition"] = content_disposition(build.filename, fallback)
    response["Cache-Control"] = "private, no-store"
    return response


# --- the gate and publishing ----------------------------------------------------------------


def _term_groups(result: GateResult) -> list[dict[str, Any]]:
    """Flagged words (カタカナ語・略語) with their counts, each with one keep form."""
    groups: dict[str, dict[str, Any]] = {}
    for finding in result.findings():
        if not finding.can_keep:
            continue
        group = groups.setdefault(
            finding.text,
            {
                "term": finding.text,
                "count": 0,
                "severity": finding.severity,
                "severity_label": finding.severity_label,
                "suggestion": finding.suggestion,
            },
        )
        group["count"] += 1
    ordered = sorted(
        groups.values(),
        key=lambda group: (
            {"error": 0, "warning": 1, "info": 2}.get(group["severity"], 3),
            -group["count"],
            group["term"],
        ),
    )
    for index, group in enumerate(ordered, start=1):
        group["index"] = index
    return ordered


def _gate_page(
    request: HttpRequest,
    cycle: EvaluationCycle,
    *,
    form: PublishForm | None = None,
    status: int = 200,
) -> HttpResponse:
    result = services.cycle_gate(cycle)
    links = selectors.source_links(cycle)
    unapproved = selectors.unapproved_evaluations(cycle)
    groups = _term_groups(result)
    term_index = {group["term"]: group["index"] for group in groups}
    locations = [
        {
            "location": location,
            "fields": [
                {
                    "group": group,
                    "link": links.get(group.anchor, group.field),
                    "findings": [
                        {"finding": finding, "term_index": term_index.get(finding.text)}
                        for finding in group.findings
                    ],
                }
                for group in location.fields
            ],
        }
        for location in result.locations
    ]
    if form is None:
        form = PublishForm(initial={"seen_unapproved": PublishForm.ids_text(unapproved)})
    return render(
        request,
        "publication/staff/gate.html",
        {
            "cycle": cycle,
            "result": result,
            "locations": locations,
            "term_groups": groups,
            "unapproved": unapproved,
            "unapproved_states": unapproved_text(unapproved),
            "form": form,
            "can_publish_now": cycle.status == CycleStatus.CLOSED,
            "is_open": cycle.status == CycleStatus.OPEN,
            "is_published": cycle.status == CycleStatus.PUBLISHED,
            "gate_url": reverse("reports:gate", kwargs={"cycle_id": cycle.pk}),
        },
        status=status,
    )


@requires(permissions.can, "reports.publish")
@require_GET
def gate(request: HttpRequest, cycle_id: int) -> HttpResponse:
    return _gate_page(request, _cycle(request, cycle_id))


@requires(permissions.can, "reports.publish")
@require_POST
def publish(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = _cycle(request, cycle_id)
    form = PublishForm(request.POST)
    if form.is_valid():
        try:
            services.cycle_publish(
                actor=request.user,
                cycle=cycle,
                leave_unapproved=form.cleaned_data["leave_unapproved"],
                seen_unapproved=form.cleaned_data["seen_unapproved"],
                confirm_open_errors=form.cleaned_data["confirm_open_errors"],
                confirmation_note=form.cleaned_data["confirmation_note"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _(
                    "{year}の推進状況報告書を公表しました。公開ページからダウンロードできます。"
                ).format(year=_year(cycle)),
            )
            return redirect("reports:cycle", cycle_id=cycle.pk)
    return _gate_page(request, cycle, form=form)


@requires(permissions.can, "reports.publish")
def unpublish(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = _cycle(request, cycle_id)
    form = UnpublishForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cycle_unpublish(
                actor=request.user, cycle=cycle, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _(
                    "{year}の報告書の公表を取り消しました。直したあと、もう一度公表できます。"
                ).format(year=_year(cycle)),
            )
            return redirect("reports:cycle", cycle_id=cycle.pk)
    return render(request, "publication/staff/unpublish.html", {"cycle": cycle, "form": form})


# --- 用語解説: kept terms -------------------------------------------------------------------


@requires(permissions.can, "reports.keep_terms")
def term_list(request: HttpRequest) -> HttpResponse:
    municipality = staff_municipality(request)
    return render(
        request,
        "publication/staff/term_list.html",
        {
            "terms": selectors.kept_terms(municipality),
            "form": KeptTermForm(initial={"next": reverse("reports:term_list")}),
        },
    )


@requires(permissions.can, "reports.keep_terms")
def term_create(request: HttpRequest) -> HttpResponse:
    """Keep a term (from the gate's form or the list); GET ?term= shows the form filled in."""
    municipality = staff_municipality(request)
    if request.method == "POST":
        form = KeptTermForm(request.POST)
    else:
        form = KeptTermForm(
            initial={
                "term": request.GET.get("term", "")[:100],
                "next": request.GET.get("next", ""),
            }
        )
    if request.method == "POST" and form.is_valid():
        try:
            kept = services.kept_term_save(
                actor=request.user,
                municipality=municipality,
                term=form.cleaned_data["term"],
                explanation=form.cleaned_data["explanation"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _(
                    "「{term}」を用語解説に加えました。わかりやすさチェックでは指摘しません。"
                ).format(term=kept.term),
            )
            fallback = reverse("reports:term_list")
            next_url = safe_next_url(request, fallback, target=form.cleaned_data.get("next", ""))
            return redirect(next_url)
    return render(request, "publication/staff/term_form.html", {"form": form, "term": None})


def _kept_term(request: HttpRequest, term_id: int) -> KeptTerm:
    found = selectors.kept_terms(staff_municipality(request)).filter(pk=term_id).first()
    if found is None:
        raise Http404
    return found


@requires(permissions.can, "reports.keep_terms")
def term_edit(request: HttpRequest, term_id: int) -> HttpResponse:
    kept = _kept_term(request, term_id)
    form = KeptTermEditForm(
        request.POST if request.method == "POST" else None,
        initial={"explanation": kept.explanation},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.kept_term_save(
                actor=request.user,
                municipality=kept.municipality_id,
                term=kept.term,
                explanation=form.cleaned_data["explanation"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("「{term}」の解説を保存しました。").format(term=kept.term))
            return redirect("reports:term_list")
    return render(request, "publication/staff/term_form.html", {"form": form, "term": kept})


@requires(permissions.can, "reports.keep_terms")
def term_delete(request: HttpRequest, term_id: int) -> HttpResponse:
    kept = _kept_term(request, term_id)
    if request.method == "POST":
        try:
            services.kept_term_delete(actor=request.user, kept_term=kept)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("「{term}」を用語解説から削除しました。").format(term=kept.term),
            )
        return redirect("reports:term_list")
    return render(request, "publication/staff/term_delete.html", {"term": kept})
