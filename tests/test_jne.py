"""The current JNE API source against the recorded responses shipped for the offline default."""

import json
from pathlib import Path

import pytest

from pipeline.http.request import Fetched, Request
from pipeline.processes import get_process
from pipeline.settings import RECORDINGS_DIR
from pipeline.sources import jne
from pipeline.sources.errors import SourceFormatError

REC = RECORDINGS_DIR / "jne"
EG2026 = get_process("EG2026")


def fetched_for(request: Request, body: bytes) -> Fetched:
    return Fetched(request, 200, "0" * 64, body, "application/json", None, 0)  # type: ignore[arg-type]


def test_list_request_pages_with_a_one_based_skip() -> None:
    request = jne.list_request("http://h/api/v1/", EG2026, EG2026.lists[0], 2, 50)
    assert request.method == "POST" and request.url == "http://h/api/v1/candidato/avanzadaexporta"
    assert request.json_body["skip"] == 2 and request.json_body["pageSize"] == 50
    assert request.json_body["filter"]["idProcesoElectoral"] == 124


def test_parse_real_presidential_list_page() -> None:
    request = jne.list_request("", EG2026, EG2026.lists[0], 1, 50)
    rows = jne.parse_candidates(fetched_for(request, (REC / "lists" / "0-1.json").read_bytes()), EG2026)
    assert len(rows) == 50
    first = rows[0]
    assert first["dni"] == "06246968"  # leading zero kept
    assert first["full_name"] == "WILBERT GABINO SEGOVIA QUIN"
    assert (
        first["office"] == "PRESIDENCIA" and first["status"] == "INSCRITO" and first["id_hoja_vida"] == 243436
    )


def test_list_rows_carry_the_district_of_their_list() -> None:
    spec = EG2026.lists[2]
    request = jne.list_request("", EG2026, spec, 1, 50)
    rows = jne.parse_candidates(fetched_for(request, (REC / "lists" / "2-1.json").read_bytes()), EG2026)
    assert {r["district"] for r in rows} == {"LIMA METROPOLITANA"} and {r["office"] for r in rows} == {
        "DIPUTADOS"
    }


def test_hoja_vida_sections_map_to_common_columns() -> None:
    hv = jne.parse_hoja_vida((REC / "hoja-vida" / "251354.json").read_bytes(), "u")
    rows = jne.criminal_rows(hv, 251354)
    assert rows == [
        {
            "id_hoja_vida": 251354,
            "item_id": 136011,
            "item_number": 1,
            "case_number": "16-2023",
            "sentence_date_raw": "25/01/2021",
            "court": "CORTE SUPERIOR DE JUSTICIA PENAL ESPECIALIZADA CUARTA SALA PENAL SUPERIOR NACIONAL "
            "LIQUIDADORA",
            "crime_text": "HOMICIDIO CALIFICADO",
            "ruling_text": "ABSUELTO",
            "modality": "EFECTIVA",
            "other_modality": None,
            "compliance": "PENA CUMPLIDA",
            "comment": "ABSUELTO POR INOCENCIA",
        }
    ]


def test_items_answering_no_are_not_sentences() -> None:
    hv = {
        "sentenciaPenal": [{"tengoSentenciaPenal": "NO"}],
        "sentenciaObliga": [{"tengoSentenciaObliga": "NO"}],
    }
    assert jne.criminal_rows(hv, 1) == [] and jne.civil_rows(hv, 1) == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<html>maintenance</html>", "not valid JSON"),
        (b'{"data": {"x": 1}, "totalPages": 1}', "'data' list"),
        (b'{"data": [], "totalPages": "many"}', "totalPages"),
        (b'{"data": [1, 2], "totalPages": 1}', "not objects"),
    ],
)
def test_broken_list_pages_name_the_url(body: bytes, message: str) -> None:
    with pytest.raises(SourceFormatError, match=message) as err:
        jne.parse_list_page(body, "http://jne/list?x=1")
    assert "http://jne/list?x=1" in str(err.value)


def test_hoja_vida_without_its_sections_is_an_error_not_an_empty_record() -> None:
    with pytest.raises(SourceFormatError, match="sentenciaObliga"):
        jne.parse_hoja_vida(json.dumps({"sentenciaPenal": []}).encode(), "http://jne/hv")


def test_recordings_index_matches_files() -> None:
    index = json.loads((REC / "index.json").read_text())
    for route in index["routes"]:
        assert (REC / route["file"]).is_file()
    assert len([r for r in index["routes"] if "hoja-vida" in r["path"]]) == 114


def _keys(value: object) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_no_recording_exposes_residence_or_contact_fields() -> None:
    # Keys, not text: real surnames such as DOMINGUEZ would otherwise match "domi".
    forbidden = ("domi", "telefono", "correo", "email", "fenacimiento", "fechanacimiento")
    for path in Path(RECORDINGS_DIR).rglob("*.json"):
        keys = {key.lower() for key in _keys(json.loads(path.read_text(encoding="utf-8")))}
        assert not any(key.startswith(forbidden) for key in keys), path
