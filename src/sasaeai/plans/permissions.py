"""The plans app's permission policy: the one place that decides who may do what with plans,
evaluation cycles, evaluations, the committee's reviews and the 総括. Deny by default.

It answers three questions, in the shape of Wagtail's permission policies:

1. **May this user do this action here?** ``can(user, action, municipality)`` — the ``RULES``
   table (action → roles). An action not in the table is refused to everybody.
2. **May this user do it to this object, in its current state?** ``*_refusal(user, obj)``
   returns None when allowed, else a :class:`Refusal` with a code and a Japanese message;
   ``can_*(user, obj)`` is the same answer as a bool. A refusal is either a *permission* one
   (the user may never do this to this object: 403 on a page) or a *state* one (not now: the
   cycle is closed, the evaluation is already submitted …), shown as a message.
3. **Which objects of this kind may this user see?** ``visible_*(user, queryset, municipality)``
   narrows a queryset of one municipality's rows.

Views, the staff API, selectors, services (``services/evaluations.py``, ``services/reviews.py``,
``services/department_import.py``) and the Excel round trip all ask this module; a service
raises the refusal (``refuse``) whatever called it.

Who may do what, in which state (docs/plans-cycle.md has the same table in Japanese):

=================================  ==================================  ======================
action                             who                                 when
=================================  ==================================  ======================
open a cycle                       事務局                              —
close a cycle                      事務局                              open (unapproved ones
                                                                       confirmed in the service)
reopen a cycle                     事務局                              closed (not published)
edit / copy forward an evaluation  事務局 (any); 担当課 (own units)    cycle open; 担当課 only
                                                                       draft or returned
submit an evaluation               事務局; 担当課 (own units)          cycle open; draft or
                                                                       returned
approve / return an evaluation     事務局                              cycle open; submitted
write a 講評 or comment            推進委員                            cycle open
change a 講評 or comment           推進委員 who wrote it               cycle open
市の対応, 公表する, 総括            事務局                              cycle open
=================================  ==================================  ======================
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from sasaeai.accounts.permissions import STAFF_ROLES, allowed, remember_memberships
from sasaeai.accounts.roles import Role
from sasaeai.core.errors import DomainError, PermissionRefused
from sasaeai.plans.models import CycleStatus, Evaluation, EvaluationState

RULES: Mapping[str, frozenset[str]] = {
    # see the plan structure, indicators and roll-ups on staff pages and the staff API
    "plans.view": STAFF_ROLES,
    # import/export the plan workbook, open/close cycles, approve/return, responses, 総括
    "plans.manage": frozenset({Role.SECRETARIAT}),
    # fill in the evaluations of one's own department's initiatives
    "plans.evaluate": frozenset({Role.DEPARTMENT, Role.SECRETARIAT}),
    # see every evaluation of a cycle, drafts included, and every review, unpublished included
    "plans.view_cycle": frozenset({Role.SECRETARIAT, Role.COMMITTEE_MEMBER}),
    # write 講評 per goal and comments on initiatives
    "plans.review": frozenset({Role.COMMITTEE_MEMBER}),
}

#: The states in which a department may still change its evaluation (and submit it); the
#: secretariat changes an evaluation in any state while the cycle is open.
DEPARTMENT_EDITABLE_STATES: frozenset[str] = frozenset(
    {EvaluationState.DRAFT, EvaluationState.RETURNED}
)
#: The states that do not count as approved: closing a cycle lists them and asks to confirm.
UNAPPROVED_STATES: tuple[str, ...] = (
    EvaluationState.DRAFT,
    EvaluationState.SUBMITTED,
    EvaluationState.RETURNED,
)


@dataclass(frozen=True)
class Refusal:
    """Why the policy refuses an action on an object.

    ``permission`` is True when the user may never do this to this object (the page answers
    403, the service raises :class:`PermissionRefused`); False when it is the object's state
    that refuses it now (the service raises :class:`DomainError` with ``code``)."""

    code: str
    message: str
    permission: bool = False

    def error(self) -> DomainError:
        if self.permission:
            return PermissionRefused(self.message)
        return DomainError(code=self.code, message=self.message)


def refuse(refusal: Refusal | None) -> None:
    """Raise the refusal's error, if there is one (services call this)."""
    if refusal is not None:
        raise refusal.error()


