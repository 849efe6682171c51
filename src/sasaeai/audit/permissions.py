"""Who may read the audit log. Nobody may change it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sasaeai.accounts.permissions import allowed
from sasaeai.accounts.roles import Role

RULES: Mapping[str, frozenset[str]] = {
    "audit.view": frozenset({Role.SECRETARIAT, Role.SYSTEM_ADMIN}),
}


def can(user: Any, action: str, municipality: Any = None) -> bool:
    return allowed(RULES, user, action, municipality)
