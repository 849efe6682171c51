"""The profile's two taxonomies, 対象 (target groups) and 分類 (categories), with stable codes.

Each municipality has its own ``Taxonomy`` rows (HSDS keeps vocabularies as data). Reads never
write: pages read the rows with ``profile_terms`` (and ``term_choices``, which falls back to
the names below for a term not created yet); the rows are created by a data migration for
the municipalities that existed then, and by ``ensure_taxonomies`` inside the writes that need
them (saving a service, an import, the demo). A service is linked to a term by an HSDS ``Attribute`` row
(``link_entity="service"``). The codes below never change; the names may be renamed by a
municipality without breaking imports, filters or URLs (filters use codes).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext_noop

from sasaeai.accounts.models import Municipality
from sasaeai.directory.models import Attribute, LinkEntity, Taxonomy, TaxonomyTerm

TARGET_TAXONOMY = gettext_noop("対象")
CATEGORY_TAXONOMY = gettext_noop("分類")

# 対象 (target groups)
TARGET_ELDERLY = "elderly"
TARGET_DISABILITY = "disability"
TARGET_CHILDREN = "children"
TARGET_CARERS = "carers"
TARGET_HARDSHIP = "hardship"
TARGET_EVERYONE = "everyone"

# 分類 (categories)
CATEGORY_CONSULTATION = "consultation"
CATEGORY_SALON = "salon"
CATEGORY_CHILDREN_CAFETERIA = "children-cafeteria"
CATEGORY_CARE_SERVICE = "care-service"
CATEGORY_WATCHING = "watching"
CATEGORY_MEAL_DELIVERY = "meal-delivery"
CATEGORY_TRANSPORT = "transport"
CATEGORY_VOLUNTEER = "volunteer"
CATEGORY_VENUE = "venue"
CATEGORY_MEDICAL = "medical"
CATEGORY_CHILDCARE = "childcare"
CATEGORY_AED = "aed"
CATEGORY_HEALTH = "health"
CATEGORY_DAILY_LIFE = "daily-life"
CATEGORY_OTHER = "other"


@dataclass(frozen=True)
class TermSpec:
    code: str
    name: str
    description: str


TARGETS: tuple[TermSpec, ...] = (
    TermSpec(TARGET_ELDERLY, gettext_noop("高齢者"), gettext_noop("おおむね65歳以上の方")),
    TermSpec(
        TARGET_DISABILITY,
        gettext_noop("障害のある人"),
        gettext_noop("身体・知的・精神の障害や発達障害のある方"),
    ),
    TermSpec(
        TARGET_CHILDREN,
        gettext_noop("子ども・子育て"),
        gettext_noop("子どもと、子育て中の家族"),
    ),
    TermSpec(
        TARGET_CARERS,
        gettext_noop("ケアラー"),
        gettext_noop("家族などを無償で介護・世話している方"),
    ),
    TermSpec(
        TARGET_HARDSHIP,
        gettext_noop("生活に困っている人"),
        gettext_noop("暮らしやお金のことで困っている方"),
    ),
    TermSpec(TARGET_EVERYONE, gettext_noop("誰でも"), gettext_noop("どなたでも利用できます")),
)

CATEGORIES: tuple[TermSpec, ...] = (
    TermSpec(
        CATEGORY_CONSULTATION,
        gettext_noop("相談窓口"),
        gettext_noop("暮らし・介護・福祉の相談"),
    ),
    TermSpec(
        CATEGORY_SALON,
        gettext_noop("居場所・サロン"),
        gettext_noop("集まって話したり過ごしたりする場"),
    ),
    TermSpec(
        CATEGORY_CHILDREN_CAFETERIA,
        gettext_noop("子ども食堂"),
        gettext_noop("子どもや地域の人が安く食事できる場"),
    ),
    TermSpec(
        CATEGORY_CARE_SERVICE,
        gettext_noop("介護サービス"),
        gettext_noop("介護保険などの介護サービス"),
    ),
    TermSpec(CATEGORY_WATCHING, gettext_noop("見守り"), gettext_noop("訪問や電話での安否確認")),
    TermSpec(CATEGORY_MEAL_DELIVERY, gettext_noop("配食"), gettext_noop("お弁当などの配達")),
    TermSpec(
        CATEGORY_TRANSPORT,
        gettext_noop("移動支援"),
        gettext_noop("通院や買い物の送迎・付き添い"),
    ),
    TermSpec(
        CATEGORY_VOLUNTEER,
        gettext_noop("ボランティア団体"),
        gettext_noop("地域で活動するボランティアの団体"),
    ),
    TermSpec(
        CATEGORY_VENUE,
        gettext_noop("活動場所"),
        gettext_noop("集会所など、活動に使える場所"),
    ),
    TermSpec(CATEGORY_MEDICAL, gettext_noop("医療機関"), gettext_noop("病院・診療所")),
    TermSpec(
        CATEGORY_CHILDCARE,
        gettext_noop("子育て施設"),
        gettext_noop("保育所・幼稚園・子育て支援の施設"),
    ),
    TermSpec(CATEGORY_AED, "AED", gettext_noop("AED（自動体外式除細動器）の設置場所")),
    TermSpec(
        CATEGORY_HEALTH,
        gettext_noop("健康づくり・介護予防"),
        gettext_noop("体操・健康教室など"),
    ),
    TermSpec(
        CATEGORY_DAILY_LIFE,
        gettext_noop("生活支援"),
        gettext_noop("買い物・ごみ出し・家事の手伝いなど"),
    ),
    TermSpec(
        CATEGORY_OTHER, gettext_noop("その他"), gettext_noop("ほかの分類にあてはまらないもの")
    ),
)

TARGET_CODES: tuple[str, ...] = tuple(spec.code for spec in TARGETS)
CATEGORY_CODES: tuple[str, ...] = tuple(spec.code for spec in CATEGORIES)
TARGET_NAMES: dict[str, str] = {spec.code: spec.name for spec in TARGETS}
CATEGORY_NAMES: dict[str, str] = {spec.code: spec.name for spec in CATEGORIES}

_TAXONOMIES: tuple[tuple[str, str, tuple[TermSpec, ...]], ...] = (
    (TARGET_TAXONOMY, gettext_noop("だれのためのサービスか"), TARGETS),
    (CATEGORY_TAXONOMY, gettext_noop("サービスの種類"), CATEGORIES),
)


def ensure_taxonomies(municipality: Municipality) -> dict[str, TaxonomyTerm]:
    """The municipality's profile terms keyed by code, creating what is missing (idempotent).

    Existing terms are left as they are (a municipality may have renamed them). Two
    queries when everything exists.
    """
    with transaction.atomic():
        taxonomies = {
            taxonomy.name: taxonomy
            for taxonomy in Taxonomy.objects.filter(
                municipality=municipality, name__in=[name for name, _d, _s in _TAXONOMIES]
            )
        }
        terms: dict[str, TaxonomyTerm] = {}
        if len(taxonomies) == len(_TAXONOMIES):
            terms = {
                term.code: term
                for term in TaxonomyTerm.objects.filter(
                    taxonomy__in=list(taxonomies.values())
                ).select_related("taxonomy")
            }
        for name, description, specs in _TAXONOMIES:
            if name not in taxonomies:
                taxonomies[name] = Taxonomy.objects.create(
                    municipality=municipality, name=name, description=description
                )
            taxonomy = taxonomies[name]
            missing = [spec for spec in specs if spec.code not in terms]
            if not missing:
                continue
            existing = {
                term.code: term
                for term in TaxonomyTerm.objects.filter(taxonomy=taxonomy).select_related(
                    "taxonomy"
                )
            }
            for position, spec in enumerate(specs):
                term = existing.get(spec.code)
                if term is None:
                    term = TaxonomyTerm.objects.create(
                        municipality=municipality,
                        taxonomy=taxonomy,
                        code=spec.code,
                        name=spec.name,
                        description=spec.description,
                        position=position,
                    )
                terms[spec.code] = term
        return terms


def profile_terms(municipality: Municipality) -> dict[str, TaxonomyTerm]:
    """The municipality's profile terms that exist, keyed by code (one query, writes nothing)."""
    return {
        term.code: term
        for term in TaxonomyTerm.objects.filter(
            municipality=municipality,
            taxonomy__name__in=[name for name, _d, _s in _TAXONOMIES],
            code__in=[*TARGET_CODES, *CATEGORY_CODES],
        ).select_related("taxonomy")
    }


