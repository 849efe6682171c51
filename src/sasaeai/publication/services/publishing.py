"""Publishing a cycle's report (公表) after the checks of 公表前の確認, and taking it back.

Publishing is refused, and changes nothing, while the cycle is open, when it is published
already, while evaluations are not approved unless the secretariat confirms that they stay out
of the report and the public pages (the list it saw is checked again and recorded in the audit
row), and while plain-language errors are open unless the secretariat confirms them with a note.
Stored public files of the cycle are deleted by both writes, so downloads are built from the
published state.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sasaeai.audit import services as audit
from sasaeai.audit.models import Action
from sasaeai.core.errors import DomainError, ErrorLocation
from sasaeai.plans.models import CycleStatus, EvaluationCycle
from sasaeai.publication import gate
from sasaeai.publication.models import ReportFile
from sasaeai.publication.selectors.published import build_document
from sasaeai.publication.selectors.staff import UnapprovedEvaluation, unapproved_evaluations
from sasaeai.publication.services import builds
from sasaeai.publication.services.base import check_length, require, year_label

NOTE_MAX_LENGTH = 400


def cycle_gate(cycle: EvaluationCycle) -> gate.GateResult:
    """The plain-language gate over the report as publishing would show it."""
    document = build_document(cycle, include_unpublished=False)
    return gate.gate_check(document, gate.gate_checker(cycle.municipality_id))


def unapproved_text(rows: Collection[UnapprovedEvaluation]) -> str:
    """「差し戻し 1 件・提出済み 2 件」."""
    counts = Counter(row.state_label for row in rows)
    return _("・").join(
        _("{state} {count} 件").format(state=state, count=count) for state, count in counts.items()
    )


def _locked_cycle(cycle: EvaluationCycle) -> EvaluationCycle:
    return (
        EvaluationCycle.objects.select_for_update(of=("self",))
        .select_related("plan__municipality", "municipality")
        .get(pk=cycle.pk)
    )


def _check_unapproved(
    rows: list[UnapprovedEvaluation],
    *,
    leave_unapproved: bool,
    seen_unapproved: Collection[int] | None,
) -> None:
    if not rows:
        return
    if not leave_unapproved:
        raise DomainError(
            code="unapproved",
            message=_(
                "承認していない評価が {count} 件あります（{states}）。承認していない評価は"
                "報告書と公開ページに載りません。載せるときは、受付を再開して承認してから"
                "締め切ってください。載せずに公表するときは、そのことを確認する欄に"
                "チェックを入れてください。"
            ).format(count=len(rows), states=unapproved_text(rows)),
        )
    if seen_unapproved is not None and set(seen_unapproved) != {r.evaluation_id for r in rows}:
        raise DomainError(
            code="unapproved_changed",
            message=_(
                "承認していない評価の一覧が、確認したあとで変わりました（いま {count} 件）。"
                "一覧をもう一度確かめてから公表してください。"
            ).format(count=len(rows)),
        )


@transaction.atomic
def cycle_publish(
    *,
    actor: Any,
    cycle: EvaluationCycle,
    leave_unapproved: bool = False,
    seen_unapproved: Collection[int] | None = None,
    confirm_open_errors: bool = False,
    confirmation_note: str = "",
) -> EvaluationCycle:
    """Publish a closed cycle's report after 公表前の確認.

    Evaluations not approved (入力中, 提出済み, 差し戻し) stay out of the report and the public
    pages; publishing with any of them needs ``leave_unapproved`` — and, when the page showed a
    list, ``seen_unapproved`` (their ids) must still be the list. Error-level plain-language
    findings need ``confirm_open_errors`` and a ``confirmation_note``. The audit row records
    both confirmations, the evaluations left out, the open errors and the note.
    """
    require(actor, "reports.publish", cycle.municipality_id)
    current = _locked_cycle(cycle)
    year = year_label(current)
    if current.status == CycleStatus.OPEN:
        raise DomainError(
            code="cycle_open",
            message=_(
                "{year}の進捗調査はまだ受付中です。先に進捗調査を締め切ってから公表してください。"
            ).format(year=year),
        )
    if current.status == CycleStatus.PUBLISHED:
        raise DomainError(
            code="already_published",
            message=_("{year}の報告書はすでに公表しています。").format(year=year),
        )
    unapproved = unapproved_evaluations(current)
    _check_unapproved(
        unapproved, leave_unapproved=leave_unapproved, seen_unapproved=seen_unapproved
    )
    open_errors = cycle_gate(current).open_errors
    note = (confirmation_note or "").strip()
    if open_errors and not confirm_open_errors:
        raise DomainError(
            code="plainlang_errors_open",
            message=_(
                "わかりやすさチェックのエラーが {count} 件残っています。文章を直すか、残す語を"
                "用語解説に加えてください。エラーが残ったまま公表するときは、そのことを確認した"
                "うえで理由を書いてください。"
            ).format(count=open_errors),
        )
    if open_errors and not note:
        raise DomainError(
            code="confirmation_note_required",
            message=_(
                "エラーが {count} 件残ったまま公表する理由を「確認のメモ」に書いてください。"
            ).format(count=open_errors),
            location=ErrorLocation(field=_("確認のメモ")),
        )
    check_length(note, NOTE_MAX_LENGTH, code="note_too_long", field=_("確認のメモ"))
    confirmed = bool(open_errors and confirm_open_errors)
    current.status = CycleStatus.PUBLISHED
    current.published_at = timezone.now()
    current.save(update_fields=["status", "published_at", "updated_at"])
    ReportFile.objects.filter(cycle=current).delete()
    parts = []
    if unapproved:
        parts.append(
            _("承認していない評価 {count} 件（{states}）を載せないことを確認").format(
                count=len(unapproved), states=unapproved_text(unapproved)
            )
        )
    if confirmed:
        parts.append(
            _("わかりやすさチェックのエラー {count} 件が残っていることを確認。メモ: {note}").format(
                count=open_errors, note=note
            )
        )
    else:
        parts.append(_("わかりやすさチェックのエラーなし"))
    detail = _("報告書を公表（{what}）").format(what=_("。").join(parts))
    changes: dict[str, list[Any]] = {
        "status": [CycleStatus.CLOSED.value, CycleStatus.PUBLISHED.value],
        "published_at": [None, current.published_at],
        "plainlang_open_errors": [None, open_errors],
        "confirm_open_errors": [False, confirmed],
    }
    if note:
        changes["confirmation_note"] = ["", note]
    if unapproved:
        changes["leave_unapproved"] = [False, True]
        changes["unapproved_left_out"] = [None, [row.describe() for row in unapproved]]
    audit.record(
        actor=actor,
        action=Action.PUBLISH,
        obj=current,
        municipality=current.municipality,
        changes=changes,
        detail=detail,
    )
    cycle.status, cycle.published_at = current.status, current.published_at
    builds.prebuild_after_commit(current.pk)
    return current


@transaction.atomic
def cycle_unpublish(*, actor: Any, cycle: EvaluationCycle, reason: str) -> EvaluationCycle:
    """Take a published report back (status 締切 again), e.g. to correct a mistake."""
    require(actor, "reports.publish", cycle.municipality_id)
    reason = (reason or "").strip()
    current = _locked_cycle(cycle)
    if current.status != CycleStatus.PUBLISHED:
        raise DomainError(
            code="not_published",
            message=_("{year}の報告書は公表していません。").format(year=year_label(current)),
        )
    if not reason:
        raise DomainError(
            code="reason_required",
            message=_("公表を取り消す理由を入力してください。監査ログに残ります。"),
            location=ErrorLocation(field=_("理由")),
        )
    check_length(reason, NOTE_MAX_LENGTH, code="reason_too_long", field=_("理由"))
    published_at = current.published_at
    current.status = CycleStatus.CLOSED
    current.published_at = None
    current.save(update_fields=["status", "published_at", "updated_at"])
    ReportFile.objects.filter(cycle=current).delete()
    audit.record(
        actor=actor,
        action=Action.UPDATE,
        obj=current,
        municipality=current.municipality,
        changes={
            "status": [CycleStatus.PUBLISHED.value, CycleStatus.CLOSED.value],
            "published_at": [published_at, None],
        },
        detail=_("報告書の公表を取り消し（理由: {reason}）").format(reason=reason),
    )
    cycle.status, cycle.published_at = current.status, current.published_at
    return current
