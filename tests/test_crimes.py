"""Tests for the crime-name classifier, driven by crime names as candidates and courts really write them.

Sources of the strings (copied verbatim, crime names only, no person data):
- EG2026: the 16 `txDelitoPenal` values declared in 144 presidential-ticket hojas de vida (JNE).
- Public repositories: an INPE roll of crimes of foreign inmates, a PNP crime catalogue (SQL dump),
  a JNE 2026 candidate-alert component (its table of spelling fixes for real declarations) and
  court-case "materia" catalogues.
- Titles and article names of the Código Penal.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.rules.crimes import (
    CATEGORIES,
    MAX_READ_CHARS,
    CrimeClassifier,
    CrimeMatch,
    load_rules,
    normalize,
)

HEADER = "pattern,category,negligent,codigo_penal_articles,note\n"


@pytest.fixture(scope="module")
def classifier() -> CrimeClassifier:
    return CrimeClassifier.from_csv()


# The 16 declared sentences of the EG2026 presidential tickets, in file order (duplicates included:
# the same sentence is declared by several members of a ticket).
EG2026_DECLARED = [
    ("DIFAMACION", "defamation"),
    ("DIFAMACION", "defamation"),
    ("DIFAMACION", "defamation"),
    ("CONTRABANDO", "other"),
    ("PECULADO", "corruption"),
    ("HOMICIDIO CALIFICADO", "homicide"),
    ("CONTRA EL PATRIMONIO", "property_crimes"),
    ("FRAUDE EN LA ADM. DE LAS PERSONAS JURIDICAS", "property_crimes"),
    ("NEGOCIACIÓN INCOMPATIBLE", "corruption"),
    ("COLUSIÓN", "corruption"),
    ("CONTRABANDO", "other"),
    ("NEGOCIACIÓN INCOMPATIBLE", "corruption"),
    ("COLUSIÓN", "corruption"),
    ("CONTRA EL PATRIMONIO", "property_crimes"),
    ("FRAUDE EN LA ADM. DE LAS PERSONAS JURIDICAS", "property_crimes"),
    ("PECULADO", "corruption"),
]

# (text, category, negligent)
REAL_CRIME_STRINGS = [
    # INPE roll
    ("ACTOS CONTRA EL PUDOR", "sexual_violence", False),
    ("ACTOS CONTRA EL PUDOR EN MENORES DE 14 AÑOS", "sexual_violence", False),
    ("ACTOS DE CONVERSION Y TRANSFERENCIA", "money_laundering", False),
    ("ACTOS DE OCULTAMIENTO Y TENENCIA", "money_laundering", False),
    ("AGRESIONES CONTRA LA MUJER o INTEGRANTES DEL GRUPO FAMILIAR", "family_violence", False),
    ("APROPIACION ILICITA COMUN", "property_crimes", False),
    ("COHECHO PASIVO PROPIO", "corruption", False),
    ("COLUSION AGRAVADA", "corruption", False),
    ("CONCUSION", "corruption", False),
    ("CONDUCCION EN ESTADO DE EBRIEDAD O DROGADICCION", "drunk_driving", False),
    ("CONTRABANDO AGRAVADO", "other", False),
    ("CORRUPCION DE FUNCIONARIOS", "corruption", False),
    ("DAÑO SIMPLE ", "property_crimes", False),
    ("DEFRAUDACION TRIBUTARIA", "other", False),
    ("DELITO DE TERRORISMO", "terrorism", False),
    ("ESTAFA AGRAVADA", "property_crimes", False),
    ("EXTORSION AGRAVADA", "property_crimes", False),
    ("FEMINICIDIO - FORMA  AGRAVADA", "homicide", False),
    ("FORMAS AGRAVADAS DE LA TRATA DE PERSONAS", "human_trafficking", False),
    ("FORMAS AGRAVADAS DEL TRAFICO ILICITO DE MIGRANTES", "other", False),
    ("FRAUDE EN LA ADMINISTRACION DE PERSONAS JURIDICAS", "property_crimes", False),
    ("HOMICIDIO CALIFICADO - ASESINATO GRADO TENTATIVA", "homicide", False),
    ("HOMICIDIO CULPOSO", "homicide", True),
    ("HURTO AGRAVADO - GRADO TENTATIVA", "property_crimes", False),
    ("INCUMPLIMIENTO DE LA OBLIGACION ALIMENTARIA", "family_assistance_omission", False),
    ("LAVADO DE ACTIVOS", "money_laundering", False),
    ("LESIONES CULPOSAS GRAVES", "other", True),
    ("LESIONES GRAVES POR VIOLENCIA FAMILIAR", "family_violence", False),
    ("MALVERSACION DE FONDOS", "corruption", False),
    ("MICROCOMERCIALIZACION O MICROPRODUCCION", "drug_trafficking", False),
    ("PARRICIDIO - GRADO DE TENTATIVA", "homicide", False),
    ("PELIGRO COMUN", "other", False),
    ("PROMOCION O FAVORECIMIENTO AL TRAFICO ILICITO DE DROGAS", "drug_trafficking", False),
    ("RECEPTACION", "property_crimes", False),
    ("ROBO AGRAVADO GRADO TENTATIVA", "property_crimes", False),
    ("ROBO DE GANADO", "property_crimes", False),
    ("SICARIATO", "homicide", False),
    (
        "TOCAMIENTOS, ACTOS DE CONNOTACIÓN SEXUAL O ACTOS LIBIDINOSOS EN AGRAVIO DE MENORES",
        "sexual_violence",
        False,
    ),
    ("TRAFICO ILICITO DE DROGA", "drug_trafficking", False),
    ("TRAFICO ILICITO DE DROGAS - FORMAS AGRAVADAS", "drug_trafficking", False),
    ("TRAFICO ILICITO DE MIGRANTES", "other", False),
    ("TRATA DE PERSONAS", "human_trafficking", False),
    ("USURPACION AGRAVADA", "property_crimes", False),
    (
        "VIOLACION DE PERSONA EN ESTADO DE INCONSCIENCIA O EN LA IMPOSIBILIDAD DE RESISTIR",
        "sexual_violence",
        False,
    ),
    ("VIOLACION SEXUAL DE MENOR DE EDAD EN GRADO DE TENTATIVA", "sexual_violence", False),
    ("VIOLACION EN GRADO DE TENTATIVA", "sexual_violence", False),
    ("VIOLACION DE MEDIDAS SANITARIAS", "other", False),
    # PNP crime catalogue
    ("PECULADO DOLOSO Y CULPOSO", "corruption", False),
    ("COLUSIÓN SIMPLE Y AGRAVADA", "corruption", False),
    ("NEGOCIACIÓN INCOMPATIBLE O APROVECHAMIENTO INDEBIDO DE CARGO", "corruption", False),
    ("ENRIQUECIMIENTO ILÍCITO", "corruption", False),
    ("COHECHO ACTIVO GENÉRICO", "corruption", False),
    ("DENUNCIA CALUMNIOSA", "other", False),
    ("USURPACIÓN DE FUNCIÓN PÚBLICA", "other", False),
    ("OMISION DE PRESTACION DE ALIMENTOS", "family_assistance_omission", False),
    ("HOMICIDIO CALIFICADO (ASESINATO)", "homicide", False),
    ("VIOLACION SEXUAL A MAYORES DE 14 AÑOS", "sexual_violence", False),
    ("D. OMISIÓN DE ASISTENCIA FAMILIAR", "family_assistance_omission", False),
    ("USO DE ARMAS EN ESTADO DE EBRIEDAD O DROGADICCIÓN", "other", False),
    ("CONTRA EL PATRIMONIO CULTURAL", "other", False),
    ("DAÑOS AL CONCEBIDO", "other", False),
    ("CONTRA LA FÉ PÚBLICA", "other", False),
    ("INJURIA", "defamation", False),
    ("CALUMNIA", "defamation", False),
    ("AMOTINAMIENTO DE DETENIDO O INTERNO", "other", False),
    ("A. HOMICIDIO", "homicide", False),
    ("H. EXTORSIÓN", "property_crimes", False),
    ("FALSIFICACIÓN DE DOCUMENTOS", "other", False),
    ("TRÁFICO DE INFLUENCIAS", "corruption", False),
    # JNE 2026 candidate-alert component (spelling fixes for real declarations)
    ("CONDUCCION EN ESTA DE EBRIEDAD", "drunk_driving", False),
    ("CONDUCCIÓN EN ESTADO DE EBRIEDAD", "drunk_driving", False),
    ("PELIGRO COMUN - CONDUCCION EN ESTADO DE EBRIEDAD", "drunk_driving", False),
    ("INCUMPLIMIENTO OBLIGACIÓN ALIMENTARIA", "family_assistance_omission", False),
    ("AGRESIONES EN CONTRA DE LAS MUJERES O INTEGRANTES DEL GRUPO FAMILIAR", "family_violence", False),
    ("ABONDO DE DESITNO", "other", False),
    ("CONTRA LOS MEDIOS DE TRANSPORTES", "other", False),
    ("FRAUDE EN LA ADM. DE PERSONAS JURIDICAS", "property_crimes", False),
    ("PECULADO POR EXTENSIÓN", "corruption", False),
    ("FALSEDAD IDEOLOGICA", "other", False),
    ("REBELION", "rebellion", False),
    ("ESTELIONATO", "property_crimes", False),
    # court "materia" catalogues
    ("OMISION A LA ASISTENCIA FAMILIAR", "family_assistance_omission", False),
    ("COMISION A LA ASISTENCIA FAMILIAR", "family_assistance_omission", False),
    ("O.A.F.", "family_assistance_omission", False),
    ("VIOLENCIA FAMILIAR - PSICOLOGICA", "family_violence", False),
    # as candidates write them (task brief and Código Penal names)
    ("TRAFICO ILICITO DE DROGAS", "drug_trafficking", False),
    ("Tráfico ilícito de drogas - microcomercialización", "drug_trafficking", False),
    ("T.I.D.", "drug_trafficking", False),
    ("TID", "drug_trafficking", False),
    ("contra la salud publica - trafico ilicito de drogas", "drug_trafficking", False),
    ("PECULADO DOLOSO", "corruption", False),
    ("OMISION DE ASISTENCIA FAMILIAR", "family_assistance_omission", False),
    ("violencia contra la mujer o integrantes del grupo familiar", "family_violence", False),
    ("LESIONES CULPOSAS", "other", True),
    ("CONTRA LA FE PUBLICA - FALSIFICACION DE DOCUMENTOS", "other", False),
    ("afiliacion a organizacion terrorista", "terrorism", False),
    ("colaboracion con el terrorismo", "terrorism", False),
    ("apologia al terrorismo", "apologia", False),
    ("APOLOGÍA DEL DELITO DE TERRORISMO", "apologia", False),
    ("VIOLACIÓN SEXUAL", "sexual_violence", False),
    ("ACOSO SEXUAL", "sexual_violence", False),
    ("CHANTAJE SEXUAL", "sexual_violence", False),
    ("LAVADO DE DINERO", "money_laundering", False),
    ("TRÁFICO ILÍCITO DE INSUMOS QUÍMICOS Y PRODUCTOS FISCALIZADOS", "drug_trafficking", False),
    ("SEDICIÓN", "rebellion", False),
    ("CONSPIRACIÓN PARA UNA REBELIÓN, SEDICIÓN O MOTÍN", "rebellion", False),
    ("PECULADO CULPOSO", "corruption", True),
]


@pytest.mark.parametrize(("text", "category", "negligent"), REAL_CRIME_STRINGS)
def test_real_crime_strings(classifier: CrimeClassifier, text: str, category: str, negligent: bool) -> None:
    match = classifier.classify(text)
    assert (match.category, match.negligent) == (category, negligent)


def test_eg2026_declared_sentences(classifier: CrimeClassifier) -> None:
    texts = [text for text, _ in EG2026_DECLARED]
    assert [m.category for m in classifier.classify_many(texts)] == [cat for _, cat in EG2026_DECLARED]


@pytest.mark.parametrize(
    ("text", "category", "pattern"),
    [
        # same word TRAFICO, different crimes
        ("TRÁFICO DE INFLUENCIAS", "corruption", "TRAFICO DE INFLUENCIAS"),
        ("TRAFICO ILICITO DE DROGAS", "drug_trafficking", "TRAFICO ILICITO DE DROGAS"),
        ("TRÁFICO ILÍCITO DE MIGRANTES", "other", "TRAFICO ILICITO DE MIGRANTES"),
        ("TRATA DE PERSONAS", "human_trafficking", "TRATA DE PERSONAS"),
        # apologia is not terrorism
        ("APOLOGIA AL TERRORISMO", "apologia", "APOLOGIA AL TERRORISMO"),
        ("TERRORISMO", "terrorism", "TERRORISMO"),
        # doloso vs culposo homicide
        ("HOMICIDIO CULPOSO", "homicide", "HOMICIDIO CULPOSO"),
        ("HOMICIDIO CALIFICADO", "homicide", "HOMICIDIO CALIFICADO"),
        # a longer "other" name outranks a shorter category name inside it
        ("USURPACION DE FUNCIONES", "other", "USURPACION DE FUNCIONES"),
        ("USURPACION", "property_crimes", "USURPACION"),
        ("CONTRA EL PATRIMONIO CULTURAL", "other", "CONTRA EL PATRIMONIO CULTURAL"),
        ("USO DE ARMAS EN ESTADO DE EBRIEDAD", "other", "USO DE ARMAS EN ESTADO DE EBRIEDAD"),
        ("CHANTAJE SEXUAL", "sexual_violence", "CHANTAJE SEXUAL"),
        ("CHANTAJE", "property_crimes", "CHANTAJE"),
    ],
)
def test_tricky_pairs(classifier: CrimeClassifier, text: str, category: str, pattern: str) -> None:
    match = classifier.classify(text)
    assert (match.category, match.pattern) == (category, pattern)


def test_negligent_flag_and_articles(classifier: CrimeClassifier) -> None:
    assert classifier.classify("HOMICIDIO CULPOSO") == CrimeMatch(
        "homicide", "HOMICIDIO CULPOSO", True, "111"
    )
    assert classifier.classify("HOMICIDIO CALIFICADO") == CrimeMatch(
        "homicide", "HOMICIDIO CALIFICADO", False, "108"
    )
    assert classifier.classify("LESIONES CULPOSAS") == CrimeMatch("other", "LESIONES CULPOSAS", True, "124")
    assert classifier.classify("LAVADO DE ACTIVOS").articles is None  # D. Leg. 1106, outside the CP


@pytest.mark.parametrize(
    ("text", "negligent"),
    [
        ("HOMICIDIO CULPOSO AGRAVADO", True),  # pattern flag
        ("HOMICIDIO (CULPOSO)", True),
        ("HOMICIDIO EN SU FORMA CULPOSA", True),  # text marker; the pattern matched is HOMICIDIO
        ("LESIONES GRAVES CULPOSAS", True),  # text marker, no pattern at all
        ("CULPOSO", True),
        ("PECULADO DOLOSO Y CULPOSO", False),  # both: ambiguous, read as intentional
        ("HOMICIDIO CULPOSO / HOMICIDIO DOLOSO", False),
        ("HOMICIDIO", False),
        ("CULPABLE", False),
    ],
)
def test_negligent_markers(classifier: CrimeClassifier, text: str, negligent: bool) -> None:
    assert classifier.classify(text).negligent is negligent


@pytest.mark.parametrize(
    "text",
    [
        "TRÁFICO ILÍCITO DE DROGAS",
        "trafico ilicito de drogas",
        "Tráfico Ilícito De Drogas",
        "TRAFICO\u00a0ILICITO\u00a0DE DROGAS",
        "  TRAFICO   ILICITO\tDE\nDROGAS  ",
        "TRAFICO-ILICITO-DE-DROGAS.",
        '"TRAFICO ILICITO DE DROGAS"',
        "(TRAFICO ILICITO DE DROGAS)",
        "TRAFICO ILICITO DE DROGAS, ART. 296",
        "TRAFICO ILICITO DE DROGAS 🚫",
        "TRÃ\u0081FICO ILÃ\u008dCITO DE DROGAS",  # UTF-8 read as latin-1
        "TRAFICO ILI\u0301CITO DE DROGAS",  # decomposed accent
    ],
)
def test_spelling_variants_match_the_same_pattern(classifier: CrimeClassifier, text: str) -> None:
    assert classifier.classify(text) == CrimeMatch(
        "drug_trafficking", "TRAFICO ILICITO DE DROGAS", False, "296-298"
    )


@pytest.mark.parametrize(
    "text",
    [None, "", "   ", "\u00a0", "0", "-", "🙂", "😀😀", "NO", "\udcff", "PROBO", "TIDAL", "HURTADO"],
)
def test_empty_or_unrelated_input_is_other_without_pattern(
    classifier: CrimeClassifier, text: str | None
) -> None:
    assert classifier.classify(text) == CrimeMatch("other", None, False, None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, ""),
        (float("nan"), ""),  # pandas reads an empty cell as NaN
        ("", ""),
        ("Colusión agravada", "COLUSION AGRAVADA"),
        ("T.I.D.", "T I D"),
        ("FRAUDE EN LA ADM. DE LAS PERSONAS JURIDICAS", "FRAUDE EN LA ADM DE LAS PERSONAS JURIDICAS"),
        ("CONTRA LA FE PUBLICA - FALSIFICACION", "CONTRA LA FE PUBLICA FALSIFICACION"),
        ("a/b\"c'd(e),f", "A B C D E F"),
        ("DAÑOS\u00a0\u00a0 AGRAVADOS", "DANOS AGRAVADOS"),
        ("COLUSIÃ“N", "COLUSION"),  # UTF-8 read as cp1252
        ("Ã", "A"),  # looks like mojibake but is not: kept, then accent-stripped
        ("🚗 EBRIEDAD 🍺", "EBRIEDAD"),
        ("ART. 122-B", "ART 122 B"),
    ],
)
def test_normalize(text: str | None, expected: str) -> None:
    assert normalize(text) == expected


def test_longest_pattern_wins_even_across_two_crimes(classifier: CrimeClassifier) -> None:
    # Documented limit: one category per text, the longest pattern's.
    assert classifier.classify("LAVADO DE ACTIVOS Y CONTRA EL PATRIMONIO").category == "property_crimes"
    # Equal lengths: the crime named first wins.
    assert classifier.classify("PECULADO Y COLUSION").pattern == "PECULADO"
    assert classifier.classify("COLUSION Y PECULADO").pattern == "COLUSION"


def test_classify_many_caches_repeated_strings(classifier: CrimeClassifier) -> None:
    texts = ["OMISION DE ASISTENCIA FAMILIAR", None, "OMISION DE ASISTENCIA FAMILIAR", "ROBO"]
    results = classifier.classify_many(texts)
    assert results == [classifier.classify(text) for text in texts]
    assert results[0] is results[2]
    assert results[3].category == "property_crimes"


def test_only_the_first_characters_of_a_huge_text_are_read(classifier: CrimeClassifier) -> None:
    # A megabyte of typed text (quarantined by the schemas) must not cost seconds: past MAX_READ_CHARS
    # nothing is read, nor cached.
    padding = "X " * MAX_READ_CHARS
    assert classifier.classify("PECULADO " + padding).category == "corruption"
    assert classifier.classify(padding + "PECULADO").pattern is None
    assert normalize(padding + "PECULADO") == normalize(padding)


def test_packaged_csv_is_consistent() -> None:
    rules = load_rules()
    assert {rule.category for rule in rules} == CATEGORIES
    classifier = CrimeClassifier(rules)
    for rule in rules:  # every row is reachable: a pattern classifies as itself
        assert classifier.classify(rule.pattern).pattern == rule.pattern
    # the negligent column agrees with the wording of the row
    assert [r.pattern for r in rules if r.negligent] == [r.pattern for r in rules if "CULPOS" in r.pattern]


def write_csv(tmp_path: Path, rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "crimes.csv"
    path.write_text(header + rows, encoding="utf-8")
    return path


def test_from_csv_reads_a_given_file(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "ROBO,homicide,true,1-2;3-A,test\n")
    assert CrimeClassifier.from_csv(path).classify("robo") == CrimeMatch("homicide", "ROBO", True, "1-2;3-A")


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("ROBO,property_crimes,false,,\nHURTO,theft,false,,\n", r"line 3: unknown category 'theft'"),
        ("ROBO,property_crimes,false,,\nROBO,other,false,,\n", r"line 3: duplicate pattern 'ROBO'.*line 2"),
        ("robo,property_crimes,false,,\n", r"line 2: pattern 'robo' is not in normalised form"),
        ("COLUSIÓN,corruption,false,,\n", r"line 2: pattern 'COLUSIÓN'"),
        ("T.I.D.,drug_trafficking,false,,\n", r"line 2: pattern 'T.I.D.'"),
        ("TRATA  DE PERSONAS,human_trafficking,false,,\n", r"line 2: pattern 'TRATA  DE PERSONAS'"),
        (" ROBO,property_crimes,false,,\n", r"line 2: pattern ' ROBO'"),
        (",property_crimes,false,,\n", r"line 2: pattern ''"),
        ("ROBO,property_crimes,yes,,\n", r"line 2: negligent must be true or false"),
        ("ROBO,property_crimes,false,296–298,\n", r"line 2: malformed codigo_penal_articles"),
    ],
)
def test_invalid_csv_rows_are_rejected(tmp_path: Path, rows: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CrimeClassifier.from_csv(write_csv(tmp_path, rows))


def test_csv_without_a_required_column_is_rejected(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "ROBO,property_crimes,\n", header="pattern,category,note\n")
    with pytest.raises(ValueError, match=r"missing columns \['negligent', 'codigo_penal_articles'\]"):
        load_rules(path)
