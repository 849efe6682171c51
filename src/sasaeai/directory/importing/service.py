"""Import a directory file: preview (nothing written) and apply (one transaction, audited).

    directory_import_preview(municipality=..., data=..., filename=..., kind="auto",
                             retire_missing=False)
    directory_import_apply(actor=..., municipality=..., data=..., filename=..., kind="auto",
                           retire_missing=False)

Both return an :class:`ImportResult`: the notes (encoding, detected kind), every error and
warning with row and column, and per entity (サービス・団体・場所) what would be or was added,
updated or left unchanged (and, for services, retired). The preview runs exactly the same
code as the apply inside a transaction that is rolled back, so what it reports is what the
apply does.

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
import hashlib
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from sasaeai.accounts.models import Municipality
from sasaeai.audit import services as audit
from sasaeai.audit.models import Action, AuditEvent
from sasaeai.core.errors import DomainError
from sasaeai.directory.importing import hsds as hsds_parser
from sasaeai.directory.importing import opendata
from sasaeai.directory.importing.records import (
    AccessibilityRecord,
    AddressRecord,
    Bundle,
    ContactRecord,
    CostOptionRecord,
    Detail,
    Issue,
    LanguageRecord,
    LocationRecord,
    PhoneRecord,
    ScheduleRecord,
    TermRef,
    canonical_list,
)
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
    Service,
    ServiceAtLocation,
    ServiceStatus,
    Taxonomy,
    TaxonomyTerm,
)
from sasaeai.directory.readings import place_readings

KINDS: Final = ("auto", "hsds", *opendata.KINDS)
ADD: Final = "add"
UPDATE: Final = "update"
UNCHANGED: Final = "unchanged"
RETIRE: Final = "retire"  # a service the file no longer lists, set to 休止中 (retire_missing)
ACTION_LABELS = {
    ADD: gettext_noop("追加"),
    UPDATE: gettext_noop("変更"),
    UNCHANGED: gettext_noop("変更なし"),
    RETIRE: gettext_noop("休止にする"),
}
# what counts(entity) reports, in this order; only services are retired
_COUNTED: Final = {
    "service": (ADD, UPDATE, UNCHANGED, RETIRE),
    "organization": (ADD, UPDATE, UNCHANGED),
    "location": (ADD, UPDATE, UNCHANGED),
}
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
ENTITIES: Final = ("service", "organization", "location")
ENTITY_LABELS = {
    "service": gettext_noop("サービス"),
    "organization": gettext_noop("団体"),
    "location": gettext_noop("場所"),
}
WARNING_LABELS = {
    "leading_zero": gettext_noop("先頭の 0 を補ったコード"),
    "other_municipality": gettext_noop("ほかの自治体の行"),
    "swapped_coordinates": gettext_noop("緯度と経度の入れ替え"),
    "coordinates": gettext_noop("位置を登録しない行"),
    "schedule_text": gettext_noop("文のまま登録する日時"),
    "missing_id": gettext_noop("識別子のない行"),
    "missing_column": gettext_noop("ない列"),
    "invalid": gettext_noop("読み飛ばした値"),
    "unknown_town": gettext_noop("登録されていない町丁目"),
    "hsds": gettext_noop("HSDS の記載の不足"),
}


def warning_label(code: str) -> str:
    label = WARNING_LABELS.get(code)
    return _(label) if label else code


def status_audit_key(service_id: uuid.UUID) -> str:
    """The key under which an import's audit row records a service's status change."""
    return f"service:{service_id}:status"


@dataclass(frozen=True)
class Change:
    entity: str  # service, organization, location
    action: str  # add, update, unchanged, retire (services only)
    key: str  # the file's identifier
    name: str
    row: int | None
    fields: tuple[str, ...] = ()  # what differs, for updates

    @property
    def action_label(self) -> str:
        return _(ACTION_LABELS[self.action])


@dataclass
class ImportResult:
    filename: str
    sha256: str
    kind: str = "auto"
    notes: list[str] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    rows_read: int = 0
    rows_skipped: int = 0
    applied: bool = False
    retire_missing: bool = False  # asked to retire the services the file no longer lists
    service_ids: list[uuid.UUID] = field(default_factory=list)  # touched (added, updated, retired)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def has_changes(self) -> bool:
        return any(change.action != UNCHANGED for change in self.changes)

    def counts(self, entity: str = "service") -> dict[str, int]:
        """{"add": n, "update": n, "unchanged": n} and, for services, "retire": n."""
        counter = Counter(change.action for change in self.changes if change.entity == entity)
        actions = _COUNTED.get(entity, (ADD, UPDATE, UNCHANGED))
        return {action: counter.get(action, 0) for action in actions}

    def changes_of(self, entity: str, action: str | None = None) -> list[Change]:
        return [
            change
            for change in self.changes
            if change.entity == entity and (action is None or change.action == action)
        ]

    def warning_counts(self) -> dict[str, int]:
        return dict(Counter(issue.code for issue in self.warnings))

    def summary(self) -> str:
        if self.errors:
            return _("取り込めませんでした（誤り {count} 件）。何も変更していません。").format(
                count=len(self.errors)
            )
        if not self.has_changes:
            return _("変更はありません。")
        counts = self.counts("service")
        if self.retire_missing:
            template = (
                _(
                    "取り込みました: サービス 追加 {add} 件、変更 {update} 件、変更なし {unchanged} 件、休止 {retire} 件"
                )
                if self.applied
                else _(
                    "確認のみ（保存していません）: サービス 追加 {add} 件、変更 {update} 件、変更なし {unchanged} 件、休止 {retire} 件"
                )
            )
        else:
            template = (
                _(
                    "取り込みました: サービス 追加 {add} 件、変更 {update} 件、変更なし {unchanged} 件"
                )
                if self.applied
                else _(
                    "確認のみ（保存していません）: サービス 追加 {add} 件、変更 {update} 件、変更なし {unchanged} 件"
                )
            )
        return template.format(**counts)


class _Rollback(Exception):
    """Raised inside the preview's transaction to undo everything it wrote."""


