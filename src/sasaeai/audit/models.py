"""The append-only audit log.

Rows are never changed or deleted: the model refuses it, its querysets refuse it, and a
database trigger (on SQLite and PostgreSQL) refuses it for anything that bypasses the ORM.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    def __init__(self) -> None:
        super().__init__("監査ログは追記のみです。変更・削除はできません。")


class AuditQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError

    def delete(self) -> NoReturn:
        raise AppendOnlyError

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError


class Action(models.TextChoices):
    CREATE = "create", _("作成")
    UPDATE = "update", _("変更")
    DELETE = "delete", _("削除")
    READ = "read", _("閲覧（個人情報）")
    EXPORT = "export", _("出力（個人情報）")
    LOGIN = "login", _("ログイン")
    LOGIN_FAILED = "login_failed", _("ログイン失敗")
    LOGOUT = "logout", _("ログアウト")
    TWO_FACTOR_ENROL = "2fa_enrol", _("2段階認証の登録")
    TWO_FACTOR_REMOVE = "2fa_remove", _("2段階認証の解除")
    PASSWORD_CHANGE = "password_change", _("パスワード変更")
    IMPORT = "import", _("取込")
    PUBLISH = "publish", _("公開")
    CONFIRM = "confirm", _("確認の記録")
    REFUSED = "refused", _("拒否（権限なし）")


class AuditEvent(models.Model):
    at = models.DateTimeField(_("日時"), auto_now_add=True, db_index=True)
    municipality = models.ForeignKey(
        "accounts.Municipality",
        verbose_name=_("自治体"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作者"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(_("操作者（記録時の表示）"), max_length=150)
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices, db_index=True)
    object_type = models.CharField(_("対象の種類"), max_length=100, blank=True, db_index=True)
    object_id = models.CharField(_("対象ID"), max_length=64, blank=True)
    object_repr = models.CharField(_("対象"), max_length=200, blank=True)
    changes = models.JSONField(_("変更内容（前 → 後）"), default=dict, blank=True)
    detail = models.CharField(_("補足"), max_length=500, blank=True)
    ip_address = models.GenericIPAddressField(_("IPアドレス"), null=True, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("監査ログ")
        verbose_name_plural = _("監査ログ")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["municipality", "-at"], name="audit_muni_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.get_action_display()} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError
