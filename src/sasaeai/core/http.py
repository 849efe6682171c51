"""HTTP helpers every app shares: where to go after a form (``safe_next_url``), the API's
JSON error body, and a middleware that keeps every answer under ``/api/`` in that shape —
also the ones Django or django-ninja write themselves (405 for a method a route does not
take, 413 for a body over the limit, a CSRF refusal), which would otherwise be plain text or
HTML."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


def safe_next_url(request: HttpRequest, default: str, *, target: str | None = None) -> str:
    """Where to go after a form: ``target`` (by default the request's ``next``, posted or in
    the query string) when it is a URL of this site, else ``default``. Never another host,
    and never plain HTTP from an HTTPS page (no open redirect)."""
    if target is None:
        target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def status_error(status: int) -> tuple[str, str]:
    """The code and Japanese message of a bare HTTP error status."""
    messages = {
        400: ("bad_request", _("リクエストの内容に誤りがあります。")),
        401: ("unauthenticated", _("ログインが必要です。")),
        403: ("permission_denied", _("この操作を行う権限がありません。")),
        404: ("not_found", _("指定されたデータは見つかりませんでした。")),
        405: ("method_not_allowed", _("この方法（HTTP メソッド）では利用できません。")),
        413: (
            "request_too_large",
            _("送信されたデータが大きすぎます。内容を分けるか、小さくしてから送ってください。"),
        ),
        429: (
            "rate_limited",
            _("短時間のリクエストが多すぎます。しばらく待ってから再度お試しください。"),
        ),
    }
    return messages.get(status, ("error", _("リクエストを処理できませんでした。")))


def json_error(status: int, code: str, message: str, details: Any = None) -> HttpResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def _is_json_error(response: HttpResponse) -> bool:
    if not response.get("Content-Type", "").startswith("application/json"):
        return False
    try:
        body = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return False
    return isinstance(body, dict) and "code" in body and "message" in body


class NulInPathMiddleware:
    """A NUL byte never names a page: answer 404 before a view passes it to the database
    (PostgreSQL refuses NUL in text; SQLite would look for it). NUL bytes in query strings
    and bodies are each view's form or schema to refuse with its own message."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path:
            code, message = status_error(404)
            if request.path.startswith(API_PREFIX):
                return json_error(404, code, message)
            from django.shortcuts import render

            return render(
                request,
                "error.html",
                {"status": 404, "message": _("お探しのページは見つかりませんでした。")},
                status=404,
            )
        return self.get_response(request)


class ApiErrorsAsJsonMiddleware:
    """Rewrite a 4xx/5xx answer under /api/ that is not our JSON error into one (keeping the
    ``Allow`` header of a 405)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            not request.path.startswith(API_PREFIX)
            or response.status_code < 400
            or getattr(response, "streaming", False)
            or _is_json_error(response)
        ):
            return response
        code, message = status_error(response.status_code)
        replacement = json_error(response.status_code, code, message)
        for header in ("Allow", "Retry-After", "Cache-Control", "Vary"):
            if header in response:
                replacement[header] = response[header]
        return replacement
