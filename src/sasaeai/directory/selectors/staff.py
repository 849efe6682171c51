"""Reads for the staff directory pages: the entry list, one entry, its history, stale entries.

Which entries a user sees and may edit is asked of the policy (``permissions.visible_services``,
``permissions.editable_services``, ``permissions.can_edit_service``); nothing here decides it.
Every function fetches related rows up front: the query count does not grow with the rows.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sasaeai.accounts.models import Municipality, OrganisationUnit, unit_names_prefetch
from sasaeai.audit.models import AuditEvent
from sasaeai.directory import permissions
from sasaeai.directory.models import (
    Attribute,
    LinkEntity,
    Organization,
    Service,
    ServiceAtLocation,
    ServiceStatus,
)

#: An entry is stale when its 最終確認日 is older than this many months (or empty).
STALE_MONTHS = 12


def stale_cutoff(today: dt.date | None = None) -> dt.date:
    """The day 12 months before ``today``: entries confirmed before it are stale."""
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        return today.replace(year=today.year - 1, day=28)


def stale_q(today: dt.date | None = None) -> Q:
    return Q(assured_date__isnull=True) | Q(assured_date__lt=stale_cutoff(today))


def _services(municipality: Municipality) -> QuerySet[Service]:
    return (
        Service.objects.filter(municipality=municipality)
        .select_related("organization", "maintainer", "organization__maintainer")
        .prefetch_related(
            Prefetch("maintainer__names", queryset=unit_names_prefetch().queryset),
            Prefetch("organization__maintainer__names", queryset=unit_names_prefetch().queryset),
            Prefetch(
                "at_locations",
                queryset=ServiceAtLocation.objects.select_related(
                    "location__district", "location__town"
                ).order_by("created_at", "id"),
            ),
        )
    )


maintained_by = permissions.maintained_by


@dataclass
class EntryRow:
    service: Service
    unit: OrganisationUnit | None
    districts: list[str]
    towns: list[str]
    can_edit: bool
    is_stale: bool

    @property
    def unit_name(self) -> str:
        return self.unit.current_name() if self.unit is not None else ""


def responsible_unit(service: Service) -> OrganisationUnit | None:
    return service.maintainer or service.organization.maintainer


def _row(service: Service, user: Any, cutoff: dt.date) -> EntryRow:
    unit = responsible_unit(service)
    places = [sal.location for sal in service.at_locations.all()]
    return EntryRow(
        service=service,
        unit=unit,
        districts=sorted({p.district.name for p in places if p.district is not None}),
        towns=sorted({p.town.name for p in places if p.town is not None}),
        can_edit=user is not None and permissions.can_edit_service(user, service),
        is_stale=service.assured_date is None or service.assured_date < cutoff,
    )


def staff_entries(
    *,
    municipality: Municipality,
    user: Any,
    q: str = "",
    district_id: int | None = None,
    category_code: str = "",
    maintainer: str = "",
    stale: bool = False,
    scope: str = "mine",
    today: dt.date | None = None,
    limit: int = 500,
) -> list[EntryRow]:
    """Entries of the staff list the user may see (``permissions.visible_services``); with
    ``scope="mine"`` only those the user may edit (``permissions.editable_services``)."""
    services = permissions.visible_services(user, _services(municipality), municipality)
    if scope != "all":
        services = services.filter(permissions.editable_services(user, municipality))
    if q.strip():
        words = q.split()
        for word in words:
            services = services.filter(
                Q(name__icontains=word)
                | Q(name_kana__icontains=word)
                | Q(organization__name__icontains=word)
            )
    if district_id is not None:
        services = services.filter(at_locations__location__district_id=district_id)
    if category_code:
        services = services.filter(
            pk__in=Attribute.objects.filter(
                municipality=municipality,
                link_entity=LinkEntity.SERVICE,
                taxonomy_term__code=category_code,
            ).values("link_id")
        )
    if maintainer == "none":
        services = services.filter(maintained_by([None]))
    elif maintainer.isdigit():
        services = services.filter(maintained_by([int(maintainer)]))
    if stale:
        services = services.filter(stale_q(today))
    cutoff = stale_cutoff(today)
    rows = services.distinct().order_by("name_kana", "name", "pk")[:limit]
    return [_row(s, user, cutoff) for s in rows]


def service_of(municipality: Municipality, service_id: str, user: Any) -> Service | None:
    """One service of the municipality the user may see (``permissions.visible_services``),
    with everything the edit page shows, or None."""
    try:
        pk = uuid.UUID(service_id)
    except ValueError:
        return None
    return (
        permissions.visible_services(user, _services(municipality), municipality)
        .prefetch_related("phones", "schedules", "at_locations__location__addresses")
        .filter(pk=pk)
        .first()
    )


def service_term_codes(service: Service) -> list[str]:
    return list(
        Attribute.objects.filter(link_entity=LinkEntity.SERVICE, link_id=service.pk)
        .exclude(taxonomy_term__code="")
        .values_list("taxonomy_term__code", flat=True)
    )


def organizations_of(
    municipality: Municipality, *, user: Any, keep: uuid.UUID | None = None
) -> list[Organization]:
    """The organisations ``user`` may file a service under: those it may edit, and ``keep``
    (the one the service being edited already has)."""
    allowed = permissions.editable_organizations(user, municipality)
    if keep is not None:
        allowed |= Q(pk=keep)
    return list(
        Organization.objects.filter(allowed, municipality=municipality).order_by(
            "name_kana", "name"
        )
    )


def units_of(
    municipality: Municipality, unit_ids: Collection[int] | None = None
) -> list[tuple[int, str]]:
    units = OrganisationUnit.objects.filter(municipality=municipality).prefetch_related(
        unit_names_prefetch()
    )
    if unit_ids is not None:
        units = units.filter(pk__in=unit_ids)
    return [(u.pk, u.current_name()) for u in units.order_by("kind", "code")]


@dataclass
class HistoryRow:
    event: AuditEvent
    changes: list[tuple[str, Any, Any]] = field(default_factory=list)


_EXTRA_LABELS = {
    "phones": _("電話番号"),
    "schedules": _("日時"),
    "locations": _("場所"),
    "terms": _("対象・分類"),
}


def _label(name: str) -> str:
    if name in _EXTRA_LABELS:
        return str(_EXTRA_LABELS[name])
    try:
        return str(getattr(Service._meta.get_field(name), "verbose_name", name))
    except FieldDoesNotExist:
        return name


def service_history(service: Service) -> list[HistoryRow]:
    """The entry's audit rows, newest first, with field names as people read them."""
    events = AuditEvent.objects.filter(
        object_type=Service._meta.label, object_id=str(service.pk)
    ).order_by("-at", "-id")
    rows = []
    for event in events:
        changes = []
        for name, values in sorted((event.changes or {}).items()):
            before, after = (
                [*values, None, None][:2] if isinstance(values, list) else (None, values)
            )
            if name == "status":
                before = ServiceStatus(before).label if before in ServiceStatus.values else before
                after = ServiceStatus(after).label if after in ServiceStatus.values else after
            if isinstance(before, list):
                before = "、".join(str(v) for v in before)
            if isinstance(after, list):
                after = "、".join(str(v) for v in after)
            changes.append((_label(name), before, after))
        rows.append(HistoryRow(event, changes))
    return rows


@dataclass
class StaleGroup:
    unit: OrganisationUnit | None
    rows: list[EntryRow]

    @property
    def unit_name(self) -> str:
        return self.unit.current_name() if self.unit is not None else ""


def stale_groups(
    *, municipality: Municipality, user: Any | None = None, today: dt.date | None = None
) -> list[StaleGroup]:
    """Stale services (実施中・休止中…, not 終了), grouped by responsible unit; the entries
    without one come last. With ``user``, only those the user may edit
    (``permissions.editable_services``); without, all of them (the reminders, a system job)."""
    services = _services(municipality).filter(stale_q(today)).exclude(status=ServiceStatus.DEFUNCT)
    if user is not None:
        services = services.filter(permissions.editable_services(user, municipality))
    cutoff = stale_cutoff(today)
    groups: dict[int | None, StaleGroup] = {}
    ordered = services.order_by(F("assured_date").asc(nulls_first=True), "name_kana", "name", "pk")
    for service in ordered:
        row = _row(service, user, cutoff)
        key = row.unit.pk if row.unit is not None else None
        groups.setdefault(key, StaleGroup(row.unit, [])).rows.append(row)
    return sorted(
        groups.values(),
        key=lambda g: (g.unit is None, g.unit_name),
    )
