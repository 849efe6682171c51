"""Imports started from the staff screen: run in the background, with their progress.

    job = directory_import_start(actor=..., municipality=..., chunks=upload.chunks(),
                                 filename=..., kind="auto", retire_missing=False)
    apply = directory_import_apply_start(actor=..., preview=job)

The upload is stored as it arrives as a pending upload of the user who chose it
(``core.uploads``: ``VAR_DIR/uploads``, mode 0600, with its SHA-256, refused past its
format's size limit), and a job row (:class:`~sasaeai.directory.models.ImportJob`, whose
``file_token`` names the pending upload) is made; the request returns at once and the page
polls the job. The job runs in a thread started
once the transaction commits (or at once, in the request, when the setting
``DIRECTORY_IMPORT_SYNC`` is true: tests), and calls the same services as the command line
(``service.directory_import_preview`` / ``directory_import_apply``) on the stored file, read
as a stream. A preview is the real apply rolled back, and takes as long: both are jobs. The
apply job imports exactly the file previewed: the same stored file, refused if its SHA-256
no longer matches, by the user who previewed it, once — and exactly the changes previewed:
it passes the preview's fingerprint to the import, which compares it with its own change
list before committing and refuses, writing nothing, when the directory changed since.

Progress (rows read of the rows in the file, and the step) is written to a small file next
to the upload (the import's own transaction holds the database until it ends), whose age is
the job's heartbeat: a job that has given no sign for ``JOB_STALLED_AFTER`` (the process was
restarted) is shown as failed. A job that raises is marked failed with a Japanese message
naming it; the traceback goes to the log. A process runs one import at a time; the others
wait their turn (queued, with their heartbeat).

The screen refuses a file with more than ``WEB_ROW_LIMIT`` rows to import; the message gives
the command line, which has no limit.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import json
import logging
import os
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from django.conf import settings
from django.db import connections, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from sasaeai.accounts.models import Municipality
from sasaeai.audit import services as audit
from sasaeai.audit.models import Action
from sasaeai.core import uploads
from sasaeai.core.errors import DomainError, PermissionRefused
from sasaeai.core.models import PendingUpload
from sasaeai.directory import permissions
from sasaeai.directory.importing import service
from sasaeai.directory.importing.result import DirectoryImportResult
from sasaeai.directory.models import ImportJob, ImportJobMode, ImportJobState

logger = logging.getLogger(__name__)

#: Rows to import (an open-data CSV's rows of the municipality, an HSDS file's services)
#: the staff screen accepts; more are imported with ``sasaeai directory import``.
WEB_ROW_LIMIT: Final = 20_000
#: Changes (of each entity and action), errors and warnings kept with a job for its page.
RESULT_LIMIT: Final = 200
#: A running job with no sign of life for this long was cut off (a restart).
JOB_STALLED_AFTER: Final = dt.timedelta(minutes=5)
#: Jobs older than this are deleted when a new one starts; their files go sooner
#: (``core.uploads.RETENTION``).
JOB_RETENTION: Final = dt.timedelta(days=7)
PURPOSE: Final = "directory.import"
_ACTIVE: Final = (ImportJobState.QUEUED, ImportJobState.RUNNING)


def _sync() -> bool:
    return bool(getattr(settings, "DIRECTORY_IMPORT_SYNC", False))


# --- stored files ------------------------------------------------------------------------


def stored_path(token: str) -> Path:
    """Where the file of a job (its pending upload, ``file_token``) is kept."""
    return uploads.stored_path(token)


def _progress_path(job_id: uuid.UUID) -> Path:
    return uploads.uploads_dir() / f"directory-import-job-{job_id.hex}.progress"


def _upload_of(job: ImportJob) -> PendingUpload | None:
    try:
        return PendingUpload.objects.filter(pk=uuid.UUID(job.file_token), purpose=PURPOSE).first()
    except ValueError:
        return None


def _discard(job: ImportJob) -> None:
    upload = _upload_of(job)
    if upload is not None:
        uploads.upload_discard(upload=upload)


# --- starting jobs -----------------------------------------------------------------------


def _require_manager(actor: Any, municipality_id: int) -> None:
    if not permissions.can(actor, "directory.manage", municipality_id):
        raise PermissionRefused()


def directory_import_start(
    *,
    actor: Any,
    municipality: Municipality,
    chunks: Iterable[bytes],
    filename: str,
    kind: str = "auto",
    retire_missing: bool = False,
    request: HttpRequest | None = None,
) -> ImportJob:
    """Store an uploaded file and start previewing it; poll the returned job."""
    _require_manager(actor, municipality.pk)
    if kind not in service.KINDS:
        raise DomainError(code="unknown_kind", message=_("ファイルの種類を選び直してください。"))
    stream = iter(chunks)
    first = next(stream, b"")
    stored = uploads.upload_store(
        municipality=municipality,
        user=actor,
        purpose=PURPOSE,
        file_format=service.upload_format(first, filename),
        filename=filename,
        chunks=itertools.chain([first], stream),
    )
    name = stored.filename
    try:
        with transaction.atomic():
            ImportJob.objects.filter(
                municipality=municipality, created_at__lt=timezone.now() - JOB_RETENTION
            ).delete()
            job = ImportJob.objects.create(
                municipality=municipality,
                mode=ImportJobMode.PREVIEW,
                requested_by=actor,
                file_token=stored.pk.hex,
                sha256=stored.sha256,
                filename=name,
                size=stored.size,
                kind=kind,
                retire_missing=retire_missing,
                step=_("待機中"),
            )
            audit.record(
                actor=actor,
                action=Action.CREATE,
                obj=job,
                municipality=municipality,
                object_repr=name,
                detail=_(
                    "地域資源情報の取り込みの確認を開始（ファイル: {file}、SHA-256: {sha}、{size} バイト）"
                ).format(file=name or "-", sha=stored.sha256[:16], size=f"{stored.size:,}"),
                request=request,
            )
            _start_after_commit(job.pk)
    except BaseException:
        uploads.upload_discard(upload=stored)
        raise
    return _run_now_if_sync(job)


def directory_import_apply_start(
    *, actor: Any, preview: ImportJob, request: HttpRequest | None = None
) -> ImportJob:
    """Start importing the file ``preview`` checked: the same stored file (refused if its
    SHA-256 differs), by the user who previewed it, once; poll the returned job. The import
    itself refuses changes other than the ones the preview found (its fingerprint)."""
    _require_manager(actor, preview.municipality_id)
    with transaction.atomic():
        preview = ImportJob.objects.select_for_update().get(pk=preview.pk)
        if preview.requested_by_id != getattr(actor, "pk", None):
            raise DomainError(
                code="import_not_yours",
                message=_(
                    "この確認はほかの職員が始めたものです。取り込むには、ご自分でファイルを選んで確認してください。"
                ),
            )
        result = job_result(preview)
        if (
            preview.mode != ImportJobMode.PREVIEW
            or preview.state != ImportJobState.DONE
            or result is None
            or not (result.ok and result.has_changes)
        ):
            raise DomainError(
                code="import_not_ready",
                message=_("取り込めるのは、確認が終わって誤りがなく、変更のあるファイルだけです。"),
            )
        if preview.applies.exists():
            raise DomainError(
                code="import_already_applied",
                message=_("このファイルはもう取り込みを始めています。"),
            )
        running = ImportJob.objects.filter(
            municipality_id=preview.municipality_id, mode=ImportJobMode.APPLY, state__in=_ACTIVE
        )
        if any(not job_is_stalled(job) for job in running):
            raise DomainError(
                code="import_busy",
                message=_(
                    "ほかの取り込みが実行中です。終わってから、もう一度「取り込む」を押してください。"
                ),
            )
        upload = uploads.pending_upload(
            upload_id=preview.file_token,
            purpose=PURPOSE,
            municipality=preview.municipality,
            user=actor,
        )
        try:
            uploads.upload_path(upload)  # the stored file still has its SHA-256
        except uploads.UploadRefused:
            uploads.upload_discard(upload=upload)
            raise
        job = ImportJob.objects.create(
            municipality_id=preview.municipality_id,
            mode=ImportJobMode.APPLY,
            preview=preview,
            requested_by=actor,
            file_token=preview.file_token,
            sha256=preview.sha256,
            filename=preview.filename,
            size=preview.size,
            kind=preview.kind,
            retire_missing=preview.retire_missing,
            step=_("待機中"),
        )
        audit.record(
            actor=actor,
            action=Action.CREATE,
            obj=job,
            municipality=preview.municipality,
            object_repr=preview.filename,
            detail=_("地域資源情報の取り込みを開始（ファイル: {file}、SHA-256: {sha}）").format(
                file=preview.filename or "-", sha=preview.sha256[:16]
            ),
            request=request,
        )
        _start_after_commit(job.pk)
    return _run_now_if_sync(job)


def _start_after_commit(job_id: uuid.UUID) -> None:
    if not _sync():
        transaction.on_commit(lambda: _in_background(job_id))


def _run_now_if_sync(job: ImportJob) -> ImportJob:
    if _sync():
        directory_import_job_run(job_id=job.pk)
        job.refresh_from_db()
    return job


def _in_background(job_id: uuid.UUID) -> None:
    def run() -> None:
        try:
            directory_import_job_run(job_id=job_id)
        finally:
            connections.close_all()  # this thread's connections only

    threading.Thread(target=run, name=f"directory-import-{job_id}", daemon=True).start()


# --- running jobs ------------------------------------------------------------------------


class _Failed(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _Tracker:
    """Writes a running job's progress to its progress file (the import reports once a chunk
    of rows, about every second): the page reads it while the import's transaction is open."""

    def __init__(self, job_id: uuid.UUID) -> None:
        self.path = _progress_path(job_id)
        self.step = ""

    def update(self, done: int, total: int, step: str) -> None:
        """``step`` empty: the same step as before."""
        self.step = step or self.step
        temporary = self.path.with_suffix(".tmp")
        with contextlib.suppress(OSError):
            temporary.write_text(json.dumps({"done": done, "total": total, "step": self.step}))
            os.replace(temporary, self.path)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.path.unlink()


