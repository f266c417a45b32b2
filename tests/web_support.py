"""Shared by the website tests: a catalogue with a YouTube clip and hostile text, the site
Datasette serves for it (built the way `scenecat serve` builds it), and a real server."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.conftest import run_process

ROOT = Path(__file__).resolve().parent.parent
EXTRA = ROOT / "tests" / "fixtures" / "web-extra.yaml"
SAMPLE = ROOT / "data" / "sample.yaml"
DB_NAME = "web"  # the file is web.db, so pages live under /web/

# The tables the site documents and serves (web/metadata.py TABLES), written out here so
# that a table added to or dropped from the site shows up as a failing test.
PUBLIC = frozenset(
    {
        "actor",
        "actor_alias",
        "credit",
        "drama",
        "drama_alias",
        "duel",
        "episode",
        "scene",
        "scene_actor",
        "scene_source",
        "scene_tag",
        "source",
        "view_count",
        "vote",
    }
)


def q(text: str) -> str:
    """Quote text for a URL path or query value."""
    return quote(text, safe="")


YOUTUBE_ID = "dQw4w9WgXcQ"
ROOFTOP_KEY = "melting-me-softly-e12-rooftop-kiss"
HOSTILE_KEY = "hostile-night-e1-escape"


def build_catalogue(folder: Path) -> Path:
    path = folder / f"{DB_NAME}.db"
    for source in (SAMPLE, EXTRA):
        result = run_process("--db", str(path), "import", str(source))
        assert result.exit_code == 0, result.stderr
    # scenecat refuses terminal escapes in text; a catalogue written by an older scenecat
    # or another tool can still hold them, and the site must show them harmlessly.
    with sqlite3.connect(path) as conn:
        conn.execute(
            "UPDATE scene SET description = replace(description, 'Terminal red',"
            " 'Terminal ' || char(27) || '[31mred' || char(27) || '[0m') WHERE key = ?",
            (HOSTILE_KEY,),
        )
    conn.close()
    return path


@pytest.fixture(scope="session")
def web_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_catalogue(tmp_path_factory.mktemp("web"))


@pytest.fixture
def web_db(web_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / web_template.name
    shutil.copyfile(web_template, path)
    return path


class Site:
    """Datasette's own test client on the site `scenecat serve` would start."""

    def __init__(self, path: Path, *, live: bool = False, sql: bool = False) -> None:
        from scenecat.web import serve

        self.info = serve.inspect(path, sql=True) if sql else serve.inspect(path)
        self.ds = serve.datasette(self.info, live=live)
        self.loop = asyncio.new_event_loop()
        self.loop.run_until_complete(self.ds.invoke_startup())

    def get(self, url: str) -> Any:
        return self.loop.run_until_complete(self.ds.client.get(url))

    def html(self, url: str) -> str:
        response = self.get(url)
        assert response.status_code == 200, (url, response.status_code, response.text[:500])
        return str(response.text)

    def json(self, url: str) -> Any:
        response = self.get(url)
        assert response.status_code == 200, (url, response.status_code, response.text[:500])
        return response.json()

    def close(self) -> None:
        self.loop.close()


@pytest.fixture
def site(web_db: Path) -> Iterator[Site]:
    s = Site(web_db)
    yield s
    s.close()


def cli_json(db: Path, *args: str) -> Any:
    result = run_process("--db", str(db), *args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def scene_id(db: Path, key: str) -> int:
    return int(cli_json(db, "show", "scene", key)["data"]["id"])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def served(
    db: Path, *extra: str, env: dict[str, str] | None = None, log: list[str] | None = None
) -> Iterator[str]:
    """`scenecat --db DB serve` as a real process; yields the base URL once it answers.
    `log` receives the lines it wrote on stderr once it has stopped."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "scenecat", "--db", str(db), "serve", "--port", str(port), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "NO_COLOR": "1", **(env or {})},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"serve exited {proc.returncode}: {proc.stderr.read()}")
            try:
                with urllib.request.urlopen(f"{base}/-/versions.json", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError("serve did not answer within 60 s") from None
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout:
            proc.stdout.close()
        if proc.stderr:
            if log is not None:
                log.extend(proc.stderr.read().splitlines())
            proc.stderr.close()


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")
