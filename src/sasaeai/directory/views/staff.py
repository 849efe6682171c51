"""Staff pages of the directory (/staff/directory/): the list of entries, the edit form of a
service with its organisation, places, phones and schedules, 「内容を確認しました」, the status,
the history, the stale list, the senior guide booklet download, and the import of open-data
and HSDS files (a preview and an apply, each a background job with its progress).

Views are thin: they parse the forms, call one service function and render. Every rule on
who may do what is in ``directory/permissions.py``.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sasaeai.accounts import permissions as accounts_permissions
from sasaeai.accounts.decorators import requires, staff_municipality
from sasaeai.accounts.models import District, Municipality, Town
from sasaeai.core.errors import DomainError, StaleEdit
from sasaeai.core.http import safe_next_url
from sasaeai.core.imports import RETIRE
from sasaeai.core.pdf import PdfUnavailable
from sasaeai.directory import permissions, services
from sasaeai.directory.forms import (
    FilterForm,
    ImportForm,
    LocationFormSet,
    OrganizationForm,
    PhoneFormSet,
    ScheduleForm,
    ScheduleFormSet,
    ServiceForm,
    StatusForm,
)
from sasaeai.directory.importing import jobs as import_jobs
from sasaeai.directory.importing import service as importing
from sasaeai.directory.models import (
    ImportJob,
    ImportJobMode,
    ImportJobState,
    Organization,
    Service,
    ServiceStatus,
)
from sasaeai.directory.selectors import staff as selectors
from sasaeai.directory.taxonomies import CATEGORY_CODES, TARGET_CODES, term_choices

ADD_ROW = {"add_location": "locations", "add_phone": "phones", "add_schedule": "schedules"}


def _service(request: HttpRequest, service_id: str) -> Service:
    service = selectors.service_of(staff_municipality(request), service_id, request.user)
    if service is None:
        raise Http404
    return service


def _term_choices(
    municipality: Municipality,
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    # reads never write: a term not created yet is offered under its standard name, and the
    # save that first uses it creates its row (services.service_save)
    return term_choices(municipality)


# --- the list ----------------------------------------------------------------------------


@requires(permissions.can, "directory.view")
def entry_list(request: HttpRequest) -> HttpResponse:
    municipality = staff_municipality(request)
    user = request.user
    manager = permissions.is_manager(user, municipality)
    editable = permissions.editable_unit_ids(user, municipality)
    _targets, categories = _term_choices(municipality)
    unit_choices = [(str(pk), name) for pk, name in selectors.units_of(municipality)]
    form = FilterForm(
        request.GET or None,
        districts=[(str(d.pk), d.name) for d in District.objects.filter(municipality=municipality)],
        categories=categories,
        maintainers=[*unit_choices, ("none", _("（未設定）"))],
    )
    filters = form.cleaned_data if form.is_valid() else {}
    scope = filters.get("scope") or ("all" if manager or not editable else "mine")
    rows = selectors.staff_entries(
        municipality=municipality,
        user=user,
        q=filters.get("q", ""),
        district_id=int(filters["district"]) if filters.get("district") else None,
        category_code=filters.get("category", ""),
        maintainer=filters.get("maintainer", ""),
        stale=bool(filters.get("stale")),
        scope=scope,
    )
    return render(
        request,
        "directory/staff/list.html",
        {
            "form": form,
            "rows": rows,
            "scope": scope,
            "can_create": permissions.can_create(user, municipality),
            "is_manager": manager,
            "districts": District.objects.filter(municipality=municipality),
        },
    )


# --- create and edit ---------------------------------------------------------------------


def _maintainer_choices(
    user: Any, municipality: Municipality
) -> tuple[list[tuple[int, str]], bool]:
    if permissions.is_manager(user, municipality):
        return selectors.units_of(municipality), True
    return selectors.units_of(
        municipality, permissions.editable_unit_ids(user, municipality)
    ), False


def _forms(
    request: HttpRequest, municipality: Municipality, service: Service | None
) -> dict[str, Any]:
    """The service form and the three formsets, bound on POST, else filled from the service."""
    user = request.user
    maintainers, allow_none = _maintainer_choices(user, municipality)
    targets, categories = _term_choices(municipality)
    districts = list(District.objects.filter(municipality=municipality))
    towns = list(
        Town.objects.filter(municipality=municipality).order_by(
            "district__order", "reading", "name"
        )
    )
    data = None
    if request.method == "POST":
        data = request.POST.copy()
        for button, prefix in ADD_ROW.items():
            if button in data:
                key = f"{prefix}-TOTAL_FORMS"
                data[key] = str(int(data.get(key) or 0) + 1)
    initial: dict[str, Any] = {}
    locations: list[dict[str, Any]] = []
    phones: list[dict[str, Any]] = []
    schedules: list[dict[str, Any]] = []
    if service is not None:
        initial = {
            "organization": str(service.organization_id),
            "name": service.name,
            "name_kana": service.name_kana,
            "alternate_name": service.alternate_name,
            "description": service.description,
            "eligibility_description": service.eligibility_description,
            "application_process": service.application_process,
            "fees_description": service.fees_description,
            "is_free": "" if service.is_free is None else ("yes" if service.is_free else "no"),
            "minimum_age": service.minimum_age,
            "maximum_age": service.maximum_age,
            "url": service.url,
            "email": service.email,
            "alert": service.alert,
            "maintainer": str(service.maintainer_id or ""),
            "loaded_at": service.updated_at.isoformat(),
        }
        codes = selectors.service_term_codes(service)
        initial["targets"] = [c for c in codes if c in TARGET_CODES]
        initial["categories"] = [c for c in codes if c in CATEGORY_CODES]
        for sal in service.at_locations.all():
            loc = sal.location
            address = next(iter(loc.addresses.all()), None)
            locations.append(
                {
                    "id": str(loc.pk),
                    "name": loc.name,
                    "district": str(loc.district_id or ""),
                    "town": str(loc.town_id or ""),
                    "postal_code": address.postal_code if address else "",
                    "address_1": address.address_1 if address else "",
                    "address_2": address.address_2 if address else "",
                    "latitude": loc.latitude,
                    "longitude": loc.longitude,
                    "transportation": loc.transportation,
                }
            )
        for phone in sorted(service.phones.all(), key=lambda p: (p.created_at, str(p.pk))):
            phones.append(
                {
                    "id": str(phone.pk),
                    "number": phone.number,
                    "extension": phone.extension,
                    "type": phone.type or "voice",
                    "description": phone.description,
                }
            )
        for schedule in sorted(service.schedules.all(), key=lambda s: (s.created_at, str(s.pk))):
            schedules.append(ScheduleForm.initial_for(schedule))
    else:
        units = [pk for pk, _name in maintainers]
        if not allow_none and len(units) == 1:
            initial["maintainer"] = str(units[0])
    # one empty row when a list is empty, so the page always has a place to type
    return {
        "form": ServiceForm(
            data,
            initial=initial,
            organizations=selectors.organizations_of(
                municipality, user=user, keep=service.organization_id if service else None
            ),
            maintainers=maintainers,
            allow_no_maintainer=allow_none,
            targets=targets,
            categories=categories,
        ),
        "locations": LocationFormSet(
            data,
            prefix="locations",
            initial=locations or [{}],
            form_kwargs={"districts": districts, "towns": towns},
        ),
        "phones": PhoneFormSet(data, prefix="phones", initial=phones or [{}]),
        "schedules": ScheduleFormSet(data, prefix="schedules", initial=schedules or [{}]),
    }


def _kept(formset: Any) -> list[Any]:
    """The rows of a valid formset that are filled in and not marked for deletion."""
    rows = []
    for form in formset.forms:
        if not form.has_changed() and not form.initial:
            continue
        if form.cleaned_data.get("DELETE"):
            continue
        if hasattr(form, "has_content") and not form.has_content():
            continue
        rows.append(form.to_input())
    return rows


def _location_rows(formset: Any) -> list[Any]:
    rows = []
    for form in formset.forms:
        if form.cleaned_data.get("DELETE"):
            continue
        item = form.to_input()
        if item.id is None and not any(
            [item.name, item.address_1, item.district_id, item.town_id, item.latitude]
        ):
            continue
        rows.append(item)
    return rows


def _render_edit(
    request: HttpRequest,
    service: Service | None,
    parts: dict[str, Any],
    *,
    errors: list[str] | None = None,
    conflict: Service | None = None,
    status: int = 200,
) -> HttpResponse:
    municipality = staff_municipality(request)
    context = {
        **parts,
        "service": service,
        "errors": errors or [],
        "conflict": conflict,
        "status_form": StatusForm(initial={"status": service.status}) if service else None,
        "can_delete": service is not None and permissions.can_delete_service(request.user, service),
        "can_edit_organization": service is not None
        and permissions.can_edit_organization(request.user, service.organization),
        "can_view_audit": accounts_permissions.can(request.user, "audit.view", municipality),
    }
    return render(request, "directory/staff/edit.html", context, status=status)


def _save(request: HttpRequest, service: Service | None) -> HttpResponse:
    municipality = staff_municipality(request)
    parts = _forms(request, municipality, service)
    if any(button in request.POST for button in ADD_ROW):
        return _render_edit(request, service, parts)
    form, locations, phones, schedules = (
        parts["form"],
        parts["locations"],
        parts["phones"],
        parts["schedules"],
    )
    valid = all([form.is_valid(), locations.is_valid(), phones.is_valid(), schedules.is_valid()])
    if not valid:
        return _render_edit(request, service, parts, status=400)
    try:
        with transaction.atomic():
            organization = form.organization_choice()
            if organization is None:
                values = form.service_input()
                organization = services.organization_save(
                    actor=request.user,
                    municipality=municipality,
                    name=form.cleaned_data["new_organization_name"],
                    name_kana=form.cleaned_data.get("new_organization_kana", ""),
                    maintainer_id=values.maintainer_id,
                )
            saved = services.service_save(
                actor=request.user,
                municipality=municipality,
                organization=organization,
                service=service,
                values=form.service_input(),
                locations=_location_rows(locations),
                phones=_kept(phones),
                schedules=_kept(schedules),
                term_codes=form.term_codes(),
                expected_updated_at=form.cleaned_data.get("loaded_at") if service else None,
            )
    except StaleEdit as error:
        latest = (
            selectors.service_of(municipality, str(service.pk), request.user) if service else None
        )
        # keep what the user typed; the hidden field now names the latest save, so saving
        # again is a deliberate choice made after seeing the other person's changes
        if latest is not None:
            form.data = form.data.copy()
            form.data["loaded_at"] = latest.updated_at.isoformat()
        return _render_edit(
            request,
            service,
            parts,
            errors=[error.message, _("入力した内容は下の欄に残っています。")],
            conflict=latest,
            status=409,
        )
    except DomainError as error:
        details = [str(d) for d in error.details] or [str(error)]
        return _render_edit(request, service, parts, errors=details, status=400)
    messages.success(
        request,
        _("「{name}」を保存しました。").format(name=saved.name),
    )
    return redirect("directory:service_edit", service_id=saved.pk)


def _organizations_exist(municipality: Municipality) -> bool:
    return Organization.objects.filter(municipality=municipality).exists()


@requires(permissions.can, "directory.view")
def service_new(request: HttpRequest) -> HttpResponse:
    municipality = staff_municipality(request)
    if not permissions.can_create(request.user, municipality):
        raise PermissionDenied
    if request.method == "POST":
        return _save(request, None)
    return _render_edit(request, None, _forms(request, municipality, None))


@requires(permissions.can, "directory.view")
def service_edit(request: HttpRequest, service_id: str) -> HttpResponse:
    service = _service(request, service_id)
    if not permissions.can_edit_service(request.user, service):
        if request.method == "POST":
            raise PermissionDenied
        return render(
            request,
            "directory/staff/view.html",
            {"service": service, "unit": selectors.responsible_unit(service)},
        )
    if request.method == "POST":
        return _save(request, service)
    return _render_edit(request, service, _forms(request, staff_municipality(request), service))


@requires(permissions.can, "directory.view")
@require_POST
def service_confirm(request: HttpRequest, service_id: str) -> HttpResponse:
    service = _service(request, service_id)
    if not permissions.can_edit_service(request.user, service):
        raise PermissionDenied
    services.service_confirm(actor=request.user, service=service)
    messages.success(
        request,
        _("「{name}」の内容を確認済みにしました（最終確認日: 今日）。").format(name=service.name),
    )
    return redirect(safe_next_url(request, reverse("directory:service_edit", args=[service.pk])))


@requires(permissions.can, "directory.view")
@require_POST
def service_status(request: HttpRequest, service_id: str) -> HttpResponse:
    service = _service(request, service_id)
    if not permissions.can_edit_service(request.user, service):
        raise PermissionDenied
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("状態を選んでください。"))
    else:
        services.service_set_status(
            actor=request.user, service=service, status=form.cleaned_data["status"]
        )
        messages.success(
            request,
            _("状態を「{status}」にしました。").format(status=ServiceStatus(service.status).label),
        )
    return redirect("directory:service_edit", service_id=service.pk)


@requires(permissions.can, "directory.manage")
def service_delete(request: HttpRequest, service_id: str) -> HttpResponse:
    service = _service(request, service_id)
    if request.method == "POST":
        name = service.name
        services.service_delete(actor=request.user, service=service)
        messages.success(request, _("「{name}」を削除しました。").format(name=name))
        return redirect("directory:list")
    return render(request, "directory/staff/delete.html", {"service": service})


@requires(permissions.can, "directory.view")
def service_history(request: HttpRequest, service_id: str) -> HttpResponse:
    service = _service(request, service_id)
    if not permissions.can_view_history(request.user, service):
        raise PermissionDenied
    municipality = staff_municipality(request)
    audit_link = ""
    if accounts_permissions.can(request.user, "audit.view", municipality):
        audit_link = (
            reverse("web:audit_log")
            + "?"
            + urlencode({"object_type": Service._meta.label, "object_id": str(service.pk)})
        )
    return render(
        request,
        "directory/staff/history.html",
        {
            "service": service,
            "history": selectors.service_history(service),
            "audit_link": audit_link,
        },
    )


# --- organisations -----------------------------------------------------------------------


@requires(permissions.can, "directory.view")
def organization_edit(request: HttpRequest, organization_id: str) -> HttpResponse:
    municipality = staff_municipality(request)
    try:
        pk = uuid.UUID(organization_id)
    except ValueError:
        raise Http404 from None
    organization = permissions.visible_organizations(
        request.user, Organization.objects.filter(pk=pk), municipality
    ).first()
    if organization is None:
        raise Http404
    if not permissions.can_edit_organization(request.user, organization):
        raise PermissionDenied
    maintainers, allow_none = _maintainer_choices(request.user, municipality)
    form = OrganizationForm(
        request.POST or None,
        maintainers=maintainers,
        allow_no_maintainer=allow_none,
        initial={
            "name": organization.name,
            "name_kana": organization.name_kana,
            "description": organization.description,
            "website": organization.website,
            "email": organization.email,
            "maintainer": str(organization.maintainer_id or ""),
            "loaded_at": organization.updated_at.isoformat(),
        },
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.organization_save(
                    actor=request.user,
                    municipality=municipality,
                    organization=organization,
                    name=data["name"],
                    name_kana=data["name_kana"],
                    description=data["description"],
                    website=data["website"],
                    email=data["email"],
                    maintainer_id=int(data["maintainer"]) if data["maintainer"] else None,
                    expected_updated_at=data["loaded_at"],
                )
            except StaleEdit as error:
                form.add_error(None, error.message)
                fresh = request.POST.copy()
                fresh["loaded_at"] = Organization.objects.get(
                    pk=organization.pk
                ).updated_at.isoformat()
                form.data = fresh
                status = 409
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("団体の情報を保存しました。"))
                return redirect("directory:organization_edit", organization_id=organization.pk)
    return render(
        request,
        "directory/staff/organization.html",
        {"form": form, "organization": organization},
        status=status,
    )


# --- stale entries -----------------------------------------------------------------------


@requires(permissions.can, "directory.view")
def stale_list(request: HttpRequest) -> HttpResponse:
    municipality = staff_municipality(request)
    user = request.user
    if not permissions.can_view_stale(user, municipality):
        raise PermissionDenied
    return render(
        request,
        "directory/staff/stale.html",
        {
            "groups": selectors.stale_groups(municipality=municipality, user=user),
            "cutoff": selectors.stale_cutoff(),
            "months": selectors.STALE_MONTHS,
        },
    )


# --- the booklet -------------------------------------------------------------------------


@requires(permissions.can, "directory.view")
def booklet_download(request: HttpRequest) -> HttpResponse:
    from sasaeai.directory import booklet

    municipality = staff_municipality(request)
    name = request.GET.get("district", "")
    if not name:
        return render(
            request,
            "directory/staff/booklet.html",
            {"districts": District.objects.filter(municipality=municipality)},
        )
    try:
        pdf = booklet.booklet_pdf(municipality=municipality, district_name=name)
    except booklet.UnknownDistrict:
        raise Http404 from None
    except PdfUnavailable as error:
        return render(
            request,
            "directory/staff/booklet.html",
            {
                "districts": District.objects.filter(municipality=municipality),
                "error": error.message,
            },
            status=503,
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = booklet.booklet_filename(municipality, name)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
    return response


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text)


# --- import (事務局): upload → preview (a job) → apply (a job) -------------------------------
# The upload is stored and previewed in the background (importing/jobs.py); the job page
# polls its progress with htmx every second and reloads itself when the job ends (without
# JavaScript: on reload). 「取り込む」 starts the apply job of exactly the previewed file.

IMPORT_PREVIEW_LIMIT = 200  # rows of each table on the page (importing.jobs.RESULT_LIMIT)


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _import_job(request: HttpRequest, job_id: str) -> ImportJob:
    """The job, if it is of the user's municipality (404 otherwise)."""
    job = import_jobs.job_of(staff_municipality(request), job_id)
    if job is None:
        raise Http404
    return job


