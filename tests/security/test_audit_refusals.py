"""Point 13: failed logins and refused actions are in the audit log.

A failed password, an unknown user name and a wrong two-factor code each leave a
``login_failed`` row (under the user's municipality when the account exists); every 403 a
signed-in user meets, on a page or in the API, leaves a ``refused`` row naming the request.
"""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from sasaeai.accounts.models import Municipality, User
from sasaeai.accounts.roles import Role
from sasaeai.audit.models import AuditEvent
from tests.conftest import PASSWORD


def _row(event: AuditEvent) -> tuple[object, ...]:
    return (
        event.action,
        event.actor_id,
        event.actor_label,
        event.municipality_id,
        event.object_type,
        event.object_id,
        event.detail,
        event.ip_address,
    )


def test_a_wrong_password_is_recorded_under_the_users_municipality(
    users: dict[str, User], kamakura: Municipality, client: Client
) -> None:
    user = users[Role.DEPARTMENT]
    response = client.post("/accounts/login/", {"username": user.username, "password": "wrong"})
    assert response.status_code == 200
    assert _row(AuditEvent.objects.latest("id")) == (
        "login_failed",
        None,
        user.username,
        kamakura.pk,
        "accounts.User",
        str(user.pk),
        "パスワードが正しくありません",
        "127.0.0.1",
    )


def test_an_unknown_user_name_is_recorded_without_a_municipality(
    users: dict[str, User], client: Client
) -> None:
    client.post("/accounts/login/", {"username": "no-such-user", "password": PASSWORD})
    assert _row(AuditEvent.objects.latest("id")) == (
        "login_failed",
        None,
        "no-such-user",
        None,
        "",
        "",
        "存在しないユーザー名",
        "127.0.0.1",
    )


def test_a_wrong_two_factor_code_is_recorded(
    users: dict[str, User], kamakura: Municipality, client: Client
) -> None:
    user = users[Role.SECRETARIAT]
    TOTPDevice.objects.create(user=user, name="認証アプリ", confirmed=True)
    client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    response = client.post("/accounts/2fa/verify/", {"token": "000000"})
    assert response.status_code == 200
    assert _row(AuditEvent.objects.latest("id")) == (
        "login_failed",
        user.pk,
        user.username,
        kamakura.pk,
        "accounts.User",
        str(user.pk),
        "確認コードが正しくありません",
        "127.0.0.1",
    )


def test_a_refused_page_is_recorded(
    users: dict[str, User], kamakura: Municipality, client_for: Callable[[User], Client]
) -> None:
    user = users[Role.DEPARTMENT]
    response = client_for(user).get("/staff/audit/?actor=secret")
    assert response.status_code == 403
    assert _row(AuditEvent.objects.latest("id")) == (
        "refused",
        user.pk,
        user.username,
        kamakura.pk,
        "",
        "",
        "GET /staff/audit/",
        "127.0.0.1",
    )


def test_a_refused_post_is_recorded_and_changes_nothing_else(
    users: dict[str, User], kamakura: Municipality, client_for: Callable[[User], Client]
) -> None:
    user = users[Role.COMMITTEE_MEMBER]
    before = AuditEvent.objects.count()
    response = client_for(user).post(
        "/staff/organisation/koreisha/rename/", {"name": "乗っ取り課", "from_fy": "2026"}
    )
    assert response.status_code == 403
    assert list(AuditEvent.objects.order_by("-id")[:1].values_list("action", "detail")) == [
        ("refused", "POST /staff/organisation/koreisha/rename/")
    ]
    assert AuditEvent.objects.count() - before == 1


def test_a_refused_api_call_is_recorded(
    make_user: Callable[..., User], kamakura: Municipality, client_for: Callable[[User], Client]
) -> None:
    user = make_user(None, username="no-role")  # signed in, but holds no role
    response = client_for(user).get("/api/v1/plans")
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert _row(AuditEvent.objects.latest("id")) == (
        "refused",
        user.pk,
        user.username,
        kamakura.pk,
        "",
        "",
        "GET /api/v1/plans",
        "127.0.0.1",
    )


def test_anonymous_visitors_leave_no_refusal_rows(db: None, client: Client) -> None:
    assert client.get("/staff/audit/").status_code == 302
    assert not AuditEvent.objects.filter(action="refused").exists()
