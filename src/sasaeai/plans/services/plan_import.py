"""Import a plan workbook into the database, and export a plan as a workbook.

``plan_import`` reads the workbook (``plans.workbook.read``), matches it against the plan of the
same name in the municipality (rows are matched by 番号 within the plan), and returns an
:class:`PlanImportResult`: counts per sheet, every added/changed/removed row with before → after,
and every error with sheet, row and column. With ``dry_run=True`` (the preview) nothing is
written. Otherwise the changes are applied in one transaction — all or nothing — and audited:
one row per created, changed or removed object (with its fields before → after) and one
``import`` row naming the file and its SHA-256 hash.

Identity: an updated initiative keeps its ``key``. Rows in the database but not in the file
are removed, unless something refers to them (evaluations, reviews, summaries, indicator
values, a predecessor in an earlier plan): then the import is refused with an error naming
the row. Responsible units (担当課) are matched by their current name or their code; the
workbook describes the open-ended assignments (those without a last 年度): a change replaces
them, earlier closed assignments are kept.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Count, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from sasaeai.accounts.models import Municipality, OrganisationUnit, unit_names_prefetch
from sasaeai.audit import services as audit
from sasaeai.audit.models import Action
from sasaeai.core import uploads
from sasaeai.core.errors import PermissionRefused
from sasaeai.core.wareki import YearStyle, format_fiscal_year
from sasaeai.plans import permissions
from sasaeai.plans.models import (
    Evaluation,
    EvaluationCycle,
    Goal,
    Indicator,
    IndicatorValue,
    Initiative,
    InitiativeType,
    InitiativeUnit,
    Plan,
    Policy,
    Review,
    Summary,
)
from sasaeai.plans.workbook import spec as wb
from sasaeai.plans.workbook.read import read_workbook
from sasaeai.plans.workbook.write import write_workbook

ADD: Final = "add"
CHANGE: Final = "change"
REMOVE: Final = "remove"


# --- the result ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    """One cell of a plan workbook row that differs from the plan: its column, before → after."""

    column: str
    before: str
    after: str


@dataclass(frozen=True)
class PlanRowChange:
    """One row of a plan workbook sheet that the import adds, changes or removes, with each
    changed cell before → after for the preview (``core.imports.RowChange`` is the shape of
    imports that only name the fields that differ)."""

    sheet: str
    action: str  # ADD, CHANGE or REMOVE
    number: int | None
    name: str
    row: int | None = None  # the Excel row (None for a removal)
    fields: tuple[FieldChange, ...] = ()

    @property
    def action_label(self) -> str:
        return {ADD: _("追加"), CHANGE: _("変更"), REMOVE: _("削除")}[self.action]


@dataclass
class SheetCounts:
    sheet: str
    added: int = 0
    changed: int = 0
    removed: int = 0

    @property
    def total(self) -> int:
        return self.added + self.changed + self.removed


@dataclass
class PlanImportResult:
    """What an import found and did; the CLI prints it and the web preview renders it."""

    filename: str = ""
    sha256: str = ""
    plan_name: str = ""
    plan_created: bool = False  # the workbook names a plan that does not exist yet
    plan_id: int | None = None
    dry_run: bool = True
    applied: bool = False
    sheets: list[SheetCounts] = field(
        default_factory=lambda: [SheetCounts(name) for name in wb.SHEETS]
    )
    changes: list[PlanRowChange] = field(default_factory=list)
    errors: list[wb.WorkbookError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def has_changes(self) -> bool:
        return bool(self.changes)

    def counts(self, sheet: str) -> SheetCounts:
        return next(counts for counts in self.sheets if counts.sheet == sheet)

    @property
    def added(self) -> int:
        return sum(counts.added for counts in self.sheets)

    @property
    def changed(self) -> int:
        return sum(counts.changed for counts in self.sheets)

    @property
    def removed(self) -> int:
        return sum(counts.removed for counts in self.sheets)

    def changes_in(self, sheet: str) -> list[PlanRowChange]:
        return [change for change in self.changes if change.sheet == sheet]

    def by_sheet(self) -> list[tuple[SheetCounts, list[PlanRowChange]]]:
        return [(counts, self.changes_in(counts.sheet)) for counts in self.sheets]

    def fingerprint(self) -> str:
        """The hash of the preview's result (the plan, every change with its fields before →
        after), so a confirmation applies exactly what was previewed (``core.uploads``)."""
        return uploads.fingerprint(
            [self.plan_name, self.plan_created],
            [
                [
                    c.sheet,
                    c.action,
                    c.number,
                    c.name,
                    [[f.column, f.before, f.after] for f in c.fields],
                ]
                for c in self.changes
            ],
        )

    def summary(self) -> str:
        if self.errors:
            return _("誤りが {count} 件あります。何も変更していません。").format(
                count=len(self.errors)
            )
        if not self.changes:
            return _("変更はありません。")
        text = _("追加 {added} 件、変更 {changed} 件、削除 {removed} 件").format(
            added=self.added, changed=self.changed, removed=self.removed
        )
        if self.applied:
            return _("{counts}を保存しました。").format(counts=text)
        return _("{counts}（確認のみ。まだ保存していません）").format(counts=text)


# --- helpers -------------------------------------------------------------------------------


def _fy(value: int | None) -> str:
    return format_fiscal_year(value) if value is not None else ""


def _text(value: str | None) -> str:
    return wb.trimmed_text(value or "")


def _direction(value: str) -> str:
    label = wb.DIRECTION_LABELS.get(value)
    return _(label) if label else value


def _number(value: int | None) -> str:
    return "" if value is None else str(value)


class _Units:
    """The municipality's organisation units, by current name and by code."""

    def __init__(self, municipality: Municipality) -> None:
        units = list(
            OrganisationUnit.objects.filter(municipality=municipality).prefetch_related(
                unit_names_prefetch()
            )
        )
        self.by_id = {unit.pk: unit for unit in units}
        self.by_name: dict[str, list[OrganisationUnit]] = {}
        self.by_code = {wb.spelling_key(unit.code): unit for unit in units}
        self.names = {unit.pk: unit.current_name() for unit in units}
        for unit in units:
            self.by_name.setdefault(wb.spelling_key(self.names[unit.pk]), []).append(unit)

    def label(self, unit_id: int) -> str:
        """What the workbook shows: the current name, or the code when names collide."""
        name = self.names.get(unit_id, str(unit_id))
        if len(self.by_name.get(wb.spelling_key(name), [])) > 1:
            return self.by_id[unit_id].code
        return name

    def find(self, text: str) -> tuple[OrganisationUnit | None, str | None]:
        """(unit, None), or (None, error message)."""
        key = wb.spelling_key(text)
        matches = self.by_name.get(key, [])
        if len(matches) == 1:
            return matches[0], None
        if len(matches) > 1:
            return None, _(
                "担当課「{name}」という名称の組織が複数あります。識別子（{codes}）で指定してください。"
            ).format(name=text, codes="、".join(sorted(unit.code for unit in matches)))
        unit = self.by_code.get(key)
        if unit is not None:
            return unit, None
        return None, _(
            "担当課「{name}」が見つかりません。組織の現在の名称か識別子で書いてください"
            "（組織を新しく作ることはしません。先に組織を登録してください）。"
        ).format(name=text)

    def resolve(self, pieces: Iterable[str]) -> tuple[list[int], list[str]]:
        """Unit ids in the order written (first = lead), and errors for unknown names.

        A piece that is not a unit is split on ・ and read greedily, so a unit whose own
        name contains ・ is still found: 福祉・保健課・高齢者いきいき課 → two units.
        """
        found: list[int] = []
        errors: list[str] = []
        for piece in pieces:
            unit, error = self.find(piece)
            candidates: list[tuple[OrganisationUnit | None, str | None]] = [(unit, error)]
            parts = wb.split_middle_dots(piece) if unit is None else []
            if len(parts) > 1:
                candidates = []
                start = 0
                while start < len(parts):
                    for end in range(len(parts), start, -1):
                        unit, error = self.find("\u30fb".join(parts[start:end]))
                        if unit is not None or end == start + 1:
                            candidates.append((unit, error))
                            start = end if unit is not None else start + 1
                            break
            for candidate, problem in candidates:
                if candidate is None:
                    errors.append(problem or "")
                elif candidate.pk not in found:
                    found.append(candidate.pk)
        return found, errors


