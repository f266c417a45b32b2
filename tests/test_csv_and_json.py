"""`export json|csv` of filtered scene sets, and `import FILE.csv` (all or nothing)."""

from __future__ import annotations

import csv
import io
import json
import re
import textwrap
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import dump


def _csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _listed(cli, *filters: str) -> list[dict]:
    result = cli("list", "scenes", *filters, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["data"]


# Export


def test_csv_export_opens_with_the_csv_module(sample_db: Path, cli, tmp_path: Path) -> None:
    from scenecat.domain.exporting.scene_table import CSV_COLUMNS

    out = tmp_path / "kisses.csv"
    result = cli("export", "csv", "--actor", "Ji Chang Wook", "--kind", "kiss", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel needs the BOM to read Hangul as UTF-8
    with out.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = list(reader)
    assert tuple(header) == CSV_COLUMNS
    expected = _listed(cli, "--actor", "Ji Chang Wook", "--kind", "kiss")
    assert len(rows) == len(expected) == 9
    assert all(len(row) == len(header) for row in rows)
    by_key = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert set(by_key) == {s["key"] for s in expected}
    shower = by_key["melting-me-softly-e10-shower-kiss"]
    assert shower["actors"] == "Ji Chang Wook; Won Jin Ah"
    assert shower["drama"] == "Melting Me Softly"
    assert shower["network"] == "tvN"
    assert shower["year"] == "2019"
    assert shower["episode"] == "10"
    assert shower["spoiler"] == "major"
    assert shower["views"] == "1850000"
    assert shower["views_on"] == "2020-08-15"
    assert shower["sources"].count("https://") == 2
    assert "Wrote 9 scenes" in result.stderr


def test_csv_on_stdout_has_no_bom_and_keeps_newlines_in_cells(sample_db: Path, cli) -> None:
    result = cli("export", "csv", "--drama", "Healer")
    assert result.exit_code == 0
    assert result.stdout.startswith("key,drama,")
    rows = _csv_rows(result.stdout)
    assert [r["key"] for r in rows] == [s["key"] for s in _listed(cli, "--drama", "Healer")]


def test_csv_no_bom_flag(sample_db: Path, cli, tmp_path: Path) -> None:
    out = tmp_path / "plain.csv"
    assert cli("export", "csv", "--no-bom", "-o", str(out)).exit_code == 0
    assert out.read_bytes().startswith(b"key,")
    assert len(_csv_rows(out.read_text(encoding="utf-8"))) == 54


def test_json_export_matches_list_json(sample_db: Path, cli) -> None:
    result = cli("export", "json", "--kind", "kiss", "--year", "2016..2020")
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["data"] == _listed(cli, "--kind", "kiss", "--year", "2016..2020")
    assert payload["meta"]["count"] == len(payload["data"]) > 0
    assert payload["meta"]["filters"] == {"kind": "kiss", "year": "2016..2020"}


def test_json_export_of_nothing_is_valid(sample_db: Path, cli) -> None:
    result = cli("export", "json", "--kind", "kiss", "--year", "1990")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["data"] == []


def test_export_in_batches_keeps_every_scene(sample_db: Path) -> None:
    from scenecat.domain.exporting.scene_table import write_csv
    from scenecat.domain.scope import Scope
    from scenecat.storage.connection import open_catalogue

    cat = open_catalogue(sample_db)
    try:
        whole, paged = io.StringIO(), io.StringIO()
        write_csv(cat.conn, Scope(), whole)
        write_csv(cat.conn, Scope(), paged, limit=None)
        from scenecat.domain.exporting import scene_table

        total, scenes = scene_table.iter_scenes(cat.conn, Scope(), batch=7)
        keys = [s.key for s in scenes]
    finally:
        cat.close()
    assert total == len(keys) == len(set(keys)) == 54
    assert whole.getvalue() == paged.getvalue()
    assert [r["key"] for r in _csv_rows(whole.getvalue())] == keys


@pytest.mark.parametrize("kind", ["csv", "json"])
def test_export_bad_filters_write_nothing(sample_db: Path, cli, tmp_path: Path, kind: str) -> None:
    result = cli("export", kind, "--actor", "Ji Chang Wok")
    assert result.exit_code == 1
    assert "did you mean 'Ji Chang Wook'" in result.stderr
    assert result.stdout == ""
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "old.csv").write_text("keep me", encoding="utf-8")
    result = cli("export", kind, "--year", "20x9", "-o", str(folder / "old.csv"))
    assert result.exit_code == 2
    assert "is not YYYY or YYYY..YYYY" in result.stderr
    assert [p.name for p in folder.iterdir()] == ["old.csv"]  # no half file left behind
    assert (folder / "old.csv").read_text(encoding="utf-8") == "keep me"


# Import

ACTORS = "Name,Korean Name,AKA,Birth Year\nJi Chang Wook,지창욱,Ji Chang-wook; JCW,1987\nWon Jin Ah,원진아,,1991\n"
DRAMAS = (
    "Drama Title,Channel,Year,Episodes,Cast\n"
    "Melting Me Softly,tvN,2019,16,Ji Chang Wook:Ma Dong Chan; Won Jin Ah:Go Mi Ran\n"
)
SCENES = textwrap.dedent(
    """\
    Drama,EP,Kind,Scene Title,Who,What happens,Spoiler level,Tags,Views,Seen,Source name,Links
    Melting Me Softly,10,kiss,The shower kiss,Ji Chang Wook; Won Jin Ah,"Under a cold shower,
    they keep going.",major,romantic; viral,"1,000,000",2019-11-10,tvN official upload,https://example.org/a
    Melting Me Softly,7,kiss,The first kiss,ji chang-wook; WON JIN-AH,,minor,,,,,
    """
)


def _write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding=encoding, newline="")
    return path


