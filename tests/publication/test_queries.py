"""Every public plan page, API endpoint and the report list runs the same number of queries at
two sizes: 4 initiatives with 2 published cycles, and 40 initiatives with 4 published cycles."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from sasaeai.accounts.models import Municipality, OrganisationUnit
from tests.publication.world import publish_world

# page → exact number of queries: the municipality and the published cycles, then the page's
# own reads. A page of a 年度 reads that 年度's published document
# (selectors.published.year_document, the figures of the report): the overviews and the API's
# plan its outline (7 queries: goals, 施策, 種類, 取組, evaluations, indicators, values), a goal
# the whole text (11: units and their names, 講評 and comments, 総括 too); the overviews add one
# for the stored report files.
EXPECTED = {
    "/m/142042/plan/": 10,
    "/m/142042/plan/{plan}/": 10,
    "/m/142042/plan/{plan}/years/2024/": 10,
    "/m/142042/plan/{plan}/goals/1/": 13,
    "/m/142042/plan/{plan}/goals/2/": 13,
    "/m/142042/plan/{plan}/initiatives/2/": 8,
    "/m/142042/plan/{plan}/indicators/": 5,
    "/m/142042/plan/{plan}/indicators/2/": 5,
    "/m/142042/plan/feed.atom": 3,
    "/api/v1/public/142042/plans": 2,
    "/api/v1/public/142042/plans/{plan}": 9,
    "/api/v1/public/142042/plans/{plan}/indicators": 5,
    "/api/v1/public/142042/plans/{plan}/initiatives/2": 8,
    "/m/142042/reports/": 3,
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
