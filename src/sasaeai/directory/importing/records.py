"""The plain records every parser produces and the importer writes (no database here).

One file becomes a :class:`Bundle`: organisations, locations and services keyed by the
source's own identifier (``key``), so a re-import finds the rows it made before
(``source_kind`` + ``source_id`` in the models).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Self

from sasaeai.core.imports import ImportIssue


class Detail:
    """Base of the records that hang off an owner (address, phone, schedule, contact …):
    dataclasses whose fields are the model's columns of the same names, lists of nested
    details (a phone's languages, a contact's phones) and ``hsds_id``."""

    hsds_id: str  # each subclass's own dataclass field (not one of this plain class)

    def canonical(self) -> tuple[Any, ...]:
        """Every field but ``hsds_id``, nested lists in a fixed order: what a re-import
        compares."""
        return tuple(
            tuple(canonical_list(value)) if isinstance(value, list) else value
            for name, value in self._fields()
        )

    def values(self) -> dict[str, Any]:
        """The model's columns (no ``hsds_id``, no nested lists)."""
        return {name: value for name, value in self._fields() if not isinstance(value, list)}

    @classmethod
    def of_row(cls, row: Any, **nested: Any) -> Self:
        """The record of a stored model row (same-named attributes); ``nested`` gives the
        nested lists."""
        names = [f.name for f in dataclasses.fields(cls) if f.name != "hsds_id"]  # type: ignore[arg-type]
        return cls(**{name: getattr(row, name) for name in names if name not in nested}, **nested)

    def _fields(self) -> list[tuple[str, Any]]:
        return [
            (f.name, getattr(self, f.name))
            for f in dataclasses.fields(self)  # type: ignore[arg-type]
            if f.name != "hsds_id"
        ]


def canonical_list(records: Iterable[Detail]) -> list[tuple[Any, ...]]:
    """The records' canonical forms in a fixed order: what a re-import compares."""
    return sorted((record.canonical() for record in records), key=repr)


@dataclass
class LanguageRecord(Detail):
    """HSDS ``language``: a language a service, location or phone line offers."""

    name: str = ""
    code: str = ""  # ISO 639-1 or 639-3
    note: str = ""
    hsds_id: str = ""


@dataclass
class PhoneRecord(Detail):
    number: str
    extension: int | None = None
    type: str = "voice"
    description: str = ""
    languages: list[LanguageRecord] = field(default_factory=list)
    hsds_id: str = ""


@dataclass
class ContactRecord(Detail):
    """HSDS ``contact``: a person or desk of an organisation, service or location."""

    name: str = ""
    title: str = ""
    department: str = ""
    email: str = ""
    phones: list[PhoneRecord] = field(default_factory=list)
    hsds_id: str = ""


@dataclass
class AccessibilityRecord(Detail):
    """HSDS ``accessibility`` of a location (バリアフリー情報)."""

    description: str = ""
    details: str = ""
    url: str = ""
    hsds_id: str = ""


@dataclass
class CostOptionRecord(Detail):
    """HSDS ``cost_option`` of a service; ``amount`` is whole units (the model keeps no
    decimals)."""

    option: str = ""
    amount: Decimal | None = None
    currency: str = "JPY"
    amount_description: str = ""
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    hsds_id: str = ""


@dataclass
class ScheduleRecord(Detail):
    freq: str = ""
    byday: str = ""
    bymonthday: str = ""
    interval: int | None = None
    opens_at: dt.time | None = None
    closes_at: dt.time | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    dtstart: dt.date | None = None
    until: dt.date | None = None
    description: str = ""
    notes: str = ""
    attending_type: str = ""
    closed_on_holidays: bool = False
    closed_year_end: bool = False
    hsds_id: str = ""


@dataclass
class AddressRecord(Detail):
    address_1: str
    city: str
    state_province: str
    address_2: str = ""
    postal_code: str = ""
    region: str = ""
    attention: str = ""
    country: str = "JP"
    address_type: str = "physical"
    hsds_id: str = ""


@dataclass(frozen=True)
class TermRef:
    """A taxonomy term to link: found by code (or name) within the named taxonomy."""

    code: str
    name: str = ""
    taxonomy: str = ""  # the taxonomy's name; empty = search the profile's taxonomies
    description: str = ""
    value: str = ""


