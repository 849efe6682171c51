"""Import a directory file: preview (nothing written) and apply (one transaction, audited).

    directory_import_preview(municipality=..., data=... | path=..., filename=..., kind="auto",
                             retire_missing=False, row_limit=None, progress=None)
    directory_import_apply(actor=..., municipality=..., data=... | path=..., filename=...,
                           kind="auto", retire_missing=False, row_limit=None, progress=None,
                           expected_fingerprint=None)

The file is read as a stream and written chunk by chunk (the parsers hand over a first
bundle of what concerns the whole file, then chunks of about 500 rows; each chunk is written
in bulk and indexed, then let go), all in one transaction: memory stays flat whatever the
number of rows. ``row_limit`` refuses a file with more rows to import (the staff screen's
limit; the command line has none); ``progress(rows done, rows in the file, step)`` hears
about each chunk. After an apply that wrote rows is committed, PostgreSQL's planner
statistics of the tables it filled are refreshed (``analyze``).

Both return a ``result.DirectoryImportResult``: the notes (encoding, detected kind), every error and
warning with row and column, and per entity (サービス・団体・場所) what would be or was added,
updated or left unchanged (and, for services, retired): all counted, the first
``KEEP_LIMIT`` of each kept. The preview runs exactly the same
code as the apply inside a transaction that is rolled back, so what it reports is what the
apply does. Its ``fingerprint`` hashes every change it found (all of them, not only those
kept), with the values each update replaces (``core.uploads``): an apply given the
preview's fingerprint (``expected_fingerprint``) compares it with its own, once every row is
written and before anything is committed, and refuses — nothing written — when they differ:
the directory changed since the preview. A file larger than its format's limit
(``core.uploads.MAX_UPLOAD_BYTES``: csv, json or zip, see :func:`upload_format`) is refused
unread.

What the file does to the rows (found again by source id, details replaced as a whole,
missing services retired) is ``writer.ImportWriter``'s part; this module runs it, all or
nothing, and audits it. Any error refuses the whole file: nothing is written. Callers check
permissions (the CLI acts as the operator, ``cli:<user>``; the staff screen asks
``directory.permissions``).
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, Final

from django.db import connection, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from sasaeai.accounts.models import Municipality
from sasaeai.audit import services as audit
from sasaeai.audit.models import Action
from sasaeai.core import uploads
from sasaeai.core.errors import DomainError
from sasaeai.core.imports import ImportIssue
from sasaeai.directory.importing import hsds as hsds_parser
from sasaeai.directory.importing import opendata
from sasaeai.directory.importing.records import Bundle
from sasaeai.directory.importing.result import ENTITIES, DirectoryImportResult
from sasaeai.directory.importing.source import ImportFile
from sasaeai.directory.importing.writer import (
    AUDIT_OBJECT_TYPE,
    ImportWriter,
    status_audit_key,
)
from sasaeai.directory.readings import place_readings

KINDS: Final = ("auto", "hsds", *opendata.KINDS)


def kind_label(kind: str) -> str:
    """「自動で判定する」, 「HSDS」 or the open-data dataset's name."""
    if kind == "auto":
        return _("自動で判定する")
    if kind == "hsds":
        return "HSDS"
    return opendata.kind_label(kind) if kind in opendata.KINDS else kind


class _Rollback(Exception):
    """Raised inside the preview's transaction to undo everything it wrote."""


#: ``progress(rows done, rows in the file, what is being done)``, called as the import goes
Progress = Callable[[int, int, str], None]


def directory_import_preview(
    *,
    municipality: Municipality,
    data: bytes | None = None,
    path: Path | None = None,
    filename: str,
    kind: str = "auto",
    retire_missing: bool = False,
    row_limit: int | None = None,
    progress: Progress | None = None,
) -> DirectoryImportResult:
    """What importing the file (``data``, or the file at ``path``, read as a stream) would
    change; nothing is written. ``row_limit``: refuse a file with more rows to import."""
    return _run(
        actor=None,
        municipality=municipality,
        source=ImportFile(data=data, path=path),
        filename=filename,
        kind=kind,
        retire_missing=retire_missing,
        apply=False,
        row_limit=row_limit,
        progress=progress,
    )


