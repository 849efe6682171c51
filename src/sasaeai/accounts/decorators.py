"""View guards: sign-in first, then the app's permission rule; deny by default."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from sasaeai.accounts.models import Municipality

View = Callable[..., HttpResponse]
Rule = Callable[[Any, str], bool]


def requires(rule: Rule, action: str) -> Callable[[View], View]:
    """Refuse anonymous users (to the login page) and users the rule does not allow (403)."""

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not rule(request.user, action):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        guarded.required_action = action  # type: ignore[attr-defined]
        return guarded

    return decorate


def signed_in(view: View) -> View:
    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return guarded


def staff_municipality(request: HttpRequest) -> Municipality:
    """The signed-in user's municipality: every staff page works inside it (403 if none)."""
    municipality = getattr(request.user, "municipality", None)
    if municipality is None:
        raise PermissionDenied
    return municipality
