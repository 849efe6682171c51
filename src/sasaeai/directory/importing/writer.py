"""The directory import's writer: what one file does to the rows, chunk by chunk.

:class:`ImportWriter` compares each chunk's records (``records``) with the municipality's rows
found again by ``source_kind`` + ``source_id``, creates the new rows in bulk (parents before
children), updates the changed ones, replaces the details that differ as a whole (phones,
schedules, contacts, languages, accessibility, cost options, the address, the places and
terms of a service) and, after the last chunk, retires the services an open-data file no
longer lists (``retire_missing``). Every change is counted in the
:class:`~sasaeai.directory.importing.result.DirectoryImportResult`, every problem is an
error there. The writer neither commits nor rolls back: ``service`` runs it in one
transaction (rolled back for a preview) and writes the audit row.

Identity: rows are found again by ``source_kind`` (the dataset: kaigo, kosodate, iryo, aed,
hsds) and ``source_id`` (the file's own identifier), so a re-import updates instead of
duplicating. The rows that hang off them (address, phones, schedules, contacts, languages,
accessibility, cost options) have no identity of their own: they are compared as a whole
(``records.canonical_list``) and replaced when they differ, the change naming the field
(``phones``, ``contacts`` …). Rows the file no longer lists are left as they are (a partial
file never deletes), unless the caller asks ``retire_missing=True`` for an open-data file:
then the municipality's services of that dataset which the file does not list and which are 実施中 or
一時休止 are set to 休止中 (action ``retire``). Each retirement is recorded in the file's audit
row under ``service:<id>:status`` ([before, after]); a service whose last status change is
such a retirement (and no person's edit since) goes back to 実施中 when a later file lists it
again. Otherwise an open-data file never changes a service's status: it has no status column,
so a status a person set (休止中, 終了, 一時休止) is kept. Any error refuses the whole file:
nothing is written. Callers check permissions (the CLI acts as the operator, ``cli:<user>``;
the staff screen asks ``directory.permissions``).
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Final

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from sasaeai.accounts.models import Municipality
from sasaeai.audit.models import Action, AuditEvent
from sasaeai.core.imports import ADD, RETIRE, UNCHANGED, UPDATE, ImportIssue, RowChange
from sasaeai.directory.importing import opendata
from sasaeai.directory.importing.records import (
    AccessibilityRecord,
    AddressRecord,
    Bundle,
    ContactRecord,
    CostOptionRecord,
    Detail,
    LanguageRecord,
    LocationRecord,
    OrganizationRecord,
    PhoneRecord,
    ScheduleRecord,
    ServiceRecord,
    TermRef,
    canonical_list,
)
from sasaeai.directory.importing.result import DirectoryImportResult
from sasaeai.directory.importing.towns import TownMatcher
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
    SearchEntry,
    SearchText,
    Service,
    ServiceAtLocation,
    ServiceStatus,
    Taxonomy,
    TaxonomyTerm,
)

# the datasets whose missing services retire_missing may retire: one publisher per source
# kind (HSDS files of several publishers share "hsds", so a service missing from one means
# nothing)
RETIRABLE_KINDS: Final = opendata.KINDS
RETIRED_STATUSES: Final = (ServiceStatus.ACTIVE, ServiceStatus.TEMPORARILY_CLOSED)
# service fields the open-data files never carry: a re-import keeps what the staff wrote
# (最終確認日, 対象となる人, 費用 …) instead of blanking it
OPENDATA_KEPT_FIELDS: Final = (
    "alternate_name", "email", "application_process", "fees_description",
    "eligibility_description", "minimum_age", "maximum_age", "alert", "assured_date",
    "assurer_email",
)  # fmt: skip
AUDIT_OBJECT_TYPE: Final = "directory.import"


def status_audit_key(service_id: uuid.UUID) -> str:
    """The key under which an import's audit row records a service's status change."""
    return f"service:{service_id}:status"


def _index(municipality: Municipality, service_ids: list[uuid.UUID]) -> None:
    from sasaeai.directory.search import index_services

    index_services(municipality, service_ids)


_CREATION_ORDER: tuple[type[Any], ...] = (
    Organization,
    Location,
    Address,
    Service,
    Contact,
    Phone,
    Language,
    Schedule,
    ServiceAtLocation,
    Accessibility,
    CostOption,
    Attribute,
)
# what the writer prefetches to compare an owner's rows with the file's
_PHONES: Final = ("phones", "phones__languages")
_CONTACTS: Final = ("contacts", "contacts__phones", "contacts__phones__languages")
_AUDIT_KEY_CHUNK: Final = 100  # keys per has_any_keys query (SQLite's expression depth)


def _phone_record(row: Phone) -> PhoneRecord:
    languages = [LanguageRecord.of_row(item) for item in row.languages.all()]
    return PhoneRecord.of_row(row, languages=languages)


def _contact_record(row: Contact) -> ContactRecord:
    return ContactRecord.of_row(row, phones=[_phone_record(p) for p in row.phones.all()])


# the details an owner's rows are compared and replaced by, as a whole: the related name
# (and record field) → the record of a stored row
_DETAIL_RECORDS: dict[str, Callable[[Any], Detail]] = {
    "phones": _phone_record,
    "schedules": ScheduleRecord.of_row,
    "contacts": _contact_record,
    "languages": LanguageRecord.of_row,
    "accessibility": AccessibilityRecord.of_row,
    "cost_options": CostOptionRecord.of_row,
}
_DETAIL_MODELS: dict[str, type[Any]] = {
    "schedules": Schedule,
    "languages": Language,
    "accessibility": Accessibility,
    "cost_options": CostOption,
}
_ORGANIZATION_DETAILS: Final = ("phones", "contacts")
_LOCATION_DETAILS: Final = ("phones", "schedules", "contacts", "languages", "accessibility")
_SERVICE_DETAILS: Final = ("phones", "schedules", "contacts", "languages", "cost_options")


def _differs(obj: Any, values: dict[str, Any]) -> list[str]:
    return [name for name, value in values.items() if getattr(obj, name) != value]


class ImportWriter:
    """Writes a file chunk by chunk: each chunk's new rows in bulk, parents before children,
    then (when applying) the search index of its services. What later chunks need of earlier
    ones is kept as identifiers only: the organisations' and locations' ids by key, the
    services the file lists, the terms found."""

    def __init__(
        self,
        municipality: Municipality,
        result: DirectoryImportResult,
        *,
        kind: str,
        retire_missing: bool = False,
        index: bool = False,
    ) -> None:
        self.municipality = municipality
        self.result = result
        self.kind = kind
        self.retire_missing = retire_missing
        self.index = index
        self.towns = TownMatcher(municipality)
        self.pending: dict[type[Any], list[Any]] = {model: [] for model in _CREATION_ORDER}
        self.claimed: set[uuid.UUID] = set()
        self.organization_ids: dict[str, uuid.UUID] = {}
        self.location_ids: dict[str, uuid.UUID] = {}
        self.listed: set[str] = set()  # the services the file lists (retire_missing)
        self.found_terms: dict[TermRef, TaxonomyTerm] = {}
        self.missing_terms: set[TermRef] = set()
        self.filled: set[type[Any]] = set()  # tables written to (ANALYZE on PostgreSQL)
        self.touched: list[uuid.UUID] = []  # services of this chunk added, updated, retired
        # services retired or reactivated: id → (status before, after), for the audit row
        self.status_changes: dict[uuid.UUID, tuple[str, str]] = {}

    def write(self, bundle: Bundle) -> None:
        """One chunk: its organisations, locations and services."""
        self._organizations(bundle.organizations)
        self._locations(bundle.locations)
        self.listed.update(bundle.services)
        self._services(bundle.services)
        self._flush()

    def retire(self) -> None:
        """After the last chunk: retire the dataset's services the file no longer lists."""
        self._retire_missing()
        self._flush()

    def _flush(self) -> None:
        for model in _CREATION_ORDER:  # new rows in bulk, parents before children
            rows = self.pending[model]
            if rows:
                model.objects.bulk_create(rows, batch_size=500)
                self.filled.add(model)
                self.pending[model] = []
        if self.index and self.touched and self.result.ok:
            _index(self.municipality, self.touched)
            self.filled.update((Service, SearchEntry, SearchText))
        self.touched = []

    def _add(self, obj: Any) -> None:
        self.pending[type(obj)].append(obj)

    def _usable_uuid(self, value: str, model: type[Any]) -> uuid.UUID:
        """The file's id when it is a UUID no row uses yet, else a new one."""
        try:
            candidate = uuid.UUID(str(value))
        except (ValueError, AttributeError, TypeError):
            return uuid.uuid4()
        if candidate in self.claimed or model.objects.filter(pk=candidate).exists():
            return uuid.uuid4()
        self.claimed.add(candidate)
        return candidate

    # organisations
    def _organizations(self, records: dict[str, OrganizationRecord]) -> None:
        existing = {
            org.source_id: org
            for org in Organization.objects.filter(
                municipality=self.municipality, source_kind=self.kind, source_id__in=list(records)
            ).prefetch_related(*_PHONES, *_CONTACTS)
        }
        for key, record in records.items():
            org = existing.get(key)
            values = record.fields()
            if not self._fits(Organization, values, record.row, record.name):
                continue
            if org is None:
                org = Organization(
                    id=self._usable_uuid(record.hsds_id, Organization),
                    municipality=self.municipality,
                    source_kind=self.kind,
                    source_id=key,
                    **values,
                )
                self._add(org)
                self._add_details(record, _ORGANIZATION_DETAILS, organization=org)
                self._change("organization", ADD, key, record.name, record.row)
            else:
                changed = _differs(org, values)
                before = {name: getattr(org, name) for name in changed}
                changed += self._replace_details(org, record, _ORGANIZATION_DETAILS, before)
                if changed:
                    for name, value in values.items():
                        setattr(org, name, value)
                    org.is_demo = False
                    org.save()
                    self.filled.add(Organization)
                self._change(
                    "organization",
                    UPDATE if changed else UNCHANGED,
                    key,
                    record.name,
                    record.row,
                    changed,
                    before,
                )
            self.organization_ids[key] = org.pk

    # locations
    def _locations(self, records: dict[str, LocationRecord]) -> None:
        existing = {
            location.source_id: location
            for location in Location.objects.filter(
                municipality=self.municipality, source_kind=self.kind, source_id__in=list(records)
            ).prefetch_related(
                "addresses", *_PHONES, "schedules", *_CONTACTS, "languages", "accessibility"
            )
        }
        for key, record in records.items():
            location = existing.get(key)
            values = record.fields()
            if not self._fits(Location, values, record.row, record.name):
                continue
            values["organization_id"] = (
                self.organization_ids.get(record.organization_key)
                if record.organization_key
                else None
            )
            town, district = self._place(record)
            values["town_id"] = town.pk if town else None
            values["district_id"] = (
                district.pk if district else (town.district_id if town else None)
            )
            wanted_address = [record.address.canonical()] if record.address else []
            if location is None:
                location = Location(
                    id=self._usable_uuid(record.hsds_id, Location),
                    municipality=self.municipality,
                    source_kind=self.kind,
                    source_id=key,
                    **values,
                )
                self._add(location)
                self._set_address(record, location)
                self._add_details(record, _LOCATION_DETAILS, location=location)
                self._change("location", ADD, key, record.name, record.row)
            else:
                changed = _differs(location, values)
                before = {name: getattr(location, name) for name in changed}
                current_address = [_address_canonical(a) for a in location.addresses.all()]
                if current_address != wanted_address:
                    changed.append("address")
                    before["address"] = current_address
                    location.addresses.all().delete()
                    self._set_address(record, location)
                changed += self._replace_details(location, record, _LOCATION_DETAILS, before)
                if changed:
                    for name, value in values.items():
                        setattr(location, name, value)
                    location.is_demo = False
                    location.save()
                    self.filled.add(Location)
                self._change(
                    "location",
                    UPDATE if changed else UNCHANGED,
                    key,
                    record.name,
                    record.row,
                    changed,
                    before,
                )
            self.location_ids[key] = location.pk

    def _place(self, record: LocationRecord) -> tuple[Any, Any]:
        """(town, district) of a location: named by the file, else matched on the address."""
        town = None
        if record.town_name:
            town = self.towns.named(record.town_name)
            if town is None:
                self.result.add_warning(
                    ImportIssue(
                        code="unknown_town",
                        message=_(
                            "町丁目「{name}」はこの自治体に登録されていません。住所から探します。"
                        ).format(name=record.town_name),
                        row=record.row,
                    )
                )
        if town is None and record.address is not None:
            town = self.towns.match(record.address.address_1, record.town_code)
        district = town.district if town else None
        if district is None and record.district_name:
            from sasaeai.accounts.models import District

            district = District.objects.filter(
                municipality=self.municipality, name=record.district_name
            ).first()
        return town, district

    def _set_address(self, record: LocationRecord, location: Location) -> None:
        if record.address is not None:
            self._add_row(Address, record.address, location=location)

    def _add_row(self, model: type[Any], item: Detail, **owner: Any) -> Any:
        """A new row of ``model`` from a detail record, for its owner."""
        row = model(
            id=self._usable_uuid(item.hsds_id, model),
            municipality=self.municipality,
            **owner,
            **item.values(),
        )
        self._add(row)
        return row

    def _set_phones(self, phones: list[PhoneRecord], **owner: Any) -> None:
        for item in phones:
            phone = self._add_row(Phone, item, **owner)
            self._set_rows(Language, item.languages, phone=phone)

    def _set_contacts(self, contacts: list[ContactRecord], **owner: Any) -> None:
        for item in contacts:
            contact = self._add_row(Contact, item, **owner)
            self._set_phones(item.phones, contact=contact)

    def _set_rows(self, model: type[Any], items: Sequence[Detail], **owner: Any) -> None:
        for item in items:
            self._add_row(model, item, **owner)

    def _details_setter(self, name: str) -> Callable[..., None]:
        if name == "phones":
            return self._set_phones
        if name == "contacts":
            return self._set_contacts
        return functools.partial(self._set_rows, _DETAIL_MODELS[name])

    def _add_details(self, record: Any, names: Sequence[str], **owner: Any) -> None:
        """Create the rows ``record`` lists under each of ``names`` for a new owner."""
        for name in names:
            self._details_setter(name)(getattr(record, name), **owner)

    def _replace_details(
        self, obj: Any, record: Any, names: Sequence[str], before: dict[str, Any]
    ) -> list[str]:
        """Replace each of ``names`` (contacts, languages …) of ``obj`` (prefetched) whose
        rows differ from ``record``'s; the names replaced (``before``: the rows replaced)."""
        owner = {type(obj).__name__.lower(): obj}
        replaced = []
        for name in names:
            rows = getattr(obj, name).all()
            current = canonical_list(map(_DETAIL_RECORDS[name], rows))
            if current != canonical_list(getattr(record, name)):
                replaced.append(name)
                before[name] = current
                rows.delete()
                self._details_setter(name)(getattr(record, name), **owner)
        return replaced

    # services
    def _services(self, records: dict[str, ServiceRecord]) -> None:
        existing = {
            service.source_id: service
            for service in Service.objects.filter(
                municipality=self.municipality, source_kind=self.kind, source_id__in=list(records)
            ).prefetch_related(
                *_PHONES, "schedules", "at_locations", *_CONTACTS, "languages", "cost_options"
            )
        }
        terms = self._terms([term for record in records.values() for term in record.terms])
        # an open-data file has no status column: it reactivates only what an import retired
        implied_status = self.kind in RETIRABLE_KINDS
        reactivate = (
            self._retired_by_import(
                [s for s in existing.values() if s.status == ServiceStatus.INACTIVE]
            )
            if implied_status
            else set()
        )
        attributes: dict[uuid.UUID, set[uuid.UUID]] = {}
        for attribute in Attribute.objects.filter(
            link_entity=LinkEntity.SERVICE, link_id__in=[s.pk for s in existing.values()]
        ):
            attributes.setdefault(attribute.link_id, set()).add(attribute.taxonomy_term_id)
        for key, record in records.items():
            service = existing.get(key)
            values = record.fields()
            if not self._fits(Service, values, record.row, record.name):
                continue
            if service is not None and implied_status:
                if service.pk in reactivate:
                    values["status"] = ServiceStatus.ACTIVE
                else:
                    del values["status"]  # keep what a person set (休止中, 終了, 一時休止)
                for name in OPENDATA_KEPT_FIELDS:  # not in the file: keep the staff's text
                    del values[name]
            organization_id = self.organization_ids.get(record.organization_key)
            if organization_id is None:
                self.result.add_error(
                    ImportIssue(
                        code="missing_organization",
                        message=_(
                            "サービス「{name}」の団体（{id}）がファイルにありません。"
                        ).format(name=record.name, id=record.organization_key),
                        row=record.row,
                    )
                )
                continue
            values["organization_id"] = organization_id
            wanted_terms = {terms[ref].pk for ref in record.terms if ref in terms}
            wanted_locations = {
                self.location_ids[k] for k in record.location_keys if k in self.location_ids
            }
            if service is None:
                service = Service(
                    id=self._usable_uuid(record.hsds_id, Service),
                    municipality=self.municipality,
                    source_kind=self.kind,
                    source_id=key,
                    **values,
                )
                self._add(service)
                self._add_details(record, _SERVICE_DETAILS, service=service)
                self._set_locations(service, wanted_locations)
                self._set_terms(service, wanted_terms, set())
                self._change("service", ADD, key, record.name, record.row)
                self.touched.append(service.pk)
                continue
            changed = _differs(service, values)
            before = {name: getattr(service, name) for name in changed}
            changed += self._replace_details(service, record, _SERVICE_DETAILS, before)
            current_locations = {sal.location_id for sal in service.at_locations.all()}
            if current_locations != wanted_locations:
                changed.append("locations")
                before["locations"] = sorted(map(str, current_locations))
                ServiceAtLocation.objects.filter(service=service).exclude(
                    location_id__in=wanted_locations
                ).delete()
                self._set_locations(service, wanted_locations - current_locations)
            current_terms = attributes.get(service.pk, set())
            if implied_status:  # the file's kind gives its terms; those staff added stay
                wanted_terms = wanted_terms | current_terms
            if current_terms != wanted_terms:
                changed.append("terms")
                before["terms"] = sorted(map(str, current_terms))
                self._set_terms(service, wanted_terms, current_terms)
            if changed:
                if implied_status and "status" in changed:
                    self.status_changes[service.pk] = (service.status, values["status"])
                for name, value in values.items():
                    setattr(service, name, value)
                service.is_demo = False
                service.save()
                self.filled.add(Service)
                self.touched.append(service.pk)
            self._change(
                "service",
                UPDATE if changed else UNCHANGED,
                key,
                record.name,
                record.row,
                changed,
                before,
            )

    def _retired_by_import(self, services: Sequence[Service]) -> set[uuid.UUID]:
        """Those of ``services`` (休止中) whose last status change is an import's retirement:
        an import audit row records it under ``status_audit_key``, and no audit row of a
        person's edit (``directory.Service`` with a ``status`` change) came after it."""
        by_key = {status_audit_key(service.pk): service.pk for service in services}
        if not by_key:
            return set()
        last_import: dict[uuid.UUID, tuple[int, Any]] = {}  # id → (audit row, [before, after])
        keys = sorted(by_key)
        for start in range(0, len(keys), _AUDIT_KEY_CHUNK):
            chunk = keys[start : start + _AUDIT_KEY_CHUNK]
            rows = AuditEvent.objects.filter(
                municipality=self.municipality,
                action=Action.IMPORT,
                object_type=AUDIT_OBJECT_TYPE,
                changes__has_any_keys=chunk,
            ).values_list("pk", "changes")
            for event_id, changes in rows:
                for key in chunk:
                    pk = by_key[key]
                    if key in changes and event_id > last_import.get(pk, (0, None))[0]:
                        last_import[pk] = (event_id, changes[key])
        last_edit = dict(
            AuditEvent.objects.filter(
                municipality=self.municipality,
                object_type=Service._meta.label,
                object_id__in=[str(pk) for pk in last_import],
                changes__has_key="status",
            )
            .order_by()
            .values("object_id")
            .annotate(last=Max("pk"))
            .values_list("object_id", "last")
        )
        return {
            pk
            for pk, (event_id, change) in last_import.items()
            if change[-1] == ServiceStatus.INACTIVE and event_id > last_edit.get(str(pk), 0)
        }

    def _retire_missing(self) -> None:
        """Set the dataset's services the file no longer lists (実施中・一時休止) to 休止中."""
        listed = self.listed
        missing = [
            service
            for service in Service.objects.filter(
                municipality=self.municipality,
                source_kind=self.kind,
                status__in=RETIRED_STATUSES,
            )
            .exclude(source_id="")
            .only("pk", "source_id", "name", "status")
            .order_by("source_id")
            if service.source_id not in listed
        ]
        now = timezone.now()
        for start in range(0, len(missing), 500):
            Service.objects.filter(pk__in=[s.pk for s in missing[start : start + 500]]).update(
                status=ServiceStatus.INACTIVE, updated_at=now
            )
        for service in missing:
            self.status_changes[service.pk] = (service.status, ServiceStatus.INACTIVE)
            self._change(
                "service",
                RETIRE,
                service.source_id,
                service.name,
                None,
                ("status",),
                {"status": service.status},
            )
            self.touched.append(service.pk)
        if missing:
            self.filled.add(Service)

    def _set_locations(self, service: Service, location_ids: set[uuid.UUID]) -> None:
        for pk in sorted(location_ids, key=str):
            self._add(
                ServiceAtLocation(municipality=self.municipality, service=service, location_id=pk)
            )

    def _set_terms(self, service: Service, wanted: set[uuid.UUID], current: set[uuid.UUID]) -> None:
        stale = current - wanted
        if stale:
            Attribute.objects.filter(
                link_entity=LinkEntity.SERVICE, link_id=service.pk, taxonomy_term_id__in=stale
            ).delete()
        for term_id in sorted(wanted - current, key=str):
            self._add(
                Attribute(
                    municipality=self.municipality,
                    taxonomy_term_id=term_id,
                    link_id=service.pk,
                    link_entity=LinkEntity.SERVICE,
                )
            )

    def _terms(self, refs: list[TermRef]) -> dict[TermRef, TaxonomyTerm]:
        """Each reference's term: the profile's by code, else found or made by taxonomy name
        (found once per file: later chunks reuse it)."""
        from sasaeai.directory.taxonomies import ensure_taxonomies

        new = [
            ref
            for ref in dict.fromkeys(refs)
            if ref not in self.found_terms and ref not in self.missing_terms
        ]
        if not new:
            return self.found_terms
        profile = ensure_taxonomies(self.municipality)
        found = self.found_terms
        for ref in new:
            profile_term = profile.get(ref.code)
            profile_taxonomy = profile_term.taxonomy if profile_term else None
            if profile_term is not None and (
                not ref.taxonomy or (profile_taxonomy and ref.taxonomy == profile_taxonomy.name)
            ):
                found[ref] = profile[ref.code]
                continue
            if not ref.taxonomy:
                self.missing_terms.add(ref)
                self.result.add_error(
                    ImportIssue(
                        code="unknown_term",
                        message=_("分類のコード「{code}」がありません。").format(code=ref.code),
                    )
                )
                continue
            taxonomy, _created = Taxonomy.objects.get_or_create(
                municipality=self.municipality,
                name=ref.taxonomy,
                defaults={"description": ref.taxonomy},
            )
            term = None
            if ref.code:
                term = TaxonomyTerm.objects.filter(taxonomy=taxonomy, code=ref.code).first()
            if term is None and ref.name:
                term = TaxonomyTerm.objects.filter(
                    taxonomy=taxonomy, name=ref.name, code=ref.code
                ).first()
            if term is None:
                term = TaxonomyTerm.objects.create(
                    municipality=self.municipality,
                    taxonomy=taxonomy,
                    code=ref.code,
                    name=ref.name or ref.code,
                    description=ref.description or ref.name or ref.code,
                )
                self.filled.update((Taxonomy, TaxonomyTerm))
            found[ref] = term
        return found

    def _fits(self, model: type[Any], values: dict[str, Any], row: int | None, name: str) -> bool:
        """False (with an error) if a text is longer than its column allows."""
        fits = True
        for field_name, value in values.items():
            field = model._meta.get_field(field_name)
            limit = getattr(field, "max_length", None)
            if limit and isinstance(value, str) and len(value) > limit:
                fits = False
                self.result.add_error(
                    ImportIssue(
                        code="too_long",
                        message=_("「{name}」の{field}が {limit} 文字を超えています。").format(
                            name=name[:40], field=field.verbose_name, limit=limit
                        ),
                        row=row,
                    )
                )
        return fits

    def _change(
        self,
        entity: str,
        action: str,
        key: str,
        name: str,
        row: int | None,
        fields: Iterable[str] = (),
        before: dict[str, Any] | None = None,
    ) -> None:
        self.result.add_change(
            RowChange(
                entity=entity, action=action, key=key, name=name, row=row, fields=tuple(fields)
            ),
            before,
        )


def _address_canonical(address: Address) -> tuple[Any, ...]:
    return AddressRecord.of_row(address).canonical()
