"""Directory rows as HSDS 3.0 objects, for the export and the read API.

Loading is done up front (``load_services``, ``load_organizations``: a fixed number of
queries whatever the number of rows), then each builder only reads memory. Contacts (with
their phones), languages, accessibility and cost options are read in one query per table
for all their owners (``Loaded.load_details``: five queries, where prefetching relation by
relation would take about fifteen). Empty optional values are left out (HSDS types do not
allow null). The profile's extra data travels as HSDS ``attribute`` rows of a taxonomy named
``sasaeai-profile`` (terms ```name_kana``, ``district``, ``town``, ``closed_on_holidays``,
``closed_year_end``; the text in ``value``): valid HSDS that any consumer can ignore, and read
back by our importer. Their ids are UUID v5 derived from the municipality and the row, so
they are the same in every export.

What is never published, whatever is stored (rows may predate the rules, or come from an
import):

- ``assurer_email``: the field was once filled with the e-mail of the staff member who
  confirmed the entry. Who confirmed is in the audit log; the public contact of an entry is its
  organisation's ``email`` (and its contacts), so the field is left out (HSDS makes it optional).
- a web address that is not http(s) (``javascript:``, ``data:`` …): every URL field
  (``url``, ``website``, ``uri``, ``term_uri``) goes through ``core.weburl.web_url_or_empty``
  here, the one place the API and the exports read them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext_noop

from sasaeai.accounts.models import Municipality
from sasaeai.core.weburl import web_url_or_empty
from sasaeai.directory.exporting.schemas import HSDS_VERSION
from sasaeai.directory.models import (
    Accessibility,
    Address,
    Attribute,
    Contact,
    CostOption,
    Language,
    LinkEntity,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)

PROFILE_TAXONOMY = "sasaeai-profile"
PROFILE_DESCRIPTION = gettext_noop("ささえあいの追加項目: 読み仮名・地区・町丁目・休業日")
PROFILE_TERMS: dict[str, tuple[str, str]] = {
    "name_kana": (gettext_noop("読み仮名"), gettext_noop("名称の読み仮名（フリガナ）")),
    "district": (gettext_noop("行政地区"), gettext_noop("場所のある行政地区")),
    "town": (gettext_noop("町丁目"), gettext_noop("場所のある町丁目")),
    "closed_on_holidays": (gettext_noop("祝日は休み"), gettext_noop("値 true: 祝日は休み")),
    "closed_year_end": (gettext_noop("年末年始は休み"), gettext_noop("値 true: 年末年始は休み")),
}
PROFILE_URL = "urn:sasaeai:hsds-profile:ja-jp:1"  # the profile of docs/directory.md
TIMEZONE_OFFSET = "+09:00"  # opening hours are local time in Japan
_NAMESPACE = uuid.UUID("6f0c1a52-7d0e-4c1e-9a51-5a5ae0a10000")


def _uuid(*parts: object) -> str:
    return str(uuid.uuid5(_NAMESPACE, "/".join(str(part) for part in parts)))


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    """Without None and empty strings (HSDS has no nulls); lists are kept even if empty."""
    return {key: value for key, value in values.items() if value is not None and value != ""}


def _number(value: Decimal | int | None) -> float | int | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return float(value)
    return value


def _amount(value: Decimal | None) -> int | float | None:
    """A cost as a JSON number: whole amounts without a decimal point."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _id(value: uuid.UUID | None) -> str | None:
    return str(value) if value else None


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _time(value: dt.time | None) -> str | None:
    return value.strftime("%H:%M") + TIMEZONE_OFFSET if value else None


Owner = tuple[str, uuid.UUID]  # ("service" | "location" | "organization" | "phone", id)


