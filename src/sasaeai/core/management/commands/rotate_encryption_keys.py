from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from sasaeai.core.crypto import DecryptionError
from sasaeai.core.services import reencrypt_all


class Command(BaseCommand):
    help = _(
        "暗号化された全データを、SASAEAI_ENCRYPTION_KEYS の先頭（最新）の鍵で暗号化し直します。"
        " 古い鍵は復号のため残したまま実行し、完了後に取り除いてください。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size", type=int, default=500, help=_("一度に処理する行数（既定 500）")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            counts = reencrypt_all(batch_size=options["batch_size"])
        except DecryptionError as error:
            raise CommandError(str(error)) from None
        total = sum(counts.values())
        for label, count in sorted(counts.items()):
            self.stdout.write(_("{label}: {count} 件").format(label=label, count=count))
        self.stdout.write(
            self.style.SUCCESS(_("再暗号化が完了しました（合計 {total} 件）。").format(total=total))
        )
