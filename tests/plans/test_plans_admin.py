"""System administrators can set an initiative's successor in the admin; the change is audited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.test import Client

from sasaeai.accounts.models import Municipality, OrganisationUnit, User
from sasaeai.accounts.roles import Role
from sasaeai.audit.models import AuditEvent
from tests.plans.builders import build_plan


def test_successor_set_in_admin(
    kamakura: Municipality,
    units: dict[str, OrganisationUnit],
    users: dict[str, User],
    client_for: Callable[[User], Client],
) -> None:
    first: dict[str, Any] = build_plan(kamakura, units, initiatives=1, name="第1期")
    second: dict[str, Any] = build_plan(kamakura, units, initiatives=1, name="第2期")
    old, new = first["initiatives"][0], second["initiatives"][0]
    client = client_for(users[Role.SYSTEM_ADMIN])
    page = client.get(f"/admin/plans/initiative/{old.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(
        {
            "successor": new.pk,
            "responsible_units-TOTAL_FORMS": "0",
            "responsible_units-INITIAL_FORMS": "0",
        }
    )
    response = client.post(f"/admin/plans/initiative/{old.pk}/change/", data)
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.successor_id == new.pk
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.object_type, event.changes["successor"]) == (
        "update",
        "plans.Initiative",
        [None, new.pk],
    )
