"""Staff pages: the plans, the plan tree with roll-ups, and outcome indicators."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from sasaeai.accounts.decorators import requires, staff_municipality
from sasaeai.core.errors import DomainError
from sasaeai.core.forms import YearForm
from sasaeai.core.wareki import fiscal_year_of
from sasaeai.plans import permissions
from sasaeai.plans.forms import IndicatorValueForm
from sasaeai.plans.models import Indicator
from sasaeai.plans.selectors import tree as selectors
from sasaeai.plans.services.indicators import indicator_value_set, parse_number


@requires(permissions.can, "plans.view")
def plan_list(request: HttpRequest) -> HttpResponse:
    municipality = staff_municipality(request)
    return render(
        request,
        "plans/plan_list.html",
        {
            "plans": selectors.plans_of(municipality, request.user),
            "can_manage": permissions.can(request.user, "plans.manage"),
        },
    )


@requires(permissions.can, "plans.view")
def plan_tree(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = selectors.plan_of(staff_municipality(request), plan_id, request.user)
    if plan is None:
        raise Http404
    form = YearForm(request.GET or None)
    fiscal_year = min(max(fiscal_year_of(timezone.localdate()), plan.start_fy), plan.end_fy)
    if form.is_valid() and form.cleaned_data["fy"]:
        fiscal_year = form.cleaned_data["fy"]
    return render(
        request,
        "plans/plan_tree.html",
        {
            "form": form,
            "tree": selectors.plan_tree(plan, fiscal_year, request.user),
            "sees_every_evaluation": permissions.can(
                request.user, "plans.view_cycle", plan.municipality_id
            ),
            "years": range(plan.start_fy, plan.end_fy + 1),
        },
    )


@requires(permissions.can, "plans.view")
def indicator_detail(request: HttpRequest, indicator_id: int) -> HttpResponse:
    indicator = get_object_or_404(
        Indicator.objects.select_related("plan", "goal"),
        pk=indicator_id,
        plan__municipality=staff_municipality(request),
    )
    can_manage = permissions.can(request.user, "plans.manage")
    form = IndicatorValueForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                raw = form.cleaned_data["value"].strip()
                indicator_value_set(
                    actor=request.user,
                    indicator=indicator,
                    fiscal_year=form.cleaned_data["fiscal_year"],
                    value=parse_number(raw) if raw else None,
                    note=form.cleaned_data["note"],
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("成果指標の実績を保存しました。"))
                return redirect("plans:indicator_detail", indicator_id=indicator.pk)
    rows = selectors.indicator_rows(indicator.plan, indicator.plan.end_fy)
    row = next(r for r in rows[indicator.goal_id] if r.indicator.pk == indicator.pk)
    return render(
        request,
        "plans/indicator_detail.html",
        {"row": row, "form": form, "can_manage": can_manage, "plan": indicator.plan},
    )


urlpatterns = [
    path("", plan_list, name="plan_list"),
    path("<int:plan_id>/", plan_tree, name="plan_tree"),
    path("indicators/<int:indicator_id>/", indicator_detail, name="indicator_detail"),
]
