"""Open-data CSV imports (介護・子育て・医療・AED) from real file formats in tests/data/directory/."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from sasaeai.accounts import services as accounts
from sasaeai.accounts.models import Municipality, Town
from sasaeai.audit.models import AuditEvent
from sasaeai.directory.importing.service import (
    ImportResult,
    directory_import_apply,
    directory_import_preview,
)
from sasaeai.directory.models import (
    Address,
    Attribute,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "directory"


def read(name: str) -> bytes:
    return (DATA / name).read_bytes()


@pytest.fixture
def towns(kamakura: Municipality) -> dict[str, Town]:
    spec = {
        "大船": ["大船一丁目", "大船二丁目"],
        "腰越": ["腰越"],
        "鎌倉": ["山ノ内"],
    }
    result: dict[str, Town] = {}
    for order, (district_name, names) in enumerate(spec.items(), start=1):
        district = accounts.district_upsert(
            actor="test", municipality=kamakura, name=district_name, order=order
        )
        for name in names:
            result[name] = accounts.town_upsert(actor="test", district=district, name=name)
    return result


def apply(municipality: Municipality, name: str, kind: str = "auto") -> ImportResult:
    return directory_import_apply(
        actor="cli:test", municipality=municipality, data=read(name), filename=name, kind=kind
    )


def test_kaigo_cp932_old_header(kamakura: Municipality, towns: dict[str, Town]) -> None:
    result = apply(kamakura, "kaigo_cp932.csv")
    assert result.errors == []
    assert result.kind == "kaigo"
    assert result.notes == [
        "文字コード: Shift_JIS（CP932）",
        "種類: 見出しから「介護サービス事業所一覧」（kaigo）と判定しました",
    ]
    assert [issue.describe() for issue in result.warnings] == [
        "3行目 列「事業所番号」: 事業所番号「171000002」は先頭の 0 が落ちていたため「0171000002」として読みました。",
        "ほかの自治体の行を 1 件読み飛ばしました（列「全国地方公共団体コード」）。",
    ]
    assert result.counts("service") == {"add": 3, "update": 0, "unchanged": 0}
    assert result.counts("organization") == {"add": 2, "update": 0, "unchanged": 0}
    assert result.applied
    services = {s.source_id: s for s in Service.objects.filter(municipality=kamakura)}
    assert sorted(services) == ["0171000001", "0171000002", "1471000003"]
    first = services["0171000001"]
    assert (first.name, first.name_kana, first.source_kind, first.description) == (
        "ささえあい訪問介護ステーション（架空）",
        "ササエアイホウモンカイゴステーション",
        "kaigo",
        "実施サービス: 訪問介護",
    )
    assert first.organization.name == "社会福祉法人ささえあい会（架空）"
    assert first.organization.tax_id == "1234567890123"
    assert services["0171000002"].organization_id == first.organization_id
    assert sorted(
        Phone.objects.filter(service=first).values_list("number", "type", "extension")
    ) == [("0467-00-1001", "voice", None), ("0467-00-1002", "fax", None)]
    assert Phone.objects.get(service=services["0171000002"]).extension == 12
    assert Phone.objects.get(service=services["1471000003"]).number == "0467-00-3001"
    schedule = Schedule.objects.get(service=first)
    assert (schedule.freq, schedule.byday, schedule.closed_on_holidays, schedule.notes) == (
        "WEEKLY",
        "MO,TU,WE,TH,FR",
        True,
        "祝日を除く",
    )
    location = Location.objects.get(at_locations__service=first)
    assert (location.latitude, location.longitude) == (Decimal("35.353000"), Decimal("139.531000"))
    assert (location.external_identifier, location.external_identifier_type) == (
        "0171000001",
        "事業所番号",
    )
    assert location.district is not None
    assert (location.town, location.district.name) == (towns["大船一丁目"], "大船")
    address = Address.objects.get(location=location)
    assert (address.state_province, address.city, address.address_1, address.address_2) == (
        "神奈川県",
        "鎌倉市",
        "大船一丁目2番3号",
        "大船ビル2階",
    )
    koshigoe = Location.objects.get(source_kind="kaigo", source_id="0171000002")
    assert koshigoe.town == towns["腰越"]
    yamanouchi = Location.objects.get(source_kind="kaigo", source_id="1471000003")
    assert yamanouchi.town == towns["山ノ内"]
    codes = sorted(
        Attribute.objects.filter(link_id=first.pk).values_list("taxonomy_term__code", flat=True)
    )
    assert codes == ["care-service", "elderly"]
    event = AuditEvent.objects.get(action="import", object_type="directory.import")
    assert event.actor_label == "cli:test"
    assert (event.changes["service_add"], event.changes["organization_add"]) == (
        [None, 3],
        [None, 2],
    )
    assert event.detail == (
        "地域資源情報を取り込みました（kaigo、ファイル: kaigo_cp932.csv、SHA-256: "
        f"{result.sha256[:16]}）: サービス 追加 3 件、変更 0 件、変更なし 0 件、警告 2 件"
    )


def test_reimport_updates_instead_of_duplicating(
    kamakura: Municipality, towns: dict[str, Town]
) -> None:
    apply(kamakura, "kaigo_cp932.csv")
    again = apply(kamakura, "kaigo_cp932.csv")
    assert again.counts("service") == {"add": 0, "update": 0, "unchanged": 3}
    assert not again.has_changes
    assert again.summary() == "変更はありません。"
    assert Service.objects.filter(municipality=kamakura).count() == 3
    assert Organization.objects.filter(municipality=kamakura).count() == 2
    assert AuditEvent.objects.filter(action="import", object_type="directory.import").count() == 1
    changed = read("kaigo_cp932.csv").decode("cp932").replace("0467-00-2001", "0467-00-2999")
    result = directory_import_apply(
        actor="cli:test", municipality=kamakura, data=changed.encode("cp932"), filename="k.csv"
    )
    assert result.counts("service") == {"add": 0, "update": 1, "unchanged": 2}
    assert result.changes_of("service", "update")[0].fields == ("phones",)
    assert Phone.objects.filter(service__source_id="0171000002").get().number == "0467-00-2999"
    assert Service.objects.filter(municipality=kamakura).count() == 3


def test_kosodate_utf8_bom_new_header(kamakura: Municipality, towns: dict[str, Town]) -> None:
    result = apply(kamakura, "kosodate_utf8bom.csv")
    assert (result.errors, result.warnings, result.kind) == ([], [], "kosodate")
    assert result.notes[0] == "文字コード: UTF-8（BOM付き）"
    service = Service.objects.get(source_kind="kosodate", source_id="142042-k001")
    assert service.name == "おおふなこども園（架空）"
    assert service.description == (
        "種別: 認定こども園（幼保連携型）\n受入年齢: 0歳～5歳\n収容定員: 120\n"
        "一時預かりの有無: 有\n認可等年月日: 2015-04-01"
    )
    schedule = Schedule.objects.get(service=service)
    assert (schedule.byday, schedule.opens_at, schedule.closes_at) == (
        "MO,TU,WE,TH,FR,SA",
        dt.time(7, 0),
        dt.time(19, 0),
    )
    assert (schedule.closed_on_holidays, schedule.closed_year_end) == (True, True)
    location = Location.objects.get(source_kind="kosodate", source_id="142042-k001")
    assert location.town == towns["大船二丁目"]
    assert location.transportation == "アクセス方法: 大船駅から徒歩5分\n駐車場情報: なし"
    assert Address.objects.get(location=location).address_1 == "大船二丁目5-6"
    other = Service.objects.get(source_kind="kosodate", source_id="142042-k002")
    other_schedule = Schedule.objects.get(service=other)
    assert (other_schedule.byday, other_schedule.opens_at, other_schedule.closes_at) == (
        "MO,TU,WE,TH,FR",
        dt.time(7, 30),
        dt.time(18, 30),
    )
    building = Address.objects.get(location__source_id="142042-k002")
    assert (building.address_1, building.address_2) == ("腰越7-8", "こしごえ会館1階")
    codes = sorted(
        Attribute.objects.filter(link_id=service.pk).values_list("taxonomy_term__code", flat=True)
    )
    assert codes == ["childcare", "children"]


def test_iryo_swapped_coordinates_and_free_text_days(kamakura: Municipality) -> None:
    result = apply(kamakura, "iryo_swapped.csv")
    assert result.errors == []
    assert [issue.describe() for issue in result.warnings] == [
        "2行目: 緯度「139.530500」と経度「35.352500」が入れ替わっていたため、入れ替えて読みました。",
        "3行目 列「診療曜日」: 曜日「不定期」を読み取れないため、文のまま登録します。",
    ]
    clinic = Location.objects.get(source_kind="iryo", source_id="0112345")
    assert (clinic.latitude, clinic.longitude) == (Decimal("35.352500"), Decimal("139.530500"))
    assert clinic.external_identifier == "0112345"
    hospital = Service.objects.get(source_kind="iryo", source_id="0154321")
    schedule = Schedule.objects.get(service=hospital)
    assert (schedule.freq, schedule.byday, schedule.description) == ("", "", "不定期")
    assert (schedule.opens_at, schedule.closes_at) == (dt.time(9, 0), dt.time(17, 0))
    assert hospital.description == (
        "医療機関の種類: 病院\n診療科目: 内科、外科、整形外科\n病床数: 120\n時間外における対応: 救急外来あり"
    )


def test_aed_and_utf16(kamakura: Municipality) -> None:
    result = apply(kamakura, "aed.csv")
    assert (result.errors, result.warnings) == ([], [])
    service = Service.objects.get(source_kind="aed", source_id="a001")
    assert service.name == "AED（大船地域会館（架空））"
    assert service.description == "設置位置: 1階入口\n小児対応設備の有無: 有"
    schedule = Schedule.objects.get(service=service)
    assert (schedule.byday, schedule.opens_at, schedule.closes_at) == (
        "MO,TU,WE,TH,FR,SA,SU",
        dt.time(0, 0),
        dt.time(23, 59),
    )
    utf16 = apply(kamakura, "aed_utf16.txt")
    assert utf16.notes[0] == "文字コード: UTF-16（BOM付き）"
    assert utf16.counts("service") == {"add": 1, "update": 0, "unchanged": 0}
    assert Service.objects.get(source_id="u001").name == "AED（ゆにこーど会館（架空））"


def test_missing_required_column_is_refused(kamakura: Municipality) -> None:
    result = apply(kamakura, "bad_missing_column.csv", kind="aed")
    assert [issue.describe() for issue in result.errors] == [
        "1行目 列「名称」: 必要な列「名称」がありません（見出しの行）。"
    ]
    assert not result.applied
    assert Service.objects.count() == 0


def test_one_bad_row_writes_nothing(kamakura: Municipality) -> None:
    result = apply(kamakura, "bad_rows.csv")
    assert [issue.describe() for issue in result.errors] == [
        "3行目 列「電話番号」: 「0467-00-ABCD」は電話番号として読めません。数字とハイフン（-）だけで入力してください。",
        "4行目 列「緯度」: 「北緯35度」は数値として読めません。",
    ]
    assert result.summary() == "取り込めませんでした（誤り 2 件）。何も変更していません。"
    assert (Service.objects.count(), Organization.objects.count(), Location.objects.count()) == (
        0,
        0,
        0,
    )
    assert not AuditEvent.objects.filter(action="import").exists()


def test_preview_writes_nothing(kamakura: Municipality) -> None:
    result = directory_import_preview(
        municipality=kamakura, data=read("kaigo_cp932.csv"), filename="kaigo_cp932.csv"
    )
    assert result.counts("service") == {"add": 3, "update": 0, "unchanged": 0}
    assert not result.applied
    assert result.summary() == (
        "確認のみ（保存していません）: サービス 追加 3 件、変更 0 件、変更なし 0 件"
    )
    assert (Service.objects.count(), Organization.objects.count(), Phone.objects.count()) == (
        0,
        0,
        0,
    )
    assert not AuditEvent.objects.filter(action="import").exists()


def test_undecodable_file_is_refused(kamakura: Municipality) -> None:
    result = directory_import_preview(
        municipality=kamakura,
        data="名称,住所\n".encode("cp932") + b"\x85\x40",
        filename="x.csv",
        kind="aed",
    )
    assert [issue.message for issue in result.errors] == [
        "文字コードを判別できません（11 バイト目）。UTF-8、UTF-8（BOM付き）、"
        "Shift_JIS（CP932）、UTF-16（BOM付き）のいずれかで保存してください。"
    ]


def test_auto_kind_asks_when_the_header_is_unclear(kamakura: Municipality) -> None:
    data = "名称,住所,電話番号\nふれあい会館（架空）,鎌倉市大船1-1,0467-00-0001\n".encode()
    result = directory_import_preview(municipality=kamakura, data=data, filename="x.csv")
    assert [issue.describe() for issue in result.errors] == [
        "1行目: 見出しからデータセットの種類を判別できません。--kind で kaigo・kosodate・iryo・aed のいずれかを指定してください。"
    ]
    named = directory_import_preview(municipality=kamakura, data=data, filename="x.csv", kind="aed")
    assert [issue.describe() for issue in named.errors] == [
        "1行目 列「設置位置」: 必要な列「設置位置」がありません（見出しの行）。"
    ]
