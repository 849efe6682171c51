"""HSDS 3.0 export: JSON valid against the HSDS schemas, CSV tables as HSDS says, round trip."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from sasaeai.accounts import services as accounts
from sasaeai.accounts.models import Municipality
from sasaeai.directory.exporting import schemas
from sasaeai.directory.exporting.export import directory_export
from sasaeai.directory.importing.service import directory_import_apply
from sasaeai.directory.models import Attribute, Location, Service

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
