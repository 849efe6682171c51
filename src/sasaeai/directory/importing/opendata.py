"""The four open-data datasets (介護サービス事業所一覧, 子育て施設一覧, 医療機関一覧, AED設置箇所一覧).

Both generations of column names are read, by the aliases in ``vocabulary.yaml``; the file's
kind can be detected from its header. Every cell is text. What each dataset becomes (one
organisation, service, location with address, phones, a weekly schedule and taxonomy terms
per row) and the quirks handled are documented in docs/formats/directory-opendata.md.

The file is read as a stream, twice: once to count its rows (and the 事業所番号 that repeat),
once to turn them into records, handed over in chunks of ``CHUNK_ROWS`` rows
(:func:`read_opendata`), so the importer writes each chunk and lets it go.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from sasaeai.core.imports import ImportIssue
from sasaeai.core.weburl import is_web_url
from sasaeai.directory.importing import weekly
from sasaeai.directory.importing.records import (
    AddressRecord,
    Bundle,
    LocationRecord,
    OrganizationRecord,
    PhoneRecord,
    ScheduleRecord,
    ServiceRecord,
    TermRef,
)
from sasaeai.directory.importing.source import ImportFile
from sasaeai.directory.importing.text import (
    CsvFile,
    Header,
    clean_cell,
    controls_message,
    normalize_header,
    remove_controls,
    url_message,
)
from sasaeai.directory.phones import normalize_phone, phone_problem

KINDS = ("kaigo", "kosodate", "iryo", "aed")
KIND_LABELS = {
    "kaigo": gettext_noop("介護サービス事業所一覧"),
    "kosodate": gettext_noop("子育て施設一覧"),
    "iryo": gettext_noop("医療機関一覧"),
    "aed": gettext_noop("AED設置箇所一覧"),
}
AED_SERVICE_NAME = gettext_noop("AED（{name}）")

LATITUDE_RANGE = (Decimal(20), Decimal(46))
LONGITUDE_RANGE = (Decimal(122), Decimal(154))
COORDINATE_STEP = Decimal("0.000001")
OFFICE_NUMBER_LENGTH = 10  # 介護保険事業所番号
CORPORATE_NUMBER_LENGTH = 13  # 法人番号 (never starts with 0: its first digit is a check digit)
CHUNK_ROWS = 500  # rows per chunk handed to the importer


def _pattern(name: str) -> re.Pattern[str]:
    return re.compile(weekly.vocabulary()[name])


@dataclass(frozen=True)
class Place:
    """The importing municipality, as the parser needs it (no Django model here)."""

    code: str  # 6 digits
    name: str  # 鎌倉市
    prefecture: str  # 神奈川県
    # district and town names → readings, for names without a カナ column
    readings: Mapping[str, str] = dataclasses.field(default_factory=dict)


def kind_label(kind: str) -> str:
    return _(KIND_LABELS[kind])


def _spec(kind: str) -> dict[str, Any]:
    spec: dict[str, Any] = weekly.vocabulary()["kinds"][kind]
    return spec


def aliases(kind: str) -> dict[str, list[str]]:
    """Canonical field → header names, the dataset's own before the common ones."""
    merged: dict[str, list[str]] = {}
    for field, names in _spec(kind)["columns"].items():
        merged[field] = [normalize_header(name) for name in names]
    for field, names in weekly.vocabulary()["common"].items():
        merged.setdefault(field, [])
        merged[field] += [
            normalize_header(n) for n in names if normalize_header(n) not in merged[field]
        ]
    return merged


def resolve_columns(header: list[str], kind: str) -> dict[str, int]:
    """Canonical field → column index, for the fields the header has."""
    found: dict[str, int] = {}
    taken: set[int] = set()
    for field, names in aliases(kind).items():
        for name in names:
            if name in header and header.index(name) not in taken:
                found[field] = header.index(name)
                taken.add(found[field])
                break
    return found


