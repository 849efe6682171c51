"""The Excel round-trip for departments: export a unit's evaluations, preview and apply an import.

* Export writes one workbook per unit and cycle (``department_workbook_export``).
* ``department_import_preview`` reads a workbook, validates every row against the database
  and computes the differences (before → after), conflicts and errors. It writes nothing.
* ``department_import_apply`` does the same inside one transaction, with the evaluations
  locked, and saves every changed row through ``evaluation_save`` — so versions are bumped
  and audit rows written exactly as on the web. Any error or conflict anywhere in the file
  means nothing is saved, and so does a preview that is no longer the one confirmed: the
  preview's ``fingerprint`` hashes its whole result and the rows it was compared with
  (``core.uploads``), and the apply recomputes it under the lock before saving.
* A file larger than the xlsx limit of ``core.uploads`` is refused unread.

A **conflict** is a row whose evaluation changed on the web after the export: its version
differs from the version written in the file *and* its editable values differ from those
exported (compared through the digest in the hidden column). Unless the file already holds
the same values as the web, the whole file is refused until the user re-exports, or makes the
web and the file agree.

Reads here (the targets a user may download) run a constant number of queries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sasaeai.accounts.models import Municipality, OrganisationUnit, unit_names_prefetch
from sasaeai.audit import services as audit
from sasaeai.audit.models import Action
from sasaeai.core import uploads
from sasaeai.core.errors import DomainError, ErrorLocation, PermissionRefused
from sasaeai.core.wareki import format_fiscal_year
from sasaeai.plans import permissions
from sasaeai.plans.models import (
    CycleStatus,
    Evaluation,
    EvaluationCycle,
    EvaluationState,
    Plan,
)
from sasaeai.plans.services.evaluations import evaluation_save
from sasaeai.plans.workbook import department as workbook
from sasaeai.plans.workbook.department import COLUMN, EDITABLE_FIELDS

# the states a workbook row cannot change (``permissions.workbook_may_change``)
FROZEN_STATES = frozenset(EvaluationState.values) - permissions.DEPARTMENT_EDITABLE_STATES


def _field_labels() -> dict[str, str]:
    return {name: str(COLUMN[name].header) for name in EDITABLE_FIELDS}


# ------------------------------------------------------------------ permissions


def _is_system(actor: Any) -> bool:
    """A str actor is a system process (the CLI run by an operator): it may read."""
    return isinstance(actor, str)


def may_exchange_workbook(user: Any, cycle: EvaluationCycle, unit: OrganisationUnit) -> bool:
    """The secretariat may export/import any unit's workbook; a department only its own
    (``permissions.can_exchange_workbook``)."""
    return permissions.can_exchange_workbook(user, cycle, unit)


def _require_exchange(actor: Any, cycle: EvaluationCycle, unit: OrganisationUnit) -> None:
    if _is_system(actor):
        return
    if not may_exchange_workbook(actor, cycle, unit):
        raise PermissionRefused(
            _("{unit}の評価のワークブックを扱う権限がありません。").format(
                unit=_unit_name(unit, cycle.fiscal_year)
            )
        )


def _unit_name(unit: OrganisationUnit, fiscal_year: int) -> str:
    return unit.name_in(fiscal_year) or unit.current_name()


# ------------------------------------------------------------------ reads


@dataclass(frozen=True)
class WorkbookTarget:
    """A (cycle, unit) whose workbook a user may download, with counts."""

    cycle: EvaluationCycle
    unit: OrganisationUnit
    unit_name: str
    total: int
    frozen: int  # submitted or approved: cannot be changed through the workbook


def workbook_targets(*, user: Any, municipality: Municipality) -> list[WorkbookTarget]:
    """The open cycles' units the user may exchange workbooks for (constant query count)."""
    rows = Evaluation.objects.filter(
        cycle__municipality=municipality, cycle__status=CycleStatus.OPEN
    )
    rows = permissions.workbook_evaluations(user, rows, municipality.pk)
    counts = list(
        rows.values("cycle_id", "unit_id")
        .annotate(total=Count("id"), frozen=Count("id", filter=Q(state__in=FROZEN_STATES)))
        .order_by()
    )
    if not counts:
        return []
    cycles = EvaluationCycle.objects.select_related("plan").in_bulk(
        {row["cycle_id"] for row in counts}
    )
    units = OrganisationUnit.objects.prefetch_related(unit_names_prefetch()).in_bulk(
        {row["unit_id"] for row in counts}
    )
    targets = []
    for row in counts:
        cycle, unit = cycles[row["cycle_id"]], units[row["unit_id"]]
        targets.append(
            WorkbookTarget(
                cycle=cycle,
                unit=unit,
                unit_name=_unit_name(unit, cycle.fiscal_year),
                total=row["total"],
                frozen=row["frozen"],
            )
        )
    targets.sort(key=lambda t: (t.cycle.plan.start_fy, t.cycle.fiscal_year, t.unit.code))
    return targets


