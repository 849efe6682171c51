"""The yearly evaluation cycle (進捗調査): open, fill in, submit, approve or return, close.

Who may do which of these, in which state of the cycle and the evaluation, is decided by
``plans/permissions.py`` alone: each service asks it (``permissions.refuse``) with the rows
locked, whatever called the service. Every write is audited in its transaction. Evaluations
carry a ``version``: a save names the version it started from, and a save that started from
an older version is refused (``core.errors.StaleEdit``), so two people editing the same
evaluation never overwrite each other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from sasaeai.audit import services as audit
from sasaeai.audit.models import Action
from sasaeai.core.errors import DomainError, StaleEdit
from sasaeai.core.wareki import format_fiscal_year
from sasaeai.plans import permissions
from sasaeai.plans.models import (
    CycleStatus,
    Evaluation,
    EvaluationCycle,
    EvaluationState,
    Initiative,
    Plan,
)

EDITABLE_FIELDS = ("results", "grade", "issues", "direction")


def cycle_refusal(
    *, plan: Plan, fiscal_year: int, municipality_id: int | None = None, pk: int | None = None
) -> DomainError | None:
    """Why a cycle of ``plan`` and ``fiscal_year`` cannot exist, or None: the 年度 inside the
    plan's period, one cycle per plan and 年度, the cycle of the plan's municipality. The same
    rule for ``cycle_open`` and for the operators' admin form."""
    if municipality_id is not None and municipality_id != plan.municipality_id:
        return DomainError(
            code="wrong_municipality",
            message=_("進捗調査の自治体は、計画「{plan}」の自治体と同じにしてください。").format(
                plan=plan.name
            ),
        )
    if not plan.covers(fiscal_year):
        return DomainError(
            code="outside_plan",
            message=_("{year}は計画「{plan}」の期間外です。").format(
                year=format_fiscal_year(fiscal_year), plan=plan.name
            ),
        )
    if EvaluationCycle.objects.filter(plan=plan, fiscal_year=fiscal_year).exclude(pk=pk).exists():
        return DomainError(
            code="cycle_exists",
            message=_("{year}の進捗調査はすでにあります。").format(
                year=format_fiscal_year(fiscal_year)
            ),
        )
    return None


@transaction.atomic
def cycle_open(
    *, actor: Any, plan: Plan, fiscal_year: int, deadline: dt.date | None = None
) -> EvaluationCycle:
    """Open the cycle of a 年度 and create one evaluation per initiative that applies then.

    再掲 initiatives get no evaluation of their own: their original is evaluated once.
    """
    permissions.refuse(permissions.cycle_open_refusal(actor, plan))
    refusal = cycle_refusal(plan=plan, fiscal_year=fiscal_year)
    if refusal is not None:
        raise refusal
    cycle = EvaluationCycle.objects.create(
        municipality_id=plan.municipality_id, plan=plan, fiscal_year=fiscal_year, deadline=deadline
    )
    initiatives = (
        Initiative.objects.filter(plan=plan, repost_of__isnull=True)
        .select_related("initiative_type__policy__goal")
        .prefetch_related("responsible_units")
    )
    rows = []
    missing = []
    for initiative in initiatives:
        if not initiative.initiative_type.policy.goal.applies_in(fiscal_year):
            continue
        lead = next(
            (u for u in initiative.responsible_units.all() if u.is_lead and u.covers(fiscal_year)),
            None,
        )
        if lead is None:
            missing.append(str(initiative.number))
            continue
        rows.append(Evaluation(cycle=cycle, initiative=initiative, unit_id=lead.unit_id))
    if missing:
        raise DomainError(
            code="no_lead_unit",
            message=_("主担当課が決まっていない取組があります（番号: {numbers}）。").format(
                numbers="、".join(missing[:20])
            ),
        )
    Evaluation.objects.bulk_create(rows)
    audit.record(
        actor=actor,
        action=Action.CREATE,
        obj=cycle,
        detail=_("進捗調査を開始（取組 {count} 件）").format(count=len(rows)),
    )
    return cycle


def unapproved_counts(cycle: EvaluationCycle) -> dict[str, int]:
    """The cycle's evaluations not approved yet, per state (draft, submitted, returned)."""
    counts = Evaluation.objects.filter(cycle_id=cycle.pk).aggregate(
        **{state: Count("id", filter=Q(state=state)) for state in permissions.UNAPPROVED_STATES}
    )
    return {state: int(counts[state] or 0) for state in permissions.UNAPPROVED_STATES}


