"""Start-up promises (DESIGN.md §7, issue 6): each command loads only what it uses.

Each case runs the real entry point in a fresh interpreter and reports which modules were
imported by the time it exited. Speed itself is measured by bench/run.py, not here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

# Runs scenecat's entry point as the console script does, then lists the loaded modules on
# the last line of stderr, whatever way the command ended.
_PROBE = """
import sys
sys.argv = ["scenecat", *sys.argv[1:]]
from scenecat.__main__ import main
try:
    main()
except SystemExit:
    pass
finally:
    sys.stderr.write("\\nMODULES " + " ".join(sorted(sys.modules)) + "\\n")
"""

HEAVY = ("sqlite_utils", "yaml", "rich")


def loaded(db: Path, *args: str) -> tuple[set[str], str]:
    env = {**os.environ, "SCENECAT_DB": str(db), "NO_COLOR": "1"}
    env.pop("SCENECAT_DEBUG", None)
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    last = proc.stderr.rstrip("\n").rsplit("\n", 1)[-1]
    assert last.startswith("MODULES "), proc.stderr
    return set(last.split()[1:]), proc.stdout


def roots(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


def test_the_probe_sees_what_a_command_imports(tmp_path: Path) -> None:
    # Guards the test itself: importing the catalogue creates it, which needs sqlite_utils.
    modules, _ = loaded(tmp_path / "new.db", "init")
    assert "sqlite_utils" in modules


def test_version_imports_no_framework(tmp_path: Path) -> None:
    modules, out = loaded(tmp_path / "c.db", "--version")
    assert out.startswith("scenecat ")
    assert not roots(modules) & {*HEAVY, "typer", "click", "sqlite3"}


@pytest.mark.parametrize(
    "args",
    [("--help",), ("list", "--help"), ("import", "--help"), ("export", "yaml", "--help")],
    ids=" ".join,
)
def test_help_imports_no_storage_yaml_or_rich(tmp_path: Path, args: tuple[str, ...]) -> None:
    modules, out = loaded(tmp_path / "c.db", *args)
    assert "Usage: scenecat" in out
    assert not roots(modules) & set(HEAVY)
    assert not (tmp_path / "c.db").exists()


@pytest.mark.parametrize(
    "args",
    [("list", "scenes"), ("list", "actors"), ("list", "dramas", "--json"), ("list", "episodes")],
    ids=" ".join,
)
def test_list_on_an_empty_catalogue(tmp_path: Path, args: tuple[str, ...]) -> None:
    db = tmp_path / "c.db"
    loaded(db, "init")
    modules, _ = loaded(db, *args)
    assert "yaml" not in roots(modules)
    # An up-to-date catalogue is recognised from PRAGMA user_version, without sqlite_utils.
    assert "sqlite_utils" not in roots(modules)


def test_list_creating_the_catalogue_still_skips_yaml(tmp_path: Path) -> None:
    modules, _ = loaded(tmp_path / "c.db", "list", "scenes")
    assert "yaml" not in roots(modules)


def test_piped_search_needs_no_rich(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    loaded(db, "import", "data/sample.yaml")
    modules, out = loaded(db, "search", "kiss")
    assert out.startswith("#\ttitle\t") and "\tkiss\t" in out
    assert "rich" not in roots(modules)


def test_json_listing_needs_no_rich(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    loaded(db, "init")
    modules, out = loaded(db, "list", "scenes", "--json")
    assert out.startswith("{")
    assert "rich" not in roots(modules)


def test_root_help_loads_no_command_module(tmp_path: Path) -> None:
    modules, out = loaded(tmp_path / "c.db", "--help")
    assert "import" in out and "list" in out
    assert not [m for m in modules if m.startswith("scenecat.cli.commands_")]


def _describe(command: Any) -> dict[str, Any]:
    """A command's whole shape: help, parameters and subcommands, recursively."""
    subcommands = getattr(command, "commands", None) or {}
    return {
        "help": command.help,
        "params": [
            (p.name, p.opts, p.help if hasattr(p, "help") else None) for p in command.params
        ],
        "commands": {name: _describe(sub) for name, sub in subcommands.items()},
    }


def test_command_table_matches_the_modules() -> None:
    # Names and help here; which modules each command needs is checked by the next test.
    import importlib

    import typer

    from scenecat.cli import app as app_module

    registers: dict[str, str] = {}
    for module in app_module.MODULES:
        holder = typer.Typer()
        importlib.import_module(f"scenecat.cli.{module}").register(holder)
        for name in [c.name for c in holder.registered_commands] + [
            g.name for g in holder.registered_groups
        ]:
            registers.setdefault(name or "", module)
    everything = app_module.load_commands()
    assert not any(c.short_help for c in everything.values())
    known = {name: owners for name, owners, _ in app_module.COMMANDS}
    table = tuple(
        (name, known.get(name, (registers[name],)), (command.help or "").split("\n\n")[0])
        for name, command in everything.items()
        if not command.hidden
    )
    if table != app_module.COMMANDS:
        lines = "\n".join(f"    {row!r}," for row in table)
        pytest.fail(f"scenecat.cli.app.COMMANDS is out of date; it should read:\n{lines}")


