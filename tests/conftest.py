"""Shared fixtures: settings isolated in a temporary data directory, and a copy of the recordings that a test
may break and serve from its own replay server (the pipeline then runs in live mode against it)."""

import shutil
from pathlib import Path

import pytest

from pipeline.settings import RECORDINGS_DIR, Settings
from tests.support import reset_pipeline_env


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    data = tmp_path / "data"
    reset_pipeline_env(monkeypatch, data)
    return data


@pytest.fixture
def offline_settings(clean_env: Path) -> Settings:
    return Settings.from_env()


@pytest.fixture
def recordings_copy(tmp_path: Path) -> Path:
    target = tmp_path / "recordings"
    shutil.copytree(RECORDINGS_DIR, target)
    return target
