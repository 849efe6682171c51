"""Every public plan page and API endpoint runs the same number of queries at two sizes:
4 initiatives with 2 published cycles, and 40 initiatives with 4 published cycles."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from sasaeai.accounts.models import Municipality, OrganisationUnit
from tests.plans_public.world import publish_world

# page → exact number of queries (municipality, published cycles, then the page's own reads;
# the overviews add two for the report downloads, reports.selectors_publication)
EXPECTED = {
    "/m/142042/plan/": 8,
    "/m/142042/plan/{plan}/": 8,
    "/m/142042/plan/{plan}/years/2024/": 8,
    "/m/142042/plan/{plan}/goals/1/": 13,
    # goal 2 holds only a 再掲 row without units of its own: Django skips the empty names prefetch
    "/m/142042/plan/{plan}/goals/2/": 12,
    "/m/142042/plan/{plan}/initiatives/2/": 8,
    "/m/142042/plan/{plan}/indicators/": 5,
    "/m/142042/plan/{plan}/indicators/2/": 4,
    "/m/142042/plan/feed.atom": 3,
    "/api/v1/public/142042/plans": 2,
    "/api/v1/public/142042/plans/{plan}": 10,
    "/api/v1/public/142042/plans/{plan}/indicators": 5,
    "/api/v1/public/142042/plans/{plan}/initiatives/2": 8,
}

SIZES = {"small": (4, (2023, 2024)), "large": (40, (2021, 2022, 2023, 2024))}


@pytest.mark.parametrize("size", list(SIZES))
def test_query_count_does_not_grow(
    size: str,
    kamakura: Municipality,
    units: dict[str, OrganisationUnit],
    client: Client,
    django_assert_num_queries: Any,
) -> None:
    initiatives, years = SIZES[size]
    built = publish_world(kamakura, units, initiatives=initiatives, published_years=years)
    for template, expected in EXPECTED.items():
        path = template.format(plan=built["plan"].pk)
        with django_assert_num_queries(expected):
            response = client.get(path)
        assert response.status_code == 200, path
