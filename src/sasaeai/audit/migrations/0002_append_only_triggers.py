"""Refuse UPDATE, DELETE (and TRUNCATE) on the audit log in the database itself."""

from typing import Any

from django.db import migrations

from sasaeai.audit import db_guard


def install(apps: Any, schema_editor: Any) -> None:
    db_guard.install(schema_editor.connection)


def lift(apps: Any, schema_editor: Any) -> None:
    db_guard.lift(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(install, lift)]
