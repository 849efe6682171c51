"""Writes of 用語解説 (kept terms): a word the plain-language check flags that the secretariat
keeps, with an explanation every report using it carries.

Every write checks the actor's permission, runs in one transaction and leaves an audit row.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from sasaeai.audit import services as audit
from sasaeai.audit.models import Action
from sasaeai.core.errors import DomainError, ErrorLocation
from sasaeai.publication import gate
from sasaeai.publication.models import KeptTerm
from sasaeai.publication.services.base import check_length, require

TERM_MAX_LENGTH = KeptTerm._meta.get_field("term").max_length or 100
EXPLANATION_MAX_LENGTH = 2000


@transaction.atomic
def kept_term_save(*, actor: Any, municipality: Any, term: str, explanation: str) -> KeptTerm:
    """Keep ``term`` with ``explanation`` (create, or change the explanation of a kept term).

    The term is normalised (NFKC, surrounding blanks removed). The gate no longer reports it
    and every report that uses it explains it in 用語解説.
    """
    municipality_id = getattr(municipality, "pk", municipality)
    require(actor, "reports.keep_terms", municipality_id)
    term = gate.normalise_term(term)
    explanation = (explanation or "").strip()
    if not term:
        raise DomainError(
            code="term_required",
            message=_("用語解説に加える語を入力してください。"),
            location=ErrorLocation(field=_("語")),
        )
    check_length(term, TERM_MAX_LENGTH, code="term_too_long", field=_("語"))
    if not explanation:
        raise DomainError(
            code="explanation_required",
            message=_(
                "「{term}」の解説を入力してください。報告書の用語解説に載り、読む人の助けになります。"
            ).format(term=term),
            location=ErrorLocation(field=_("解説")),
        )
    check_length(explanation, EXPLANATION_MAX_LENGTH, code="explanation_too_long", field=_("解説"))
    kept_by = actor if getattr(actor, "pk", None) else None
    existing = (
        KeptTerm.objects.select_for_update()
        .filter(municipality_id=municipality_id, term=term)
        .first()
    )
    if existing is not None:
        if existing.explanation == explanation:
            return existing
        before = audit.snapshot(existing)
        existing.explanation = explanation
        existing.kept_by = kept_by
        existing.save(update_fields=["explanation", "kept_by", "updated_at"])
        audit.record(
            actor=actor,
            action=Action.UPDATE,
            obj=existing,
            changes=audit.diff(before, audit.snapshot(existing)),
            detail=_("用語解説の解説を変更"),
        )
        return existing
    try:
        with transaction.atomic():
            kept = KeptTerm.objects.create(
                municipality_id=municipality_id, term=term, explanation=explanation, kept_by=kept_by
            )
    except IntegrityError:
        raise DomainError(
            code="term_exists",
            message=_("「{term}」はほかの人が先に用語解説に加えました。").format(term=term),
        ) from None
    audit.record(
        actor=actor,
        action=Action.CREATE,
        obj=kept,
        changes=audit.diff({}, audit.snapshot(kept)),
        detail=_("わかりやすさチェックの指摘を残し、用語解説に加えた"),
    )
    return kept


@transaction.atomic
def kept_term_delete(*, actor: Any, kept_term: KeptTerm) -> None:
    """Stop keeping a term: the gate reports it again and reports no longer explain it."""
    require(actor, "reports.keep_terms", kept_term.municipality_id)
    audit.record(
        actor=actor,
        action=Action.DELETE,
        obj=kept_term,
        changes=audit.diff(audit.snapshot(kept_term), {}),
        detail=_("用語解説から削除"),
    )
    kept_term.delete()
