"""The Django admin: the deployment operators' console (decision 0010).

Only an operator opens it: an active user with Django's ``is_superuser`` flag who has finished
two-factor authentication in this session. The flag is never a municipality role: it is set
by ``sasaeai createsuperuser`` or by another operator, and no staff screen grants it. The
municipality roles (システム管理者 included) work on the staff pages, which ask each app's
permission policy and stay inside the user's municipality.

Every change made here leaves a row in our audit log in the same transaction — the object's
own changes, each inline row added, changed or deleted, deletions and password changes — under
the municipality the object belongs to, so a municipality sees in its log what an operator did.
Models are validated with ``full_clean()``, so a model's ``clean()`` (which calls the same rule
as its service) refuses here what the service refuses.
"""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy

from sasaeai.audit import services as audit
from sasaeai.audit.models import Action

ADMIN_DETAIL = gettext_lazy("管理画面（運用者）")


def is_operator(user: Any) -> bool:
    """A deployment operator: active, Django's superuser flag. Never a municipality role."""
    return bool(
        getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
        and getattr(user, "is_superuser", False)
    )


def operator_verified(request: HttpRequest) -> bool:
    """An operator who finished two-factor authentication in this session."""
    user: Any = request.user
    is_verified = getattr(user, "is_verified", None)
    return is_operator(user) and callable(is_verified) and bool(is_verified())


class SasaeaiAdminSite(admin.AdminSite):
    site_header = gettext_lazy("ささえあい 運用者の管理画面")
    site_title = gettext_lazy("ささえあい 運用")
    index_title = gettext_lazy("配備全体のデータの管理（運用者のみ）")

    def has_permission(self, request: HttpRequest) -> bool:
        return operator_verified(request)

    def admin_view(self, view: Any, cacheable: bool = False) -> Any:
        """Anonymous visitors go to the login page; anyone signed in who is not a verified
        operator gets 403 at once, on every admin page."""
        inner = super().admin_view(view, cacheable)

        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if request.user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied
            return inner(request, *args, **kwargs)

        return guarded

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        if request.user.is_authenticated:
            raise PermissionDenied  # signed in, but not an operator: the staff pages are theirs
        return redirect(f"{reverse('accounts:login')}?next={request.get_full_path()}")


class OperatorOnly:
    """Model permissions in the admin follow the operator flag, not per-model permissions."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return operator_verified(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return operator_verified(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return operator_verified(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return operator_verified(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return operator_verified(request)


class ReadOnlyOperatorAdmin(OperatorOnly, admin.ModelAdmin):
    """Shown to operators, never added to, changed or deleted here."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


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
