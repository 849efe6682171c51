from django.contrib import admin

from sasaeai.audit.models import AuditEvent
from sasaeai.core.admin_site import ReadOnlyOperatorAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyOperatorAdmin):
    """Read-only: the audit log can be browsed here but never added to, changed or deleted."""

    list_display = ("at", "actor_label", "action", "object_type", "object_repr", "municipality")
    list_filter = ("action", "object_type", "municipality")
    search_fields = ("actor_label", "object_repr", "object_id")
