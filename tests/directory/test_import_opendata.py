"""Open-data CSV imports (介護・子育て・医療・AED) from real file formats in tests/data/directory/."""

from __future__ import annotations

import datetime
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from sasaeai.accounts import services as accounts
from sasaeai.accounts.models import Municipality, Town, User
from sasaeai.accounts.roles import Role
from sasaeai.audit.models import AuditEvent
from sasaeai.directory import services as directory_services
from sasaeai.directory.importing.result import DirectoryImportResult
from sasaeai.directory.importing.service import directory_import_apply, directory_import_preview
from sasaeai.directory.models import (
    Address,
    Attribute,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
)
from sasaeai.directory.search import search
from tests.directory.builders import build_service

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


def apply(municipality: Municipality, name: str, kind: str = "auto") -> DirectoryImportResult:
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
    assert result.counts("service") == {"add": 3, "update": 0, "unchanged": 0, "retire": 0}
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
    assert again.counts("service") == {"add": 0, "update": 0, "unchanged": 3, "retire": 0}
    assert not again.has_changes
    assert again.summary() == "変更はありません。"
    assert Service.objects.filter(municipality=kamakura).count() == 3
    assert Organization.objects.filter(municipality=kamakura).count() == 2
    assert AuditEvent.objects.filter(action="import", object_type="directory.import").count() == 1
    changed = read("kaigo_cp932.csv").decode("cp932").replace("0467-00-2001", "0467-00-2999")
    result = directory_import_apply(
        actor="cli:test", municipality=kamakura, data=changed.encode("cp932"), filename="k.csv"
    )
    assert result.counts("service") == {"add": 0, "update": 1, "unchanged": 2, "retire": 0}
    assert result.changes_of("service", "update")[0].fields == ("phones",)
    assert Phone.objects.filter(service__source_id="0171000002").get().number == "0467-00-2999"
    assert Service.objects.filter(municipality=kamakura).count() == 3


def test_reimport_keeps_what_the_staff_added(
    kamakura: Municipality, towns: dict[str, Town]
) -> None:
    """Fields and terms an open-data file never carries survive a re-import."""
    from sasaeai.directory.taxonomies import service_terms_set, terms_of_services

    apply(kamakura, "kaigo_cp932.csv")
    service = Service.objects.get(municipality=kamakura, source_id="0171000002")
    Service.objects.filter(pk=service.pk).update(
        eligibility_description="要介護1以上の方",
        fees_description="介護保険の自己負担（1割〜3割）と食費",
        assured_date=datetime.date(2026, 11, 1),
    )
    service_terms_set(
        service_id=service.pk, municipality=kamakura, codes=["care-service", "elderly", "carers"]
    )
    again = apply(kamakura, "kaigo_cp932.csv")
    assert again.summary() == "変更はありません。"
    kept = Service.objects.get(pk=service.pk)
    assert (kept.eligibility_description, kept.fees_description, kept.assured_date) == (
        "要介護1以上の方",
        "介護保険の自己負担（1割〜3割）と食費",
        datetime.date(2026, 11, 1),
    )
    terms = terms_of_services([service.pk])[service.pk]
    assert sorted(term.code for term in [*terms.categories, *terms.targets]) == [
        "care-service",
        "carers",
        "elderly",
    ]


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


def test_readings_made_for_a_file_without_kana_read_place_names_locally(
    kamakura: Municipality,
) -> None:
    from sasaeai.accounts.models import District

    District.objects.create(municipality=kamakura, name="大船", reading="おおふな", order=1)
    text = read("aed.csv").decode("utf-8").replace("オオフナチイキカイカン", "")
    result = directory_import_apply(
        actor="cli:test", municipality=kamakura, data=text.encode(), filename="aed.csv"
    )
    assert result.errors == []
    service = Service.objects.get(source_kind="aed", source_id="a001")
    assert service.name_kana == "オオフナチイキカイカン(カクウ)"  # UniDic alone: オオブネ…


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
    assert utf16.counts("service") == {"add": 1, "update": 0, "unchanged": 0, "retire": 0}
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
    assert result.counts("service") == {"add": 3, "update": 0, "unchanged": 0, "retire": 0}
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


# --- retire_missing: a newer list without the businesses that closed -----------------------