@dataclass
class _Existing:
    plan: Plan | None
    goals: dict[int, Goal]
    policies: dict[int, Policy]
    types: dict[int, InitiativeType]
    initiatives: dict[int, Initiative]
    indicators: dict[int, Indicator]
    unit_rows: dict[int, list[InitiativeUnit]]  # open-ended assignments, lead first

    @classmethod
    def load(cls, municipality: Municipality, name: str, *, lock: bool) -> _Existing:
        plans = Plan.objects.filter(municipality=municipality, name=name)
        plan = (plans.select_for_update() if lock else plans).first()
        if plan is None:
            return cls(None, {}, {}, {}, {}, {}, {})
        open_units = InitiativeUnit.objects.filter(valid_to_fy__isnull=True).order_by(
            "-is_lead", "id"
        )
        initiatives = Initiative.objects.filter(plan=plan).prefetch_related(
            Prefetch("responsible_units", queryset=open_units, to_attr="open_units")
        )
        by_number: dict[int, Initiative] = {i.number: i for i in initiatives}
        return cls(
            plan,
            {g.number: g for g in Goal.objects.filter(plan=plan)},
            {p.number: p for p in Policy.objects.filter(plan=plan)},
            {t.number: t for t in InitiativeType.objects.filter(plan=plan)},
            by_number,
            {i.number: i for i in Indicator.objects.filter(plan=plan)},
            {i.pk: list(getattr(i, "open_units", [])) for i in by_number.values()},
        )


