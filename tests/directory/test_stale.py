"""Entries not confirmed for 12 months: the stale page, and the reminder e-mails
(`sasaeai directory remind`): exact recipients, subjects and bodies, once a day, audited."""

from __future__ import annotations

import datetime
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from sasaeai.accounts.roles import Role
from sasaeai.audit.models import AuditEvent
from sasaeai.directory.models import Service
from sasaeai.directory.reminders import reminders_send
from sasaeai.directory.selectors.staff import stale_cutoff, stale_groups
from tests.conftest import login
from tests.directory.builders import build_service
from tests.directory.test_editing_support import *  # noqa: F403
from tests.directory.test_editing_support import HOUKATSU

S, CC = Role.SECRETARIAT, Role.COUNCIL_COORDINATOR
BASE = "https://fukushi.example.jp"


@pytest.fixture
def stale(world: dict[str, Any], settings: Any) -> dict[str, Any]:
    """salon: 400 days ago; consult: one day before the cutoff; city: never confirmed;
    夏祭り (社協): exactly at the cutoff (not stale); 終わった会: stale but 終了 (left out)."""
    settings.SASAEAI_BASE_URL = BASE + "/"
    today = timezone.localdate()
    cutoff = stale_cutoff(today)
    Service.objects.filter(pk=world["salon"].pk).update(
        assured_date=today - datetime.timedelta(days=400)
    )
    Service.objects.filter(pk=world["consult"].pk).update(
        assured_date=cutoff - datetime.timedelta(days=1)
    )
    world["recent"] = build_service(
        world["municipality"],
        name="夏祭り",
        organization=world["orgs"]["shakyo"],
        maintainer=world["units"]["shakyo"],
        assured_date=cutoff,
    )
    world["gone"] = build_service(
        world["municipality"],
        name="終わった会",
        organization=world["orgs"]["shakyo"],
        maintainer=world["units"]["shakyo"],
        status="defunct",
    )
    world["today"] = today
    return world


def test_stale_cutoff_is_twelve_months() -> None:
    assert stale_cutoff(datetime.date(2026, 11, 27)) == datetime.date(2025, 11, 27)
    assert stale_cutoff(datetime.date(2028, 2, 29)) == datetime.date(2027, 2, 28)


def test_groups_by_maintainer(stale: dict[str, Any]) -> None:
    groups = stale_groups(municipality=stale["municipality"])
    assert [(g.unit_name, [r.service.name for r in g.rows]) for g in groups] == [
        ("大船地域包括支援センター", ["介護の相談"]),
        ("鎌倉市社会福祉協議会", ["サロンさくら"]),
        ("", ["市の窓口"]),
    ]
    mine = stale_groups(municipality=stale["municipality"], user=stale["users"][CC])
    assert [(g.unit_name, len(g.rows)) for g in mine] == [("鎌倉市社会福祉協議会", 1)]


def test_stale_page(client: Any, stale: dict[str, Any]) -> None:
    login(client, stale["users"][S])
    response = client.get("/staff/directory/stale/")
    assert response.status_code == 200
    text = response.content.decode()
    assert [len(g.rows) for g in response.context["groups"]] == [1, 1, 1]
    assert "情報を管理する団体が未設定（事務局）" in text
    assert text.count('class="button">内容を確認しました<') == 3
    # the confirm button returns to the list, which then no longer shows the entry
    response = client.post(
        f"/staff/directory/services/{stale['city'].pk}/confirm/",
        {"next": "/staff/directory/stale/"},
    )
    assert response["Location"] == "/staff/directory/stale/"
    assert [len(g.rows) for g in client.get("/staff/directory/stale/").context["groups"]] == [1, 1]
    # readers have nothing to confirm
    login(client, stale["users"][Role.DEPARTMENT])
    assert client.get("/staff/directory/stale/").status_code == 403


def _lines(service: Any, date: str) -> list[str]:
    return [
        f"・{service.name}（最終確認日: {date}）",
        f"  {BASE}/staff/directory/services/{service.pk}/",
    ]


