"""The Django admin, for master data, open only to system administrators."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sasaeai.audit import services as audit
from sasaeai.audit.models import Action


class SasaeaiAdminSite(admin.AdminSite):
    site_header = gettext_lazy("ささえあい 管理画面（システム管理者）")
    site_title = gettext_lazy("ささえあい 管理")
    index_title = gettext_lazy("マスタデータの管理")

    def has_permission(self, request: HttpRequest) -> bool:
        from sasaeai.accounts.permissions import can

        return can(request.user, "admin.access")

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        if request.user.is_authenticated:
            raise PermissionDenied  # signed in but not a system administrator
        return redirect(f"{reverse('accounts:login')}?next={request.get_full_path()}")


def is_system_admin(request: HttpRequest) -> bool:
    from sasaeai.accounts.permissions import can

    return can(request.user, "admin.access")


class SystemAdminOnly:
    """Model permissions in the admin follow the role, not Django's per-model permissions."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_system_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_system_admin(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return is_system_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_system_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_system_admin(request)


class AuditedModelAdmin(SystemAdminOnly, admin.ModelAdmin):
    """Every save and delete through the admin leaves an audit row in the same transaction."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = audit.snapshot(type(obj).objects.get(pk=obj.pk)) if change else {}
        super().save_model(request, obj, form, change)
        audit.record(
            actor=request.user,
            action=Action.UPDATE if change else Action.CREATE,
            obj=obj,
            changes=audit.diff(before, audit.snapshot(obj)),
            detail=_("管理画面"),
            request=request,
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        audit.record(
            actor=request.user,
            action=Action.DELETE,
            obj=obj,
            changes=audit.diff(audit.snapshot(obj), {}),
            detail=_("管理画面"),
            request=request,
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)
