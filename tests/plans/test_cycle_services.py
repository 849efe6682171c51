"""Review, response, publish and 総括 services; and the fixes to the evaluation services."""

from __future__ import annotations

from typing import Any

import pytest

from sasaeai.accounts.roles import Role
from sasaeai.audit.models import AuditEvent
from sasaeai.core.errors import DomainError, PermissionRefused, StaleEdit
from sasaeai.plans.models import (
    EvaluationCycle,
    Goal,
    Plan,
    Review,
    ReviewKind,
    Summary,
)
from sasaeai.plans.services import evaluations as evaluation_services
from sasaeai.plans.services import reviews
from tests.plans.test_cycle_support import *  # noqa: F403

S, D, C = Role.SECRETARIAT, Role.DEPARTMENT, Role.COMMITTEE_MEMBER


def _state() -> list[Any]:
    return [
        list(Review.objects.order_by("pk").values()),
        list(Summary.objects.order_by("pk").values()),
        AuditEvent.objects.count(),
    ]


def _review(world: dict[str, Any], body: str = "講評です") -> Review:
    return reviews.review_create(
        actor=world["users"][C],
        cycle=world["cycle"],
        kind=ReviewKind.GOAL_REVIEW,
        goal=world["goals"][0],
        body=body,
    )


def test_review_create_records_the_author_and_audits(world: dict[str, Any]) -> None:
    review = _review(world, "  相談窓口の周知が進みました。 ")
    assert (
        review.kind,
        review.goal_id,
        review.initiative_id,
        review.author_id,
        review.author_label,
        review.body,
        review.version,
        review.is_published,
    ) == (
        "goal_review",
        world["goals"][0].pk,
        None,
        world["users"][C].pk,
        "committee_member の利用者",
        "相談窓口の周知が進みました。",
        1,
        False,
    )
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.object_type, event.object_id, event.municipality_id) == (
        "create",
        "plans.Review",
        str(review.pk),
        world["plan"].municipality_id,
    )
    assert event.changes["body"] == [None, "相談窓口の周知が進みました。"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": ReviewKind.GOAL_REVIEW, "body": " "}, "講評を入力してください。"),
        (
            {"kind": ReviewKind.GOAL_REVIEW, "body": "x" * 10_001},
            "講評は10000文字以内で入力してください（いま10001文字）。",
        ),
        (
            {"kind": ReviewKind.INITIATIVE_COMMENT, "body": "x"},
            "コメントの対象の取組が、この進捗調査の計画にありません。",
        ),
        ({"kind": "other", "body": "x"}, "講評の種類「other」は使えません。"),
    ],
)
def test_review_create_refuses_bad_input(
    world: dict[str, Any], kwargs: dict[str, Any], message: str
) -> None:
    before = _state()
    goal = world["goals"][0] if kwargs["kind"] != ReviewKind.INITIATIVE_COMMENT else None
    with pytest.raises(DomainError) as error:
        reviews.review_create(actor=world["users"][C], cycle=world["cycle"], goal=goal, **kwargs)
    assert error.value.message == message
    assert _state() == before


def test_review_targets_must_belong_to_the_cycle(world: dict[str, Any]) -> None:
    other = Plan.objects.create(
        municipality=world["plan"].municipality, name="別の計画", start_fy=2026, end_fy=2033
    )
    foreign = Goal.objects.create(plan=other, number=1, name="別")
    late = Goal.objects.create(plan=world["plan"], number=6, name="ケアラー", applies_from_fy=2025)
    before = _state()
    for goal, message in (
        (foreign, "講評の対象の基本目標が、この進捗調査の計画にありません。"),
        (late, "基本目標6はこの年度には対象ではありません。"),
    ):
        with pytest.raises(DomainError) as error:
            reviews.review_create(
                actor=world["users"][C],
                cycle=world["cycle"],
                kind=ReviewKind.GOAL_REVIEW,
                goal=goal,
                body="講評",
            )
        assert error.value.message == message
    assert _state() == before


@pytest.mark.parametrize("role", [S, D, Role.SYSTEM_ADMIN, Role.COUNCIL_COORDINATOR])
def test_only_committee_members_write_reviews(world: dict[str, Any], role: str) -> None:
    before = _state()
    with pytest.raises(PermissionRefused):
        reviews.review_create(
            actor=world["users"][role],
            cycle=world["cycle"],
            kind=ReviewKind.GOAL_REVIEW,
            goal=world["goals"][0],
            body="講評",
        )
    assert _state() == before


