"""The Django admin: the deployment operators' console (decision 0010).

Only an operator opens it: an active user with Django's ``is_superuser`` flag who has finished
two-factor authentication in this session. The flag is never a municipality role: it is set
by ``sasaeai createsuperuser`` or by another operator, and no staff screen grants it. The
municipality roles (システム管理者 included) work on the staff pages, which ask each app's
permission policy and stay inside the user's municipality.

This module holds what needs no audit log: the site, who is an operator, and the
permission mixins. The audited model admin every app registers its models with
(``AuditedModelAdmin``: every change made here leaves an audit row in the same transaction)
stands one layer up, in ``sasaeai.audit.admin_tools``, since core knows no audit log.
"""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy


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
