"""The subscribe options on the programme page, and each participant's own page: read
back with html.parser and urllib, the QR codes checked by a segno round trip, the
personal pages compared with the personal feeds, and the audit run on them."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import icalendar
import pytest
import segno

from conftest import Run, write

BASE = "https://example.org/study/"
VISIT = """\
visit:
  id: reach
  title: Study visit to Athens
  start_date: 2026-03-10
  end_date: 2026-03-11
  timezone: Europe/Athens
  country: GR
  publishing:
    base_url: https://example.org/study/
venues:
  - id: hall
    name: City Hall
    city: Athens
groups:
  - id: north
    name: North group
  - id: south
    name: South group
sessions:
  - id: opening
    title: Opening
    date: 2026-03-10
    start: 9:30
    end: 10:30
    venue: hall
  - id: north-visit
    title: Visit for the north
    date: 2026-03-10
    start: 11:00
    end: 12:30
    venue: hall
    groups: [north]
  - id: south-visit
    title: Visit for the south
    date: 2026-03-11
    start: 11:00
    end: 12:30
    venue: hall
    groups: [south]
participants:
  - id: eleni
    name: Ελένη Παπαδοπούλου
    country: GR
    group: north
    languages: [el]
    arrival: 2026-03-09 18:30
    departure: 2026-03-11 17:00
    dietary: vegetarian, no nuts at all please
  - id: olena
    name: Олена Коваленко
    country: UA
    group: south
    languages: [en]
    arrival: 2026-03-10 08:00
  - id: amira
    name: أميرة حداد
    country: EG
    group: north
    email: amira@example.org
"""


class Page(HTMLParser):
    """The parts of a page the tests look at."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.lang = ""
        self.meta: dict[str, str] = {}
        self.links: list[dict[str, str]] = []
        self.articles: list[str] = []
        self.qr: list[tuple[str, str]] = []  # (data-url, svg path data)
        self.captions: list[str] = []
        self.addresses: list[str] = []
        self.text: list[str] = []
        self._in: list[str] = []
        self._qr_url = ""
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.lang = found.get("lang", "")
        if tag == "meta" and "name" in found:
            self.meta[found["name"]] = found.get("content", "")
        if tag == "a":
            self.links.append(found)
        if tag == "article":
            self.articles.append(found["id"])
        if tag == "figure" and "qr" in found.get("class", ""):
            self._qr_url = found["data-url"]
        if tag == "path" and self._qr_url:
            self.qr.append((self._qr_url, found["d"]))
            self._qr_url = ""
        self._in.append(
            tag if tag != "code" or "address" not in found.get("class", "") else "address"
        )

    def handle_endtag(self, tag: str) -> None:
        if self._in:
            self._in.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._in and self._in[-1] == "figcaption":
            self.captions.append(data)
        if self._in and self._in[-1] == "address":
            self.addresses.append(data)

    def links_of(self, kind: str) -> list[dict[str, str]]:
        return [a for a in self.links if a.get("data-link") == kind]

    @property
    def all_text(self) -> str:
        return " ".join(self.text)


