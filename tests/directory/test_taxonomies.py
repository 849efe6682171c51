"""The profile's taxonomies 対象 and 分類, and the terms of services."""

from __future__ import annotations

import pytest

from sasaeai.accounts.models import Municipality
from sasaeai.directory.models import Attribute, Taxonomy, TaxonomyTerm
from sasaeai.directory.taxonomies import (
    CATEGORY_CODES,
    TARGET_CODES,
    ensure_taxonomies,
    service_terms_set,
    terms_of_services,
)
from tests.directory.builders import build_service

pytestmark = pytest.mark.django_db


def test_codes() -> None:
    assert TARGET_CODES == (
        "elderly",
        "disability",
        "children",
        "carers",
        "hardship",
        "everyone",
    )
    assert CATEGORY_CODES[:12] == (
        "consultation",
        "salon",
        "children-cafeteria",
        "care-service",
        "watching",
        "meal-delivery",
        "transport",
        "volunteer",
        "venue",
        "medical",
        "childcare",
        "aed",
    )


def test_ensure_taxonomies_is_idempotent_and_per_tenant(
    kamakura: Municipality, fujisawa: Municipality, django_assert_num_queries: object
) -> None:
    terms = ensure_taxonomies(kamakura)
    assert set(terms) == {*TARGET_CODES, *CATEGORY_CODES}
    assert terms["elderly"].name == "高齢者"
    assert terms["elderly"].taxonomy is not None
    assert terms["elderly"].taxonomy.name == "対象"
    assert terms["salon"].name == "居場所・サロン"
    assert terms["salon"].taxonomy is not None
    assert terms["salon"].taxonomy.name == "分類"
    again = ensure_taxonomies(kamakura)
    assert {code: term.pk for code, term in again.items()} == {
        code: term.pk for code, term in terms.items()
    }
    assert Taxonomy.objects.filter(municipality=kamakura).count() == 2
    ensure_taxonomies(fujisawa)
    assert TaxonomyTerm.objects.filter(municipality=fujisawa).count() == len(terms)


def test_renamed_term_keeps_its_name(kamakura: Municipality) -> None:
    terms = ensure_taxonomies(kamakura)
    TaxonomyTerm.objects.filter(pk=terms["elderly"].pk).update(name="シニア")
    assert ensure_taxonomies(kamakura)["elderly"].name == "シニア"


def test_service_terms(kamakura: Municipality) -> None:
    service = build_service(
        kamakura, name="サロン", targets=["elderly", "carers"], categories=["salon"], index=False
    )
    other = build_service(kamakura, name="ほか", index=False)
    found = terms_of_services([service.pk, other.pk])
    assert found[service.pk].target_codes == ["elderly", "carers"]
    assert found[service.pk].category_codes == ["salon"]
    assert other.pk not in found
    service_terms_set(service_id=service.pk, municipality=kamakura, codes=["everyone", "venue"])
    found = terms_of_services([service.pk])
    assert found[service.pk].target_codes == ["everyone"]
    assert found[service.pk].category_codes == ["venue"]
    assert Attribute.objects.filter(link_id=service.pk).count() == 2
