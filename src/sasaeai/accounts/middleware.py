"""Two-factor enforcement for roles that will see personal data."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

# Paths a signed-in user may reach before completing two-factor authentication.
OPEN_BEFORE_2FA = (
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/2fa/setup/",
    "/accounts/2fa/verify/",
    "/static/",
)


class StaffSessionMiddleware:
    """Send users whose roles require 2FA to enrol or verify before anything else, and users
    who enrolled an authenticator (whatever their role) to verify: once enrolled, it is
    always asked."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user: Any = request.user  # django-otp adds is_verified()
        from django_otp import user_has_device

        if (
            user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith(OPEN_BEFORE_2FA)
            and (user.requires_two_factor() or user_has_device(user, confirmed=True))
        ):
            if request.path.startswith("/api/"):
                from sasaeai.core.http import json_error

                return json_error(401, "two_factor_required", _("2段階認証を完了してください。"))
            target = "accounts:2fa_verify" if user_has_device(user) else "accounts:2fa_setup"
            return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)


class SignedInResponseMiddleware:
    """For every response to a signed-in user: ``Cache-Control: no-store`` (nothing behind a
    login is kept by the browser or a proxy), and each 403 in the audit log as a refusal,
    naming the method and path (never the query string, which may hold personal data)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user: Any = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return response
        response["Cache-Control"] = "no-store"
        if response.status_code == 403:
            from django.db import transaction

            from sasaeai.audit import services as audit
            from sasaeai.audit.models import Action

            with transaction.atomic():
                audit.record(
                    actor=user,
                    action=Action.REFUSED,
                    municipality=user.municipality,
                    detail=f"{request.method} {request.path}",
                    request=request,
                )
        return response
