"""Presence: people expected at sessions before they arrive or after they leave.

Each participant is matched against their group's sessions by binary search:
O(P log S) for P participants.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime, timedelta

from visitplan.checks.base import at_participant, at_session, day_name, hm
from visitplan.findings import Finding
from visitplan.load import Loaded
from visitplan.model import Participant, Session, SessionKind
from visitplan.timeline import timeline

SUMMARY_AFTER = 5  # more participants than this with one problem: one summary finding


def check_presence(loaded: Loaded) -> Iterator[Finding]:
    visit = loaded.visit
    buffer = timedelta(hours=visit.rules.arrival_buffer_hours)
    timelines = timeline(visit).sessions
    # (first session missed, kind) -> people, so that many late arrivals for the same
    # session come as one finding.
    missed: dict[tuple[str, str], list[tuple[Participant, list[Session]]]] = defaultdict(list)
    tight: dict[str, list[Participant]] = defaultdict(list)
    sessions_by_id: dict[str, Session] = {}
    # Each group's sessions with their start and end times, prepared once per group.
    prepared: dict[str | None, tuple[list[Session], list[datetime], list[datetime]]] = {}
    for group, sessions in timelines.items():
        held = [s for s in sessions if s.kind is not SessionKind.FREE_TIME]
        prepared[group] = (held, [s.starts_at for s in held], sorted(s.ends_at for s in held))
    for person in visit.participants:
        sessions, starts, ends = prepared.get(person.group, ([], [], []))
        if not sessions:
            continue
        if person.arrival is not None:
            first_after = bisect_left(starts, person.arrival)
            if first_after:
                before = sessions[:first_after]
                missed[(before[0].id, "arrival")].append((person, before))
                sessions_by_id[before[0].id] = before[0]
            if first_after < len(sessions):
                following = sessions[first_after]
                if following.starts_at - person.arrival < buffer:
                    tight[following.id].append(person)
                    sessions_by_id[following.id] = following
        if person.departure is not None and bisect_right(ends, person.departure) < len(ends):
            # Sessions that end after the departure (in start order).
            after = [s for s in sessions if s.ends_at > person.departure]
            missed[(after[-1].id, "departure")].append((person, after))
            sessions_by_id[after[-1].id] = after[-1]
    for (session_id, kind), people in missed.items():
        yield from _missed(loaded, sessions_by_id[session_id], kind, people)
    for session_id, arriving in tight.items():
        session = sessions_by_id[session_id]
        names = _names(arriving)
        yield at_session(
            loaded,
            "VP132",
            f"'{session.id}' starts {day_name(session.starts_at)} {hm(session.starts_at)}, less "
            f"than {visit.rules.arrival_buffer_hours:g} h after {names} "
            f"arrive{'s' if len(arriving) == 1 else ''}",
            session,
        )


def _missed(
    loaded: Loaded, session: Session, kind: str, people: list[tuple[Participant, list[Session]]]
) -> Iterator[Finding]:
    verb = "arrive" if kind == "arrival" else "leave"
    if len(people) > SUMMARY_AFTER:
        yield at_session(
            loaded,
            "VP131",
            f"{len(people)} participants {verb} {'after' if kind == 'arrival' else 'before'} "
            f"'{session.id}' ({day_name(session.starts_at)} {hm(session.starts_at)}), which "
            f"their group attends: {_names([p for p, _ in people])}",
            session,
        )
        return
    for person, sessions in people:
        moment = person.arrival if kind == "arrival" else person.departure
        if moment is None:  # pragma: no cover - only people with the time are listed
            continue
        ids = ", ".join(f"'{s.id}'" for s in sessions[:3]) + (", ..." if len(sessions) > 3 else "")
        yield at_participant(
            loaded,
            "VP131",
            f"participant '{person.id}' {verb}s {day_name(moment)} {hm(moment)} and misses "
            f"{len(sessions)} session{'s' if len(sessions) != 1 else ''} of their group: {ids}",
            person,
        )


def _names(people: list[Participant]) -> str:
    shown = ", ".join(f"'{p.id}'" for p in people[:3])
    return shown + (f" and {len(people) - 3} more" if len(people) > 3 else "")
