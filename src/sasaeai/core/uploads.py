"""One upload flow for every import: upload → preview → confirm, exactly what was previewed.

Every import a person starts from a screen (the plan workbook, the department workbook, the
directory's open-data and HSDS files, the plain-language settings) goes the same way:

1. **Upload.** :func:`upload_store` streams the file to ``VAR_DIR/uploads`` (mode 0600, a
   random name) as it arrives, hashing it (SHA-256) and refusing it once it passes its
   format's limit, and records a :class:`~sasaeai.core.models.PendingUpload`: whose it is
   (municipality and user), what for (``purpose``: ``plans.workbook``,
   ``plans.department_workbook``, ``directory.import``, ``plainlang.settings``), its name,
   size and hash. Nothing else is written.
2. **Preview.** The flow reads the file back (:func:`upload_read` or :func:`upload_path`,
   both refuse a file whose bytes no longer match its hash), computes what importing it
   would change and shows it, with the preview's :func:`fingerprint`: a hash of the
   canonical preview result (every change with its before and after, and the state it was
   compared with).
3. **Confirm.** The confirmation names the upload and carries the fingerprint.
   :func:`pending_upload` refuses an upload of another user, another municipality or
   another purpose, or one older than :data:`RETENTION`; the flow's service recomputes the
   preview inside its transaction and refuses (:func:`check_fingerprint`, nothing written)
   when the result differs from the one confirmed: the data changed since the preview.
   A used or cancelled upload is removed (:func:`upload_discard`); the others are pruned
   after :data:`RETENTION`.

One size limit per file format (:data:`MAX_UPLOAD_BYTES`), read by the web forms
(:func:`check_size` on the upload's size), the command line (:func:`read_file` and
:func:`check_file`, before reading) and the services (:func:`check_bytes`) alike; the
unpacked size of xlsx and docx files is limited by :mod:`sasaeai.core.archives`.

Knows no domain: the flows' own modules say what a preview is and how it is written.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import json
import os
import re
import unicodedata
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Final, Literal, get_args

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from sasaeai.core.errors import DomainError

if TYPE_CHECKING:
    from sasaeai.core.models import PendingUpload

UploadFormat = Literal["xlsx", "csv", "json", "zip", "text"]
FORMATS: Final[tuple[UploadFormat, ...]] = get_args(UploadFormat)

MIB: Final = 1024 * 1024

#: The largest file of each format any import accepts — on the web, on the command line and
#: in the services alike. A format says how the file is read:
#: - ``xlsx``: a workbook (the plan and department workbooks), read whole by openpyxl; the
#:   demo plan's workbook is 0.2 MB, one of 2,000 initiatives 2 MB. Its unpacked size is
#:   limited too (``core.archives.MAX_UNPACKED_BYTES``: 16 MB).
#: - ``csv``: an open-data CSV of the directory, read as a stream (memory stays flat);
#:   100,000 rows are about 20 MB.
#: - ``json``: an HSDS JSON file, read whole into memory.
#: - ``zip``: an HSDS datapackage (CSV files), whose unpacked size the HSDS reader limits.
#: - ``text``: a settings file (the plain-language checker's YAML or CSV), read whole and
#:   parsed at once; a real one is a few KB.
MAX_UPLOAD_BYTES: Final[Mapping[UploadFormat, int]] = {
    "xlsx": 10 * MIB,
    "csv": 50 * MIB,
    "json": 20 * MIB,
    "zip": 50 * MIB,
    "text": 1 * MIB,
}

#: A pending upload older than this is refused at confirmation and removed by the next
#: upload (:func:`uploads_prune`).
RETENTION: Final = dt.timedelta(hours=24)

#: How a confirmation names its upload (a hidden field, or ``?upload=`` on the preview).
UPLOAD_PARAMETER: Final = "upload"

READ_SIZE: Final = 1024 * 1024
_SUFFIX: Final = ".upload"
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]")


class UploadRefused(DomainError):
    """An upload that cannot be used; ``code`` says why, ``message`` says it in Japanese:

    ``too_large``, ``upload_missing`` (unknown, used, cancelled, or of another municipality),
    ``upload_not_yours``, ``upload_expired``, ``upload_changed`` (the stored file no longer
    matches its SHA-256) and ``upload_unreadable`` (a file the command line cannot open).
    """


class PreviewOutdated(DomainError):
    """The preview recomputed at confirmation differs from the one confirmed: nothing written."""


# --- size limits ---------------------------------------------------------------------------


def limit_text(file_format: UploadFormat) -> str:
    """The format's limit for people: "10MB"."""
    return f"{MAX_UPLOAD_BYTES[file_format] / MIB:.0f}MB"


def too_large(file_format: UploadFormat, size: int | None = None) -> UploadRefused:
    """The refusal of a file larger than its format's limit (``size`` when it is known)."""
    limit = limit_text(file_format)
    if size is None:
        message = _("ファイルが大きすぎます。{limit} 以下にしてください。").format(limit=limit)
    else:
        message = _("ファイルが大きすぎます（{size}）。{limit} 以下にしてください。").format(
            size=f"{size / MIB:.1f}MB", limit=limit
        )
    return UploadRefused(code="too_large", message=message)


