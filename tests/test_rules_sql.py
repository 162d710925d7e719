"""Rule evaluation, table-driven: each case loads a few staged rows into an in-memory DuckDB, builds every
model from sql/ exactly as the assets do, and checks which flags come out."""

import functools
from datetime import date
from decimal import Decimal

import duckdb
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from assets.finance import FINANCE_SCHEMAS as FINANCE
from assets.models import MODELS
from pipeline.reference import crime_categories_table, processes_table, rule_tables
from pipeline.rules.crimes import CrimeClassifier
from pipeline.warehouse import build_model, ensure_table, replace_rows, sql_text

CLASSIFIER = CrimeClassifier.from_csv()
SHA = "0" * 64
PERSON = {"dni": "99111111", "full_name": "ELENA PRUEBA SIMULADO", "party": "ALIANZA EJEMPLO"}


def _warehouse(candidates: list[dict], hv: list[dict], rulings: list[dict], legislators: list[dict]):
    conn = duckdb.connect()
    conn.execute(sql_text("macros"))
    rules, categories = rule_tables()
    for name, frame in {
        "rules": rules,
        "rule_crime_categories": categories,
        "processes": processes_table(),
        "crime_categories": crime_categories_table(),
    }.items():
        conn.execute(sql_text(name))
        replace_rows(conn, name, frame, {})
    for table, rows in {
        "stg_candidates": candidates,
        "stg_criminal_sentences": hv,
        "stg_court_rulings": rulings,
        "stg_legislators": legislators,
    }.items():
        ensure_table(conn, table)
        replace_rows(conn, table, pd.DataFrame(rows), {})
    for table in ("stg_civil_sentences", "raw_responses", "quarantine", "finance_parameters", *FINANCE):
        ensure_table(conn, table)
    for name, _, _ in MODELS:
        build_model(conn, name)
    return conn


def candidacy(process: str = "EG2026", office: str = "DIPUTADOS", district: str | None = "CUSCO") -> dict:
    return {
        "process_code": process,
        "office": office,
        "district": district,
        "id_hoja_vida": 1,
        "dni": PERSON["dni"],
        "nombres": "ELENA",
        "apellido_paterno": "PRUEBA",
        "apellido_materno": "SIMULADO",
        "full_name": PERSON["full_name"],
        "party_id": 1,
        "party_name": PERSON["party"],
        "list_position": 1,
        "status": "INSCRITO",
        "source_url": "http://jne/list",
        "archive_sha256": SHA,
    }


def legislator(
    process: str = "EG2026", party: str = PERSON["party"], name: str = "Elena Prueba Simulado"
) -> dict:
    chamber = "diputados" if process == "EG2026" else "congreso"
    return {
        "process_code": process,
        "chamber": chamber,
        "office": "DIPUTADOS",
        "period": "2026-2031",
        "full_name": name,
        "party": party,
        "parliamentary_group": None,
        "district": "Cusco",
        "condition": "En ejercicio",
        "profile_url": None,
        "source_url": "http://congreso",
        "archive_sha256": SHA,
    }


def ruling(
    crime: str,
    when: str,
    firm: bool,
    outcome: str = "convicted",
    instance: str = "appeal",
    modality: str | None = "EFECTIVA",
    served: str = "no",
    rid: str = "r1",
) -> dict:
    match = CLASSIFIER.classify(crime)
    return {
        "ruling_id": rid,
        "dni": PERSON["dni"],
        "person_name": PERSON["full_name"],
        "case_number": "99-2026",
        "court": "SALA DEMOSTRATIVA",
        "ruling_date": pd.Timestamp(when),
        "crime": crime,
        "crime_category": match.category,
        "crime_negligent": match.negligent,
        "crime_also_named": ", ".join(match.also_named) or None,
        "instance": instance,
        "firm": firm,
        "outcome": outcome,
        "sentence_text": "4 AÑOS",
        "modality": modality,
        "sentence_served": served,
        "evidence_url": "https://example.org/r",
        "retrieved_date": pd.Timestamp(when),
        "notes": None,
        "source_url": "file:///rulings.csv",
        "archive_sha256": SHA,
    }


def declared(
    crime: str,
    when: str,
    outcome: str = "convicted",
    modality: str | None = "EFECTIVA",
    served: bool | None = False,
    review: str | None = None,
    process: str = "EG2026",
) -> dict:
    match = CLASSIFIER.classify(crime)
    return {
        "process_code": process,
        "id_hoja_vida": 1,
        "item_id": 1,
        "item_number": 1,
        "case_number": "77-2010",
        "sentence_date_raw": None,
        "sentence_date": pd.Timestamp(when),
        "court": "JUZGADO DEMOSTRATIVO",
        "crime_text": crime,
        "ruling_text": "PENA",
        "modality": modality or "OTRO",
        "other_modality": None,
        "compliance": None,
        "comment": None,
        "crime_category": match.category,
        "crime_negligent": match.negligent,
        "outcome": outcome,
        "prison_modality": modality,
        "served": served,
        "rehabilitated": bool(served),
        "review_reasons": review,
        "source_url": "http://jne/hv",
        "archive_sha256": SHA,
    }


