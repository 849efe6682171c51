"""Sign-in, throttling, the password policy and two-factor authentication."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from sasaeai.accounts.models import User
from sasaeai.accounts.roles import Role
from sasaeai.audit.models import AuditEvent

PASSWORD = "correct-horse-battery-42"  # as in conftest.py


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def pending_device(client: Client, user: User) -> TOTPDevice:
    """The authenticator the enrolment page shows: its key waits in the session, unsaved."""
    from sasaeai.accounts.views import PENDING_KEY

    return TOTPDevice(user=user, key=client.session[PENDING_KEY])


def test_login_without_2fa_requirement_reaches_dashboard(
    users: dict[str, User], client: Client
) -> None:
    response = client.post(
        "/accounts/login/", {"username": "user-department", "password": PASSWORD}
    )
    assert (response.status_code, response["Location"]) == (302, "/staff/")
    assert client.get("/staff/").status_code == 200
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.actor_id) == ("login", users[Role.DEPARTMENT].pk)


def test_wrong_password_shows_japanese_error(users: dict[str, User], client: Client) -> None:
    response = client.post("/accounts/login/", {"username": "user-department", "password": "wrong"})
    assert response.status_code == 200
    assert "ユーザー名またはパスワードが正しくありません。" in response.content.decode()


def test_lockout_after_five_failures(users: dict[str, User], client: Client) -> None:
    for _ in range(5):
        client.post("/accounts/login/", {"username": "user-department", "password": "wrong"})
    response = client.post(
        "/accounts/login/", {"username": "user-department", "password": PASSWORD}
    )
    assert response.status_code == 429
    assert "ログインを一時停止しています" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short-pw1", "このパスワードは短すぎます。最低 12 文字以上必要です。"),
        ("123456789012345", "このパスワードは数字しか使われていません。"),
        ("password12345", "このパスワードは一般的すぎます。"),
    ],
)
def test_password_policy(password: str, message: str) -> None:
    with pytest.raises(ValidationError) as error:
        validate_password(password)
    assert message in error.value.messages


def test_role_with_personal_data_must_enrol(users: dict[str, User], client: Client) -> None:
    client.post("/accounts/login/", {"username": "user-secretariat", "password": PASSWORD})
    response = client.get("/staff/")
    assert (response.status_code, response["Location"]) == (
        302,
        "/accounts/2fa/setup/?next=/staff/",
    )
    api = client.get("/api/v1/me")
    assert (api.status_code, api.json()["code"]) == (401, "two_factor_required")


def test_enrolment_and_verification_flow(users: dict[str, User], client: Client) -> None:
    client.post("/accounts/login/", {"username": "user-secretariat", "password": PASSWORD})
    page = client.get("/accounts/2fa/setup/?next=/staff/")
    assert page.status_code == 200
    assert page.context["qr"].startswith("data:image/svg+xml;base64,")
    assert not TOTPDevice.objects.exists()  # showing the page stores nothing
    device = pending_device(client, users[Role.SECRETARIAT])

    wrong = client.post("/accounts/2fa/setup/", {"token": "000000", "next": "/staff/"})
    assert "確認コードが正しくありません" in wrong.content.decode()
    assert not TOTPDevice.objects.exists()
    assert pending_device(client, users[Role.SECRETARIAT]).key == device.key  # same key again

    done = client.post("/accounts/2fa/setup/", {"token": current_code(device), "next": "/staff/"})
    assert (done.status_code, done["Location"]) == (302, "/staff/")
    assert client.get("/staff/").status_code == 200
    assert AuditEvent.objects.filter(action="2fa_enrol", actor=users[Role.SECRETARIAT]).count() == 1

    # next sign-in asks for a code
    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"username": "user-secretariat", "password": PASSWORD})
    assert client.get("/staff/")["Location"] == "/accounts/2fa/verify/?next=/staff/"
    device = TOTPDevice.objects.get(user=users[Role.SECRETARIAT], confirmed=True)
    device.last_t = -1
    device.save()
    ok = client.post("/accounts/2fa/verify/", {"token": current_code(device), "next": "/staff/"})
    assert (ok.status_code, ok["Location"]) == (302, "/staff/")


def test_full_width_code_is_accepted(users: dict[str, User], client: Client) -> None:
    client.post("/accounts/login/", {"username": "user-secretariat", "password": PASSWORD})
    client.get("/accounts/2fa/setup/")
    device = pending_device(client, users[Role.SECRETARIAT])
    code = current_code(device).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    response = client.post("/accounts/2fa/setup/", {"token": code})
    assert response.status_code == 302


def test_required_2fa_cannot_be_removed(
    users: dict[str, User], client_for: Callable[[User], Client]
) -> None:
    client = client_for(users[Role.SECRETARIAT])
    client.post("/accounts/2fa/remove/")
    assert TOTPDevice.objects.filter(user=users[Role.SECRETARIAT]).count() == 1


def test_optional_2fa_can_be_removed(
    users: dict[str, User], client_for: Callable[[User], Client]
) -> None:
    client = client_for(users[Role.DEPARTMENT])
    device = TOTPDevice.objects.get(user=users[Role.DEPARTMENT])
    client.post("/accounts/2fa/remove/", {"token": current_code(device)})
    assert TOTPDevice.objects.filter(user=users[Role.DEPARTMENT]).count() == 0
    assert AuditEvent.objects.latest("id").action == "2fa_remove"


def test_open_redirect_is_refused(users: dict[str, User], client: Client) -> None:
    client.post("/accounts/login/", {"username": "user-department", "password": PASSWORD})
    client.get("/accounts/2fa/setup/")
    device = pending_device(client, users[Role.DEPARTMENT])
    response = client.post(
        "/accounts/2fa/setup/", {"token": current_code(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/staff/"


def test_staff_session_expires_when_idle(settings: object) -> None:
    from django.conf import settings as live

    assert (
        live.SESSION_COOKIE_AGE,
        live.SESSION_SAVE_EVERY_REQUEST,
        live.SESSION_EXPIRE_AT_BROWSER_CLOSE,
    ) == (
        1800,
        True,
        True,
    )
