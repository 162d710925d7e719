"""Schema of `stg_candidates`: one row per candidacy as listed by the JNE."""

import pandera.pandas as pa

from pipeline.schemas.common import DNI, NOT_BLANK, PROVENANCE

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
        "district": pa.Column(str, nullable=True),
        "id_hoja_vida": pa.Column("Int64", pa.Check.gt(0)),
        "dni": pa.Column(str, DNI),
        "nombres": pa.Column(str, NOT_BLANK),
        "apellido_paterno": pa.Column(str, NOT_BLANK),
        "apellido_materno": pa.Column(str, nullable=True),
        "full_name": pa.Column(str, NOT_BLANK),
        "party_id": pa.Column("Int64", nullable=True),
        "party_name": pa.Column(str, NOT_BLANK),
        "list_position": pa.Column("Int64", pa.Check.ge(0), nullable=True),
        "status": pa.Column(str, pa.Check.isin(STATUSES)),
    },
    unique=["process_code", "office", "district", "id_hoja_vida"],
    report_duplicates="exclude_first",
    coerce=True,
    name="stg_candidates",
)
