"""The profile's taxonomies 対象 and 分類, and the terms of services."""

from __future__ import annotations

from typing import Any

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


# --- reads never write ---------------------------------------------------------------------


def test_reading_the_terms_creates_nothing_and_falls_back_to_the_standard_names(
    kamakura: Municipality,
) -> None:
    from sasaeai.directory.taxonomies import profile_terms, term_choices, term_labels

    assert profile_terms(kamakura) == {}
    targets, categories = term_choices(kamakura)
    assert targets[0] == ("elderly", "高齢者")
    assert [code for code, _name in categories] == list(CATEGORY_CODES)
    assert term_labels(kamakura)["salon"].description == "集まって話したり過ごしたりする場"
    assert (Taxonomy.objects.count(), TaxonomyTerm.objects.count()) == (0, 0)
    # once created and renamed, the municipality's own name is read
    terms = ensure_taxonomies(kamakura)
    TaxonomyTerm.objects.filter(pk=terms["elderly"].pk).update(name="シニア")
    assert term_choices(kamakura)[0][0] == ("elderly", "シニア")
    assert set(profile_terms(kamakura)) == {*TARGET_CODES, *CATEGORY_CODES}


def test_staff_pages_and_the_booklet_write_no_taxonomy(
    kamakura: Municipality, users: dict[str, Any], client_for: Any
) -> None:
    from tests.directory.builders import build_districts

    build_districts(kamakura)
    client = client_for(users["secretariat"])
    for path in (
        "/staff/directory/",
        "/staff/directory/services/new/",
        "/staff/directory/booklet/",
        "/staff/directory/booklet/?district=大船",
    ):
        response = client.get(path)
        assert response.status_code in {200, 503}, path  # 503: no PDF engine on this machine
    assert (Taxonomy.objects.count(), TaxonomyTerm.objects.count()) == (0, 0)


def test_the_first_save_that_uses_a_term_creates_the_vocabulary(
    kamakura: Municipality, users: dict[str, Any]
) -> None:
    from sasaeai.directory import services
    from sasaeai.directory.services import ServiceInput
    from tests.directory.builders import build_organization

    organization = build_organization(kamakura, "鎌倉市")
    saved = services.service_save(
        actor=users["secretariat"],
        municipality=kamakura,
        organization=organization,
        values=ServiceInput(name="相談窓口"),
        term_codes=["elderly", "consultation"],
    )
    found = terms_of_services([saved.pk])[saved.pk]
    assert (found.target_codes, found.category_codes) == (["elderly"], ["consultation"])
    assert Taxonomy.objects.filter(municipality=kamakura).count() == 2


def test_the_data_migration_creates_the_vocabulary_of_existing_municipalities(
    kamakura: Municipality, fujisawa: Municipality
) -> None:
    import importlib

    from django.apps import apps

    from sasaeai.directory.taxonomies import CATEGORIES, TARGETS

    migration = importlib.import_module("sasaeai.directory.migrations.0007_profile_taxonomies")
    # the copy in the migration is the vocabulary of today
    assert [
        (code, name, description)
        for _t, _d, specs in migration.TAXONOMIES
        for code, name, description in specs
    ] == [(s.code, s.name, s.description) for s in (*TARGETS, *CATEGORIES)]
    terms = ensure_taxonomies(kamakura)
    TaxonomyTerm.objects.filter(pk=terms["elderly"].pk).update(name="シニア")
    TaxonomyTerm.objects.filter(pk=terms["aed"].pk).delete()
    migration.create_profile_taxonomies(apps, None)
    migration.create_profile_taxonomies(apps, None)  # twice: nothing more
    assert TaxonomyTerm.objects.filter(municipality=kamakura).count() == len(terms)
    assert TaxonomyTerm.objects.get(municipality=kamakura, code="elderly").name == "シニア"
    assert TaxonomyTerm.objects.filter(municipality=fujisawa).count() == len(terms)
    assert Taxonomy.objects.filter(municipality=fujisawa).count() == 2
