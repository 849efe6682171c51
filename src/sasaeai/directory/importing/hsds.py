"""HSDS 3.0 files: JSON and the tabular CSV datapackage (a folder zipped, or a ZIP).

JSON may be an array of service objects (as ``examples/service_full.json`` or the items of
``service_list.json``), a single service, or the API's paginated wrapper (``contents``).
A datapackage is read table by table and nested back into service objects
(``exporting.tabular.nest``). Identity is the file's own ids (``source_kind`` hsds,
``source_id`` = the HSDS id); our UUID reuses theirs when it is free. Attributes of the
``sasaeai-profile`` taxonomy set the profile's fields (readings, 行政地区, 町丁目,
closures) instead of becoming attributes.

Besides phones and schedules, a service's ``contacts`` (with their ``phones``),
``languages`` and ``cost_options``, a location's ``contacts``, ``languages`` and
``accessibility``, an organisation's ``contacts`` and a phone's ``languages`` are read; an
object belongs to the one it is nested in (a row of the tabular format to every parent its
id columns name).

Hostile input: web addresses that are not http(s) are dropped with a warning; control
characters are removed from every string (JSON path or file, line and column in the
warning); JSON nested deeper than Python can parse is refused with where it goes too deep;
a ZIP that unpacks to more than ``MAX_UNZIPPED_BYTES`` is refused unread.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import PurePosixPath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db.models import Model
from django.utils.translation import gettext as _

from sasaeai.core.errors import DomainError
from sasaeai.core.imports import ImportIssue
from sasaeai.core.weburl import is_web_url
from sasaeai.directory.exporting import schemas, tabular
from sasaeai.directory.exporting.hsds import PROFILE_TAXONOMY
from sasaeai.directory.importing.records import (
    AccessibilityRecord,
    AddressRecord,
    Bundle,
    ContactRecord,
    CostOptionRecord,
    LanguageRecord,
    LocationRecord,
    OrganizationRecord,
    PhoneRecord,
    ScheduleRecord,
    ServiceRecord,
    TermRef,
)
from sasaeai.directory.importing.source import ImportFile
from sasaeai.directory.importing.text import (
    controls_message,
    decode,
    remove_controls,
    url_message,
)
from sasaeai.directory.models import Accessibility, Contact, CostOption, Language
from sasaeai.directory.phones import normalize_phone, phone_problem

STATUSES = ("active", "inactive", "defunct", "temporarily closed")
FREQUENCIES = ("WEEKLY", "MONTHLY")
LOCATION_TYPES = ("physical", "postal", "virtual")
DEFAULT_TAXONOMY = "HSDS"
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$")
STEP = Decimal("0.000001")
MAX_UNZIPPED_BYTES = 200_000_000  # a datapackage larger than this is refused unread
# ISO 639-1 (the two-letter codes, iso-codes 4.x). HSDS also allows ISO 639-3's three
# letters; those (about 7,900) are checked for their form only.
ISO_639_1 = frozenset(
    """
    aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv
    cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr
    ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw
    ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv
    ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr
    ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi
    yo za zh zu
    """.split()  # noqa: SIM905 (a list literal would take 184 lines)
)
_ISO_639_3 = re.compile(r"^[a-z]{3}$")
_CURRENCY = re.compile(r"^[A-Za-z]{3}$")
MAX_AMOUNT = Decimal(10) ** 10  # CostOption.amount: 10 digits, no decimals


CHUNK_SERVICES = 500  # services per chunk handed to the importer
MAX_JSON_DEPTH = 64  # HSDS nests a dozen levels; deeper is reported where it happens


@dataclass
class _Seen:
    """The ids read so far, across chunks: each object is read where it first appears."""

    services: set[str] = field(default_factory=set)
    organizations: set[str] = field(default_factory=set)
    locations: set[str] = field(default_factory=set)


def read_hsds(source: ImportFile, *, chunk_services: int = CHUNK_SERVICES) -> Iterator[Bundle]:
    """Read an HSDS file: first a bundle of what concerns the whole file (notes, errors that
    refuse it, control characters removed, ``rows_total`` = services), then the services in
    chunks of ``chunk_services``. Raises DomainError for an encoding it cannot read."""
    head = Bundle(kind="hsds")
    if source.head(4) == b"PK\x03\x04":
        head.notes.append(_("形式: HSDS 3.0 表形式（datapackage の ZIP）"))
        services = _read_package(source, head)
    else:
        head.notes.append(_("形式: HSDS 3.0 JSON"))
        services = _read_json(source, head)
        for index, service in enumerate(services):
            _remove_controls(service, f"services[{index}]", head)
    head.rows_total = head.rows_selected = len(services)
    yield head
    if head.errors:
        return
    seen = _Seen()
    for start in range(0, len(services), chunk_services):
        bundle = Bundle(kind="hsds")
        for index in range(start, min(start + chunk_services, len(services))):
            bundle.rows_read += 1
            _Service(bundle, seen, services[index], f"services[{index}]").read()
            services[index] = {}  # read: let it go
        yield bundle


def _read_json(source: ImportFile, bundle: Bundle) -> list[Any]:
    text = decode(source.read()).text
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        bundle.errors.append(
            ImportIssue(
                code="json",
                message=_("JSON として読めません（{line}行目 {column}文字目: {reason}）。").format(
                    line=error.lineno, column=error.colno, reason=error.msg
                ),
            )
        )
        return []
    except RecursionError:
        bundle.errors.append(_too_deep(text))
        return []
    if isinstance(value, Mapping) and isinstance(value.get("contents"), list):
        value = value["contents"]
    if isinstance(value, Mapping):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, Mapping) for item in value):
        bundle.errors.append(
            ImportIssue(
                code="json",
                message=_(
                    "HSDS のサービス（オブジェクト、その配列、または contents を持つ一覧）ではありません。"
                ),
            )
        )
        return []
    return value


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _too_deep(text: str) -> ImportIssue:
    """The error for JSON nested deeper than the parser can follow, naming where it first
    goes deeper than ``MAX_JSON_DEPTH`` levels."""
    depth = 0
    where = ""
    for match in _JSON_TOKEN.finditer(text):
        piece = match.group()
        if piece in ("[", "{"):
            depth += 1
            if depth > MAX_JSON_DEPTH:
                offset = match.start()
                line = text.count("\n", 0, offset) + 1
                column = offset - text.rfind("\n", 0, offset)
                where = _("{line}行目 {column}文字目で {limit} 段を超えています").format(
                    line=line, column=column, limit=MAX_JSON_DEPTH
                )
                break
        elif piece in ("]", "}"):
            depth -= 1
    return ImportIssue(
        code="json_depth",
        message=_(
            "JSON の入れ子が深すぎます（{where}）。HSDS のファイルの入れ子は十数段までです。"
            "ファイルが壊れていないか確かめてください。"
        ).format(where=where or _("{limit} 段を超えています").format(limit=MAX_JSON_DEPTH)),
    )


def _remove_controls(service: Any, path: str, bundle: Bundle) -> None:
    """Remove control characters from every string of one service object (in place), with a
    warning naming its JSON path. Iterative: a deep object cannot exhaust the stack."""
    stack: list[tuple[Any, str]] = [(service, "")]
    while stack:
        container, where = stack.pop()
        items = (
            container.items()
            if isinstance(container, dict)
            else enumerate(container)
            if isinstance(container, list)
            else ()
        )
        for key, value in list(items):
            inner = (
                f"{where}[{key}]"
                if isinstance(key, int)
                else (f"{where}.{key}" if where else str(key))
            )
            if isinstance(value, str):
                cleaned, removed = remove_controls(value)
                if removed:
                    container[key] = cleaned
                    bundle.warnings.append(
                        ImportIssue(
                            code="control_character",
                            message=controls_message(removed),
                            sheet=path,
                            column=inner,
                        )
                    )
            elif isinstance(value, (dict, list)):
                stack.append((value, inner))


_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, EOFError, RuntimeError, NotImplementedError)


def _read_package(source: ImportFile, bundle: Bundle) -> list[dict[str, Any]]:
    try:
        with source.open() as stream, zipfile.ZipFile(stream) as archive:
            return _read_archive(archive, bundle)
    except _ZIP_ERRORS:
        bundle.errors.append(ImportIssue(code="zip", message=_("ZIP ファイルとして読めません。")))
        return []


def _read_archive(archive: zipfile.ZipFile, bundle: Bundle) -> list[dict[str, Any]]:
    unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > MAX_UNZIPPED_BYTES:
        bundle.errors.append(
            ImportIssue(
                code="zip_too_large",
                message=_(
                    "ZIP の中身が大きすぎます（展開すると {size}MB、上限は {limit}MB）。"
                ).format(size=unpacked // 1_000_000, limit=MAX_UNZIPPED_BYTES // 1_000_000),
            )
        )
        return []
    names = {
        PurePosixPath(name).name: name for name in archive.namelist() if not name.endswith("/")
    }
    if "datapackage.json" not in names:
        bundle.errors.append(
            ImportIssue(code="datapackage", message=_("datapackage.json が ZIP の中にありません。"))
        )
        return []
    paths = {spec.name: spec.path for spec in schemas.tables()}
    try:
        package = json.loads(decode(archive.read(names["datapackage.json"])).text)
        for resource in package.get("resources", []):
            if resource.get("name") in paths and resource.get("path"):
                paths[resource["name"]] = str(resource["path"])
    except (json.JSONDecodeError, AttributeError, TypeError, RecursionError, DomainError):
        bundle.errors.append(
            ImportIssue(
                code="datapackage", message=_("datapackage.json を JSON として読めません。")
            )
        )
        return []
    tables: dict[str, list[dict[str, str]]] = {}
    for table, path in paths.items():
        name = PurePosixPath(path).name
        if name not in names:
            continue
        try:
            text = decode(archive.read(names[name])).text
        except DomainError as error:
            bundle.errors.append(ImportIssue(code=error.code, message=error.message, sheet=name))
            continue
        try:
            tables[table] = _read_table(text, name, bundle)
        except csv.Error as error:
            bundle.errors.append(
                ImportIssue(
                    code="csv",
                    message=_("CSV として読めません（{reason}）。").format(reason=error),
                    sheet=name,
                )
            )
    if bundle.errors:
        return []
    if "service" not in tables:
        bundle.errors.append(
            ImportIssue(code="datapackage", message=_("services.csv が ZIP の中にありません。"))
        )
        return []
    return tabular.nest(tables)


def _read_table(text: str, name: str, bundle: Bundle) -> list[dict[str, str]]:
    """One CSV of the datapackage as rows of text, control characters removed (a warning
    names the file, line and column)."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows = []
    for row in reader:
        cells: dict[str, str] = {}
        for key, value in row.items():
            if key is None:
                continue
            column = str(key).strip()
            cleaned, removed = remove_controls((value or "").strip())
            if removed:
                bundle.warnings.append(
                    ImportIssue(
                        code="control_character",
                        message=controls_message(removed),
                        sheet=name,
                        row=reader.line_num,
                        column=column,
                    )
                )
            cells[column] = cleaned
        rows.append(cells)
    return rows


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: Any) -> str:
    if value is None:
        return ""
    return str(value).strip()


