"""Shared set-up for the tests of metadata sources and clips: recorded responses, no network."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "sources"
TMDB = "api.themoviedb.org"
WIKIDATA = "www.wikidata.org"
# A proxy nobody listens on: a subprocess that tried the network would fail at once, locally.
DEAD_PROXY = "http://127.0.0.1:9"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def offline_env(tmp_path: Path) -> dict[str, str]:
    """Environment for subprocesses: their own HTTP cache, no keys, a dead proxy."""
    return {
        "SCENECAT_CACHE_DIR": str(tmp_path / "cache"),
        "HTTPS_PROXY": DEAD_PROXY,
        "HTTP_PROXY": DEAD_PROXY,
        "ALL_PROXY": DEAD_PROXY,
        "NO_PROXY": "",
        "TMDB_API_KEY": "",
        "TMDB_TOKEN": "",
        "YOUTUBE_API_KEY": "",
        "NO_COLOR": "1",
    }


@pytest.fixture
def no_network(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Offline set-up for in-process runs; returns the waits between retries (not slept)."""
    for name, value in offline_env(tmp_path).items():
        monkeypatch.setenv(name, value)
    waits: list[float] = []
    import scenecat.sources.http as http

    monkeypatch.setattr(http, "sleep", waits.append)
    return waits
