"""Schema of `stg_candidates`: one row per candidacy as listed by the JNE."""

import pandera.pandas as pa

from pipeline.schemas.common import DNI, NAME_MAX, NOT_BLANK, PROVENANCE, text

# Current API (all seen in the EG2026 capture) and legacy API list states (seen in the EG2021 capture).
STATUSES = [
    "INSCRITO",
    "IMPROCEDENTE",
    "EXCLUSION",
    "RENUNCIA",
    "RETIRO",
    "TACHADO",
    "FALLECIDO",
    "RECIBIDO",
    "INADMISIBLE",
    "PUBLICADO PARA TACHAS",
    "ADMITIDO",
]

schema = pa.DataFrameSchema(
    {
        **PROVENANCE,
        "process_code": pa.Column(str, NOT_BLANK),
        "office": pa.Column(str, NOT_BLANK),
        "district": text(NAME_MAX, nullable=True),
        "id_hoja_vida": pa.Column("Int64", pa.Check.gt(0)),
        "dni": pa.Column(str, DNI),
        "nombres": text(NAME_MAX, NOT_BLANK),
        "apellido_paterno": text(NAME_MAX, NOT_BLANK),
        "apellido_materno": text(NAME_MAX, nullable=True),
        "full_name": text(NAME_MAX, NOT_BLANK),
        "party_id": pa.Column("Int64", nullable=True),
        "party_name": text(NAME_MAX, NOT_BLANK),
        "list_position": pa.Column("Int64", pa.Check.ge(0), nullable=True),
        "status": pa.Column(str, pa.Check.isin(STATUSES)),
    },
    unique=["process_code", "office", "district", "id_hoja_vida"],
    report_duplicates="exclude_first",
    coerce=True,
    name="stg_candidates",
)