def test_review_update_respond_and_publish_are_versioned(world: dict[str, Any]) -> None:
    review = _review(world)
    committee, secretariat = world["users"][C], world["users"][S]
    review = reviews.review_update(actor=committee, review=review, expected_version=1, body="改")
    review = reviews.review_respond(
        actor=secretariat, review=review, expected_version=2, city_response="対応します"
    )
    review = reviews.review_publish(
        actor=secretariat, review=review, expected_version=3, is_published=True
    )
    assert (review.body, review.city_response, review.is_published, review.version) == (
        "改",
        "対応します",
        True,
        4,
    )
    events = list(
        AuditEvent.objects.filter(object_type="plans.Review", object_id=str(review.pk))
        .order_by("id")
        .values_list("action", "changes", "detail")
    )
    assert events[1:] == [
        ("update", {"body": ["講評です", "改"]}, ""),
        ("update", {"city_response": ["", "対応します"]}, "市の対応を記録"),
        ("publish", {"is_published": [False, True]}, "公表する"),
    ]
    # saving the same again writes nothing
    same = reviews.review_publish(
        actor=secretariat, review=review, expected_version=4, is_published=True
    )
    assert same.version == 4 and AuditEvent.objects.filter(object_type="plans.Review").count() == 4


def test_a_stale_review_edit_is_refused_and_names_who_saved(world: dict[str, Any]) -> None:
    review = _review(world)
    reviews.review_respond(
        actor=world["users"][S], review=review, expected_version=1, city_response="先に保存"
    )
    before = _state()
    with pytest.raises(StaleEdit) as error:
        reviews.review_update(
            actor=world["users"][C], review=review, expected_version=1, body="後から"
        )
    assert error.value.message == (
        "ほかの人がこの講評（基本目標）を先に保存しました（secretariat の利用者）。"
        "入力内容は保存していません。最新の内容を確認してから、もう一度保存してください。"
    )
    assert _state() == before


def test_the_response_is_the_secretariats(world: dict[str, Any]) -> None:
    review = _review(world)
    before = _state()
    for role in (C, D):
        with pytest.raises(PermissionRefused):
            reviews.review_respond(
                actor=world["users"][role], review=review, expected_version=1, city_response="x"
            )
        with pytest.raises(PermissionRefused):
            reviews.review_publish(
                actor=world["users"][role], review=review, expected_version=1, is_published=True
            )
    with pytest.raises(PermissionRefused):
        reviews.review_update(actor=world["users"][S], review=review, expected_version=1, body="x")
    assert _state() == before


def test_summary_save_creates_updates_and_refuses_stale(world: dict[str, Any]) -> None:
    cycle, goal, secretariat = world["cycle"], world["goals"][0], world["users"][S]
    assert (
        reviews.summary_save(
            actor=secretariat,
            cycle=cycle,
            goal=goal,
            heading="❹その他",
            body=" ",
            expected_version=0,
        )
        is None
    )
    summary = reviews.summary_save(
        actor=secretariat,
        cycle=cycle,
        goal=goal,
        heading="❶社会動向",
        body="高齢化が進んだ。",
        expected_version=0,
    )
    assert summary is not None and (summary.body, summary.version) == ("高齢化が進んだ。", 1)
    summary = reviews.summary_save(
        actor=secretariat,
        cycle=cycle,
        goal=goal,
        heading="❶社会動向",
        body="高齢化がさらに進んだ。",
        expected_version=1,
    )
    assert summary is not None and summary.version == 2
    before = _state()
    for version in (0, 1):
        with pytest.raises(StaleEdit):
            reviews.summary_save(
                actor=secretariat,
                cycle=cycle,
                goal=goal,
                heading="❶社会動向",
                body="古い画面から",
                expected_version=version,
            )
    with pytest.raises(DomainError) as error:
        reviews.summary_save(
            actor=secretariat, cycle=cycle, goal=goal, heading="❻感想", body="x", expected_version=0
        )
    assert error.value.message == "見出し「❻感想」はこの計画の総括の見出しにありません。"
    with pytest.raises(PermissionRefused):
        reviews.summary_save(
            actor=world["users"][C],
            cycle=cycle,
            goal=goal,
            heading="❷進捗管理の状況",
            body="x",
            expected_version=0,
        )
    assert _state() == before
    events = AuditEvent.objects.filter(object_type="plans.Summary").order_by("id")
    assert [(e.action, e.object_repr) for e in events] == [
        ("create", "総括 基本目標1 ❶社会動向"),
        ("update", "総括 基本目標1 ❶社会動向"),
    ]


def test_summaries_save_is_all_or_nothing(world: dict[str, Any]) -> None:
    cycle, goal, secretariat = world["cycle"], world["goals"][0], world["users"][S]
    reviews.summary_save(
        actor=secretariat,
        cycle=cycle,
        goal=goal,
        heading="❷進捗管理の状況",
        body="先",
        expected_version=0,
    )
    before = _state()
    with pytest.raises(StaleEdit):
        reviews.summaries_save(
            actor=secretariat,
            cycle=cycle,
            goal=goal,
            entries={"❶社会動向": ("新しい", 0), "❷進捗管理の状況": ("後", 0)},
        )
    assert _state() == before