def _import_job_context(request: HttpRequest, job: ImportJob) -> dict[str, Any]:
    """The job page: its state and progress, and when done its result (each table cut at
    ``IMPORT_PREVIEW_LIMIT``, with how many rows are not shown)."""
    stalled = import_jobs.job_is_stalled(job)
    active = job.state in {ImportJobState.QUEUED, ImportJobState.RUNNING}
    result = import_jobs.job_result(job)
    changes = [c for c in result.changes if c.action != RETIRE] if result else []
    retirements = result.changes_of("service", RETIRE) if result else []
    counted = (
        sum(n for (_e, action), n in result.change_counts.items() if action != RETIRE)
        if result
        else 0
    )
    is_preview = job.mode == ImportJobMode.PREVIEW
    applied_by = import_jobs.apply_of(job) if is_preview else None
    is_own = job.requested_by_id == request.user.pk
    return {
        "job": job,
        "is_preview": is_preview,
        "progress": import_jobs.job_progress(job),
        "polling": active and not stalled,
        "stalled": stalled,
        "is_done": job.state == ImportJobState.DONE,
        "is_failed": job.state == ImportJobState.FAILED,
        "result": result,
        "changes": changes[:IMPORT_PREVIEW_LIMIT],
        "hidden": max(0, counted - min(len(changes), IMPORT_PREVIEW_LIMIT)),
        "retirements": retirements[:IMPORT_PREVIEW_LIMIT],
        "retirements_hidden": max(
            0,
            (result.counts()["retire"] if result else 0) - len(retirements[:IMPORT_PREVIEW_LIMIT]),
        ),
        "warnings_hidden": max(0, result.warning_count - 100) if result else 0,
        "applied_by": applied_by,
        "is_own": is_own,
        "can_apply": bool(
            is_preview
            and result is not None
            and result.ok
            and result.has_changes
            and is_own
            and applied_by is None
        ),
        "kind_label": importing.kind_label(job.kind),
        "command": importing.command_line(
            municipality=job.municipality,
            filename=job.filename,
            kind=job.kind,
            retire_missing=job.retire_missing,
        ),
    }


