"""Fault: 500/502/503 answers, in bursts a retry outlasts and from a server that stays down.

Retries are bounded (PIPELINE_HTTP_RETRIES + 1 requests) and back off (urllib3: 0.5 s, then 1 s); one
candidate's hoja de vida failing is recorded in fetch_failures and does not fail the partition; the next run
fetches it again; a source that answers nothing but 503 fails its own asset, naming the source and the URL,
while the Congress and court-ruling assets complete and nothing already loaded is lost.
"""

import pytest

from tests.fault_pipeline import (  # noqa: F401 - `site` is a fixture
    HV_WITH_SENTENCES,
    LIST_PATH,
    RETRIES,
    Scenario,
    assert_partition_survives_one_hv_failure,
    assert_recovers_next_run,
    fault_then_heal,
    hv_sentences,
    hv_target,
    lost_rows,
    open_site,
    site,
)
from tests.http_faults import Fault, When

TARGET = hv_target(HV_WITH_SENTENCES)
BURST_HV = 990013  # another candidate with declared sentences, whose server recovers within the retries


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    with open_site(tmp_path_factory.mktemp("server-errors")) as opened:
        yield fault_then_heal(
            opened,
            {
                TARGET: Fault.burst([500, 502, 503, 500, 502, 503], then=Fault.status(503)),
                hv_target(BURST_HV): Fault.burst([503, 502], then=Fault.recover()),
            },
        )


def _gaps(requests) -> list[float]:
    return [later.at - earlier.at for earlier, later in zip(requests, requests[1:], strict=False)]


def test_retries_are_bounded_and_back_off(scenario: Scenario) -> None:
    tries = scenario.faulted.requests_to(TARGET)
    assert len(tries) == RETRIES + 1
    gaps = _gaps(tries)
    # urllib3's backoff with factor 0.5: 0.5 s before the first retry, 1 s before the second (+ jitter).
    assert gaps[0] >= 0.45, f"the first retry must wait the backoff, waited {gaps[0]:.3f}s"
    assert gaps[1] >= 0.95, f"the backoff must grow between retries: {gaps}"
    assert max(gaps) < 5, f"backoff far beyond the configured factor: {gaps}"


def test_burst_shorter_than_the_retries_is_absorbed(scenario: Scenario) -> None:
    tries = scenario.faulted.requests_to(hv_target(BURST_HV))
    assert len(tries) == 3  # 503, 502, then the answer
    assert scenario.faulted.fetch_failure(f"IdHojaVida={BURST_HV}") is None


def test_one_candidate_failing_is_recorded_and_does_not_fail_the_partition(scenario: Scenario) -> None:
    faulted = scenario.faulted
    assert_partition_survives_one_hv_failure(faulted, HV_WITH_SENTENCES)
    asset, url, status, error = faulted.fetch_failure(f"IdHojaVida={HV_WITH_SENTENCES}")
    assert (asset, status, error) == ("jne_hojas_vida", 503, None)
    assert url.endswith(TARGET)


def test_next_run_fetches_it_again_and_loads_it(scenario: Scenario) -> None:
    assert_recovers_next_run(scenario, TARGET)
    assert hv_sentences(scenario.healed.staged, "stg_criminal_sentences", HV_WITH_SENTENCES)


def test_nothing_already_loaded_is_lost(scenario: Scenario) -> None:
    assert lost_rows(scenario.before, scenario.faulted.staged) == dict.fromkeys(scenario.before, 0)


def test_source_down_fails_its_own_assets_naming_source_and_url(site) -> None:  # noqa: F811
    before = site.staged()
    site.fault([(When("/jne/*"), [Fault.status(503, b"Service Unavailable")])])
    obs = site.observe_run()

    assert not obs.success
    assert set(obs.failures) == {"jne_candidate_lists"}
    message = obs.failures["jne_candidate_lists"]
    assert "'jne'" in message and site.server.url(LIST_PATH) in message and "HTTP 503" in message
    # The other sources complete.
    assert {"congress_rosters", "stg_legislators", "court_rulings_file", "stg_court_rulings"} <= obs.succeeded
    # Retries are bounded: each of the four list requests was tried RETRIES + 1 times, nothing more.
    assert len(obs.requests_to(LIST_PATH)) == 4 * (RETRIES + 1)
    assert not obs.requests_to("/jne/candidato/hoja-vida")
    assert lost_rows(before, obs.staged) == dict.fromkeys(before, 0)
    assert obs.staged == before
