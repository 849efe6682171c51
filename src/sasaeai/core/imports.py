"""What an import of a file found and did, row by row: the shapes shared by the import flows.

Every import previews before it applies (``core.uploads``) and reports, per row of the file,
what it would add, update, leave unchanged, remove or retire, and every warning and error
with where it was found. Two shapes carry this for any import whose result is counted and
listed per entity (the directory's open-data and HSDS files, and the next domain apps):

- :class:`RowChange` — one row of the file: which entity, what happens to it, its key in the
  file, its name, its line and the fields that differ;
- :class:`ImportIssue` — a warning or an error, with a stable ``code`` and its place (sheet
  or JSON path, row, column).

The imports whose screens show more than this keep their own, distinctly named types: the
plan workbook (``plans.services.plan_import``: ``PlanImportResult``, ``PlanRowChange`` with
each field before → after, counted per sheet), the department workbook
(``plans.services.department_import``: ``DepartmentImportPreview``, ``DepartmentRowChange``
carrying the evaluation it saves) and the plain-language settings
(``plainlang.importing``: ``SettingsImportPreview``, ``SettingsChange`` with the setting
before → after).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from sasaeai.core.errors import ErrorLocation

ADD: Final = "add"
UPDATE: Final = "update"
UNCHANGED: Final = "unchanged"
REMOVE: Final = "remove"
RETIRE: Final = "retire"  # kept, but no longer shown to residents (休止中), not deleted
ACTION_LABELS: Final = {
    ADD: gettext_noop("追加"),
    UPDATE: gettext_noop("変更"),
    UNCHANGED: gettext_noop("変更なし"),
    REMOVE: gettext_noop("削除"),
    RETIRE: gettext_noop("休止にする"),
}


@dataclass(frozen=True)
class RowChange:
    """What an import does to one row of its file."""

    entity: str  # what the row is, in the importing app's words (service, organization …)
    action: str  # ADD, UPDATE, UNCHANGED, REMOVE or RETIRE
    key: str  # the file's own identifier of the row
    name: str  # how people call it
    row: int | None  # the line in the file; None for a row the file does not list
    fields: tuple[str, ...] = ()  # what differs, for an update

    @property
    def action_label(self) -> str:
        return _(ACTION_LABELS[self.action])


@dataclass(frozen=True)
class ImportIssue:
    """A warning or an error found in an imported file, with where it was found."""

    code: str
    message: str
    row: int | None = None
    column: str | None = None
    sheet: str | None = None  # a sheet, a table (a CSV file in a package) or a JSON path

    def describe(self) -> str:
        where = ErrorLocation(sheet=self.sheet, row=self.row, column=self.column).describe()
        return f"{where}: {self.message}" if where else self.message
