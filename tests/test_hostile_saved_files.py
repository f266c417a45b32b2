"""Hostile saved provider files (issue 26, items 6 and 7): a saved TMDB, Wikidata or
`yt-dlp -J` answer is one `Error:` line or a stated skip, never "unexpected failure" or
"report it", and what it puts in the catalogue still exports and imports.

Every file here is a recorded answer (tests/fixtures/sources, shaped as TMDB's OpenAPI
description and yt-dlp's README document them) with one field made hostile.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Run
from tests.sources_helpers import FIXTURES, fixture, no_network

__all__ = ["no_network"]

TMDB_SERIES = "tmdb-tv-melting-me-softly.json"  # not in the sample catalogue as TMDB's
CLIP = "ytdlp-melting-me-softly-e10.json"
TITLE = "Melting Me Softly"
ESC, BIDI, C1 = "\x1b[31m", "\u202e", "\x9b"


def one_error(result: Run) -> str:
    """The single `Error:` line of a refused command (exit 1), with nothing else wrong."""
    assert result.exit_code == 1, (result.exit_code, result.stderr)
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.stderr
    assert "unexpected failure" not in result.stderr
    assert "report it" not in result.stderr
    return errors[0]


def clean_run(result: Run) -> list[str]:
    """A command that went through (exit 0); its warning lines."""
    assert result.exit_code == 0, result.stderr
    assert "report it" not in result.stderr
    return [line for line in result.stderr.splitlines() if line.startswith("warning:")]


def write(path: Path, data: Any) -> str:
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


def exports_and_imports(cli: Callable[..., Run], tmp_path: Path) -> str:
    """`export yaml` of the catalogue imports into a fresh one; the exported text."""
    out = tmp_path / "export.yaml"
    assert cli("export", "yaml", "-o", str(out)).exit_code == 0
    fresh = tmp_path / "fresh.db"
    result = cli("--db", str(fresh), "import", str(out))
    assert result.exit_code == 0, result.stderr
    return out.read_text(encoding="utf-8")


def tmdb_with(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    data = copy.deepcopy(fixture(TMDB_SERIES))
    change(data)
    return data


def first_cast(data: dict[str, Any]) -> dict[str, Any]:
    cast: dict[str, Any] = data["aggregate_credits"]["cast"][0]
    return cast


# Item 6: saved TMDB files


@pytest.mark.parametrize(
    ("name", "text", "said"),
    [
        ("deep", "[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ("nan", '{"id": 9002, "name": "Melting Me Softly", "number_of_episodes": NaN}', "NaN"),
        ("infinity", '{"id": 9002, "name": "x", "vote_average": -Infinity}', "Infinity"),
        ("overflow", '{"id": 9002, "name": "x", "popularity": 1e400}', "1e400"),
        ("digits", '{"id": ' + "9" * 5000 + ', "name": "x"}', "not valid JSON"),
        ("not utf-8", b'{"id": 9002, "name": "\xff"}'.decode("latin-1"), "not UTF-8"),
    ],
)
def test_an_unreadable_saved_tmdb_file_is_one_error(
    cli: Callable[..., Run], db: Path, tmp_path: Path, name: str, text: str, said: str
) -> None:
    path = tmp_path / f"{name}.json"
    path.write_bytes(text.encode("latin-1") if name == "not utf-8" else text.encode())
    for args in (
        ("add-drama", TITLE, "--from-file", str(path)),
        ("lookup", "drama", TITLE, "--from-file", str(path)),
    ):
        line = one_error(cli(*args))
        assert str(path) in line and said in line
    assert not db.exists() or "Melting" not in exports_and_imports(cli, tmp_path)


def test_a_saved_file_over_50_mb_or_a_folder_is_one_error(
    cli: Callable[..., Run], db: Path, tmp_path: Path
) -> None:
    huge = tmp_path / "huge.json"
    with huge.open("wb") as handle:
        handle.truncate(60 * 1024 * 1024)  # sparse: nothing is written, nothing need be read
    assert "is 60 MB; a saved answer of more than 50 MB is not read" in one_error(
        cli("add-drama", TITLE, "--from-file", str(huge))
    )
    assert "is a folder, not a file" in one_error(
        cli("add-scene", "--clip-json", str(tmp_path), "--drama", TITLE, "--title", "x")
    )


def test_a_key_named_twice_in_a_saved_file_is_refused_as_import_refuses_it(
    cli: Callable[..., Run], db: Path, tmp_path: Path
) -> None:
    text = json.dumps(fixture(TMDB_SERIES))
    twice = write(tmp_path / "twice.json", text[:-1] + ', "name": "Another Drama"}')
    line = one_error(cli("add-drama", "Another Drama", "--from-file", twice))
    assert line.endswith("the key 'name' appears twice in one JSON object")
    # The same words `import` uses for a JSON Lines record that names a key twice.
    jsonl = tmp_path / "twice.jsonl"
    jsonl.write_text('{"format": "scenecat/1"}\n{"actor": "A", "actor": "B"}\n')
    assert "the key 'actor' appears twice in one JSON object" in one_error(
        cli("import", str(jsonl))
    )


@pytest.mark.parametrize(
    ("warned", "change"),
    [
        ("episode count", lambda d: d.update(number_of_episodes=10**30)),
        (None, lambda d: d.update(number_of_episodes=1e30)),  # not a whole number: none given
        (None, lambda d: first_cast(d).update(order=10**20)),
        (None, lambda d: first_cast(d).update(order=1e20)),
        (None, lambda d: first_cast(d).update(total_episode_count=10**30)),
        ("episode number", lambda d: d["season/1"]["episodes"][0].update(episode_number=10**30)),
        (None, lambda d: d["season/1"]["episodes"][1].update(air_date="2019-13-45")),
    ],
)
def test_huge_numbers_in_a_saved_tmdb_file_are_left_out(
    cli: Callable[..., Run], db: Path, tmp_path: Path, warned: str | None, change: Any
) -> None:
    path = write(tmp_path / "tmdb.json", tmdb_with(change))
    warnings = clean_run(cli("add-drama", TITLE, "--from-file", path))
    if warned:
        assert any(warned in w and "left out" in w for w in warnings), warnings
    exported = exports_and_imports(cli, tmp_path)
    assert "Ji Chang Wook" in exported and "1000000000000000000" not in exported


def test_escapes_bidi_and_c1_controls_from_tmdb_never_reach_the_catalogue(
    cli: Callable[..., Run], db: Path, tmp_path: Path
) -> None:
    def hostile(data: dict[str, Any]) -> None:
        cast = data["aggregate_credits"]["cast"]
        cast[0]["roles"][0]["character"] = f"Ma{BIDI}Dong"
        cast[1]["name"] = f"Won{C1}Jin Ah"  # also its original_name: no usable name
        cast[1]["original_name"] = f"Won{C1}Jin Ah"
        data["networks"][0]["name"] = f"tvN{ESC}"
        data["season/1"]["episodes"][0]["name"] = f"Pilot{ESC}"

    path = write(tmp_path / "tmdb.json", tmdb_with(hostile))
    warnings = clean_run(cli("add-drama", TITLE, "--from-file", path))
    assert any("character 'Ma\\u202eDong'" in w for w in warnings), warnings
    assert any("a cast entry (name 'Won\\x9bJin Ah', id '" in w for w in warnings), warnings
    assert any("network 'tvN\\x1b[31m'" in w for w in warnings), warnings
    exported = exports_and_imports(cli, tmp_path)
    assert not any(ch in exported for ch in (ESC, BIDI, C1, "\\e", "\\u202e", "\\x9b"))
    assert "Won" not in exported and "Ji Chang Wook" in exported


@pytest.mark.slow
def test_the_same_rules_hold_for_an_answer_over_the_network(
    cli: Callable[..., Run], db: Path, tmp_path: Path, no_network: Any, monkeypatch: Any
) -> None:
    """Not only saved files: TMDB's answer itself (served by respx) is held to the rules."""
    import respx

    from tests.sources_helpers import tmdb_routes

    def hostile(data: dict[str, Any]) -> None:
        first_cast(data)["roles"][0]["character"] = f"Ma{BIDI}Dong"
        data["aggregate_credits"]["cast"].append({"name": 5, "id": None, "order": 4})

    monkeypatch.setenv("TMDB_API_KEY", "k")
    with respx.mock(assert_all_called=False) as mock:
        routes = tmdb_routes(mock)
        routes["tv"].respond(json=tmdb_with(hostile))
        routes["person"].respond(json={"id": 1, "name": "x", "birthday": None})
        warnings = clean_run(cli("add-drama", TITLE, "--from", "tmdb:9002", "--all-cast"))
    assert any("character 'Ma\\u202eDong'" in w for w in warnings), warnings
    assert any("a cast entry: no usable name or id" in w for w in warnings), warnings
    assert BIDI not in exports_and_imports(cli, tmp_path)


