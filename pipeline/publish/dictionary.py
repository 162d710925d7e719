"""The data dictionary: which tables and columns are public, and what each means, in Spanish and English.

`dictionary.yaml` is the whitelist of what is published; everything else stays in the working warehouse.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

DICTIONARY_FILE = Path(__file__).parent / "dictionary.yaml"
# Column names that would carry personal data the law does not make public; never published.
FORBIDDEN_COLUMN_MARKERS = (
    "dni",
    "domicilio",
    "direccion",
    "address",
    "telefono",
    "phone",
    "celular",
    "email",
    "correo",
    "nacimiento",
    "birth",
)


@dataclass(frozen=True)
class PublicTable:
    name: str
    es: str
    en: str
    columns: dict[str, dict[str, str]]


@cache
def public_tables(path: Path = DICTIONARY_FILE) -> tuple[PublicTable, ...]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))["tables"]
    tables = []
    for name, spec in raw.items():
        for column, text in spec["columns"].items():
            if any(marker in column.lower() for marker in FORBIDDEN_COLUMN_MARKERS):
                raise ValueError(f"{path}: {name}.{column} names personal data that is never published")
            if not text.get("es") or not text.get("en"):
                raise ValueError(f"{path}: {name}.{column} needs a Spanish and an English description")
        tables.append(PublicTable(name, spec["es"].strip(), spec["en"].strip(), spec["columns"]))
    return tuple(tables)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def comment_statements(schema: str) -> list[str]:
    """COMMENT ON statements for every public table and column (Spanish, then English)."""
    statements = []
    for table in public_tables():
        statements.append(f'COMMENT ON TABLE {schema}."{table.name}" IS {_quote(f"{table.es} / {table.en}")}')
        for column, text in table.columns.items():
            statements.append(
                f'COMMENT ON COLUMN {schema}."{table.name}"."{column}" IS '
                f"{_quote(text['es'] + ' / ' + text['en'])}"
            )
    return statements


def datapackage(resources: list[dict], types: dict[str, dict[str, str]], title: str) -> str:
    """A Frictionless `datapackage.json` describing every exported file and column."""
    package = {
        "name": "peru-transparencia",
        "title": title,
        "licenses": [{"name": "CC-BY-4.0"}],
        "resources": [
            {
                **resource,
                "description": f"{table.es} / {table.en}",
                "schema": {
                    "fields": [
                        {"name": c, "type": types[table.name][c], "description": f"{t['es']} / {t['en']}"}
                        for c, t in table.columns.items()
                    ]
                },
            }
            for table in public_tables()
            for resource in resources
            if resource["name"] == table.name
        ],
    }
    return json.dumps(package, ensure_ascii=False, indent=1)


def markdown() -> str:
    """DICTIONARY.md: every public table and column, with its meaning in both languages."""
    lines = ["# Diccionario de datos / Data dictionary", ""]
    for table in public_tables():
        lines += [
            f"## `{table.name}`",
            "",
            table.es,
            "",
            f"*{table.en}*",
            "",
            "| columna | descripción | description |",
            "|---|---|---|",
        ]
        lines += [f"| `{c}` | {t['es']} | {t['en']} |" for c, t in table.columns.items()]
        lines.append("")
    return "\n".join(lines)
