"""Kamakura's checker settings for the demo: a glossary, expressions and allowed words.

The first three glossary terms are the examples given by the 地域福祉計画推進委員会; the
rest is invented for the demo and flagged ``is_demo`` (shown as デモ in the UI). Loading is
idempotent: a second run writes nothing, not even an audit row.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from sasaeai.accounts.models import Municipality
from sasaeai.plainlang import services
from sasaeai.plainlang.models import AllowedWord, GlossaryTerm, PreferredExpression

ACTOR = "system:loaddemo"
KAMAKURA = "142042"

# (term, paraphrase, note, is_demo)
GLOSSARY: list[tuple[str, str, str, bool]] = [
    ("アウトリーチ", "訪問による支援", "地域福祉計画推進委員会の例", False),
    ("プラットフォーム", "活動の場・仕組み", "地域福祉計画推進委員会の例", False),
    ("ワンストップ", "一か所で", "地域福祉計画推進委員会の例", False),
    ("アセスメント", "状況の把握", "デモ用の例（架空）", True),
    ("エンパワメント", "力を引き出すこと", "デモ用の例（架空）", True),
    ("インクルーシブ", "誰も取り残さない", "デモ用の例（架空）", True),
    ("スキーム", "仕組み", "デモ用の例（架空）", True),
]

# (pattern, preferred, severity)
EXPRESSIONS: list[tuple[str, str, str]] = [
    ("周知を図", "広く知らせ", "warning"),
    ("連携を図", "協力し", "info"),
]

ALLOWED_WORDS: list[str] = ["ボッチャ"]


@transaction.atomic
def load(stdout: Any = None) -> dict[str, Any]:
    municipality = Municipality.objects.get(code=KAMAKURA)
    glossary = {e.term: e for e in GlossaryTerm.objects.filter(municipality=municipality)}
    for term, paraphrase, note, is_demo in GLOSSARY:
        entry = glossary.get(term)
        if entry is None:
            services.glossary_term_create(
                actor=ACTOR,
                municipality=municipality,
                term=term,
                paraphrase=paraphrase,
                note=note,
                is_demo=is_demo,
            )
        elif (entry.paraphrase, entry.note) != (paraphrase, note):
            services.glossary_term_update(
                actor=ACTOR, entry=entry, term=term, paraphrase=paraphrase, note=note
            )
    expressions = set(
        PreferredExpression.objects.filter(municipality=municipality).values_list(
            "pattern", flat=True
        )
    )
    for pattern, preferred, severity in EXPRESSIONS:
        if pattern not in expressions:
            services.preferred_expression_create(
                actor=ACTOR,
                municipality=municipality,
                pattern=pattern,
                preferred=preferred,
                severity=severity,
                is_demo=True,
            )
    words = set(
        AllowedWord.objects.filter(municipality=municipality).values_list("word", flat=True)
    )
    for word in ALLOWED_WORDS:
        if word not in words:
            services.allowed_word_create(
                actor=ACTOR, municipality=municipality, word=word, is_demo=True
            )
    return {}
