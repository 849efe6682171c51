"""The plans policy (``plans/permissions.py``) function by function: for every role, a user
of another municipality, every cycle status and every evaluation state, the refusal's code
(or None); and the querysets each role may see."""

from __future__ import annotations

from typing import Any

import pytest

from sasaeai.accounts import services as accounts_services
from sasaeai.accounts.models import Municipality, User
from sasaeai.accounts.roles import Role, UnitKind
from sasaeai.plans import permissions
from sasaeai.plans.models import Evaluation, EvaluationCycle, Plan, Review, ReviewKind
from sasaeai.plans.services import reviews as review_services
from tests.conftest import PASSWORD
from tests.plans.test_cycle_support import *  # noqa: F403

S, D, D2, C = Role.SECRETARIAT, Role.DEPARTMENT, "dept2", Role.COMMITTEE_MEMBER
K, G, A, X = Role.COUNCIL_COORDINATOR, Role.COMMUNITY_GROUP, Role.SYSTEM_ADMIN, "stranger"
WHO = [S, D, D2, C, K, G, A, X]
STATUSES = ["open", "closed", "published"]
STATES = ["draft", "submitted", "returned", "approved"]
DENIED = "permission_denied"
LOCKED = "cycle_locked"


@pytest.fixture
def who(world: dict[str, Any], fujisawa: Municipality) -> dict[str, User]:
    """Every role of Kamakura, 障害福祉課's 担当課 (dept2) and a 藤沢市 user holding the
    secretariat, committee and 担当課 roles there (the stranger)."""
    unit = accounts_services.unit_upsert(
        actor="test", municipality=fujisawa, code="f-somu", kind=UnitKind.DEPARTMENT, name="総務"
    )
    committee = accounts_services.unit_upsert(
        actor="test", municipality=fujisawa, code="f-iin", kind=UnitKind.COMMITTEE, name="委員会"
    )
    stranger = accounts_services.user_upsert(
        actor="test",
        municipality=fujisawa,
        username="fujisawa-staff",
        display_name="藤沢",
        password=PASSWORD,
    )
    for role in (S, D):
        accounts_services.membership_grant(actor="test", user=stranger, unit=unit, role=role)
    accounts_services.membership_grant(actor="test", user=stranger, unit=committee, role=C)
    return {**world["users"], X: stranger}


def _code(refusal: permissions.Refusal | None) -> str | None:
    return None if refusal is None else refusal.code


def _evaluation(world: dict[str, Any], status: str, state: str) -> Evaluation:
    """Initiative 1's evaluation (高齢者いきいき課's), in memory in that status and state."""
    evaluation = Evaluation.objects.select_related("cycle").get(pk=world["evaluations"][1].pk)
    evaluation.cycle.status = status
    evaluation.state = state
    return evaluation


def _expected_edit(person: str, status: str, state: str) -> str | None:
    if person not in {S, D}:
        return DENIED
    if status != "open":
        return LOCKED
    if person == D and state in {"submitted", "approved"}:
        return "already_submitted"
    return None


def _expected_submit(person: str, status: str, state: str) -> str | None:
    if person not in {S, D}:
        return DENIED
    if status != "open":
        return LOCKED
    return None if state in {"draft", "returned"} else "not_draft"


def _expected_decision(person: str, status: str, state: str) -> str | None:
    if person != S:
        return DENIED
    if status != "open":
        return LOCKED
    return None if state == "submitted" else "not_submitted"


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (permissions.evaluation_edit_refusal, _expected_edit),
        (permissions.evaluation_submit_refusal, _expected_submit),
        (permissions.evaluation_approve_refusal, _expected_decision),
        (permissions.evaluation_return_refusal, _expected_decision),
    ],
)
def test_evaluation_refusals_by_role_status_and_state(
    world: dict[str, Any], who: dict[str, User], policy: Any, expected: Any
) -> None:
    got = {
        (person, status, state): _code(policy(who[person], _evaluation(world, status, state)))
        for person in WHO
        for status in STATUSES
        for state in STATES
    }
    assert got == {
        (person, status, state): expected(person, status, state)
        for person in WHO
        for status in STATUSES
        for state in STATES
    }


