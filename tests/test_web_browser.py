"""The site in a real browser: headless Chromium loads each page type from a running
`scenecat serve`, and each screenshot is checked (not blank) together with the page's DOM
(the expected text is there, hostile text is not markup).

Screenshots are kept under test-output/browser/ (gitignored; SCENECAT_TEST_OUTPUT moves it).
Without Chromium these tests skip on a developer machine, and fail in CI (CI=true), where
.ci/run installs the Debian package `chromium`.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import tempfile
import zlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.web_support import (
    DB_NAME,
    HOSTILE_KEY,
    ROOFTOP_KEY,
    YOUTUBE_ID,
    build_catalogue,
    cli_json,
    scene_id,
    served,
)

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = Path(os.environ.get("SCENECAT_TEST_OUTPUT", ROOT / "test-output")) / "browser"
# Flags that keep a headless Chromium from reaching for the network (there is none here:
# without them it stalls on updates, sync and QUIC probes).
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--window-size=1280,1400",
)


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


@pytest.fixture(scope="module")
def chromium() -> str:
    return require_chromium()


def require_chromium() -> str:
    found = find_chromium()
    if found is None:
        if in_ci():
            pytest.fail("CI=true but Chromium is missing: .ci/run installs the `chromium` package")
        pytest.skip("Chromium is not installed (apt-get install chromium); CI runs these")
    return found


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    db = build_catalogue(tmp_path_factory.mktemp("browser"))
    with served(db) as base:
        yield base, db


def browse(chromium: str, url: str, name: str) -> tuple[Path, str]:
    """Load `url`; returns the screenshot's path and the DOM after scripts ran."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    shot = OUTPUT / f"{name}.png"
    shot.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="scenecat-chromium-") as profile:
        proc = subprocess.run(
            [
                chromium,
                *FLAGS,
                f"--user-data-dir={profile}",
                f"--screenshot={shot}",
                "--dump-dom",
                url,
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert shot.is_file(), proc.stderr[-2000:]
    return shot, proc.stdout


def png_pixels(path: Path, rows_read: int = 700) -> tuple[int, int, list[bytes]]:
    """Width, height and a sample of the pixels (RGB) of the top `rows_read` rows of an
    8-bit, non-interlaced PNG (where every page has its content)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    width = height = channels = 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and interlace == 0 and colour in (2, 6), (depth, colour, interlace)
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows: list[bytearray] = []
    prev = bytearray(stride)
    for y in range(min(height, rows_read)):
        line = raw[y * (stride + 1) : (y + 1) * (stride + 1)]
        kind, cur = line[0], bytearray(line[1:])
        for i in range(stride):
            left = cur[i - channels] if i >= channels else 0
            up = prev[i]
            corner = prev[i - channels] if i >= channels else 0
            if kind == 1:
                cur[i] = (cur[i] + left) & 0xFF
            elif kind == 2:
                cur[i] = (cur[i] + up) & 0xFF
            elif kind == 3:
                cur[i] = (cur[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                pred = left if pa <= pb and pa <= pc else (up if pb <= pc else corner)
                cur[i] = (cur[i] + pred) & 0xFF
        rows.append(cur)
        prev = cur
    pixels = [bytes(row[i : i + 3]) for row in rows[::4] for i in range(0, stride, channels * 4)]
    return width, height, pixels


def assert_not_blank(path: Path) -> None:
    width, height, pixels = png_pixels(path)
    assert (width, height) == (1280, 1400)
    colours = Counter(pixels)
    _, count = colours.most_common(1)[0]
    ink = 1 - count / len(pixels)
    # A page of text on a plain background: a few percent of the pixels differ from it, in
    # many shades (anti-aliased glyphs); a blank or error-free white page has neither.
    assert ink > 0.01, f"{path.name}: only {ink:.2%} of the page differs from the background"
    assert len(colours) > 20, f"{path.name}: {len(colours)} colours"


def page_url(base: str, path: str) -> str:
    return f"{base}/{DB_NAME}{path}"


def test_home_page(chromium: str, server: tuple[str, Path]) -> None:
    base, _ = server
    shot, dom = browse(chromium, base + "/", "home")
    assert_not_blank(shot)
    assert "Best kiss scene per drama" in dom and 'action="/web/-/scenes"' in dom


def test_scene_table(chromium: str, server: tuple[str, Path]) -> None:
    base, _ = server
    shot, dom = browse(chromium, page_url(base, "/scene"), "scene-table")
    assert_not_blank(shot)
    assert "Scenes" in dom and 'name="_search"' in dom
    assert "Melting Me Softly" in dom
    assert '<details class="scenecat-spoiler"><summary' in dom  # folded, not open


def test_search_with_results(chromium: str, server: tuple[str, Path]) -> None:
    base, _ = server
    shot, dom = browse(chromium, page_url(base, "/scene?_search=rooftop+kiss"), "search")
    assert_not_blank(shot)
    assert "The rooftop kiss on video" in dom
    # and the Healer kiss whose location is "a rooftop" (locations are searchable)
    assert "The kiss in the snow" in dom
    assert "2 rows" in dom and "rooftop kiss" in dom


def test_hangul_search(chromium: str, server: tuple[str, Path]) -> None:
    base, _ = server
    shot, dom = browse(chromium, page_url(base, f"/scene?_search={quote('녹여')}"), "search-hangul")
    assert_not_blank(shot)
    assert "The shower kiss" in dom and "The frozen-human pitch" in dom
    assert "8 rows" in dom


def test_canned_query(chromium: str, server: tuple[str, Path]) -> None:
    base, db = server
    url = page_url(base, "/best_per_drama?actor=Ji+Chang+Wook&kind=kiss")
    shot, dom = browse(chromium, url, "best-per-drama")
    assert_not_blank(shot)
    assert "Best scene per drama" in dom
    cli = cli_json(db, "rank", "--actor", "Ji Chang Wook", "--kind", "kiss", "--by", "drama")
    for entry in cli["data"]:  # each drama's best scene, with rank's score
        assert entry["title"] in dom and f"{entry['score']:.2f}" in dom
    # The shower kiss's catalogue score, 8.031749 (worked in tests/test_piped_output.py); the
    # two scenes the web fixture adds have no votes or duels, so they change no other score.
    assert "The shower kiss" in dom and "8.03" in dom


def test_scene_page(chromium: str, server: tuple[str, Path]) -> None:
    base, db = server
    shot, dom = browse(
        chromium, page_url(base, f"/scene/{scene_id(db, ROOFTOP_KEY)}"), "scene-page"
    )
    assert_not_blank(shot)
    assert "<h1" in dom and "The rooftop kiss on video" in dom
    assert "Clips and sources" in dom
    assert f"https://i.ytimg.com/vi/{YOUTUBE_ID}/hqdefault.jpg" in dom


def test_hostile_scene_page(chromium: str, server: tuple[str, Path]) -> None:
    base, db = server
    shot, dom = browse(
        chromium, page_url(base, f"/scene/{scene_id(db, HOSTILE_KEY)}"), "scene-hostile"
    )
    assert_not_blank(shot)
    # In the DOM after the page ran, the catalogue's markup is text, never elements.
    assert "<script>alert(" not in dom and '<img src="x"' not in dom and "<b>JTBC" not in dom
    assert "&lt;img src=x onerror=alert('title')&gt; **bold** kiss" in dom
    assert "Ending spoiler: click to reveal" in dom


def test_without_chromium_skip_locally_fail_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    import tests.test_web_browser as this

    monkeypatch.setattr(this, "find_chromium", lambda: None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true but Chromium is missing"):
        this.require_chromium()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        this.require_chromium()


# A scene's moment in its clip (issue 24): the privacy-enhanced player from the moment's
# start, behind the clip's thumbnail.


@pytest.fixture(scope="module")
def moment_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    from tests.conftest import run_process

    db = build_catalogue(tmp_path_factory.mktemp("browser-moment"))
    edit = run_process(
        "--db", str(db), "edit", "scene", ROOFTOP_KEY, "--clip-start", "1:23", "--clip-end", "1:41"
    )
    assert edit.exit_code == 0, edit.stderr
    with served(db) as base:
        yield base, db


def test_done_when_the_scene_page_plays_the_moment(
    chromium: str, moment_server: tuple[str, Path]
) -> None:
    import html

    base, db = moment_server
    shot, dom = browse(
        chromium, page_url(base, f"/scene/{scene_id(db, ROOFTOP_KEY)}"), "scene-moment"
    )
    assert_not_blank(shot)
    embed = f"https://www.youtube-nocookie.com/embed/{YOUTUBE_ID}?start=83&amp;end=101"
    assert f'<iframe class="scenecat-embed" src="{embed}"' in dom
    # Until it is played, the frame shows the thumbnail, linked to the player (autoplay).
    (srcdoc,) = [html.unescape(part.split('"', 1)[0]) for part in dom.split('srcdoc="')[1:]]
    assert f'<img src="https://i.ytimg.com/vi/{YOUTUBE_ID}/hqdefault.jpg" alt="">' in srcdoc
    assert f'href="{embed}&amp;autoplay=1"' in srcdoc
    assert "&#9654; 1:23-1:41" in srcdoc
    # The clip's own link plays from the moment; the page says where the scene is.
    assert f'href="https://www.youtube.com/watch?v={YOUTUBE_ID}&amp;t=83s"' in dom
    assert "the scene: 1:23-1:41" in dom
    # Nothing else of YouTube is loaded with the page: no www.youtube.com player.
    assert "www.youtube.com/embed" not in dom
