"""Reminder e-mails (督促) to departments that still have open evaluations in an open cycle.

A department is reminded when it has evaluations in draft (入力中) or returned (差し戻し)
state in a cycle that is open; the e-mail goes to the active 担当課 members of the unit who
have an e-mail address. Each e-mail sent is recorded in the audit log.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from sasaeai.accounts.models import Membership, Municipality, OrganisationUnit, unit_names_prefetch
from sasaeai.accounts.roles import Role
from sasaeai.audit import services as audit
from sasaeai.audit.models import Action
from sasaeai.core.wareki import format_date, format_fiscal_year
from sasaeai.plans import permissions
from sasaeai.plans.models import CycleStatus, Evaluation, EvaluationCycle, EvaluationState

# the states a department still has to work on (``permissions.DEPARTMENT_EDITABLE_STATES``)
OPEN_STATES = tuple(sorted(permissions.DEPARTMENT_EDITABLE_STATES))
DEFAULT_BASE_URL = "http://localhost:8000"


@dataclass
class Reminder:
    """One e-mail to one department about one cycle."""

    cycle: EvaluationCycle
    unit: OrganisationUnit
    unit_name: str
    drafts: int
    returned: int
    recipients: list[str] = field(default_factory=list)
    usernames: list[str] = field(default_factory=list)
    subject: str = ""
    body: str = ""
    sent: bool = False
    error: str = ""

    @property
    def open_count(self) -> int:
        return self.drafts + self.returned


def base_url() -> str:
    """The address the e-mails link to: the SASAEAI_BASE_URL setting, else localhost."""
    return str(getattr(settings, "SASAEAI_BASE_URL", "") or DEFAULT_BASE_URL).rstrip("/")


def reminders_due(*, municipality: Municipality, link_base: str | None = None) -> list[Reminder]:
    """Every (open cycle, department) with open evaluations, with its recipients and text.

    Four queries whatever the number of evaluations or departments.
    """
    cycles = {
        c.pk: c
        for c in EvaluationCycle.objects.filter(
            municipality=municipality, status=CycleStatus.OPEN
        ).select_related("plan")
    }
    if not cycles:
        return []
    counts = (
        Evaluation.objects.filter(cycle_id__in=cycles, state__in=OPEN_STATES)
        .values("cycle_id", "unit_id")
        .annotate(
            drafts=Count("id", filter=Q(state=EvaluationState.DRAFT)),
            returned=Count("id", filter=Q(state=EvaluationState.RETURNED)),
        )
        .order_by("cycle_id", "unit_id")
    )
    rows = list(counts)
    unit_ids = {row["unit_id"] for row in rows}
    units = {
        u.pk: u
        for u in OrganisationUnit.objects.filter(pk__in=unit_ids).prefetch_related(
            Prefetch("names", queryset=unit_names_prefetch().queryset)
        )
    }
    recipients: dict[int, list[tuple[str, str]]] = {}
    memberships = (
        Membership.objects.filter(
            unit_id__in=unit_ids,
            role=Role.DEPARTMENT,
            is_active=True,
            user__is_active=True,
            municipality=municipality,
        )
        .exclude(user__email="")
        .select_related("user")
        .order_by("unit_id", "user__username")
    )
    for membership in memberships:
        recipients.setdefault(membership.unit_id, []).append(
            (membership.user.email, membership.user.username)
        )
    link = (link_base or base_url()).rstrip("/") + reverse("plans:evaluation_mine")
    reminders = []
    for row in rows:
        cycle = cycles[row["cycle_id"]]
        unit = units[row["unit_id"]]
        reminder = Reminder(
            cycle=cycle,
            unit=unit,
            unit_name=unit.name_in(cycle.fiscal_year) or unit.current_name(),
            drafts=row["drafts"],
            returned=row["returned"],
            recipients=[email for email, _username in recipients.get(unit.pk, [])],
            usernames=[username for _email, username in recipients.get(unit.pk, [])],
        )
        reminder.subject, reminder.body = _message(reminder, link)
        reminders.append(reminder)
    return reminders


def _message(reminder: Reminder, link: str) -> tuple[str, str]:
    cycle = reminder.cycle
    year = format_fiscal_year(cycle.fiscal_year)
    deadline = format_date(cycle.deadline) if cycle.deadline else _("（未定）")
    subject = _("【{plan}】{year} 進捗調査のご入力のお願い（提出期限 {deadline}）").format(
        plan=cycle.plan.name, year=year, deadline=deadline
    )
    lines = [
        _("{unit} ご担当者様").format(unit=reminder.unit_name),
        "",
        _("{plan}の{year}の進捗調査で、まだ提出されていない取組の評価があります。").format(
            plan=cycle.plan.name, year=year
        ),
        "",
        _("・入力中: {count}件").format(count=reminder.drafts),
        _("・差し戻し: {count}件").format(count=reminder.returned),
        _("・提出期限: {deadline}").format(deadline=deadline),
        "",
        _("次のページから入力し、「提出する」を押してください。"),
        link,
        "",
        _("差し戻しになった評価には、事務局からの理由が表示されています。"),
        _("このメールは、ささえあいから自動で送っています。"),
    ]
    return subject, "\n".join(lines)


def reminders_send(
    *,
    actor: Any,
    municipality: Municipality,
    dry_run: bool = False,
    link_base: str | None = None,
) -> list[Reminder]:
    """Send the due reminders; each e-mail sent is audited. A dry run sends and records nothing.

    A department without any recipient is returned with ``sent=False`` and an e-mail that could
    not be sent with ``error`` set, so the caller can say so; the others are still sent.
    """
    reminders = reminders_due(municipality=municipality, link_base=link_base)
    if dry_run:
        return reminders
    for reminder in reminders:
        if not reminder.recipients:
            continue
        try:
            with transaction.atomic():
                audit.record(
                    actor=actor,
                    action=Action.CREATE,
                    municipality=municipality,
                    object_type="plans.Reminder",
                    object_id=f"{reminder.cycle.pk}:{reminder.unit.pk}",
                    object_repr=_("{year} 進捗調査の督促: {unit}").format(
                        year=format_fiscal_year(reminder.cycle.fiscal_year),
                        unit=reminder.unit_name,
                    ),
                    changes={"recipients": [[], reminder.usernames]},
                    detail=_("督促メールを送信（入力中 {drafts}件・差し戻し {returned}件）").format(
                        drafts=reminder.drafts, returned=reminder.returned
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
