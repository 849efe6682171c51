"""The ``sasaeai`` console script: Django's management commands with the project's settings."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sasaeai.config.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["sasaeai", *argv])
    if len(args) > 1 and args[1] in SERVER_COMMANDS:
        import django

        django.setup()
        from sasaeai.core.crypto import verify_encryption_keys

        verify_encryption_keys()
    execute_from_command_line(args)


SERVER_COMMANDS = frozenset({"runserver"})

if __name__ == "__main__":
    main()
