"""Sign-in, two-factor authentication and the account page."""

from __future__ import annotations

import base64
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from sasaeai.accounts import permissions, services
from sasaeai.accounts.decorators import signed_in
from sasaeai.accounts.forms import LoginForm, TokenForm
from sasaeai.core.errors import DomainError
from sasaeai.core.http import safe_next_url


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.login_record(user=form.get_user(), request=self.request)
        return response

    def form_invalid(self, form: Any) -> HttpResponse:
        username = str(self.request.POST.get("username", ""))[:150]
        if username:
            services.login_failure_record(
                username=username,
                reason=_("パスワードが正しくありません"),
                request=self.request,
            )
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            services.logout_record(user=request.user, request=request)
        return super().post(request, *args, **kwargs)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form: Any) -> HttpResponse:
        """Django's form checks the old password and the rules; the service sets and records."""
        services.user_password_change(
            actor=self.request.user,  # type: ignore[arg-type]
            new_password=form.cleaned_data["new_password1"],
            request=self.request,
        )
        update_session_auth_hash(self.request, self.request.user)  # type: ignore[arg-type]
        messages.success(self.request, _("パスワードを変更しました。"))
        return redirect(self.get_success_url())


def _next_url(request: HttpRequest) -> str:
    """The page asked for before signing in (``next``), else the staff dashboard."""
    return safe_next_url(request, reverse("web:dashboard"))


def _qr_data_uri(config_url: str) -> str:
    svg = segno.make(config_url, error="m").svg_inline(scale=5, dark="#000", light="#fff")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


PENDING_KEY = "accounts.2fa_pending_key"


@signed_in
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: show a QR code and its key, confirm with one code."""
    if user_has_device(request.user) and not request.user.is_verified():  # type: ignore[union-attr]
        return redirect(f"{reverse_lazy('accounts:2fa_verify')}?next={_next_url(request)}")
    # the key waits in the session until a code confirms it: showing the page stores nothing
    key = request.session.get(PENDING_KEY) or services.two_factor_key()
    request.session[PENDING_KEY] = key
    device = TOTPDevice(user=request.user, name=_("認証アプリ"), key=key)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.two_factor_enrol(
                actor=request.user,  # type: ignore[arg-type]
                key=key,
                token=form.cleaned_data["token"],
                request=request,
            )
        except DomainError as error:
            form.add_error("token", error.message)
        else:
            request.session.pop(PENDING_KEY, None)
            otp_login(request, device)
            messages.success(
                request, _("2段階認証を登録しました。次回から確認コードの入力が必要です。")
            )
            return redirect(_next_url(request))
    secret = base64.b32encode(device.bin_key).decode("ascii")
    return render(
        request,
        "accounts/2fa_setup.html",
        {
            "form": form,
            "qr": _qr_data_uri(device.config_url),
            "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
            "next": _next_url(request),
            "required": request.user.requires_two_factor(),  # type: ignore[union-attr]
        },
    )


@signed_in
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    if not user_has_device(request.user):
        return redirect("accounts:2fa_setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next_url(request))
        services.login_failure_record(
            username=request.user.get_username(),
            reason=_("確認コードが正しくありません"),
            request=request,
            actor=request.user,
        )
        form.add_error(
            "token",
            _(
                "確認コードが正しくないか、入力の回数が多すぎます。少し待ってから新しいコードを入力してください。"
            ),
        )
    return render(request, "accounts/2fa_verify.html", {"form": form, "next": _next_url(request)})


@signed_in
@require_http_methods(["POST"])
def two_factor_remove(request: HttpRequest) -> HttpResponse:
    """Remove one's own authenticator with a fresh code (``services.two_factor_remove``)."""
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            services.two_factor_remove(
                actor=request.user,  # type: ignore[arg-type]
                token=form.cleaned_data["token"],
                request=request,
            )
        except DomainError as error:
            form.add_error("token", error.message)
        else:
            messages.success(request, _("2段階認証を解除しました。"))
            return redirect("accounts:profile")
    return _profile_page(request, remove_form=form, status=400)


@signed_in
def profile(request: HttpRequest) -> HttpResponse:
    return _profile_page(request, remove_form=TokenForm(), status=200)


def _profile_page(request: HttpRequest, *, remove_form: TokenForm, status: int) -> HttpResponse:
    user: Any = request.user
    memberships = (
        permissions.own_memberships(user).select_related("unit").prefetch_related("unit__names")
    )
    return render(
        request,
        "accounts/profile.html",
        {
            "memberships": memberships,
            "has_device": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
            "requires_2fa": not permissions.can_remove_two_factor(user),
            "remove_form": remove_form,
        },
        status=status,
    )
