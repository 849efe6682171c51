"""Staff pages of the yearly evaluation cycle (進捗調査): the list of cycles, opening one,
the completion dashboard by department, the evaluations of a cycle, closing and reopening.

Who may do what in which state is asked of ``plans/permissions.py`` (the policy): a page
answers 403 to a permission refusal and shows a state refusal (closed cycle, already
submitted …) as the service words it. The evaluation pages are in ``evaluations.py``, the
committee's review and the 総括 in ``reviews.py``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from sasaeai.accounts.decorators import requires, staff_municipality
from sasaeai.core.errors import DomainError
from sasaeai.core.wareki import format_fiscal_year
from sasaeai.plans import permissions
from sasaeai.plans.forms import CycleCloseForm, CycleOpenForm, CycleReopenForm
from sasaeai.plans.models import EvaluationCycle
from sasaeai.plans.selectors import cycle as selectors
from sasaeai.plans.services import evaluations as evaluation_services


def posted(request: HttpRequest) -> Any:
    """The POST data on a POST (even an empty one, so a form still reports what is missing)."""
    return request.POST if request.method == "POST" else None


def cycle_or_404(request: HttpRequest, cycle_id: int) -> EvaluationCycle:
    """A cycle of the staff user's municipality (also for the review pages), else 404."""
    cycle = selectors.cycle_of(staff_municipality(request), cycle_id)
    if cycle is None:
        raise Http404
    return cycle


@requires(permissions.can, "plans.view_cycle")
def cycle_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "plans/cycle_list.html",
        {
            "rows": selectors.cycles_of(staff_municipality(request), request.user),
            "can_manage": permissions.can(request.user, "plans.manage"),
        },
    )


@requires(permissions.can, "plans.manage")
def cycle_open(request: HttpRequest) -> HttpResponse:
    municipality = staff_municipality(request)
    form = CycleOpenForm(posted(request), municipality=municipality)
    if request.method == "POST" and form.is_valid():
        try:
            cycle = evaluation_services.cycle_open(
                actor=request.user,
                plan=form.cleaned_data["plan"],
                fiscal_year=form.cleaned_data["fiscal_year"],
                deadline=form.cleaned_data["deadline"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("{year}の進捗調査を開始しました。").format(
                    year=format_fiscal_year(cycle.fiscal_year)
                ),
            )
            return redirect("plans:cycle_dashboard", cycle_id=cycle.pk)
    return render(request, "plans/cycle_open.html", {"form": form})


@requires(permissions.can, "plans.view_cycle")
def cycle_dashboard(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = cycle_or_404(request, cycle_id)
    return render(
        request,
        "plans/cycle_dashboard.html",
        {
            "dashboard": selectors.cycle_dashboard(cycle),
            "cycle": cycle,
            "can_manage": permissions.can(request.user, "plans.manage"),
            "can_close": permissions.can_close(request.user, cycle),
            "can_reopen": permissions.can_reopen(request.user, cycle),
        },
    )


@requires(permissions.can, "plans.view_cycle")
def cycle_evaluations(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = cycle_or_404(request, cycle_id)
    unit_id: int | None = None
    raw = request.GET.get("unit", "")
    if raw:
        if not raw.isdigit():
            raise Http404
        unit_id = int(raw)
    user = request.user
    rows = selectors.cycle_evaluations(cycle, user, unit_id)
    return render(
        request,
        "plans/cycle_evaluations.html",
        {
            "cycle": cycle,
            "rows": rows,
            "unit_name": rows[0].unit_name if unit_id is not None and rows else "",
            "unit_id": unit_id,
            "can_decide": permissions.can_decide_in(user, cycle),
            "approvable": {
                row.evaluation.pk for row in rows if permissions.can_approve(user, row.evaluation)
            },
        },
    )


@requires(permissions.can, "plans.manage")
def cycle_close(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = cycle_or_404(request, cycle_id)
    unapproved = selectors.unapproved_evaluations(cycle, request.user)
    form = CycleCloseForm(posted(request), unapproved=len(unapproved))
    if request.method == "POST" and form.is_valid():
        try:
            evaluation_services.cycle_close(
                actor=request.user,
                cycle=cycle,
                leave_unapproved=form.cleaned_data["leave_unapproved"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("{year}の進捗調査を締め切りました。以後は変更できません。").format(
                    year=format_fiscal_year(cycle.fiscal_year)
                ),
            )
            return redirect("plans:cycle_dashboard", cycle_id=cycle.pk)
    return render(
        request,
        "plans/cycle_close.html",
        {
            "form": form,
            "cycle": cycle,
            "dashboard": selectors.cycle_dashboard(cycle),
            "unapproved": unapproved,
            "can_close": permissions.can_close(request.user, cycle),
        },
    )


@requires(permissions.can, "plans.manage")
def cycle_reopen(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = cycle_or_404(request, cycle_id)
    form = CycleReopenForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            evaluation_services.cycle_reopen(
                actor=request.user, cycle=cycle, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _(
                    "{year}の進捗調査の受付を再開しました。直し終えたら、もう一度締め切ってください。"
                ).format(year=format_fiscal_year(cycle.fiscal_year)),
            )
            return redirect("plans:cycle_dashboard", cycle_id=cycle.pk)
    return render(request, "plans/cycle_reopen.html", {"form": form, "cycle": cycle})


urlpatterns = [
    path("cycles/", cycle_list, name="cycle_list"),
    path("cycles/open/", cycle_open, name="cycle_open"),
    path("cycles/<int:cycle_id>/", cycle_dashboard, name="cycle_dashboard"),
    path("cycles/<int:cycle_id>/evaluations/", cycle_evaluations, name="cycle_evaluations"),
    path("cycles/<int:cycle_id>/close/", cycle_close, name="cycle_close"),
    path("cycles/<int:cycle_id>/reopen/", cycle_reopen, name="cycle_reopen"),
]
