"""``sasaeai directory remind --municipality 142042 [--dry-run] [--base-url URL]``.

E-mails each maintaining unit the list of its entries not confirmed for 12 months (see
``directory/reminders.py``). Exit 0 when every due e-mail was sent (or skipped because it was
already sent today, or has no recipient — both reported on stderr), 1 when an e-mail could
not be sent, 2 for an unknown municipality.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import OutputWrapper
from django.utils.translation import gettext as _

from sasaeai.accounts.models import Municipality
from sasaeai.directory.reminders import reminders_send

ACTOR = "system:directory_remind"


def register(actions: Any) -> None:
    parser = actions.add_parser(
        "remind",
        help=_("1年以上確認していない情報について、管理する団体に確認のお願いのメールを送る"),
    )
    parser.add_argument(
        "--municipality", required=True, help=_("全国地方公共団体コード（6桁、例: 142042）")
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help=_("送らずに、送る予定のメールを表示する（監査ログにも残さない）"),
    )
    parser.add_argument(
        "--base-url",
        default=None,
        help=_("メールに書くリンクの先頭（既定は設定 SASAEAI_BASE_URL）"),
    )
    parser.set_defaults(handler=handle)


def handle(options: dict[str, Any], out: OutputWrapper, err: OutputWrapper) -> int:
    code = str(options["municipality"]).strip()
    municipality = Municipality.objects.filter(code=code).first()
    if municipality is None:
        err.write(
            _("全国地方公共団体コード「{code}」の自治体は登録されていません。").format(code=code)
        )
        return 2
    dry_run = bool(options["dry_run"])
    reminders = reminders_send(
        actor=ACTOR, municipality=municipality, dry_run=dry_run, link_base=options["base_url"]
    )
    if not reminders:
        out.write(_("確認が必要な情報はありません。"))
        return 0
    failed = 0
    for reminder in reminders:
        summary = _("{unit}: {count}件").format(unit=reminder.unit_name, count=len(reminder.rows))
        who = "、".join(reminder.recipients)
        if not reminder.recipients:
            err.write(
                _(
                    "{summary} — 宛先がありません（編集できる役割の有効な利用者に"
                    "メールアドレスがありません）。"
                ).format(summary=summary)
            )
        elif reminder.already_sent_today:
            err.write(_("{summary} — 今日はすでに送っています。").format(summary=summary))
        elif dry_run:
            out.write(_("[送信予定] {summary} → {who}").format(summary=summary, who=who))
            out.write(_("  件名: {subject}").format(subject=reminder.subject))
            for line in reminder.body.splitlines():
                out.write(f"  | {line}")
        elif reminder.error:
            failed += 1
            err.write(
                _("{summary} — 送信できませんでした: {error}").format(
                    summary=summary, error=reminder.error
                )
            )
        else:
            out.write(_("[送信] {summary} → {who}").format(summary=summary, who=who))
    if dry_run:
        planned = sum(1 for r in reminders if r.recipients and not r.already_sent_today)
        out.write(_("試行のため送っていません（送信予定 {count}通）。").format(count=planned))
        return 0
    out.write(_("{count}通送りました。").format(count=sum(1 for r in reminders if r.sent)))
    if failed:
        err.write(_("{count}通は送信できませんでした。").format(count=failed))
        return 1
    return 0