def _body(unit: str, count: int, entries: list[str]) -> list[str]:
    return [
        f"{unit} ご担当者様",
        "",
        f"地域資源の情報のうち、最終確認日から12か月以上たっているもの（またはまだ確認していないもの）が{count}件あります。",
        "内容が今も正しいかを確かめてください。",
        "正しければ、編集の画面で「内容を確認しました」を押してください。",
        "違っていれば、直して「保存する」を押してください。",
        "",
        *entries,
        "",
        "確認が必要な情報の一覧:",
        f"{BASE}/staff/directory/stale/",
        "",
        "このメールは、ささえあいから自動で送っています。",
    ]


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("directory", "remind", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_one_email_per_unit(stale: dict[str, Any]) -> None:
    from sasaeai.core.wareki import format_date

    out, err = run("--municipality", "142042")
    assert err == ""
    subject = "【ささえあい】地域資源の情報の確認のお願い（1件）"
    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([f"{HOUKATSU}@example.jp", f"{HOUKATSU}_cg@example.jp"], subject),
        (["council_coordinator@example.jp"], subject),
        (["secretariat@example.jp"], subject),
    ]
    consult, salon, city = stale["consult"], stale["salon"], stale["city"]
    consult_date = format_date(stale_cutoff(stale["today"]) - datetime.timedelta(days=1))
    salon_date = format_date(stale["today"] - datetime.timedelta(days=400))
    assert mail.outbox[0].body.splitlines() == _body(
        "大船地域包括支援センター", 1, _lines(consult, consult_date)
    )
    assert mail.outbox[1].body.splitlines() == _body(
        "鎌倉市社会福祉協議会", 1, _lines(salon, salon_date)
    )
    assert mail.outbox[2].body.splitlines() == _body("事務局", 1, _lines(city, "未確認"))
    assert out.splitlines() == [
        "[送信] 大船地域包括支援センター: 1件 → houkatsu@example.jp、houkatsu_cg@example.jp",
        "[送信] 鎌倉市社会福祉協議会: 1件 → council_coordinator@example.jp",
        "[送信] 事務局: 1件 → secretariat@example.jp",
        "3通送りました。",
    ]
    today = stale["today"].isoformat()
    events = AuditEvent.objects.filter(object_type="directory.StaleReminder").order_by("id")
    assert [(e.actor_label, e.action, e.object_id, e.changes, e.detail) for e in events] == [
        (
            "system:directory_remind",
            "create",
            f"{stale['units']['houkatsu'].pk}:{today}",
            {"recipients": [[], ["user-houkatsu", "user-houkatsu_cg"]]},
            "確認のお願いのメールを送信（1件）",
        ),
        (
            "system:directory_remind",
            "create",
            f"{stale['units']['shakyo'].pk}:{today}",
            {"recipients": [[], ["user-council_coordinator"]]},
            "確認のお願いのメールを送信（1件）",
        ),
        (
            "system:directory_remind",
            "create",
            f"secretariat:{today}",
            {"recipients": [[], ["user-secretariat"]]},
            "確認のお願いのメールを送信（1件）",
        ),
    ]


def test_not_twice_the_same_day(stale: dict[str, Any]) -> None:
    run("--municipality", "142042")
    mail.outbox.clear()
    out, err = run("--municipality", "142042")
    assert mail.outbox == []
    assert err.splitlines() == [
        "大船地域包括支援センター: 1件 — 今日はすでに送っています。",
        "鎌倉市社会福祉協議会: 1件 — 今日はすでに送っています。",
        "事務局: 1件 — 今日はすでに送っています。",
    ]
    assert out.splitlines() == ["0通送りました。"]
    assert AuditEvent.objects.filter(object_type="directory.StaleReminder").count() == 3
    # the next day they go again
    tomorrow = stale["today"] + datetime.timedelta(days=1)
    sent = reminders_send(actor="test", municipality=stale["municipality"], today=tomorrow)
    assert [r.sent for r in sent] == [True, True, True]


def test_dry_run_sends_and_records_nothing(stale: dict[str, Any]) -> None:
    before = AuditEvent.objects.count()
    out, _err = run("--municipality", "142042", "--dry-run")
    assert mail.outbox == []
    assert AuditEvent.objects.count() == before
    lines = out.splitlines()
    assert lines[0] == (
        "[送信予定] 大船地域包括支援センター: 1件 → houkatsu@example.jp、houkatsu_cg@example.jp"
    )
    assert lines[1] == "  件名: 【ささえあい】地域資源の情報の確認のお願い（1件）"
    assert lines[2] == "  | 大船地域包括支援センター ご担当者様"
    assert lines[-1] == "試行のため送っていません（送信予定 3通）。"


def test_a_unit_without_recipients_is_reported(stale: dict[str, Any]) -> None:
    stale["users"][CC].memberships.update(is_active=False)
    out, err = run("--municipality", "142042")
    assert err.splitlines() == [
        "鎌倉市社会福祉協議会: 1件 — 宛先がありません（編集できる役割の有効な利用者にメールアドレスがありません）。"
    ]
    assert [m.to for m in mail.outbox] == [
        ["houkatsu@example.jp", "houkatsu_cg@example.jp"],
        ["secretariat@example.jp"],
    ]
    assert out.splitlines()[-1] == "2通送りました。"


def test_unknown_municipality_exits_2(db: None) -> None:
    with pytest.raises(CommandError) as caught:
        run("--municipality", "999999")
    assert caught.value.returncode == 2


def test_stale_queries_do_not_grow_with_rows(
    stale: dict[str, Any], django_assert_num_queries: Any
) -> None:
    municipality = stale["municipality"]
    stale_groups(municipality=municipality)  # taxonomies etc. warmed up
    with django_assert_num_queries(4):
        small = stale_groups(municipality=municipality)
    for i in range(10):
        build_service(
            municipality,
            name=f"古い会{i}",
            organization=f"団体{i}",
            district="大船",
            maintainer=stale["units"]["houkatsu"] if i % 2 else None,
            index=False,
        )
    with django_assert_num_queries(4):
        large = stale_groups(municipality=municipality)
    assert sum(len(g.rows) for g in large) == sum(len(g.rows) for g in small) + 10
