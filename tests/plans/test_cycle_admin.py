"""The operators' admin refuses what the app's own paths refuse: a cycle outside its plan's
period, of another municipality, or a second one of a 年度 (``cycle_refusal``, the rule of
``cycle_open``); a cycle's status is never changed there; structure rows pointing into another
plan or municipality. A refused change writes nothing, audit rows included."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from sasaeai.accounts import services as accounts_services
from sasaeai.accounts.models import Municipality, User
from sasaeai.accounts.roles import UnitKind
from sasaeai.audit.models import AuditEvent
from sasaeai.plans.models import EvaluationCycle, InitiativeUnit, Policy
from tests.plans.test_cycle_support import *  # noqa: F403
from tests.plans.test_cycle_support import build_cycle


@pytest.fixture
def operator(client_for: Callable[[User], Client]) -> Client:
    user = User.objects.create_user(username="operator", is_superuser=True)
    return client_for(user)


def _form_data(page: Any) -> dict[str, Any]:
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    return {k: ("" if v is None else v) for k, v in data.items()}


def _snapshot() -> list[Any]:
    return [
        list(EvaluationCycle.objects.order_by("pk").values()),
        list(InitiativeUnit.objects.order_by("pk").values()),
        list(Policy.objects.order_by("pk").values()),
        AuditEvent.objects.count(),
    ]


def _errors(response: Any) -> list[str]:
    errors = list(response.context["adminform"].form.non_field_errors())
    for field_errors in response.context["adminform"].form.errors.values():
        errors.extend(e for e in field_errors if e not in errors)
    return errors


def test_a_cycle_cannot_be_added_and_its_status_is_read_only(
    world: dict[str, Any], operator: Client
) -> None:
    assert operator.get("/admin/plans/evaluationcycle/add/").status_code == 403
    cycle = world["cycle"]
    url = f"/admin/plans/evaluationcycle/{cycle.pk}/change/"
    page = operator.get(url)
    assert "status" not in page.context["adminform"].form.fields
    data = {**_form_data(page), "status": "published", "deadline": "2025-07-31"}
    assert operator.post(url, data).status_code == 302
    cycle.refresh_from_db()
    assert (cycle.status, str(cycle.deadline)) == ("open", "2025-07-31")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"fiscal_year": 2030}, "令和12年度は計画「第1期計画」の期間外です。"),
        ({"fiscal_year": 2023}, "令和5年度の進捗調査はすでにあります。"),
        ("fujisawa", "進捗調査の自治体は、計画「第1期計画」の自治体と同じにしてください。"),
    ],
)
def test_a_cycle_the_service_would_refuse_is_refused_and_nothing_changes(
    world: dict[str, Any], operator: Client, fujisawa: Municipality, change: Any, message: str
) -> None:
    cycle = world["cycle"]
    url = f"/admin/plans/evaluationcycle/{cycle.pk}/change/"
    data = _form_data(operator.get(url))
    data.update({"municipality": fujisawa.pk} if change == "fujisawa" else change)
    before = _snapshot()
    response = operator.post(url, data)
    assert response.status_code == 200
    assert message in _errors(response)
    assert _snapshot() == before


def test_a_responsible_unit_of_another_municipality_is_refused(
    world: dict[str, Any], operator: Client, fujisawa: Municipality
) -> None:
    foreign = accounts_services.unit_upsert(
        actor="test", municipality=fujisawa, code="f-ka", kind=UnitKind.DEPARTMENT, name="藤沢の課"
    )
    initiative = world["initiatives"][0]
    url = f"/admin/plans/initiative/{initiative.pk}/change/"
    data = _form_data(operator.get(url))
    data.update(
        {
            "responsible_units-TOTAL_FORMS": "1",
            "responsible_units-INITIAL_FORMS": "0",
            "responsible_units-0-unit": foreign.pk,
            "responsible_units-0-is_lead": "",
            "responsible_units-0-initiative": initiative.pk,
        }
    )
    # the existing lead row is left out of the post: only the added row is sent
    before = _snapshot()
    response = operator.post(url, data)
    assert response.status_code == 200
    formset_errors = [
        str(e)
        for form in response.context["inline_admin_formsets"][0].formset
        for e in form.errors.get("unit", [])
    ]
    assert formset_errors == ["計画と同じ自治体の担当課を選んでください。"]
    assert _snapshot() == before


def test_a_policy_under_another_plans_goal_is_refused(
    world: dict[str, Any], operator: Client, kamakura: Municipality, units: Any
) -> None:
    other = build_cycle(kamakura, units, world["users"]["secretariat"], name="第2期計画")
    policy = Policy.objects.get(plan=world["plan"], number=1)
    url = f"/admin/plans/policy/{policy.pk}/change/"
    data = {**_form_data(operator.get(url)), "goal": other["goals"][0].pk}
    before = _snapshot()
    response = operator.post(url, data)
    assert response.status_code == 200
    assert "同じ計画の基本目標を選んでください。" in _errors(response)
    assert _snapshot() == before
