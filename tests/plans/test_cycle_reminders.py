"""`sasaeai send_reminders`: e-mails to departments with open evaluations in open cycles."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from sasaeai.accounts.models import Membership
from sasaeai.accounts.roles import Role
from sasaeai.audit.models import AuditEvent
from sasaeai.plans.models import Evaluation
from sasaeai.plans.services import evaluations as evaluation_services
from tests.plans.test_cycle_support import *  # noqa: F403


@pytest.fixture
def reminded(world: dict[str, Any]) -> dict[str, Any]:
    """高齢者いきいき課: 2 drafts and 1 submitted; 障害福祉課: 1 returned."""
    department = world["users"][Role.DEPARTMENT]
    department.email = "koreisha@example.jp"
    department.save()
    evaluations = world["evaluations"]
    Evaluation.objects.filter(pk=evaluations[1].pk).update(state="submitted")
    Evaluation.objects.filter(pk=evaluations[4].pk).update(
        state="returned", return_comment="直してください"
    )
    return world


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("send_reminders", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_each_department_with_open_items_gets_one_email(reminded: dict[str, Any]) -> None:
    out, err = run("--municipality", "142042")
    assert err == ""
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (
            ["koreisha@example.jp"],
            "【第1期計画】令和6年度 進捗調査のご入力のお願い（提出期限 令和7年6月30日）",
        ),
        (
            ["dept2@example.jp"],
            "【第1期計画】令和6年度 進捗調査のご入力のお願い（提出期限 令和7年6月30日）",
        ),
    ]
    assert mail.outbox[0].body.splitlines() == [
        "高齢者いきいき課 ご担当者様",
        "",
        "第1期計画の令和6年度の進捗調査で、まだ提出されていない取組の評価があります。",
        "",
        "・入力中: 2件",
        "・差し戻し: 0件",
        "・提出期限: 令和7年6月30日",
        "",
        "次のページから入力し、「提出する」を押してください。",
        "http://localhost:8000/staff/plans/evaluations/mine/",
        "",
        "差し戻しになった評価には、事務局からの理由が表示されています。",
        "このメールは、ささえあいから自動で送っています。",
    ]
    assert "・差し戻し: 1件" in mail.outbox[1].body
    assert "2通送りました。" in out
    events = AuditEvent.objects.filter(object_type="plans.Reminder").order_by("id")
    assert [(e.actor_label, e.action, e.object_repr, e.changes, e.detail) for e in events] == [
        (
            "system:send_reminders",
            "create",
            "令和6年度 進捗調査の督促: 高齢者いきいき課",
            {"recipients": [[], ["user-department"]]},
            "督促メールを送信（入力中 2件・差し戻し 0件）",
        ),
        (
            "system:send_reminders",
            "create",
            "令和6年度 進捗調査の督促: 障害福祉課",
            {"recipients": [[], ["user-dept2"]]},
            "督促メールを送信（入力中 0件・差し戻し 1件）",
        ),
    ]


def test_dry_run_sends_and_records_nothing(reminded: dict[str, Any]) -> None:
    count = AuditEvent.objects.count()
    out, _err = run("--municipality", "142042", "--dry-run", "--base-url", "https://w.example.jp/")
    assert mail.outbox == []
    assert AuditEvent.objects.count() == count
    assert "[送信予定] 高齢者いきいき課: 入力中 2件・差し戻し 0件 → koreisha@example.jp" in out
    assert "  | https://w.example.jp/staff/plans/evaluations/mine/" in out
    assert "試行のため送っていません（送信予定 2通）。" in out


def test_only_active_department_members_with_an_address_are_written_to(
    reminded: dict[str, Any],
) -> None:
    Membership.objects.filter(user=reminded["users"]["dept2"]).update(is_active=False)
    out, err = run("--municipality", "142042")
    assert [m.to for m in mail.outbox] == [["koreisha@example.jp"]]
    assert (
        "障害福祉課: 入力中 0件・差し戻し 1件 — 宛先がありません"
        "（有効な担当課の利用者にメールアドレスがありません）。"
    ) in err
    assert "1通送りました。" in out
    # the secretariat and committee are never reminded, even with an address
    assert all("secretariat" not in "".join(m.to) for m in mail.outbox)


def test_nothing_to_remind_once_all_are_in_or_the_cycle_is_closed(
    reminded: dict[str, Any],
) -> None:
    evaluation_services.cycle_close(
        actor=reminded["users"][Role.SECRETARIAT], cycle=reminded["cycle"], leave_unapproved=True
    )
    out, _err = run("--municipality", "142042")
    assert mail.outbox == []
    assert out.strip() == "督促が必要な担当課はありません。"


def test_an_unknown_municipality_is_an_error(world: dict[str, Any]) -> None:
    with pytest.raises(CommandError) as error:
        run("--municipality", "999999")
    assert str(error.value) == "全国地方公共団体コード「999999」の自治体は登録されていません。"


def test_other_municipalities_are_not_reminded(reminded: dict[str, Any], fujisawa: Any) -> None:
    out, _err = run("--municipality", fujisawa.code)
    assert mail.outbox == []
    assert out.strip() == "督促が必要な担当課はありません。"


def test_a_failed_send_is_reported_and_not_recorded(
    reminded: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from sasaeai.plans.services import reminders

    calls: list[list[str]] = []

    def flaky(subject: str, body: str, sender: str, to: list[str]) -> int:
        calls.append(to)
        if to == ["dept2@example.jp"]:
            raise OSError("接続できません")
        return 1

    monkeypatch.setattr(reminders, "send_mail", flaky)
    with pytest.raises(CommandError) as error:
        run("--municipality", "142042")
    assert str(error.value) == "1通は送信できませんでした。"
    assert calls == [["koreisha@example.jp"], ["dept2@example.jp"]]
    assert list(
        AuditEvent.objects.filter(object_type="plans.Reminder").values_list(
            "object_repr", flat=True
        )
    ) == ["令和6年度 進捗調査の督促: 高齢者いきいき課"]
