"""Municipalities, units, users and memberships in the operators' admin (decision 0010).

Everything here is audited (``AuditedModelAdmin``). Password changes are audited as such, and a
lost authenticator is reset with an audited action; the admin never shows a user's TOTP key.
The admin pages of other apps that would change data unaudited (groups and per-model
permissions, which we do not use; TOTP devices, which hold secrets) are removed, and the login
lock-out records are shown read-only, with unlocking audited.
"""

from __future__ import annotations

import contextlib
from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin, messages
from django.contrib.admin.exceptions import NotRegistered
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_totp.models import TOTPDevice

from sasaeai.accounts.models import (
    District,
    Membership,
    Municipality,
    OrganisationUnit,
    Town,
    UnitName,
    User,
)
from sasaeai.audit import services as audit
from sasaeai.audit.admin_tools import ADMIN_DETAIL, AuditedModelAdmin, record_admin_change
from sasaeai.audit.models import Action
from sasaeai.core.admin_site import ReadOnlyOperatorAdmin

for unaudited in (Group, TOTPDevice, AccessAttempt, AccessLog, AccessFailureLog):
    with contextlib.suppress(NotRegistered):
        admin.site.unregister(unaudited)


@admin.register(Municipality)
class MunicipalityAdmin(AuditedModelAdmin):
    list_display = ("code", "prefecture", "name", "is_demo")
    search_fields = ("code", "name")


class TownInline(admin.TabularInline):
    model = Town
    extra = 0
    fields = ("name", "reading", "town_id", "is_demo")


@admin.register(District)
class DistrictAdmin(AuditedModelAdmin):
    list_display = ("name", "municipality", "order", "is_demo")
    list_filter = ("municipality",)


@admin.register(Town)
class TownAdmin(AuditedModelAdmin):
    list_display = ("name", "district", "municipality", "is_demo")
    list_filter = ("municipality", "district")
    search_fields = ("name", "reading")


class UnitNameInline(admin.TabularInline):
    model = UnitName
    extra = 0


@admin.register(OrganisationUnit)
class OrganisationUnitAdmin(AuditedModelAdmin):
    list_display = ("code", "__str__", "kind", "municipality", "valid_from_fy", "valid_to_fy")
    list_filter = ("municipality", "kind")
    search_fields = ("code", "names__name")
    inlines = [UnitNameInline]


class MembershipInline(admin.TabularInline):
    """The membership's municipality is its unit's (``Membership.clean``)."""

    model = Membership
    fk_name = "user"
    extra = 0
    fields = ("unit", "role", "is_active")


@admin.register(User)
class SasaeaiUserAdmin(AuditedModelAdmin, UserAdmin):
    list_display = ("username", "display_name", "municipality", "is_active", "is_superuser")
    list_filter = ("municipality", "is_active", "is_superuser", "is_demo")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("ささえあい"), {"fields": ("municipality", "display_name", "email", "contact_phone")}),
        (
            gettext_lazy("状態"),
            {"fields": ("is_active", "is_superuser", "is_demo", "last_login", "date_joined")},
        ),
    )
    readonly_fields = ("last_login", "date_joined")
    inlines = [MembershipInline]
    actions = ["reset_two_factor"]

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        """Django's password form; a successful change (a redirect) is audited."""
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                user = self.get_object(request, id)
                if user is not None:
                    audit.record(
                        actor=request.user,
                        action=Action.PASSWORD_CHANGE,
                        obj=user,
                        municipality=user.municipality,
                        detail=str(ADMIN_DETAIL),
                        request=request,
                    )
        return response

    @admin.action(description=gettext_lazy("2段階認証をリセットする（認証アプリをなくしたとき）"))
    def reset_two_factor(self, request: HttpRequest, queryset: Any) -> None:
        count = 0
        with transaction.atomic():
            for user in queryset:
                deleted, _counts = TOTPDevice.objects.filter(user=user).delete()
                if deleted:
                    count += 1
                    audit.record(
                        actor=request.user,
                        action=Action.TWO_FACTOR_REMOVE,
                        obj=user,
                        municipality=user.municipality,
                        detail=str(ADMIN_DETAIL),
                        request=request,
                    )
        self.message_user(
            request,
            _("{count}人の2段階認証をリセットしました。次のログインで登録し直します。").format(
                count=count
            ),
            messages.SUCCESS,
        )


@admin.register(Membership)
class MembershipAdmin(AuditedModelAdmin):
    list_display = ("user", "unit", "role", "municipality", "is_active")
    list_filter = ("municipality", "role", "is_active")
    fields = ("user", "unit", "role", "is_active")
    raw_id_fields = ("user", "unit")


@admin.register(AccessAttempt)
class AccessAttemptAdmin(ReadOnlyOperatorAdmin):
    """Login lock-outs (django-axes). Deleting a row unlocks it; each unlock is audited."""

    list_display = ("attempt_time", "username", "ip_address", "failures_since_start")
    search_fields = ("username", "ip_address")
    fields = ("username", "ip_address", "failures_since_start", "attempt_time", "path_info")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_view_permission(request, obj)

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


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyOperatorAdmin):
    list_display = ("attempt_time", "logout_time", "username", "ip_address")
    search_fields = ("username", "ip_address")


@admin.register(AccessFailureLog)
class AccessFailureLogAdmin(ReadOnlyOperatorAdmin):
    list_display = ("attempt_time", "username", "ip_address", "locked_out")
    search_fields = ("username", "ip_address")
