"""Staff pages for the plan workbook: upload → preview → confirm, template and export.

Nothing is saved before the secretariat confirms. The uploaded file is kept as a temporary
file under ``VAR_DIR/uploads`` (readable by the server only), named by a random token kept
in the session with the file's SHA-256 hash; the confirmation carries a signed ticket with
the token, the hash and the fingerprint of the previewed changes, so the confirmation
applies exactly the file and the changes that were shown — or nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import time
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sasaeai.accounts.decorators import requires, staff_municipality
from sasaeai.accounts.models import Municipality
from sasaeai.core.errors import DomainError
from sasaeai.plans import permissions
from sasaeai.plans import workbook as wb
from sasaeai.plans.models import Plan
from sasaeai.plans.services import plan_import as service

SESSION_KEY = "plans.workbook_import"
SIGNING_SALT = "sasaeai.plans.workbook_import"
TICKET_MAX_AGE = 60 * 60  # seconds between upload and confirmation
PRUNE_AFTER = 24 * 60 * 60  # temporary files older than this are removed
PREVIEW_LIMIT = 300  # changes shown per sheet
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("計画ワークブック（Excel ファイル）"),
        help_text=gettext_lazy(".xlsx または .xlsm、10MB まで。マクロや数式は実行しません。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xlsm"}),
        error_messages={
            "required": gettext_lazy("取り込むファイルを選んでください。"),
            "empty": gettext_lazy("ファイルが空です。"),
            "invalid": gettext_lazy("ファイルを選び直してください。"),
        },
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        problem = wb.check_filename(upload.name or "")
        if problem is not None:
            raise forms.ValidationError(problem.message)
        if upload.size > wb.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("ファイルが大きすぎます。10MB 以下にしてください。"))
        return upload


def _uploads() -> Path:
    directory = Path(settings.VAR_DIR) / "uploads"
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    return directory


def _temporary(token: str) -> Path:
    if not token.isalnum():
        raise Http404
    return _uploads() / f"plan-import-{token}.xlsx"


def _prune() -> None:
    limit = time.time() - PRUNE_AFTER
    for old in _uploads().glob("plan-import-*.xlsx"):
        with contextlib.suppress(OSError):
            if old.stat().st_mtime < limit:
                old.unlink()


def _store(data: bytes) -> str:
    _prune()
    token = secrets.token_hex(16)
    descriptor = os.open(_temporary(token), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    return token


def _discard(request: HttpRequest) -> None:
    pending = request.session.pop(SESSION_KEY, None)
    if pending:
        with contextlib.suppress(OSError, Http404):
            _temporary(str(pending.get("token", ""))).unlink()


def _pending(request: HttpRequest, municipality: Municipality) -> tuple[dict[str, Any], bytes]:
    """The upload kept for this session, checked against its hash; Http404 if none."""
    pending = request.session.get(SESSION_KEY)
    if not pending or pending.get("municipality_id") != municipality.pk:
        raise Http404
    try:
        data = _temporary(str(pending["token"])).read_bytes()
    except OSError:
        raise Http404 from None
    if hashlib.sha256(data).hexdigest() != pending["sha256"]:
        raise Http404
    return pending, data


def _preview_context(result: service.ImportResult) -> dict[str, Any]:
    sheets = []
    for counts, changes in result.by_sheet():
        if changes:
            shown = changes[:PREVIEW_LIMIT]
            sheets.append({"counts": counts, "changes": shown, "hidden": len(changes) - len(shown)})
    return {"result": result, "sheets": sheets}


@requires(permissions.can, "plans.manage")
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    municipality = staff_municipality(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    errors: list[wb.WorkbookError] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            result = service.plan_import(
                actor=request.user,
                municipality=municipality,
                data=data,
                filename=upload.name,
                dry_run=True,
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            if result.errors:
                errors = result.errors
            else:
                _discard(request)
                request.session[SESSION_KEY] = {
                    "token": _store(data),
                    "sha256": result.sha256,
                    "filename": upload.name,
                    "municipality_id": municipality.pk,
                }
                return redirect("plans:import_preview")
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
        pending, data = _pending(request, municipality)
    except Http404:
        messages.error(request, _("取り込むファイルを選んでください。"))
        return redirect("plans:import_upload")
    result = service.plan_import(
        actor=request.user,
        municipality=municipality,
        data=data,
        filename=pending["filename"],
        dry_run=True,
    )
    ticket = signing.dumps(
        {"t": pending["token"], "h": result.sha256, "f": result.fingerprint()}, salt=SIGNING_SALT
    )
    return render(
        request, "plans/import_preview.html", {**_preview_context(result), "ticket": ticket}
    )


@requires(permissions.can, "plans.manage")
@require_POST
def import_confirm(request: HttpRequest) -> HttpResponse:
    municipality = staff_municipality(request)
    try:
        ticket = signing.loads(
            request.POST.get("ticket", ""), salt=SIGNING_SALT, max_age=TICKET_MAX_AGE
        )
        pending, data = _pending(request, municipality)
    except (signing.BadSignature, Http404):
        _discard(request)
        messages.error(
            request,
            _(
                "確認の期限が切れたか、ファイルが見つかりません。何も保存していません。もう一度読み込んでください。"
            ),
        )
        return redirect("plans:import_upload")
    if ticket.get("t") != pending["token"] or ticket.get("h") != pending["sha256"]:
        _discard(request)
        messages.error(
            request,
            _("確認したファイルと異なります。何も保存していません。もう一度読み込んでください。"),
        )
        return redirect("plans:import_upload")
    result = service.plan_import(
        actor=request.user,
        municipality=municipality,
        data=data,
        filename=pending["filename"],
        dry_run=False,
        expected_fingerprint=str(ticket.get("f", "")),
    )
    if result.errors:  # the upload is kept: the secretariat may look at the preview again
        return render(
            request,
            "plans/import_preview.html",
            {**_preview_context(result), "ticket": "", "refused": True},
        )
    _discard(request)
    messages.success(
        request,
        _("計画「{name}」: {summary}").format(name=result.plan_name, summary=result.summary()),
    )
    return redirect("plans:import_upload")


@requires(permissions.can, "plans.manage")
@require_POST
def import_cancel(request: HttpRequest) -> HttpResponse:
    staff_municipality(request)
    _discard(request)
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
