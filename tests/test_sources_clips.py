"""Clips as yt-dlp documents them (issue 24): the upload day in the broadcaster's zone,
metadata-only reads, links matched by site and video id, one line when offline, and the
`clips` extra's requirements.

Recorded `yt-dlp -J` output (tests/fixtures/sources/README.md); a stand-in for yt-dlp's
Python API where a clip is read "over the network"; nothing reaches the internet.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, Run, dump, run_process
from tests.sources_helpers import FIXTURES, fixture, no_network, offline_env

__all__ = ["no_network"]

LATER = str(FIXTURES / "views-later")
EARLY = str(FIXTURES / "ytdlp-kst-early-upload.json")


def data(result: Run) -> Any:
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["data"]


# The upload day


def test_done_when_a_kst_0200_upload_gets_the_korean_date(
    cli: Callable[..., Run], sample_db: Path
) -> None:
    # timestamp 2019-10-27T17:00Z = 2019-10-28 02:00 KST; upload_date (UTC) says the 27th.
    assert fixture("ytdlp-kst-early-upload.json")["upload_date"] == "20191027"
    result = cli(
        "add-scene", "--clip-json", EARLY, "--kind", "behind-the-scenes", "--new-kind",
        "--title", "Making of the shower kiss", "--actor", "Ji Chang Wook",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "uploaded 2019-10-28" in result.stderr
    shown = data(cli("show", "scene", "melting-me-softly-e10-making-of-the-shower-kiss", "--json"))
    assert shown["sources"][0]["published"] == "2019-10-28"


@pytest.mark.parametrize(
    ("country", "title", "day"),
    [
        ("South Korea", "Melting Me Softly EP.10", "2019-10-28"),
        ("Japan", "Midnight Diner", "2019-10-28"),
        ("Taiwan", "Someday or One Day", "2019-10-28"),  # 01:00 in UTC+8
        (None, "[날녹여주오] 메이킹", "2019-10-28"),  # no drama known, a Hangul title
        (None, "Weekly best scenes", "2019-10-27"),  # nothing known: yt-dlp's UTC day
        ("USA", "Weekly best scenes", "2019-10-27"),
    ],
)
def test_the_upload_day_is_the_broadcasters(country: str | None, title: str, day: str) -> None:
    from scenecat.sources.videos import ClipInfo

    clip = ClipInfo(
        url="https://youtu.be/x",
        title=title,
        uploaded="2019-10-27",
        timestamp=dt.datetime(2019, 10, 27, 17, tzinfo=dt.timezone.utc).timestamp(),
    )
    assert clip.upload_day(country) == day


def test_the_youtube_api_time_gives_the_korean_day_too(
    cli: Callable[..., Run], sample_db: Path
) -> None:
    from scenecat.sources.videos import from_youtube_api

    item = {
        "id": "mmsE10dawn1",
        "snippet": {"publishedAt": "2019-10-27T17:00:00Z", "title": "날 녹여주오 EP.10 메이킹"},
        "statistics": {"viewCount": "10"},
        "contentDetails": {"duration": "PT1M"},
    }
    clip = from_youtube_api(item, "2019-11-01")
    assert (clip.uploaded, clip.upload_day("South Korea")) == ("2019-10-27", "2019-10-28")
    assert clip.identities() == {("youtube", "mmsE10dawn1")}


# Reading a clip: metadata only, yt-dlp quiet, offline in one line


def _yt_dlp(answers: dict[str, Any], calls: list[Any]) -> dict[str, types.ModuleType]:
    """yt-dlp's Python API as scenecat uses it, with its networking exceptions: an answer
    per video id, or the exception to raise."""
    module = types.ModuleType("yt_dlp")
    networking = types.ModuleType("yt_dlp.networking")
    exceptions = types.ModuleType("yt_dlp.networking.exceptions")

    class TransportError(Exception):
        pass

    class DownloadError(Exception):
        def __init__(self, msg: str, exc_info: Any = None) -> None:
            super().__init__(msg)
            self.exc_info = exc_info

    class YoutubeDL:
        def __init__(self, options: dict[str, Any]) -> None:
            calls.append(("options", options))

        def __enter__(self) -> YoutubeDL:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

        def extract_info(self, url: str, download: bool = True) -> dict[str, Any]:
            calls.append(("extract_info", url))
            video = url.rsplit("=", 1)[-1].rsplit("/", 1)[-1].split("?")[0]
            answer = answers.get(video, "offline")
            if answer == "offline":
                cause = TransportError("[Errno 111] Connection refused")
                raise DownloadError(
                    f"ERROR: [youtube] {video}: Unable to download API page: [Errno 111] "
                    "Connection refused (caused by TransportError('[Errno 111] Connection "
                    "refused'))",
                    (TransportError, cause, None),
                )
            if answer == "private":
                raise DownloadError(f"ERROR: [youtube] {video}: Private video")
            return dict(answer)

        @staticmethod
        def sanitize_info(value: dict[str, Any]) -> dict[str, Any]:
            return value

    exceptions.TransportError = TransportError  # type: ignore[attr-defined]
    networking.exceptions = exceptions  # type: ignore[attr-defined]
    module.networking = networking  # type: ignore[attr-defined]
    module.YoutubeDL = YoutubeDL  # type: ignore[attr-defined]
    module.utils = types.SimpleNamespace(DownloadError=DownloadError)  # type: ignore[attr-defined]
    return {
        "yt_dlp": module,
        "yt_dlp.networking": networking,
        "yt_dlp.networking.exceptions": exceptions,
    }


def _clip_scenes(cli: Callable[..., Run], tmp_path: Path, urls: list[str]) -> list[str]:
    """Scenes of the sample's Melting Me Softly, one per clip link as stored."""
    lines = ["format: scenecat/1", "scenes:"]
    keys = []
    for i, url in enumerate(urls):
        key = f"melting-me-softly-e10-clip-{i}"
        keys.append(key)
        lines += [
            f"  - key: {key}",
            "    drama: Melting Me Softly",
            "    episode: 10",
            "    kind: clip-test",
            f"    title: Clip {i}",
            "    actors: [Ji Chang Wook]",
            f'    sources: [{{url: "{url}", kind: official-clip}}]',
        ]
    path = tmp_path / "clips.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = cli("import", str(path))
    assert result.exit_code == 0, result.stderr
    return keys


