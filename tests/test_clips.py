"""Scenes and view counts from clips (issue 15): add-scene --clip/--clip-json, guessing drama
and episode from a clip title, views refresh. Recorded `yt-dlp -J` output only; no network."""

from __future__ import annotations

import json
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from tests.conftest import Run, dump, run_on_terminal, run_process
from tests.sources_helpers import FIXTURES, fixture, no_network, offline_env

__all__ = ["no_network"]

MMS_FILE = str(FIXTURES / "tmdb-tv-melting-me-softly.json")
E10 = str(FIXTURES / "ytdlp-melting-me-softly-e10.json")
LATER = str(FIXTURES / "views-later")
E10_URL = "https://www.youtube.com/watch?v=mmsE10kiss1"


def scene(cli: Callable[..., Run], key: str) -> dict[str, Any]:
    result = cli("show", "scene", key, "--json")
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)["data"]
    return data


@pytest.mark.slow
def test_done_when_the_e10_clip_becomes_a_scene_and_trends(db: Path, tmp_path: Path) -> None:
    env = {**offline_env(tmp_path), "SCENECAT_DB": str(db)}
    added = run_process("add-drama", "Melting Me Softly", "--from-file", MMS_FILE, env=env)
    assert added.exit_code == 0, added.stderr
    result = run_process(
        "add-scene", "--clip-json", E10, "--kind", "kiss", "--title", "The shower kiss",
        "--actor", "Ji Chang-wook", "--actor", "Won Jin-ah", env=env,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "drama 'Melting Me Softly' named in the clip title" in result.stderr
    assert "episode 10 named in the clip title" in result.stderr
    key = "melting-me-softly-e10-the-shower-kiss"
    shown = json.loads(run_process("show", "scene", key, "--json", env=env).stdout)["data"]
    assert (shown["drama"], shown["episode"]) == ("Melting Me Softly", 10)
    assert shown["views"] == [{"count": 1_000_512, "on": "2019-11-05", "source": E10_URL}]
    assert shown["sources"] == [
        {
            "url": E10_URL,
            "title": "[#날녹여주오] 지창욱X원진아, 샤워 중 기습 키스?! | Melting Me Softly EP.10",
            "publisher": "tvN DRAMA",
            "kind": "official-clip",  # the channel is the drama's network's
            "published": "2019-10-27",
            "start": None,  # the scene's moment in the clip: none given, none offered
            "end": None,
        }
    ]
    refreshed = run_process("views", "refresh", "--from-json", LATER, env=env)
    assert refreshed.exit_code == 0, refreshed.stderr
    assert refreshed.stderr.splitlines()[-1] == "1 refreshed, 0 unchanged, 0 failed"
    trending = run_process("trending", "--today", "2019-11-13", "--days", "30", "--json", env=env)
    entries = json.loads(trending.stdout)["data"]
    assert [(e["key"], e["gained"]) for e in entries] == [(key, 1_250_300 - 1_000_512)]
    again = run_process("views", "refresh", "--from-json", LATER, env=env)
    assert again.stderr.splitlines()[-1] == "0 refreshed, 1 unchanged, 0 failed"


def test_a_date_stamp_finds_the_episode_by_air_date(
    cli: Callable[..., Run], sample_db: Path
) -> None:
    result = cli(
        "add-scene", "--clip-json", str(FIXTURES / "ytdlp-dated-only.json"),
        "--kind", "confession", "--title", "Dong Chan's confession by clip", "--actor", "Ji Chang Wook",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "191027 방송 is the air date of episode 10" in result.stderr
    shown = scene(cli, "melting-me-softly-e10-dong-chan-s-confession-by-clip")
    assert shown["episode"] == 10


def test_a_clip_title_naming_no_drama_is_left_to_the_user(
    cli: Callable[..., Run], sample_db: Path
) -> None:
    path = str(FIXTURES / "ytdlp-no-drama.json")
    before = dump(sample_db)
    result = cli(
        "add-scene",
        "--clip-json",
        path,
        "--kind",
        "kiss",
        "--title",
        "X",
        "--actor",
        "Ji Chang Wook",
    )
    assert result.exit_code == 2
    assert "the clip title names no drama in the catalogue" in result.stderr
    assert "missing --drama (no terminal to ask on)" in result.stderr
    assert dump(sample_db) == before
    # Named by the user, the clip still gives views and source.
    given = cli(
        "add-scene", "--clip-json", path, "--drama", "Goblin", "--episode", "1", "--kind", "kiss",
        "--title", "Weekly best", "--actor", "Gong Yoo",
    )  # fmt: skip
    assert given.exit_code == 0, given.stderr
    shown = scene(cli, "goblin-e1-weekly-best")
    assert shown["views"][0]["count"] == 90_000
    assert shown["sources"][0]["publisher"] == "tvN DRAMA"


def test_flags_win_over_the_guess(cli: Callable[..., Run], sample_db: Path) -> None:
    result = cli(
        "add-scene", "--clip-json", E10, "--episode", "9", "--kind", "hug", "--title", "By flag",
        "--actor", "Ji Chang Wook",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert scene(cli, "melting-me-softly-e9-by-flag")["episode"] == 9


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "not valid JSON"),
        ('{"title": "x"}', "yt-dlp -J output without a webpage_url"),
        ('{"webpage_url": "https://youtu.be/abcdefghijk"}', "yt-dlp -J output without a title"),
    ],
)
def test_a_bad_clip_file_changes_nothing(
    cli: Callable[..., Run], sample_db: Path, tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "clip.json"
    path.write_text(content)
    before = dump(sample_db)
    result = cli(
        "add-scene",
        "--clip-json",
        str(path),
        "--kind",
        "kiss",
        "--title",
        "t",
        "--actor",
        "Hyun Bin",
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and message in result.stderr
    assert dump(sample_db) == before


def test_clip_url_without_yt_dlp_says_what_to_install(
    cli: Callable[..., Run], sample_db: Path, no_network: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "yt_dlp", None)  # as if not installed
    before = dump(sample_db)
    result = cli(
        "add-scene", "--clip", E10_URL, "--kind", "kiss", "--title", "t", "--actor", "Hyun Bin"
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: reading a clip needs yt-dlp, which is not installed")
    assert "pip install 'scenecat[clips]'" in result.stderr
    assert dump(sample_db) == before


def _fake_yt_dlp(info: dict[str, Any], calls: list[Any]) -> types.ModuleType:
    """yt-dlp's Python API as scenecat uses it: YoutubeDL(options) as a context manager,
    extract_info(url, download=False), sanitize_info(info); errors as utils.DownloadError."""
    module = types.ModuleType("yt_dlp")

    class DownloadError(Exception):
        pass

    class YoutubeDL:
        def __init__(self, options: dict[str, Any]) -> None:
            calls.append(("options", options))

        def __enter__(self) -> YoutubeDL:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

        def extract_info(self, url: str, download: bool = True) -> dict[str, Any]:
            calls.append(("extract_info", url, download))
            if "private" in url:
                raise DownloadError("ERROR: [youtube] private00001: Private video")
            return dict(info)

        @staticmethod
        def sanitize_info(value: dict[str, Any]) -> dict[str, Any]:
            return value

    module.YoutubeDL = YoutubeDL  # type: ignore[attr-defined]
    module.utils = types.SimpleNamespace(DownloadError=DownloadError)  # type: ignore[attr-defined]
    return module


def test_clip_url_reads_the_clip_with_yt_dlp_without_downloading(
    cli: Callable[..., Run], sample_db: Path, no_network: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[Any] = []
    monkeypatch.setitem(
        sys.modules, "yt_dlp", _fake_yt_dlp(fixture("ytdlp-melting-me-softly-e10.json"), calls)
    )
    result = cli(
        "add-scene", "--clip", E10_URL, "--kind", "kiss", "--title", "From the URL",
        "--actor", "Ji Chang Wook",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert calls[0][0] == "options" and calls[0][1]["skip_download"] is True
    assert calls[1] == ("extract_info", E10_URL, False)
    shown = scene(cli, "melting-me-softly-e10-from-the-url")
    assert shown["views"][0]["count"] == 1_000_512
    failed = cli(
        "add-scene",
        "--clip",
        "https://www.youtube.com/watch?v=private00001",
        "--kind",
        "kiss",
        "--title",
        "t",
        "--actor",
        "Hyun Bin",
    )
    assert failed.exit_code == 1
    assert failed.stderr.startswith(
        "Error: cannot read the clip: [youtube] private00001: Private video"
    )


def test_clip_url_through_the_youtube_data_api_when_a_key_is_set(
    cli: Callable[..., Run], sample_db: Path, no_network: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("YOUTUBE_API_KEY", "yt-key")
    # videos.list with part=snippet,statistics,contentDetails, as documented.
    answer = {
        "kind": "youtube#videoListResponse",
        "etag": "x",
        "items": [
            {
                "kind": "youtube#video",
                "etag": "y",
                "id": "mmsE10kiss1",
                "snippet": {
                    "publishedAt": "2019-10-27T13:00:03Z",
                    "channelId": "UCkinYTS9IHqOEwR1Sze2JTw",
                    "title": "[#날녹여주오] 지창욱X원진아, 샤워 중 기습 키스?! | Melting Me Softly EP.10",
                    "description": "",
                    "channelTitle": "tvN DRAMA",
                    "tags": ["날녹여주오"],
                    "categoryId": "24",
                    "liveBroadcastContent": "none",
                },
                "contentDetails": {"duration": "PT2M31S", "dimension": "2d", "definition": "hd"},
                "statistics": {
                    "viewCount": "1000512",
                    "likeCount": "15000",
                    "favoriteCount": "0",
                    "commentCount": "1200",
                },
            }
        ],
        "pageInfo": {"totalResults": 1, "resultsPerPage": 1},
    }
    with respx.mock(assert_all_called=False) as mock:
        route = mock.get(host="www.googleapis.com", path="/youtube/v3/videos").respond(json=answer)
        result = cli(
            "add-scene", "--clip", "https://youtu.be/mmsE10kiss1", "--kind", "kiss",
            "--title", "From the API", "--actor", "Ji Chang Wook",
        )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    params = route.calls.last.request.url.params
    assert (params["id"], params["key"], params["part"]) == (
        "mmsE10kiss1",
        "yt-key",
        "snippet,statistics,contentDetails",
    )
    assert "2:31" in result.stderr
    shown = scene(cli, "melting-me-softly-e10-from-the-api")
    assert shown["views"][0]["count"] == 1_000_512
    assert shown["sources"][0]["published"] == "2019-10-27"


def test_views_refresh_reports_a_failure_and_goes_on(
    cli: Callable[..., Run], sample_db: Path, tmp_path: Path
) -> None:
    for title, clip in (
        ("First clip", E10),
        ("Second clip", str(FIXTURES / "ytdlp-dated-only.json")),
    ):
        assert (
            cli(
                "add-scene",
                "--clip-json",
                clip,
                "--kind",
                "clip-test",
                "--new-kind",
                "--title",
                title,
                "--actor",
                "Ji Chang Wook",
            ).exit_code
            == 0
        )
    result = cli("views", "refresh", "--kind", "clip-test", "--from-json", LATER)
    assert result.exit_code == 0
    lines = result.stderr.splitlines()
    assert any(
        "melting-me-softly-e10-second-clip: no saved `yt-dlp -J` file for https://www.youtube.com/watch?v=mmsDateOnly"
        in line
        for line in lines
    )
    assert lines[-1] == "1 refreshed, 0 unchanged, 1 failed"
    # --older-than leaves out clips counted recently (the saved counts are from 2019, so
    # nothing is recent); a scope that holds no clip says so.
    assert cli(
        "views", "refresh", "--kind", "no-such-kind", "--from-json", LATER
    ).stderr.startswith("No clip links in scope")
    recent = cli(
        "views", "refresh", "--kind", "clip-test", "--older-than", "99999d", "--from-json", LATER
    )
    assert recent.stderr.startswith("No clip links in scope")


def test_views_refresh_usage_errors(
    cli: Callable[..., Run], sample_db: Path, tmp_path: Path
) -> None:
    bad = cli("views", "refresh", "--older-than", "soon")
    assert bad.exit_code == 2 and "'soon' is not a number of days" in bad.stderr
    missing = cli("views", "refresh", "--from-json", str(tmp_path / "nope"))
    assert missing.exit_code in (1, 2)
    # `views SCENE COUNT` is unchanged by the subcommand.
    assert (
        cli("views", "melting-me-softly-e10-shower-kiss", "1900000", "--on", "2020-02-01").exit_code
        == 0
    )


def test_views_refresh_through_the_network_path(
    cli: Callable[..., Run], sample_db: Path, no_network: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert (
        cli(
            "add-scene",
            "--clip-json",
            E10,
            "--kind",
            "clip-test",
            "--new-kind",
            "--title",
            "Net",
            "--actor",
            "Ji Chang Wook",
        ).exit_code
        == 0
    )
    calls: list[Any] = []
    later = fixture("views-later/mmsE10kiss1.json")
    monkeypatch.setitem(sys.modules, "yt_dlp", _fake_yt_dlp(later, calls))
    result = cli("views", "refresh", "--drama", "Melting Me Softly", "--kind", "clip-test")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[-1] == "1 refreshed, 0 unchanged, 0 failed"
    counts = [v["count"] for v in scene(cli, "melting-me-softly-e10-net")["views"]]
    assert counts == [1_000_512, 1_250_300]


@pytest.mark.slow
def test_the_guess_is_confirmed_on_a_terminal(db: Path, tmp_path: Path) -> None:
    env = {**offline_env(tmp_path), "SCENECAT_DB": str(db), "COLUMNS": "80", "LINES": "24"}
    assert (
        run_process("add-drama", "Melting Me Softly", "--from-file", MMS_FILE, env=env).exit_code
        == 0
    )
    code, screen = run_on_terminal(
        ["add-scene", "--clip-json", E10, "--kind", "kiss", "--actor", "Ji Chang Wook"],
        [(b"Right?", b"y\n"), (b"Title", b"Terminal kiss\n"), (b"Spoiler level", b"\n")],
        env,
    )
    assert code == 0, screen
    assert "Guess: Melting Me Softly, episode 10. Right? [Y/n]" in screen
    assert "Added scene melting-me-softly-e10-terminal-kiss" in screen
    # Said no: the drama is asked for instead of guessed.
    code, screen = run_on_terminal(
        ["add-scene", "--clip-json", E10, "--kind", "kiss", "--actor", "Ji Chang Wook"],
        [
            (b"Right?", b"n\n"),
            (b"Drama", b"Melting Me Softly\n"),
            (b"Episode", b"11\n"),
            (b"Title", b"Other\n"),
            (b"Spoiler level", b"\n"),
        ],
        env,
    )
    assert code == 0, screen
    assert "Added scene melting-me-softly-e11-other" in screen


# The guesser on its own: what it must never do is guess wrong.


def _names(*rows: tuple[int, str, tuple[str, ...], dict[str, int]]) -> list[Any]:
    from scenecat.sources.videos import DramaNames

    return [DramaNames(i, title, names, aired, 16) for i, title, names, aired in rows]


@pytest.mark.parametrize(
    ("title", "drama", "episode"),
    [
        ("[#날녹여주오] 키스 | Melting Me Softly EP.10", "Melting Me Softly", 10),
        ("날 녹여주오 10화 하이라이트", "Melting Me Softly", 10),
        ("melting-me-softly e7 kiss", "Melting Me Softly", 7),
        ("[도깨비] 12회 | tvN 161231 방송", "Goblin", None),  # 12 and the air date of 11 disagree
        ("Melting Me Softly x Goblin: best kisses", None, None),  # two dramas: not guessed
        ("Healers of Seoul EP.3", None, None),  # a word containing a title is not it
        ("Weekly best scenes EP.3", None, None),
    ],
)
def test_guess(title: str, drama: str | None, episode: int | None) -> None:
    from scenecat.sources.videos import ClipInfo, guess

    dramas = _names(
        (1, "Melting Me Softly", ("Melting Me Softly", "날 녹여주오"), {"2019-10-27": 10}),
        (2, "Goblin", ("Goblin", "도깨비"), {"2016-12-31": 11}),
        (3, "Healer", ("Healer", "힐러"), {}),
    )
    found = guess(ClipInfo(url="https://youtu.be/x", title=title), dramas)
    assert (found.drama.title if found.drama else None, found.episode) == (drama, episode)


def test_retry_after_as_an_http_date() -> None:
    import email.utils
    import time

    from scenecat.sources.http import retry_after

    soon = email.utils.formatdate(time.time() + 5, usegmt=True)
    wait = retry_after(soon, 0)
    assert wait is not None and 3 <= wait <= 6
    assert retry_after("garbage", 1) == 2.0
    assert retry_after(None, 2) == 4.0
    assert retry_after("120", 0) is None


def test_a_503_answer_then_success_on_wikidata(
    cli: Callable[..., Run], no_network: list[float]
) -> None:
    with respx.mock(assert_all_called=False) as mock:
        api = mock.get(host="www.wikidata.org", path="/w/api.php")
        api.side_effect = [
            httpx.Response(503, headers={"Retry-After": "1"}),
            httpx.Response(200, json={"searchinfo": {"search": "x"}, "search": [], "success": 1}),
        ]
        result = cli("lookup", "drama", "Nothing", "--source", "wikidata")
    assert result.exit_code == 0, result.stderr
    assert no_network == [1.0]
    assert "wikidata has no drama matching 'Nothing'" in result.stderr


def test_views_refresh_skips_a_scene_removed_while_its_clip_was_read(
    cli: Callable[..., Run], sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Clips are read without the write lock; a scene removed meanwhile (by another process)
    is found inside the write and skipped, not written to nor a crash."""
    from scenecat.domain import clip_scenes as domain_clips

    added = cli(
        "add-scene", "--clip-json", E10, "--kind", "clip-test", "--new-kind", "--title", "Gone soon",
        "--actor", "Ji Chang Wook",
    )  # fmt: skip
    assert added.exit_code == 0, added.stderr
    read = domain_clips.clip_links

    def read_then_remove(*args: Any) -> Any:
        links = read(*args)
        gone = run_process(
            "--db", str(sample_db), "remove", "scene", "melting-me-softly-e10-gone-soon", "--yes"
        )  # another process, while the clips are being read
        assert gone.exit_code == 0, gone.stderr
        return links

    monkeypatch.setattr(domain_clips, "clip_links", read_then_remove)
    result = cli("views", "refresh", "--kind", "clip-test", "--from-json", LATER)
    assert result.exit_code == 0, result.stderr
    assert "removed while its clip was read; nothing recorded" in result.stderr
    assert result.stderr.splitlines()[-1] == "0 refreshed, 0 unchanged, 1 failed"
    assert cli("db", "check").exit_code == 0


def test_views_read_from_a_clip_are_named_by_its_channel(
    cli: Callable[..., Run], sample_db: Path
) -> None:
    # Stored under the clip's URL (one series per upload: views refresh and trending follow
    # it); read as the channel that published the clip wherever a person reads them.
    added = cli(
        "add-scene", "--clip-json", E10, "--kind", "kiss", "--title", "Clip-read kiss",
        "--actor", "Ji Chang Wook",
    )  # fmt: skip
    assert added.exit_code == 0, added.stderr
    key = "melting-me-softly-e10-clip-read-kiss"
    assert scene(cli, key)["views"] == [{"count": 1_000_512, "on": "2019-11-05", "source": E10_URL}]
    shown = cli("show", "scene", key)
    assert "1,000,512 (tvN DRAMA, 2019-11-05)" in shown.stdout
    assert "2019-11-05\ttvN DRAMA\t1,000,512" in shown.stdout  # the View counts table
    why = cli("rank", "--why", key)
    assert "the latest view count is 1,000,512 (tvN DRAMA, 2019-11-05)" in why.stdout
    article = cli("export", "markdown", "--drama", "Melting Me Softly", "--kind", "kiss")
    assert "**Views:** 1,000,512 on tvN DRAMA (seen 2019-11-05)" in article.stdout
    assert f"on {E10_URL}" not in article.stdout
