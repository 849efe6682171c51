"""One rule for every web address we store or link to: http(s) only.

``javascript:``, ``data:``, ``vbscript:``, ``file:`` and every other scheme are refused
wherever a URL comes in (staff forms, open-data CSV, HSDS JSON) and never reach an
``<a href>``, the HSDS API or an export — whatever is already stored.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

WEB_URL_SCHEMES = ("http", "https")
WEB_URL_MESSAGE = _("https:// から始まるアドレスを入力してください。")


@deconstructible
class WebURLValidator(URLValidator):
    """Django's URL check limited to http and https, with the staff form's message."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("schemes", list(WEB_URL_SCHEMES))
        kwargs.setdefault("message", WEB_URL_MESSAGE)
        super().__init__(**kwargs)


validate_web_url = WebURLValidator()


def is_web_url(value: object) -> bool:
    """True for an absolute http(s) URL that Django's URL check accepts."""
    if not isinstance(value, str) or not value:
        return False
    try:
        validate_web_url(value)
    except ValidationError:
        return False
    return True


def web_url_or_empty(value: object) -> str:
    """The value when it is a safe web address, else ``""`` (for output of stored data)."""
    return value if isinstance(value, str) and is_web_url(value) else ""
