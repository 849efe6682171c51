"""``sasaeai plan``: the plan workbook from the command line.

    sasaeai plan template -o plan.xlsx
    sasaeai plan import FILE.xlsx --municipality 142042 [--dry-run]
    sasaeai plan export --municipality 142042 --plan NAME -o FILE.xlsx

An import with any error changes nothing, lists every error (sheet, row, column) on stderr
and exits with status 1; a file larger than the xlsx limit of ``core.uploads`` (the same as
on the web) is refused before it is read. The operator running the command acts as the system (audited as
``cli:<os user>``).
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from sasaeai.accounts.models import Municipality
from sasaeai.core import uploads
from sasaeai.plans.models import Plan
from sasaeai.plans.services import plan_import as service

PREVIEW_LIMIT = 30  # changes listed per sheet (all of them with --verbosity 2)


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


class Command(BaseCommand):
    help = _("計画ワークブック（Excel）のテンプレート作成・取り込み・書き出しを行います。")

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        template = actions.add_parser("template", help=_("空のテンプレートを書き出す"))
        template.add_argument("-o", "--output", required=True, help=_("書き出すファイル"))
        template.add_argument("--force", action="store_true", help=_("既存のファイルを上書きする"))

        load = actions.add_parser("import", help=_("ワークブックを取り込む（計画を作成・更新）"))
        load.add_argument("file", help=_("取り込むファイル（.xlsx または .xlsm）"))
        load.add_argument(
            "--municipality", required=True, help=_("全国地方公共団体コード（例: 142042）")
        )
        load.add_argument("--dry-run", action="store_true", help=_("確認だけして、何も保存しない"))

        export = actions.add_parser("export", help=_("計画をワークブックに書き出す"))
        export.add_argument(
            "--municipality", required=True, help=_("全国地方公共団体コード（例: 142042）")
        )
        export.add_argument("--plan", required=True, help=_("計画の名称"))
        export.add_argument("-o", "--output", required=True, help=_("書き出すファイル"))
        export.add_argument("--force", action="store_true", help=_("既存のファイルを上書きする"))

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "template":
            self._write(Path(options["output"]), service.plan_template(), options["force"])
            self.stdout.write(
                self.style.SUCCESS(
                    _("テンプレートを書き出しました: {path}").format(path=options["output"])
                )
            )
        elif action == "import":
            self._import(options)
        else:
            self._export(options)

    def _municipality(self, code: str) -> Municipality:
        municipality = Municipality.objects.filter(code=code.strip()).first()
        if municipality is None:
            raise CommandError(
                _("自治体コード {code} の自治体が登録されていません。").format(code=code)
            )
        return municipality

    def _write(self, path: Path, data: bytes, force: bool) -> None:
        if path.exists() and not force:
            raise CommandError(
                _("{path} はすでにあります。上書きするときは --force を付けてください。").format(
                    path=path
                )
            )
        try:
            path.write_bytes(data)
        except OSError as error:
            raise CommandError(
                _("{path} に書き出せません（{reason}）。").format(path=path, reason=error.strerror)
            ) from None

    def _import(self, options: dict[str, Any]) -> None:
        municipality = self._municipality(options["municipality"])
        path = Path(options["file"])
        try:  # the xlsx limit of core.uploads, checked before the file is read
            data = uploads.read_file(path, file_format="xlsx")
        except uploads.UploadRefused as error:
            raise CommandError(error.message) from None
        result = service.plan_import(
            actor=_actor(),
            municipality=municipality,
            data=data,
            filename=path.name,
            dry_run=options["dry_run"],
        )
        if result.errors:
            for problem in result.errors:
                self.stderr.write(str(problem))
            raise CommandError(
                _("取り込めませんでした（誤り {count} 件）。何も変更していません。").format(
                    count=len(result.errors)
                )
            )
        self._report(result, verbose=options["verbosity"] >= 2)

    def _report(self, result: service.PlanImportResult, *, verbose: bool) -> None:
        if result.plan_created:
            head = _("計画「{name}」（新規作成）").format(name=result.plan_name)
        else:
            head = _("計画「{name}」").format(name=result.plan_name)
        self.stdout.write(head)
        if not result.has_changes:
            self.stdout.write(self.style.SUCCESS(_("変更はありません。")))
            return
        for counts, changes in result.by_sheet():
            if not counts.total:
                continue
            self.stdout.write(
                _("  {sheet}: 追加 {added} 件、変更 {changed} 件、削除 {removed} 件").format(
                    sheet=counts.sheet,
                    added=counts.added,
                    changed=counts.changed,
                    removed=counts.removed,
                )
            )
            shown = changes if verbose else changes[:PREVIEW_LIMIT]
            for change in shown:
                number = "" if change.number is None else f"{change.number} "
                self.stdout.write(f"    [{change.action_label}] {number}{change.name}")
                for item in change.fields if change.action != service.ADD else ():
                    self.stdout.write(
                        _("        {column}: {before} → {after}").format(
                            column=item.column,
                            before=item.before or _("（空欄）"),
                            after=item.after or _("（空欄）"),
                        )
                    )
            if len(changes) > len(shown):
                self.stdout.write(
                    _("    ほか {count} 件（すべて表示するには --verbosity 2）").format(
                        count=len(changes) - len(shown)
                    )
                )
        style = self.style.SUCCESS if result.applied else self.style.WARNING
        self.stdout.write(style(result.summary()))

    def _export(self, options: dict[str, Any]) -> None:
        municipality = self._municipality(options["municipality"])
        name = options["plan"].strip()
        plan = Plan.objects.filter(municipality=municipality, name=name).first()
        if plan is None:
            names = list(
                Plan.objects.filter(municipality=municipality)
                .order_by("start_fy")
                .values_list("name", flat=True)
            )
            raise CommandError(
                _("計画「{name}」がありません。登録されている計画: {names}").format(
                    name=name, names="、".join(names) or _("（なし）")
                )
            )
        self._write(Path(options["output"]), service.plan_export(plan=plan), options["force"])
        self.stdout.write(
            self.style.SUCCESS(
                _("計画「{name}」を書き出しました: {path}").format(
                    name=plan.name, path=options["output"]
                )
            )
        )