def test_a_tmdb_title_with_an_escape_is_refused(
    cli: Callable[..., Run], db: Path, tmp_path: Path
) -> None:
    path = write(tmp_path / "tmdb.json", tmdb_with(lambda d: d.update(name=f"Melting{ESC} Me")))
    line = one_error(cli("add-drama", TITLE, "--from-file", path))
    assert "title 'Melting\\x1b[31m Me' must not contain control characters" in line
    assert not db.exists() or "Melting" not in exports_and_imports(cli, tmp_path)


@pytest.mark.parametrize(
    "entry",
    [
        {"name": 5, "id": None},
        {"name": "", "id": 77},
        {"name": "Ghost", "id": None},
        {"name": "Ghost", "id": "x1"},
        {"name": ["Ghost"], "id": {"a": 1}},
    ],
)
def test_a_cast_entry_of_the_wrong_types_is_left_out_with_a_warning(
    cli: Callable[..., Run], db: Path, tmp_path: Path, entry: dict[str, Any]
) -> None:
    def add(data: dict[str, Any]) -> None:
        data["aggregate_credits"]["cast"].append({**entry, "roles": [], "order": 3})

    path = write(tmp_path / "tmdb.json", tmdb_with(add))
    warnings = clean_run(cli("add-drama", TITLE, "--from-file", path, "--all-cast"))
    assert any("no usable name or id; left out" in w for w in warnings), warnings
    exported = exports_and_imports(cli, tmp_path)
    assert "Ghost" not in exported and "name: ''" not in exported
    listed = json.loads(cli("list", "actors", "--json").stdout)["data"]
    assert sorted(a["name"] for a in listed) == ["Ji Chang Wook", "Won Jin Ah", "Yoon Se Ah"]


