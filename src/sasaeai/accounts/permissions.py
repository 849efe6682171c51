"""Who may do what in the accounts app — and the rule engine every app's permissions use.

Deny by default: an action not listed here is refused for everyone; a user acts only within
the municipality of their memberships.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sasaeai.accounts.roles import Role

STAFF_ROLES: frozenset[str] = frozenset(Role.values)

RULES: Mapping[str, frozenset[str]] = {
    "staff.dashboard": STAFF_ROLES,
    "organisation.view": frozenset(
        {
            Role.SECRETARIAT,
            Role.SYSTEM_ADMIN,
            Role.DEPARTMENT,
            Role.COMMITTEE_MEMBER,
            Role.COUNCIL_COORDINATOR,
        }
    ),
    "organisation.manage": frozenset({Role.SECRETARIAT, Role.SYSTEM_ADMIN}),
}
# The Django admin is not a municipality action: only deployment operators open it
# (sasaeai.core.admin_site.is_operator, decision 0010).


def roles_in(user: Any, municipality: Any = None) -> set[str]:
    """The user's active roles, limited to one municipality when given."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    target = getattr(municipality, "pk", municipality)
    return {
        membership.role
        for membership in user.memberships.all()
        if membership.is_active and (target is None or membership.municipality_id == target)
    }


def allowed(
    rules: Mapping[str, frozenset[str]], user: Any, action: str, municipality: Any = None
) -> bool:
    """True only when ``action`` is listed and the user holds one of its roles there."""
    permitted = rules.get(action)
    if permitted is None:
        return False
    if municipality is None:
        municipality = getattr(user, "municipality_id", None)
        if municipality is None:
            return False
    return bool(roles_in(user, municipality) & permitted)


def can(user: Any, action: str, municipality: Any = None) -> bool:
    return allowed(RULES, user, action, municipality)