@dataclass
class _Diff:
    """Everything to write, decided before anything is written."""

    result: PlanImportResult
    existing: _Existing
    plan_fields: dict[str, Any] = field(default_factory=dict)
    # number → (file row, existing instance or None) for rows to add or change
    goals: list[tuple[wb.GoalRow, Goal | None]] = field(default_factory=list)
    policies: list[tuple[wb.PolicyRow, Policy | None]] = field(default_factory=list)
    types: list[tuple[wb.TypeRow, InitiativeType | None]] = field(default_factory=list)
    initiatives: list[tuple[wb.InitiativeRow, Initiative | None]] = field(default_factory=list)
    indicators: list[tuple[wb.IndicatorRow, Indicator | None]] = field(default_factory=list)
    units: dict[int, list[int]] = field(default_factory=dict)  # initiative number → unit ids
    units_changed: set[int] = field(default_factory=set)  # initiative numbers
    reposts: dict[int, int | None] = field(default_factory=dict)  # number → repost number
    removed: dict[str, list[Any]] = field(default_factory=dict)
    plan_changed: bool = False


def _compare(
    pairs: list[tuple[str, str, str]],
) -> tuple[FieldChange, ...]:
    return tuple(
        FieldChange(column, before, after) for column, before, after in pairs if before != after
    )


def _record(
    diff: _Diff,
    sheet: str,
    number: int | None,
    name: str,
    row: int,
    fields: tuple[FieldChange, ...],
    is_new: bool,
) -> bool:
    """Note an added row, or a changed one when any field differs; True if so."""
    counts = diff.result.counts(sheet)
    if is_new:
        counts.added += 1
        diff.result.changes.append(PlanRowChange(sheet, ADD, number, name, row, fields))
        return True
    if fields:
        counts.changed += 1
        diff.result.changes.append(PlanRowChange(sheet, CHANGE, number, name, row, fields))
        return True
    return False


# --- deciding what changes -----------------------------------------------------------------


def _diff(
    municipality: Municipality, book: wb.PlanWorkbook, result: PlanImportResult, *, lock: bool
) -> _Diff:
    assert book.plan is not None
    existing = _Existing.load(municipality, book.plan.name, lock=lock)
    diff = _Diff(result=result, existing=existing)
    result.plan_name = book.plan.name
    result.plan_created = existing.plan is None
    result.plan_id = existing.plan.pk if existing.plan else None
    errors = result.errors
    units = _Units(municipality)

    # 計画
    plan_row = book.plan
    plan = existing.plan
    plan_labels = {c.key: c.label for c in wb.PLAN_SPEC.columns}
    fields = _compare(
        [
            (plan_labels["start_fy"], _fy(plan.start_fy) if plan else "", _fy(plan_row.start_fy)),
            (plan_labels["end_fy"], _fy(plan.end_fy) if plan else "", _fy(plan_row.end_fy)),
            (plan_labels["vision"], _text(plan.vision) if plan else "", plan_row.vision),
        ]
    )
    if plan is None:
        fields = tuple(f for f in fields if f.after)
    diff.plan_changed = _record(
        diff, wb.SHEET_PLAN, None, plan_row.name, plan_row.row, fields, plan is None
    )
    diff.plan_fields = {
        "start_fy": plan_row.start_fy,
        "end_fy": plan_row.end_fy,
        "vision": plan_row.vision,
    }
    if plan is not None and (plan.start_fy, plan.end_fy) != (plan_row.start_fy, plan_row.end_fy):
        outside = sorted(
            EvaluationCycle.objects.filter(plan=plan)
            .exclude(fiscal_year__gte=plan_row.start_fy, fiscal_year__lte=plan_row.end_fy)
            .values_list("fiscal_year", flat=True)
        )
        if outside:
            errors.append(
                wb.WorkbookError(
                    wb.SHEET_PLAN,
                    plan_row.row,
                    plan_labels["start_fy"]
                    if outside[0] < plan_row.start_fy
                    else plan_labels["end_fy"],
                    _(
                        "{years}の進捗調査があるため、計画の期間をその年度を含まない期間には変更できません。"
                    ).format(years="、".join(format_fiscal_year(year) for year in outside)),
                )
            )

    goal_numbers = {g.pk: g.number for g in existing.goals.values()}
    policy_numbers = {p.pk: p.number for p in existing.policies.values()}
    type_numbers = {t.pk: t.number for t in existing.types.values()}
    initiative_numbers = {i.pk: i.number for i in existing.initiatives.values()}

    # 基本目標
    labels = {c.key: c.label for c in wb.GOAL_SPEC.columns}
    for goal_row in book.goals:
        goal = existing.goals.get(goal_row.number)
        fields = _compare(
            [
                (labels["name"], _text(goal.name) if goal else "", goal_row.name),
                (
                    labels["description"],
                    _text(goal.description) if goal else "",
                    goal_row.description,
                ),
                (
                    labels["applies_from_fy"],
                    _fy(goal.applies_from_fy) if goal else "",
                    _fy(goal_row.applies_from_fy),
                ),
            ]
        )
        if _record(
            diff, wb.SHEET_GOALS, goal_row.number, goal_row.name, goal_row.row, fields, goal is None
        ):
            diff.goals.append((goal_row, goal))

    # 施策
    labels = {c.key: c.label for c in wb.POLICY_SPEC.columns}
    for policy_row in book.policies:
        policy = existing.policies.get(policy_row.number)
        fields = _compare(
            [
                (
                    labels["goal_number"],
                    _number(goal_numbers.get(policy.goal_id)) if policy else "",
                    str(policy_row.goal_number),
                ),
                (labels["name"], _text(policy.name) if policy else "", policy_row.name),
            ]
        )
        if _record(
            diff,
            wb.SHEET_POLICIES,
            policy_row.number,
            policy_row.name,
            policy_row.row,
            fields,
            policy is None,
        ):
            diff.policies.append((policy_row, policy))

    # 取組種類
    labels = {c.key: c.label for c in wb.TYPE_SPEC.columns}
    for type_row in book.types:
        kind = existing.types.get(type_row.number)
        fields = _compare(
            [
                (
                    labels["policy_number"],
                    _number(policy_numbers.get(kind.policy_id)) if kind else "",
                    str(type_row.policy_number),
                ),
                (labels["name"], _text(kind.name) if kind else "", type_row.name),
            ]
        )
        if _record(
            diff, wb.SHEET_TYPES, type_row.number, type_row.name, type_row.row, fields, kind is None
        ):
            diff.types.append((type_row, kind))

    _diff_initiatives(diff, book, units, type_numbers, initiative_numbers)

    # 成果指標
    labels = {c.key: c.label for c in wb.INDICATOR_SPEC.columns}
    for row in book.indicators:
        indicator = existing.indicators.get(row.number)
        before: dict[str, str] = {}
        if indicator is not None:
            before = {
                "goal_number": _number(goal_numbers.get(indicator.goal_id)),
                "name": _text(indicator.name),
                "unit_label": _text(indicator.unit_label),
                "baseline": wb.decimal_text(indicator.baseline),
                "baseline_fy": _fy(indicator.baseline_fy),
                "target": wb.decimal_text(indicator.target),
                "target_fy": _fy(indicator.target_fy),
                "direction": _direction(indicator.direction),
                "source": _text(indicator.source),
            }
        after = {
            "goal_number": str(row.goal_number),
            "name": row.name,
            "unit_label": row.unit_label,
            "baseline": wb.decimal_text(row.baseline),
            "baseline_fy": _fy(row.baseline_fy),
            "target": wb.decimal_text(row.target),
            "target_fy": _fy(row.target_fy),
            "direction": _direction(row.direction),
            "source": row.source,
        }
        fields = _compare(
            [(labels[key], before.get(key, ""), value) for key, value in after.items()]
        )
        if _record(
            diff, wb.SHEET_INDICATORS, row.number, row.name, row.row, fields, indicator is None
        ):
            diff.indicators.append((row, indicator))

    _diff_removals(diff, book)
    return diff


