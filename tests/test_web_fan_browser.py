"""The fan pages in a real browser: headless Chromium loads each kind of page from a running
`scenecat serve`, on the sample catalogue and on a generated one (10,000 scenes; set
SCENECAT_WEB_SCENES=100k for a larger one), at 1280x900 and at a phone's 390 pixels, and
checks the DOM after the page ran: no raw id or foreign-key columns, no SQL, no table counts
on the home page, the score of a scene page equal to `rank --json`'s.

Screenshots are kept under test-output/browser/ (gitignored; SCENECAT_TEST_OUTPUT moves it),
named fan-SITE-PAGE-WIDTH.png. Without Chromium these tests skip, except under CI=true.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.conftest import run_process
from tests.test_web_browser import FLAGS, OUTPUT, png_pixels, require_chromium
from tests.test_web_pages import assert_fan_page
from tests.web_support import DB_NAME, build_catalogue, cli_json, served

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
SIZES = ((1280, 900), (390, 1600))
SCENES = os.environ.get("SCENECAT_WEB_SCENES", "10k")


@pytest.fixture(scope="module")
def chromium() -> str:
    return require_chromium()


def shoot(chromium: str, url: str, name: str, size: tuple[int, int]) -> str:
    """Load `url` at `size`; keep its screenshot; return the DOM after scripts ran."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    shot = OUTPUT / f"fan-{name}-{size[0]}.png"
    shot.unlink(missing_ok=True)
    flags = [f for f in FLAGS if not f.startswith("--window-size")]
    with tempfile.TemporaryDirectory(prefix="scenecat-chromium-") as profile:
        proc = subprocess.run(
            [chromium, *flags, f"--window-size={size[0]},{size[1]}",
             f"--user-data-dir={profile}", f"--screenshot={shot}", "--dump-dom", url],
            capture_output=True, text=True, timeout=180,
        )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    width, height, pixels = png_pixels(shot)
    assert (width, height) == size
    colours = Counter(pixels)
    ink = 1 - colours.most_common(1)[0][1] / len(pixels)
    assert ink > 0.01 and len(colours) > 20, f"{shot.name} looks blank"
    return proc.stdout


def check_pages(
    chromium: str, base: str, site: str, pages: dict[str, str], top: dict[str, object]
) -> None:
    """Each page at each size: a fan page's DOM; the home page without table counts; the
    scene page (of the catalogue's best scene, `top`: rank --json's first entry) showing
    rank's score."""
    for name, path in pages.items():
        for size in SIZES:
            dom = shoot(chromium, base + path, f"{site}-{name}", size)
            assert_fan_page(dom)
            # every page shows scene cards (a scene's page, the scene in full)
            assert 'class="sc-card"' in dom or (name == "scene" and "sc-score" in dom), name
            if name == "home":
                assert not re.search(r"[\d,]+ rows? in \d+ tables?", dom)
                assert "hidden table" not in dom and "Best kiss scene per drama" in dom
            if name == "scene":
                shown = re.search(
                    r'data-score="([^"]+)"[^>]*><span class="sc-score-figure">([^<]+)<', dom
                )
                assert shown is not None, dom[:2000]
                assert float(shown[1]) == top["score"]
                assert shown[2] == f"{top['score']:.2f}"


def page_set(db: Path, word: str, actor: str, drama: str) -> tuple[dict[str, str], dict]:
    """The pages of each kind, and rank --json's best scene (whose page is among them)."""
    top = cli_json(db, "rank", "--limit", "1")["data"][0]
    drama_id = cli_json(db, "show", "drama", drama)["data"]["id"]
    actor_id = cli_json(db, "show", "actor", actor)["data"]["id"]
    d = f"/{db.stem}"
    pages = {
        "home": "/",
        "search": f"{d}/-/scenes?q={quote(word)}",
        "scene": f"{d}/scene/{top['scene']['id']}",
        "drama": f"{d}/drama/{drama_id}",
        "actor": f"{d}/actor/{actor_id}",
        "best-per-drama": f"{d}/best_per_drama?actor=&kind=kiss",
        "best-scenes": f"{d}/best_scenes?actor=&kind=",
        "trending": f"{d}/trending?days=3650",
    }
    return pages, top


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    db = build_catalogue(tmp_path_factory.mktemp("fan-sample"))
    with served(db) as base:
        yield base, db


@pytest.fixture(scope="module")
def generated_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, dict]]:
    folder = tmp_path_factory.mktemp("fan-generated")
    source = folder / "generated.jsonl"
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate.py"), "--scenes", SCENES, "-o", str(source)],
        check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    db = folder / "generated.db"
    result = run_process("--db", str(db), "import", str(source))
    assert result.exit_code == 0, result.stderr
    meta = json.loads(Path(f"{source}.meta.json").read_text())
    with served(db) as base:
        yield base, db, meta


def test_sample_pages_in_a_browser(chromium: str, sample_site: tuple[str, Path]) -> None:
    base, db = sample_site
    pages, top = page_set(db, "kiss", "Ji Chang Wook", "Melting Me Softly")
    pages["search-hangul"] = f"/{DB_NAME}/-/scenes?q={quote('녹여')}"
    check_pages(chromium, base, "sample", pages, top)


def test_generated_catalogue_pages_in_a_browser(
    chromium: str, generated_site: tuple[str, Path, dict]
) -> None:
    base, db, meta = generated_site
    drama = cli_json(db, "list", "dramas", "--limit", "1")["data"][0]["title"]
    pages, top = page_set(db, meta["broad_word"], meta["busiest_actor"], drama)
    pages["search-typical"] = f"/{db.stem}/-/scenes?q={quote(meta['typical_word'])}"
    check_pages(chromium, base, f"generated-{SCENES}", pages, top)
