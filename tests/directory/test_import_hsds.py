"""HSDS 3.0 imports: JSON (array, single object, paginated list) and the CSV datapackage."""

from __future__ import annotations

import datetime as dt
import io
import json
import uuid
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from sasaeai.accounts import services as accounts
from sasaeai.accounts.models import Municipality
from sasaeai.directory.importing.service import directory_import_apply, directory_import_preview
from sasaeai.directory.models import (
    Accessibility,
    Address,
    Attribute,
    Contact,
    CostOption,
    Language,
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
    assert result.counts("service") == {"add": 2, "update": 0, "unchanged": 0, "retire": 0}
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
    assert result.counts("service") == {"add": 1, "update": 0, "unchanged": 0, "retire": 0}
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
    assert again.counts("service") == {"add": 1, "update": 0, "unchanged": 1, "retire": 0}
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


def test_hsds_odd_json_values_are_reported_not_crashed(kamakura: Municipality) -> None:
    services = json.loads((DATA / "hsds_services.json").read_text(encoding="utf-8"))
    services[0]["minimum_age"] = []
    services[0]["maximum_age"] = "Infinity"
    services[1]["phones"][0]["extension"] = "1e30"
    result = directory_import_apply(
        actor="cli:test",
        municipality=kamakura,
        data=json.dumps(services, ensure_ascii=False).encode(),
        filename="odd.json",
    )
    assert [issue.describe() for issue in result.errors] == [
        "シート「services[0]」 列「minimum_age」: 「[]」は数値として読めません。",
        "シート「services[0]」 列「maximum_age」: 「Infinity」は数値として読めません。",
    ]
    assert [issue.describe() for issue in result.warnings] == [
        "シート「services[1]」 列「phones[0].extension」: 内線番号「1e30」は数値ではないため読み飛ばしました。"
    ]
    assert Service.objects.count() == 0


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
    assert result.counts("service") == {"add": 1, "update": 0, "unchanged": 0, "retire": 0}
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
    option = CostOption.objects.get(service=service)
    assert (option.option, option.currency, option.amount, option.valid_to) == (
        "Under 18s and Over 60s",
        "GBP",  # "gbp" in the file
        Decimal(35),
        dt.date(2022, 12, 31),
    )
    assert list(Accessibility.objects.values_list("location_id", "url")) == [
        (location.pk, "http://example.com")
    ]
    # the one contact row names the service and the location: each gets one, with the
    # phone (its contact_id); the one language row names the service, the location and the
    # phone: it is given to the service, the location and each copy of the phone
    assert sorted(
        Contact.objects.values_list("service_id", "location_id", "name", "phones__number"),
        key=repr,
    ) == sorted(
        [
            (service.pk, None, "Ann Persona", '"+44 1234 234567"'),
            (None, location.pk, "Ann Persona", '"+44 1234 234567"'),
        ],
        key=repr,
    )
    assert Phone.objects.count() == 4
    assert sorted(
        (item.service_id is not None, item.location_id is not None, item.phone_id is not None)
        for item in Language.objects.filter(code="ur")
    ) == [(False, False, True)] * 4 + [(False, True, False), (True, False, False)]


def test_hsds_datapackage_detail_errors(kamakura: Municipality, tmp_path: Path) -> None:
    folder = tmp_path / "hsds"
    folder.mkdir()
    for path in (DATA / "hsds_example").glob("*"):
        (folder / path.name).write_bytes(path.read_bytes())
    costs = (folder / "cost_options.csv").read_text(encoding="utf-8")
    (folder / "cost_options.csv").write_text(costs.replace(",gbp,35,", ",gbp,35円,"), "utf-8")
    result = directory_import_apply(
        actor="cli:test", municipality=kamakura, data=_zip(folder), filename="hsds.zip"
    )
    assert [issue.describe() for issue in result.errors] == [
        "シート「services[0]」 列「cost_options[0].amount」: 「35円」は数値として読めません。"
    ]
    assert (Service.objects.count(), CostOption.objects.count(), Contact.objects.count()) == (
        0,
        0,
        0,
    )


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


def _details_json() -> list[dict[str, Any]]:
    value: list[dict[str, Any]] = json.loads(
        (DATA / "hsds_details.json").read_text(encoding="utf-8")
    )
    return value


def _import_json(municipality: Municipality, services: list[dict[str, Any]]) -> Any:
    return directory_import_apply(
        actor="cli:test",
        municipality=municipality,
        data=json.dumps(services, ensure_ascii=False).encode(),
        filename="details.json",
    )


def _stored(municipality: Municipality) -> dict[str, Any]:
    """The four tables, each row with what owns it."""

    def owner(row: Any) -> str:
        for field in ("organization", "service", "location"):
            if getattr(row, f"{field}_id", None):
                return f"{field}:{getattr(row, field).name}"
        return f"phone:{row.phone.number}"

    return {
        "contacts": sorted(
            (
                owner(c),
                c.name,
                c.title,
                c.department,
                c.email,
                [(p.number, p.type) for p in c.phones.all()],
            )
            for c in Contact.objects.filter(municipality=municipality)
        ),
        "languages": sorted(
            (owner(item), item.name, item.code, item.note)
            for item in Language.objects.filter(municipality=municipality)
        ),
        "accessibility": sorted(
            (owner(item), item.description, item.details, item.url)
            for item in Accessibility.objects.filter(municipality=municipality)
        ),
        "cost_options": sorted(
            (
                owner(item),
                item.option,
                item.amount,
                item.currency,
                item.amount_description,
                item.valid_from,
                item.valid_to,
            )
            for item in CostOption.objects.filter(municipality=municipality)
        ),
    }


SERVICE = "service:外国人のための生活相談（架空）"
LOUNGE = "location:鎌倉国際交流ラウンジ（架空）"


def test_hsds_contacts_languages_accessibility_and_cost_options(kamakura: Municipality) -> None:
    services = _details_json()
    result = _import_json(kamakura, services)
    assert (result.errors, result.warnings) == ([], [])
    assert _stored(kamakura) == {
        "contacts": [
            (LOUNGE, "", "", "受付", "", []),
            (
                "organization:かまくら国際交流の会（架空）",
                "事務局",
                "",
                "",
                "office@example.jp",
                [],
            ),
            (
                SERVICE,
                "佐藤一郎（架空）",
                "相談員",
                "生活相談",
                "sodan@example.jp",
                [("0467-00-4444", "voice")],
            ),
        ],
        "languages": [
            (LOUNGE, "日本手話", "jsl", ""),
            ("phone:0467-00-4444", "ポルトガル語", "pt", ""),  # "PT" in the file
            (SERVICE, "やさしい日本語", "ja", ""),
            (SERVICE, "タガログ語", "tl", "第1土曜日のみ"),
        ],
        "accessibility": [
            (LOUNGE, "車いすで入れます", "エレベーターあり", "https://example.jp/lounge/access")
        ],
        "cost_options": [
            (SERVICE, "相談", Decimal(0), "JPY", "無料", None, None),  # no currency: JPY
            (
                SERVICE,
                "通訳の派遣",
                Decimal(2000),
                "JPY",  # "jpy" in the file
                "1時間あたり",
                dt.date(2026, 4, 1),
                dt.date(2027, 3, 31),
            ),
        ],
    }
    # their UUIDs, as for services
    assert Contact.objects.get(name="佐藤一郎（架空）").pk == uuid.UUID(
        "5b1f3c2a-8d4e-4f6a-9b0c-7e2d1a3b4c20"
    )
    assert CostOption.objects.get(option="通訳の派遣").pk == uuid.UUID(
        "5b1f3c2a-8d4e-4f6a-9b0c-7e2d1a3b4c41"
    )

    again = _import_json(kamakura, services)
    assert again.summary() == "変更はありません。"

    service = services[0]
    service["cost_options"][1]["amount"] = 2500
    del service["contacts"][0]["phones"][0]["languages"]
    location = service["service_at_locations"][0]["location"]
    location["accessibility"][0]["description"] = "車いすで入れます（介助が要ります）"
    service["organization"]["contacts"][0]["email"] = "jimukyoku@example.jp"
    changed = _import_json(kamakura, services)
    assert changed.errors == []
    assert [(c.entity, c.action, c.fields) for c in changed.changes if c.action != "unchanged"] == [
        ("organization", "update", ("contacts",)),
        ("location", "update", ("accessibility",)),
        ("service", "update", ("contacts", "cost_options")),
    ]
    stored = _stored(kamakura)
    assert stored["cost_options"][1][2] == Decimal(2500)
    assert stored["accessibility"] == [
        (
            LOUNGE,
            "車いすで入れます（介助が要ります）",
            "エレベーターあり",
            "https://example.jp/lounge/access",
        )
    ]
    assert stored["contacts"][1][4] == "jimukyoku@example.jp"
    assert "phone:0467-00-4444" not in [row[0] for row in stored["languages"]]
    # replaced, not added to: the old rows are gone
    assert (Contact.objects.count(), Phone.objects.count(), CostOption.objects.count()) == (
        3,
        1,
        2,
    )


def test_hsds_detail_errors_name_the_object(kamakura: Municipality) -> None:
    services = _details_json()
    service = services[0]
    service["organization"]["contacts"][0]["name"] = "事" * 201
    service["contacts"][0]["email"] = "sodan-at-example.jp"
    service["cost_options"][0]["currency"] = "円"
    service["cost_options"][1]["amount"] = "二千円"
    service["cost_options"][1]["valid_from"] = "2026年4月1日"
    location = service["service_at_locations"][0]["location"]
    location["accessibility"][0]["url"] = "example.jp/access"
    services.append(
        {
            "id": "5b1f3c2a-8d4e-4f6a-9b0c-7e2d1a3b4c02",
            "name": "寄付の受付（架空）",
            "organization": service["organization"],
            "cost_options": [
                {"id": "5b1f3c2a-8d4e-4f6a-9b0c-7e2d1a3b4c42", "amount": -500},
                {"id": "5b1f3c2a-8d4e-4f6a-9b0c-7e2d1a3b4c43", "amount": [500]},
            ],
        }
    )
    result = _import_json(kamakura, services)
    assert [issue.describe() for issue in result.errors] == [
        "シート「services[0]」 列「organization.contacts[0].name」: 200 文字を超えています（201 文字）。",
        "シート「services[0]」 列「service_at_locations[0].location.accessibility[0].url」: "
        "「example.jp/access」は URL（http:// か https:// で始まる）として読めません。",
        "シート「services[0]」 列「contacts[0].email」: 「sodan-at-example.jp」はメールアドレスとして読めません。",
        "シート「services[0]」 列「cost_options[0].currency」: "
        "currency「円」は ISO 4217 の3文字の通貨コード（円は JPY）にしてください。",
        "シート「services[0]」 列「cost_options[1].amount」: 「二千円」は数値として読めません。",
        "シート「services[0]」 列「cost_options[1].valid_from」: "
        "「2026年4月1日」は日付（YYYY-MM-DD）として読めません。",
        "シート「services[1]」 列「cost_options[0].amount」: 「-500」は範囲外です。",
        "シート「services[1]」 列「cost_options[1].amount」: 「[500]」は数値として読めません。",
    ]
    # all or nothing
    assert (Service.objects.count(), Contact.objects.count(), Language.objects.count()) == (
        0,
        0,
        0,
    )
    assert (Accessibility.objects.count(), CostOption.objects.count()) == (0, 0)


def test_hsds_detail_warnings(kamakura: Municipality) -> None:
    services = _details_json()
    service = services[0]
    service["languages"] = [
        {"id": "5b1f3c2a-8d4e-4f6a-9b0c-7e2d1a3b4c32", "name": "日本語", "code": "jp"},
        {"id": "5b1f3c2a-8d4e-4f6a-9b0c-7e2d1a3b4c33", "note": "どの言語でも"},
        {"id": "5b1f3c2a-8d4e-4f6a-9b0c-7e2d1a3b4c34", "name": "フィリピン語", "code": "fil"},
    ]
    service["cost_options"][1]["amount"] = 1500.5
    result = _import_json(kamakura, services)
    assert result.errors == []
    assert [issue.describe() for issue in result.warnings] == [
        "シート「services[0]」 列「languages[0].code」: 言語コード「jp」は ISO 639 のコード"
        "（日本語は ja、英語は en）ではありません。書かれたまま取り込みました。",
        "シート「services[0]」 列「languages[1]」: 言語の name も code もないため読み飛ばしました。",
        "シート「services[0]」 列「cost_options[1].amount」: "
        "金額「1500.5」は小数を持てないため、1501 として取り込みました。",
    ]
    stored = _stored(kamakura)
    assert [row for row in stored["languages"] if row[0] == SERVICE] == [
        (SERVICE, "フィリピン語", "fil", ""),
        (SERVICE, "日本語", "jp", ""),
    ]
    assert stored["cost_options"][1][2] == Decimal(1501)
