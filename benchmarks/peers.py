"""The transform references, each run in its own process by benchmarks/run.py (which measures peak RSS from
outside); each prints one JSON line with the seconds of the load itself and the rows loaded.

- `read-json`: DuckDB's own reader over the hojas de vida packed as one newline-delimited .json.gz, into a
  table of a DuckDB file: the floor for "parse + load".
- `dlt`: dlt loading the same documents into DuckDB (nested lists become child tables), yielding pages of
  1,000 documents as dlt recommends, with the load files `--dlt-format` names: `insert_values`, dlt's default
  for DuckDB (150,000 documents: 111 s at 11.3 GB peak RSS with dlt 1.31 and DuckDB 2.0.1; an earlier dlt
  took 400 s at 19.5 GB once and was killed by the OOM killer at 22.6 GiB once), or `parquet`, its fastest
  (about 31-33 s, 540 MB). Telemetry is switched off and dlt's state kept in the scratch directory.

    python -m benchmarks.peers read-json --src /tmp/election/hojas_vida.ndjson.gz --work /tmp/w
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import time
from pathlib import Path


def read_json(src: Path, work: Path) -> dict:
    import duckdb

    work.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(work / "read_json.duckdb")) as conn:
        started = time.perf_counter()
        conn.execute(
            "CREATE OR REPLACE TABLE hojas_vida AS SELECT * FROM read_json(?, format = 'newline_delimited')",
            [str(src)],
        )
        seconds = time.perf_counter() - started
        rows = conn.execute("SELECT count(*) FROM hojas_vida").fetchone()[0]
    return {"peer": "duckdb read_json", "seconds": round(seconds, 3), "rows": rows}


def load_with_dlt(src: Path, work: Path, page: int = 1000, file_format: str = "insert_values") -> dict:
    work.mkdir(parents=True, exist_ok=True)
    os.environ.update(
        {
            "RUNTIME__DLTHUB_TELEMETRY": "false",
            "RUNTIME__DLTHUB_TELEMETRY_ENDPOINT": "",
            "DLT_DATA_DIR": str(work / "dlt_data"),
            "DLT_PROJECT_DIR": str(work),
            "RUNTIME__LOG_LEVEL": "WARNING",
        }
    )
    import dlt

    @dlt.resource(name="hojas_vida", write_disposition="replace")
    def hojas_vida():  # type: ignore[no-untyped-def]
        batch = []
        with gzip.open(src, "rb") as lines:
            for line in lines:
                batch.append(json.loads(line))
                if len(batch) == page:
                    yield batch
                    batch = []
        if batch:
            yield batch

    database = work / "dlt.duckdb"
    pipeline = dlt.pipeline(
        pipeline_name="bench_hojas_vida",
        destination=dlt.destinations.duckdb(str(database)),
        dataset_name="jne",
        pipelines_dir=str(work / "dlt_pipelines"),
    )
    started = time.perf_counter()
    pipeline.run(hojas_vida(), loader_file_format=file_format)
    seconds = time.perf_counter() - started
    import duckdb

    with duckdb.connect(str(database), read_only=True) as conn:
        rows = conn.execute("SELECT count(*) FROM jne.hojas_vida").fetchone()[0]
        tables = conn.execute(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema = 'jne' AND table_name NOT LIKE '_dlt%'"
        ).fetchone()[0]
    return {
        "peer": "dlt",
        "seconds": round(seconds, 3),
        "rows": rows,
        "tables": tables,
        "format": file_format,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("peer", choices=["read-json", "dlt"])
    parser.add_argument("--src", type=Path, required=True, help="hojas_vida.ndjson.gz")
    parser.add_argument("--work", type=Path, required=True, help="scratch directory")
    parser.add_argument(
        "--dlt-format", default="insert_values", choices=["insert_values", "parquet", "jsonl"]
    )
    args = parser.parse_args(argv)
    if args.peer == "read-json":
        result = read_json(args.src, args.work)
    else:
        result = load_with_dlt(args.src, args.work, file_format=args.dlt_format)
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
