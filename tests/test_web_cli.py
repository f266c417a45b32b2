"""`scenecat serve` and `scenecat publish` as a user runs them: real processes, one clear
line for each failure, the catalogue never written, and a published folder that serves
without scenecat installed."""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.conftest import run_process
from tests.web_support import (
    DB_NAME,
    ROOFTOP_KEY,
    YOUTUBE_ID,
    cli_json,
    fetch,
    served,
)

pytestmark = pytest.mark.slow

# The fixtures web_template and web_db.
pytest_plugins = ("tests.web_support",)

ROOT = Path(__file__).resolve().parent.parent


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def one_error(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert lines and lines[0].startswith("Error: "), stderr
    assert len(lines) <= 2 and all(line.startswith(("Error: ", "hint: ")) for line in lines), stderr
    return lines[0]


@pytest.fixture
def no_datasette(tmp_path: Path) -> dict[str, str]:
    """An environment where `import datasette` fails, as without the web extra."""
    stub = tmp_path / "stub" / "datasette"
    stub.mkdir(parents=True)
    (stub / "__init__.py").write_text("raise ImportError('No module named datasette')\n")
    path = os.pathsep.join([str(tmp_path / "stub"), os.environ.get("PYTHONPATH", "")])
    return {"PYTHONPATH": path}


@pytest.mark.parametrize("command", [["serve"], ["publish", "site"]])
def test_without_datasette_one_line_and_a_hint(
    web_db: Path, no_datasette: dict[str, str], command: list[str]
) -> None:
    result = run_process("--db", str(web_db), *command, env=no_datasette)
    assert result.exit_code == 1
    line = one_error(result.stderr)
    assert "needs Datasette, which is not installed" in line
    assert 'pip install "scenecat[web]"' in result.stderr


def test_busy_port_one_line(web_db: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_process("--db", str(web_db), "serve", "--port", str(port))
    assert result.exit_code == 1
    assert one_error(result.stderr) == (
        f"Error: port {port} is busy: another program is listening on it"
    )


def test_missing_catalogue_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "nothing.db"
    result = run_process("--db", str(missing), "serve")
    assert result.exit_code == 1
    assert one_error(result.stderr) == f"Error: no catalogue at {missing}"
    assert not missing.exists()  # serve creates nothing


def test_not_a_catalogue_and_old_schema(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    result = run_process("--db", str(other), "serve")
    assert result.exit_code == 1
    assert "is not a scenecat catalogue" in one_error(result.stderr)
    old = tmp_path / "old.db"
    old.write_bytes((ROOT / "tests" / "fixtures" / "catalogue-schema2.db").read_bytes())
    before = digest(old)
    result = run_process("--db", str(old), "serve")
    assert result.exit_code == 1
    assert "older schema" in one_error(result.stderr)
    assert digest(old) == before  # the site only reads: no upgrade behind the user's back


def test_serve_answers_and_never_writes(web_db: Path) -> None:
    before = digest(web_db)
    with served(web_db) as base:
        status, body = fetch(f"{base}/{DB_NAME}/scene.json?_search={quote('녹여')}&_shape=array")
        assert status == 200
        assert "The shower kiss" in body
        status, body = fetch(f"{base}/{DB_NAME}/best_per_drama.json?actor=Ji+Chang+Wook&kind=kiss")
        assert status == 200 and "Healer" in body
    assert digest(web_db) == before


def test_open_starts_a_browser_on_the_site(web_db: Path, tmp_path: Path) -> None:
    opened = tmp_path / "opened.txt"
    script = f"import sys; open({str(opened)!r}, 'w').write(sys.argv[1])"
    browser = f"{sys.executable} -c {shlex.quote(script)} %s"
    with served(web_db, "--open", env={"BROWSER": browser}) as base:
        deadline = time.monotonic() + 30
        while not opened.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
    assert opened.read_text() == f"{base}/{DB_NAME}"


def test_live_shows_changes_made_while_serving(web_db: Path) -> None:
    url = f"/{DB_NAME}/scene.json?_search=parachute&_shape=array"
    with served(web_db, "--live") as base:
        assert fetch(base + url) == (200, "[]")
        result = run_process(
            "--db",
            str(web_db),
            "edit",
            "scene",
            ROOFTOP_KEY,
            "--title",
            "The parachute kiss",
        )
        assert result.exit_code == 0, result.stderr
        status, body = fetch(base + url)
        assert status == 200 and "The parachute kiss" in body


def test_publish_writes_a_self_contained_folder(web_db: Path, tmp_path: Path) -> None:
    before = digest(web_db)
    folder = tmp_path / "site"
    result = run_process("--db", str(web_db), "publish", str(folder))
    assert result.exit_code == 0, result.stderr
    assert digest(web_db) == before
    names = {p.name for p in folder.iterdir()}
    assert names == {
        "catalogue.db",
        "metadata.json",
        "plugins",
        "templates",
        "README.md",
        "requirements.txt",
    }
    assert (
        folder / "plugins" / "_vendor" / "scenecat" / "web" / "plugin" / "__init__.py"
    ).is_file()
    readme = (folder / "README.md").read_text()
    flags = "--metadata metadata.json --plugins-dir plugins --template-dir templates"
    for command in ("publish cloudrun", "publish fly", "publish vercel", "serve -i"):
        assert f"datasette {command} catalogue.db {flags}" in readme
    copy = sqlite3.connect(folder / "catalogue.db")
    tables = {r[0] for r in copy.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    copy.close()
    assert not {t for t in tables if t.startswith("history_")} and "watch_progress" not in tables
    assert {"scene", "scene_search_fts", "vote", "duel"} <= tables
    meta = json.loads((folder / "metadata.json").read_text())
    assert meta["databases"]["catalogue"]["tables"]["scene"]["fts_table"] == "scene_search_fts"
    # A second publish into the same folder is refused and changes nothing.
    mark = digest(folder / "catalogue.db")
    again = run_process("--db", str(web_db), "publish", str(folder))
    assert again.exit_code == 1
    assert "already exists and is not empty" in one_error(again.stderr)
    assert digest(folder / "catalogue.db") == mark
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site-")]


# Serves a published folder the way a host does: Datasette with the folder's plugins and
# templates, with no scenecat installed (the installed one is hidden, entry points are not
# loaded), so the plugin must run from the copy in plugins/_vendor.
_HOSTED = r"""
import asyncio, importlib.machinery, json, sys
folder = sys.argv[1]

class OnlyVendored:
    def find_spec(self, name, path=None, target=None):
        if name != "scenecat":
            return None
        vendored = [p for p in sys.path if p.endswith("_vendor")]
        spec = importlib.machinery.PathFinder.find_spec(name, vendored) if vendored else None
        if spec is None:
            raise ModuleNotFoundError("No module named 'scenecat'", name=name)
        return spec

sys.meta_path.insert(0, OnlyVendored())
sys._called_from_test = True  # Datasette then skips setuptools entry points
from datasette.app import Datasette

ds = Datasette(
    immutables=[folder + "/catalogue.db"],
    metadata=json.load(open(folder + "/metadata.json")),
    plugins_dir=folder + "/plugins",
    template_dir=folder + "/templates",
)

async def main():
    out = {}
    for name, url in [
        ("hangul", "/catalogue/scene.json?_search=%EB%85%B9%EC%97%AC&_shape=array&_col=key&_size=max"),
        ("rank", "/catalogue/best_per_drama.json?actor=Ji+Chang+Wook&kind=kiss&_shape=array"),
        ("page", "/catalogue/scene/" + sys.argv[2]),
    ]:
        r = await ds.client.get(url)
        out[name] = [r.status_code, r.text]
    import scenecat
    out["scenecat"] = scenecat.__file__
    print(json.dumps(out))

asyncio.run(main())
"""


def test_published_folder_serves_without_scenecat(web_db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "site"
    assert run_process("--db", str(web_db), "publish", str(folder)).exit_code == 0
    rooftop = cli_json(web_db, "show", "scene", ROOFTOP_KEY)["data"]["id"]
    proc = subprocess.run(
        [sys.executable, "-c", _HOSTED, str(folder), str(rooftop)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert "_vendor" in out["scenecat"]
    status, body = out["hangul"]
    keys = {row["key"] for row in json.loads(body)}
    expected = {h["key"] for h in cli_json(web_db, "search", "녹여", "--limit", "1000")["data"]}
    assert status == 200 and keys == expected
    status, body = out["rank"]
    cli = cli_json(web_db, "rank", "--actor", "Ji Chang Wook", "--kind", "kiss", "--by", "drama")
    assert [r["key"] for r in json.loads(body)] == [e["key"] for e in cli["data"]]
    status, body = out["page"]
    assert status == 200
    assert f"i.ytimg.com/vi/{YOUTUBE_ID}/hqdefault.jpg" in body
    assert "Clips and sources" in body


def test_the_readme_serve_command_of_a_published_folder_works(web_db: Path, tmp_path: Path) -> None:
    """The folder README's `datasette serve` line, as written, run with --get."""
    import shlex as sh

    folder = tmp_path / "site"
    assert run_process("--db", str(web_db), "publish", str(folder)).exit_code == 0
    line = next(
        line.strip()
        for line in (folder / "README.md").read_text().splitlines()
        if line.strip().startswith("datasette serve -i catalogue.db")
    )
    url = f"/catalogue/scene.json?_search={quote('녹여')}&_shape=array&_col=key"
    proc = subprocess.run(
        [sys.executable, "-m", *sh.split(line), "--get", url],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=folder,
    )
    assert proc.returncode == 0, proc.stderr
    keys = {row["key"] for row in json.loads(proc.stdout)}
    expected = {h["key"] for h in cli_json(web_db, "search", "녹여", "--limit", "1000")["data"]}
    assert keys == expected


def test_readme_shows_the_published_folders_commands(web_db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "site"
    assert run_process("--db", str(web_db), "publish", str(folder)).exit_code == 0

    def commands(text: str) -> set[str]:
        return {
            line.strip().split(" -h 0.0.0.0")[0]
            for line in text.splitlines()
            if line.strip().startswith(("datasette publish ", "datasette serve -i"))
        }

    published = commands((folder / "README.md").read_text())
    assert len(published) == 4
    assert commands((ROOT / "README.md").read_text()) == published
