"""HSDS 3.0 export: JSON valid against the HSDS schemas, CSV tables as HSDS says, round trip."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from sasaeai.accounts import services as accounts
from sasaeai.accounts.models import Municipality
from sasaeai.directory.exporting import schemas
from sasaeai.directory.exporting.export import directory_export
from sasaeai.directory.importing.service import directory_import_apply
from sasaeai.directory.models import (
    Accessibility,
    Attribute,
    Contact,
    CostOption,
    Language,
    Location,
    Phone,
    Service,
)
from tests.directory.builders import (
    build_accessibility,
    build_contact,
    build_cost_option,
    build_language,
    build_service,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "directory"
OPEN_DATA = ["kaigo_cp932.csv", "kosodate_utf8bom.csv", "iryo_swapped.csv", "aed.csv"]


@pytest.fixture
def filled(kamakura: Municipality) -> Municipality:
    district = accounts.district_upsert(actor="test", municipality=kamakura, name="大船")
    accounts.town_upsert(actor="test", district=district, name="大船一丁目")
    for name in OPEN_DATA:
        result = directory_import_apply(
            actor="cli:test", municipality=kamakura, data=(DATA / name).read_bytes(), filename=name
        )
        assert result.errors == []
    return kamakura


def test_json_export_is_valid_hsds(filled: Municipality) -> None:
    files = directory_export(municipality=filled, fmt="hsds-json")
    assert sorted(files) == [
        "organizations.json",
        "services.json",
        "taxonomies.json",
        "taxonomy_terms.json",
    ]
    services = json.loads(files["services.json"])
    assert len(services) == 8
    validator = schemas.validator("service.json")
    for service in services:
        assert [error.message for error in validator.iter_errors(service)] == []
    for name, schema in (
        ("organizations.json", "organization.json"),
        ("taxonomies.json", "taxonomy.json"),
        ("taxonomy_terms.json", "taxonomy_term.json"),
    ):
        validator = schemas.validator(schema)
        for item in json.loads(files[name]):
            assert [error.message for error in validator.iter_errors(item)] == []
    clinic = next(s for s in services if s["name"] == "おおふな内科クリニック（架空）")
    location = clinic["service_at_locations"][0]["location"]
    assert (location["latitude"], location["longitude"]) == (35.3525, 139.5305)
    assert clinic["schedules"][0]["byday"] == "MO,TU,WE,TH,FR"
    assert clinic["schedules"][0]["opens_at"] == "09:00+09:00"
    profile = {
        a["taxonomy_term"]["code"]: a["value"]
        for a in location["attributes"]
        if a["link_type"] == "sasaeai-profile"
    }
    assert profile == {
        "name_kana": "オオフナナイカクリニック",
        "district": "大船",
        "town": "大船一丁目",
    }
    codes = sorted(a["taxonomy_term"]["code"] for a in clinic["attributes"])
    assert codes == ["everyone", "medical", "name_kana"]


def test_a_broken_object_fails_validation() -> None:
    validator = schemas.validator("service.json")
    errors = [e.message for e in validator.iter_errors({"id": "x", "name": "n", "status": "open"})]
    assert sorted(errors) == [
        "'open' is not one of ['active', 'inactive', 'defunct', 'temporarily closed']",
        "'x' is not a 'uuid'",
    ]


def _rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8"))))


def test_csv_export_has_the_hsds_tables(filled: Municipality) -> None:
    files = directory_export(municipality=filled, fmt="hsds-csv")
    package = json.loads(files["datapackage.json"])
    assert [r["path"] for r in package["resources"]] == [t.path for t in schemas.tables()]
    simple: dict[str, list[str]] = {}
    with (schemas.SCHEMA_DIR / "simple" / "schema.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["type"] not in {"array", ""}:
                simple.setdefault(row["table_name"], []).append(row["name"])
    for spec in schemas.tables():
        header = _rows(files[spec.path])[0]
        assert header == list(spec.columns), spec.path
        assert set(simple[spec.name]) <= set(header) | {"organization_id", "timezone"}, spec.path
    services = _rows(files["services.csv"])
    assert len(services) == 1 + 8
    assert services[0][:4] == ["id", "organization_id", "program_id", "name"]
    attributes = _rows(files["attributes.csv"])
    assert attributes[0] == [
        "id",
        "link_id",
        "taxonomy_term_id",
        "link_type",
        "link_entity",
        "value",
    ]


def _summary(municipality: Municipality) -> list[tuple[Any, ...]]:
    rows = []
    for service in (
        Service.objects.filter(municipality=municipality)
        .select_related("organization")
        .prefetch_related("phones", "schedules", "at_locations__location__addresses")
        .order_by("name")
    ):
        location = service.at_locations.all()[0].location
        address = location.addresses.all()[0]
        rows.append(
            (
                service.name,
                service.name_kana,
                service.description,
                service.status,
                service.organization.name,
                service.organization.tax_id,
                sorted((p.number, p.type, p.extension) for p in service.phones.all()),
                sorted(
                    (
                        s.freq,
                        s.byday,
                        s.opens_at,
                        s.closes_at,
                        s.description,
                        s.notes,
                        s.closed_on_holidays,
                        s.closed_year_end,
                    )
                    for s in service.schedules.all()
                ),
                sorted(
                    Attribute.objects.filter(link_id=service.pk).values_list(
                        "taxonomy_term__code", flat=True
                    )
                ),
                (location.name, location.name_kana, location.latitude, location.longitude),
                (
                    location.district.name if location.district else None,
                    location.town.name if location.town else None,
                ),
                (address.state_province, address.city, address.address_1, address.address_2),
            )
        )
    return rows


@pytest.mark.parametrize("fmt", ["hsds-json", "hsds-csv"])
def test_round_trip_into_another_municipality(
    filled: Municipality, fujisawa: Municipality, tmp_path: Path, fmt: str
) -> None:
    district = accounts.district_upsert(actor="test", municipality=fujisawa, name="大船")
    accounts.town_upsert(actor="test", district=district, name="大船一丁目")
    out = tmp_path / "out"
    call_command("directory", "export", "--municipality", "142042", "--format", fmt, "-o", str(out))
    source = out / "services.json" if fmt == "hsds-json" else out
    stdout = io.StringIO()
    call_command("directory", "import", str(source), "--municipality", "142051", stdout=stdout)
    assert "サービス: 追加 8 件、変更 0 件、変更なし 0 件" in stdout.getvalue()
    assert _summary(fujisawa) == _summary(filled)
    assert Service.objects.filter(municipality=fujisawa, source_kind="hsds").count() == 8
    assert Location.objects.filter(municipality=fujisawa).exclude(town=None).count() == 3
    again = io.StringIO()
    call_command("directory", "import", str(source), "--municipality", "142051", stdout=again)
    assert again.getvalue().rstrip().endswith("変更はありません。")
    assert Service.objects.filter(municipality=fujisawa).count() == 8


@pytest.fixture
def detailed(kamakura: Municipality) -> Municipality:
    """Two services; the first with contacts (one with a phone that has a language),
    languages and cost options, its location with accessibility, a language and a contact,
    and its organisation with a contact."""
    service = build_service(
        kamakura,
        name="くらしの相談窓口（架空）",
        organization="かまくら社協（架空）",
        address="大船1-1-1",
        index=False,
    )
    build_service(kamakura, name="ふれあい喫茶（架空）", address="小町2-2-2", index=False)
    location = service.at_locations.get().location
    contact = build_contact(
        service,
        name="山田花子（架空）",
        title="相談員",
        department="地域福祉課",
        email="soudan@example.jp",
        phones=["0467-00-3333"],
    )
    build_language(contact.phones.get(), name="やさしい日本語", code="ja")
    build_language(service, name="日本語", code="ja")
    build_language(service, name="英語", code="en", note="火曜日のみ")
    build_cost_option(service, option="相談", amount=Decimal(0), amount_description="無料")
    build_cost_option(
        service,
        option="訪問",
        amount=Decimal(500),
        amount_description="1回",
        valid_from=dt.date(2026, 4, 1),
        valid_to=dt.date(2027, 3, 31),
    )
    build_accessibility(
        location,
        description="車いすで入れます",
        details="入口にスロープ、多目的トイレあり",
        url="https://example.jp/access",
    )
    build_language(location, name="日本手話", code="jsl")
    build_contact(location, department="受付")
    build_contact(service.organization, name="事務局", email="office@example.jp")
    return kamakura


def _owner(row: Any) -> str:
    for field in ("organization", "service", "location"):
        owner = getattr(row, field, None)
        if owner is not None:
            return f"{field}:{owner.name}"
    return f"phone:{row.phone.number}"


def _details(municipality: Municipality) -> dict[str, list[tuple[Any, ...]]]:
    """The four tables of ``municipality``, with their owners by name."""
    return {
        "contacts": sorted(
            (
                _owner(c),
                c.name,
                c.title,
                c.department,
                c.email,
                sorted((p.number, p.type, p.extension) for p in c.phones.all()),
            )
            for c in Contact.objects.filter(municipality=municipality).select_related(
                "organization", "service", "location"
            )
        ),
        "languages": sorted(
            (_owner(item), item.name, item.code, item.note)
            for item in Language.objects.filter(municipality=municipality).select_related(
                "service", "location", "phone"
            )
        ),
        "accessibility": sorted(
            (_owner(item), item.description, item.details, item.url)
            for item in Accessibility.objects.filter(municipality=municipality).select_related(
                "location"
            )
        ),
        "cost_options": sorted(
            (
                _owner(item),
                item.option,
                item.amount,
                item.currency,
                item.amount_description,
                item.valid_from,
                item.valid_to,
            )
            for item in CostOption.objects.filter(municipality=municipality).select_related(
                "service"
            )
        ),
    }


DETAILS = {
    "contacts": [
        ("location:くらしの相談窓口（架空）", "", "", "受付", "", []),
        ("organization:かまくら社協（架空）", "事務局", "", "", "office@example.jp", []),
        (
            "service:くらしの相談窓口（架空）",
            "山田花子（架空）",
            "相談員",
            "地域福祉課",
            "soudan@example.jp",
            [("0467-00-3333", "voice", None)],
        ),
    ],
    "languages": [
        ("location:くらしの相談窓口（架空）", "日本手話", "jsl", ""),
        ("phone:0467-00-3333", "やさしい日本語", "ja", ""),
        ("service:くらしの相談窓口（架空）", "日本語", "ja", ""),
        ("service:くらしの相談窓口（架空）", "英語", "en", "火曜日のみ"),
    ],
    "accessibility": [
        (
            "location:くらしの相談窓口（架空）",
            "車いすで入れます",
            "入口にスロープ、多目的トイレあり",
            "https://example.jp/access",
        )
    ],
    "cost_options": [
        ("service:くらしの相談窓口（架空）", "相談", Decimal(0), "JPY", "無料", None, None),
        (
            "service:くらしの相談窓口（架空）",
            "訪問",
            Decimal(500),
            "JPY",
            "1回",
            dt.date(2026, 4, 1),
            dt.date(2027, 3, 31),
        ),
    ],
}


def test_json_export_has_the_details(detailed: Municipality) -> None:
    files = directory_export(municipality=detailed, fmt="hsds-json")
    services = json.loads(files["services.json"])
    validator = schemas.validator("service.json")
    for service in services:
        assert [error.message for error in validator.iter_errors(service)] == []
    counter = next(s for s in services if s["name"] == "くらしの相談窓口（架空）")
    service_id = counter["id"]
    contact = Contact.objects.get(service_id=service_id)
    phone = Phone.objects.get(contact=contact)
    assert counter["contacts"] == [
        {
            "id": str(contact.pk),
            "service_id": service_id,
            "name": "山田花子（架空）",
            "title": "相談員",
            "department": "地域福祉課",
            "email": "soudan@example.jp",
            "phones": [
                {
                    "id": str(phone.pk),
                    "number": "0467-00-3333",
                    "type": "voice",
                    "languages": [
                        {
                            "id": str(Language.objects.get(phone=phone).pk),
                            "phone_id": str(phone.pk),
                            "name": "やさしい日本語",
                            "code": "ja",
                        }
                    ],
                }
            ],
        }
    ]
    assert [(item["name"], item["code"], item.get("note")) for item in counter["languages"]] == [
        ("日本語", "ja", None),
        ("英語", "en", "火曜日のみ"),
    ]
    assert [
        {key: value for key, value in option.items() if key not in {"id", "service_id"}}
        for option in counter["cost_options"]
    ] == [
        {"option": "相談", "currency": "JPY", "amount": 0, "amount_description": "無料"},
        {
            "option": "訪問",
            "currency": "JPY",
            "amount": 500,
            "amount_description": "1回",
            "valid_from": "2026-04-01",
            "valid_to": "2027-03-31",
        },
    ]
    location = counter["service_at_locations"][0]["location"]
    assert [(a["description"], a["details"], a["url"]) for a in location["accessibility"]] == [
        ("車いすで入れます", "入口にスロープ、多目的トイレあり", "https://example.jp/access")
    ]
    assert [(item["name"], item["code"]) for item in location["languages"]] == [("日本手話", "jsl")]
    assert [(c["department"], c["phones"]) for c in location["contacts"]] == [("受付", [])]
    assert [(c["name"], c["email"]) for c in counter["organization"]["contacts"]] == [
        ("事務局", "office@example.jp")
    ]
    other = next(s for s in services if s["name"] == "ふれあい喫茶（架空）")
    assert (other["contacts"], other["languages"], other["cost_options"]) == ([], [], [])
    organizations = json.loads(files["organizations.json"])
    validator = schemas.validator("organization.json")
    for organization in organizations:
        assert [error.message for error in validator.iter_errors(organization)] == []
    assert {o["name"]: [c["name"] for c in o["contacts"]] for o in organizations} == {
        "かまくら社協（架空）": ["事務局"],
        "テスト団体": [],
    }


def test_csv_export_has_the_details(detailed: Municipality) -> None:
    files = directory_export(municipality=detailed, fmt="hsds-csv")
    tables = {
        name: list(csv.DictReader(io.StringIO(files[f"{name}.csv"].decode("utf-8"))))
        for name in ("contacts", "languages", "accessibility", "cost_options", "phones")
    }
    for table, schema in (
        ("contacts", "contact"),
        ("languages", "language"),
        ("accessibility", "accessibility"),
        ("cost_options", "cost_option"),
        ("phones", "phone"),
    ):
        validator = schemas.validator(f"{schema}.json")
        types = schemas.table(schema).types
        for row in tables[table]:
            typed = {
                column: float(value) if types[column] == "number" else value
                for column, value in row.items()
                if value
            }
            assert [error.message for error in validator.iter_errors(typed)] == [], table
    service = Service.objects.get(name="くらしの相談窓口（架空）")
    location = service.at_locations.get().location
    contact = Contact.objects.get(service=service)
    phone = Phone.objects.get(contact=contact)
    assert sorted(
        (row["service_id"], row["location_id"], row["organization_id"], row["name"])
        for row in tables["contacts"]
    ) == sorted(
        [
            (str(service.pk), "", "", "山田花子（架空）"),
            ("", str(location.pk), "", ""),
            ("", "", str(service.organization_id), "事務局"),
        ]
    )
    assert [(row["contact_id"], row["number"]) for row in tables["phones"]] == [
        (str(contact.pk), "0467-00-3333")
    ]
    assert sorted(
        (row["service_id"], row["location_id"], row["phone_id"], row["code"])
        for row in tables["languages"]
    ) == sorted(
        [
            (str(service.pk), "", "", "ja"),
            (str(service.pk), "", "", "en"),
            ("", str(location.pk), "", "jsl"),
            ("", "", str(phone.pk), "ja"),
        ]
    )
    assert [(row["location_id"], row["url"]) for row in tables["accessibility"]] == [
        (str(location.pk), "https://example.jp/access")
    ]
    assert sorted(
        (row["service_id"], row["option"], row["currency"], row["amount"], row["valid_from"])
        for row in tables["cost_options"]
    ) == [
        (str(service.pk), "相談", "JPY", "0", ""),
        (str(service.pk), "訪問", "JPY", "500", "2026-04-01"),
    ]


def _zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["hsds-json", "hsds-csv"])
def test_details_round_trip_into_another_municipality(
    detailed: Municipality, fujisawa: Municipality, fmt: str
) -> None:
    assert _details(detailed) == DETAILS
    files = directory_export(municipality=detailed, fmt=fmt)
    data = files["services.json"] if fmt == "hsds-json" else _zipped(files)
    result = directory_import_apply(
        actor="cli:test", municipality=fujisawa, data=data, filename="export"
    )
    assert (result.errors, result.warnings) == ([], [])
    assert result.counts("service") == {"add": 2, "update": 0, "unchanged": 0, "retire": 0}
    assert _details(fujisawa) == DETAILS
    again = directory_import_apply(
        actor="cli:test", municipality=fujisawa, data=data, filename="export"
    )
    assert again.summary() == "変更はありません。"
    assert again.counts("location") == {"add": 0, "update": 0, "unchanged": 2}
    assert again.counts("organization") == {"add": 0, "update": 0, "unchanged": 2}
    assert _details(fujisawa) == DETAILS
    if fmt == "hsds-json":  # the copy exports the same (CSV rows are in id order, not the file's)
        copy = directory_export(municipality=fujisawa, fmt="hsds-json")
        assert _without_ids(json.loads(copy["services.json"])) == _without_ids(
            json.loads(directory_export(municipality=detailed, fmt="hsds-json")["services.json"])
        )


def _without_ids(value: Any) -> Any:
    """An export with the ids (row-specific) and the modification time left out."""
    if isinstance(value, list):
        return [_without_ids(item) for item in value]
    if isinstance(value, dict):
        return {
            key: _without_ids(item)
            for key, item in value.items()
            if not (key == "id" or key.endswith("_id") or key == "last_modified")
            and key != "link_id"
        }
    return value
