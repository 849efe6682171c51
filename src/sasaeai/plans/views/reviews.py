"""Staff pages of the committee's review (講評 per goal, comments on initiatives), the city's
response to each (市の対応), publishing them, and the secretariat's 総括 per goal.

Who may do what in which state is asked of ``plans/permissions.py`` (the policy): a page
answers 403 to a permission refusal and shows a state refusal (closed cycle …) as the
service words it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sasaeai.accounts.decorators import requires, staff_municipality
from sasaeai.core.errors import DomainError, StaleEdit
from sasaeai.plans import permissions
from sasaeai.plans.forms import (
    ResponseForm,
    ReviewCreateForm,
    ReviewForm,
    ReviewPublishForm,
    SummaryForm,
)
from sasaeai.plans.models import EvaluationCycle, Goal, Initiative, Review, ReviewKind
from sasaeai.plans.selectors import cycle as selectors
from sasaeai.plans.services import reviews as review_services
from sasaeai.plans.views.cycles import cycle_or_404, posted
from sasaeai.plans.views.evaluations import kept_text_message


def _deny_unless_permitted(refusal: permissions.Refusal | None) -> None:
    """403 when the policy says the user may never do this to the object; a refusal for the
    object's state is left to the service, which words it for the page."""
    if refusal is not None and refusal.permission:
        raise PermissionDenied


def _review(request: HttpRequest, review_id: int) -> Review:
    review = selectors.review_of(staff_municipality(request), review_id, request.user)
    if review is None:
        raise Http404
    return review


@requires(permissions.can, "plans.view_cycle")
def review_list(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = cycle_or_404(request, cycle_id)
    user = request.user
    return render(
        request,
        "plans/review_list.html",
        {
            "cycle": cycle,
            "board": selectors.review_board(cycle, user),
            "can_review": permissions.can_review(user, cycle),
            "can_manage": permissions.can_write_summary(user, cycle),
        },
    )


def _review_form_page(
    request: HttpRequest,
    *,
    cycle: EvaluationCycle,
    form: ReviewCreateForm,
    title: str,
    target: str,
    review: Review | None = None,
    conflict: Review | None = None,
) -> HttpResponse:
    return render(
        request,
        "plans/review_form.html",
        {
            "cycle": cycle,
            "form": form,
            "title": title,
            "target": target,
            "review": review,
            "conflict": conflict,
        },
    )


def _create_review(
    request: HttpRequest,
    cycle: EvaluationCycle,
    *,
    kind: str,
    goal: Goal | None,
    initiative: Initiative | None,
    title: str,
    target: str,
) -> HttpResponse:
    form = ReviewCreateForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            review_services.review_create(
                actor=request.user,
                cycle=cycle,
                kind=kind,
                goal=goal,
                initiative=initiative,
                body=form.cleaned_data["body"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("保存しました。"))
            return redirect("plans:review_list", cycle_id=cycle.pk)
    return _review_form_page(request, cycle=cycle, form=form, title=title, target=target)


@requires(permissions.can, "plans.review")
def review_goal_new(request: HttpRequest, cycle_id: int, goal_id: int) -> HttpResponse:
    cycle = cycle_or_404(request, cycle_id)
    goal = selectors.goal_in_cycle(cycle, goal_id)
    if goal is None:
        raise Http404
    return _create_review(
        request,
        cycle,
        kind=ReviewKind.GOAL_REVIEW,
        goal=goal,
        initiative=None,
        title=_("講評を書く"),
        target=_("基本目標{number} {name}").format(number=goal.number, name=goal.name),
    )


@requires(permissions.can, "plans.review")
def review_comment_new(request: HttpRequest, cycle_id: int, initiative_id: int) -> HttpResponse:
    cycle = cycle_or_404(request, cycle_id)
    initiative = selectors.initiative_in_cycle(cycle, initiative_id)
    if initiative is None:
        raise Http404
    return _create_review(
        request,
        cycle,
        kind=ReviewKind.INITIATIVE_COMMENT,
        goal=None,
        initiative=initiative,
        title=_("取組にコメントする"),
        target=_("取組{number} {title}").format(number=initiative.number, title=initiative.title),
    )


def _after_conflict(form_class: Any, request: HttpRequest, error: StaleEdit, version: int) -> Any:
    """The user's form again, now carrying the latest version, with the conflict explained."""
    fresh = request.POST.copy()
    fresh["version"] = str(version)
    form = form_class(fresh)
    form.is_valid()
    form.add_error(None, error.message)
    form.add_error(None, kept_text_message())
    return form


def _review_target(review: Review) -> str:
    if review.goal is not None:
        return _("基本目標{number} {name}").format(number=review.goal.number, name=review.goal.name)
    if review.initiative is not None:
        return _("取組{number} {title}").format(
            number=review.initiative.number, title=review.initiative.title
        )
    return ""


@requires(permissions.can, "plans.review")
def review_update(request: HttpRequest, review_id: int) -> HttpResponse:
    review = _review(request, review_id)
    _deny_unless_permitted(permissions.review_update_refusal(request.user, review))
    form = ReviewForm(posted(request), initial={"body": review.body, "version": review.version})
    conflict: Review | None = None
    if request.method == "POST" and form.is_valid():
        try:
            review_services.review_update(
                actor=request.user,
                review=review,
                expected_version=form.cleaned_data["version"],
                body=form.cleaned_data["body"],
            )
        except StaleEdit as error:
            review = _review(request, review_id)
            conflict = review
            form = _after_conflict(ReviewForm, request, error, review.version)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("保存しました。"))
            return redirect("plans:review_list", cycle_id=review.cycle_id)
    return _review_form_page(
        request,
        cycle=review.cycle,
        form=form,
        title=_("講評・コメントを直す"),
        target=_review_target(review),
        review=review,
        conflict=conflict,
    )


@requires(permissions.can, "plans.manage")
def review_respond(request: HttpRequest, review_id: int) -> HttpResponse:
    review = _review(request, review_id)
    form = ResponseForm(
        posted(request),
        initial={"city_response": review.city_response, "version": review.version},
    )
    conflict: Review | None = None
    if request.method == "POST" and form.is_valid():
        try:
            review_services.review_respond(
                actor=request.user,
                review=review,
                expected_version=form.cleaned_data["version"],
                city_response=form.cleaned_data["city_response"],
            )
        except StaleEdit as error:
            review = _review(request, review_id)
            conflict = review
            form = _after_conflict(ResponseForm, request, error, review.version)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("市の対応を保存しました。"))
            return redirect("plans:review_list", cycle_id=review.cycle_id)
    return render(
        request,
        "plans/review_respond.html",
        {
            "review": review,
            "cycle": review.cycle,
            "form": form,
            "target": _review_target(review),
            "conflict": conflict,
        },
    )


