"""Staff pages for the plan workbook: upload → preview → confirm, template and export.

The flow is the one of every import (``core.uploads``): the upload is stored as a pending
upload of the secretariat member who chose it (nothing else is saved), the preview page
(``?upload=<id>``) shows the changes with their fingerprint, and the confirmation names the
upload and carries the fingerprint: ``plan_import`` recomputes the changes inside its
transaction and saves them only if they are still the ones shown — or nothing.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sasaeai.accounts.decorators import requires, staff_municipality
from sasaeai.core import uploads
from sasaeai.core.errors import DomainError
from sasaeai.core.models import PendingUpload
from sasaeai.plans import permissions
from sasaeai.plans.models import Plan
from sasaeai.plans.services import plan_import as service
from sasaeai.plans.workbook.read import check_filename
from sasaeai.plans.workbook.spec import WorkbookError

PURPOSE = "plans.workbook"
PREVIEW_LIMIT = 300  # changes shown per sheet
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("計画ワークブック（Excel ファイル）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xlsm"}),
        error_messages={
            "required": gettext_lazy("取り込むファイルを選んでください。"),
            "empty": gettext_lazy("ファイルが空です。"),
            "invalid": gettext_lazy("ファイルを選び直してください。"),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            ".xlsx または .xlsm、{limit} まで。マクロや数式は実行しません。"
        ).format(limit=uploads.limit_text("xlsx"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        problem = check_filename(upload.name or "")
        if problem is not None:
            raise forms.ValidationError(problem.message)
        try:
            uploads.check_size(file_format="xlsx", size=upload.size)
        except uploads.UploadRefused as error:
            raise forms.ValidationError(error.message) from None
        return upload


def _preview_context(result: service.PlanImportResult) -> dict[str, Any]:
    sheets = []
    for counts, changes in result.by_sheet():
        if changes:
            shown = changes[:PREVIEW_LIMIT]
            sheets.append({"counts": counts, "changes": shown, "hidden": len(changes) - len(shown)})
    return {"result": result, "sheets": sheets}


def _preview_url(upload: PendingUpload) -> str:
    return uploads.with_upload(reverse("plans:import_preview"), upload)


@requires(permissions.can, "plans.manage")
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    municipality = staff_municipality(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    errors: list[WorkbookError] = []
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        try:
            upload = uploads.upload_store(
                municipality=municipality,
                user=request.user,
                purpose=PURPOSE,
                file_format="xlsx",
                filename=file.name or "",
                chunks=file.chunks(),
            )
        except DomainError as error:
            form.add_error("file", error.message)
        else:
            try:
                result = service.plan_import(
                    actor=request.user,
                    municipality=municipality,
                    data=uploads.upload_read(upload),
                    filename=upload.filename,
                    dry_run=True,
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                if not result.errors:
                    return redirect(_preview_url(upload))
                errors = result.errors
            uploads.upload_discard(upload=upload)  # a refused file is not kept
    return render(
        request,
        "plans/import_upload.html",
        {
            "form": form,
            "errors": errors,
            "plans": Plan.objects.filter(municipality=municipality).order_by("start_fy"),
        },
    )


@requires(permissions.can, "plans.manage")
@require_GET
def import_preview(request: HttpRequest) -> HttpResponse:
    municipality = staff_municipality(request)
    try:
        upload, data = uploads.request_upload(request, purpose=PURPOSE, municipality=municipality)
    except uploads.UploadRefused as error:
        messages.error(request, error.message)
        return redirect("plans:import_upload")
    result = service.plan_import(
        actor=request.user,
        municipality=municipality,
        data=data,
        filename=upload.filename,
        dry_run=True,
    )
    return render(
        request,
        "plans/import_preview.html",
        {**_preview_context(result), "upload": upload, "fingerprint": result.fingerprint()},
    )


@requires(permissions.can, "plans.manage")
@require_POST
def import_confirm(request: HttpRequest) -> HttpResponse:
    municipality = staff_municipality(request)
    try:
        upload, data = uploads.request_upload(request, purpose=PURPOSE, municipality=municipality)
    except uploads.UploadRefused as error:
        messages.error(request, error.message)
        return redirect("plans:import_upload")
    result = service.plan_import(
        actor=request.user,
        municipality=municipality,
        data=data,
        filename=upload.filename,
        dry_run=False,
        expected_fingerprint=request.POST.get("fingerprint", ""),
    )
    if result.errors:  # the upload is kept: the secretariat may look at the preview again
        return render(
            request,
            "plans/import_preview.html",
            {**_preview_context(result), "upload": upload, "fingerprint": "", "refused": True},
        )
    uploads.upload_discard(upload=upload)
    messages.success(
        request,
        _("計画「{name}」: {summary}").format(name=result.plan_name, summary=result.summary()),
    )
    return redirect("plans:import_upload")


@requires(permissions.can, "plans.manage")
@require_POST
def import_cancel(request: HttpRequest) -> HttpResponse:
    municipality = staff_municipality(request)
    try:
        upload = uploads.pending_upload(
            upload_id=uploads.upload_id_of(request),
            purpose=PURPOSE,
            municipality=municipality,
            user=request.user,
        )
    except uploads.UploadRefused:
        pass  # nothing of this user's to remove
    else:
        uploads.upload_discard(upload=upload)
    messages.success(request, _("取り込みをやめました。何も保存していません。"))
    return redirect("plans:import_upload")


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    disposition = content_disposition_header(True, filename)
    if disposition:
        response["Content-Disposition"] = disposition
    response["Cache-Control"] = "no-store"
    return response


@requires(permissions.can, "plans.manage")
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    staff_municipality(request)
    return _xlsx(service.plan_template(), _("計画ワークブック_テンプレート.xlsx"))


@requires(permissions.can, "plans.manage")
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    municipality = staff_municipality(request)
    plan_id = request.GET.get("plan", "")
    if not plan_id.isdigit():
        raise Http404
    plan = Plan.objects.filter(municipality=municipality, pk=int(plan_id)).first()
    if plan is None:
        raise Http404
    return _xlsx(service.plan_export(plan=plan), service.export_filename(plan))


urlpatterns = [
    path("workbook/import/", import_upload, name="import_upload"),
    path("workbook/import/preview/", import_preview, name="import_preview"),
    path("workbook/import/confirm/", import_confirm, name="import_confirm"),
    path("workbook/import/cancel/", import_cancel, name="import_cancel"),
    path("workbook/import/template/", import_template, name="import_template"),
    path("workbook/export/", export, name="export"),
]