def _diff_initiatives(
    diff: _Diff,
    book: wb.PlanWorkbook,
    units: _Units,
    type_numbers: dict[int, int],
    initiative_numbers: dict[int, int],
) -> None:
    existing = diff.existing
    errors = diff.result.errors
    labels = {c.key: c.label for c in wb.INITIATIVE_SPEC.columns}
    evaluated: dict[int, int] = {}
    if existing.initiatives:
        evaluated = dict(
            Evaluation.objects.filter(initiative__plan=existing.plan)
            .values("initiative_id")
            .annotate(count=Count("id"))
            .values_list("initiative_id", "count")
        )
    for row in book.initiatives:
        initiative = existing.initiatives.get(row.number)
        unit_ids, unit_errors = units.resolve(row.units)
        for message in unit_errors:
            errors.append(wb.WorkbookError(wb.SHEET_INITIATIVES, row.row, labels["units"], message))
        diff.units[row.number] = unit_ids
        diff.reposts[row.number] = row.repost_of
        before_units = ""
        units_differ = True
        if initiative is not None:
            current = diff.existing.unit_rows.get(initiative.pk, [])
            before_units = "、".join(units.label(u.unit_id) for u in current)
            leads = {u.unit_id for u in current if u.is_lead}
            others = {u.unit_id for u in current if not u.is_lead}
            wanted_lead = set(unit_ids[:1])
            units_differ = (leads, others) != (wanted_lead, set(unit_ids[1:]))
            if row.repost_of is not None and initiative.repost_of_id is None:
                count = evaluated.get(initiative.pk, 0)
                if count:
                    errors.append(
                        wb.WorkbookError(
                            wb.SHEET_INITIATIVES,
                            row.row,
                            labels["repost_of"],
                            _(
                                "取組 {number} には評価が {count} 件登録されているため、再掲にはできません。"
                            ).format(number=row.number, count=count),
                        )
                    )
        after_units = "、".join(units.label(u) for u in unit_ids)
        if not units_differ:
            after_units = before_units
        fields = _compare(
            [
                (
                    labels["type_number"],
                    _number(type_numbers.get(initiative.initiative_type_id)) if initiative else "",
                    str(row.type_number),
                ),
                (labels["title"], _text(initiative.title) if initiative else "", row.title),
                (
                    labels["description"],
                    _text(initiative.description) if initiative else "",
                    row.description,
                ),
                (labels["units"], before_units, after_units),
                (
                    labels["repost_of"],
                    _number(initiative_numbers.get(initiative.repost_of_id or 0))
                    if initiative
                    else "",
                    _number(row.repost_of),
                ),
            ]
        )
        if (initiative is None and unit_ids) or (initiative is not None and units_differ):
            diff.units_changed.add(row.number)
        if _record(
            diff, wb.SHEET_INITIATIVES, row.number, row.title, row.row, fields, initiative is None
        ):
            diff.initiatives.append((row, initiative))