EMPTY_SEAT_CASES = [
    ("drug trafficking, firm", ruling("TRAFICO ILICITO DE DROGAS", "2026-10-01", True), "empty_seat"),
    ("terrorism, first instance", ruling("TERRORISMO", "2026-10-01", False, instance="first"), "pending"),
    ("money laundering, firm", ruling("LAVADO DE ACTIVOS", "2027-01-10", True), "empty_seat"),
    ("trata de personas, firm", ruling("TRATA DE PERSONAS", "2027-01-10", True), "empty_seat"),
    ("peculado, firm", ruling("PECULADO DOLOSO", "2026-11-02", True), "accesitario_replaces"),
    (
        "trafico de influencias is not drugs",
        ruling("TRAFICO DE INFLUENCIAS", "2026-11-02", True),
        "accesitario_replaces",
    ),
    (
        "migrant smuggling is not trata",
        ruling("TRAFICO ILICITO DE MIGRANTES", "2026-11-02", True),
        "accesitario_replaces",
    ),
    ("peculado, not firm", ruling("PECULADO", "2026-11-02", False, instance="first"), None),
    (
        "drug trafficking, acquitted",
        ruling("TRAFICO ILICITO DE DROGAS", "2026-10-01", True, "acquitted", modality=None),
        None,
    ),
    ("drug trafficking before the term", ruling("TRAFICO ILICITO DE DROGAS", "2025-01-01", True), None),
]


@pytest.mark.parametrize(
    ("case", "the_ruling", "status"), EMPTY_SEAT_CASES, ids=[c[0] for c in EMPTY_SEAT_CASES]
)
def test_empty_seat_status(case: str, the_ruling: dict, status: str | None) -> None:
    conn = _warehouse([candidacy()], [], [the_ruling], [legislator()])
    rows = conn.execute("SELECT status, rule_id FROM empty_seat_flags").fetchall()
    if status is None:
        assert rows == []
    else:
        assert rows == [
            (status, "empty_seat_art15a" if status != "accesitario_replaces" else "accesitario_art25")
        ]


def test_weak_legislator_match_raises_no_flag_and_goes_to_review() -> None:
    conn = _warehouse(
        [candidacy()], [], [ruling("TERRORISMO", "2026-10-01", True)], [legislator(party="OTRO PARTIDO")]
    )
    assert conn.execute("SELECT count(*) FROM empty_seat_flags").fetchone() == (0,)
    assert conn.execute("SELECT item_kind FROM review_queue").fetchall() == [("legislator_match",)]


def test_unmatched_legislator_is_kept() -> None:
    conn = _warehouse(
        [candidacy()],
        [],
        [ruling("TERRORISMO", "2026-10-01", True)],
        [legislator(name="Otra Persona Distinta")],
    )
    assert conn.execute("SELECT match_method, dni FROM legislators").fetchall() == [("unmatched", None)]
    assert conn.execute("SELECT count(*) FROM empty_seat_flags").fetchone() == (0,)


# name, party and district of a roster row against ELENA PRUEBA SIMULADO (ALIANZA EJEMPLO, CUSCO), and whether
# a namesake of another DNI runs for the same party and district
MATCH_CASES = [
    ("Simulado, Elena  Prueba", "Alianza Ejemplo", "Cusco", False, "name_party_district", "1.0"),
    ("ÉLENA PRUEBA SIMULADO", "alianza  ejemplo", "Lima", False, "name_party", "0.9"),
    ("Elena Prueba Simulado", "Otro Partido", "Cusco", False, "name_only", "0.6"),
    ("Elena Prueba Simulado", "Alianza Ejemplo", "Cusco", True, "ambiguous", "0.0"),
    ("Elena Prueba", "Alianza Ejemplo", "Cusco", False, "unmatched", "0.0"),
]


@pytest.mark.parametrize(
    ("name", "party", "district", "namesake", "method", "confidence"),
    MATCH_CASES,
    ids=[c[4] for c in MATCH_CASES],
)
def test_legislator_match_method(
    name: str, party: str, district: str, namesake: bool, method: str, confidence: str
) -> None:
    rows = [candidacy()]
    if namesake:
        rows.append({**candidacy(), "id_hoja_vida": 2, "dni": "99222222"})
    conn = _warehouse(rows, [], [], [{**legislator(name=name, party=party), "district": district}])
    assert conn.execute("SELECT match_method, match_confidence, dni FROM legislators").fetchall() == [
        (method, Decimal(confidence), PERSON["dni"] if method not in {"ambiguous", "unmatched"} else None)
    ]


# name_key as first written: the words norm_text keeps, sorted.
NAME_KEY_SPEC = (
    "array_to_string(list_sort(list_filter(string_split(norm_text($1), ' '), lambda x: x <> '')), ' ')"
)


