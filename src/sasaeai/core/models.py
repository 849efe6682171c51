"""Base models shared by every domain app."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
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


class PendingUpload(models.Model):
    """A file uploaded for an import and not yet confirmed (``core.uploads``): the bytes are
    kept on disk under ``VAR_DIR/uploads``; this row says whose they are, what for, and what
    they hashed to. Removed once used or cancelled, and after ``uploads.RETENTION``."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    municipality = models.ForeignKey(
        "accounts.Municipality",
        verbose_name=_("自治体"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("選んだ人"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    purpose = models.CharField(_("取り込みの種類"), max_length=40)
    file_format = models.CharField(_("ファイルの形式"), max_length=10)
    filename = models.CharField(_("ファイル名"), max_length=200)
    size = models.PositiveBigIntegerField(_("大きさ（バイト）"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("確認中のアップロード")
        verbose_name_plural = _("確認中のアップロード")

    def __str__(self) -> str:
        return f"{self.purpose} {self.filename}"
