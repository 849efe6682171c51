"""Shared fixtures: a Kamakura tenant, a second tenant, and a user per role."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from sasaeai.accounts.roles import Role, UnitKind

if TYPE_CHECKING:  # Django models are imported inside fixtures, so pure tests run without Django
    from django.test import Client

    from sasaeai.accounts.models import Municipality, OrganisationUnit, User

PASSWORD = "correct-horse-battery-42"

ROLE_UNITS: dict[str, str] = {
    Role.SECRETARIAT: "fukushi-somu",
    Role.DEPARTMENT: "koreisha",
    Role.COMMITTEE_MEMBER: "iinkai",
    Role.COUNCIL_COORDINATOR: "shakyo",
    Role.COMMUNITY_GROUP: "jichikai",
    Role.SYSTEM_ADMIN: "fukushi-somu",
}


@pytest.fixture(autouse=True)
def _fast_hashing(request: pytest.FixtureRequest) -> None:
    if request.config.pluginmanager.hasplugin("django"):
        request.getfixturevalue("settings").PASSWORD_HASHERS = [
            "django.contrib.auth.hashers.MD5PasswordHasher"
        ]


@pytest.fixture
def kamakura(db: None) -> Municipality:
    from sasaeai.accounts import services

    return services.municipality_upsert(
        actor="test", code="142042", name="鎌倉市", prefecture="神奈川県"
    )


@pytest.fixture
def fujisawa(db: None) -> Municipality:
    from sasaeai.accounts import services

    return services.municipality_upsert(
        actor="test", code="142051", name="藤沢市", prefecture="神奈川県"
    )


@pytest.fixture
def units(kamakura: Municipality) -> dict[str, OrganisationUnit]:
    from sasaeai.accounts import services

    specs = [
        ("fukushi-somu", UnitKind.DEPARTMENT, "福祉総務課"),
        ("koreisha", UnitKind.DEPARTMENT, "高齢者いきいき課"),
        ("iinkai", UnitKind.COMMITTEE, "地域福祉計画推進委員会"),
        ("shakyo", UnitKind.SOCIAL_WELFARE_COUNCIL, "鎌倉市社会福祉協議会"),
        ("jichikai", UnitKind.NEIGHBOURHOOD_ASSOCIATION, "大船一丁目自治会"),
    ]
    return {
        code: services.unit_upsert(
            actor="test", municipality=kamakura, code=code, kind=kind, name=name
        )
        for code, kind, name in specs
    }


@pytest.fixture
def make_user(kamakura: Municipality, units: dict[str, OrganisationUnit]) -> Callable[..., User]:
    from sasaeai.accounts import services

    def make(role: str | None, username: str | None = None, **kwargs: Any) -> User:
        user = services.user_upsert(
            actor="test",
            municipality=kwargs.pop("municipality", kamakura),
            username=username or f"user-{role or 'none'}",
            display_name=f"{role} の利用者",
            password=PASSWORD,
        )
        if role is not None:
            services.membership_grant(
                actor="test", user=user, unit=units[ROLE_UNITS[role]], role=role
            )
        return user

    return make


@pytest.fixture
def users(make_user: Callable[..., User]) -> dict[str, User]:
    return {role: make_user(role) for role in Role.values}


def login(client: Client, user: User) -> Client:
    """Sign in and complete two-factor authentication, as the user would."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="test", defaults={"confirmed": True}
    )
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def client_for(client: Client) -> Callable[[User], Client]:
    return lambda user: login(client, user)


@pytest.fixture(autouse=True)
def _background_work_ends_with_its_test() -> Iterator[None]:
    """A report build or directory import started in a thread (transactional tests run their
    on_commit hooks) finishes before the test's database is flushed or dropped."""
    import threading

    before = set(threading.enumerate())
    yield
    for thread in set(threading.enumerate()) - before:
        if thread.name.startswith(("reports-", "directory-import-")):
            thread.join(timeout=120)
