"""Entering outcome indicator values per 年度 (secretariat), audited."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from sasaeai.audit import services as audit
from sasaeai.audit.models import Action
from sasaeai.core.errors import DomainError, PermissionRefused
from sasaeai.core.wareki import format_fiscal_year
from sasaeai.plans import permissions
from sasaeai.plans.models import Indicator, IndicatorValue


def parse_number(text: str) -> Decimal:
    """A number as people type it: full-width digits, commas, a trailing % or unit are fine."""
    import unicodedata

    cleaned = unicodedata.normalize("NFKC", text).strip().replace(",", "").rstrip("%％ ")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise DomainError(
            code="not_a_number",
            message=_("「{text}」は数値として読み取れません。").format(text=text),
        ) from None
    if not value.is_finite():
        raise DomainError(code="not_a_number", message=_("数値を入力してください。"))
    return value


@transaction.atomic
def indicator_value_set(
    *, actor: Any, indicator: Indicator, fiscal_year: int, value: Decimal | None, note: str = ""
) -> IndicatorValue | None:
    """Set (or with ``value=None`` remove) the actual value of a 年度."""
    plan = indicator.plan
    if not permissions.can(actor, "plans.manage", plan.municipality_id):
        raise PermissionRefused(_("成果指標の実績を入力する権限がありません。"))
    if not plan.start_fy - 5 <= fiscal_year <= plan.end_fy:
        raise DomainError(
            code="outside_plan",
            message=_("{year}は計画の期間外です。").format(year=format_fiscal_year(fiscal_year)),
        )
    existing = IndicatorValue.objects.filter(indicator=indicator, fiscal_year=fiscal_year).first()
    if value is None:
        if existing is not None:
            audit.record(
                actor=actor,
                action=Action.DELETE,
                obj=existing,
                municipality=plan.municipality,
                changes=audit.diff(audit.snapshot(existing), {}),
            )
            existing.delete()
        return None
    before = audit.snapshot(existing) if existing else {}
    row = existing or IndicatorValue(indicator=indicator, fiscal_year=fiscal_year)
    row.value, row.note = value, note.strip()
    after = audit.snapshot(row)
    if existing is not None and before == after:
        return row
    row.save()
    audit.record(
        actor=actor,
        action=Action.UPDATE if existing else Action.CREATE,
        obj=row,
        municipality=plan.municipality,
        changes=audit.diff(before, audit.snapshot(row)),
        object_repr=f"{indicator} {format_fiscal_year(fiscal_year)}",
    )
    return row