_LOAD_ONE = """
import json, sys
from scenecat.cli import app
names = sys.argv[1:]
commands = app.load_commands(names)
print(json.dumps({
    "modules": sorted(m for m in sys.modules if m.startswith("scenecat.cli.commands_")),
    "shapes": {name: DESCRIBE(commands[name]) for name in names},
}))
"""


def test_each_command_loads_only_its_own_modules() -> None:
    import inspect
    import json

    from scenecat.cli import app as app_module

    everything = {name: _describe(c) for name, c in app_module.load_commands().items()}
    by_owners: dict[tuple[str, ...], list[str]] = {}
    for name, owners, _ in app_module.COMMANDS:
        by_owners.setdefault(owners, []).append(name)
    describe = inspect.getsource(_describe)
    for names in by_owners.values():
        code = "from typing import Any\n" + describe + _LOAD_ONE.replace("DESCRIBE", "_describe")
        proc = subprocess.run(
            [sys.executable, "-c", code, *names], capture_output=True, text=True, timeout=60
        )
        assert proc.returncode == 0, proc.stderr
        result = json.loads(proc.stdout)
        for name in names:
            assert result["shapes"][name] == json.loads(json.dumps(everything[name])), name
        assert len(result["modules"]) < len(app_module.MODULES), names


@pytest.mark.parametrize("width", [60, 80, 200])
def test_root_help_from_the_table_equals_the_full_help(
    width: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    import typer
    from typer.main import get_command

    from scenecat.cli import app as app_module

    monkeypatch.setattr(app_module._Loaded, "modules", ())
    monkeypatch.setattr(app_module._Loaded, "names", frozenset())
    monkeypatch.setattr(app_module._Loaded, "commands", {})
    group = get_command(app_module.app)
    context = typer.Context(group, info_name="scenecat", terminal_width=width)
    lazy = group.get_help(context)
    assert not app_module._Loaded.modules
    app_module.load_commands()
    assert app_module.all_loaded()
    assert group.get_help(context) == lazy


def test_the_look_alike_data_is_read_only_for_names_that_need_it(tmp_path: Path) -> None:
    """Unicode's confusables data (900 KB of JSON) is loaded only for a name mixing Latin
    letters with other characters, never for plain, accented or Hangul names."""
    db = tmp_path / "c.db"
    loaded(db, "import", "data/sample.yaml")
    for args in (("show", "actor", "Ji Chang Wook"), ("show", "actor", "지창욱"),
                 ("show", "drama", "Hé-aler"), ("search", "kiss")):  # fmt: skip
        modules, _ = loaded(db, *args)
        assert "confusable_homoglyphs" not in roots(modules), args
    modules, _ = loaded(db, "add-actor", "Go\u0578g Yoo")
    assert "confusable_homoglyphs" in roots(modules)


# As _PROBE, then the regular expressions text.py and output.py have compiled by then.
_PATTERNS = _PROBE.replace(
    "finally:\n",
    "finally:\n"
    "    from scenecat import text\n"
    "    from scenecat.cli import output\n"
    "    sys.stderr.write('\\nPATTERNS ' + ' '.join(sorted(\n"
    "        f'{m.__name__}.{n}' for m in (text, output) for n, v in vars(m).items()\n"
    "        if n.startswith('_') and hasattr(v, 'cache_info') and v.cache_info().currsize\n"
    "    )))\n",
)


def test_rank_imports_and_compiles_only_what_it_uses(tmp_path: Path) -> None:
    """`rank` (the busiest command a fan runs) imports no json, shlex or --why explanation
    unless asked, and compiles only the patterns it uses: a piped table makes control
    characters visible (text.UNSAFE); nothing else of text.py or output.py is compiled."""
    db = tmp_path / "c.db"
    loaded(db, "import", "data/sample.yaml")
    env = {**os.environ, "SCENECAT_DB": str(db), "NO_COLOR": "1"}
    env.pop("SCENECAT_DEBUG", None)
    proc = subprocess.run(
        [sys.executable, "-c", _PATTERNS, "rank", "--actor", "Ji Chang Wook"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    lines = proc.stderr.rstrip("\n").split("\n")
    modules, patterns = set(lines[-1].split()[1:]), lines[-2].split()[1:]
    assert lines[-1].startswith("MODULES ") and lines[-2].startswith("PATTERNS "), proc.stderr
    assert "Ji Chang Wook" in proc.stderr  # the table's title: the command ran
    assert not {"json", "shlex", "scenecat.domain.rank_why"} & modules
    assert patterns == ["scenecat.text._CONTROL_MULTILINE"]
    modules, out = loaded(db, "rank", "--actor", "Ji Chang Wook", "--json")
    assert "json" in modules and out.startswith("{")
