"""HTTP for the metadata sources: httpx with an on-disk cache (hishel), a descriptive
User-Agent, timeouts, and retries that honour Retry-After.

Requests run one at a time (no parallel calls), as the Wikidata query service asks of
its clients. Any failure becomes one `SourceUnavailable` line; nothing is written then,
because fetching always happens before the catalogue transaction opens.
"""

from __future__ import annotations

import email.utils
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from scenecat.errors import NotFound, ScenecatError

TIMEOUT_S = 20.0
RETRIES = 3  # after the first try
MAX_WAIT_S = 60.0  # a longer Retry-After is not waited for: the user is told instead
CACHE_TTL_S = 24 * 3600.0
RETRY_STATUSES = (429, 500, 502, 503, 504)

# Seam for tests: waiting between retries.
sleep = time.sleep


class SourceUnavailable(ScenecatError):
    """A source could not be reached or answered with something unusable."""


class Unreachable(SourceUnavailable):
    """No answer at all (offline, refused, timed out): every further call would fail too."""


def user_agent() -> str:
    from scenecat import __version__

    contact = os.environ.get("SCENECAT_CONTACT", "").strip()
    who = f"; {contact}" if contact else ""
    return (
        f"scenecat/{__version__} (K-drama scene catalogue; "
        f"https://pypi.org/project/scenecat/{who}) httpx"
    )


def cache_path() -> Path:
    override = os.environ.get("SCENECAT_CACHE_DIR")
    if override:
        folder = Path(override)
    else:
        import platformdirs

        folder = Path(platformdirs.user_cache_dir("scenecat"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "http-cache.sqlite"


class Http:
    """A small JSON client; one per command run."""

    def __init__(self, *, cache: bool = True, timeout: float = TIMEOUT_S) -> None:
        try:
            import httpx
        except ImportError:
            raise SourceUnavailable(
                "fetching from the web needs httpx and hishel, which are not installed",
                hint="pip install 'scenecat[sources]', or use --from-file with a saved response",
            ) from None

        transport: httpx.BaseTransport = httpx.HTTPTransport(retries=0)
        if cache:
            from hishel import SqliteStorage
            from hishel.httpx import CacheTransport

            storage = SqliteStorage(database_path=cache_path(), default_ttl=CACHE_TTL_S)
            transport = CacheTransport(next_transport=transport, storage=storage)
        self.timeout = timeout
        self.client = httpx.Client(
            transport=transport,
            timeout=httpx.Timeout(timeout),
            headers={"User-Agent": user_agent(), "Accept": "application/json"},
            follow_redirects=True,
        )

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Http:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get_json(
        self,
        url: str,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        import json

        import httpx

        host = httpx.URL(url).host
        for attempt in range(RETRIES + 1):
            try:
                response = self.client.get(url, params=params, headers=headers)
            except httpx.TimeoutException:
                raise Unreachable(
                    f"{host} did not answer within {self.timeout:g} s; nothing was changed",
                    hint="try again later",
                ) from None
            except httpx.TransportError as exc:
                raise Unreachable(
                    f"cannot reach {host} ({exc or type(exc).__name__}); nothing was changed",
                    hint="check the network connection, or use --from-file with a saved response",
                ) from None
            if response.status_code in RETRY_STATUSES and attempt < RETRIES:
                wait = retry_after(response.headers.get("Retry-After"), attempt)
                if wait is None:
                    break
                sleep(wait)
                continue
            break
        status = response.status_code
        if status == 404:
            raise NotFound(f"{host} has no such record ({response.request.url.path})")
        if status in (401, 403):
            raise SourceUnavailable(
                f"{host} refused the request (HTTP {status}); nothing was changed",
                hint="check the API key or token",
            )
        if status == 429:
            raise SourceUnavailable(
                f"{host} is limiting requests (HTTP 429); nothing was changed",
                hint="wait a minute and try again",
            )
        if status >= 400:
            raise SourceUnavailable(f"{host} answered HTTP {status}; nothing was changed")
        try:
            return json.loads(response.content)
        except ValueError:
            raise SourceUnavailable(
                f"{host} sent a reply that is not valid JSON; nothing was changed"
            ) from None


def retry_after(value: str | None, attempt: int) -> float | None:
    """Seconds to wait before the next try: the server's Retry-After (seconds or an HTTP
    date) when given, else 1, 2, 4 ... seconds; None when the server asks for longer than
    MAX_WAIT_S."""
    if value is None:
        return float(2**attempt)
    text = value.strip()
    if text.isdigit():
        wait = float(text)
    else:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return float(2**attempt)
        wait = max(0.0, when.timestamp() - time.time())
    return wait if wait <= MAX_WAIT_S else None
