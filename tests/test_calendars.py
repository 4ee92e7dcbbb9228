"""Calendar feeds read back with three independent parsers, and update semantics."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject
from ical.calendar_stream import IcsCalendarStream

from cldr import language_name
from conftest import EXAMPLE_NAMES, MINIMAL, write
from visitplan.build import build
from visitplan.exporters import exporter
from visitplan.load import load_visit

T1 = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
T2 = datetime(2026, 1, 11, 9, 0, tzinfo=UTC)
T3 = datetime(2026, 1, 12, 9, 0, tzinfo=UTC)


def vevents(calendar: Any) -> list[Any]:
    """The VEVENTs of a parsed calendar (typed loosely: tests read any property)."""
    found: list[Any] = calendar.walk("VEVENT")
    return found


def build_at(visit_file: Path, now: datetime, *, prune_cancelled: bool = False) -> Path:
    """Build the calendar feeds only: these tests read nothing else."""
    build(
        load_visit(visit_file),
        visit_file.parent / "build",
        now=now,
        force=True,
        prune_cancelled=prune_cancelled,
        exporters=[exporter("ics")],
    )
    return visit_file.parent / "build" / "public"


def feeds(public: Path) -> list[Path]:
    return sorted(public.rglob("*.ics"))


def events(feed: Path) -> dict[str, bytes]:
    """UID -> the raw VEVENT block, with its DTSTAMP line taken out."""
    raw = feed.read_bytes()
    blocks = re.findall(rb"BEGIN:VEVENT\r\n.*?END:VEVENT\r\n", raw, flags=re.S)
    result = {}
    for block in blocks:
        uid = re.search(rb"\r\nUID:(.*?)\r\n", block)
        assert uid is not None
        result[uid.group(1).decode()] = re.sub(rb"DTSTAMP:[^\r]*\r\n", b"", block)
    return result


@pytest.fixture(scope="module")
def built_examples(example_builds: Mapping[str, Path]) -> dict[str, Path]:
    return {name: folder / "build" / "public" for name, folder in example_builds.items()}


@pytest.mark.slow
@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_every_feed_parses_in_three_independent_parsers(
    built_examples: dict[str, Path], name: str
) -> None:
    public = built_examples[name]
    all_feeds = feeds(public)
    assert len(all_feeds) >= 2
    for feed in all_feeds:
        text = feed.read_text(encoding="utf-8")
        parsed = icalendar.Calendar.from_ical(text)
        assert vevents(parsed)
        strict = IcsCalendarStream.calendar_from_ics(text)
        assert len(strict.events) == len(vevents(parsed))
        card = vobject.readOne(text)
        assert len(card.vevent_list) == len(vevents(parsed))


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_feeds_follow_rfc_5545_to_the_letter(built_examples: dict[str, Path], name: str) -> None:
    for feed in feeds(built_examples[name]):
        raw = feed.read_bytes()
        assert raw.endswith(b"END:VCALENDAR\r\n")
        lines = raw.split(b"\r\n")[:-1]
        assert all(b"\n" not in line and b"\r" not in line for line in lines), feed
        assert max(len(line) for line in lines) <= 75, feed
        text = raw.decode("utf-8")
        used = set(re.findall(r";TZID=([^:;]+)", text))
        defined = set(re.findall(r"\r\nTZID:([^\r]+)", text))
        assert used <= defined, feed
        calendar = icalendar.Calendar.from_ical(text)
        uids = [str(e["UID"]) for e in vevents(calendar)]
        assert len(uids) == len(set(uids)), feed
        assert all("DTSTAMP" in e for e in vevents(calendar)), feed
        for key in (
            "PRODID",
            "VERSION",
            "X-WR-CALNAME",
            "NAME",
            "METHOD",
            "REFRESH-INTERVAL",
            "X-PUBLISHED-TTL",
            "X-WR-TIMEZONE",
        ):
            assert key in calendar, (feed, key)
        assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in text


def test_event_content(built_examples: dict[str, Path]) -> None:
    text = (built_examples["milan-exchange-2026"] / "calendar.ics").read_text(encoding="utf-8")
    calendar = icalendar.Calendar.from_ical(text)
    (opening,) = [
        e for e in vevents(calendar) if str(e["UID"]) == "d1-opening@milan-exchange-2026.visitplan"
    ]
    assert str(opening["SUMMARY"]).startswith("Opening: Milan's model")
    assert "Palazzo Marino (City Hall), Piazza della Scala 2" in str(opening["LOCATION"])
    assert opening["GEO"].latitude == pytest.approx(45.4674)
    description = str(opening["DESCRIPTION"])
    assert "Hosted by Municipality of Milan" in description
    interpreted = f"In {language_name('it')}, interpreted into {language_name('en')}"
    assert interpreted in description
    assert "https://example.org/visits/milan-exchange-2026/index.html" in description
    assert str(opening["STATUS"]) == "CONFIRMED"
    assert opening["CATEGORIES"].cats == ["Meeting"]
    assert str(opening["URL"]).endswith("#d1-opening")
    assert "TZID=Europe/Rome" in text


def test_nine_in_milan_is_eight_in_lisbon(built_examples: dict[str, Path]) -> None:
    text = (built_examples["milan-exchange-2026"] / "calendar.ics").read_text(encoding="utf-8")
    for event in vevents(icalendar.Calendar.from_ical(text)):
        if str(event["UID"]).startswith("d1-registration@"):
            start = event["DTSTART"].dt
            assert start.hour == 9 and str(start.tzinfo) == "Europe/Rome"
            assert start.astimezone(ZoneInfo("Europe/Lisbon")).hour == 8
            return
    pytest.fail("registration not found")


def test_wall_time_is_kept_across_a_daylight_saving_change(tmp_path: Path) -> None:
    text = MINIMAL.replace("2026-01-27", "2026-03-28").replace("2026-01-28", "2026-03-30")
    text = text.replace(
        "participants:",
        "  - {id: s2, title: After, date: 2026-03-30, "
        "start: 9:30, end: 10:30, venue: hall}\nparticipants:",
    )
    public = build_at(write(tmp_path, text), T1)
    raw = (public / "calendar.ics").read_text(encoding="utf-8")
    starts = {
        str(e["UID"]).split("@")[0]: e["DTSTART"].dt
        for e in vevents(icalendar.Calendar.from_ical(raw))
    }
    assert (starts["s1"].hour, starts["s1"].minute) == (9, 30)
    assert (starts["s2"].hour, starts["s2"].minute) == (9, 30)
    assert starts["s1"].utcoffset().total_seconds() == 3600
    assert starts["s2"].utcoffset().total_seconds() == 7200
    strict = IcsCalendarStream.calendar_from_ics(raw)
    utc = sorted(datetime.fromisoformat(str(e.dtstart)).astimezone(UTC).hour for e in strict.events)
    assert utc == [7, 8]


def _milan(example_copy: Callable[[str], Path]) -> Path:
    return example_copy("milan-exchange-2026")


def test_moving_a_session_raises_its_sequence_only(example_copy: Callable[[str], Path]) -> None:
    visit_file = _milan(example_copy)
    before = events(build_at(visit_file, T1) / "calendar.ics")
    text = visit_file.read_text(encoding="utf-8")
    visit_file.write_text(
        text.replace("    start: 09:30\n    end: 11:00\n", "    start: 10:30\n    end: 12:00\n", 1),
        encoding="utf-8",
    )
    after = events(build_at(visit_file, T2) / "calendar.ics")
    uid = "d1-opening@milan-exchange-2026.visitplan"
    assert set(after) == set(before)
    assert b"SEQUENCE:0" in before[uid] and b"SEQUENCE:1" in after[uid]
    assert b"DTSTART;TZID=Europe/Rome:20260127T103000" in after[uid]
    assert b"LAST-MODIFIED:20260111T090000Z" in after[uid]
    for other in set(before) - {uid}:
        assert after[other] == before[other], other


def test_a_removed_session_stays_as_cancelled(example_copy: Callable[[str], Path]) -> None:
    visit_file = _milan(example_copy)
    build_at(visit_file, T1)
    text = visit_file.read_text(encoding="utf-8")
    start, end = text.index("  - id: d2-break"), text.index("  - id: d2-avrr")
    visit_file.write_text(text[:start] + text[end:], encoding="utf-8")
    public = build_at(visit_file, T2)
    for feed in (public / "calendar.ics", *sorted((public / "p").glob("*.ics"))):
        block = events(feed)["d2-break@milan-exchange-2026.visitplan"]
        assert b"STATUS:CANCELLED" in block and b"SEQUENCE:1" in block
    again = events(build_at(visit_file, T3) / "calendar.ics")
    assert b"SEQUENCE:1" in again["d2-break@milan-exchange-2026.visitplan"]
    pruned = events(build_at(visit_file, T3, prune_cancelled=True) / "calendar.ics")
    assert "d2-break@milan-exchange-2026.visitplan" not in pruned


def test_a_cancelled_session_is_marked_cancelled(example_copy: Callable[[str], Path]) -> None:
    visit_file = _milan(example_copy)
    build_at(visit_file, T1)
    text = visit_file.read_text(encoding="utf-8")
    marker = "    title: Network dinner (optional)\n"
    visit_file.write_text(
        text.replace(marker, marker + "    status: cancelled\n"), encoding="utf-8"
    )
    calendar = icalendar.Calendar.from_ical(
        (build_at(visit_file, T2) / "calendar.ics").read_bytes()
    )
    (dinner,) = [e for e in vevents(calendar) if str(e["UID"]).startswith("d1-dinner@")]
    assert str(dinner["STATUS"]) == "CANCELLED" and int(dinner["SEQUENCE"]) == 1


def test_rebuild_without_change_differs_only_in_dtstamp(
    example_copy: Callable[[str], Path],
) -> None:
    visit_file = _milan(example_copy)
    public = build_at(visit_file, T1)
    first = {p.relative_to(public): p.read_bytes() for p in feeds(public)}
    public = build_at(visit_file, T2)
    second = {p.relative_to(public): p.read_bytes() for p in feeds(public)}
    assert first.keys() == second.keys()
    for path, data in first.items():
        stamp = re.compile(rb"DTSTAMP:[^\r]*\r\n")
        assert stamp.sub(b"", data) == stamp.sub(b"", second[path]), path
        assert data != second[path]


def test_personal_feeds_are_unguessable_and_stable(example_copy: Callable[[str], Path]) -> None:
    visit_file = _milan(example_copy)
    first = sorted(p.name for p in (build_at(visit_file, T1) / "p").glob("*.ics"))
    second = sorted(p.name for p in (build_at(visit_file, T2) / "p").glob("*.ics"))
    assert first == second and len(first) == 14
    for name in first:
        token = name.removesuffix(".ics")
        assert re.fullmatch(r"[A-Za-z0-9_-]{24}", token)  # 18 random bytes = 144 bits


def test_personal_feed_has_own_arrival_and_group_sessions(
    example_copy: Callable[[str], Path],
) -> None:
    import json

    visit_file = _milan(example_copy)
    public = build_at(visit_file, T1)
    state = json.loads((visit_file.parent / ".visitplan-state.json").read_text(encoding="utf-8"))
    token = state["tokens"]["be-fedasil"]
    calendar = icalendar.Calendar.from_ical((public / "p" / f"{token}.ics").read_bytes())
    summaries = [str(e["SUMMARY"]) for e in vevents(calendar)]
    assert "Your arrival" in summaries and "Your departure" in summaries
    assert len(summaries) == 16 + 2


def test_rotate_gives_a_new_link(example_copy: Callable[[str], Path], run) -> None:  # type: ignore[no-untyped-def]
    import json

    visit_file = _milan(example_copy)
    build_at(visit_file, T1)
    state_file = visit_file.parent / ".visitplan-state.json"
    old = json.loads(state_file.read_text(encoding="utf-8"))["tokens"]["be-fedasil"]
    result = run("feeds", "rotate", "be-fedasil", "--visit", visit_file)
    assert result.exit_code == 0
    new = json.loads(state_file.read_text(encoding="utf-8"))["tokens"]["be-fedasil"]
    assert new != old
    public = build_at(visit_file, T2)
    assert (public / "p" / f"{new}.ics").is_file()
    assert not (public / "p" / f"{old}.ics").exists()


def test_injection_stays_inert_in_the_feed(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        "    title: Welcome\n",
        '    title: "<script>alert(1)</script>"\n'
        f'    description: "Line\\nATTENDEE:urn:uuid:evil\\n{"long text; " * 180}"\n',
    )
    public = build_at(write(tmp_path, text), T1)
    raw = (public / "calendar.ics").read_bytes()
    assert b"\r\nATTENDEE" not in raw
    calendar = icalendar.Calendar.from_ical(raw)
    (event,) = vevents(calendar)
    assert "ATTENDEE" not in event
    assert str(event["SUMMARY"]) == "<script>alert(1)</script>"
    assert "Line\nATTENDEE:urn:uuid:evil\n" in str(event["DESCRIPTION"])
    assert ("long text; " * 180).strip() in str(event["DESCRIPTION"])
    assert max(len(line) for line in raw.split(b"\r\n")) <= 75
    IcsCalendarStream.calendar_from_ics(raw.decode("utf-8"))
