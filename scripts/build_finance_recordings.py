"""Build the finance recordings shipped for the offline default (a developer tool, run by hand).

Run it after scripts/build_recordings.py and scripts/build_legacy_recordings.py: it extends their output
(those scripts rebuild their folders from scratch) and is safe to run again.

1. Real EG2021 income, verbatim, through the legacy endpoint it was captured from. The rows of
   ../shared/data/jne_eg2021_finance/ingresos_2019_raw.csv come from a third party's database fed by
   `HojaVida/GetAllHVIngresos?Ids={idHojaVida}-0` (income items) and the candidate endpoints (person columns).
   Rule for the shipped subset: the first SUBSET Congress candidacies (idTipoEleccion 2) of the file by
   idCandidato. Each becomes a row of a recorded GetCandidatos answer (one per real expediente, listed in
   the recorded GetExpedientesLista answer) and one recorded GetAllHVIngresos answer. What changes, and why:
   - the JNE idHojaVida is taken from the photo path (`/Assets/Fotos-HojaVida/{idHojaVida}.jpg`, the name
     scrapers download photos by); the file's `idHojaVida_id`, `id` and `_state` are the third party's own
     database keys and are dropped;
   - DNIs get back the leading zeros a spreadsheet stripped (the API sends 8-character strings);
   - numbers are written as JSON numbers again (the CSV holds text); amounts stay as captured (integers);
   - only public candidacy columns are kept: no address, birth date or place, sex, photo or user columns
     ever enter the repository;
   - the capture has no idSolicitudLista/idExpediente: each real expediente gets a recording-only pair in the
     98xxx range so the crawl's URLs can be built (they name no real JNE record).
   The capture holds no sentence sections and only per-candidate totals of assets (value and count, computed
   by the third party), so no GetHVConsolidado, GetAllHVBienInmueble or GetAllHVBienMueble answer is recorded
   for these people: their crawl records fetch failures, and nothing is claimed about their sentences or
   assets.
2. Invented EG2021 per-section answers for the invented legacy demo people, from the same invented data as
   their consolidated hojas de vida (build_legacy_recordings.py).
3. Invented `declaracionJurada` sections (current API) added to the invented EG2026 hojas de vida.
4. Invented ONPE Claridad answers (pipeline/recordings/claridad): invented parties, people (DNIs 99xxxxxx) and
   companies (RUCs 20999xxxxxx, 10999xxxxxx), built with the pipeline's own request builders and the offline
   token, so the recordings answer exactly what the crawler asks.

Usage: python scripts/build_finance_recordings.py ../shared/data
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import build_legacy_recordings as legacy  # run as a script: its folder is on the path

from pipeline.campaigns import get_campaign
from pipeline.processes import get_process
from pipeline.settings import OFFLINE_CLARIDAD_TOKEN
from pipeline.sources import claridad, jne_legacy

ROOT = Path(__file__).resolve().parents[1]
RECORDINGS = ROOT / "pipeline" / "recordings"
LEGACY = RECORDINGS / "jne_legacy"
CURRENT_HV = RECORDINGS / "jne" / "hoja-vida"
CLARIDAD = RECORDINGS / "claridad"
CONTENT_TYPE = "application/json; charset=utf-8"
SUBSET = 20
FIRST_RECORDING_ID = 98000  # recording-only expediente ids for real expedientes (see the docstring)
PAGE_SIZE = 500  # the default PIPELINE_CLARIDAD_PAGE_SIZE: the recordings answer pages of this size
PHOTO = re.compile(r"/Fotos-HojaVida/(\d+)\.jpg$")
# Public candidacy columns served in the GetCandidatos rows, in the capture's order.
PERSON_COLUMNS = [
    "intPosicion",
    "idCargoEleccion",
    "strDocumentoIdentidad",
    "strApellidoPaterno",
    "strApellidoMaterno",
    "strNombres",
    "intEstadosCandPer",
    "strEstado",
    "idOrganizacionPolitica",
    "idProcesoElectoral",
    "strOrganizacionPolitica",
    "idTipoEleccion",
    "strUbigeoPostula",
    "strCodExpedienteExt",
    "strPostulaDistrito",
    "idCandidato",
    "strHojaVida",
    "strEstadoLocal",
]
INCOME_COLUMNS = [
    "idHVIngresos",
    "idEstado",
    "decRemuBrutaPublico",
    "decRemuBrutaPrivado",
    "decRentaIndividualPublico",
    "decRentaIndividualPrivado",
    "decOtroIngresoPublico",
    "decOtroIngresoPrivado",
    "strUsuario",
    "strTengoIngresos",
    "strAnioIngresos",
]


def _typed(column: str, value: str) -> Any:
    """The JSON type the legacy API uses for a column, by its prefix (id/int/dec numbers, str text)."""
    if column.startswith(("id", "int", "dec")) and value.lstrip("-").isdigit():
        return int(value)
    return value


def _write(folder: Path, path: str, doc: Any) -> str:
    target = folder / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


def _route(request: Any, file: str) -> dict[str, Any]:
    return {
        "method": request.method,
        "path": request.url,
        "query": {k: str(v) for k, v in request.params.items()},
        "body": request.json_body,
        "status": 200,
        "content_type": CONTENT_TYPE,
        "file": file,
    }


# --- 1 and 2: the legacy API ---------------------------------------------------------------------------


def real_income_subset(csv_path: Path) -> list[tuple[dict[str, str], dict[str, str]]]:
    """(income columns, person columns) of the shipped rows: the file's header repeats names, so the row is
    split where the person model's columns start (its second `_state`)."""
    with csv_path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        split = header.index("_state", 1)
        rows = [
            (
                dict(zip(header[:split], row[:split], strict=True)),
                dict(zip(header[split:], row[split:], strict=True)),
            )
            for row in reader
        ]
    congress = [pair for pair in rows if pair[1]["idTipoEleccion"] == "2"]
    return sorted(congress, key=lambda pair: int(pair[1]["idCandidato"]))[:SUBSET]


