"""Moments (issue 24, part 2): where a scene is inside its clip, kept on the scene's link to
the clip. Set from a link's `t=`, --clip-start/--clip-end, yt-dlp's start_time/end_time or
the clip's offers; changed by `edit scene`; carried by every format; shown as a deep link by
`show`, articles and `open`.

Clips come from recorded `yt-dlp -J` files (tests/fixtures/sources/README.md) or from a
stand-in for yt-dlp's Python API; nothing reaches the internet.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Run, dump
from tests.sources_helpers import FIXTURES, fixture, no_network

__all__ = ["no_network"]

T83 = str(FIXTURES / "ytdlp-melting-me-softly-e10-t83.json")
REPLAYED = str(FIXTURES / "ytdlp-melting-me-softly-e10-replayed.json")
CHAPTERS = str(FIXTURES / "ytdlp-jcw-kisses-chapters.json")
CLIP = "https://www.youtube.com/watch?v=mmsE10kiss1"
SHOWER = "melting-me-softly-e10-shower-kiss"

# Two scenes in one compilation, each with its own moment; one moment open at its end.
MOMENTS_YAML = f"""\
format: scenecat/1
scenes:
  - key: healer-e9-compilation-kiss
    drama: Healer
    episode: 9
    kind: kiss
    title: The compilation's Healer kiss
    actors: [Ji Chang Wook]
    sources:
      - {{url: "https://www.youtube.com/watch?v=jcwKisses01", title: JCW kisses, kind: fan-edit, start: "0:15", end: "2:40"}}
  - key: melting-me-softly-e10-compilation-kiss
    drama: Melting Me Softly
    episode: 10
    kind: kiss
    title: The compilation's shower kiss
    actors: [Ji Chang Wook]
    sources:
      - {{url: "https://www.youtube.com/watch?v=jcwKisses01", title: JCW kisses, kind: fan-edit, start: "2:40", end: "4:05"}}
      - {{url: "https://youtu.be/mmsE10kiss1", kind: official-clip, start: 83}}
      - https://example.org/blog/compilation
  - key: melting-me-softly-e10-just-the-end
    drama: Melting Me Softly
    episode: 10
    kind: hug
    title: Up to the hug
    sources:
      - {{url: "{CLIP}", end: "1:41"}}
"""


def data(result: Run) -> Any:
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["data"]


def links(cli: Callable[..., Run], key: str) -> list[tuple[str, str | None, str | None]]:
    """(url, start, end) of each of a scene's sources, as --json writes them."""
    return [
        (s["url"], s["start"], s["end"])
        for s in data(cli("show", "scene", key, "--json"))["sources"]
    ]


def moments_of(db: Path) -> dict[str, list[tuple[str, int | None, int | None]]]:
    """Every link's moment in the file, by scene key."""
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(
            "SELECT s.key, so.url, ss.start_s, ss.end_s FROM scene_source ss "
            "JOIN scene s ON s.id = ss.scene_id JOIN source so ON so.id = ss.source_id "
            "ORDER BY s.key, so.url"
        ).fetchall()
    finally:
        conn.close()
    found: dict[str, list[tuple[str, int | None, int | None]]] = {}
    for key, url, start, end in rows:
        found.setdefault(key, []).append((url, start, end))
    return found


def online(monkeypatch: pytest.MonkeyPatch, answer: dict[str, Any]) -> list[str]:
    """A clip read "over the network": yt-dlp's answer for it (its info dict, which has no
    start_time here: the link's t= is scenecat's to read); returns the links read."""
    from scenecat.sources import videos

    read: list[str] = []

    def fetch(url: str) -> videos.ClipInfo:
        read.append(url)
        return videos.from_ytdlp(answer, "2019-11-05")

    monkeypatch.setattr(videos, "fetch", fetch)
    return read


