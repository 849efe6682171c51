"""Fixtures for the checker's web app: a clean rate-limit cache and a small Kamakura config."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sasaeai.accounts.models import Municipality

KAMAKURA_YAML = """\
glossary:
  - term: アウトリーチ
    paraphrase: 訪問による支援
    note: 推進委員会で決定
  - term: プラットフォーム
    paraphrase: 活動の場・仕組み
expressions:
  - pattern: 周知を図
    preferred: 広く知らせ
allowlist:
  - ヨリドコロ
rules:
  comma-count:
    enabled: false
  redundant:
    severity: warning
sentence_length:
  info: 50
  warning: 90
comma_max: 3
builtin_expressions: true
"""

SAMPLE_TEXT = (
    "アウトリーチを利用することができる。\n"
    "ヨリドコロで、地域の皆さんに周知を図ります。\n"
    "ワークショップを開きます。\n"
)


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def configured(kamakura: Municipality) -> Municipality:
    """Kamakura with KAMAKURA_YAML imported."""
    from sasaeai.plainlang import services

    services.plainlang_config_import(
        actor="test",
        municipality=kamakura,
        data=KAMAKURA_YAML.encode("utf-8"),
        filename="kamakura.yaml",
    )
    return kamakura
