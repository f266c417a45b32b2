"""`scenecat publish DIR`: a folder any Datasette host can serve, scenecat or not.

The folder holds a copy of the catalogue without its change log and watch progress
(`catalogue.db`), the generated `metadata.json`, scenecat's plugin as a plugins folder with a
copy of the scenecat package it runs (so the host needs Datasette and PyYAML, not scenecat),
the scene page template, and a README with the `datasette publish` command for each host.
It is written into a fresh temporary folder next to DIR and renamed into place at the end,
so DIR is either complete or absent; an existing non-empty DIR is refused.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from scenecat.errors import ScenecatError
from scenecat.files import staged_folder

DB_NAME = "catalogue"
# What the vendored scenecat code imports beyond Datasette and its own dependencies.
REQUIREMENTS = ("PyYAML>=6.0", "confusable-homoglyphs>=3.3,<4")

LOADER = '''"""scenecat's Datasette plugin, as `scenecat publish` ships it (see README.md).

Uses the installed scenecat when there is one (its plugin is then already registered through
its entry point); otherwise the copy in _vendor/.
"""

import sys
from pathlib import Path

try:
    import scenecat.web.plugin as _plugin
except ImportError:
    sys.path.insert(0, str(Path(__file__).with_name("_vendor")))
    import scenecat.web.plugin as _plugin

from datasette.plugins import pm

if not pm.is_registered(_plugin):
    from scenecat.web.plugin import (  # noqa: F401 - Datasette finds the hooks here
        extra_template_vars,
        filters_from_request,
        permission_allowed,
        prepare_connection,
        prepare_jinja2_environment,
        register_facet_classes,
        register_routes,
        render_cell,
        startup,
    )
'''

FLAGS = "--metadata metadata.json --plugins-dir plugins --template-dir templates"
# serve.SETTINGS as `datasette serve` options (Cloud Run passes them with --extra-options);
# the serving rules (no download of the file, no arbitrary SQL) come first.
SETTINGS = (
    "--setting allow_download off --setting default_allow_sql off "
    "--setting suggest_facets off --setting sql_time_limit_ms 5000"
)


def readme(pip: str, install: str) -> str:
    return f"""# A scenecat catalogue, ready for Datasette

Written by `scenecat publish`. `catalogue.db` is a copy of the catalogue (without its change
log and watch progress); `metadata.json`, `plugins/` and `templates/` make it the scenecat
site: search like `scenecat search`, rankings like `scenecat rank`, spoilers on click.

Try it here:

    pip install "datasette>=0.65,<1" {pip}
    datasette serve -i catalogue.db {FLAGS} {SETTINGS}

