"""`edit` in $EDITOR, driven in a pseudo-terminal with a fake editor: refused without a
terminal; a failed edit shows the error and reopens the person's own text; when it is not
reopened the text is saved to a new file whose name is said; Ctrl-C keeps it too."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Run, dump, run_process
from tests.terminal import Terminal

pytestmark = pytest.mark.slow

# Each run of the fake editor does the next step of $FAKE_EDITS (a JSON list): "replace"
# [old, new] in the file, then "exit" with a status; every text it was given is appended to
# $FAKE_SEEN, so tests can see what was reopened.
FAKE_EDITOR = """
import json, os, sys
path = sys.argv[1]
steps = json.loads(os.environ["FAKE_EDITS"])
log = os.environ["FAKE_SEEN"]
seen = json.load(open(log)) if os.path.exists(log) else []
text = open(path, encoding="utf-8").read()
seen.append(text)
json.dump(seen, open(log, "w"))
step = steps[len(seen) - 1]
for old, new in step.get("replace", []):
    assert old in text, (old, text)
    text = text.replace(old, new)
open(path, "w", encoding="utf-8").write(text)
sys.exit(step.get("exit", 0))
"""


def _editor(tmp_path: Path, steps: list[dict[str, object]]) -> tuple[dict[str, str], Path]:
    script = tmp_path / "fake_editor.py"
    script.write_text(FAKE_EDITOR, encoding="utf-8")
    seen = tmp_path / "seen.json"
    env = {
        "EDITOR": f"{sys.executable} {script}",
        "VISUAL": "",
        "FAKE_EDITS": json.dumps(steps),
        "FAKE_SEEN": str(seen),
    }
    return env, seen


def _born(db: Path) -> object:
    shown = run_process("show", "actor", "Ji Chang Wook", "--json", env={"SCENECAT_DB": str(db)})
    return json.loads(shown.stdout)["data"]["born"]


def test_no_terminal_is_refused_before_any_editor(
    cli: Callable[..., Run], sample_db: Path, tmp_path: Path, monkeypatch
) -> None:
    env, seen = _editor(tmp_path, [{"exit": 0}])
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    before = dump(sample_db)
    result = cli("edit", "actor", "Ji Chang Wook")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "Error: `edit actor` with no flags opens $EDITOR, which needs a terminal; "
        "standard input is not one",
        "hint: change fields with flags: scenecat edit actor --help",
    ]
    assert not seen.exists()
    assert dump(sample_db) == before


def test_a_bad_value_reopens_the_text_with_the_error(sample_db: Path, tmp_path: Path) -> None:
    env, seen = _editor(
        tmp_path,
        [{"replace": [["born: 1987", "born: 3000"]]}, {"replace": [["born: 3000", "born: 1988"]]}],
    )
    term = Terminal(["edit", "actor", "Ji Chang Wook"], {**env, "SCENECAT_DB": str(sample_db)})
    shown = term.expect("Edit your text again? [Y/n]: ")
    assert "The edit was not applied: born: 3000 is out of range 1850..2026" in shown
    term.type("")
    assert term.wait() == 0, term.output
    assert "Updated actor Ji Chang Wook" in term.output
    first, second = json.loads(seen.read_text())
    assert "born: 1987" in first
    assert "born: 3000" in second  # the person's text, not the record again
    assert "# scenecat: not applied: born: 3000 is out of range 1850..2026" in second
    assert _born(sample_db) == 1988


def test_invalid_yaml_reopens_too(sample_db: Path, tmp_path: Path) -> None:
    env, _ = _editor(
        tmp_path,
        [
            {"replace": [["born: 1987", "born: [1987"]]},
            {"replace": [["born: [1987", "born: 1989"]]},
        ],
    )
    term = Terminal(["edit", "actor", "Ji Chang Wook"], {**env, "SCENECAT_DB": str(sample_db)})
    shown = term.expect("Edit your text again? [Y/n]: ")
    assert "edited text is not valid YAML" in shown
    term.type("y")
    assert term.wait() == 0, term.output
    assert _born(sample_db) == 1989


def test_a_failed_editor_keeps_the_text_in_a_new_file(sample_db: Path, tmp_path: Path) -> None:
    env, _ = _editor(tmp_path, [{"replace": [["born: 1987", "born: 1990"]], "exit": 3}])
    work = tmp_path / "work"
    work.mkdir()
    taken = work / "scenecat-edit-actor-ji-chang-wook.yaml"
    taken.write_text("someone else's file\n", encoding="utf-8")
    before = dump(sample_db)
    term = Terminal(
        ["edit", "actor", "Ji Chang Wook"], {**env, "SCENECAT_DB": str(sample_db)}, cwd=work
    )
    shown = term.expect("Edit your text again? [Y/n]: ")
    assert "The edit was not applied: the editor exited with status 3" in shown
    term.type("n")
    assert term.wait() == 1, term.output
    saved = work / "scenecat-edit-actor-ji-chang-wook-2.yaml"
    assert f"Error: nothing was changed; your edited text is saved in ./{saved.name}" in (
        term.output
    )
    assert "born: 1990" in saved.read_text(encoding="utf-8")
    assert taken.read_text(encoding="utf-8") == "someone else's file\n"
    assert dump(sample_db) == before


def test_ctrl_c_at_the_question_keeps_the_text(sample_db: Path, tmp_path: Path) -> None:
    env, _ = _editor(tmp_path, [{"replace": [["born: 1987", "born: 3000"]]}])
    before = dump(sample_db)
    term = Terminal(
        ["edit", "actor", "Ji Chang Wook"], {**env, "SCENECAT_DB": str(sample_db)}, cwd=tmp_path
    )
    term.expect("Edit your text again? [Y/n]: ")
    term.interrupt()
    assert term.wait() == 130, term.output
    saved = tmp_path / "scenecat-edit-actor-ji-chang-wook.yaml"
    assert f"Interrupted: nothing was changed; your edited text is saved in ./{saved.name}." in (
        term.output
    )
    assert "born: 3000" in saved.read_text(encoding="utf-8")
    assert dump(sample_db) == before


def test_closing_the_editor_unchanged_changes_nothing(sample_db: Path, tmp_path: Path) -> None:
    env, _ = _editor(tmp_path, [{"exit": 0}])
    before = dump(sample_db)
    term = Terminal(
        ["edit", "actor", "Ji Chang Wook"], {**env, "SCENECAT_DB": str(sample_db)}, cwd=tmp_path
    )
    assert term.wait() == 0, term.output
    assert "Nothing to change." in term.output
    assert not list(tmp_path.glob("scenecat-edit-*"))
    assert dump(sample_db) == before