#: One import at a time in a process: imports compete for the same tables (on SQLite, for
#: the one writer) and the same cores. A job waiting for its turn keeps its heartbeat.
_ONE_AT_A_TIME = threading.Lock()
_WAIT_BEAT: Final = 30.0  # seconds


def directory_import_job_run(*, job_id: uuid.UUID) -> None:
    """Run a queued job to its end: DONE with the result, or FAILED with a Japanese message.
    Never raises."""
    waiting = _Tracker(job_id)
    while not _ONE_AT_A_TIME.acquire(timeout=_WAIT_BEAT):
        waiting.update(0, 0, _("ほかの取り込みが終わるのを待っています"))
    try:
        _run(job_id)
    finally:
        _ONE_AT_A_TIME.release()


def _run(job_id: uuid.UUID) -> None:
    now = timezone.now()
    claimed = ImportJob.objects.filter(pk=job_id, state=ImportJobState.QUEUED).update(
        state=ImportJobState.RUNNING, step=_("始めています"), updated_at=now
    )
    if not claimed:
        return
    job = ImportJob.objects.select_related("municipality", "requested_by", "preview").get(pk=job_id)
    tracker = _Tracker(job.pk)
    try:
        result = _import(job, tracker)
    except _Failed as failed:
        _finish(job.pk, state=ImportJobState.FAILED, error=failed.message)
    except Exception:
        logger.exception("directory import job %s failed", job.pk)
        _finish(
            job.pk,
            state=ImportJobState.FAILED,
            error=_(
                "取り込みの処理が止まりました。何も変更していません。もう一度ファイルを選んでください。"
                "続くときはシステム管理者に連絡してください（取り込み番号 {id}）。"
            ).format(id=job.pk),
        )
    else:
        _finish(
            job.pk,
            state=ImportJobState.DONE,
            result=result.to_json(RESULT_LIMIT),
            rows_done=result.rows_read,
            rows_total=result.rows_total,
        )
    finally:
        tracker.close()
        if job.mode == ImportJobMode.APPLY:
            _discard(job)


