"""``sasaeai evaluations export|import``: the departments' evaluation workbooks from the shell.

    sasaeai evaluations export --municipality 142042 --fy 2025 [--plan NAME] [--unit CODE] -o OUT
    sasaeai evaluations import FILE.xlsx --municipality 142042 [--dry-run] [--as USERNAME]

Export writes one workbook per department: with ``--unit`` to OUT (a file, or a directory);
without it, every department with evaluations in the cycle, into the directory OUT.
Import prints the differences; any error or conflict exits with status 1 and saves nothing.
A file larger than the xlsx limit of ``core.uploads`` (the same as on the web) is refused
before it is read; the changes are saved only if they are still the ones printed (the
preview's fingerprint, checked inside the import's transaction).
``--as`` names the user the changes are made as (required unless ``--dry-run``): the same
permissions apply as on the web, and the audit log records that user.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from sasaeai.accounts.models import Municipality, OrganisationUnit, User, unit_names_prefetch
from sasaeai.core import uploads
from sasaeai.core.errors import DomainError
from sasaeai.core.wareki import FiscalYearParseError, format_fiscal_year, parse_fiscal_year
from sasaeai.plans.models import EvaluationCycle
from sasaeai.plans.services import department_import as service

CLI_ACTOR = "system:cli"


class Command(BaseCommand):
    help = _("担当課ごとの評価のワークブック（Excel）を出力・取込します。")

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True, metavar="export|import")
        export = commands.add_parser("export", help=_("担当課ごとのワークブックを出力する"))
        export.add_argument(
            "--municipality", required=True, help=_("全国地方公共団体コード（例: 142042）")
        )
        export.add_argument("--fy", required=True, help=_("年度（例: 2025、R7、令和7年度）"))
        export.add_argument(
            "--plan", help=_("計画の名称（同じ年度の進捗調査が複数あるときに指定）")
        )
        export.add_argument(
            "--unit", help=_("担当課の識別子（省略するとその年度のすべての担当課）")
        )
        export.add_argument(
            "-o",
            "--output",
            required=True,
            help=_("出力先（--unit を指定したときはファイル名も可、省略時はディレクトリ）"),
        )
        imported = commands.add_parser("import", help=_("ワークブックを取り込む"))
        imported.add_argument("file", help=_("取り込む .xlsx ファイル"))
        imported.add_argument(
            "--municipality", required=True, help=_("全国地方公共団体コード（例: 142042）")
        )
        imported.add_argument(
            "--dry-run", action="store_true", help=_("変わる点を表示するだけで保存しない")
        )
        imported.add_argument(
            "--as",
            dest="username",
            help=_("変更を行う利用者のユーザー名（保存するときは必須。監査ログに残ります）"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = Municipality.objects.filter(code=options["municipality"]).first()
        if municipality is None:
            raise CommandError(
                _("団体コード {code} の自治体はありません。").format(code=options["municipality"])
            )
        if options["action"] == "export":
            self._export(municipality, options)
        else:
            self._import(municipality, options)

    # ------------------------------------------------------------- export

    def _cycle(self, municipality: Municipality, options: dict[str, Any]) -> EvaluationCycle:
        try:
            fiscal_year = parse_fiscal_year(str(options["fy"]))
        except FiscalYearParseError as error:
            raise CommandError(error.message) from None
        cycles = EvaluationCycle.objects.select_related("plan").filter(
            municipality=municipality, fiscal_year=fiscal_year
        )
        if options.get("plan"):
            cycles = cycles.filter(plan__name=options["plan"])
        found = list(cycles)
        if not found:
            raise CommandError(
                _("{year}の進捗調査はありません。").format(year=format_fiscal_year(fiscal_year))
            )
        if len(found) > 1:
            raise CommandError(
                _(
                    "{year}の進捗調査が複数あります。--plan で計画を指定してください（{plans}）。"
                ).format(
                    year=format_fiscal_year(fiscal_year),
                    plans="、".join(cycle.plan.name for cycle in found),
                )
            )
        return found[0]

    def _export(self, municipality: Municipality, options: dict[str, Any]) -> None:
        cycle = self._cycle(municipality, options)
        output = Path(options["output"])
        units: list[OrganisationUnit] | None = None
        if options.get("unit"):
            unit = (
                OrganisationUnit.objects.prefetch_related(unit_names_prefetch())
                .filter(municipality=municipality, code=options["unit"])
                .first()
            )
            if unit is None:
                raise CommandError(
                    _("識別子「{code}」の担当課はありません。").format(code=options["unit"])
                )
            if not cycle.evaluations.filter(unit=unit).exists():
                raise CommandError(
                    _("{unit}には{year}の評価がありません。").format(
                        unit=unit.name_in(cycle.fiscal_year) or unit.code,
                        year=format_fiscal_year(cycle.fiscal_year),
                    )
                )
            units = [unit]
        single_file = units is not None and output.suffix.lower() == ".xlsx"
        if not single_file:
            if output.exists() and not output.is_dir():
                raise CommandError(
                    _("出力先「{path}」はディレクトリではありません。").format(path=output)
                )
            output.mkdir(parents=True, exist_ok=True)
        elif not output.parent.is_dir():
            raise CommandError(
                _("出力先のディレクトリ「{path}」がありません。").format(path=output.parent)
            )
        if cycle.is_locked:
            self.stderr.write(
                _("注意: この進捗調査は締め切られています。出力したファイルは取り込めません。")
            )
        try:
            books = service.department_workbooks_export(actor=CLI_ACTOR, cycle=cycle, units=units)
        except DomainError as error:
            raise CommandError(str(error)) from None
        if not books:
            raise CommandError(
                _("{year}の評価がある担当課はありません。").format(
                    year=format_fiscal_year(cycle.fiscal_year)
                )
            )
        for book in books:
            path = output if single_file else output / book.ascii_filename
            path.write_bytes(book.content)
            self.stdout.write(
                _("{path}: {unit}（取組 {rows} 件）").format(
                    path=path, unit=book.unit_name, rows=book.rows
                )
            )
        self.stdout.write(
            self.style.SUCCESS(
                _("{count} 件のワークブックを出力しました。").format(count=len(books))
            )
        )

    # ------------------------------------------------------------- import

    def _import(self, municipality: Municipality, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("ファイル「{path}」がありません。").format(path=path))
        try:
            data = uploads.read_file(path, file_format="xlsx")
        except uploads.UploadRefused as error:
            raise CommandError(error.message) from None
        actor: Any = CLI_ACTOR
        if options.get("username"):
            actor = (
                User.objects.prefetch_related("memberships")
                .filter(username=options["username"], municipality=municipality)
                .first()
            )
            if actor is None:
                raise CommandError(
                    _("{name}の利用者「{username}」はいません。").format(
                        name=municipality.name, username=options["username"]
                    )
                )
        elif not options["dry_run"]:
            raise CommandError(
                _(
                    "保存するには --as で変更を行う利用者を指定してください（監査ログに残ります）。確認だけなら --dry-run を付けてください。"
                )
            )
        try:
            preview = service.department_import_preview(
                actor=actor, municipality=municipality, data=data, filename=path.name
            )
        except DomainError as error:
            self._write_details(error)
            raise CommandError(str(error)) from None
        self._report(preview)
        if not preview.ok:
            raise CommandError(preview.summary())
        if options["dry_run"] or not preview.has_changes:
            if options["dry_run"]:
                self.stdout.write(_("（--dry-run のため保存していません）"))
            return
        try:
            service.department_import_apply(
                actor=actor,
                municipality=municipality,
                data=data,
                filename=path.name,
                expected_fingerprint=preview.fingerprint,
            )
        except DomainError as error:
            self._write_details(error)
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                _("取り込みました（取組 {rows} 件・{fields} か所）。").format(
                    rows=len(preview.changes), fields=preview.field_count
                )
            )
        )

    def _write_details(self, error: DomainError) -> None:
        for detail in error.details:
            self.stderr.write(str(detail))

    def _report(self, preview: service.DepartmentImportPreview) -> None:
        self.stdout.write(
            _("{plan} {year} {unit}: {rows} 行を読みました。").format(
                plan=preview.cycle.plan.name,
                year=format_fiscal_year(preview.cycle.fiscal_year),
                unit=preview.unit_name,
                rows=preview.rows_read,
            )
        )
        for error in preview.errors:
            self.stderr.write(str(error))
        for conflict in preview.conflicts:
            self.stderr.write(conflict.describe())
        for change in preview.changes:
            for item in change.changes:
                self.stdout.write(
                    _("{row}行目 番号 {number}「{title}」 {field}: {before} → {after}").format(
                        row=change.row,
                        number=change.number,
                        title=change.title,
                        field=item.label,
                        before=_one_line(item.before),
                        after=_one_line(item.after),
                    )
                )
        self.stdout.write(preview.summary())


def _one_line(text: str) -> str:
    if not text:
        return _("（空欄）")
    flat = " ".join(text.split())
    return flat if len(flat) <= 60 else flat[:60] + "…"