def qr_path(url: str, mask: int | None = None) -> str:
    svg = segno.make(url, error="m", mask=mask).svg_inline(scale=4, border=2, omitsize=True)
    found = re.search(r' d="([^"]+)"', svg)
    assert found
    return found.group(1)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from typer.testing import CliRunner

    from visitplan.cli import app

    folder = tmp_path_factory.mktemp("reach")
    visit_file = write(folder, VISIT)
    result = CliRunner().invoke(app, ["build", str(visit_file)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return folder


def tokens(site: Path) -> dict[str, str]:
    state = json.loads((site / ".visitplan-state.json").read_text(encoding="utf-8"))
    found: dict[str, str] = state["tokens"]
    return found


def page(site: Path, *parts: str) -> Page:
    return Page(site.joinpath("build", "public", *parts).read_text(encoding="utf-8"))


FEEDS = {
    "calendar.ics": "Study visit to Athens",
    "groups/north.ics": "Study visit to Athens — North group",
    "groups/south.ics": "Study visit to Athens — South group",
}


def test_each_qr_code_encodes_the_https_address_of_its_feed(site: Path) -> None:
    index = page(site, "index.html")
    assert [url for url, _ in index.qr] == [BASE + path for path in FEEDS]
    for url, path in index.qr:
        assert path == qr_path(url), url  # the same modules segno makes for the URL
    assert index.addresses == [BASE + path for path in FEEDS]


def test_each_qr_code_has_a_caption(site: Path) -> None:
    captions = page(site, "index.html").captions
    assert len(captions) == len(FEEDS)
    assert captions[0].startswith("Whole programme") and "camera" in captions[0]
    assert captions[1].startswith("North group")


def test_google_links_carry_the_webcal_address_as_cid(site: Path) -> None:
    links = page(site, "index.html").links_of("google")
    assert len(links) == len(FEEDS)
    for link, path in zip(links, FEEDS, strict=True):
        parts = urlsplit(link["href"])
        assert (parts.scheme, parts.netloc, parts.path) == (
            "https",
            "calendar.google.com",
            "/calendar/r",
        )
        assert parse_qs(parts.query) == {"cid": ["webcal://example.org/study/" + path]}
        assert "%3A%2F%2F" in parts.query  # encoded whole, as the link needs


def test_outlook_links_carry_the_https_address_and_the_calendar_name(site: Path) -> None:
    links = page(site, "index.html").links_of("outlook")
    for link, (path, name) in zip(links, FEEDS.items(), strict=True):
        parts = urlsplit(link["href"])
        assert (parts.scheme, parts.netloc, parts.path) == (
            "https",
            "outlook.live.com",
            "/calendar/0/addfromweb",
        )
        assert parse_qs(parts.query) == {"url": [BASE + path], "name": [name]}


def test_webcal_links_and_the_one_off_download_say_what_they_are(site: Path) -> None:
    index = page(site, "index.html")
    assert [a["href"] for a in index.links_of("webcal")] == [
        "webcal://example.org/study/" + path for path in FEEDS
    ]
    downloads = [a for a in index.links if "download" in a]
    assert [a["href"] for a in downloads] == [BASE + path for path in FEEDS]
    assert index.all_text.count("Download once (does not update)") == len(FEEDS)


def test_the_page_says_what_to_pick_and_that_personal_pages_exist(site: Path) -> None:
    text = page(site, "index.html").all_text
    # The names of the buttons are in bold: their own text nodes, joined by a space.
    said = re.sub(r" ([.,])", r"\1", re.sub(r"\s+", " ", text))
    assert "On an iPhone or iPad, tap Subscribe. On Android, tap Add to Google Calendar." in said
    assert "Each participant also has a personal calendar and page" in text


def test_printing_hides_buttons_but_keeps_the_address_and_the_caption(site: Path) -> None:
    html = (site / "build" / "public" / "index.html").read_text(encoding="utf-8")
    printed = html[html.index("@media print") :]
    printed = printed[: printed.index("</style>")]
    hidden = re.search(r"\n\s*([^{}]*)\{ display: none; \}", printed)
    assert hidden
    selectors = {s.strip() for s in hidden.group(1).split(",")}
    assert {".subscribe .button", ".feed button.copy", ".feed .once"} <= selectors
    assert not any("address" in s or "qr" in s or "figcaption" in s for s in selectors)


def test_personal_pages_are_linked_from_nowhere_public(site: Path) -> None:
    public = site / "build" / "public"
    for token in tokens(site).values():
        for path in public.rglob("*"):
            if path.is_file() and path.stem != token:
                assert token not in path.read_text(encoding="utf-8"), path


def feed_ids(feed: Path) -> list[str]:
    calendar = icalendar.Calendar.from_ical(feed.read_bytes())
    ids = []
    for event in calendar.walk("VEVENT"):
        uid = str(event["UID"])
        ids.append(
            uid.split("-", 1)[0]
            if uid.startswith(("arrival-", "departure-"))
            else uid.split("@")[0]
        )
    return ids


def test_each_personal_page_holds_exactly_its_owners_events(site: Path) -> None:
    from visitplan.load import load_visit

    visit = load_visit(site / "visit.yaml").visit
    for person in visit.participants:
        token = tokens(site)[person.id]
        own = page(site, "p", f"{token}.html")
        expected = feed_ids(site / "build" / "public" / "p" / f"{token}.ics")
        assert sorted(own.articles) == sorted(expected), person.id
        text = own.all_text
        assert person.name in text
        for other in visit.participants:
            if other.id != person.id:
                assert other.name not in text, (person.id, other.id)
                assert not other.email or other.email not in text
        assert "nuts" not in text  # dietary needs: not even the owner's


def test_personal_pages_are_noindex_and_in_their_owners_language(site: Path) -> None:
    eleni = page(site, "p", f"{tokens(site)['eleni']}.html")
    olena = page(site, "p", f"{tokens(site)['olena']}.html")
    assert eleni.meta["robots"] == "noindex, nofollow"
    assert (eleni.lang, olena.lang) == ("el", "en")
    from visitplan.labels import Labels

    assert Labels("el")("Your arrival") in eleni.all_text
    assert Labels("el")("Add to Google Calendar") in eleni.all_text


def test_a_personal_page_offers_its_own_feed_with_a_qr_code(site: Path) -> None:
    token = tokens(site)["olena"]
    own = page(site, "p", f"{token}.html")
    url = f"{BASE}p/{token}.ics"
    assert [u for u, _ in own.qr] == [url]
    from visitplan.exporters.index_html import FAST_MASK

    assert own.qr[0][1] == qr_path(url, FAST_MASK)
    (google,) = own.links_of("google")
    assert parse_qs(urlsplit(google["href"]).query) == {
        "cid": [f"webcal://example.org/study/p/{token}.ics"]
    }
    assert own.addresses == [url]


def test_the_audit_passes_on_the_build(site: Path, run: Run) -> None:
    result = run("audit", site / "build")
    assert result.exit_code == 0, result.stdout


@pytest.mark.parametrize(
    ("planted", "who"),
    [
        ("Олена Коваленко", "olena"),  # another participant's name
        ("КОВАЛЕНКО олена", "olena"),  # however it is written
        ("vegetarian, no nuts at all please", "eleni"),  # even the owner's needs
        ("amira@example.org", "amira"),
        # A comment across the places where the audit cuts a page into pieces.
        ('<!-- Олена Коваленко\n<article id="x"> -->', "olena"),
    ],
)
def test_the_audit_fails_on_a_leak_planted_in_a_personal_page(
    site: Path, run: Run, tmp_path: Path, planted: str, who: str
) -> None:
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(site, copy)
    target = copy / "build" / "public" / "p" / f"{tokens(site)['eleni']}.html"
    html = target.read_text(encoding="utf-8")
    target.write_text(html.replace("</main>", f"<p>Ask {planted}</p></main>"), encoding="utf-8")
    result = run("audit", copy / "build")
    assert result.exit_code == 1
    assert f"public/p/{target.name}" in result.stdout
    assert "VP301" in result.stdout


def test_the_owners_name_is_a_leak_anywhere_else(site: Path, run: Run, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(site, copy)
    target = copy / "build" / "public" / "p" / f"{tokens(site)['olena']}.html"
    html = target.read_text(encoding="utf-8")
    target.write_text(html.replace("</main>", "<p>Ελένη Παπαδοπούλου</p></main>"), encoding="utf-8")
    result = run("audit", copy / "build", "--visit", copy / "visit.yaml")
    assert result.exit_code == 1 and "VP301" in result.stdout
    # Without the state file, no page is known to be anyone's: names are findings.
    target.write_text(html, encoding="utf-8")
    assert run("audit", copy / "build", "--visit", copy / "visit.yaml").exit_code == 0
    (copy / ".visitplan-state.json").unlink()
    assert run("audit", copy / "build", "--visit", copy / "visit.yaml").exit_code == 1


@pytest.mark.slow
def test_without_a_base_url_the_links_wait_for_the_page_to_be_served(
    tmp_path: Path, run: Run
) -> None:
    visit_file = write(
        tmp_path, VISIT.replace("  publishing:\n    base_url: https://example.org/study/\n", "")
    )
    assert run("build", visit_file).exit_code == 0
    index = Page((tmp_path / "build" / "public" / "index.html").read_text(encoding="utf-8"))
    assert index.qr == []
    assert index.addresses == list(FEEDS)
    for kind in ("webcal", "google", "outlook"):
        for link in index.links_of(kind):
            assert "hidden" in link and "href" not in link
    assert [a["href"] for a in index.links if "download" in a] == list(FEEDS)
    state = json.loads((tmp_path / ".visitplan-state.json").read_text(encoding="utf-8"))
    token = state["tokens"]["olena"]
    own = Page((tmp_path / "build" / "public" / "p" / f"{token}.html").read_text(encoding="utf-8"))
    assert own.addresses == [f"p/{token}.ics"]
    assert [a["href"] for a in own.links if "download" in a] == [f"{token}.ics"]


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--no-first-run"]
        )
        yield instance
        instance.close()


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="no chromium on this machine")
@pytest.mark.parametrize("width", [375, 1280])
def test_a_personal_page_fits_a_phone_and_a_desktop(browser: Any, site: Path, width: int) -> None:
    token = tokens(site)["eleni"]
    tab = browser.new_page(viewport={"width": width, "height": 800})
    tab.goto((site / "build" / "public" / "p" / f"{token}.html").as_uri())
    assert tab.evaluate("document.documentElement.scrollWidth") <= width
    assert tab.locator("figure.qr svg").is_visible()
    assert tab.locator("code.address").inner_text() == f"{BASE}p/{token}.ics"
    tab.close()


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="no chromium on this machine")
def test_served_without_a_base_url_the_script_makes_every_link(
    browser: Any, tmp_path: Path, run: Run
) -> None:
    import functools
    import http.server
    import threading

    visit_file = write(
        tmp_path, VISIT.replace("  publishing:\n    base_url: https://example.org/study/\n", "")
    )
    assert run("build", visit_file).exit_code == 0
    handler = functools.partial(
        http.server.SimpleHTTPRequestHandler, directory=str(tmp_path / "build" / "public")
    )
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        root = f"http://127.0.0.1:{server.server_address[1]}/"
        tab = browser.new_page()
        tab.goto(root + "index.html")
        google = tab.locator("a[data-link=google]").first
        assert google.is_visible()
        cid = parse_qs(urlsplit(google.get_attribute("href") or "").query)["cid"]
        assert cid == [f"webcal://127.0.0.1:{server.server_address[1]}/calendar.ics"]
        assert tab.locator("code.address").first.inner_text() == root + "calendar.ics"
        tab.close()
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.slow
def test_a_removed_session_stays_on_the_page_as_in_the_feed(tmp_path: Path, run: Run) -> None:
    visit_file = write(tmp_path, VISIT)
    assert run("build", visit_file).exit_code == 0
    removed = VISIT.replace(
        VISIT[VISIT.index("  - id: north-visit") : VISIT.index("  - id: south-visit")], ""
    )
    visit_file.write_text(removed, encoding="utf-8")
    assert run("build", visit_file).exit_code == 0
    state = json.loads((tmp_path / ".visitplan-state.json").read_text(encoding="utf-8"))
    token = state["tokens"]["eleni"]
    public = tmp_path / "build" / "public" / "p"
    own = Page((public / f"{token}.html").read_text(encoding="utf-8"))
    assert sorted(own.articles) == sorted(feed_ids(public / f"{token}.ics"))
    from visitplan.labels import Labels

    assert "north-visit" in own.articles
    assert Labels("el")("Cancelled session") in own.all_text  # in her language
    assert "Visit for the north" not in own.all_text