def _import_all(cli, tmp_path: Path) -> None:
    for name, text in (("actors.csv", ACTORS), ("dramas.csv", DRAMAS), ("scenes.csv", SCENES)):
        result = cli("import", str(_write(tmp_path, name, text)))
        assert result.exit_code == 0, result.stderr


@pytest.mark.slow
def test_csv_import_of_actors_dramas_and_scenes(db: Path, cli, tmp_path: Path) -> None:
    _import_all(cli, tmp_path)
    actor = json.loads(cli("show", "actor", "JCW", "--json").stdout)["data"]
    assert actor["native"] == "지창욱"
    assert actor["born"] == 1987
    assert actor["aliases"] == ["JCW", "Ji Chang-wook"]
    drama = json.loads(cli("show", "drama", "Melting Me Softly", "--json").stdout)["data"]
    assert (drama["network"], drama["year"], drama["episodes"]) == ("tvN", 2019, 16)
    assert {(c["actor"], c["character"]) for c in drama["cast"]} == {
        ("Ji Chang Wook", "Ma Dong Chan"),
        ("Won Jin Ah", "Go Mi Ran"),
    }
    scenes = {s["title"]: s for s in _listed(cli)}
    shower = scenes["The shower kiss"]
    assert shower["episode"] == 10
    assert shower["actors"] == ["Ji Chang Wook", "Won Jin Ah"]
    assert shower["description"] == "Under a cold shower,\nthey keep going."
    assert shower["tags"] == ["romantic", "viral"]
    assert shower["latest_views"] == {
        "count": 1_000_000,
        "on": "2019-11-10",
        "source": "tvN official upload",
    }
    assert shower["sources"][0]["url"] == "https://example.org/a"
    assert scenes["The first kiss"]["actors"] == ["Ji Chang Wook", "Won Jin Ah"]
    # Importing the same files again changes nothing.
    before = dump(db)
    again = cli("import", str(tmp_path / "scenes.csv"))
    assert again.exit_code == 0
    assert dump(db) == before


def test_csv_round_trip_changes_nothing(sample_db: Path, cli, tmp_path: Path) -> None:
    out = tmp_path / "all.csv"
    assert cli("export", "csv", "-o", str(out)).exit_code == 0
    before = dump(sample_db)
    result = cli("import", str(out))
    assert result.exit_code == 0, result.stderr
    assert "0 new scenes (of 54)" in result.stderr
    assert dump(sample_db) == before