def _unapproved_text(counts: dict[str, int]) -> str:
    return _("・").join(
        _("{state} {count} 件").format(state=EvaluationState(state).label, count=count)
        for state, count in counts.items()
        if count
    )


@transaction.atomic
def cycle_close(
    *, actor: Any, cycle: EvaluationCycle, leave_unapproved: bool = False
) -> EvaluationCycle:
    """Lock the cycle: no evaluation can be changed afterwards.

    Evaluations not approved by then (入力中, 提出済み, 差し戻し) stay out of the report and
    the public pages. Closing with any of them needs ``leave_unapproved=True`` — the
    secretariat's explicit confirmation; without it the close is refused with how many there
    are. The audit row records the count.
    """
    # read the status under a row lock: two closes (or a close racing a save) cannot interleave
    current = EvaluationCycle.objects.select_for_update().get(pk=cycle.pk)
    permissions.refuse(permissions.cycle_close_refusal(actor, current))
    counts = unapproved_counts(current)
    unapproved = sum(counts.values())
    if unapproved and not leave_unapproved:
        raise DomainError(
            code="unapproved",
            message=_(
                "承認していない評価が {count} 件あります（{states}）。"
                "締め切る前に、締め切りの画面の一覧から各評価を開いて承認または差し戻しをするか、"
                "承認していない評価は報告書と公開ページに載らないことを確認する欄にチェックを入れてください。"
            ).format(count=unapproved, states=_unapproved_text(counts)),
        )
    current.status = CycleStatus.CLOSED
    current.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor,
        action=Action.UPDATE,
        obj=current,
        changes={"status": ["open", "closed"]},
        detail=_("承認していない評価 {count} 件（{states}）を残して締切").format(
            count=unapproved, states=_unapproved_text(counts)
        )
        if unapproved
        else "",
    )
    cycle.status = current.status
    return current


@transaction.atomic
def cycle_reopen(*, actor: Any, cycle: EvaluationCycle, reason: str) -> EvaluationCycle:
    """Open a closed, unpublished cycle again so its text can be corrected before publishing.

    The plain-language check before publishing may find wording to fix after the cycle was
    closed; reopening (with a reason, audited) lets the secretariat and departments edit again.
    A published cycle cannot be reopened: take its publication back first.
    """
    current = EvaluationCycle.objects.select_for_update().get(pk=cycle.pk)
    refusal = permissions.cycle_reopen_refusal(actor, current)
    if refusal is not None and refusal.permission:
        raise refusal.error()
    reason = reason.strip()
    if not reason:
        raise DomainError(code="reason_required", message=_("受付を再開する理由を書いてください。"))
    permissions.refuse(refusal)
    current.status = CycleStatus.OPEN
    current.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor,
        action=Action.UPDATE,
        obj=current,
        changes={"status": ["closed", "open"]},
        detail=_("受付を再開: {reason}").format(reason=reason),
    )
    cycle.status = current.status
    return current


def _locked_evaluation(
    evaluation: Evaluation,
    expected_version: int,
    *,
    actor: Any,
    refusal: Callable[[Any, Evaluation], permissions.Refusal | None],
) -> Evaluation:
    """The evaluation locked for the write, once the policy's ``refusal(actor, row)`` allows
    the write in the row's current state and the version is the one the editor started from."""
    current = (
        Evaluation.objects.select_for_update().select_related("cycle__plan").get(pk=evaluation.pk)
    )
    refused = refusal(actor, current)
    if refused is not None and (refused.permission or current.cycle.is_locked):
        raise refused.error()
    # an edit that started from an older version is told so before the state is judged: the
    # other person's save (a submission, an approval) is what changed the state
    if current.version != expected_version:
        raise StaleEdit(what=_("評価"), saved_by=current.updated_by)
    permissions.refuse(refused)
    return current


def _validate_values(plan: Plan, values: dict[str, str]) -> None:
    grade = values.get("grade", "")
    if grade and grade not in plan.grade_codes():
        raise DomainError(
            code="invalid_grade",
            message=_("評価「{grade}」は使えません。{choices} から選んでください。").format(
                grade=grade, choices=_("・").join(plan.grade_codes())
            ),
        )
    direction = values.get("direction", "")
    if direction and direction not in plan.directions:
        raise DomainError(
            code="invalid_direction",
            message=_(
                "今後の方向性「{direction}」は使えません。{choices} から選んでください。"
            ).format(direction=direction, choices=_("・").join(plan.directions)),
        )


