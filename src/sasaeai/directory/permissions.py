"""The directory's permission policy: who may read and edit the directory of local resources
on staff pages. Deny by default. It answers the three questions of every app's policy:
may this user do this action (``can``, the ``RULES`` table); may they do it to this entry
(``can_edit_service``, ``can_edit_organization``, ``can_file_under``, ``can_delete_service``);
and which entries may they see or edit, as queryset filters (``visible_services``,
``editable_services``, ``visible_organizations``, ``editable_organizations``) — what the staff
list, the stale list, the booklet, the reminders and the services all ask.

- 事務局 (secretariat) edits every entry of its municipality and alone may delete entries.
- 社協コーディネーター, and the people of each 地域包括支援センター, edit the entries their own
  units maintain: ``service.maintainer`` or, when it is empty, ``service.organization.maintainer``.
- A service is filed only under an organisation its editor may edit (or a new one, or the one it
  already has): the organisation is published as the provider (``can_file_under``).
- Every other staff role (担当課, 推進委員, 地域団体, システム管理者) reads the staff pages only.
- A user of another municipality can do nothing with an entry, not even read its staff page.
- The stale list shows each editor the entries they may edit; the booklet (active services
  only, what the public search shows too) is for every staff role.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from django.db.models import Q, QuerySet

from sasaeai.accounts.models import Membership
from sasaeai.accounts.permissions import STAFF_ROLES, allowed, forget_memberships
from sasaeai.accounts.roles import Role, UnitKind

RULES: Mapping[str, frozenset[str]] = {
    # the staff list of entries, their read-only pages and the stale list
    "directory.view": STAFF_ROLES,
    # edit, confirm and change the status of entries maintained by one's own units
    "directory.edit_own": frozenset(
        {Role.COUNCIL_COORDINATOR, Role.DEPARTMENT, Role.COMMUNITY_GROUP}
    ),
    # edit every entry of the municipality, delete entries, send the reminders
    "directory.manage": frozenset({Role.SECRETARIAT}),
}

#: (role, unit kind) pairs whose holders maintain the entries of that unit. The 担当課 and
#: 地域団体 roles count only inside a 地域包括支援センター (a 課 or a 自治会 maintains nothing).
EDITING_MEMBERSHIPS: frozenset[tuple[str, str]] = frozenset(
    {
        (Role.COUNCIL_COORDINATOR, UnitKind.SOCIAL_WELFARE_COUNCIL),
        (Role.COUNCIL_COORDINATOR, UnitKind.DISTRICT_COUNCIL),
        (Role.DEPARTMENT, UnitKind.COMMUNITY_CARE_CENTER),
        (Role.COMMUNITY_GROUP, UnitKind.COMMUNITY_CARE_CENTER),
    }
)

_CACHE = "_directory_editable_units"


def can(user: Any, action: str, municipality: Any = None) -> bool:
    return allowed(RULES, user, action, municipality)


def is_manager(user: Any, municipality: Any) -> bool:
    return allowed(RULES, user, "directory.manage", municipality)


def editable_unit_ids(user: Any, municipality: Any) -> frozenset[int]:
    """The units whose entries the user maintains in that municipality (one query, cached)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    municipality_id = getattr(municipality, "pk", municipality)
    cache: dict[int, frozenset[int]] = user.__dict__.setdefault(_CACHE, {})
    if municipality_id not in cache:
        rows = Membership.objects.filter(
            user=user, is_active=True, municipality_id=municipality_id
        ).values_list("unit_id", "role", "unit__kind")
        cache[municipality_id] = frozenset(
            unit_id for unit_id, role, kind in rows if (role, kind) in EDITING_MEMBERSHIPS
        )
    return cache[municipality_id]


def forget(user: Any) -> None:
    """Drop the cached units and memberships (tests that change memberships on the same user
    object)."""
    user.__dict__.pop(_CACHE, None)
    forget_memberships(user)


def responsible_unit_id(service: Any) -> int | None:
    """The unit that maintains a service: its own maintainer, else its organisation's."""
    if service.maintainer_id is not None:
        return int(service.maintainer_id)
    organization = service.organization
    return int(organization.maintainer_id) if organization.maintainer_id is not None else None


