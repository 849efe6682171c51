"""A small directory builder for tests: districts, towns and services with their relations.

    districts = build_districts(kamakura)                 # 鎌倉・腰越・深沢・大船・玉縄
    service = build_service(kamakura, name="サロンさくら", district="大船",
                            categories=["salon"], targets=["elderly"],
                            schedules=[{"freq": "WEEKLY", "byday": "TU"}])

Services are indexed for search unless ``index=False``. HSDS details hang off a service,
location, organisation or phone:

    contact = build_contact(service, name="相談員", phones=["0467-00-3333"])
    build_language(contact.phones.get(), name="やさしい日本語", code="ja")
    build_accessibility(location, description="車いすで入れます")
    build_cost_option(service, option="訪問", amount=Decimal(500))
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from sasaeai.accounts.models import District, Municipality, Town
from sasaeai.directory.models import (
    Accessibility,
    Address,
    Contact,
    CostOption,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
)
from sasaeai.directory.search import index_services
from sasaeai.directory.taxonomies import ensure_taxonomies, service_terms_set

DISTRICTS: list[tuple[str, str, str, str]] = [
    ("鎌倉", "かまくら", "小町", "こまち"),
    ("腰越", "こしごえ", "津", "つ"),
    ("深沢", "ふかさわ", "常盤", "ときわ"),
    ("大船", "おおふな", "台", "だい"),
    ("玉縄", "たまなわ", "植木", "うえき"),
]


def build_districts(municipality: Municipality) -> dict[str, District]:
    """Kamakura's five districts, each with one town (idempotent)."""
    districts: dict[str, District] = {}
    for order, (name, reading, town, town_reading) in enumerate(DISTRICTS, start=1):
        district, _created = District.objects.get_or_create(
            municipality=municipality, name=name, defaults={"reading": reading, "order": order}
        )
        Town.objects.get_or_create(
            municipality=municipality,
            name=town,
            defaults={"district": district, "reading": town_reading},
        )
        districts[name] = district
    return districts


def build_organization(
    municipality: Municipality, name: str = "テスト団体", **fields: Any
) -> Organization:
    organization, _created = Organization.objects.get_or_create(
        municipality=municipality, name=name, defaults=fields
    )
    return organization


def build_service(
    municipality: Municipality,
    *,
    name: str,
    name_kana: str = "",
    organization: Organization | str = "テスト団体",
    district: str | None = None,
    town: str | None = None,
    address: str = "",
    description: str = "",
    targets: Sequence[str] = (),
    categories: Sequence[str] = (),
    schedules: Sequence[Mapping[str, Any]] = (),
    phone: str = "",
    is_free: bool | None = None,
    status: str = "active",
    is_demo: bool = False,
    assured_date: datetime.date | None = None,
    index: bool = True,
    **fields: Any,
) -> Service:
    if isinstance(organization, str):
        organization = build_organization(municipality, organization)
    service = Service.objects.create(
        municipality=municipality,
        organization=organization,
        name=name,
        name_kana=name_kana,
        description=description,
        is_free=is_free,
        status=status,
        is_demo=is_demo,
        assured_date=assured_date,
        **fields,
    )
    if district or town or address:
        town_row = Town.objects.get(municipality=municipality, name=town) if town else None
        district_row = (
            District.objects.get(municipality=municipality, name=district)
            if district
            else (town_row.district if town_row else None)
        )
        location = Location.objects.create(
            municipality=municipality,
            organization=organization,
            name=name,
            district=district_row,
            town=town_row,
        )
        if address:
            Address.objects.create(
                municipality=municipality,
                location=location,
                address_1=address,
                city=municipality.name,
                state_province=municipality.prefecture,
            )
        ServiceAtLocation.objects.create(
            municipality=municipality, service=service, location=location
        )
    for spec in schedules:
        Schedule.objects.create(municipality=municipality, service=service, **spec)
    if phone:
        Phone.objects.create(municipality=municipality, service=service, number=phone)
    if targets or categories:
        service_terms_set(
            service_id=service.pk,
            municipality=municipality,
            codes=[*targets, *categories],
            terms=ensure_taxonomies(municipality),
        )
    if index:
        index_services(municipality, [service.pk])
    return service


def build_contact(
    owner: Organization | Service | Location, *, phones: Sequence[str] = (), **fields: Any
) -> Contact:
    """A contact of ``owner``, with a voice phone per number."""
    contact = Contact.objects.create(
        municipality=owner.municipality, **{type(owner).__name__.lower(): owner}, **fields
    )
    for number in phones:
        Phone.objects.create(
            municipality=owner.municipality, contact=contact, number=number, type="voice"
        )
    return contact


def build_language(owner: Service | Location | Phone, **fields: Any) -> Language:
    return Language.objects.create(
        municipality=owner.municipality, **{type(owner).__name__.lower(): owner}, **fields
    )


def build_accessibility(location: Location, **fields: Any) -> Accessibility:
    return Accessibility.objects.create(
        municipality=location.municipality, location=location, **fields
    )


def build_cost_option(service: Service, **fields: Any) -> CostOption:
    return CostOption.objects.create(municipality=service.municipality, service=service, **fields)