def directory_import_apply(
    *,
    actor: Any,
    municipality: Municipality,
    data: bytes | None = None,
    path: Path | None = None,
    filename: str,
    kind: str = "auto",
    retire_missing: bool = False,
    request: HttpRequest | None = None,
    row_limit: int | None = None,
    progress: Progress | None = None,
    expected_fingerprint: str | None = None,
) -> DirectoryImportResult:
    """Import the file (``data``, or the file at ``path``, read as a stream) all or nothing,
    audit it and re-index the touched services; on PostgreSQL, ANALYZE the tables it wrote
    once it is committed.

    ``retire_missing`` (open-data files only): set the services of the file's dataset that it
    no longer lists to 休止中. ``row_limit``: refuse a file with more rows to import.
    ``expected_fingerprint`` (a preview's ``fingerprint``): refuse, writing nothing, when
    this import's changes are not the ones that preview found."""
    return _run(
        actor=actor,
        municipality=municipality,
        source=ImportFile(data=data, path=path),
        filename=filename,
        kind=kind,
        retire_missing=retire_missing,
        apply=True,
        request=request,
        row_limit=row_limit,
        progress=progress,
        expected_fingerprint=expected_fingerprint,
    )


def upload_format(head: bytes, filename: str) -> uploads.UploadFormat:
    """The format whose size limit applies to a directory file (``core.uploads``): ``zip``
    (an HSDS datapackage), ``json`` (HSDS) or ``csv`` (open data). ``head``: its first bytes."""
    if head.startswith(b"PK\x03\x04") or filename.lower().endswith(".zip"):
        return "zip"
    return "json" if detect_format(head, filename) == "hsds" else "csv"


