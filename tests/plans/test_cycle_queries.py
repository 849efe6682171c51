"""The department's list, the cycle dashboard and the other cycle lists run the same number
of SQL queries with 10 and with 2,000 initiatives."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from sasaeai.accounts.models import Municipality, OrganisationUnit, User
from sasaeai.accounts.roles import Role
from sasaeai.plans.models import Evaluation
from tests.conftest import login
from tests.plans.test_cycle_support import *  # noqa: F403
from tests.plans.test_cycle_support import PREFIX, build_cycle

SIZES = (10, 2000)

# path → (role, expected queries). Every page reads the session, the user, the two-factor
# device, the memberships (for the permission check) and the municipality, and saves the
# session (SESSION_SAVE_EVERY_REQUEST: three statements in a test's transaction); then its own
# reads, e.g. the dashboard: the cycle, the counts by unit, the units and their names.
PAGES: dict[str, tuple[str, int]] = {
    "evaluations/mine/": (Role.DEPARTMENT, 10),
    "cycles/{cycle}/": (Role.SECRETARIAT, 12),
    "cycles/{cycle}/evaluations/": (Role.SECRETARIAT, 11),
    "cycles/": (Role.SECRETARIAT, 9),
    "cycles/{cycle}/reviews/": (Role.COMMITTEE_MEMBER, 12),
}


@pytest.mark.parametrize("size", SIZES)
def test_cycle_pages_run_a_constant_number_of_queries(
    size: int,
    kamakura: Municipality,
    units: dict[str, OrganisationUnit],
    users: dict[str, User],
    django_assert_num_queries: Any,
) -> None:
    data = build_cycle(kamakura, units, users[Role.SECRETARIAT], initiatives=size)
    cycle = data["cycle"]
    assert Evaluation.objects.filter(cycle=cycle).count() == size
    # a mix of states, so every column of the dashboard is counted
    Evaluation.objects.filter(cycle=cycle, initiative__number__lte=size // 2).update(
        state="submitted"
    )
    clients: dict[str, Client] = {}
    for path, (role, expected) in PAGES.items():
        client = clients.setdefault(role, login(Client(), users[role]))
        with django_assert_num_queries(expected):
            response = client.get(PREFIX + path.format(cycle=cycle.pk))
        assert response.status_code == 200
    text = clients[Role.DEPARTMENT].get(f"{PREFIX}evaluations/mine/").content.decode()
    assert text.count("/staff/plans/evaluations/") == size