def units_with_evaluations(cycle: EvaluationCycle) -> list[OrganisationUnit]:
    """Every unit that has an evaluation in the cycle, by code (names prefetched)."""
    unit_ids = Evaluation.objects.filter(cycle=cycle).values("unit_id").distinct()
    return list(
        OrganisationUnit.objects.filter(pk__in=unit_ids)
        .prefetch_related(unit_names_prefetch())
        .order_by("code")
    )


# ------------------------------------------------------------------ export


@dataclass(frozen=True)
class ExportedWorkbook:
    unit: OrganisationUnit
    unit_name: str
    filename: str  # for people (Japanese)
    ascii_filename: str  # for the command line
    content: bytes
    rows: int


def _previous_by_initiative(
    cycle: EvaluationCycle, initiative_ids: list[int]
) -> dict[int, Evaluation]:
    """Last 年度's evaluation per initiative: the same plan's, else a predecessor's (one query)."""
    found = (
        Evaluation.objects.filter(
            cycle__municipality_id=cycle.municipality_id,
            cycle__fiscal_year=cycle.fiscal_year - 1,
        )
        .filter(
            Q(initiative_id__in=initiative_ids) | Q(initiative__successor_id__in=initiative_ids)
        )
        .select_related("cycle__plan", "initiative")
        .order_by("cycle__plan__start_fy", "initiative__number")
    )
    wanted = set(initiative_ids)
    direct: dict[int, Evaluation] = {}
    via_predecessor: dict[int, Evaluation] = {}
    for evaluation in found:
        if evaluation.initiative_id in wanted and evaluation.cycle.plan_id == cycle.plan_id:
            direct[evaluation.initiative_id] = evaluation
        elif evaluation.initiative.successor_id in wanted:
            via_predecessor.setdefault(evaluation.initiative.successor_id, evaluation)
    return via_predecessor | direct


def _state_text(evaluation: Evaluation) -> str:
    text = str(evaluation.get_state_display())
    if evaluation.state == EvaluationState.RETURNED and evaluation.return_comment:
        text = _("{state}（理由: {comment}）").format(state=text, comment=evaluation.return_comment)
    return text


def _grade_text(code: str, plan: Plan) -> str:
    return workbook.grade_display(code, plan.grades) if code else ""


def _actor_label(actor: Any) -> str:
    if _is_system(actor):
        return str(actor)
    return str(actor) if actor is not None else ""


def department_workbooks_export(
    *,
    actor: Any,
    cycle: EvaluationCycle,
    units: Iterable[OrganisationUnit] | None = None,
) -> list[ExportedWorkbook]:
    """One workbook per unit (all units with evaluations in the cycle when ``units`` is None).

    A fixed number of queries whatever the number of units and initiatives.
    """
    cycle = EvaluationCycle.objects.select_related("plan", "municipality").get(pk=cycle.pk)
    chosen = list(units) if units is not None else units_with_evaluations(cycle)
    for unit in chosen:
        _require_exchange(actor, cycle, unit)
    unit_ids = [unit.pk for unit in chosen]
    evaluations = list(
        Evaluation.objects.filter(cycle=cycle, unit_id__in=unit_ids)
        .select_related("initiative__initiative_type__policy__goal")
        .order_by("initiative__number")
    )
    previous = _previous_by_initiative(cycle, [e.initiative_id for e in evaluations])
    by_unit: dict[int, list[Evaluation]] = defaultdict(list)
    for evaluation in evaluations:
        by_unit[evaluation.unit_id].append(evaluation)
    plan = cycle.plan
    now = timezone.localtime()
    exported = []
    for unit in chosen:
        name = _unit_name(unit, cycle.fiscal_year)
        rows = [_export_row(e, previous.get(e.initiative_id)) for e in by_unit[unit.pk]]
        data = workbook.ExportData(
            meta=workbook.WorkbookMeta(
                municipality_code=cycle.municipality.code,
                plan_id=plan.pk,
                plan_name=plan.name,
                cycle_id=cycle.pk,
                fiscal_year=cycle.fiscal_year,
                unit_id=unit.pk,
                unit_code=unit.code,
                unit_name=name,
                exported_at=now.isoformat(timespec="seconds"),
                exported_by=_actor_label(actor),
            ),
            deadline=cycle.deadline,
            grades=list(plan.grades),
            directions=list(plan.directions),
            rows=rows,
            exported_at=now,
        )
        exported.append(
            ExportedWorkbook(
                unit=unit,
                unit_name=name,
                filename=_("{year}_{unit}_評価.xlsx").format(
                    year=format_fiscal_year(cycle.fiscal_year), unit=name
                ),
                ascii_filename=f"evaluations-{cycle.fiscal_year}-{unit.code}.xlsx",
                content=workbook.write_workbook(data),
                rows=len(rows),
            )
        )
    return exported


