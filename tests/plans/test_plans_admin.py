"""Operators can set an initiative's successor in the admin; the change is audited under the
plan's municipality."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.test import Client

from sasaeai.accounts.models import Municipality, OrganisationUnit, User
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
    operator = User.objects.create_user(username="operator", is_superuser=True)
    client = client_for(operator)
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
    assert (
        event.action,
        event.object_type,
        event.changes["successor"],
        event.municipality_id,
        event.detail,
    ) == ("update", "plans.Initiative", [None, new.pk], kamakura.pk, "管理画面（運用者）")
