"""A local HTTP server that answers with recorded responses.

The offline default and the tests point the sources' base URLs at this server, so recorded responses
travel through exactly the same HTTP client, retries, throttle and archive as live ones.
Each folder under the recordings root is one source, mounted at `/<folder>`, with an `index.json`:
`{"routes": [{"method", "path", "query", "body", "status", "content_type", "file"}]}`.
A request matches a route on method, path, query and (when the route names one) JSON body.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    status: int
    content_type: str
    file: Path


def _norm_path(path: str) -> str:
    return "/" + "/".join(part for part in path.split("/") if part)


def load_routes(root: Path) -> list[Route]:
    """Read every source's index.json under `root`; a route naming a missing file fails here, early."""
    routes: list[Route] = []
    for index in sorted(Path(root).glob("*/index.json")):
        mount = "/" + index.parent.name
        for entry in json.loads(index.read_text(encoding="utf-8"))["routes"]:
            file = index.parent / entry["file"]
            if not file.is_file():
                raise FileNotFoundError(f"{index}: route {entry['path']} names missing file {file}")
            routes.append(
                Route(
                    method=entry.get("method", "GET").upper(),
                    path=_norm_path(mount + "/" + entry["path"]),
                    query={k: str(v) for k, v in (entry.get("query") or {}).items()},
                    body=entry.get("body"),
                    status=int(entry.get("status", 200)),
                    content_type=entry.get("content_type", "application/json; charset=utf-8"),
                    file=file,
                )
            )
    return routes


class _Handler(BaseHTTPRequestHandler):
    server: ReplayHTTPServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence per-request stderr
        return

    def _answer(self) -> None:
        parts = urlsplit(self.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        route = self.server.match(self.command, _norm_path(parts.path), query, body)
        if route is None:
            payload = f"no recorded response for {self.command} {self.path}".encode()
            self._send(404, "text/plain; charset=utf-8", payload)
            return
        self._send(route.status, route.content_type, route.file.read_bytes())

    def _send(self, status: int, content_type: str, payload: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = _answer
    do_POST = _answer


class ReplayHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, routes: list[Route], port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.routes: dict[tuple[str, str], list[Route]] = {}
        for route in routes:
            self.routes.setdefault((route.method, route.path), []).append(route)

    def match(self, method: str, path: str, query: dict[str, str], body: Any) -> Route | None:
        for route in self.routes.get((method, path), []):
            if route.query == query and (route.body is None or route.body == body):
                return route
        return None


class ReplayServer:
    """Context manager: serves `root` on a loopback port (0: a free one) in a daemon thread."""

    def __init__(self, root: Path, port: int = 0) -> None:
        self.httpd = ReplayHTTPServer(load_routes(root), port)
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="replay-server", daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> ReplayServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
