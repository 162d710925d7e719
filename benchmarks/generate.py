"""An invented election at regional-municipal scale, in the current JNE API shape (DOMAIN.md section 2).

Writes, into one directory, the documents that the benchmark server serves and that the peers read:

- `lists.ndjson`: one candidate-list row per line, exactly as `POST /candidato/avanzadaexporta` returns it in
  `data` (`idOrgPol, txNom, txApePat, txApeMat, txOrgPol, txNombre, txDocId, txEstCand, nuPos, idHojaVida`,
  as in pipeline/recordings/jne/lists/*.json), grouped by list;
- `hojas_vida.ndjson.gz`: one hoja de vida per line, the exact bytes `GET /candidato/hoja-vida?IdHojaVida=`
  answers (compact JSON, `datoGeneral` first, so the id is the first `idHojaVida` of the line);
- `meta.json`: the seed, the process, and which slice of `lists.ndjson` answers which list filter.

The lists are the ones the pipeline crawls for the process (pipeline/config/processes.yaml), so the real job
asks for exactly what the server holds. Everyone is invented: surnames from a vocabulary of Spanish words that
are not family names (EJEMPLO, PRUEBA, MUESTRA ...), DNIs 99xxxxxx, parties invented. About 5% of candidates
declare criminal sentences, with the crime, ruling and modality spellings candidates really type (the EG2026
recordings and tests/test_crimes.py) and mixed outcomes: convicted, acquitted, reserva de fallo, sobreseída,
annulled, placeholders "0", the same sentence declared twice. The sentence and declaration items carry the
confirmed API fields; the inner fields of formacionAcademica, experienciaLaboral, trayectoria,
renunciaEfectuada and informacionAdicional are invented (the pipeline does not read them): they are there so a
document weighs about what a real one does.

    python -m benchmarks.generate --out /tmp/election --candidates 150000 --seed 6
"""

from __future__ import annotations

import argparse
import gzip
import json
import multiprocessing
import os
import random
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from pipeline.processes import get_process

PROCESS_CODE = "EG2026"
FIRST_HV_ID = 7_000_001
LAST_MODIFIED = "Thu, 15 Jan 2026 12:00:00 GMT"  # when the invented documents were "published"
LISTS_FILE = "lists.ndjson"
HV_FILE = "hojas_vida.ndjson.gz"
META_FILE = "meta.json"

SURNAMES = [
    "EJEMPLO", "PRUEBA", "MUESTRA", "FICTICIO", "MODELO", "INVENTADO", "SIMULADO", "DEMOSTRATIVO",
    "ENSAYO", "BOSQUEJO", "PROTOTIPO", "MAQUETA", "PLANTILLA", "BORRADOR", "SUPUESTO", "HIPOTETICO",
    "IMAGINARIO", "FIGURADO",
]  # fmt: skip
GIVEN_NAMES = [
    "ANA LUCIA", "CARLOS ALBERTO", "JORGE LUIS", "MARIA ELENA", "ROSA AMELIA", "LUIS ENRIQUE", "JUANA",
    "PEDRO PABLO", "CARMEN ROSA", "VICTOR HUGO", "ELSA", "MIGUEL ANGEL", "SONIA", "JOSE ANTONIO", "NORMA",
    "WALTER", "GLADYS", "RAUL", "YOLANDA", "FREDDY", "MARLENY", "EDWIN", "NELLY", "HUGO", "DORIS", "CESAR",
    "FLOR DE MARIA", "ALEJANDRO", "TERESA", "RICARDO",
]  # fmt: skip
PARTY_PREFIXES = ["PARTIDO", "MOVIMIENTO REGIONAL", "ALIANZA", "FRENTE", "ORGANIZACION POLITICA LOCAL"]
PARTY_NOUNS = [
    "EJEMPLO UNIDO", "MUESTRA POPULAR", "PRUEBA DEMOCRATICA", "FICTICIO DEL SUR", "MODELO ANDINO",
    "INVENTADO NACIONAL", "SIMULADO PROGRESISTA", "DEMOSTRATIVO REGIONAL",
]  # fmt: skip
STATUSES = [("INSCRITO", 86), ("IMPROCEDENTE", 5), ("EXCLUSION", 2), ("RENUNCIA", 2), ("RETIRO", 2),
            ("TACHADO", 2), ("FALLECIDO", 1)]  # fmt: skip
