"""The report's files: rendering, the stored files of published reports, and the
secretariat's builds (with progress) of any cycle.

The stored public files (:class:`ReportFile`) are a cache of what a published cycle renders to:
they are built on first download and are not audited (nothing changes but the cache);
publishing and unpublishing delete them. Only a published cycle's public document is ever
stored; a 案 is refused. A build is audited when it starts.
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
from sasaeai.core.errors import DomainError, PermissionRefused
from sasaeai.plans.models import CycleStatus, EvaluationCycle
from sasaeai.publication import permissions
from sasaeai.publication.models import BuildState, ReportBuild, ReportFile, ReportFormat
from sasaeai.publication.render import RenderedFile, render
from sasaeai.publication.selectors.published import build_document
from sasaeai.publication.services.base import check_format, format_label, year_label

logger = logging.getLogger(__name__)

#: Builds older than this are deleted when a new build starts.
BUILD_RETENTION = dt.timedelta(days=1)
#: A build still running after this long was cut off (a restart): the page says so.
BUILD_STALLED_AFTER = dt.timedelta(minutes=15)

Progress = Callable[[int, str], None]


def _render(
    cycle: EvaluationCycle, fmt: str, progress: Progress | None = None, *, public: bool = False
) -> RenderedFile:
    """Build the document and render it; ``progress(percent, step)`` hears about each step.

    ``public``: the file is for the public (stored as a :class:`ReportFile`) — a 案 is refused.
    """
    report = progress or _ignore
    report(5, _("データを集めています"))
    document = build_document(cycle, include_unpublished=False)
    if public and document.is_draft:
        raise DomainError(
            code="not_published",
            message=_("{year}の報告書は公表していません。").format(year=year_label(cycle)),
        )
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
    check_format(fmt)
    if cycle.status != CycleStatus.PUBLISHED:
        raise DomainError(
            code="not_published",
            message=_("{year}の報告書は公表していません。").format(year=year_label(cycle)),
        )
    with _file_lock(cycle.pk, fmt):
        found = ReportFile.objects.filter(cycle=cycle, format=fmt).first()
        if found is not None and found.source_published_at == cycle.published_at:
            return found
        rendered = _render(cycle, fmt, progress, public=True)
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


def prebuild_after_commit(cycle_id: int) -> None:
    """After publishing: store every format in the background once the transaction commits."""
    if not _build_sync():
        transaction.on_commit(lambda: _in_background(_prebuild, cycle_id))


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
    check_format(fmt)
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
                year=year_label(cycle),
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