@pytest.mark.slow
def test_formula_cells_are_guarded_and_read_back(db: Path, cli, tmp_path: Path) -> None:
    _import_all(cli, tmp_path)
    title = '=HYPERLINK("http://evil.test","click")'
    result = cli(
        "add-scene", "--drama", "Melting Me Softly", "--episode", "3", "--kind", "kiss",
        "--title", title, "--actor", "Ji Chang Wook",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    out = tmp_path / "out.csv"
    assert cli("export", "csv", "-o", str(out)).exit_code == 0
    rows = _csv_rows(out.read_text(encoding="utf-8-sig"))
    cell = next(r["title"] for r in rows if "HYPERLINK" in r["title"])
    assert cell == "'" + title
    before = dump(db)
    assert cli("import", str(out)).exit_code == 0
    assert dump(db) == before
    assert title in {s["title"] for s in _listed(cli)}


def test_semicolon_separated_and_bom(db: Path, cli, tmp_path: Path) -> None:
    path = _write(tmp_path, "actors.csv", "\ufeffname;born\nKim Go Eun;1991\n")
    result = cli("import", str(path))
    assert result.exit_code == 0, result.stderr
    assert json.loads(cli("show", "actor", "Kim Go Eun", "--json").stdout)["data"]["born"] == 1991


def test_bad_row_imports_nothing_and_names_line_and_column(db: Path, cli, tmp_path: Path) -> None:
    _import_all(cli, tmp_path)
    before = dump(db)
    bad = _write(
        tmp_path,
        "bad.csv",
        "drama,episode,kind,title,actors\n"
        "Melting Me Softly,3,kiss,A fine new scene,Ji Chang Wook\n"
        'Melting Me Softly,4,kiss,"A title\nover two lines",Ji Chang Wook\n'
        "Melting Me Softly,17,kiss,Past the end,Ji Chang Wook\n",
    )
    result = cli("import", str(bad))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {bad}:5: column 2 (episode): episode 17 is past")
    assert dump(db) == before  # the good rows above it were not kept


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", ":1: no header row"),
        ("foo,bar\n1,2\n", ":1: cannot tell whether this file holds actors, dramas or scenes"),
        ("name,shoe size\nX,42\n", ":1: column 2 (shoe size): unknown column for actors"),
        ("name,actor\nX,Y\n", ":1: column 2 (actor): means the same as column 1 (name)"),
        ("name,\nX,\n", ":1: column 2 (#2): the header cell is empty"),
        ("name,born\nX,1987,extra\n", ":2: 3 cells but the header has 2 columns"),
        ('name,born\n"X,1987\n', ":2: not valid CSV"),
        ("name,born\nX,next year\n", ":2: column 2 (born): expected a whole number"),
        ("name,born\nX,1987\nX,1988\n", ":3: column 1 (name): actor 'X' is listed twice"),
        ("title,year\nA drama,19999\n", ":2: column 2 (year): 19999 is out of range"),
        (
            "drama,kind,title,seen\nNo Such Drama,kiss,T,2020-01-01\n",
            ":2: column 4 (seen): needs a views count in the same row",
        ),
        ("drama,kind,title\nNo Such Drama,kiss,T\n", ":2: column 1 (drama): no drama"),
        (
            "drama,kind,title,links\nMelting Me Softly,kiss,T,ftp://x\n",
            ":2: column 4 (links): 'ftp://x' is not an http(s) link",
        ),
    ],
)
def test_bad_csv_files(db: Path, cli, tmp_path: Path, text: str, message: str) -> None:
    _import_all(cli, tmp_path)
    before = dump(db)
    path = _write(tmp_path, "bad.csv", text)
    result = cli("import", str(path))
    assert result.exit_code == 1
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"Error: {path}:"), first
    assert message in first
    assert dump(db) == before


def test_csv_that_is_not_utf8(db: Path, cli, tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("name\nJosé\n".encode("latin-1"))
    result = cli("import", str(path))
    assert result.exit_code == 1
    assert "not UTF-8 text" in result.stderr
    assert "hint: save the spreadsheet as CSV UTF-8" in result.stderr


# Header mappings (domain level: `import` has no --map flag yet)


def _import_csv(db: Path, path: Path, *mapping: str):
    from scenecat.domain.importing import csv_file
    from scenecat.storage.connection import open_catalogue

    cat = open_catalogue(db)
    try:
        with cat.write("import") as conn:
            return csv_file.import_csv(conn, path, mapping=csv_file.parse_mapping(mapping))
    finally:
        cat.close()


def test_mapping_names_and_skips_columns(db: Path, tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "mdl.csv",
        "drama_name,Original Network,Episodes,score,제목\n"
        "Healer,KBS2,20,8.9,힐러\nThe K2,tvN,16,8.1,더 케이투\n",
    )
    report = _import_csv(
        db, path, "drama_name=title", "Original Network=network", "score=-", "제목=native"
    )
    assert report.created["dramas"] == 2
    from scenecat.domain.browse import show_drama
    from scenecat.storage.connection import open_catalogue

    cat = open_catalogue(db)
    try:
        drama = show_drama(cat.conn, "힐러").drama
    finally:
        cat.close()
    assert (drama.title, drama.network, drama.episodes, drama.native) == (
        "Healer",
        "KBS2",
        20,
        "힐러",
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        (["nonsense"], "is not COLUMN=FIELD"),
        (["=title"], "is not COLUMN=FIELD"),
        (["a=title", "A=name"], "gives column 'A' twice"),
        (["colour=title"], "names column 'colour', which the header does not have"),
        (["drama_name=title", "score=rating"], "column 3 (score): unknown column for dramas"),
    ],
)
def test_bad_mappings(db: Path, tmp_path: Path, mapping: list[str], message: str) -> None:
    from scenecat.errors import ScenecatError

    path = _write(tmp_path, "mdl.csv", "drama_name,Episodes,score\nHealer,20,8.9\n")
    before = dump(db)
    with pytest.raises(ScenecatError, match=re.escape(message)):
        _import_csv(db, path, *mapping)
    assert dump(db) == before


