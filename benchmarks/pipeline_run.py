"""One live run of the real job against the benchmark server, in its own process (benchmarks/run.py measures
its wall time and peak RSS from outside). Prints one JSON line: success, step timings grouped by phase, what
the run fetched and what the warehouse holds.

The JNE source points at the benchmark server; every other source (Congress rosters, rulings, Claridad) at
the bundled recordings served on loopback by pipeline.http.replay.ReplayServer, as tests/support.py does.
The run goes through pipeline.cli.materialize, the function behind `transparencia materialize`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

PHASES = ("crawl+archive", "parse+validate+load", "models", "checks", "publish", "other")


def _phase_of_ops(defs) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Op (step) name -> phase, from each asset's kinds and group: python = fetch, pandas = staging, sql or
    other duckdb-only assets = models, the publish group = publish, asset checks = checks."""
    graph = defs.resolve_asset_graph()
    phases: dict[str, str] = {}
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        op = node.assets_def.node_def.name
        kinds = set(getattr(node, "kinds", ()) or ())
        if node.group_name == "publish":
            phase = "publish"
        elif "python" in kinds:
            phase = "crawl+archive"
        elif "pandas" in kinds:
            phase = "parse+validate+load"
        else:
            phase = "models"
        phases.setdefault(op, phase)
    for check in graph.asset_check_keys:
        phases.setdefault(graph.assets_def_for_key(check).node_def.name, "checks")
    return phases


def run(args: argparse.Namespace) -> dict:
    from pipeline.http.replay import ReplayServer
    from pipeline.settings import OFFLINE_PATHS, RECORDINGS_DIR

    replay = ReplayServer(RECORDINGS_DIR, args.replay_port).start()
    env = {
        "PIPELINE_MODE": "live",
        "PIPELINE_DATA_DIR": str(args.data_dir),
        "PIPELINE_HTTP_RATE": str(args.rate),
        "PIPELINE_HTTP_WORKERS": str(args.workers),
        "PIPELINE_HTTP_RETRIES": "1",
        "PIPELINE_HTTP_TIMEOUT_S": "60",
        "PIPELINE_JNE_PAGE_SIZE": str(args.page_size),
        "PIPELINE_RULINGS_PATH": str(RECORDINGS_DIR / "rulings" / "court_rulings.csv"),
        **{
            f"PIPELINE_{source.upper()}_URL": replay.base_url + path for source, path in OFFLINE_PATHS.items()
        },
        "PIPELINE_JNE_URL": args.jne_url,
    }
    os.environ.update(env)
    os.environ.pop("DAGSTER_HOME", None)
    try:
        import dagster as dg
        import duckdb

        from pipeline.cli import QUIET_CONSOLE, materialize  # noqa: F401 - the CLI's own entry
        from pipeline.definitions import build_definitions
        from pipeline.settings import Settings

        settings = Settings.from_env()
        with dg.DagsterInstance.ephemeral() as instance:
            started = time.perf_counter()
            ok = materialize([args.process], settings, instance)
            wall = time.perf_counter() - started
            run_record = instance.get_runs(limit=1)[0]
            stats = instance.get_run_step_stats(run_record.run_id)
        phases_of = _phase_of_ops(build_definitions(settings))
        steps = {
            s.step_key: round((s.end_time or 0) - (s.start_time or 0), 3)
            for s in stats
            if s.start_time is not None
        }
        phases: dict[str, float] = defaultdict(float)
        for step, seconds in steps.items():
            phases[phases_of.get(step, "other")] += seconds
        with duckdb.connect(str(settings.database_path), read_only=True) as conn:
            fetched = dict(
                conn.execute(
                    "SELECT asset, count(*) FILTER (WHERE status = 200) FROM raw_responses WHERE run_id = ? "
                    "GROUP BY asset",
                    [run_record.run_id],
                ).fetchall()
            )
            counts = {
                table: conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
                for table in (
                    "candidates",
                    "criminal_records",
                    "review_queue",
                    "quarantine",
                    "candidacy_bans",
                )
            }
    finally:
        replay.stop()
    return {
        "success": bool(ok),
        "run_id": run_record.run_id,
        "materialize_s": round(wall, 3),
        "steps": dict(sorted(steps.items(), key=lambda kv: -kv[1])),
        "phases": {p: round(phases.get(p, 0.0), 3) for p in PHASES},
        "fetched_200": fetched,
        "counts": counts,
        "published": str(settings.published_dir / "transparency.duckdb"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--jne-url", required=True, help="base URL of the benchmark server, e.g. .../api/v1")
    parser.add_argument("--process", default="EG2026")
    parser.add_argument("--rate", type=float, default=100000.0)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--page-size", type=int, default=1000, help="candidate-list rows per request")
    parser.add_argument("--out", type=Path, required=True, help="where to write the JSON result")
    parser.add_argument(
        "--replay-port",
        type=int,
        default=0,
        help="port of the recordings server (0: any free one); the same for runs compared, so their "
        "source URLs match as a live site's do",
    )
    args = parser.parse_args(argv)
    result = run(args)
    args.out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0 if result["success"] else 1


if __name__ == "__main__":
    sys.exit(main())
