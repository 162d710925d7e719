"""Schema of `stg_court_rulings`: the curated record of rulings after the election (DOMAIN.md section 6)."""

import pandera.pandas as pa

from pipeline.schemas.common import (
    CRIME_MAX,
    DNI,
    NAME_MAX,
    NOT_BLANK,
    NUMBER_MAX,
    PROVENANCE,
    TEXT_MAX,
    URL_MAX,
    not_in_future,
    text,
)

schema = pa.DataFrameSchema(
    {
        **PROVENANCE,
        "ruling_id": pa.Column(str, pa.Check.str_matches(r"^[A-Za-z0-9_.-]+$")),
        "dni": pa.Column(str, DNI),
        "person_name": text(NAME_MAX, NOT_BLANK),
        "case_number": text(NUMBER_MAX, NOT_BLANK),
        "court": text(NAME_MAX, NOT_BLANK),
        "ruling_date": pa.Column("datetime64[us]", not_in_future()),
        "crime": text(CRIME_MAX, NOT_BLANK),
        "instance": pa.Column(str, pa.Check.isin(["first", "appeal", "supreme"])),
        "firm": pa.Column(bool),
        "outcome": pa.Column(str, pa.Check.isin(["convicted", "acquitted", "dismissed", "annulled"])),
        "sentence_text": text(TEXT_MAX, nullable=True),
        "modality": pa.Column(
            str, pa.Check.isin(["EFECTIVA", "SUSPENDIDA", "RESERVA DE FALLO", "OTRO"]), nullable=True
        ),
        "sentence_served": pa.Column(str, pa.Check.isin(["yes", "no", "unknown"])),
        "evidence_url": text(
            URL_MAX, pa.Check.str_matches(r"^https?://\S+$", error="evidence_url must be a URL")
        ),
        "retrieved_date": pa.Column("datetime64[us]", not_in_future()),
        "notes": text(TEXT_MAX, nullable=True),
        "crime_category": pa.Column(str),
        "crime_negligent": pa.Column(bool),
        "crime_also_named": pa.Column(str, nullable=True),
    },
    checks=[
        pa.Check(
            lambda df: df["retrieved_date"] >= df["ruling_date"], error="retrieved before the ruling date"
        ),
        pa.Check(
            lambda df: ~((df["outcome"] != "convicted") & df["modality"].isin(["EFECTIVA", "SUSPENDIDA"])),
            error="a ruling that is not a conviction cannot carry a prison modality",
        ),
    ],
    unique=["ruling_id"],
    report_duplicates="exclude_first",
    coerce=True,
    name="stg_court_rulings",
)
