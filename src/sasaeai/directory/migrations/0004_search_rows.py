"""Search on one table: ``SearchText`` holds everything a search matches, filters and ranks
on; ``SearchEntry`` keeps only what a result shows.

A search that matches tens of thousands of services (「介護」, 「大船」) finds its page
without reading every match (docs/decisions/0007-directory-search.md):

- ``SearchText`` gains the filters as tokens (``filter_keys``), the ranking columns, the
  order, and the name and reading alone (``names``, ``name_bigrams``); ``SearchEntry``
  loses the columns that moved.
- SQLite: FTS5 tables with two columns each (``names, body`` and ``name_bigrams,
  bigrams``) and their triggers; b-tree indexes for the order and for name prefixes.
- PostgreSQL: pg_trgm GIN indexes on ``body`` and ``names``, array GIN indexes on the
  bigrams and the filter tokens, a b-tree index for the order in ``COLLATE "C"`` (code
  point order, as on SQLite, whatever the database's collation) and ``varchar_pattern_ops``
  indexes for name prefixes.

The index is derived data: the old rows are dropped and the index is rebuilt at the end for
every municipality with services. (Migrating backwards leaves the index empty until a
service is saved or ``index_services`` runs.)
"""

import importlib
from typing import Any

import django.db.models.deletion
from django.db import migrations, models

_previous = importlib.import_module("sasaeai.directory.migrations.0003_search_text")

_FTS = ("directory_search_trigram", "directory_search_bigram")
_SQLITE_CREATE = [
    "CREATE VIRTUAL TABLE directory_search_trigram USING fts5("
    "names, body, content='directory_searchtext', content_rowid='entry_id', "
    "tokenize='trigram')",
    "CREATE VIRTUAL TABLE directory_search_bigram USING fts5("
    "name_bigrams, bigrams, content='directory_searchtext', content_rowid='entry_id', "
    "tokenize='ascii', detail='column')",
    "CREATE TRIGGER directory_searchtext_ai AFTER INSERT ON directory_searchtext BEGIN "
    "INSERT INTO directory_search_trigram(rowid, names, body) "
    "VALUES (new.entry_id, new.names, new.body); "
    "INSERT INTO directory_search_bigram(rowid, name_bigrams, bigrams) "
    "VALUES (new.entry_id, new.name_bigrams, new.bigrams); "
    "END",
    "CREATE TRIGGER directory_searchtext_ad AFTER DELETE ON directory_searchtext BEGIN "
    "INSERT INTO directory_search_trigram(directory_search_trigram, rowid, names, body) "
    "VALUES ('delete', old.entry_id, old.names, old.body); "
    "INSERT INTO directory_search_bigram(directory_search_bigram, rowid, name_bigrams, bigrams) "
    "VALUES ('delete', old.entry_id, old.name_bigrams, old.bigrams); "
    "END",
    "CREATE TRIGGER directory_searchtext_au AFTER UPDATE ON directory_searchtext BEGIN "
    "INSERT INTO directory_search_trigram(directory_search_trigram, rowid, names, body) "
    "VALUES ('delete', old.entry_id, old.names, old.body); "
    "INSERT INTO directory_search_bigram(directory_search_bigram, rowid, name_bigrams, bigrams) "
    "VALUES ('delete', old.entry_id, old.name_bigrams, old.bigrams); "
    "INSERT INTO directory_search_trigram(rowid, names, body) "
    "VALUES (new.entry_id, new.names, new.body); "
    "INSERT INTO directory_search_bigram(rowid, name_bigrams, bigrams) "
    "VALUES (new.entry_id, new.name_bigrams, new.bigrams); "
    "END",
    "CREATE INDEX directory_search_order ON directory_searchtext "
    "(municipality_id, is_public, sort_key, name, service_uuid)",
    "CREATE INDEX directory_search_name_prefix ON directory_searchtext "
    "(municipality_id, name_folded)",
    "CREATE INDEX directory_search_reading_prefix ON directory_searchtext "
    "(municipality_id, reading_folded)",
]
_SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS directory_searchtext_au",
    "DROP TRIGGER IF EXISTS directory_searchtext_ad",
    "DROP TRIGGER IF EXISTS directory_searchtext_ai",
    "DROP TABLE IF EXISTS directory_search_bigram",
    "DROP TABLE IF EXISTS directory_search_trigram",
]
_POSTGRES_CREATE = [
    "CREATE INDEX directory_search_body_trgm ON directory_searchtext USING gin (body gin_trgm_ops)",
    "CREATE INDEX directory_search_names_trgm ON directory_searchtext "
    "USING gin (names gin_trgm_ops)",
    "CREATE INDEX directory_search_bigrams ON directory_searchtext "
    "USING gin (string_to_array(bigrams, ' '))",
    "CREATE INDEX directory_search_name_bigrams ON directory_searchtext "
    "USING gin (string_to_array(name_bigrams, ' '))",
    "CREATE INDEX directory_search_filter_keys ON directory_searchtext "
    "USING gin (string_to_array(btrim(filter_keys), ' '))",
    "CREATE INDEX directory_search_order ON directory_searchtext "
    '(municipality_id, is_public, sort_key COLLATE "C", name COLLATE "C", service_uuid)',
    "CREATE INDEX directory_search_name_prefix ON directory_searchtext "
    "(municipality_id, name_folded varchar_pattern_ops)",
    "CREATE INDEX directory_search_reading_prefix ON directory_searchtext "
    "(municipality_id, reading_folded varchar_pattern_ops)",
]


