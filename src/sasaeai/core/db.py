"""Database helpers shared by every app.

``WebStatementTimeoutMiddleware``: on PostgreSQL, the connections that serve web requests
get ``statement_timeout`` (``SASAEAI_WEB_STATEMENT_TIMEOUT`` seconds), so a query does not
go on after its visitor has given up. Background work (report builds, large imports) and the
command line run on their own connections and are not limited. A query stopped this way is
answered 503 with a Japanese message, not 500.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import OperationalError, connection
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy


def is_query_canceled(error: BaseException) -> bool:
    """A statement stopped by ``statement_timeout`` (PostgreSQL's SQLSTATE 57014)."""
    cause = getattr(error, "__cause__", None)
    return isinstance(error, OperationalError) and getattr(cause, "sqlstate", None) == "57014"


TIMEOUT_MESSAGE = gettext_lazy(
    "時間がかかりすぎたため、処理を中止しました。条件をしぼるか、少し待ってからもう一度お試しください。"
)


def timeout_response(request: HttpRequest) -> HttpResponse:
    from sasaeai.core.http import API_PREFIX, json_error

    if request.path.startswith(API_PREFIX):
        return json_error(503, "timeout", str(TIMEOUT_MESSAGE))
    from django.shortcuts import render

    return render(
        request, "error.html", {"status": 503, "message": str(TIMEOUT_MESSAGE)}, status=503
    )


class WebStatementTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        seconds = getattr(settings, "SASAEAI_WEB_STATEMENT_TIMEOUT", 0)
        if seconds and connection.vendor == "postgresql":
            # every request (one short statement): a persistent connection would keep the
            # setting, but a rolled-back transaction takes it back
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT set_config('statement_timeout', %s, false)",
                    [f"{int(seconds * 1000)}ms"],
                )
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> Any:
        if is_query_canceled(exception):
            return timeout_response(request)
        return None
