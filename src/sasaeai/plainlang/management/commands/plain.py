"""``sasaeai plain``: the plain-Japanese checker on the command line.

    sasaeai plain check [FILE ...|-] [--format text|json] [--config FILE | --municipality CODE]
    sasaeai plain export-config --municipality CODE -o FILE.yaml|FILE.csv
    sasaeai plain import-config FILE --municipality CODE [--dry-run]

``check`` exits with 1 if any finding is an error, else 0. Usage errors (an unreadable
file, a wrong setting, an unknown option) print a Japanese message and exit with 2.
``import-config`` refuses a file larger than the ``text`` limit of ``core.uploads`` (the
same as on the web) before reading it; it compares and writes in one transaction, so what it
prints is what it saved.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from sasaeai.accounts.models import Municipality
from sasaeai.plainlang import selectors, services
from sasaeai.plainlang.engine import Config, ConfigError, UsageError, run_check
from sasaeai.plainlang.importing import ConfigImportError, SettingsImportPreview, check_size

USAGE_ERROR = 2
CLI_ACTOR = "system:cli"


class PlainCommandParser(CommandParser):
    """Argument mistakes end with a Japanese message and exit status 2."""

    def error(self, message: str) -> NoReturn:
        text = _(
            "使い方に誤りがあります（{message}）。`sasaeai plain --help` を見てください。"
        ).format(message=message)
        if self.called_from_command_line:
            self.print_usage(sys.stderr)
            self.exit(USAGE_ERROR, f"{self.prog}: {text}\n")
        raise CommandError(text, returncode=USAGE_ERROR)


class Command(BaseCommand):
    help = _("文章のわかりやすさをチェックします（やさしい日本語チェッカー）。")
    # call_command(..., stdin=io.BytesIO(...)) reads standard input from there.
    stealth_options = ("stdin",)

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        # Django builds a CommandParser; ours only changes how argument mistakes are told.
        parser.__class__ = PlainCommandParser
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(
            dest="action",
            required=True,
            metavar="{check,export-config,import-config}",
            parser_class=PlainCommandParser,
        )
        check = commands.add_parser("check", help=_("文章をチェックする"))
        check.add_argument(
            "files",
            nargs="*",
            metavar="FILE",
            help=_("テキスト・Word（.docx）・Excel（.xlsx）。省略するか - なら標準入力"),
        )
        check.add_argument(
            "--format", choices=["text", "json"], default="text", help=_("出力の形式")
        )
        check.add_argument("--config", metavar="FILE", help=_("設定ファイル（.yaml・.csv）"))
        check.add_argument(
            "--municipality", metavar="CODE", help=_("この自治体（団体コード）の設定を使う")
        )

        export = commands.add_parser("export-config", help=_("自治体の設定を書き出す"))
        export.add_argument("--municipality", metavar="CODE", required=True)
        export.add_argument(
            "-o", "--output", metavar="FILE", required=True, help=_(".yaml か .csv")
        )

        imported = commands.add_parser(
            "import-config", help=_("設定ファイルで自治体の設定を置き換える")
        )
        imported.add_argument("file", metavar="FILE")
        imported.add_argument("--municipality", metavar="CODE", required=True)
        imported.add_argument(
            "--dry-run", action="store_true", help=_("変わる点を表示するだけで、保存しない")
        )

    def execute(self, *args: Any, **options: Any) -> Any:
        try:
            return super().execute(*args, **options)
        except CommandError as error:
            if not getattr(self, "_called_from_command_line", False) or options.get("traceback"):
                raise
            self.stderr.write(_("エラー: {message}").format(message=error))
            sys.exit(error.returncode)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "check":
            self.check_texts(options)
        elif action == "export-config":
            self.export_config(options)
        else:
            self.import_config(options)

    # ------------------------------------------------------------ check

    def check_texts(self, options: dict[str, Any]) -> None:
        if options["config"] and options["municipality"]:
            raise usage_error(
                _("--config と --municipality は、どちらか一方だけを指定してください。")
            )
        config = None
        if options["config"]:
            try:
                config = Config.from_file(options["config"])
            except ConfigError as error:
                raise usage_error(
                    _("設定ファイルに誤りがあります: {error}").format(error=error)
                ) from None
        elif options["municipality"]:
            config = selectors.config_for(municipality(options["municipality"]))
        stdin = options.get("stdin") or sys.stdin.buffer
        try:
            output, status = run_check(options["files"], config, options["format"], stdin=stdin)
        except UsageError as error:
            raise usage_error(str(error)) from None
        self.stdout.write(output, ending="")
        if status:
            sys.exit(status)

    # ------------------------------------------------------------ settings files

    def export_config(self, options: dict[str, Any]) -> None:
        path = Path(options["output"])
        fmt = {".yaml": "yaml", ".yml": "yaml", ".csv": "csv"}.get(path.suffix.lower())
        if fmt is None:
            raise usage_error(_("書き出すファイルは .yaml、.yml、.csv のどれかにしてください。"))
        exported = selectors.config_export(
            municipality=municipality(options["municipality"]), fmt=fmt
        )
        try:
            path.write_bytes(exported.content)
        except OSError as error:
            raise usage_error(
                _("ファイル「{path}」に書き込めません（{reason}）。").format(
                    path=path, reason=error.strerror
                )
            ) from None
        self.stdout.write(_("設定を {path} に書き出しました。").format(path=path))

    def import_config(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        try:
            check_size(size=path.stat().st_size, filename=path.name)
            data = path.read_bytes()
        except OSError as error:
            raise usage_error(
                _("ファイル「{path}」を読めません（{reason}）。").format(
                    path=path, reason=error.strerror
                )
            ) from None
        except ConfigImportError as error:
            raise usage_error(str(error)) from None
        try:
            preview = services.plainlang_config_import(
                actor=CLI_ACTOR,
                municipality=municipality(options["municipality"]),
                data=data,
                filename=path.name,
                dry_run=options["dry_run"],
            )
        except ConfigImportError as error:
            raise usage_error(str(error)) from None
        self.write_preview(preview)
        if options["dry_run"]:
            self.stdout.write(_("（--dry-run のため保存していません）"))
        elif preview.has_changes:
            self.stdout.write(self.style.SUCCESS(_("設定を取り込みました。")))

    def write_preview(self, preview: SettingsImportPreview) -> None:
        self.stdout.write(
            _("追加 {added} 件・変更 {changed} 件・削除 {removed} 件").format(**preview.counts)
        )
        for sign, changes in (("+", preview.added), ("~", preview.changed), ("-", preview.removed)):
            for change in changes:
                values = " → ".join(v for v in (change.before, change.after) if v is not None)
                self.stdout.write(f"  {sign} [{change.kind_label}] {change.key}: {values}")


def usage_error(message: str) -> CommandError:
    return CommandError(message, returncode=USAGE_ERROR)


def municipality(code: str) -> Municipality:
    found = Municipality.objects.filter(code=code).first()
    if found is None:
        raise usage_error(_("団体コード「{code}」の自治体は登録されていません。").format(code=code))
    return found
