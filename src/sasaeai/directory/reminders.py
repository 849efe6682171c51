"""Reminder e-mails about stale directory entries (最終確認日 older than 12 months, or empty).

One e-mail per maintaining unit, listing its stale entries (not 終了) with links to their edit
pages. It goes to the active users with an e-mail address who hold, in that unit, a role that
may edit its entries (``permissions.EDITING_MEMBERSHIPS``); the entries without any maintainer
go to the secretariat (事務局). A unit is reminded at most once a day: every e-mail sent is an
audit row (``directory.StaleReminder``, object id ``<unit id or "secretariat">:<date>``), and a
unit that already has today's row is skipped.
"""

from __future__ import annotations

import datetime as dt
import smtplib
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sasaeai.accounts.models import Membership, Municipality, OrganisationUnit
from sasaeai.accounts.roles import Role
from sasaeai.audit import services as audit
from sasaeai.audit.models import Action, AuditEvent
from sasaeai.core.wareki import format_date
from sasaeai.directory.permissions import EDITING_MEMBERSHIPS
from sasaeai.directory.selectors.staff import STALE_MONTHS, EntryRow, stale_groups

OBJECT_TYPE = "directory.StaleReminder"
SECRETARIAT_KEY = "secretariat"
DEFAULT_BASE_URL = "http://localhost:8000"


@dataclass
class StaleReminder:
    """One e-mail to one unit (or to the secretariat when ``unit`` is None)."""

    unit: OrganisationUnit | None
    unit_name: str
    rows: list[EntryRow]
    recipients: list[str] = field(default_factory=list)
    usernames: list[str] = field(default_factory=list)
    subject: str = ""
    body: str = ""
    sent: bool = False
    already_sent_today: bool = False
    error: str = ""

    @property
    def key(self) -> str:
        return str(self.unit.pk) if self.unit is not None else SECRETARIAT_KEY


def base_url() -> str:
    """The address the e-mails link to: the SASAEAI_BASE_URL setting, else localhost."""
    return str(getattr(settings, "SASAEAI_BASE_URL", "") or DEFAULT_BASE_URL).rstrip("/")


def _recipients(
    municipality: Municipality, unit_ids: set[int], secretariat: bool
) -> dict[int | None, list[tuple[str, str]]]:
    """E-mail and username per unit id (None: the secretariat), sorted by username."""
    memberships = (
        Membership.objects.filter(municipality=municipality, is_active=True, user__is_active=True)
        .exclude(user__email="")
        .select_related("user", "unit")
        .order_by("user__username")
    )
    found: dict[int | None, list[tuple[str, str]]] = {}
    for m in memberships:
        keys: list[int | None] = []
        if m.unit_id in unit_ids and (m.role, m.unit.kind) in EDITING_MEMBERSHIPS:
            keys.append(m.unit_id)
        if secretariat and m.role == Role.SECRETARIAT:
            keys.append(None)
        for key in keys:
            entry = (m.user.email, m.user.get_username())
            if entry not in found.setdefault(key, []):
                found[key].append(entry)
    return found


def reminders_due(
    *, municipality: Municipality, today: dt.date | None = None, link_base: str | None = None
) -> list[StaleReminder]:
    """Every unit with stale entries, with recipients and the e-mail text (a few queries)."""
    today = today or timezone.localdate()
    groups = stale_groups(municipality=municipality, today=today)
    unit_ids = {g.unit.pk for g in groups if g.unit is not None}
    has_none = any(g.unit is None for g in groups)
    recipients = _recipients(municipality, unit_ids, has_none)
    sent_today = set(
        AuditEvent.objects.filter(
            municipality=municipality,
            object_type=OBJECT_TYPE,
            object_id__endswith=f":{today.isoformat()}",
        ).values_list("object_id", flat=True)
    )
    link = (link_base or base_url()).rstrip("/")
    reminders = []
    for group in groups:
        who = recipients.get(group.unit.pk if group.unit is not None else None, [])
        reminder = StaleReminder(
            unit=group.unit,
            unit_name=group.unit_name if group.unit is not None else _("事務局"),
            rows=group.rows,
            recipients=[email for email, _username in who],
            usernames=[username for _email, username in who],
        )
        reminder.already_sent_today = f"{reminder.key}:{today.isoformat()}" in sent_today
        reminder.subject, reminder.body = _message(reminder, link)
        reminders.append(reminder)
    return reminders


def _message(reminder: StaleReminder, link: str) -> tuple[str, str]:
    count = len(reminder.rows)
    subject = _("【ささえあい】地域資源の情報の確認のお願い（{count}件）").format(count=count)
    lines = [
        _("{unit} ご担当者様").format(unit=reminder.unit_name),
        "",
        _(
            "地域資源の情報のうち、最終確認日から{months}か月以上たっているもの"
            "（またはまだ確認していないもの）が{count}件あります。"
        ).format(months=STALE_MONTHS, count=count),
        _("内容が今も正しいかを確かめてください。"),
        _("正しければ、編集の画面で「内容を確認しました」を押してください。"),
        _("違っていれば、直して「保存する」を押してください。"),
        "",
    ]
    for row in reminder.rows:
        service = row.service
        confirmed = format_date(service.assured_date) if service.assured_date else _("未確認")
        lines.append(_("・{name}（最終確認日: {date}）").format(name=service.name, date=confirmed))
        lines.append(
            "  " + link + reverse("directory:service_edit", kwargs={"service_id": service.pk})
        )
    lines += [
        "",
        _("確認が必要な情報の一覧:"),
        link + reverse("directory:stale"),
        "",
        _("このメールは、ささえあいから自動で送っています。"),
    ]
    return subject, "\n".join(lines)


def reminders_send(
    *,
    actor: Any,
    municipality: Municipality,
    dry_run: bool = False,
    today: dt.date | None = None,
    link_base: str | None = None,
) -> list[StaleReminder]:
    """Send the due reminders; each e-mail sent is audited. A dry run sends and records nothing.

    Units without recipients, and units already reminded today, are returned unsent so the
    caller can say so; an e-mail that could not be sent has ``error`` set (no audit row).
    """
    today = today or timezone.localdate()
    reminders = reminders_due(municipality=municipality, today=today, link_base=link_base)
    if dry_run:
        return reminders
    for reminder in reminders:
        if not reminder.recipients or reminder.already_sent_today:
            continue
        try:
            with transaction.atomic():
                audit.record(
                    actor=actor,
                    action=Action.CREATE,
                    municipality=municipality,
                    object_type=OBJECT_TYPE,
                    object_id=f"{reminder.key}:{today.isoformat()}",
                    object_repr=_("地域資源の確認のお願い: {unit}").format(unit=reminder.unit_name),
                    changes={"recipients": [[], reminder.usernames]},
                    detail=_("確認のお願いのメールを送信（{count}件）").format(
                        count=len(reminder.rows)
                    ),
                )
                # sent last: if sending fails, the audit row above is rolled back with it
                send_mail(
                    reminder.subject,
                    reminder.body,
                    settings.DEFAULT_FROM_EMAIL,
                    reminder.recipients,
                )
        except (OSError, smtplib.SMTPException) as error:
            reminder.error = str(error)
        else:
            reminder.sent = True
    return reminders