@dataclass
class Loaded:
    """Everything the builders need, fetched with a fixed number of queries."""

    municipality: Municipality
    services: list[Service] = field(default_factory=list)
    attributes: dict[uuid.UUID, list[Attribute]] = field(default_factory=dict)
    contacts: dict[Owner, list[Contact]] = field(default_factory=dict)
    languages: dict[Owner, list[Language]] = field(default_factory=dict)
    accessibility: dict[uuid.UUID, list[Accessibility]] = field(default_factory=dict)
    cost_options: dict[uuid.UUID, list[CostOption]] = field(default_factory=dict)

    def attributes_of(self, link_id: uuid.UUID) -> list[Attribute]:
        return self.attributes.get(link_id, [])

    def contacts_of(self, owner: str, pk: uuid.UUID) -> list[Contact]:
        return self.contacts.get((owner, pk), [])

    def languages_of(self, owner: str, pk: uuid.UUID) -> list[Language]:
        return self.languages.get((owner, pk), [])

    def load_details(
        self,
        *,
        organization_ids: Sequence[uuid.UUID] = (),
        service_ids: Sequence[uuid.UUID] = (),
        location_ids: Sequence[uuid.UUID] = (),
        phone_ids: Sequence[uuid.UUID] = (),
    ) -> None:
        """Contacts (and their phones), languages, accessibility and cost options of these
        rows: at most five queries (none for a table whose owners are all absent)."""
        municipality = self.municipality
        owners = {
            "organization": set(organization_ids),
            "service": set(service_ids),
            "location": set(location_ids),
        }
        contacts = Q()
        for owner, ids in owners.items():
            if ids:
                contacts |= Q(**{f"{owner}_id__in": ids})
        phones = set(phone_ids)
        if contacts:
            for contact in (
                Contact.objects.filter(contacts, municipality=municipality)
                .prefetch_related(
                    Prefetch("phones", queryset=Phone.objects.order_by("created_at", "id"))
                )
                .order_by("created_at", "id")
            ):
                for owner, ids in owners.items():
                    pk = getattr(contact, f"{owner}_id")
                    if pk in ids:
                        self.contacts.setdefault((owner, pk), []).append(contact)
                phones.update(phone.pk for phone in contact.phones.all())
        language_owners = {
            "service": owners["service"],
            "location": owners["location"],
            "phone": phones,
        }
        languages = Q()
        for owner, ids in language_owners.items():
            if ids:
                languages |= Q(**{f"{owner}_id__in": ids})
        if languages:
            for language in Language.objects.filter(languages, municipality=municipality).order_by(
                "created_at", "id"
            ):
                for owner, ids in language_owners.items():
                    pk = getattr(language, f"{owner}_id")
                    if pk in ids:
                        self.languages.setdefault((owner, pk), []).append(language)
        if owners["location"]:
            for item in Accessibility.objects.filter(
                municipality=municipality, location_id__in=owners["location"]
            ).order_by("created_at", "id"):
                self.accessibility.setdefault(item.location_id, []).append(item)
        if owners["service"]:
            for option in CostOption.objects.filter(
                municipality=municipality, service_id__in=owners["service"]
            ).order_by("created_at", "id"):
                self.cost_options.setdefault(option.service_id, []).append(option)


def services_queryset(municipality: Municipality) -> QuerySet[Service]:
    """Services with their prefetched relations: 7 queries whatever their number
    (``load_services`` adds one for the attributes and at most five for the details)."""
    return (
        Service.objects.filter(municipality=municipality)
        .select_related("organization")
        .prefetch_related(
            "phones",
            "schedules",
            Prefetch(
                "at_locations",
                queryset=ServiceAtLocation.objects.select_related(
                    "location__district", "location__town"
                ).order_by("id"),
            ),
            "at_locations__location__addresses",
            "at_locations__location__phones",
            "at_locations__location__schedules",
        )
    )


def load_services(municipality: Municipality, services: Iterable[Service]) -> Loaded:
    """Attach the attributes (one query) and the details (``Loaded.load_details``, at most
    five) of already prefetched services."""
    rows = list(services)
    loaded = Loaded(municipality=municipality, services=rows)
    locations = [sal.location for service in rows for sal in service.at_locations.all()]
    ids: list[uuid.UUID] = [service.pk for service in rows]
    ids += [location.pk for location in locations]
    loaded.load_details(
        organization_ids=[service.organization_id for service in rows],
        service_ids=[service.pk for service in rows],
        location_ids=[location.pk for location in locations],
        phone_ids=[phone.pk for service in rows for phone in service.phones.all()]
        + [phone.pk for location in locations for phone in location.phones.all()],
    )
    if ids:
        for attribute in (
            Attribute.objects.filter(link_id__in=ids)
            .select_related("taxonomy_term__taxonomy")
            .order_by("taxonomy_term__position", "taxonomy_term__name")
        ):
            loaded.attributes.setdefault(attribute.link_id, []).append(attribute)
    return loaded


