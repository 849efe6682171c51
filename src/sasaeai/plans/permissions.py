"""Who may do what with plans, cycles and evaluations. Deny by default."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet

from sasaeai.accounts.permissions import STAFF_ROLES, allowed
from sasaeai.accounts.roles import Role

RULES: Mapping[str, frozenset[str]] = {
    # see the plan structure, indicators and roll-ups on staff pages
    "plans.view": STAFF_ROLES,
    # import/export the plan workbook, open/close cycles, approve/return, responses, 総括
    "plans.manage": frozenset({Role.SECRETARIAT}),
    # fill in the evaluations of one's own department's initiatives
    "plans.evaluate": frozenset({Role.DEPARTMENT, Role.SECRETARIAT}),
    # see every evaluation of a cycle, drafts included
    "plans.view_cycle": frozenset({Role.SECRETARIAT, Role.COMMITTEE_MEMBER}),
    # write 講評 per goal and comments on initiatives
    "plans.review": frozenset({Role.COMMITTEE_MEMBER}),
}


def can(user: Any, action: str, municipality: Any = None) -> bool:
    return allowed(RULES, user, action, municipality)


def department_unit_ids(user: Any) -> set[int]:
    """Units in which the user holds the 担当課 role (active memberships)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return {m.unit_id for m in user.memberships.all() if m.is_active and m.role == Role.DEPARTMENT}


def can_edit_evaluation(user: Any, evaluation: Any) -> bool:
    """The secretariat edits any evaluation; a department only those of its own units."""
    municipality_id = evaluation.cycle.municipality_id
    if allowed(RULES, user, "plans.manage", municipality_id):
        return True
    if not allowed(RULES, user, "plans.evaluate", municipality_id):
        return False
    return evaluation.unit_id in department_unit_ids(user)


def _evaluation_scope(user: Any, municipality_id: Any) -> set[int] | None:
    """The units whose evaluations the user may see in a municipality: None for every unit
    (secretariat, committee), else the units where they hold 担当課 (empty for other roles)."""
    if allowed(RULES, user, "plans.view_cycle", municipality_id):
        return None
    if not allowed(RULES, user, "plans.evaluate", municipality_id):
        return set()
    return department_unit_ids(user)


def can_view_evaluation(user: Any, evaluation: Any) -> bool:
    """The secretariat and committee see every evaluation; a department only its own units'."""
    scope = _evaluation_scope(user, evaluation.cycle.municipality_id)
    return scope is None or evaluation.unit_id in scope


def visible_evaluations(user: Any, evaluations: QuerySet[Any], municipality_id: Any) -> Any:
    """The evaluations (a queryset of one municipality's) the user may see: the queryset form
    of ``can_view_evaluation``, for lists, the API and exports."""
    scope = _evaluation_scope(user, municipality_id)
    if scope is None:
        return evaluations
    return evaluations.filter(unit_id__in=scope) if scope else evaluations.none()
