"""Staff pages of one evaluation (評価): a department's "my updates" list, filling in and
submitting an evaluation, copying last year's forward, and the secretariat's approval or
return.

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
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sasaeai.accounts.decorators import requires, staff_municipality
from sasaeai.core.errors import DomainError, StaleEdit
from sasaeai.core.http import safe_next_url
from sasaeai.plans import permissions
from sasaeai.plans.forms import EvaluationForm, ReturnForm, VersionForm
from sasaeai.plans.models import Evaluation
from sasaeai.plans.selectors import cycle as selectors
from sasaeai.plans.services import evaluations as evaluation_services

# the evaluation page holds several forms with a "version" field: keep their ids apart
RETURN_ID = "return_%s"
APPROVE_ID = "approve_%s"


def _evaluation(request: HttpRequest, evaluation_id: int) -> Evaluation:
    evaluation = selectors.evaluation_of(staff_municipality(request), evaluation_id)
    if evaluation is None:
        raise Http404
    if not permissions.can_view_evaluation(request.user, evaluation):
        raise PermissionDenied
    return evaluation


def kept_text_message() -> str:
    """Said with an edit conflict: the user's text is kept in the form, next to the latest."""
    return _(
        "あなたの入力は下の欄に残しています。最新の保存内容と見比べ、"
        "必要なら直してから、もう一度保存してください。"
    )


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
        form.add_error(None, kept_text_message())
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
    return redirect(safe_next_url(request, fallback))


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


urlpatterns = [
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
