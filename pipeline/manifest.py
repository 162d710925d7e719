"""The manifest of fetched responses in DuckDB (`raw_responses`): write what a crawl fetched, and read back
the latest run's responses with their archived bytes, so parsing never needs the network."""

from __future__ import annotations

import json
from collections.abc import Sequence
from urllib.parse import parse_qsl

import duckdb
import pandas as pd

from pipeline.http.archive import Archive
from pipeline.http.request import Fetched, Request
from pipeline.warehouse import append_rows, ensure_table

# A request is its method, path, query and body hash, not its host: offline the replay server's port changes
# every run, and live the JNE spreads one API over several hosts.
REQUEST_KEY = "regexp_replace(url, '^[a-z]+://[^/]+', '')"


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
    """For every request of the asset's most recent run for this process, its newest successful response.

    A request that failed in the latest run falls back to the last body it got in an earlier run, so a
    server hiccup never deletes rows loaded before (the failure itself stays in `fetch_failures`).
    """
    ensure_table(conn, "raw_responses")
    rows = conn.execute(
        f"""
        WITH mine AS (
            SELECT *, {REQUEST_KEY} AS request_key
            FROM raw_responses WHERE asset = ? AND process_code IS NOT DISTINCT FROM ?
        ), latest AS (SELECT arg_max(run_id, fetched_at) AS run_id FROM mine),
        wanted AS (
            SELECT DISTINCT method, request_key, request_body_sha256 FROM mine JOIN latest USING (run_id)
        )
        SELECT m.method, m.url, m.request_body, m.status, m.content_type, m.sha256, m.fetched_at, m.elapsed_ms
        FROM mine m JOIN wanted w ON m.method = w.method AND m.request_key = w.request_key
            AND m.request_body_sha256 IS NOT DISTINCT FROM w.request_body_sha256
        WHERE m.status = 200 AND m.error IS NULL
        QUALIFY row_number() OVER (
            PARTITION BY m.method, m.request_key, m.request_body_sha256 ORDER BY m.fetched_at DESC) = 1
        ORDER BY m.fetched_at, m.url
        """,
        [asset, process_code],
    ).fetchall()
    bodies = dict(archive.get_many({row[5] for row in rows}))
    return [_fetched(row, bodies[row[5]]) for row in rows]


def earlier_responses(
    conn: duckdb.DuckDBPyConnection,
    asset: str,
    process_code: str | None,
    archive: Archive,
    fetched: Fetched,
    limit: int = 3,
) -> list[Fetched]:
    """Earlier successful bodies of the same request, newest first, other than `fetched`'s own.

    Staging falls back to them when the latest body cannot be read (invalid JSON, a repeated page...), so a
    bad answer is quarantined without deleting what the request loaded before.
    """
    ensure_table(conn, "raw_responses")
    rows = conn.execute(
        f"""
        SELECT method, url, request_body, status, content_type, sha256, max(fetched_at), max(elapsed_ms)
        FROM raw_responses
        WHERE asset = ? AND process_code IS NOT DISTINCT FROM ? AND method = ?
            AND {REQUEST_KEY} = regexp_replace(?, '^[a-z]+://[^/]+', '')
            AND request_body_sha256 IS NOT DISTINCT FROM ?
            AND status = 200 AND error IS NULL AND sha256 IS DISTINCT FROM ?
        GROUP BY ALL ORDER BY max(fetched_at) DESC LIMIT ?
        """,
        [
            asset,
            process_code,
            fetched.request.method,
            fetched.request.full_url,
            fetched.request.body_sha256,
            fetched.sha256,
            limit,
        ],
    ).fetchall()
    return [_fetched(row, archive.get(row[5])) for row in rows]


def request_from(method: str, url: str, body: str | None) -> Request:
    """The request a manifest row (method, full URL, JSON body text) describes."""
    base, _, query = url.partition("?")
    request = Request(
        method=method,
        url=base,
        params=_query_params(query),
        json_body=json.loads(body) if body else None,
    )
    # The manifest's URL is the request's full_url as recorded: kept, not rebuilt (urlencode per request was
    # a tenth of the staging time of 150,000 hojas de vida).
    vars(request)["full_url"] = url
    return request


def _query_params(query: str) -> dict[str, str]:
    """`parse_qsl(query, keep_blank_values=True)` as a dict; a query without escapes (`IdHojaVida=7000001`) is
    split directly, fifteen times faster, which counts over 150,000 hojas de vida."""
    if "%" in query or "+" in query:
        return dict(parse_qsl(query, keep_blank_values=True))
    if "&" not in query:
        name, _, value = query.partition("=")
        return {name: value} if query else {}
    return {name: value for name, _, value in (pair.partition("=") for pair in query.split("&") if pair)}


def _fetched(row: tuple, content: bytes) -> Fetched:
    method, url, body, status, content_type, sha, fetched_at, elapsed_ms = row
    request = request_from(method, url, body)
    return Fetched(request, status, sha, content, content_type or "", fetched_at, elapsed_ms or 0)
