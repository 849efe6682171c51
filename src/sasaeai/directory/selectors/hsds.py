"""Reads behind the HSDS read API: only active services of one municipality, paginated,
with a fixed number of queries per page (a count, the page, the prefetches)."""

from __future__ import annotations

import datetime as dt
import math
import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from sasaeai.accounts.models import Municipality
from sasaeai.core.errors import DomainError
from sasaeai.directory.exporting import hsds
from sasaeai.directory.models import (
    Attribute,
    LinkEntity,
    Organization,
    Service,
    ServiceAtLocation,
    ServiceStatus,
    Taxonomy,
    TaxonomyTerm,
)

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_PAGE = 1_000_000  # far past any last page; keeps the row offset a database integer
SEARCH_LIMIT = 200  # matches taken from the directory search, best first


@dataclass(frozen=True)
class PageRequest:
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    def checked(self) -> PageRequest:
        if self.page < 1:
            raise DomainError(
                code="invalid_page", message=_("page は 1 以上の整数で指定してください。")
            )
        if self.page > MAX_PAGE:
            raise DomainError(
                code="invalid_page",
                message=_("page は {max} 以下の整数で指定してください。").format(max=MAX_PAGE),
            )
        if not 1 <= self.per_page <= MAX_PER_PAGE:
            raise DomainError(
                code="invalid_per_page",
                message=_("per_page は 1 以上 {max} 以下の整数で指定してください。").format(
                    max=MAX_PER_PAGE
                ),
            )
        return self


def page_of(
    queryset: QuerySet[Any] | list[Any], request: PageRequest
) -> tuple[list[Any], dict[str, Any]]:
    """The page's rows and the HSDS page fields (total_items … empty)."""
    request = request.checked()
    total = queryset.count() if isinstance(queryset, QuerySet) else len(queryset)
    start = (request.page - 1) * request.per_page
    rows = list(queryset[start : start + request.per_page])
    total_pages = max(1, math.ceil(total / request.per_page))
    return rows, {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": request.page,
        "size": len(rows),
        "first_page": request.page == 1,
        "last_page": request.page >= total_pages,
        "empty": total == 0,
    }


def checked_text(value: str, name: str) -> str:
    """A text parameter, refused when it holds a NUL character (no database can compare it)."""
    if "\x00" in value:
        raise DomainError(
            code="invalid_text",
            message=_("{name} に使えない文字（NUL 文字）が含まれています。").format(name=name),
        )
    return value


