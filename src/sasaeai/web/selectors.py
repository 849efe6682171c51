"""Reads for the staff pages of the foundation; each runs a constant number of queries. Which
audit events a user may read is asked of the policy (``accounts.permissions.visible_events``)."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from sasaeai.accounts import permissions
from sasaeai.audit.models import AuditEvent


def audit_events(*, municipality: Any, filters: dict[str, Any], user: Any) -> QuerySet[AuditEvent]:
    events = permissions.visible_events(user, AuditEvent.objects.all(), municipality).order_by(
        "-at", "-id"
    )
    if filters.get("action"):
        events = events.filter(action=filters["action"])
    if filters.get("actor"):
        events = events.filter(actor_label__icontains=filters["actor"])
    if filters.get("object_type"):
        events = events.filter(object_type__icontains=filters["object_type"])
    if filters.get("object_id"):
        events = events.filter(object_id=filters["object_id"].strip())
    tz = timezone.get_current_timezone()
    if filters.get("date_from"):
        events = events.filter(at__gte=datetime.combine(filters["date_from"], time.min, tz))
    if filters.get("date_to"):
        events = events.filter(at__lte=datetime.combine(filters["date_to"], time.max, tz))
    return events
