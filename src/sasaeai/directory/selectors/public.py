"""Reads for the public directory pages, with a constant number of queries.

Search itself is ``sasaeai.directory.search.search`` (two queries); these are the rest:
the districts of the filter form, and one service's detail page.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from urllib.parse import quote

from django.db.models import Prefetch

from sasaeai.accounts.models import District, Municipality
from sasaeai.core.weburl import web_url_or_empty
from sasaeai.directory import schedules as schedule_rules
from sasaeai.directory.models import (
    Address,
    Location,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
)
from sasaeai.directory.search.indexing import PUBLIC_STATUSES
from sasaeai.directory.taxonomies import ServiceTerms, terms_of_services

STALE_AFTER_DAYS = 365
MAP_SEARCH_URL = "https://www.openstreetmap.org/search?query="


def districts_of(municipality: Municipality) -> list[District]:
    """The municipality's districts in display order (one query)."""
    return list(District.objects.filter(municipality=municipality).order_by("order", "name"))


@dataclass(frozen=True)
class Place:
    """Where a service is offered, ready to show."""

    name: str
    address: str
    district: str
    town: str
    map_url: str
    phones: list[Phone]
    transportation: str
    is_demo: bool


@dataclass(frozen=True)
class ServiceDetail:
    service: Service
    terms: ServiceTerms
    places: list[Place]
    schedules: list[str]
    phones: list[Phone]
    is_stale: bool
    stale_days: int | None = None
    website: str = ""  # the service's web address when it is http(s), else empty


def _address_text(address: Address) -> str:
    return f"{address.state_province}{address.city}{address.address_1}{address.address_2}"


def _place(location: Location) -> Place:
    addresses = [
        address for address in location.addresses.all() if address.address_type != "postal"
    ] or list(location.addresses.all())
    address = _address_text(addresses[0]) if addresses else ""
    district = location.district or (location.town.district if location.town else None)
    map_url = ""
    if location.latitude is not None and location.longitude is not None:
        map_url = (
            "https://www.openstreetmap.org/?mlat="
            f"{location.latitude}&mlon={location.longitude}#map=17/"
            f"{location.latitude}/{location.longitude}"
        )
    elif address:
        map_url = MAP_SEARCH_URL + quote(address)
    return Place(
        name=location.name,
        address=address,
        district=district.name if district else "",
        town=location.town.name if location.town else "",
        map_url=map_url,
        phones=list(location.phones.all()),
        transportation=location.transportation,
        is_demo=location.is_demo,
    )


def service_detail(
    municipality: Municipality, service_id: uuid.UUID, *, today: datetime.date | None = None
) -> ServiceDetail | None:
    """A public service of ``municipality`` with everything its page shows, or None.

    Services of other municipalities and those 休止中 or 終了 are None. Nine queries,
    whatever the number of places, phones and schedules.
    """
    service = (
        Service.objects.filter(municipality=municipality, pk=service_id, status__in=PUBLIC_STATUSES)
        .select_related("organization")
        .prefetch_related(
            Prefetch("schedules", queryset=Schedule.objects.order_by("opens_at", "id")),
            Prefetch("phones", queryset=Phone.objects.order_by("number")),
            "cost_options",
            Prefetch(
                "at_locations",
                queryset=ServiceAtLocation.objects.select_related(
                    "location__district", "location__town__district"
                )
                .prefetch_related(
                    "location__addresses",
                    Prefetch("location__phones", queryset=Phone.objects.order_by("number")),
                )
                .order_by("location__name"),
            ),
        )
        .first()
    )
    if service is None:
        return None
    terms = terms_of_services([service.pk]).get(service.pk, ServiceTerms())
    today = today or datetime.date.today()
    stale_days = (today - service.assured_date).days if service.assured_date else None
    return ServiceDetail(
        service=service,
        terms=terms,
        places=[_place(at_location.location) for at_location in service.at_locations.all()],
        schedules=[schedule_rules.describe(schedule) for schedule in service.schedules.all()],
        phones=list(service.phones.all()),
        is_stale=stale_days is None or stale_days > STALE_AFTER_DAYS,
        stale_days=stale_days,
        website=web_url_or_empty(service.url),
    )
