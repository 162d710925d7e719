"""Fault: a hoja de vida whose sentences read well but whose declaration is malformed.

The sentence tables and the declaration tables are read from the same bodies in one pass, but judged apart:
that hoja de vida's sentences are loaded from the new body, its declaration is quarantined in both
declaration tables (check `parse`, with the URL and the reason), and the partition succeeds. The document is
the real recording, verbatim, with only `declaracionJurada` added as a list where an object belongs.
"""

import hashlib
import json

from pipeline.settings import RECORDINGS_DIR
from tests.fault_pipeline import (  # noqa: F401 - `site` is a fixture
    HV_WITH_SENTENCES,
    hv_sentences,
    hv_target,
    site,
)
from tests.http_faults import JSON, Reply

TARGET = hv_target(HV_WITH_SENTENCES)
DOCUMENT = json.loads((RECORDINGS_DIR / "jne" / "hoja-vida" / f"{HV_WITH_SENTENCES}.json").read_bytes())
BROKEN_DECLARATION = json.dumps({**DOCUMENT, "declaracionJurada": []}, ensure_ascii=False).encode()
DECLARATION_TABLES = {"stg_declared_income", "stg_declared_assets"}
SENTENCE_TABLES = {"stg_criminal_sentences", "stg_civil_sentences"}


def test_a_malformed_declaration_does_not_hold_back_the_sentences(site) -> None:  # noqa: F811
    before = hv_sentences(site.staged(), "stg_criminal_sentences", HV_WITH_SENTENCES)
    assert before, "the recording declares sentences"
    site.fault([(TARGET, [Reply(200, BROKEN_DECLARATION, content_type=JSON)])])
    obs = site.observe_run()
    assert obs.success and not obs.failures, obs.failures
    loaded = hv_sentences(obs.staged, "stg_criminal_sentences", HV_WITH_SENTENCES)
    assert {row.archive_sha256 for row in loaded} == {hashlib.sha256(BROKEN_DECLARATION).hexdigest()}
    assert sorted(row.item_id for row in loaded) == sorted(row.item_id for row in before)
    mine = [q for q in obs.quarantine if q[4] and q[4].endswith(TARGET)]
    assert {q[0] for q in mine if q[1] == "parse"} == DECLARATION_TABLES
    assert all("declaracionJurada" in q[3] for q in mine if q[0] in DECLARATION_TABLES)
    assert not [q for q in mine if q[0] in SENTENCE_TABLES]