def _drop_previous(apps: Any, schema_editor: Any) -> None:
    """The old FTS5 tables (SQLite) and the old rows: the index is rebuilt at the end."""
    if schema_editor.connection.vendor == "sqlite":
        for statement in _previous._SQLITE_DROP:
            schema_editor.execute(statement)
        schema_editor.execute("DELETE FROM directory_searchtext")
        schema_editor.execute("DELETE FROM directory_searchentry")
    else:
        # not DELETE: its deferred foreign-key checks would block the ALTER TABLEs below
        schema_editor.execute("TRUNCATE directory_searchtext, directory_searchentry")


def _restore_previous(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "sqlite":
        for statement in _previous._SQLITE_CREATE:
            schema_editor.execute(statement)


def _create(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        for statement in _SQLITE_CREATE:
            schema_editor.execute(statement)
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
            has_trgm = cursor.fetchone() is not None
        for statement in _POSTGRES_CREATE:
            if "gin_trgm_ops" in statement and not has_trgm:
                continue
            schema_editor.execute(statement)


def _drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "sqlite":
        for statement in _SQLITE_DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("directory", "0003_search_text"),
    ]

    operations = [
        migrations.RunPython(_drop_previous, _restore_previous),
        migrations.DeleteModel(name="SearchText"),
        migrations.RemoveIndex(model_name="searchentry", name="directory_search_sort"),
        *[
            migrations.RemoveField(model_name="searchentry", name=name)
            for name in (
                "is_public",
                "name_folded",
                "reading_folded",
                "sort_key",
                "district_keys",
                "category_codes",
                "target_codes",
                "weekdays",
                "is_free",
            )
        ],
        migrations.CreateModel(
            name="SearchText",
            fields=[
                (
                    "entry",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="text",
                        serialize=False,
                        to="directory.searchentry",
                    ),
                ),
                (
                    "municipality",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="accounts.municipality",
                    ),
                ),
                ("is_public", models.BooleanField(default=True)),
                ("filter_keys", models.TextField(blank=True)),
                ("name_folded", models.CharField(max_length=300)),
                ("reading_folded", models.CharField(blank=True, max_length=600)),
                ("sort_key", models.CharField(max_length=600)),
                ("name", models.CharField(max_length=300)),
                ("service_uuid", models.UUIDField()),
                ("body", models.TextField()),
                ("bigrams", models.TextField(blank=True)),
                ("names", models.TextField(blank=True)),
                ("name_bigrams", models.TextField(blank=True)),
            ],
        ),
        migrations.RunPython(_create, _drop),
        migrations.RunPython(_previous._reindex, migrations.RunPython.noop),
    ]
