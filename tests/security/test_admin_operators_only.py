"""Point 1: the Django admin is the deployment operators' console (decision 0010).

No municipality role opens it — not a システム管理者 of 千代田区, who used to list and change
鎌倉市's users, plans, directory and audit rows and set a 鎌倉市 user's password there — and
every change an operator makes there leaves a row in our audit log, inlines and password
changes included, after the same checks as the services.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.db import models
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from sasaeai.accounts.models import Membership, Municipality, OrganisationUnit, User
from sasaeai.accounts.roles import Role
from sasaeai.audit.models import AuditEvent
from sasaeai.directory.models import Location
from tests.conftest import PASSWORD, login
from tests.directory.builders import build_accessibility, build_districts, build_service
from tests.plans.builders import build_plan

MARKER = "鎌倉だけの印"


@pytest.fixture
def kamakura_world(
    kamakura: Municipality, units: dict[str, OrganisationUnit], users: dict[str, User]
) -> dict[type[models.Model], models.Model]:
    """At least one 鎌倉市 row of every model registered in the admin, where one can be made."""
    build_plan(kamakura, units, name=f"{MARKER}の計画")
    build_districts(kamakura)
    build_service(
        kamakura,
        name=f"{MARKER}のサロン",
        organization=f"{MARKER}の団体",
        district="大船",
        town="台",
        address="大船1-1",
        phone="0467-00-0000",
        schedules=[{"freq": "WEEKLY", "byday": "MO"}],
        categories=["salon"],
        url="https://example.jp/salon",
    )
    build_accessibility(Location.objects.get(municipality=kamakura), description=f"{MARKER}の段差")
    victim = users[Role.SECRETARIAT].username
    AccessAttempt.objects.create(
        username=victim, ip_address="192.0.2.1", user_agent="x", failures_since_start=3
    )
    AccessLog.objects.create(username=victim, ip_address="192.0.2.1", user_agent="x")
    AccessFailureLog.objects.create(username=victim, ip_address="192.0.2.1", user_agent="x")
    found: dict[type[models.Model], models.Model] = {}
    for model in admin.site._registry:
        row = model._default_manager.order_by("pk").first()
        if row is not None:
            found[model] = row
    return found


def _admin_urls(world: dict[type[models.Model], models.Model]) -> Iterator[tuple[str, str]]:
    for model in admin.site._registry:
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        yield "GET", base
        yield "GET", f"{base}add/"
        row = world.get(model)
        pk = row.pk if row is not None else 1
        for suffix in ("change/", "delete/", "history/"):
            yield "GET", f"{base}{pk}/{suffix}"
        yield "POST", f"{base}{pk}/change/"
        yield "POST", f"{base}{pk}/delete/"
    yield "GET", "/admin/"


def test_every_registered_admin_model_is_covered(
    kamakura_world: dict[type[models.Model], models.Model],
) -> None:
    """The walk below must see a real 鎌倉市 row of each model, or it proves nothing about it."""
    missing = sorted(m._meta.label for m in admin.site._registry if m not in kamakura_world)
    assert missing == []


def test_another_municipalitys_admin_finds_nothing_of_the_first(
    kamakura_world: dict[type[models.Model], models.Model],
    chiyoda_users: dict[str, User],
    client_for: Callable[[User], Client],
    users: dict[str, User],
) -> None:
    client = client_for(chiyoda_users[Role.SYSTEM_ADMIN])
    before = AuditEvent.objects.count()
    victim = users[Role.SECRETARIAT]
    for method, url in _admin_urls(kamakura_world):
        response = client.get(url) if method == "GET" else client.post(url, {"post": "yes"})
        assert response.status_code == 403, (method, url, response.status_code)
        body = response.content.decode()
        assert MARKER not in body and victim.username not in body, url
    password_url = f"/admin/accounts/user/{victim.pk}/password/"
    assert client.get(password_url).status_code == 403
    response = client.post(
        password_url, {"password1": "pwned-pwned-42", "password2": "pwned-pwned-42"}
    )
    assert response.status_code == 403
    victim.refresh_from_db()
    assert victim.check_password(PASSWORD)
    assert not victim.check_password("pwned-pwned-42")
    assert [(type(row), row) for row in kamakura_world.values()] == [
        (type(row), type(row)._default_manager.get(pk=row.pk)) for row in kamakura_world.values()
    ]
    # each refusal is logged as one (a 403 is recorded, not a change); nothing else was written
    new = AuditEvent.objects.order_by("id")[before:]
    assert {(event.action, event.actor_id) for event in new} == {
        ("refused", chiyoda_users[Role.SYSTEM_ADMIN].pk)
    }


@pytest.mark.parametrize("role", Role.values)
def test_no_municipality_role_opens_the_admin(
    users: dict[str, User], client_for: Callable[[User], Client], role: str
) -> None:
    assert client_for(users[role]).get("/admin/").status_code == 403


@pytest.fixture
def operator(db: None) -> User:
    """A deployment operator: Django's superuser flag, no municipality, 2FA enrolled."""
    user = User.objects.create_user(username="operator", password=PASSWORD, is_superuser=True)
    TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    return user


