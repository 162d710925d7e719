"""Reading declared sentences from all their fields. Real records from the EG2026 capture, verbatim."""

import pytest

from pipeline.rules.crimes import MAX_READ_CHARS
from pipeline.rules.sentences import read_sentence


def item(
    fallo,
    modalidad,
    cumple="PENA CUMPLIDA",
    comentario=None,
    otra=None,
    delito="ROBO",
    exp="1-2020",
    organo="JUZGADO",
) -> dict:
    return {
        "ruling_text": fallo,
        "modality": modalidad,
        "compliance": cumple,
        "comment": comentario,
        "other_modality": otra,
        "crime_text": delito,
        "case_number": exp,
        "court": organo,
    }


REAL = [  # (fields as declared, outcome, goes to review)
    (
        item("ABSUELTO", "EFECTIVA", comentario="ABSUELTO POR INOCENCIA", delito="HOMICIDIO CALIFICADO"),
        "acquitted",
        True,
    ),
    (item("SOBRESEIDA", "OTRO", otra="SOBRESEIDA", delito="CONTRA EL PATRIMONIO"), "dismissed", False),
    (item("ABSUELTO", "OTRO", otra="ABSUELTO ARCHIVADO"), "acquitted", False),
    (
        item("1 AÑO", "RESERVA DE FALLO", comentario="REHABILITADO", delito="DIFAMACION"),
        "reserva_de_fallo",
        False,
    ),
    (item("TRES AÑOS Y SEIS MESES", "SUSPENDIDA", delito="CONTRABANDO"), "convicted", False),
    (
        item(
            "PENA PRIVATIVA DE LA LIBERTAD",
            "SUSPENDIDA",
            comentario="ME ENCUENTRO REHABILITADO",
            delito="PECULADO",
        ),
        "convicted",
        False,
    ),
    (
        item(
            "4 AÑOS DE PENA PRIVATIVA",
            "SUSPENDIDA",
            comentario="SENTENCIA ANULADA POR EL TRIBUNAL CONSTITUCIONAL, PLENO.",
        ),
        "convicted",
        True,
    ),
    (
        item(
            "3 AÑOS 6 MESES DE PENA PRIVATIVA",
            "EFECTIVA",
            comentario="ABSUELTO DE SENTENCIA PENAL POR RECURSO DE CASACIÓN Nº 3280-2023/JUNÍN",
        ),
        "convicted",
        True,
    ),
]


@pytest.mark.parametrize(("fields", "outcome", "review"), REAL)
def test_real_records(fields: dict, outcome: str, review: bool) -> None:
    reading = read_sentence(fields)
    assert reading.outcome == outcome
    assert bool(reading.review_reasons) is review


def test_outcome_is_never_taken_from_one_field() -> None:
    # The modality alone says EFECTIVA, the ruling says acquitted: not a conviction, and flagged for review.
    reading = read_sentence(item("ABSUELTO", "EFECTIVA"))
    assert reading.outcome == "acquitted" and reading.served is None
    assert any("contradice" in r for r in reading.review_reasons)


def test_placeholder_fields_go_to_review() -> None:
    reading = read_sentence(item("0", "OTRO", delito="0", exp="0", organo="0", otra="0"))
    assert reading.outcome == "unknown"
    assert sum("relleno" in r for r in reading.review_reasons) == 4


@pytest.mark.parametrize(
    ("cumple", "comentario", "served"),
    [
        ("PENA CUMPLIDA", None, True),
        ("EN CUMPLIMIENTO", None, False),
        (None, "REHABILITADO", True),
        (None, None, None),
    ],
)
def test_served(cumple, comentario, served) -> None:
    assert read_sentence(item("2 AÑOS", "SUSPENDIDA", cumple=cumple, comentario=comentario)).served is served


def test_prison_modality_only_for_prison_sentences() -> None:
    assert read_sentence(item("2 AÑOS", "EFECTIVA")).prison_modality == "EFECTIVA"
    assert read_sentence(item("1 AÑO", "RESERVA DE FALLO")).prison_modality is None


def test_only_the_first_characters_of_a_huge_field_are_read() -> None:
    # A megabyte comment (quarantined by the schemas) must not cost seconds: only its start is read.
    padding = "X " * MAX_READ_CHARS
    assert read_sentence(item("2 AÑOS", "SUSPENDIDA", None, "REHABILITADO " + padding)).served is True
    assert read_sentence(item("2 AÑOS", "SUSPENDIDA", None, padding + "REHABILITADO")).served is None


@pytest.mark.parametrize("junk", [{}, {"ruling_text": None}, {"ruling_text": "🙂\u00a0", "modality": 12}])
def test_missing_or_odd_fields_never_crash(junk: dict) -> None:
    reading = read_sentence(junk)
    assert reading.outcome == "unknown" and reading.review_reasons