def test_a_clip_is_read_for_its_metadata_only_and_quietly(
    cli: Callable[..., Run], sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[Any] = []
    later = fixture("views-later/mmsE10kiss1.json")
    for name, module in _yt_dlp({"mmsE10kiss1": later}, calls).items():
        monkeypatch.setitem(sys.modules, name, module)
    result = cli(
        "add-scene", "--clip", "https://youtu.be/mmsE10kiss1", "--kind", "clip-test", "--new-kind",
        "--title", "Read quietly", "--actor", "Ji Chang Wook",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    options = calls[0][1]
    assert options["skip_download"] is True and options["ignore_no_formats_error"] is True
    assert callable(getattr(options["logger"], "error", None))  # yt-dlp prints nothing itself


@pytest.mark.parametrize(
    "stored",
    [
        "https://youtu.be/mmsE10kiss1?t=83",
        "https://www.youtube.com/watch?v=mmsE10kiss1&t=83s",
        "https://m.youtube.com/watch?feature=share&v=mmsE10kiss1",
        "https://youtube.com/shorts/mmsShorts01?feature=share",
    ],
)
def test_done_when_views_refresh_finds_a_clip_however_its_link_is_written(
    cli: Callable[..., Run], sample_db: Path, tmp_path: Path, stored: str
) -> None:
    (key,) = _clip_scenes(cli, tmp_path, [stored])
    result = cli("views", "refresh", "--kind", "clip-test", "--from-json", LATER)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[-1] == "1 refreshed, 0 unchanged, 0 failed"
    views = data(cli("show", "scene", key, "--json"))["views"]
    # The snapshot's source is the link as the scene stores it.
    assert [v["source"] for v in views] == [stored]
    assert views[0]["count"] in (1_250_300, 2_100_000)


def test_another_video_on_the_same_site_is_not_matched(
    cli: Callable[..., Run], sample_db: Path, tmp_path: Path
) -> None:
    _clip_scenes(cli, tmp_path, ["https://youtu.be/mmsE10kiss2?t=83"])
    result = cli("views", "refresh", "--kind", "clip-test", "--from-json", LATER)
    assert "no saved `yt-dlp -J` file for https://youtu.be/mmsE10kiss2?t=83" in result.stderr
    assert result.stderr.splitlines()[-1] == "0 refreshed, 0 unchanged, 1 failed"


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://www.youtube.com/watch?v=mmsE10kiss1", ("youtube", "mmsE10kiss1")),
        ("https://youtu.be/mmsE10kiss1?t=83", ("youtube", "mmsE10kiss1")),
        ("https://www.youtube.com/shorts/mmsE10kiss1", ("youtube", "mmsE10kiss1")),
        ("https://www.youtube.com/embed/mmsE10kiss1?start=83", ("youtube", "mmsE10kiss1")),
        ("https://www.youtube.com/live/mmsE10kiss1?si=abc", ("youtube", "mmsE10kiss1")),
        ("https://tv.naver.com/v/12345678", ("naver", "12345678")),
        ("https://m.tv.naver.com/v/12345678?t=10", ("naver", "12345678")),
        ("https://www.example.org/clips/a/?t=83#top", ("url", "example.org/clips/a")),
        ("http://example.org/clips/a?id=7&t=83", ("url", "example.org/clips/a?id=7")),
    ],
)
def test_clip_keys(url: str, key: tuple[str, str]) -> None:
    from scenecat.sources.videos import clip_key

    assert clip_key(url) == key