def test_an_operator_must_finish_two_factor_before_the_admin(
    operator: User, client: Client
) -> None:
    client.force_login(operator)  # password only
    response = client.get("/admin/accounts/user/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/verify/")


def test_an_operators_password_change_is_audited_for_the_users_municipality(
    operator: User, users: dict[str, User], kamakura: Municipality, client: Client
) -> None:
    victim = users[Role.DEPARTMENT]
    response = login(client, operator).post(
        f"/admin/accounts/user/{victim.pk}/password/",
        {"password1": "new-horse-battery-42", "password2": "new-horse-battery-42"},
    )
    assert response.status_code == 302
    victim.refresh_from_db()
    assert victim.check_password("new-horse-battery-42")
    event = AuditEvent.objects.latest("id")
    assert (
        event.action,
        event.actor_id,
        event.municipality_id,
        event.object_type,
        event.object_id,
        event.detail,
    ) == (
        "password_change",
        operator.pk,
        kamakura.pk,
        "accounts.User",
        str(victim.pk),
        "管理画面（運用者）",
    )


def _change_form_data(client: Client, url: str) -> dict[str, Any]:
    page = client.get(url)
    assert page.status_code == 200
    data: dict[str, Any] = {}
    form = page.context["adminform"].form
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        data[name] = value
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management[name].value()
        for inline_form in formset.formset.forms:
            for name in inline_form.fields:
                value = inline_form[name].value()
                if value is not None:
                    data[f"{inline_form.prefix}-{name}"] = value
    return data


def test_an_inline_saved_in_the_admin_is_audited(
    operator: User, users: dict[str, User], units: dict[str, OrganisationUnit], client: Client
) -> None:
    user = users[Role.DEPARTMENT]
    url = f"/admin/accounts/user/{user.pk}/change/"
    login(client, operator)
    data = _change_form_data(client, url)
    prefix = "memberships"
    total = int(data[f"{prefix}-TOTAL_FORMS"])
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": str(total + 1),
            f"{prefix}-{total}-unit": units["iinkai"].pk,
            f"{prefix}-{total}-role": Role.COMMITTEE_MEMBER,
            f"{prefix}-{total}-is_active": "on",
        }
    )
    data = {k: ("on" if v is True else v) for k, v in data.items() if v is not False}
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    membership = Membership.objects.get(user=user, role=Role.COMMITTEE_MEMBER)
    event = AuditEvent.objects.get(object_type="accounts.Membership", object_id=str(membership.pk))
    assert (event.action, event.actor_id, event.municipality_id) == (
        "create",
        operator.pk,
        user.municipality_id,
    )


def test_the_admin_refuses_a_membership_the_service_refuses(
    operator: User, users: dict[str, User], units: dict[str, OrganisationUnit], client: Client
) -> None:
    """事務局 on a 自治会 unit: membership_grant refuses it, and so does the admin."""
    user = users[Role.DEPARTMENT]
    login(client, operator)
    response = client.post(
        "/admin/accounts/membership/add/",
        {
            "user": user.pk,
            "unit": units["jichikai"].pk,
            "role": Role.SECRETARIAT,
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert (
        "役割「事務局」は種別「自治会・町内会」の組織には登録できません。"
        in response.content.decode()
    )
    assert not Membership.objects.filter(user=user, role=Role.SECRETARIAT).exists()
