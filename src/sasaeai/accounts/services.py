"""Writes to municipalities, units, districts, users and memberships — each audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sasaeai.accounts import permissions
from sasaeai.accounts.models import (
    District,
    Membership,
    Municipality,
    OrganisationUnit,
    Town,
    UnitName,
    User,
    membership_refusal,
)
from sasaeai.accounts.permissions import can
from sasaeai.accounts.roles import UnitKind
from sasaeai.audit import services as audit
from sasaeai.audit.models import Action
from sasaeai.core.errors import DomainError, PermissionRefused
from sasaeai.core.wareki import format_fiscal_year


def _validated(instance: Any) -> None:
    try:
        instance.full_clean()
    except ValidationError as error:
        first_field, messages = next(iter(error.message_dict.items()))
        raise DomainError(
            code="invalid", message=f"{_label(instance, first_field)}: {messages[0]}"
        ) from None


def _label(instance: Any, field_name: str) -> str:
    if field_name == "__all__":
        return str(instance._meta.verbose_name)
    return str(instance._meta.get_field(field_name).verbose_name)


@transaction.atomic
def municipality_upsert(
    *, actor: Any, code: str, name: str, prefecture: str, is_demo: bool = False
) -> Municipality:
    municipality = Municipality.objects.filter(code=code).first()
    before = audit.snapshot(municipality) if municipality else None
    municipality = municipality or Municipality(code=code)
    municipality.name, municipality.prefecture, municipality.is_demo = name, prefecture, is_demo
    _validated(municipality)
    if before is not None and before == audit.snapshot(municipality):
        return municipality
    municipality.save()
    audit.record(
        actor=actor,
        action=Action.CREATE if before is None else Action.UPDATE,
        obj=municipality,
        municipality=municipality,
        changes=audit.diff(before or {}, audit.snapshot(municipality)),
    )
    return municipality


def _upsert(*, actor: Any, instance: Any, created: bool, before: dict[str, Any] | None) -> bool:
    """Validate, save and audit an instance whose fields were set; False when unchanged."""
    _validated(instance)
    after = audit.snapshot(instance)
    if not created and before == after:
        return False
    instance.save()
    audit.record(
        actor=actor,
        action=Action.CREATE if created else Action.UPDATE,
        obj=instance,
        changes=audit.diff(before or {}, audit.snapshot(instance)),
    )
    return True


@transaction.atomic
def district_upsert(
    *,
    actor: Any,
    municipality: Municipality,
    name: str,
    reading: str = "",
    order: int = 0,
    is_demo: bool = False,
) -> District:
    district = District.objects.filter(municipality=municipality, name=name).first()
    created = district is None
    before = None if district is None else audit.snapshot(district)
    district = district or District(municipality=municipality, name=name)
    district.reading, district.order, district.is_demo = reading, order, is_demo
    _upsert(actor=actor, instance=district, created=created, before=before)
    return district


@transaction.atomic
def town_upsert(
    *,
    actor: Any,
    district: District,
    name: str,
    reading: str = "",
    is_demo: bool = False,
) -> Town:
    town = Town.objects.filter(municipality_id=district.municipality_id, name=name).first()
    created = town is None
    before = None if town is None else audit.snapshot(town)
    town = town or Town(municipality_id=district.municipality_id, name=name)
    town.district, town.reading, town.is_demo = district, reading, is_demo
    _upsert(actor=actor, instance=town, created=created, before=before)
    return town


@transaction.atomic
def unit_upsert(
    *,
    actor: Any,
    municipality: Municipality,
    code: str,
    kind: str,
    name: str,
    reading: str = "",
    district: District | None = None,
    is_demo: bool = False,
) -> OrganisationUnit:
    """Create a unit with one open-ended name, or update its kind/district (never its names)."""
    if kind not in UnitKind.values:
        raise DomainError(
            code="invalid_kind", message=_("組織の種別「{kind}」は使えません。").format(kind=kind)
        )
    unit = OrganisationUnit.objects.filter(municipality=municipality, code=code).first()
    created = unit is None
    before = None if unit is None else audit.snapshot(unit)
    unit = unit or OrganisationUnit(municipality=municipality, code=code)
    unit.kind, unit.district, unit.is_demo = kind, district, is_demo
    _upsert(actor=actor, instance=unit, created=created, before=before)
    if created:
        unit_name = UnitName(unit=unit, name=name, reading=reading)
        _validated(unit_name)
        unit_name.save()
    return unit


@transaction.atomic
def unit_rename(
    *, actor: Any, unit: OrganisationUnit, name: str, reading: str = "", from_fy: int
) -> UnitName:
    """Give a unit a new name from a 年度 on; earlier years keep the name they had."""
    if not can(actor, "organisation.manage", unit.municipality_id):
        raise PermissionRefused(_("組織の名称を変更する権限がありません。"))
    name = name.strip()
    if not name:
        raise DomainError(code="required", message=_("新しい名称を入力してください。"))
    names = list(UnitName.objects.select_for_update().filter(unit=unit))
    current = next((n for n in names if n.covers(from_fy)), None)
    if current is None:
        raise DomainError(
            code="no_name_in_year",
            message=_("{year}にこの組織の名称がありません。").format(
                year=format_fiscal_year(from_fy)
            ),
        )
    if current.name == name:
        raise DomainError(
            code="unchanged",
            message=_("{year}の名称はすでに「{name}」です。").format(
                year=format_fiscal_year(from_fy), name=name
            ),
        )
    if current.valid_to_fy is not None:
        raise DomainError(
            code="not_latest",
            message=_("過去の年度の途中からは変更できません。最新の名称に対して変更してください。"),
        )
    first_year = current.valid_from_fy
    if first_year is not None and from_fy <= first_year:
        raise DomainError(
            code="too_early",
            message=_(
                "変更する年度は、現在の名称「{name}」が使われ始めた{year}より後にしてください。"
            ).format(name=current.name, year=format_fiscal_year(first_year)),
        )
    old = current.name
    current.valid_to_fy = from_fy - 1
    current.save(update_fields=["valid_to_fy"])
    new = UnitName.objects.create(unit=unit, name=name, reading=reading, valid_from_fy=from_fy)
    audit.record(
        actor=actor,
        action=Action.UPDATE,
        obj=unit,
        changes={"name": [old, name]},
        detail=_("{year}から名称変更").format(year=format_fiscal_year(from_fy)),
    )
    return new


@transaction.atomic
def user_upsert(
    *,
    actor: Any,
    municipality: Municipality | None,
    username: str,
    display_name: str,
    email: str = "",
    password: str | None = None,
    is_demo: bool = False,
) -> User:
    user = User.objects.filter(username=username).first()
    created = user is None
    before = None if user is None else audit.snapshot(user)
    user = user or User(username=username)
    user.municipality, user.display_name, user.email, user.is_demo = (
        municipality,
        display_name,
        email,
        is_demo,
    )
    password_changed = password is not None and not user.check_password(password)
    if password_changed:
        user.set_password(password)
    _validated_user(user)
    after = audit.snapshot(user)
    if created or before != after or password_changed:
        user.save()
        audit.record(
            actor=actor,
            action=Action.CREATE if created else Action.UPDATE,
            obj=user,
            municipality=municipality,
            changes=audit.diff(before or {}, after),
            detail=_("パスワードを設定") if password_changed else "",
        )
    return user


@transaction.atomic
def login_record(*, user: User, request: Any = None) -> None:
    """A successful sign-in with the password (two-factor verification follows for most)."""
    audit.record(actor=user, action=Action.LOGIN, municipality=user.municipality, request=request)


@transaction.atomic
def logout_record(*, user: User, request: Any = None) -> None:
    audit.record(actor=user, action=Action.LOGOUT, municipality=user.municipality, request=request)


@transaction.atomic
def user_password_change(*, actor: User, new_password: str, request: Any = None) -> None:
    """Set one's own password (validated by the form that calls this) and record it."""
    actor.set_password(new_password)
    actor.save(update_fields=["password"])
    audit.record(
        actor=actor,
        action=Action.PASSWORD_CHANGE,
        obj=actor,
        municipality=actor.municipality,
        request=request,
    )