def _diff_removals(diff: _Diff, book: wb.PlanWorkbook) -> None:
    existing = diff.existing
    errors = diff.result.errors
    current: dict[str, dict[int, Any]] = {
        wb.SHEET_GOALS: existing.goals,
        wb.SHEET_POLICIES: existing.policies,
        wb.SHEET_TYPES: existing.types,
        wb.SHEET_INITIATIVES: existing.initiatives,
        wb.SHEET_INDICATORS: existing.indicators,
    }
    for sheet, by_number in current.items():
        if sheet not in book.sheets_read:  # a sheet that could not be read removes nothing
            diff.removed[sheet] = []
            continue
        kept = book.numbers.get(sheet, set())
        gone = [obj for number, obj in sorted(by_number.items()) if number not in kept]
        diff.removed[sheet] = gone
        for obj in gone:
            name = getattr(obj, "title", None) or obj.name
            diff.result.counts(sheet).removed += 1
            diff.result.changes.append(PlanRowChange(sheet, REMOVE, obj.number, name))

    blockers: dict[tuple[str, int], list[str]] = {}

    def block(sheet: str, pk: int, reason: str) -> None:
        blockers.setdefault((sheet, pk), []).append(reason)

    initiative_ids = [i.pk for i in diff.removed[wb.SHEET_INITIATIVES]]
    if initiative_ids:
        for pk, count in _counts(
            Evaluation.objects.filter(initiative_id__in=initiative_ids), "initiative_id"
        ):
            block(wb.SHEET_INITIATIVES, pk, _("評価が {count} 件").format(count=count))
        for pk, count in _counts(
            Review.objects.filter(initiative_id__in=initiative_ids), "initiative_id"
        ):
            block(wb.SHEET_INITIATIVES, pk, _("委員会のコメントが {count} 件").format(count=count))
        for pk, count in _counts(
            Initiative.objects.filter(successor_id__in=initiative_ids), "successor_id"
        ):
            block(
                wb.SHEET_INITIATIVES,
                pk,
                _("前の計画の取組からの後継の指定が {count} 件").format(count=count),
            )
        for pk, count in _counts(
            Initiative.objects.filter(repost_of_id__in=initiative_ids).exclude(plan=existing.plan),
            "repost_of_id",
        ):
            block(
                wb.SHEET_INITIATIVES, pk, _("ほかの計画からの再掲が {count} 件").format(count=count)
            )
    goal_ids = [g.pk for g in diff.removed[wb.SHEET_GOALS]]
    if goal_ids:
        for pk, count in _counts(Review.objects.filter(goal_id__in=goal_ids), "goal_id"):
            block(wb.SHEET_GOALS, pk, _("委員会の講評が {count} 件").format(count=count))
        for pk, count in _counts(Summary.objects.filter(goal_id__in=goal_ids), "goal_id"):
            block(wb.SHEET_GOALS, pk, _("総括が {count} 件").format(count=count))
    indicator_ids = [i.pk for i in diff.removed[wb.SHEET_INDICATORS]]
    if indicator_ids:
        for pk, count in _counts(
            IndicatorValue.objects.filter(indicator_id__in=indicator_ids), "indicator_id"
        ):
            block(wb.SHEET_INDICATORS, pk, _("実績値が {count} 件").format(count=count))
    for sheet in current:
        for obj in diff.removed[sheet]:
            reasons = blockers.get((sheet, obj.pk))
            if not reasons:
                continue
            errors.append(
                wb.WorkbookError(
                    sheet,
                    None,
                    wb.GOAL_SPEC.column("number").label,
                    _(
                        "番号 {number}「{name}」はファイルにないため削除の対象ですが、{reasons}登録されているため削除できません。"
                        "この行をファイルに戻してください。"
                    ).format(
                        number=obj.number,
                        name=getattr(obj, "title", None) or obj.name,
                        reasons="、".join(reasons),
                    ),
                )
            )


def _counts(queryset: models.QuerySet[Any], column: str) -> list[tuple[int, int]]:
    return list(
        queryset.values(column).annotate(count=Count("id")).values_list(column, "count").order_by()
    )


# --- applying ------------------------------------------------------------------------------


