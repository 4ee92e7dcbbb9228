"""Feeds that follow every change: events that leave a group's or a participant's feed
stay there as cancelled until pruned, arrivals and departures have revisions, a
personal feed is named for its owner, a journey's location is where it goes, and local
times that do not exist (or happen twice) are caught where they are written."""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import icalendar
import pytest
from ical.calendar_stream import IcsCalendarStream

from conftest import Run, write
from test_reach_versions import GROUPED, edit
from visitplan.build import build
from visitplan.load import load_visit
from visitplan.state import state_path

T1 = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
T2 = datetime(2026, 1, 11, 9, 0, tzinfo=UTC)
T3 = datetime(2026, 1, 12, 9, 0, tzinfo=UTC)

TRAVEL = GROUPED.replace(
    "    group: a\n    dietary: vegetarian, no nuts please\n",
    "    group: a\n    arrival: 2026-03-26 18:00\n    departure: 2026-03-30\n",
)


def build_at(visit_file: Path, now: datetime, *, prune: bool = False) -> Path:
    build(load_visit(visit_file), now=now, force=True, prune_cancelled=prune)
    return visit_file.parent / "build" / "public"


def token_of(visit_file: Path, participant: str) -> str:
    raw = json.loads(state_path(visit_file).read_text(encoding="utf-8"))
    token: str = raw["tokens"][participant]
    return token


def personal(visit_file: Path, participant: str) -> Path:
    return visit_file.parent / "build" / "public" / "p" / f"{token_of(visit_file, participant)}.ics"


def by_uid(feed: Path) -> dict[str, Any]:
    """UID -> the event as icalendar reads it."""
    calendar = icalendar.Calendar.from_ical(feed.read_bytes())
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def strict(feed: Path) -> dict[str, Any]:
    """UID -> the event as the strict ``ical`` parser reads it."""
    calendar = IcsCalendarStream.calendar_from_ics(feed.read_text(encoding="utf-8"))
    return {event.uid: event for event in calendar.events}


def status_in_both(feed: Path, uid: str) -> tuple[str, str]:
    loose = str(by_uid(feed)[uid].get("STATUS", ""))
    event = strict(feed)[uid]
    return loose, str(event.status.value if event.status else "")


def test_a_session_moved_to_another_group_stays_cancelled_in_the_feed_it_left(
    tmp_path: Path,
) -> None:
    visit_file = write(tmp_path, GROUPED)
    public = build_at(visit_file, T1)
    uid = "s2@grouped.visitplan"
    assert status_in_both(public / "groups" / "a.ics", uid) == ("CONFIRMED", "CONFIRMED")
    sequence = int(by_uid(public / "groups" / "a.ics")[uid]["SEQUENCE"])
    edit(visit_file, "    groups: [a]\n", "    groups: [b]\n")
    public = build_at(visit_file, T2)
    assert status_in_both(public / "groups" / "a.ics", uid) == ("CANCELLED", "CANCELLED")
    assert status_in_both(public / "groups" / "b.ics", uid) == ("CONFIRMED", "CONFIRMED")
    left = by_uid(public / "groups" / "a.ics")[uid]
    assert int(left["SEQUENCE"]) > sequence
    assert str(left["SUMMARY"]) != "Workshop on housing"  # no text is kept, as for cancelled
    assert strict(public / "groups" / "a.ics")[uid].sequence == int(left["SEQUENCE"])
    # Its members' personal feeds too.
    assert status_in_both(personal(visit_file, "p1"), uid) == ("CANCELLED", "CANCELLED")
    assert status_in_both(personal(visit_file, "p2"), uid) == ("CONFIRMED", "CONFIRMED")
    # And on every later build, until pruned.
    public = build_at(visit_file, T3)
    assert status_in_both(public / "groups" / "a.ics", uid) == ("CANCELLED", "CANCELLED")
    public = build_at(visit_file, T3 + timedelta(days=1), prune=True)
    assert uid not in by_uid(public / "groups" / "a.ics")
    assert uid not in by_uid(personal(visit_file, "p1"))
    assert uid in by_uid(public / "groups" / "b.ics")