@transaction.atomic
def login_failure_record(
    *, username: str, reason: str, request: Any = None, actor: Any = None
) -> None:
    """A failed sign-in (password or two-factor code), under the account's municipality when
    the user name exists, so the municipality sees attempts on its accounts."""
    user = User.objects.filter(username=username).select_related("municipality").first()
    audit.record(
        actor=actor,
        actor_label=username,
        action=Action.LOGIN_FAILED,
        obj=user,
        municipality=user.municipality if user else None,
        detail=reason if user else _("存在しないユーザー名"),
        request=request,
    )


def two_factor_key() -> str:
    """A new authenticator key (hex), held by the enrolment page until it is confirmed."""
    from django_otp.util import random_hex

    return str(random_hex(20))


def two_factor_enrol(*, actor: User, key: str, token: str, request: Any = None) -> Any:
    """Register the authenticator holding ``key`` once one code from it is right: only then
    is a device stored (no unconfirmed devices, nothing written by showing the page). The
    code is used up (``last_t``), so it cannot verify anything else."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice(user=actor, name=str(_("認証アプリ")), key=key, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if not token.isdigit() or not totp.verify(int(token), device.tolerance):
        raise DomainError(
            code="invalid_token",
            message=_(
                "確認コードが正しくありません。時刻がずれていないか確認し、新しいコードを入力してください。"
            ),
        )
    device.last_t = totp.t()
    with transaction.atomic():
        TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
        device.save()
        audit.record(
            actor=actor,
            action=Action.TWO_FACTOR_ENROL,
            obj=actor,
            municipality=actor.municipality,
            request=request,
        )
    return device


def two_factor_remove(*, actor: User, token: str, request: Any = None) -> None:
    """Remove the user's own authenticators. Needs a fresh code from one of them (a code is
    good once: not the one that verified the session), and is refused to roles that must
    use two-factor authentication. The code is checked outside the transaction, so a wrong
    one still counts towards the device's throttling."""
    from django_otp import match_token
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if not permissions.can_remove_two_factor(actor):
        raise DomainError(
            code="two_factor_required",
            message=_("あなたの役割では2段階認証が必須のため、解除できません。"),
        )
    if match_token(actor, token) is None:
        raise DomainError(
            code="invalid_token",
            message=_(
                "確認コードが正しくないか、すでに使われたコードです。認証アプリに表示されている新しいコードを入力してください。"
            ),
        )
    with transaction.atomic():
        deleted, _counts = TOTPDevice.objects.filter(user=actor).delete()
        if deleted:
            audit.record(
                actor=actor,
                action=Action.TWO_FACTOR_REMOVE,
                obj=actor,
                municipality=actor.municipality,
                request=request,
            )