def department_workbook_export(
    *, actor: Any, cycle: EvaluationCycle, unit: OrganisationUnit
) -> ExportedWorkbook:
    """The workbook of one unit in one cycle. Refused when the actor may not handle the unit."""
    return department_workbooks_export(actor=actor, cycle=cycle, units=[unit])[0]


def _export_row(evaluation: Evaluation, previous: Evaluation | None) -> workbook.ExportRow:
    initiative = evaluation.initiative
    initiative_type = initiative.initiative_type
    policy = initiative_type.policy
    goal = policy.goal
    return workbook.ExportRow(
        evaluation_id=evaluation.pk,
        version=evaluation.version,
        number=initiative.number,
        title=initiative.title,
        goal=str(goal),
        policy=str(policy),
        initiative_type=str(initiative_type),
        state=_state_text(evaluation),
        editable=evaluation.state not in FROZEN_STATES,
        previous_results=previous.results if previous else "",
        previous_grade=_grade_text(previous.grade, previous.cycle.plan) if previous else "",
        previous_direction=previous.direction if previous else "",
        results=evaluation.results,
        grade=evaluation.grade,
        issues=evaluation.issues,
        direction=evaluation.direction,
    )


# ------------------------------------------------------------------ import


@dataclass(frozen=True)
class DepartmentFieldChange:
    """One value of an evaluation the department workbook changes: before → after."""

    field: str
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class DepartmentRowChange:
    """A row whose values differ from the database: what will be saved, with the evaluation
    it is saved to (``evaluation_save``)."""

    row: int
    evaluation: Evaluation
    changes: tuple[DepartmentFieldChange, ...]
    values: dict[str, str]

    @property
    def number(self) -> int:
        return self.evaluation.initiative.number

    @property
    def title(self) -> str:
        return self.evaluation.initiative.title


@dataclass(frozen=True)
class ConflictField:
    label: str
    web: str
    file: str


@dataclass(frozen=True)
class Conflict:
    """A row changed on the web since the export, whose file values differ from the web's."""

    row: int
    evaluation: Evaluation
    fields: tuple[ConflictField, ...]
    exported_version: int

    @property
    def number(self) -> int:
        return self.evaluation.initiative.number

    @property
    def title(self) -> str:
        return self.evaluation.initiative.title

    @property
    def updated_by(self) -> str:
        return str(self.evaluation.updated_by) if self.evaluation.updated_by else ""

    def describe(self) -> str:
        location = ErrorLocation(sheet=str(workbook.SHEET_EVALUATIONS), row=self.row)
        parts = [
            _("{field}: ウェブ「{web}」／ファイル「{file}」").format(
                field=f.label, web=f.web or _("（空欄）"), file=f.file or _("（空欄）")
            )
            for f in self.fields
        ]
        return _(
            "{where}: 番号 {number}「{title}」は出力のあとにウェブで変更されています（{who}）。{fields}"
        ).format(
            where=location.describe(),
            number=self.number,
            title=self.title,
            who=self.updated_by or _("更新者不明"),
            fields="、".join(parts),
        )