REGIONS = ["LIMA", "CUSCO", "AREQUIPA", "PIURA", "LA LIBERTAD", "JUNIN", "PUNO", "LORETO", "ANCASH", "ICA"]

# Crime names as candidates and courts write them (EG2026 recordings, tests/test_crimes.py).
CRIMES = [
    "DIFAMACION",
    "CONTRABANDO",
    "PECULADO",
    "HOMICIDIO CALIFICADO",
    "CONTRA EL PATRIMONIO",
    "FRAUDE EN LA ADM. DE LAS PERSONAS JURIDICAS",
    "NEGOCIACIÓN INCOMPATIBLE",
    "COLUSIÓN",
    "HOMICIDIO CULPOSO",
    "ROBO AGRAVADO",
    "USURPACION AGRAVADA",
    "OMISION DE ASISTENCIA FAMILIAR",
    "OMISION A LA ASISTENCIA FAMILIAR",
    "D. OMISIÓN DE ASISTENCIA FAMILIAR",
    "O.A.F.",
    "INCUMPLIMIENTO DE LA OBLIGACION ALIMENTARIA",
    "CONDUCCION EN ESTADO DE EBRIEDAD O DROGADICCION",
    "CONDUCCION EN ESTA DE EBRIEDAD",
    "PELIGRO COMUN - CONDUCCION EN ESTADO DE EBRIEDAD",
    "TRAFICO ILICITO DE DROGAS",
    "Tráfico ilícito de drogas - microcomercialización",
    "T.I.D.",
    "TID",
    "TRÁFICO DE INFLUENCIAS",
    "PECULADO DOLOSO",
    "PECULADO CULPOSO",
    "PECULADO POR EXTENSIÓN",
    "COLUSION AGRAVADA",
    "COHECHO PASIVO PROPIO",
    "ENRIQUECIMIENTO ILÍCITO",
    "MALVERSACION DE FONDOS",
    "LAVADO DE ACTIVOS",
    "ESTAFA AGRAVADA",
    "APROPIACION ILICITA COMUN",
    "HURTO AGRAVADO - GRADO TENTATIVA",
    "LESIONES CULPOSAS",
    "LESIONES GRAVES POR VIOLENCIA FAMILIAR",
    "violencia contra la mujer o integrantes del grupo familiar",
    "AGRESIONES EN CONTRA DE LAS MUJERES O INTEGRANTES DEL GRUPO FAMILIAR",
    "FALSIFICACIÓN DE DOCUMENTOS",
    "CONTRA LA FE PUBLICA - FALSIFICACION DE DOCUMENTOS",
    "FALSEDAD IDEOLOGICA",
    "DENUNCIA CALUMNIOSA",
    "INJURIA",
    "CALUMNIA",
    "USURPACIÓN DE FUNCIÓN PÚBLICA",
    "DEFRAUDACION TRIBUTARIA",
    "RECEPTACION",
    "afiliacion a organizacion terrorista",
    "apologia al terrorismo",
    "VIOLACIÓN SEXUAL",
    "ACOSO SEXUAL",
    "TRATA DE PERSONAS",
    "EXTORSION AGRAVADA",
    "REBELION",
    "ESTELIONATO",
    "ABONDO DE DESITNO",
    "VIOLACION DE MEDIDAS SANITARIAS",
    "DAÑO SIMPLE ",
]
PRISON_RULINGS = [
    "1 AÑO",
    "2 AÑOS DE PENA PRIVATIVA DE LIBERTAD",
    "4 AÑOS DE PENA PRIVATIVA",
    "TRES AÑOS Y SEIS MESES",
    "PENA PRIVATIVA DE LA LIBERTAD",
    "3 AÑOS 6 MESES DE PENA PRIVATIVA",
    "5 AÑOS DE PENA PRIVATIVA DE LIBERTAD",
    "CONDENATORIA",
    "8 MESES",
    "120 JORNADAS DE PRESTACION DE SERVICIOS A LA COMUNIDAD",
    "180 DIAS MULTA",
]
COURTS = [
    "JUZGADO PENAL UNIPERSONAL DEMOSTRATIVO", "SEGUNDO JUZGADO PENAL DEMOSTRATIVO",
    "JUZGADO PENAL COLEGIADO DEMOSTRATIVO", "SALA PENAL DE APELACIONES DE PRUEBA",
    "2DO JUZGADO DE INVESTIGACION PREPARATORIA - SEDE EJEMPLO", "juzgado de paz letrado- demostrativo",
]  # fmt: skip
SERVED_COMMENTS = [None, None, None, "REHABILITADO", "ME ENCUENTRO REHABILITADO", "PAGUE LA REPARACION CIVIL"]
# modality text -> idParamModalidad; compliance text -> idParamCumpleFallo (as in the recordings)
MODALITY_IDS = {"EFECTIVA": 10, "SUSPENDIDA": 11, "RESERVA DE FALLO": 12, "OTRO": 13}
COMPLIANCE_IDS = {"PENA CUMPLIDA": 20, "EN CUMPLIMIENTO": 21}
OUTCOME_KINDS = [("convicted", 56), ("acquitted", 12), ("contradictory_acquittal", 3), ("reserva", 10),
                 ("sobreseida", 8), ("annulled", 3), ("placeholder", 5), ("culposo", 3)]  # fmt: skip
