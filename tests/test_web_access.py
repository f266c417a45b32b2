"""What the website never serves: the change history (a removed scene, whole), the reader's
watch progress, the catalogue file and its path, and arbitrary SQL unless the owner opts in
(`serve --sql`); on `serve` (Datasette's test client and a real process) as on a published
folder. Each hidden thing is refused (403/404) and no byte of it is in the answer."""

from __future__ import annotations

import json
import shlex
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_process
from tests.web_support import DB_NAME, PUBLIC, Site, fetch, q, served

pytestmark = pytest.mark.slow

# The fixtures web_template and web_db.
pytest_plugins = ("tests.web_support",)

D = f"/{DB_NAME}"
SECRET = "Only the change history still knows this line 7f3a"
REMOVED_KEY = "melting-me-softly-e3-the-removed-scene"
SQLITE_HEADER = "SQLite format 3"


@pytest.fixture
def private_db(web_db: Path, tmp_path: Path) -> Path:
    """The website's catalogue plus a removed scene (its text now only in the change
    history) and the reader's watch progress on a drama."""
    extra = tmp_path / "removed.yaml"
    extra.write_text(
        "format: scenecat/1\nscenes:\n"
        f"  - key: {REMOVED_KEY}\n    drama: Melting Me Softly\n    episode: 3\n"
        f"    kind: confession\n    title: The removed scene\n    description: {SECRET}\n",
        encoding="utf-8",
    )
    assert run_process("--db", str(web_db), "import", str(extra)).exit_code == 0
    removed = run_process("--db", str(web_db), "remove", "scene", REMOVED_KEY, "--yes")
    assert removed.exit_code == 0, removed.stderr
    with sqlite3.connect(web_db) as conn:
        drama = conn.execute("SELECT id FROM drama WHERE title = 'Melting Me Softly'").fetchone()
        conn.execute("INSERT INTO watch_progress (drama_id, episode) VALUES (?, 7)", drama)
        assert conn.execute(
            "SELECT count(*) FROM history_entry WHERE old LIKE ?", (f"%{SECRET}%",)
        ).fetchone() == (1,)
    conn.close()
    return web_db