@requires(permissions.can, "directory.manage")
def import_upload(request: HttpRequest) -> HttpResponse:
    """Choose an open-data CSV or HSDS file: it is stored and previewed in the background,
    and the page of that job follows at once."""
    municipality = staff_municipality(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = import_jobs.directory_import_start(
                actor=request.user,
                municipality=municipality,
                chunks=upload.chunks(),
                filename=upload.name or "",
                kind=form.cleaned_data["kind"] or "auto",
                retire_missing=bool(form.cleaned_data["retire_missing"]),
                request=request,
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return redirect("directory:import_job", job_id=job.pk)
    return render(
        request,
        "directory/staff/import.html",
        {
            "form": form,
            "jobs": import_jobs.recent_jobs(municipality),
            "row_limit": f"{import_jobs.WEB_ROW_LIMIT:,}",
            "municipality": municipality,
        },
    )


@requires(permissions.can, "directory.manage")
def import_job(request: HttpRequest, job_id: str) -> HttpResponse:
    """One preview or apply: its progress while it runs, then what it found or did."""
    job = _import_job(request, job_id)
    return render(request, "directory/staff/import_job.html", _import_job_context(request, job))


@requires(permissions.can, "directory.manage")
@require_GET
def import_job_progress(request: HttpRequest, job_id: str) -> HttpResponse:
    """The progress bar (htmx); once the job has ended, the page reloads to show it."""
    job = _import_job(request, job_id)
    if not _is_htmx(request):
        return redirect("directory:import_job", job_id=job.pk)
    context = _import_job_context(request, job)
    response = render(request, "directory/staff/_import_progress.html", context)
    if not context["polling"]:
        response["HX-Refresh"] = "true"
    return response


@requires(permissions.can, "directory.manage")
@require_POST
def import_job_apply(request: HttpRequest, job_id: str) -> HttpResponse:
    """「取り込む」: start importing exactly the file this preview checked."""
    preview = _import_job(request, job_id)
    try:
        job = import_jobs.directory_import_apply_start(
            actor=request.user, preview=preview, request=request
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("directory:import_job", job_id=preview.pk)
    return redirect("directory:import_job", job_id=job.pk)