CIVIL = [
    (16, "FAMILIA / ALIMENTARIA", "PAGO DE PENSION ALIMENTICIA"), (17, "CONTRACTUAL", "FUNDADA LA DEMANDA"),
    (18, "VIOLENCIA FAMILIAR", "ARCHIVO DEFINITIVO"), (19, "LABORAL", "SENTENCIA"),
]  # fmt: skip


class _Rng(random.Random):
    """random.Random with cheaper choice/randint (one float draw each): the generator makes ~30 draws per
    candidate, so this halves its time. Deterministic for a seed like its parent."""

    def choice(self, seq):  # type: ignore[no-untyped-def, override]
        return seq[int(self.random() * len(seq))]

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))


def _cumulative(table: list[tuple[str, int]]) -> tuple[list[str], list[int]]:
    keys, total, cum = [], 0, []
    for key, weight in table:
        total += weight
        keys.append(key)
        cum.append(total)
    return keys, cum


_STATUS_CUM = _cumulative(STATUSES)
_OUTCOME_CUM = _cumulative(OUTCOME_KINDS)


def _weighted(rng: random.Random, table: tuple[list[str], list[int]]) -> str:
    return rng.choices(table[0], cum_weights=table[1])[0]


def _date(rng: random.Random, first: int = 1995, last: int = 2024) -> str:
    return f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(first, last)}"


