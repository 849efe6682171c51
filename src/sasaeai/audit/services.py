"""Writing the audit log. Call ``record`` inside the same transaction as the change."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models, transaction
from django.http import HttpRequest
from django.utils.translation import gettext_noop

from sasaeai.audit.models import Action, AuditEvent

MASKED = gettext_noop("（暗号化された値のため記録しません）")
Changes = dict[str, list[Any]]


class Masked:
    """An encrypted field's value: compared in memory, never written to the log."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Masked) and other.value == self.value

    def __hash__(self) -> int:
        return hash(self.value)


def _json_value(value: Any) -> Any:
    if isinstance(value, Masked):
        return MASKED if value.value else ""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple):
        return [_json_value(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _json_value(item) for key, item in value.items()}
    return str(value)


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The audit-relevant values of a model instance; encrypted fields are masked."""
    wanted = set(fields) if fields is not None else None
    values: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.name in {"created_at", "updated_at", "password", "last_login"}:
            continue
        if wanted is not None and field.name not in wanted:
            continue
        if getattr(field, "encrypted", False):
            values[field.name] = Masked(getattr(instance, field.attname))
            continue
        values[field.name] = _json_value(getattr(instance, field.attname))
    return values


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> Changes:
    """Fields whose value differs, as {field: [before, after]}."""
    return {
        key: [_json_value(before.get(key)), _json_value(after.get(key))]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    municipality: Any = None,
    changes: Changes | None = None,
    detail: str = "",
    actor_label: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    object_repr: str | None = None,
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Append one audit row. Must run inside the transaction of the change it records."""
    if action not in Action.values:
        raise ValueError(f"unknown audit action {action!r}")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must be called inside the transaction of the change")
    user = actor if getattr(actor, "pk", None) else None
    if municipality is None and obj is not None:
        municipality = getattr(obj, "municipality", None)
    return AuditEvent.objects.create(
        actor=user,
        actor_label=actor_label or (user.get_username() if user else str(actor or "system")),
        action=action,
        municipality=municipality,
        object_type=object_type or (obj._meta.label if obj is not None else ""),
        object_id=object_id or (str(obj.pk) if obj is not None else ""),
        object_repr=(object_repr or (str(obj) if obj is not None else ""))[:200],
        changes=_json_value(changes or {}),
        detail=detail[:500],
        ip_address=client_ip(request),
    )


@transaction.atomic
def record_access(
    *,
    actor: Any,
    obj: models.Model | None = None,
    export: bool = False,
    detail: str,
    request: HttpRequest | None = None,
    **kwargs: Any,
) -> AuditEvent:
    """Record that personal data was read or exported (for the roster and similar)."""
    return record(
        actor=actor,
        action=Action.EXPORT if export else Action.READ,
        obj=obj,
        detail=detail,
        request=request,
        **kwargs,
    )