@transaction.atomic
def _apply(*, actor: Any, municipality: Municipality, book: wb.PlanWorkbook, diff: _Diff) -> Plan:
    """Write every decided change and its audit rows (one transaction)."""
    assert book.plan is not None
    now = timezone.now()
    existing = diff.existing

    def audited(action: str, obj: models.Model, changes: dict[str, list[Any]]) -> None:
        audit.record(
            actor=actor,
            action=action,
            obj=obj,
            municipality=municipality,
            changes=changes,
        )

    plan = existing.plan
    if plan is None:
        plan = Plan(municipality=municipality, name=book.plan.name, **diff.plan_fields)
        plan.save()
        audited(Action.CREATE, plan, audit.diff({}, audit.snapshot(plan)))
    elif diff.plan_changed:
        before = audit.snapshot(plan)
        for key, value in diff.plan_fields.items():
            setattr(plan, key, value)
        plan.save()
        audited(Action.UPDATE, plan, audit.diff(before, audit.snapshot(plan)))

    goals = _write(
        Goal,
        diff.goals,
        lambda row, obj: _set(
            obj, name=row.name, description=row.description, applies_from_fy=row.applies_from_fy
        ),
        lambda row: Goal(plan=plan, number=row.number),
        now,
        audited,
    )
    goal_by_number = {**existing.goals, **goals}
    policies = _write(
        Policy,
        diff.policies,
        lambda row, obj: _set(obj, goal=goal_by_number[row.goal_number], name=row.name),
        lambda row: Policy(plan=plan, number=row.number),
        now,
        audited,
    )
    policy_by_number = {**existing.policies, **policies}
    types = _write(
        InitiativeType,
        diff.types,
        lambda row, obj: _set(obj, policy=policy_by_number[row.policy_number], name=row.name),
        lambda row: InitiativeType(plan=plan, number=row.number),
        now,
        audited,
    )
    type_by_number = {**existing.types, **types}
    _write_initiatives(plan, diff, type_by_number, now, audited)
    _write(
        Indicator,
        diff.indicators,
        lambda row, obj: _set(
            obj,
            goal=goal_by_number[row.goal_number],
            name=row.name,
            unit_label=row.unit_label,
            baseline=_stored(row.baseline),
            baseline_fy=row.baseline_fy,
            target=_stored(row.target),
            target_fy=row.target_fy,
            direction=row.direction,
            source=row.source,
            is_survey=row.is_survey,
        ),
        lambda row: Indicator(plan=plan, number=row.number),
        now,
        audited,
    )
    _remove(diff, audited)
    result = diff.result
    audit.record(
        actor=actor,
        action=Action.IMPORT,
        obj=plan,
        municipality=municipality,
        detail=_(
            "計画ワークブックを取り込みました（ファイル: {file}、SHA-256: {sha}）: "
            "追加 {added} 件、変更 {changed} 件、削除 {removed} 件"
        ).format(
            file=result.filename or "-",
            sha=result.sha256[:16],
            added=result.added,
            changed=result.changed,
            removed=result.removed,
        ),
    )
    return plan


def _stored(value: Decimal | None) -> Decimal | None:
    """As the database holds it (3 decimal places), so audit rows show no false changes."""
    return None if value is None else value.quantize(wb.DECIMAL_STEP)


def _set(obj: models.Model, **values: Any) -> None:
    for key, value in values.items():
        setattr(obj, key, value)


def _save_changed(model: type[Any], updated: list[tuple[Any, dict[str, Any]]], now: Any) -> None:
    """Bulk-update changed rows, grouped by the fields that changed (few CASE expressions)."""
    if not updated:
        return
    groups: dict[tuple[str, ...], list[Any]] = {}
    for obj, before in updated:
        obj.is_demo = False  # its content now comes from the file
        obj.updated_at = now
        after = audit.snapshot(obj)
        names = tuple(sorted(k for k in after if k != "is_demo" and after[k] != before.get(k)))
        if names:
            groups.setdefault(names, []).append(obj)
    for names, objs in groups.items():
        model.objects.bulk_update(objs, list(names), batch_size=500)
    model.objects.filter(pk__in=[obj.pk for obj, _before in updated]).update(
        is_demo=False, updated_at=now
    )


def _write(
    model: type[Any],
    pairs: list[tuple[Any, Any]],
    assign: Any,
    build: Any,
    now: Any,
    audited: Any,
) -> dict[int, Any]:
    """Bulk-create new rows and bulk-update changed ones; audit each. Returns new by number."""
    created: list[Any] = []
    updated: list[tuple[Any, dict[str, Any]]] = []
    for row, obj in pairs:
        if obj is None:
            obj = build(row)
            assign(row, obj)
            created.append(obj)
        else:
            before = audit.snapshot(obj)
            assign(row, obj)
            updated.append((obj, before))
    model.objects.bulk_create(created, batch_size=500)
    _save_changed(model, updated, now)
    for obj in created:
        audited(Action.CREATE, obj, audit.diff({}, audit.snapshot(obj)))
    for obj, before in updated:
        audited(Action.UPDATE, obj, audit.diff(before, audit.snapshot(obj)))
    return {obj.number: obj for obj in created}


