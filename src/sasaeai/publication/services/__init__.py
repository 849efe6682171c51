"""Writes of the publication app, keyword-only, atomic and audited:

* ``kept_terms`` — 用語解説: keep a flagged word with an explanation, change it, stop keeping it;
* ``publishing`` — 公表前の確認 and publishing a cycle's report, taking it back;
* ``builds`` — the stored files of published reports and the secretariat's builds of any cycle.
"""

from sasaeai.publication.services.builds import (
    build_is_stalled,
    report_build_run,
    report_build_start,
    report_file_get_or_build,
)
from sasaeai.publication.services.kept_terms import kept_term_delete, kept_term_save
from sasaeai.publication.services.publishing import cycle_gate, cycle_publish, cycle_unpublish

__all__ = [
    "build_is_stalled",
    "cycle_gate",
    "cycle_publish",
    "cycle_unpublish",
    "kept_term_delete",
    "kept_term_save",
    "report_build_run",
    "report_build_start",
    "report_file_get_or_build",
]
