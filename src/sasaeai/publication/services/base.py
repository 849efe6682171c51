"""What the publication services share: the permission check, length limits, format names."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from sasaeai.core.errors import DomainError, ErrorLocation, PermissionRefused
from sasaeai.core.wareki import format_fiscal_year
from sasaeai.plans.models import EvaluationCycle
from sasaeai.publication import permissions
from sasaeai.publication.models import ReportFormat


def check_length(value: str, limit: int, *, code: str, field: str) -> None:
    """Refuse ``value`` longer than ``limit`` characters; ``field`` is its name on screen."""
    if len(value) > limit:
        raise DomainError(
            code=code,
            message=_("{field}は{limit}文字以内にしてください（いま{count}文字）。").format(
                field=field, limit=limit, count=len(value)
            ),
            location=ErrorLocation(field=field),
        )


def require(actor: Any, action: str, municipality_id: int) -> None:
    if not permissions.can(actor, action, municipality_id):
        raise PermissionRefused()


def year_label(cycle: EvaluationCycle) -> str:
    return format_fiscal_year(cycle.fiscal_year)


def format_label(fmt: str) -> str:
    return str(ReportFormat(fmt).label)


def check_format(fmt: str) -> str:
    if fmt not in ReportFormat.values:
        raise DomainError(
            code="unknown_format",
            message=_("形式「{fmt}」には対応していません。{choices} のどれかです。").format(
                fmt=fmt, choices=_("・").join(ReportFormat.values)
            ),
        )
    return fmt
