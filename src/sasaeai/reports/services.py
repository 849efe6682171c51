"""Writes of the annual report: kept terms (用語解説), publishing a cycle through the gate,
the stored files of published reports, and the secretariat's report builds.

Every staff write checks the actor's permission, runs in one transaction and leaves an audit
row in it. The stored public files (:class:`ReportFile`) are a cache of what a published cycle
renders to: they are built on first download and are not audited (nothing changes but the
cache); publishing and unpublishing delete them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sasaeai.audit import services as audit
from sasaeai.audit.models import Action
from sasaeai.core.errors import DomainError, ErrorLocation, PermissionRefused
from sasaeai.core.wareki import format_fiscal_year
from sasaeai.plans.models import CycleStatus, EvaluationCycle
from sasaeai.reports import gate, permissions
from sasaeai.reports.models import BuildState, KeptTerm, ReportBuild, ReportFile, ReportFormat
from sasaeai.reports.render import RenderedFile, render

logger = logging.getLogger(__name__)

#: Builds older than this are deleted when a new build starts.
BUILD_RETENTION = dt.timedelta(days=1)
#: A build still running after this long was cut off (a restart): the page says so.
BUILD_STALLED_AFTER = dt.timedelta(minutes=15)
TERM_MAX_LENGTH = KeptTerm._meta.get_field("term").max_length or 100
EXPLANATION_MAX_LENGTH = 2000
NOTE_MAX_LENGTH = 400


def _check_length(value: str, limit: int, *, code: str, field: str) -> None:
    """Refuse ``value`` longer than ``limit`` characters; ``field`` is its name on screen."""
    if len(value) > limit:
        raise DomainError(
            code=code,
            message=_("{field}は{limit}文字以内にしてください（いま{count}文字）。").format(
                field=field, limit=limit, count=len(value)
            ),
            location=ErrorLocation(field=field),
        )


def _require(actor: Any, action: str, municipality_id: int) -> None:
    if not permissions.can(actor, action, municipality_id):
        raise PermissionRefused()


def _year(cycle: EvaluationCycle) -> str:
    return format_fiscal_year(cycle.fiscal_year)


def format_label(fmt: str) -> str:
    return str(ReportFormat(fmt).label)


def _check_format(fmt: str) -> str:
    if fmt not in ReportFormat.values:
        raise DomainError(
            code="unknown_format",
            message=_("形式「{fmt}」には対応していません。{choices} のどれかです。").format(
                fmt=fmt, choices=_("・").join(ReportFormat.values)
            ),
        )
    return fmt


# --- 用語解説: kept terms -------------------------------------------------------------------


@transaction.atomic
def kept_term_save(*, actor: Any, municipality: Any, term: str, explanation: str) -> KeptTerm:
    """Keep ``term`` with ``explanation`` (create, or change the explanation of a kept term).

    The term is normalised (NFKC, surrounding blanks removed). The gate no longer reports it
    and every report that uses it explains it in 用語解説.
    """
    municipality_id = getattr(municipality, "pk", municipality)
    _require(actor, "reports.keep_terms", municipality_id)
    term = gate.normalise_term(term)
    explanation = (explanation or "").strip()
    if not term:
        raise DomainError(
            code="term_required",
            message=_("用語解説に加える語を入力してください。"),
            location=ErrorLocation(field=_("語")),
        )
    _check_length(term, TERM_MAX_LENGTH, code="term_too_long", field=_("語"))
    if not explanation:
        raise DomainError(
            code="explanation_required",
            message=_(
                "「{term}」の解説を入力してください。報告書の用語解説に載り、読む人の助けになります。"
            ).format(term=term),
            location=ErrorLocation(field=_("解説")),
        )
    _check_length(explanation, EXPLANATION_MAX_LENGTH, code="explanation_too_long", field=_("解説"))
    kept_by = actor if getattr(actor, "pk", None) else None
    existing = (
        KeptTerm.objects.select_for_update()
        .filter(municipality_id=municipality_id, term=term)
        .first()
    )
    if existing is not None:
        if existing.explanation == explanation:
            return existing
        before = audit.snapshot(existing)
        existing.explanation = explanation
        existing.kept_by = kept_by
        existing.save(update_fields=["explanation", "kept_by", "updated_at"])
        audit.record(
            actor=actor,
            action=Action.UPDATE,
            obj=existing,
            changes=audit.diff(before, audit.snapshot(existing)),
            detail=_("用語解説の解説を変更"),
        )
        return existing
    try:
        with transaction.atomic():
            kept = KeptTerm.objects.create(
                municipality_id=municipality_id, term=term, explanation=explanation, kept_by=kept_by
            )
    except IntegrityError:
        raise DomainError(
            code="term_exists",
            message=_("「{term}」はほかの人が先に用語解説に加えました。").format(term=term),
        ) from None
    audit.record(
        actor=actor,
        action=Action.CREATE,
        obj=kept,
        changes=audit.diff({}, audit.snapshot(kept)),
        detail=_("わかりやすさチェックの指摘を残し、用語解説に加えた"),
    )
    return kept


@transaction.atomic
def kept_term_delete(*, actor: Any, kept_term: KeptTerm) -> None:
    """Stop keeping a term: the gate reports it again and reports no longer explain it."""
    _require(actor, "reports.keep_terms", kept_term.municipality_id)
    audit.record(
        actor=actor,
        action=Action.DELETE,
        obj=kept_term,
        changes=audit.diff(audit.snapshot(kept_term), {}),
        detail=_("用語解説から削除"),
    )
    kept_term.delete()


# --- publishing ---------------------------------------------------------------------------


def cycle_gate(cycle: EvaluationCycle) -> gate.GateResult:
    """The gate over the report as it will be published (published reviews only)."""
    from sasaeai.reports.selectors import build_document

    document = build_document(cycle, include_unpublished=False)
    return gate.gate_check(document, gate.gate_checker(cycle.municipality_id))


def _locked_cycle(cycle: EvaluationCycle) -> EvaluationCycle:
    return (
        EvaluationCycle.objects.select_for_update(of=("self",))
        .select_related("plan__municipality", "municipality")
        .get(pk=cycle.pk)
    )


@transaction.atomic
def cycle_publish(
    *,
    actor: Any,
    cycle: EvaluationCycle,
    confirm_open_errors: bool = False,
    confirmation_note: str = "",
) -> EvaluationCycle:
    """Publish a closed cycle's report after the plain-language gate.

    Error-level findings block publishing unless the secretariat confirms them
    (``confirm_open_errors``) and says why (``confirmation_note``); the audit row records the
    confirmation, the number of open errors and the note. Stored files of the cycle are
    deleted, so downloads are built from the published state.
    """
    _require(actor, "reports.publish", cycle.municipality_id)
    current = _locked_cycle(cycle)
    year = _year(current)
    if current.status == CycleStatus.OPEN:
        raise DomainError(
            code="cycle_open",
            message=_(
                "{year}の進捗調査はまだ受付中です。先に進捗調査を締め切ってから公表してください。"
            ).format(year=year),
        )
    if current.status == CycleStatus.PUBLISHED:
        raise DomainError(
            code="already_published",
            message=_("{year}の報告書はすでに公表しています。").format(year=year),
        )
    result = cycle_gate(current)
    open_errors = result.open_errors
    note = (confirmation_note or "").strip()
    if open_errors and not confirm_open_errors:
        raise DomainError(
            code="plainlang_errors_open",
            message=_(
                "わかりやすさチェックのエラーが {count} 件残っています。文章を直すか、残す語を"
                "用語解説に加えてください。エラーが残ったまま公表するときは、そのことを確認した"
                "うえで理由を書いてください。"
            ).format(count=open_errors),
        )
    if open_errors and not note:
        raise DomainError(
            code="confirmation_note_required",
            message=_(
                "エラーが {count} 件残ったまま公表する理由を「確認のメモ」に書いてください。"
            ).format(count=open_errors),
            location=ErrorLocation(field=_("確認のメモ")),
        )
    _check_length(note, NOTE_MAX_LENGTH, code="note_too_long", field=_("確認のメモ"))
    confirmed = bool(open_errors and confirm_open_errors)
    current.status = CycleStatus.PUBLISHED
    current.published_at = timezone.now()
    current.save(update_fields=["status", "published_at", "updated_at"])
    ReportFile.objects.filter(cycle=current).delete()
    if confirmed:
        detail = _(
            "報告書を公表（わかりやすさチェックのエラー {count} 件が残っていることを確認。"
            "メモ: {note}）"
        ).format(count=open_errors, note=note)
    else:
        detail = _("報告書を公表（わかりやすさチェックのエラーなし）")
    changes: dict[str, list[Any]] = {
        "status": [CycleStatus.CLOSED.value, CycleStatus.PUBLISHED.value],
        "published_at": [None, current.published_at],
        "plainlang_open_errors": [None, open_errors],
        "confirm_open_errors": [False, confirmed],
    }
    if note:
        changes["confirmation_note"] = ["", note]
    audit.record(
        actor=actor,
        action=Action.PUBLISH,
        obj=current,
        municipality=current.municipality,
        changes=changes,
        detail=detail,
    )
    cycle.status, cycle.published_at = current.status, current.published_at
    if not _build_sync():
        transaction.on_commit(lambda: _in_background(_prebuild, current.pk))
    return current


@transaction.atomic
def cycle_unpublish(*, actor: Any, cycle: EvaluationCycle, reason: str) -> EvaluationCycle:
    """Take a published report back (status 締切 again), e.g. to correct a mistake."""
    _require(actor, "reports.publish", cycle.municipality_id)
    reason = (reason or "").strip()
    current = _locked_cycle(cycle)
    if current.status != CycleStatus.PUBLISHED:
        raise DomainError(
            code="not_published",
            message=_("{year}の報告書は公表していません。").format(year=_year(current)),
        )
    if not reason:
        raise DomainError(
            code="reason_required",
            message=_("公表を取り消す理由を入力してください。監査ログに残ります。"),
            location=ErrorLocation(field=_("理由")),
        )
    _check_length(reason, NOTE_MAX_LENGTH, code="reason_too_long", field=_("理由"))
    published_at = current.published_at
    current.status = CycleStatus.CLOSED
    current.published_at = None
    current.save(update_fields=["status", "published_at", "updated_at"])
    ReportFile.objects.filter(cycle=current).delete()
    audit.record(
        actor=actor,
        action=Action.UPDATE,
        obj=current,
        municipality=current.municipality,
        changes={
            "status": [CycleStatus.PUBLISHED.value, CycleStatus.CLOSED.value],
            "published_at": [published_at, None],
        },
        detail=_("報告書の公表を取り消し（理由: {reason}）").format(reason=reason),
    )
    cycle.status, cycle.published_at = current.status, current.published_at
    return current


# --- rendering --------------------------------------------------------------------------

Progress = Callable[[int, str], None]


def _render(cycle: EvaluationCycle, fmt: str, progress: Progress | None = None) -> RenderedFile:
    """Build the document and render it; ``progress(percent, step)`` hears about each step."""
    from sasaeai.reports.selectors import build_document

    report = progress or _ignore
    report(5, _("データを集めています"))
    document = build_document(cycle, include_unpublished=False)
    report(15, _STEPS[fmt]())

    def on_render(percent: int, step: str) -> None:
        # the renderer's 0–100 becomes 15–95: collecting the data came first
        report(15 + round(max(0, min(percent, 100)) * 0.8), step or _STEPS[fmt]())

    return render(document, fmt, progress=on_render)


def _ignore(percent: int, step: str) -> None:
    return None


_STEPS: dict[str, Callable[[], str]] = {
    ReportFormat.HTML: lambda: _("HTMLを作っています"),
    ReportFormat.PDF: lambda: _("PDFを組版しています"),
    ReportFormat.XLSX: lambda: _("Excelの表を作っています"),
    ReportFormat.CSV: lambda: _("CSVの表を作っています"),
}


_file_locks: dict[tuple[int, str], threading.Lock] = {}
_file_locks_guard = threading.Lock()


def _file_lock(cycle_id: int, fmt: str) -> threading.Lock:
    with _file_locks_guard:
        return _file_locks.setdefault((cycle_id, fmt), threading.Lock())


def report_file_get_or_build(
    *, cycle: EvaluationCycle, fmt: str, progress: Progress | None = None
) -> ReportFile:
    """The stored file of a *published* cycle's report, built and stored on first request.

    Concurrent requests never store two rows: within a process they wait for one build; across
    processes the loser of the unique constraint takes the winner's row.
    """
    _check_format(fmt)
    if cycle.status != CycleStatus.PUBLISHED:
        raise DomainError(
            code="not_published",
            message=_("{year}の報告書は公表していません。").format(year=_year(cycle)),
        )
    with _file_lock(cycle.pk, fmt):
        found = ReportFile.objects.filter(cycle=cycle, format=fmt).first()
        if found is not None and found.source_published_at == cycle.published_at:
            return found
        rendered = _render(cycle, fmt, progress)
        content = bytes(rendered.content)
        try:
            with transaction.atomic():
                if found is not None:  # built from an earlier publication: replace it
                    ReportFile.objects.filter(pk=found.pk).delete()
                return ReportFile.objects.create(
                    cycle=cycle,
                    format=fmt,
                    filename=rendered.filename,
                    content_type=rendered.content_type,
                    content=content,
                    size=len(content),
                    sha256=hashlib.sha256(content).hexdigest(),
                    source_published_at=cycle.published_at,
                )
        except IntegrityError:
            return ReportFile.objects.get(cycle=cycle, format=fmt)


def _prebuild(cycle_id: int) -> None:
    """After publishing: store every format, so the first visitor does not wait."""
    for fmt in ReportFormat.values:
        cycle = EvaluationCycle.objects.select_related("plan__municipality").get(pk=cycle_id)
        if cycle.status != CycleStatus.PUBLISHED:
            return
        try:
            report_file_get_or_build(cycle=cycle, fmt=fmt)
        except Exception:  # a download builds it again; log and go on with the next format
            logger.exception("report prebuild failed: cycle %s, %s", cycle_id, fmt)


# --- the secretariat's builds -------------------------------------------------------------


def _build_sync() -> bool:
    return bool(getattr(settings, "REPORTS_BUILD_SYNC", False))


def _in_background(function: Callable[[int], None], object_id: int) -> None:
    def run() -> None:
        try:
            function(object_id)
        finally:
            connections.close_all()  # this thread's connections only

    threading.Thread(
        target=run, name=f"reports-{function.__name__}-{object_id}", daemon=True
    ).start()


def report_build_start(*, actor: Any, cycle: EvaluationCycle, fmt: str) -> ReportBuild:
    """Start building a report of ``cycle`` in ``fmt``; poll the returned build for progress.

    Runs in a background thread once the transaction commits, or at once when
    ``settings.REPORTS_BUILD_SYNC`` is true. A cycle that is not published gives a draft (案).
    """
    _check_format(fmt)
    with transaction.atomic():
        if not permissions.can_build(actor, cycle):
            raise PermissionRefused()
        ReportBuild.objects.filter(
            cycle__municipality_id=cycle.municipality_id,
            created_at__lt=timezone.now() - BUILD_RETENTION,
        ).delete()
        build = ReportBuild.objects.create(
            cycle=cycle,
            format=fmt,
            step=_("待機中"),
            requested_by=actor if getattr(actor, "pk", None) else None,
        )
        audit.record(
            actor=actor,
            action=Action.CREATE,
            obj=build,
            municipality=cycle.municipality,
            object_repr=f"{cycle} {fmt}",
            detail=_("報告書（{fmt}・{year}{draft}）の作成を開始").format(
                fmt=format_label(fmt),
                year=_year(cycle),
                draft="" if cycle.status == CycleStatus.PUBLISHED else _("・案"),
            ),
        )
        if not _build_sync():
            build_id = build.pk
            transaction.on_commit(lambda: _in_background(_run, build_id))
    if _build_sync():
        report_build_run(build_id=build.pk)
        build.refresh_from_db()
    return build


def _run(build_id: int) -> None:
    report_build_run(build_id=build_id)


def _set(build_id: int, **values: Any) -> None:
    ReportBuild.objects.filter(pk=build_id).update(updated_at=timezone.now(), **values)


def report_build_run(*, build_id: int) -> None:
    """Run a queued build: progress and step are saved as it goes; bytes or the error at the end.

    Never raises for a failed build: the error (in Japanese) is stored for the page.
    """
    build = ReportBuild.objects.select_related("cycle__plan__municipality").get(pk=build_id)
    if build.state != BuildState.QUEUED:
        return
    _set(build_id, state=BuildState.RUNNING, progress=1, step=_("始めています"))
    last: dict[str, Any] = {"percent": 1, "step": ""}

    def progress(percent: int, step: str) -> None:
        percent = max(last["percent"], min(percent, 99))
        if percent == last["percent"] and step == last["step"]:
            return
        last.update(percent=percent, step=step)
        _set(build_id, progress=percent, step=step[:200])

    try:
        cycle = build.cycle
        if cycle.status == CycleStatus.PUBLISHED:
            stored = report_file_get_or_build(cycle=cycle, fmt=build.format, progress=progress)
            filename, content_type = stored.filename, stored.content_type
            content = bytes(stored.content)
        else:
            rendered = _render(cycle, build.format, progress)
            filename, content_type = rendered.filename, rendered.content_type
            content = bytes(rendered.content)
        progress(99, _("保存しています"))
        _set(
            build_id,
            state=BuildState.DONE,
            progress=100,
            step=_("完了"),
            filename=filename[:200],
            content_type=content_type[:100],
            content=content,
            size=len(content),
        )
    except DomainError as error:
        _set(build_id, state=BuildState.FAILED, step=_("失敗"), error=error.message)
    except Exception:
        logger.exception("report build %s failed", build_id)
        _set(
            build_id,
            state=BuildState.FAILED,
            step=_("失敗"),
            error=_(
                "報告書を作れませんでした。時間をおいてもう一度作成してください。"
                "続くときはシステム管理者に連絡してください（作成番号 {id}）。"
            ).format(id=build_id),
        )


def build_is_stalled(build: ReportBuild) -> bool:
    """A build left running or queued by a stopped process: it will not finish."""
    if build.state not in {BuildState.QUEUED, BuildState.RUNNING}:
        return False
    return build.updated_at < timezone.now() - BUILD_STALLED_AFTER