def directory_import_preview(
    *,
    municipality: Municipality,
    data: bytes,
    filename: str,
    kind: str = "auto",
    retire_missing: bool = False,
) -> ImportResult:
    """What importing ``data`` would change; nothing is written."""
    return _run(
        actor=None,
        municipality=municipality,
        data=data,
        filename=filename,
        kind=kind,
        retire_missing=retire_missing,
        apply=False,
    )


def directory_import_apply(
    *,
    actor: Any,
    municipality: Municipality,
    data: bytes,
    filename: str,
    kind: str = "auto",
    retire_missing: bool = False,
    request: HttpRequest | None = None,
) -> ImportResult:
    """Import ``data`` (all or nothing), audit it and re-index the touched services.

    ``retire_missing`` (open-data files only): set the services of the file's dataset that it
    no longer lists to 休止中."""
    return _run(
        actor=actor,
        municipality=municipality,
        data=data,
        filename=filename,
        kind=kind,
        retire_missing=retire_missing,
        apply=True,
        request=request,
    )


def detect_format(data: bytes, filename: str) -> str:
    """ "hsds" for JSON or a ZIP (a datapackage); "auto" (an open-data CSV) otherwise."""
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if data.startswith(b"PK\x03\x04") or head in {b"{", b"["}:
        return "hsds"
    if filename.lower().endswith((".json", ".zip")):
        return "hsds"
    return "auto"