@pytest.mark.slow
def test_a_participant_who_changes_group_keeps_what_they_left_as_cancelled(
    tmp_path: Path,
) -> None:
    visit_file = write(tmp_path, GROUPED)
    build_at(visit_file, T1)
    feed = personal(visit_file, "p1")
    before = by_uid(feed)
    assert "s2@grouped.visitplan" in before and "s3@grouped.visitplan" not in before
    edit(
        visit_file,
        "    name: Anna Maria Rossi\n    group: a\n",
        "    name: Anna Maria Rossi\n    group: b\n",
    )
    build_at(visit_file, T2)
    assert personal(visit_file, "p1") == feed  # the same link
    assert status_in_both(feed, "s2@grouped.visitplan") == ("CANCELLED", "CANCELLED")
    assert status_in_both(feed, "s3@grouped.visitplan") == ("CONFIRMED", "CONFIRMED")
    after = by_uid(feed)
    assert int(after["s2@grouped.visitplan"]["SEQUENCE"]) > int(
        before["s2@grouped.visitplan"]["SEQUENCE"]
    )
    # No programme change: no new version.
    changes = json.loads((feed.parents[1] / "changes.json").read_text(encoding="utf-8"))
    assert changes["version"] == 1 and changes["changes"] == []
    # The group feed itself is unchanged: the session is still for group A.
    assert status_in_both(feed.parents[1] / "groups" / "a.ics", "s2@grouped.visitplan")[0] == (
        "CONFIRMED"
    )
    # Back to group A: the session comes back, above the cancelled revision.
    edit(
        visit_file,
        "    name: Anna Maria Rossi\n    group: b\n",
        "    name: Anna Maria Rossi\n    group: a\n",
    )
    build_at(visit_file, T3)
    back = by_uid(feed)["s2@grouped.visitplan"]
    assert str(back["STATUS"]) == "CONFIRMED"
    assert int(back["SEQUENCE"]) > int(after["s2@grouped.visitplan"]["SEQUENCE"])


def travel_events(feed: Path) -> dict[str, Any]:
    return {
        str(e["SUMMARY"]): e
        for uid, e in by_uid(feed).items()
        if uid.startswith(("arrival-", "departure-"))
    }


@pytest.mark.slow
def test_an_arrival_change_raises_its_sequence(tmp_path: Path) -> None:
    visit_file = write(tmp_path, TRAVEL)
    build_at(visit_file, T1)
    first = travel_events(personal(visit_file, "p1"))["Your arrival"]
    assert int(first["SEQUENCE"]) == 0 and first.decoded("LAST-MODIFIED") == T1
    build_at(visit_file, T2)  # nothing changed: the same revision
    same = travel_events(personal(visit_file, "p1"))["Your arrival"]
    assert int(same["SEQUENCE"]) == 0 and same.decoded("LAST-MODIFIED") == T1
    edit(visit_file, "arrival: 2026-03-26 18:00", "arrival: 2026-03-26 21:00")
    build_at(visit_file, T3)
    feed = personal(visit_file, "p1")
    moved = travel_events(feed)["Your arrival"]
    assert str(moved["UID"]) == str(first["UID"])
    assert int(moved["SEQUENCE"]) == 1 and moved.decoded("LAST-MODIFIED") == T3
    assert moved.decoded("DTSTART").hour == 21
    assert strict(feed)[str(moved["UID"])].sequence == 1
    departure = travel_events(feed)["Your departure"]
    assert int(departure["SEQUENCE"]) == 0  # untouched


@pytest.mark.slow
def test_a_removed_departure_stays_cancelled_until_pruned(tmp_path: Path) -> None:
    visit_file = write(tmp_path, TRAVEL)
    build_at(visit_file, T1)
    uid = str(travel_events(personal(visit_file, "p1"))["Your departure"]["UID"])
    edit(visit_file, "    departure: 2026-03-30\n", "")
    build_at(visit_file, T2)
    feed = personal(visit_file, "p1")
    assert status_in_both(feed, uid) == ("CANCELLED", "CANCELLED")
    assert int(by_uid(feed)[uid]["SEQUENCE"]) == 1
    build_at(visit_file, T3, prune=True)
    assert uid not in by_uid(personal(visit_file, "p1"))


@pytest.mark.slow
def test_an_arrival_at_midnight_keeps_its_time(tmp_path: Path) -> None:
    visit_file = write(tmp_path, TRAVEL.replace("2026-03-26 18:00", "2026-03-27 00:00"))
    build_at(visit_file, T1)
    events = travel_events(personal(visit_file, "p1"))
    arrival = events["Your arrival"].decoded("DTSTART")
    assert isinstance(arrival, datetime) and (arrival.hour, arrival.minute) == (0, 0)
    assert arrival.tzinfo is not None
    # A date without a time is the whole day.
    departure = events["Your departure"].decoded("DTSTART")
    assert not isinstance(departure, datetime) and departure == date(2026, 3, 30)


def test_a_departure_at_midnight_is_not_moved_to_the_end_of_the_day(tmp_path: Path) -> None:
    visit_file = write(
        tmp_path, TRAVEL.replace("departure: 2026-03-30", "departure: 2026-03-30 00:00")
    )
    person = next(p for p in load_visit(visit_file).visit.participants if p.id == "p1")
    assert person.departure is not None and person.departure.hour == 0


@pytest.mark.slow
def test_a_personal_feed_is_named_for_its_owner(tmp_path: Path) -> None:
    visit_file = write(tmp_path, GROUPED.replace("Jan de Vries", "Παπαδόπουλος Γιώργος"))
    build_at(visit_file, T1)
    for participant, name in (("p1", "Anna Maria Rossi"), ("p2", "Παπαδόπουλος Γιώργος")):
        feed = personal(visit_file, participant)
        calendar = icalendar.Calendar.from_ical(feed.read_bytes())
        assert str(calendar["X-WR-CALNAME"]) == f"Grouped visit — {name}"
        assert str(calendar["NAME"]) == f"Grouped visit — {name}"
        others = {"Anna Maria Rossi", "Παπαδόπουλος Γιώργος", "Ewa Kowalska"} - {name}
        text = feed.read_text(encoding="utf-8")
        assert not any(other in text for other in others)
    whole = icalendar.Calendar.from_ical((feed.parents[1] / "calendar.ics").read_bytes())
    assert str(whole["X-WR-CALNAME"]) == "Grouped visit"


