"""Asset checks: every staged table re-validated against its pandera schema, blocking the models behind it.

Invalid rows were already quarantined at load, so a failure here means the table itself is wrong (a loader
bug, or rows left by an older version): the models must not be built from it. The metadata carries the
failure counts and samples, plus how many rows the table sent to quarantine.
"""

import dagster as dg
import pandera.pandas as pa

from assets.staged import SCHEMAS
from pipeline.resources import WarehouseResource
from pipeline.warehouse import ensure_table


def _schema_check(table: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=table,
        name=f"{table}_matches_schema",
        blocking=True,
        description=f"All rows of {table} pass its pandera schema.",
    )
    def _check(duckdb: WarehouseResource) -> dg.AssetCheckResult:
        with duckdb.get_connection() as conn:
            ensure_table(conn, table)
            ensure_table(conn, "quarantine")
            frame = conn.execute(f'SELECT * FROM "{table}"').fetchdf()
            quarantined = conn.execute(
                "SELECT count(*) FROM quarantine WHERE table_name = ?", [table]
            ).fetchone()[0]
        meta = {"rows": len(frame), "quarantined_at_load": int(quarantined)}
        try:
            SCHEMAS[table].validate(frame, lazy=True)
        except pa.errors.SchemaErrors as exc:
            cases = exc.failure_cases
            return dg.AssetCheckResult(
                passed=False,
                metadata={
                    **meta,
                    "failures": len(cases),
                    "failure_sample": dg.MetadataValue.md(cases.head(10).to_markdown(index=False)),
                },
            )
        return dg.AssetCheckResult(passed=True, metadata=meta)

    return _check


schema_checks = [_schema_check(table) for table in SCHEMAS]
