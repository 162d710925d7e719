"""Assets are partitioned by election process (EG2016, EG2021, EG2026 ...)."""

import dagster as dg

from pipeline.processes import load_processes

processes_partitions = dg.StaticPartitionsDefinition(sorted(load_processes()))

# Every asset that writes to DuckDB takes a slot in this pool; with a limit of 1 (dagster.yaml) parallel
# steps never meet DuckDB's single-writer file lock.
DUCKDB_POOL = "duckdb_writer"
