"""The manifest of fetched responses in DuckDB (`raw_responses`): write what a crawl fetched, and read back
the latest run's responses with their archived bytes, so parsing never needs the network."""

from __future__ import annotations

import json
from collections.abc import Sequence
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import duckdb
import pandas as pd

from pipeline.http.archive import Archive
from pipeline.http.request import Fetched, Request
from pipeline.warehouse import append_rows, ensure_table


def record_responses(
    conn: duckdb.DuckDBPyConnection,
    run_id: str,
    asset: str,
    process_code: str | None,
    source: str,
    fetched: Sequence[Fetched],
) -> None:
    rows = [
        {**f.manifest_row(source), "run_id": run_id, "asset": asset, "process_code": process_code}
        for f in fetched
    ]
    append_rows(conn, "raw_responses", pd.DataFrame(rows))


def latest_responses(
    conn: duckdb.DuckDBPyConnection, asset: str, process_code: str | None, archive: Archive
) -> list[Fetched]:
    """The successful responses of the asset's most recent run for this process, rebuilt from the archive."""
    ensure_table(conn, "raw_responses")
    rows = conn.execute(
        """
        WITH latest AS (
            SELECT arg_max(run_id, fetched_at) AS run_id FROM raw_responses
            WHERE asset = ? AND process_code IS NOT DISTINCT FROM ?
        )
        SELECT method, url, request_body, status, content_type, sha256, fetched_at, elapsed_ms
        FROM raw_responses JOIN latest USING (run_id)
        WHERE asset = ? AND process_code IS NOT DISTINCT FROM ? AND status = 200 AND error IS NULL
        ORDER BY fetched_at, url
        """,
        [asset, process_code, asset, process_code],
    ).fetchall()
    out = []
    for method, url, body, status, content_type, sha, fetched_at, elapsed_ms in rows:
        parts = urlsplit(url)
        request = Request(
            method=method,
            url=urlunsplit(parts._replace(query="")),
            params=dict(parse_qsl(parts.query, keep_blank_values=True)),
            json_body=json.loads(body) if body else None,
        )
        out.append(
            Fetched(request, status, sha, archive.get(sha), content_type or "", fetched_at, elapsed_ms or 0)
        )
    return out
