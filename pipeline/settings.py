"""Run settings from the environment: where data lives, offline or live, base URLs, politeness.

Every base URL, rate, timeout and the User-Agent is configuration: the same code crawls the live sites,
the bundled recordings (offline, the default), or any server that speaks the same paths.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
RECORDINGS_DIR = Path(__file__).resolve().parent / "recordings"

LIVE_BASE_URLS = {
    "jne": "https://apiplataformaelectoral3.jne.gob.pe/api/v1",
    "jne_legacy": "https://plataformaelectoral.jne.gob.pe",
    "senado": "https://senado.congreso.gob.pe/senador/",
    "diputados": "https://diputados.congreso.gob.pe/diputado/",
    "congreso": "https://www3.congreso.gob.pe/pagina/congresistas",
    "claridad": "https://claridad.onpe.gob.pe/claridad-backend/portal",
}
# Where each source sits on the replay server (folders under pipeline/recordings).
OFFLINE_PATHS = {
    "jne": "/jne",
    "jne_legacy": "/jne_legacy",
    "senado": "/congreso/senado/senador/",
    "diputados": "/congreso/diputados/diputado/",
    "congreso": "/congreso/www3/pagina/congresistas",
    "claridad": "/claridad",
}
# ONPE Claridad wants a reCAPTCHA token per request. Live, it is read from this variable through a Dagster
# EnvVar (a secret: never in Settings, logs or the manifest). Offline, the recordings stand in for Claridad
# and answer requests carrying OFFLINE_CLARIDAD_TOKEN, so the demo needs no real token.
CLARIDAD_TOKEN_ENV = "PIPELINE_CLARIDAD_TOKEN"
OFFLINE_CLARIDAD_TOKEN = "offline-replay-token"
DEFAULT_USER_AGENT = (
    "peru-transparencia/0.1 (civic transparency pipeline; +https://github.com/peru-transparencia)"
)


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


@dataclass(frozen=True)
class Settings:
    mode: str
    data_dir: Path
    base_urls: dict[str, str]
    rulings_path: Path
    user_agent: str
    timeout_s: float
    requests_per_second: float
    max_workers: int
    max_retries: int
    max_body_mb: float
    page_size: int
    hv_max_age_hours: float
    publish_keep: int
    max_row_loss_share: float
    max_quarantine_share: float
    claridad_export: str
    claridad_page_size: int
    finance_review_above_pen: str
    finance_max_ratio: str
    model_threads: int

    @property
    def database_path(self) -> Path:
        return self.data_dir / "warehouse.duckdb"

    @property
    def published_dir(self) -> Path:
        return self.data_dir / "published"

    @property
    def archive_dir(self) -> Path:
        return self.data_dir / "archive"

    @classmethod
    def from_env(cls) -> Settings:
        mode = _env("PIPELINE_MODE", "offline")
        if mode not in ("offline", "live"):
            raise ValueError(f"PIPELINE_MODE must be 'offline' or 'live', got {mode!r}")
        default_rulings = (
            RECORDINGS_DIR / "rulings" / "court_rulings.csv"
            if mode == "offline"
            else REPO_ROOT / "curated" / "court_rulings.csv"
        )
        base_urls = {
            source: _env(f"PIPELINE_{source.upper()}_URL", LIVE_BASE_URLS[source] if mode == "live" else "")
            for source in LIVE_BASE_URLS
        }
        return cls(
            mode=mode,
            data_dir=Path(_env("PIPELINE_DATA_DIR", str(REPO_ROOT / "data"))),
            base_urls=base_urls,
            rulings_path=Path(_env("PIPELINE_RULINGS_PATH", str(default_rulings))),
            user_agent=_env("PIPELINE_USER_AGENT", DEFAULT_USER_AGENT),
            timeout_s=float(_env("PIPELINE_HTTP_TIMEOUT_S", "30")),
            # Offline, the "site" is a thread on loopback: no politeness needed. Live: one request a second.
            requests_per_second=float(_env("PIPELINE_HTTP_RATE", "200" if mode == "offline" else "1")),
            max_workers=int(_env("PIPELINE_HTTP_WORKERS", "0")),  # 0: sized from rate x latency
            max_retries=int(_env("PIPELINE_HTTP_RETRIES", "4")),
            max_body_mb=float(_env("PIPELINE_HTTP_MAX_BODY_MB", "100")),
            page_size=int(_env("PIPELINE_JNE_PAGE_SIZE", "50")),
            # A hoja de vida whose list row did not change is asked for again (conditionally) only when its
            # body is older than this; 0 re-checks every one each run.
            hv_max_age_hours=float(_env("PIPELINE_HV_MAX_AGE_HOURS", "168")),
            publish_keep=int(_env("PIPELINE_PUBLISH_KEEP", "7")),
            # Publication guards: block when a public table loses more than this share of its rows since the
            # last publication, or when more than this share of a staged table's rows were quarantined.
            max_row_loss_share=float(_env("PIPELINE_GUARD_MAX_ROW_LOSS", "0.2")),
            max_quarantine_share=float(_env("PIPELINE_GUARD_MAX_QUARANTINE", "0.1")),
            # A HAR export of the Claridad portal, read instead of calling it (for runs without a token).
            claridad_export=_env("PIPELINE_CLARIDAD_EXPORT", ""),
            claridad_page_size=int(_env("PIPELINE_CLARIDAD_PAGE_SIZE", "500")),
            # Finance review thresholds (not legal limits: those are rows of the rules table). One amount at
            # or above this many soles goes to review as a likely unit error; campaign money this many times
            # the declared income raises a flag.
            finance_review_above_pen=_env("PIPELINE_FINANCE_REVIEW_ABOVE_PEN", "1000000"),
            finance_max_ratio=_env("PIPELINE_FINANCE_MAX_RATIO", "10"),
            # SQL models built at a time (dbt's `threads`); models that read each other wait their turn.
            model_threads=int(_env("PIPELINE_MODEL_THREADS", "2")),
        )
