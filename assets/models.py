"""Model layer: reference tables from the rule files, then one DuckDB table or view per SQL file in sql/, each
its own asset, all built in one step (`sql_models`), side by side where they do not read each other."""

from collections.abc import Iterator
from functools import partial

import dagster as dg
import duckdb

from assets.partitions import DUCKDB_POOL
from pipeline.memo import Built, TableFingerprints, build_unless_unchanged
from pipeline.model_graph import build_in_order
from pipeline.reference import crime_categories_table, processes_table, rule_tables
from pipeline.resources import WarehouseResource
from pipeline.warehouse import (
    build_model,
    ensure_table,
    preview_markdown,
    replace_rows,
    sql_text,
    threads_shared,
)


@dg.asset(group_name="models", kinds={"duckdb"}, pool=DUCKDB_POOL)
def reference_tables(context: dg.AssetExecutionContext, duckdb: WarehouseResource) -> dg.MaterializeResult:
    """`rules`, `rule_crime_categories`, `processes` and `crime_categories`, from the versioned rule files,
    plus the SQL macros the models share."""
    rules, rule_categories = rule_tables()
    tables = {
        "rules": rules,
        "rule_crime_categories": rule_categories,
        "processes": processes_table(),
        "crime_categories": crime_categories_table(),
    }
    with duckdb.get_connection() as conn:
        conn.execute(sql_text("macros"))
        for name, frame in tables.items():
            conn.execute(sql_text(name))  # CREATE OR REPLACE: the files are the truth
            replace_rows(conn, name, frame, {})
        preview = preview_markdown(conn, "rules", limit=10)
    return dg.MaterializeResult(
        metadata={**{f"{k}_rows": len(v) for k, v in tables.items()}, "rules": dg.MetadataValue.md(preview)}
    )


# Follow the money (issue 3): built like every model, shown in the Dagster group "finance".
FINANCE_MODELS: list[tuple[str, list[str], str]] = [
    (
        "declared_income",
        ["stg_declared_income", "stg_candidates", "finance_parameters"],
        "Income items declared in the hoja de vida; likely unit errors marked for review.",
    ),
    (
        "declared_assets",
        ["stg_declared_assets", "stg_candidates", "finance_parameters"],
        "Real estate and vehicles declared in the hoja de vida; likely unit errors marked for review.",
    ),
    (
        "contributions",
        ["stg_contributions", "finance_parameters"],
        "Contributions each party reported to ONPE Claridad.",
    ),
    (
        "campaign_expenses",
        ["stg_campaign_expenses", "finance_parameters"],
        "Expenses candidates reported to ONPE (Formato 8).",
    ),
    (
        "party_finance",
        ["stg_party_finance", "stg_contributions"],
        "Claridad's totals per party and process against the sum of its published detail.",
    ),
    (
        "finance_summary",
        ["candidates", "declared_income", "declared_assets", "stg_candidate_finance", "campaign_expenses"],
        "One row per candidacy with finance data: income, assets, campaign income, expenses and ratios.",
    ),
    (
        "finance_flags",
        ["contributions", "criminal_records", "party_finance", "finance_summary", "finance_parameters"],
        "Finance findings, each with its rule, citation, status and evidence.",
    ),
]

# name, upstream assets (every model its SQL reads among them: the order models are built in), description.
MODELS: list[tuple[str, list[str], str]] = [
    ("candidates", ["stg_candidates"], "One row per candidacy with its JNE list status."),
    (
        "criminal_records",
        ["stg_criminal_sentences", "stg_candidates"],
        "One row per declared criminal sentence: crime category, outcome, modality, served, review reasons.",
    ),
    ("civil_records", ["stg_civil_sentences", "stg_candidates"], "One row per declared obligation judgment."),
    ("court_rulings", ["stg_court_rulings", "stg_candidates"], "Curated court rulings after the election."),
    (
        "legislators",
        ["stg_legislators", "candidates"],
        "Roster rows matched to candidacies, with match method and confidence; unmatched kept.",
    ),
    ("convictions", ["criminal_records", "court_rulings"], "View: convictions from both evidence sources."),
    (
        "empty_seat_flags",
        ["legislators", "court_rulings"],
        "Legislators under Reglamento del Congreso art. 15-A (empty seat) or art. 25 (accesitario).",
    ),
    (
        "candidacy_bans",
        ["candidates", "convictions"],
        "Candidacies barred by Constitution art. 34-A or Ley 30717.",
    ),
    (
        "undeclared_convictions",
        ["court_rulings", "criminal_records", "candidates"],
        "Firm convictions from court rulings that the hoja de vida does not declare (Ley 28094 art. 23.3).",
    ),
    *FINANCE_MODELS,
    (
        "review_queue",
        [
            "candidates",
            "criminal_records",
            "court_rulings",
            "legislators",
            "convictions",
            "declared_income",
            "declared_assets",
            "contributions",
            "campaign_expenses",
        ],
        "Contradictory, duplicated or uncertain records a person must review before anything is flagged.",
    ),
    (
        "fetch_failures",
        [
            "jne_candidate_lists",
            "jne_hojas_vida",
            "congress_rosters",
            "jne_finance_sections",
            "claridad_responses",
        ],
        "View: requests of each asset's latest run that did not succeed.",
    ),
]


