"""What a reader of the web pages sees on a phone and on paper, read back from the built
pages with an HTML parser (structure, not pixels)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from html.parser import HTMLParser
from pathlib import Path

import pytest


class _Reader(HTMLParser):
    """The texts of the bold words of the how-to paragraph, the labels of the subscribe
    buttons, and the page's style sheet."""

    def __init__(self) -> None:
        super().__init__()
        self.bold: list[str] = []
        self.buttons: list[str] = []
        self.style = ""
        self._where: list[str] = []
        self._in_howto = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "p" and "howto" in classes:
            self._in_howto = True
        if tag == "strong" and self._in_howto:
            self._where.append("bold")
            self.bold.append("")
        elif tag == "a" and "button" in classes:
            self._where.append("button")
            self.buttons.append("")
        elif tag == "style":
            self._where.append("style")

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self._in_howto = False
        if tag in {"strong", "a", "style"} and self._where:
            self._where.pop()

    def handle_data(self, data: str) -> None:
        if not self._where:
            return
        kind = self._where[-1]
        if kind == "bold":
            self.bold[-1] += data
        elif kind == "button":
            self.buttons[-1] += data
        else:
            self.style += data


def _read(path: Path) -> _Reader:
    reader = _Reader()
    reader.feed(path.read_text(encoding="utf-8"))
    return reader


def _pages(folder: Path) -> list[Path]:
    public = folder / "build" / "public"
    return [public / "index.html", *sorted((public / "p").glob("*.html"))[:1]]


@pytest.mark.parametrize("name", ["milan-exchange-2026", "italy-study-visit-2026"])
def test_howto_names_each_button_in_bold_as_the_button_says_it(
    example_builds: Mapping[str, Path], name: str
) -> None:
    for page in _pages(example_builds[name]):
        reader = _read(page)
        buttons = list(dict.fromkeys(reader.buttons))
        assert len(buttons) == 3
        # Subscribe, Google, Outlook.com, then Outlook's menu.
        assert reader.bold[:3] == buttons
        assert len(reader.bold) == 4


def _print_rules(style: str) -> str:
    start = style.index("@media print")
    return style[start:]


def test_printed_page_hides_the_advice_about_buttons_it_does_not_print(
    example_builds: Mapping[str, Path],
) -> None:
    for page in _pages(example_builds["milan-exchange-2026"]):
        rules = _print_rules(_read(page).style)
        hidden = re.search(r"([^{}]*)\{\s*display:\s*none", rules)
        assert hidden is not None
        selectors = {s.strip() for s in hidden.group(1).split(",")}
        assert {".howto", ".subscribe .button", ".feed .options"} <= selectors


def test_printed_feed_boxes_share_the_width_so_an_address_keeps_to_one_line(
    example_builds: Mapping[str, Path],
) -> None:
    for page in _pages(example_builds["milan-exchange-2026"]):
        rules = _print_rules(_read(page).style)
        grid = re.search(r"\.subscribe\s*\{\s*grid-template-columns:\s*([^;]+);", rules)
        assert grid is not None
        # auto-fit lets a single box (a personal page) take the whole width.
        assert grid.group(1).startswith("repeat(auto-fit,")