def parse(*, municipality: Municipality, data: bytes, filename: str, kind: str) -> Bundle:
    """The file's records (no database access except none); errors are in ``bundle.errors``."""
    if kind not in KINDS:
        raise DomainError(
            code="unknown_kind",
            message=_("種類「{kind}」はありません。{kinds} のいずれかを指定してください。").format(
                kind=kind, kinds="、".join(KINDS)
            ),
        )
    if kind == "auto" and detect_format(data, filename) == "hsds":
        kind = "hsds"
    if kind == "hsds":
        return hsds_parser.parse_hsds(data)
    place = opendata.Place(
        code=municipality.code,
        name=municipality.name,
        prefecture=municipality.prefecture,
        readings=place_readings(municipality),
    )
    return opendata.parse_opendata(data, kind=kind, place=place)


def _run(
    *,
    actor: Any,
    municipality: Municipality,
    data: bytes,
    filename: str,
    kind: str,
    retire_missing: bool,
    apply: bool,
    request: HttpRequest | None = None,
) -> ImportResult:
    result = ImportResult(
        filename=filename,
        sha256=hashlib.sha256(data).hexdigest(),
        kind=kind,
        retire_missing=retire_missing,
    )
    if retire_missing and (
        kind == "hsds" or (kind == "auto" and detect_format(data, filename) == "hsds")
    ):
        result.errors.append(
            Issue(
                code="retire_missing_hsds",
                message=_(
                    "HSDS のファイルでは、このファイルにない情報を「休止中」にすることはできません。"
                    "HSDS は複数の発行元のファイルが同じ取込元（hsds）を使うため、"
                    "1つのファイルに載っていないことは休止を意味しません。"
                    "休止にする指定はオープンデータの CSV（kaigo・kosodate・iryo・aed）で使ってください。"
                ),
            )
        )
        return result
    try:
        bundle = parse(municipality=municipality, data=data, filename=filename, kind=kind)
    except DomainError as error:
        result.errors.append(Issue(code=error.code, message=error.message))
        return result
    result.kind = bundle.kind
    result.notes = list(bundle.notes)
    result.errors = list(bundle.errors)
    result.warnings = list(bundle.warnings)
    result.rows_read, result.rows_skipped = bundle.rows_read, bundle.rows_skipped
    if result.errors:
        return result
    if retire_missing:
        if not bundle.services:
            result.errors.append(
                Issue(
                    code="retire_missing_empty",
                    message=_(
                        "このファイルには取り込めるサービスが1件もありません。"
                        "このままでは取り込み済みの「{dataset}」がすべて休止中になるため、取り込みません。"
                        "ファイルの中身と自治体コードを確かめてください。"
                    ).format(dataset=opendata.kind_label(bundle.kind)),
                )
            )
            return result
        result.notes.append(
            _(
                "このファイルにない取り込み済みの「{dataset}」（実施中・一時休止のもの）は「休止中」にします。"
            ).format(dataset=opendata.kind_label(bundle.kind))
        )
    try:
        with transaction.atomic():
            writer = _Writer(municipality, bundle, result, retire_missing=retire_missing)
            writer.write()
            if result.errors:
                raise _Rollback
            if apply and result.has_changes:
                _index(municipality, result.service_ids)
                counts = result.counts("service")
                changes: dict[str, list[Any]] = {
                    f"{entity}_{action}": [None, count]
                    for entity in ENTITIES
                    for action, count in result.counts(entity).items()
                }
                changes.update(
                    (status_audit_key(pk), [before, after])
                    for pk, (before, after) in writer.status_changes.items()
                )
                template = (
                    _(
                        "地域資源情報を取り込みました（{kind}、ファイル: {file}、SHA-256: {sha}）: "
                        "サービス 追加 {add} 件、変更 {update} 件、変更なし {unchanged} 件、"
                        "休止 {retire} 件、警告 {warnings} 件"
                    )
                    if retire_missing
                    else _(
                        "地域資源情報を取り込みました（{kind}、ファイル: {file}、SHA-256: {sha}）: "
                        "サービス 追加 {add} 件、変更 {update} 件、変更なし {unchanged} 件、警告 {warnings} 件"
                    )
                )
                audit.record(
                    actor=actor,
                    action=Action.IMPORT,
                    municipality=municipality,
                    object_type=AUDIT_OBJECT_TYPE,
                    object_id=result.sha256[:16],
                    object_repr=filename[:200],
                    changes=changes,
                    detail=template.format(
                        kind=bundle.kind,
                        file=filename or "-",
                        sha=result.sha256[:16],
                        warnings=len(result.warnings),
                        **counts,
                    ),
                    request=request,
                )
            if not apply:
                raise _Rollback
            result.applied = True
    except _Rollback:
        result.applied = False
    return result