def test_reviews_and_summaries_are_refused_once_closed(world: dict[str, Any]) -> None:
    review = _review(world)
    evaluation_services.cycle_close(
        actor=world["users"][S], cycle=world["cycle"], leave_unapproved=True
    )
    before = _state()
    locked = "この進捗調査は締め切られているため、変更できません。"
    calls = [
        lambda: _review(world),
        lambda: reviews.review_update(
            actor=world["users"][C], review=review, expected_version=1, body="x"
        ),
        lambda: reviews.review_respond(
            actor=world["users"][S], review=review, expected_version=1, city_response="x"
        ),
        lambda: reviews.review_publish(
            actor=world["users"][S], review=review, expected_version=1, is_published=True
        ),
        lambda: reviews.summary_save(
            actor=world["users"][S],
            cycle=world["cycle"],
            goal=world["goals"][0],
            heading="❶社会動向",
            body="x",
            expected_version=0,
        ),
    ]
    for call in calls:
        with pytest.raises(DomainError) as error:
            call()
        assert error.value.message == locked
    assert _state() == before


# --- fixes to services/evaluations.py -----------------------------------------------------


def test_copy_forward_cannot_change_a_submitted_evaluation(world: dict[str, Any]) -> None:
    department = world["users"][D]
    evaluation = world["evaluations"][1]
    saved = evaluation_services.evaluation_save(
        actor=department,
        evaluation=evaluation,
        expected_version=1,
        results="今年",
        grade="A",
        issues="",
        direction="拡充",
    )
    submitted = evaluation_services.evaluation_submit(
        actor=department, evaluation=saved, expected_version=2
    )
    with pytest.raises(DomainError) as error:
        evaluation_services.evaluation_copy_forward(
            actor=department, evaluation=submitted, expected_version=3
        )
    assert error.value.code == "already_submitted"
    submitted.refresh_from_db()
    assert (submitted.results, submitted.direction, submitted.version) == ("今年", "拡充", 3)


def test_copy_forward_drops_a_direction_the_plan_no_longer_offers(world: dict[str, Any]) -> None:
    plan = world["plan"]
    plan.directions = ["拡充", "見直し"]
    plan.save()
    copied = evaluation_services.evaluation_copy_forward(
        actor=world["users"][D], evaluation=world["evaluations"][1], expected_version=1
    )
    assert (copied.results, copied.direction) == ("前年度の実績1", "")


def test_closing_twice_from_stale_objects_is_refused(world: dict[str, Any]) -> None:
    first = EvaluationCycle.objects.get(pk=world["cycle"].pk)
    second = EvaluationCycle.objects.get(pk=world["cycle"].pk)
    evaluation_services.cycle_close(actor=world["users"][S], cycle=first, leave_unapproved=True)
    count = AuditEvent.objects.count()
    with pytest.raises(DomainError) as error:
        evaluation_services.cycle_close(
            actor=world["users"][S], cycle=second, leave_unapproved=True
        )
    assert error.value.code == "not_open"
    assert AuditEvent.objects.count() == count


def test_a_closed_cycle_reopens_with_a_reason_and_can_be_edited_again(
    world: dict[str, Any],
) -> None:
    cycle = world["cycle"]
    evaluation_services.cycle_close(actor=world["users"][S], cycle=cycle, leave_unapproved=True)
    evaluation_services.cycle_reopen(
        actor=world["users"][S], cycle=cycle, reason="公表前の確認で表現を直すため"
    )
    cycle.refresh_from_db()
    assert cycle.status == "open"
    event = AuditEvent.objects.latest("id")
    assert event.object_type == "plans.EvaluationCycle"
    assert event.changes == {"status": ["closed", "open"]}
    assert event.detail == "受付を再開: 公表前の確認で表現を直すため"
    review = _review(world, body="再開後の講評")
    assert review.body == "再開後の講評"


@pytest.mark.parametrize(
    ("status", "role", "reason", "message"),
    [
        ("closed", S, "  ", "受付を再開する理由を書いてください。"),
        ("open", S, "理由", "この進捗調査は受付中です。"),
        (
            "published",
            S,
            "理由",
            "公表済みの進捗調査は再開できません。先に公表を取り消してください。",
        ),
        ("closed", C, "理由", "この操作を行う権限がありません。"),
        ("closed", D, "理由", "この操作を行う権限がありません。"),
    ],
)
def test_reopening_is_refused_and_changes_nothing(
    world: dict[str, Any], status: str, role: str, reason: str, message: str
) -> None:
    cycle = world["cycle"]
    EvaluationCycle.objects.filter(pk=cycle.pk).update(status=status)
    cycle.refresh_from_db()
    count = AuditEvent.objects.count()
    with pytest.raises((DomainError, PermissionRefused)) as caught:
        evaluation_services.cycle_reopen(actor=world["users"][role], cycle=cycle, reason=reason)
    assert caught.value.message == message
    assert EvaluationCycle.objects.get(pk=cycle.pk).status == status
    assert AuditEvent.objects.count() == count
