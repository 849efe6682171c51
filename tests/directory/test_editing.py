"""Editing directory entries: the service functions and the staff form, with exact values,
audited diffs, validation messages naming the field, and the stale-edit refusal."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sasaeai.accounts.roles import Role
from sasaeai.audit.models import AuditEvent
from sasaeai.core.errors import DomainError
from sasaeai.directory import services
from sasaeai.directory.models import Address, Phone, Schedule, Service
from sasaeai.directory.search import search
from sasaeai.directory.taxonomies import terms_of_services
from tests.conftest import login
from tests.directory.builders import build_service
from tests.directory.test_editing_support import *  # noqa: F403
from tests.directory.test_editing_support import fresh

S, CC = Role.SECRETARIAT, Role.COUNCIL_COORDINATOR


def form_data(world: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    data = {
        "organization": str(world["orgs"]["shakyo"].pk),
        "name": "いきいき体操",
        "name_kana": "",
        "description": "いすに座ってできる体操です。",
        "is_free": "yes",
        "maintainer": str(world["units"]["shakyo"].pk),
        "targets": ["elderly"],
        "categories": ["health"],
        "locations-TOTAL_FORMS": "1",
        "locations-INITIAL_FORMS": "0",
        "locations-0-name": "大船会館",
        "locations-0-district": str(world["districts"]["大船"].pk),
        "locations-0-postal_code": "２４７－００５６",
        "locations-0-address_1": "大船二丁目3番4号",
        "locations-0-latitude": "35.353",
        "locations-0-longitude": "139.531",
        "phones-TOTAL_FORMS": "2",
        "phones-INITIAL_FORMS": "0",
        "phones-0-number": "０４６７ー４５ー１２３４",
        "phones-0-type": "voice",
        "phones-1-number": "",
        "phones-1-type": "voice",
        "schedules-TOTAL_FORMS": "1",
        "schedules-INITIAL_FORMS": "0",
        "schedules-0-freq": "MONTHLY",
        "schedules-0-weeks": ["2", "4"],
        "schedules-0-weekdays": ["WE"],
        "schedules-0-opens_at": "13:30",
        "schedules-0-closes_at": "15:00",
        "schedules-0-closed_on_holidays": "on",
        "schedules-0-closed_year_end": "on",
    }
    data.update(overrides)
    return data


def test_a_coordinator_creates_an_entry_from_the_form(client: Any, world: dict[str, Any]) -> None:
    login(client, world["users"][CC])
    response = client.post("/staff/directory/services/new/", form_data(world))
    assert response.status_code == 302, response.content.decode()[:3000]
    service = Service.objects.get(name="いきいき体操")
    assert response["Location"] == f"/staff/directory/services/{service.pk}/"
    assert (service.name_kana, service.is_free, service.status, service.maintainer_id) == (
        "いきいきたいそう",
        True,
        "active",
        world["units"]["shakyo"].pk,
    )
    assert service.assured_date is None  # saving is not confirming
    assert list(Phone.objects.filter(service=service).values_list("number", "type")) == [
        ("0467-45-1234", "voice")
    ]
    schedule = Schedule.objects.get(service=service)
    assert (
        schedule.freq,
        schedule.byday,
        schedule.opens_at,
        schedule.closes_at,
        schedule.closed_on_holidays,
        schedule.closed_year_end,
    ) == ("MONTHLY", "2WE,4WE", datetime.time(13, 30), datetime.time(15), True, True)
    address = Address.objects.get(location__at_locations__service=service)
    assert (address.postal_code, address.address_1, address.city, address.state_province) == (
        "247-0056",
        "大船二丁目3番4号",
        "鎌倉市",
        "神奈川県",
    )
    location = address.location
    assert (location.name, location.district_id, location.latitude, location.longitude) == (
        "大船会館",
        world["districts"]["大船"].pk,
        Decimal("35.353000"),
        Decimal("139.531000"),
    )
    # よみがな left empty: made from the name, 大船 read as the district is (not おおぶね)
    assert location.name_kana == "おおふなかいかん"
    terms = terms_of_services([service.pk])[service.pk]
    assert (terms.target_codes, terms.category_codes) == (["elderly"], ["health"])
    event = AuditEvent.objects.get(object_id=str(service.pk))
    assert (event.action, event.actor_label, event.object_type) == (
        "create",
        "user-council_coordinator",
        "directory.Service",
    )
    assert event.changes["name"] == [None, "いきいき体操"]
    assert event.changes["phones"] == [None, ["0467-45-1234"]]
    assert event.changes["schedules"] == [
        None,
        ["MONTHLY 2WE,4WE 13:30-15:00 closed_on_holidays closed_year_end"],
    ]
    assert event.changes["terms"] == [None, ["健康づくり・介護予防", "高齢者"]]
    # the search index was refreshed inside the same transaction
    assert [hit.name for hit in search(world["municipality"], "体操").results] == ["いきいき体操"]


def test_an_update_audits_only_what_changed(world: dict[str, Any]) -> None:
    salon = fresh(world["salon"])
    loaded = salon.updated_at
    services.service_save(
        actor=world["users"][S],
        municipality=world["municipality"],
        organization=salon.organization,
        service=salon,
        values=services.ServiceInput(
            name="サロンさくら",
            name_kana="さろんさくら",
            description="毎週火曜のおしゃべり会",
            maintainer_id=world["units"]["shakyo"].pk,
        ),
        locations=[
            services.LocationInput(
                id=salon.at_locations.get().location_id,
                name="サロンさくら",
                district_id=world["districts"]["大船"].pk,
                address_1="大船二丁目1番1号",
            )
        ],
        phones=[services.PhoneInput(id=Phone.objects.get(service=salon).pk, number="0467-00-0001")],
        schedules=[
            services.ScheduleInput(
                id=Schedule.objects.get(service=salon).pk, freq="WEEKLY", byday="TU"
            )
        ],
        term_codes=["elderly", "salon"],
        expected_updated_at=loaded,
    )
    event = AuditEvent.objects.filter(object_id=str(salon.pk)).latest("id")
    assert (event.action, event.actor_label) == ("update", "user-secretariat")
    assert event.changes == {"description": ["", "毎週火曜のおしゃべり会"]}


def _try(world: dict[str, Any], **kwargs: Any) -> DomainError:
    before = (Service.objects.count(), AuditEvent.objects.count())
    arguments: dict[str, Any] = {
        "actor": world["users"][S],
        "municipality": world["municipality"],
        "organization": world["orgs"]["city"],
        "values": services.ServiceInput(name="新しい窓口"),
    }
    arguments.update(kwargs)
    with pytest.raises(DomainError) as caught:
        services.service_save(**arguments)
    assert (Service.objects.count(), AuditEvent.objects.count()) == before
    return caught.value


def test_validation_names_each_field(world: dict[str, Any]) -> None:
    error = _try(
        world,
        values=services.ServiceInput(name=" ", minimum_age=70, maximum_age=60),
        phones=[services.PhoneInput(number="0467-23"), services.PhoneInput(number="090-1234-5678")],
        locations=[services.LocationInput(latitude=Decimal("139.5"), longitude=Decimal("35.3"))],
        schedules=[
            services.ScheduleInput(
                freq="WEEKLY",
                byday="TU",
                opens_at=datetime.time(15),
                closes_at=datetime.time(10),
            ),
            services.ScheduleInput(freq="MONTHLY", byday="WE"),
            services.ScheduleInput(freq="WEEKLY", byday=""),
        ],
    )
    assert error.message == "入力内容に誤りがあります（7件）。"
    assert [str(d) for d in error.details] == [
        "項目「名称」: 名称を入力してください。",
        "項目「対象年齢（上限）」: 対象年齢の上限（60歳）が下限（70歳）より小さくなっています。",
        "項目「場所の緯度」: 緯度は -90〜90 の範囲で入力してください（139.5）。"
        "緯度と経度が入れ替わっていませんか。",
        "項目「電話番号（1件目）」: 電話番号「0467-23」の形が正しくありません。"
        "桁数が合いません（固定電話は10桁、携帯電話などは11桁です）。例: 0467-23-3000",
        "項目「日時（1件目）」: 終了時刻（10:00）は開始時刻（15:00）より後にしてください。",
        "項目「日時（2件目）」: 毎月の曜日は「第何週＋曜日」で、2WE（第2水曜）や -1FR（最終金曜）"
        "のように入力してください（「WE」は使えません）。",
        "項目「日時（3件目）」: 毎週の場合は曜日を選んでください。",
    ]


@pytest.mark.parametrize(
    ("number", "ok"),
    [
        ("0467-23-3000", True),
        ("０４６７（２３）３０００", True),
        ("090-1234-5678", True),
        ("0120-123-456", True),
        ("0800-123-4567", True),
        ("0467-23-30000", False),
        ("467-23-3000", False),
        ("0467-23-300a", False),
        ("04672-3-3000", True),  # digits count, hyphens are only for reading
    ],
)
def test_phone_numbers(number: str, ok: bool) -> None:
    assert (services.phone_problem(number) is None) is ok


def test_the_form_shows_the_errors_and_keeps_the_text(client: Any, world: dict[str, Any]) -> None:
    login(client, world["users"][CC])
    response = client.post(
        "/staff/directory/services/new/",
        form_data(
            world,
            **{
                "phones-0-number": "12-34",
                "locations-0-longitude": "200",
                "schedules-0-opens_at": "16:00",
            },
        ),
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "保存できませんでした" in text
    assert "項目「電話番号」: 電話番号「12-34」の形が正しくありません。" in text
    assert "項目「場所の経度」: 経度は -180〜180 の範囲で入力してください（200）。" in text
    assert "項目「日時」: 終了時刻（15:00）は開始時刻（16:00）より後にしてください。" in text
    assert 'value="いきいき体操"' in text  # nothing the user typed is lost
    assert not Service.objects.filter(name="いきいき体操").exists()


def test_a_stale_edit_is_refused_and_keeps_the_text(client: Any, world: dict[str, Any]) -> None:
    salon = world["salon"]
    login(client, world["users"][CC])
    page = client.get(f"/staff/directory/services/{salon.pk}/")
    loaded = page.context["form"].initial["loaded_at"]
    # someone else saves in between
    services.service_set_status(actor=world["users"][S], service=fresh(salon), status="inactive")
    data = {
        **form_data(world, name="サロンさくら（改）", description="わたしの書いた説明"),
        "loaded_at": loaded,
        "locations-TOTAL_FORMS": "0",
        "schedules-TOTAL_FORMS": "0",
        "phones-TOTAL_FORMS": "0",
    }
    before = AuditEvent.objects.count()
    response = client.post(f"/staff/directory/services/{salon.pk}/", data)
    assert response.status_code == 409
    text = response.content.decode()
    assert "この情報は、画面を開いた後にほかの人が保存しました" not in text  # wording below
    assert "このサービスは、画面を開いた後にほかの人が保存しました" in text
    assert "わたしの書いた説明" in text
    assert "最新の保存内容（ほかの人が保存したもの）" in text
    assert fresh(salon).name == "サロンさくら"
    assert AuditEvent.objects.count() == before
    # the form now carries the latest version: saving again is deliberate and works
    assert response.context["form"].data["loaded_at"] == fresh(salon).updated_at.isoformat()
    again = client.post(
        f"/staff/directory/services/{salon.pk}/",
        {**data, "loaded_at": fresh(salon).updated_at.isoformat()},
    )
    assert again.status_code == 302
    assert fresh(salon).description == "わたしの書いた説明"


def test_add_row_buttons_work_without_javascript(client: Any, world: dict[str, Any]) -> None:
    login(client, world["users"][CC])
    response = client.post("/staff/directory/services/new/", {**form_data(world), "add_phone": "1"})
    assert response.status_code == 200
    assert len(response.context["phones"].forms) == 3
    assert not Service.objects.filter(name="いきいき体操").exists()


def test_textareas_carry_plain_language_hints(client: Any, world: dict[str, Any]) -> None:
    login(client, world["users"][CC])
    text = client.get("/staff/directory/services/new/").content.decode()
    assert text.count("<textarea") == 7
    assert text.count("data-plainlang-hints") == 7


def test_confirm_sets_today_and_is_audited(world: dict[str, Any]) -> None:
    salon = world["salon"]
    services.service_confirm(actor=world["users"][CC], service=salon)
    today = timezone.localdate()
    # who confirmed is in the audit log only: no one's e-mail is published as assurer_email
    assert (fresh(salon).assured_date, fresh(salon).assurer_email) == (today, "")
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.actor_label, event.detail, event.changes) == (
        "confirm",
        "user-council_coordinator",
        "掲載内容が正しいことを確認",
        {"assured_date": ["2025-11-01", today.isoformat()]},
    )


def test_status_change_is_audited_and_hides_from_search(world: dict[str, Any]) -> None:
    salon = world["salon"]
    assert [h.name for h in search(world["municipality"], "サロン").results] == ["サロンさくら"]
    services.service_set_status(actor=world["users"][CC], service=salon, status="defunct")
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.changes) == ("update", {"status": ["active", "defunct"]})
    assert search(world["municipality"], "サロン").results == []
    with pytest.raises(DomainError) as caught:
        services.service_set_status(actor=world["users"][CC], service=salon, status="closed")
    assert str(caught.value) == (
        "項目「状態」: 状態「closed」は使えません。実施中・休止中・終了・一時休止 から選んでください。"
    )


def test_history_page_lists_the_changes(client: Any, world: dict[str, Any]) -> None:
    salon = world["salon"]
    services.service_set_status(actor=world["users"][CC], service=salon, status="inactive")
    login(client, world["users"][CC])
    response = client.get(f"/staff/directory/services/{salon.pk}/history/")
    assert response.status_code == 200
    rows = response.context["history"]
    assert [(r.event.action, r.changes) for r in rows] == [
        ("update", [("状態", "実施中", "休止中")])
    ]
    assert response.context["audit_link"] == ""  # coordinators do not read the audit log
    login(client, world["users"][S])
    link = client.get(f"/staff/directory/services/{salon.pk}/history/").context["audit_link"]
    assert link == f"/staff/audit/?object_type=directory.Service&object_id={salon.pk}"


def test_list_queries_do_not_grow_with_rows(client: Any, world: dict[str, Any]) -> None:
    login(client, world["users"][S])
    client.get("/staff/directory/")
    with CaptureQueriesContext(connection) as small:
        client.get("/staff/directory/")
    for i in range(12):
        build_service(
            world["municipality"],
            name=f"追加{i}",
            organization=f"団体{i}",
            district="鎌倉",
            maintainer=world["units"]["shakyo"],
            index=False,
        )
    with CaptureQueriesContext(connection) as large:
        response = client.get("/staff/directory/")
    assert len(response.context["rows"]) == 15
    assert len(large.captured_queries) == len(small.captured_queries)


def test_organization_edit(client: Any, world: dict[str, Any]) -> None:
    center = world["orgs"]["center"]
    url = f"/staff/directory/organizations/{center.pk}/"
    login(client, world["users"][CC])  # not the centre's
    assert client.get(url).status_code == 403
    login(client, world["users"]["houkatsu"])
    page = client.get(url)
    assert page.status_code == 200
    data = {
        "name": "ふれあい相談センター",
        "name_kana": "",
        "maintainer": str(world["units"]["houkatsu"].pk),
        "loaded_at": page.context["form"].initial["loaded_at"],
    }
    assert client.post(url, data).status_code == 302
    center.refresh_from_db()
    assert (center.name, center.name_kana) == ("ふれあい相談センター", "ふれあいそうだんせんたー")
    event = AuditEvent.objects.filter(object_id=str(center.pk)).latest("id")
    assert event.changes == {
        "name": ["大船地域包括支援センター", "ふれあい相談センター"],
        "name_kana": ["", "ふれあいそうだんせんたー"],
    }
    # the services of the organisation were re-indexed with the new name
    assert [h.name for h in search(world["municipality"], "ふれあい相談").results] == ["介護の相談"]
    # a stale form is refused; handing the organisation to another unit is refused
    assert client.post(url, data).status_code == 409
    other = {**data, "maintainer": str(world["units"]["shakyo"].pk)}
    other["loaded_at"] = center.updated_at.isoformat()
    assert client.post(url, other).status_code == 400
