"""Tests of the Congress roster parsers against the recorded demo pages and broken variants."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from pipeline.settings import RECORDINGS_DIR
from pipeline.sources.congreso import (
    LayoutChangedError,
    parse_bicameral_roster,
    parse_unicameral_profile,
    parse_unicameral_roster,
)

RECORDINGS = RECORDINGS_DIR / "congreso"
BROKEN = Path(__file__).resolve().parent / "recordings" / "congreso"

REPLAY = "http://127.0.0.1:8765"
SENADO_URL = f"{REPLAY}/senado/senador/"
DIPUTADOS_URL = f"{REPLAY}/diputados/diputado/"
WWW3_URL = f"{REPLAY}/www3/pagina/congresistas"

BICAMERAL_KEYS = {
    "chamber",
    "period",
    "full_name",
    "party",
    "parliamentary_group",
    "district",
    "condition",
    "profile_url",
    "source_url",
}
PERSONAL_KEYS = {"email", "photo", "gender", "address", "phone", "birth_date"}


def _read(path: Path) -> bytes:
    return path.read_bytes()


# --- 2026-2031 bicameral rosters -------------------------------------------------------------------


def test_senado_roster_exact_rows() -> None:
    rows = parse_bicameral_roster(_read(RECORDINGS / "senado/senador/index.html"), SENADO_URL, "senado")
    assert rows == [
        {
            "chamber": "senado",
            "period": "2026-2031",
            "full_name": "Ana Lucía Ejemplo Prueba",
            "party": "Partido Demostrativo Nacional",
            "parliamentary_group": "Bancada Demostrativa",
            "district": "Nacional",
            "condition": "En ejercicio",
            "profile_url": f"{REPLAY}/senado/senador/ana-lucia-ejemplo-prueba/",
            "source_url": SENADO_URL,
        },
        {
            "chamber": "senado",
            "period": "2026-2031",
            "full_name": "María Isabel Prueba Ejemplo",
            "party": "Alianza Ejemplo",
            # the recording writes "Bancada Alianza Ejemplo " with a trailing space: stripped
            "parliamentary_group": "Bancada Alianza Ejemplo",
            "district": "Nacional",
            "condition": "En ejercicio",
            "profile_url": f"{REPLAY}/senado/senador/maria-isabel-prueba-ejemplo/",
            "source_url": SENADO_URL,
        },
    ]


def test_diputados_roster_names_parties_districts_conditions() -> None:
    rows = parse_bicameral_roster(
        _read(RECORDINGS / "diputados/diputado/index.html"), DIPUTADOS_URL, "diputados"
    )
    got = [(r["full_name"], r["party"], r["district"], r["condition"]) for r in rows]
    assert got == [
        ("Carlos Alberto Muestra Ficticio", "Alianza Ejemplo", "Lima Metropolitana", "En ejercicio"),
        ("Jorge Luis Modelo Inventado", "Partido Demostrativo Nacional", "Cusco", "En ejercicio"),
        ("Luis Enrique Ficticio Muestra", "Alianza Ejemplo", "Lima Metropolitana", "En ejercicio"),
        ("Rosa Elvira Simulado Demostrativo", "Alianza Ejemplo", "Cusco", "Licencia"),
    ]
    assert {r["chamber"] for r in rows} == {"diputados"}
    assert {r["period"] for r in rows} == {"2026-2031"}
    assert rows[1]["profile_url"] == f"{REPLAY}/diputados/diputado/jorge-luis-modelo-inventado/"


def test_bicameral_profile_urls_resolve_against_the_real_host() -> None:
    rows = parse_bicameral_roster(
        _read(RECORDINGS / "senado/senador/index.html"), "https://senado.congreso.gob.pe/senador/", "senado"
    )
    assert rows[0]["profile_url"] == "https://senado.congreso.gob.pe/senador/ana-lucia-ejemplo-prueba/"
    assert all(r["source_url"] == "https://senado.congreso.gob.pe/senador/" for r in rows)


@pytest.mark.parametrize(
    ("path", "url", "chamber"),
    [
        ("senado/senador/index.html", SENADO_URL, "senado"),
        ("diputados/diputado/index.html", DIPUTADOS_URL, "diputados"),
    ],
)
def test_bicameral_rows_carry_no_personal_data(path: str, url: str, chamber: str) -> None:
    body = _read(RECORDINGS / path)
    assert b"@congreso.gob.pe" in body  # the recording does carry emails, the parser must drop them
    rows = parse_bicameral_roster(body, url, chamber)
    for row in rows:
        assert set(row) == BICAMERAL_KEYS
        assert not set(row) & PERSONAL_KEYS
        assert not any("@" in str(v) for v in row.values())
        assert not any("/static/fotos/" in str(v) for v in row.values())


def test_bicameral_ignores_json_scripts_outside_the_app_element() -> None:
    # the senate recording has a site-config JSON script in <head>; only the app's script is the roster
    rows = parse_bicameral_roster(_read(RECORDINGS / "senado/senador/index.html"), SENADO_URL, "senado")
    assert len(rows) == 2


def test_bicameral_accepts_str_body_and_wrapped_list() -> None:
    body = (
        '<div data-congresista-app><script type="application/json">'
        '{"items": [{"name": " Jorge Luis Modelo Inventado ", "partido": "Partido Demostrativo Nacional",'
        ' "period": "2026 - 2031", "url": "https://diputados.congreso.gob.pe/diputado/jlmi/"}]}'
        "</script></div>"
    )
    (row,) = parse_bicameral_roster(body, DIPUTADOS_URL, "diputados")
    assert row["full_name"] == "Jorge Luis Modelo Inventado"
    assert row["period"] == "2026-2031"
    assert row["profile_url"] == "https://diputados.congreso.gob.pe/diputado/jlmi/"
    assert row["district"] is None


def test_bicameral_reads_the_json_script_whatever_the_case_of_its_type() -> None:
    """As CSS matches [type="application/json"] in HTML; a script of another type is not the roster."""
    body = (
        '<div data-congresista-app><script type="text/plain">[{"name": "No Es"}]</script>'
        '<script type="Application/JSON">[{"name": "Ana Lucía Ejemplo Prueba"}]</script></div>'
    )
    (row,) = parse_bicameral_roster(body, SENADO_URL, "senado")
    assert row["full_name"] == "Ana Lucía Ejemplo Prueba"


def test_bicameral_rejects_unknown_chamber() -> None:
    with pytest.raises(ValueError, match="chamber"):
        parse_bicameral_roster(_read(RECORDINGS / "senado/senador/index.html"), SENADO_URL, "congreso")


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("senado_layout_changed.html", "data-congresista-app"),
        ("senado_malformed_json.html", "malformed roster JSON"),
        ("senado_empty_list.html", "no legislators"),
    ],
)
def test_broken_senado_pages_raise_layout_changed(fixture: str, expected: str) -> None:
    url = f"https://senado.congreso.gob.pe/senador/?fixture={fixture}"
    with pytest.raises(LayoutChangedError) as excinfo:
        parse_bicameral_roster(_read(BROKEN / fixture), url, "senado")
    assert url in str(excinfo.value)
    assert expected in str(excinfo.value)


def test_malformed_json_is_not_a_json_traceback() -> None:
    with pytest.raises(LayoutChangedError) as excinfo:
        parse_bicameral_roster(_read(BROKEN / "senado_malformed_json.html"), SENADO_URL, "senado")
    assert isinstance(excinfo.value.__cause__, json.JSONDecodeError)
    assert not isinstance(excinfo.value, json.JSONDecodeError)


def test_app_element_without_script_raises() -> None:
    body = "<div data-congresista-app><p>Cargando…</p></div>"
    with pytest.raises(LayoutChangedError, match="script"):
        parse_bicameral_roster(body, SENADO_URL, "senado")


def test_item_without_name_raises() -> None:
    body = '<div data-congresista-app><script type="application/json">[{"partido": "X"}]</script></div>'
    with pytest.raises(LayoutChangedError, match="name"):
        parse_bicameral_roster(body, SENADO_URL, "senado")


# --- unicameral roster and profiles (to 2021-2026) ------------------------------------------------


def test_unicameral_roster_rows() -> None:
    rows = parse_unicameral_roster(_read(RECORDINGS / "www3/pagina/congresistas/index.html"), WWW3_URL)
    assert rows == [
        {
            "chamber": "congreso",
            "period": "2021-2026",
            "full_name": "INVENTADO SIMULADO, PEDRO PABLO",
            "profile_url": f"{REPLAY}/www3/congresista/pedro-pablo-inventado-simulado.html",
            "source_url": WWW3_URL,
        },
        {
            "chamber": "congreso",
            "period": "2021-2026",
            # the recording splits this name over two lines with a double space: whitespace collapsed
            "full_name": "DEMOSTRATIVO MODELO, CARMEN ROSA",
            "profile_url": f"{REPLAY}/www3/congresista/carmen-rosa-demostrativo-modelo.html",
            "source_url": WWW3_URL,
        },
        {
            "chamber": "congreso",
            "period": "2021-2026",
            "full_name": "FICTICIO EJEMPLO, JUAN CARLOS",
            "profile_url": f"{REPLAY}/www3/congresista/juan-carlos-ficticio-ejemplo.html",
            "source_url": WWW3_URL,
        },
    ]


def test_unicameral_profile_links_resolve_against_the_real_host() -> None:
    url = "https://www3.congreso.gob.pe/pagina/congresistas"
    rows = parse_unicameral_roster(_read(RECORDINGS / "www3/pagina/congresistas/index.html"), url)
    assert (
        rows[0]["profile_url"]
        == "https://www3.congreso.gob.pe/congresista/pedro-pablo-inventado-simulado.html"
    )


def test_unicameral_period_defaults_to_first_option_when_none_selected() -> None:
    body = (
        '<select name="idRegistroPadre"><option>Parlamentario 2016 - 2021</option>'
        "<option>Parlamentario 2011 - 2016</option></select>"
        '<table class="congresistas"><tr><td>'
        '<a class="conginfo" href="x.html">MODELO, ANA</a></td></tr></table>'
    )
    (row,) = parse_unicameral_roster(body, WWW3_URL)
    assert row["period"] == "2016-2021"
    assert row["profile_url"] == f"{REPLAY}/www3/pagina/x.html"


def test_unicameral_roster_reads_the_marked_option_and_classes_among_others() -> None:
    """The selectors as CSS means them: the option marked selected wherever it is, a class among several on
    an element, and no element without the class (another table, a link of another class)."""
    body = (
        '<select name="periodo"><option selected>Parlamentario 2001 - 2006</option></select>'
        '<select name="idRegistroPadre"><option>Parlamentario 2016 - 2021</option>'
        '<option selected="selected">Parlamentario 2011 - 2016</option></select>'
        '<table class="otros"><tr><td><a class="conginfo" href="no.html">NO, ES</a></td></tr></table>'
        '<table class="tabla congresistas"><tr><td><a class="foto conginfo" href="x.html"></a>'
        '<a class="enlace" href="y.html">OTRO, ENLACE</a>'
        '<a class="conginfo nombre" href="x.html">MODELO, ANA</a></td></tr></table>'
    )
    (row,) = parse_unicameral_roster(body, WWW3_URL)
    assert row["period"] == "2011-2016"
    assert row["full_name"] == "MODELO, ANA"
    assert row["profile_url"] == f"{REPLAY}/www3/pagina/x.html"


def test_unicameral_roster_table_without_class_raises() -> None:
    url = "https://www3.congreso.gob.pe/pagina/congresistas?fixture=no-class"
    with pytest.raises(LayoutChangedError) as excinfo:
        parse_unicameral_roster(_read(BROKEN / "www3_congresistas_table_no_class.html"), url)
    assert url in str(excinfo.value)
    assert "table.congresistas" in str(excinfo.value)


def test_unicameral_roster_without_rows_or_selector_raises() -> None:
    no_rows = (
        '<select name="idRegistroPadre"><option selected>2021 - 2026</option></select>'
        '<table class="congresistas"><tr><th>Congresista</th></tr></table>'
    )
    with pytest.raises(LayoutChangedError, match="a.conginfo"):
        parse_unicameral_roster(no_rows, WWW3_URL)
    no_selector = (
        '<table class="congresistas"><tr><td><a class="conginfo" href="x">A, B</a></td></tr></table>'
    )
    with pytest.raises(LayoutChangedError, match="idRegistroPadre"):
        parse_unicameral_roster(no_selector, WWW3_URL)


@pytest.mark.parametrize(
    ("slug", "expected"),
    [
        (
            "pedro-pablo-inventado-simulado",
            {
                "full_name": "Pedro Pablo Inventado Simulado",
                "party": "PARTIDO DEMOSTRATIVO NACIONAL",
                "parliamentary_group": "Bancada Demostrativa",
                "district": "LIMA",
                "condition": "en ejercicio",
                "votes": 45210,
            },
        ),
        (
            "carmen-rosa-demostrativo-modelo",
            {
                "full_name": "Carmen Rosa Demostrativo Modelo",
                "party": "ALIANZA EJEMPLO",
                "parliamentary_group": "Alianza Ejemplo",
                "district": "AREQUIPA",
                "condition": "en ejercicio",
                "votes": 12345,
            },
        ),
        (
            "juan-carlos-ficticio-ejemplo",
            {
                "full_name": "Juan Carlos Ficticio Ejemplo",
                "party": "ALIANZA EJEMPLO",
                "parliamentary_group": "Alianza Ejemplo",
                "district": "CUSCO",
                "condition": "licencia",
                "votes": 8901,  # written as plain text "Votación: 8901 votos"
            },
        ),
    ],
)
def test_unicameral_profiles(slug: str, expected: dict) -> None:
    url = f"{REPLAY}/www3/congresista/{slug}.html"
    profile = parse_unicameral_profile(_read(RECORDINGS / f"www3/congresista/{slug}.html"), url)
    assert profile == {**expected, "profile_url": url}


def test_profile_label_rule_and_missing_fields() -> None:
    body = (
        '<h1 class="nombres">Rosa Elvira Simulado Demostrativo</h1>'
        '<div class="grupo"><strong>Grupo Parlamentario:</strong> ALIANZA EJEMPLO</div>'
        '<div class="bancada">Bancada: Alianza Ejemplo</div>'
        '<div class="representa"><b>LIMA</b> <span>PROVINCIAS</span></div>'
        '<div class="votacion"></div>'
    )
    profile = parse_unicameral_profile(body, "u")
    assert profile["full_name"] == "Rosa Elvira Simulado Demostrativo"
    assert profile["party"] == "ALIANZA EJEMPLO"
    assert profile["parliamentary_group"] == "Alianza Ejemplo"
    assert profile["district"] == "LIMA PROVINCIAS"  # no colon: not a label, kept
    assert profile["votes"] is None
    assert profile["condition"] is None


def test_profile_votes_with_dot_thousands_separator() -> None:
    body = '<p class="nombres">X</p><p class="votacion">Votos: 1.234.567</p>'
    assert parse_unicameral_profile(body, "u")["votes"] == 1234567


def test_profile_without_nombres_raises() -> None:
    url = f"{REPLAY}/www3/congresista/sin-nombres.html"
    with pytest.raises(LayoutChangedError) as excinfo:
        parse_unicameral_profile(_read(BROKEN / "www3_profile_no_nombres.html"), url)
    assert url in str(excinfo.value)
    assert ".nombres" in str(excinfo.value)


# --- recording index ---------------------------------------------------------------------------------


def test_index_lists_every_recording_and_roster_links_are_served() -> None:
    index = json.loads((RECORDINGS / "index.json").read_text(encoding="utf-8"))
    routes = index["routes"]
    files = {r["file"] for r in routes}
    on_disk = {str(p.relative_to(RECORDINGS)) for p in RECORDINGS.rglob("*.html")}
    assert files == on_disk
    for route in routes:
        assert route["method"] == "GET" and route["status"] == 200 and route["query"] == {}
        assert route["content_type"] == "text/html; charset=utf-8"
        assert (RECORDINGS / route["file"]).is_file()
    paths = {r["path"] for r in routes}
    rows = parse_unicameral_roster(_read(RECORDINGS / "www3/pagina/congresistas/index.html"), WWW3_URL)
    for row in rows:
        assert urlsplit(row["profile_url"]).path in paths
