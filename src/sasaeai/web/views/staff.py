"""Staff pages of the foundation: the dashboard, the organisation (and renaming a unit) and
the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from sasaeai.accounts import permissions as accounts_permissions
from sasaeai.accounts import selectors as accounts_selectors
from sasaeai.accounts import services as accounts_services
from sasaeai.accounts.decorators import requires, staff_municipality
from sasaeai.accounts.models import OrganisationUnit, unit_names_prefetch
from sasaeai.core.admin_site import is_operator
from sasaeai.core.errors import DomainError
from sasaeai.core.forms import YearForm
from sasaeai.core.wareki import fiscal_year_of
from sasaeai.plainlang import permissions as plainlang_permissions
from sasaeai.plans import permissions as plans_permissions
from sasaeai.web import selectors
from sasaeai.web.forms import AuditFilterForm, UnitRenameForm


def _dashboard_or_console(user: Any, action: str) -> bool:
    """The staff dashboard's rule; an operator without a municipality is let through to be
    sent on to the admin, their console."""
    return accounts_permissions.can(user, action) or (
        is_operator(user) and user.municipality_id is None
    )


@requires(_dashboard_or_console, "staff.dashboard")
def dashboard(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if is_operator(user) and user.municipality_id is None:
        return redirect("admin:index")
    municipality = staff_municipality(request)
    return render(
        request,
        "web/dashboard.html",
        {
            "municipality": municipality,
            "memberships": user.memberships.filter(is_active=True)
            .select_related("unit")
            .prefetch_related("unit__names"),
            "today_fy": fiscal_year_of(timezone.localdate()),
            "can_view_organisation": accounts_permissions.can(user, "organisation.view"),
            "can_view_plans": plans_permissions.can(user, "plans.view"),
            "can_manage_plans": plans_permissions.can(user, "plans.manage"),
            "can_evaluate": plans_permissions.can(user, "plans.evaluate"),
            "can_view_cycle": plans_permissions.can(user, "plans.view_cycle"),
            "can_manage_plainlang": plainlang_permissions.can(user, "plainlang.manage"),
            "can_view_audit": accounts_permissions.can(user, "audit.view"),
            "can_admin": is_operator(user),
        },
    )


@requires(accounts_permissions.can, "organisation.view")
def organisation(request: HttpRequest) -> HttpResponse:
    municipality = staff_municipality(request)
    form = YearForm(request.GET or None)
    fiscal_year = fiscal_year_of(timezone.localdate())
    if form.is_valid() and form.cleaned_data["fy"]:
        fiscal_year = form.cleaned_data["fy"]
    return render(
        request,
        "web/organisation.html",
        {
            "form": form,
            "fiscal_year": fiscal_year,
            "groups": accounts_selectors.units_by_kind(
                municipality=municipality, fiscal_year=fiscal_year, user=request.user
            ),
            "districts": accounts_selectors.districts_with_towns(municipality=municipality),
            "can_manage": accounts_permissions.can(request.user, "organisation.manage"),
        },
    )


@requires(accounts_permissions.can, "organisation.manage")
def unit_rename(request: HttpRequest, code: str) -> HttpResponse:
    municipality = staff_municipality(request)
    unit = get_object_or_404(
        accounts_permissions.visible_units(
            request.user, OrganisationUnit.objects.all(), municipality
        ).prefetch_related(unit_names_prefetch()),
        code=code,
    )
    form = UnitRenameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            accounts_services.unit_rename(
                actor=request.user,
                unit=unit,
                name=form.cleaned_data["name"],
                reading=form.cleaned_data["reading"],
                from_fy=form.cleaned_data["from_fy"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("組織の名称を変更しました。"))
            return redirect("web:organisation")
    return render(request, "web/unit_rename.html", {"form": form, "unit": unit})


@requires(accounts_permissions.can, "audit.view")
def audit_log(request: HttpRequest) -> HttpResponse:
    municipality = staff_municipality(request)
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = selectors.audit_events(municipality=municipality, filters=filters, user=request.user)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )
