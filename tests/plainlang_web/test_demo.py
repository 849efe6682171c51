"""The demo loads Kamakura's glossary, marks invented entries, and is idempotent."""

from __future__ import annotations

import io

from django.core.management import call_command

from sasaeai.audit.models import AuditEvent
from sasaeai.plainlang.models import AllowedWord, GlossaryTerm, PreferredExpression


def test_demo_glossary(db: None) -> None:
    out = io.StringIO()
    call_command("loaddemo", stdout=out)
    terms = dict(
        GlossaryTerm.objects.filter(municipality__code="142042").values_list("term", "paraphrase")
    )
    assert {k: terms[k] for k in ("アウトリーチ", "プラットフォーム", "ワンストップ")} == {
        "アウトリーチ": "訪問による支援",
        "プラットフォーム": "活動の場・仕組み",
        "ワンストップ": "一か所で",
    }
    assert list(GlossaryTerm.objects.filter(is_demo=False).values_list("term", flat=True)) == [
        "アウトリーチ",
        "プラットフォーム",
        "ワンストップ",
    ]
    assert set(GlossaryTerm.objects.filter(is_demo=True).values_list("note", flat=True)) == {
        "デモ用の例（架空）"
    }
    assert PreferredExpression.objects.filter(is_demo=False).count() == 0
    assert AllowedWord.objects.filter(is_demo=False).count() == 0
    assert "demo-jimukyoku" in out.getvalue()  # the accounts result is not clobbered


def test_demo_is_idempotent(db: None) -> None:
    call_command("loaddemo", stdout=io.StringIO())
    counts = (AuditEvent.objects.count(), GlossaryTerm.objects.count())
    call_command("loaddemo", stdout=io.StringIO())
    assert (AuditEvent.objects.count(), GlossaryTerm.objects.count()) == counts