def _sentence_fields(rng: random.Random) -> dict[str, Any]:
    """Ruling, modality, other modality, compliance and comment of one declared sentence, one outcome each."""
    kind = _weighted(rng, _OUTCOME_CUM)
    crime = rng.choice(CRIMES)
    if kind == "convicted":
        modality, other = rng.choice(["EFECTIVA", "SUSPENDIDA", "SUSPENDIDA", "SUSPENDIDA"]), None
        ruling, comment = rng.choice(PRISON_RULINGS), rng.choice(SERVED_COMMENTS)
        compliance = rng.choice(["PENA CUMPLIDA", "PENA CUMPLIDA", "EN CUMPLIMIENTO"])
    elif kind == "culposo":
        crime = rng.choice(["HOMICIDIO CULPOSO", "LESIONES CULPOSAS", "PECULADO CULPOSO"])
        modality, other, ruling = "SUSPENDIDA", None, "2 AÑOS DE PENA PRIVATIVA DE LIBERTAD"
        compliance, comment = "EN CUMPLIMIENTO", None
    elif kind == "acquitted":
        modality, other, ruling = "OTRO", rng.choice(["ABSUELTO ARCHIVADO", "ABSUELTO"]), "ABSUELTO"
        compliance, comment = "PENA CUMPLIDA", None
    elif kind == "contradictory_acquittal":  # real: ABSUELTO with an EFECTIVA modality
        modality, other, ruling = "EFECTIVA", None, "ABSUELTO"
        compliance, comment = "PENA CUMPLIDA", "ABSUELTO POR INOCENCIA"
    elif kind == "reserva":
        modality, other, ruling = (
            "RESERVA DE FALLO",
            None,
            rng.choice(["1 AÑO", "RESERVA DE FALLO CONDENATORIO"]),
        )
        compliance, comment = "PENA CUMPLIDA", rng.choice([None, "REHABILITADO"])
    elif kind == "sobreseida":
        modality, other, ruling = "OTRO", "SOBRESEIDA", rng.choice(["SOBRESEIDA", "SOBRESEIMIENTO"])
        compliance, comment = "PENA CUMPLIDA", None
    elif kind == "annulled":
        modality, other, ruling = "SUSPENDIDA", None, "4 AÑOS DE PENA PRIVATIVA"
        compliance = "PENA CUMPLIDA"
        comment = "SENTENCIA ANULADA POR LA SALA SUPREMA DE PRUEBA (RESOLUCION DEMOSTRATIVA)"
    else:  # placeholder
        crime, modality, other, ruling, compliance, comment = "0", "OTRO", "0", "0", "PENA CUMPLIDA", None
    return {
        "crime": crime,
        "ruling": ruling,
        "modality": modality,
        "other": other,
        "compliance": compliance,
        "comment": comment,
        "placeholder": kind == "placeholder",
    }


class _Ids:
    """Item ids unique across the election, like the API's (idHvSentenciaPenal, idHvIngresos ...)."""

    def __init__(self, start: int) -> None:
        self.next = start

    def __call__(self) -> int:
        self.next += 1
        return self.next


def _criminal_items(rng: random.Random, hv_id: int, ids: _Ids) -> list[dict[str, Any]]:
    roll = rng.random()
    count = 1 if roll < 0.80 else 2 if roll < 0.95 else 3
    items: list[dict[str, Any]] = []
    for number in range(1, count + 1):
        f = _sentence_fields(rng)
        if number > 1 and rng.random() < 0.3:  # the same sentence declared twice
            previous = items[-1]
            items.append({**previous, "idHvSentenciaPenal": ids(), "nuItemSentenciaPenal": number})
            continue
        year = rng.randint(1995, 2024)
        items.append(
            {
                "idHvSentenciaPenal": ids(),
                "tengoSentenciaPenal": "SI",
                "nuItemSentenciaPenal": number,
                "txExpedientePenal": "0"
                if f["placeholder"]
                else f"99{rng.randint(0, 999):03d}-{year}-0-1801-JR-PE-0{rng.randint(1, 9)}",
                "feSentenciaPenal": _date(rng, year, min(year + 3, 2024)),
                "txOrganoJudiPenal": "0" if f["placeholder"] else rng.choice(COURTS),
                "txDelitoPenal": f["crime"],
                "txFalloPenal": f["ruling"],
                "idParamModalidad": MODALITY_IDS[f["modality"]],
                "txModalidad": f["modality"],
                "txOtraModalidad": f["other"],
                "idParamCumpleFallo": COMPLIANCE_IDS[f["compliance"]],
                "txCumpleFallo": f["compliance"],
                "idEstado": 1,
                "idHojaVida": hv_id,
                "txComentario": f["comment"],
            }
        )
    return items