@dataclass
class DepartmentImportPreview:
    """What importing a workbook would do. ``ok`` only when there is no error and no conflict."""

    cycle: EvaluationCycle
    unit: OrganisationUnit
    unit_name: str
    filename: str
    rows_read: int
    changes: list[DepartmentRowChange] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    errors: list[DomainError] = field(default_factory=list)
    unchanged: int = 0
    fingerprint: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors and not self.conflicts

    @property
    def has_changes(self) -> bool:
        return bool(self.changes)

    @property
    def field_count(self) -> int:
        return sum(len(change.changes) for change in self.changes)

    def summary(self) -> str:
        if self.errors:
            return _("ファイルに {count} 件のエラーがあります。何も保存していません。").format(
                count=len(self.errors)
            )
        if self.conflicts:
            return _(
                "出力のあとにウェブで変更された取組が {count} 件あります（競合）。何も保存していません。"
            ).format(count=len(self.conflicts))
        if not self.changes:
            return _("変更はありません。")
        return _("{rows} 件の取組で、{fields} か所が変わります。").format(
            rows=len(self.changes), fields=self.field_count
        )


class WorkbookRejected(DomainError):
    """The file has errors: nothing was saved. ``details`` lists them with their locations."""


@dataclass
class WorkbookConflict(DomainError):
    """Entries changed on the web since the export: nothing was saved."""

    conflicts: list[Conflict] = field(default_factory=list)


def _file_error(message: str, code: str) -> DomainError:
    return DomainError(code=code, message=message)


def _load_context(
    *, actor: Any, municipality: Municipality, book: workbook.ReadWorkbook
) -> tuple[EvaluationCycle, OrganisationUnit]:
    meta = book.meta
    if meta.municipality_code != municipality.code:
        raise _file_error(
            _(
                "このファイルは別の自治体（団体コード {found}）のものです。{name}（{code}）のファイルを使ってください。"
            ).format(found=meta.municipality_code, name=municipality.name, code=municipality.code),
            "wrong_municipality",
        )
    cycle = (
        EvaluationCycle.objects.select_related("plan")
        .filter(pk=meta.cycle_id, municipality=municipality)
        .first()
    )
    if cycle is None or cycle.plan_id != meta.plan_id or cycle.fiscal_year != meta.fiscal_year:
        raise _file_error(
            _(
                "このファイルの進捗調査（{plan} {year}）が見つかりません。出力し直したファイルを使ってください。"
            ).format(plan=meta.plan_name, year=format_fiscal_year(meta.fiscal_year)),
            "unknown_cycle",
        )
    unit = (
        OrganisationUnit.objects.prefetch_related(unit_names_prefetch())
        .filter(pk=meta.unit_id, municipality=municipality, code=meta.unit_code)
        .first()
    )
    if unit is None:
        raise _file_error(
            _("このファイルの担当課（{unit}）が見つかりません。").format(unit=meta.unit_name),
            "unknown_unit",
        )
    _require_exchange(actor, cycle, unit)
    if cycle.is_locked:
        raise _file_error(
            _("{plan} {year}の進捗調査は締め切られている（{status}）ため、取り込めません。").format(
                plan=cycle.plan.name,
                year=format_fiscal_year(cycle.fiscal_year),
                status=cycle.get_status_display(),
            ),
            "cycle_locked",
        )
    return cycle, unit


def _display(values: dict[str, str], name: str, plan: Plan) -> str:
    value = values[name]
    return _grade_text(value, plan) if name == "grade" else value