def _write_initiatives(
    plan: Plan,
    diff: _Diff,
    type_by_number: dict[int, InitiativeType],
    now: Any,
    audited: Any,
) -> None:
    """Originals first, then new 再掲 rows pointing at them: no update needed for new rows."""
    existing = diff.existing
    by_number: dict[int, Initiative] = dict(existing.initiatives)
    new_rows = [
        (row, Initiative(plan=plan, number=row.number))
        for row, obj in diff.initiatives
        if obj is None
    ]
    updated: list[tuple[Initiative, dict[str, Any]]] = []
    for _row, obj in diff.initiatives:
        if obj is not None:
            updated.append((obj, audit.snapshot(obj)))
    for row, obj in new_rows:
        obj.initiative_type = type_by_number[row.type_number]
        obj.title = row.title
        obj.description = row.description
        by_number[row.number] = obj
    originals = [obj for row, obj in new_rows if row.repost_of is None]
    Initiative.objects.bulk_create(originals, batch_size=500)
    reposts = [(row, obj) for row, obj in new_rows if row.repost_of is not None]
    for row, obj in reposts:
        obj.repost_of = by_number[row.repost_of] if row.repost_of is not None else None
    Initiative.objects.bulk_create([obj for _row, obj in reposts], batch_size=500)
    for row, obj in diff.initiatives:
        if obj is None:
            continue
        obj.initiative_type = type_by_number[row.type_number]
        obj.title = row.title
        obj.description = row.description
        obj.repost_of = by_number[row.repost_of] if row.repost_of is not None else None
    _save_changed(Initiative, updated, now)

    # 担当課: replace the open-ended assignments of the initiatives whose units changed
    units_before: dict[int, list[int]] = {}
    replaced: list[int] = []
    unit_rows: list[InitiativeUnit] = []
    for number in sorted(diff.units_changed):
        obj = by_number[number]
        current = existing.unit_rows.get(obj.pk, []) if number in existing.initiatives else []
        units_before[number] = [u.unit_id for u in current]
        starts = [u.valid_from_fy for u in current]
        valid_from = (
            None if not starts or None in starts else min(s for s in starts if s is not None)
        )
        if current:
            replaced.append(obj.pk)
        for index, unit_id in enumerate(diff.units[number]):
            unit_rows.append(
                InitiativeUnit(
                    initiative=obj, unit_id=unit_id, is_lead=index == 0, valid_from_fy=valid_from
                )
            )
    if replaced:
        InitiativeUnit.objects.filter(initiative_id__in=replaced, valid_to_fy__isnull=True).delete()
    InitiativeUnit.objects.bulk_create(unit_rows, batch_size=1000)

    def unit_change(number: int) -> dict[str, list[Any]]:
        if number not in diff.units_changed:
            return {}
        return {"responsible_units": [units_before.get(number, []), diff.units[number]]}

    for row, obj in new_rows:
        audited(
            Action.CREATE, obj, {**audit.diff({}, audit.snapshot(obj)), **unit_change(row.number)}
        )
    for obj, before in updated:
        audited(
            Action.UPDATE,
            obj,
            {**audit.diff(before, audit.snapshot(obj)), **unit_change(obj.number)},
        )


def _remove(diff: _Diff, audited: Any) -> None:
    removed = diff.removed
    order = (
        wb.SHEET_INITIATIVES,
        wb.SHEET_INDICATORS,
        wb.SHEET_TYPES,
        wb.SHEET_POLICIES,
        wb.SHEET_GOALS,
    )
    models_by_sheet: dict[str, type[models.Model]] = {
        wb.SHEET_INITIATIVES: Initiative,
        wb.SHEET_INDICATORS: Indicator,
        wb.SHEET_TYPES: InitiativeType,
        wb.SHEET_POLICIES: Policy,
        wb.SHEET_GOALS: Goal,
    }
    initiative_ids = [obj.pk for obj in removed.get(wb.SHEET_INITIATIVES, [])]
    if initiative_ids:
        Initiative.objects.filter(pk__in=initiative_ids).exclude(repost_of=None).update(
            repost_of=None
        )
    for sheet in order:
        objs = removed.get(sheet, [])
        if not objs:
            continue
        for obj in objs:
            audited(Action.DELETE, obj, audit.diff(audit.snapshot(obj), {}))
        models_by_sheet[sheet]._default_manager.filter(pk__in=[obj.pk for obj in objs]).delete()


# --- the entry points ----------------------------------------------------------------------


