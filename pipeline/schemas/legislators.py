"""Schema of `stg_legislators`: Congress roster rows (no DNI: matching to candidates happens in SQL)."""

import pandera.pandas as pa

from pipeline.schemas.common import NAME_MAX, NOT_BLANK, PROVENANCE, URL_MAX, text

schema = pa.DataFrameSchema(
    {
        **PROVENANCE,
        "process_code": pa.Column(str, NOT_BLANK),
        "chamber": pa.Column(str, pa.Check.isin(["senado", "diputados", "congreso"])),
        "office": pa.Column(str, NOT_BLANK),
        "period": pa.Column(str, pa.Check.str_matches(r"^\d{4}-\d{4}$")),
        "full_name": text(NAME_MAX, NOT_BLANK),
        "party": text(NAME_MAX, nullable=True),
        "parliamentary_group": text(NAME_MAX, nullable=True),
        "district": text(NAME_MAX, nullable=True),
        "condition": text(NAME_MAX, nullable=True),
        "profile_url": text(URL_MAX, nullable=True),
    },
    unique=["process_code", "chamber", "full_name"],
    report_duplicates="exclude_first",
    coerce=True,
    name="stg_legislators",
)