def _civil_items(rng: random.Random, hv_id: int, ids: _Ids) -> list[dict[str, Any]]:
    subject_id, subject, ruling = rng.choice(CIVIL)
    return [
        {
            "idHvSentenciaObliga": ids(),
            "tengoSentenciaObliga": "SI",
            "nuItemSentenciaObliga": 1,
            "idParamMateriaSentencia": subject_id,
            "txMateriaSentencia": subject,
            "txExpedienteObliga": f"{rng.randint(1, 99999)}-{rng.randint(2005, 2024)}",
            "txOrganoJuridicialObliga": rng.choice(COURTS),
            "txFalloObliga": ruling,
            "idEstado": 1,
            "idHojaVida": hv_id,
            "txComentario": rng.choice([None, "ARCHIVO DEFINITIVO", "CUMPLIDO"]),
        }
    ]


def _declaration(rng: random.Random, ids: _Ids) -> dict[str, Any]:
    private = float(rng.choice([0, 0, 18000, 36000, 54000, 72000, 120000]))
    public = float(rng.choice([0, 0, 0, 30000, 60000]))
    rent = round(rng.random() * 20000, 2) if rng.random() < 0.2 else 0.0
    declares = rng.random() < 0.9
    income = [
        {
            "idHvIngresos": ids(),
            "tengoIngresos": "SI" if declares else "NO",
            "idTengoIngresos": 1 if declares else 2,
            "anioIngresos": "2025",
            "remuBrutaPublico": public,
            "remuBrutaPrivado": private,
            "rentaIndividualPublico": 0.0,
            "rentaIndividualPrivado": rent,
            "otroIngresoPublico": 0.0,
            "otroIngresoPrivado": 0.0,
            "totalIngresos": public + private + rent,
        }
    ]
    real_estate = [
        {
            "idHvBienInmueble": ids(),
            "tengoInmueble": "SI",
            "idTengoinmueble": 1,
            "tipoBienInmueble": rng.choice(["CASA", "TERRENO", "DEPARTAMENTO"]),
            "inmuebleSunarp": "1",
            "partidaSunarp": f"P99{rng.randint(0, 999999):06d}",
            "autovaluo": float(rng.randint(20, 400) * 1000),
            "direccion": "CALLE INVENTADA 000 (DIRECCION DE DEMOSTRACION)",
        }
        for _ in range(rng.choice([0, 0, 1, 1, 2]))
    ]
    vehicles = [
        {
            "idHvBienMueble": ids(),
            "tengoBienMueble": "SI",
            "idTengoBienMueble": 1,
            "vehiculo": rng.choice(["AUTOMOVIL", "CAMIONETA", "MOTOCICLETA"]),
            "marca": "MARCA MODELO",
            "modelo": "DEMOSTRATIVO",
            "placa": f"ZZ{rng.randint(0, 9)}-{rng.randint(0, 999):03d}",
            "caracteristica": "USADO",
            "valor": float(rng.randint(3, 60) * 1000),
        }
        for _ in range(rng.choice([0, 0, 1]))
    ]
    return {"ingreso": income, "bienInmueble": real_estate, "bienMueble": vehicles}


