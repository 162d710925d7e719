"""The benchmark of issue 6: every figure, its target and the peer's figure; exits 1 when a target is missed.

    python -m benchmarks.run                 # 150,000 candidates, peers (scrapy, dlt) included
    python -m benchmarks.run --small         # 1,500 candidates, no peers, targets not judged (the test suite)

What it measures, each in its own process so memory and imports do not leak between figures:
1. crawl: pipeline.http.client.HttpClient.fetch_many at 10 and 50 req/s against the benchmark server at 100 ms
   latency, and scrapy on the same URLs with DOWNLOAD_DELAY = 1/rate;
2. DuckDB read_json over the hojas de vida packed as one NDJSON.gz (the transform reference), and dlt loading
   the same documents into DuckDB (the transform peer): with its default load files for DuckDB (judged) and
   with Parquet load files, its fastest (printed beside it);
3. the real Dagster job, live mode, against the server (no latency) at two scales: wall time, step times by
   phase, peak RSS of the process tree; then a second run with nothing changed upstream, and the transform
   re-run in fresh processes on copies of the data, its parsing forgotten (a diagnostic, not judged);
4. civic queries on the published file (p95); 5. the offline default run (`transparencia materialize`).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

from benchmarks.generate import HV_FILE, META_FILE, generate

REPO_ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
GB = 1024**3
MB = 1024**2

# Figures the harness must always print (the small version too); peers add their own.
REQUIRED_FIGURES = [
    "crawl_10rps",
    "crawl_50rps",
    "read_json",
    "transform_small_scale",
    "transform_large_scale",
    "transform_vs_read_json",
    "transform_fresh_process",
    "rss_large_scale",
    "rss_growth",
    "rerun_wall_share",
    "rerun_hv_fetched",
    "query_convictions_by_region",
    "query_bans_by_region",
    "query_record_by_name",
    "offline_default",
]
PEER_FIGURES = ["crawl_10rps_scrapy", "crawl_50rps_scrapy", "dlt", "transform_vs_dlt"]


@dataclass
class Figure:
    key: str
    label: str
    value: float | None
    shown: str
    target: str = ""
    peer: str = ""
    met: bool | None = None  # None: not judged (no target, or the small version)
    notes: list[str] = field(default_factory=list)


@dataclass
class Measured:
    wall_s: float
    peak_rss: int  # bytes, whole process tree
    returncode: int
    stdout: str
    log: Path
    load: str = ""  # the machine's 1-minute load average when the process ended (others share the machine)
    killed: str = ""  # why the harness killed it, if it did


# ----------------------------------------------------------------------------------------------------
# Processes


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The caller's environment minus pipeline settings and Dagster home, plus the repository on the path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIPELINE_") and k != "DAGSTER_HOME"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH", "")]))
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra or {})
    return env


def _tree_rss(pid: int) -> int:
    try:
        import psutil
    except ImportError:  # the bench extra is not installed: wait4's ru_maxrss alone
        return 0
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            total += proc.memory_info().rss
    return total


def _memory_cap() -> int:
    """Kill a measured process tree above this RSS: the machine is shared, and the kernel's OOM killer may
    pick someone else's process. 60% of RAM, or BENCH_MAX_RSS_GB."""
    try:
        total = next(
            int(line.split()[1]) * 1024
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    except (OSError, StopIteration):
        total = 16 * GB
    return int(float(os.environ.get("BENCH_MAX_RSS_GB", 0)) * GB) or int(0.6 * total)


def measure(cmd: list[str], log: Path, timeout_s: float, env: dict[str, str] | None = None) -> Measured:
    """Run `cmd`, sampling the RSS of its whole process tree every 50 ms; peak = max(samples, ru_maxrss).
    Killed (exit -9, `killed` says why) past `timeout_s` or past the memory cap."""
    log.parent.mkdir(parents=True, exist_ok=True)
    out_path = log.with_suffix(".stdout")
    with open(out_path, "wb") as out, open(log, "wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            cmd, cwd=REPO_ROOT, env=env or _env(), stdout=out, stderr=err, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        peak, status, usage, killed, cap = 0, None, None, "", _memory_cap()
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            peak = max(peak, _tree_rss(proc.pid))
            if time.perf_counter() - started > timeout_s:
                killed = f"timeout after {timeout_s:.0f} s"
            elif peak > cap:
                killed = f"memory cap {cap / GB:.1f} GB exceeded after {time.perf_counter() - started:.0f} s"
            if killed:
                os.killpg(proc.pid, signal.SIGKILL)  # the group this call created, nothing else
                _, status, usage = os.wait4(proc.pid, 0)
                status = -1
                break
            time.sleep(0.05)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status) if status != -1 else -9
    peak = max(peak, usage.ru_maxrss * 1024 if usage else 0)
    stdout = out_path.read_text(encoding="utf-8", errors="replace")
    return Measured(wall, peak, proc.returncode, stdout, log, f"{os.getloadavg()[0]:.1f}", killed)


def _json_line(measured: Measured, what: str) -> dict:
    for line in reversed(measured.stdout.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    why = f", killed: {measured.killed}" if measured.killed else ""
    raise RuntimeError(f"{what} printed no result (exit {measured.returncode}{why}); see {measured.log}")


class Server:
    """benchmarks.server in its own process; stops when we close its stdin (or at its --max-seconds)."""

    def __init__(self, data: Path, latency_ms: float, log: Path, max_seconds: float) -> None:
        self.log = open(log, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [PYTHON, "-m", "benchmarks.server", "--data", str(data), "--latency-ms", str(latency_ms),
             "--max-seconds", str(max_seconds), "--watch-stdin"],
            cwd=REPO_ROOT, env=_env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log,
        )  # fmt: skip
        self.base_url = self._ready(timeout_s=120)

    def _ready(self, timeout_s: float) -> str:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.proc.stdout], [], [], 0.5)
            if ready:
                line = self.proc.stdout.readline().decode()
                match = re.match(r"READY (\S+)", line)
                if match:
                    return match.group(1)
            if self.proc.poll() is not None:
                break
        self.stop()
        raise RuntimeError(f"benchmark server did not start; see {self.log.name}")

    @property
    def api(self) -> str:
        return self.base_url + "/api/v1"

    def call(self, method: str, path: str) -> dict:
        request = urllib.request.Request(
            self.base_url + path, method=method, data=b"" if method == "POST" else None
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback only
            return json.loads(response.read() or b"{}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


# ----------------------------------------------------------------------------------------------------
# Figures


def election(work: Path, candidates: int, seed: int) -> Path:
    """Generate (or reuse, when the same size and seed is already there) an invented election."""
    out = work / "elections" / f"{candidates}-{seed}"
    meta_path = out / META_FILE
    if meta_path.is_file():
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta["candidates"] == candidates and meta["seed"] == seed and (out / HV_FILE).is_file():
            return out
    meta = generate(out, candidates, seed)
    _say(f"generated {candidates:,} candidates in {meta['generation_seconds']} s -> {out}")
    return out


def _say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _mb(n: int) -> str:
    return f"{n / MB:,.0f} MB"


def _crawl(
    crawler: str,
    server: Server,
    work: Path,
    rate: int,
    count: int,
    first_id: int,
    workers: int,
    timeout_s: float,
) -> tuple[dict, Measured]:
    _say(f"crawl at {rate} req/s: {count} requests with {crawler} (W={workers})")
    measured = measure(
        [PYTHON, "-m", "benchmarks.crawl", crawler, "--base-url", server.api, "--rate", str(rate),
         "--count", str(count), "--first-id", str(first_id), "--workers", str(workers)],
        work / "logs" / f"crawl-{crawler}-{rate}-w{workers}.log",
        timeout_s=timeout_s,
    )  # fmt: skip
    return _json_line(measured, f"{crawler} crawl"), measured


def crawl_figures(args: argparse.Namespace, server: Server, work: Path) -> list[Figure]:
    figures = []
    first_id = 7_000_001
    timeout_s = 60 + 4 * args.crawl_seconds
    server.call("POST", "/__bench/latency?ms=100")
    needed: dict[int, int] = {}
    for rate in (10, 50):
        count = int(rate * args.crawl_seconds)
        ours, ours_m = _crawl("ours", server, work, rate, count, first_id, args.crawl_workers, timeout_s)
        first_id += count
        scrapy = None
        if args.peers:
            scrapy, scrapy_m = _crawl(
                "scrapy", server, work, rate, count, first_id, args.scrapy_concurrency, timeout_s
            )
            first_id += count
        pct = ours["pct_of_rate"]
        needed[rate] = ours["workers_needed"] or 1
        met = pct >= 97 and (scrapy is None or pct >= scrapy["pct_of_rate"])
        notes = [
            f"{ours['ok']}/{count} ok in {ours['elapsed_s']} s, mean latency {ours['mean_latency_ms']} ms, "
            f"load {ours_m.load}; W used = {ours['workers']} (PIPELINE_HTTP_WORKERS = {args.crawl_workers}; "
            f"0 sizes the pool from rate x first latency, the default); W the rate x latency needs = "
            f"ceil({rate} x {ours['mean_latency_ms'] / 1000:.3f} s) = {ours['workers_needed']}"
        ]
        peer = ""
        if scrapy:
            ratio = pct / scrapy["pct_of_rate"] if scrapy["pct_of_rate"] else float("nan")
            peer = f"scrapy {scrapy['pct_of_rate']}% (ratio ours/scrapy {ratio:.2f})"
        label = f"crawl {rate} req/s, our fetch_many"
        figures.append(
            Figure(f"crawl_{rate}rps", label, pct, f"{pct}% of rate", ">= 97% of rate and >= scrapy", peer,
                   met if not args.small else None, notes)
        )  # fmt: skip
        if scrapy:
            figures.append(
                Figure(
                    f"crawl_{rate}rps_scrapy",
                    f"crawl {rate} req/s, scrapy",
                    scrapy["pct_of_rate"],
                    f"{scrapy['pct_of_rate']}% of rate",
                    notes=[
                        f"{scrapy['ok']}/{count} ok in {scrapy['elapsed_s']} s, mean latency "
                        f"{scrapy['mean_latency_ms']} ms, load {scrapy_m.load}; "
                        f"DOWNLOAD_DELAY = {1 / rate:.3f} s, "
                        f"CONCURRENT_REQUESTS_PER_DOMAIN = {scrapy['workers']}"
                    ],
                )
            )
    if not args.small:
        # Diagnosis, not a target: the same client with its pool sized as issue 6 item 2 asks (Little's law
        # plus headroom). If this reaches the rate, the throttle is sound and only the fixed W is at fault.
        rate, count = 50, int(50 * args.crawl_seconds)
        workers = 2 * needed[50]
        sized, sized_m = _crawl("ours", server, work, rate, count, first_id, workers, timeout_s)
        figures.append(
            Figure(
                "crawl_50rps_sized_workers",
                f"crawl 50 req/s, our fetch_many with W = 2 x rate x latency = {workers} (diagnosis)",
                sized["pct_of_rate"],
                f"{sized['pct_of_rate']}% of rate",
                notes=[f"{sized['ok']}/{count} ok in {sized['elapsed_s']} s, load {sized_m.load}"],
            )
        )
    return figures


def peer_figure(
    kind: str, hv_file: Path, work: Path, timeout_s: float, extra: list[str] | None = None, label: str = ""
) -> tuple[dict, Measured]:
    name = f"{kind}-{label}" if label else kind
    _say(f"{name} over {hv_file}")
    scratch = work / f"peer-{name}"
    shutil.rmtree(scratch, ignore_errors=True)
    measured = measure(
        [
            PYTHON,
            "-m",
            "benchmarks.peers",
            kind,
            "--src",
            str(hv_file),
            "--work",
            str(scratch),
            *(extra or []),
        ],
        work / "logs" / f"peer-{name}-{hv_file.parent.name}.log",
        timeout_s,
    )
    result = _json_line(measured, kind)
    shutil.rmtree(scratch, ignore_errors=True)
    return result, measured


def _dlt_figures(
    file_format: str, first: bool, judged: bool, top: int, top_data: Path, work: Path, transform_s: float
) -> list[Figure]:
    """dlt loading the documents with `file_format` load files, and how many times faster our transform is.
    Only the first format asked for carries the target (`--dlt-formats`); the others are printed beside it,
    not judged. `judged`: the run is at the scale the targets are for."""
    suffix = "" if first else f"_{file_format}"
    judge = ">= 20x faster than dlt at 150,000" if first else "not judged (another dlt configuration)"
    try:
        dlt, dlt_m = peer_figure(
            "dlt", top_data / HV_FILE, work, 7200, ["--dlt-format", file_format], label=file_format
        )
    except RuntimeError as exc:  # killed (memory cap, timeout) or crashed: say so, judge the ratio missed
        return [
            Figure(f"dlt{suffix}", f"dlt load of the same {top:,} HVs ({file_format})", None,
                   f"did not finish: {exc}"),
            Figure(f"transform_vs_dlt{suffix}", f"dlt ({file_format}) / pipeline transform at {top:,}", None,
                   "not measured", judge, "", False if first else None),
        ]  # fmt: skip
    speedup = dlt["seconds"] / transform_s if transform_s else float("inf")
    return [
        Figure(
            f"dlt{suffix}",
            f"dlt load of the same {top:,} HVs into DuckDB ({dlt['format']} load files)",
            dlt["seconds"],
            f"{dlt['seconds']:.1f} s, peak RSS {_mb(dlt_m.peak_rss)}",
            "peer",
            notes=[f"{dlt['rows']:,} root rows in {dlt['tables']} tables; load {dlt_m.load}"],
        ),
        Figure(
            f"transform_vs_dlt{suffix}",
            f"dlt ({dlt['format']}) / pipeline transform at {top:,}",
            round(speedup, 2),
            f"{speedup:.2f}x faster than dlt",
            judge,
            f"dlt {dlt['seconds']:.1f} s, {_mb(dlt_m.peak_rss)}",
            (speedup >= 20 and judged) if first else None,
        ),
    ]


# The reference is a 2-second statement: one run of it moved between 1.65 and 2.61 s on the same VM within
# an hour, which moved the ratio more than a session's work on the transform. The median of three is steadier.
READ_JSON_RUNS = 3


def median_read_json(hv_file: Path, work: Path) -> tuple[dict, Measured, list[float]]:
    """DuckDB read_json over `hv_file`, READ_JSON_RUNS times: the median run, and every run's seconds."""
    runs = sorted(
        (peer_figure("read-json", hv_file, work, 600) for _ in range(READ_JSON_RUNS)),
        key=lambda run: run[0]["seconds"],
    )
    result, measured = runs[len(runs) // 2]
    return result, measured, [run[0]["seconds"] for run in runs]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def pipeline_run(
    server: Server,
    data_dir: Path,
    work: Path,
    label: str,
    args: argparse.Namespace,
    n: int,
    replay_port: int,
) -> dict:
    out = work / "results" / f"pipeline-{label}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    server.call("POST", "/__bench/reset")
    _say(f"pipeline run {label} ({n:,} candidates)")
    measured = measure(
        [PYTHON, "-m", "benchmarks.pipeline_run", "--data-dir", str(data_dir), "--jne-url", server.api,
         "--workers", str(args.pipeline_workers), "--out", str(out), "--replay-port", str(replay_port)],
        work / "logs" / f"pipeline-{label}.log",
        timeout_s=300 + n * args.pipeline_timeout_per_candidate,
    )  # fmt: skip
    if not out.is_file():
        raise RuntimeError(
            f"pipeline run {label} produced no result (exit {measured.returncode}); see {measured.log}"
        )
    result = json.loads(out.read_text(encoding="utf-8"))
    result["wall_s"] = round(measured.wall_s, 2)
    result["peak_rss"] = measured.peak_rss
    result["load"] = measured.load
    result["server"] = server.call("GET", "/__bench/stats")
    result["transform_s"] = round(
        sum(result["phases"][p] for p in ("parse+validate+load", "models", "checks")), 2
    )
    if not result["success"]:
        raise RuntimeError(f"pipeline run {label} failed; see {measured.log}")
    return result


# The first run's transform follows a three-minute crawl in the same process, and is one sample of a VM whose
# speed moves by 10-20% within minutes. The same transform is also re-run on copies of that run's data, each
# in a fresh process: a diagnostic beside the judged first-run figure (benchmarks/README.md).
RETRANSFORM_RUNS = 3
# What a re-run forgets so that it parses, validates, loads and models every hoja de vida and list again, as a
# first run does, with nothing fetched again: the staged tables of the JNE sources and every memo.
FORGOTTEN_TABLES = (
    "hv_parsed",
    "staged_inputs",
    "model_inputs",
    "check_results",
    "publication_inputs",
    "stg_candidates",
    "stg_criminal_sentences",
    "stg_civil_sentences",
    "stg_declared_income",
    "stg_declared_assets",
    "quarantine",
)


def retransform(
    server: Server, data_dir: Path, work: Path, args: argparse.Namespace, n: int, replay_port: int, k: int
) -> dict:
    """The job re-run on a copy of `data_dir` with its parsing forgotten: the transform of a first run in a
    fresh process. Fails when the re-run did not parse every hoja de vida again or fetched one."""
    import duckdb

    copy = work / "pipeline" / f"{n}-retransform" / "data"
    shutil.rmtree(copy.parent, ignore_errors=True)
    shutil.copytree(data_dir, copy, symlinks=True)
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as conn:
        parsed = conn.execute("SELECT count(*) FROM hv_parsed").fetchone()[0]
    with duckdb.connect(str(copy / "warehouse.duckdb")) as conn:
        for table in FORGOTTEN_TABLES:
            conn.execute(f'DELETE FROM "{table}"')
    result = pipeline_run(server, copy, work, f"{n}-retransform-{k}", args, n, replay_port)
    with duckdb.connect(str(copy / "warehouse.duckdb"), read_only=True) as conn:
        again = conn.execute("SELECT count(*) FROM hv_parsed").fetchone()[0]
    fetched = result["fetched_200"].get("jne_hojas_vida", 0)
    shutil.rmtree(copy.parent, ignore_errors=True)
    if again != parsed or not parsed or fetched:
        raise RuntimeError(
            f"re-run {k} at {n:,}: {again:,} hojas de vida parsed again of {parsed:,}, {fetched:,} fetched "
            "(FORGOTTEN_TABLES out of date with the pipeline's memos?)"
        )
    return result


def _phase_note(result: dict) -> str:
    phases = ", ".join(f"{k} {v:.1f} s" for k, v in result["phases"].items() if v)
    top = ", ".join(f"{k} {v:.1f} s" for k, v in list(result["steps"].items())[:5])
    hv = result["steps"].get("jne_hojas_vida", 0.0)
    fetched = result["fetched_200"].get("jne_hojas_vida", 0)
    return (
        f"wall {result['wall_s']} s, load {result['load']}; phases: {phases}; slowest steps: {top}; "
        f"jne_hojas_vida: {fetched:,} HVs in {hv:.0f} s ({fetched / hv if hv else 0:,.0f}/s, no latency, "
        f"no rate limit); list pages fetched: {result['fetched_200'].get('jne_candidate_lists', 0):,}"
    )


def queries(published: Path, repeats: int) -> dict[str, list[float]]:
    import duckdb

    with duckdb.connect(str(published), read_only=True) as conn:
        name = conn.execute(
            "SELECT full_name FROM criminal_records WHERE outcome = 'convicted' ORDER BY full_name LIMIT 1"
        ).fetchone()
        pattern = f"%{name[0] if name else 'EJEMPLO'}%"
        sqls: dict[str, tuple[str, list]] = {
            "query_convictions_by_region": (
                "SELECT c.process_code, coalesce(c.district, 'NACIONAL') AS region, r.outcome, count(*) AS n "
                "FROM criminal_records r JOIN candidates c USING (process_code, id_hoja_vida) "
                "GROUP BY ALL ORDER BY ALL",
                [],
            ),
            "query_bans_by_region": (
                "SELECT coalesce(district, 'NACIONAL') AS region, party_name, rule_id, count(*) AS bans "
                "FROM candidacy_bans GROUP BY ALL ORDER BY bans DESC",
                [],
            ),
            "query_record_by_name": (
                "SELECT crime_text, crime_category, ruling_text, outcome, modality, served, review_reasons, "
                "source_url FROM criminal_records WHERE full_name ILIKE ?",
                [pattern],
            ),
        }
        timings: dict[str, list[float]] = {}
        for key, (sql, params) in sqls.items():
            samples = []
            for _ in range(repeats):  # the first one is cold: it stays in the sample
                started = time.perf_counter()
                conn.execute(sql, params).fetchall()
                samples.append(1000 * (time.perf_counter() - started))
            timings[key] = samples
    return timings


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def offline_default(work: Path) -> Measured:
    data = work / "offline" / "data"
    shutil.rmtree(data.parent, ignore_errors=True)
    _say("offline default run (transparencia materialize)")
    return measure(
        [PYTHON, "-m", "pipeline.cli", "materialize"],
        work / "logs" / "offline-default.log",
        timeout_s=600,
        env=_env({"PIPELINE_DATA_DIR": str(data)}),
    )


# ----------------------------------------------------------------------------------------------------
# The run


def machine() -> dict[str, str]:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = next(
            int(line.split()[1]) * 1024
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    except (OSError, StopIteration):
        mem = 0
    versions = {}
    for module in ("duckdb", "dagster", "pandas", "pandera", "scrapy", "dlt"):
        try:
            versions[module] = __import__(module).__version__
        except Exception:  # noqa: BLE001 - not installed (no peers) or no version attribute
            versions[module] = "-"
    return {
        "nproc": str(os.cpu_count()),
        "memory": f"{mem / GB:.1f} GiB",
        "cpu": cpu,
        "python": platform.python_version(),
        "os": platform.platform(),
        "load_average": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "versions": " ".join(f"{k} {v}" for k, v in versions.items()),
    }


def run(args: argparse.Namespace) -> tuple[list[Figure], dict]:
    work = args.work
    (work / "logs").mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    info: dict = {"machine": machine(), "args": {k: str(v) for k, v in vars(args).items()}}
    figures: list[Figure] = []
    small_n, large_n = args.scales
    main_data = election(work, args.candidates, args.seed)

    runs: dict[int, dict] = {}
    retransforms: list[dict] = []
    scales = [n for n in (small_n, large_n) if n <= args.pipeline_max]
    top_scale = max(scales, default=0)

    datasets = {n: main_data if n == args.candidates else election(work, n, args.seed) for n in scales}

    def scale_runs(n: int) -> None:
        """First run at `n` candidates, and a second one (nothing changed) at the largest scale."""
        data = datasets[n]
        data_dir = work / "pipeline" / str(n) / "data"
        shutil.rmtree(data_dir.parent, ignore_errors=True)
        _say(f"starting the server for {n:,} candidates")
        replay_port = _free_port()  # one for both runs: their recorded URLs stay the same, as a live site's
        with Server(data, 0, work / "logs" / f"server-{n}.log", args.server_max_seconds) as server:
            runs[n] = pipeline_run(server, data_dir, work, f"{n}-first", args, n, replay_port)
            if n == top_scale:
                runs[-n] = pipeline_run(server, data_dir, work, f"{n}-second", args, n, replay_port)
                retransforms.extend(
                    retransform(server, data_dir, work, args, n, replay_port, k + 1)
                    for k in range(args.retransforms)
                )

    # The small version (the test suite's, targets not judged) runs the offline default and its pipeline runs
    # alongside the crawl, to stay inside the suite's time budget; the full run measures each phase alone.
    offline: dict[str, Measured] = {}
    failures: list[BaseException] = []

    def in_background(task, *task_args) -> threading.Thread:  # type: ignore[no-untyped-def]
        def target() -> None:
            try:
                task(*task_args)
            except BaseException as exc:  # noqa: BLE001 - re-raised in the main thread
                failures.append(exc)

        thread = threading.Thread(target=target, daemon=True)
        thread.start()
        return thread

    background: list[threading.Thread] = []
    if args.small:
        background.append(in_background(lambda: offline.update(m=offline_default(work))))
        background += [in_background(scale_runs, n) for n in scales]
        scales = []

    with Server(main_data, 100, work / "logs" / "server-main.log", args.server_max_seconds) as server:
        figures += crawl_figures(args, server, work)

    read_json, read_json_m, seconds = median_read_json(main_data / HV_FILE, work)
    figures.append(
        Figure(
            "read_json",
            f"DuckDB read_json, {args.candidates:,} HVs (one NDJSON.gz)",
            read_json["seconds"],
            f"{read_json['seconds']:.2f} s, peak RSS {_mb(read_json_m.peak_rss)}",
            "reference",
            notes=[
                f"{read_json['rows']:,} rows; median of {len(seconds)} runs "
                f"({', '.join(f'{s:.2f}' for s in seconds)} s); process wall {read_json_m.wall_s:.1f} s, "
                f"load {read_json_m.load}"
            ],
        )
    )

    for n in scales:
        scale_runs(n)
    for thread in background:
        thread.join(timeout=900)
    if failures:
        raise failures[0]
    info["pipeline_runs"] = {str(k): v for k, v in runs.items()}

    measured_scales = sorted(k for k in runs if k > 0)
    if not measured_scales:
        raise RuntimeError("no pipeline scale was run (raise --pipeline-max)")
    top = measured_scales[-1]
    low = measured_scales[0]
    for key, n in (("transform_small_scale", low), ("transform_large_scale", top)):
        r = runs[n]
        figures.append(
            Figure(
                key,
                f"pipeline parse+validate+load+models, {n:,} candidates",
                r["transform_s"],
                f"{r['transform_s']:.1f} s (first run wall {r['wall_s']:.1f} s, RSS {_mb(r['peak_rss'])})",
                "reference for the ratios below",
                notes=[_phase_note(r)],
            )
        )
    if top < large_n:
        low_r, top_r = runs[low], runs[top]
        per = (top_r["wall_s"] - low_r["wall_s"]) / max(top - low, 1)
        figures[-1].notes.append(
            f"NOT MEASURED at {large_n:,} (capped by --pipeline-max {args.pipeline_max:,}): linear from "
            f"{low:,}->{top:,}, a first run at {large_n:,} would take about "
            f"{top_r['wall_s'] + per * (large_n - top):,.0f} s"
        )

    # read_json and dlt over the very documents of the largest pipeline run
    top_data = main_data if top == args.candidates else election(work, top, args.seed)
    if top == args.candidates:
        ref, ref_m = read_json, read_json_m
    else:
        ref, ref_m, _ = median_read_json(top_data / HV_FILE, work)
    ratio = runs[top]["transform_s"] / ref["seconds"] if ref["seconds"] else float("inf")
    judged = not args.small and top >= 150_000
    figures.append(
        Figure(
            "transform_vs_read_json",
            f"pipeline transform / read_json at {top:,}",
            round(ratio, 1),
            f"{ratio:.1f}x ({runs[top]['transform_s']:.1f} s vs {ref['seconds']:.2f} s)",
            "<= 5x at 150,000",
            f"read_json peak RSS {_mb(ref_m.peak_rss)}",
            (ratio <= 5) if judged else (False if not args.small else None),
        )
    )
    if retransforms:
        by_time = sorted(retransforms, key=lambda r: r["transform_s"])
        middle = by_time[len(by_time) // 2]
        seconds = ", ".join(f"{r['transform_s']:.1f}" for r in by_time)
        fresh = middle["transform_s"] / ref["seconds"] if ref["seconds"] else float("inf")
        figures.append(
            Figure(
                "transform_fresh_process",
                f"pipeline transform re-run in a fresh process at {top:,} (diagnostic)",
                middle["transform_s"],
                f"{middle['transform_s']:.1f} s, {fresh:.1f}x read_json "
                f"(median of {len(by_time)}: {seconds} s)",
                "not judged (the first run's transform is): the same work on a copy of its data, nothing "
                "fetched, no crawl before it in the process",
                notes=[_phase_note(middle)],
            )
        )
    if args.peers:
        transform_s = runs[top]["transform_s"]
        for n, file_format in enumerate(args.dlt_formats):
            figures += _dlt_figures(file_format, n == 0, judged, top, top_data, work, transform_s)

    rss_top, rss_low = runs[top]["peak_rss"], runs[low]["peak_rss"]
    figures.append(
        Figure(
            "rss_large_scale",
            f"peak RSS of the whole materialization, {top:,} candidates",
            round(rss_top / MB),
            _mb(rss_top),
            "<= 1 GB at 150,000",
            "",
            (rss_top <= GB) if judged else (False if not args.small else None),
            [f"at {low:,}: {_mb(rss_low)}"],
        )
    )
    growth = rss_top / rss_low if rss_low else float("inf")
    marginal = (rss_top - rss_low) / max(top - low, 1)
    figures.append(
        Figure(
            "rss_growth",
            f"RSS growth {low:,} -> {top:,} candidates",
            round(growth, 2),
            f"x{growth:.2f} for x{top / low:.0f} candidates ({marginal / 1024:.1f} KB per extra candidate)",
            f"<= x{top / low:.0f} (no faster than linear)",
            "",
            (growth <= top / low) if not args.small else None,
        )
    )

    first, second = runs[top], runs[-top]
    share = 100 * second["wall_s"] / first["wall_s"]
    refetched = second["server"].get("hv_200", 0)
    figures.append(
        Figure(
            "rerun_wall_share",
            f"second run, nothing changed upstream, {top:,} candidates",
            round(share, 1),
            f"{share:.0f}% of the first ({second['wall_s']:.1f} s vs {first['wall_s']:.1f} s)",
            "<= 5%",
            "",
            share <= 5 if not args.small else None,
            [_phase_note(second)],
        )
    )
    figures.append(
        Figure(
            "rerun_hv_fetched",
            "hojas de vida fetched again by the second run",
            refetched,
            f"{refetched:,} of {top:,} (server: {second['server'].get('hv_304', 0):,} answered 304)",
            "0",
            "",
            refetched == 0 if not args.small else None,
        )
    )

    published = Path(second["published"])
    for key, samples in queries(published, args.query_repeats).items():
        value = p95(samples)
        figures.append(
            Figure(
                key,
                f"{key.removeprefix('query_').replace('_', ' ')} on the published file ({top:,})",
                round(value, 2),
                f"p95 {value:.1f} ms (cold {samples[0]:.1f} ms, n={len(samples)})",
                "< 100 ms p95",
                "",
                value < 100 if not args.small else None,
            )
        )

    if not args.small:
        offline["m"] = offline_default(work)
    off = offline.get("m")
    if off is None or off.returncode != 0:
        raise RuntimeError(f"offline default run failed; see {work / 'logs' / 'offline-default.log'}")
    figures.append(
        Figure(
            "offline_default",
            "offline default run end to end (transparencia materialize)",
            round(off.wall_s, 1),
            f"{off.wall_s:.1f} s, peak RSS {_mb(off.peak_rss)}, load {off.load}"
            + (" (ran alongside the other phases)" if args.small else ""),
            "< 30 s",
            "",
            off.wall_s < 30 if not args.small else None,
        )
    )
    info["total_s"] = round(time.perf_counter() - started, 1)
    info["machine"]["load_average_end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return figures, info


def report(figures: list[Figure], info: dict, small: bool) -> str:
    m = info["machine"]
    lines = [
        "peru-transparencia benchmark (issue 6)" + (" -- SMALL VERSION: targets not judged" if small else ""),
        f"machine: {m['nproc']} CPUs ({m['cpu']}), {m['memory']} RAM, Python {m['python']}, {m['os']}",
        f"load average at start {m['load_average']}, at end {m.get('load_average_end', '?')}",
        f"versions: {m['versions']}",
        "",
    ]
    for f in figures:
        mark = {True: "PASS", False: "MISS", None: " -- "}[f.met]
        lines.append(f"[{mark}] {f.label}: {f.shown}")
        if f.target:
            lines.append(f"         target: {f.target}" + (f" | peer: {f.peer}" if f.peer else ""))
        lines += [f"         {note}" for note in f.notes]
    missed = [f.key for f in figures if f.met is False]
    lines += [
        "",
        f"total benchmark time {info['total_s']} s; "
        + (f"targets missed: {len(missed)} ({', '.join(missed)})" if missed else "every judged target met"),
    ]
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", action="store_true", help="1,500 candidates, no peers, targets not judged")
    parser.add_argument("--candidates", type=int, help="size of the election (default 150,000; small 1,500)")
    parser.add_argument(
        "--scales", type=int, nargs=2, metavar=("LOW", "HIGH"),
        help="candidates of the two pipeline runs (default 15,000 150,000; small 150 1,500)",
    )  # fmt: skip
    parser.add_argument("--pipeline-max", type=int, default=10**9, help="skip pipeline scales above this")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument(
        "--crawl-seconds", type=float, help="seconds' worth of requests per crawl (default 20)"
    )
    parser.add_argument(
        "--crawl-workers",
        type=int,
        default=0,
        help="our client's max_workers (default 0: sized from rate x latency, as the pipeline does)",
    )
    parser.add_argument("--scrapy-concurrency", type=int, default=64)
    parser.add_argument(
        "--dlt-formats",
        nargs="+",
        default=["insert_values", "parquet"],
        choices=["insert_values", "parquet", "jsonl"],
        help="dlt load files, one dlt run each; the first is judged (default: insert_values, dlt's default "
        "for DuckDB and what issue 6 calibrated its target on, then parquet, dlt's fastest)",
    )
    parser.add_argument("--pipeline-workers", type=int, default=8, help="PIPELINE_HTTP_WORKERS for the job")
    parser.add_argument("--pipeline-timeout-per-candidate", type=float, default=0.05)
    parser.add_argument("--query-repeats", type=int, default=40)
    parser.add_argument(
        "--retransforms", type=int, help=f"re-runs of the transform (default {RETRANSFORM_RUNS}; small 1)"
    )
    parser.add_argument("--no-peers", dest="peers", action="store_false", default=None)
    parser.add_argument("--work", type=Path, help="scratch directory (default: a new temporary one, removed)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
    parser.add_argument("--json", type=Path, help="also write every figure as JSON here")
    parser.add_argument("--server-max-seconds", type=float, default=4 * 3600)
    args = parser.parse_args(argv)
    args.candidates = args.candidates or (1_500 if args.small else 150_000)
    args.scales = args.scales or ([args.candidates // 10, args.candidates])
    args.crawl_seconds = args.crawl_seconds or (2.0 if args.small else 20.0)
    if args.peers is None:
        args.peers = not args.small
    if args.retransforms is None:
        args.retransforms = 1 if args.small else RETRANSFORM_RUNS
    if args.small:
        args.query_repeats = min(args.query_repeats, 20)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    own_work = args.work is None
    args.work = args.work or Path(tempfile.mkdtemp(prefix="bench-"))
    try:
        figures, info = run(args)
    finally:
        if own_work and not args.keep:
            shutil.rmtree(args.work, ignore_errors=True)
    print(report(figures, info, args.small), flush=True)
    if args.json:
        args.json.write_text(
            json.dumps({"figures": [asdict(f) for f in figures], "info": info}, indent=1, default=str),
            encoding="utf-8",
        )
    missing = [key for key in REQUIRED_FIGURES + (PEER_FIGURES if args.peers else []) if key not in
               {f.key for f in figures}]  # fmt: skip
    if missing:
        print(f"harness error: figures missing: {', '.join(missing)}", file=sys.stderr)
        return 2
    return 1 if any(f.met is False for f in figures) else 0


if __name__ == "__main__":
    sys.exit(main())
