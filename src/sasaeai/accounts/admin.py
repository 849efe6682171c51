from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from sasaeai.accounts.models import (
    District,
    Membership,
    Municipality,
    OrganisationUnit,
    Town,
    UnitName,
    User,
)
from sasaeai.core.admin_site import AuditedModelAdmin


@admin.register(Municipality)
class MunicipalityAdmin(AuditedModelAdmin):
    list_display = ("code", "prefecture", "name", "is_demo")
    search_fields = ("code", "name")


class TownInline(admin.TabularInline):
    model = Town
    extra = 0
    fields = ("name", "reading", "town_id", "is_demo")


@admin.register(District)
class DistrictAdmin(AuditedModelAdmin):
    list_display = ("name", "municipality", "order", "is_demo")
    list_filter = ("municipality",)


@admin.register(Town)
class TownAdmin(AuditedModelAdmin):
    list_display = ("name", "district", "municipality", "is_demo")
    list_filter = ("municipality", "district")
    search_fields = ("name", "reading")


class UnitNameInline(admin.TabularInline):
    model = UnitName
    extra = 0


@admin.register(OrganisationUnit)
class OrganisationUnitAdmin(AuditedModelAdmin):
    list_display = ("code", "__str__", "kind", "municipality", "valid_from_fy", "valid_to_fy")
    list_filter = ("municipality", "kind")
    search_fields = ("code", "names__name")
    inlines = [UnitNameInline]


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    fields = ("municipality", "unit", "role", "is_active")


@admin.register(User)
class SasaeaiUserAdmin(AuditedModelAdmin, UserAdmin):
    list_display = ("username", "display_name", "municipality", "is_active", "is_demo")
    list_filter = ("municipality", "is_active", "is_demo")
    fieldsets = (
        *UserAdmin.fieldsets,  # type: ignore[misc]
        (_("ささえあい"), {"fields": ("municipality", "display_name", "contact_phone", "is_demo")}),
    )
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(AuditedModelAdmin):
    list_display = ("user", "unit", "role", "municipality", "is_active")
    list_filter = ("municipality", "role", "is_active")
