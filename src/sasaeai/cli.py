"""The ``sasaeai`` console script: Django's management commands with the project's settings.

Every command that can read or write data first checks that the encryption keys can read what
is already stored (the canary), as the WSGI and ASGI entry points do: with the wrong
``SASAEAI_ENCRYPTION_KEYS`` a command would write rows no one can read. Only the commands in
``NO_DATA_COMMANDS``, which never touch the database, skip the check.
"""

from __future__ import annotations

import os
import sys

# Commands that never read or write the database's data (help and version flags included).
NO_DATA_COMMANDS = frozenset(
    {
        "help",
        "--help",
        "-h",
        "version",
        "--version",
        "check",
        "generate_encryption_key",
        "makemigrations",
        "makemessages",
        "compilemessages",
        "collectstatic",
        "diffsettings",
        "findstatic",
        "sqlmigrate",
    }
)


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sasaeai.config.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["sasaeai", *argv])
    if len(args) > 1 and args[1] not in NO_DATA_COMMANDS:
        _verify_keys()
    execute_from_command_line(args)


def _verify_keys() -> None:
    import django
    from django.core.exceptions import ImproperlyConfigured

    django.setup()
    from sasaeai.core.crypto import verify_encryption_keys

    try:
        verify_encryption_keys()
    except ImproperlyConfigured as error:
        sys.stderr.write(f"sasaeai: {error}\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
