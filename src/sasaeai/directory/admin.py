"""The directory in the Django admin (deployment operators, decision 0010): for corrections the
staff screens do not offer, such as taxonomy terms, languages, accessibility and raw HSDS rows.
Day-to-day editing is on the staff pages (/staff/directory/), which check who maintains what.

The forms refuse what ``services.py`` refuses: an organisation or a maintaining unit of another
municipality (``maintainer_refusal``), a service's own values such as an age range upside down
(``service_values_refusals``)."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext as _

from sasaeai.audit.admin_tools import AuditedModelAdmin
from sasaeai.directory import services
from sasaeai.directory.models import (
    Accessibility,
    Address,
    Attribute,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from sasaeai.directory.search import index_services


def _check_maintainer(form: forms.ModelForm, municipality: Any) -> None:
    maintainer = form.cleaned_data.get("maintainer")
    if municipality is None or maintainer is None:
        return
    refusal = services.maintainer_refusal(municipality, maintainer.pk)
    if refusal is not None:
        form.add_error("maintainer", refusal.message)


class OrganizationForm(forms.ModelForm):
    """A base the admin completes with the model's fields."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _check_maintainer(self, data.get("municipality"))
        return data


class ServiceForm(forms.ModelForm):
    """A base the admin completes with the model's fields."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        municipality = data.get("municipality")
        organization = data.get("organization")
        if (
            municipality is not None
            and organization is not None
            and organization.municipality_id != municipality.pk
        ):
            self.add_error("organization", _("同じ自治体の団体を選んでください。"))
        _check_maintainer(self, municipality)
        for refusal in services.service_values_refusals(
            services.ServiceInput(
                name=data.get("name") or "",
                minimum_age=data.get("minimum_age"),
                maximum_age=data.get("maximum_age"),
            )
        ):
            self.add_error(None, refusal.message)
        return data


@admin.register(Organization)
class OrganizationAdmin(AuditedModelAdmin):
    form = OrganizationForm
    list_display = ("name", "name_kana", "municipality", "maintainer", "source_kind", "is_demo")
    list_filter = ("municipality", "source_kind", "is_demo")
    search_fields = ("name", "name_kana")
    raw_id_fields = ("parent_organization", "maintainer")


class PhoneInline(admin.TabularInline):
    model = Phone
    fk_name = "service"
    extra = 0
    fields = ("number", "extension", "type", "description", "municipality")


class ScheduleInline(admin.TabularInline):
    model = Schedule
    fk_name = "service"
    extra = 0
    fields = (
        "freq",
        "byday",
        "bymonthday",
        "opens_at",
        "closes_at",
        "closed_on_holidays",
        "closed_year_end",
        "municipality",
    )


@admin.register(Service)
class ServiceAdmin(AuditedModelAdmin):
    form = ServiceForm
    list_display = ("name", "organization", "status", "assured_date", "maintainer", "is_demo")
    list_filter = ("municipality", "status", "source_kind", "is_demo")
    search_fields = ("name", "name_kana")
    raw_id_fields = ("organization", "maintainer")
    inlines = [PhoneInline, ScheduleInline]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        index_services(form.instance.municipality, [form.instance.pk])

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        municipality, pk = obj.municipality, obj.pk
        super().delete_model(request, obj)
        index_services(municipality, [pk])


class AddressInline(admin.StackedInline):
    model = Address
    extra = 0


@admin.register(Location)
class LocationAdmin(AuditedModelAdmin):
    list_display = ("name", "organization", "district", "town", "municipality")
    list_filter = ("municipality", "district")
    search_fields = ("name", "name_kana")
    raw_id_fields = ("organization", "district", "town")
    inlines = [AddressInline]


@admin.register(ServiceAtLocation)
class ServiceAtLocationAdmin(AuditedModelAdmin):
    list_display = ("service", "location", "municipality")
    raw_id_fields = ("service", "location")


@admin.register(Taxonomy)
class TaxonomyAdmin(AuditedModelAdmin):
    list_display = ("name", "municipality", "version")
    list_filter = ("municipality",)


@admin.register(TaxonomyTerm)
class TaxonomyTermAdmin(AuditedModelAdmin):
    list_display = ("name", "code", "taxonomy", "position")
    list_filter = ("taxonomy",)
    search_fields = ("name", "code")


@admin.register(Attribute)
class AttributeAdmin(AuditedModelAdmin):
    list_display = ("taxonomy_term", "link_entity", "link_id")
    list_filter = ("link_entity",)
    raw_id_fields = ("taxonomy_term",)


@admin.register(Accessibility)
class AccessibilityAdmin(AuditedModelAdmin):
    list_display = ("location", "description")
    raw_id_fields = ("location",)