def _hoja_vida(rng: random.Random, row: dict[str, Any], list_filter: dict[str, Any], ids: _Ids) -> dict:
    hv_id = row["idHojaVida"]
    roll = rng.random()
    criminal = _criminal_items(rng, hv_id, ids) if roll < 0.05 else []
    if not criminal and rng.random() < 0.01:  # an explicit "nothing to declare" item
        criminal = [{"idHvSentenciaPenal": ids(), "tengoSentenciaPenal": "NO", "idHojaVida": hv_id}]
    region = rng.choice(REGIONS)
    return {
        "datoGeneral": {
            "idHojaVida": hv_id,
            "idProcesoElectoral": list_filter["idProcesoElectoral"],
            "idTipoEleccion": list_filter.get("idTipoEleccion"),
            "idOrganizacionPolitica": row["idOrgPol"],
            "idSolicitudLista": 990000 + row["idOrgPol"] * 10,
            "txDomiDepartamento": region,
            "txDomiProvincia": region,
            "txDomiDistrito": "DISTRITO DE DEMOSTRACION",
            "txDomicilio": "CALLE INVENTADA 000 (DIRECCION DE DEMOSTRACION)",
        },
        "formacionAcademica": {
            "educacionBasica": {"tengoPrimaria": "SI", "tengoSecundaria": "SI", "concluidoSecundaria": "SI"},
            "educacionUniversitaria": [
                {
                    "txUniversidad": "UNIVERSIDAD DEMOSTRATIVA DE " + region,
                    "txCarreraUni": rng.choice(["DERECHO", "ECONOMIA", "INGENIERIA CIVIL", "EDUCACION"]),
                    "txGradoAcademico": rng.choice(["BACHILLER", "TITULO PROFESIONAL"]),
                    "txAnioBachiller": str(rng.randint(1985, 2022)),
                }
            ]
            if rng.random() < 0.6
            else [],
        },
        "experienciaLaboral": [
            {
                "txCentroTrabajo": rng.choice(
                    ["EMPRESA FICTICIA SAC", "MUNICIPALIDAD DE PRUEBA", "INDEPENDIENTE"]
                ),
                "txOcupacionProfesion": rng.choice(["ADMINISTRADOR", "DOCENTE", "COMERCIANTE", "ABOGADO"]),
                "txAnioTrabajoDesde": str(start),
                "txAnioTrabajoHasta": str(start + rng.randint(1, 8)),
            }
            for start in sorted(rng.sample(range(1990, 2016), rng.randint(1, 3)))
        ],
        "trayectoria": {"cargoPartidario": [], "cargoEleccion": []},
        "sentenciaPenal": criminal,
        "sentenciaObliga": _civil_items(rng, hv_id, ids) if rng.random() < 0.03 else [],
        "declaracionJurada": _declaration(rng, ids),
        "renunciaEfectuada": [],
        "informacionAdicional": {"txInformacionAdicional": ""},
    }


