"""A second municipality (千代田区 131016) with a user in every role, beside the Kamakura
fixtures of tests/conftest.py: attacks come from the other tenant as often as from within."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from sasaeai.accounts.roles import Role, UnitKind
from tests.conftest import PASSWORD, ROLE_UNITS

if TYPE_CHECKING:
    from sasaeai.accounts.models import Municipality, OrganisationUnit, User

CHIYODA_UNITS = [
    ("fukushi-somu", UnitKind.DEPARTMENT, "福祉総務課"),
    ("koreisha", UnitKind.DEPARTMENT, "高齢介護課"),
    ("iinkai", UnitKind.COMMITTEE, "地域福祉推進委員会"),
    ("shakyo", UnitKind.SOCIAL_WELFARE_COUNCIL, "千代田区社会福祉協議会"),
    ("jichikai", UnitKind.NEIGHBOURHOOD_ASSOCIATION, "神田一丁目町会"),
]


@pytest.fixture
def chiyoda(db: None) -> Municipality:
    from sasaeai.accounts import services

    return services.municipality_upsert(
        actor="test", code="131016", name="千代田区", prefecture="東京都"
    )


@pytest.fixture
def chiyoda_units(chiyoda: Municipality) -> dict[str, OrganisationUnit]:
    from sasaeai.accounts import services

    return {
        code: services.unit_upsert(
            actor="test", municipality=chiyoda, code=code, kind=kind, name=name
        )
        for code, kind, name in CHIYODA_UNITS
    }


@pytest.fixture
def chiyoda_users(
    chiyoda: Municipality, chiyoda_units: dict[str, OrganisationUnit]
) -> dict[str, User]:
    """A 千代田区 user in every role (usernames ``chiyoda-<role>``)."""
    from sasaeai.accounts import services

    made = {}
    for role in Role.values:
        user = services.user_upsert(
            actor="test",
            municipality=chiyoda,
            username=f"chiyoda-{role}",
            display_name=f"千代田区の{Role(role).label}",
            email=f"{role}@chiyoda.example.jp",
            password=PASSWORD,
        )
        services.membership_grant(
            actor="test", user=user, unit=chiyoda_units[ROLE_UNITS[role]], role=role
        )
        made[role] = user
    return made
