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

Both return an :class:`ImportResult`: the notes (encoding, detected kind), every error and
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

Identity: rows are found again by ``source_kind`` (the dataset: kaigo, kosodate, iryo, aed,
hsds) and ``source_id`` (the file's own identifier), so a re-import updates instead of
duplicating. The rows that hang off them (address, phones, schedules, contacts, languages,
accessibility, cost options) have no identity of their own: they are compared as a whole
(``records.canonical_list``) and replaced when they differ, the change naming the field
(``phones``, ``contacts`` …). Rows the file no longer lists are left as they are (a partial
file never deletes), unless the caller asks ``retire_missing=True`` for an open-data file:
then the municipality's services of that dataset which the file does not list and which are 実施中 or
一時休止 are set to 休止中 (action ``retire``). Each retirement is recorded in the file's audit
row under ``service:<id>:status`` ([before, after]); a service whose last status change is
such a retirement (and no person's edit since) goes back to 実施中 when a later file lists it
again. Otherwise an open-data file never changes a service's status: it has no status column,
so a status a person set (休止中, 終了, 一時休止) is kept. Any error refuses the whole file:
nothing is written. Callers check permissions (the CLI acts as the operator, ``cli:<user>``;
the staff screen asks ``directory.permissions``).
"""

from __future__ import annotations

import functools
import shlex
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from django.db import connection, transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from sasaeai.accounts.models import Municipality
from sasaeai.audit import services as audit
from sasaeai.audit.models import Action, AuditEvent
from sasaeai.core import uploads
from sasaeai.core.errors import DomainError
from sasaeai.directory.importing import hsds as hsds_parser
from sasaeai.directory.importing import opendata
from sasaeai.directory.importing.records import (
    AccessibilityRecord,
    AddressRecord,
    Bundle,
    ContactRecord,
    CostOptionRecord,
    Detail,
    Issue,
    LanguageRecord,
    LocationRecord,
    OrganizationRecord,
    PhoneRecord,
    ScheduleRecord,
    ServiceRecord,
    TermRef,
    canonical_list,
)
from sasaeai.directory.importing.source import ImportFile
from sasaeai.directory.importing.towns import TownMatcher
from sasaeai.directory.models import (
    Accessibility,
    Address,
    Attribute,
    Contact,
    CostOption,
    Language,
    LinkEntity,
    Location,
    Organization,
    Phone,
    Schedule,
    SearchEntry,
    SearchText,
    Service,
    ServiceAtLocation,
    ServiceStatus,
    Taxonomy,
    TaxonomyTerm,
)
from sasaeai.directory.readings import place_readings

KINDS: Final = ("auto", "hsds", *opendata.KINDS)
ADD: Final = "add"
UPDATE: Final = "update"
UNCHANGED: Final = "unchanged"
RETIRE: Final = "retire"  # a service the file no longer lists, set to 休止中 (retire_missing)
ACTION_LABELS = {
    ADD: gettext_noop("追加"),
    UPDATE: gettext_noop("変更"),
    UNCHANGED: gettext_noop("変更なし"),
    RETIRE: gettext_noop("休止にする"),
}
# what counts(entity) reports, in this order; only services are retired
_COUNTED: Final = {
    "service": (ADD, UPDATE, UNCHANGED, RETIRE),
    "organization": (ADD, UPDATE, UNCHANGED),
    "location": (ADD, UPDATE, UNCHANGED),
}
# the datasets whose missing services retire_missing may retire: one publisher per source
# kind (HSDS files of several publishers share "hsds", so a service missing from one means
# nothing)
RETIRABLE_KINDS: Final = opendata.KINDS
RETIRED_STATUSES: Final = (ServiceStatus.ACTIVE, ServiceStatus.TEMPORARILY_CLOSED)
# service fields the open-data files never carry: a re-import keeps what the staff wrote
# (最終確認日, 対象となる人, 費用 …) instead of blanking it
OPENDATA_KEPT_FIELDS: Final = (
    "alternate_name", "email", "application_process", "fees_description",
    "eligibility_description", "minimum_age", "maximum_age", "alert", "assured_date",
    "assurer_email",
)  # fmt: skip
AUDIT_OBJECT_TYPE: Final = "directory.import"
ENTITIES: Final = ("service", "organization", "location")
ENTITY_LABELS = {
    "service": gettext_noop("サービス"),
    "organization": gettext_noop("団体"),
    "location": gettext_noop("場所"),
}
WARNING_LABELS = {
    "leading_zero": gettext_noop("先頭の 0 を補ったコード"),
    "other_municipality": gettext_noop("ほかの自治体の行"),
    "swapped_coordinates": gettext_noop("緯度と経度の入れ替え"),
    "coordinates": gettext_noop("位置を登録しない行"),
    "schedule_text": gettext_noop("文のまま登録する日時"),
    "missing_id": gettext_noop("識別子のない行"),
    "missing_column": gettext_noop("ない列"),
    "invalid": gettext_noop("読み飛ばした値"),
    "unknown_town": gettext_noop("登録されていない町丁目"),
    "hsds": gettext_noop("HSDS の記載の不足"),
    "url": gettext_noop("読み飛ばした URL"),
    "control_character": gettext_noop("制御文字を取り除いた値"),
}


def kind_label(kind: str) -> str:
    """「自動で判定する」, 「HSDS」 or the open-data dataset's name."""
    if kind == "auto":
        return _("自動で判定する")
    if kind == "hsds":
        return "HSDS"
    return opendata.kind_label(kind) if kind in opendata.KINDS else kind


def warning_label(code: str) -> str:
    label = WARNING_LABELS.get(code)
    return _(label) if label else code


def status_audit_key(service_id: uuid.UUID) -> str:
    """The key under which an import's audit row records a service's status change."""
    return f"service:{service_id}:status"


@dataclass(frozen=True)
class Change:
    entity: str  # service, organization, location
    action: str  # add, update, unchanged, retire (services only)
    key: str  # the file's identifier
    name: str
    row: int | None
    fields: tuple[str, ...] = ()  # what differs, for updates

    @property
    def action_label(self) -> str:
        return _(ACTION_LABELS[self.action])

    @property
    def entity_label(self) -> str:
        return _(ENTITY_LABELS[self.entity])


#: Changes kept per entity and action, errors kept, and warnings kept per code: every one is
#: counted, but a file of 100,000 rows is not held as 100,000 objects (the staff page lists
#: 200 of each, the command line 5, or this many with --verbosity 2).
KEEP_LIMIT: Final = 1000


@dataclass
class ImportResult:
    """What an import found and did. ``errors``, ``warnings`` and ``changes`` keep the first
    ``KEEP_LIMIT`` (of each entity and action, of each warning code); ``error_count``,
    ``warning_counts()`` and ``counts()`` count them all."""

    filename: str
    sha256: str
    kind: str = "auto"
    notes: list[str] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    rows_read: int = 0
    rows_skipped: int = 0
    rows_total: int = 0  # data rows (HSDS: services) in the file
    applied: bool = False
    retire_missing: bool = False  # asked to retire the services the file no longer lists
    error_count: int = 0
    warning_codes: Counter[str] = field(default_factory=Counter)
    change_counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    fingerprint: str = ""  # of the whole result, once the import has run (finish_fingerprint)
    # every change so far (with the values an update replaces), all of them, not only those kept
    change_digest: uploads.Fingerprinter = field(
        default_factory=uploads.Fingerprinter, repr=False, compare=False
    )

    @property
    def ok(self) -> bool:
        return not self.errors and not self.error_count

    @property
    def has_changes(self) -> bool:
        return any(
            count for (_e, action), count in self.change_counts.items() if action != UNCHANGED
        )

    @property
    def warning_count(self) -> int:
        return sum(self.warning_codes.values())

    def add_error(self, issue: Issue) -> None:
        self.error_count += 1
        if len(self.errors) < KEEP_LIMIT:
            self.errors.append(issue)

    def add_warning(self, issue: Issue) -> None:
        self.warning_codes[issue.code] += 1
        if self.warning_codes[issue.code] <= KEEP_LIMIT:
            self.warnings.append(issue)

    def add_change(self, change: Change, before: dict[str, Any] | None = None) -> None:
        """Count (and keep) a change; ``before``: the values an update replaces, for the
        fingerprint."""
        key = (change.entity, change.action)
        self.change_counts[key] += 1
        self.change_digest.add(
            [change.entity, change.action, change.key, change.row, change.fields, before or {}]
        )
        if self.change_counts[key] <= KEEP_LIMIT:
            self.changes.append(change)

    def finish_fingerprint(self) -> str:
        """The fingerprint of the whole result: every change, the counts and the warnings."""
        self.fingerprint = uploads.fingerprint(
            [self.kind, self.retire_missing, self.rows_read, self.rows_skipped],
            self.change_digest.hexdigest(),
            sorted(self.change_counts.items()),
            sorted(self.warning_codes.items()),
        )
        return self.fingerprint

    def take(self, bundle: Bundle) -> None:
        """A chunk's notes, errors, warnings and rows."""
        self.notes += bundle.notes
        for issue in bundle.errors:
            self.add_error(issue)
        for issue in bundle.warnings:
            self.add_warning(issue)
        self.rows_read += bundle.rows_read
        self.rows_skipped += bundle.rows_skipped

    def forget_changes(self) -> None:
        """A refused file changes nothing: it lists no changes either."""
        self.changes.clear()
        self.change_counts.clear()
        self.change_digest = uploads.Fingerprinter()
        self.fingerprint = ""

    def counts(self, entity: str = "service") -> dict[str, int]:
        """{"add": n, "update": n, "unchanged": n} and, for services, "retire": n."""
        actions = _COUNTED.get(entity, (ADD, UPDATE, UNCHANGED))
        return {action: self.change_counts.get((entity, action), 0) for action in actions}

    def changes_of(self, entity: str, action: str | None = None) -> list[Change]:
        """The changes kept (the first ``KEEP_LIMIT`` of each action)."""
        return [
            change
            for change in self.changes
            if change.entity == entity and (action is None or change.action == action)
        ]

    def warning_counts(self) -> dict[str, int]:
        return dict(self.warning_codes)

    def summary(self) -> str:
        if not self.ok:
            return _("取り込めませんでした（誤り {count} 件）。何も変更していません。").format(
                count=self.error_count
            )
        if not self.has_changes:
            return _("変更はありません。")
        counts = self.counts("service")
        if self.retire_missing:
            template = (
                _(
                    "取り込みました: サービス 追加 {add} 件、変更 {update} 件、変更なし {unchanged} 件、休止 {retire} 件"
                )
                if self.applied
                else _(
                    "確認のみ（保存していません）: サービス 追加 {add} 件、変更 {update} 件、変更なし {unchanged} 件、休止 {retire} 件"
                )
            )
        else:
            template = (
                _(
                    "取り込みました: サービス 追加 {add} 件、変更 {update} 件、変更なし {unchanged} 件"
                )
                if self.applied
                else _(
                    "確認のみ（保存していません）: サービス 追加 {add} 件、変更 {update} 件、変更なし {unchanged} 件"
                )
            )
        return template.format(**counts)

    # stored with an import job (jobs.py): the counts, and the first ``limit`` of each list
    def to_json(self, limit: int) -> dict[str, Any]:
        kept_changes: Counter[tuple[str, str]] = Counter()
        changes = []
        for change in self.changes:
            kept_changes[(change.entity, change.action)] += 1
            if kept_changes[(change.entity, change.action)] <= limit:
                changes.append(
                    [
                        change.entity,
                        change.action,
                        change.key,
                        change.name,
                        change.row,
                        list(change.fields),
                    ]
                )
        return {
            "filename": self.filename,
            "sha256": self.sha256,
            "kind": self.kind,
            "notes": self.notes,
            "errors": [_issue_json(issue) for issue in self.errors[:limit]],
            "error_count": self.error_count,
            "warnings": [_issue_json(issue) for issue in self.warnings[:limit]],
            "warning_codes": dict(self.warning_codes),
            "changes": changes,
            "change_counts": [[e, a, n] for (e, a), n in sorted(self.change_counts.items())],
            "rows_read": self.rows_read,
            "rows_skipped": self.rows_skipped,
            "rows_total": self.rows_total,
            "applied": self.applied,
            "retire_missing": self.retire_missing,
            "fingerprint": self.fingerprint,
        }

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> ImportResult:
        return cls(
            filename=value["filename"],
            sha256=value["sha256"],
            kind=value["kind"],
            notes=list(value["notes"]),
            errors=[Issue(**issue) for issue in value["errors"]],
            error_count=value["error_count"],
            warnings=[Issue(**issue) for issue in value["warnings"]],
            warning_codes=Counter(value["warning_codes"]),
            changes=[
                Change(entity=e, action=a, key=k, name=n, row=r, fields=tuple(f))
                for e, a, k, n, r, f in value["changes"]
            ],
            change_counts=Counter({(e, a): n for e, a, n in value["change_counts"]}),
            rows_read=value["rows_read"],
            rows_skipped=value["rows_skipped"],
            rows_total=value["rows_total"],
            applied=value["applied"],
            retire_missing=value["retire_missing"],
            fingerprint=value.get("fingerprint", ""),
        )


def _issue_json(issue: Issue) -> dict[str, Any]:
    return {
        "code": issue.code,
        "message": issue.message,
        "row": issue.row,
        "column": issue.column,
        "sheet": issue.sheet,
    }


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
) -> ImportResult:
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
) -> ImportResult:
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
) -> Issue:  # fmt: skip
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
    return Issue(
        code="too_many_rows",
        message=_(
            "{counted}。画面から取り込めるのは {limit} 行（HSDS はサービス {limit} 件）までです。"
            "サーバーのコマンドラインで取り込んでください（行数の上限はありません）: {command}"
        ).format(counted=counted, limit=f"{limit:,}", command=command),
    )


