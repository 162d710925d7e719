"""Schema of `stg_declared_assets`: real estate and vehicles declared in a hoja de vida, one row per item."""

import pandera.pandas as pa

from pipeline.schemas.common import NAME_MAX, NOT_BLANK, NUMBER_MAX, PROVENANCE, TEXT_MAX, text
from pipeline.schemas.finance_checks import money


def schema_for(process_code: str) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            **PROVENANCE,
            "process_code": pa.Column(str, NOT_BLANK),
            "id_hoja_vida": pa.Column("Int64", pa.Check.gt(0)),
            "item_id": pa.Column("Int64", pa.Check.gt(0)),
            "asset_kind": pa.Column(str, pa.Check.isin(["real_estate", "vehicle"])),
            "asset_type": text(NAME_MAX, nullable=True),
            "registry_entry": text(NUMBER_MAX, nullable=True),
            "plate": text(NUMBER_MAX, nullable=True),
            "description": text(TEXT_MAX, nullable=True),
            "value": money(),
            "comment": text(TEXT_MAX, nullable=True),
        },
        unique=["process_code", "id_hoja_vida", "asset_kind", "item_id"],
        report_duplicates="exclude_first",
        coerce=True,
        name="stg_declared_assets",
    )
