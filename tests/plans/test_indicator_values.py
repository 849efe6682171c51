"""Entering indicator values: secretariat only, numbers as people type them, audited."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from sasaeai.accounts.models import Municipality, OrganisationUnit, User
from sasaeai.accounts.roles import Role
from sasaeai.audit.models import AuditEvent
from sasaeai.plans.models import IndicatorValue
from tests.plans.builders import build_plan


@pytest.fixture
def built(kamakura: Municipality, units: dict[str, OrganisationUnit]) -> dict[str, Any]:
    return build_plan(kamakura, units, initiatives=1)


def test_secretariat_enters_a_value(
    built: dict[str, Any], users: dict[str, User], client_for: Callable[[User], Client]
) -> None:
    indicator = built["indicators"][1]
    response = client_for(users[Role.SECRETARIAT]).post(
        f"/staff/plans/indicators/{indicator.pk}/",
        {"fiscal_year": "令和７年度", "value": "２，３４５", "note": "速報値"},
    )
    assert response.status_code == 302
    row = IndicatorValue.objects.get(indicator=indicator, fiscal_year=2025)
    assert (row.value, row.note) == (Decimal("2345"), "速報値")
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.object_type, event.changes["value"]) == (
        "create",
        "plans.IndicatorValue",
        [None, "2345"],
    )


def test_bad_number_is_explained(
    built: dict[str, Any], users: dict[str, User], client_for: Callable[[User], Client]
) -> None:
    indicator = built["indicators"][1]
    response = client_for(users[Role.SECRETARIAT]).post(
        f"/staff/plans/indicators/{indicator.pk}/", {"fiscal_year": "R7", "value": "約200"}
    )
    assert response.status_code == 200
    assert "「約200」は数値として読み取れません。" in response.content.decode()
    assert IndicatorValue.objects.filter(indicator=indicator, fiscal_year=2025).count() == 0


@pytest.mark.parametrize("role", [Role.DEPARTMENT, Role.COMMITTEE_MEMBER, Role.COUNCIL_COORDINATOR])
def test_refused_for_other_roles(
    built: dict[str, Any], users: dict[str, User], client_for: Callable[[User], Client], role: str
) -> None:
    indicator = built["indicators"][1]
    before = list(IndicatorValue.objects.values_list("indicator_id", "fiscal_year", "value"))
    audit_count = AuditEvent.objects.exclude(action="refused").count()
    response = client_for(users[role]).post(
        f"/staff/plans/indicators/{indicator.pk}/", {"fiscal_year": "R6", "value": "1"}
    )
    assert response.status_code == 403
    assert (
        list(IndicatorValue.objects.values_list("indicator_id", "fiscal_year", "value")) == before
    )
    assert AuditEvent.objects.exclude(action="refused").count() == audit_count


def test_blank_value_removes_the_year(
    built: dict[str, Any], users: dict[str, User], client_for: Callable[[User], Client]
) -> None:
    indicator = built["indicators"][1]
    client_for(users[Role.SECRETARIAT]).post(
        f"/staff/plans/indicators/{indicator.pk}/", {"fiscal_year": "2023", "value": ""}
    )
    assert list(
        IndicatorValue.objects.filter(indicator=indicator).values_list("fiscal_year", flat=True)
    ) == [2024]
    assert AuditEvent.objects.latest("id").action == "delete"