def load_organizations(municipality: Municipality, organizations: Iterable[Organization]) -> Loaded:
    """The contacts of these organisations (at most three queries)."""
    loaded = Loaded(municipality=municipality)
    loaded.load_details(organization_ids=[org.pk for org in organizations])
    return loaded


# --- taxonomies -------------------------------------------------------------------------------


def taxonomy_object(taxonomy: Taxonomy) -> dict[str, Any]:
    return _clean(
        {
            "id": str(taxonomy.pk),
            "name": taxonomy.name,
            "description": taxonomy.description or taxonomy.name,
            "uri": web_url_or_empty(taxonomy.uri),
            "version": taxonomy.version,
        }
    )


def taxonomy_term_object(term: TaxonomyTerm, *, detail: bool = True) -> dict[str, Any]:
    values: dict[str, Any] = {
        "id": str(term.pk),
        "code": term.code,
        "name": term.name,
        "description": term.description or term.name,
        "parent_id": str(term.parent_id) if term.parent_id else None,
        "taxonomy": term.taxonomy.name if term.taxonomy else None,
        "taxonomy_id": str(term.taxonomy_id) if term.taxonomy_id else None,
        "language": term.language,
        "term_uri": web_url_or_empty(term.term_uri),
    }
    if detail and term.taxonomy is not None:
        values["taxonomy_detail"] = taxonomy_object(term.taxonomy)
    return _clean(values)


def profile_taxonomy(municipality: Municipality) -> dict[str, Any]:
    return {
        "id": _uuid(municipality.code, PROFILE_TAXONOMY),
        "name": PROFILE_TAXONOMY,
        "description": PROFILE_DESCRIPTION,
        "uri": PROFILE_URL,
        "version": "1",
    }


def profile_terms(municipality: Municipality) -> list[dict[str, Any]]:
    taxonomy = profile_taxonomy(municipality)
    return [
        {
            "id": _uuid(municipality.code, PROFILE_TAXONOMY, code),
            "code": code,
            "name": name,
            "description": description,
            "taxonomy": PROFILE_TAXONOMY,
            "taxonomy_id": taxonomy["id"],
            "language": "ja",
        }
        for code, (name, description) in PROFILE_TERMS.items()
    ]


def _profile_attribute(
    municipality: Municipality, link_id: uuid.UUID, entity: str, code: str, value: str
) -> dict[str, Any]:
    term = next(t for t in profile_terms(municipality) if t["code"] == code)
    return {
        "id": _uuid(municipality.code, entity, link_id, code),
        "link_id": str(link_id),
        "link_entity": entity,
        "link_type": PROFILE_TAXONOMY,
        "taxonomy_term_id": term["id"],
        "value": value,
        "taxonomy_term": {**term, "taxonomy_detail": profile_taxonomy(municipality)},
    }


def attribute_object(attribute: Attribute) -> dict[str, Any]:
    return _clean(
        {
            "id": str(attribute.pk),
            "link_id": str(attribute.link_id),
            "link_entity": attribute.link_entity,
            "link_type": attribute.link_type,
            "taxonomy_term_id": str(attribute.taxonomy_term_id),
            "value": attribute.value,
            "taxonomy_term": taxonomy_term_object(attribute.taxonomy_term),
        }
    )


def _attributes(
    loaded: Loaded, link_id: uuid.UUID, entity: str, profile: Sequence[tuple[str, str]]
) -> list[dict[str, Any]]:
    values = [attribute_object(a) for a in loaded.attributes_of(link_id)]
    values += [
        _profile_attribute(loaded.municipality, link_id, entity, code, text)
        for code, text in profile
        if text
    ]
    return values


# --- rows ------------------------------------------------------------------------------------


def language_object(language: Language) -> dict[str, Any]:
    return _clean(
        {
            "id": str(language.pk),
            "service_id": _id(language.service_id),
            "location_id": _id(language.location_id),
            "phone_id": _id(language.phone_id),
            "name": language.name,
            "code": language.code,
            "note": language.note,
        }
    )