def parse_uuid(value: str, name: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise DomainError(
            code="invalid_id",
            message=_("{name} は UUID で指定してください（「{value}」）。").format(
                name=name, value=value[:60]
            ),
        ) from None


def parse_modified_after(value: str) -> dt.datetime:
    text = value.strip().replace("Z", "+00:00")
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise DomainError(
            code="invalid_datetime",
            message=_("modified_after は日時（例: 2026-04-01T00:00:00+09:00）で指定してください。"),
        ) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


@dataclass(frozen=True)
class ServiceFilters:
    search: str = ""
    taxonomy_term_id: str = ""
    taxonomy_id: str = ""
    organization_id: str = ""
    modified_after: str = ""


def active_services(municipality: Municipality) -> QuerySet[Service]:
    return Service.objects.filter(municipality=municipality, status=ServiceStatus.ACTIVE)


def filtered_services(
    municipality: Municipality, filters: ServiceFilters
) -> tuple[QuerySet[Service], list[uuid.UUID] | None]:
    """Active services matching the filters, and the search's ranking (ids) if searched."""
    services = active_services(municipality)
    if filters.taxonomy_term_id:
        term = parse_uuid(filters.taxonomy_term_id, "taxonomy_term_id")
        services = services.filter(
            pk__in=Attribute.objects.filter(
                link_entity=LinkEntity.SERVICE, taxonomy_term_id=term
            ).values("link_id")
        )
    if filters.taxonomy_id:
        taxonomy = parse_uuid(filters.taxonomy_id, "taxonomy_id")
        services = services.filter(
            pk__in=Attribute.objects.filter(
                link_entity=LinkEntity.SERVICE, taxonomy_term__taxonomy_id=taxonomy
            ).values("link_id")
        )
    if filters.organization_id:
        services = services.filter(
            organization_id=parse_uuid(filters.organization_id, "organization_id")
        )
    if filters.modified_after:
        services = services.filter(updated_at__gte=parse_modified_after(filters.modified_after))
    ranking: list[uuid.UUID] | None = None
    if checked_text(filters.search, "search").strip():
        from sasaeai.directory.search import search

        hits = search(municipality, filters.search, offset=0, limit=SEARCH_LIMIT).results
        ranking = [hit.id for hit in hits]
        services = services.filter(pk__in=ranking)
    return services, ranking


def services_page(
    municipality: Municipality, filters: ServiceFilters, request: PageRequest, *, full: bool
) -> dict[str, Any]:
    services, ranking = filtered_services(municipality, filters)
    if ranking is not None:
        order = {pk: index for index, pk in enumerate(ranking)}
        ids = sorted(services.values_list("pk", flat=True), key=lambda pk: order[pk])
        page_ids, page = page_of(ids, request)
        rows = sorted(_fetch(municipality, page_ids, full=full), key=lambda s: order[s.pk])
    else:
        if full:
            base = hsds.services_queryset(municipality).filter(pk__in=services.values("pk"))
        else:
            base = services.select_related("organization")
        ordered = base.order_by("name_kana", "name", "id")
        rows, page = page_of(ordered, request)
    return {**page, "contents": _objects(municipality, rows, full=full)}


def _fetch(municipality: Municipality, ids: list[uuid.UUID], *, full: bool) -> list[Service]:
    queryset = (
        hsds.services_queryset(municipality)
        if full
        else Service.objects.select_related("organization")
    )
    return list(queryset.filter(pk__in=ids))


def _objects(
    municipality: Municipality, rows: list[Service], *, full: bool
) -> list[dict[str, Any]]:
    if not full:
        return [hsds.service_list_object(service) for service in rows]
    loaded = hsds.load_services(municipality, rows)
    return [hsds.service_object(loaded, service) for service in rows]


def service_detail(municipality: Municipality, service_id: str) -> dict[str, Any] | None:
    pk = parse_uuid(service_id, "id")
    service = (
        hsds.services_queryset(municipality).filter(status=ServiceStatus.ACTIVE, pk=pk).first()
    )
    if service is None:
        return None
    loaded = hsds.load_services(municipality, [service])
    return hsds.service_object(loaded, service)


def organizations(municipality: Municipality) -> QuerySet[Organization]:
    """Organisations with at least one active service."""
    return Organization.objects.filter(
        municipality=municipality,
        pk__in=active_services(municipality).values("organization_id"),
    )


def organizations_page(
    municipality: Municipality, search: str, request: PageRequest
) -> dict[str, Any]:
    queryset = organizations(municipality)
    if checked_text(search, "search").strip():
        queryset = queryset.filter(
            Q(name__icontains=search.strip()) | Q(name_kana__icontains=search.strip())
        )
    rows, page = page_of(queryset.order_by("name_kana", "name", "id"), request)
    return {**page, "contents": [hsds.organization_object(org) for org in rows]}


def organization_detail(
    municipality: Municipality, organization_id: str, *, full_service: bool
) -> dict[str, Any] | None:
    pk = parse_uuid(organization_id, "id")
    org = organizations(municipality).filter(pk=pk).first()
    if org is None:
        return None
    loaded = hsds.load_organizations(municipality, [org])
    value = hsds.organization_object(org, loaded=loaded)
    services = (
        active_services(municipality).filter(organization=org).order_by("name_kana", "name", "id")
    )
    if full_service:
        value["services"] = _objects(
            municipality,
            list(
                hsds.services_queryset(municipality)
                .filter(pk__in=services.values("pk"))
                .order_by("name_kana", "name", "id")
            ),
            full=True,
        )
    else:
        value["services"] = [
            hsds.service_list_object(service) for service in services.select_related("organization")
        ]
    return value


def taxonomies_page(municipality: Municipality, request: PageRequest) -> dict[str, Any]:
    rows, page = page_of(
        Taxonomy.objects.filter(municipality=municipality).order_by("name", "id"), request
    )
    return {**page, "contents": [hsds.taxonomy_object(t) for t in rows]}


def taxonomy_terms_page(
    municipality: Municipality,
    request: PageRequest,
    *,
    taxonomy_id: str,
    parent_id: str,
    top_only: bool,
) -> dict[str, Any]:
    queryset = TaxonomyTerm.objects.filter(municipality=municipality).select_related("taxonomy")
    if taxonomy_id:
        queryset = queryset.filter(taxonomy_id=parse_uuid(taxonomy_id, "taxonomy_id"))
    if parent_id:
        queryset = queryset.filter(parent_id=parse_uuid(parent_id, "parent_id"))
    if top_only:
        queryset = queryset.filter(parent=None)
    rows, page = page_of(queryset.order_by("taxonomy__name", "position", "name", "id"), request)
    return {**page, "contents": [hsds.taxonomy_term_object(t) for t in rows]}


def service_at_locations_page(
    municipality: Municipality, filters: ServiceFilters, request: PageRequest
) -> dict[str, Any]:
    services, _ranking = filtered_services(municipality, filters)
    queryset = (
        ServiceAtLocation.objects.filter(municipality=municipality, service__in=services)
        .select_related("service__organization", "location")
        .order_by("service__name_kana", "service__name", "id")
    )
    rows, page = page_of(queryset, request)
    loaded = hsds.Loaded(municipality=municipality)
    return {**page, "contents": [hsds.service_at_location_list_object(loaded, sal) for sal in rows]}