def _denied(message: str | None = None) -> Refusal:
    return Refusal(
        code="permission_denied",
        message=message or _("この操作を行う権限がありません。"),
        permission=True,
    )


def _locked() -> Refusal:
    return Refusal(
        code="cycle_locked", message=_("この進捗調査は締め切られているため、変更できません。")
    )


# --- 1. may this user do this action ------------------------------------------------------


def can(user: Any, action: str, municipality: Any = None) -> bool:
    return allowed(RULES, user, action, municipality)


def department_unit_ids(user: Any) -> set[int]:
    """Units in which the user holds the 担当課 role (active memberships)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return set()
    remember_memberships(user)
    return {m.unit_id for m in user.memberships.all() if m.is_active and m.role == Role.DEPARTMENT}


def _own_unit_ids(user: Any, municipality_id: Any) -> set[int]:
    """The 担当課 units whose evaluations the user fills in, in that municipality."""
    if not can(user, "plans.evaluate", municipality_id):
        return set()
    return department_unit_ids(user)


# --- 2. may this user do it to this object, in its current state ---------------------------

# cycles


def cycle_open_refusal(user: Any, plan: Any) -> Refusal | None:
    if not can(user, "plans.manage", plan.municipality_id):
        return _denied()
    return None


def cycle_close_refusal(user: Any, cycle: Any) -> Refusal | None:
    """Close an open cycle. Whether its unapproved evaluations may stay out is confirmed in
    the service (``cycle_close(leave_unapproved=True)``)."""
    if not can(user, "plans.manage", cycle.municipality_id):
        return _denied()
    if cycle.status != CycleStatus.OPEN:
        return Refusal("not_open", _("この進捗調査はすでに締め切られています。"))
    return None


def cycle_reopen_refusal(user: Any, cycle: Any) -> Refusal | None:
    """Reopen a closed cycle; a published one must have its publication taken back first."""
    if not can(user, "plans.manage", cycle.municipality_id):
        return _denied()
    if cycle.status == CycleStatus.OPEN:
        return Refusal("already_open", _("この進捗調査は受付中です。"))
    if cycle.status == CycleStatus.PUBLISHED:
        return Refusal(
            "published",
            _("公表済みの進捗調査は再開できません。先に公表を取り消してください。"),
        )
    return None


def can_close(user: Any, cycle: Any) -> bool:
    return cycle_close_refusal(user, cycle) is None


def can_reopen(user: Any, cycle: Any) -> bool:
    return cycle_reopen_refusal(user, cycle) is None


# evaluations


def can_view_evaluation(user: Any, evaluation: Any) -> bool:
    """The secretariat and committee see every evaluation; a department only its own units'."""
    scope = _evaluation_scope(user, evaluation.cycle.municipality_id)
    return scope is None or evaluation.unit_id in scope


def _may_fill_in(user: Any, evaluation: Any) -> bool:
    """The secretariat fills in any evaluation; a department those of its own units."""
    municipality_id = evaluation.cycle.municipality_id
    if can(user, "plans.manage", municipality_id):
        return True
    return evaluation.unit_id in _own_unit_ids(user, municipality_id)


def evaluation_edit_refusal(user: Any, evaluation: Any) -> Refusal | None:
    """Save or copy forward: the cycle open; a department changes only a draft or a returned
    evaluation of its own units, the secretariat any evaluation."""
    if not _may_fill_in(user, evaluation):
        return _denied(_("この取組の評価を入力する権限がありません。"))
    if evaluation.cycle.is_locked:
        return _locked()
    if evaluation.state not in DEPARTMENT_EDITABLE_STATES and not can(
        user, "plans.manage", evaluation.cycle.municipality_id
    ):
        return Refusal(
            "already_submitted",
            _("提出済みの評価は変更できません。事務局に差し戻しを依頼してください。"),
        )
    return None


def evaluation_submit_refusal(user: Any, evaluation: Any) -> Refusal | None:
    """Submit: the cycle open, a draft or returned evaluation the user fills in."""
    if not _may_fill_in(user, evaluation):
        return _denied(_("この取組の評価を提出する権限がありません。"))
    if evaluation.cycle.is_locked:
        return _locked()
    if evaluation.state not in DEPARTMENT_EDITABLE_STATES:
        return Refusal("not_draft", _("この評価はすでに提出されています。"))
    return None


