"""The operators' admin refuses a directory entry the staff pages' services refuse: an
organisation or a maintaining unit of another municipality, an age range upside down. A
refused change writes nothing, audit rows included."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from sasaeai.accounts import services as accounts_services
from sasaeai.accounts.models import Municipality, User
from sasaeai.accounts.roles import UnitKind
from sasaeai.audit.models import AuditEvent
from sasaeai.directory.models import Organization, Service
from tests.directory.test_editing_support import *  # noqa: F403


@pytest.fixture
def operator(client_for: Callable[[User], Client]) -> Client:
    return client_for(User.objects.create_user(username="operator", is_superuser=True))


def _form_data(page: Any) -> dict[str, Any]:
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    for formset in page.context["inline_admin_formsets"]:
        prefix = formset.formset.prefix
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return data


def _errors(response: Any) -> list[str]:
    form = response.context["adminform"].form
    return [str(e) for errors in form.errors.values() for e in errors]


def _snapshot() -> list[Any]:
    return [
        list(Service.objects.order_by("pk").values()),
        list(Organization.objects.order_by("pk").values()),
        AuditEvent.objects.count(),
    ]


@pytest.fixture
def foreign(fujisawa: Municipality) -> dict[str, Any]:
    unit = accounts_services.unit_upsert(
        actor="test",
        municipality=fujisawa,
        code="f-shakyo",
        kind=UnitKind.SOCIAL_WELFARE_COUNCIL,
        name="藤沢市社協",
    )
    organization = Organization.objects.create(municipality=fujisawa, name="藤沢の団体")
    return {"unit": unit, "organization": organization}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("organization", "同じ自治体の団体を選んでください。"),
        ("maintainer", "選んだ団体が見つかりません。"),
        (
            {"minimum_age": "80", "maximum_age": "65"},
            "対象年齢の上限（65歳）が下限（80歳）より小さくなっています。",
        ),
    ],
)
def test_a_service_the_services_refuse_is_refused_in_the_admin(
    world: dict[str, Any], operator: Client, foreign: dict[str, Any], change: Any, message: str
) -> None:
    url = f"/admin/directory/service/{world['salon'].pk}/change/"
    data = _form_data(operator.get(url))
    if isinstance(change, dict):
        data.update(change)
    else:
        data[change] = foreign[change if change == "organization" else "unit"].pk
    before = _snapshot()
    response = operator.post(url, data)
    assert response.status_code == 200
    assert message in _errors(response)
    assert _snapshot() == before


def test_an_organisation_maintained_by_another_municipalitys_unit_is_refused(
    world: dict[str, Any], operator: Client, foreign: dict[str, Any]
) -> None:
    url = f"/admin/directory/organization/{world['orgs']['shakyo'].pk}/change/"
    data = {**_form_data(operator.get(url)), "maintainer": foreign["unit"].pk}
    before = _snapshot()
    response = operator.post(url, data)
    assert response.status_code == 200
    assert _errors(response) == ["選んだ団体が見つかりません。"]
    assert _snapshot() == before


def test_a_valid_change_is_saved_and_audited(world: dict[str, Any], operator: Client) -> None:
    url = f"/admin/directory/service/{world['salon'].pk}/change/"
    data = {**_form_data(operator.get(url)), "minimum_age": "60"}
    response = operator.post(url, data)
    assert response.status_code == 302, _errors(response) if response.status_code == 200 else ""
    assert Service.objects.get(pk=world["salon"].pk).minimum_age == 60
    event = AuditEvent.objects.filter(object_type="directory.Service").latest("id")
    assert (event.action, event.changes["minimum_age"]) == ("update", [None, 60])
