"""Schema of `stg_legislators`: Congress roster rows (no DNI: matching to candidates happens in SQL)."""

import pandera.pandas as pa

from pipeline.schemas.common import NOT_BLANK, PROVENANCE

schema = pa.DataFrameSchema(
    {
        **PROVENANCE,
        "process_code": pa.Column(str, NOT_BLANK),
        "chamber": pa.Column(str, pa.Check.isin(["senado", "diputados", "congreso"])),
        "office": pa.Column(str, NOT_BLANK),
        "period": pa.Column(str, pa.Check.str_matches(r"^\d{4}-\d{4}$")),
        "full_name": pa.Column(str, NOT_BLANK),
        "party": pa.Column(str, nullable=True),
        "parliamentary_group": pa.Column(str, nullable=True),
        "district": pa.Column(str, nullable=True),
        "condition": pa.Column(str, nullable=True),
        "profile_url": pa.Column(str, nullable=True),
    },
    unique=["process_code", "chamber", "full_name"],
    report_duplicates="exclude_first",
    coerce=True,
    name="stg_legislators",
)