# Counts shown in the asset metadata, by the column that matters most to a reader of each model.
BREAKDOWNS = {
    "criminal_records": "outcome",
    "legislators": "match_method",
    "empty_seat_flags": "status",
    "candidacy_bans": "rule_id",
    "review_queue": "item_kind",
    "fetch_failures": "asset",
    "declared_assets": "asset_kind",
    "contributions": "contribution_type",
    "party_finance": "reconciles",
    "finance_flags": "flag_kind",
}
FINANCE_GROUP = {name for name, _, _ in FINANCE_MODELS}


def _spec(name: str, deps: list[str], description: str) -> dg.AssetSpec:
    return dg.AssetSpec(
        name,
        deps=[*deps, "reference_tables"] if name != "fetch_failures" else deps,
        description=description,
        group_name="finance" if name in FINANCE_GROUP else "models",
        kinds={"duckdb", "sql"},
    )


@dg.multi_asset(
    specs=[_spec(*model) for model in MODELS], can_subset=True, pool=DUCKDB_POOL, name="sql_models"
)
def sql_models(
    context: dg.AssetExecutionContext, duckdb: WarehouseResource
) -> Iterator[dg.MaterializeResult]:
    """The selected models in one step (as dagster-dbt runs a dbt project), `duckdb.model_threads` at a
    time, each once the models it reads are built (`pipeline.model_graph`): a model per step cost about
    100 ms of connection, macros and Dagster around its SQL, and each step hashed inputs the one before had
    just hashed (`TableFingerprints`)."""
    selected = {key.to_user_string() for key in context.selected_asset_keys}
    reads = {name: deps for name, deps, _ in MODELS if name in selected}
    with duckdb.get_connection() as conn:
        conn.execute(sql_text("macros"))
        conn.execute(sql_text("raw_responses"))  # read by fetch_failures
        ensure_table(conn, "model_inputs")  # before the cursors: they would race to create it
        fingerprints = TableFingerprints()
        build = partial(_build, fingerprints=fingerprints)
        with threads_shared(conn, duckdb.model_threads):
            for name, kept, result in build_in_order(conn, reads, build, duckdb.model_threads):
                if kept:
                    context.log.info(f"{name}: inputs unchanged since {kept.built_at}; kept as built")
                context.log.info(f"{name}: {result.metadata['dagster/row_count'].value} rows")
                yield result


def _build(
    conn: duckdb.DuckDBPyConnection, name: str, fingerprints: TableFingerprints
) -> tuple[str, Built | None, dg.MaterializeResult]:
    """Build one model unless its inputs are unchanged (what kept it, if so); its row count, preview and
    breakdown."""
    texts = [sql_text(name), sql_text("macros")]
    if name == "fetch_failures":
        texts.append(sql_text("raw_responses"))
    kept = build_unless_unchanged(conn, name, texts, lambda: build_model(conn, name), fingerprints)
    rows = conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
    metadata = {
        "dagster/row_count": dg.MetadataValue.int(rows),
        "preview": dg.MetadataValue.md(preview_markdown(conn, name)),
        "sql": dg.MetadataValue.path(f"sql/{name}.sql"),
        "unchanged": kept is not None,
    }
    if name in BREAKDOWNS:
        column = BREAKDOWNS[name]
        counts = conn.execute(f'SELECT "{column}", count(*) FROM "{name}" GROUP BY 1 ORDER BY 1').fetchall()
        metadata[f"by_{column}"] = dg.MetadataValue.json({str(k): v for k, v in counts})
    return name, kept, dg.MaterializeResult(asset_key=name, metadata=metadata)
