"""System checks for configuration that is valid but unsafe."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register
from django.utils.translation import gettext as _


@register(Tags.security, deploy=True)
def development_keys_check(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    if settings.DEVELOPMENT_ENCRYPTION_KEY in settings.SASAEAI_ENCRYPTION_KEYS:
        messages.append(
            Warning(
                _(
                    "開発用の公開された暗号鍵を使っています。本番では SASAEAI_ENCRYPTION_KEYS を設定してください。"
                ),
                id="sasaeai.W001",
            )
        )
    if settings.SECRET_KEY == settings.DEVELOPMENT_SECRET_KEY:
        messages.append(
            Warning(
                _(
                    "開発用の SECRET_KEY を使っています。本番では環境変数 SECRET_KEY を設定してください。"
                ),
                id="sasaeai.W002",
            )
        )
    return messages
