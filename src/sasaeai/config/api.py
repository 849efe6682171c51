"""The JSON API under /api/v1/ (django-ninja), with its OpenAPI document.

Every error is JSON ``{"code": ..., "message": ...}`` with a Japanese message — never an HTML
page or a stack trace.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from sasaeai.core.errors import DomainError

logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="ささえあい API",
    version="1",
    description="地域福祉計画と地域資源の情報を扱う API です。エラーは常に JSON（code と日本語の message）で返します。",
    urls_namespace="api-v1",
    docs_url=None,
    openapi_url="/openapi.json",
)


def error_response(
    request: HttpRequest, status: int, code: str, message: str, details: Any = None
) -> HttpResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def _field_path(location: Any) -> str:
    return ".".join(str(part) for part in location if part not in {"body", "query", "path"})


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    details = [
        {"field": _field_path(error.get("loc", ())), "message": error.get("msg", "")}
        for error in exc.errors
    ]
    return error_response(
        request,
        422,
        "validation_error",
        _("入力内容に誤りがあります。details を確認してください。"),
        details,
    )


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(request, 401, "unauthenticated", _("ログインが必要です。"))


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error_response(request, 403, "permission_denied", _("この操作を行う権限がありません。"))


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, "not_found", _("指定されたデータは見つかりませんでした。"))


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return error_response(request, 400, exc.code, str(exc))


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    messages = {
        400: ("bad_request", _("リクエストの内容に誤りがあります。")),
        401: ("unauthenticated", _("ログインが必要です。")),
        403: ("permission_denied", _("この操作を行う権限がありません。")),
        404: ("not_found", _("指定されたデータは見つかりませんでした。")),
        405: ("method_not_allowed", _("この方法（HTTP メソッド）では利用できません。")),
        429: (
            "rate_limited",
            _("短時間のリクエストが多すぎます。しばらく待ってから再度お試しください。"),
        ),
    }
    code, message = messages.get(
        exc.status_code, ("error", _("リクエストを処理できませんでした。"))
    )
    return error_response(request, exc.status_code, code, message)


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("unhandled API error")
    return error_response(
        request,
        500,
        "internal_error",
        _("サーバー内部でエラーが発生しました。時間をおいて再度お試しください。"),
    )


from sasaeai.accounts.api import router as accounts_router  # noqa: E402
from sasaeai.core.api import router as core_router  # noqa: E402
from sasaeai.plainlang.api import router as plainlang_router  # noqa: E402

api.add_router("/", accounts_router)
api.add_router("/", core_router)

from sasaeai.directory.api_hsds import router as hsds_router  # noqa: E402
from sasaeai.plans.api import router as plans_router  # noqa: E402
from sasaeai.plans.api_public import router as plans_public_router  # noqa: E402

api.add_router("/", plans_router)
api.add_router("/public", plans_public_router)
api.add_router("/hsds", hsds_router)
api.add_router("/plainlang", plainlang_router)
