"""Every Japanese UI string is marked for translation (Japanese is the source language).

Exceptions, by design: the pure engines (core/wareki.py, core/archives.py, plainlang/engine/)
import no Django;
start-up configuration errors (config/, core/crypto.py) are raised before translation works;
demo data and migrations are data, not interface text; API summaries are documentation.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "sasaeai"
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
EXEMPT = ("wareki.py", "archives.py", "crypto.py", "demo.py", "api.py", "env.py", "settings.py")
APPS = ("accounts", "audit", "core", "web", "plans", "plainlang", "publication", "directory")


def unmarked_template_text(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"{%\s*blocktranslate.*?{%\s*endblocktranslate\s*%}", "", text, flags=re.S)
    text = re.sub(r"{%.*?%}|{{.*?}}|{#.*?#}", "", text, flags=re.S)
    return [line.strip() for line in text.splitlines() if JAPANESE.search(line)]


def unmarked_python_literals(path: Path) -> list[str]:
    found = []
    in_docstring = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        stripped = line.strip()
        if stripped.count('"""') == 1:
            in_docstring = not in_docstring
            continue
        if in_docstring or stripped.startswith(("#", '"""')):
            continue
        for match in re.finditer(r'(\w*\(?)"([^"]*)"', line):
            prefix, body = match.groups()
            if JAPANESE.search(body) and not prefix.endswith(
                ("_(", "gettext_lazy(", "gettext_noop(")
            ):
                if stripped.startswith('"') and found_open_call(path, number):
                    continue
                found.append(f"{path.name}:{number}: {stripped}")
    return found


def found_open_call(path: Path, number: int) -> bool:
    """A literal continuing a wrapped call on the line above: `_(` newline `"…"`."""
    lines = path.read_text(encoding="utf-8").splitlines()
    index = number - 2
    while index >= 0 and lines[index].strip().startswith('"'):
        index -= 1  # implicit concatenation of several literals
    return index >= 0 and lines[index].rstrip().endswith(("_(", "gettext_lazy("))


TEMPLATES = sorted(p for app in (*APPS, "templates") for p in (SRC / app).rglob("*.html"))
MODULES = sorted(
    p
    for app in APPS
    for p in (SRC / app).rglob("*.py")
    if "migrations" not in p.parts and "engine" not in p.parts and p.name not in EXEMPT
)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(SRC)))
def test_template_text_is_marked(path: Path) -> None:
    assert unmarked_template_text(path) == []


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_python_text_is_marked(path: Path) -> None:
    assert unmarked_python_literals(path) == []


def test_the_checks_can_fail(tmp_path: Path) -> None:
    page = tmp_path / "x.html"
    page.write_text('<p>{% translate "よい" %}</p>\n<p>だめ</p>\n', encoding="utf-8")
    module = tmp_path / "x.py"
    module.write_text('A = _("よい")\nB = "だめ"\n', encoding="utf-8")
    assert unmarked_template_text(page) == ["<p>だめ</p>"]
    assert unmarked_python_literals(module) == ['x.py:2: B = "だめ"']