def phone_object(phone: Phone, loaded: Loaded | None = None) -> dict[str, Any]:
    """A phone; with ``loaded``, also the languages spoken on it."""
    values = _clean(
        {
            "id": str(phone.pk),
            "number": phone.number,
            "extension": phone.extension,
            "type": phone.type,
            "description": phone.description,
        }
    )
    if loaded is not None:
        values["languages"] = [
            language_object(item) for item in loaded.languages_of("phone", phone.pk)
        ]
    return values


def contact_object(loaded: Loaded, contact: Contact) -> dict[str, Any]:
    values = _clean(
        {
            "id": str(contact.pk),
            "organization_id": _id(contact.organization_id),
            "service_id": _id(contact.service_id),
            "service_at_location_id": _id(contact.service_at_location_id),
            "location_id": _id(contact.location_id),
            "name": contact.name,
            "title": contact.title,
            "department": contact.department,
            "email": contact.email,
        }
    )
    values["phones"] = [phone_object(p, loaded) for p in contact.phones.all()]
    return values


def accessibility_object(item: Accessibility) -> dict[str, Any]:
    return _clean(
        {
            "id": str(item.pk),
            "location_id": str(item.location_id),
            "description": item.description,
            "details": item.details,
            "url": web_url_or_empty(item.url),
        }
    )


def cost_option_object(option: CostOption) -> dict[str, Any]:
    return _clean(
        {
            "id": str(option.pk),
            "service_id": str(option.service_id),
            "valid_from": _date(option.valid_from),
            "valid_to": _date(option.valid_to),
            "option": option.option,
            "currency": option.currency,
            "amount": _amount(option.amount),
            "amount_description": option.amount_description,
        }
    )


def schedule_object(municipality: Municipality, schedule: Schedule) -> dict[str, Any]:
    values = _clean(
        {
            "id": str(schedule.pk),
            "service_id": str(schedule.service_id) if schedule.service_id else None,
            "location_id": str(schedule.location_id) if schedule.location_id else None,
            "valid_from": _date(schedule.valid_from),
            "valid_to": _date(schedule.valid_to),
            "dtstart": _date(schedule.dtstart),
            "until": _date(schedule.until),
            "freq": schedule.freq,
            "interval": schedule.interval,
            "byday": schedule.byday,
            "bymonthday": schedule.bymonthday,
            "opens_at": _time(schedule.opens_at),
            "closes_at": _time(schedule.closes_at),
            "description": schedule.description,
            "attending_type": schedule.attending_type,
            "notes": schedule.notes,
        }
    )
    closures = [
        (code, "true")
        for code, closed in (
            ("closed_on_holidays", schedule.closed_on_holidays),
            ("closed_year_end", schedule.closed_year_end),
        )
        if closed
    ]
    if closures:
        values["attributes"] = [
            _profile_attribute(municipality, schedule.pk, "schedule", code, value)
            for code, value in closures
        ]
    return values


def address_object(address: Address) -> dict[str, Any]:
    return _clean(
        {
            "id": str(address.pk),
            "location_id": str(address.location_id),
            "attention": address.attention,
            "address_1": address.address_1,
            "address_2": address.address_2,
            "city": address.city,
            "region": address.region,
            "state_province": address.state_province,
            "country": address.country,
            "address_type": address.address_type,
        }
    ) | {"postal_code": address.postal_code}


def location_object(loaded: Loaded, location: Location) -> dict[str, Any]:
    values = _clean(
        {
            "id": str(location.pk),
            "location_type": location.location_type,
            "url": web_url_or_empty(location.url),
            "organization_id": str(location.organization_id) if location.organization_id else None,
            "name": location.name,
            "alternate_name": location.alternate_name,
            "description": location.description,
            "transportation": location.transportation,
            "latitude": _number(location.latitude),
            "longitude": _number(location.longitude),
            "external_identifier": location.external_identifier,
            "external_identifier_type": location.external_identifier_type,
        }
    )
    values["addresses"] = [address_object(a) for a in location.addresses.all()]
    values["phones"] = [phone_object(p, loaded) for p in location.phones.all()]
    values["schedules"] = [
        schedule_object(loaded.municipality, s) for s in location.schedules.all()
    ]
    values["contacts"] = [
        contact_object(loaded, c) for c in loaded.contacts_of("location", location.pk)
    ]
    values["languages"] = [
        language_object(item) for item in loaded.languages_of("location", location.pk)
    ]
    values["accessibility"] = [
        accessibility_object(item) for item in loaded.accessibility.get(location.pk, [])
    ]
    values["attributes"] = _attributes(
        loaded,
        location.pk,
        LinkEntity.LOCATION,
        [
            ("name_kana", location.name_kana),
            ("district", location.district.name if location.district else ""),
            ("town", location.town.name if location.town else ""),
        ],
    )
    return values


