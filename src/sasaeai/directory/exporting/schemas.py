"""The HSDS 3.0 schemas shipped as package data (see data/hsds-3.0/SOURCE.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "data" / "hsds-3.0" / "schema"
HSDS_VERSION = "3.0"


@cache
def load(name: str) -> dict[str, Any]:
    """A schema by file name relative to schema/ (``"service.json"``,
    ``"compiled/service_list.json"``)."""
    data: dict[str, Any] = json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))
    return data


def validator(name: str) -> Any:
    """A jsonschema validator for ``name`` whose ``$ref: "phone.json"`` resolve to the
    sibling files (what the compiled schemas inline), checking formats such as uuid."""
    from jsonschema import Draft202012Validator, FormatChecker
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    resources = [
        (path.name, Resource.from_contents(load(path.name), default_specification=DRAFT202012))
        for path in sorted(SCHEMA_DIR.glob("*.json"))
        if path.name != "openapi.json"
    ]
    registry: Registry[Any] = Registry().with_resources(resources)
    return Draft202012Validator(load(name), registry=registry, format_checker=FormatChecker())


@dataclass(frozen=True)
class TableSpec:
    name: str  # organization
    path: str  # organizations.csv
    columns: tuple[str, ...]
    required: tuple[str, ...]
    types: dict[str, str]
    formats: dict[str, str]


@cache
def tables() -> tuple[TableSpec, ...]:
    """The tabular format's tables in the schema's order, columns exactly as HSDS says."""
    specs: list[TableSpec] = []
    for name, table in load("compiled/tabular.json")["properties"].items():
        item = table["items"]
        columns = [
            column
            for column, spec in item["properties"].items()
            if spec.get("type") not in {"array", "object"} and "$ref" not in spec
        ]
        specs.append(
            TableSpec(
                name=name,
                path=item["path"],
                columns=tuple(columns),
                required=tuple(item.get("required", [])),
                types={c: item["properties"][c].get("type", "string") for c in columns},
                formats={
                    c: item["properties"][c]["format"]
                    for c in columns
                    if "format" in item["properties"][c]
                },
            )
        )
    return tuple(specs)


def table(name: str) -> TableSpec:
    return next(spec for spec in tables() if spec.name == name)