def test_a_namesake_of_the_longest_name_is_told_apart_within_the_limit(
    cli: Callable[..., Run], db: Path, tmp_path: Path
) -> None:
    """Two people of one 300-character name (two TMDB ids): the second is told apart by its
    id, and the name that makes stays within the limit `import` holds names to."""
    long_name = "Kim " + "A" * 296
    for i, title in enumerate(["Melting Me Softly", "Melting Me Softly Again"]):

        def change(data: dict[str, Any], i: int = i, title: str = title) -> None:
            data.update(name=title, id=9002 + i * 1000)
            first_cast(data).update(name=long_name, original_name=long_name, id=70_000 + i)

        path = write(tmp_path / f"tmdb{i}.json", tmdb_with(change))
        clean_run(cli("add-drama", title, "--from-file", path))
    exports_and_imports(cli, tmp_path)
    names = {a["name"] for a in json.loads(cli("list", "actors", "--json").stdout)["data"]}
    assert f"{long_name[:287]} (TMDB 70001)" in names  # 300 characters
    assert all(len(name) <= 300 for name in names)


def cast_of(n: int) -> dict[str, Any]:
    """A TMDB series whose aggregate credits list `n` people, shaped as TMDB's example
    (514 entries, a sparse `order`, `roles[]` with `episode_count`)."""
    data = copy.deepcopy(fixture(TMDB_SERIES))
    template = first_cast(data)
    cast = []
    for i in range(n):
        entry = copy.deepcopy(template)
        entry.update(id=800_000 + i, name=f"Guest Actor{i:05d}", original_name=f"Guest {i}")
        entry["order"] = i * 3
        entry["roles"][0].update(character=f"Patron {i}", episode_count=1)
        entry["total_episode_count"] = 1
        cast.append(entry)
    data["aggregate_credits"]["cast"] = cast
    return data


