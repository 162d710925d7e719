"""Fault: a huge body (tens of MB) where a hoja de vida is expected.

A 40 MB page that is not JSON ends as a quarantined parse error within seconds and without unbounded memory;
the partition goes on and the next run loads the real document. A valid document carrying a huge field is
quarantined too (no crime name is megabytes long), within the same time.
"""

import json
import resource

import pytest

from pipeline.schemas.common import CRIME_MAX
from pipeline.settings import RECORDINGS_DIR
from tests.fault_pipeline import (  # noqa: F401 - `site` is a fixture
    HV_WITH_SENTENCES,
    Scenario,
    assert_partition_survives_one_hv_failure,
    assert_recovers_next_run,
    fault_then_heal,
    hv_target,
    lost_rows,
    open_site,
    site,
)
from tests.http_faults import JSON, Fault, Reply

TARGET = hv_target(HV_WITH_SENTENCES)
HUGE_MB = 40
MAX_RUN_S = 60.0  # a clean run takes ~5 s
MAX_RSS_GROWTH_MB = 1024


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    with open_site(tmp_path_factory.mktemp("huge-body")) as opened:
        rss = _rss_mb()
        result = fault_then_heal(opened, {TARGET: [Fault.huge(HUGE_MB)]})
        result.faulted.extra["rss_growth_mb"] = _rss_mb() - rss
        yield result


def test_huge_non_json_body_is_quarantined_as_a_parse_error(scenario: Scenario) -> None:
    faulted = scenario.faulted
    assert_partition_survives_one_hv_failure(faulted, HV_WITH_SENTENCES)
    rows = [q for q in faulted.quarantine if q[4] and q[4].endswith(TARGET)]
    assert {q[0] for q in rows} >= {"stg_criminal_sentences", "stg_civil_sentences"}
    for row in rows:
        assert row[1] == "parse" and "not valid JSON" in row[3]
        assert len(row[3]) < 1000, "the quarantine reason must not carry the body"


def test_huge_body_keeps_time_and_memory_sane(scenario: Scenario) -> None:
    assert scenario.faulted.elapsed_s < MAX_RUN_S
    assert scenario.faulted.extra["rss_growth_mb"] < MAX_RSS_GROWTH_MB


def test_next_run_fetches_it_again_and_loads_it(scenario: Scenario) -> None:
    assert_recovers_next_run(scenario, TARGET)


def test_nothing_already_loaded_is_lost(scenario: Scenario) -> None:
    assert lost_rows(scenario.before, scenario.faulted.staged) == dict.fromkeys(scenario.before, 0)


def test_huge_field_in_a_valid_document_is_quarantined(site) -> None:  # noqa: F811
    document = json.loads((RECORDINGS_DIR / "jne" / "hoja-vida" / f"{HV_WITH_SENTENCES}.json").read_text())
    document["sentenciaPenal"][0]["txDelitoPenal"] = "TRAFICO ILICITO DE DROGAS " * 40_000  # 1 MB
    site.fault({TARGET: [Reply(200, json.dumps(document).encode(), content_type=JSON)]})
    obs = site.observe_run()

    assert obs.elapsed_s < MAX_RUN_S
    longest = max(len(row.crime_text or "") for row in obs.staged["stg_criminal_sentences"])
    assert longest < 10_000, f"a {longest}-character crime text was loaded"
    (row,) = [q for q in obs.quarantine if q[4] and q[4].endswith(TARGET)]
    assert row[:3] == ("stg_criminal_sentences", f"longer than {CRIME_MAX} characters", "crime_text")
    assert len(row[3]) < 10_000, "the quarantine row must not copy the megabyte (the archive holds it)"