def test_a_refusal_says_whether_it_is_the_permission_or_the_state(
    world: dict[str, Any], who: dict[str, User]
) -> None:
    submitted = _evaluation(world, "open", "submitted")
    denied = permissions.evaluation_edit_refusal(who[D2], submitted)
    assert denied == permissions.Refusal(
        "permission_denied", "この取組の評価を入力する権限がありません。", permission=True
    )
    state = permissions.evaluation_edit_refusal(who[D], submitted)
    assert state == permissions.Refusal(
        "already_submitted",
        "提出済みの評価は変更できません。事務局に差し戻しを依頼してください。",
        permission=False,
    )
    assert permissions.may_fill_in(who[D], submitted) is True
    assert permissions.may_fill_in(who[D2], submitted) is False
    assert permissions.can_edit_evaluation(who[S], submitted) is True
    assert permissions.can_edit_evaluation(who[D], submitted) is False


def test_cycle_refusals_by_role_and_status(world: dict[str, Any], who: dict[str, User]) -> None:
    cycle = EvaluationCycle.objects.get(pk=world["cycle"].pk)
    got = {}
    for person in WHO:
        for status in STATUSES:
            cycle.status = status
            got[person, status] = (
                _code(permissions.cycle_close_refusal(who[person], cycle)),
                _code(permissions.cycle_reopen_refusal(who[person], cycle)),
                _code(permissions.decision_refusal(who[person], cycle)),
            )
    expected = {}
    for person in WHO:
        for status in STATUSES:
            if person != S:
                expected[person, status] = (DENIED, DENIED, DENIED)
            else:
                expected[person, status] = {
                    "open": (None, "already_open", None),
                    "closed": ("not_open", None, LOCKED),
                    "published": ("not_open", "published", LOCKED),
                }[status]
    assert got == expected
    plan = Plan.objects.get(pk=world["plan"].pk)
    assert {p: _code(permissions.cycle_open_refusal(who[p], plan)) for p in WHO} == {
        p: None if p == S else DENIED for p in WHO
    }


@pytest.fixture
def review(world: dict[str, Any]) -> Review:
    return review_services.review_create(
        actor=world["users"][C],
        cycle=world["cycle"],
        kind=ReviewKind.GOAL_REVIEW,
        goal=world["goals"][0],
        body="講評",
    )


def test_review_refusals_by_role_and_status(
    world: dict[str, Any], who: dict[str, User], review: Review
) -> None:
    other_member = accounts_services.user_upsert(
        actor="test",
        municipality=world["plan"].municipality,
        username="member-2",
        display_name="委員 二",
        password=PASSWORD,
    )
    accounts_services.membership_grant(
        actor="test",
        user=other_member,
        unit=world["users"][C].memberships.get().unit,
        role=C,
    )
    people = {**who, "member-2": other_member}
    review = Review.objects.select_related("cycle").get(pk=review.pk)
    got = {}
    for person in people:
        for status in STATUSES:
            review.cycle.status = status
            got[person, status] = (
                _code(permissions.review_create_refusal(people[person], review.cycle)),
                _code(permissions.review_update_refusal(people[person], review)),
                _code(permissions.review_respond_refusal(people[person], review)),
                _code(permissions.review_publish_refusal(people[person], review)),
                _code(permissions.summary_refusal(people[person], review.cycle)),
            )
    expected = {}
    for person in people:
        for status in STATUSES:
            state = None if status == "open" else LOCKED
            expected[person, status] = (
                state if person in {C, "member-2"} else DENIED,
                state if person == C else DENIED,
                state if person == S else DENIED,
                state if person == S else DENIED,
                state if person == S else DENIED,
            )
    assert got == expected


