"""Point 16: nothing a signed-in user is shown is kept by the browser or a proxy."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from sasaeai.accounts.models import User
from sasaeai.accounts.roles import Role

STAFF_PATHS = ["/staff/", "/accounts/", "/api/v1/me", "/staff/organisation/"]


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("path", STAFF_PATHS)
def test_every_response_behind_login_says_no_store(
    users: dict[str, User], client_for: Callable[[User], Client], role: str, path: str
) -> None:
    response = client_for(users[role]).get(path)
    assert response.status_code in {200, 403}
    assert response["Cache-Control"] == "no-store"


def test_public_pages_for_anonymous_visitors_keep_their_caching(
    kamakura: object, client: Client
) -> None:
    response = client.get("/m/142042/")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
