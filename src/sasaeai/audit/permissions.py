"""The audit log's permission policy. Nobody may change the log; who may read it:

- may this user do this action: ``can(user, "audit.view")`` — the secretariat and the
  system administrators of a municipality;
- which events may they see: ``visible_events`` — their own municipality's events only (a
  deployment's events without a municipality, such as a failed sign-in with an unknown user
  name, are for the operators' console).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet

from sasaeai.accounts.permissions import allowed
from sasaeai.accounts.roles import Role

RULES: Mapping[str, frozenset[str]] = {
    "audit.view": frozenset({Role.SECRETARIAT, Role.SYSTEM_ADMIN}),
}


def can(user: Any, action: str, municipality: Any = None) -> bool:
    return allowed(RULES, user, action, municipality)


def visible_events(user: Any, events: QuerySet[Any], municipality: Any) -> QuerySet[Any]:
    """The audit events the user may read: those of ``municipality`` for an ``audit.view``
    holder there; none for anyone else."""
    if not can(user, "audit.view", municipality):
        return events.none()
    return events.filter(municipality_id=getattr(municipality, "pk", municipality))
