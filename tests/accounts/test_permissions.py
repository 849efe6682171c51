"""For each role, which actions it may and may not take; a refused action changes nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from sasaeai.accounts import permissions as audit_permissions
from sasaeai.accounts.models import OrganisationUnit, UnitName, User
from sasaeai.accounts.permissions import can
from sasaeai.accounts.roles import Role
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


# --- the policy's object questions and visible querysets ----------------------------------

TWO_FACTOR_ROLES = {S, K, G, A}  # roles that handle personal data must keep 2FA


@pytest.mark.parametrize("role", Role.values)
def test_who_may_remove_their_two_factor(users: dict[str, User], role: str) -> None:
    from sasaeai.accounts.permissions import can_remove_two_factor

    assert can_remove_two_factor(users[role]) is (role not in TWO_FACTOR_ROLES)


@pytest.mark.parametrize("role", Role.values)
def test_visible_units_by_role(users: dict[str, User], role: str, fujisawa: object) -> None:
    from sasaeai.accounts.permissions import visible_units

    kamakura = users[role].municipality
    codes = sorted(
        visible_units(users[role], OrganisationUnit.objects.all(), kamakura).values_list(
            "code", flat=True
        )
    )
    everyone = ["fukushi-somu", "iinkai", "jichikai", "koreisha", "shakyo"]
    assert codes == (everyone if role in TABLE["organisation.view"] else [])
    assert list(visible_units(users[role], OrganisationUnit.objects.all(), fujisawa)) == []


def test_own_memberships_are_only_ones_own(users: dict[str, User]) -> None:
    from sasaeai.accounts.permissions import own_memberships

    assert [(m.user_id, m.role) for m in own_memberships(users[D])] == [(users[D].pk, D)]


@pytest.mark.parametrize("role", Role.values)
def test_visible_audit_events_by_role(users: dict[str, User], role: str, fujisawa: object) -> None:
    from django.db import transaction

    from sasaeai.audit import services as audit_services

    kamakura = users[role].municipality
    with transaction.atomic():
        audit_services.record(actor="test", action="update", municipality=kamakura, detail="鎌倉")
        audit_services.record(actor="test", action="update", municipality=fujisawa, detail="藤沢")
    events = audit_permissions.visible_events(users[role], AuditEvent.objects.all(), kamakura)
    details = set(events.values_list("detail", flat=True))
    if role in AUDIT_TABLE["audit.view"]:
        assert "鎌倉" in details and "藤沢" not in details
        assert set(events.values_list("municipality_id", flat=True)) == {kamakura.pk}
    else:
        assert details == set()
    other = audit_permissions.visible_events(users[role], AuditEvent.objects.all(), fujisawa)
    assert list(other) == []


def test_the_account_page_offers_removal_only_where_the_policy_allows(
    users: dict[str, User], client_for: Callable[[User], Client]
) -> None:
    for role in (D, S):
        text = client_for(users[role]).get("/accounts/").content.decode()
        assert ('name="token"' in text) is (role == D), role
