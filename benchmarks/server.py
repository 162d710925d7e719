"""A local JNE look-alike serving the invented election of benchmarks/generate.py, at the pipeline's paths.

- `POST .../candidato/avanzadaexporta` with `{pageSize, skip, sortField, sortDir, filter}`: `skip` is the
  1-based page number and `pageSize: 0` asks for everything (DOMAIN.md section 2); answers
  `{data, count, totalPages}`. A filter that names no list of the election answers an empty list.
- `GET .../candidato/hoja-vida?IdHojaVida=`: the document's bytes, with `ETag` (the sha256 of those bytes)
  and `Last-Modified`, and `304 Not Modified` to a matching `If-None-Match` or a recent enough
  `If-Modified-Since`.

Any path prefix is accepted (the pipeline's base URL is `http://127.0.0.1:<port>/api/v1`). Each request
waits the configured latency in its own thread (a threaded server, one thread per connection, HTTP/1.1
keep-alive), so a slow answer never holds up another. Benchmark controls, under `/__bench/`: `GET stats`
(requests by kind since the last reset), `POST reset`, `POST latency?ms=`, `POST mutate?percent=&seed=`
(change that share of the hojas de vida as upstream edits would: new bytes, ETag and Last-Modified).

Bounded: it listens on 127.0.0.1 only, stops after --max-seconds, and (with --watch-stdin, as
benchmarks/run.py starts it) as soon as its parent closes its stdin or dies.

    python -m benchmarks.server --data /tmp/election --latency-ms 100
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import math
import random
import re
import sys
import threading
import time
from collections import Counter
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from benchmarks.generate import HV_FILE, LISTS_FILE, META_FILE

HV_ID = re.compile(rb'"idHojaVida":(\d+)')
NEUTRAL_FILTER_VALUES = (None, 0, "", "0", "00")


class Election:
    """The documents in memory: list rows per list filter, each hoja de vida's bytes and validators."""

    def __init__(self, directory: Path) -> None:
        meta = json.loads((directory / META_FILE).read_text(encoding="utf-8"))
        rows = (directory / LISTS_FILE).read_bytes().split(b"\n")
        self.lists = [
            (spec["filter"], rows[spec["first"] : spec["first"] + spec["count"]]) for spec in meta["lists"]
        ]
        self.docs: dict[int, bytes] = {}
        with gzip.open(directory / HV_FILE, "rb") as lines:
            for line in lines:
                doc = line.rstrip(b"\n")
                self.docs[int(HV_ID.search(doc).group(1))] = doc
        self.published = parsedate_to_datetime(meta["last_modified"]).timestamp()
        self.modified: dict[int, float] = {}
        self._etags: dict[int, str] = {}
        self._lock = threading.Lock()
        self.mutations = 0

    def etag(self, hv_id: int) -> str:
        tag = self._etags.get(hv_id)
        if tag is None:
            tag = self._etags[hv_id] = '"' + hashlib.sha256(self.docs[hv_id]).hexdigest() + '"'
        return tag

    def last_modified(self, hv_id: int) -> float:
        return self.modified.get(hv_id, self.published)

    def list_page(self, body: Any) -> bytes:
        if not isinstance(body, dict) or not isinstance(body.get("filter"), dict):
            raise ValueError("expected {pageSize, skip, filter}")
        size, page = int(body.get("pageSize") or 0), max(int(body.get("skip") or 1), 1)
        rows = self._rows_for(body["filter"])
        if size <= 0:
            chosen, pages = rows, 1 if rows else 0
        else:
            chosen, pages = rows[(page - 1) * size : page * size], math.ceil(len(rows) / size)
        return b'{"data":[' + b",".join(chosen) + b'],"count":%d,"totalPages":%d}' % (len(rows), pages)

    def _rows_for(self, wanted: dict[str, Any]) -> list[bytes]:
        for spec, rows in self.lists:
            extra = {k: v for k, v in wanted.items() if k not in spec}
            if all(wanted.get(k) == v for k, v in spec.items()) and all(
                v in NEUTRAL_FILTER_VALUES for v in extra.values()
            ):
                return rows
        return []

    def mutate(self, percent: float, seed: int) -> int:
        """Edit `percent`% of the hojas de vida (their informacionAdicional), as an upstream change would."""
        with self._lock:
            self.mutations += 1
            ids = sorted(self.docs)
            chosen = random.Random(f"{seed}:{self.mutations}").sample(ids, round(len(ids) * percent / 100))
            now = time.time()
            for hv_id in chosen:
                doc = json.loads(self.docs[hv_id])
                doc.setdefault("informacionAdicional", {})["txInformacionAdicional"] = (
                    f"ACTUALIZADO (CAMBIO DE DEMOSTRACION {self.mutations})"
                )
                self.docs[hv_id] = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
                self._etags.pop(hv_id, None)
                self.modified[hv_id] = now
        return len(chosen)


class BenchServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024  # the listen backlog: scrapy and the client open many connections at once

    def __init__(self, election: Election, latency_s: float, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.election = election
        self.latency_s = latency_s
        self.stats: Counter[str] = Counter()
        self.stats_lock = threading.Lock()

    def count(self, key: str, n: int = 1) -> None:
        with self.stats_lock:
            self.stats[key] += n

    def handle_error(self, request: Any, client_address: Any) -> None:  # a client hung up: not our concern
        self.count("connection_errors")

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


class _Handler(BaseHTTPRequestHandler):
    server: BenchServer
    protocol_version = "HTTP/1.1"  # keep-alive: one connection per client worker, as against the real site
    # One write per response and TCP_NODELAY: headers and body sent in separate small segments would meet the
    # client's delayed ACK (~40 ms a request on Linux), a stall no real server has.
    wbufsize = 1 << 16
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        return

    def do_GET(self) -> None:  # noqa: N802
        parts = urlsplit(self.path)
        query = dict(parse_qsl(parts.query))
        if parts.path.endswith("/candidato/hoja-vida"):
            self._hoja_vida(query.get("IdHojaVida", ""))
        elif parts.path == "/__bench/stats":
            with self.server.stats_lock:
                stats = dict(self.server.stats)
            self._send(200, json.dumps(stats).encode(), delay=False)
        else:
            self._not_found()

    def do_POST(self) -> None:  # noqa: N802
        parts = urlsplit(self.path)
        query = dict(parse_qsl(parts.query))
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if parts.path.endswith("/candidato/avanzadaexporta"):
            try:
                payload = self.server.election.list_page(json.loads(raw or b"null"))
            except (ValueError, TypeError) as exc:
                self.server.count("list_400")
                self._send(400, json.dumps({"error": str(exc)}).encode())
                return
            self.server.count("list_200")
            self._send(200, payload)
        elif parts.path == "/__bench/reset":
            with self.server.stats_lock:
                self.server.stats.clear()
            self._send(200, b"{}", delay=False)
        elif parts.path == "/__bench/latency":
            self.server.latency_s = float(query.get("ms", "0")) / 1000
            self._send(200, b"{}", delay=False)
        elif parts.path == "/__bench/mutate":
            n = self.server.election.mutate(float(query.get("percent", "1")), int(query.get("seed", "1")))
            self._send(200, json.dumps({"mutated": n}).encode(), delay=False)
        else:
            self._not_found()

    def _hoja_vida(self, raw_id: str) -> None:
        election = self.server.election
        hv_id = int(raw_id) if raw_id.isdigit() else -1
        doc = election.docs.get(hv_id)
        if doc is None:
            self._not_found()
            return
        etag, modified = election.etag(hv_id), election.last_modified(hv_id)
        headers = {"ETag": etag, "Last-Modified": formatdate(modified, usegmt=True)}
        if self._not_modified(etag, modified):
            self.server.count("hv_304")
            self._send(304, b"", headers)
            return
        self.server.count("hv_200")
        self._send(200, doc, headers)

    def _not_modified(self, etag: str, modified: float) -> bool:
        match = self.headers.get("If-None-Match")
        if match is not None:  # If-None-Match wins over If-Modified-Since (RFC 9110 13.1.3)
            return match.strip() == "*" or etag in [t.strip().removeprefix("W/") for t in match.split(",")]
        since = self.headers.get("If-Modified-Since")
        if since:
            try:
                return int(modified) <= parsedate_to_datetime(since).timestamp()
            except (TypeError, ValueError):
                return False
        return False

    def _not_found(self) -> None:
        self.server.count("not_found")
        self._send(404, b'{"error":"not found"}')

    def _send(
        self, status: int, payload: bytes, headers: dict[str, str] | None = None, delay: bool = True
    ) -> None:
        if delay and self.server.latency_s > 0:
            time.sleep(self.server.latency_s)  # only this connection's thread waits
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if status != 304:
            self.wfile.write(payload)
        self.server.count("bytes_sent", len(payload))


def serve(
    data: Path,
    latency_ms: float,
    port: int = 0,
    max_seconds: float = 3 * 3600,
    watch_stdin: bool = False,
    mutate_percent: float = 0.0,
) -> None:
    started = time.perf_counter()
    election = Election(data)
    if mutate_percent:
        election.mutate(mutate_percent, seed=1)
    httpd = BenchServer(election, latency_ms / 1000, port)
    stop = threading.Event()

    def stop_when(reason: str) -> None:
        if not stop.is_set():
            stop.set()
            print(f"stopping: {reason}", file=sys.stderr, flush=True)
            httpd.shutdown()

    if watch_stdin:
        threading.Thread(
            target=lambda: (sys.stdin.buffer.read(), stop_when("stdin closed")), daemon=True
        ).start()
    timer = threading.Timer(max_seconds, stop_when, args=(f"--max-seconds {max_seconds} reached",))
    timer.daemon = True
    timer.start()
    print(
        f"READY {httpd.base_url} docs={len(election.docs)} loaded_in={time.perf_counter() - started:.1f}s",
        flush=True,
    )
    try:
        httpd.serve_forever(poll_interval=0.2)
    finally:
        timer.cancel()
        httpd.server_close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="directory written by benchmarks.generate")
    parser.add_argument("--latency-ms", type=float, default=100.0)
    parser.add_argument("--port", type=int, default=0, help="0: a free port (printed on the READY line)")
    parser.add_argument("--max-seconds", type=float, default=3 * 3600)
    parser.add_argument(
        "--mutate-percent", type=float, default=0.0, help="change this share of the HVs at start"
    )
    parser.add_argument("--watch-stdin", action="store_true", help="stop when stdin reaches end of file")
    args = parser.parse_args(argv)
    serve(args.data, args.latency_ms, args.port, args.max_seconds, args.watch_stdin, args.mutate_percent)
    return 0


if __name__ == "__main__":
    sys.exit(main())
