"""The project's URLs plus one page and one API route whose query outlives the web timeout."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import path
from ninja import NinjaAPI

from sasaeai.config.urls import urlpatterns as project_urls


def _sleep() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(2)")


def slow_page(request: HttpRequest) -> HttpResponse:
    _sleep()
    return HttpResponse("done")


slow_api = NinjaAPI(urls_namespace="slow-api")


@slow_api.get("/slow")
def slow_route(request: HttpRequest) -> str:
    _sleep()
    return "done"


urlpatterns = [path("slow/", slow_page), path("api/slow-test/", slow_api.urls), *project_urls]
