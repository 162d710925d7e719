"""Fault: connections reset by the server (TCP RST) instead of an answer.

A reset is a connection error: retried a bounded number of times, recorded with its reason, and for one
candidate it does not fail the partition (the next run loads it). A Congress site that resets every
connection fails the roster asset naming the URL, while the JNE and court-ruling assets complete and the
legislators already loaded stay.
"""

import pytest

from tests.fault_pipeline import (  # noqa: F401 - `site` is a fixture
    DIPUTADOS_PATH,
    HV_WITH_SENTENCES,
    JNE_ASSETS,
    OTHER_ASSETS,
    RETRIES,
    SENADO_PATH,
    Scenario,
    assert_partition_survives_one_hv_failure,
    assert_recovers_next_run,
    fault_then_heal,
    hv_target,
    lost_rows,
    open_site,
    site,
)
from tests.http_faults import Fault

TARGET = hv_target(HV_WITH_SENTENCES)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    with open_site(tmp_path_factory.mktemp("reset")) as opened:
        yield fault_then_heal(opened, {TARGET: [Fault.reset()]})


def test_reset_is_retried_a_bounded_number_of_times(scenario: Scenario) -> None:
    assert len(scenario.faulted.requests_to(TARGET)) == RETRIES + 1


def test_reset_is_recorded_with_its_reason_and_does_not_fail_the_partition(scenario: Scenario) -> None:
    assert_partition_survives_one_hv_failure(scenario.faulted, HV_WITH_SENTENCES)
    asset, url, status, error = scenario.faulted.fetch_failure(f"IdHojaVida={HV_WITH_SENTENCES}")
    assert asset == "jne_hojas_vida" and status is None and url.endswith(TARGET)
    assert error.startswith("ConnectionError") and "reset" in error.lower()


def test_next_run_fetches_it_again_and_loads_it(scenario: Scenario) -> None:
    assert_recovers_next_run(scenario, TARGET)


def test_nothing_already_loaded_is_lost(scenario: Scenario) -> None:
    assert lost_rows(scenario.before, scenario.faulted.staged) == dict.fromkeys(scenario.before, 0)


def test_congress_down_fails_the_roster_asset_naming_the_url_and_others_complete(site) -> None:  # noqa: F811
    before = site.staged()
    site.fault({SENADO_PATH: [Fault.reset()], DIPUTADOS_PATH: [Fault.reset()]})
    obs = site.observe_run()

    assert set(obs.failures) == {"congress_rosters"}
    message = obs.failures["congress_rosters"]
    assert "'congreso'" in message and site.server.url(SENADO_PATH) in message
    assert "ConnectionError" in message
    assert obs.succeeded >= JNE_ASSETS | OTHER_ASSETS
    assert len(obs.requests_to(SENADO_PATH)) == RETRIES + 1
    assert obs.staged == before  # the legislators loaded before are still there


def test_senate_site_down_fails_its_asset_and_keeps_the_senators(site) -> None:  # noqa: F811
    before = site.staged()
    site.fault({SENADO_PATH: [Fault.reset()]})
    obs = site.observe_run()

    assert obs.succeeded >= JNE_ASSETS | OTHER_ASSETS
    assert any(site.server.url(SENADO_PATH) in message for message in obs.failures.values()), obs.failures
    assert obs.staged["stg_legislators"] == before["stg_legislators"]
