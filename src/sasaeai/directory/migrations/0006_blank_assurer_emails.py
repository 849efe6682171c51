"""Confirming an entry used to copy the confirming staff member's login e-mail into
``assurer_email``, which HSDS publishes. Nothing publishes that field any more; this blanks
what was stored (who confirmed stays in the audit log)."""

from typing import Any

from django.db import migrations


def blank_assurer_email(apps: Any, schema_editor: Any) -> None:
    Service = apps.get_model("directory", "Service")
    Service.objects.exclude(assurer_email="").update(assurer_email="")


class Migration(migrations.Migration):
    dependencies = [("directory", "0005_import_jobs_and_web_url_validators")]

    operations = [migrations.RunPython(blank_assurer_email, migrations.RunPython.noop)]