def _write(
    *, actor: Any, evaluation: Evaluation, changes: dict[str, Any], detail: str = ""
) -> Evaluation:
    before = audit.snapshot(evaluation)
    for field, value in changes.items():
        setattr(evaluation, field, value)
    evaluation.version += 1
    evaluation.updated_by = actor if getattr(actor, "pk", None) else None
    evaluation.save()
    diff = audit.diff(before, audit.snapshot(evaluation))
    diff.pop("version", None)
    diff.pop("updated_by", None)
    audit.record(
        actor=actor,
        action=Action.UPDATE,
        obj=evaluation,
        changes=diff,
        detail=detail,
        municipality=evaluation.cycle.municipality,
    )
    return evaluation


@transaction.atomic
def evaluation_save(
    *,
    actor: Any,
    evaluation: Evaluation,
    expected_version: int,
    results: str,
    grade: str,
    issues: str,
    direction: str,
) -> Evaluation:
    """Save a department's entry (draft or returned). Refused if someone saved in between."""
    current = _locked_evaluation(
        evaluation, expected_version, actor=actor, refusal=permissions.evaluation_edit_refusal
    )
    values = {
        "results": results.strip(),
        "grade": grade.strip(),
        "issues": issues.strip(),
        "direction": direction.strip(),
    }
    _validate_values(current.cycle.plan, values)
    if all(getattr(current, field) == value for field, value in values.items()):
        return current
    return _write(actor=actor, evaluation=current, changes=values)


@transaction.atomic
def evaluation_submit(*, actor: Any, evaluation: Evaluation, expected_version: int) -> Evaluation:
    current = _locked_evaluation(
        evaluation, expected_version, actor=actor, refusal=permissions.evaluation_submit_refusal
    )
    missing = [
        label
        for field, label in (
            ("results", _("実施内容・実績")),
            ("grade", _("評価")),
            ("direction", _("今後の方向性")),
        )
        if not getattr(current, field)
    ]
    if missing:
        raise DomainError(
            code="incomplete",
            message=_("提出する前に {fields} を入力してください。").format(
                fields="、".join(missing)
            ),
        )
    return _write(
        actor=actor,
        evaluation=current,
        changes={"state": EvaluationState.SUBMITTED},
        detail=_("提出"),
    )


@transaction.atomic
def evaluation_approve(*, actor: Any, evaluation: Evaluation, expected_version: int) -> Evaluation:
    current = _locked_evaluation(
        evaluation, expected_version, actor=actor, refusal=permissions.evaluation_approve_refusal
    )
    return _write(
        actor=actor,
        evaluation=current,
        changes={"state": EvaluationState.APPROVED, "return_comment": ""},
        detail=_("承認"),
    )


@transaction.atomic
def evaluation_return(
    *, actor: Any, evaluation: Evaluation, expected_version: int, comment: str
) -> Evaluation:
    current = _locked_evaluation(
        evaluation, expected_version, actor=actor, refusal=permissions.evaluation_return_refusal
    )
    if not comment.strip():
        raise DomainError(code="comment_required", message=_("差し戻しの理由を入力してください。"))
    return _write(
        actor=actor,
        evaluation=current,
        changes={"state": EvaluationState.RETURNED, "return_comment": comment.strip()},
        detail=_("差し戻し"),
    )


def previous_evaluation(evaluation: Evaluation) -> Evaluation | None:
    """The same initiative's evaluation in the plan's previous 年度, if any."""
    return (
        Evaluation.objects.filter(
            initiative_id=evaluation.initiative_id,
            cycle__plan_id=evaluation.cycle.plan_id,
            cycle__fiscal_year=evaluation.cycle.fiscal_year - 1,
        )
        .only("results", "grade", "issues", "direction")
        .first()
    )


@transaction.atomic
def evaluation_copy_forward(
    *, actor: Any, evaluation: Evaluation, expected_version: int
) -> Evaluation:
    """Start from last year's text (実績, 課題, 方向性); the grade is left for this year."""
    current = _locked_evaluation(
        evaluation, expected_version, actor=actor, refusal=permissions.evaluation_edit_refusal
    )
    previous = previous_evaluation(current)
    if previous is None:
        raise DomainError(code="no_previous", message=_("前年度の評価がありません。"))
    direction = previous.direction if previous.direction in current.cycle.plan.directions else ""
    return _write(
        actor=actor,
        evaluation=current,
        changes={
            "results": previous.results,
            "issues": previous.issues,
            "direction": direction,
        },
        detail=_("前年度の内容を引用"),
    )