CLOSED = "kaigo_closed_cp932.csv"  # kaigo_cp932.csv without 0171000002 (ささえあいデイサービス)


def build_retire_world(kamakura: Municipality, fujisawa: Municipality) -> dict[str, Service]:
    """Kamakura's kaigo list imported (0171000001, 0171000002, 1471000003), its AED list
    (a001), kaigo rows a person made with other statuses, a manual service, and Fujisawa's
    kaigo list (1471000004): services by source id (the manual one by its name)."""
    apply(kamakura, "kaigo_cp932.csv")
    apply(kamakura, "aed.csv")
    directory_import_apply(
        actor="cli:test", municipality=fujisawa, data=read("kaigo_cp932.csv"), filename="f.csv"
    )
    for source_id, name, status in [
        ("0171000005", "ささえあい訪問入浴（架空）", "temporarily closed"),
        ("0171000006", "ささえあいデイケア（架空）", "inactive"),
        ("0171000007", "ささえあい短期入所（架空）", "defunct"),
    ]:
        build_service(kamakura, name=name, status=status, source_kind="kaigo", source_id=source_id)
    build_service(kamakura, name="ささえあいサロン（架空）")
    services = {s.source_id or s.name: s for s in Service.objects.all()}
    assert len(services) == 9
    return services


def statuses() -> dict[tuple[str, str, str], str]:
    return {
        (s.municipality.code, s.source_kind, s.source_id or s.name): s.status
        for s in Service.objects.select_related("municipality")
    }


BEFORE = {
    ("142042", "kaigo", "0171000001"): "active",
    ("142042", "kaigo", "0171000002"): "active",
    ("142042", "kaigo", "1471000003"): "active",
    ("142042", "aed", "a001"): "active",
    ("142042", "kaigo", "0171000005"): "temporarily closed",
    ("142042", "kaigo", "0171000006"): "inactive",
    ("142042", "kaigo", "0171000007"): "defunct",
    ("142042", "manual", "ささえあいサロン（架空）"): "active",
    ("142051", "kaigo", "1471000004"): "active",
}


def found(municipality: Municipality, query: str) -> list[str]:
    return [hit.name for hit in search(municipality, query).results]


def test_retire_missing_retires_exactly_the_missing_of_that_kind(
    kamakura: Municipality, fujisawa: Municipality
) -> None:
    services = build_retire_world(kamakura, fujisawa)
    assert statuses() == BEFORE
    assert found(kamakura, "ささえあいデイサービス") == ["ささえあいデイサービス（架空）"]
    assert found(kamakura, "訪問入浴") == ["ささえあい訪問入浴（架空）"]
    result = directory_import_apply(
        actor="cli:test",
        municipality=kamakura,
        data=read(CLOSED),
        filename=CLOSED,
        retire_missing=True,
    )
    assert (result.errors, result.applied) == ([], True)
    assert result.counts("service") == {"add": 0, "update": 0, "unchanged": 2, "retire": 2}
    assert result.counts("organization") == {"add": 0, "update": 0, "unchanged": 2}
    assert [
        (c.action, c.action_label, c.key, c.name, c.row, c.fields)
        for c in result.changes_of("service", "retire")
    ] == [
        ("retire", "休止にする", "0171000002", "ささえあいデイサービス（架空）", None, ("status",)),
        ("retire", "休止にする", "0171000005", "ささえあい訪問入浴（架空）", None, ("status",)),
    ]
    assert result.notes[-1] == (
        "このファイルにない取り込み済みの「介護サービス事業所一覧」（実施中・一時休止のもの）は"
        "「休止中」にします。"
    )
    assert result.summary() == (
        "取り込みました: サービス 追加 0 件、変更 0 件、変更なし 2 件、休止 2 件"
    )
    assert statuses() == {
        **BEFORE,
        ("142042", "kaigo", "0171000002"): "inactive",
        ("142042", "kaigo", "0171000005"): "inactive",
    }
    event = AuditEvent.objects.filter(action="import").order_by("-pk").first()
    assert event is not None
    assert event.changes == {
        "service_add": [None, 0],
        "service_update": [None, 0],
        "service_unchanged": [None, 2],
        "service_retire": [None, 2],
        "organization_add": [None, 0],
        "organization_update": [None, 0],
        "organization_unchanged": [None, 2],
        "location_add": [None, 0],
        "location_update": [None, 0],
        "location_unchanged": [None, 2],
        f"service:{services['0171000002'].pk}:status": ["active", "inactive"],
        f"service:{services['0171000005'].pk}:status": ["temporarily closed", "inactive"],
    }
    assert event.detail == (
        f"地域資源情報を取り込みました（kaigo、ファイル: {CLOSED}、SHA-256: "
        f"{result.sha256[:16]}）: サービス 追加 0 件、変更 0 件、変更なし 2 件、休止 2 件、警告 1 件"
    )
    assert AuditEvent.objects.filter(action="import", object_type="directory.import").count() == 4
    # gone from the residents' search, in the same transaction
    assert found(kamakura, "ささえあいデイサービス") == []
    assert found(kamakura, "訪問入浴") == []
    assert found(kamakura, "ささえあい訪問介護") == ["ささえあい訪問介護ステーション（架空）"]
    # the same file again: nothing left to retire
    again = directory_import_apply(
        actor="cli:test",
        municipality=kamakura,
        data=read(CLOSED),
        filename=CLOSED,
        retire_missing=True,
    )
    assert again.counts("service") == {"add": 0, "update": 0, "unchanged": 2, "retire": 0}
    assert again.summary() == "変更はありません。"


