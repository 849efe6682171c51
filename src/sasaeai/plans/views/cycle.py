"""Staff pages of the yearly evaluation cycle (進捗調査) and the committee's review.

Secretariat: open a cycle, follow completion by department, approve or return, close.
Department ("my updates"): fill in and submit the evaluations of its own initiatives.
Committee: read the whole cycle, write 講評 per goal and comments on initiatives; the
secretariat records the city's response to each and writes the 総括 per goal.

Who may do what in which state is asked of ``plans/permissions.py`` (the policy): a page
answers 403 to a permission refusal and shows a state refusal (closed cycle, already
submitted …) as the service words it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sasaeai.accounts.decorators import requires, staff_municipality
from sasaeai.core.errors import DomainError
from sasaeai.core.wareki import format_fiscal_year
from sasaeai.plans import permissions
from sasaeai.plans import selectors_cycle as selectors
from sasaeai.plans.forms_cycle import (
    CycleCloseForm,
    CycleOpenForm,
    CycleReopenForm,
    EvaluationForm,
    PublishForm,
    ResponseForm,
    ReturnForm,
    ReviewCreateForm,
    ReviewForm,
    SummaryForm,
    VersionForm,
)
from sasaeai.plans.models import (
    Evaluation,
    EvaluationCycle,
    Goal,
    Initiative,
    Review,
    ReviewKind,
)
from sasaeai.plans.services import evaluations as evaluation_services
from sasaeai.plans.services import reviews as review_services
from sasaeai.plans.services.evaluations import StaleEdit

# the evaluation page holds several forms with a "version" field: keep their ids apart
RETURN_ID = "return_%s"
APPROVE_ID = "approve_%s"


def _posted(request: HttpRequest) -> Any:
    """The POST data on a POST (even an empty one, so a form still reports what is missing)."""
    return request.POST if request.method == "POST" else None


def _cycle(request: HttpRequest, cycle_id: int) -> EvaluationCycle:
    cycle = selectors.cycle_of(staff_municipality(request), cycle_id)
    if cycle is None:
        raise Http404
    return cycle


def _evaluation(request: HttpRequest, evaluation_id: int) -> Evaluation:
    evaluation = selectors.evaluation_of(staff_municipality(request), evaluation_id)
    if evaluation is None:
        raise Http404
    if not permissions.can_view_evaluation(request.user, evaluation):
        raise PermissionDenied
    return evaluation


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


def _next_or(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


# --- secretariat and committee: cycles ---------------------------------------------------


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
    form = CycleOpenForm(_posted(request), municipality=municipality)
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
    cycle = _cycle(request, cycle_id)
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
    cycle = _cycle(request, cycle_id)
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
    cycle = _cycle(request, cycle_id)
    unapproved = selectors.unapproved_evaluations(cycle, request.user)
    form = CycleCloseForm(_posted(request), unapproved=len(unapproved))
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
    cycle = _cycle(request, cycle_id)
    form = CycleReopenForm(_posted(request))
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


# --- departments: "my updates" and one evaluation ---------------------------------------


@requires(permissions.can, "plans.evaluate")
def evaluation_mine(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "plans/evaluation_mine.html",
        {"groups": selectors.department_evaluations(request.user, staff_municipality(request))},
    )


def _evaluation_form(evaluation: Evaluation, data: Any = None) -> EvaluationForm:
    return EvaluationForm(
        data,
        plan=evaluation.cycle.plan,
        initial={
            "results": evaluation.results,
            "grade": evaluation.grade,
            "issues": evaluation.issues,
            "direction": evaluation.direction,
            "version": evaluation.version,
        },
    )


def _detail(
    request: HttpRequest,
    evaluation: Evaluation,
    *,
    form: EvaluationForm | None = None,
    return_form: ReturnForm | None = None,
    conflict: Evaluation | None = None,
) -> HttpResponse:
    user = request.user
    can_view_cycle = permissions.can(user, "plans.view_cycle", evaluation.cycle.municipality_id)
    return render(
        request,
        "plans/evaluation_detail.html",
        {
            "evaluation": evaluation,
            "unit_name": evaluation.unit.name_in(evaluation.cycle.fiscal_year)
            or evaluation.unit.current_name(),
            "previous": evaluation_services.previous_evaluation(evaluation),
            "history": selectors.evaluation_history(evaluation),
            "comments": selectors.initiative_comments(evaluation, user),
            "form": form or _evaluation_form(evaluation),
            "conflict": conflict,
            "can_edit": permissions.can_edit_evaluation(user, evaluation),
            "can_submit": permissions.can_submit(user, evaluation),
            "can_decide": permissions.can_approve(user, evaluation),
            "can_comment": permissions.can_review(user, evaluation.cycle),
            "can_view_cycle": can_view_cycle,
            "return_form": return_form
            or ReturnForm(initial={"version": evaluation.version}, auto_id=RETURN_ID),
            "version_form": VersionForm(
                initial={"version": evaluation.version}, auto_id=APPROVE_ID
            ),
        },
    )


@requires(permissions.can, "plans.view")
def evaluation_detail(request: HttpRequest, evaluation_id: int) -> HttpResponse:
    """Read an evaluation; POST saves it (``action=submit`` saves and submits, all or nothing)."""
    evaluation = _evaluation(request, evaluation_id)
    if request.method != "POST":
        return _detail(request, evaluation)
    if not permissions.may_fill_in(request.user, evaluation):
        raise PermissionDenied
    form = _evaluation_form(evaluation, request.POST)
    if not form.is_valid():
        return _detail(request, evaluation, form=form)
    submit = request.POST.get("action") == "submit"
    data = form.cleaned_data
    try:
        with transaction.atomic():
            saved = evaluation_services.evaluation_save(
                actor=request.user,
                evaluation=evaluation,
                expected_version=data["version"],
                results=data["results"],
                grade=data["grade"],
                issues=data["issues"],
                direction=data["direction"],
            )
            if submit:
                evaluation_services.evaluation_submit(
                    actor=request.user, evaluation=saved, expected_version=saved.version
                )
    except StaleEdit as error:
        latest = selectors.evaluation_of(staff_municipality(request), evaluation.pk)
        assert latest is not None
        # keep the user's text; the form now carries the latest version, so saving again is a
        # deliberate choice made after seeing what the other person saved
        fresh = request.POST.copy()
        fresh["version"] = str(latest.version)
        form = _evaluation_form(latest, fresh)
        form.is_valid()
        form.add_error(None, error.message)
        form.add_error(None, _kept_text_message())
        return _detail(request, latest, form=form, conflict=latest)
    except DomainError as error:
        form.add_error(None, error.message)
        return _detail(request, evaluation, form=form)
    messages.success(request, _("提出しました。") if submit else _("保存しました。"))
    return redirect("plans:evaluation_detail", evaluation_id=evaluation.pk)


def _version_action(request: HttpRequest, evaluation: Evaluation, action: Any, done: str) -> str:
    """Run a write that takes only the version; report the outcome as a message."""
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("画面の版の情報がありません。画面を読み込み直してください。"))
        return "error"
    try:
        action(
            actor=request.user,
            evaluation=evaluation,
            expected_version=form.cleaned_data["version"],
        )
    except DomainError as error:
        messages.error(request, error.message)
        return "error"
    messages.success(request, done)
    return "ok"


@requires(permissions.can, "plans.evaluate")
@require_POST
def evaluation_copy_forward(request: HttpRequest, evaluation_id: int) -> HttpResponse:
    evaluation = _evaluation(request, evaluation_id)
    if not permissions.may_fill_in(request.user, evaluation):
        raise PermissionDenied
    _version_action(
        request,
        evaluation,
        evaluation_services.evaluation_copy_forward,
        _("前年度の内容を引用しました。今年度に合わせて直してください。"),
    )
    return redirect("plans:evaluation_detail", evaluation_id=evaluation.pk)


@requires(permissions.can, "plans.manage")
@require_POST
def evaluation_approve(request: HttpRequest, evaluation_id: int) -> HttpResponse:
    evaluation = _evaluation(request, evaluation_id)
    _version_action(
        request,
        evaluation,
        evaluation_services.evaluation_approve,
        _("「{title}」の評価を承認しました。").format(title=evaluation.initiative.title),
    )
    fallback = reverse("plans:evaluation_detail", kwargs={"evaluation_id": evaluation.pk})
    return redirect(_next_or(request, fallback))


@requires(permissions.can, "plans.manage")
@require_POST
def evaluation_return(request: HttpRequest, evaluation_id: int) -> HttpResponse:
    evaluation = _evaluation(request, evaluation_id)
    form = ReturnForm(request.POST, auto_id=RETURN_ID)
    if form.is_valid():
        try:
            evaluation_services.evaluation_return(
                actor=request.user,
                evaluation=evaluation,
                expected_version=form.cleaned_data["version"],
                comment=form.cleaned_data["comment"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("差し戻しました。担当課の画面に理由が表示されます。"))
            return redirect("plans:evaluation_detail", evaluation_id=evaluation.pk)
    return _detail(request, evaluation, return_form=form)


# --- the committee's review, the city's response and the 総括 ----------------------------


@requires(permissions.can, "plans.view_cycle")
def review_list(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = _cycle(request, cycle_id)
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
    form = ReviewCreateForm(_posted(request))
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
    cycle = _cycle(request, cycle_id)
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
    cycle = _cycle(request, cycle_id)
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


def _kept_text_message() -> str:
    return _(
        "あなたの入力は下の欄に残しています。最新の保存内容と見比べ、"
        "必要なら直してから、もう一度保存してください。"
    )


def _after_conflict(form_class: Any, request: HttpRequest, error: StaleEdit, version: int) -> Any:
    """The user's form again, now carrying the latest version, with the conflict explained."""
    fresh = request.POST.copy()
    fresh["version"] = str(version)
    form = form_class(fresh)
    form.is_valid()
    form.add_error(None, error.message)
    form.add_error(None, _kept_text_message())
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
    form = ReviewForm(_posted(request), initial={"body": review.body, "version": review.version})
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
        _posted(request),
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
    form = PublishForm(request.POST)
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
    cycle = _cycle(request, cycle_id)
    goal = selectors.goal_in_cycle(cycle, goal_id)
    if goal is None:
        raise Http404
    cells = _summary_cells(cycle, goal, request.user)
    headings = list(cycle.plan.summary_headings)
    initial: dict[str, Any] = {}
    for index, cell in enumerate(cells):
        initial[f"body_{index}"] = cell.body
        initial[f"version_{index}"] = cell.version
    form = SummaryForm(_posted(request), headings=headings, initial=initial)
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
            form.add_error(None, _kept_text_message())
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
    path("cycles/", cycle_list, name="cycle_list"),
    path("cycles/open/", cycle_open, name="cycle_open"),
    path("cycles/<int:cycle_id>/", cycle_dashboard, name="cycle_dashboard"),
    path("cycles/<int:cycle_id>/evaluations/", cycle_evaluations, name="cycle_evaluations"),
    path("cycles/<int:cycle_id>/close/", cycle_close, name="cycle_close"),
    path("cycles/<int:cycle_id>/reopen/", cycle_reopen, name="cycle_reopen"),
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
    path("evaluations/mine/", evaluation_mine, name="evaluation_mine"),
    path("evaluations/<int:evaluation_id>/", evaluation_detail, name="evaluation_detail"),
    path(
        "evaluations/<int:evaluation_id>/copy-forward/",
        evaluation_copy_forward,
        name="evaluation_copy_forward",
    ),
    path("evaluations/<int:evaluation_id>/approve/", evaluation_approve, name="evaluation_approve"),
    path("evaluations/<int:evaluation_id>/return/", evaluation_return, name="evaluation_return"),
]
