"""SQLite: refuse INSERT OR REPLACE on the audit log (it deletes without firing delete triggers)."""

from typing import Any

from django.db import migrations

from sasaeai.audit import db_guard


def install(apps: Any, schema_editor: Any) -> None:
    db_guard.install(schema_editor.connection)  # every statement is idempotent


def lift(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "sqlite":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER IF EXISTS audit_auditevent_no_replace;")


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]

    operations = [migrations.RunPython(install, lift)]
