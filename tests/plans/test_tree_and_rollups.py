"""The plan tree page, roll-ups (再掲 never counted twice), warnings, and its query count."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from sasaeai.accounts.models import Municipality, OrganisationUnit, User
from sasaeai.accounts.roles import Role
from sasaeai.plans.selectors.tree import plan_tree
from tests.plans.builders import build_plan


@pytest.fixture
def built(kamakura: Municipality, units: dict[str, OrganisationUnit]) -> dict[str, Any]:
    return build_plan(kamakura, units)


def test_rollups_count_each_initiative_once(built: dict[str, Any]) -> None:
    tree = plan_tree(built["plan"], 2024)
    assert tree.tally.grade_rows == [
        ("A", "順調", 1),
        ("B", "概ね順調", 2),
        ("C", "やや遅れている", 1),
        ("D", "遅れている", 0),
    ]
    assert tree.tally.direction_rows == [("拡充", 0), ("継続", 4), ("見直し", 0), ("終了", 0)]
    assert (tree.tally.initiatives, tree.tally.evaluated) == (4, 4)
    goal2 = tree.goals[1]
    # the 再掲 of initiative 1 is listed under goal 2 but counted under goal 1 only
    assert [r.initiative.number for r in goal2.policies[0].types[0].initiatives] == [5]
    assert goal2.policies[0].types[0].initiatives[0].repost_of == built["initiatives"][0]
    assert goal2.tally.initiatives == 0
    assert tree.goals[0].tally.initiatives == 4


def test_indicator_status_and_contradiction_warning(built: dict[str, Any]) -> None:
    tree = plan_tree(built["plan"], 2024)
    survey = tree.goals[0].indicators[0]
    assert (survey.latest.value, survey.status.code, str(survey.status.achievement)) == (
        16,
        "D",
        "-120.0",
    )
    counts = tree.goals[1].indicators[0]
    assert (counts.status.code, str(counts.status.achievement)) == ("A", "110.0")
    rows = tree.goals[0].policies[0].types[0].initiatives
    assert [r.warnings for r in rows] == [
        ["自己評価は A ですが、関連する成果指標に D（遅れている）があります。"],
        [],
        [],
        [],
    ]


def test_goal_added_mid_period_is_not_counted_before_it_applies(built: dict[str, Any]) -> None:
    goal = built["goals"][0]
    goal.applies_from_fy = 2025
    goal.save()
    assert plan_tree(built["plan"], 2024).tally.initiatives == 0


def test_units_shown_for_the_year(built: dict[str, Any]) -> None:
    row = plan_tree(built["plan"], 2024).goals[0].policies[0].types[0].initiatives[0]
    assert [(str(u), lead) for u, lead in row.units] == [
        ("高齢者いきいき課", True),
        ("福祉総務課", False),
    ]


@pytest.mark.parametrize("role", Role.values)
def test_tree_page_for_every_staff_role(
    built: dict[str, Any], users: dict[str, User], client_for: Callable[[User], Client], role: str
) -> None:
    response = client_for(users[role]).get(f"/staff/plans/{built['plan'].pk}/", {"fy": "R6"})
    assert response.status_code == 200
    page = response.content.decode()
    # the evaluations (and the warnings drawn from them) follow plans.permissions.visible_evaluations:
    # the secretariat and committee see all, the department its own (all of them here)
    sees_evaluations = role in {Role.SECRETARIAT, Role.COMMITTEE_MEMBER, Role.DEPARTMENT}
    assert ("自己評価は A ですが" in page) is sees_evaluations
    assert ("あなたが見られる評価（担当課は自分の課のもの）だけを表示しています" in page) is (
        role not in {Role.SECRETARIAT, Role.COMMITTEE_MEMBER}
    )
    assert "令和6年度" in page


def test_other_municipality_cannot_see_the_plan(
    built: dict[str, Any],
    make_user: Callable[..., User],
    fujisawa: Municipality,
    client_for: Callable[[User], Client],
) -> None:
    stranger = make_user(Role.SECRETARIAT, username="fujisawa-staff")
    stranger.municipality = fujisawa
    stranger.save()
    assert client_for(stranger).get(f"/staff/plans/{built['plan'].pk}/").status_code in {403, 404}


def _queries_for(
    n: int, kamakura: Municipality, units: dict[str, OrganisationUnit], client: Client
) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    data = build_plan(kamakura, units, initiatives=n, name=f"計画{n}")
    with CaptureQueriesContext(connection) as captured:
        assert client.get(f"/staff/plans/{data['plan'].pk}/", {"fy": "2024"}).status_code == 200
    return len(captured)


def test_tree_query_count_is_constant(
    kamakura: Municipality,
    units: dict[str, OrganisationUnit],
    users: dict[str, User],
    client_for: Callable[[User], Client],
) -> None:
    client = client_for(users[Role.SECRETARIAT])
    small = _queries_for(10, kamakura, units, client)
    large = _queries_for(2000, kamakura, units, client)
    assert small == large
