"""The voters' page: a static page (HTML, CSS, JS) plus `data.js`, the JSON bundle it renders.

The bundle is a script assigning one global, not a JSON file fetched at run time, so the page works opened
straight from disk as well as from any static host. The page only ever inserts scraped text with
`textContent`: names such as `<img src=x onerror=...>` render as text.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path

import duckdb

from pipeline.warehouse import sql_text

TEMPLATE_DIR = Path(__file__).parent / "web"


def _records(conn: duckdb.DuckDBPyConnection, query: str) -> list[dict]:
    cursor = conn.execute(query)
    names = [d[0] for d in cursor.description]
    return [
        {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in zip(names, row, strict=True)}
        for row in cursor.fetchall()
    ]


def bundle(conn: duckdb.DuckDBPyConnection, as_of: datetime, mode: str) -> dict:
    conn.execute(sql_text("web_findings"))
    return {
        "as_of": as_of.isoformat(),
        "demo": mode == "offline",
        "processes": _records(conn, "SELECT process_code, name, election_date FROM processes ORDER BY 1"),
        "rules": _records(
            conn, "SELECT id, kind, title_es, citation, summary_es, status FROM rules ORDER BY id"
        ),
        "findings": _records(conn, "SELECT * FROM web_findings ORDER BY kind, full_name, case_number"),
    }


def write_webpage(conn: duckdb.DuckDBPyConnection, target: Path, as_of: datetime, mode: str) -> Path:
    shutil.copytree(TEMPLATE_DIR, target)
    payload = json.dumps(bundle(conn, as_of, mode), ensure_ascii=True, indent=None, sort_keys=True)
    (target / "data.js").write_text(f"window.TRANSPARENCIA = {payload};\n", encoding="utf-8")
    return target / "index.html"
