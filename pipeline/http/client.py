"""One HTTP client for every source: timeouts, retries with backoff, per-host throttle, bounded
concurrency, an identifying User-Agent, and the archive of every body.

Retries are urllib3's `Retry` (exponential backoff with jitter, Retry-After honoured but capped);
the client adds only what urllib3 lacks: the throttle and the archive.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from pipeline.http.archive import Archive
from pipeline.http.request import Fetched, Request
from pipeline.http.throttle import HostThrottle

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class PoliteRetry(Retry):
    """urllib3 Retry that never retries at once (urllib3 skips the backoff before the first retry) and caps
    Retry-After, so a struggling site gets a pause and a server asking for an hour cannot stall a run."""

    max_retry_after: float = 60.0

    def get_backoff_time(self) -> float:
        return max(super().get_backoff_time(), self.backoff_factor)

    def get_retry_after(self, response):  # type: ignore[no-untyped-def]
        value = super().get_retry_after(response)
        return None if value is None else min(value, self.max_retry_after)

    def new(self, **kw):  # type: ignore[no-untyped-def]
        retry = super().new(**kw)
        retry.max_retry_after = self.max_retry_after
        return retry


@dataclass(frozen=True)
class HttpSettings:
    user_agent: str
    timeout_s: float = 30.0
    requests_per_second: float = 2.0
    max_workers: int = 4
    max_retries: int = 4
    backoff_factor: float = 0.5
    backoff_jitter: float = 0.25
    max_retry_after_s: float = 60.0


class HttpClient:
    def __init__(self, settings: HttpSettings, archive: Archive) -> None:
        self.settings = settings
        self.archive = archive
        self.throttle = HostThrottle(settings.requests_per_second)
        retry = PoliteRetry(
            total=settings.max_retries,
            connect=settings.max_retries,
            read=settings.max_retries,
            status=settings.max_retries,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=frozenset({"GET", "POST", "HEAD"}),  # the POSTs here are read-only queries
            backoff_factor=settings.backoff_factor,
            backoff_jitter=settings.backoff_jitter,
            respect_retry_after_header=True,
            raise_on_status=False,
        )
        retry.max_retry_after = settings.max_retry_after_s
        adapter = HTTPAdapter(max_retries=retry, pool_maxsize=max(settings.max_workers, 1))
        self.session = requests.Session()
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers["User-Agent"] = settings.user_agent

    def fetch(self, request: Request) -> Fetched:
        """Fetch and archive one response. Network failures come back as a Fetched with `error` set."""
        self.throttle.wait(request.url)
        started = time.monotonic()
        fetched_at = datetime.now(UTC)
        try:
            response = self.session.request(
                request.method,
                request.url,
                params=request.params or None,
                data=request.body_bytes,
                headers={"Content-Type": "application/json"} if request.json_body is not None else None,
                timeout=self.settings.timeout_s,
            )
            content = response.content
        except requests.RequestException as exc:
            return Fetched(
                request=request,
                status=None,
                sha256=None,
                content=b"",
                content_type="",
                fetched_at=fetched_at,
                elapsed_ms=int((time.monotonic() - started) * 1000),
                error=f"{type(exc).__name__}: {exc}",
            )
        return Fetched(
            request=request,
            status=response.status_code,
            sha256=self.archive.put(content),
            content=content,
            content_type=response.headers.get("Content-Type", ""),
            fetched_at=fetched_at,
            elapsed_ms=int((time.monotonic() - started) * 1000),
        )

    def fetch_many(
        self,
        requests_: Sequence[Request],
        progress: Callable[[int, int], None] | None = None,
        progress_every: int = 100,
    ) -> list[Fetched]:
        """Fetch concurrently (bounded by max_workers, paced by the per-host throttle), in input order."""
        total = len(requests_)
        results: list[Fetched] = []
        with ThreadPoolExecutor(max_workers=max(self.settings.max_workers, 1)) as pool:
            for done, fetched in enumerate(pool.map(self.fetch, requests_), start=1):
                results.append(fetched)
                if progress and (done % progress_every == 0 or done == total):
                    progress(done, total)
        return results

    def close(self) -> None:
        self.session.close()
