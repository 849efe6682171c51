"""Closing a cycle lists its unapproved evaluations and needs an explicit confirmation that
they stay out of the report and the public pages; without it the close is refused in words
that say how many and where to approve or return them, and nothing changes."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from sasaeai.accounts.roles import Role
from sasaeai.audit.models import AuditEvent
from sasaeai.core.errors import DomainError
from sasaeai.plans.models import Evaluation, EvaluationCycle
from sasaeai.plans.services import evaluations as evaluation_services
from tests.plans.test_cycle_support import *  # noqa: F403
from tests.plans.test_cycle_support import PREFIX

Clients = Callable[[str | None], Client]

REFUSAL = (
    "承認していない評価が 3 件あります（入力中 1 件・提出済み 1 件・差し戻し 1 件）。"
    "締め切る前に、締め切りの画面の一覧から各評価を開いて承認または差し戻しをするか、"
    "承認していない評価は報告書と公開ページに載らないことを確認する欄にチェックを入れてください。"
)


@pytest.fixture
def states(world: dict[str, Any]) -> dict[int, Evaluation]:
    """Initiative 1 approved, 2 submitted, 3 returned, 4 (障害福祉課's) a draft."""
    for number, state in {1: "approved", 2: "submitted", 3: "returned"}.items():
        Evaluation.objects.filter(pk=world["evaluations"][number].pk).update(state=state)
    return world["evaluations"]


def _text(response: Any) -> str:
    return html.unescape(response.content.decode())


def _unapproved_rows(text: str) -> list[tuple[str, str, str, str]]:
    section = text.split('id="unapproved-title"', 1)[1].split("</section>", 1)[0]
    return re.findall(
        r"<tr>\s*<td>(\d+)</td>\s*<td><a href=\"[^\"]+\">([^<]+)</a></td>\s*"
        r"<td>([^<]+)</td>\s*<td>([^<]+)</td>",
        section,
    )


def _snapshot(cycle: EvaluationCycle) -> list[Any]:
    return [
        EvaluationCycle.objects.get(pk=cycle.pk).status,
        list(Evaluation.objects.order_by("pk").values()),
        AuditEvent.objects.exclude(action="refused").count(),
    ]


def test_the_close_page_lists_the_unapproved_evaluations(
    world: dict[str, Any], states: dict[int, Evaluation], all_clients: Clients
) -> None:
    text = _text(all_clients(Role.SECRETARIAT).get(f"{PREFIX}cycles/{world['cycle'].pk}/close/"))
    assert "承認していない評価（3 件）" in text
    assert _unapproved_rows(text) == [
        ("2", "取組2", "高齢者いきいき課", "提出済み"),
        ("3", "取組3", "高齢者いきいき課", "差し戻し"),
        ("4", "障害の取組", "障害福祉課", "入力中"),
    ]
    assert f'href="/staff/plans/evaluations/{states[2].pk}/"' in text
    assert "承認していない評価 3 件は、報告書と公開ページに載らないことを確認しました" in text


def test_closing_without_the_confirmation_is_refused_and_changes_nothing(
    world: dict[str, Any], states: dict[int, Evaluation], all_clients: Clients
) -> None:
    cycle = world["cycle"]
    before = _snapshot(cycle)
    response = all_clients(Role.SECRETARIAT).post(
        f"{PREFIX}cycles/{cycle.pk}/close/", {"confirm": "on"}
    )
    assert response.status_code == 200
    assert REFUSAL in _text(response)
    assert _snapshot(cycle) == before


def test_closing_with_the_confirmation_records_the_count(
    world: dict[str, Any], states: dict[int, Evaluation], all_clients: Clients
) -> None:
    cycle = world["cycle"]
    response = all_clients(Role.SECRETARIAT).post(
        f"{PREFIX}cycles/{cycle.pk}/close/", {"confirm": "on", "leave_unapproved": "on"}
    )
    assert response.status_code == 302
    assert EvaluationCycle.objects.get(pk=cycle.pk).status == "closed"
    event = AuditEvent.objects.filter(object_type="plans.EvaluationCycle").latest("id")
    assert (event.action, event.changes, event.detail) == (
        "update",
        {"status": ["open", "closed"]},
        "承認していない評価 3 件（入力中 1 件・提出済み 1 件・差し戻し 1 件）を残して締切",
    )


def test_the_service_refuses_the_same_way_whatever_calls_it(
    world: dict[str, Any], states: dict[int, Evaluation]
) -> None:
    cycle = world["cycle"]
    before = _snapshot(cycle)
    with pytest.raises(DomainError) as refused:
        evaluation_services.cycle_close(actor=world["users"][Role.SECRETARIAT], cycle=cycle)
    assert (refused.value.code, refused.value.message) == ("unapproved", REFUSAL)
    assert _snapshot(cycle) == before
    assert evaluation_services.unapproved_counts(cycle) == {
        "draft": 1,
        "submitted": 1,
        "returned": 1,
    }


def test_a_cycle_with_every_evaluation_approved_closes_with_one_box(
    world: dict[str, Any], all_clients: Clients
) -> None:
    cycle = world["cycle"]
    Evaluation.objects.filter(cycle=cycle).update(state="approved")
    client = all_clients(Role.SECRETARIAT)
    url = f"{PREFIX}cycles/{cycle.pk}/close/"
    text = _text(client.get(url))
    assert 'id="unapproved-title"' not in text
    assert 'name="leave_unapproved"' not in text
    assert client.post(url, {"confirm": "on"}).status_code == 302
    event = AuditEvent.objects.filter(object_type="plans.EvaluationCycle").latest("id")
    assert (event.changes, event.detail) == ({"status": ["open", "closed"]}, "")