@requires(permissions.can, "plans.manage")
@require_POST
def review_publish(request: HttpRequest, review_id: int) -> HttpResponse:
    review = _review(request, review_id)
    form = ReviewPublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("画面の版の情報がありません。画面を読み込み直してください。"))
    else:
        try:
            review_services.review_publish(
                actor=request.user,
                review=review,
                expected_version=form.cleaned_data["version"],
                is_published=form.cleaned_data["is_published"],
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("公表するに設定しました。")
                if form.cleaned_data["is_published"]
                else _("公表しないに設定しました。"),
            )
    return redirect("plans:review_list", cycle_id=review.cycle_id)


@requires(permissions.can, "plans.manage")
def summary_edit(request: HttpRequest, cycle_id: int, goal_id: int) -> HttpResponse:
    cycle = cycle_or_404(request, cycle_id)
    goal = selectors.goal_in_cycle(cycle, goal_id)
    if goal is None:
        raise Http404
    cells = _summary_cells(cycle, goal, request.user)
    headings = list(cycle.plan.summary_headings)
    initial: dict[str, Any] = {}
    for index, cell in enumerate(cells):
        initial[f"body_{index}"] = cell.body
        initial[f"version_{index}"] = cell.version
    form = SummaryForm(posted(request), headings=headings, initial=initial)
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            review_services.summaries_save(
                actor=request.user, cycle=cycle, goal=goal, entries=form.entries()
            )
        except StaleEdit as error:
            conflict = True
            cells = _summary_cells(cycle, goal, request.user)
            fresh = request.POST.copy()
            for index, cell in enumerate(cells):
                fresh[f"version_{index}"] = str(cell.version)
            form = SummaryForm(fresh, headings=headings, initial=initial)
            form.is_valid()
            form.add_error(None, error.message)
            form.add_error(None, kept_text_message())
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("総括を保存しました。"))
            return redirect("plans:review_list", cycle_id=cycle.pk)
    return render(
        request,
        "plans/review_summary.html",
        {
            "cycle": cycle,
            "goal": goal,
            "form": form,
            "rows": list(zip(form.pairs(), cells, strict=True)),
            "conflict": conflict,
        },
    )


def _summary_cells(cycle: EvaluationCycle, goal: Goal, user: Any) -> list[selectors.SummaryCell]:
    board = selectors.review_board(cycle, user)
    for node in board.goals:
        if node.goal.pk == goal.pk:
            return node.summaries
    raise Http404


urlpatterns = [
    path("cycles/<int:cycle_id>/reviews/", review_list, name="review_list"),
    path(
        "cycles/<int:cycle_id>/goals/<int:goal_id>/reviews/new/",
        review_goal_new,
        name="review_goal_new",
    ),
    path(
        "cycles/<int:cycle_id>/initiatives/<int:initiative_id>/comments/new/",
        review_comment_new,
        name="review_comment_new",
    ),
    path(
        "cycles/<int:cycle_id>/goals/<int:goal_id>/summary/",
        summary_edit,
        name="summary_edit",
    ),
    path("reviews/<int:review_id>/edit/", review_update, name="review_update"),
    path("reviews/<int:review_id>/respond/", review_respond, name="review_respond"),
    path("reviews/<int:review_id>/publish/", review_publish, name="review_publish"),
]