def check_size(*, file_format: UploadFormat, size: int) -> None:
    """Refuse a file of ``size`` bytes larger than its format's limit (a web form asks this of
    the upload's size before anything is stored)."""
    if size > MAX_UPLOAD_BYTES[file_format]:
        raise too_large(file_format, size)


def check_bytes(data: bytes, *, file_format: UploadFormat) -> None:
    """Refuse ``data`` larger than its format's limit (a service given the bytes)."""
    check_size(file_format=file_format, size=len(data))


def check_file(path: Path, *, file_format: UploadFormat) -> int:
    """The size of the file at ``path``; refused before it is read when larger than its
    format's limit, or when it cannot be opened (``upload_unreadable``)."""
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise IsADirectoryError(21, os.strerror(21))
    except OSError as error:
        raise UploadRefused(
            code="upload_unreadable",
            message=_("{path} を読み込めません（{reason}）。").format(
                path=path, reason=error.strerror
            ),
        ) from None
    check_size(file_format=file_format, size=size)
    return size


def read_file(path: Path, *, file_format: UploadFormat) -> bytes:
    """The file at ``path`` (the command line), refused before it is read when larger than its
    format's limit; never reads more than the limit, even if the file grows meanwhile."""
    check_file(path, file_format=file_format)
    limit = MAX_UPLOAD_BYTES[file_format]
    try:
        with path.open("rb") as stream:
            data = stream.read(limit + 1)
    except OSError as error:
        raise UploadRefused(
            code="upload_unreadable",
            message=_("{path} を読み込めません（{reason}）。").format(
                path=path, reason=error.strerror
            ),
        ) from None
    if len(data) > limit:
        raise too_large(file_format)
    return data


# --- storing -------------------------------------------------------------------------------


def uploads_dir() -> Path:
    """``VAR_DIR/uploads``, readable by the server's user only."""
    directory = Path(settings.VAR_DIR) / "uploads"
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    return directory


def stored_path(upload_id: uuid.UUID | str) -> Path:
    """Where the file of the pending upload ``upload_id`` is kept; ValueError if the id is
    not one."""
    return uploads_dir() / f"{uuid.UUID(str(upload_id)).hex}{_SUFFIX}"