def detect_format(data: bytes, filename: str) -> str:
    """ "hsds" for JSON or a ZIP (a datapackage); "auto" (an open-data CSV) otherwise.
    ``data`` may be the file's first bytes only."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if data.startswith(b"PK\x03\x04") or head in {b"{", b"["}:
        return "hsds"
    if filename.lower().endswith((".json", ".zip")):
        return "hsds"
    return "auto"


def read(
    *, municipality: Municipality, source: ImportFile, filename: str, kind: str
) -> Iterator[Bundle]:
    """The file's records: a first bundle of what concerns the whole file, then chunks of
    rows (no database access). Raises DomainError for an unknown kind or a file that cannot
    be read at all."""
    if kind not in KINDS:
        raise DomainError(
            code="unknown_kind",
            message=_("種類「{kind}」はありません。{kinds} のいずれかを指定してください。").format(
                kind=kind, kinds="、".join(KINDS)
            ),
        )
    if kind == "auto" and detect_format(source.head(), filename) == "hsds":
        kind = "hsds"
    if kind == "hsds":
        return hsds_parser.read_hsds(source)
    place = opendata.Place(
        code=municipality.code,
        name=municipality.name,
        prefecture=municipality.prefecture,
        readings=place_readings(municipality),
    )
    return opendata.read_opendata(source, kind=kind, place=place)


def command_line(
    *, municipality: Municipality, filename: str, kind: str, retire_missing: bool
) -> str:
    """The command that imports the file on the server, with no row limit."""
    parts = ["sasaeai", "directory", "import", shlex.quote(filename or "FILE")]
    parts += ["--municipality", municipality.code]
    if kind != "auto":
        parts += ["--kind", kind]
    if retire_missing:
        parts.append("--retire-missing")
    return " ".join(parts)


def _too_many_rows(
    head: Bundle, *, limit: int, municipality: Municipality, filename: str, kind: str,
    retire_missing: bool,
) -> ImportIssue:  # fmt: skip
    command = command_line(
        municipality=municipality, filename=filename, kind=kind, retire_missing=retire_missing
    )
    if head.kind == "hsds":
        counted = _("このファイルにはサービスが {count} 件あります").format(
            count=f"{head.rows_selected:,}"
        )
    elif head.rows_selected == head.rows_total:
        counted = _("このファイルにはデータが {count} 行あります").format(
            count=f"{head.rows_selected:,}"
        )
    else:
        counted = _(
            "このファイルには{name}のデータが {count} 行あります（全体では {total} 行）"
        ).format(
            name=municipality.name, count=f"{head.rows_selected:,}", total=f"{head.rows_total:,}"
        )
    return ImportIssue(
        code="too_many_rows",
        message=_(
            "{counted}。画面から取り込めるのは {limit} 行（HSDS はサービス {limit} 件）までです。"
            "サーバーのコマンドラインで取り込んでください（行数の上限はありません）: {command}"
        ).format(counted=counted, limit=f"{limit:,}", command=command),
    )


def _nothing_to_retire_against(kind: str) -> ImportIssue:
    return ImportIssue(
        code="retire_missing_empty",
        message=_(
            "このファイルには取り込めるサービスが1件もありません。"
            "このままでは取り込み済みの「{dataset}」がすべて休止中になるため、取り込みません。"
            "ファイルの中身と自治体コードを確かめてください。"
        ).format(dataset=opendata.kind_label(kind)),
    )


def _run(
    *,
    actor: Any,
    municipality: Municipality,
    source: ImportFile,
    filename: str,
    kind: str,
    retire_missing: bool,
    apply: bool,
    request: HttpRequest | None = None,
    row_limit: int | None = None,
    progress: Progress | None = None,
    expected_fingerprint: str | None = None,
) -> DirectoryImportResult:
    def report(done: int, step: str) -> None:
        if progress is not None:
            progress(done, result.rows_total, step)

    result = DirectoryImportResult(
        filename=filename,
        sha256=source.sha256(),
        kind=kind,
        retire_missing=retire_missing,
    )
    try:
        uploads.check_size(file_format=upload_format(source.head(), filename), size=source.size())
    except uploads.UploadRefused as error:
        result.add_error(ImportIssue(code=error.code, message=error.message))
        return result
    if retire_missing and (
        kind == "hsds" or (kind == "auto" and detect_format(source.head(), filename) == "hsds")
    ):
        result.add_error(
            ImportIssue(
                code="retire_missing_hsds",
                message=_(
                    "HSDS のファイルでは、このファイルにない情報を「休止中」にすることはできません。"
                    "HSDS は複数の発行元のファイルが同じ取込元（hsds）を使うため、"
                    "1つのファイルに載っていないことは休止を意味しません。"
                    "休止にする指定はオープンデータの CSV（kaigo・kosodate・iryo・aed）で使ってください。"
                ),
            )
        )
        return result
    report(0, _("ファイルを読んでいます"))
    try:
        chunks = read(municipality=municipality, source=source, filename=filename, kind=kind)
        head = next(chunks)
    except DomainError as error:
        result.add_error(ImportIssue(code=error.code, message=error.message))
        return result
    result.kind = head.kind
    result.rows_total = head.rows_total
    result.take(head)
    if not result.ok:
        return result
    if row_limit is not None and head.rows_selected > row_limit:
        result.add_error(
            _too_many_rows(
                head, limit=row_limit, municipality=municipality, filename=filename, kind=kind,
                retire_missing=retire_missing,
            )
        )  # fmt: skip
        return result
    if retire_missing and not head.rows_selected:
        result.add_error(_nothing_to_retire_against(head.kind))
        return result
    if retire_missing:
        result.notes.append(
            _(
                "このファイルにない取り込み済みの「{dataset}」（実施中・一時休止のもの）は「休止中」にします。"
            ).format(dataset=opendata.kind_label(head.kind))
        )
    report(0, _("行を確かめて書き込んでいます") if apply else _("行を確かめています"))
    try:
        with transaction.atomic():
            writer = ImportWriter(
                municipality, result, kind=head.kind, retire_missing=retire_missing, index=apply
            )
            for bundle in chunks:
                result.take(bundle)
                if result.ok:
                    writer.write(bundle)
                report(result.rows_read, "")
            if result.ok and retire_missing:
                if not writer.listed:
                    result.add_error(_nothing_to_retire_against(head.kind))
                else:
                    writer.retire()
            if not result.ok:
                raise _Rollback
            result.finish_fingerprint()
            if apply:  # the changes must be the ones the preview found, before any commit
                try:
                    uploads.check_fingerprint(
                        expected=expected_fingerprint,
                        actual=result.fingerprint,
                        message=_(
                            "確認したあとで、地域資源情報が変更されました（取り込みの内容が確認のときと違います）。"
                            "何も取り込んでいません。もう一度ファイルを選んで確認してください。"
                        ),
                    )
                except uploads.PreviewOutdated as outdated:
                    result.add_error(ImportIssue(code=outdated.code, message=outdated.message))
                    raise _Rollback from None
            if apply and result.has_changes:
                _audit(actor, municipality, result, writer, request)
                filled = writer.filled
                # robust: the import stands even if the statistics cannot be refreshed
                transaction.on_commit(lambda: analyze(filled), robust=True)
            if not apply:
                raise _Rollback
            result.applied = True
    except _Rollback:
        result.applied = False
    except DomainError as error:  # the file stopped being readable half way
        result.add_error(ImportIssue(code=error.code, message=error.message))
        result.applied = False
    if not result.ok:
        result.forget_changes()
    return result


def _audit(
    actor: Any,
    municipality: Municipality,
    result: DirectoryImportResult,
    writer: ImportWriter,
    request: HttpRequest | None,
) -> None:
    """The import's audit row: counts per entity and action, and each status it changed."""
    counts = result.counts("service")
    changes: dict[str, list[Any]] = {
        f"{entity}_{action}": [None, count]
        for entity in ENTITIES
        for action, count in result.counts(entity).items()
    }
    changes.update(
        (status_audit_key(pk), [before, after])
        for pk, (before, after) in writer.status_changes.items()
    )
    template = (
        _(
            "地域資源情報を取り込みました（{kind}、ファイル: {file}、SHA-256: {sha}）: "
            "サービス 追加 {add} 件、変更 {update} 件、変更なし {unchanged} 件、"
            "休止 {retire} 件、警告 {warnings} 件"
        )
        if result.retire_missing
        else _(
            "地域資源情報を取り込みました（{kind}、ファイル: {file}、SHA-256: {sha}）: "
            "サービス 追加 {add} 件、変更 {update} 件、変更なし {unchanged} 件、警告 {warnings} 件"
        )
    )
    audit.record(
        actor=actor,
        action=Action.IMPORT,
        municipality=municipality,
        object_type=AUDIT_OBJECT_TYPE,
        object_id=result.sha256[:16],
        object_repr=result.filename[:200],
        changes=changes,
        detail=template.format(
            kind=result.kind,
            file=result.filename or "-",
            sha=result.sha256[:16],
            warnings=result.warning_count,
            **counts,
        ),
        request=request,
    )


def analyze(models: Iterable[type[Any]]) -> None:
    """On PostgreSQL, refresh the planner's statistics of the tables an import filled: a
    table that grew from nothing is otherwise planned as if empty (the public HSDS API took
    minutes a page until autovacuum came round). Other databases: nothing."""
    if connection.vendor != "postgresql":
        return
    tables = sorted({model._meta.db_table for model in models})
    if tables:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))
