"""Show the current two-factor code of a demo account (demo accounts only)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from sasaeai.accounts.models import User


class Command(BaseCommand):
    help = _(
        "デモ用アカウントの2段階認証の確認コード（6桁）を表示します。デモ用アカウント以外には使えません。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "username", help=_("デモ用アカウントのユーザー名（例: demo-jimukyoku）")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None or not user.is_demo:
            raise CommandError(
                _("デモ用アカウント「{username}」はありません。").format(
                    username=options["username"]
                )
            )
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            raise CommandError(
                _("「{username}」には2段階認証が登録されていません。").format(
                    username=user.username
                )
            )
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{totp.token():06d}")
