"""Publish layer: a read-only DuckDB snapshot, Parquet/CSV exports, the data dictionary and the voters' page.

It runs only after every model it publishes, and so only after the blocking schema checks in front of them:
when a check fails, this asset does not run and the previous publication stays in place. When nothing it
would publish changed since the current release, that release stays and no new one is written (issue 6).
"""

from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from assets.models import MODELS
from assets.partitions import DUCKDB_POOL
from pipeline.publish.dictionary import public_tables
from pipeline.publish.release import kept_release, previous_row_counts, publish, release_inputs
from pipeline.resources import PublicationResource, WarehouseResource

PUBLIC_MODELS = [name for name, _, _ in MODELS if name in {t.name for t in public_tables()}]
# Every public table but `changes`, which is meant to shrink when little changed.
GUARDED_TABLES = [t.name for t in public_tables() if t.name != "changes"]
STAGED_TABLES = [
    "stg_candidates",
    "stg_criminal_sentences",
    "stg_civil_sentences",
    "stg_legislators",
    "stg_court_rulings",
]


@dg.asset(deps=["reference_tables", *PUBLIC_MODELS], group_name="publish", kinds={"duckdb"}, pool=DUCKDB_POOL)
def publication_gate(
    context: dg.AssetExecutionContext, duckdb: WarehouseResource, publication: PublicationResource
) -> dg.MaterializeResult:
    """What is about to be published, compared with the current publication; its blocking checks decide
    whether the publication may replace the previous one."""
    with duckdb.get_connection() as conn:
        counts = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in GUARDED_TABLES}
        quarantined = (
            dict(
                conn.execute(
                    "SELECT table_name, count(DISTINCT record) FROM quarantine GROUP BY 1"
                ).fetchall()
            )
            if conn.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = 'quarantine'"
            ).fetchone()[0]
            else {}
        )
        loaded = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in STAGED_TABLES}
    previous = previous_row_counts(Path(publication.root))
    return dg.MaterializeResult(
        metadata={
            "rows": dg.MetadataValue.json(counts),
            "previous_rows": dg.MetadataValue.json(previous or {}),
            "quarantined": dg.MetadataValue.json(quarantined),
            "loaded": dg.MetadataValue.json(loaded),
        }
    )


def _gate_metadata(context: dg.AssetCheckExecutionContext) -> dict:
    event = context.instance.get_latest_materialization_event(dg.AssetKey("publication_gate"))
    return {k: v.value for k, v in event.asset_materialization.metadata.items()}


@dg.asset_check(
    asset=publication_gate,
    blocking=True,
    description="No public table lost more than the allowed share of its rows since the last publication.",
)
def no_large_row_loss(
    context: dg.AssetCheckExecutionContext, publication: PublicationResource
) -> dg.AssetCheckResult:
    meta = _gate_metadata(context)
    losses = {
        table: round(1 - meta["rows"][table] / before, 4)
        for table, before in meta["previous_rows"].items()
        if table in meta["rows"] and before and meta["rows"][table] < before
    }
    too_many = {t: share for t, share in losses.items() if share > publication.max_row_loss_share}
    return dg.AssetCheckResult(
        passed=not too_many,
        metadata={
            "threshold": publication.max_row_loss_share,
            "losses": dg.MetadataValue.json(losses),
            "blocking_tables": dg.MetadataValue.json(too_many),
        },
        description=(
            f"tables lost more than {publication.max_row_loss_share:.0%} of their rows since the last "
            f"publication: {too_many}; the previous publication stays"
        )
        if too_many
        else None,
    )


@dg.asset_check(
    asset=publication_gate,
    blocking=True,
    description="No staged table sent more than the allowed share of its rows to quarantine.",
)
def quarantine_within_limit(
    context: dg.AssetCheckExecutionContext, publication: PublicationResource
) -> dg.AssetCheckResult:
    meta = _gate_metadata(context)
    shares = {
        table: round(bad / (bad + meta["loaded"].get(table, 0)), 4)
        for table, bad in meta["quarantined"].items()
        if bad
    }
    too_many = {t: s for t, s in shares.items() if s > publication.max_quarantine_share}
    return dg.AssetCheckResult(
        passed=not too_many,
        metadata={
            "threshold": publication.max_quarantine_share,
            "shares": dg.MetadataValue.json(shares),
            "blocking_tables": dg.MetadataValue.json(too_many),
        },
        description=(
            f"more than {publication.max_quarantine_share:.0%} of rows quarantined in {too_many}; "
            "the previous publication stays"
        )
        if too_many
        else None,
    )


@dg.asset(
    deps=[publication_gate], group_name="publish", kinds={"duckdb", "parquet", "html"}, pool=DUCKDB_POOL
)
def publication(
    context: dg.AssetExecutionContext, duckdb: WarehouseResource, publication: PublicationResource
) -> dg.MaterializeResult:
    """The public release under `published/` (stable paths `transparency.duckdb` and `current/`)."""
    root = Path(publication.root)
    with duckdb.get_connection() as conn:
        inputs = release_inputs(conn, publication.mode)
        release = kept_release(conn, root, inputs)
        unchanged = release is not None
        if release:
            context.log.info(f"publication: nothing changed since release {release.directory}; it stays")
        else:
            context.log.info(f"publishing to {publication.root}")
            release = publish(
                conn, root, datetime.now(UTC), publication.mode, publication.keep, inputs=inputs
            )
            context.log.info(
                f"published {release.directory} ({release.changes} changes since the previous publication)"
            )
    rows = {f["path"]: f["rows"] for f in release.manifest["files"] if f["path"].endswith(".parquet")}
    return dg.MaterializeResult(
        metadata={
            "release": dg.MetadataValue.path(str(release.directory)),
            "database": dg.MetadataValue.path(str(release.database)),
            "web_page": dg.MetadataValue.path(str(release.directory / "web" / "index.html")),
            "changes": release.changes,
            "rows": dg.MetadataValue.json(rows),
            "unchanged": unchanged,
        }
    )
