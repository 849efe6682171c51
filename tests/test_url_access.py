"""Every URL needs login unless it is on the explicit public list (get.gov's test_url_auth)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

# Routes anyone may open without an account. Adding to this list is a deliberate decision.
PUBLIC = {
    "",
    "m/<lgcode:code>/",
    "m/<lgcode:code>/reports/",
    "m/<lgcode:code>/reports/<int:fiscal_year>/<str:fmt>/",
    "accounts/login/",
    "accounts/logout/",
    "api/v1/openapi.json",
    "api/v1/municipalities",
    "api/v1/municipalities/<code>",
    "api/v1/fiscal-years/parse",
    "api/v1/plainlang/check",
    # the directory's HSDS 3.0 read API (active services only; tests/directory/test_api_hsds.py)
    "api/v1/hsds/<code>/",
    "api/v1/hsds/<code>/services",
    "api/v1/hsds/<code>/services/<service_id>",
    "api/v1/hsds/<code>/organizations",
    "api/v1/hsds/<code>/organizations/<organization_id>",
    "api/v1/hsds/<code>/taxonomies",
    "api/v1/hsds/<code>/taxonomy_terms",
    "api/v1/hsds/<code>/service_at_locations",
    # public plan progress pages and API (published data only; tests/publication/test_no_leak.py)
    "m/<lgcode:code>/plan/",
    "m/<lgcode:code>/plan/feed.atom",
    "m/<lgcode:code>/plan/<int:plan_id>/",
    "m/<lgcode:code>/plan/<int:plan_id>/years/<int:fiscal_year>/",
    "m/<lgcode:code>/plan/<int:plan_id>/goals/<int:number>/",
    "m/<lgcode:code>/plan/<int:plan_id>/initiatives/<int:number>/",
    "m/<lgcode:code>/plan/<int:plan_id>/indicators/",
    "m/<lgcode:code>/plan/<int:plan_id>/indicators/<int:number>/",
    "api/v1/public/<code>/plans",
    "api/v1/public/<code>/plans/<plan_id>",
    "api/v1/public/<code>/plans/<plan_id>/indicators",
    "api/v1/public/<code>/plans/<plan_id>/initiatives/<number>",
    # public directory search and service pages (tests/directory/test_public_pages.py)
    "m/<lgcode:code>/directory/",
    "m/<lgcode:code>/directory/services/<uuid:service_id>/",
}

SAMPLE_ARGUMENTS = {
    "code": "142042",
    "object_id": "1",
    "app_label": "accounts",
    "content_type_id": "1",
}


def walk(patterns: list[URLPattern | URLResolver], prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, route)
        else:
            yield route


def to_path(route: str) -> str:
    path = route.lstrip("^").rstrip("$").replace("\\Z", "").replace("\\", "")
    path = re.sub(r"<int:(\w+)>", "1", path)
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: SAMPLE_ARGUMENTS.get(m.group(1), "x"), path)
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: SAMPLE_ARGUMENTS.get(m.group(1), "x"), path)
    path = re.sub(r"\([^)]*\)\??", "", path)
    return "/" + path


ROUTES = sorted(set(walk(get_resolver().url_patterns)))


def test_public_list_names_only_existing_routes() -> None:
    assert PUBLIC - set(ROUTES) == set()


@pytest.mark.parametrize("route", [r for r in ROUTES if r not in PUBLIC])
@pytest.mark.django_db
def test_route_needs_login(client: Client, route: str) -> None:
    path = to_path(route)
    response = client.get(path)
    if path.startswith("/api/"):
        assert response.status_code in {401, 404, 405}, path
        if response.status_code == 401:
            assert response.json()["code"] == "unauthenticated"
    elif path.startswith("/admin/"):
        assert response.status_code in {302, 404, 405}, path
        if response.status_code == 302:
            # the admin sends anonymous users to its login (which forwards to ours) or its index
            assert response["Location"].startswith(("/accounts/login/", "/admin/")), path
    else:
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/login/"), path


def test_there_are_protected_routes() -> None:
    protected = [r for r in ROUTES if r not in PUBLIC]
    assert "staff/" in protected
    assert "staff/audit/" in protected
    assert "api/v1/me" in protected
