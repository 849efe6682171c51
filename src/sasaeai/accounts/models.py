"""Municipalities (tenants), their organisation units and districts, users and memberships."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sasaeai.accounts.roles import ROLES_REQUIRING_2FA, UNIT_KINDS_FOR_ROLE, Role, UnitKind
from sasaeai.accounts.validators import validate_local_government_code
from sasaeai.core.errors import DomainError
from sasaeai.core.fields import EncryptedTextField
from sasaeai.core.models import TenantScopedModel, TimeStampedModel


class Municipality(TimeStampedModel):
    """A tenant: one 地方公共団体. One deployment can host several."""

    code = models.CharField(
        _("全国地方公共団体コード"),
        max_length=6,
        unique=True,
        validators=[validate_local_government_code],
    )
    name = models.CharField(_("名称"), max_length=50)
    prefecture = models.CharField(_("都道府県"), max_length=10)
    is_demo = models.BooleanField(_("デモ（架空を含む）"), default=False)

    class Meta:
        verbose_name = _("自治体")
        verbose_name_plural = _("自治体")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.prefecture}{self.name}"


class District(TenantScopedModel):
    """A 行政地区 (e.g. 鎌倉, 腰越, 深沢, 大船, 玉縄)."""

    name = models.CharField(_("地区名"), max_length=50)
    reading = models.CharField(_("よみ"), max_length=100, blank=True)
    order = models.PositiveSmallIntegerField(_("表示順"), default=0)
    is_demo = models.BooleanField(_("デモ（架空）"), default=False)

    class Meta:
        verbose_name = _("行政地区")
        verbose_name_plural = _("行政地区")
        ordering = ["municipality", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="district_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Town(TenantScopedModel):
    """A 町丁目 within a district."""

    district = models.ForeignKey(
        District, verbose_name=_("行政地区"), on_delete=models.PROTECT, related_name="towns"
    )
    name = models.CharField(_("町丁目"), max_length=80)
    reading = models.CharField(_("よみ"), max_length=160, blank=True)
    town_id = models.CharField(_("町字ID"), max_length=7, blank=True)
    is_demo = models.BooleanField(_("デモ（架空）"), default=False)

    class Meta:
        verbose_name = _("町丁目")
        verbose_name_plural = _("町丁目")
        ordering = ["district__order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="town_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class OrganisationUnit(TenantScopedModel):
    """A department or body whose name may change by 年度 while its identity stays."""

    kind = models.CharField(_("種別"), max_length=20, choices=UnitKind.choices)
    code = models.SlugField(
        _("識別子"), max_length=50, help_text=_("半角英数字。年度をまたいで変わらない識別子")
    )
    district = models.ForeignKey(
        District,
        verbose_name=_("地区"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="units",
    )
    valid_from_fy = models.PositiveSmallIntegerField(_("設置年度"), null=True, blank=True)
    valid_to_fy = models.PositiveSmallIntegerField(
        _("廃止年度（最後の年度）"), null=True, blank=True
    )
    successor = models.ForeignKey(
        "self",
        verbose_name=_("後継の組織"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="predecessors",
    )
    is_demo = models.BooleanField(_("デモ（架空）"), default=False)

    class Meta:
        verbose_name = _("組織")
        verbose_name_plural = _("組織")
        ordering = ["municipality", "kind", "code"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "code"], name="unit_unique_code"),
            models.CheckConstraint(
                condition=Q(valid_to_fy__isnull=True)
                | Q(valid_from_fy__isnull=True)
                | Q(valid_to_fy__gte=models.F("valid_from_fy")),
                name="unit_valid_period",
            ),
        ]

    def __str__(self) -> str:
        return self.current_name()

    def exists_in(self, fiscal_year: int) -> bool:
        starts = self.valid_from_fy is None or self.valid_from_fy <= fiscal_year
        ends = self.valid_to_fy is None or fiscal_year <= self.valid_to_fy
        return starts and ends

    def name_in(self, fiscal_year: int) -> str | None:
        """The name the unit had in a 年度, or None if it had none then.

        Uses prefetched ``names`` when present, so listing many units costs one query.
        """
        for unit_name in self.names.all():
            if unit_name.covers(fiscal_year):
                return unit_name.name
        return None

    def current_name(self) -> str:
        names = sorted(self.names.all(), key=lambda n: n.valid_from_fy or 0)
        return names[-1].name if names else self.code


class UnitName(models.Model):
    """The name of an organisation unit over a span of 年度 (inclusive; open ends allowed)."""

    unit = models.ForeignKey(OrganisationUnit, on_delete=models.CASCADE, related_name="names")
    name = models.CharField(_("名称"), max_length=100)
    reading = models.CharField(_("よみ"), max_length=200, blank=True)
    valid_from_fy = models.PositiveSmallIntegerField(
        _("この名称の最初の年度"), null=True, blank=True
    )
    valid_to_fy = models.PositiveSmallIntegerField(_("この名称の最後の年度"), null=True, blank=True)

    class Meta:
        verbose_name = _("組織の名称（年度別）")
        verbose_name_plural = _("組織の名称（年度別）")
        ordering = ["unit", models.F("valid_from_fy").asc(nulls_first=True)]
        constraints = [
            models.UniqueConstraint(fields=["unit", "valid_from_fy"], name="unitname_unique_start"),
        ]

    def __str__(self) -> str:
        return self.name

    def covers(self, fiscal_year: int) -> bool:
        starts = self.valid_from_fy is None or self.valid_from_fy <= fiscal_year
        ends = self.valid_to_fy is None or fiscal_year <= self.valid_to_fy
        return starts and ends


class SasaeaiUserManager(UserManager["User"]):
    pass


class User(AbstractUser):
    """A person who signs in: staff of a municipality, committee members, partners."""

    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("自治体"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    display_name = models.CharField(_("表示名"), max_length=100, blank=True)
    contact_phone = EncryptedTextField(_("連絡先電話番号"), blank=True, default="")
    is_demo = models.BooleanField(_("デモ用アカウント"), default=False)

    objects = SasaeaiUserManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("利用者")
        verbose_name_plural = _("利用者")

    def __str__(self) -> str:
        return self.display_name or self.username

    def active_roles(self) -> set[str]:
        """Roles from active memberships; uses the prefetch cache when present."""
        return {m.role for m in self.memberships.all() if m.is_active}

    def requires_two_factor(self) -> bool:
        return self.is_superuser or bool(self.active_roles() & ROLES_REQUIRING_2FA)


class Membership(TenantScopedModel):
    """User × organisation unit × role."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(
        OrganisationUnit,
        verbose_name=_("組織"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    role = models.CharField(_("役割"), max_length=30, choices=Role.choices)
    is_active = models.BooleanField(_("有効"), default=True)

    class Meta:
        verbose_name = _("所属と役割")
        verbose_name_plural = _("所属と役割")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} / {self.unit} / {self.get_role_display()}"

    def clean(self) -> None:
        """The rule ``membership_grant`` applies, for forms that save the model themselves (the
        admin): the role fits the unit's kind, user and unit are of one municipality, and the
        membership belongs to that municipality."""
        if self.unit_id is None or self.user_id is None:
            return
        refusal = membership_refusal(user=self.user, unit=self.unit, role=self.role)
        if refusal is not None:
            raise ValidationError(refusal.message, code=refusal.code)
        self.municipality_id = self.unit.municipality_id


def membership_refusal(*, user: User, unit: OrganisationUnit, role: str) -> DomainError | None:
    """Why a user cannot hold ``role`` in ``unit``, or None when they can."""
    if role not in Role.values:
        return DomainError(
            code="invalid_role", message=_("役割「{role}」は使えません。").format(role=role)
        )
    if user.municipality_id != unit.municipality_id:
        return DomainError(
            code="other_municipality",
            message=str(_("利用者と組織の自治体が異なるため、所属を登録できません。")),
        )
    if unit.kind not in UNIT_KINDS_FOR_ROLE[role]:
        return DomainError(
            code="role_unit_mismatch",
            message=_("役割「{role}」は種別「{kind}」の組織には登録できません。").format(
                role=Role(role).label, kind=UnitKind(unit.kind).label
            ),
        )
    return None


def unit_names_prefetch() -> Any:
    ordered = UnitName.objects.order_by(models.F("valid_from_fy").asc(nulls_first=True))
    return models.Prefetch("names", queryset=ordered)