def _preview(
    *, actor: Any, municipality: Municipality, data: bytes, filename: str, lock: bool
) -> DepartmentImportPreview:
    try:
        uploads.check_bytes(data, file_format="xlsx")
    except uploads.UploadRefused as error:
        raise _file_error(error.message, error.code) from None
    book = workbook.read_workbook(data)
    cycle, unit = _load_context(actor=actor, municipality=municipality, book=book)
    plan = cycle.plan
    preview = DepartmentImportPreview(
        cycle=cycle,
        unit=unit,
        unit_name=_unit_name(unit, cycle.fiscal_year),
        filename=filename,
        rows_read=len(book.rows),
    )
    ids = [raw.evaluation_id for raw in book.rows if raw.evaluation_id is not None]
    query = Evaluation.objects.filter(pk__in=ids).select_related("initiative", "updated_by")
    if lock:
        query = query.select_for_update(of=("self",))
    evaluations = {evaluation.pk: evaluation for evaluation in query.order_by("pk")}
    labels = _field_labels()
    seen: dict[int, int] = {}
    id_column = COLUMN["evaluation_id"]
    for raw in book.rows:
        preview.errors.extend(raw.problems)
        if raw.problems or raw.evaluation_id is None or raw.version is None:
            continue
        if raw.evaluation_id in seen:
            preview.errors.append(
                workbook.error_at(
                    raw.row,
                    id_column,
                    _("{first}行目と同じ取組の行です。1つの取組は1行にしてください。").format(
                        first=seen[raw.evaluation_id]
                    ),
                    "duplicate_row",
                )
            )
            continue
        seen[raw.evaluation_id] = raw.row
        evaluation = evaluations.get(raw.evaluation_id)
        if evaluation is None or evaluation.cycle_id != cycle.pk:
            preview.errors.append(
                workbook.error_at(
                    raw.row,
                    id_column,
                    _("評価ID {id} の評価は、この進捗調査（{year}）にありません。").format(
                        id=raw.evaluation_id, year=format_fiscal_year(cycle.fiscal_year)
                    ),
                    "unknown_evaluation",
                )
            )
            continue
        if evaluation.unit_id != unit.pk:
            preview.errors.append(
                workbook.error_at(
                    raw.row,
                    id_column,
                    _(
                        "番号 {number}「{title}」は、このファイルの担当課（{unit}）の担当ではありません。"
                    ).format(
                        number=evaluation.initiative.number,
                        title=evaluation.initiative.title,
                        unit=preview.unit_name,
                    ),
                    "other_unit",
                )
            )
            continue
        _compare(preview, raw, evaluation, plan, labels)
    preview.fingerprint = _fingerprint(preview, evaluations.values())
    return preview


def _parse_values(
    preview: DepartmentImportPreview, raw: workbook.RawRow, evaluation: Evaluation, plan: Plan
) -> dict[str, str] | None:
    texts = raw.texts
    grade_text = texts.get("grade", "")
    grade = workbook.grade_code(grade_text, plan.grades)
    if grade is None and workbook.choice_key(grade_text) == workbook.choice_key(
        _grade_text(evaluation.grade, plan)
    ):
        grade = evaluation.grade  # a grade no longer in the plan's list, left as it was
    direction_text = texts.get("direction", "")
    direction = workbook.direction_value(direction_text, plan.directions)
    if direction is None and workbook.choice_key(direction_text) == workbook.choice_key(
        evaluation.direction
    ):
        direction = evaluation.direction
    ok = True
    if grade is None:
        ok = False
        preview.errors.append(
            workbook.error_at(
                raw.row,
                COLUMN["grade"],
                _("「{value}」は評価として選べません。{choices} から選んでください。").format(
                    value=grade_text.strip(),
                    choices=workbook.CHOICE_SEPARATOR.join(
                        workbook.grade_display(str(g["code"]), plan.grades) for g in plan.grades
                    ),
                ),
                "invalid_grade",
            )
        )
    if direction is None:
        ok = False
        preview.errors.append(
            workbook.error_at(
                raw.row,
                COLUMN["direction"],
                _(
                    "「{value}」は今後の方向性として選べません。{choices} から選んでください。"
                ).format(
                    value=direction_text.strip(),
                    choices=workbook.CHOICE_SEPARATOR.join(plan.directions),
                ),
                "invalid_direction",
            )
        )
    if not ok:
        return None
    return workbook.canonical(
        {
            "results": texts.get("results", ""),
            "grade": grade or "",
            "issues": texts.get("issues", ""),
            "direction": direction or "",
        }
    )


def _compare(
    preview: DepartmentImportPreview,
    raw: workbook.RawRow,
    evaluation: Evaluation,
    plan: Plan,
    labels: dict[str, str],
) -> None:
    file_values = _parse_values(preview, raw, evaluation, plan)
    if file_values is None:
        return
    db_values = workbook.canonical({name: getattr(evaluation, name) for name in EDITABLE_FIELDS})
    differing = [name for name in EDITABLE_FIELDS if file_values[name] != db_values[name]]
    if not differing:
        preview.unchanged += 1
        return
    changed_on_web = evaluation.version != raw.version and (
        workbook.values_digest(db_values) != raw.digest
    )
    if changed_on_web:
        preview.conflicts.append(
            Conflict(
                row=raw.row,
                evaluation=evaluation,
                exported_version=raw.version or 0,
                fields=tuple(
                    ConflictField(
                        label=labels[name],
                        web=_display(db_values, name, plan),
                        file=_display(file_values, name, plan),
                    )
                    for name in differing
                ),
            )
        )
        return
    if not permissions.workbook_may_change(evaluation):
        preview.errors.append(
            workbook.error_at(
                raw.row,
                COLUMN[differing[0]],
                _(
                    "番号 {number}「{title}」の評価は{state}のため変更できません（変更した列: {fields}）。変更が必要なときは事務局に差し戻しを依頼してください。"
                ).format(
                    number=evaluation.initiative.number,
                    title=evaluation.initiative.title,
                    state=evaluation.get_state_display(),
                    fields="、".join(labels[name] for name in differing),
                ),
                "already_submitted",
            )
        )
        return
    preview.changes.append(
        DepartmentRowChange(
            row=raw.row,
            evaluation=evaluation,
            values=file_values,
            changes=tuple(
                DepartmentFieldChange(
                    field=name,
                    label=labels[name],
                    before=_display(db_values, name, plan),
                    after=_display(file_values, name, plan),
                )
                for name in differing
            ),
        )
    )