def test_workbook_exchange_by_role(world: dict[str, Any], who: dict[str, User]) -> None:
    cycle = world["cycle"]
    units = {
        "koreisha": world["evaluations"][1].unit,
        "shogai": world["evaluations"][4].unit,
    }
    got = {
        (person, code): permissions.can_exchange_workbook(who[person], cycle, unit)
        for person in WHO
        for code, unit in units.items()
    }
    assert got == {
        (person, code): person == S or (person, code) in {(D, "koreisha"), (D2, "shogai")}
        for person in WHO
        for code in units
    }
    assert [permissions.workbook_may_change(_evaluation(world, "open", s)) for s in STATES] == [
        True,
        False,
        True,
        False,
    ]


def _numbers(queryset: Any) -> list[tuple[int, int]]:
    return sorted(queryset.values_list("cycle__fiscal_year", "initiative__number"))


def test_visible_evaluations_and_workbook_evaluations_by_role(
    world: dict[str, Any], who: dict[str, User]
) -> None:
    municipality = world["plan"].municipality
    every = _numbers(Evaluation.objects.all())
    assert every == [(2023, n) for n in (1, 2, 3, 4)] + [(2024, n) for n in (1, 2, 3, 4)]
    own = [row for row in every if row[1] != 4]  # 高齢者いきいき課 leads 1–3
    shogai = [(2023, 4), (2024, 4)]
    visible = {
        p: _numbers(permissions.visible_evaluations(who[p], Evaluation.objects.all(), municipality))
        for p in WHO
    }
    assert visible == {S: every, D: own, D2: shogai, C: every, K: [], G: [], A: [], X: []}
    exchange = {
        p: _numbers(
            permissions.workbook_evaluations(who[p], Evaluation.objects.all(), municipality)
        )
        for p in WHO
    }
    assert exchange == {S: every, D: own, D2: shogai, C: [], K: [], G: [], A: [], X: []}
    # one question per object agrees with the queryset
    for person in WHO:
        assert [
            (e.cycle.fiscal_year, e.initiative.number)
            for e in Evaluation.objects.select_related("cycle", "initiative").order_by(
                "cycle__fiscal_year", "initiative__number"
            )
            if permissions.can_view_evaluation(who[person], e)
        ] == visible[person]


def test_visible_cycles_plans_and_reviews_by_role(
    world: dict[str, Any], who: dict[str, User], review: Review
) -> None:
    municipality = world["plan"].municipality
    published = review_services.review_create(
        actor=world["users"][C],
        cycle=world["cycle"],
        kind=ReviewKind.GOAL_REVIEW,
        goal=world["goals"][1],
        body="公表する講評",
    )
    Review.objects.filter(pk=published.pk).update(is_published=True)
    cycles = {
        p: sorted(
            permissions.visible_cycles(
                who[p], EvaluationCycle.objects.all(), municipality
            ).values_list("fiscal_year", flat=True)
        )
        for p in WHO
    }
    assert cycles == {
        S: [2023, 2024],
        D: [2023, 2024],
        D2: [2023, 2024],
        C: [2023, 2024],
        K: [],
        G: [],
        A: [],
        X: [],
    }
    plans = {
        p: list(
            permissions.visible_plans(who[p], Plan.objects.all(), municipality).values_list(
                "name", flat=True
            )
        )
        for p in WHO
    }
    assert plans == {p: [] if p == X else ["第1期計画"] for p in WHO}
    reviews = {
        p: sorted(
            permissions.visible_reviews(who[p], Review.objects.all(), municipality).values_list(
                "body", flat=True
            )
        )
        for p in WHO
    }
    both, public = sorted(["講評", "公表する講評"]), ["公表する講評"]
    assert reviews == {
        S: both,
        C: both,
        D: public,
        D2: public,
        K: public,
        G: public,
        A: public,
        X: [],
    }
    assert [permissions.can_view_review(who[p], review) for p in WHO] == [p in {S, C} for p in WHO]
