"""Dagster resources: the HTTP sources (live or replayed) and the DuckDB warehouse."""

from __future__ import annotations

import functools
import inspect
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource

from pipeline.http.archive import Archive
from pipeline.http.client import HttpClient, HttpSettings
from pipeline.http.replay import ReplayServer
from pipeline.memory import arrow_on_the_heap, release_freed_memory
from pipeline.settings import (
    CLARIDAD_TOKEN_ENV,
    OFFLINE_CLARIDAD_TOKEN,
    OFFLINE_PATHS,
    RECORDINGS_DIR,
    Settings,
)


@dataclass
class OpenSources:
    """What an asset needs to crawl: the client, the base URL of each source, and the archive."""

    client: HttpClient
    base_urls: dict[str, str]
    archive: Archive
    page_size: int
    mode: str

    def url(self, source: str) -> str:
        if not self.base_urls.get(source):
            raise ValueError(
                f"no base URL configured for source {source!r} (set PIPELINE_{source.upper()}_URL)"
            )
        return self.base_urls[source]


class SourcesResource(dg.ConfigurableResource):
    """Crawl settings. mode=offline serves the bundled recordings from a loopback server through the very
    same client; a base URL set here (or by PIPELINE_<SOURCE>_URL) wins over both defaults."""

    mode: str = "offline"
    data_dir: str
    jne_url: str = ""
    jne_legacy_url: str = ""
    senado_url: str = ""
    diputados_url: str = ""
    congreso_url: str = ""
    claridad_url: str = ""
    claridad_token: str = ""  # a secret: a dg.EnvVar, so Dagster shows the variable name, not the value
    claridad_export: str = ""
    claridad_page_size: int = 500
    finance_review_above_pen: str = "1000000"
    finance_max_ratio: str = "10"
    rulings_path: str
    user_agent: str
    timeout_s: float = 30.0
    requests_per_second: float = 1.0
    max_workers: int = 0
    max_retries: int = 4
    max_body_mb: float = 100.0
    page_size: int = 50
    hv_max_age_hours: float = 168.0

    @classmethod
    def from_settings(cls, settings: Settings) -> SourcesResource:
        return cls(
            mode=settings.mode,
            data_dir=str(settings.data_dir),
            jne_url=settings.base_urls["jne"],
            jne_legacy_url=settings.base_urls["jne_legacy"],
            senado_url=settings.base_urls["senado"],
            diputados_url=settings.base_urls["diputados"],
            congreso_url=settings.base_urls["congreso"],
            claridad_url=settings.base_urls["claridad"],
            claridad_token=_claridad_token(settings),
            claridad_export=settings.claridad_export,
            claridad_page_size=settings.claridad_page_size,
            finance_review_above_pen=settings.finance_review_above_pen,
            finance_max_ratio=settings.finance_max_ratio,
            rulings_path=str(settings.rulings_path),
            user_agent=settings.user_agent,
            timeout_s=settings.timeout_s,
            requests_per_second=settings.requests_per_second,
            max_workers=settings.max_workers,
            max_retries=settings.max_retries,
            max_body_mb=settings.max_body_mb,
            page_size=settings.page_size,
            hv_max_age_hours=settings.hv_max_age_hours,
        )

    @property
    def archive(self) -> Archive:
        return Archive(Path(self.data_dir) / "archive")

    def _configured(self) -> dict[str, str]:
        return {
            "jne": self.jne_url,
            "jne_legacy": self.jne_legacy_url,
            "senado": self.senado_url,
            "diputados": self.diputados_url,
            "congreso": self.congreso_url,
            "claridad": self.claridad_url,
        }

    @contextmanager
    def open(self) -> Iterator[OpenSources]:
        http = HttpSettings(
            user_agent=self.user_agent,
            timeout_s=self.timeout_s,
            requests_per_second=self.requests_per_second,
            max_workers=self.max_workers,
            max_retries=self.max_retries,
            max_body_mb=self.max_body_mb,
        )
        archive = self.archive
        client = HttpClient(http, archive)
        replay = ReplayServer(RECORDINGS_DIR).start() if self.mode == "offline" else None
        try:
            urls = {
                source: configured or (replay.base_url + OFFLINE_PATHS[source] if replay else "")
                for source, configured in self._configured().items()
            }
            yield OpenSources(client, urls, archive, self.page_size, self.mode)
        finally:
            client.close()
            archive.close()
            if replay:
                replay.stop()


def _claridad_token(settings: Settings) -> str:
    """Offline, the token the recordings answer to; live, the operator's token from the environment, passed as
    a Dagster EnvVar so it is read at run time and never shown; with none, the Claridad assets skip."""
    if settings.mode == "offline":
        return OFFLINE_CLARIDAD_TOKEN
    return dg.EnvVar(CLARIDAD_TOKEN_ENV) if os.environ.get(CLARIDAD_TOKEN_ENV) else ""


class PublicationResource(dg.ConfigurableResource):
    """Where publications go, how many dated releases to keep, and whether this is the offline demo."""

    root: str
    keep: int = 7
    mode: str = "offline"
    max_row_loss_share: float = 0.2
    max_quarantine_share: float = 0.1

    @classmethod
    def from_settings(cls, settings: Settings) -> PublicationResource:
        return cls(
            root=str(settings.published_dir),
            keep=settings.publish_keep,
            mode=settings.mode,
            max_row_loss_share=settings.max_row_loss_share,
            max_quarantine_share=settings.max_quarantine_share,
        )


class WarehouseResource(DuckDBResource):
    """DuckDB warehouse; creates the data directory the file lives in, and gives the memory a connection's
    work freed back to the OS when it closes (`release_freed_memory`; Arrow's too, `arrow_on_the_heap`).
    `model_threads`: how many SQL models are built at a time, like dbt's `threads`."""

    model_threads: int = 2

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        Path(self.database).parent.mkdir(parents=True, exist_ok=True)
        arrow_on_the_heap()  # so that what Arrow frees is given back as well
        super().setup_for_execution(context)

    @contextmanager
    def get_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        try:
            with super().get_connection() as conn:
                yield conn
        finally:
            release_freed_memory()

    @contextmanager
    def held(self) -> Iterator[None]:
        """Keep the database open for a step that opens several connections: each then joins the database
        this one holds (DuckDB's instance cache) in about 1 ms, where opening it anew loads the catalog and
        closing it checkpoints, 25-45 ms each at 150,000 candidates. The file lock is held for the step only,
        as each connection holds it, so the DuckDB pool keeps steps of other runs apart as before."""
        with self.get_connection():
            yield


def warehouse_held(compute: Callable[..., Any]) -> Callable[..., Any]:
    """An asset's compute function run with its `duckdb` resource held open (`WarehouseResource.held`)."""
    if inspect.isgeneratorfunction(compute):

        @functools.wraps(compute)
        def generate(*args: Any, **kwargs: Any) -> Iterator[Any]:
            with kwargs["duckdb"].held():
                yield from compute(*args, **kwargs)

        return generate

    @functools.wraps(compute)
    def run(*args: Any, **kwargs: Any) -> Any:
        with kwargs["duckdb"].held():
            return compute(*args, **kwargs)

    return run