def can_edit_service(user: Any, service: Any) -> bool:
    municipality_id = service.municipality_id
    if is_manager(user, municipality_id):
        return True
    if not can(user, "directory.edit_own", municipality_id):
        return False
    unit_id = responsible_unit_id(service)
    return unit_id is not None and unit_id in editable_unit_ids(user, municipality_id)


def can_edit_organization(user: Any, organization: Any) -> bool:
    municipality_id = organization.municipality_id
    if is_manager(user, municipality_id):
        return True
    if not can(user, "directory.edit_own", municipality_id):
        return False
    unit_id = organization.maintainer_id
    return unit_id is not None and unit_id in editable_unit_ids(user, municipality_id)


def can_file_under(user: Any, organization: Any, *, service: Any = None) -> bool:
    """Whether a service may be filed under ``organization`` (published as its provider): an
    organisation the user may edit (the secretariat: any of its municipality), or the one the
    service already has (keeping it is no choice)."""
    if service is not None and service.organization_id == organization.pk:
        return True
    return can_edit_organization(user, organization)


def editable_organizations(user: Any, municipality: Any) -> Q:
    """A filter on ``Organization`` rows of ``municipality``: those ``can_edit_organization``
    allows, the same rule as a queryset filter."""
    if is_manager(user, municipality):
        return Q()
    if not can(user, "directory.edit_own", municipality):
        return Q(pk__in=[])
    return Q(maintainer_id__in=editable_unit_ids(user, municipality))


def maintained_by(unit_ids: Collection[int | None]) -> Q:
    """Services whose responsible unit (own maintainer, else the organisation's) is in the set;
    ``None`` in the set matches services with neither."""
    ids = [u for u in unit_ids if u is not None]
    q = Q(maintainer_id__in=ids) | Q(maintainer__isnull=True, organization__maintainer_id__in=ids)
    if None in unit_ids:
        q |= Q(maintainer__isnull=True, organization__maintainer__isnull=True)
    return q


def editable_services(user: Any, municipality: Any) -> Q:
    """A filter on ``Service`` rows of ``municipality``: those ``can_edit_service`` allows."""
    if is_manager(user, municipality):
        return Q()
    if not can(user, "directory.edit_own", municipality):
        return Q(pk__in=[])
    return maintained_by(editable_unit_ids(user, municipality))


def visible_services(user: Any, services: QuerySet[Any], municipality: Any) -> Any:
    """The services (any status) of ``municipality`` whose staff pages the user may read: every
    staff role of the municipality (``directory.view``); nobody else."""
    if not can(user, "directory.view", municipality):
        return services.none()
    return services.filter(municipality_id=getattr(municipality, "pk", municipality))


def visible_organizations(user: Any, organizations: QuerySet[Any], municipality: Any) -> Any:
    """The organisations of ``municipality`` the user may read on staff pages."""
    if not can(user, "directory.view", municipality):
        return organizations.none()
    return organizations.filter(municipality_id=getattr(municipality, "pk", municipality))


def can_view_stale(user: Any, municipality: Any) -> bool:
    """The stale list: for those who edit entries (the secretariat, the maintaining units)."""
    return is_manager(user, municipality) or (
        can(user, "directory.edit_own", municipality)
        and bool(editable_unit_ids(user, municipality))
    )


def can_view_history(user: Any, service: Any) -> bool:
    """An entry's change history: for those who may edit it."""
    return can_edit_service(user, service)


def can_create(user: Any, municipality: Any) -> bool:
    """The secretariat, or anyone who maintains entries for at least one unit."""
    return is_manager(user, municipality) or bool(editable_unit_ids(user, municipality))


def can_delete_service(user: Any, service: Any) -> bool:
    return is_manager(user, service.municipality_id)


def can_assign_maintainer(user: Any, municipality: Any, unit_id: int | None) -> bool:
    """The secretariat assigns any unit (or none); others only one of their own units."""
    if is_manager(user, municipality):
        return True
    return unit_id is not None and unit_id in editable_unit_ids(user, municipality)
