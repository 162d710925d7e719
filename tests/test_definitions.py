"""The Dagster definitions load and are wired as documented."""

import dagster as dg

from pipeline.definitions import defs
from pipeline.settings import Settings


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


def _unvalidated_row(settings: Settings, table: str, values: str) -> None:
    """A row in `table` that never went through validation (left by an older version in another partition),
    its archive reference last."""
    import duckdb

    from pipeline.warehouse import ensure_table

    settings.data_dir.mkdir(parents=True)
    with duckdb.connect(str(settings.database_path)) as conn:
        ensure_table(conn, table)
        conn.execute(f"INSERT INTO {table} VALUES ({values}, ?)", ["b" * 64])


def test_schema_check_fails_on_bad_rows_and_blocks_the_models(offline_settings) -> None:
    """Rows that bypassed validation (here: left by an older version in another partition) fail the blocking
    check, and the flag tables are not built from them."""
    from tests.support import query, run_pipeline

    _unvalidated_row(
        offline_settings,
        "stg_candidates",
        "'EG2016', 'CONGRESO', NULL, 5, '123', 'X', 'Y', 'Z', 'X Y Z', NULL, 'P', 1, 'INSCRITO', 'http://old'",
    )
    assert not run_pipeline(offline_settings, ["EG2026"])
    tables = {row[0] for row in query(offline_settings, "SELECT table_name FROM information_schema.tables")}
    assert "stg_candidates" in tables and "stg_legislators" in tables
    assert "candidates" not in tables and "empty_seat_flags" not in tables and "legislators" not in tables


def test_a_check_in_the_shared_step_fails_alone_and_blocks_the_models(offline_settings) -> None:
    """The staged tables other than stg_candidates are checked in one step: a bad row left in one of them
    fails that table's check only, the others still pass, and the models are not built."""
    from pipeline.cli import materialize
    from tests.support import query

    _unvalidated_row(
        offline_settings,
        "stg_legislators",
        "'EG2016', 'asamblea', 'X', '2016-2021', 'Persona Inventada', NULL, NULL, NULL, NULL, NULL, 'http://old'",
    )
    with dg.DagsterInstance.ephemeral() as instance:
        assert not materialize(["EG2026"], offline_settings, instance)
        run_id = instance.get_runs(limit=1)[0].run_id
        records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
    evaluations = [record.event_log_entry.dagster_event.event_specific_data for record in records.records]
    results = {evaluation.asset_key.to_user_string(): evaluation.passed for evaluation in evaluations}
    assert results["stg_legislators"] is False
    assert results["stg_criminal_sentences"] and results["stg_declared_assets"] and results["stg_candidates"]
    tables = {row[0] for row in query(offline_settings, "SELECT table_name FROM information_schema.tables")}
    assert "stg_legislators" in tables and "legislators" not in tables and "empty_seat_flags" not in tables


def test_one_schema_check_of_the_shared_step_runs_alone(offline_settings) -> None:
    """Selected on its own (as the UI does), a check of the shared step runs alone: the others are not run."""
    from pipeline.definitions import build_definitions

    key = dg.AssetCheckKey(dg.AssetKey("stg_legislators"), "stg_legislators_matches_schema")
    job = build_definitions(offline_settings).resolve_implicit_global_asset_job_def()
    with dg.DagsterInstance.ephemeral() as instance:
        result = job.get_subset(asset_selection=set(), asset_check_selection={key}).execute_in_process(
            instance=instance
        )
    evaluations = [
        e.asset_check_evaluation_data
        for e in result.all_events
        if e.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION
    ]
    assert result.success
    assert [(e.asset_check_key, e.passed) for e in evaluations] == [(key, True)]
