"""What a directory import found and did: :class:`DirectoryImportResult`.

Per entity (サービス・団体・場所) every change is counted and the first ``KEEP_LIMIT`` of each
entity and action kept (``core.imports.RowChange``), with the errors and warnings
(``core.imports.ImportIssue``), the notes, and the fingerprint of the whole result that an
apply compares with its preview's (``core.uploads``). An import job stores it as JSON
(``to_json``/``from_json``, ``importing.jobs``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Final

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from sasaeai.core import uploads
from sasaeai.core.imports import ADD, RETIRE, UNCHANGED, UPDATE, ImportIssue, RowChange
from sasaeai.directory.importing.records import Bundle

# what counts(entity) reports, in this order; only services are retired
_COUNTED: Final = {
    "service": (ADD, UPDATE, UNCHANGED, RETIRE),
    "organization": (ADD, UPDATE, UNCHANGED),
    "location": (ADD, UPDATE, UNCHANGED),
}
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


def entity_label(entity: str) -> str:
    """サービス, 団体 or 場所."""
    label = ENTITY_LABELS.get(entity)
    return _(label) if label else entity


def warning_label(code: str) -> str:
    label = WARNING_LABELS.get(code)
    return _(label) if label else code


#: Changes kept per entity and action, errors kept, and warnings kept per code: every one is
#: counted, but a file of 100,000 rows is not held as 100,000 objects (the staff page lists
#: 200 of each, the command line 5, or this many with --verbosity 2).
KEEP_LIMIT: Final = 1000


@dataclass
class DirectoryImportResult:
    """What an import found and did. ``errors``, ``warnings`` and ``changes`` keep the first
    ``KEEP_LIMIT`` (of each entity and action, of each warning code); ``error_count``,
    ``warning_counts()`` and ``counts()`` count them all."""

    filename: str
    sha256: str
    kind: str = "auto"
    notes: list[str] = field(default_factory=list)
    errors: list[ImportIssue] = field(default_factory=list)
    warnings: list[ImportIssue] = field(default_factory=list)
    changes: list[RowChange] = field(default_factory=list)
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

    def add_error(self, issue: ImportIssue) -> None:
        self.error_count += 1
        if len(self.errors) < KEEP_LIMIT:
            self.errors.append(issue)

    def add_warning(self, issue: ImportIssue) -> None:
        self.warning_codes[issue.code] += 1
        if self.warning_codes[issue.code] <= KEEP_LIMIT:
            self.warnings.append(issue)

    def add_change(self, change: RowChange, before: dict[str, Any] | None = None) -> None:
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

    def changes_of(self, entity: str, action: str | None = None) -> list[RowChange]:
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
    def from_json(cls, value: dict[str, Any]) -> DirectoryImportResult:
        return cls(
            filename=value["filename"],
            sha256=value["sha256"],
            kind=value["kind"],
            notes=list(value["notes"]),
            errors=[ImportIssue(**issue) for issue in value["errors"]],
            error_count=value["error_count"],
            warnings=[ImportIssue(**issue) for issue in value["warnings"]],
            warning_codes=Counter(value["warning_codes"]),
            changes=[
                RowChange(entity=e, action=a, key=k, name=n, row=r, fields=tuple(f))
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


def _issue_json(issue: ImportIssue) -> dict[str, Any]:
    return {
        "code": issue.code,
        "message": issue.message,
        "row": issue.row,
        "column": issue.column,
        "sheet": issue.sheet,
    }
