"""Schema of `stg_declared_income`: income declared in a hoja de vida, one row per declared item.

The form asks for the previous year's income, so a year more than ten years before the election (real rows
say "1999" for EG2021) is a typing error to quarantine, not income to add up.
"""

import pandera.pandas as pa

from pipeline.processes import get_process
from pipeline.schemas.common import NOT_BLANK, PROVENANCE
from pipeline.schemas.finance_checks import money

AMOUNTS = ["public_salary", "private_salary", "public_rent", "private_rent", "public_other", "private_other"]


def schema_for(process_code: str) -> pa.DataFrameSchema:
    year = get_process(process_code).election_date.year
    income_year = pa.Check.in_range(
        year - 10, year, name="income_year", error="income year must be in the decade before the election"
    )
    return pa.DataFrameSchema(
        {
            **PROVENANCE,
            "process_code": pa.Column(str, NOT_BLANK),
            "id_hoja_vida": pa.Column("Int64", pa.Check.gt(0)),
            "item_id": pa.Column("Int64", pa.Check.gt(0)),
            "year": pa.Column("Int64", income_year),
            **{column: money() for column in AMOUNTS},
        },
        unique=["process_code", "id_hoja_vida", "item_id"],
        report_duplicates="exclude_first",
        coerce=True,
        name="stg_declared_income",
    )