def detect_kind(header: list[str]) -> str | None:
    """The dataset whose distinctive columns the header has most of; None if unclear."""
    scores = {
        kind: sum(normalize_header(name) in header for name in _spec(kind)["detect"])
        for kind in KINDS
    }
    best = max(scores.values())
    winners = [kind for kind, score in scores.items() if score == best]
    return winners[0] if best > 0 and len(winners) == 1 else None


def column_label(kind: str, field: str) -> str:
    """The name to show for a canonical field: its first alias."""
    names = aliases(kind)[field]
    return names[0] if names else field


# --- cell readers ----------------------------------------------------------------------


def _nfkc(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip()


def parse_decimal(value: str) -> Decimal | None:
    text = _nfkc(value).replace(",", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _in(value: Decimal, bounds: tuple[Decimal, Decimal]) -> bool:
    return bounds[0] <= value <= bounds[1]


def _digits(value: str) -> str:
    return re.sub(r"\s", "", _nfkc(value))


# --- the parser ------------------------------------------------------------------------


class _Row:
    def __init__(
        self, kind: str, line: int, cells: list[str], columns: dict[str, int], header: Header
    ):
        self.kind = kind
        self.line = line
        self.cells = cells
        self.columns = columns
        self.header = header

    def get(self, field: str) -> str:
        index = self.columns.get(field)
        if index is None or index >= len(self.cells):
            return ""
        return clean_cell(self.cells[index])

    def label(self, field: str) -> str:
        index = self.columns.get(field)
        if index is None:
            return column_label(self.kind, field)
        return self.column_name(index)

    def column_name(self, index: int) -> str:
        if index >= len(self.header.cells):
            return _("{number}列目").format(number=index + 1)
        return self.header.raw[index] or self.header.cells[index]


@dataclass
class _Seen:
    """What the rows read so far have said, across chunks."""

    ids: dict[str, int] = dataclasses.field(default_factory=dict)  # source id → first line
    organizations: set[str] = dataclasses.field(default_factory=set)
    office_counts: dict[str, int] = dataclasses.field(default_factory=dict)


def read_opendata(
    source: ImportFile, *, kind: str, place: Place, chunk_rows: int = CHUNK_ROWS
) -> Iterator[Bundle]:
    """Read one open-data CSV: first a bundle of what the file says as a whole (notes,
    header errors, ``rows_total`` and ``rows_selected``), then the rows in chunks of
    ``chunk_rows`` (errors and warnings collected, not raised). Raises DomainError when the
    file cannot be read as CSV at all (encoding, no header, broken quoting)."""
    table = CsvFile(source)
    head = Bundle(kind=kind)
    head.notes.append(_("文字コード: {encoding}").format(encoding=_encoding_label(table.encoding)))
    if kind == "auto":
        detected = detect_kind(table.header.cells)
        if detected is None:
            head.errors.append(
                ImportIssue(
                    code="unknown_kind",
                    message=_(
                        "見出しからデータセットの種類を判別できません。--kind で kaigo・kosodate・iryo・aed のいずれかを指定してください。"
                    ),
                    row=table.header.line,
                )
            )
            yield head
            return
        kind = detected
        head.kind = kind
        head.notes.append(
            _("種類: 見出しから「{label}」（{kind}）と判定しました").format(
                label=kind_label(kind), kind=kind
            )
        )
    else:
        head.notes.append(
            _("種類: 「{label}」（{kind}）").format(label=kind_label(kind), kind=kind)
        )
    columns = resolve_columns(table.header.cells, kind)
    spec = _spec(kind)
    missing = [field for field in spec["required"] if not _has(columns, field)]
    for field in missing:
        head.errors.append(
            ImportIssue(
                code="missing_column",
                message=_("必要な列「{column}」がありません（見出しの行）。").format(
                    column=column_label(kind, field)
                ),
                row=table.header.line,
                column=column_label(kind, field),
            )
        )
    if "name_kana" not in columns:
        head.warnings.append(
            ImportIssue(
                code="missing_column",
                message=_("列「{column}」がないため、読み仮名は名称から作ります。").format(
                    column=column_label(kind, "name_kana")
                ),
                row=table.header.line,
            )
        )
    if missing:
        yield head
        return
    seen = _Seen()
    for line, cells in table.rows():  # the first reading: counts only
        row = _Row(kind, line, cells, columns, table.header)
        head.rows_total += 1
        if _belongs(row, place, None):
            head.rows_selected += 1
        office = _digits(row.get("office_number"))
        if office:
            seen.office_counts[office] = seen.office_counts.get(office, 0) + 1
    yield head
    bundle = Bundle(kind=kind)
    skipped_other = 0
    for line, cells in table.rows():
        row = _Row(
            kind,
            line,
            _without_controls(cells, line, table.header, kind, bundle),
            columns,
            table.header,
        )
        bundle.rows_read += 1
        if not _belongs(row, place, bundle):
            skipped_other += 1
            bundle.rows_skipped += 1
        else:
            _parse_row(row, spec, place, bundle, seen)
        if bundle.rows_read >= chunk_rows:
            yield bundle
            bundle = Bundle(kind=kind)
    if skipped_other:
        bundle.warnings.append(
            ImportIssue(
                code="other_municipality",
                message=_(
                    "ほかの自治体の行を {count} 件読み飛ばしました（列「{column}」）。"
                ).format(count=skipped_other, column=column_label(kind, "municipality_code")),
            )
        )
    yield bundle


def _without_controls(
    cells: list[str], line: int, header: Header, kind: str, bundle: Bundle
) -> list[str]:
    """The row's cells without control characters; a warning names each cell changed."""
    cleaned = cells
    for index, cell in enumerate(cells):
        value, removed = remove_controls(cell)
        if removed:
            if cleaned is cells:
                cleaned = list(cells)
            cleaned[index] = value
            bundle.warnings.append(
                ImportIssue(
                    code="control_character",
                    message=controls_message(removed),
                    row=line,
                    column=_Row(kind, line, cells, {}, header).column_name(index),
                )
            )
    return cleaned


def _encoding_label(encoding: str) -> str:
    from sasaeai.directory.importing.text import ENCODING_LABELS

    return _(ENCODING_LABELS[encoding])


def _has(columns: dict[str, int], field: str) -> bool:
    if field == "address":
        return "address" in columns or "address_town" in columns
    return field in columns


def _belongs(row: _Row, place: Place, bundle: Bundle | None) -> bool:
    """False for a row of another municipality (a prefecture-wide file); restores zeros
    (with a warning in ``bundle``, if given)."""
    raw = _digits(row.get("municipality_code"))
    if not raw or not raw.isdigit():
        return True
    candidates = {raw, raw.zfill(6), raw.zfill(5)}
    if place.code in candidates or place.code[:5] in candidates:
        if bundle is not None and (len(raw) < 5 or (len(raw) == 5 and raw != place.code[:5])):
            bundle.warnings.append(
                ImportIssue(
                    code="leading_zero",
                    message=_(
                        "コード「{raw}」は先頭の 0 が落ちていたため「{code}」として読みました。"
                    ).format(raw=raw, code=raw.zfill(6 if len(raw) == 5 else 5)),
                    row=row.line,
                    column=row.label("municipality_code"),
                )
            )
        return True
    padded = raw.zfill(6) if len(raw) == 5 and raw[:2] != place.code[:2] else raw
    return len(padded) >= 5 and padded[2:5] == "000"  # a prefecture-level code: keep the row


def _error(bundle: Bundle, row: _Row, field: str, message: str, code: str = "invalid") -> None:
    bundle.errors.append(
        ImportIssue(code=code, message=message, row=row.line, column=row.label(field))
    )


def _warn(bundle: Bundle, row: _Row, field: str | None, message: str, code: str) -> None:
    column = row.label(field) if field else None
    bundle.warnings.append(ImportIssue(code=code, message=message, row=row.line, column=column))


def _source_id(row: _Row, bundle: Bundle, office_counts: dict[str, int]) -> str | None:
    """The row's identity across re-imports (see docs/formats/directory-opendata.md)."""
    office = _digits(row.get("office_number"))
    if office:
        if office.isdigit() and len(office) == OFFICE_NUMBER_LENGTH - 1:
            restored = "0" + office
            _warn(
                bundle,
                row,
                "office_number",
                _(
                    "事業所番号「{raw}」は先頭の 0 が落ちていたため「{code}」として読みました。"
                ).format(raw=office, code=restored),
                "leading_zero",
            )
            office = restored
        if office_counts.get(_digits(row.get("office_number")), 0) > 1 and row.get("service_type"):
            return f"{office}:{_nfkc(row.get('service_type'))}"
        return office
    medical = _digits(row.get("medical_code"))
    if medical:
        return medical
    row_id = _nfkc(row.get("row_id"))
    if row_id:
        return row_id
    return None


def _parse_row(
    row: _Row,
    spec: dict[str, Any],
    place: Place,
    bundle: Bundle,
    seen: _Seen,
) -> None:
    errors_before = len(bundle.errors)
    kind = row.kind
    name = row.get("name")
    if not name:
        _error(bundle, row, "name", _("名称が空欄です。"), "required")
    source_id = _source_id(row, bundle, seen.office_counts)
    if source_id is None:
        source_id = f"line-{row.line}"
        _warn(
            bundle,
            row,
            None,
            _(
                "識別子（ID・NO・事業所番号など）がないため、再取込では名称と住所で同じ行を探せません。行番号を識別子にします。"
            ),
            "missing_id",
        )
    if source_id in seen.ids:
        _error(
            bundle,
            row,
            "row_id" if "row_id" in row.columns else "name",
            _("識別子「{id}」が {first}行目と重なっています。").format(
                id=source_id, first=seen.ids[source_id]
            ),
            "duplicate_id",
        )
    seen.ids.setdefault(source_id, row.line)

    address = _address(row, place, bundle)
    latitude, longitude = _coordinates(row, bundle)
    phones = _phones(row, bundle, kind)
    schedule = _schedule(row, bundle)
    if len(bundle.errors) > errors_before:
        return

    kana = _nfkc(row.get("name_kana")) or _kana_of(name, place.readings)
    tax_id = _digits(row.get("corporate_number"))
    if tax_id and not (tax_id.isdigit() and len(tax_id) == CORPORATE_NUMBER_LENGTH):
        _warn(
            bundle,
            row,
            "corporate_number",
            _("法人番号「{value}」は13桁の数字ではないため読み飛ばしました。").format(value=tax_id),
            "invalid",
        )
        tax_id = ""
    corporate_name = row.get("corporate_name")
    org_key = f"houjin:{tax_id}" if tax_id else f"row:{source_id}"
    if org_key not in seen.organizations:
        seen.organizations.add(org_key)
        bundle.organizations[org_key] = OrganizationRecord(
            key=org_key,
            name=corporate_name or name,
            name_kana="" if corporate_name else kana,
            tax_id=tax_id,
            row=row.line,
        )
    url = _url(row, bundle)
    description = _description(row, spec)
    transportation = "\n".join(
        f"{row.label(field)}: {row.get(field)}"
        for field in spec.get("transportation", [])
        if row.get(field)
    )
    external_field = spec.get("external_identifier")
    external = _digits(row.get(external_field)) if external_field else ""
    if external_field == "office_number" and external:
        external = source_id.split(":", 1)[0]
    location = LocationRecord(
        key=source_id,
        name=name,
        name_kana=kana,
        url=url,
        latitude=latitude,
        longitude=longitude,
        transportation=transportation,
        external_identifier=external if external else "",
        external_identifier_type=row.label(external_field) if external and external_field else "",
        organization_key=org_key,
        address=address,
        town_code=_digits(row.get("town_id")),
        address_text=(address.city + address.address_1) if address else "",
        row=row.line,
    )
    bundle.locations[source_id] = location
    service_name = name
    if kind == "aed":
        service_name = AED_SERVICE_NAME.format(name=name)
    terms = [TermRef(code=spec["category"])] + [TermRef(code=code) for code in spec["targets"]]
    bundle.services[source_id] = ServiceRecord(
        key=source_id,
        name=service_name,
        name_kana=kana,
        organization_key=org_key,
        description=description,
        url=url,
        location_keys=[source_id],
        phones=phones,
        schedules=[schedule] if schedule else [],
        terms=terms,
        row=row.line,
    )


def _kana_of(name: str, known: Mapping[str, str]) -> str:
    """A reading in katakana when the file has none (UniDic, with the municipality's place
    names read its way; see core.textnorm.reading)."""
    import jaconv

    from sasaeai.core.textnorm import reading

    return str(jaconv.hira2kata(reading(name, known)))


def _description(row: _Row, spec: dict[str, Any]) -> str:
    lines = []
    for field in spec.get("description", []):
        value = row.get(field)
        if value:
            if field == "departments":
                value = "、".join(
                    part.strip() for part in re.split(r"[;；]", value) if part.strip()
                )
            lines.append(f"{row.label(field)}: {value}")
    note = row.get("note")
    if note:
        lines.append(note)
    return "\n".join(lines)


def _address(row: _Row, place: Place, bundle: Bundle) -> AddressRecord | None:
    building = _nfkc(row.get("address_2"))
    whole = _nfkc(row.get("address"))
    if not whole:
        parts = [
            row.get(f)
            for f in ("address_prefecture", "address_city", "address_town", "address_rest")
        ]
        whole = _nfkc("".join(parts))
    if not whole:
        _error(bundle, row, "address", _("住所が空欄です。"), "required")
        return None
    prefecture, city, rest = split_address(whole, place)
    return AddressRecord(address_1=rest, address_2=building, city=city, state_province=prefecture)


def split_address(whole: str, place: Place) -> tuple[str, str, str]:
    """「神奈川県鎌倉市大船1-2-3」→ (神奈川県, 鎌倉市, 大船1-2-3); the importing
    municipality is assumed when the address starts below it (「大船1-2-3」). Without a
    prefecture, only a name ending in 市 (or 市…区) is taken as another city, so a town
    such as 「津村」 is not mistaken for a village."""
    text = whole
    prefecture = place.prefecture
    qualified = False
    if text.startswith(place.prefecture):
        text, qualified = text[len(place.prefecture) :], True
    else:
        match = _pattern("prefecture_pattern").match(text)
        if match:
            prefecture, text, qualified = match.group(1), text[match.end() :], True
    city = place.name
    if text.startswith(place.name):
        return prefecture, city, text[len(place.name) :].strip()
    pattern = _pattern("city_pattern" if qualified else "bare_city_pattern")
    match = pattern.match(text)
    if match:
        city, text = match.group(1), text[match.end() :]
    return prefecture, city, text.strip()


def _coordinates(row: _Row, bundle: Bundle) -> tuple[Decimal | None, Decimal | None]:
    raw_lat, raw_lon = row.get("latitude"), row.get("longitude")
    if not raw_lat and not raw_lon:
        return None, None
    latitude, longitude = parse_decimal(raw_lat), parse_decimal(raw_lon)
    bad = False
    for field, raw, value in (("latitude", raw_lat, latitude), ("longitude", raw_lon, longitude)):
        if raw and value is None:
            _error(bundle, row, field, _("「{value}」は数値として読めません。").format(value=raw))
            bad = True
    if bad:
        return None, None
    if latitude is None or longitude is None:
        _warn(
            bundle,
            row,
            None,
            _("緯度と経度の片方しかないため、位置は登録しません。"),
            "coordinates",
        )
        return None, None
    if _in(latitude, LATITUDE_RANGE) and _in(longitude, LONGITUDE_RANGE):
        pass
    elif _in(longitude, LATITUDE_RANGE) and _in(latitude, LONGITUDE_RANGE):
        _warn(
            bundle,
            row,
            None,
            _("緯度「{lat}」と経度「{lon}」が入れ替わっていたため、入れ替えて読みました。").format(
                lat=raw_lat, lon=raw_lon
            ),
            "swapped_coordinates",
        )
        latitude, longitude = longitude, latitude
    else:
        _error(
            bundle,
            row,
            "latitude",
            _(
                "緯度「{lat}」・経度「{lon}」が日本の範囲（緯度20〜46度、経度122〜154度）にありません。"
            ).format(lat=raw_lat, lon=raw_lon),
        )
        return None, None
    return (
        latitude.quantize(COORDINATE_STEP, rounding=ROUND_HALF_UP),
        longitude.quantize(COORDINATE_STEP, rounding=ROUND_HALF_UP),
    )


def _phones(row: _Row, bundle: Bundle, kind: str) -> list[PhoneRecord]:
    phones: list[PhoneRecord] = []
    extension_text = _digits(row.get("extension"))
    extension = (
        int(extension_text) if extension_text.isdigit() and len(extension_text) < 9 else None
    )
    for field, phone_type, strict in (("phone", "voice", True), ("fax", "fax", False)):
        raw = row.get(field)
        if not raw:
            continue
        for part in re.split(r"[、,;；/／]|\s{2,}", raw):
            if not part.strip():
                continue
            number = normalize_phone(part)
            problem = phone_problem(number)
            if problem is not None:
                message = _("「{value}」は電話番号として読めません。{problem}").format(
                    value=part.strip(), problem=problem
                )
                if strict:
                    _error(bundle, row, field, message)
                else:
                    _warn(bundle, row, field, message, "invalid")
                continue
            phones.append(
                PhoneRecord(
                    number=number,
                    extension=extension if phone_type == "voice" else None,
                    type=phone_type,
                )
            )
    if extension_text and extension is None:
        _warn(
            bundle,
            row,
            "extension",
            _("内線番号「{value}」は数字ではないため読み飛ばしました。").format(
                value=extension_text
            ),
            "invalid",
        )
    return phones


def _url(row: _Row, bundle: Bundle) -> str:
    """The row's web address; anything but an http(s) URL (``javascript:``, ``data:`` …) is
    dropped with a warning, and the row stands."""
    url = _nfkc(row.get("url"))
    if url and not is_web_url(url):
        _warn(bundle, row, "url", url_message(url), "url")
        return ""
    return url[:500]


def _schedule(row: _Row, bundle: Bundle) -> ScheduleRecord | None:
    days_text = row.get("days")
    note = row.get("days_note")
    opens_text, closes_text = row.get("opens"), row.get("closes")
    if not (days_text or opens_text or closes_text or note):
        return None
    schedule = ScheduleRecord(notes=note)
    unparsed: list[str] = []
    if days_text:
        days = weekly.parse_days(days_text)
        if days is None:
            unparsed.append(days_text)
            _warn(
                bundle,
                row,
                "days",
                _("曜日「{value}」を読み取れないため、文のまま登録します。").format(
                    value=days_text
                ),
                "schedule_text",
            )
        else:
            schedule.freq = "WEEKLY"
            schedule.byday = ",".join(days.byday)
            schedule.closed_on_holidays = days.closed_on_holidays
    for field, text in (("opens", opens_text), ("closes", closes_text)):
        if not text:
            continue
        time = weekly.parse_time(text)
        span = weekly.parse_time_range(text) if time is None else None
        if span is not None:
            schedule.opens_at, schedule.closes_at = span
        elif time is None:
            unparsed.append(text)
            _warn(
                bundle,
                row,
                field,
                _("時刻「{value}」を読み取れないため、文のまま登録します。").format(value=text),
                "schedule_text",
            )
        elif field == "opens":
            schedule.opens_at = time
        else:
            schedule.closes_at = time
    if unparsed:
        schedule.description = " ".join(unparsed)
    if note and schedule.freq:
        schedule.closed_on_holidays = schedule.closed_on_holidays or weekly.says_closed_on_holidays(
            note
        )
        schedule.closed_year_end = weekly.says_closed_year_end(note)
    return schedule
