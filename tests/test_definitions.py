"""The Dagster definitions load and are wired as documented."""

import dagster as dg

from pipeline.definitions import defs


def test_definitions_load_with_job_schedule_and_blocking_checks() -> None:
    repo = defs.get_repository_def()
    job = defs.resolve_job_def("transparency_job")
    assert job.partitions_def is not None
    assert set(job.partitions_def.get_partition_keys()) == {"EG2016", "EG2021", "EG2026"}
    schedule = defs.resolve_schedule_def("daily_refresh")
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED
    checks = [spec for spec in repo.asset_graph.asset_check_keys]
    assert len(checks) == 13  # a schema check per staged table (6 of them finance), two publication guards
    for key in checks:
        assert repo.asset_graph.get_check_spec(key).blocking


def test_every_writer_is_in_the_duckdb_pool_and_grouped_by_layer() -> None:
    graph = defs.resolve_asset_graph()
    groups = {}
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        groups.setdefault(node.group_name, set()).add(key.to_user_string())
        assert node.pools == {"duckdb_writer"}, key
    assert set(groups) == {"raw", "staged", "models", "publish", "finance"}
    assert {"empty_seat_flags", "candidacy_bans", "review_queue"} <= groups["models"]
    assert {"claridad_responses", "stg_contributions", "finance_flags"} <= groups["finance"]


def test_schema_check_fails_on_bad_rows_and_blocks_the_models(offline_settings) -> None:
    """Rows that bypassed validation (here: left by an older version in another partition) fail the blocking
    check, and the flag tables are not built from them."""
    import duckdb

    from pipeline.warehouse import ensure_table
    from tests.support import query, run_pipeline

    offline_settings.data_dir.mkdir(parents=True)
    with duckdb.connect(str(offline_settings.database_path)) as conn:
        ensure_table(conn, "stg_candidates")
        conn.execute(
            "INSERT INTO stg_candidates VALUES ('EG2016', 'CONGRESO', NULL, 5, '123', 'X', 'Y', 'Z', "
            "'X Y Z', NULL, 'P', 1, 'INSCRITO', 'http://old', ?)",
            ["b" * 64],
        )
    assert not run_pipeline(offline_settings, ["EG2026"])
    tables = {row[0] for row in query(offline_settings, "SELECT table_name FROM information_schema.tables")}
    assert "stg_candidates" in tables and "stg_legislators" in tables
    assert "candidates" not in tables and "empty_seat_flags" not in tables and "legislators" not in tables
