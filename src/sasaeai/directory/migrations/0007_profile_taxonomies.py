"""The profile's two taxonomies, 対象 and 分類, for every municipality that exists now.

They used to be created by the first staff page that showed them (a read that wrote). Pages
now only read them (``taxonomies.profile_terms``); this creates them once for the existing
municipalities, and ``ensure_taxonomies`` inside the writes that need them creates them for
municipalities added later. Existing rows are left as they are (a municipality may have
renamed a term). The vocabulary is copied here, as it was when this migration was written.
"""

from typing import Any

from django.db import migrations

TAXONOMIES: tuple[tuple[str, str, tuple[tuple[str, str, str], ...]], ...] = (
    (
        "対象",
        "だれのためのサービスか",
        (
            ("elderly", "高齢者", "おおむね65歳以上の方"),
            ("disability", "障害のある人", "身体・知的・精神の障害や発達障害のある方"),
            ("children", "子ども・子育て", "子どもと、子育て中の家族"),
            ("carers", "ケアラー", "家族などを無償で介護・世話している方"),
            ("hardship", "生活に困っている人", "暮らしやお金のことで困っている方"),
            ("everyone", "誰でも", "どなたでも利用できます"),
        ),
    ),
    (
        "分類",
        "サービスの種類",
        (
            ("consultation", "相談窓口", "暮らし・介護・福祉の相談"),
            ("salon", "居場所・サロン", "集まって話したり過ごしたりする場"),
            ("children-cafeteria", "子ども食堂", "子どもや地域の人が安く食事できる場"),
            ("care-service", "介護サービス", "介護保険などの介護サービス"),
            ("watching", "見守り", "訪問や電話での安否確認"),
            ("meal-delivery", "配食", "お弁当などの配達"),
            ("transport", "移動支援", "通院や買い物の送迎・付き添い"),
            ("volunteer", "ボランティア団体", "地域で活動するボランティアの団体"),
            ("venue", "活動場所", "集会所など、活動に使える場所"),
            ("medical", "医療機関", "病院・診療所"),
            ("childcare", "子育て施設", "保育所・幼稚園・子育て支援の施設"),
            ("aed", "AED", "AED（自動体外式除細動器）の設置場所"),
            ("health", "健康づくり・介護予防", "体操・健康教室など"),
            ("daily-life", "生活支援", "買い物・ごみ出し・家事の手伝いなど"),
            ("other", "その他", "ほかの分類にあてはまらないもの"),
        ),
    ),
)


def create_profile_taxonomies(apps: Any, schema_editor: Any) -> None:
    Municipality = apps.get_model("accounts", "Municipality")
    Taxonomy = apps.get_model("directory", "Taxonomy")
    TaxonomyTerm = apps.get_model("directory", "TaxonomyTerm")
    for municipality in Municipality.objects.all():
        for name, description, terms in TAXONOMIES:
            taxonomy, _created = Taxonomy.objects.get_or_create(
                municipality=municipality, name=name, defaults={"description": description}
            )
            existing = set(
                TaxonomyTerm.objects.filter(taxonomy=taxonomy).values_list("code", flat=True)
            )
            TaxonomyTerm.objects.bulk_create(
                TaxonomyTerm(
                    municipality=municipality,
                    taxonomy=taxonomy,
                    code=code,
                    name=term_name,
                    description=term_description,
                    position=position,
                )
                for position, (code, term_name, term_description) in enumerate(terms)
                if code not in existing
            )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("directory", "0006_blank_assurer_emails"),
    ]

    operations = [migrations.RunPython(create_profile_taxonomies, migrations.RunPython.noop)]