def _list_shares(lists: list[dict[str, Any]], total: int) -> list[int]:
    """A presidential list is tiny (1%); the rest of the candidates are split evenly over the other lists."""
    counts = [max(1, total // 100) if spec["office"] == "PRESIDENCIA" else 0 for spec in lists]
    big = [i for i, spec in enumerate(lists) if spec["office"] != "PRESIDENCIA"] or [len(lists) - 1]
    rest = total - sum(counts)
    for i in big:
        counts[i] += rest // len(big)
    counts[big[-1]] += total - sum(counts)
    return counts


CHUNK = 5_000  # candidates per worker task; each chunk has its own random stream and item-id range
IDS_PER_CHUNK = 50_000  # at most 8 items per candidate


def _parties() -> list[tuple[int, str]]:
    return [
        (99100 + i, f"{prefix} {noun}")
        for i, (prefix, noun) in enumerate((p, n) for p in PARTY_PREFIXES for n in PARTY_NOUNS)
    ]


def generate_rows(
    spec: dict[str, Any], start: int, count: int, seed: int, ordinal: int
) -> Iterator[tuple[bytes, bytes]]:
    """(list-row JSON, hoja-de-vida JSON) of candidates start..start+count-1 of one list; deterministic."""
    rng = _Rng(f"{seed}:{ordinal}")
    ids = _Ids(99_000_000 + ordinal * IDS_PER_CHUNK)
    parties = _parties()
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    index, made = start, 0
    while made < count:
        party_id, party = rng.choice(parties)
        block = min(rng.randint(8, 40), count - made)
        for position in range(1, block + 1):
            row = {
                "idOrgPol": party_id,
                "txNom": rng.choice(GIVEN_NAMES),
                "txApePat": rng.choice(SURNAMES),
                "txApeMat": rng.choice(SURNAMES),
                "txOrgPol": party,
                "txNombre": f"{rng.getrandbits(128):032x}.jpg",
                "txDocId": f"99{index:06d}",
                "txEstCand": _weighted(rng, _STATUS_CUM),
                "nuPos": position,
                "idHojaVida": FIRST_HV_ID + index,
            }
            hv = _hoja_vida(rng, row, spec["filter"], ids)
            yield dumps(row).encode(), dumps(hv).encode()
            index += 1
        made += block


def _chunk(task: tuple[dict[str, Any], int, int, int, int]) -> tuple[bytes, bytes, int]:
    """One chunk: its list rows (NDJSON), its hojas de vida (one gzip member of NDJSON), how many declare."""
    rows, hvs = [], []
    for row, hv in generate_rows(*task):
        rows.append(row)
        hvs.append(hv)
    declaring = sum(b'"tengoSentenciaPenal":"SI"' in hv for hv in hvs)
    hv_blob = b"\n".join(hvs) + b"\n"
    return b"\n".join(rows) + b"\n", gzip.compress(hv_blob, compresslevel=3, mtime=0), declaring


def list_specs() -> list[dict[str, Any]]:
    process = get_process(PROCESS_CODE)
    return [
        {
            "office": s.office,
            "district": s.district,
            "filter": {"idProcesoElectoral": process.id_proceso_electoral, **s.filter},
        }
        for s in process.lists
    ]


def generate(
    out: Path, candidates: int = 150_000, seed: int = 6, workers: int | None = None
) -> dict[str, Any]:
    """Write the election into `out` and return its meta (also written to meta.json).

    Chunks are generated in parallel processes; the output does not depend on the number of workers. The
    hojas de vida file is a concatenation of gzip members (one per chunk), which gzip, Python and DuckDB read
    as one stream."""
    if not 1 <= candidates <= 999_999:
        raise ValueError("candidates must be between 1 and 999,999 (DNIs are 99 followed by six digits)")
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    specs = list_specs()
    tasks, first = [], 0
    for spec, count in zip(specs, _list_shares(specs, candidates), strict=True):
        spec.update(first=first, count=count)
        for offset in range(0, count, CHUNK):
            tasks.append((spec, first + offset, min(CHUNK, count - offset), seed, len(tasks)))
        first += count
    # Small elections are made in-process; big ones in a pool of fresh (spawned) interpreters, which is safe
    # whatever threads the caller runs.
    workers = workers or (min(os.cpu_count() or 1, len(tasks)) if candidates >= 4 * CHUNK else 1)
    declaring = 0
    with open(out / LISTS_FILE, "wb") as lists, open(out / HV_FILE, "wb") as hvs:
        if workers <= 1:
            results = map(_chunk, tasks)
            pool = None
        else:
            pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
            results = pool.map(_chunk, tasks)
        try:
            for rows, hv_member, with_sentences in results:
                lists.write(rows)
                hvs.write(hv_member)
                declaring += with_sentences
        finally:
            if pool:
                pool.shutdown()
    meta = {
        "seed": seed,
        "candidates": candidates,
        "with_criminal_sentences": declaring,
        "process_code": PROCESS_CODE,
        "first_hv_id": FIRST_HV_ID,
        "last_modified": LAST_MODIFIED,
        "lists": specs,
        "files": {"lists": LISTS_FILE, "hojas_vida": HV_FILE},
        "generation_seconds": round(time.perf_counter() - started, 2),
    }
    (out / META_FILE).write_text(json.dumps(meta, indent=1, ensure_ascii=False), encoding="utf-8")
    return meta


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--candidates", type=int, default=150_000)
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args(argv)
    meta = generate(args.out, args.candidates, args.seed)
    print(
        f"{meta['candidates']} candidates ({meta['with_criminal_sentences']} declaring criminal sentences) "
        f"in {len(meta['lists'])} lists -> {args.out} in {meta['generation_seconds']} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