def test_retire_missing_preview_writes_nothing(
    kamakura: Municipality, fujisawa: Municipality
) -> None:
    build_retire_world(kamakura, fujisawa)
    events = AuditEvent.objects.count()
    preview = directory_import_preview(
        municipality=kamakura, data=read(CLOSED), filename=CLOSED, retire_missing=True
    )
    assert (preview.errors, preview.applied) == ([], False)
    assert preview.counts("service") == {"add": 0, "update": 0, "unchanged": 2, "retire": 2}
    assert [c.key for c in preview.changes_of("service", "retire")] == ["0171000002", "0171000005"]
    assert preview.summary() == (
        "確認のみ（保存していません）: サービス 追加 0 件、変更 0 件、変更なし 2 件、休止 2 件"
    )
    assert statuses() == BEFORE
    assert AuditEvent.objects.count() == events
    assert found(kamakura, "ささえあいデイサービス") == ["ささえあいデイサービス（架空）"]
    # without the flag the same file retires nothing
    plain = directory_import_preview(municipality=kamakura, data=read(CLOSED), filename=CLOSED)
    assert plain.counts("service") == {"add": 0, "update": 0, "unchanged": 2, "retire": 0}
    assert plain.summary() == "変更はありません。"


def retire_closed(municipality: Municipality) -> DirectoryImportResult:
    return directory_import_apply(
        actor="cli:test",
        municipality=municipality,
        data=read(CLOSED),
        filename=CLOSED,
        retire_missing=True,
    )


def test_a_retired_service_listed_again_is_active_again(
    kamakura: Municipality, fujisawa: Municipality, users: dict[str, User]
) -> None:
    services = build_retire_world(kamakura, fujisawa)
    day_service = services["0171000002"]
    retire_closed(kamakura)
    result = apply(kamakura, "kaigo_cp932.csv")  # the full list again, without the flag
    assert result.counts("service") == {"add": 0, "update": 1, "unchanged": 2, "retire": 0}
    assert [(c.key, c.fields) for c in result.changes_of("service", "update")] == [
        ("0171000002", ("status",))
    ]
    assert result.summary() == "取り込みました: サービス 追加 0 件、変更 1 件、変更なし 2 件"
    assert statuses() == {
        **BEFORE,
        ("142042", "kaigo", "0171000005"): "inactive",  # still not listed
    }
    event = AuditEvent.objects.filter(action="import").order_by("-pk").first()
    assert event is not None
    assert event.changes[f"service:{day_service.pk}:status"] == ["inactive", "active"]
    assert found(kamakura, "ささえあいデイサービス") == ["ささえあいデイサービス（架空）"]

    # retired again; a person confirming the entry (no status change) does not make the
    # retirement theirs
    again = retire_closed(kamakura)
    assert [c.key for c in again.changes_of("service", "retire")] == ["0171000002"]
    directory_services.service_confirm(actor=users[Role.SECRETARIAT], service=day_service)
    confirmed = Service.objects.get(pk=day_service.pk).assured_date
    assert confirmed is not None
    result = apply(kamakura, "kaigo_cp932.csv")
    # the open-data file has no 最終確認日: the staff's confirmation is kept
    assert [(c.key, c.fields) for c in result.changes_of("service", "update")] == [
        ("0171000002", ("status",))
    ]
    assert statuses()[("142042", "kaigo", "0171000002")] == "active"
    assert Service.objects.get(pk=day_service.pk).assured_date == confirmed


