"""Schema of `stg_candidate_finance`: the ONPE Claridad candidate roll, with each campaign income."""

import pandera.pandas as pa

from pipeline.schemas.common import DNI, NAME_MAX, NOT_BLANK, PROVENANCE, text
from pipeline.schemas.finance_checks import money


def schema_for(process_code: str) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            **PROVENANCE,
            "process_code": pa.Column(str, NOT_BLANK),
            "dni": pa.Column(str, DNI),
            "full_name": text(NAME_MAX, NOT_BLANK),
            "party_name": text(NAME_MAX, nullable=True),
            "department": text(NAME_MAX, nullable=True),
            "total_income": money(),
        },
        unique=["process_code", "dni"],
        report_duplicates="exclude_first",
        coerce=True,
        name="stg_candidate_finance",
    )
