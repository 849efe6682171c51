"""The audited model admin of the operators' console (decision 0010).

Every change made in the admin leaves a row in our audit log in the same transaction — the
object's own changes, each inline row added, changed or deleted, deletions and password
changes — under the municipality the object belongs to, so a municipality sees in its log
what an operator did. Models are validated with ``full_clean()``, so a model's ``clean()``
(which calls the same rule as its service) refuses here what the service refuses.

The site itself, who counts as an operator and the read-only admin need no audit log and stay
in ``sasaeai.core.admin_site``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from sasaeai.audit import services as audit
from sasaeai.audit.models import Action
from sasaeai.core.admin_site import OperatorOnly

ADMIN_DETAIL = gettext_lazy("管理画面（運用者）")


def tenant_of(obj: models.Model, depth: int = 3) -> Any:
    """The municipality a row belongs to: its own ``municipality``, else its parents' (a goal
    through its plan, a unit name through its unit), else None (a row of the deployment)."""
    if type(obj)._meta.label == "accounts.Municipality":
        return obj
    for field in type(obj)._meta.concrete_fields:
        if field.name == "municipality":
            return getattr(obj, "municipality", None)
    if depth == 0:
        return None
    for field in type(obj)._meta.concrete_fields:
        if field.is_relation and field.many_to_one:
            parent = getattr(obj, field.name, None)
            if parent is not None:
                found = tenant_of(parent, depth - 1)
                if found is not None:
                    return found
    return None


def record_admin_change(
    request: HttpRequest,
    *,
    action: str,
    obj: models.Model,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    audit.record(
        actor=request.user,
        action=action,
        obj=obj,
        municipality=tenant_of(obj),
        changes=audit.diff(before or {}, after or {}),
        detail=str(ADMIN_DETAIL),
        request=request,
    )


class AuditedModelAdmin(OperatorOnly, admin.ModelAdmin):
    """Every save and delete through the admin, inline rows included, leaves an audit row in
    the same transaction (Django's admin runs each change view in one)."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = audit.snapshot(type(obj)._default_manager.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        record_admin_change(
            request,
            action=Action.UPDATE if change else Action.CREATE,
            obj=obj,
            before=before,
            after=audit.snapshot(obj),
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            record_admin_change(
                request, action=Action.DELETE, obj=obj, before=audit.snapshot(obj), after=None
            )
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Inline rows: each addition, change and deletion is audited like the parent."""
        befores = {
            inline_form.instance.pk: audit.snapshot(
                type(inline_form.instance)._default_manager.get(pk=inline_form.instance.pk)
            )
            for inline_form in formset.initial_forms
            if inline_form.instance.pk is not None and inline_form.has_changed()
        }
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            record_admin_change(
                request, action=Action.DELETE, obj=obj, before=audit.snapshot(obj), after=None
            )
            obj.delete()
        for obj in instances:
            created = obj.pk is None
            obj.save()
            record_admin_change(
                request,
                action=Action.CREATE if created else Action.UPDATE,
                obj=obj,
                before=befores.get(obj.pk),
                after=audit.snapshot(obj),
            )
        formset.save_m2m()
