"""The JSON API under /api/v1/ (django-ninja), with its OpenAPI document.

Every error is JSON ``{"code": ..., "message": ...}`` with a Japanese message — never an HTML
page or a stack trace.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from sasaeai.core.db import is_query_canceled, timeout_response
from sasaeai.core.errors import DomainError
from sasaeai.core.http import json_error, status_error

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
    return json_error(status, code, message, details)


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
    code, message = status_error(exc.status_code)
    return error_response(request, exc.status_code, code, message)


@api.exception_handler(RequestDataTooBig)
def on_too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    code, message = status_error(413)
    return error_response(request, 413, code, message)


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    if is_query_canceled(exc):
        return timeout_response(request)
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

from sasaeai.directory.api import router as hsds_router  # noqa: E402
from sasaeai.plans.api import router as plans_router  # noqa: E402
from sasaeai.publication.api import router as publication_router  # noqa: E402

api.add_router("/", plans_router)
api.add_router("/public", publication_router)
api.add_router("/hsds", hsds_router)
api.add_router("/plainlang", plainlang_router)