def _id_hoja_vida(person: dict[str, str]) -> int:
    match = PHOTO.search(person["strRutaArchivo"])
    if match is None:
        raise ValueError(f"candidate {person['idCandidato']}: no idHojaVida in {person['strRutaArchivo']!r}")
    return int(match.group(1))


def _clean_legacy(index: dict[str, Any], expedientes: list[dict[str, Any]]) -> None:
    """Remove what an earlier run of this script added, so it can run again."""
    ours = ("finanzas/", f"candidatos/{FIRST_RECORDING_ID // 1000}")
    index["routes"] = [r for r in index["routes"] if not r["file"].startswith(ours)]
    expedientes[:] = [e for e in expedientes if not str(e["idSolicitudLista"]).startswith("98")]
    shutil.rmtree(LEGACY / "finanzas", ignore_errors=True)
    for old in (LEGACY / "candidatos").glob(f"{FIRST_RECORDING_ID // 1000}*.json"):
        old.unlink()


def build_legacy(shared: Path) -> None:
    process = get_process("EG2021")
    (spec,) = process.lists
    tipo = int(spec.filter["idTipoEleccion"])
    index = json.loads((LEGACY / "index.json").read_text(encoding="utf-8"))
    expedientes = json.loads((LEGACY / "expedientes" / f"{tipo}.json").read_text(encoding="utf-8"))["data"]
    _clean_legacy(index, expedientes)

    by_expediente: dict[str, list[dict[str, Any]]] = {}
    for income, person in real_income_subset(shared / "jne_eg2021_finance" / "ingresos_2019_raw.csv"):
        hv = _id_hoja_vida(person)
        named = {**income, **person}  # identity columns sit in the income half of the file
        row = {"idHojaVida": hv, **{c: _typed(c, named[c]) for c in PERSON_COLUMNS}}
        row["strDocumentoIdentidad"] = named["strDocumentoIdentidad"].zfill(8)
        by_expediente.setdefault(person["strCodExpedienteExt"], []).append(row)
        item = {"idHojaVida": hv, **{c: _typed(c, income[c]) for c in INCOME_COLUMNS}}
        income_request = jne_legacy.finance_requests("", {"id_hoja_vida": hv})[0]
        index["routes"].append(
            _route(income_request, _write(LEGACY, f"finanzas/ingresos/{hv}.json", {"data": [item]}))
        )
    for number, (code, rows) in enumerate(by_expediente.items()):
        first = rows[0]
        expediente = {
            "idProcesoElectoral": process.id_proceso_electoral,
            "idTipoEleccion": tipo,
            "idOrganizacionPolitica": first["idOrganizacionPolitica"],
            "strOrganizacionPolitica": first["strOrganizacionPolitica"],
            "idSolicitudLista": FIRST_RECORDING_ID + number,
            "idExpediente": FIRST_RECORDING_ID + 100 + number,
            "strCodExpedienteExt": code,
            "strDistritoElec": first["strPostulaDistrito"],
            "strUbigeo": first["strUbigeoPostula"],
        }
        expedientes.append(expediente)
        request = jne_legacy.candidates_request("", process, tipo, expediente)
        file = f"candidatos/{expediente['idSolicitudLista']}-{expediente['idExpediente']}.json"
        index["routes"].append(_route(request, _write(LEGACY, file, {"data": rows})))

    for exp in legacy.EXPEDIENTES:
        for person in exp["candidates"]:
            hv = person["hv"]
            income = legacy._hoja_vida(process.id_proceso_electoral, tipo, exp, person)["oIngresos"]
            sections = [
                [{**income, "idHVIngresos": hv * 10 + 1}],
                [
                    {"idHojaVida": hv, "idHVBienInmueble": hv * 10 + 2 + n, **item}
                    for n, item in enumerate(person.get("inmuebles", []))
                ],
                [
                    {"idHojaVida": hv, "idHVBienMueble": hv * 10 + 5 + n, **item}
                    for n, item in enumerate(person.get("muebles", []))
                ],
            ]
            requests = jne_legacy.finance_requests("", {"id_hoja_vida": hv})
            for name, request, items in zip(
                ("ingresos", "inmuebles", "muebles"), requests, sections, strict=True
            ):
                index["routes"].append(
                    _route(request, _write(LEGACY, f"finanzas/{name}/{hv}.json", {"data": items}))
                )

    _write(LEGACY, f"expedientes/{tipo}.json", {"data": expedientes})
    index["_about"] = (
        "JNE legacy API (EG2021). Invented demo people, parties, DNIs and ids "
        "(scripts/build_legacy_recordings.py); plus, from scripts/build_finance_recordings.py, the real "
        f"declared income of the first {SUBSET} Congress candidacies of a third-party capture (GetCandidatos "
        "rows under recording-only expediente ids 98xxx, and GetAllHVIngresos answers) and invented "
        "per-section finance answers for the invented people."
    )
    (LEGACY / "index.json").write_text(
        json.dumps(index, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )


# --- 3: the current API (invented people only) ------------------------------------------------------------


def _income(hv: int, year: str, **amounts: float) -> dict[str, Any]:
    keys = [
        "remuBrutaPublico",
        "remuBrutaPrivado",
        "rentaIndividualPublico",
        "rentaIndividualPrivado",
        "otroIngresoPublico",
        "otroIngresoPrivado",
    ]
    values = {k: amounts.get(k, 0.0) for k in keys}
    return {
        "idHvIngresos": hv * 10 + 1,
        "tengoIngresos": "SI",
        "idTengoIngresos": 1,
        "anioIngresos": year,
        **values,
        "totalIngresos": round(sum(values.values()), 2),
    }


def _house(hv: int, kind: str, value: float, partida: str) -> dict[str, Any]:
    return {
        "idHvBienInmueble": hv * 10 + 2,
        "tengoInmueble": "SI",
        "idTengoinmueble": 1,
        "tipoBienInmueble": kind,
        "inmuebleSunarp": "1",
        "partidaSunarp": partida,
        "autovaluo": value,
        "direccion": "CALLE INVENTADA 000 (DIRECCION DE DEMOSTRACION)",
    }


def _vehicle(hv: int, kind: str, value: float, plate: str) -> dict[str, Any]:
    return {
        "idHvBienMueble": hv * 10 + 5,
        "tengoBienMueble": "SI",
        "idTengoBienMueble": 1,
        "vehiculo": kind,
        "marca": "MARCA MODELO",
        "modelo": "DEMOSTRATIVO",
        "placa": plate,
        "caracteristica": "USADO",
        "valor": value,
    }


DECLARATIONS: dict[int, dict[str, list[dict[str, Any]]]] = {
    990001: {  # ANA LUCIA EJEMPLO PRUEBA
        "ingreso": [_income(990001, "2024", remuBrutaPrivado=72000.0, rentaIndividualPrivado=12000.5)],
        "bienInmueble": [_house(990001, "CASA", 250000.0, "P99000001")],
        "bienMueble": [_vehicle(990001, "AUTOMOVIL", 35000.0, "ZZZ-001")],
    },
    990002: {  # CARLOS ALBERTO MUESTRA FICTICIO: 95 million soles of "other income", a unit error to review
        "ingreso": [_income(990002, "2024", remuBrutaPrivado=36000.0, otroIngresoPrivado=95000000.0)],
        "bienInmueble": [],
        "bienMueble": [],
    },
    990003: {  # JORGE LUIS MODELO INVENTADO: answers "no income to declare"
        "ingreso": [{"idHvIngresos": 9900031, "tengoIngresos": "NO", "idTengoIngresos": 2}],
        "bienInmueble": [{"idHvBienInmueble": 9900032, "tengoInmueble": "NO", "idTengoinmueble": 2}],
        "bienMueble": [_vehicle(990003, "MOTOCICLETA", 4500.0, "ZZ-0003")],
    },
    990004: {  # MARIA ISABEL PRUEBA EJEMPLO: a modest income for a large campaign
        "ingreso": [_income(990004, "2024", remuBrutaPrivado=24000.0)],
        "bienInmueble": [],
        "bienMueble": [],
    },
    990005: {  # LUIS ENRIQUE FICTICIO MUESTRA
        "ingreso": [_income(990005, "2024", remuBrutaPublico=60000.0)],
        "bienInmueble": [_house(990005, "TERRENO", 80000.0, "P99000005")],
        "bienMueble": [],
    },
    990010: {
        "ingreso": [_income(990010, "2024", rentaIndividualPrivado=18000.0)],
        "bienInmueble": [],
        "bienMueble": [],
    },
    990011: {
        "ingreso": [_income(990011, "2024", remuBrutaPublico=120000.0)],
        "bienInmueble": [],
        "bienMueble": [],
    },
}


def build_current() -> None:
    for hv, declaration in DECLARATIONS.items():
        path = CURRENT_HV / f"{hv}.json"
        doc = json.loads(path.read_text(encoding="utf-8"))
        doc["declaracionJurada"] = declaration
        path.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


# --- 4: ONPE Claridad (invented) ----------------------------------------------------------------------------

PDN = ("20999000011", "PARTIDO DEMOSTRATIVO NACIONAL")
AE = ("20999000029", "ALIANZA EJEMPLO")
SURNAMES = ["EJEMPLO", "PRUEBA", "MUESTRA", "FICTICIO", "MODELO", "INVENTADO", "SIMULADO", "DEMOSTRATIVO"]
FIRST_NAMES = ["ANA", "LUIS", "ROSA", "JORGE", "ELENA", "CARLOS", "MARIA", "PEDRO"]


def _person(dni: str, surnames: str, names: str, kind: str, day: str, amount: float, year: str) -> dict:
    return {
        "apellidos": surnames,
        "nombres": names,
        "razonSocial": "N/A",
        "dni": dni,
        "tipoAporte": kind,
        "fechaAporte": day,
        "monto": amount,
        "anioEleccion": year,
    }


def _company(ruc: str, name: str, kind: str, day: str, amount: float, year: str) -> dict:
    return {
        "apellidos": "",
        "nombres": "",
        "razonSocial": name,
        "dni": ruc,
        "tipoAporte": kind,
        "fechaAporte": day,
        "monto": amount,
        "anioEleccion": year,
    }


def _raffle(count: int) -> list[dict]:
    """Many small contributions from a raffle, enough to need two pages of 500."""
    amounts = [10.1, 20.2, 30.3, 40.4]
    return [
        _person(
            f"99300{n:03d}",
            f"{SURNAMES[n % 8]} {SURNAMES[(n // 8) % 8]}",
            FIRST_NAMES[(n // 64) % 8],
            "A",
            f"{1 + n % 28:02d}/{[10, 11, 12, 1, 2, 3][n % 6]:02d}/{2020 if n % 6 < 3 else 2021}",
            amounts[n % 4],
            "2021",
        )
        for n in range(1, count + 1)
    ]


DETAILS: dict[tuple[str, str], list[dict]] = {
    ("EG2021", PDN[0]): [
        _person("99210001", "INVENTADO SIMULADO", "PEDRO PABLO", "F", "15/01/2021", 1500.0, "2021"),
        *_raffle(520),
    ],
    ("EG2021", AE[0]): [
        _company("20999000045", "INVERSIONES MUESTRA S.A.C.", "E", "05/02/2021", 8000.0, "2021"),
        _person("99210005", "EJEMPLO SIMULADO", "LUIS ALBERTO", "F", "10/02/2021", 2000.0, "2021"),
    ],
    ("EG2026", PDN[0]): [
        {
            "apellidos": "",
            "nombres": "",
            "razonSocial": "N/A",
            "dni": "",
            "tipoAporte": "F",
            "fechaAporte": "20/02/2026",
            "monto": 500.0,
            "anioEleccion": "2026",
        },
        _person("99000003", "MODELO INVENTADO", "JORGE LUIS", "F", "12/01/2026", 3000.0, "2026"),
        _company("20999000053", "CONSTRUCTORA FICTICIA S.A.C.", "E", "02/02/2026", 8500.0, "2026"),
    ],
    ("EG2026", AE[0]): [
        _person("99000010", "SIMULADO EJEMPLO", "PEDRO PABLO", "F", "08/01/2026", 2000.0, "2026"),
        _company("20999000061", "EMPRESA EJEMPLO S.A.C.", "F", "15/01/2026", 12000.0, "2026"),
        _person("99000002", "MUESTRA FICTICIO", "CARLOS ALBERTO", "F", "20/11/2025", 6000.0, "2026"),
        _person("99000013", "MODELO SIMULADO", "RAUL ANTONIO", "F", "03/02/2026", 800.0, "2026"),
        _person("99310001", "PRUEBA INVENTADO", "ROSA MARIA", "A", "14/02/2026", 100.1, "2026"),
        _person("99310002", "DEMOSTRATIVO MUESTRA", "JUAN JOSE", "A", "14/02/2026", 200.2, "2026"),
        _person("99000004", "PRUEBA EJEMPLO", "MARIA ISABEL", "O", "01/03/2026", 1500.0, "2026"),
    ],
}
# Totals Claridad reports. Exact sums of the detail, except PARTIDO DEMOSTRATIVO NACIONAL in EG2026, which
# reports S/ 500.00 more cash than its detail holds: the inconsistent party reconciliation must report.
MISREPORTED = {("EG2026", PDN[0]): {"F": 500}}
ROLL = [
    ("99210001", "INVENTADO SIMULADO", "PEDRO PABLO", PDN[1], "LIMA", "EG2021", 12000.0),
    ("99210004", "DEMOSTRATIVO MODELO", "CARMEN ROSA", AE[1], "AREQUIPA", "EG2021", 9500.0),
    ("99210005", "EJEMPLO SIMULADO", "LUIS ALBERTO", AE[1], "AREQUIPA", "EG2021", 30000.0),
    ("99000001", "EJEMPLO PRUEBA", "ANA LUCIA", PDN[1], "LIMA", "EG2026", 25000.0),
    ("99000002", "MUESTRA FICTICIO", "CARLOS ALBERTO", AE[1], "LIMA", "EG2026", 15000.0),
    ("99000004", "PRUEBA EJEMPLO", "MARIA ISABEL", AE[1], "LIMA", "EG2026", 480000.0),
    ("99000010", "SIMULADO EJEMPLO", "PEDRO PABLO", AE[1], "LIMA", "EG2026", 8000.0),
    ("99000014", "EJEMPLO SIMULADO", "GLORIA INES", AE[1], "LIMA", "EG2026", 5000.0),
    ("99500001", "FICTICIO MODELO", "SOFIA", "MOVIMIENTO REGIONAL MODELO", "CUSCO", "ERM2022", 3000.0),
]
EXPENSES = {
    "EG2021": [
        (
            "99210001",
            "INVENTADO SIMULADO",
            "PEDRO PABLO",
            PDN[1],
            "10/02/2021",
            "IMPRENTA",
            "20999000071",
            "FACTURA",
            "F001-000123",
            3200.0,
            "VOLANTES Y AFICHES",
        ),
        (
            "99210001",
            "INVENTADO SIMULADO",
            "PEDRO PABLO",
            PDN[1],
            "20/02/2021",
            "",
            "10999000085",
            "RECIBO POR HONORARIOS",
            "E001-45",
            1500.0,
            "DISENO GRAFICO",
        ),
    ],
    "EG2026": [
        (
            "99000001",
            "EJEMPLO PRUEBA",
            "ANA LUCIA",
            PDN[1],
            "12/02/2026",
            "FACEBOOK",
            "20999000099",
            "FACTURA",
            "F002-000077",
            9000.0,
            "PUBLICIDAD EN REDES SOCIALES",
        ),
        (
            "99000001",
            "EJEMPLO PRUEBA",
            "ANA LUCIA",
            PDN[1],
            "18/02/2026",
            "IMPRENTA",
            "20999000071",
            "FACTURA",
            "F001-000311",
            2400.5,
            "GIGANTOGRAFIAS",
        ),
        (
            "99000004",
            "PRUEBA EJEMPLO",
            "MARIA ISABEL",
            AE[1],
            "05/03/2026",
            "",
            "20999000102",
            "FACTURA",
            "F001-000009",
            150000.0,
            "ALQUILER DE LOCALES DE CAMPANA",
        ),
    ],
}
TYPES = {"F": "efectivo", "E": "especie", "A": "actividad", "O": "otros"}


def _envelope(data: Any, total: int, pages: int) -> dict[str, Any]:
    return {"data": data, "total": total, "pages": pages}


def build_claridad() -> None:
    shutil.rmtree(CLARIDAD, ignore_errors=True)
    token, routes = OFFLINE_CLARIDAD_TOKEN, []

    def add(request: Any, file: str, doc: Any) -> None:
        routes.append(_route(request, _write(CLARIDAD, file, doc)))

    pairs = []
    for (label, ruc), rows in DETAILS.items():
        name = PDN[1] if ruc == PDN[0] else AE[1]
        # Exact sums (floats would drift: 10.1 + 20.2 is not 30.3), written as JSON numbers.
        totals = {
            k: sum((Decimal(str(r["monto"])) for r in rows if r["tipoAporte"] == k), Decimal(0))
            for k in TYPES
        }
        for kind, extra in MISREPORTED.get((label, ruc), {}).items():
            totals[kind] += extra
        pair = {
            "ruc": ruc,
            "organizacion": name,
            "proceso": label,
            **{TYPES[k]: float(v) for k, v in totals.items()},
            "total": float(sum(totals.values())),
        }
        pairs.append(pair)
        pages = -(-len(rows) // PAGE_SIZE)
        for page in range(1, pages + 1):
            chunk = rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
            request = claridad.detail_request("", token, pair, page, PAGE_SIZE)
            add(
                request,
                f"detalle/{label}-{ruc}-{page}.json",
                _envelope({"listaAportantes": chunk}, len(rows), pages),
            )
    pairs.append(
        {
            "ruc": "20999000037",
            "organizacion": "MOVIMIENTO REGIONAL MODELO",
            "proceso": "ERM2022",
            "efectivo": 3000.0,
            "especie": 0.0,
            "actividad": 0.0,
            "otros": 0.0,
            "total": 3000.0,
        }
    )
    add(claridad.org_request("", token, 0), "organizaciones.json", _envelope(pairs, len(pairs), 1))

    roll = [
        {
            "dni": dni,
            "apellidos": surnames,
            "nombres": names,
            "organizacion": party,
            "departamento": dep,
            "proceso": label,
            "totalIngresos": total,
        }
        for dni, surnames, names, party, dep, label, total in ROLL
    ]
    add(claridad.roll_request("", token, 0, PAGE_SIZE), "candidatos.json", _envelope(roll, len(roll), 1))

    for label, rows in EXPENSES.items():
        campaign = get_campaign(label)
        assert campaign is not None, label
        items = [
            {
                "dni": r[0],
                "apellidos": r[1],
                "nombres": r[2],
                "organizacion": r[3],
                "proceso": label,
                "fechaGasto": r[4],
                "plataforma": r[5],
                "documentoProveedor": r[6],
                "tipoComprobante": r[7],
                "serieNumero": r[8],
                "monto": r[9],
                "concepto": r[10],
            }
            for r in rows
        ]
        request = claridad.expenses_request("", token, campaign, 1, PAGE_SIZE)
        add(request, f"gastos/{label}-1.json", _envelope({"listaGastos": items}, len(items), 1))

    index = {
        "_about": "Invented ONPE Claridad answers (invented parties, people with DNIs 99xxxxxx, companies "
        "with RUCs 20999xxxxxx/10999xxxxxx), built by scripts/build_finance_recordings.py. They answer "
        "requests carrying the offline token; the expense endpoint and its fields are assumed "
        "(pipeline/sources/claridad.py).",
        "routes": routes,
    }
    (CLARIDAD / "index.json").write_text(
        json.dumps(index, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )


def main(shared: Path) -> None:
    build_legacy(shared)
    build_current()
    build_claridad()
    print(f"finance recordings written under {RECORDINGS}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
