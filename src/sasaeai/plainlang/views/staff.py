"""The secretariat's pages for the checker's settings, and the staff「文章をチェック」page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.db import models
from django.forms.models import model_to_dict
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sasaeai.accounts.decorators import requires, staff_municipality
from sasaeai.core import uploads
from sasaeai.core.errors import DomainError
from sasaeai.plainlang import permissions, selectors, services
from sasaeai.plainlang.engine import RULE_IDS, Checker, SourceError
from sasaeai.plainlang.forms import (
    AllowedWordForm,
    CheckForm,
    CheckSettingsForm,
    GlossaryTermForm,
    ImportForm,
    PreferredExpressionForm,
)
from sasaeai.plainlang.importing import ConfigImportError, check_size, preview_import
from sasaeai.plainlang.labels import labels_for_script, rule_label, severity_label
from sasaeai.plainlang.models import AllowedWord, GlossaryTerm, PreferredExpression


def _add_error(form: forms.BaseForm, error: DomainError) -> None:
    field = error.location.field if error.location else None
    form.add_error(field if field in form.fields else None, error.message)


@requires(permissions.can, "plainlang.manage")
def index(request: HttpRequest) -> HttpResponse:
    municipality = staff_municipality(request)
    settings = selectors.check_settings(municipality=municipality)
    rules = selectors.rule_settings(settings)
    lists = selectors.settings_for(municipality=municipality, user=request.user)
    return render(
        request,
        "plainlang/index.html",
        {
            "municipality": municipality,
            "glossary": lists.glossary,
            "expressions": lists.expressions,
            "slow_expressions": selectors.too_slow_expressions(lists.expressions),
            "allowlist": lists.allowlist,
            "settings": settings,
            "rules": [
                (
                    rule_label(rule),
                    rule in rules and not rules[rule].enabled,
                    severity_label(str(rules[rule].severity))
                    if rule in rules and rules[rule].severity
                    else "",
                )
                for rule in RULE_IDS
            ],
        },
    )


# ---------------------------------------------------------------- entries


@dataclass(frozen=True)
class EntryKind:
    """How the pages add, change and delete one kind of entry."""

    name: str  # the URL names' prefix
    model: type[models.Model]
    form: type[forms.ModelForm]
    label: Any
    create: Callable[..., Any]
    update: Callable[..., Any]
    delete: Callable[..., Any]


GLOSSARY = EntryKind(
    "glossary",
    GlossaryTerm,
    GlossaryTermForm,
    gettext_lazy("用語集の語"),
    services.glossary_term_create,
    services.glossary_term_update,
    services.glossary_term_delete,
)
EXPRESSION = EntryKind(
    "expression",
    PreferredExpression,
    PreferredExpressionForm,
    gettext_lazy("言い換えてほしい表現"),
    services.preferred_expression_create,
    services.preferred_expression_update,
    services.preferred_expression_delete,
)
ALLOWLIST = EntryKind(
    "allowlist",
    AllowedWord,
    AllowedWordForm,
    gettext_lazy("許可語"),
    services.allowed_word_create,
    services.allowed_word_update,
    services.allowed_word_delete,
)


def _entry(request: HttpRequest, kind: EntryKind, object_id: int) -> Any:
    return get_object_or_404(
        permissions.visible_settings(
            request.user,
            kind.model.objects.select_related("municipality"),  # type: ignore[attr-defined]
            staff_municipality(request),
        ),
        pk=object_id,
    )


def _entry_form(request: HttpRequest, kind: EntryKind, entry: Any = None) -> HttpResponse:
    fields = list(kind.form._meta.fields or [])
    initial = model_to_dict(entry, fields=fields) if entry is not None else None
    # No ``instance``: the form must not change the row before the service audits it.
    form = kind.form(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if entry is None:
                kind.create(
                    actor=request.user,
                    municipality=staff_municipality(request),
                    **form.cleaned_data,
                )
            else:
                kind.update(actor=request.user, entry=entry, **form.cleaned_data)
        except DomainError as error:
            _add_error(form, error)
        else:
            messages.success(request, _("{kind}を保存しました。").format(kind=kind.label))
            return redirect(reverse("plainlang:index") + f"#{kind.name}")
    return render(
        request, "plainlang/entry_form.html", {"form": form, "kind": kind, "entry": entry}
    )


def _entry_delete(request: HttpRequest, kind: EntryKind, entry: Any) -> HttpResponse:
    if request.method == "POST":
        kind.delete(actor=request.user, entry=entry)
        messages.success(
            request, _("{kind}「{entry}」を削除しました。").format(kind=kind.label, entry=entry)
        )
        return redirect(reverse("plainlang:index") + f"#{kind.name}")
    return render(request, "plainlang/entry_delete.html", {"kind": kind, "entry": entry})


def _views(kind: EntryKind) -> tuple[Callable[..., HttpResponse], ...]:
    @requires(permissions.can, "plainlang.manage")
    def create(request: HttpRequest) -> HttpResponse:
        return _entry_form(request, kind)

    @requires(permissions.can, "plainlang.manage")
    def edit(request: HttpRequest, object_id: int) -> HttpResponse:
        return _entry_form(request, kind, _entry(request, kind, object_id))

    @requires(permissions.can, "plainlang.manage")
    def delete(request: HttpRequest, object_id: int) -> HttpResponse:
        return _entry_delete(request, kind, _entry(request, kind, object_id))

    return create, edit, delete


glossary_create, glossary_edit, glossary_delete = _views(GLOSSARY)
expression_create, expression_edit, expression_delete = _views(EXPRESSION)
allowlist_create, allowlist_edit, allowlist_delete = _views(ALLOWLIST)


# ---------------------------------------------------------------- rule settings


@requires(permissions.can, "plainlang.manage")
def settings_edit(request: HttpRequest) -> HttpResponse:
    municipality = staff_municipality(request)
    form = CheckSettingsForm(
        request.POST or None, settings=selectors.check_settings(municipality=municipality)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.check_settings_update(
                actor=request.user,
                municipality=municipality,
                rules=form.rules(),
                sentence_length_info=data["sentence_length_info"],
                sentence_length_warning=data["sentence_length_warning"],
                comma_max=data["comma_max"],
                builtin_expressions=data["builtin_expressions"],
            )
        except DomainError as error:
            _add_error(form, error)
        else:
            messages.success(request, _("規則の設定を保存しました。"))
            return redirect(reverse("plainlang:index") + "#settings")
    return render(request, "plainlang/settings_form.html", {"form": form})


# ---------------------------------------------------------------- import and export


IMPORT_PURPOSE = "plainlang.settings"


@requires(permissions.can, "plainlang.manage")
def import_upload(request: HttpRequest) -> HttpResponse:
    """Step 1: upload. The file is kept as a pending upload of this user
    (``core.uploads``); nothing else is saved yet."""
    municipality = staff_municipality(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        try:
            check_size(size=file.size, filename=file.name or "")
            upload = uploads.upload_store(
                municipality=municipality,
                user=request.user,
                purpose=IMPORT_PURPOSE,
                file_format="text",
                filename=file.name or "",
                chunks=file.chunks(),
            )
        except DomainError as error:
            form.add_error("file", str(error))
        else:
            try:
                preview_import(
                    municipality=municipality,
                    data=uploads.upload_read(upload),
                    filename=upload.filename,
                )
            except DomainError as error:
                uploads.upload_discard(upload=upload)  # a refused file is not kept
                form.add_error("file", str(error))
            else:
                return redirect(uploads.with_upload(reverse("plainlang:import_confirm"), upload))
    return render(
        request,
        "plainlang/import_upload.html",
        {"form": form, "limit": uploads.limit_text("text")},
    )


@requires(permissions.can, "plainlang.manage")
def import_confirm(request: HttpRequest) -> HttpResponse:
    """Step 2: the differences; saving happens only when the user confirms them, and only if
    they are still the ones shown (the preview's fingerprint)."""
    municipality = staff_municipality(request)
    try:
        upload, data = uploads.request_upload(
            request, purpose=IMPORT_PURPOSE, municipality=municipality
        )
    except uploads.UploadRefused as error:
        messages.error(request, error.message)
        return redirect("plainlang:import_upload")
    if request.method == "POST" and "cancel" in request.POST:
        uploads.upload_discard(upload=upload)
        messages.info(request, _("取込をやめました。設定は変わっていません。"))
        return redirect("plainlang:index")
    if request.method == "POST":
        try:
            result = services.plainlang_config_import(
                actor=request.user,
                municipality=municipality,
                data=data,
                filename=upload.filename,
                expected_fingerprint=request.POST.get("fingerprint", ""),
            )
        except ConfigImportError as error:
            if error.code != "preview_outdated":
                uploads.upload_discard(upload=upload)
                messages.error(request, str(error))
                return redirect("plainlang:import_upload")
            messages.error(request, error.message)  # the page shows the new differences
        else:
            uploads.upload_discard(upload=upload)
            messages.success(
                request,
                _(
                    "設定を取り込みました（追加 {added} 件・変更 {changed} 件・削除 {removed} 件）。"
                ).format(**result.counts),
            )
            return redirect("plainlang:index")
    try:
        preview = preview_import(municipality=municipality, data=data, filename=upload.filename)
    except ConfigImportError as error:
        uploads.upload_discard(upload=upload)
        messages.error(request, str(error))
        return redirect("plainlang:import_upload")
    return render(request, "plainlang/import_confirm.html", {"preview": preview, "upload": upload})


@requires(permissions.can, "plainlang.manage")
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in selectors.EXPORT_FORMATS:
        raise Http404
    exported = selectors.config_export(municipality=staff_municipality(request), fmt=fmt)
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
    return response


# ---------------------------------------------------------------- checking a text


@requires(permissions.can, "plainlang.check")
def check(request: HttpRequest) -> HttpResponse:
    municipality = staff_municipality(request)
    form = CheckForm(request.POST or None)
    # plainlang-hints.js finds this textarea and shows hints while the user types.
    form.fields["text"].widget.attrs.update(
        {
            "data-plainlang-hints": reverse("api-v1:plainlang_check"),
            "data-plainlang-municipality": municipality.code,
        }
    )
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = Checker(selectors.config_for(municipality)).check(form.cleaned_data["text"])
        except SourceError as error:  # a lone surrogate; Django already replaces bad bytes
            form.add_error("text", error.message)
    return render(
        request,
        "plainlang/check.html",
        {
            "form": form,
            "municipality": municipality,
            "findings": [
                {
                    "finding": finding,
                    "rule_label": rule_label(finding.rule),
                    "severity_label": severity_label(str(finding.severity)),
                }
                for finding in (report.findings if report else ())
            ],
            "report": report,
            "labels": labels_for_script(),
        },
    )