def private_tables(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        names = [
            r[0]
            for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")
        ]
    conn.close()
    return sorted(set(names) - PUBLIC)


def refused(site: Site, url: str, *secrets: str) -> str:
    response = site.get(url)
    assert response.status_code in (403, 404), (url, response.status_code, response.text[:300])
    for secret in secrets:
        assert secret not in response.text, (url, secret)
    return str(response.text)


def test_private_tables_are_refused_whole(private_db: Path) -> None:
    tables = private_tables(private_db)
    assert {"history_entry", "history_change", "watch_progress", "_sqlite_migrations"} <= set(
        tables
    )
    site = Site(private_db)
    try:
        # The attack of issue #26: a removed scene, whole, from the change log.
        refused(site, f"{D}/history_entry.json?tbl=scene&op=D", SECRET)
        for table in tables:
            for url in (
                f"{D}/{q(table)}",
                f"{D}/{q(table)}.json?_shape=array&_size=max",
                f"{D}/{q(table)}.csv?_stream=on",
                f"{D}/{q(table)}/1",
                f"{D}/{q(table)}/1.json",
                f"{D}/{q(table.upper())}.json",
            ):
                refused(site, url, SECRET, REMOVED_KEY)
        # Nor through another table's filter (?_through= joins through a link table).
        through = json.dumps({"table": "watch_progress", "column": "episode", "value": "7"})
        refused(site, f"{D}/drama.json?_through={q(through)}")
        # Not listed anywhere either.
        for url in ("/", "/.json", D, f"{D}.json", f"{D}.json?_show_hidden=1"):
            page = site.get(url).text
            for table in ("history_entry", "history_change", "watch_progress"):
                assert table not in page, (url, table)
    finally:
        site.close()


def test_a_rows_page_counts_no_private_rows(private_db: Path) -> None:
    """Datasette's "Links from other tables" would say "watch_progress: 1 row"."""
    site = Site(private_db)
    try:
        drama = site.json(f"{D}/drama.json?title=Melting+Me+Softly&_shape=array")[0]["id"]
        data = site.json(f"{D}/drama/{drama}.json?_extras=foreign_key_tables")
        linked = {fk["other_table"] for fk in data["foreign_key_tables"]}
        assert "scene" in linked and linked <= PUBLIC
        assert "watch_progress" not in site.html(f"{D}/drama/{drama}")
    finally:
        site.close()


def test_no_arbitrary_sql_by_default(private_db: Path) -> None:
    site = Site(private_db)
    folder = str(private_db.parent)
    try:
        for sql in (
            "select * from pragma_database_list",
            "select old from history_entry where tbl = 'scene' and op = 'D'",
            "select * from watch_progress",
            "select 1",
        ):
            refused(site, f"{D}.json?sql={q(sql)}", folder, SECRET)
            refused(site, f"{D}?sql={q(sql)}", folder, SECRET)
        where = "id in (select 1 from history_entry where old like '%7f3a%')"
        refused(site, f"{D}/scene.json?_where={q(where)}", SECRET)
        assert "Custom SQL query" not in site.html(D)
        # The canned queries are the site's SQL: they still answer.
        assert site.json(f"{D}/search.json?q=kiss&_shape=array")
    finally:
        site.close()


def test_the_file_is_never_offered_nor_its_path_shown(private_db: Path) -> None:
    site = Site(private_db)
    folder = str(private_db.parent)
    try:
        body = refused(site, f"/{DB_NAME}.db", folder)
        assert SQLITE_HEADER not in body
        assert f'href="/{DB_NAME}.db"' not in site.html(D)
        for url in ("/-/databases.json", "/-/databases"):
            response = site.get(url)
            assert response.status_code == 200
            assert folder not in response.text and f"{DB_NAME}.db" not in response.text
        assert [d["name"] for d in site.json("/-/databases.json")] == [DB_NAME]
        # Nor on any other page the site has.
        for url in (
            "/",
            "/.json",
            D,
            f"{D}.json",
            f"{D}/scene",
            f"{D}/scene.json",
            f"{D}/scene/1",
            f"{D}/drama/1.json?_extras=foreign_key_tables",
            f"{D}/best_scenes.json?actor=&kind=",
            "/-/metadata.json",
            "/-/settings.json",
            "/-/plugins.json",
            "/-/versions.json",
            "/-/threads.json",
        ):
            response = site.get(url)
            assert folder not in response.text, url
    finally:
        site.close()


def test_sql_only_when_the_owner_opts_in(private_db: Path) -> None:
    """`serve --sql`: the owner's own SQL runs; tables and the file stay as they were."""
    site = Site(private_db, sql=True)
    try:
        rows = site.json(f"{D}.json?sql={q('select count(*) as n from scene')}&_shape=array")
        assert rows[0]["n"] > 0
        refused(site, f"{D}/history_entry.json", SECRET)
        assert SQLITE_HEADER not in refused(site, f"/{DB_NAME}.db")
    finally:
        site.close()


def test_a_served_process_refuses_the_hidden(private_db: Path) -> None:
    log: list[str] = []
    folder = str(private_db.parent)
    with served(private_db, log=log) as base:
        for url in (
            f"{D}/history_entry.json?tbl=scene&op=D",
            f"{D}/watch_progress.json",
            f"{D}.json?sql={q('select * from pragma_database_list')}",
            f"/{DB_NAME}.db",
        ):
            status, body = fetch(base + url)
            assert status in (403, 404), (url, status)
            assert SECRET not in body and folder not in body and SQLITE_HEADER not in body
        status, body = fetch(f"{base}/-/databases.json")
        assert status == 200 and folder not in body
        status, body = fetch(f"{base}{D}/scene.json?_search=kiss&_shape=array")
        assert status == 200 and "kiss" in body
    assert not [line for line in log if "Listening on" in line], log


def test_listening_beyond_this_machine_says_what_is_exposed(web_db: Path) -> None:
    log: list[str] = []
    with served(web_db, "--host", "0.0.0.0", log=log) as base:
        assert fetch(f"{base}/{DB_NAME}.db")[0] == 403
    said = [line for line in log if "Listening on 0.0.0.0" in line]
    assert len(said) == 1, log
    assert said[0].startswith("warning: ") and "not the change history" in said[0]
    log.clear()
    with served(web_db, "--host", "0.0.0.0", "--sql", log=log):
        pass
    said = [line for line in log if "Listening on 0.0.0.0" in line]
    assert len(said) == 1 and "any SQL" in said[0], log


# A published folder served the way a host serves it, without the metadata (a host started
# with only the plugins folder) and without scenecat installed: the vendored plugin alone
# must keep the rules.
_BARE_HOST = r"""
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

ds = Datasette(immutables=[folder + "/catalogue.db"], plugins_dir=folder + "/plugins")

async def main():
    out = {}
    for url in json.loads(sys.argv[2]):
        r = await ds.client.get(url)
        out[url] = [r.status_code, r.text]
    print(json.dumps(out))

asyncio.run(main())
"""


def test_a_published_folder_carries_the_same_rules(private_db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "site"
    assert run_process("--db", str(private_db), "publish", str(folder)).exit_code == 0
    copy = folder / "catalogue.db"
    meta = json.loads((folder / "metadata.json").read_text())["databases"]["catalogue"]
    assert meta["allow_sql"] is False
    for table in private_tables(copy):
        assert meta["tables"][table]["allow"] is False, table
    readme = (folder / "README.md").read_text()
    lines = [
        line.strip()
        for line in readme.splitlines()
        if line.strip().startswith(("datasette publish ", "datasette serve "))
    ]
    assert len(lines) == 5
    for line in lines:
        assert "allow_download off" in line and "default_allow_sql off" in line, line
    # The README's own serve command, as written.
    serve = next(line for line in lines if line.startswith("datasette serve -i"))
    for url in ("/catalogue.db", f"/catalogue.json?sql={q('select * from pragma_database_list')}"):
        proc = subprocess.run(
            [sys.executable, "-m", *shlex.split(serve), "--get", url],
            capture_output=True,
            timeout=120,
            cwd=folder,
        )
        assert proc.returncode != 0, url
        assert SQLITE_HEADER.encode() not in proc.stdout and str(folder).encode() not in proc.stdout
    # A host that forgot the metadata and the settings: the plugin still refuses.
    urls = [
        "/catalogue.db",
        f"/catalogue.json?sql={q('select 1')}",
        "/catalogue/scene_signal.json",
        "/-/databases.json",
        "/catalogue/scene.json?_search=kiss&_shape=array",
    ]
    proc = subprocess.run(
        [sys.executable, "-c", _BARE_HOST, str(folder), json.dumps(urls)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    for url in urls[:3]:
        status, body = out[url]
        assert status == 403, (url, status)
        assert SQLITE_HEADER not in body
    status, body = out["/-/databases.json"]
    assert status == 200 and str(folder) not in body
    status, body = out[urls[-1]]
    assert status == 200 and "kiss" in body
