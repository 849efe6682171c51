"""Rate limits for the public check API: per client address, and more for signed-in staff.

Counts live in Django's cache in fixed one-minute windows (``cache.add`` + ``cache.incr``,
atomic in a shared cache). With several server processes, configure a shared cache
(Redis, Memcached or the database) so that they count together.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

from sasaeai.plainlang import permissions


def client_address(request: HttpRequest) -> str:
    """The client's address, trusting X-Forwarded-For only from the configured proxies.

    Uses the same count of trusted proxies as the login lockout (``TRUSTED_PROXY_COUNT``),
    so a client cannot pick its own identity with a forged header.
    """
    proxies = getattr(settings, "AXES_IPWARE_PROXY_COUNT", None) or 0
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if proxies and forwarded:
        addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
        if addresses:
            return addresses[-min(proxies, len(addresses))]
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def is_staff(request: HttpRequest) -> bool:
    """Signed-in staff allowed to use the checker (looked up once per request)."""
    cached = getattr(request, "_plainlang_is_staff", None)
    if cached is None:
        cached = permissions.can(request.user, "plainlang.check")
        request._plainlang_is_staff = cached  # type: ignore[attr-defined]
    return bool(cached)


class RateLimit(BaseThrottle):
    """At most ``limit`` requests per ``period`` seconds for one client of one kind.

    The limit is the Django setting named ``setting`` (read per request), else ``default``.
    """

    def __init__(
        self, scope: str, setting: str, default: int, *, staff: bool, period: int = 60
    ) -> None:
        self.scope, self.setting, self.default = scope, setting, default
        self.staff, self.period = staff, period
        self._local = threading.local()

    @property
    def limit(self) -> int:
        return int(getattr(settings, self.setting, self.default))

    def key(self, request: HttpRequest, window: int) -> str | None:
        if is_staff(request) != self.staff:
            return None  # the other limit applies
        who = f"user:{request.user.pk}" if self.staff else f"ip:{client_address(request)}"
        return f"throttle:{self.scope}:{who}:{window}"

    def allow_request(self, request: HttpRequest) -> bool:
        now = time.time()
        window = int(now // self.period)
        key = self.key(request, window)
        if key is None:
            return True
        cache.add(key, 0, timeout=self.period + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=self.period + 1)
            count = 1
        self._local.wait = (window + 1) * self.period - now
        return bool(count <= self.limit)

    def wait(self) -> float | None:
        return getattr(self._local, "wait", None)


def check_throttles() -> list[Any]:
    """30 requests a minute per address without signing in; 300 a minute per staff user."""
    return [
        RateLimit("plainlang-anon", "SASAEAI_PLAINLANG_RATE_ANONYMOUS", 30, staff=False),
        RateLimit("plainlang-staff", "SASAEAI_PLAINLANG_RATE_STAFF", 300, staff=True),
    ]
