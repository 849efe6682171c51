"""Reading settings from the environment, with Japanese errors that name the variable."""

from __future__ import annotations

import builtins
import os
from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", ""})


class Env:
    """Typed access to environment variables; every setting the project reads is listed in docs."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self.environ = os.environ if environ is None else environ

    def str(self, name: builtins.str, default: builtins.str | None = None) -> builtins.str:
        value = self.environ.get(name)
        if value is None or value == "":
            if default is None:
                raise ImproperlyConfigured(
                    f"環境変数 {name} が設定されていません（{name} is required）。"
                    " docs/configuration.md を参照してください。"
                )
            return default
        return value

    def optional(self, name: builtins.str) -> builtins.str | None:
        value = self.environ.get(name)
        return value if value else None

    def bool(self, name: builtins.str, default: builtins.bool) -> builtins.bool:
        value = self.environ.get(name)
        if value is None:
            return default
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ImproperlyConfigured(
            f"環境変数 {name} の値 {value!r} は真偽値として読めません。true または false を指定してください。"
        )

    def int(self, name: builtins.str, default: builtins.int) -> builtins.int:
        value = self.environ.get(name)
        if value is None or value.strip() == "":
            return default
        try:
            return int(value.strip())
        except ValueError:
            raise ImproperlyConfigured(
                f"環境変数 {name} の値 {value!r} は整数ではありません。"
            ) from None

    def list(
        self, name: builtins.str, default: builtins.list[builtins.str] | None = None
    ) -> builtins.list[builtins.str]:
        value = self.environ.get(name)
        if value is None or value.strip() == "":
            return list(default or [])
        return [item.strip() for item in value.split(",") if item.strip()]
