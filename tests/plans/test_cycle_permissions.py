"""Who may open which cycle page and make which write — per role; refused writes change
nothing (the rows and the audit log are exactly as before)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from sasaeai.accounts import services as accounts_services
from sasaeai.accounts.models import Municipality
from sasaeai.accounts.roles import Role, UnitKind
from sasaeai.audit.models import AuditEvent
from sasaeai.plans.models import Evaluation, EvaluationCycle, Review, ReviewKind, Summary
from sasaeai.plans.services import evaluations as evaluation_services
from sasaeai.plans.services import reviews as review_services
from tests.conftest import PASSWORD, login
from tests.plans.test_cycle_support import *  # noqa: F403
from tests.plans.test_cycle_support import PREFIX

S, D, D2, C = Role.SECRETARIAT, Role.DEPARTMENT, "dept2", Role.COMMITTEE_MEMBER
WHO = [S, D, D2, C, Role.COUNCIL_COORDINATOR, Role.COMMUNITY_GROUP, Role.SYSTEM_ADMIN]

# page → (path template, roles that may open it)
PAGES: dict[str, tuple[str, set[str]]] = {
    "cycle_list": ("cycles/", {S, C}),
    "cycle_open": ("cycles/open/", {S}),
    "cycle_dashboard": ("cycles/{cycle}/", {S, C}),
    "cycle_evaluations": ("cycles/{cycle}/evaluations/", {S, C}),
    "cycle_close": ("cycles/{cycle}/close/", {S}),
    "cycle_reopen": ("cycles/{cycle}/reopen/", {S}),
    "review_list": ("cycles/{cycle}/reviews/", {S, C}),
    "review_goal_new": ("cycles/{cycle}/goals/{goal}/reviews/new/", {C}),
    "review_comment_new": ("cycles/{cycle}/initiatives/{initiative}/comments/new/", {C}),
    "summary_edit": ("cycles/{cycle}/goals/{goal}/summary/", {S}),
    "review_update": ("reviews/{review}/edit/", {C}),
    "review_respond": ("reviews/{review}/respond/", {S}),
    "evaluation_mine": ("evaluations/mine/", {S, D, D2}),
    "evaluation_detail": ("evaluations/{e1}/", {S, D, C}),
}

SUMMARY = {f"body_{i}": "総括の文" for i in range(5)} | {f"version_{i}": 0 for i in range(5)}

# write → (path template, POST data, roles allowed, check of the effect)
WRITES: dict[str, tuple[str, dict[str, Any], set[str], Callable[[dict[str, Any]], bool]]] = {
    "cycle_open": (
        "cycles/open/",
        {"plan": "{plan}", "fiscal_year": "R7", "deadline": ""},
        {S},
        lambda w: EvaluationCycle.objects.filter(fiscal_year=2025).exists(),
    ),
    "cycle_close": (
        "cycles/{cycle}/close/",
        {"confirm": "on", "leave_unapproved": "on"},
        {S},
        lambda w: EvaluationCycle.objects.get(pk=w["cycle"]).status == "closed",
    ),
    "evaluation_save": (
        "evaluations/{e1}/",
        {"results": "新しい実績", "version": 1, "action": "save"},
        {S, D},
        lambda w: Evaluation.objects.get(pk=w["e1"]).results == "新しい実績",
    ),
    "evaluation_submit": (
        "evaluations/{e1}/",
        {"results": "実績", "grade": "A", "direction": "継続", "version": 1, "action": "submit"},
        {S, D},
        lambda w: Evaluation.objects.get(pk=w["e1"]).state == "submitted",
    ),
    "evaluation_copy_forward": (
        "evaluations/{e1}/copy-forward/",
        {"version": 1},
        {S, D},
        lambda w: Evaluation.objects.get(pk=w["e1"]).results == "前年度の実績1",
    ),
    "evaluation_approve": (
        "evaluations/{e2}/approve/",
        {"version": "{e2_version}"},
        {S},
        lambda w: Evaluation.objects.get(pk=w["e2"]).state == "approved",
    ),
    "evaluation_return": (
        "evaluations/{e2}/return/",
        {"version": "{e2_version}", "comment": "直してください"},
        {S},
        lambda w: Evaluation.objects.get(pk=w["e2"]).state == "returned",
    ),
    "review_goal_new": (
        "cycles/{cycle}/goals/{goal}/reviews/new/",
        {"body": "新しい講評"},
        {C},
        lambda w: Review.objects.filter(body="新しい講評", kind=ReviewKind.GOAL_REVIEW).exists(),
    ),
    "review_comment_new": (
        "cycles/{cycle}/initiatives/{initiative}/comments/new/",
        {"body": "新しいコメント"},
        {C},
        lambda w: Review.objects.filter(body="新しいコメント").exists(),
    ),
    "review_update": (
        "reviews/{review}/edit/",
        {"body": "直した講評", "version": 1},
        {C},
        lambda w: Review.objects.get(pk=w["review"]).body == "直した講評",
    ),
    "review_respond": (
        "reviews/{review}/respond/",
        {"city_response": "市の対応", "version": 1},
        {S},
        lambda w: Review.objects.get(pk=w["review"]).city_response == "市の対応",
    ),
    "review_publish": (
        "reviews/{review}/publish/",
        {"is_published": "on", "version": 1},
        {S},
        lambda w: Review.objects.get(pk=w["review"]).is_published,
    ),
    "summary_edit": (
        "cycles/{cycle}/goals/{goal}/summary/",
        SUMMARY,
        {S},
        lambda w: Summary.objects.count() == 5,
    ),
}


@pytest.fixture
def ids(world: dict[str, Any]) -> dict[str, Any]:
    """The ids the paths name: e1 is a draft of 高齢者いきいき課, e2 one it has submitted."""
    users = world["users"]
    e2 = world["evaluations"][2]
    saved = evaluation_services.evaluation_save(
        actor=users[D],
        evaluation=e2,
        expected_version=1,
        results="実施した",
        grade="B",
        issues="",
        direction="継続",
    )
    e2 = evaluation_services.evaluation_submit(
        actor=users[D], evaluation=saved, expected_version=saved.version
    )
    review = review_services.review_create(
        actor=users[C],
        cycle=world["cycle"],
        kind=ReviewKind.GOAL_REVIEW,
        goal=world["goals"][0],
        body="講評",
    )
    return {
        "plan": world["plan"].pk,
        "cycle": world["cycle"].pk,
        "goal": world["goals"][0].pk,
        "initiative": world["initiatives"][0].pk,
        "e1": world["evaluations"][1].pk,
        "e2": e2.pk,
        "e2_version": e2.version,
        "review": review.pk,
    }


def fingerprint() -> list[Any]:
    return [
        list(EvaluationCycle.objects.order_by("pk").values()),
        list(Evaluation.objects.order_by("pk").values()),
        list(Review.objects.order_by("pk").values()),
        list(Summary.objects.order_by("pk").values()),
        AuditEvent.objects.exclude(action="refused").count(),  # a refusal is logged, not a change
    ]


def _fill(value: Any, ids: dict[str, Any]) -> Any:
    return value.format(**ids) if isinstance(value, str) else value


@pytest.mark.parametrize("who", WHO)
def test_pages_per_role(
    who: str, ids: dict[str, Any], all_clients: Callable[[str | None], Client]
) -> None:
    client = all_clients(who)
    got = {
        name: client.get(PREFIX + path.format(**ids)).status_code
        for name, (path, _) in PAGES.items()
    }
    assert got == {name: 200 if who in allowed else 403 for name, (_, allowed) in PAGES.items()}


def test_anonymous_goes_to_login_and_changes_nothing(
    ids: dict[str, Any], all_clients: Callable[[str | None], Client]
) -> None:
    before = fingerprint()
    client = all_clients(None)
    for template in [p for p, _ in PAGES.values()] + [w[0] for w in WRITES.values()]:
        for response in (
            client.get(PREFIX + template.format(**ids)),
            client.post(PREFIX + template.format(**ids), {}),
        ):
            assert response.status_code == 302, template
            assert response["Location"].startswith("/accounts/login/"), template
    assert fingerprint() == before


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("name", WRITES)
def test_writes_per_role(
    name: str,
    who: str,
    world: dict[str, Any],
    ids: dict[str, Any],
    all_clients: Callable[[str | None], Client],
) -> None:
    template, data, allowed, effect = WRITES[name]
    client = all_clients(who)
    before = fingerprint()
    refusals = AuditEvent.objects.filter(action="refused").count()
    response = client.post(
        PREFIX + template.format(**ids), {k: _fill(v, ids) for k, v in data.items()}
    )
    if who in allowed:
        assert response.status_code == 302, response.content.decode()[-3000:]
        assert effect(ids)
        assert AuditEvent.objects.count() > before[-1]
    else:
        assert response.status_code == 403
        assert fingerprint() == before
        assert AuditEvent.objects.filter(action="refused").count() == refusals + 1


def test_post_only_actions_refuse_get(
    ids: dict[str, Any], all_clients: Callable[[str | None], Client]
) -> None:
    client = all_clients(S)
    for template in (
        "evaluations/{e2}/approve/",
        "evaluations/{e2}/return/",
        "evaluations/{e1}/copy-forward/",
        "reviews/{review}/publish/",
    ):
        assert client.get(PREFIX + template.format(**ids)).status_code == 405


@pytest.fixture
def fujisawa_secretary(fujisawa: Municipality) -> Any:
    unit = accounts_services.unit_upsert(
        actor="test", municipality=fujisawa, code="f-somu", kind=UnitKind.DEPARTMENT, name="総務"
    )
    user = accounts_services.user_upsert(
        actor="test",
        municipality=fujisawa,
        username="fujisawa-staff",
        display_name="藤沢",
        password=PASSWORD,
    )
    for role in (S, C, D):
        accounts_services.membership_grant(
            actor="test",
            user=user,
            unit=unit if role != C else _committee(fujisawa),
            role=role,
        )
    return user


def _committee(municipality: Municipality) -> Any:
    return accounts_services.unit_upsert(
        actor="test",
        municipality=municipality,
        code="f-iin",
        kind=UnitKind.COMMITTEE,
        name="委員会",
    )


def test_another_municipality_reaches_nothing(ids: dict[str, Any], fujisawa_secretary: Any) -> None:
    client = login(Client(), fujisawa_secretary)
    before = fingerprint()
    for name, (template, _allowed) in PAGES.items():
        if "{" in template:
            assert client.get(PREFIX + template.format(**ids)).status_code == 404, name
    for name, (template, data, _allowed, _effect) in WRITES.items():
        if "{" in template:
            response = client.post(
                PREFIX + template.format(**ids), {k: _fill(v, ids) for k, v in data.items()}
            )
            assert response.status_code == 404, name
    # its own lists are empty
    mine = client.get(f"{PREFIX}evaluations/mine/").content.decode()
    assert "取組1" not in mine
    assert "第1期計画" not in client.get(f"{PREFIX}cycles/").content.decode()
    # and a plan of another municipality cannot be chosen when opening a cycle
    response = client.post(
        f"{PREFIX}cycles/open/", {"plan": ids["plan"], "fiscal_year": "R7", "deadline": ""}
    )
    assert "選んだ計画が見つかりません。選び直してください。" in response.content.decode()
    assert fingerprint() == before
