"""The public wall is applied in one module: only ``selectors/published.py`` reads evaluations,
reviews and 総括 for what residents see. The staff selectors and the services read them for
the secretariat (公表前の確認, the gate's edit links); no page, feed, API or renderer does."""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "sasaeai" / "publication"
CONTENT = re.compile(r"\b(Evaluation|Review|Summary)\.objects\b")
ALLOWED = {"selectors/published.py", "selectors/staff.py"}


def test_only_the_read_model_reads_what_residents_see() -> None:
    readers = sorted(
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if "migrations" not in path.parts and CONTENT.search(path.read_text(encoding="utf-8"))
    )
    assert readers == sorted(ALLOWED)


def test_the_staff_selectors_read_no_text() -> None:
    """The staff reads name evaluations and reviews (for links and the unapproved list), never
    their text: that goes through the read model too."""
    source = (PACKAGE / "selectors" / "staff.py").read_text(encoding="utf-8")
    for text_field in ("results", "issues", "body", "city_response", "return_comment"):
        assert f'"{text_field}"' not in source and f".{text_field}" not in source, text_field