@pytest.mark.slow
def test_ten_thousand_cast_entries_take_seconds(
    cli: Callable[..., Run], db: Path, tmp_path: Path
) -> None:
    path = write(tmp_path / "tmdb.json", cast_of(10_000))
    start = time.monotonic()
    result = cli("add-drama", TITLE, "--from-file", path, "--all-cast")
    added = time.monotonic() - start
    assert result.exit_code == 0, result.stderr
    assert "10000 cast member(s)" in result.stderr
    start = time.monotonic()
    result = cli("refresh", "drama", TITLE, "--from-file", path, "--all-cast", "--yes")
    refreshed = time.monotonic() - start
    assert result.exit_code == 0, result.stderr
    # About 3 s and 2 s here (2,000 took 28 s before, 8,000 over 280 s): checking a name
    # for a "did you mean" against every actor made each entry slower than the last.
    assert added < 30 and refreshed < 30, (added, refreshed)


# Item 6: saved yt-dlp files (add-scene --clip-json)


def clip_text(replace: str, by: str, video: str = "mmsE10kiss1") -> str:
    text = (FIXTURES / CLIP).read_text(encoding="utf-8").replace("mmsE10kiss1", video)
    assert replace in text
    return text.replace(replace, by)


def add_clip_scene(cli: Callable[..., Run], path: str, title: str) -> Run:
    return cli(
        "add-scene", "--clip-json", path, "--drama", TITLE, "--episode", "10",
        "--kind", "kiss", "--title", title, "--actor", "Ji Chang Wook",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("field", "value", "refused"),
    [
        ("duration", "NaN", True),
        ("duration", "Infinity", True),
        ("duration", "1e300", False),
        ("epoch", "1e300", False),
        ("epoch", "4102444799", False),  # 2099: a count is never from the future
        ("timestamp", "1e300", False),
        ("view_count", "-1", False),
        ("view_count", "100000000000000000000", False),
    ],
)
def test_impossible_numbers_in_a_yt_dlp_file(
    cli: Callable[..., Run], sample_db: Path, tmp_path: Path, field: str, value: str, refused: bool
) -> None:
    fields = {"duration": '"duration": 151', "epoch": '"epoch": 1572944400'}
    fields |= {"timestamp": '"timestamp": 1572177600', "view_count": '"view_count": 1000512'}
    path = write(tmp_path / "clip.json", clip_text(fields[field], f'"{field}": {value}'))
    result = add_clip_scene(cli, path, "Shower kiss")
    if refused:
        assert f"{value} is not a number JSON allows" in one_error(result)
        return
    warnings = clean_run(result)
    assert any(w.startswith(f"warning: {field} ") and "left out" in w for w in warnings)
    exports_and_imports(cli, tmp_path)


def test_a_clip_title_or_channel_with_controls(
    cli: Callable[..., Run], sample_db: Path, tmp_path: Path
) -> None:
    escaped = json.dumps(f"Kiss{ESC}")[1:-1]
    bad_title = write(tmp_path / "t.json", clip_text('"title": "[', f'"title": "{escaped}['))
    assert "title must not contain control characters" in one_error(
        add_clip_scene(cli, bad_title, "A")
    )
    bidi = json.dumps(f"tvN{BIDI}DRAMA")[1:-1]
    channel = clip_text('"channel": "tvN DRAMA"', f'"channel": "{bidi}"')
    channel = channel.replace('"uploader": "tvN DRAMA"', f'"uploader": "{bidi}"')
    warnings = clean_run(add_clip_scene(cli, write(tmp_path / "c.json", channel), "B"))
    assert any(w.startswith("warning: channel 'tvN\\u202eDRAMA'") for w in warnings)
    assert BIDI not in exports_and_imports(cli, tmp_path)


# Item 7: views refresh --from-json DIR


