"""The cycle's Japanese UI text is marked for translation, as in accounts/audit/core/web."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_translation_marks import SRC, unmarked_python_literals, unmarked_template_text

PLANS = SRC / "plans"
MODULES = [
    PLANS / "services" / "reviews.py",
    PLANS / "services" / "reminders.py",
    PLANS / "services" / "evaluations.py",
    PLANS / "management" / "commands" / "send_reminders.py",
    PLANS / "selectors" / "cycle.py",
    PLANS / "forms.py",
    PLANS / "views" / "cycles.py",
    PLANS / "views" / "evaluations.py",
    PLANS / "views" / "reviews.py",
]
TEMPLATES = sorted(
    p
    for pattern in ("cycle_*.html", "evaluation_*.html", "review_*.html")
    for p in (PLANS / "templates" / "plans").glob(pattern)
)


def test_the_cycle_files_exist() -> None:
    assert all(path.exists() for path in MODULES)
    assert len(TEMPLATES) == 16


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_template_text_is_marked(path: Path) -> None:
    assert unmarked_template_text(path) == []


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_python_text_is_marked(path: Path) -> None:
    assert unmarked_python_literals(path) == []
