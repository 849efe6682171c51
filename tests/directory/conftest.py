"""Directory fixtures: Kamakura's districts (see builders.py for services)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from sasaeai.accounts.models import District, Municipality


@pytest.fixture
def districts(kamakura: Municipality) -> dict[str, District]:
    from tests.directory.builders import build_districts

    return build_districts(kamakura)
