"""``sasaeai report``: build the annual progress report (推進状況報告書) from the command line.

    sasaeai report build --municipality 142042 --fy R6 --format pdf -o report.pdf
    sasaeai report build --municipality 142042 --fy 令和6 --format csv -o opendata/

``--plan`` defaults to the plan in force that 年度. ``-o`` names a file, or an existing folder
(the default filename is used; CSV into a folder writes each table as its own file, otherwise
a ZIP). A cycle not yet published builds as a draft (「案」, what publishing would show) with a
warning on stderr; ``--include-unpublished`` builds the secretariat's check (unapproved
evaluations and unpublished reviews too, each marked), always a 案.
Exit status: 0 done, 1 refused (unknown municipality, no plan or cycle, file exists, no PDF
font), 2 bad arguments (年度 not readable, unknown format).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from sasaeai.accounts.models import Municipality
from sasaeai.core.errors import DomainError
from sasaeai.core.wareki import FiscalYearParseError, format_fiscal_year, parse_fiscal_year
from sasaeai.publication import render as renderers
from sasaeai.publication.selectors.published import build_document
from sasaeai.publication.selectors.staff import cycle_for

USAGE_ERROR = 2


class Command(BaseCommand):
    help = _("推進状況報告書（HTML・PDF・Excel・CSV）を作成します。")

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        build = actions.add_parser("build", help=_("報告書を作成してファイルに書き出す"))
        build.add_argument(
            "--municipality", required=True, help=_("全国地方公共団体コード（例: 142042）")
        )
        build.add_argument("--fy", required=True, help=_("年度（例: 2024、令和6、R6）"))
        build.add_argument("--plan", help=_("計画の名称（省略時はその年度に期間が及ぶ計画）"))
        build.add_argument(
            "--format",
            required=True,
            choices=renderers.FORMATS,
            help=_("形式: html・pdf・xlsx・csv"),
        )
        build.add_argument(
            "-o", "--output", required=True, help=_("書き出すファイル、またはフォルダ")
        )
        build.add_argument("--force", action="store_true", help=_("既存のファイルを上書きする"))
        build.add_argument(
            "--include-unpublished",
            action="store_true",
            help=_("承認していない評価と公表しない講評・コメントも含める（事務局の確認用の案）"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        code = options["municipality"].strip()
        municipality = Municipality.objects.filter(code=code).first()
        if municipality is None:
            raise CommandError(
                _("自治体コード {code} の自治体が登録されていません。").format(code=code)
            )
        try:
            fiscal_year = parse_fiscal_year(options["fy"])
        except FiscalYearParseError as error:
            raise CommandError(str(error), returncode=USAGE_ERROR) from None
        fmt = options["format"]
        try:
            cycle = cycle_for(municipality, fiscal_year, options.get("plan") or None)
        except DomainError as error:
            raise CommandError(error.message) from None
        output = Path(options["output"])
        into_folder = output.is_dir()
        if not into_folder and not output.parent.is_dir():
            raise CommandError(_("フォルダ {folder} がありません。").format(folder=output.parent))
        if fmt == "csv" and not into_folder and output.suffix.lower() != ".zip":
            raise CommandError(
                _(
                    "CSV は複数の表からなるため、-o にはフォルダか .zip のファイルを"
                    "指定してください。"
                ),
                returncode=USAGE_ERROR,
            )
        document = build_document(cycle, include_unpublished=options["include_unpublished"])
        if into_folder and fmt != "csv":
            output = output / renderers.filename(document, fmt)
        if not into_folder or fmt != "csv":
            self._refuse_existing([output], options["force"])
        if options["include_unpublished"]:
            self.stderr.write(
                _(
                    "注意: 承認していない評価と、公表しない講評・コメントも載せた確認用の「案」"
                    "として作成します。配らないでください。"
                )
            )
        elif document.is_draft:
            self.stderr.write(
                _(
                    "注意: {year}の進捗調査はまだ公表されていないため、「案」として作成します。"
                    "公表したときに載るもの（承認された評価と、公表する講評・コメント）だけが"
                    "入ります。"
                ).format(year=format_fiscal_year(fiscal_year))
            )
        try:
            if into_folder and fmt == "csv":
                from sasaeai.publication.render.csv import render_csv_tables

                files = [
                    (output / name, data) for name, data in render_csv_tables(document).items()
                ]
                self._refuse_existing([path for path, _data in files], options["force"])
            else:
                files = [(output, renderers.render(document, fmt).content)]
        except DomainError as error:  # e.g. no Japanese font for the PDF
            raise CommandError(error.message) from None
        for path, content in files:
            try:
                path.write_bytes(content)
            except OSError as error:
                raise CommandError(
                    _("{path} に書き出せません（{reason}）。").format(
                        path=path, reason=error.strerror
                    )
                ) from None
        for path, content in files:
            self.stdout.write(
                self.style.SUCCESS(
                    _("{title}を書き出しました: {path}（{size} バイト）").format(
                        title=document.title, path=path, size=f"{len(content):,}"
                    )
                )
            )

    def _refuse_existing(self, paths: list[Path], force: bool) -> None:
        existing = [path for path in paths if path.exists()]
        if existing and not force:
            raise CommandError(
                _("{path} はすでにあります。上書きするときは --force を付けてください。").format(
                    path=existing[0]
                )
            )