@functools.cache
def _macros() -> duckdb.DuckDBPyConnection:
    conn = duckdb.connect()
    conn.execute(sql_text("macros"))
    return conn


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.none(), st.text(st.characters(codec="utf-8"), max_size=30)))
@example(" Muestra  Ficticio,\tCarlos-Alberto ñandú Ł 2 ")
@example("")
def test_name_key_is_the_sorted_words_of_norm_text(name: str | None) -> None:
    """name_key takes the words in one pass (it runs on every candidacy); it must keep the same key."""
    key, spec = _macros().execute(f"SELECT name_key($1), {NAME_KEY_SPEC}", [name]).fetchone()
    assert key == spec


BAN_CASES = [
    (
        "firm effective, not served",
        "EG2026",
        [declared("ROBO AGRAVADO", "2024-03-15")],
        [],
        {"ban_const_art34a", "ban_ley30717"},
    ),
    (
        "suspended, served",
        "EG2026",
        [declared("ROBO AGRAVADO", "2015-03-15", modality="SUSPENDIDA", served=True)],
        [],
        set(),
    ),
    (
        "negligent crime, not served",
        "EG2026",
        [declared("HOMICIDIO CULPOSO", "2025-02-10", modality="SUSPENDIDA")],
        [],
        set(),
    ),
    (
        "reserva de fallo",
        "EG2026",
        [declared("DIFAMACION", "2025-02-10", outcome="reserva_de_fallo", modality=None)],
        [],
        set(),
    ),
    (
        "record in review",
        "EG2026",
        [declared("ROBO AGRAVADO", "2024-03-15", review="fallo contradictorio")],
        [],
        set(),
    ),
    (
        "first-instance ruling, not served",
        "EG2026",
        [],
        [ruling("COLUSION", "2025-12-01", False, instance="first")],
        {"ban_const_art34a"},
    ),
    (
        "first-instance ruling before art. 34-A existed",
        "EG2016",
        [],
        [ruling("COLUSION", "2015-12-01", False, instance="first")],
        set(),
    ),
    (
        "served drug trafficking, 2021: clause in force",
        "EG2021",
        [declared("TRAFICO ILICITO DE DROGAS", "2005-01-01", served=True, process="EG2021")],
        [],
        {"ban_ley30717_rehabilitated"},
    ),
    (
        "served drug trafficking, 2026: clause struck down",
        "EG2026",
        [declared("TRAFICO ILICITO DE DROGAS", "2005-01-01", served=True)],
        [],
        set(),
    ),
    ("ruling after the election", "EG2026", [], [ruling("ROBO", "2026-05-01", True)], set()),
]


@pytest.mark.parametrize(
    ("case", "process", "hv", "rulings", "expected"), BAN_CASES, ids=[c[0] for c in BAN_CASES]
)
def test_candidacy_bans(case: str, process: str, hv: list, rulings: list, expected: set) -> None:
    conn = _warehouse([candidacy(process)], hv, rulings, [])
    assert {r[0] for r in conn.execute("SELECT rule_id FROM candidacy_bans").fetchall()} == expected


def test_unknown_compliance_goes_to_review_not_to_a_ban() -> None:
    conn = _warehouse([candidacy()], [], [ruling("COLUSION", "2019-05-10", True, served="unknown")], [])
    assert conn.execute("SELECT count(*) FROM candidacy_bans").fetchone() == (0,)
    assert conn.execute("SELECT item_kind FROM review_queue").fetchall() == [("possible_candidacy_ban",)]


def test_undeclared_conviction_only_when_the_hoja_de_vida_omits_it() -> None:
    firm = ruling("COLUSION", "2019-05-10", True, served="yes")
    conn = _warehouse([candidacy()], [], [firm], [])
    assert conn.execute("SELECT ruling_id, rule_id FROM undeclared_convictions").fetchall() == [
        ("r1", "disclosure_ley28094_art23")
    ]
    same_case = {**declared("COLUSION", "2019-05-10", served=True), "case_number": "99-2026"}
    conn = _warehouse([candidacy()], [same_case], [firm], [])
    assert conn.execute("SELECT count(*) FROM undeclared_convictions").fetchone() == (0,)


def test_a_ruling_naming_two_crime_categories_goes_to_review_not_to_a_flag() -> None:
    mixed = ruling("LAVADO DE ACTIVOS Y CONTRA EL PATRIMONIO", "2026-10-01", True)
    conn = _warehouse([candidacy()], [], [mixed], [legislator()])
    assert conn.execute("SELECT count(*) FROM empty_seat_flags").fetchone() == (0,)
    reasons = conn.execute("SELECT reasons FROM review_queue WHERE item_kind = 'court_ruling'").fetchone()[0]
    assert "money_laundering" in reasons


def test_rules_carry_citations_and_validity() -> None:
    rules, _ = rule_tables()
    assert rules["citation"].str.len().min() > 10
    struck = rules.set_index("id").loc["ban_ley30717_rehabilitated"]
    assert struck["valid_to"] == date(2022, 12, 31)
