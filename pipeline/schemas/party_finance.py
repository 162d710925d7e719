"""Schema of `stg_party_finance`: ONPE Claridad's own contribution totals per party and process."""

import pandera.pandas as pa

from pipeline.schemas.common import NAME_MAX, NOT_BLANK, PROVENANCE, text
from pipeline.schemas.finance_checks import RUC, money

AMOUNTS = ["cash", "in_kind", "activities", "other", "total"]


def schema_for(process_code: str) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            **PROVENANCE,
            "process_code": pa.Column(str, NOT_BLANK),
            "party_ruc": pa.Column(str, RUC),
            "party_name": text(NAME_MAX, NOT_BLANK),
            **{column: money() for column in AMOUNTS},
        },
        unique=["process_code", "party_ruc"],
        report_duplicates="exclude_first",
        coerce=True,
        name="stg_party_finance",
    )