def decision_refusal(user: Any, cycle: Any) -> Refusal | None:
    """Approve and return evaluations of this cycle at all: the secretariat, while it is open."""
    if not can(user, "plans.manage", cycle.municipality_id):
        return _denied()
    if cycle.is_locked:
        return _locked()
    return None


def can_decide_in(user: Any, cycle: Any) -> bool:
    return decision_refusal(user, cycle) is None


def _decision_refusal(user: Any, evaluation: Any, message: str) -> Refusal | None:
    refusal = decision_refusal(user, evaluation.cycle)
    if refusal is not None:
        return refusal
    if evaluation.state != EvaluationState.SUBMITTED:
        return Refusal("not_submitted", message)
    return None


def evaluation_approve_refusal(user: Any, evaluation: Any) -> Refusal | None:
    """Approve: the secretariat, a submitted evaluation of an open cycle."""
    return _decision_refusal(user, evaluation, _("提出された評価だけを承認できます。"))


def evaluation_return_refusal(user: Any, evaluation: Any) -> Refusal | None:
    """Return (差し戻し): the secretariat, a submitted evaluation of an open cycle."""
    return _decision_refusal(user, evaluation, _("提出された評価だけを差し戻せます。"))


def may_fill_in(user: Any, evaluation: Any) -> bool:
    """Whether the user fills in this evaluation at all, whatever its state (pages answer 403
    to a write by anyone else, and show the state refusal to those who may)."""
    return _may_fill_in(user, evaluation)


def can_edit_evaluation(user: Any, evaluation: Any) -> bool:
    return evaluation_edit_refusal(user, evaluation) is None


def can_submit(user: Any, evaluation: Any) -> bool:
    return evaluation_submit_refusal(user, evaluation) is None


def can_approve(user: Any, evaluation: Any) -> bool:
    return evaluation_approve_refusal(user, evaluation) is None


def can_return(user: Any, evaluation: Any) -> bool:
    return evaluation_return_refusal(user, evaluation) is None


# the committee's reviews, the city's response, the 総括


def review_create_refusal(user: Any, cycle: Any) -> Refusal | None:
    """A committee member writes a 講評 or a comment while the cycle is open."""
    if not can(user, "plans.review", cycle.municipality_id):
        return _denied(_("講評・コメントを書く権限がありません。"))
    if cycle.is_locked:
        return _locked()
    return None


def review_update_refusal(user: Any, review: Any) -> Refusal | None:
    """Only the member who wrote a 講評 or comment changes it, while the cycle is open."""
    if not can(user, "plans.review", review.cycle.municipality_id) or (
        review.author_id is None or review.author_id != getattr(user, "pk", None)
    ):
        return _denied(_("この講評・コメントを変更できるのは、書いた委員だけです。"))
    if review.cycle.is_locked:
        return _locked()
    return None


def _secretariat_refusal(user: Any, cycle: Any, message: str) -> Refusal | None:
    if not can(user, "plans.manage", cycle.municipality_id):
        return _denied(message)
    if cycle.is_locked:
        return _locked()
    return None


def review_respond_refusal(user: Any, review: Any) -> Refusal | None:
    """The secretariat records the city's response (市の対応) while the cycle is open."""
    return _secretariat_refusal(user, review.cycle, _("市の対応を記録する権限がありません。"))


def review_publish_refusal(user: Any, review: Any) -> Refusal | None:
    """The secretariat marks a 講評 or comment to be published while the cycle is open."""
    return _secretariat_refusal(user, review.cycle, _("講評の公表を設定する権限がありません。"))


def summary_refusal(user: Any, cycle: Any) -> Refusal | None:
    """The secretariat writes the 総括 while the cycle is open."""
    return _secretariat_refusal(user, cycle, _("総括を書く権限がありません。"))


def can_review(user: Any, cycle: Any) -> bool:
    return review_create_refusal(user, cycle) is None


def can_update_review(user: Any, review: Any) -> bool:
    return review_update_refusal(user, review) is None


def can_respond(user: Any, review: Any) -> bool:
    return review_respond_refusal(user, review) is None


