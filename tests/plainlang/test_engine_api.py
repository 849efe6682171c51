"""The public API: what the package exports, its example, and no Django."""

from __future__ import annotations

import doctest
import subprocess
import sys

import sasaeai.plainlang.engine as engine


def test_public_names_are_exported() -> None:
    for name in engine.__all__:
        assert hasattr(engine, name), name


def test_the_package_example_runs() -> None:
    assert doctest.testmod(engine).failed == 0


def test_the_engine_imports_no_django() -> None:
    code = (
        "import sys, sasaeai.plainlang.engine as e; e.check('アウトリーチ');"
        "sys.exit(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    # A fresh interpreter: pytest-django may already have imported Django in this one.
    result = subprocess.run([sys.executable, "-c", code], check=False)  # noqa: S603 - fixed code
    assert result.returncode == 0


def test_check_many_checks_each_text_as_its_own_document() -> None:
    reports = engine.check_many(["アウトリーチ（訪問による支援）", "アウトリーチ"])
    assert [len(report.findings) for report in reports] == [0, 1]
