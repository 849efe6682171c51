"""``sasaeai directory``: the directory of local resources from the command line.

    sasaeai directory search QUERY --municipality 142042 [--district NAME] [--format text|json]
    sasaeai directory import FILE --municipality 142042 [--kind auto|hsds|kaigo|kosodate|iryo|aed] [--retire-missing] [--dry-run]
    sasaeai directory export --municipality 142042 --format hsds-json|hsds-csv -o DIR
    sasaeai directory booklet --municipality 142042 (--district NAME -o FILE.pdf | --all-districts -o DIR)
    sasaeai directory remind --municipality 142042 [--dry-run]

Each subcommand lives in its own module under ``sasaeai.directory.commands``.
"""

from __future__ import annotations

import importlib
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from sasaeai.directory.commands import SUBCOMMAND_MODULES


class Command(BaseCommand):
    help = _("地域資源情報の検索・取り込み・書き出し・冊子の作成を行います。")

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        for name in SUBCOMMAND_MODULES:
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError as error:
                if error.name == name:  # not written yet
                    continue
                raise
            module.register(actions)

    def handle(self, *args: Any, **options: Any) -> None:
        status = options["handler"](options, self.stdout, self.stderr)
        if status:
            raise CommandError(_("終了コード {status}").format(status=status), returncode=status)
