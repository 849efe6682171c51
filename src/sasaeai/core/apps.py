from typing import Any

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_canary(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    from sasaeai.core.crypto import ensure_canary

    ensure_canary()


class CoreConfig(AppConfig):
    default = True
    name = "sasaeai.core"
    label = "core"
    verbose_name = _("共通")

    def ready(self) -> None:
        from sasaeai.core import checks  # noqa: F401  (registers system checks)

        post_migrate.connect(_ensure_canary, sender=self, dispatch_uid="sasaeai-encryption-canary")


class SasaeaiAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "sasaeai.core.admin_site.SasaeaiAdminSite"
