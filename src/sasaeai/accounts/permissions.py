"""Who may do what in the accounts app — and the rule engine every app's permissions use.

Deny by default: an action not listed here is refused for everyone; a user acts only within
the municipality of their memberships. Like every app's policy it answers three questions:
may this user do this action (``can``, ``RULES``), may they do it to this object
(``can_remove_two_factor``), and which objects may they see (``visible_units``,
``visible_districts``, ``own_memberships``, ``visible_events``).

The audit log's reading policy is here too: the audit app sits below accounts and knows no
roles, so who may read the log (``audit.view``: the secretariat and the system administrators
of a municipality) and which events they see (``visible_events``) are decided by accounts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet, prefetch_related_objects

from sasaeai.accounts.models import Membership
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
    # the audit log: nobody may change it; these may read their municipality's events
    "audit.view": frozenset({Role.SECRETARIAT, Role.SYSTEM_ADMIN}),
}
# The Django admin is not a municipality action: only deployment operators open it
# (sasaeai.core.admin_site.is_operator, decision 0010).


def remember_memberships(user: Any) -> None:
    """Load the user's memberships once onto the user object, so the many questions a page
    asks the policies cost one query, not one each (a request's user is fresh every request;
    code that changes memberships of a user object it keeps calls ``forget_memberships``)."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "pk", None) is None:
        return
    if "memberships" not in getattr(user, "_prefetched_objects_cache", {}):
        prefetch_related_objects([user], "memberships")


def forget_memberships(user: Any) -> None:
    getattr(user, "_prefetched_objects_cache", {}).pop("memberships", None)


def roles_in(user: Any, municipality: Any = None) -> set[str]:
    """The user's active roles, limited to one municipality when given."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    remember_memberships(user)
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


# --- the accounts app's own policy: objects and visibility ----------------------------------


def can_remove_two_factor(user: Any) -> bool:
    """Whether the user may remove their own authenticator: never for a role that must use
    two-factor authentication (``User.requires_two_factor``); the account page offers the
    removal only then, and ``services.two_factor_remove`` refuses it otherwise."""
    if not getattr(user, "is_authenticated", False):
        return False
    return not user.requires_two_factor()


def visible_units(user: Any, units: Any, municipality: Any) -> Any:
    """Organisation units (and their names by 年度) of ``municipality`` the user may see on the
    organisation page: every holder of ``organisation.view`` there; nobody else."""
    if not can(user, "organisation.view", municipality):
        return units.none()
    return units.filter(municipality_id=getattr(municipality, "pk", municipality))


def visible_districts(user: Any, districts: Any, municipality: Any) -> Any:
    """Districts and 町丁目 are public (the municipality's public page lists them): every
    district of the municipality."""
    return districts.filter(municipality_id=getattr(municipality, "pk", municipality))


def own_memberships(user: Any) -> Any:
    """The memberships a user sees of themselves (the account page lists them, inactive ones
    marked; ``/api/v1/me`` the active ones). Nobody sees another user's memberships on a staff
    page."""
    if not getattr(user, "is_authenticated", False):
        return Membership.objects.none()
    return Membership.objects.filter(user_id=user.pk)


def visible_events(user: Any, events: QuerySet[Any], municipality: Any) -> QuerySet[Any]:
    """The audit events the user may read: those of ``municipality`` for an ``audit.view``
    holder there; none for anyone else (a deployment's events without a municipality, such as
    a failed sign-in with an unknown user name, are for the operators' console)."""
    if not can(user, "audit.view", municipality):
        return events.none()
    return events.filter(municipality_id=getattr(municipality, "pk", municipality))