def organization_object(org: Organization, *, loaded: Loaded | None = None) -> dict[str, Any]:
    values = _clean(
        {
            "id": str(org.pk),
            "name": org.name,
            "alternate_name": org.alternate_name,
            "email": org.email,
            "website": web_url_or_empty(org.website),
            "tax_id": org.tax_id,
            "legal_status": org.legal_status,
            "parent_organization_id": str(org.parent_organization_id)
            if org.parent_organization_id
            else None,
        }
    )
    values["description"] = org.description
    if loaded is not None:
        values["contacts"] = [
            contact_object(loaded, c) for c in loaded.contacts_of("organization", org.pk)
        ]
    if loaded is not None and org.name_kana:
        values["attributes"] = [
            _profile_attribute(
                loaded.municipality, org.pk, LinkEntity.ORGANIZATION, "name_kana", org.name_kana
            )
        ]
    return values


def _service_fields(service: Service) -> dict[str, Any]:
    return _clean(
        {
            "id": str(service.pk),
            "organization_id": str(service.organization_id),
            "name": service.name,
            "alternate_name": service.alternate_name,
            "description": service.description,
            "url": web_url_or_empty(service.url),
            "email": service.email,
            "status": service.status,
            "application_process": service.application_process,
            "fees_description": service.fees_description,
            "eligibility_description": service.eligibility_description,
            "minimum_age": service.minimum_age,
            "maximum_age": service.maximum_age,
            "assured_date": _date(service.assured_date),
            # no assurer_email: see the module docstring
            "alert": service.alert,
            "last_modified": service.updated_at.isoformat().replace("+00:00", "Z")
            if service.updated_at
            else None,
        }
    )


def service_list_object(service: Service) -> dict[str, Any]:
    """A service with its one-to-one fields (the API's list item, compiled/service_list)."""
    values = _service_fields(service)
    values["organization"] = organization_object(service.organization)
    return values


def service_object(loaded: Loaded, service: Service) -> dict[str, Any]:
    """A fully nested service (schema/service.json)."""
    values = _service_fields(service)
    values["organization"] = organization_object(service.organization, loaded=loaded)
    values["phones"] = [phone_object(p, loaded) for p in service.phones.all()]
    values["schedules"] = [schedule_object(loaded.municipality, s) for s in service.schedules.all()]
    values["contacts"] = [
        contact_object(loaded, c) for c in loaded.contacts_of("service", service.pk)
    ]
    values["languages"] = [
        language_object(item) for item in loaded.languages_of("service", service.pk)
    ]
    values["cost_options"] = [
        cost_option_object(option) for option in loaded.cost_options.get(service.pk, [])
    ]
    values["service_at_locations"] = [
        _clean(
            {
                "id": str(sal.pk),
                "service_id": str(service.pk),
                "location_id": str(sal.location_id),
                "description": sal.description,
            }
        )
        | {"location": location_object(loaded, sal.location)}
        for sal in service.at_locations.all()
    ]
    values["attributes"] = _attributes(
        loaded, service.pk, LinkEntity.SERVICE, [("name_kana", service.name_kana)]
    )
    return values


def service_at_location_list_object(loaded: Loaded, sal: ServiceAtLocation) -> dict[str, Any]:
    return _clean(
        {
            "id": str(sal.pk),
            "service_id": str(sal.service_id),
            "location_id": str(sal.location_id),
            "description": sal.description,
        }
    ) | {
        "service": service_list_object(sal.service),
        "location": _clean(
            {
                "id": str(sal.location.pk),
                "location_type": sal.location.location_type,
                "name": sal.location.name,
                "latitude": _number(sal.location.latitude),
                "longitude": _number(sal.location.longitude),
            }
        ),
    }


def api_info(openapi_url: str) -> dict[str, Any]:
    return {"version": HSDS_VERSION, "profile": PROFILE_URL, "openapi_url": openapi_url}