@dataclass
class OrganizationRecord:
    key: str
    name: str
    name_kana: str = ""
    alternate_name: str = ""
    description: str = ""
    email: str = ""
    website: str = ""
    tax_id: str = ""
    legal_status: str = ""
    phones: list[PhoneRecord] = field(default_factory=list)
    contacts: list[ContactRecord] = field(default_factory=list)
    hsds_id: str = ""
    row: int | None = None

    def fields(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "name_kana": self.name_kana,
            "alternate_name": self.alternate_name,
            "description": self.description,
            "email": self.email,
            "website": self.website,
            "tax_id": self.tax_id,
            "legal_status": self.legal_status,
        }


@dataclass
class LocationRecord:
    key: str
    name: str = ""
    name_kana: str = ""
    alternate_name: str = ""
    description: str = ""
    transportation: str = ""
    url: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    external_identifier: str = ""
    external_identifier_type: str = ""
    location_type: str = "physical"
    organization_key: str | None = None
    address: AddressRecord | None = None
    phones: list[PhoneRecord] = field(default_factory=list)
    schedules: list[ScheduleRecord] = field(default_factory=list)
    contacts: list[ContactRecord] = field(default_factory=list)
    languages: list[LanguageRecord] = field(default_factory=list)
    accessibility: list[AccessibilityRecord] = field(default_factory=list)
    district_name: str | None = None  # profile data carried by an HSDS file; None = match
    town_name: str | None = None
    town_code: str = ""  # 町字ID of the Address Base Registry, when the file gives it
    address_text: str = ""  # the whole address as written, to match a 町丁目
    hsds_id: str = ""
    row: int | None = None

    def fields(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "name_kana": self.name_kana,
            "alternate_name": self.alternate_name,
            "description": self.description,
            "transportation": self.transportation,
            "url": self.url,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "external_identifier": self.external_identifier,
            "external_identifier_type": self.external_identifier_type,
            "location_type": self.location_type,
        }


@dataclass
class ServiceRecord:
    key: str
    name: str
    organization_key: str
    name_kana: str = ""
    alternate_name: str = ""
    description: str = ""
    url: str = ""
    email: str = ""
    status: str = "active"
    application_process: str = ""
    fees_description: str = ""
    eligibility_description: str = ""
    minimum_age: int | None = None
    maximum_age: int | None = None
    alert: str = ""
    assured_date: dt.date | None = None
    assurer_email: str = ""
    location_keys: list[str] = field(default_factory=list)
    phones: list[PhoneRecord] = field(default_factory=list)
    schedules: list[ScheduleRecord] = field(default_factory=list)
    contacts: list[ContactRecord] = field(default_factory=list)
    languages: list[LanguageRecord] = field(default_factory=list)
    cost_options: list[CostOptionRecord] = field(default_factory=list)
    terms: list[TermRef] = field(default_factory=list)
    hsds_id: str = ""
    row: int | None = None

    def fields(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "name_kana": self.name_kana,
            "alternate_name": self.alternate_name,
            "description": self.description,
            "url": self.url,
            "email": self.email,
            "status": self.status,
            "application_process": self.application_process,
            "fees_description": self.fees_description,
            "eligibility_description": self.eligibility_description,
            "minimum_age": self.minimum_age,
            "maximum_age": self.maximum_age,
            "alert": self.alert,
            "assured_date": self.assured_date,
            "assurer_email": self.assurer_email,
        }


@dataclass
class Bundle:
    """What one chunk of a file says, ready to compare with the database. A parser hands
    over a file as a first bundle of what concerns the whole file (notes, errors in its
    header, ``rows_total``), then the chunks of its rows."""

    kind: str  # a SourceKind value
    organizations: dict[str, OrganizationRecord] = field(default_factory=dict)
    locations: dict[str, LocationRecord] = field(default_factory=dict)
    services: dict[str, ServiceRecord] = field(default_factory=dict)
    warnings: list[ImportIssue] = field(default_factory=list)
    errors: list[ImportIssue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. the encoding and the detected kind
    rows_read: int = 0
    rows_skipped: int = 0
    rows_total: int = 0  # the first bundle: rows in the file (CSV data rows, HSDS services)
    rows_selected: int = 0  # the first bundle: of those, the rows to import
