"""The committee's review of a cycle: 講評 per goal, comments on initiatives, the city's
response (市の対応) to each, and the city's 総括 per goal under the plan's headings.

Who may write what, and that nothing changes once the cycle is closed, is decided by
``plans/permissions.py``; each service asks it with the rows locked. Every write is audited
in its transaction. Reviews and
summaries carry a ``version``: a save names the version it started from and is refused
(:class:`StaleEdit`) if someone saved in between, so nobody's text is overwritten unseen.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from sasaeai.audit import services as audit
from sasaeai.audit.models import Action
from sasaeai.core.errors import DomainError, StaleEdit
from sasaeai.plans import permissions
from sasaeai.plans.models import (
    EvaluationCycle,
    Goal,
    Initiative,
    Review,
    ReviewKind,
    Summary,
)

BODY_MAX_LENGTH = 10_000


def _clean_body(text: str, label: str, *, required: bool) -> str:
    body = (text or "").strip()
    if required and not body:
        raise DomainError(
            code="required", message=_("{label}を入力してください。").format(label=label)
        )
    if len(body) > BODY_MAX_LENGTH:
        raise DomainError(
            code="too_long",
            message=_("{label}は{limit}文字以内で入力してください（いま{count}文字）。").format(
                label=label, limit=BODY_MAX_LENGTH, count=len(body)
            ),
        )
    return body


def _locked_review(
    review: Review,
    expected_version: int,
    *,
    actor: Any,
    refusal: Callable[[Any, Review], permissions.Refusal | None],
) -> Review:
    """The review locked for the write, once the policy's ``refusal(actor, row)`` allows it in
    the cycle's current state and the version is the one the editor started from."""
    current = (
        # lock the review and its cycle (a racing close waits); goal and initiative are
        # outer joins, which PostgreSQL cannot lock
        Review.objects.select_for_update(of=("self", "cycle"))
        .select_related("cycle__plan", "goal", "initiative")
        .get(pk=review.pk)
    )
    permissions.refuse(refusal(actor, current))
    if current.version != expected_version:
        raise StaleEdit(what=str(current.get_kind_display()), saved_by=_last_editor(current))
    return current


def _last_editor(obj: Review | Summary) -> str | None:
    """Who saved the row last, from the audit log (reviews keep no ``updated_by``)."""
    from sasaeai.audit.models import AuditEvent

    event = (
        AuditEvent.objects.filter(object_type=obj._meta.label, object_id=str(obj.pk))
        .order_by("-at", "-id")
        .only("actor_label", "actor")
        .select_related("actor")
        .first()
    )
    if event is None:
        return None
    return str(event.actor) if event.actor_id else event.actor_label


def _write_review(
    *, actor: Any, review: Review, changes: dict[str, Any], action: str, detail: str = ""
) -> Review:
    before = audit.snapshot(review)
    for field, value in changes.items():
        setattr(review, field, value)
    review.version += 1
    review.save()
    diff = audit.diff(before, audit.snapshot(review))
    diff.pop("version", None)
    audit.record(
        actor=actor,
        action=action,
        obj=review,
        changes=diff,
        detail=detail,
        municipality=review.cycle.municipality,
    )
    return review


@transaction.atomic
def review_create(
    *,
    actor: Any,
    cycle: EvaluationCycle,
    kind: str,
    body: str,
    goal: Goal | None = None,
    initiative: Initiative | None = None,
    author_label: str = "",
) -> Review:
    """A committee member's 講評 on a goal (``kind="goal_review"``) or comment on an
    initiative (``kind="initiative_comment"``)."""
    cycle = EvaluationCycle.objects.select_for_update().select_related("plan").get(pk=cycle.pk)
    permissions.refuse(permissions.review_create_refusal(actor, cycle))
    if kind == ReviewKind.GOAL_REVIEW:
        if goal is None or goal.plan_id != cycle.plan_id or initiative is not None:
            raise DomainError(
                code="invalid_target",
                message=_("講評の対象の基本目標が、この進捗調査の計画にありません。"),
            )
        if not goal.applies_in(cycle.fiscal_year):
            raise DomainError(
                code="goal_not_applicable",
                message=_("基本目標{number}はこの年度には対象ではありません。").format(
                    number=goal.number
                ),
            )
        label = _("講評")
    elif kind == ReviewKind.INITIATIVE_COMMENT:
        if initiative is None or initiative.plan_id != cycle.plan_id or goal is not None:
            raise DomainError(
                code="invalid_target",
                message=_("コメントの対象の取組が、この進捗調査の計画にありません。"),
            )
        label = _("コメント")
    else:
        raise DomainError(
            code="invalid_kind", message=_("講評の種類「{kind}」は使えません。").format(kind=kind)
        )
    text = _clean_body(body, label, required=True)
    review = Review.objects.create(
        cycle=cycle,
        kind=kind,
        goal=goal,
        initiative=initiative,
        author=actor if getattr(actor, "pk", None) else None,
        author_label=(author_label.strip() or str(actor))[:100],
        body=text,
    )
    audit.record(
        actor=actor,
        action=Action.CREATE,
        obj=review,
        changes=audit.diff({}, audit.snapshot(review)),
        municipality=cycle.municipality,
    )
    return review


