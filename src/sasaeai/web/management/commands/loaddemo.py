"""Load the Kamakura demo tenant: every app's ``demo.load()``, in the order of INSTALLED_APPS
(web stands above the apps it loads). Idempotent; refused in production."""

from __future__ import annotations

import importlib
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from sasaeai.accounts.roles import ROLES_REQUIRING_2FA, Role


class Command(BaseCommand):
    help = _(
        "鎌倉市のデモ用データ（架空のデータを含む）を読み込みます。何度実行しても同じ状態になります。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--quiet-accounts", action="store_true", help=_("デモ用アカウントを表示しない")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError(
                _("本番環境（SASAEAI_ENV=production）ではデモデータを読み込めません。")
            )
        with transaction.atomic():
            result: dict[str, Any] = {}
            for app in apps.get_app_configs():
                if not app.name.startswith("sasaeai."):
                    continue
                try:
                    module = importlib.import_module(f"{app.name}.demo")
                except ModuleNotFoundError as error:
                    if error.name != f"{app.name}.demo":
                        raise
                    continue
                result.update(module.load(stdout=self.stdout) or {})
        self.stdout.write(
            self.style.SUCCESS(
                _("デモデータを読み込みました（鎌倉市 142042・架空のデータを含む）。")
            )
        )
        if not options["quiet_accounts"]:
            self._print_accounts(result)

    def _print_accounts(self, result: dict[str, Any]) -> None:
        self.stdout.write("")
        self.stdout.write(_("デモ用アカウント（パスワードはすべて共通・デモ専用）:"))
        self.stdout.write(_("  パスワード: {password}").format(password=result["password"]))
        for user in result["users"]:
            note = (
                _("  ※2段階認証: `sasaeai demotoken ") + user.username + _("` でコードを表示")
                if user.role in ROLES_REQUIRING_2FA
                else ""
            )
            self.stdout.write(f"  {user.username:<16} {Role(user.role).label}{note}")
        if result.get("operator"):
            operator = result["operator"]
            self.stdout.write(
                f"  {operator:<16} "
                + _("運用者（/admin/ の管理画面。自治体には属しません）")
                + _("  ※2段階認証: `sasaeai demotoken ")
                + operator
                + _("` でコードを表示")
            )
