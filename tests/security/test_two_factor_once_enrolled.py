"""Point 2: two-factor authentication, once a user has enrolled a device, is always asked —
also for the roles where it is optional (担当課, 推進委員) — and removing the device needs a
fresh code."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from sasaeai.accounts.models import User
from sasaeai.accounts.roles import Role
from sasaeai.audit.models import AuditEvent
from tests.conftest import PASSWORD

OPTIONAL_ROLES = [Role.DEPARTMENT, Role.COMMITTEE_MEMBER]


def _enrol(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="認証アプリ", confirmed=True)


def _code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + steps_ahead * device.step
    return f"{totp.token():06d}"


def _password_login(client: Client, user: User) -> None:
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize("role", OPTIONAL_ROLES)
def test_an_enrolled_device_is_asked_at_login_for_optional_roles(
    users: dict[str, User], client: Client, role: str
) -> None:
    user = users[role]
    _enrol(user)
    _password_login(client, user)
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/verify/?next=/staff/"
    api = client.get("/api/v1/me")
    assert (api.status_code, api.json()["code"]) == (401, "two_factor_required")


@pytest.mark.parametrize("role", OPTIONAL_ROLES)
def test_after_the_code_the_staff_pages_open_and_me_says_verified(
    users: dict[str, User], client: Client, role: str
) -> None:
    user = users[role]
    device = _enrol(user)
    _password_login(client, user)
    response = client.post("/accounts/2fa/verify/", {"token": _code(device), "next": "/staff/"})
    assert (response.status_code, response["Location"]) == (302, "/staff/")
    assert client.get("/staff/").status_code == 200
    assert client.get("/api/v1/me").json()["two_factor_verified"] is True


def test_without_a_device_optional_roles_still_sign_in_with_the_password(
    users: dict[str, User], client: Client
) -> None:
    _password_login(client, users[Role.DEPARTMENT])
    assert client.get("/staff/").status_code == 200
    assert client.get("/api/v1/me").json()["two_factor_verified"] is False


def test_a_password_only_session_cannot_remove_the_device(
    users: dict[str, User], client: Client
) -> None:
    user = users[Role.DEPARTMENT]
    device = _enrol(user)
    _password_login(client, user)
    response = client.post("/accounts/2fa/remove/", {"token": _code(device)})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/verify/")
    assert TOTPDevice.objects.filter(user=user).count() == 1
    assert not AuditEvent.objects.filter(action="2fa_remove").exists()


def test_removing_the_device_needs_a_fresh_code(users: dict[str, User], client: Client) -> None:
    user = users[Role.DEPARTMENT]
    device = _enrol(user)
    _password_login(client, user)
    client.post("/accounts/2fa/verify/", {"token": _code(device)})
    # the code that verified the session cannot be used again, nor can a missing or wrong one
    for token in ("", "000000", _code(device)):
        response = client.post("/accounts/2fa/remove/", {"token": token})
        assert response.status_code == 400
        assert TOTPDevice.objects.filter(user=user).count() == 1
    assert "確認コード" in response.content.decode()
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # "000000" counted; the replay came while throttled
    device.throttle_reset()
    response = client.post("/accounts/2fa/remove/", {"token": _code(device, steps_ahead=1)})
    assert (response.status_code, response["Location"]) == (302, "/accounts/")
    assert TOTPDevice.objects.filter(user=user).count() == 0
    event = AuditEvent.objects.get(action="2fa_remove")
    assert (event.actor_id, event.object_id, event.municipality_id) == (
        user.pk,
        str(user.pk),
        user.municipality_id,
    )


def test_a_role_that_requires_two_factor_cannot_remove_it_even_with_a_code(
    users: dict[str, User], client: Client
) -> None:
    user = users[Role.SECRETARIAT]
    device = _enrol(user)
    _password_login(client, user)
    client.post("/accounts/2fa/verify/", {"token": _code(device)})
    response = client.post("/accounts/2fa/remove/", {"token": _code(device, steps_ahead=1)})
    assert response.status_code == 400
    assert "あなたの役割では2段階認証が必須のため、解除できません。" in response.content.decode()
    assert TOTPDevice.objects.filter(user=user).count() == 1