def test_offline_views_refresh_is_one_line_and_records_nothing(
    cli: Callable[..., Run], sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _clip_scenes(cli, tmp_path, [f"https://youtu.be/offline{i:04d}" for i in range(5)])
    calls: list[Any] = []
    for name, module in _yt_dlp({}, calls).items():
        monkeypatch.setitem(sys.modules, name, module)
    before = dump(sample_db)
    result = cli("views", "refresh", "--kind", "clip-test")
    assert result.exit_code == 1
    errors = result.stderr.splitlines()
    assert errors[0].startswith("Error: cannot reach the video site: [youtube] offline0000: ")
    assert errors[0].endswith("no view count was read (0 of 5 clips)")
    assert errors[1:] == [
        "hint: check the network connection, or read saved `yt-dlp -J URL` output "
        "(add-scene --clip-json FILE, views refresh --from-json DIR)"
    ]
    assert len([c for c in calls if c[0] == "extract_info"]) == 1  # it stopped at once
    assert dump(sample_db) == before


def test_losing_the_network_midway_keeps_what_was_read(
    cli: Callable[..., Run], sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    urls = [
        "https://youtu.be/mmsE10kiss1",
        "https://youtu.be/zzoffline01",
        "https://youtu.be/zzoffline02",
    ]
    keys = _clip_scenes(cli, tmp_path, urls)
    calls: list[Any] = []
    later = fixture("views-later/mmsE10kiss1.json")
    for name, module in _yt_dlp({"mmsE10kiss1": later}, calls).items():
        monkeypatch.setitem(sys.modules, name, module)
    result = cli("views", "refresh", "--kind", "clip-test")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[-2].startswith("warning: stopped: cannot reach the video site:")
    assert lines[-2].endswith("2 clips not read")
    assert lines[-1] == "1 refreshed, 0 unchanged, 0 failed"
    assert len(lines) == 2
    counts = [v["count"] for v in data(cli("show", "scene", keys[0], "--json"))["views"]]
    assert counts == [1_250_300]


@pytest.mark.slow
def test_offline_with_the_real_yt_dlp_in_a_real_process(sample_db: Path, tmp_path: Path) -> None:
    pytest.importorskip("yt_dlp")
    env = {**offline_env(tmp_path), "SCENECAT_DB": str(sample_db)}
    clips = tmp_path / "clips.yaml"
    clips.write_text(
        "format: scenecat/1\nscenes:\n"
        + "".join(
            f"  - {{key: melting-me-softly-e10-real-{i}, drama: Melting Me Softly, episode: 10, "
            f"kind: clip-test, title: Real {i}, actors: [Ji Chang Wook], "
            f'sources: [{{url: "https://youtu.be/realclip{i:03d}"}}]}}\n'
            for i in range(3)
        ),
        encoding="utf-8",
    )
    assert run_process("import", str(clips), env=env).exit_code == 0
    before = dump(sample_db)
    result = run_process("views", "refresh", "--kind", "clip-test", env=env)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 2, result.stderr  # the error and its hint, not a line per clip
    assert lines[0].startswith("Error: cannot reach the video site: ")
    assert lines[0].endswith("no view count was read (0 of 3 clips)")
    assert dump(sample_db) == before


# The extra


def test_the_clips_extra_and_the_python_it_needs_are_stated_alike() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    block = re.search(r"^clips = \[\n(.*?)^\]", pyproject, re.M | re.S)
    assert block, "pyproject.toml has no clips extra"
    (clips,) = re.findall(r'^\s*"([^"]+)",', block.group(1), re.M)
    # yt-dlp's `default` extras (yt-dlp-ejs and the rest) are what current YouTube needs.
    assert clips.startswith("yt-dlp[default]>=")
    needed = re.search(r"python_version >= '3\.(\d+)'", clips)
    assert needed, clips
    minor = needed.group(1)
    for doc in ("README.md", "docs/sources.md"):
        text = (ROOT / doc).read_text(encoding="utf-8")
        assert f"Python 3.{minor} or later" in text, doc
        assert not re.search(rf"Python 3\.(?!{minor}\b)\d+\+", text), doc
    from scenecat.sources import videos

    assert f"Python 3.{minor} or later" in videos.__doc__ + videos.NEEDS_PYTHON
