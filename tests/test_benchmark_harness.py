"""The benchmark harness of issue 6 (benchmarks/) stays runnable.

The small version (1,500 candidates, no peers) must print every figure; its targets are not judged here, nor
by it (a small run cannot judge them): the judged figures are those of a full run, in benchmarks/README.md.
The generator and the server get quick checks of what later optimisations will lean on: deterministic
documents, the JNE paging convention, and ETag / Last-Modified revalidation.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from benchmarks.generate import HV_FILE, LISTS_FILE, generate
from benchmarks.run import REQUIRED_FIGURES
from benchmarks.server import BenchServer, Election
from tests.support import ROOT

SMALL_RUN_BUDGET_S = 180  # about 40 s alone; room for a loaded 2-core CI machine


@pytest.fixture(scope="module")
def election(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("election")
    generate(out, candidates=60, seed=3)
    return out


@pytest.fixture
def server(election: Path):
    httpd = BenchServer(Election(election), latency_s=0.0)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()


def _call(url: str, body: dict | None = None, headers: dict | None = None) -> tuple[int, dict, bytes]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url, data=data, headers={"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_generator_is_deterministic_and_invented(election: Path, tmp_path: Path) -> None:
    again = generate(tmp_path, candidates=60, seed=3)
    assert (tmp_path / LISTS_FILE).read_bytes() == (election / LISTS_FILE).read_bytes()
    assert gzip.decompress((tmp_path / HV_FILE).read_bytes()) == gzip.decompress(
        (election / HV_FILE).read_bytes()
    )
    assert sum(spec["count"] for spec in again["lists"]) == 60
    rows = [json.loads(line) for line in (election / LISTS_FILE).read_text(encoding="utf-8").splitlines()]
    assert all(row["txDocId"].startswith("99") and len(row["txDocId"]) == 8 for row in rows)
    hvs = [json.loads(line) for line in gzip.decompress((election / HV_FILE).read_bytes()).splitlines()]
    assert [hv["datoGeneral"]["idHojaVida"] for hv in hvs] == [row["idHojaVida"] for row in rows]
    assert all(
        isinstance(hv["sentenciaPenal"], list) and isinstance(hv["sentenciaObliga"], list) for hv in hvs
    )


def test_server_pages_like_the_jne_export(election: Path, server: BenchServer) -> None:
    spec = json.loads((election / "meta.json").read_text(encoding="utf-8"))["lists"][1]
    url = server.base_url + "/api/v1/candidato/avanzadaexporta"
    status, _, body = _call(
        url, {"pageSize": 10, "skip": 2, "sortField": "", "sortDir": "", "filter": spec["filter"]}
    )
    page = json.loads(body)
    assert status == 200 and page["count"] == spec["count"] and page["totalPages"] == -(-spec["count"] // 10)
    assert page["data"][0]["txDocId"] == f"99{spec['first'] + 10:06d}"  # skip is the 1-based page number
    _, _, everything = _call(url, {"pageSize": 0, "skip": 0, "filter": spec["filter"]})
    assert len(json.loads(everything)["data"]) == spec["count"]
    _, _, none = _call(
        url, {"pageSize": 10, "skip": 1, "filter": {"idProcesoElectoral": 1, "idTipoEleccion": 99}}
    )
    assert json.loads(none) == {"data": [], "count": 0, "totalPages": 0}


def test_server_revalidates_hojas_de_vida(server: BenchServer) -> None:
    url = server.base_url + "/api/v1/candidato/hoja-vida?IdHojaVida=7000001"
    status, headers, body = _call(url)
    assert status == 200 and json.loads(body)["datoGeneral"]["idHojaVida"] == 7000001
    assert _call(url, headers={"If-None-Match": headers["ETag"]})[0] == 304
    assert _call(url, headers={"If-Modified-Since": headers["Last-Modified"]})[0] == 304
    server.election.mutate(100, seed=1)
    status, changed, _ = _call(url, headers={"If-None-Match": headers["ETag"]})
    assert status == 200 and changed["ETag"] != headers["ETag"]
    assert _call(url, headers={"If-Modified-Since": headers["Last-Modified"]})[0] == 200
    assert server.stats["hv_304"] == 2 and server.stats["hv_200"] == 3


def test_small_benchmark_prints_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "figures.json"
    started = time.monotonic()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.run",
            "--small",
            "--work",
            str(tmp_path / "work"),
            "--json",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=SMALL_RUN_BUDGET_S,
    )
    elapsed = time.monotonic() - started
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"
    figures = {f["key"]: f for f in json.loads(out.read_text(encoding="utf-8"))["figures"]}
    missing = [key for key in REQUIRED_FIGURES if key not in figures]
    assert not missing, f"the harness did not produce: {missing}"
    for key in REQUIRED_FIGURES:
        assert figures[key]["value"] is not None, key
        assert figures[key]["label"] in proc.stdout and figures[key]["shown"] in proc.stdout, key
    assert all(f["met"] is None for f in figures.values()), "the small version must not judge targets"
    assert "target:" in proc.stdout and elapsed < SMALL_RUN_BUDGET_S
    assert "median of 3 runs" in proc.stdout  # the reference is not one noisy run