def clean_filename(name: str) -> str:
    """The name as shown and stored: the last part of a path, NFC, no control characters,
    at most 200 characters."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    return _CONTROL.sub("", unicodedata.normalize("NFC", base)).strip()[:200]


def upload_store(
    *,
    municipality: Any,
    user: Any,
    purpose: str,
    file_format: UploadFormat,
    filename: str,
    chunks: Iterable[bytes],
) -> PendingUpload:
    """Store an upload for ``user`` of ``municipality`` as it arrives — never whole in
    memory — with its SHA-256; refused (nothing kept) once it passes its format's limit.
    Older uploads are pruned first."""
    from sasaeai.core.models import PendingUpload

    if not getattr(user, "pk", None):
        raise ValueError("a pending upload belongs to a signed-in user")
    uploads_prune()
    upload = PendingUpload(
        municipality=municipality,
        user=user,
        purpose=purpose,
        file_format=file_format,
        filename=clean_filename(filename),
    )
    path = stored_path(upload.pk)
    limit = MAX_UPLOAD_BYTES[file_format]
    digest = hashlib.sha256()
    size = 0
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise too_large(file_format)
                digest.update(chunk)
                handle.write(chunk)
        upload.size, upload.sha256 = size, digest.hexdigest()
        upload.save(force_insert=True)
    except BaseException:
        with contextlib.suppress(OSError):
            path.unlink()
        raise
    return upload


def upload_discard(*, upload: PendingUpload) -> None:
    """Remove an upload that was used or cancelled: its file and its row."""
    with contextlib.suppress(OSError, ValueError):
        stored_path(upload.pk).unlink()
    type(upload).objects.filter(pk=upload.pk).delete()


def uploads_prune(*, now: dt.datetime | None = None) -> int:
    """Remove the uploads older than :data:`RETENTION` and any file in the folder that old
    (left by a stopped process); the number of uploads removed."""
    from sasaeai.core.models import PendingUpload

    cutoff = (now or timezone.now()) - RETENTION
    old = PendingUpload.objects.filter(created_at__lt=cutoff)
    for pk in old.values_list("pk", flat=True):
        with contextlib.suppress(OSError):
            stored_path(pk).unlink()
    removed, _counts = old.delete()
    oldest = cutoff.timestamp()
    for stray in uploads_dir().iterdir():
        with contextlib.suppress(OSError):
            if stray.is_file() and stray.stat().st_mtime < oldest:
                stray.unlink()
    return removed


# --- confirming ----------------------------------------------------------------------------


def _missing() -> UploadRefused:
    return UploadRefused(
        code="upload_missing",
        message=_(
            "確認したファイルが見つかりません（取り込んだか、やめたか、保存の期限が過ぎました）。"
            "何も保存していません。もう一度ファイルを選んでください。"
        ),
    )


def _changed() -> UploadRefused:
    return UploadRefused(
        code="upload_changed",
        message=_(
            "確認したファイルが見つからないか、確認したときと内容が違います（SHA-256 が一致しません）。"
            "何も取り込んでいません。もう一度ファイルを選んで確認してください。"
        ),
    )


def upload_id_of(request: HttpRequest) -> str:
    """The upload a preview page (``?upload=``) or a confirmation (a hidden field) names."""
    return str(request.POST.get(UPLOAD_PARAMETER) or request.GET.get(UPLOAD_PARAMETER) or "")


def with_upload(url: str, upload: PendingUpload) -> str:
    """``url`` naming ``upload``: the preview page of that upload."""
    return f"{url}?{UPLOAD_PARAMETER}={upload.pk}"


def pending_upload(*, upload_id: str, purpose: str, municipality: Any, user: Any) -> PendingUpload:
    """The pending upload ``upload_id`` of ``purpose``, if it is ``user``'s in
    ``municipality`` and not too old; :class:`UploadRefused` otherwise."""
    from sasaeai.core.models import PendingUpload

    try:
        pk = uuid.UUID(str(upload_id))
    except ValueError:
        raise _missing() from None
    upload = PendingUpload.objects.filter(pk=pk, purpose=purpose).first()
    if upload is None or upload.municipality_id != getattr(municipality, "pk", None):
        raise _missing()
    if upload.user_id != getattr(user, "pk", None):
        raise UploadRefused(
            code="upload_not_yours",
            message=_(
                "この確認はほかの職員が始めたものです。取り込むには、ご自分でファイルを選んで確認してください。"
            ),
        )
    if upload.created_at < timezone.now() - RETENTION:
        raise UploadRefused(
            code="upload_expired",
            message=_(
                "確認の期限（{hours}時間）が過ぎました。何も保存していません。もう一度ファイルを選んでください。"
            ).format(hours=int(RETENTION.total_seconds() // 3600)),
        )
    return upload


def _hash_matches(stream: BinaryIO, upload: PendingUpload) -> bool:
    digest = hashlib.sha256()
    size = 0
    while block := stream.read(READ_SIZE):
        digest.update(block)
        size += len(block)
    return size == upload.size and hmac.compare_digest(digest.hexdigest(), upload.sha256)


def upload_path(upload: PendingUpload) -> Path:
    """The stored file, read through once to check its SHA-256 (for a reader that streams
    it); :class:`UploadRefused` if it is gone or changed."""
    try:
        path = stored_path(upload.pk)
        with path.open("rb") as stream:
            if _hash_matches(stream, upload):
                return path
    except (OSError, ValueError):
        pass
    raise _changed()


def request_upload(
    request: HttpRequest, *, purpose: str, municipality: Any
) -> tuple[PendingUpload, bytes]:
    """The pending upload a preview page or a confirmation names, with its bytes: the signed-in
    user's, of ``municipality`` and ``purpose``, unchanged since it was stored (a changed file
    is removed). :class:`UploadRefused` otherwise."""
    upload = pending_upload(
        upload_id=upload_id_of(request),
        purpose=purpose,
        municipality=municipality,
        user=request.user,
    )
    try:
        return upload, upload_read(upload)
    except UploadRefused:
        upload_discard(upload=upload)
        raise


def upload_read(upload: PendingUpload) -> bytes:
    """The stored file's bytes, checked against its SHA-256; :class:`UploadRefused` if it is
    gone or changed."""
    try:
        data = stored_path(upload.pk).read_bytes()
    except (OSError, ValueError):
        raise _changed() from None
    if len(data) != upload.size or not hmac.compare_digest(
        hashlib.sha256(data).hexdigest(), upload.sha256
    ):
        raise _changed()
    return data


# --- fingerprints --------------------------------------------------------------------------


def _canonical(value: Any) -> bytes:
    return json.dumps(
        value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str
    ).encode("utf-8")


class Fingerprinter:
    """A fingerprint built item by item, for a preview too large to hold (the directory
    import's changes, found chunk by chunk)."""

    def __init__(self) -> None:
        self._digest = hashlib.sha256()

    def add(self, item: Any) -> None:
        self._digest.update(_canonical(item) + b"\n")

    def hexdigest(self) -> str:
        return self._digest.hexdigest()


def fingerprint(*items: Any) -> str:
    """The hash of a preview's canonical result (JSON with sorted keys; values that are not
    JSON by ``str``): equal exactly when the results are."""
    builder = Fingerprinter()
    for item in items:
        builder.add(item)
    return builder.hexdigest()


def check_fingerprint(*, expected: str | None, actual: str, message: str | None = None) -> None:
    """Refuse (:class:`PreviewOutdated`) when the preview recomputed at confirmation is not
    the one confirmed; ``expected`` None: nothing was previewed (a direct call)."""
    if expected is None:
        return
    if not hmac.compare_digest(expected.encode(), actual.encode()):
        raise PreviewOutdated(
            code="preview_outdated",
            message=message
            or _(
                "確認したあとで、データが変更されました。何も保存していません。"
                "もう一度確認して、新しい内容を確かめてから取り込んでください。"
            ),
        )