def test_a_status_a_person_set_is_kept(
    kamakura: Municipality, fujisawa: Municipality, users: dict[str, User]
) -> None:
    services = build_retire_world(kamakura, fujisawa)
    secretariat = users[Role.SECRETARIAT]
    retire_closed(kamakura)
    # retired by the import, then put back and set inactive again by a person
    directory_services.service_set_status(
        actor=secretariat, service=services["0171000002"], status="active"
    )
    directory_services.service_set_status(
        actor=secretariat, service=services["0171000002"], status="inactive"
    )
    directory_services.service_set_status(
        actor=secretariat, service=services["0171000001"], status="inactive"
    )
    directory_services.service_set_status(
        actor=secretariat, service=services["1471000003"], status="defunct"
    )
    result = apply(kamakura, "kaigo_cp932.csv")
    assert result.errors == []
    assert result.counts("service") == {"add": 0, "update": 0, "unchanged": 3, "retire": 0}
    assert result.summary() == "変更はありません。"
    assert statuses() == {
        **BEFORE,
        ("142042", "kaigo", "0171000001"): "inactive",
        ("142042", "kaigo", "0171000002"): "inactive",
        ("142042", "kaigo", "1471000003"): "defunct",
        ("142042", "kaigo", "0171000005"): "inactive",
    }


def test_retire_missing_refuses_hsds(kamakura: Municipality) -> None:
    message = (
        "HSDS のファイルでは、このファイルにない情報を「休止中」にすることはできません。"
        "HSDS は複数の発行元のファイルが同じ取込元（hsds）を使うため、"
        "1つのファイルに載っていないことは休止を意味しません。"
        "休止にする指定はオープンデータの CSV（kaigo・kosodate・iryo・aed）で使ってください。"
    )
    for kind in ("auto", "hsds"):
        result = directory_import_apply(
            actor="cli:test",
            municipality=kamakura,
            data=read("hsds_services.json"),
            filename="hsds_services.json",
            kind=kind,
            retire_missing=True,
        )
        assert [(issue.code, issue.describe()) for issue in result.errors] == [
            ("retire_missing_hsds", message)
        ]
        assert result.summary() == "取り込めませんでした（誤り 1 件）。何も変更していません。"
        assert not result.applied
    assert Service.objects.count() == 0
    assert not AuditEvent.objects.filter(action="import").exists()


def test_retire_missing_refuses_a_file_without_services(
    kamakura: Municipality, fujisawa: Municipality
) -> None:
    build_retire_world(kamakura, fujisawa)
    events = AuditEvent.objects.count()
    lines = read("kaigo_cp932.csv").decode("cp932").splitlines(keepends=True)
    header_only = lines[0].encode("cp932")
    fujisawa_only = (lines[0] + lines[4]).encode("cp932")
    message = (
        "このファイルには取り込めるサービスが1件もありません。"
        "このままでは取り込み済みの「介護サービス事業所一覧」がすべて休止中になるため、取り込みません。"
        "ファイルの中身と自治体コードを確かめてください。"
    )
    for data in (header_only, fujisawa_only):
        result = directory_import_apply(
            actor="cli:test",
            municipality=kamakura,
            data=data,
            filename="k.csv",
            retire_missing=True,
        )
        assert [(issue.code, issue.describe()) for issue in result.errors] == [
            ("retire_missing_empty", message)
        ]
        assert not result.applied
    assert statuses() == BEFORE
    assert AuditEvent.objects.count() == events
    # without the flag an empty list is simply nothing to do
    plain = directory_import_apply(
        actor="cli:test", municipality=kamakura, data=header_only, filename="k.csv"
    )
    assert (plain.errors, plain.summary()) == ([], "変更はありません。")