def clip_links(cli: Callable[..., Run], tmp_path: Path, videos: list[str]) -> None:
    lines = ["format: scenecat/1", "scenes:"]
    for i, video in enumerate(videos):
        lines += [
            f"  - key: mms-clip-{i}",
            f"    drama: {TITLE}",
            "    episode: 10",
            "    kind: clip-test",
            f"    title: Clip {i}",
            "    actors: [Ji Chang Wook]",
            f"    sources: [{{url: 'https://www.youtube.com/watch?v={video}'}}]",
        ]
    path = tmp_path / "clips.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert cli("import", str(path)).exit_code == 0


def test_one_file_with_a_negative_view_count_is_reported_and_the_others_go_on(
    cli: Callable[..., Run], sample_db: Path, tmp_path: Path
) -> None:
    clip_links(cli, tmp_path, ["mmsE10kiss1", "mmsE10bad01"])
    folder = tmp_path / "saved"
    folder.mkdir()
    write(folder / "good.json", clip_text("1000512", "1250300"))
    write(
        folder / "bad.json", clip_text('"view_count": 1000512', '"view_count": -1', "mmsE10bad01")
    )
    result = cli("views", "refresh", "--kind", "clip-test", "--from-json", str(folder))
    assert "report it" not in result.stderr and "database problem" not in result.stderr
    lines = result.stderr.splitlines()
    assert "warning: bad.json: view_count -1 is not a count of views; left out" in lines
    assert any("mms-clip-1" in line and "shows no view count" in line for line in lines)
    assert lines[-1] == "1 refreshed, 0 unchanged, 1 failed"
    views = json.loads(cli("show", "scene", "mms-clip-0", "--json").stdout)["data"]["views"]
    assert [v["count"] for v in views] == [1_250_300]
    exports_and_imports(cli, tmp_path)


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_only_regular_files_of_a_sane_size_are_read(sample_db: Path, tmp_path: Path) -> None:
    """A pipe named x.json (no writer: reading it would wait for ever), a link to /dev/zero
    (never ends), a 60 MB file and a folder are each skipped with one line; the good file
    is read. A real process, so that a hang is a failure (timeout), not a stuck run."""
    from tests.conftest import run_process

    folder = tmp_path / "saved"
    folder.mkdir()
    write(folder / "good.json", clip_text("1000512", "1250300"))
    os.mkfifo(folder / "fifo.json")
    (folder / "zero.json").symlink_to("/dev/zero")
    with (folder / "huge.json").open("wb") as handle:
        handle.truncate(60 * 1024 * 1024)  # sparse: no 60 MB written
    (folder / "folder.json").mkdir()
    (folder / "loop.json").symlink_to(folder / "loop.json")
    imported = run_process("import", str(_links_file(tmp_path)))
    assert imported.exit_code == 0, imported.stderr
    proc = subprocess.run(
        [sys.executable, "-m", "scenecat", "views", "refresh", "--kind", "clip-test",
         "--from-json", str(folder)],
        capture_output=True, text=True, timeout=60, env={**os.environ, "NO_COLOR": "1"},
    )  # fmt: skip
    lines = proc.stderr.splitlines()
    assert proc.returncode == 0, proc.stderr
    skipped = {line.split(":")[1].strip(): line for line in lines if "skipped" in line}
    assert sorted(skipped) == ["fifo.json", "folder.json", "huge.json", "loop.json", "zero.json"]
    assert "not a regular file" in skipped["fifo.json"]
    assert "not a regular file" in skipped["zero.json"]
    assert "is 60 MB; a saved answer of more than 50 MB is not read" in skipped["huge.json"]
    assert "is a folder" in skipped["folder.json"]
    assert lines[-1] == "1 refreshed, 0 unchanged, 0 failed"


def _links_file(tmp_path: Path) -> Path:
    path = tmp_path / "links.yaml"
    path.write_text(
        "format: scenecat/1\nscenes:\n  - key: mms-clip-0\n    drama: Melting Me Softly\n"
        "    episode: 10\n    kind: clip-test\n    title: Clip 0\n"
        "    actors: [Ji Chang Wook]\n"
        "    sources: ['https://www.youtube.com/watch?v=mmsE10kiss1']\n",
        encoding="utf-8",
    )
    return path
