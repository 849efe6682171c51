"""For each role, which actions it may and may not take; a refused action changes nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from sasaeai.accounts.models import OrganisationUnit, UnitName, User
from sasaeai.accounts.permissions import can
from sasaeai.accounts.roles import Role
from sasaeai.audit import permissions as audit_permissions
from sasaeai.audit.models import AuditEvent

S, D, C, K, G, A = (
    Role.SECRETARIAT,
    Role.DEPARTMENT,
    Role.COMMITTEE_MEMBER,
    Role.COUNCIL_COORDINATOR,
    Role.COMMUNITY_GROUP,
    Role.SYSTEM_ADMIN,
)

# action -> roles allowed; every other role is refused.
TABLE: dict[str, set[str]] = {
    "staff.dashboard": {S, D, C, K, G, A},
    "organisation.view": {S, D, C, K, A},
    "organisation.manage": {S, A},
}
AUDIT_TABLE = {"audit.view": {S, A}}


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("action", sorted(TABLE))
def test_accounts_rules(users: dict[str, User], role: str, action: str) -> None:
    assert can(users[role], action) is (role in TABLE[action])


@pytest.mark.parametrize("role", Role.values)
def test_audit_rules(users: dict[str, User], role: str) -> None:
    assert audit_permissions.can(users[role], "audit.view") is (role in AUDIT_TABLE["audit.view"])


def test_unknown_action_is_denied_to_everyone(users: dict[str, User]) -> None:
    assert [can(user, "plans.delete_everything") for user in users.values()] == [False] * 6


def test_user_without_membership_is_denied(make_user: Callable[..., User]) -> None:
    user = make_user(None, username="nobody")
    assert [can(user, action) for action in sorted(TABLE)] == [False, False, False]


def test_inactive_membership_grants_nothing(users: dict[str, User]) -> None:
    user = users[S]
    user.memberships.update(is_active=False)
    assert can(user, "organisation.manage") is False


def test_roles_do_not_cross_municipalities(users: dict[str, User], fujisawa: object) -> None:
    assert can(users[S], "organisation.manage", fujisawa) is False


def test_an_operator_gets_the_admin_and_no_municipality_action(
    make_user: Callable[..., User],
) -> None:
    from sasaeai.core.admin_site import is_operator

    root = make_user(None, username="root")
    root.is_superuser = True
    root.save()
    assert (is_operator(root), can(root, "organisation.manage"), can(root, "admin.access")) == (
        True,
        False,
        False,
    )


# Web pages: status per role.
PAGES = {
    "/staff/": TABLE["staff.dashboard"],
    "/staff/organisation/": TABLE["organisation.view"],
    "/staff/organisation/koreisha/rename/": TABLE["organisation.manage"],
    "/staff/audit/": AUDIT_TABLE["audit.view"],
    "/admin/": set(),  # the operators' console: no municipality role (decision 0010)
}


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("path", sorted(PAGES))
def test_page_access_by_role(
    users: dict[str, User], client_for: Callable[[User], Client], role: str, path: str
) -> None:
    response = client_for(users[role]).get(path)
    if role in PAGES[path]:
        assert response.status_code == 200
    elif path == "/admin/":
        assert response.status_code == 403
    else:
        assert response.status_code == 403
        assert "このページを表示する権限がありません。" in response.content.decode()


@pytest.mark.parametrize("role", sorted(set(Role.values) - TABLE["organisation.manage"]))
def test_refused_rename_changes_nothing(
    users: dict[str, User], client_for: Callable[[User], Client], role: str
) -> None:
    unit = OrganisationUnit.objects.get(code="koreisha")
    names_before = list(
        UnitName.objects.filter(unit=unit).values_list("name", "valid_from_fy", "valid_to_fy")
    )
    audit_before = AuditEvent.objects.exclude(action="refused").count()
    response = client_for(users[role]).post(
        "/staff/organisation/koreisha/rename/", {"name": "高齢福祉課", "from_fy": "令和8年度"}
    )
    assert response.status_code == 403
    assert (
        list(UnitName.objects.filter(unit=unit).values_list("name", "valid_from_fy", "valid_to_fy"))
        == names_before
    )
    assert AuditEvent.objects.exclude(action="refused").count() == audit_before


def test_allowed_rename_by_secretariat(
    users: dict[str, User], client_for: Callable[[User], Client]
) -> None:
    response = client_for(users[S]).post(
        "/staff/organisation/koreisha/rename/",
        {"name": "高齢福祉課", "reading": "こうれいふくしか", "from_fy": "R8"},
    )
    assert response.status_code == 302
    unit = OrganisationUnit.objects.get(code="koreisha")
    names = UnitName.objects.filter(unit=unit).values_list("name", "valid_from_fy", "valid_to_fy")
    assert sorted(names, key=lambda n: n[1] or 0) == [
        ("高齢者いきいき課", None, 2025),
        ("高齢福祉課", 2026, None),
    ]
    event = AuditEvent.objects.latest("id")
    assert (event.actor_id, event.action, event.object_type, event.changes, event.detail) == (
        users[S].pk,
        "update",
        "accounts.OrganisationUnit",
        {"name": ["高齢者いきいき課", "高齢福祉課"]},
        "令和8年度から名称変更",
    )
