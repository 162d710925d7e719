"""Build the JNE legacy-API recordings shipped for the offline default (a developer tool, run by hand).

Every person, party, DNI (99xxxxxx) and id here is invented. Three of the candidates sit in the invented
2021-2026 Congress roster recorded in pipeline/recordings/congreso/www3, with the same names, parties and
districts, so the offline run can link candidacies to seats. One declares a criminal sentence and another a
civil judgment, in the legacy field names (see the docstring of pipeline/sources/jne_legacy.py for which
names are confirmed and which assumed).

Requests are built with the source's own request builders, so the recordings answer exactly what the
crawler asks. Usage: python scripts/build_legacy_recordings.py
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from pipeline.processes import get_process
from pipeline.sources import jne_legacy

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "pipeline" / "recordings" / "jne_legacy"
BASE = ""  # routes are relative to the source's mount point
CONTENT_TYPE = "application/json; charset=utf-8"
PARTIES = {
    99001: ("PARTIDO DEMOSTRATIVO NACIONAL", "PARTIDO POLITICO"),
    99002: ("ALIANZA EJEMPLO", "ALIANZA ELECTORAL"),
}

PENAL_INVENTADO = {
    "idHVSentenciaPenal": 99210011,
    "idHojaVida": 9921001,
    "intItemSentenciaPenal": 1,
    "strTengoSentenciaPenal": "1",
    "strExpedientePenal": "00999-2011-0-1801-JR-PE-09",
    "strFechaSentenciaPenal": "14/06/2012",
    "strOrganoJudiPenal": "NOVENO JUZGADO PENAL DEMOSTRATIVO DE LIMA",
    "strDelitoPenal": "HURTO AGRAVADO",
    "strFalloPenal": "2 AÑOS DE PENA PRIVATIVA DE LIBERTAD",
    "strModalidad": "SUSPENDIDA",
    "strOtraModalidad": "",
    "strCumpleFallo": "PENA CUMPLIDA",
    "strComentario": "",
    "idEstado": 1,
}
# How a candidate answers "no sentence to declare" (assumed legacy shape: flag "2", fields empty).
PENAL_NOTHING = {
    "idHVSentenciaPenal": 99210021,
    "idHojaVida": 9921002,
    "intItemSentenciaPenal": 1,
    "strTengoSentenciaPenal": "2",
    "strExpedientePenal": "",
    "strFechaSentenciaPenal": "",
    "strOrganoJudiPenal": "",
    "strDelitoPenal": "",
    "strFalloPenal": "",
    "strModalidad": "",
    "strOtraModalidad": "",
    "strCumpleFallo": "",
    "strComentario": "",
    "idEstado": 1,
}
OBLIGA_DEMOSTRATIVO = {
    "idHVSentenciaObliga": 99210041,
    "idHojaVida": 9921004,
    "intItemSentenciaObliga": 1,
    "strTengoSentenciaObliga": "1",
    "strMateriaSentencia": "FAMILIA / ALIMENTARIA",
    "strExpedienteObliga": "00456-2015-0-0401-JP-FC-02",
    "strOrganoJuridicialObliga": "SEGUNDO JUZGADO DE PAZ LETRADO DEMOSTRATIVO DE AREQUIPA",
    "strFalloObliga": "FUNDADA LA DEMANDA DE ALIMENTOS: S/ 600 MENSUALES",
    "strComentario": "",
    "idEstado": 1,
}
HOUSE = {
    "strTengoInmueble": "1",
    "strTipoBienInmueble": "CASA",
    "strInmuebleDireccion": "CALLE INVENTADA 000 (DIRECCION DE DEMOSTRACION)",
    "strPartidaSunarp": "P00000000",
    "decAutovaluo": 85000.0,
    "strComentario": "",
}
CAR = {
    "strTengoBienMueble": "1",
    "strVehiculo": "AUTOMOVIL",
    "strPlaca": "ZZZ-000",
    "strCaracteristica": "SEDAN DEMOSTRATIVO 2015",
    "decValor": 25000.0,
    "strComentario": "",
}

# One expediente per party list and electoral district; candidates in list order.
EXPEDIENTES: list[dict[str, Any]] = [
    {
        "party": 99001,
        "district": "LIMA",
        "ubigeo": "140100",
        "idSolicitudLista": 99101,
        "idExpediente": 99201,
        "candidates": [
            {
                "hv": 9921001,
                "dni": "99210001",
                "names": ("PEDRO PABLO", "INVENTADO", "SIMULADO"),
                "status": "INSCRITO",
                "penal": [PENAL_INVENTADO],
                "inmuebles": [HOUSE],
            },
            {
                "hv": 9921002,
                "dni": "99210002",
                "names": ("ROSA ELENA", "MUESTRA", "PRUEBA"),
                "status": "INSCRITO",
                "penal": [PENAL_NOTHING],
            },
        ],
    },
    {
        "party": 99001,
        "district": "AREQUIPA",
        "ubigeo": "040000",
        "idSolicitudLista": 99102,
        "idExpediente": 99202,
        "candidates": [
            {
                "hv": 9921003,
                "dni": "99210003",
                "names": ("JORGE LUIS", "MODELO", "FICTICIO"),
                "status": "EXCLUSION",
            },
        ],
    },
    {
        "party": 99002,
        "district": "AREQUIPA",
        "ubigeo": "040000",
        "idSolicitudLista": 99103,
        "idExpediente": 99203,
        "candidates": [
            {
                "hv": 9921004,
                "dni": "99210004",
                "names": ("CARMEN ROSA", "DEMOSTRATIVO", "MODELO"),
                "status": "INSCRITO",
                "obliga": [OBLIGA_DEMOSTRATIVO],
                "muebles": [CAR],
            },
            {
                "hv": 9921005,
                "dni": "99210005",
                "names": ("LUIS ALBERTO", "EJEMPLO", "SIMULADO"),
                "status": "INSCRITO",
            },
        ],
    },
    {
        "party": 99002,
        "district": "CUSCO",
        "ubigeo": "080000",
        "idSolicitudLista": 99104,
        "idExpediente": 99204,
        "candidates": [
            {
                "hv": 9921006,
                "dni": "99210006",
                "names": ("JUAN CARLOS", "FICTICIO", "EJEMPLO"),
                "status": "INSCRITO",
            },
        ],
    },
]


def _expediente(process_id: int, tipo: int, exp: dict[str, Any]) -> dict[str, Any]:
    name, kind = PARTIES[exp["party"]]
    return {
        "idProcesoElectoral": process_id,
        "idTipoEleccion": tipo,
        "idOrganizacionPolitica": exp["party"],
        "strOrganizacionPolitica": name,
        "strTipoOrganizacion": kind,
        "idSolicitudLista": exp["idSolicitudLista"],
        "idExpediente": exp["idExpediente"],
        "strCodExpediente": f"EG.2021{exp['idExpediente']:06d}",
        "strDistritoElec": exp["district"],
        "strUbigeo": exp["ubigeo"],
        "strEstadoLista": "INSCRITA",
        "listaCandidato": [],
    }


def _identity(process_id: int, tipo: int, exp: dict[str, Any], person: dict[str, Any]) -> dict[str, Any]:
    nombres, paterno, materno = person["names"]
    return {
        "idHojaVida": person["hv"],
        "idProcesoElectoral": process_id,
        "idTipoEleccion": tipo,
        "idCargoEleccion": 4,
        "strCargoEleccion": "CONGRESISTA",
        "strDocumentoIdentidad": person["dni"],
        "strNombres": nombres,
        "strApellidoPaterno": paterno,
        "strApellidoMaterno": materno,
        "idOrganizacionPolitica": exp["party"],
        "strOrganizacionPolitica": PARTIES[exp["party"]][0],
        "strUbigeoPostula": exp["ubigeo"],
        "strPostulaDistrito": exp["district"],
        "strDistritoElectoral": "",
    }


def _candidate(
    process_id: int, tipo: int, exp: dict[str, Any], position: int, person: dict[str, Any]
) -> dict:
    return {
        "idCandidato": person["hv"] + 10000000,
        "idSolicitudLista": exp["idSolicitudLista"],
        "idExpediente": exp["idExpediente"],
        **_identity(process_id, tipo, exp, person),
        "intPosicion": position,
        "strEstadoExp": person["status"],
        "strFGDesignado": "0",
        "strFGNativo": "0",
    }


def _hoja_vida(process_id: int, tipo: int, exp: dict[str, Any], person: dict[str, Any]) -> dict[str, Any]:
    """A consolidated HV; the invented residence, birth date and phone let tests check they never leave."""
    return {
        "oDatosPersonales": {
            **_identity(process_id, tipo, exp, person),
            "strFechaNacimiento": "01/01/1970",
            "strPaisNacimiento": "PERU",
            "strDomiDepartamento": "DEPARTAMENTO INVENTADO",
            "strDomicilioDirecc": "AV. INVENTADA 000 (DIRECCION DE DEMOSTRACION)",
            "strTelefono": "000000000",
        },
        "lSentenciaPenal": person.get("penal", []),
        "lSentenciaObliga": person.get("obliga", []),
        "oIngresos": {
            "idHojaVida": person["hv"],
            "strTengoIngresos": "1",
            "strAnioIngresos": "2019",
            "decRemuBrutaPublico": 0.0,
            "decRemuBrutaPrivado": 48000.0,
            "decRentaIndividualPublico": 0.0,
            "decRentaIndividualPrivado": 0.0,
            "decOtroIngresoPublico": 0.0,
            "decOtroIngresoPrivado": 0.0,
        },
        "lBienInmueble": [{"idHojaVida": person["hv"], **item} for item in person.get("inmuebles", [])],
        "lBienMueble": [{"idHojaVida": person["hv"], **item} for item in person.get("muebles", [])],
    }


def _route(request: Any, file: str) -> dict[str, Any]:
    query = {key: str(value) for key, value in request.params.items()}
    return {
        "method": request.method,
        "path": request.url,
        "query": query,
        "body": None,
        "status": 200,
        "content_type": CONTENT_TYPE,
        "file": file,
    }


def _write(path: str, data: Any) -> str:
    target = OUT / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps({"data": data}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


def main() -> None:
    process = get_process("EG2021")
    (spec,) = process.lists
    tipo = int(spec.filter["idTipoEleccion"])
    pid = process.id_proceso_electoral

    shutil.rmtree(OUT, ignore_errors=True)
    expedientes = [_expediente(pid, tipo, exp) for exp in EXPEDIENTES]
    routes = [
        _route(
            jne_legacy.expedientes_request(BASE, process, spec),
            _write(f"expedientes/{tipo}.json", expedientes),
        )
    ]
    for exp, listed in zip(EXPEDIENTES, expedientes, strict=True):
        request = jne_legacy.candidates_request(BASE, process, tipo, listed)
        rows = [
            _candidate(pid, tipo, exp, pos, person) for pos, person in enumerate(exp["candidates"], start=1)
        ]
        routes.append(
            _route(request, _write(f"candidatos/{exp['idSolicitudLista']}-{exp['idExpediente']}.json", rows))
        )
        for person in exp["candidates"]:
            request = jne_legacy.hoja_vida_request(
                BASE, process, {"id_hoja_vida": person["hv"], "party_id": exp["party"]}
            )
            routes.append(
                _route(request, _write(f"hoja-vida/{person['hv']}.json", _hoja_vida(pid, tipo, exp, person)))
            )
    index = {
        "_about": "Invented demo recordings of the JNE legacy API (EG2021): invented people, parties, DNIs "
        "and ids. "
        "Built by scripts/build_legacy_recordings.py.",
        "routes": routes,
    }
    (OUT / "index.json").write_text(json.dumps(index, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(routes)} routes to {OUT}")


if __name__ == "__main__":
    main()
