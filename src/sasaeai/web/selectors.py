"""Reads for the staff pages; each runs a constant number of queries. What a user may see is
asked of the owning app's policy (``accounts.permissions.visible_units``,
``audit.permissions.visible_events``)."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from sasaeai.accounts import permissions as accounts_permissions
from sasaeai.accounts.models import District, OrganisationUnit, Town, unit_names_prefetch
from sasaeai.accounts.roles import UnitKind
from sasaeai.audit import permissions as audit_permissions
from sasaeai.audit.models import AuditEvent


def units_by_kind(
    *, municipality: Any, fiscal_year: int, user: Any
) -> list[tuple[str, list[dict[str, Any]]]]:
    units = (
        accounts_permissions.visible_units(user, OrganisationUnit.objects.all(), municipality)
        .select_related("district")
        .prefetch_related(unit_names_prefetch())
        .order_by("kind", "code")
    )
    grouped: dict[str, list[dict[str, Any]]] = {kind: [] for kind in UnitKind.values}
    for unit in units:
        if not unit.exists_in(fiscal_year):
            continue
        grouped[unit.kind].append(
            {
                "unit": unit,
                "name": unit.name_in(fiscal_year) or _("（名称未登録）"),
                "history": list(unit.names.all()),
            }
        )
    return [(str(UnitKind(kind).label), rows) for kind, rows in grouped.items() if rows]


def districts_with_towns(*, municipality: Any) -> QuerySet[District]:
    return (
        District.objects.filter(municipality=municipality)
        .prefetch_related("towns")
        .order_by("order", "name")
    )


def town_count(*, municipality: Any) -> int:
    return Town.objects.filter(municipality=municipality).count()


def audit_events(*, municipality: Any, filters: dict[str, Any], user: Any) -> QuerySet[AuditEvent]:
    events = audit_permissions.visible_events(
        user, AuditEvent.objects.all(), municipality
    ).order_by("-at", "-id")
    if filters.get("action"):
        events = events.filter(action=filters["action"])
    if filters.get("actor"):
        events = events.filter(actor_label__icontains=filters["actor"])
    if filters.get("object_type"):
        events = events.filter(object_type__icontains=filters["object_type"])
    if filters.get("object_id"):
        events = events.filter(object_id=filters["object_id"].strip())
    tz = timezone.get_current_timezone()
    if filters.get("date_from"):
        events = events.filter(at__gte=datetime.combine(filters["date_from"], time.min, tz))
    if filters.get("date_to"):
        events = events.filter(at__lte=datetime.combine(filters["date_to"], time.max, tz))
    return events
