"""Points 3 and 15: the staff plan API shows each role the evaluations its screens show
(``plans.permissions.visible_evaluations``, the rule of ``can_view_evaluation``), and another
municipality's plan is as absent as a missing one (404, never 403)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from sasaeai.accounts.models import Municipality, OrganisationUnit, User
from sasaeai.accounts.roles import Role
from sasaeai.plans.models import Evaluation
from tests.plans.builders import build_plan

SECRET = {
    "draft": "下書きの秘密",
    "submitted": "提出済みの秘密",
    "returned": "差し戻しの秘密",
}


@pytest.fixture
def plan_world(kamakura: Municipality, units: dict[str, OrganisationUnit]) -> dict[str, Any]:
    """Four initiatives evaluated by 高齢者いきいき課 in every state, and one evaluated by
    福祉総務課 (another unit) as a draft."""
    built = build_plan(kamakura, units, initiatives=4)
    rows = list(Evaluation.objects.filter(cycle=built["cycle"]).order_by("initiative__number"))
    for evaluation, state in zip(rows, ["draft", "submitted", "returned", "approved"], strict=True):
        evaluation.state = state
        evaluation.results = SECRET.get(state, "承認済みの実績")
        evaluation.save()
    other = rows[0]
    Evaluation.objects.filter(pk=other.pk).update(unit=units["fukushi-somu"])
    return built


def _evaluations(client: Client, plan_id: int) -> list[tuple[int, str, str]]:
    response = client.get(f"/api/v1/plans/{plan_id}/initiatives?fiscal_year=2024")
    assert response.status_code == 200, response.content
    return [
        (initiative["number"], evaluation["state"], evaluation["results"])
        for initiative in response.json()
        for evaluation in initiative["evaluations"]
    ]


ALL = [
    (1, "draft", "下書きの秘密"),
    (2, "submitted", "提出済みの秘密"),
    (3, "returned", "差し戻しの秘密"),
    (4, "approved", "承認済みの実績"),
]
# 高齢者いきいき課 (the department user's unit) evaluates initiatives 2–4; 1 is 福祉総務課's.
OWN_UNIT = ALL[1:]

EXPECTED = {
    Role.SECRETARIAT: ALL,
    Role.COMMITTEE_MEMBER: ALL,
    Role.DEPARTMENT: OWN_UNIT,
    Role.COUNCIL_COORDINATOR: [],
    Role.COMMUNITY_GROUP: [],
    Role.SYSTEM_ADMIN: [],
}


@pytest.mark.parametrize("role", Role.values)
def test_the_staff_api_shows_each_role_the_evaluations_its_screens_show(
    plan_world: dict[str, Any],
    users: dict[str, User],
    client_for: Callable[[User], Client],
    role: str,
) -> None:
    assert _evaluations(client_for(users[role]), plan_world["plan"].pk) == EXPECTED[role]


def test_a_department_sees_no_other_units_evaluation_of_a_shared_initiative(
    plan_world: dict[str, Any],
    users: dict[str, User],
    client_for: Callable[[User], Client],
) -> None:
    """Initiative 1 is 高齢者いきいき課's too (it leads it), but the evaluation is 福祉総務課's."""
    body = client_for(users[Role.DEPARTMENT]).get(
        f"/api/v1/plans/{plan_world['plan'].pk}/initiatives"
    )
    assert "下書きの秘密" not in body.content.decode()


@pytest.mark.parametrize("path", ["tree", "initiatives", "indicators"])
def test_another_municipalitys_plan_is_not_found_like_a_missing_one(
    plan_world: dict[str, Any],
    chiyoda_users: dict[str, User],
    client_for: Callable[[User], Client],
    path: str,
) -> None:
    client = client_for(chiyoda_users[Role.SECRETARIAT])
    other = client.get(f"/api/v1/plans/{plan_world['plan'].pk}/{path}")
    missing = client.get(f"/api/v1/plans/987654321/{path}")
    assert (other.status_code, other.json()) == (missing.status_code, missing.json())
    assert other.status_code == 404
    assert other.json()["code"] == "not_found"