# Real, messy files (skipped when ../shared/data/real is absent)


MDL_OTHER_COLUMNS = (
    "Genres", "Tags", "start airing", "end airing", "Aired On", "Original Network", "Duration",
    "score", "scored by", "Ranked", "Popularity", "Content Rating", "Watchers", "actors",
    "platforms", "imdb_rating", "imdb_user_count", "imdb_description",
)  # fmt: skip


@pytest.fixture
def real() -> Path:
    from tests.conftest import REAL_DATA

    if not REAL_DATA.is_dir():
        pytest.skip("real data folder absent")
    return REAL_DATA


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "mapping", "message"),
    [
        # Two different dramas called 장희빈 (1995 and 2002); multi-line cells before line 163.
        (
            "kowiki_namuwiki_dramas.csv",
            ["제목=title", "채널=network"]
            + [
                f"{c}=-"
                for c in ("방송 기간", "방송 횟수", "장르", "제작사", "극본", "출연자", "방송 시작")
            ],
            ":163: column 1 (제목): drama '장희빈' is listed twice in this file",
        ),
        ("kowiki_namuwiki_dramas.csv", ["제목=title"], ":1: column 2 (방송 기간): unknown column"),
        (
            "mdl_kdramalist_2023.csv",
            ["drama_name=title", "Episodes=episodes", "Country=country"]
            + [f"{c}=-" for c in MDL_OTHER_COLUMNS],
            ":229: column 4 (Episodes): 0 is out of range 1..100000",
        ),
        (
            "mdl_actor_credits.csv",
            ["actor_name=name", "actor_id=-", "drama_name=-", "character_name=-", "role=-"],
            ":3: column 2 (actor_name): actor 'Jang Do Yoon' is listed twice in this file",
        ),
    ],
)
def test_real_files_fail_cleanly_and_change_nothing(
    db: Path, real: Path, name: str, mapping: list[str], message: str
) -> None:
    from scenecat.errors import CatalogueFileError

    before = dump(db)
    with pytest.raises(CatalogueFileError) as caught:
        _import_csv(db, real / name, *mapping)
    assert str(caught.value).startswith(str(real / name) + ":")
    assert message in str(caught.value)
    assert dump(db) == before


@pytest.mark.slow
def test_real_file_imports_with_a_mapping(db: Path, real: Path, tmp_path: Path) -> None:
    # The unique titles of the MyDramaList extract, through the real file's own header.
    rows = list(csv.DictReader((real / "mdl_kdramalist_2023.csv").open(encoding="utf-8")))
    counts = Counter(r["drama_name"] for r in rows)
    keep = [r for r in rows if counts[r["drama_name"]] == 1 and r["Episodes"] not in ("", "0")]
    path = tmp_path / "unique.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(keep)
    skipped = [f"{c}=-" for c in rows[0] if c not in ("drama_name", "Episodes", "Country")]
    report = _import_csv(db, path, "drama_name=title", *skipped)
    assert report.created["dramas"] == len(keep) > 1000
    again = _import_csv(db, path, "drama_name=title", *skipped)
    assert again.created["dramas"] == 0


def test_import_map_flag_names_csv_columns(db, cli, tmp_path) -> None:
    path = tmp_path / "actors.csv"
    path.write_text("performer,hangul,ignored\nJi Chang Wook,지창욱,x\n", encoding="utf-8")
    result = cli(
        "import",
        str(path),
        "--map",
        "performer=name",
        "--map",
        "hangul=native",
        "--map",
        "ignored=-",
    )
    assert result.exit_code == 0, result.stderr
    assert '"native": "지창욱"' in cli("show", "actor", "Ji Chang Wook", "--json").stdout
    wrong = cli("import", str(tmp_path / "x.yaml"), "--map", "a=b")
    assert wrong.exit_code == 1


def test_map_is_refused_for_yaml(sample_db, cli) -> None:
    from tests.conftest import SAMPLE

    result = cli("import", str(SAMPLE), "--map", "a=b")
    assert result.exit_code == 2 and "--map is for .csv files" in result.stderr
