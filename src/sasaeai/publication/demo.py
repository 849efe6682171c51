"""Kamakura's kept terms (用語解説) for the demo.

Three katakana words the demo's plan text uses and the built-in list flags (warning): the
demo secretariat has decided to keep them, with an explanation that every report using them
carries in its 用語解説. The decisions and explanations are invented for the demo: the rows
are ``is_demo`` and each explanation starts with 「（架空）」. Loading is idempotent: a term
already kept is left as it is (no write, no audit row).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from sasaeai.accounts.models import Municipality
from sasaeai.audit import services as audit
from sasaeai.audit.models import Action
from sasaeai.publication.models import KeptTerm

ACTOR = "system:loaddemo"
KAMAKURA = "142042"

# (term, explanation)
KEPT_TERMS: list[tuple[str, str]] = [
    (
        "ケアラー",
        "（架空）家族や身近な人を、お金をもらわずに介護・看病・世話している人。"
        "市の条例でも使う言葉のため、そのまま使います。",
    ),
    (
        "フレイル",
        "（架空）年をとって体や心の働きが弱くなり、介護が必要になる手前の状態。"
        "早く気づけば元に戻せることがあります。",
    ),
    (
        "コーディネーター",
        "（架空）人や団体のあいだに立ち、支援や活動をつなぐ役目の人。"
        "地域の支え合いの役目の名前として定着しているため、そのまま使います。",
    ),
]


@transaction.atomic
def load(stdout: Any = None) -> dict[str, Any]:
    municipality = Municipality.objects.get(code=KAMAKURA)
    existing = set(
        KeptTerm.objects.filter(municipality=municipality).values_list("term", flat=True)
    )
    created = 0
    for term, explanation in KEPT_TERMS:
        if term in existing:
            continue
        kept = KeptTerm.objects.create(
            municipality=municipality, term=term, explanation=explanation, is_demo=True
        )
        audit.record(
            actor=ACTOR,
            action=Action.CREATE,
            obj=kept,
            changes=audit.diff({}, audit.snapshot(kept)),
            detail="デモの用語解説（架空）",
        )
        created += 1
    if stdout is not None and created:
        stdout.write(f"用語解説のデモデータ（架空）を作成しました: {created} 語。")
    return {}