def can_write_summary(user: Any, cycle: Any) -> bool:
    return summary_refusal(user, cycle) is None


# the department workbook (Excel round trip)


def can_exchange_workbook(user: Any, cycle: Any, unit: Any) -> bool:
    """Export or import a unit's workbook: the secretariat any unit's, a department its own."""
    municipality_id = cycle.municipality_id
    if unit.municipality_id != municipality_id:
        return False
    if can(user, "plans.manage", municipality_id):
        return True
    return unit.pk in _own_unit_ids(user, municipality_id)


def workbook_may_change(evaluation: Any) -> bool:
    """A row of the department workbook changes its evaluation as the department would: only
    a draft or a returned one, whoever imports the file (the secretariat changes a submitted
    or approved evaluation on its page, where the change is seen in context)."""
    return evaluation.state in DEPARTMENT_EDITABLE_STATES


# --- 3. which objects may this user see ----------------------------------------------------


def _evaluation_scope(user: Any, municipality_id: Any) -> set[int] | None:
    """The units whose evaluations the user may see in a municipality: None for every unit
    (secretariat, committee), else the units where they hold 担当課 (empty for other roles)."""
    if can(user, "plans.view_cycle", municipality_id):
        return None
    return _own_unit_ids(user, municipality_id)


def visible_evaluations(user: Any, evaluations: QuerySet[Any], municipality_id: Any) -> Any:
    """The evaluations (a queryset of one municipality's) the user may see: the queryset form
    of ``can_view_evaluation``, for lists, the plan tree, the API and exports."""
    municipality_id = getattr(municipality_id, "pk", municipality_id)
    scope = _evaluation_scope(user, municipality_id)
    evaluations = evaluations.filter(cycle__municipality_id=municipality_id)
    if scope is None:
        return evaluations
    return evaluations.filter(unit_id__in=scope) if scope else evaluations.none()


def workbook_evaluations(user: Any, evaluations: QuerySet[Any], municipality_id: Any) -> Any:
    """The evaluations whose workbooks the user may exchange: the queryset form of
    ``can_exchange_workbook`` (the committee sees every evaluation but exchanges none)."""
    municipality_id = getattr(municipality_id, "pk", municipality_id)
    evaluations = evaluations.filter(cycle__municipality_id=municipality_id)
    if can(user, "plans.manage", municipality_id):
        return evaluations
    units = _own_unit_ids(user, municipality_id)
    return evaluations.filter(unit_id__in=units) if units else evaluations.none()


def visible_plans(user: Any, plans: QuerySet[Any], municipality_id: Any) -> Any:
    """Plans (structure, indicators): every staff role of the municipality sees them."""
    municipality_id = getattr(municipality_id, "pk", municipality_id)
    if not can(user, "plans.view", municipality_id):
        return plans.none()
    return plans.filter(municipality_id=municipality_id)


def visible_cycles(user: Any, cycles: QuerySet[Any], municipality_id: Any) -> Any:
    """Cycles: every cycle for the secretariat and committee; for a department the cycles in
    which its units have evaluations; none for other roles."""
    municipality_id = getattr(municipality_id, "pk", municipality_id)
    cycles = cycles.filter(municipality_id=municipality_id)
    scope = _evaluation_scope(user, municipality_id)
    if scope is None:
        return cycles
    if not scope:
        return cycles.none()
    return cycles.filter(pk__in=Evaluation.objects.filter(unit_id__in=scope).values("cycle_id"))


def can_view_review(user: Any, review: Any) -> bool:
    municipality_id = review.cycle.municipality_id
    if can(user, "plans.view_cycle", municipality_id):
        return True
    return bool(review.is_published) and can(user, "plans.view", municipality_id)


def visible_reviews(user: Any, reviews: QuerySet[Any], municipality_id: Any) -> Any:
    """Reviews: the secretariat and committee see every one; other staff only those marked to
    be published (公表する). Unpublished 講評 and comments never reach anyone else."""
    municipality_id = getattr(municipality_id, "pk", municipality_id)
    reviews = reviews.filter(cycle__municipality_id=municipality_id)
    if can(user, "plans.view_cycle", municipality_id):
        return reviews
    if can(user, "plans.view", municipality_id):
        return reviews.filter(Q(is_published=True))
    return reviews.none()
