"""Domain errors with codes, so the UI, CLI and API each phrase the same error well."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
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


class StaleEdit(DomainError):
    """Someone else saved the row after this edit started: nothing is saved, and the screen
    keeps the user's text beside the latest saved one. One code, ``stale``, one message
    shape: what was edited, who (or when) saved it first, and that nothing was saved.

    Both schemes are optimistic (no lock is held while a person types) and are checked in the
    write, under ``select_for_update``, before anything is saved; they differ in what the
    edit carries from the moment it started:

    - **a version integer** (``plans``: Evaluation, Review, Summary). Every write to these
      rows goes through a service that adds one to ``version``, and the version travels
      outside the web page too: the department workbook carries each row's version, so an
      import can tell an evaluation changed on the web since the export (a conflict) from
      one that did not. The message names who saved (``saved_by``: ``updated_by``).
    - **the row's ``updated_at``** (``directory``: Organization, Service). These rows are also
      rewritten in bulk by imports, retirements and confirmations; every such write moves
      ``updated_at`` (``auto_now`` or set explicitly), so no writer can forget to bump a
      counter, and no column is needed. The rows keep no editor, so the message names when
      (``saved_at``).
    """

    def __init__(
        self, *, what: str, saved_by: object = None, saved_at: datetime.datetime | None = None
    ) -> None:
        if saved_at is not None:
            opening = _("この{what}は、画面を開いた後にほかの人が保存しました（{when}）。").format(
                what=what, when=timezone.localtime(saved_at).strftime("%Y-%m-%d %H:%M")
            )
        else:
            opening = _("ほかの人がこの{what}を先に保存しました（{name}）。").format(
                what=what, name=saved_by or _("不明")
            )
        super().__init__(
            code="stale",
            message=opening
            + _("入力内容は保存していません。最新の内容を確認してから、もう一度保存してください。"),
        )