def plan_import(
    *,
    actor: Any,
    municipality: Municipality,
    data: bytes,
    filename: str | None = None,
    dry_run: bool = False,
    expected_fingerprint: str | None = None,
) -> PlanImportResult:
    """Read a plan workbook and create or update the plan it names — all or nothing.

    ``dry_run`` (the preview) writes nothing. ``expected_fingerprint`` (from a preview's
    :meth:`PlanImportResult.fingerprint`) refuses to apply if the changes, recomputed inside the
    transaction with the plan's rows locked, are no longer the ones that were previewed. A
    file larger than the xlsx limit of ``core.uploads`` is refused unread. A person needs ``plans.manage`` in the municipality; a string
    actor is a system process (the ``sasaeai plan`` command run by an operator).
    """
    if not isinstance(actor, str) and not permissions.can(actor, "plans.manage", municipality.pk):
        raise PermissionRefused(_("計画ワークブックを取り込む権限がありません。"))
    result = PlanImportResult(
        filename=filename or "",
        sha256=hashlib.sha256(data).hexdigest(),
        dry_run=dry_run,
    )
    try:
        uploads.check_bytes(data, file_format="xlsx")
    except uploads.UploadRefused as error:
        result.errors.append(wb.WorkbookError(None, None, None, error.message))
        return result
    read = read_workbook(data, filename=filename)
    result.errors.extend(read.errors)
    if read.workbook.plan is not None:
        result.plan_name = read.workbook.plan.name
    if read.workbook.plan is None:
        return result
    try:
        with transaction.atomic():
            # also with errors in the file: the database checks (担当課, removals) add theirs,
            # so every error is listed at once
            diff = _diff(municipality, read.workbook, result, lock=not dry_run)
            result.errors.sort(key=wb.error_order)
            if result.errors or dry_run or not result.changes:
                return result
            try:
                uploads.check_fingerprint(
                    expected=expected_fingerprint,
                    actual=result.fingerprint(),
                    message=_(
                        "確認の画面を表示した後に、計画または組織が変更されました。"
                        "何も保存していません。もう一度読み込んで、変更の内容を確認してください。"
                    ),
                )
            except uploads.PreviewOutdated as outdated:
                result.errors.append(wb.WorkbookError(None, None, None, outdated.message))
                return result
            plan = _apply(actor=actor, municipality=municipality, book=read.workbook, diff=diff)
            result.plan_id = plan.pk
            result.applied = True
    except IntegrityError:
        result.applied = False
        result.errors.append(
            wb.WorkbookError(
                None,
                None,
                None,
                _(
                    "同じ計画がほかの操作で同時に変更されたため、保存できませんでした。"
                    "何も変更していません。もう一度読み込んでください。"
                ),
            )
        )
    return result


def plan_workbook(plan: Plan) -> wb.PlanWorkbook:
    """The plan as workbook rows (a constant number of queries)."""
    units = _Units(plan.municipality)
    goal_numbers: dict[int, int] = {}
    goals = []
    for goal in Goal.objects.filter(plan=plan).order_by("number"):
        goal_numbers[goal.pk] = goal.number
        goals.append(
            wb.GoalRow(goal.number, _text(goal.name), _text(goal.description), goal.applies_from_fy)
        )
    policy_numbers: dict[int, int] = {}
    policies = []
    for policy in Policy.objects.filter(plan=plan).order_by("number"):
        policy_numbers[policy.pk] = policy.number
        policies.append(
            wb.PolicyRow(policy.number, goal_numbers[policy.goal_id], _text(policy.name))
        )
    type_numbers: dict[int, int] = {}
    types = []
    for kind in InitiativeType.objects.filter(plan=plan).order_by("number"):
        type_numbers[kind.pk] = kind.number
        types.append(wb.TypeRow(kind.number, policy_numbers[kind.policy_id], _text(kind.name)))
    open_units = InitiativeUnit.objects.filter(valid_to_fy__isnull=True).order_by("-is_lead", "id")
    initiatives = list(
        Initiative.objects.filter(plan=plan)
        .order_by("number")
        .prefetch_related(Prefetch("responsible_units", queryset=open_units, to_attr="open_units"))
    )
    numbers = {i.pk: i.number for i in initiatives}
    rows = [
        wb.InitiativeRow(
            number=i.number,
            type_number=type_numbers[i.initiative_type_id],
            title=_text(i.title),
            description=_text(i.description),
            units=tuple(units.label(u.unit_id) for u in getattr(i, "open_units", [])),
            repost_of=numbers.get(i.repost_of_id) if i.repost_of_id else None,
        )
        for i in initiatives
    ]
    indicators = [
        wb.IndicatorRow(
            number=i.number,
            goal_number=goal_numbers[i.goal_id],
            name=_text(i.name),
            unit_label=_text(i.unit_label),
            baseline=i.baseline,
            baseline_fy=i.baseline_fy,
            target=i.target,
            target_fy=i.target_fy,
            direction=i.direction,
            source=_text(i.source),
        )
        for i in Indicator.objects.filter(plan=plan).order_by("number")
    ]
    return wb.PlanWorkbook(
        plan=wb.PlanRow(plan.name, plan.start_fy, plan.end_fy, _text(plan.vision)),
        goals=goals,
        policies=policies,
        types=types,
        initiatives=rows,
        indicators=indicators,
    )


def _year_style() -> YearStyle:
    return "seireki" if getattr(settings, "SASAEAI_YEAR_STYLE", "wareki") == "seireki" else "wareki"


def plan_export(*, plan: Plan) -> bytes:
    """The plan as a workbook that imports back unchanged."""
    return write_workbook(plan_workbook(plan), year_style=_year_style())


def plan_template() -> bytes:
    """The empty workbook with headers, the 説明 sheet and the 方向 dropdown."""
    return write_workbook(None, year_style=_year_style())


def export_filename(plan: Plan) -> str:
    return _("{name}_計画ワークブック.xlsx").format(name=plan.name)
