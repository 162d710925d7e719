"""Which hojas de vida a run asks for (issue 6): only what may have changed.

A hoja de vida is asked for again when it is new, when its last request failed or its body in force could
not be read, when its row in the candidate list changed, or when its body is older than the configured age
(then conditionally: If-None-Match / If-Modified-Since where the server labelled the body). Everything else
keeps its body in force without a request, so a run with nothing changed upstream fetches no hoja de vida.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import duckdb
import pandas as pd

from pipeline.http.request import Fetched
from pipeline.warehouse import ensure_table

FRESH = "fresh"
# Reasons under which a conditional request is safe: the body in force was readable and is only re-checked.
REVALIDATE = frozenset({"list_changed", "stale"})

_PLAN = """
WITH listed AS (
    SELECT id_hoja_vida, any_value(party_id) AS party_id,
        md5(string_agg(concat_ws('|', office, district, dni, full_name, party_id, party_name, list_position,
            status), '#' ORDER BY office, district)) AS fingerprint
    FROM stg_candidates WHERE process_code = $process GROUP BY id_hoja_vida
), unreadable AS (
    SELECT DISTINCT archive_sha256 AS sha256 FROM quarantine
    WHERE process_code = $process AND check_name = 'parse' AND archive_sha256 IS NOT NULL
)
SELECT l.id_hoja_vida, l.party_id, l.fingerprint, s.list_fingerprint, s.method, s.url, s.sha256, s.etag,
    s.last_modified, s.last_status, s.last_error, s.checked_at,
    CASE
        WHEN s.id_hoja_vida IS NULL THEN 'new'
        WHEN s.sha256 IS NULL OR s.last_status IS NULL OR s.last_status NOT IN (200, 304) THEN 'retry'
        WHEN s.sha256 IN (SELECT sha256 FROM unreadable) THEN 'unreadable'
        WHEN s.list_fingerprint IS DISTINCT FROM l.fingerprint THEN 'list_changed'
        WHEN s.checked_at IS NULL OR s.checked_at <= $oldest THEN 'stale'
        ELSE 'fresh'
    END AS reason
FROM listed l LEFT JOIN hv_crawl_state s ON s.process_code = $process AND s.id_hoja_vida = l.id_hoja_vida
ORDER BY l.id_hoja_vida
"""


def plan(
    conn: duckdb.DuckDBPyConnection, process_code: str, max_age_hours: float, now: datetime
) -> pd.DataFrame:
    """One row per listed hoja de vida: its previous state and the `reason` it is asked for (or `fresh`)."""
    for table in ("stg_candidates", "quarantine", "hv_crawl_state"):
        ensure_table(conn, table)
    oldest = now - timedelta(hours=max_age_hours)
    return conn.execute(_PLAN, {"process": process_code, "oldest": oldest}).fetchdf()


def stored_count(conn: duckdb.DuckDBPyConnection, process_code: str) -> int:
    return conn.execute(
        "SELECT count(*) FROM hv_crawl_state WHERE process_code = ?", [process_code]
    ).fetchone()[0]


def conditional_headers(row: Mapping[str, Any]) -> dict[str, str]:
    """Validators of the body in force, for a re-check the server can answer with 304."""
    if row["reason"] not in REVALIDATE:
        return {}
    headers = {}
    if isinstance(row["etag"], str) and row["etag"]:
        headers["If-None-Match"] = row["etag"]
    if isinstance(row["last_modified"], str) and row["last_modified"]:
        headers["If-Modified-Since"] = row["last_modified"]
    return headers


def next_state(
    process_code: str, planned: pd.DataFrame, fetched: Sequence[tuple[int, Fetched]]
) -> pd.DataFrame:
    """The state after this run: fetched bodies replace the body in force, a 304 confirms it, a failure keeps
    it (and is asked again next run); hojas de vida no longer listed leave the state. The list fingerprint
    moves on only when the body was checked, so a list change is not forgotten after a failed request."""
    state = planned.set_index("id_hoja_vida")
    checked = state["reason"] == FRESH
    answers = pd.DataFrame(
        [
            {
                "id_hoja_vida": id_hoja_vida,
                "method": got.request.method,
                "url": got.request.full_url,
                "last_status": got.status,
                "last_error": got.error,
                "ok": got.ok,
                "checked": got.ok or got.not_modified,
                "sha256": got.sha256,
                "etag": got.etag,
                "last_modified": got.last_modified,
                "checked_at": got.fetched_at,
            }
            for id_hoja_vida, got in fetched
        ],
        columns=["id_hoja_vida", "method", "url", "last_status", "last_error", "ok", "checked", "sha256"]
        + ["etag", "last_modified", "checked_at"],
    ).set_index("id_hoja_vida")
    if not answers.empty:
        state = state.astype(dict.fromkeys(answers.columns.drop(["ok", "checked"]), "object"))
        state.loc[answers.index, ["method", "url", "last_status", "last_error"]] = answers[
            ["method", "url", "last_status", "last_error"]
        ]
        ok = answers[answers["ok"]]
        state.loc[ok.index, ["sha256", "etag", "last_modified"]] = ok[["sha256", "etag", "last_modified"]]
        confirmed = answers[answers["checked"]]
        state.loc[confirmed.index, "checked_at"] = confirmed["checked_at"]
        checked |= state.index.isin(confirmed.index)
    state["list_fingerprint"] = state["fingerprint"].where(checked, state["list_fingerprint"])
    state = state.reset_index()
    state.insert(0, "process_code", process_code)
    return state[state["method"].notna()].drop(columns=["party_id", "reason", "fingerprint"])
