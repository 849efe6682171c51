"""Read API of plans: tree, initiatives with evaluations by 年度, indicators; staff only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from sasaeai.accounts.models import Municipality, OrganisationUnit, User
from sasaeai.accounts.roles import Role
from tests.plans.builders import build_plan


@pytest.fixture
def built(kamakura: Municipality, units: dict[str, OrganisationUnit]) -> dict[str, Any]:
    return build_plan(kamakura, units, initiatives=2)


def test_anonymous_gets_json_401(built: dict[str, Any], client: Client) -> None:
    response = client.get(f"/api/v1/plans/{built['plan'].pk}/tree")
    assert (response.status_code, response.json()["code"]) == (401, "unauthenticated")


def test_other_municipality_gets_404(
    built: dict[str, Any],
    make_user: Callable[..., User],
    fujisawa: Municipality,
    client_for: Callable[[User], Client],
) -> None:
    stranger = make_user(Role.DEPARTMENT, username="other")
    stranger.municipality = fujisawa
    stranger.save()
    stranger.memberships.update(municipality=fujisawa)
    response = client_for(stranger).get(f"/api/v1/plans/{built['plan'].pk}/tree")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_tree(
    built: dict[str, Any], users: dict[str, User], client_for: Callable[[User], Client]
) -> None:
    body = client_for(users[Role.DEPARTMENT]).get(f"/api/v1/plans/{built['plan'].pk}/tree").json()
    assert (body["name"], body["start_fy"], body["end_fy"]) == ("テスト計画", 2020, 2025)
    goal1, goal2 = body["goals"]
    first = goal1["policies"][0]["types"][0]["initiatives"][0]
    assert first["units"] == [
        {
            "code": "koreisha",
            "name": "高齢者いきいき課",
            "is_lead": True,
            "valid_from_fy": None,
            "valid_to_fy": None,
        },
        {
            "code": "fukushi-somu",
            "name": "福祉総務課",
            "is_lead": False,
            "valid_from_fy": None,
            "valid_to_fy": None,
        },
    ]
    assert goal2["policies"][0]["types"][0]["initiatives"][0]["repost_of"] == 1


def test_initiatives_with_evaluations(
    built: dict[str, Any], users: dict[str, User], client_for: Callable[[User], Client]
) -> None:
    body = (
        client_for(users[Role.SECRETARIAT])
        .get(f"/api/v1/plans/{built['plan'].pk}/initiatives", {"fiscal_year": 2024})
        .json()
    )
    assert [(r["number"], [e["grade"] for e in r["evaluations"]]) for r in body] == [
        (1, ["A"]),
        (2, ["B"]),
        (3, []),
    ]
    assert body[0]["evaluations"][0] == {
        "fiscal_year": 2024,
        "unit": "高齢者いきいき課",
        "results": "実施した。",
        "grade": "A",
        "issues": "",
        "direction": "継続",
        "state": "draft",
    }


def test_indicators(
    built: dict[str, Any], users: dict[str, User], client_for: Callable[[User], Client]
) -> None:
    body = (
        client_for(users[Role.COMMITTEE_MEMBER])
        .get(f"/api/v1/plans/{built['plan'].pk}/indicators")
        .json()
    )
    assert [(i["number"], i["goal"], i["status"], i["achievement"]) for i in body] == [
        (1, 1, "D", "-120.0"),
        (2, 2, "A", "110.0"),
    ]
    assert body[1]["values"] == [
        {"fiscal_year": 2023, "value": "150.000", "note": ""},
        {"fiscal_year": 2024, "value": "210.000", "note": ""},
    ]


def test_a_user_without_a_role_gets_json_403_and_nothing(
    built: dict[str, Any], make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    client = client_for(make_user(None, username="no-role"))
    for path in ("/api/v1/plans", f"/api/v1/plans/{built['plan'].pk}/initiatives"):
        response = client.get(path)
        assert (response.status_code, response.json()) == (
            403,
            {"code": "permission_denied", "message": "この操作を行う権限がありません。"},
        )


@pytest.mark.parametrize("role", Role.values)
def test_every_staff_role_lists_its_municipalitys_plans(
    built: dict[str, Any], users: dict[str, User], client_for: Callable[[User], Client], role: str
) -> None:
    body = client_for(users[role]).get("/api/v1/plans").json()
    assert [(p["id"], p["name"]) for p in body] == [(built["plan"].pk, "テスト計画")]
