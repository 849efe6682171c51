"""Point 12 (the general part): hostile input gets a 4xx with a clear Japanese answer — JSON
under /api/ — never a 500: a body over the limit (413), a method a route does not take (405,
with ``Allow``), numbers beyond 64 bits and NUL bytes in every path parameter of every route,
public and staff, and a municipality code that is not six digits."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import get_resolver

from sasaeai.accounts.models import Municipality, OrganisationUnit, User
from sasaeai.accounts.roles import Role
from sasaeai.config.api import api
from tests.plans.builders import build_plan
from tests.test_url_access import walk

HUGE = str(2**70)
ROUTES = sorted(set(walk(get_resolver().url_patterns)))
PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")


def _api_operations() -> dict[str, set[str]]:
    """Each API path (as the resolver spells it) and the methods its route takes."""
    schema = api.get_openapi_schema()
    return {
        re.sub(r"{(\w+)}", r"<\1>", path): {method.upper() for method in methods}
        for path, methods in schema["paths"].items()
    }


def _json_error(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code
    assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", body["message"])


def test_a_body_over_the_limit_is_413_json(db: None, client: Client) -> None:
    response = client.post(
        "/api/v1/plainlang/check",
        data=b'{"text": "' + b"a" * 3_000_000 + b'"}',
        content_type="application/json",
    )
    _json_error(response, 413, "request_too_large")


def test_a_form_body_over_the_limit_is_413_in_words(
    users: dict[str, User], client_for: Callable[[User], Client]
) -> None:
    response = client_for(users[Role.SECRETARIAT]).post(
        "/staff/organisation/koreisha/rename/",
        data=b"name=" + b"a" * 3_000_000,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 413
    assert "送信されたデータが大きすぎます" in response.content.decode()


@pytest.mark.parametrize(
    ("path", "methods"), sorted(_api_operations().items()), ids=lambda v: str(v)
)
def test_a_method_the_api_route_does_not_take_is_405_json(
    users: dict[str, User],
    client_for: Callable[[User], Client],
    path: str,
    methods: set[str],
) -> None:
    client = client_for(users[Role.SECRETARIAT])
    url = PARAMETER.sub("142042", path)
    for method in sorted({"GET", "POST", "PUT", "PATCH", "DELETE"} - methods):
        response = client.generic(method, url)
        _json_error(response, 405, "method_not_allowed")
        assert set(response["Allow"].replace(" ", "").split(",")) == methods


@pytest.fixture
def world(
    kamakura: Municipality, units: dict[str, OrganisationUnit], users: dict[str, User]
) -> dict[str, Any]:
    return build_plan(kamakura, units)


def _hostile_paths(route: str, plan_id: int) -> list[str]:
    """The route with one parameter at a time set to a hostile value, the others sensible."""
    sensible = {
        "code": "142042",
        "plan_id": str(plan_id),
        "fiscal_year": "2024",
        "number": "1",
        "fmt": "html",
    }
    names = [m.group(2) for m in PARAMETER.finditer(route)]
    paths = []
    for target in names:
        for hostile in (HUGE, "-1", "a%00b"):
            path = route
            for match in PARAMETER.finditer(route):
                name = match.group(2)
                value = hostile if name == target else sensible.get(name, "1")
                path = path.replace(match.group(0), value, 1)
            paths.append("/" + path.lstrip("^").rstrip("$"))
    return paths


HOSTILE_ROUTES = [
    route
    for route in ROUTES
    if PARAMETER.search(route) and not route.startswith(("admin/", "^", "static/"))
]


@pytest.mark.parametrize("route", HOSTILE_ROUTES)
def test_hostile_path_values_never_answer_500(
    world: dict[str, Any],
    users: dict[str, User],
    client_for: Callable[[User], Client],
    route: str,
) -> None:
    signed_in = client_for(users[Role.SECRETARIAT])
    anonymous = Client()
    for path in _hostile_paths(route, world["plan"].pk):
        for client in (anonymous, signed_in):
            response = client.get(path)
            assert response.status_code < 500, (path, response.status_code)
            if path.startswith("/api/") and response.status_code >= 400:
                assert response["Content-Type"].startswith("application/json"), path


@pytest.mark.parametrize("code", ["14204", "1420420", "14204x", "%00"])
def test_a_municipality_code_that_is_not_six_digits_is_not_found(
    kamakura: Municipality, client: Client, code: str
) -> None:
    for prefix in ("/m/{}/", "/m/{}/plan/", "/m/{}/reports/", "/m/{}/directory/"):
        assert client.get(prefix.format(code)).status_code == 404
