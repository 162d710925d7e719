"""Fault: an empty list where there used to be rows (a candidate list, a roster).

Every candidate list coming back empty fails `stg_candidates` (the candidates already loaded stay); so does
one list coming back empty while the others still have rows; an empty roster fails `stg_legislators`.
"""

from tests.fault_pipeline import (  # noqa: F401 - `site` is a fixture
    LIST_PATH,
    OTHER_ASSETS,
    SENADO_PATH,
    list_body,
    site,
)
from tests.http_faults import Fault, When

EMPTY = Fault.json({"data": [], "count": 0, "totalPages": 0})
EMPTY_ROSTER = '<div data-congresista-app><script type="application/json">[]</script></div>'
SENATE_LIST = 20  # idTipoEleccion of the SENADO list (4 candidacies in the clean load)


def test_every_list_empty_fails_stg_candidates_and_keeps_the_candidates(site) -> None:  # noqa: F811
    before = site.staged()
    site.fault([(When(LIST_PATH), [EMPTY])])
    obs = site.observe_run()

    assert set(obs.failures) == {"stg_candidates"}
    message = obs.failures["stg_candidates"]
    assert "EG2026" in message and "no candidates" in message and site.server.url(LIST_PATH) in message
    assert OTHER_ASSETS | {"congress_rosters", "stg_legislators"} <= obs.succeeded
    assert not obs.requests_to("/jne/candidato/hoja-vida")
    assert obs.staged == before


def test_empty_roster_fails_stg_legislators_and_keeps_the_legislators(site) -> None:  # noqa: F811
    before = site.staged()
    site.fault({SENADO_PATH: [Fault.html(EMPTY_ROSTER)]})
    obs = site.observe_run()

    assert set(obs.failures) == {"stg_legislators"}
    assert "holds no legislators" in obs.failures["stg_legislators"]
    assert site.server.url(SENADO_PATH) in obs.failures["stg_legislators"]
    assert obs.staged == before


def test_one_list_empty_that_had_rows_is_an_error(site) -> None:  # noqa: F811
    before = site.staged()
    senators = [c for c in before["stg_candidates"] if c.office == "SENADO"]
    assert len(senators) == 4
    site.fault([(When(LIST_PATH, body=list_body(SENATE_LIST)), [EMPTY])])
    obs = site.observe_run()

    assert "stg_candidates" in obs.failures
    assert obs.staged == before