def _index(municipality: Municipality, service_ids: list[uuid.UUID]) -> None:
    from sasaeai.directory.search import index_services

    index_services(municipality, service_ids)


# --- writing ---------------------------------------------------------------------------------


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


class _Writer:
    def __init__(
        self,
        municipality: Municipality,
        bundle: Bundle,
        result: ImportResult,
        *,
        retire_missing: bool = False,
    ) -> None:
        self.municipality = municipality
        self.bundle = bundle
        self.result = result
        self.kind = bundle.kind
        self.retire_missing = retire_missing
        self.towns = TownMatcher(municipality)
        self.pending: dict[type[Any], list[Any]] = {model: [] for model in _CREATION_ORDER}
        self.claimed: set[uuid.UUID] = set()
        # services retired or reactivated: id → (status before, after), for the audit row
        self.status_changes: dict[uuid.UUID, tuple[str, str]] = {}

    def write(self) -> None:
        organizations = self._organizations()
        locations = self._locations(organizations)
        self._services(organizations, locations)
        if self.retire_missing:
            self._retire_missing()
        for model in _CREATION_ORDER:  # new rows in bulk, parents before children
            model.objects.bulk_create(self.pending[model], batch_size=500)

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
    def _organizations(self) -> dict[str, Organization]:
        records = self.bundle.organizations
        existing = {
            org.source_id: org
            for org in Organization.objects.filter(
                municipality=self.municipality, source_kind=self.kind, source_id__in=list(records)
            ).prefetch_related(*_PHONES, *_CONTACTS)
        }
        result: dict[str, Organization] = {}
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
                changed += self._replace_details(org, record, _ORGANIZATION_DETAILS)
                if changed:
                    for name, value in values.items():
                        setattr(org, name, value)
                    org.is_demo = False
                    org.save()
                self._change(
                    "organization",
                    UPDATE if changed else UNCHANGED,
                    key,
                    record.name,
                    record.row,
                    changed,
                )
            result[key] = org
        return result

    # locations
    def _locations(self, organizations: dict[str, Organization]) -> dict[str, Location]:
        records = self.bundle.locations
        existing = {
            location.source_id: location
            for location in Location.objects.filter(
                municipality=self.municipality, source_kind=self.kind, source_id__in=list(records)
            ).prefetch_related(
                "addresses", *_PHONES, "schedules", *_CONTACTS, "languages", "accessibility"
            )
        }
        result: dict[str, Location] = {}
        for key, record in records.items():
            location = existing.get(key)
            values = record.fields()
            if not self._fits(Location, values, record.row, record.name):
                continue
            org = organizations.get(record.organization_key) if record.organization_key else None
            values["organization_id"] = org.pk if org else None
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
                current_address = [_address_canonical(a) for a in location.addresses.all()]
                if current_address != wanted_address:
                    changed.append("address")
                    location.addresses.all().delete()
                    self._set_address(record, location)
                changed += self._replace_details(location, record, _LOCATION_DETAILS)
                if changed:
                    for name, value in values.items():
                        setattr(location, name, value)
                    location.is_demo = False
                    location.save()
                self._change(
                    "location",
                    UPDATE if changed else UNCHANGED,
                    key,
                    record.name,
                    record.row,
                    changed,
                )
            result[key] = location
        return result

    def _place(self, record: LocationRecord) -> tuple[Any, Any]:
        """(town, district) of a location: named by the file, else matched on the address."""
        town = None
        if record.town_name:
            town = self.towns.named(record.town_name)
            if town is None:
                self.result.warnings.append(
                    Issue(
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

    def _replace_details(self, obj: Any, record: Any, names: Sequence[str]) -> list[str]:
        """Replace each of ``names`` (contacts, languages …) of ``obj`` (prefetched) whose
        rows differ from ``record``'s; the names replaced."""
        owner = {type(obj).__name__.lower(): obj}
        replaced = []
        for name in names:
            rows = getattr(obj, name).all()
            if canonical_list(map(_DETAIL_RECORDS[name], rows)) != canonical_list(
                getattr(record, name)
            ):
                replaced.append(name)
                rows.delete()
                self._details_setter(name)(getattr(record, name), **owner)
        return replaced

    # services
    def _services(
        self, organizations: dict[str, Organization], locations: dict[str, Location]
    ) -> None:
        records = self.bundle.services
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
            org = organizations.get(record.organization_key)
            if org is None:
                self.result.errors.append(
                    Issue(
                        code="missing_organization",
                        message=_(
                            "サービス「{name}」の団体（{id}）がファイルにありません。"
                        ).format(name=record.name, id=record.organization_key),
                        row=record.row,
                    )
                )
                continue
            values["organization_id"] = org.pk
            wanted_terms = {terms[ref].pk for ref in record.terms if ref in terms}
            wanted_locations = {locations[k].pk for k in record.location_keys if k in locations}
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
                self.result.service_ids.append(service.pk)
                continue
            changed = _differs(service, values)
            changed += self._replace_details(service, record, _SERVICE_DETAILS)
            current_locations = {sal.location_id for sal in service.at_locations.all()}
            if current_locations != wanted_locations:
                changed.append("locations")
                ServiceAtLocation.objects.filter(service=service).exclude(
                    location_id__in=wanted_locations
                ).delete()
                self._set_locations(service, wanted_locations - current_locations)
            current_terms = attributes.get(service.pk, set())
            if implied_status:  # the file's kind gives its terms; those staff added stay
                wanted_terms = wanted_terms | current_terms
            if current_terms != wanted_terms:
                changed.append("terms")
                self._set_terms(service, wanted_terms, current_terms)
            if changed:
                if implied_status and "status" in changed:
                    self.status_changes[service.pk] = (service.status, values["status"])
                for name, value in values.items():
                    setattr(service, name, value)
                service.is_demo = False
                service.save()
                self.result.service_ids.append(service.pk)
            self._change(
                "service", UPDATE if changed else UNCHANGED, key, record.name, record.row, changed
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
        listed = set(self.bundle.services)
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
            self._change("service", RETIRE, service.source_id, service.name, None, ("status",))
            self.result.service_ids.append(service.pk)

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
        """Each reference's term: the profile's by code, else found or made by taxonomy name."""
        from sasaeai.directory.taxonomies import ensure_taxonomies

        profile = ensure_taxonomies(self.municipality)
        found: dict[TermRef, TaxonomyTerm] = {}
        for ref in dict.fromkeys(refs):
            profile_term = profile.get(ref.code)
            profile_taxonomy = profile_term.taxonomy if profile_term else None
            if profile_term is not None and (
                not ref.taxonomy or (profile_taxonomy and ref.taxonomy == profile_taxonomy.name)
            ):
                found[ref] = profile[ref.code]
                continue
            if not ref.taxonomy:
                self.result.errors.append(
                    Issue(
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
                self.result.errors.append(
                    Issue(
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
    ) -> None:
        self.result.changes.append(
            Change(entity=entity, action=action, key=key, name=name, row=row, fields=tuple(fields))
        )


def _address_canonical(address: Address) -> tuple[Any, ...]:
    return AddressRecord.of_row(address).canonical()