@transaction.atomic
def review_update(*, actor: Any, review: Review, expected_version: int, body: str) -> Review:
    """The author changes their own 講評 or comment (refused if someone saved in between)."""
    current = _locked_review(
        review, expected_version, actor=actor, refusal=permissions.review_update_refusal
    )
    label = _("講評") if current.kind == ReviewKind.GOAL_REVIEW else _("コメント")
    text = _clean_body(body, label, required=True)
    if text == current.body:
        return current
    return _write_review(actor=actor, review=current, changes={"body": text}, action=Action.UPDATE)


@transaction.atomic
def review_respond(
    *, actor: Any, review: Review, expected_version: int, city_response: str
) -> Review:
    """The secretariat records the city's response (市の対応) to a 講評 or comment."""
    current = _locked_review(
        review, expected_version, actor=actor, refusal=permissions.review_respond_refusal
    )
    text = _clean_body(city_response, _("市の対応"), required=False)
    if text == current.city_response:
        return current
    return _write_review(
        actor=actor,
        review=current,
        changes={"city_response": text},
        action=Action.UPDATE,
        detail=_("市の対応を記録"),
    )


@transaction.atomic
def review_publish(
    *, actor: Any, review: Review, expected_version: int, is_published: bool
) -> Review:
    """Mark a 講評 or comment to be published with the cycle's report (or take it back)."""
    current = _locked_review(
        review, expected_version, actor=actor, refusal=permissions.review_publish_refusal
    )
    if current.is_published == is_published:
        return current
    return _write_review(
        actor=actor,
        review=current,
        changes={"is_published": is_published},
        action=Action.PUBLISH if is_published else Action.UPDATE,
        detail=_("公表する") if is_published else _("公表を取り消し"),
    )


@transaction.atomic
def summary_save(
    *,
    actor: Any,
    cycle: EvaluationCycle,
    goal: Goal,
    heading: str,
    body: str,
    expected_version: int,
) -> Summary | None:
    """Write the 総括 of a goal under one of the plan's headings.

    ``expected_version`` is the version the editor started from, ``0`` when there was no text
    yet. Returns the summary, or None when there was none and the body is empty.
    """
    # the cycle row lock serialises summary writes of the cycle (and a racing close)
    cycle = EvaluationCycle.objects.select_for_update().select_related("plan").get(pk=cycle.pk)
    permissions.refuse(permissions.summary_refusal(actor, cycle))
    if goal.plan_id != cycle.plan_id:
        raise DomainError(
            code="invalid_target",
            message=_("総括の対象の基本目標が、この進捗調査の計画にありません。"),
        )
    if heading not in cycle.plan.summary_headings:
        raise DomainError(
            code="invalid_heading",
            message=_("見出し「{heading}」はこの計画の総括の見出しにありません。").format(
                heading=heading
            ),
        )
    text = _clean_body(body, heading, required=False)
    current = Summary.objects.filter(cycle=cycle, goal=goal, heading=heading).first()
    if current is None:
        if expected_version != 0:
            raise StaleEdit(what=_("総括"), saved_by=None)
        if not text:
            return None
        summary = Summary.objects.create(cycle=cycle, goal=goal, heading=heading, body=text)
        audit.record(
            actor=actor,
            action=Action.CREATE,
            obj=summary,
            changes=audit.diff({}, audit.snapshot(summary)),
            municipality=cycle.municipality,
            object_repr=_("総括 基本目標{number} {heading}").format(
                number=goal.number, heading=heading
            ),
        )
        return summary
    if current.version != expected_version:
        raise StaleEdit(
            what=_("総括（{heading}）").format(heading=heading), saved_by=_last_editor(current)
        )
    if current.body == text:
        return current
    before = audit.snapshot(current)
    current.body = text
    current.version += 1
    current.save()
    diff = audit.diff(before, audit.snapshot(current))
    diff.pop("version", None)
    audit.record(
        actor=actor,
        action=Action.UPDATE,
        obj=current,
        changes=diff,
        municipality=cycle.municipality,
        object_repr=_("総括 基本目標{number} {heading}").format(
            number=goal.number, heading=heading
        ),
    )
    return current


@transaction.atomic
def summaries_save(
    *,
    actor: Any,
    cycle: EvaluationCycle,
    goal: Goal,
    entries: Mapping[str, tuple[str, int]],
) -> list[Summary]:
    """Save a goal's 総括 under several headings at once (heading → (body, expected_version)).

    All or nothing: if one heading was changed by someone else, none is saved.
    """
    saved = []
    for heading, (body, expected_version) in entries.items():
        summary = summary_save(
            actor=actor,
            cycle=cycle,
            goal=goal,
            heading=heading,
            body=body,
            expected_version=expected_version,
        )
        if summary is not None:
            saved.append(summary)
    return saved
