"""`sasaeai send_reminders --municipality 142042 [--dry-run]`: remind departments by e-mail."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from sasaeai.accounts.models import Municipality
from sasaeai.plans.services.reminders import reminders_send

ACTOR = "system:send_reminders"


class Command(BaseCommand):
    help = _(
        "受付中の進捗調査で、まだ提出していない評価（入力中・差し戻し）がある担当課に、"
        "督促メールを送ります。送ったメールは監査ログに残ります。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--municipality",
            required=True,
            help=_("全国地方公共団体コード（6桁、例: 142042）"),
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("送らずに、送る予定のメールを表示する（監査ログにも残さない）"),
        )
        parser.add_argument(
            "--base-url",
            default=None,
            help=_("メールに書くリンクの先頭（例: https://welfare.example.lg.jp）"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        code = str(options["municipality"]).strip()
        municipality = Municipality.objects.filter(code=code).first()
        if municipality is None:
            raise CommandError(
                _("全国地方公共団体コード「{code}」の自治体は登録されていません。").format(
                    code=code
                )
            )
        dry_run = bool(options["dry_run"])
        reminders = reminders_send(
            actor=ACTOR,
            municipality=municipality,
            dry_run=dry_run,
            link_base=options["base_url"],
        )
        if not reminders:
            self.stdout.write(_("督促が必要な担当課はありません。"))
            return
        failed = []
        for reminder in reminders:
            who = "、".join(reminder.recipients)
            summary = _("{unit}: 入力中 {drafts}件・差し戻し {returned}件").format(
                unit=reminder.unit_name, drafts=reminder.drafts, returned=reminder.returned
            )
            if not reminder.recipients:
                self.stderr.write(
                    _(
                        "{summary} — 宛先がありません（有効な担当課の利用者にメールアドレスがありません）。"
                    ).format(summary=summary)
                )
            elif dry_run:
                self.stdout.write(
                    _("[送信予定] {summary} → {who}").format(summary=summary, who=who)
                )
                self.stdout.write(_("  件名: {subject}").format(subject=reminder.subject))
                for line in reminder.body.splitlines():
                    self.stdout.write(f"  | {line}")
            elif reminder.error:
                failed.append(reminder)
                self.stderr.write(
                    _("{summary} — 送信できませんでした: {error}").format(
                        summary=summary, error=reminder.error
                    )
                )
            else:
                self.stdout.write(_("[送信] {summary} → {who}").format(summary=summary, who=who))
        sent = sum(1 for r in reminders if r.sent)
        if dry_run:
            self.stdout.write(
                _("試行のため送っていません（送信予定 {count}通）。").format(
                    count=sum(1 for r in reminders if r.recipients)
                )
            )
        else:
            self.stdout.write(self.style.SUCCESS(_("{count}通送りました。").format(count=sent)))
        if failed:
            raise CommandError(_("{count}通は送信できませんでした。").format(count=len(failed)))
