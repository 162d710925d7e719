"""`transparencia materialize`: run the whole graph for each crawlable process, in-process, and print what
the warehouse now holds. The same job the Dagster UI and the schedule run."""

from __future__ import annotations

import argparse
import os
import sys

import dagster as dg
import duckdb

from pipeline.definitions import build_definitions, crawlable_processes
from pipeline.settings import Settings

SUMMARY_TABLES = [
    "candidates",
    "criminal_records",
    "civil_records",
    "court_rulings",
    "legislators",
    "empty_seat_flags",
    "candidacy_bans",
    "undeclared_convictions",
    "review_queue",
    "quarantine",
    "fetch_failures",
]

# Progress, warnings and errors on the console; the step-by-step DEBUG events stay in the Dagster UI.
QUIET_CONSOLE = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}


def materialize(processes: list[str], settings: Settings, instance: dg.DagsterInstance) -> bool:
    job = build_definitions(settings).resolve_job_def("transparency_job")
    ok = True
    for code in processes:
        result = job.execute_in_process(
            partition_key=code, instance=instance, raise_on_error=False, run_config=QUIET_CONSOLE
        )
        print(f"{code}: {'success' if result.success else 'FAILED'} (run {result.run_id})")
        ok &= result.success
    return ok


def summary(settings: Settings) -> str:
    lines = [f"warehouse: {settings.database_path}"]
    with duckdb.connect(str(settings.database_path)) as conn:
        for table in SUMMARY_TABLES:
            count = conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            lines.append(f"  {table:24} {count:>7}")
        flags = conn.execute(
            "SELECT full_name, chamber, status, crime FROM empty_seat_flags ORDER BY full_name"
        ).fetchall()
    lines += [f"  flag: {name} ({chamber}) -> {status}: {crime}" for name, chamber, status, crime in flags]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="transparencia", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("materialize", help="run the whole job for each process")
    run.add_argument("--process", action="append", help="process code (repeatable); default: all crawlable")
    args = parser.parse_args(argv)

    settings = Settings.from_env()
    processes = args.process or crawlable_processes()
    print(f"mode={settings.mode} data_dir={settings.data_dir} processes={','.join(processes)}")
    with (
        dg.DagsterInstance.get()
        if os.environ.get("DAGSTER_HOME")
        else dg.DagsterInstance.ephemeral() as instance
    ):
        ok = materialize(processes, settings, instance)
    print(summary(settings))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
