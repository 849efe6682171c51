"""Base models shared by every domain app."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        abstract = True


class TenantQuerySet(models.QuerySet[Any]):
    def for_municipality(self, municipality: Any) -> TenantQuerySet:
        return self.filter(municipality=municipality)


class TenantScopedModel(TimeStampedModel):
    """Every domain row belongs to one municipality (tenant); queries are scoped by it."""

    municipality = models.ForeignKey(
        "accounts.Municipality",
        verbose_name=_("自治体"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=True,
    )

    objects = TenantQuerySet.as_manager()

    class Meta:
        abstract = True


class EncryptionCanary(models.Model):
    """A known value encrypted under the current keys, so a wrong key is caught at start-up."""

    token = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("暗号鍵の確認用データ")

    def __str__(self) -> str:
        return f"canary {self.pk}"