@pytest.fixture
def with_moments(cli: Callable[..., Run], sample_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "moments.yaml"
    path.write_text(MOMENTS_YAML, encoding="utf-8")
    result = cli("import", str(path))
    assert result.exit_code == 0, result.stderr
    return sample_db


# Stored on the link: two scenes in one clip keep their own


def test_two_scenes_in_one_clip_keep_their_own_moments(
    cli: Callable[..., Run], with_moments: Path
) -> None:
    compilation = "https://www.youtube.com/watch?v=jcwKisses01"
    assert links(cli, "healer-e9-compilation-kiss") == [(compilation, "0:15", "2:40")]
    assert (compilation, "2:40", "4:05") in links(cli, "melting-me-softly-e10-compilation-kiss")
    # One source row for the clip, two links.
    conn = sqlite3.connect(with_moments)
    assert conn.execute("SELECT count(*) FROM source WHERE url = ?", (compilation,)).fetchone() == (
        1,
    )
    conn.close()
    result = cli("edit", "scene", "healer-e9-compilation-kiss", "--clip-start", "0:20")
    assert result.exit_code == 0, result.stderr
    assert links(cli, "healer-e9-compilation-kiss") == [(compilation, "0:20", "2:40")]
    assert (compilation, "2:40", "4:05") in links(cli, "melting-me-softly-e10-compilation-kiss")


# Every format carries them


def test_done_when_a_scene_with_a_moment_round_trips_through_yaml_and_json_lines(
    cli: Callable[..., Run], with_moments: Path, tmp_path: Path
) -> None:
    before = moments_of(with_moments)
    for fmt in ("yaml", "jsonl"):
        out = tmp_path / f"all.{fmt}"
        assert cli("export", fmt, "-o", str(out)).exit_code == 0
        again = tmp_path / f"again-{fmt}.db"
        result = cli("--db", str(again), "import", str(out))  # an empty catalogue: bulk path
        assert result.exit_code == 0, result.stderr
        assert moments_of(again) == before, fmt
        second = cli("--db", str(again), "export", fmt)
        assert second.stdout == out.read_text(encoding="utf-8"), fmt
    from scenecat import yamlio

    exported = yamlio.load((tmp_path / "all.yaml").read_text(encoding="utf-8"))
    scene = next(s for s in exported["scenes"] if s["key"] == "healer-e9-compilation-kiss")
    assert scene["sources"] == [
        {
            "url": "https://www.youtube.com/watch?v=jcwKisses01",
            "title": "JCW kisses",
            "kind": "fan-edit",
            "start": "0:15",
            "end": "2:40",
        }
    ]


def test_the_record_by_record_import_stores_moments_as_the_bulk_one(
    cli: Callable[..., Run], with_moments: Path, tmp_path: Path
) -> None:
    out = tmp_path / "all.jsonl"
    assert cli("export", "jsonl", "-o", str(out)).exit_code == 0
    bulk = tmp_path / "bulk.db"
    assert cli("--db", str(bulk), "import", str(out)).exit_code == 0
    one_by_one = tmp_path / "one.db"
    assert cli("--db", str(one_by_one), "add-actor", "Someone First").exit_code == 0
    result = cli("--db", str(one_by_one), "import", str(out))
    assert result.exit_code == 0, result.stderr
    assert moments_of(one_by_one) == moments_of(bulk) == moments_of(with_moments)


def test_done_when_a_scene_with_a_moment_round_trips_through_csv(
    cli: Callable[..., Run], with_moments: Path, tmp_path: Path
) -> None:
    out = tmp_path / "scenes.csv"
    assert cli("export", "csv", "-o", str(out)).exit_code == 0
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = {row["key"]: row for row in csv.DictReader(handle)}
    assert rows["healer-e9-compilation-kiss"]["sources"] == (
        "https://www.youtube.com/watch?v=jcwKisses01 (0:15-2:40)"
    )
    assert rows["melting-me-softly-e10-just-the-end"]["sources"] == f"{CLIP} (-1:41)"
    # Into the sample without these scenes: the CSV adds them, moments and all.
    fresh = tmp_path / "fresh.db"
    sample = Path(__file__).resolve().parent.parent / "data" / "sample.yaml"
    assert cli("--db", str(fresh), "import", str(sample)).exit_code == 0
    result = cli("--db", str(fresh), "import", str(out))
    assert result.exit_code == 0, result.stderr
    assert moments_of(fresh) == moments_of(with_moments)
    # And again: nothing changes.
    before = dump(fresh)
    assert cli("--db", str(fresh), "import", str(out)).exit_code == 0
    assert dump(fresh) == before


def test_a_csv_cell_takes_a_moment_in_any_time_form(
    cli: Callable[..., Run], sample_db: Path, tmp_path: Path
) -> None:
    path = tmp_path / "from-elsewhere.csv"
    path.write_text(
        "drama,episode,kind,title,sources\n"
        f'Melting Me Softly,10,kiss,Sheet kiss,"{CLIP} ( 83s - 1m41s ); https://example.org/x"\n',
        encoding="utf-8",
    )
    result = cli("import", str(path))
    assert result.exit_code == 0, result.stderr
    assert moments_of(sample_db)["melting-me-softly-e10-sheet-kiss"] == [
        ("https://example.org/x", None, None),
        (CLIP, 83, 101),
    ]


def test_json_carries_the_moment_and_show_the_link_that_plays_it(
    cli: Callable[..., Run], with_moments: Path
) -> None:
    shown = data(cli("show", "scene", "melting-me-softly-e10-compilation-kiss", "--json"))
    # The official clip is the one to watch, from the scene's start in it (youtu.be: ?t=).
    assert shown["watch"] == "https://youtu.be/mmsE10kiss1?t=83"
    listed = data(cli("list", "scenes", "--json"))
    healer = next(s for s in listed if s["key"] == "healer-e9-compilation-kiss")
    assert healer["sources"][0]["start"] == "0:15" and healer["sources"][0]["end"] == "2:40"
    result = cli("show", "scene", "healer-e9-compilation-kiss")
    assert result.exit_code == 0, result.stderr
    lines = dict(line.split("\t", 1) for line in result.stdout.splitlines() if "\t" in line)
    assert lines["watch"] == (
        "https://www.youtube.com/watch?v=jcwKisses01&t=15s (0:15-2:40 in the clip)"
    )
    assert "moment" in result.stdout  # the sources table's column
    # A scene without a moment: no moment column, the clip's link as it is.
    plain = cli("show", "scene", "healer-e9-snowy-rooftop-kiss")
    assert "\tmoment" not in plain.stdout


# Setting a moment: add-scene


def test_done_when_add_scene_takes_t_from_the_link_and_clip_end(
    cli: Callable[..., Run], sample_db: Path
) -> None:
    # yt-dlp -J of https://youtu.be/mmsE10kiss1?t=83: start_time 83, webpage_url without t=.
    assert fixture("ytdlp-melting-me-softly-e10-t83.json")["start_time"] == 83
    result = cli(
        "add-scene", "--clip-json", T83, "--clip-end", "1:41",
        "--kind", "kiss", "--title", "From the link", "--actor", "Ji Chang Wook",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert (
        "Added scene melting-me-softly-e10-from-the-link (1:23-1:41 in the clip)" in result.stderr
    )
    assert links(cli, "melting-me-softly-e10-from-the-link") == [(CLIP, "1:23", "1:41")]
    # No offer when the moment is given.
    assert "Most replayed" not in result.stderr


def test_a_flag_sets_its_end_and_the_saved_link_gives_the_other(
    cli: Callable[..., Run], sample_db: Path, tmp_path: Path
) -> None:
    # Saved from https://youtu.be/mmsE10kiss1?t=83&end=101: both ends in the file.
    saved = tmp_path / "both.json"
    both = {**fixture("ytdlp-melting-me-softly-e10-t83.json"), "end_time": 101}
    saved.write_text(json.dumps(both), encoding="utf-8")
    result = cli("add-scene", "--clip-json", str(saved), "--clip-start", "1:30", *SCENE_ARGS)
    assert result.exit_code == 0, result.stderr
    assert moments_of(sample_db)["melting-me-softly-e10-bad-moment"] == [(CLIP, 90, 101)]


@pytest.mark.parametrize(
    ("link", "start"),
    [
        ("https://youtu.be/mmsE10kiss1?t=83", 83),
        ("https://youtu.be/mmsE10kiss1?t=83s", 83),
        ("https://youtu.be/mmsE10kiss1?t=1m23s", 83),
        ("https://www.youtube.com/watch?v=mmsE10kiss1&t=1m5s", 65),
        ("https://www.youtube.com/watch?v=mmsE10kiss1#t=90", 90),
        ("https://www.youtube.com/watch?v=mmsE10kiss1&start=12&end=30", 12),
    ],
)
def test_a_link_s_t_is_the_start_in_every_form_youtube_writes(
    cli: Callable[..., Run],
    sample_db: Path,
    monkeypatch: pytest.MonkeyPatch,
    no_network: list[float],
    link: str,
    start: int,
) -> None:
    read = online(monkeypatch, fixture("ytdlp-melting-me-softly-e10.json"))
    result = cli(
        "add-scene", "--clip", link, "--kind", "kiss", "--title", "Linked",
        "--actor", "Ji Chang Wook",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    ((url, stored_start, stored_end),) = moments_of(sample_db)["melting-me-softly-e10-linked"]
    assert (url, stored_start) == (CLIP, start)  # the link stored without t=
    assert stored_end == (30 if "end=30" in link else None)
    assert read == [link]  # read as given: the site gets the whole link


def test_an_hour_long_t_is_checked_against_the_clip_s_length(
    cli: Callable[..., Run],
    sample_db: Path,
    monkeypatch: pytest.MonkeyPatch,
    no_network: list[float],
) -> None:
    online(monkeypatch, {**fixture("ytdlp-melting-me-softly-e10.json"), "duration": 4000})
    args = ("--kind", "kiss", "--title", "Hour", "--actor", "Ji Chang Wook")
    ok = cli("add-scene", "--clip", "https://youtu.be/mmsE10kiss1?t=1h2m3s", *args)
    assert ok.exit_code == 0, ok.stderr
    assert moments_of(sample_db)["melting-me-softly-e10-hour"] == [(CLIP, 3723, None)]
    online(monkeypatch, fixture("ytdlp-melting-me-softly-e10.json"))  # 2:31 long
    before = dump(sample_db)
    result = cli("add-scene", "--clip", "https://youtu.be/mmsE10kiss1?t=1h2m3s", *args, "--force")
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert errors == [
        "Error: the moment starts at 1:02:03, past the clip's 2:31; nothing was added"
    ]
    assert dump(sample_db) == before


SCENE_ARGS = ("--kind", "kiss", "--title", "Bad moment", "--actor", "Ji Chang Wook")


@pytest.mark.parametrize(
    ("args", "code", "error"),
    [
        (
            ["--clip-json", T83, "--clip-end", "1:20"],
            1,  # the start is the file's (the link's t=83)
            "the moment ends (1:20) before it starts (1:23); nothing was added",
        ),
        (
            ["--clip-json", T83, "--clip-end", "2:32"],
            1,
            "the moment ends at 2:32, past the clip's 2:31; nothing was added",
        ),
        (
            ["--clip-json", REPLAYED, "--clip-start", "1:41", "--clip-end", "1:23"],
            2,
            "--clip-end: the moment ends (1:23) before it starts (1:41)",
        ),
        (
            ["--clip-json", REPLAYED, "--clip-start", "1:23", "--clip-end", "1:23"],
            2,
            "--clip-end: the moment ends where it starts (1:23)",
        ),
        (
            ["--clip-json", REPLAYED, "--clip-end", "0"],
            2,
            "--clip-end: the moment ends at 0:00, where the clip starts",
        ),
        (
            ["--clip-json", REPLAYED, "--clip-start", "1:99"],
            2,
            "--clip-start: '1:99' is not a time in the clip (e.g. 83, 83s, 1m23s, 1:23 or 1:02:03)",
        ),
        (
            ["--clip-json", REPLAYED, "--clip-end", "1h2x"],
            2,
            "--clip-end: '1h2x' is not a time in the clip (e.g. 83, 83s, 1m23s, 1:23 or 1:02:03)",
        ),
        (
            ["--clip-json", REPLAYED, "--clip-start", "-5"],
            2,
            "--clip-start: '-5' is not a time in the clip (e.g. 83, 83s, 1m23s, 1:23 or 1:02:03)",
        ),
        (
            ["--clip-json", REPLAYED, "--clip-start", "9" * 40],
            2,
            f"--clip-start: '{'9' * 30}…' is not a time in the clip (e.g. 83, 83s, 1m23s, 1:23 or 1:02:03)",
        ),
        (
            ["--clip-json", REPLAYED, "--clip-start", "999999999"],
            2,
            "--clip-start: '999999999' is past any clip (100,000 seconds at most)",
        ),
        (
            ["--clip-json", REPLAYED, "--clip-start", "1:23\x1b[31m"],
            2,
            "--clip-start: '1:23\\x1b[31m' is not a time in the clip (e.g. 83, 83s, 1m23s, 1:23 or 1:02:03)",
        ),
        (
            ["--clip", "https://youtu.be/mmsE10kiss1?t=1x"],
            2,
            "--clip: t= in the link: '1x' is not a time in the clip (e.g. 83, 83s, 1m23s, 1:23 or 1:02:03)",
        ),
        (
            ["--clip", "https://youtu.be/mmsE10kiss1?t=90", "--clip-end", "1:00"],
            2,
            "--clip-end: the moment ends (1:00) before it starts (1:30)",
        ),
        (
            ["--clip", "https://youtu.be/mmsE10kiss1?t=90&end=60"],
            2,
            "--clip: the moment ends (1:00) before it starts (1:30)",
        ),
        (
            ["--drama", "Healer", "--clip-start", "1:00"],
            2,
            "Invalid value for --clip-start: goes with --clip or --clip-json",
        ),
    ],
)
def test_a_bad_moment_is_one_error_line_and_nothing_is_written(
    cli: Callable[..., Run],
    sample_db: Path,
    no_network: list[float],
    args: list[str],
    code: int,
    error: str,
) -> None:
    before = dump(sample_db)
    result = cli("add-scene", *args, *SCENE_ARGS)
    assert result.exit_code == code, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert errors == [f"Error: {error}"]
    assert dump(sample_db) == before


def test_a_moment_the_link_gives_is_named_in_the_hint_when_it_clashes(
    cli: Callable[..., Run], sample_db: Path
) -> None:
    result = cli("add-scene", "--clip-json", T83, "--clip-end", "1:20", *SCENE_ARGS)
    assert result.stderr.splitlines()[-1] == (
        "hint: the clip's link says it starts at 1:23; --clip-start and --clip-end say otherwise"
    )


# Offers, off a terminal: said, not applied (the pseudo-terminal tests answer them)


def test_off_a_terminal_the_most_replayed_stretch_is_said_not_applied(
    cli: Callable[..., Run], sample_db: Path
) -> None:
    result = cli("add-scene", "--clip-json", REPLAYED, *SCENE_ARGS)
    assert result.exit_code == 0, result.stderr
    assert (
        "Most replayed: 1:23-1:40 (not applied: no terminal to ask on; "
        "--clip-start 1:23 --clip-end 1:40 sets it)"
    ) in result.stderr
    assert moments_of(sample_db)["melting-me-softly-e10-bad-moment"] == [(CLIP, None, None)]


def test_off_a_terminal_the_chapters_are_listed_not_applied(
    cli: Callable[..., Run], sample_db: Path
) -> None:
    result = cli(
        "add-scene", "--clip-json", CHAPTERS, "--drama", "Healer", "--episode", "9", *SCENE_ARGS
    )
    assert result.exit_code == 0, result.stderr
    assert (
        "Chapters: 0:00-0:15 Intro; 0:15-2:40 Healer EP.9 rooftop kiss; 2:40-4:05 Melting Me "
        "Softly EP.10 shower kiss; 4:05-5:00 Outro (not applied: no terminal to ask on; "
        "--clip-start and --clip-end set one)"
    ) in result.stderr
    assert moments_of(sample_db)["healer-e9-bad-moment"] == [
        ("https://www.youtube.com/watch?v=jcwKisses01", None, None)
    ]


def test_the_most_replayed_stretch_is_the_heatmap_s_peak_and_its_high_neighbours() -> None:
    from scenecat.domain import moments
    from scenecat.sources.videos import Span, from_ytdlp

    clip = from_ytdlp(fixture("ytdlp-melting-me-softly-e10-replayed.json"))
    assert len(clip.heatmap) == 100
    replayed, chapters = moments.offers(clip)
    assert replayed == moments.Offer(83, 100, "Most replayed") and chapters == []
    # A flat graph has no most replayed stretch; one point alone is its own stretch.
    flat = [Span(i, i + 1, value=0.9 + (i % 2) * 0.05) for i in range(10)]
    assert moments.most_replayed(flat) is None
    spike = [Span(i * 1.5, (i + 1) * 1.5, value=1.0 if i == 4 else 0.2) for i in range(10)]
    assert moments.most_replayed(spike) == moments.Offer(6, 8, "Most replayed")
    assert moments.most_replayed([]) is None


def test_yt_dlp_s_moment_fields_are_read_and_odd_values_left_out() -> None:
    from scenecat.sources.videos import from_ytdlp

    base = fixture("ytdlp-melting-me-softly-e10.json")
    clip = from_ytdlp(
        {
            **base,
            "start_time": 83.6,
            "end_time": float("nan"),
            "chapters": [
                {"start_time": 0, "title": "  Intro\n", "end_time": 10},
                {"start_time": 20, "title": "backwards", "end_time": 10},
                "not a chapter",
                {"start_time": True, "end_time": 30},
            ],
            "heatmap": [{"start_time": 0, "end_time": 1.5, "value": "high"}],
        }
    )
    assert (clip.start_time, clip.end_time) == (83, None)
    assert [(c.start, c.end, c.title) for c in clip.chapters] == [(0, 10, "Intro")]
    assert clip.heatmap == ()


# Changing a moment: edit scene, undo


def test_edit_scene_sets_changes_and_clears_a_moment(
    cli: Callable[..., Run], with_moments: Path
) -> None:
    key = "melting-me-softly-e10-just-the-end"
    assert cli("edit", "scene", key, "--clip-start", "83s").exit_code == 0
    assert links(cli, key) == [(CLIP, "1:23", "1:41")]
    assert cli("edit", "scene", key, "--clip-end", "").exit_code == 0
    assert links(cli, key) == [(CLIP, "1:23", None)]
    # --clip names one of several clips, in any spelling, and its t= is the start.
    key = "melting-me-softly-e10-compilation-kiss"
    result = cli(
        "edit", "scene", key, "--clip", "https://youtu.be/jcwKisses01?t=170", "--clip-end", "4:00"
    )
    assert result.exit_code == 0, result.stderr
    assert ("https://www.youtube.com/watch?v=jcwKisses01", "2:50", "4:00") in links(cli, key)
    assert ("https://youtu.be/mmsE10kiss1", "1:23", None) in links(cli, key)


@pytest.mark.parametrize(
    ("key", "args", "code", "error"),
    [
        (
            "melting-me-softly-e10-just-the-end",
            ["--clip-start", "2:00"],
            1,  # against the stored end
            "sources[0].end: the moment ends (1:41) before it starts (2:00)",
        ),
        (
            "melting-me-softly-e10-just-the-end",
            ["--clip-start", "nonsense"],
            2,
            "--clip-start: 'nonsense' is not a time in the clip (e.g. 83, 83s, 1m23s, 1:23 or 1:02:03)",
        ),
        (
            "melting-me-softly-e10-compilation-kiss",
            ["--clip-start", "0:10"],
            1,
            "the scene has 2 clips; name one with --clip URL",
        ),
        (
            "melting-me-softly-e10-compilation-kiss",
            ["--clip", "https://youtu.be/zzzzzzzzzzz", "--clip-start", "0:10"],
            1,
            "https://youtu.be/zzzzzzzzzzz is not a link of this scene",
        ),
        (
            "melting-me-softly-e10-compilation-kiss",
            ["--clip", "https://youtu.be/jcwKisses01"],
            2,
            "--clip names the clip; say the moment with --clip-start/--clip-end or a `t=`",
        ),
        (
            "backstreet-rookie-e1-cigarette-request",
            ["--clip-start", "0:10"],
            1,
            "the scene has no clip to set a moment in",
        ),
    ],
)
def test_a_bad_moment_edit_is_one_error_line_and_nothing_changes(
    cli: Callable[..., Run], with_moments: Path, key: str, args: list[str], code: int, error: str
) -> None:
    before = dump(with_moments)
    result = cli("edit", "scene", key, *args)
    assert result.exit_code == code, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert errors == [f"Error: {error}"]
    assert dump(with_moments) == before


def test_undo_takes_back_a_moment_change(cli: Callable[..., Run], with_moments: Path) -> None:
    key = "healer-e9-compilation-kiss"
    before = dump(with_moments)
    assert cli("edit", "scene", key, "--clip-start", "0:30", "--clip-end", "1:00").exit_code == 0
    assert links(cli, key)[0][1:] == ("0:30", "1:00")
    history = data(cli("history", "--json"))
    assert history[0]["label"] == f"edit scene {key}"
    result = cli("undo", "--yes")
    assert result.exit_code == 0, result.stderr
    assert links(cli, key)[0][1:] == ("0:15", "2:40")
    assert dump(with_moments) == before
    assert cli("db", "check").exit_code == 0


# A bad moment in a file


@pytest.mark.parametrize(
    ("source", "error"),
    [
        (
            '{url: "https://youtu.be/x", start: "2:00", end: "1:00"}',
            "the moment ends (1:00) before it starts (2:00)",
        ),
        ('{url: "https://youtu.be/x", start: "soon"}', "'soon' is not a time in the clip"),
        ('{url: "https://youtu.be/x", start: -3}', "-3 is out of range 0..100000"),
        ('{url: "https://youtu.be/x", end: true}', "expected a time in the clip, got true/false"),
        ('{url: "https://youtu.be/x", end: [1]}', "expected a time in the clip, got a list"),
        ('{url: "https://youtu.be/x", at: "1:00"}', "unknown field"),
    ],
)
def test_a_bad_moment_in_a_file_names_its_place_and_changes_nothing(
    cli: Callable[..., Run], sample_db: Path, tmp_path: Path, source: str, error: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "format: scenecat/1\nscenes:\n  - drama: Healer\n    kind: kiss\n    title: Bad\n"
        f"    sources:\n      - {source}\n",
        encoding="utf-8",
    )
    before = dump(sample_db)
    result = cli("import", str(path))
    assert result.exit_code == 1
    (line,) = [x for x in result.stderr.splitlines() if x.startswith("Error:")]
    assert ":7: scenes[0].sources[0]." in line and error in line, line
    assert dump(sample_db) == before


@pytest.mark.parametrize(
    ("cell", "error"),
    [
        (f"{CLIP} (1:99-2:00)", "'1:99' is not a time in the clip"),
        (f"{CLIP} (2:00-1:00)", "the moment ends (1:00) before it starts (2:00)"),
        (f"{CLIP} (soon)", f"(soon) after {CLIP} is not a moment (e.g. (1:23-1:41))"),
        (f"{CLIP} (-)", f"(-) after {CLIP} is not a moment"),
    ],
)
def test_a_bad_moment_in_a_csv_cell_names_its_column(
    cli: Callable[..., Run], sample_db: Path, tmp_path: Path, cell: str, error: str
) -> None:
    path = tmp_path / "bad.csv"
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows([["drama", "kind", "title", "sources"], ["Healer", "kiss", "Bad", cell]])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    before = dump(sample_db)
    result = cli("import", str(path))
    assert result.exit_code == 1
    (line,) = [x for x in result.stderr.splitlines() if x.startswith("Error:")]
    assert ":2: column 4 (sources): " in line and error in line, line
    assert dump(sample_db) == before


# Articles link the moment


def test_done_when_the_spotlight_article_links_the_moment(
    cli: Callable[..., Run], with_moments: Path
) -> None:
    key = "melting-me-softly-e10-compilation-kiss"
    result = cli("export", "markdown", "--template", "spotlight", "--scene", key)
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    # The clip to watch (the official one), playing from the scene's start in it.
    assert (
        "\n\nWatch it: [https://youtu.be/mmsE10kiss1](https://youtu.be/mmsE10kiss1?t=83), "
        "from 1:23 in the clip.\n\n"
    ) in text
    # Every clip among the sources links its own moment.
    assert (
        "- [JCW kisses](https://www.youtube.com/watch?v=jcwKisses01&t=160s), 2:40-4:05 in the clip\n"
    ) in text
    assert (
        "- [https://example.org/blog/compilation](https://example.org/blog/compilation)\n" in text
    )


def test_every_template_that_links_a_clip_links_its_moment(
    cli: Callable[..., Run], with_moments: Path
) -> None:
    deep = "https://www.youtube.com/watch?v=jcwKisses01&t=15s"
    for template, scope in (
        ("listicle", ["--actor", "Ji Chang Wook", "--kind", "kiss"]),
        ("best-per-drama", ["--actor", "Ji Chang Wook", "--kind", "kiss", "--drama", "Healer"]),
        ("drama", ["--drama", "Healer"]),
        ("actor", ["--actor", "Ji Chang Wook"]),
    ):
        result = cli(
            "export",
            "markdown",
            "--template",
            template,
            *scope,
            "--limit",
            "50",
            "--spoilers",
            "show",
        )
        assert result.exit_code == 0, (template, result.stderr)
        assert deep in result.stdout, template


# Storage: migration 0013_clip_moments


def _link_columns(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [row[1] for row in conn.execute("PRAGMA table_info(scene_source)")]
    finally:
        conn.close()


def test_a_schema12_catalogue_gets_moment_columns_and_keeps_every_row(
    cli: Callable[..., Run], sample_db: Path
) -> None:
    from tests.fixtures.safety import raw_dump, user_version

    conn = sqlite3.connect(sample_db)
    conn.executescript(
        # The history's triggers on the table name its columns: schema 12's had none of these.
        "DROP TRIGGER history_scene_source_ins; DROP TRIGGER history_scene_source_upd; "
        "DROP TRIGGER history_scene_source_del; "
        "ALTER TABLE scene_source DROP COLUMN start_s; ALTER TABLE scene_source DROP COLUMN end_s;"
        "DELETE FROM _sqlite_migrations WHERE name = '0013_clip_moments'; PRAGMA user_version = 12;"
    )
    conn.close()
    assert _link_columns(sample_db) == ["scene_id", "source_id"]
    before = raw_dump(sample_db)

    result = cli("show", "scene", SHOWER, "--json")
    assert result.exit_code == 0, result.stderr
    assert "Upgraded the catalogue from schema 12" in result.stderr
    assert sample_db.with_name(sample_db.name + ".schema12.bak").exists()
    from scenecat.storage.migrations import schema_version

    assert user_version(sample_db) == schema_version()
    assert _link_columns(sample_db) == ["scene_id", "source_id", "start_s", "end_s"]
    after = raw_dump(sample_db)
    links_before = before.pop("scene_source")
    links_after = after.pop("scene_source")
    assert links_after == [(*row, None, None) for row in links_before]
    after.pop("_sqlite_migrations", None)
    before.pop("_sqlite_migrations", None)
    assert after == before
    # The history logs the new columns: a moment set after the upgrade is undone exactly.
    assert cli("edit", "scene", SHOWER, "--clip-start", "0:05").exit_code == 0
    assert cli("undo", "--yes").exit_code == 0
    assert sorted(raw_dump(sample_db)["scene_source"]) == sorted(links_after)
    check = cli("db", "check")
    assert check.exit_code == 0, check.stdout + check.stderr


def test_the_schema2_catalogue_takes_moments_after_its_upgrade(
    cli: Callable[..., Run], db: Path
) -> None:
    import shutil

    from tests.fixtures.safety import OLD_CATALOGUE

    shutil.copyfile(OLD_CATALOGUE, db)
    result = cli("edit", "scene", SHOWER, "--clip-start", "0:05", "--clip-end", "0:50")
    assert result.exit_code == 0, result.stderr
    assert "Upgraded the catalogue from schema 2" in result.stderr
    assert (
        "https://example.org/clips/melting-me-softly-ep10-shower-kiss",
        "0:05",
        "0:50",
    ) in links(cli, SHOWER)
    check = cli("db", "check")
    assert check.exit_code == 0, check.stdout + check.stderr


# Concurrency: moment edits read the scene's links inside their write


@pytest.mark.slow
def test_processes_setting_moments_in_two_clips_of_one_scene_lose_none(
    cli: Callable[..., Run], with_moments: Path, tmp_path: Path
) -> None:
    """Each edit rewrites the scene's links: one that read them before taking the write
    lock would write back the other clip's old moment."""
    from tests.test_concurrency import _held_lock_run

    key = "melting-me-softly-e10-compilation-kiss"
    db = str(with_moments)
    rounds = 5

    def edits(clip: str) -> list[list[str]]:
        return [
            ["--db", db, "edit", "scene", key, "--clip", clip, "--clip-start", str(10 + i)]
            for i in range(rounds)
        ]

    batches = [
        edits("https://www.youtube.com/watch?v=jcwKisses01"),
        edits("https://youtu.be/mmsE10kiss1"),
        [["--db", db, "edit", "scene", key, "--title", f"Title {i}"] for i in range(rounds)],
    ]
    assert _held_lock_run(with_moments, batches, tmp_path) == []
    last = 10 + rounds - 1
    assert moments_of(with_moments)[key] == [
        ("https://example.org/blog/compilation", None, None),
        ("https://www.youtube.com/watch?v=jcwKisses01", last, 245),
        ("https://youtu.be/mmsE10kiss1", last, None),
    ]
    assert data(cli("show", "scene", key, "--json"))["title"] == f"Title {rounds - 1}"
    assert cli("db", "check").exit_code == 0


@pytest.mark.parametrize(
    ("url", "start", "link"),
    [
        (CLIP, 83, f"{CLIP}&t=83s"),
        ("https://youtu.be/mmsE10kiss1", 83, "https://youtu.be/mmsE10kiss1?t=83"),
        ("https://youtu.be/mmsE10kiss1?si=Share123", 83, "https://youtu.be/mmsE10kiss1?t=83"),
        ("https://m.youtube.com/watch?feature=share&v=mmsE10kiss1", 5, f"{CLIP}&t=5s"),
        (
            "https://youtube.com/shorts/mmsShorts01",
            7,
            "https://www.youtube.com/watch?v=mmsShorts01&t=7s",
        ),
        ("https://tv.naver.com/v/12345678", 83, "https://tv.naver.com/v/12345678#t=83"),
        ("https://example.org/clip#part", 83, "https://example.org/clip#part"),
        (CLIP, None, CLIP),
        (CLIP, 0, CLIP),
    ],
)
def test_the_deep_link_is_the_site_s_own_form(url: str, start: int | None, link: str) -> None:
    from scenecat.domain.moments import deep_link

    assert deep_link(url, start) == link
