"""The plain-Japanese checker's permission policy. Deny by default.

- may this user do this action: ``can`` with the ``RULES`` table — the settings (glossary,
  expressions, allowlist, rules, import and export) for the secretariat and system
  administrators, the 「文章をチェック」page for every staff role;
- which settings rows may they see: ``visible_settings`` — their municipality's, for the
  holders of ``plainlang.manage`` only;
- the check API (``POST /api/v1/plainlang/check``) is public: it shows a municipality's
  glossary and expressions only as the findings of a text (``config_for``), as the public
  pages' wording does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet

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


def visible_settings(user: Any, rows: QuerySet[Any], municipality: Any) -> QuerySet[Any]:
    """Rows of a settings model (``GlossaryTerm``, ``PreferredExpression``, ``AllowedWord``,
    ``CheckSettings``) of ``municipality`` the user may see and change on the settings pages."""
    if not can(user, "plainlang.manage", municipality):
        return rows.none()
    return rows.filter(municipality_id=getattr(municipality, "pk", municipality))
