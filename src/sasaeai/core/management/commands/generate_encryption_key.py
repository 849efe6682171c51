from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from sasaeai.core.crypto import generate_key


class Command(BaseCommand):
    help = _("新しい暗号鍵を表示します（SASAEAI_ENCRYPTION_KEYS の先頭に加えてください）。")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(generate_key())