class _Service:
    def __init__(self, bundle: Bundle, seen: _Seen, obj: Mapping[str, Any], path: str) -> None:
        self.bundle = bundle
        self.seen = seen
        self.obj = obj
        self.path = path

    def error(self, field: str, message: str) -> None:
        self.bundle.errors.append(
            ImportIssue(code="invalid", message=message, sheet=self.path, column=field)
        )

    def warn(self, field: str, message: str, code: str = "hsds") -> None:
        self.bundle.warnings.append(
            ImportIssue(code=code, message=message, sheet=self.path, column=field)
        )

    def url(self, value: Any, field: str) -> str:
        """A web address: anything but http(s) (``javascript:``, ``data:`` …) is dropped
        with a warning, and the object stands."""
        text = _text(value)
        if text and not is_web_url(text):
            self.warn(field, url_message(text), "url")
            return ""
        return text

    def read(self) -> None:
        obj = self.obj
        before = len(self.bundle.errors)
        service_id = _text(obj.get("id"))
        name = _text(obj.get("name"))
        if not service_id:
            self.error("id", _("id がありません。"))
        if not name:
            self.error("name", _("name（名称）がありません。"))
        status = _text(obj.get("status")) or "active"
        if status not in STATUSES:
            self.error(
                "status",
                _("status「{value}」は {allowed} のいずれかにしてください。").format(
                    value=status, allowed="、".join(STATUSES)
                ),
            )
        if service_id in self.seen.services:
            self.error("id", _("id「{id}」のサービスが二つあります。").format(id=service_id))
        org_key = self.organization(service_id, name)
        location_keys = [
            key
            for index, sal in enumerate(obj.get("service_at_locations") or [])
            if isinstance(sal, Mapping)
            for key in [
                self.location(
                    sal.get("location"), f"service_at_locations[{index}].location", org_key
                )
            ]
            if key
        ]
        profile, terms = self.attributes(obj.get("attributes"), "attributes")
        record = ServiceRecord(
            key=service_id,
            name=name,
            organization_key=org_key,
            name_kana=profile.get("name_kana", ""),
            alternate_name=_text(obj.get("alternate_name")),
            description=_text(obj.get("description")),
            url=self.url(obj.get("url"), "url"),
            email=_text(obj.get("email")),
            status=status,
            application_process=_text(obj.get("application_process")),
            fees_description=_text(obj.get("fees_description")),
            eligibility_description=_text(obj.get("eligibility_description")),
            minimum_age=self.age(obj.get("minimum_age"), "minimum_age"),
            maximum_age=self.age(obj.get("maximum_age"), "maximum_age"),
            alert=_text(obj.get("alert")),
            assured_date=self.date(obj.get("assured_date"), "assured_date"),
            assurer_email=_text(obj.get("assurer_email")),
            location_keys=location_keys,
            phones=self.phones(obj.get("phones"), "phones"),
            schedules=self.schedules(obj.get("schedules"), "schedules"),
            contacts=self.contacts(obj.get("contacts"), "contacts"),
            languages=self.languages(obj.get("languages"), "languages"),
            cost_options=self.cost_options(obj.get("cost_options"), "cost_options"),
            terms=terms,
            hsds_id=service_id,
        )
        if len(self.bundle.errors) == before:
            self.seen.services.add(service_id)
            self.bundle.services[service_id] = record

    def organization(self, service_id: str, service_name: str) -> str:
        org = self.obj.get("organization")
        if isinstance(org, Mapping) and _text(org.get("id")):
            key = _text(org["id"])
            if key not in self.seen.organizations:
                self.seen.organizations.add(key)
                profile, _terms = self.attributes(org.get("attributes"), "organization.attributes")
                name = _text(org.get("name"))
                if not name:
                    self.error("organization.name", _("団体の name（名称）がありません。"))
                self.bundle.organizations[key] = OrganizationRecord(
                    key=key,
                    name=name,
                    name_kana=profile.get("name_kana", ""),
                    alternate_name=_text(org.get("alternate_name")),
                    description=_text(org.get("description")),
                    email=_text(org.get("email")),
                    website=self.url(org.get("website"), "organization.website"),
                    tax_id=_text(org.get("tax_id"))[:13],
                    legal_status=_text(org.get("legal_status")),
                    phones=self.phones(org.get("phones"), "organization.phones"),
                    contacts=self.contacts(org.get("contacts"), "organization.contacts"),
                    hsds_id=key,
                )
            return key
        key = _text(self.obj.get("organization_id")) or f"service:{service_id}"
        if key not in self.seen.organizations:
            self.seen.organizations.add(key)
            self.warn(
                "organization",
                _("団体（organization）の記載がないため、サービス名で団体を作ります。"),
            )
            self.bundle.organizations[key] = OrganizationRecord(
                key=key, name=service_name, hsds_id=key
            )
        return key

    def location(self, obj: Any, path: str, org_key: str) -> str | None:
        if not isinstance(obj, Mapping) or not _text(obj.get("id")):
            return None
        key = _text(obj["id"])
        if key in self.seen.locations:
            return key
        self.seen.locations.add(key)
        location_type = _text(obj.get("location_type")) or "physical"
        if location_type not in LOCATION_TYPES:
            self.error(
                f"{path}.location_type",
                _(
                    "location_type「{value}」は physical、postal、virtual のいずれかにしてください。"
                ).format(value=location_type),
            )
        profile, _terms = self.attributes(obj.get("attributes"), f"{path}.attributes")
        addresses = [a for a in obj.get("addresses") or [] if isinstance(a, Mapping)]
        address = None
        if addresses:
            first = addresses[0]
            address = AddressRecord(
                address_1=_text(first.get("address_1")),
                address_2=_text(first.get("address_2")),
                city=_text(first.get("city")),
                state_province=_text(first.get("state_province")),
                postal_code=_text(first.get("postal_code")),
                region=_text(first.get("region")),
                attention=_text(first.get("attention")),
                country=(_text(first.get("country")) or "JP")[:2],
                address_type=_text(first.get("address_type"))
                if _text(first.get("address_type")) in LOCATION_TYPES
                else "physical",
                hsds_id=_text(first.get("id")),
            )
        organization_key = _text(obj.get("organization_id"))
        self.bundle.locations[key] = LocationRecord(
            key=key,
            name=_text(obj.get("name")),
            name_kana=profile.get("name_kana", ""),
            alternate_name=_text(obj.get("alternate_name")),
            description=_text(obj.get("description")),
            transportation=_text(obj.get("transportation")),
            url=self.url(obj.get("url"), f"{path}.url"),
            latitude=self.coordinate(obj.get("latitude"), f"{path}.latitude", 90),
            longitude=self.coordinate(obj.get("longitude"), f"{path}.longitude", 180),
            external_identifier=_text(obj.get("external_identifier")),
            external_identifier_type=_text(obj.get("external_identifier_type")),
            location_type=location_type,
            organization_key=organization_key
            if organization_key in self.seen.organizations
            else org_key,
            address=address,
            phones=self.phones(obj.get("phones"), f"{path}.phones"),
            schedules=self.schedules(obj.get("schedules"), f"{path}.schedules"),
            contacts=self.contacts(obj.get("contacts"), f"{path}.contacts"),
            languages=self.languages(obj.get("languages"), f"{path}.languages"),
            accessibility=self.accessibility(obj.get("accessibility"), f"{path}.accessibility"),
            district_name=profile.get("district"),
            town_name=profile.get("town"),
            hsds_id=key,
        )
        return key

    def attributes(self, values: Any, path: str) -> tuple[dict[str, str], list[TermRef]]:
        profile: dict[str, str] = {}
        terms: list[TermRef] = []
        for attribute in values or []:
            if not isinstance(attribute, Mapping):
                continue
            term = _mapping(attribute.get("taxonomy_term"))
            detail = _mapping(term.get("taxonomy_detail"))
            taxonomy = _text(term.get("taxonomy")) or _text(detail.get("name"))
            code = _text(term.get("code"))
            if (
                taxonomy == PROFILE_TAXONOMY
                or _text(attribute.get("link_type")) == PROFILE_TAXONOMY
            ):
                profile[code] = _text(attribute.get("value"))
                continue
            name = _text(term.get("name"))
            if not (code or name):
                self.warn(path, _("分類の語（taxonomy_term）の記載がない属性を読み飛ばしました。"))
                continue
            terms.append(
                TermRef(
                    code=code,
                    name=name,
                    taxonomy=taxonomy or DEFAULT_TAXONOMY,
                    description=_text(term.get("description")),
                )
            )
        return profile, terms

    def phones(self, values: Any, path: str) -> list[PhoneRecord]:
        phones = []
        for index, phone in enumerate(values or []):
            if not isinstance(phone, Mapping):
                continue
            number = _text(phone.get("number"))
            if not number:
                self.error(f"{path}[{index}].number", _("電話番号（number）がありません。"))
                continue
            # HSDS data may come from abroad (the standard's own example has a UK number):
            # a number that is not Japanese is kept as given, with a warning.
            problem = phone_problem(normalize_phone(number))
            if problem is None:
                number = normalize_phone(number)
            else:
                self.warn(
                    f"{path}[{index}].number",
                    _(
                        "「{value}」は日本の電話番号として読めません（{problem}）。"
                        "書かれたまま取り込みました。"
                    ).format(value=number, problem=problem.rstrip("。")),
                )
            extension = phone.get("extension")
            try:
                extension_value = (
                    None if extension is None or extension == "" else int(Decimal(str(extension)))
                )
                if extension_value is not None and not 0 <= extension_value < 10**9:
                    raise ValueError(extension)
            except (ArithmeticError, ValueError):  # not a number, Infinity, out of range
                extension_value = None
                self.warn(
                    f"{path}[{index}].extension",
                    _("内線番号「{value}」は数値ではないため読み飛ばしました。").format(
                        value=extension
                    ),
                )
            phones.append(
                PhoneRecord(
                    number=number[:30],
                    extension=extension_value,
                    type=_text(phone.get("type"))[:20],
                    description=_text(phone.get("description"))[:300],
                    languages=self.languages(phone.get("languages"), f"{path}[{index}].languages"),
                    hsds_id=_text(phone.get("id")),
                )
            )
        return phones

    def schedules(self, values: Any, path: str) -> list[ScheduleRecord]:
        schedules = []
        for index, item in enumerate(values or []):
            if not isinstance(item, Mapping):
                continue
            where = f"{path}[{index}]"
            freq = _text(item.get("freq")).upper()
            if freq and freq not in FREQUENCIES:
                self.error(
                    f"{where}.freq",
                    _("freq「{value}」は WEEKLY か MONTHLY にしてください。").format(value=freq),
                )
            profile, _terms = self.attributes(item.get("attributes"), f"{where}.attributes")
            interval = item.get("interval")
            schedules.append(
                ScheduleRecord(
                    freq=freq if freq in FREQUENCIES else "",
                    byday=_text(item.get("byday")).upper(),
                    bymonthday=_text(item.get("bymonthday")),
                    interval=self.age(interval, f"{where}.interval"),
                    opens_at=self.time(item.get("opens_at"), f"{where}.opens_at"),
                    closes_at=self.time(item.get("closes_at"), f"{where}.closes_at"),
                    valid_from=self.date(item.get("valid_from"), f"{where}.valid_from"),
                    valid_to=self.date(item.get("valid_to"), f"{where}.valid_to"),
                    dtstart=self.date(item.get("dtstart"), f"{where}.dtstart"),
                    until=self.date(item.get("until"), f"{where}.until"),
                    description=_text(item.get("description")),
                    notes=_text(item.get("notes")),
                    attending_type=_text(item.get("attending_type"))[:50],
                    closed_on_holidays=profile.get("closed_on_holidays") == "true",
                    closed_year_end=profile.get("closed_year_end") == "true",
                    hsds_id=_text(item.get("id")),
                )
            )
        return schedules

    def contacts(self, values: Any, path: str) -> list[ContactRecord]:
        contacts = []
        for index, item in enumerate(values or []):
            if not isinstance(item, Mapping):
                continue
            where = f"{path}[{index}]"
            email = self.text(item, "email", where, Contact)
            if email:
                try:
                    validate_email(email)
                except ValidationError:
                    self.error(
                        f"{where}.email",
                        _("「{value}」はメールアドレスとして読めません。").format(value=email),
                    )
            contacts.append(
                ContactRecord(
                    name=self.text(item, "name", where, Contact),
                    title=self.text(item, "title", where, Contact),
                    department=self.text(item, "department", where, Contact),
                    email=email,
                    phones=self.phones(item.get("phones"), f"{where}.phones"),
                    hsds_id=_text(item.get("id")),
                )
            )
        return contacts

    def languages(self, values: Any, path: str) -> list[LanguageRecord]:
        languages = []
        for index, item in enumerate(values or []):
            if not isinstance(item, Mapping):
                continue
            where = f"{path}[{index}]"
            name = self.text(item, "name", where, Language)
            code = self.text(item, "code", where, Language)
            if not (name or code):
                self.warn(where, _("言語の name も code もないため読み飛ばしました。"))
                continue
            if code.lower() in ISO_639_1 or _ISO_639_3.match(code.lower()):
                code = code.lower()
            elif code:
                self.warn(
                    f"{where}.code",
                    _(
                        "言語コード「{value}」は ISO 639 のコード（日本語は ja、英語は en）"
                        "ではありません。書かれたまま取り込みました。"
                    ).format(value=code),
                )
            languages.append(
                LanguageRecord(
                    name=name,
                    code=code,
                    note=self.text(item, "note", where, Language),
                    hsds_id=_text(item.get("id")),
                )
            )
        return languages

    def accessibility(self, values: Any, path: str) -> list[AccessibilityRecord]:
        items = []
        for index, item in enumerate(values or []):
            if not isinstance(item, Mapping):
                continue
            where = f"{path}[{index}]"
            url = self.text(item, "url", where, Accessibility)
            if url:
                try:
                    URLValidator(schemes=["http", "https"])(url)
                except ValidationError:
                    self.error(
                        f"{where}.url",
                        _(
                            "「{value}」は URL（http:// か https:// で始まる）として読めません。"
                        ).format(value=url),
                    )
            items.append(
                AccessibilityRecord(
                    description=_text(item.get("description")),
                    details=_text(item.get("details")),
                    url=url,
                    hsds_id=_text(item.get("id")),
                )
            )
        return items

    def cost_options(self, values: Any, path: str) -> list[CostOptionRecord]:
        options = []
        for index, item in enumerate(values or []):
            if not isinstance(item, Mapping):
                continue
            where = f"{path}[{index}]"
            currency = _text(item.get("currency")).upper() or "JPY"
            if not _CURRENCY.match(currency):
                self.error(
                    f"{where}.currency",
                    _(
                        "currency「{value}」は ISO 4217 の3文字の通貨コード（円は JPY）にしてください。"
                    ).format(value=_text(item.get("currency"))),
                )
            options.append(
                CostOptionRecord(
                    option=self.text(item, "option", where, CostOption),
                    amount=self.amount(item.get("amount"), f"{where}.amount"),
                    currency=currency,
                    amount_description=self.text(item, "amount_description", where, CostOption),
                    valid_from=self.date(item.get("valid_from"), f"{where}.valid_from"),
                    valid_to=self.date(item.get("valid_to"), f"{where}.valid_to"),
                    hsds_id=_text(item.get("id")),
                )
            )
        return options

    def text(self, obj: Mapping[str, Any], key: str, where: str, model: type[Model]) -> str:
        """``obj[key]`` as text, with an error if longer than ``model``'s column allows."""
        value = _text(obj.get(key))
        limit = getattr(model._meta.get_field(key), "max_length", None)
        if limit and len(value) > limit:
            self.error(
                f"{where}.{key}",
                _("{limit} 文字を超えています（{length} 文字）。").format(
                    limit=limit, length=len(value)
                ),
            )
        return value

    def amount(self, value: Any, field: str) -> Decimal | None:
        """A cost in whole units (the model keeps no decimals): fractions are rounded."""
        if value is None or value == "":
            return None
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            self.error(field, _("「{value}」は数値として読めません。").format(value=value))
            return None
        if not number.is_finite() or number < 0 or number >= MAX_AMOUNT:
            self.error(field, _("「{value}」は範囲外です。").format(value=value))
            return None
        whole = number.quantize(Decimal(1), rounding=ROUND_HALF_UP)
        if whole != number:
            self.warn(
                field,
                _("金額「{value}」は小数を持てないため、{whole} として取り込みました。").format(
                    value=value, whole=whole
                ),
            )
        return whole

    def age(self, value: Any, field: str) -> int | None:
        if value is None or value == "":
            return None
        try:
            number = int(Decimal(str(value)))
        except (ArithmeticError, ValueError):  # InvalidOperation, Infinity
            self.error(field, _("「{value}」は数値として読めません。").format(value=value))
            return None
        if not 0 <= number <= 32767:
            self.error(field, _("「{value}」は範囲外です。").format(value=value))
            return None
        return number

    def date(self, value: Any, field: str) -> dt.date | None:
        text = _text(value)
        if not text:
            return None
        try:
            return dt.date.fromisoformat(text[:10])
        except ValueError:
            self.error(
                field, _("「{value}」は日付（YYYY-MM-DD）として読めません。").format(value=text)
            )
            return None

    def time(self, value: Any, field: str) -> dt.time | None:
        text = _text(value)
        if not text:
            return None
        match = _TIME.match(text)
        if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
            self.error(field, _("「{value}」は時刻（HH:MM）として読めません。").format(value=text))
            return None
        return dt.time(int(match.group(1)), int(match.group(2)))

    def coordinate(self, value: Any, field: str, limit: int) -> Decimal | None:
        if value is None or value == "":
            return None
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            self.error(field, _("「{value}」は数値として読めません。").format(value=value))
            return None
        if not number.is_finite() or abs(number) > limit:
            self.error(field, _("「{value}」は範囲外です。").format(value=value))
            return None
        return number.quantize(STEP, rounding=ROUND_HALF_UP)
