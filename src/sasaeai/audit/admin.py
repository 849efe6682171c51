from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from sasaeai.audit.models import AuditEvent
from sasaeai.core.admin_site import is_system_admin


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log can be browsed here but never added to, changed or deleted."""

    list_display = ("at", "actor_label", "action", "object_type", "object_repr", "municipality")
    list_filter = ("action", "object_type")
    search_fields = ("actor_label", "object_repr", "object_id")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_system_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_system_admin(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
