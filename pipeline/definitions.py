"""The one Definitions object: assets, checks, resources, the job and its schedule."""

from __future__ import annotations

import os

import dagster as dg

from assets import hojas_vida, raw, staged
from assets.checks import SCHEMA_CHECKS, schema_checks_step
from assets.finance import finance_assets
from assets.finance_checks import FINANCE_CHECKS
from assets.models import reference_tables, sql_models
from assets.partitions import processes_partitions
from assets.publish import no_large_row_loss, publication, publication_gate, quarantine_within_limit
from pipeline.processes import load_processes
from pipeline.resources import PublicationResource, SourcesResource, WarehouseResource
from pipeline.settings import Settings

ALL_ASSETS = [
    raw.jne_candidate_lists,
    raw.jne_hojas_vida,
    raw.congress_rosters,
    raw.court_rulings_file,
    staged.stg_candidates,
    hojas_vida.stg_hojas_vida,
    staged.stg_legislators,
    staged.stg_court_rulings,
    reference_tables,
    sql_models,
    *finance_assets,
    publication_gate,
    publication,
]

# In-process execution: the graph is small, and steps then share one process (about 2 s saved per step
# over the multiprocess executor) and never contend for DuckDB's file lock.
transparency_job = dg.define_asset_job(
    "transparency_job",
    selection=dg.AssetSelection.all(),
    partitions_def=processes_partitions,
    executor_def=dg.in_process_executor,
    description="Crawl, validate and model one election process end to end.",
)


def crawlable_processes() -> list[str]:
    """Processes with candidate lists or rosters configured: the ones a default run materializes."""
    return [code for code, p in sorted(load_processes().items()) if p.lists or p.rosters]


@dg.schedule(
    cron_schedule="0 6 * * *",
    job=transparency_job,
    execution_timezone="America/Lima",
    default_status=dg.DefaultScheduleStatus.STOPPED,
)
def daily_refresh(context: dg.ScheduleEvaluationContext):
    """One run a day per process in PIPELINE_SCHEDULED_PROCESSES (default: all crawlable)."""
    wanted = os.environ.get("PIPELINE_SCHEDULED_PROCESSES")
    codes = wanted.split(",") if wanted else crawlable_processes()
    for code in codes:
        yield dg.RunRequest(run_key=f"{code}-{context.scheduled_execution_time:%Y-%m-%d}", partition_key=code)


# The schema checks of the staged tables: stg_candidates in a step of its own, since the hojas de vida are
# crawled from it once it passes; the others in one step, in front of the models that read them.
CRAWLED_FROM = "stg_candidates"
STAGED_CHECKS = [*SCHEMA_CHECKS, *FINANCE_CHECKS]
schema_check_steps = [
    schema_checks_step("stg_candidates_schema_check", [c for c in STAGED_CHECKS if c.table == CRAWLED_FROM]),
    schema_checks_step("staged_schema_checks", [c for c in STAGED_CHECKS if c.table != CRAWLED_FROM]),
]


def build_definitions(settings: Settings) -> dg.Definitions:
    return dg.Definitions(
        assets=ALL_ASSETS,
        asset_checks=[*schema_check_steps, no_large_row_loss, quarantine_within_limit],
        jobs=[transparency_job],
        schedules=[daily_refresh],
        resources={
            "sources": SourcesResource.from_settings(settings),
            "duckdb": WarehouseResource(
                database=str(settings.database_path), model_threads=settings.model_threads
            ),
            "publication": PublicationResource.from_settings(settings),
        },
    )


defs = build_definitions(Settings.from_env())