@pytest.mark.slow
def test_a_journey_is_located_where_it_goes(tmp_path: Path) -> None:
    text = GROUPED.replace(
        "participants:\n",
        "  - id: bus\n    title: Bus to the annex\n    kind: travel\n    date: 2026-03-28\n"
        '    start: "09:00"\n    end: "09:30"\n    venue: hall\n    destination: annex\n'
        "participants:\n",
    )
    visit_file = write(tmp_path, text)
    public = build_at(visit_file, T1)
    event = by_uid(public / "calendar.ics")["bus@grouped.visitplan"]
    assert str(event["LOCATION"]) == "Annex, Corso Como 5, Milan"
    assert "Hall, Via Roma 1, Milan" in str(event["DESCRIPTION"])
    assert strict(public / "calendar.ics")["bus@grouped.visitplan"].location == (
        "Annex, Corso Como 5, Milan"
    )


def located(output: str, visit_file: Path) -> list[tuple[int, int, str]]:
    return [
        (int(m.group(1)), int(m.group(2)), m.group(3))
        for m in re.finditer(rf"{re.escape(visit_file.name)}:(\d+):(\d+): \w+ (VP\d+)", output)
    ]


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_a_time_the_clocks_skip_is_a_located_error(tmp_path: Path, run: Run) -> None:
    text = GROUPED.replace('start: "09:30"\n    end: "10:30"', 'start: "02:30"\n    end: "10:30"')
    text = text.replace("2026-03-27", "2026-03-29").replace(
        "start_date: 2026-03-29", "start_date: 2026-03-27"
    )
    text = text.replace("    group: b\n", "    group: b\n    arrival: 2026-03-29 02:10\n")
    visit_file = write(tmp_path, text)
    for command in ("check", "build"):
        result = run(command, visit_file)
        assert result.exit_code == 2, result.output
        found = located(result.output, visit_file)
        assert (line_of(text, '"02:30"'), 12, "VP015") in found
        assert (line_of(text, "arrival: 2026-03-29 02:10"), 14, "VP015") in found
        assert "03:30" in result.output  # the hint: what the clocks show then
        assert "Traceback" not in result.output


def test_a_time_that_happens_twice_is_a_located_warning(tmp_path: Path, run: Run) -> None:
    text = GROUPED.replace("2026-03-30", "2026-10-26").replace(
        'date: 2026-03-27\n    start: "09:30"', 'date: 2026-10-25\n    start: "02:30"'
    )
    visit_file = write(tmp_path, text)
    result = run("check", visit_file, "--format", "json")
    findings = [f for f in json.loads(result.stdout) if f["code"] == "VP016"]
    assert [(f["severity"], f["line"], f["subject"]) for f in findings] == [
        ("warning", line_of(text, '"02:30"'), "s1")
    ]
    assert findings[0]["column"] is not None


@pytest.mark.slow
def test_two_hundred_participants_keep_the_state_small(tmp_path: Path) -> None:
    sessions = "".join(
        f"  - id: x{n}\n    title: Session {n}\n    date: 2026-03-{27 + n % 3}\n"
        f'    start: "{8 + n // 3 % 12:02d}:00"\n    end: "{8 + n // 3 % 12:02d}:50"\n'
        f"    venue: hall\n    groups: [{'ab'[n % 2]}]\n"
        for n in range(60)
    )
    people = "".join(
        f"  - id: q{n}\n    name: Person {n}\n    group: {'ab'[n % 2]}\n"
        f"    arrival: 2026-03-26 {10 + n % 12}:00\n"
        for n in range(200)
    )
    text = GROUPED.split("sessions:\n")[0] + "sessions:\n" + sessions + "participants:\n" + people
    visit_file = write(tmp_path, text)
    started = time.perf_counter()
    build_at(visit_file, T1)
    # Everyone changes group: each personal feed keeps the 30 sessions it left.
    visit_file.write_text(
        text.replace("group: a\n    arrival", "group: c\n    arrival")
        .replace("group: b\n    arrival", "group: a\n    arrival")
        .replace("group: c\n    arrival", "group: b\n    arrival"),
        encoding="utf-8",
    )
    build_at(visit_file, T2)
    elapsed = time.perf_counter() - started
    size = state_path(visit_file).stat().st_size
    assert size < 400_000, size  # about 1.5 KB a participant at most
    assert elapsed < 120
    feed = by_uid(personal(visit_file, "q0"))
    cancelled = [u for u, e in feed.items() if str(e.get("STATUS")) == "CANCELLED"]
    assert len(cancelled) == 30
