"""Domain errors with codes, so the UI, CLI and API each phrase the same error well."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class ErrorLocation:
    """Where bad input was found: any of sheet, row, column and field may be known."""

    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    field: str | None = None

    def describe(self) -> str:
        parts: list[str] = []
        if self.sheet:
            parts.append(_("シート「{sheet}」").format(sheet=self.sheet))
        if self.row is not None:
            parts.append(_("{row}行目").format(row=self.row))
        if self.column:
            parts.append(_("列「{column}」").format(column=self.column))
        if self.field:
            parts.append(_("項目「{field}」").format(field=self.field))
        return " ".join(parts)


@dataclass
class DomainError(Exception):
    """A refused operation: a stable ``code`` for programs and a Japanese ``message`` for people."""

    code: str
    message: str
    location: ErrorLocation | None = None
    details: list[DomainError] = field(default_factory=list)

    def __str__(self) -> str:
        where = self.location.describe() if self.location else ""
        return f"{where}: {self.message}" if where else self.message


class PermissionRefused(DomainError):
    """The acting user may not do this."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            code="permission_denied", message=message or _("この操作を行う権限がありません。")
        )
