"""Shared set-up for the tests of metadata sources and clips: recorded responses, no network."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

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


# The cast in Hangul, as `tv/{id}[/season/{n}]/aggregate_credits?language=ko-KR` gives it.
KOREAN_CREDITS = {
    "9001": "tmdb-tv-secret-garden-credits-ko.json",
    "9002": "tmdb-tv-melting-me-softly-credits-ko.json",
    "9020": "tmdb-tv-crash-landing-on-you-credits-ko.json",
    "9010/season/2": "tmdb-tv-hospital-playlist-season-2-credits-ko.json",
}


def korean_credits(request: httpx.Request) -> httpx.Response:
    assert request.url.params["language"] == "ko-KR"
    match = re.match(r"^/3/tv/(\d+(?:/season/\d+)?)/aggregate_credits$", request.url.path)
    assert match, request.url.path
    name = KOREAN_CREDITS.get(match.group(1))
    series = int(match.group(1).split("/")[0])
    return httpx.Response(
        200, json=fixture(name) if name else {"cast": [], "crew": [], "id": series}
    )


def tmdb_routes(mock: respx.MockRouter) -> dict[str, respx.Route]:
    """TMDB's endpoints as scenecat calls them; the Korean cast names answer by default."""
    routes = {
        "search": mock.get(host=TMDB, path="/3/search/tv"),
        "tv": mock.get(host=TMDB, path__regex=r"^/3/tv/\d+$"),
        "season": mock.get(host=TMDB, path__regex=r"^/3/tv/\d+/season/\d+$"),
        "credits": mock.get(host=TMDB, path__regex=r"^/3/tv/\d+(/season/\d+)?/aggregate_credits$"),
        "person": mock.get(host=TMDB, path__regex=r"^/3/person/\d+$"),
        "find": mock.get(host=TMDB, path__regex=r"^/3/find/[^/]+$"),
    }
    routes["credits"].side_effect = korean_credits
    return routes