@transaction.atomic
def user_set_operator(*, actor: Any, user: User, is_operator: bool) -> User:
    """Make a user a deployment operator (the admin, decision 0010) or take it back. Only the
    command line and other operators call this; no municipality role can."""
    if user.is_superuser == is_operator:
        return user
    before = audit.snapshot(user)
    user.is_superuser = is_operator
    user.save(update_fields=["is_superuser"])
    audit.record(
        actor=actor,
        action=Action.UPDATE,
        obj=user,
        municipality=user.municipality,
        changes=audit.diff(before, audit.snapshot(user)),
        detail=_("運用者にする") if is_operator else _("運用者から外す"),
    )
    return user


def _validated_user(user: User) -> None:
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as error:
        first_field, messages = next(iter(error.message_dict.items()))
        raise DomainError(
            code="invalid", message=f"{_label(user, first_field)}: {messages[0]}"
        ) from None


@transaction.atomic
def membership_grant(*, actor: Any, user: User, unit: OrganisationUnit, role: str) -> Membership:
    refusal = membership_refusal(user=user, unit=unit, role=role)
    if refusal is not None:
        raise refusal
    membership, created = Membership.objects.get_or_create(
        user=user, unit=unit, role=role, defaults={"municipality_id": unit.municipality_id}
    )
    if created or not membership.is_active:
        before = audit.snapshot(membership)
        membership.is_active = True
        membership.save()
        audit.record(
            actor=actor,
            action=Action.CREATE if created else Action.UPDATE,
            obj=membership,
            changes=audit.diff({} if created else before, audit.snapshot(membership)),
        )
    return membership