def _fingerprint(preview: DepartmentImportPreview, evaluations: Iterable[Evaluation]) -> str:
    """The hash of the preview's result — every change (before → after), conflict and error —
    and of the rows it was compared with (version, state and values), so a confirmation
    applies exactly what was previewed: an evaluation changed meanwhile, on the web or
    otherwise, changes it (``core.uploads``)."""
    return uploads.fingerprint(
        [preview.cycle.pk, preview.unit.pk, preview.rows_read, preview.unchanged],
        [
            [e.pk, e.version, e.state, *(getattr(e, name) for name in EDITABLE_FIELDS)]
            for e in sorted(evaluations, key=lambda e: e.pk)
        ],
        [
            [c.row, c.evaluation.pk, [[f.field, f.before, f.after] for f in c.changes]]
            for c in preview.changes
        ],
        [
            [c.row, c.evaluation.pk, [[f.label, f.web, f.file] for f in c.fields]]
            for c in preview.conflicts
        ],
        [str(error) for error in preview.errors],
    )


def department_import_preview(
    *, actor: Any, municipality: Municipality, data: bytes, filename: str = ""
) -> DepartmentImportPreview:
    """What importing ``data`` would change; writes nothing.

    Raises :class:`DomainError` when the file cannot be used at all (not a department
    workbook, another municipality, an unknown or closed cycle) and
    :class:`PermissionRefused` when the actor may not handle the file's unit. Row errors and
    conflicts are returned in the preview.
    """
    return _preview(
        actor=actor, municipality=municipality, data=data, filename=filename, lock=False
    )


@transaction.atomic
def department_import_apply(
    *,
    actor: Any,
    municipality: Municipality,
    data: bytes,
    filename: str = "",
    expected_fingerprint: str | None = None,
) -> DepartmentImportPreview:
    """Save every change of the workbook, or nothing.

    Recomputes the preview with the evaluations locked. Refused (nothing saved) when the
    preview the user confirmed is out of date (``expected_fingerprint``), when any row has an
    error (:class:`WorkbookRejected`) or a conflict (:class:`WorkbookConflict`). Each changed
    row is saved with ``evaluation_save``, which bumps the version and writes the audit row.
    """
    preview = _preview(
        actor=actor, municipality=municipality, data=data, filename=filename, lock=True
    )
    uploads.check_fingerprint(
        expected=expected_fingerprint,
        actual=preview.fingerprint,
        message=_(
            "確認したあとで、ファイルの取組がウェブで変更されました。新しい差分を確かめてから、もう一度取り込んでください。何も保存していません。"
        ),
    )
    if preview.errors:
        raise WorkbookRejected(
            code="invalid_workbook", message=preview.summary(), details=preview.errors
        )
    if preview.conflicts:
        raise WorkbookConflict(
            code="conflict", message=preview.summary(), conflicts=preview.conflicts
        )
    for change in preview.changes:
        evaluation_save(
            actor=actor,
            evaluation=change.evaluation,
            expected_version=change.evaluation.version,
            **change.values,
        )
    if preview.changes:
        audit.record(
            actor=actor,
            action=Action.UPDATE,
            obj=preview.cycle,
            detail=_(
                "部署別ワークブックから取込: {unit}（取組 {rows} 件・{fields} か所、ファイル「{file}」）"
            ).format(
                unit=preview.unit_name,
                rows=len(preview.changes),
                fields=preview.field_count,
                file=filename or "-",
            ),
        )
    return preview
