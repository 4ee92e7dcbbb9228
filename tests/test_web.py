"""The public folder: a valid, self-contained page, nothing personal, frab JSON, serving."""

from __future__ import annotations

import html
import json
import re
import threading
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

import html5lib
import pytest
import segno

import cldr
from conftest import EXAMPLE_NAMES, EXAMPLES, MINIMAL, write
from visitplan.build import build
from visitplan.load import load_visit

T1 = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
T2 = datetime(2026, 1, 11, 9, 0, tzinfo=UTC)
XHTML = "{http://www.w3.org/1999/xhtml}"


def build_public(visit_file: Path, now: datetime = T1) -> Path:
    build(load_visit(visit_file), visit_file.parent / "build", now=now, force=True)
    return visit_file.parent / "build" / "public"


@pytest.fixture(scope="module")
def built(example_builds: Mapping[str, Path]) -> dict[str, Path]:
    return {name: folder / "build" / "public" for name, folder in example_builds.items()}


def parse(page: Path):  # type: ignore[no-untyped-def]
    parser = html5lib.HTMLParser(strict=True)
    return parser.parse(page.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_index_is_valid_html_with_every_day_and_session(built: dict[str, Path], name: str) -> None:
    document = parse(built[name] / "index.html")
    visit = load_visit(EXAMPLES / name / "visit.yaml").visit
    language = visit.details.language
    headings = [h.text for h in document.iter(f"{XHTML}h2")]
    for day in visit.details.days():
        assert cldr.full_date(day, language) in headings, day
    articles = {a.get("id") for a in document.iter(f"{XHTML}article")}
    assert articles == {s.id for s in visit.sessions}


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_index_fetches_nothing_from_outside(built: dict[str, Path], name: str) -> None:
    document = parse(built[name] / "index.html")
    for element in document.iter():
        tag = element.tag.removeprefix(XHTML) if isinstance(element.tag, str) else ""
        if tag in {"script", "img", "iframe", "audio", "video", "source", "embed", "object"}:
            assert not element.get("src"), element.get("src")
        if tag == "link":
            pytest.fail(f"external resource: {element.get('href')}")
    text = (built[name] / "index.html").read_text(encoding="utf-8")
    assert "@import" not in text and not re.search(r"url\(\s*['\"]?https?:", text)


def test_subscribe_links_and_qr_codes_encode_the_feed_urls(built: dict[str, Path]) -> None:
    document = parse(built["milan-exchange-2026"] / "index.html")
    links = [a.get("href") for a in document.iter(f"{XHTML}a")]
    webcal = "webcal://example.org/visits/milan-exchange-2026/calendar.ics"
    assert webcal in links
    assert "https://example.org/visits/milan-exchange-2026/calendar.ics" in links
    text = (built["milan-exchange-2026"] / "index.html").read_text(encoding="utf-8")
    codes = re.findall(
        r'<figure class="qr" data-url="([^"]+)"[^>]*>\s*<div[^>]*>(<svg.*?</svg>)</div>',
        text,
        flags=re.S,
    )
    assert [url for url, _ in codes] == [
        "https://example.org/visits/milan-exchange-2026/calendar.ics"
    ]
    for url, svg in codes:
        expected = segno.make(url, error="m").svg_inline(scale=4, border=2, omitsize=True)
        assert svg == expected


def test_times_are_shown_with_their_zone(built: dict[str, Path]) -> None:
    text = (built["milan-exchange-2026"] / "index.html").read_text(encoding="utf-8")
    assert "09:30–11:00<small>CET</small>" in text


def test_html_escapes_user_text(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        "    title: Welcome\n",
        '    title: "<script>alert(1)</script><img src=x onerror=alert(2)>"\n',
    )
    page = build_public(write(tmp_path, text)) / "index.html"
    document = parse(page)
    scripts = [s.text or "" for s in document.iter(f"{XHTML}script")]
    assert len(scripts) == 1 and "alert" not in scripts[0]
    assert not list(document.iter(f"{XHTML}img"))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.read_text(encoding="utf-8")


def test_javascript_urls_never_become_links(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        "venues:",
        "hosts:\n  - {id: h, name: H, level: municipal, website: 'javascript:alert(1)'}\nvenues:",
    )
    page = build_public(write(tmp_path, text)) / "index.html"
    assert "javascript:alert" not in page.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_nothing_personal_reaches_public(built: dict[str, Path], name: str) -> None:
    visit = load_visit(EXAMPLES / name / "visit.yaml").visit
    secrets = set()
    for person in visit.participants:
        secrets |= {
            v for v in (person.email, person.phone, person.dietary, person.accessibility) if v
        }
        if not person.public:
            secrets.add(person.name)
    assert secrets, "the example should carry private data to protect"
    # A personal page (p/<token>.html) may name its owner, and no one else.
    tokens = json.loads((built[name].parents[1] / ".visitplan-state.json").read_text())["tokens"]
    owner = {token: p.name for p in visit.participants if (token := tokens.get(p.id))}
    for path in built[name].rglob("*"):
        if path.is_file():
            content = path.read_text(encoding="utf-8")
            own = owner.get(path.stem) if path.parent.name == "p" else None
            for secret in secrets - {own}:
                assert secret not in content, (path.name, secret)


@pytest.mark.slow
def test_changes_name_the_moved_and_the_cancelled_session(
    example_copy: Callable[[str], Path],
) -> None:
    visit_file = example_copy("milan-exchange-2026")
    build_public(visit_file, T1)
    text = visit_file.read_text(encoding="utf-8")
    text = text.replace(
        "    start: 09:30\n    end: 11:00\n", "    start: 10:30\n    end: 12:00\n", 1
    )
    start, end = text.index("  - id: d2-break"), text.index("  - id: d2-avrr")
    visit_file.write_text(text[:start] + text[end:], encoding="utf-8")
    public = build_public(visit_file, T2)
    changes = json.loads((public / "changes.json").read_text(encoding="utf-8"))
    assert changes["since"] == T1.isoformat()
    by_session = {c["session"]: c for c in changes["changes"]}
    assert set(by_session) == {"d1-opening", "d2-break"}
    moved = by_session["d1-opening"]
    assert moved["kind"] == "moved"
    assert moved["old_start"] == "2026-01-27T09:30:00+01:00"
    assert moved["new_start"] == "2026-01-27T10:30:00+01:00"
    assert by_session["d2-break"]["kind"] == "cancelled"
    assert by_session["d2-break"]["old_start"] == "2026-01-28T10:15:00+01:00"
    page = (public / "index.html").read_text(encoding="utf-8")
    assert f"Changed in version 2, {cldr.one_date(T2.date())}" in page
    assert "Moved: Opening: Milan&#39;s model" in page or "Moved: Opening: Milan's model" in page
    old, new = (datetime.fromisoformat(moved[k]) for k in ("old_start", "new_start"))
    old_end, new_end = old + timedelta(minutes=90), new + timedelta(minutes=90)
    spans = f"from {cldr.session_span(old, old_end)} to {cldr.session_span(new, new_end)}"
    assert html.escape(spans, quote=True) in page or spans in page


def test_schedule_json_follows_the_frab_format(built: dict[str, Path]) -> None:
    document = json.loads(
        (built["milan-exchange-2026"] / "schedule.json").read_text(encoding="utf-8")
    )
    conference = document["schedule"]["conference"]
    assert isinstance(document["schedule"]["version"], str)
    for key, kind in (
        ("title", str),
        ("acronym", str),
        ("start", str),
        ("end", str),
        ("daysCount", int),
        ("timeslot_duration", str),
        ("days", list),
        ("rooms", list),
        ("time_zone_name", str),
    ):
        assert isinstance(conference[key], kind), key
    assert re.fullmatch(r"[a-z0-9_-][a-z0-9_]{3,}(-2[0-9]{3}-[a-z]+)?", conference["acronym"])
    assert all({"name", "guid"} <= set(room) for room in conference["rooms"])
    seen = 0
    for day in conference["days"]:
        assert {"index", "date", "day_start", "day_end", "rooms"} <= set(day)
        for room, items in day["rooms"].items():
            for event in items:
                seen += 1
                required = {
                    "abstract",
                    "date",
                    "duration",
                    "guid",
                    "id",
                    "language",
                    "links",
                    "persons",
                    "room",
                    "slug",
                    "start",
                    "subtitle",
                    "title",
                    "track",
                    "type",
                    "url",
                }
                assert required <= set(event)
                assert event["room"] == room
                assert isinstance(event["id"], int) and event["id"] >= 1
                assert re.fullmatch(r"[0-9]+:[0-9]{2}", event["duration"])
                assert re.fullmatch(r"[a-z0-9_-]+[a-z0-9]", event["slug"])
                session_id = event["url"].rsplit("#", 1)[1]
                uid = f"{session_id}@milan-exchange-2026.visitplan"
                assert event["guid"] == str(uuid.uuid5(uuid.NAMESPACE_URL, uid))
    assert seen == 16


def test_serve_gives_calendars_the_calendar_content_type(built: dict[str, Path]) -> None:
    from visitplan.serve import make_server

    server = make_server(built["milan-exchange-2026"], 0)
    port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/calendar.ics", timeout=5) as r:
            assert r.headers["Content-Type"] == "text/calendar; charset=utf-8"
            assert r.read().startswith(b"BEGIN:VCALENDAR")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
            assert r.headers["Content-Type"].startswith("text/html")
    finally:
        server.shutdown()
        server.server_close()
