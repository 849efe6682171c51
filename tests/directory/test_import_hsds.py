"""HSDS 3.0 imports: JSON (array, single object, paginated list) and the CSV datapackage."""

from __future__ import annotations

import datetime as dt
import io
import json
import uuid
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from sasaeai.accounts import services as accounts
from sasaeai.accounts.models import Municipality
from sasaeai.directory.importing.service import directory_import_apply, directory_import_preview
from sasaeai.directory.models import (
    Address,
    Attribute,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    TaxonomyTerm,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "directory"


@pytest.fixture
def oofuna(kamakura: Municipality) -> None:
    district = accounts.district_upsert(actor="test", municipality=kamakura, name="大船")
    accounts.town_upsert(actor="test", district=district, name="大船一丁目")


def test_hsds_json_array(kamakura: Municipality, oofuna: None) -> None:
    data = (DATA / "hsds_services.json").read_bytes()
    result = directory_import_apply(
        actor="cli:test", municipality=kamakura, data=data, filename="hsds_services.json"
    )
    assert result.errors == []
    assert result.kind == "hsds"
    assert result.notes == ["形式: HSDS 3.0 JSON"]
    assert result.counts("service") == {"add": 2, "update": 0, "unchanged": 0}
    salon = Service.objects.get(
        source_kind="hsds", source_id="0d6a4c1e-5b0a-4b7e-9e0f-1a2b3c4d5e01"
    )
    assert salon.pk == uuid.UUID("0d6a4c1e-5b0a-4b7e-9e0f-1a2b3c4d5e01")  # their UUID, unused
    assert (salon.fees_description, salon.minimum_age, salon.assured_date) == (
        "100円",
        65,
        dt.date(2026, 4, 1),
    )
    assert salon.organization.name_kana == "オオフナボランティアノカイ"
    schedule = Schedule.objects.get(service=salon)
    assert (schedule.freq, schedule.byday, schedule.opens_at, schedule.closes_at) == (
        "MONTHLY",
        "2WE,4WE",
        dt.time(13, 30),
        dt.time(15, 0),
    )
    phone = Phone.objects.get(service=salon)
    assert (phone.number, phone.extension) == ("0467-00-1111", 3)
    location = Location.objects.get(
        source_kind="hsds", source_id="0d6a4c1e-5b0a-4b7e-9e0f-1a2b3c4d5e50"
    )
    assert location.town is not None and location.district is not None
    assert (location.latitude, location.longitude, location.town.name, location.district.name) == (
        Decimal("35.353100"),
        Decimal("139.530200"),
        "大船一丁目",
        "大船",
    )
    assert Address.objects.get(location=location).postal_code == "247-0056"
    terms = sorted(
        Attribute.objects.filter(link_id=salon.pk).values_list(
            "taxonomy_term__taxonomy__name", "taxonomy_term__code"
        )
    )
    assert terms == [("Open Eligibility", "FL-1800"), ("分類", "salon"), ("対象", "elderly")]
    assert TaxonomyTerm.objects.get(code="FL-1800").name == "Social Activities"
    second = Service.objects.get(source_kind="hsds", source_id="not-a-uuid-service-2")
    assert second.status == "temporarily closed"
    assert second.pk != uuid.UUID(int=0)
    assert Organization.objects.get(source_id="org-2").description == "お弁当の配達"


def test_hsds_single_object_and_paginated_list(kamakura: Municipality) -> None:
    services = json.loads((DATA / "hsds_services.json").read_text(encoding="utf-8"))
    single = json.dumps(services[1], ensure_ascii=False).encode()
    result = directory_import_apply(
        actor="cli:test", municipality=kamakura, data=single, filename="one.json"
    )
    assert result.counts("service") == {"add": 1, "update": 0, "unchanged": 0}
    page = {
        "total_items": 2,
        "total_pages": 1,
        "page_number": 1,
        "size": 2,
        "first_page": True,
        "last_page": True,
        "empty": False,
        "contents": services,
    }
    data = json.dumps(page, ensure_ascii=False).encode("utf-8-sig")
    again = directory_import_apply(
        actor="cli:test", municipality=kamakura, data=data, filename="page.json"
    )
    assert again.errors == []
    assert again.counts("service") == {"add": 1, "update": 0, "unchanged": 1}
    assert Service.objects.filter(municipality=kamakura).count() == 2


def test_hsds_errors_name_the_object(kamakura: Municipality) -> None:
    services = json.loads((DATA / "hsds_services.json").read_text(encoding="utf-8"))
    services[1]["status"] = "open"
    services[0]["schedules"][0]["opens_at"] = "25:00"
    result = directory_import_apply(
        actor="cli:test",
        municipality=kamakura,
        data=json.dumps(services, ensure_ascii=False).encode(),
        filename="bad.json",
    )
    assert [issue.describe() for issue in result.errors] == [
        "シート「services[0]」 列「schedules[0].opens_at」: 「25:00」は時刻（HH:MM）として読めません。",
        "シート「services[1]」 列「status」: status「open」は active、inactive、defunct、temporarily closed のいずれかにしてください。",
    ]
    assert Service.objects.count() == 0
    broken = directory_import_preview(municipality=kamakura, data=b'[{"id": ', filename="x.json")
    assert [issue.code for issue in broken.errors] == ["json"]


def test_hsds_phone_numbers_are_normalised_and_odd_ones_warned(kamakura: Municipality) -> None:
    services = json.loads((DATA / "hsds_services.json").read_text(encoding="utf-8"))
    services[0]["phones"][0]["number"] = "+81 467-00-1111"
    services[1]["phones"][0]["number"] = "0467-00-22223"
    data = json.dumps(services, ensure_ascii=False).encode()
    result = directory_import_apply(
        actor="cli:test", municipality=kamakura, data=data, filename="phones.json"
    )
    assert result.errors == []
    assert [issue.describe() for issue in result.warnings] == [
        "シート「services[1]」 列「phones[0].number」: 「0467-00-22223」は日本の電話番号として"
        "読めません（桁数が合いません（固定電話は10桁、携帯電話などは11桁です））。"
        "書かれたまま取り込みました。"
    ]
    assert sorted(Phone.objects.values_list("number", flat=True)) == [
        "0467-00-1111",
        "0467-00-22223",
    ]


def _zip(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.glob("*")):
            archive.write(path, f"hsds/{path.name}")
    return buffer.getvalue()


def test_hsds_datapackage_zip(kamakura: Municipality) -> None:
    data = _zip(DATA / "hsds_example")
    result = directory_import_apply(
        actor="cli:test", municipality=kamakura, data=data, filename="hsds.zip"
    )
    assert result.errors == []
    assert result.notes == ["形式: HSDS 3.0 表形式（datapackage の ZIP）"]
    assert result.counts("service") == {"add": 1, "update": 0, "unchanged": 0}
    service = Service.objects.get(source_kind="hsds")
    assert service.pk == uuid.UUID("ac148810-d857-441c-9679-408f346de14b")
    assert (service.name, service.status, service.minimum_age, service.maximum_age) == (
        "Community Counselling",
        "active",
        12,
        100,
    )
    assert service.organization.name == "Example Organization Inc."
    schedule = Schedule.objects.get(service=service)
    assert (schedule.freq, schedule.byday, schedule.opens_at, schedule.closes_at) == (
        "WEEKLY",
        "TH,FR",
        dt.time(10, 0),
        dt.time(18, 0),
    )
    location = Location.objects.get(source_kind="hsds")
    assert (location.name, location.latitude) == ("MyCity Civic Center", Decimal("51.507400"))
    assert Address.objects.get(location=location).city == "MyCity"
    # the example's schedule names both the service and the location: each gets one
    assert Schedule.objects.get(location=location).byday == "TH,FR"
    assert Phone.objects.get(service=service).number == '"+44 1234 234567"'


def test_cli_folder_dry_run_and_usage_errors(
    kamakura: Municipality, capsys: pytest.CaptureFixture[str]
) -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "directory",
        "import",
        str(DATA / "hsds_example"),
        "--municipality",
        "142042",
        "--dry-run",
        stdout=out,
        stderr=err,
    )
    assert "サービス: 追加 1 件、変更 0 件、変更なし 0 件" in out.getvalue()
    assert "確認のみ（保存していません）" in out.getvalue()
    assert Service.objects.count() == 0
    from django.core.management.base import CommandError

    with pytest.raises(CommandError) as missing:
        call_command(
            "directory", "import", str(DATA / "nope.csv"), "--municipality", "142042", stderr=err
        )
    assert missing.value.returncode == 2
    with pytest.raises(CommandError) as unknown:
        call_command(
            "directory", "import", str(DATA / "aed.csv"), "--municipality", "999999", stderr=err
        )
    assert unknown.value.returncode == 2
    with pytest.raises(CommandError) as kind:
        call_command(
            "directory",
            "import",
            str(DATA / "aed.csv"),
            "--municipality",
            "142042",
            "--kind",
            "x",
            stderr=err,
        )
    assert kind.value.returncode == 2
    bad_err = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command(
            "directory",
            "import",
            str(DATA / "bad_rows.csv"),
            "--municipality",
            "142042",
            stderr=bad_err,
        )
    assert refused.value.returncode == 1
    assert (
        "3行目 列「電話番号」: 「0467-00-ABCD」は電話番号として読めません。数字とハイフン（-）だけで入力してください。"
        in bad_err.getvalue()
    )
    assert Service.objects.count() == 0
