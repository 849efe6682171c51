"""Reads of the organisation and the districts; each runs a constant number of queries. Which
units a user may see is asked of the policy (``accounts.permissions.visible_units``)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from sasaeai.accounts import permissions
from sasaeai.accounts.models import District, OrganisationUnit, unit_names_prefetch
from sasaeai.accounts.roles import UnitKind


def units_by_kind(
    *, municipality: Any, fiscal_year: int, user: Any
) -> list[tuple[str, list[dict[str, Any]]]]:
    units = (
        permissions.visible_units(user, OrganisationUnit.objects.all(), municipality)
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
