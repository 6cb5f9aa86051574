"""The public site in a real headless browser (Debian's chromium): pages render on a phone.

scripts/test installs chromium when it is missing and apt-get can run as root; anywhere else
this test is skipped with the reason. The phone-size screenshot of a statement page is kept in
tests/artifacts/ (git-ignored) for people to look at.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from selectolax.lexbor import LexborHTMLParser

from tests.site_support import build_seeded_site
from tests.statements_support import BROOKS_QUOTE, STATEMENT

ARTIFACTS = Path(__file__).parent / "artifacts"
PHONE = (412, 915)  # CSS pixels of a common Android phone, device scale 1
STATEMENT_PAGE = "statements/1-open-source-ai-is-more-dangerous-than-closed-source-ai.html"
PAGE_BACKGROUND = (0xFB, 0xFA, 0xF7)  # --bg in the light theme
VERIFIED_GREEN = (0x17, 0x66, 0x3A)  # the "AI Verified" badge
HEADER_RULE = (0xE3, 0xE0, 0xD8)  # --line, the rule under the header
TIMEOUT = 120


def _chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip(
        "chromium is not installed: scripts/test installs Debian's chromium when apt-get can run "
        "as root (apt-get install -y chromium); install it to run the browser test"
    )


def _run(chromium: str, profile: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    command = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        "--force-color-profile=srgb",
        "--blink-settings=preferredColorScheme=1",  # light theme, whatever the machine prefers
        f"--user-data-dir={profile}",
        *args,
    ]
    done = subprocess.run(command, capture_output=True, timeout=TIMEOUT, check=False)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    return done


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    build_seeded_site(out)
    return out


def _near(colour: tuple[int, ...], wanted: tuple[int, int, int], slack: int = 6) -> bool:
    return all(abs(a - b) <= slack for a, b in zip(colour[:3], wanted, strict=True))


def test_statement_page_screenshot_on_a_phone(site: Path, tmp_path: Path) -> None:
    chromium = _chromium()
    shot = tmp_path / "statement-phone.png"
    url = (site / STATEMENT_PAGE).resolve().as_uri()
    _run(
        chromium,
        tmp_path / "profile",
        f"--screenshot={shot}",
        f"--window-size={PHONE[0]},{PHONE[1]}",
        url,
    )
    assert shot.is_file()
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    ARTIFACTS.mkdir(exist_ok=True)
    kept = ARTIFACTS / "statement-phone.png"
    shutil.copyfile(shot, kept)
    print(f"\nscreenshot of the statement page on a phone: {kept}")
    with Image.open(shot) as image:
        assert image.size == PHONE
        rgb = image.convert("RGB")
        colours = rgb.getcolors(maxcolors=1 << 20) or []
    # The stylesheet was applied: the page background and the badge green are on screen, and
    # the page is not blank (text antialiasing gives many colours).
    assert any(_near(c, PAGE_BACKGROUND) for _, c in colours)
    assert sum(n for n, c in colours if _near(c, VERIFIED_GREEN)) > 200
    assert len(colours) > 50
    # Readable on a phone: nothing runs past the right margin (the 16 px padding stays page
    # background, or the header's rule), so no line is cut off or needs sideways scrolling.
    margin = [rgb.getpixel((x, y)) for x in range(PHONE[0] - 10, PHONE[0]) for y in range(PHONE[1])]
    assert all(_near(c, PAGE_BACKGROUND) or _near(c, HEADER_RULE) for c in margin)


def test_pages_render_their_quotes_in_the_browser(site: Path, tmp_path: Path) -> None:
    chromium = _chromium()
    pages = {
        STATEMENT_PAGE: [STATEMENT, BROOKS_QUOTE, "AI Verified", "2 For"],
        "index.html": [STATEMENT, "Ben Brooks", "Latest verified quotes"],
        "people/ben-brooks.html": [BROOKS_QUOTE, "Head of public policy, Stability AI"],
        "quotes/1.html": ["What was checked", "found the quoted words in it", BROOKS_QUOTE],
    }
    for n, (page, expected) in enumerate(pages.items()):
        url = (site / page).resolve().as_uri()
        done = _run(chromium, tmp_path / f"profile{n}", "--dump-dom", url)
        dom = LexborHTMLParser(done.stdout.decode("utf-8"))
        assert dom.body is not None
        text = " ".join(dom.body.text(separator=" ").split())
        for words in expected:
            assert words in text, (page, words)
        assert dom.css("script") == []
        assert dom.css_first('link[rel="stylesheet"]') is not None