Publish it (run in this folder; each host's own login comes first):

    # Google Cloud Run
    datasette publish cloudrun catalogue.db {FLAGS} {install} --service scenecat --extra-options "{SETTINGS}"

    # Fly.io (pip install datasette-publish-fly)
    datasette publish fly catalogue.db {FLAGS} {install} --app scenecat-site {SETTINGS}

    # Vercel (pip install datasette-publish-vercel)
    datasette publish vercel catalogue.db {FLAGS} {install} --project scenecat-site {SETTINGS}

    # Any other host of Datasette: copy this folder and run
    datasette serve -i catalogue.db {FLAGS} {SETTINGS} -h 0.0.0.0 -p 8001

What the site serves: the scenes, dramas, actors, sources, votes, duels and view counts, the
search and the rankings. What it refuses: the tables scenecat does not document
(`"allow": false` in metadata.json), arbitrary SQL (`"allow_sql": false`, and the
`default_allow_sql off` setting) and the download of catalogue.db (`allow_download off`);
the plugin refuses them too, should a host run without these settings.

The other settings: no suggested facets (the site chooses its facets; suggesting them costs
most of a page's time on a large catalogue), and 5 s for a query, enough for a ranking of a
broad scope of a large catalogue (Datasette's default is 1 s).
"""


def _target(folder: Path) -> Path:
    """Where the folder goes. A link to an empty folder (a web server's root, say) is
    followed: the site goes into the folder it points to and the link stays. A link to
    nothing is refused rather than made into a folder somewhere else."""
    target = folder
    if folder.is_symlink():
        if not folder.exists():
            raise ScenecatError(
                f"{folder} is a link to {os.readlink(folder)}, which does not exist",
                hint="make that folder first, or pass a new folder name",
            )
        target = folder.resolve()
    if target.exists() and not target.is_dir():
        raise ScenecatError(
            f"{folder} is {'a link to ' if target != folder else ''}a file, not a folder; "
            "publish writes a new folder",
            hint="pass a new folder name (nothing is overwritten)",
        )
    if target.exists() and any(target.iterdir()):
        raise ScenecatError(
            f"{folder} already exists and is not empty; publish writes a new folder",
            hint="pass a new folder name (nothing is overwritten)",
        )
    parent = target.parent.resolve()
    if not parent.is_dir():
        raise ScenecatError(f"the folder {parent} does not exist")
    return parent / target.name


@dataclass(frozen=True)
class Published:
    folder: Path
    dropped: list[str]  # private tables left out of the copy
    files: list[str]


def publish(source: Path, folder: Path, *, title: str | None = None) -> Published:
    from scenecat.storage import site_queries as store
    from scenecat.web.metadata import metadata
    from scenecat.web.serve import inspect

    inspect(source)  # one clear error for a missing, foreign or out-of-date catalogue
    with staged_folder(_target(folder)) as work:
        db_file = work / f"{DB_NAME}.db"
        src = store.open_read_only(source)
        try:
            store.copy_database(src, db_file)
        finally:
            src.close()
        copy = store.open_read_write(db_file)
        try:
            dropped = store.strip_private(copy)
            meta = metadata(copy, DB_NAME, title=title)
            credits = credits_section(copy)
        finally:
            copy.close()
        (work / "metadata.json").write_text(
            json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        package = Path(__file__).resolve().parent.parent
        plugins = work / "plugins"
        plugins.mkdir()
        (plugins / "scenecat_site.py").write_text(LOADER, encoding="utf-8")
        shutil.copytree(
            package,
            plugins / "_vendor" / "scenecat",
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
        )
        # The fan pages' templates (home, scene/drama/actor, rankings, the scenes page).
        shutil.copytree(
            package / "web" / "plugin" / "templates",
            work / "templates",
            ignore=shutil.ignore_patterns("__pycache__"),
        )
        (work / "requirements.txt").write_text("\n".join(REQUIREMENTS) + "\n", encoding="utf-8")
        quoted = [f'"{r}"' if ">" in r else r for r in REQUIREMENTS]
        pip = " ".join(quoted)
        install = " ".join(f"--install {r}" for r in quoted)
        (work / "README.md").write_text(readme(pip, install), encoding="utf-8")
        if credits:
            with (work / "README.md").open("a", encoding="utf-8") as text:
                text.write(credits)
        files = sorted(str(p.relative_to(work)) for p in work.iterdir() if p.name != "plugins") + [
            "plugins/"
        ]
    return Published(folder, dropped, files)


def credits_section(conn: sqlite3.Connection) -> str:
    """The README's section on the sources whose facts the catalogue holds ("" if none)."""
    import textwrap

    from scenecat.sources.attribution import attributions
    from scenecat.storage import source_ids

    credits = attributions(source_ids.sources_in_use(conn))
    if not credits:
        return ""
    lines = "".join(f"- {a.name} ({a.url or 'no site'}): {a.notice}\n" for a in credits)
    text = (
        "The catalogue holds facts from these sources; `metadata.json` credits them on every "
        "page (the footer's data source, the home page and the drama, actor, cast and episode "
        "pages). Keep the credits wherever the site is served; TMDB's terms also ask for its "
        "logo (https://www.themoviedb.org/api-terms-of-use), which is not included:"
    )
    return f"\n## Credits\n\n{textwrap.fill(text, 90)}\n\n{lines}"
