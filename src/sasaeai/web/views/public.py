"""Public pages of the foundation: the home page, a municipality's page and the error pages
(``config/urls.py`` names them as Django's handler400/403/404/500)."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from sasaeai.accounts.models import Municipality
from sasaeai.accounts.selectors import districts_with_towns
from sasaeai.core.http import API_PREFIX, json_error
from sasaeai.core.wareki import fiscal_year_of


def home(request: HttpRequest) -> HttpResponse:
    municipalities = Municipality.objects.order_by("code")
    if municipalities.count() == 1:
        return municipality_home(request, municipalities[0].code)
    return render(request, "web/home.html", {"municipalities": municipalities})


def municipality_home(request: HttpRequest, code: str) -> HttpResponse:
    municipality = get_object_or_404(Municipality, code=code)
    return render(
        request,
        "web/municipality.html",
        {
            "municipality": municipality,
            "districts": districts_with_towns(municipality=municipality),
            "today_fy": fiscal_year_of(timezone.localdate()),
        },
    )


def error_404(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error(request, 404, "not_found", _("お探しのページは見つかりませんでした。"))


def error_403(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error(request, 403, "permission_denied", _("このページを表示する権限がありません。"))


def error_500(request: HttpRequest) -> HttpResponse:
    return _error(
        request,
        500,
        "internal_error",
        _("サーバーでエラーが発生しました。時間をおいて再度お試しください。"),
    )


def error_400(request: HttpRequest, exception: Exception) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        return _error(
            request,
            413,
            "request_too_large",
            _("送信されたデータが大きすぎます。内容を分けるか、小さくしてから送ってください。"),
        )
    return _error(request, 400, "bad_request", _("リクエストの内容に誤りがあります。"))


def _error(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return json_error(status, code, message)
    return render(request, "error.html", {"status": status, "message": message}, status=status)