def _changed_message() -> str:
    return _(
        "保存したファイルが、選んだときと内容が違います（SHA-256 が一致しません）。"
        "何も変更していません。もう一度ファイルを選んでください。"
    )


def _import(job: ImportJob, tracker: _Tracker) -> DirectoryImportResult:
    upload = _upload_of(job)
    if upload is None:
        raise _Failed(
            _(
                "取り込むファイルが見つかりません（保存は{hours}時間まで）。もう一度ファイルを選んでください。"
            ).format(hours=int(uploads.RETENTION.total_seconds() // 3600))
        )
    if upload.sha256 != job.sha256:
        raise _Failed(_changed_message())
    try:
        path = uploads.upload_path(upload)
    except uploads.UploadRefused:
        raise _Failed(_changed_message()) from None
    common: dict[str, Any] = {
        "municipality": job.municipality,
        "path": path,
        "filename": job.filename,
        "kind": job.kind,
        "retire_missing": job.retire_missing,
        "row_limit": WEB_ROW_LIMIT,
        "progress": tracker.update,
    }
    if job.mode == ImportJobMode.APPLY:
        previewed = job_result(job.preview) if job.preview is not None else None
        return service.directory_import_apply(
            actor=job.requested_by,
            expected_fingerprint=previewed.fingerprint if previewed is not None else "",
            **common,
        )
    return service.directory_import_preview(**common)


def _finish(job_id: uuid.UUID, **values: Any) -> None:
    now = timezone.now()
    ImportJob.objects.filter(pk=job_id).update(
        updated_at=now,
        finished_at=now,
        step=_("完了") if values["state"] == "done" else _("失敗"),
        **values,
    )


# --- reading jobs ------------------------------------------------------------------------


@dataclass(frozen=True)
class JobProgress:
    done: int
    total: int
    step: str

    @property
    def percent(self) -> int:
        if not self.total:
            return 0
        return min(99, self.done * 100 // self.total)


def _heartbeat(job: ImportJob) -> dt.datetime:
    try:
        seen = dt.datetime.fromtimestamp(_progress_path(job.pk).stat().st_mtime, tz=dt.UTC)
    except OSError:
        return job.updated_at
    return max(seen, job.updated_at)


def job_is_stalled(job: ImportJob) -> bool:
    """A job left queued or running by a stopped process: it will not finish."""
    if job.state not in _ACTIVE:
        return False
    return _heartbeat(job) < timezone.now() - JOB_STALLED_AFTER


def job_progress(job: ImportJob) -> JobProgress:
    """Rows read of the rows in the file, and the step: live while the job runs."""
    if job.state in _ACTIVE:
        try:
            live = json.loads(_progress_path(job.pk).read_text())
            return JobProgress(done=int(live["done"]), total=int(live["total"]), step=live["step"])
        except (OSError, ValueError, KeyError, TypeError):
            pass
    return JobProgress(done=job.rows_done, total=job.rows_total, step=job.step)


def job_result(job: ImportJob) -> DirectoryImportResult | None:
    """The result of a finished job (its lists cut at ``RESULT_LIMIT``), else None."""
    if job.state != ImportJobState.DONE or not job.result:
        return None
    return DirectoryImportResult.from_json(job.result)


def job_of(municipality: Municipality, job_id: str) -> ImportJob | None:
    """The municipality's job of that id (the id as given in a URL), else None."""
    try:
        pk = uuid.UUID(str(job_id))
    except ValueError:
        return None
    return (
        ImportJob.objects.select_related("requested_by", "municipality")
        .filter(municipality=municipality, pk=pk)
        .first()
    )


def recent_jobs(municipality: Municipality, limit: int = 10) -> list[ImportJob]:
    """The municipality's latest jobs, newest first (without their results)."""
    return list(
        ImportJob.objects.filter(municipality=municipality)
        .select_related("requested_by")
        .defer("result")
        .order_by("-created_at")[:limit]
    )


def apply_of(preview: ImportJob) -> ImportJob | None:
    """The apply job started from ``preview``, if any."""
    return preview.applies.order_by("-created_at").first()
