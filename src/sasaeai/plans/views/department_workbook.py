"""Staff pages: a department downloads its evaluation workbook, uploads it back, checks the
differences and confirms. The secretariat may do the same for any unit.

Steps: the index lists the downloadable workbooks and takes an upload; the upload is stored
as a pending upload of the user who chose it (``core.uploads``; nothing else is saved) and
the preview (``?upload=<id>``) shows the changes per initiative and field, the conflicts and
the errors, with the preview's fingerprint; confirming recomputes the preview inside the
transaction and applies everything only if it is still the one shown — or nothing.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sasaeai.accounts.decorators import requires, staff_municipality
from sasaeai.accounts.models import OrganisationUnit, unit_names_prefetch
from sasaeai.core import uploads
from sasaeai.core.errors import DomainError, PermissionRefused
from sasaeai.plans import permissions
from sasaeai.plans.models import EvaluationCycle
from sasaeai.plans.services import department_import as service

PURPOSE = "plans.department_workbook"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class WorkbookUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("入力したワークブック（.xlsx）"),
        error_messages={
            "required": gettext_lazy("取り込むファイルを選んでください。"),
            "empty": gettext_lazy("選んだファイルは空です。"),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "この画面から出力したファイルに入力して、そのまま選んでください（{limit} まで）。"
        ).format(limit=uploads.limit_text("xlsx"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        try:
            uploads.check_size(file_format="xlsx", size=upload.size)
        except uploads.UploadRefused as error:
            raise forms.ValidationError(error.message) from None
        return upload


def _index_page(request: HttpRequest, form: WorkbookUploadForm, status: int = 200) -> HttpResponse:
    municipality = staff_municipality(request)
    return render(
        request,
        "plans/dept_workbook_index.html",
        {
            "form": form,
            "targets": service.workbook_targets(user=request.user, municipality=municipality),
            "can_manage": permissions.can(request.user, "plans.manage"),
        },
        status=status,
    )


@requires(permissions.can, "plans.evaluate")
def dept_workbook_index(request: HttpRequest) -> HttpResponse:
    """The workbooks the user may download, and the upload form (step 1)."""
    municipality = staff_municipality(request)
    form = WorkbookUploadForm(request.POST or None, request.FILES or None)
    if request.method != "POST" or not form.is_valid():
        return _index_page(request, form)
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
        return _index_page(request, form)
    try:
        service.department_import_preview(
            actor=request.user,
            municipality=municipality,
            data=uploads.upload_read(upload),
            filename=upload.filename,
        )
    except PermissionRefused as error:
        uploads.upload_discard(upload=upload)
        form.add_error("file", error.message)
        return _index_page(request, form, status=403)
    except DomainError as error:
        uploads.upload_discard(upload=upload)  # a refused file is not kept
        form.add_error("file", error.message)
        for detail in error.details:
            form.add_error("file", str(detail))
        return _index_page(request, form)
    return redirect(uploads.with_upload(reverse("plans:dept_workbook_preview"), upload))


@requires(permissions.can, "plans.evaluate")
def dept_workbook_download(request: HttpRequest, cycle_id: int, unit_code: str) -> HttpResponse:
    municipality = staff_municipality(request)
    cycle = get_object_or_404(
        EvaluationCycle.objects.select_related("plan"), pk=cycle_id, municipality=municipality
    )
    unit = get_object_or_404(
        OrganisationUnit.objects.prefetch_related(unit_names_prefetch()),
        municipality=municipality,
        code=unit_code,
    )
    if not service.may_exchange_workbook(request.user, cycle, unit):
        raise PermissionDenied
    if cycle.is_locked:
        messages.error(request, _("この進捗調査は締め切られているため、出力できません。"))
        return redirect("plans:dept_workbook_index")
    if not cycle.evaluations.filter(unit=unit).exists():
        raise Http404
    book = service.department_workbook_export(actor=request.user, cycle=cycle, unit=unit)
    response = HttpResponse(book.content, content_type=XLSX)
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=True, filename=book.filename) or "attachment"
    )
    return response


@requires(permissions.can, "plans.evaluate")
def dept_workbook_preview(request: HttpRequest) -> HttpResponse:
    """The differences, conflicts and errors (step 2); confirming applies them (step 3)."""
    municipality = staff_municipality(request)
    try:
        upload, data = uploads.request_upload(request, purpose=PURPOSE, municipality=municipality)
    except uploads.UploadRefused as error:
        messages.error(request, error.message)
        return redirect("plans:dept_workbook_index")
    if request.method == "POST" and "cancel" in request.POST:
        uploads.upload_discard(upload=upload)
        messages.info(request, _("取込をやめました。何も変わっていません。"))
        return redirect("plans:dept_workbook_index")
    if request.method == "POST":
        try:
            result = service.department_import_apply(
                actor=request.user,
                municipality=municipality,
                data=data,
                filename=upload.filename,
                expected_fingerprint=request.POST.get("fingerprint", ""),
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            uploads.upload_discard(upload=upload)
            if result.has_changes:
                messages.success(
                    request,
                    _("取り込みました（取組 {rows} 件・{fields} か所）。").format(
                        rows=len(result.changes), fields=result.field_count
                    ),
                )
            else:
                messages.info(request, _("変更はありません。何も保存していません。"))
            return redirect("plans:dept_workbook_index")
    try:
        preview = service.department_import_preview(
            actor=request.user, municipality=municipality, data=data, filename=upload.filename
        )
    except DomainError as error:
        uploads.upload_discard(upload=upload)
        messages.error(request, error.message)
        return redirect("plans:dept_workbook_index")
    return render(
        request, "plans/dept_workbook_preview.html", {"preview": preview, "upload": upload}
    )


urlpatterns = [
    path("workbooks/", dept_workbook_index, name="dept_workbook_index"),
    path(
        "workbooks/<int:cycle_id>/<slug:unit_code>/",
        dept_workbook_download,
        name="dept_workbook_download",
    ),
    path("workbooks/preview/", dept_workbook_preview, name="dept_workbook_preview"),
]
