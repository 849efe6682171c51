"""The apps stand in layers and an app imports only the apps below it (docs/architecture.md):
core ← audit ← accounts ← {plainlang, plans, directory} ← publication ← web ← config.
The domain apps of the middle layer do not import one another. Migrations are not read."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "sasaeai"

LAYERS: dict[str, int] = {
    "core": 0,
    "audit": 1,
    "accounts": 2,
    "plainlang": 3,
    "plans": 3,
    "directory": 3,
    "publication": 4,
    "web": 5,
    "config": 6,
    "cli": 6,
    "__main__": 6,
}
MIDDLE = 3


def _imported_modules(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def upward_imports(src: Path) -> list[str]:
    """Every import of an app above the importing one (or beside it, in the middle layer)."""
    bad = []
    for path in sorted(src.rglob("*.py")):
        relative = path.relative_to(src)
        if "migrations" in relative.parts:
            continue
        app = relative.parts[0].removesuffix(".py")
        for line, module in _imported_modules(path):
            parts = module.split(".")
            if parts[0] != "sasaeai" or len(parts) < 2 or parts[1] == app:
                continue
            mine, theirs = LAYERS[app], LAYERS[parts[1]]
            if theirs > mine or mine == theirs == MIDDLE:
                bad.append(f"{relative.as_posix()}:{line}: {app} imports {module}")
    return bad


def test_every_app_has_a_layer() -> None:
    apps = {p.name for p in SRC.iterdir() if (p / "__init__.py").exists()}
    modules = {p.stem for p in SRC.glob("*.py") if p.stem != "__init__"}
    assert sorted((apps | modules) - set(LAYERS)) == []


def test_no_app_imports_an_app_above_or_beside_it() -> None:
    assert upward_imports(SRC) == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from sasaeai.web.forms import X\n", ["plans/x.py:1: plans imports sasaeai.web.forms"]),
        (
            "import os\nimport sasaeai.directory.models\n",
            ["plans/x.py:2: plans imports sasaeai.directory.models"],
        ),
        ("from sasaeai.core import textnorm\nfrom sasaeai.accounts import models\n", []),
        ("from sasaeai.plans import selectors\nfrom .views import x\n", []),
    ],
)
def test_the_check_reads_imports(tmp_path: Path, source: str, expected: list[str]) -> None:
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "x.py").write_text(source, encoding="utf-8")
    (tmp_path / "plans" / "migrations").mkdir()
    (tmp_path / "plans" / "migrations" / "0001.py").write_text("import sasaeai.web\n")
    assert upward_imports(tmp_path) == expected