@dataclass(frozen=True)
class TermLabel:
    code: str
    name: str
    description: str


def term_labels(
    municipality: Municipality, terms: Mapping[str, TaxonomyTerm] | None = None
) -> dict[str, TermLabel]:
    """Every profile code with the municipality's name for it (as renamed), or the standard
    name when its term has not been created yet: forms and the booklet offer every code, and
    the write that first uses one creates its row (``ensure_taxonomies``)."""
    found = profile_terms(municipality) if terms is None else terms
    labels: dict[str, TermLabel] = {}
    for spec in (*TARGETS, *CATEGORIES):
        term = found.get(spec.code)
        labels[spec.code] = (
            TermLabel(spec.code, term.name, term.description)
            if term is not None
            else TermLabel(spec.code, spec.name, spec.description)
        )
    return labels


def term_choices(
    municipality: Municipality,
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(targets, categories) as form choices (code, name), in the profile's order."""
    labels = term_labels(municipality)
    return (
        [(code, labels[code].name) for code in TARGET_CODES],
        [(code, labels[code].name) for code in CATEGORY_CODES],
    )


def is_target(term: TaxonomyTerm) -> bool:
    return term.code in TARGET_CODES


@dataclass
class ServiceTerms:
    """The profile terms of one service, in display order."""

    targets: list[TaxonomyTerm] = field(default_factory=list)
    categories: list[TaxonomyTerm] = field(default_factory=list)

    @property
    def target_codes(self) -> list[str]:
        return [term.code for term in self.targets]

    @property
    def category_codes(self) -> list[str]:
        return [term.code for term in self.categories]


def terms_of_services(service_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, ServiceTerms]:
    """The target and category terms of each service, in one query (services without any
    terms are absent; use ``.get(id, ServiceTerms())``)."""
    ids = list(service_ids)
    result: dict[uuid.UUID, ServiceTerms] = {}
    if not ids:
        return result
    attributes = (
        Attribute.objects.filter(link_entity=LinkEntity.SERVICE, link_id__in=ids)
        .select_related("taxonomy_term__taxonomy")
        .order_by("taxonomy_term__position", "taxonomy_term__name")
    )
    for attribute in attributes:
        term = attribute.taxonomy_term
        taxonomy = term.taxonomy
        if taxonomy is None:
            continue
        terms = result.setdefault(attribute.link_id, ServiceTerms())
        if taxonomy.name == TARGET_TAXONOMY:
            terms.targets.append(term)
        elif taxonomy.name == CATEGORY_TAXONOMY:
            terms.categories.append(term)
    return result


def service_terms_set(
    *,
    service_id: uuid.UUID,
    municipality: Municipality,
    codes: Sequence[str],
    terms: Mapping[str, TaxonomyTerm] | None = None,
) -> None:
    """Make the service's profile terms exactly ``codes`` (targets and categories mixed).

    A low-level helper for the import, editing and demo code: it writes no audit row
    (the caller's service function does) and does not re-index. Unknown codes raise
    ``KeyError``.
    """
    terms = terms if terms is not None else ensure_taxonomies(municipality)
    wanted = {terms[code].id for code in codes}
    profile_term_ids = [term.id for term in terms.values()]
    with transaction.atomic():
        current = set(
            Attribute.objects.filter(
                link_entity=LinkEntity.SERVICE,
                link_id=service_id,
                taxonomy_term_id__in=profile_term_ids,
            ).values_list("taxonomy_term_id", flat=True)
        )
        stale = current - wanted
        if stale:
            Attribute.objects.filter(
                link_entity=LinkEntity.SERVICE, link_id=service_id, taxonomy_term_id__in=stale
            ).delete()
        Attribute.objects.bulk_create(
            [
                Attribute(
                    municipality=municipality,
                    taxonomy_term_id=term_id,
                    link_entity=LinkEntity.SERVICE,
                    link_id=service_id,
                )
                for term_id in wanted - current
            ]
        )