def _nothing_to_retire_against(kind: str) -> Issue:
    return Issue(
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
) -> ImportResult:
    def report(done: int, step: str) -> None:
        if progress is not None:
            progress(done, result.rows_total, step)

    result = ImportResult(
        filename=filename,
        sha256=source.sha256(),
        kind=kind,
        retire_missing=retire_missing,
    )
    try:
        uploads.check_size(file_format=upload_format(source.head(), filename), size=source.size())
    except uploads.UploadRefused as error:
        result.add_error(Issue(code=error.code, message=error.message))
        return result
    if retire_missing and (
        kind == "hsds" or (kind == "auto" and detect_format(source.head(), filename) == "hsds")
    ):
        result.add_error(
            Issue(
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
        result.add_error(Issue(code=error.code, message=error.message))
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
            writer = _Writer(
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
                    result.add_error(Issue(code=outdated.code, message=outdated.message))
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
        result.add_error(Issue(code=error.code, message=error.message))
        result.applied = False
    if not result.ok:
        result.forget_changes()
    return result


def _audit(
    actor: Any,
    municipality: Municipality,
    result: ImportResult,
    writer: _Writer,
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


def _index(municipality: Municipality, service_ids: list[uuid.UUID]) -> None:
    from sasaeai.directory.search import index_services

    index_services(municipality, service_ids)


# --- writing ---------------------------------------------------------------------------------


_CREATION_ORDER: tuple[type[Any], ...] = (
    Organization,
    Location,
    Address,
    Service,
    Contact,
    Phone,
    Language,
    Schedule,
    ServiceAtLocation,
    Accessibility,
    CostOption,
    Attribute,
)
# what the writer prefetches to compare an owner's rows with the file's
_PHONES: Final = ("phones", "phones__languages")
_CONTACTS: Final = ("contacts", "contacts__phones", "contacts__phones__languages")
_AUDIT_KEY_CHUNK: Final = 100  # keys per has_any_keys query (SQLite's expression depth)


def _phone_record(row: Phone) -> PhoneRecord:
    languages = [LanguageRecord.of_row(item) for item in row.languages.all()]
    return PhoneRecord.of_row(row, languages=languages)


def _contact_record(row: Contact) -> ContactRecord:
    return ContactRecord.of_row(row, phones=[_phone_record(p) for p in row.phones.all()])


# the details an owner's rows are compared and replaced by, as a whole: the related name
# (and record field) → the record of a stored row
_DETAIL_RECORDS: dict[str, Callable[[Any], Detail]] = {
    "phones": _phone_record,
    "schedules": ScheduleRecord.of_row,
    "contacts": _contact_record,
    "languages": LanguageRecord.of_row,
    "accessibility": AccessibilityRecord.of_row,
    "cost_options": CostOptionRecord.of_row,
}
_DETAIL_MODELS: dict[str, type[Any]] = {
    "schedules": Schedule,
    "languages": Language,
    "accessibility": Accessibility,
    "cost_options": CostOption,
}
_ORGANIZATION_DETAILS: Final = ("phones", "contacts")
_LOCATION_DETAILS: Final = ("phones", "schedules", "contacts", "languages", "accessibility")
_SERVICE_DETAILS: Final = ("phones", "schedules", "contacts", "languages", "cost_options")


def _differs(obj: Any, values: dict[str, Any]) -> list[str]:
    return [name for name, value in values.items() if getattr(obj, name) != value]


class _Writer:
    """Writes a file chunk by chunk: each chunk's new rows in bulk, parents before children,
    then (when applying) the search index of its services. What later chunks need of earlier
    ones is kept as identifiers only: the organisations' and locations' ids by key, the
    services the file lists, the terms found."""

    def __init__(
        self,
        municipality: Municipality,
        result: ImportResult,
        *,
        kind: str,
        retire_missing: bool = False,
        index: bool = False,
    ) -> None:
        self.municipality = municipality
        self.result = result
        self.kind = kind
        self.retire_missing = retire_missing
        self.index = index
        self.towns = TownMatcher(municipality)
        self.pending: dict[type[Any], list[Any]] = {model: [] for model in _CREATION_ORDER}
        self.claimed: set[uuid.UUID] = set()
        self.organization_ids: dict[str, uuid.UUID] = {}
        self.location_ids: dict[str, uuid.UUID] = {}
        self.listed: set[str] = set()  # the services the file lists (retire_missing)
        self.found_terms: dict[TermRef, TaxonomyTerm] = {}
        self.missing_terms: set[TermRef] = set()
        self.filled: set[type[Any]] = set()  # tables written to (ANALYZE on PostgreSQL)
        self.touched: list[uuid.UUID] = []  # services of this chunk added, updated, retired
        # services retired or reactivated: id → (status before, after), for the audit row
        self.status_changes: dict[uuid.UUID, tuple[str, str]] = {}

    def write(self, bundle: Bundle) -> None:
        """One chunk: its organisations, locations and services."""
        self._organizations(bundle.organizations)
        self._locations(bundle.locations)
        self.listed.update(bundle.services)
        self._services(bundle.services)
        self._flush()

    def retire(self) -> None:
        """After the last chunk: retire the dataset's services the file no longer lists."""
        self._retire_missing()
        self._flush()

    def _flush(self) -> None:
        for model in _CREATION_ORDER:  # new rows in bulk, parents before children
            rows = self.pending[model]
            if rows:
                model.objects.bulk_create(rows, batch_size=500)
                self.filled.add(model)
                self.pending[model] = []
        if self.index and self.touched and self.result.ok:
            _index(self.municipality, self.touched)
            self.filled.update((Service, SearchEntry, SearchText))
        self.touched = []

    def _add(self, obj: Any) -> None:
        self.pending[type(obj)].append(obj)

    def _usable_uuid(self, value: str, model: type[Any]) -> uuid.UUID:
        """The file's id when it is a UUID no row uses yet, else a new one."""
        try:
            candidate = uuid.UUID(str(value))
        except (ValueError, AttributeError, TypeError):
            return uuid.uuid4()
        if candidate in self.claimed or model.objects.filter(pk=candidate).exists():
            return uuid.uuid4()
        self.claimed.add(candidate)
        return candidate

    # organisations
    def _organizations(self, records: dict[str, OrganizationRecord]) -> None:
        existing = {
            org.source_id: org
            for org in Organization.objects.filter(
                municipality=self.municipality, source_kind=self.kind, source_id__in=list(records)
            ).prefetch_related(*_PHONES, *_CONTACTS)
        }
        for key, record in records.items():
            org = existing.get(key)
            values = record.fields()
            if not self._fits(Organization, values, record.row, record.name):
                continue
            if org is None:
                org = Organization(
                    id=self._usable_uuid(record.hsds_id, Organization),
                    municipality=self.municipality,
                    source_kind=self.kind,
                    source_id=key,
                    **values,
                )
                self._add(org)
                self._add_details(record, _ORGANIZATION_DETAILS, organization=org)
                self._change("organization", ADD, key, record.name, record.row)
            else:
                changed = _differs(org, values)
                before = {name: getattr(org, name) for name in changed}
                changed += self._replace_details(org, record, _ORGANIZATION_DETAILS, before)
                if changed:
                    for name, value in values.items():
                        setattr(org, name, value)
                    org.is_demo = False
                    org.save()
                    self.filled.add(Organization)
                self._change(
                    "organization",
                    UPDATE if changed else UNCHANGED,
                    key,
                    record.name,
                    record.row,
                    changed,
                    before,
                )
            self.organization_ids[key] = org.pk

    # locations
    def _locations(self, records: dict[str, LocationRecord]) -> None:
        existing = {
            location.source_id: location
            for location in Location.objects.filter(
                municipality=self.municipality, source_kind=self.kind, source_id__in=list(records)
            ).prefetch_related(
                "addresses", *_PHONES, "schedules", *_CONTACTS, "languages", "accessibility"
            )
        }
        for key, record in records.items():
            location = existing.get(key)
            values = record.fields()
            if not self._fits(Location, values, record.row, record.name):
                continue
            values["organization_id"] = (
                self.organization_ids.get(record.organization_key)
                if record.organization_key
                else None
            )
            town, district = self._place(record)
            values["town_id"] = town.pk if town else None
            values["district_id"] = (
                district.pk if district else (town.district_id if town else None)
            )
            wanted_address = [record.address.canonical()] if record.address else []
            if location is None:
                location = Location(
                    id=self._usable_uuid(record.hsds_id, Location),
                    municipality=self.municipality,
                    source_kind=self.kind,
                    source_id=key,
                    **values,
                )
                self._add(location)
                self._set_address(record, location)
                self._add_details(record, _LOCATION_DETAILS, location=location)
                self._change("location", ADD, key, record.name, record.row)
            else:
                changed = _differs(location, values)
                before = {name: getattr(location, name) for name in changed}
                current_address = [_address_canonical(a) for a in location.addresses.all()]
                if current_address != wanted_address:
                    changed.append("address")
                    before["address"] = current_address
                    location.addresses.all().delete()
                    self._set_address(record, location)
                changed += self._replace_details(location, record, _LOCATION_DETAILS, before)
                if changed:
                    for name, value in values.items():
                        setattr(location, name, value)
                    location.is_demo = False
                    location.save()
                    self.filled.add(Location)
                self._change(
                    "location",
                    UPDATE if changed else UNCHANGED,
                    key,
                    record.name,
                    record.row,
                    changed,
                    before,
                )
            self.location_ids[key] = location.pk

    def _place(self, record: LocationRecord) -> tuple[Any, Any]:
        """(town, district) of a location: named by the file, else matched on the address."""
        town = None
        if record.town_name:
            town = self.towns.named(record.town_name)
            if town is None:
                self.result.add_warning(
                    Issue(
                        code="unknown_town",
                        message=_(
                            "町丁目「{name}」はこの自治体に登録されていません。住所から探します。"
                        ).format(name=record.town_name),
                        row=record.row,
                    )
                )
        if town is None and record.address is not None:
            town = self.towns.match(record.address.address_1, record.town_code)
        district = town.district if town else None
        if district is None and record.district_name:
            from sasaeai.accounts.models import District

            district = District.objects.filter(
                municipality=self.municipality, name=record.district_name
            ).first()
        return town, district

    def _set_address(self, record: LocationRecord, location: Location) -> None:
        if record.address is not None:
            self._add_row(Address, record.address, location=location)

    def _add_row(self, model: type[Any], item: Detail, **owner: Any) -> Any:
        """A new row of ``model`` from a detail record, for its owner."""
        row = model(
            id=self._usable_uuid(item.hsds_id, model),
            municipality=self.municipality,
            **owner,
            **item.values(),
        )
        self._add(row)
        return row

    def _set_phones(self, phones: list[PhoneRecord], **owner: Any) -> None:
        for item in phones:
            phone = self._add_row(Phone, item, **owner)
            self._set_rows(Language, item.languages, phone=phone)

    def _set_contacts(self, contacts: list[ContactRecord], **owner: Any) -> None:
        for item in contacts:
            contact = self._add_row(Contact, item, **owner)
            self._set_phones(item.phones, contact=contact)

    def _set_rows(self, model: type[Any], items: Sequence[Detail], **owner: Any) -> None:
        for item in items:
            self._add_row(model, item, **owner)

    def _details_setter(self, name: str) -> Callable[..., None]:
        if name == "phones":
            return self._set_phones
        if name == "contacts":
            return self._set_contacts
        return functools.partial(self._set_rows, _DETAIL_MODELS[name])

    def _add_details(self, record: Any, names: Sequence[str], **owner: Any) -> None:
        """Create the rows ``record`` lists under each of ``names`` for a new owner."""
        for name in names:
            self._details_setter(name)(getattr(record, name), **owner)

    def _replace_details(
        self, obj: Any, record: Any, names: Sequence[str], before: dict[str, Any]
    ) -> list[str]:
        """Replace each of ``names`` (contacts, languages …) of ``obj`` (prefetched) whose
        rows differ from ``record``'s; the names replaced (``before``: the rows replaced)."""
        owner = {type(obj).__name__.lower(): obj}
        replaced = []
        for name in names:
            rows = getattr(obj, name).all()
            current = canonical_list(map(_DETAIL_RECORDS[name], rows))
            if current != canonical_list(getattr(record, name)):
                replaced.append(name)
                before[name] = current
                rows.delete()
                self._details_setter(name)(getattr(record, name), **owner)
        return replaced

    # services
    def _services(self, records: dict[str, ServiceRecord]) -> None:
        existing = {
            service.source_id: service
            for service in Service.objects.filter(
                municipality=self.municipality, source_kind=self.kind, source_id__in=list(records)
            ).prefetch_related(
                *_PHONES, "schedules", "at_locations", *_CONTACTS, "languages", "cost_options"
            )
        }
        terms = self._terms([term for record in records.values() for term in record.terms])
        # an open-data file has no status column: it reactivates only what an import retired
        implied_status = self.kind in RETIRABLE_KINDS
        reactivate = (
            self._retired_by_import(
                [s for s in existing.values() if s.status == ServiceStatus.INACTIVE]
            )
            if implied_status
            else set()
        )
        attributes: dict[uuid.UUID, set[uuid.UUID]] = {}
        for attribute in Attribute.objects.filter(
            link_entity=LinkEntity.SERVICE, link_id__in=[s.pk for s in existing.values()]
        ):
            attributes.setdefault(attribute.link_id, set()).add(attribute.taxonomy_term_id)
        for key, record in records.items():
            service = existing.get(key)
            values = record.fields()
            if not self._fits(Service, values, record.row, record.name):
                continue
            if service is not None and implied_status:
                if service.pk in reactivate:
                    values["status"] = ServiceStatus.ACTIVE
                else:
                    del values["status"]  # keep what a person set (休止中, 終了, 一時休止)
                for name in OPENDATA_KEPT_FIELDS:  # not in the file: keep the staff's text
                    del values[name]
            organization_id = self.organization_ids.get(record.organization_key)
            if organization_id is None:
                self.result.add_error(
                    Issue(
                        code="missing_organization",
                        message=_(
                            "サービス「{name}」の団体（{id}）がファイルにありません。"
                        ).format(name=record.name, id=record.organization_key),
                        row=record.row,
                    )
                )
                continue
            values["organization_id"] = organization_id
            wanted_terms = {terms[ref].pk for ref in record.terms if ref in terms}
            wanted_locations = {
                self.location_ids[k] for k in record.location_keys if k in self.location_ids
            }
            if service is None:
                service = Service(
                    id=self._usable_uuid(record.hsds_id, Service),
                    municipality=self.municipality,
                    source_kind=self.kind,
                    source_id=key,
                    **values,
                )
                self._add(service)
                self._add_details(record, _SERVICE_DETAILS, service=service)
                self._set_locations(service, wanted_locations)
                self._set_terms(service, wanted_terms, set())
                self._change("service", ADD, key, record.name, record.row)
                self.touched.append(service.pk)
                continue
            changed = _differs(service, values)
            before = {name: getattr(service, name) for name in changed}
            changed += self._replace_details(service, record, _SERVICE_DETAILS, before)
            current_locations = {sal.location_id for sal in service.at_locations.all()}
            if current_locations != wanted_locations:
                changed.append("locations")
                before["locations"] = sorted(map(str, current_locations))
                ServiceAtLocation.objects.filter(service=service).exclude(
                    location_id__in=wanted_locations
                ).delete()
                self._set_locations(service, wanted_locations - current_locations)
            current_terms = attributes.get(service.pk, set())
            if implied_status:  # the file's kind gives its terms; those staff added stay
                wanted_terms = wanted_terms | current_terms
            if current_terms != wanted_terms:
                changed.append("terms")
                before["terms"] = sorted(map(str, current_terms))
                self._set_terms(service, wanted_terms, current_terms)
            if changed:
                if implied_status and "status" in changed:
                    self.status_changes[service.pk] = (service.status, values["status"])
                for name, value in values.items():
                    setattr(service, name, value)
                service.is_demo = False
                service.save()
                self.filled.add(Service)
                self.touched.append(service.pk)
            self._change(
                "service",
                UPDATE if changed else UNCHANGED,
                key,
                record.name,
                record.row,
                changed,
                before,
            )

    def _retired_by_import(self, services: Sequence[Service]) -> set[uuid.UUID]:
        """Those of ``services`` (休止中) whose last status change is an import's retirement:
        an import audit row records it under ``status_audit_key``, and no audit row of a
        person's edit (``directory.Service`` with a ``status`` change) came after it."""
        by_key = {status_audit_key(service.pk): service.pk for service in services}
        if not by_key:
            return set()
        last_import: dict[uuid.UUID, tuple[int, Any]] = {}  # id → (audit row, [before, after])
        keys = sorted(by_key)
        for start in range(0, len(keys), _AUDIT_KEY_CHUNK):
            chunk = keys[start : start + _AUDIT_KEY_CHUNK]
            rows = AuditEvent.objects.filter(
                municipality=self.municipality,
                action=Action.IMPORT,
                object_type=AUDIT_OBJECT_TYPE,
                changes__has_any_keys=chunk,
            ).values_list("pk", "changes")
            for event_id, changes in rows:
                for key in chunk:
                    pk = by_key[key]
                    if key in changes and event_id > last_import.get(pk, (0, None))[0]:
                        last_import[pk] = (event_id, changes[key])
        last_edit = dict(
            AuditEvent.objects.filter(
                municipality=self.municipality,
                object_type=Service._meta.label,
                object_id__in=[str(pk) for pk in last_import],
                changes__has_key="status",
            )
            .order_by()
            .values("object_id")
            .annotate(last=Max("pk"))
            .values_list("object_id", "last")
        )
        return {
            pk
            for pk, (event_id, change) in last_import.items()
            if change[-1] == ServiceStatus.INACTIVE and event_id > last_edit.get(str(pk), 0)
        }

    def _retire_missing(self) -> None:
        """Set the dataset's services the file no longer lists (実施中・一時休止) to 休止中."""
        listed = self.listed
        missing = [
            service
            for service in Service.objects.filter(
                municipality=self.municipality,
                source_kind=self.kind,
                status__in=RETIRED_STATUSES,
            )
            .exclude(source_id="")
            .only("pk", "source_id", "name", "status")
            .order_by("source_id")
            if service.source_id not in listed
        ]
        now = timezone.now()
        for start in range(0, len(missing), 500):
            Service.objects.filter(pk__in=[s.pk for s in missing[start : start + 500]]).update(
                status=ServiceStatus.INACTIVE, updated_at=now
            )
        for service in missing:
            self.status_changes[service.pk] = (service.status, ServiceStatus.INACTIVE)
            self._change(
                "service",
                RETIRE,
                service.source_id,
                service.name,
                None,
                ("status",),
                {"status": service.status},
            )
            self.touched.append(service.pk)
        if missing:
            self.filled.add(Service)

    def _set_locations(self, service: Service, location_ids: set[uuid.UUID]) -> None:
        for pk in sorted(location_ids, key=str):
            self._add(
                ServiceAtLocation(municipality=self.municipality, service=service, location_id=pk)
            )

    def _set_terms(self, service: Service, wanted: set[uuid.UUID], current: set[uuid.UUID]) -> None:
        stale = current - wanted
        if stale:
            Attribute.objects.filter(
                link_entity=LinkEntity.SERVICE, link_id=service.pk, taxonomy_term_id__in=stale
            ).delete()
        for term_id in sorted(wanted - current, key=str):
            self._add(
                Attribute(
                    municipality=self.municipality,
                    taxonomy_term_id=term_id,
                    link_id=service.pk,
                    link_entity=LinkEntity.SERVICE,
                )
            )

    def _terms(self, refs: list[TermRef]) -> dict[TermRef, TaxonomyTerm]:
        """Each reference's term: the profile's by code, else found or made by taxonomy name
        (found once per file: later chunks reuse it)."""
        from sasaeai.directory.taxonomies import ensure_taxonomies

        new = [
            ref
            for ref in dict.fromkeys(refs)
            if ref not in self.found_terms and ref not in self.missing_terms
        ]
        if not new:
            return self.found_terms
        profile = ensure_taxonomies(self.municipality)
        found = self.found_terms
        for ref in new:
            profile_term = profile.get(ref.code)
            profile_taxonomy = profile_term.taxonomy if profile_term else None
            if profile_term is not None and (
                not ref.taxonomy or (profile_taxonomy and ref.taxonomy == profile_taxonomy.name)
            ):
                found[ref] = profile[ref.code]
                continue
            if not ref.taxonomy:
                self.missing_terms.add(ref)
                self.result.add_error(
                    Issue(
                        code="unknown_term",
                        message=_("分類のコード「{code}」がありません。").format(code=ref.code),
                    )
                )
                continue
            taxonomy, _created = Taxonomy.objects.get_or_create(
                municipality=self.municipality,
                name=ref.taxonomy,
                defaults={"description": ref.taxonomy},
            )
            term = None
            if ref.code:
                term = TaxonomyTerm.objects.filter(taxonomy=taxonomy, code=ref.code).first()
            if term is None and ref.name:
                term = TaxonomyTerm.objects.filter(
                    taxonomy=taxonomy, name=ref.name, code=ref.code
                ).first()
            if term is None:
                term = TaxonomyTerm.objects.create(
                    municipality=self.municipality,
                    taxonomy=taxonomy,
                    code=ref.code,
                    name=ref.name or ref.code,
                    description=ref.description or ref.name or ref.code,
                )
                self.filled.update((Taxonomy, TaxonomyTerm))
            found[ref] = term
        return found

    def _fits(self, model: type[Any], values: dict[str, Any], row: int | None, name: str) -> bool:
        """False (with an error) if a text is longer than its column allows."""
        fits = True
        for field_name, value in values.items():
            field = model._meta.get_field(field_name)
            limit = getattr(field, "max_length", None)
            if limit and isinstance(value, str) and len(value) > limit:
                fits = False
                self.result.add_error(
                    Issue(
                        code="too_long",
                        message=_("「{name}」の{field}が {limit} 文字を超えています。").format(
                            name=name[:40], field=field.verbose_name, limit=limit
                        ),
                        row=row,
                    )
                )
        return fits

    def _change(
        self,
        entity: str,
        action: str,
        key: str,
        name: str,
        row: int | None,
        fields: Iterable[str] = (),
        before: dict[str, Any] | None = None,
    ) -> None:
        self.result.add_change(
            Change(entity=entity, action=action, key=key, name=name, row=row, fields=tuple(fields)),
            before,
        )


def _address_canonical(address: Address) -> tuple[Any, ...]:
    return AddressRecord.of_row(address).canonical()
