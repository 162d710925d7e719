"""Fault: a page or document whose layout changed.

A parser that finds nothing where it used to find rows is an error, not an empty table: the asset fails with a
message naming the URL and what is missing, the rows already loaded stay, and the other sources complete.
"""

from tests.fault_pipeline import (  # noqa: F401 - `site` is a fixture
    HV_PATH,
    JNE_ASSETS,
    LIST_PATH,
    OTHER_ASSETS,
    SENADO_PATH,
    site,
)
from tests.http_faults import Fault, When

REDESIGNED_ROSTER = """<!DOCTYPE html><html lang="es"><head><title>Senado</title></head><body>
<main><h1>Senadores</h1><ul class="senadores-grid">
<li class="card"><a href="/senador/ana">Ana Lucía Ejemplo Prueba</a></li>
</ul></main></body></html>"""


def test_redesigned_roster_fails_stg_legislators_and_keeps_the_legislators(site) -> None:  # noqa: F811
    before = site.staged()
    site.fault({SENADO_PATH: [Fault.html(REDESIGNED_ROSTER)]})
    obs = site.observe_run()

    assert set(obs.failures) == {"stg_legislators"}
    message = obs.failures["stg_legislators"]
    assert site.server.url(SENADO_PATH) in message and "data-congresista-app" in message
    assert JNE_ASSETS | OTHER_ASSETS | {"congress_rosters"} <= obs.succeeded
    assert obs.staged == before


def test_changed_list_envelope_fails_stg_candidates_and_keeps_the_candidates(site) -> None:  # noqa: F811
    before = site.staged()
    site.fault([(When(LIST_PATH), [Fault.json({"items": [{"dni": "99000001"}], "total": 1})])])
    obs = site.observe_run()

    assert set(obs.failures) == {"stg_candidates"}
    message = obs.failures["stg_candidates"]
    assert "format probably changed" in message and site.server.url(LIST_PATH) in message
    assert OTHER_ASSETS | {"congress_rosters", "stg_legislators"} <= obs.succeeded
    assert obs.staged == before


def test_changed_hoja_de_vida_layout_fails_stg_hojas_vida_and_keeps_the_sentences(site) -> None:  # noqa: F811
    before = site.staged()
    renamed = {"datoGeneral": {"idProcesoElectoral": 124}, "sentencias": {"penal": [], "obligacion": []}}
    site.fault([(When(HV_PATH), [Fault.json(renamed)])])
    obs = site.observe_run()

    assert all(q[1] == "parse" and "lacks the 'sentenciaPenal'" in q[3] for q in obs.quarantine)
    assert "stg_hojas_vida" in obs.failures, "a layout change of every hoja de vida must fail the asset"
    assert obs.staged == before
