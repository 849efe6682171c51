"""Who may do what with the plain-Japanese checker. Deny by default."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sasaeai.accounts.permissions import STAFF_ROLES, allowed
from sasaeai.accounts.roles import Role

RULES: Mapping[str, frozenset[str]] = {
    # Glossary, expressions, allowlist, rule settings, import and export.
    "plainlang.manage": frozenset({Role.SECRETARIAT, Role.SYSTEM_ADMIN}),
    # The「文章をチェック」page and the hints while typing.
    "plainlang.check": STAFF_ROLES,
}


def can(user: Any, action: str, municipality: Any = None) -> bool:
    return allowed(RULES, user, action, municipality)
