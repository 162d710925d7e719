"""Fault: 429 Too Many Requests with Retry-After.

The client waits what Retry-After asks (capped) before retrying, retries a bounded number of times, and a
candidate whose hoja de vida stays throttled is recorded (HTTP 429) without failing the partition; the next
run fetches it again.
"""

import pytest

from tests.fault_pipeline import (
    HV_WITH_SENTENCES,
    RETRIES,
    Scenario,
    assert_partition_survives_one_hv_failure,
    assert_recovers_next_run,
    fault_then_heal,
    hv_target,
    lost_rows,
    open_site,
)
from tests.http_faults import Fault

TARGET = hv_target(HV_WITH_SENTENCES)
PATIENT_HV = 990013  # throttled once, then answered


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    with open_site(tmp_path_factory.mktemp("rate-limit")) as opened:
        yield fault_then_heal(
            opened,
            {
                TARGET: [Fault.too_many("1")],
                hv_target(PATIENT_HV): [Fault.too_many("1"), Fault.recover()],
            },
        )


def test_retry_after_is_honoured_then_the_answer_loads(scenario: Scenario) -> None:
    first, second = scenario.faulted.requests_to(hv_target(PATIENT_HV))
    assert second.at - first.at >= 0.95, "Retry-After: 1 must be waited before retrying"
    assert scenario.faulted.fetch_failure(f"IdHojaVida={PATIENT_HV}") is None
    loaded = [r for r in scenario.faulted.staged["stg_criminal_sentences"] if r.id_hoja_vida == PATIENT_HV]
    assert len(loaded) == 2


def test_persistent_429_is_retried_boundedly_each_time_after_retry_after(scenario: Scenario) -> None:
    tries = scenario.faulted.requests_to(TARGET)
    assert len(tries) == RETRIES + 1
    assert all(b.at - a.at >= 0.95 for a, b in zip(tries, tries[1:], strict=False))


def test_throttled_candidate_is_recorded_and_does_not_fail_the_partition(scenario: Scenario) -> None:
    assert_partition_survives_one_hv_failure(scenario.faulted, HV_WITH_SENTENCES)
    asset, url, status, error = scenario.faulted.fetch_failure(f"IdHojaVida={HV_WITH_SENTENCES}")
    assert (asset, status, error) == ("jne_hojas_vida", 429, None)


def test_next_run_fetches_it_again_and_loads_it(scenario: Scenario) -> None:
    assert_recovers_next_run(scenario, TARGET)


def test_nothing_already_loaded_is_lost(scenario: Scenario) -> None:
    assert lost_rows(scenario.before, scenario.faulted.staged) == dict.fromkeys(scenario.before, 0)
