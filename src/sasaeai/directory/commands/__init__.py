"""Subcommands of ``sasaeai directory``, one module each.

Each module has ``register(actions)``: it adds its subparser(s) to ``actions`` (the
argparse sub-parsers object) and sets ``handler=`` on each with ``set_defaults``. A handler
is ``handler(options: dict[str, Any], out: OutputWrapper, err: OutputWrapper) -> int`` and
returns the exit status (0 fine; 1 the data was refused or an error-level result; 2 a usage
error such as an unreadable file). Handlers never call ``sys.exit``.
"""

from __future__ import annotations

SUBCOMMAND_MODULES = (
    "sasaeai.directory.commands.search",
    "sasaeai.directory.commands.io",
    "sasaeai.directory.commands.booklet",
    "sasaeai.directory.commands.remind",
)
