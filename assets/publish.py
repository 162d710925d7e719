"""Publish layer: a read-only DuckDB snapshot, Parquet/CSV exports, the data dictionary and the voters' page.

It runs only after every model it publishes, and so only after the blocking schema checks in front of them:
when a check fails, this asset does not run and the previous publication stays in place.
"""

from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from assets.models import MODELS
from assets.partitions import DUCKDB_POOL
from pipeline.publish.dictionary import public_tables
from pipeline.publish.release import publish
from pipeline.resources import PublicationResource, WarehouseResource


@dg.asset(
    deps=["reference_tables", *(name for name, _, _ in MODELS if name in {t.name for t in public_tables()})],
    group_name="publish",
    kinds={"duckdb", "parquet", "html"},
    pool=DUCKDB_POOL,
)
def publication(
    context: dg.AssetExecutionContext, duckdb: WarehouseResource, publication: PublicationResource
) -> dg.MaterializeResult:
    """The public release under `published/` (stable paths `transparency.duckdb` and `current/`)."""
    with duckdb.get_connection() as conn:
        release = publish(conn, Path(publication.root), datetime.now(UTC), publication.mode, publication.keep)
    rows = {f["path"]: f["rows"] for f in release.manifest["files"] if f["path"].endswith(".parquet")}
    context.log.info(
        f"published {release.directory} ({release.changes} changes since the previous publication)"
    )
    return dg.MaterializeResult(
        metadata={
            "release": dg.MetadataValue.path(str(release.directory)),
            "database": dg.MetadataValue.path(str(release.database)),
            "web_page": dg.MetadataValue.path(str(release.directory / "web" / "index.html")),
            "changes": release.changes,
            "rows": dg.MetadataValue.json(rows),
        }
    )
