"""The web page in a real browser: headless Chromium at phone and desktop widths, and print.

Skipped where no Chromium is installed; CI installs Debian's chromium.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import copy_example_files
from visitplan.build import build
from visitplan.load import load_visit

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium on this machine"),
]
A4_WIDTH_PX = 794  # 210 mm at 96 px per inch


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield instance
        instance.close()


@pytest.fixture(scope="module")
def page_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("italy")
    copy_example_files("italy-study-visit-2026", folder)
    build(load_visit(folder / "visit.yaml"), folder / "build")
    return (folder / "build" / "public" / "index.html").as_uri()


@pytest.mark.parametrize("width", [375, 1280])
def test_page_fits_the_screen_and_shows_every_day(browser: Any, page_url: str, width: int) -> None:
    page = browser.new_page(viewport={"width": width, "height": 800})
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(page_url)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"horizontal scrolling: {scroll_width} > {width}"
    headings = page.locator("section.day h2")
    assert headings.count() == 5
    for n in range(headings.count()):
        assert headings.nth(n).is_visible()
    assert page.locator("a.subscribe-link").count() >= 1
    assert (
        page.locator("a.subscribe-link")
        .first.get_attribute("href", timeout=1000)
        .startswith("webcal://")
    )
    assert all(url.startswith("file://") for url in requests), requests
    Path(page_url.removeprefix("file://")).with_name(f"screen-{width}.png").write_bytes(
        page.screenshot(full_page=True)
    )
    page.close()


def test_print_fits_a4_width(browser: Any, page_url: str) -> None:
    page = browser.new_page(viewport={"width": A4_WIDTH_PX, "height": 1123})
    page.emulate_media(media="print")
    page.goto(page_url)
    assert page.evaluate("document.documentElement.scrollWidth") <= A4_WIDTH_PX
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    page.close()
