"""Venues: capacity, step-free access and opening hours.

Attendance is counted per group once, so each session costs O(groups it names).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator

from visitplan.checks.base import at_session, hm
from visitplan.findings import Finding
from visitplan.load import Loaded
from visitplan.model import Participant, Session, Visit


def attendee_count(visit: Visit, session: Session, sizes: Counter[str | None]) -> int:
    if not session.groups:
        return len(visit.participants)
    return sum(sizes[g] for g in session.groups)


def check_venues(loaded: Loaded) -> Iterator[Finding]:
    visit = loaded.visit
    sizes: Counter[str | None] = Counter(p.group for p in visit.participants)
    needs_steps_free: dict[str | None, list[Participant]] = defaultdict(list)
    for person in visit.participants:
        if person.step_free:
            needs_steps_free[person.group].append(person)
    for session in visit.active_sessions():
        venue = visit.venue(session.venue)
        if venue is None:
            continue
        if venue.capacity is not None:
            count = attendee_count(visit, session, sizes)
            if count > venue.capacity:
                yield at_session(
                    loaded,
                    "VP151",
                    f"'{session.id}' has {count} attendees; {venue.name} holds {venue.capacity}",
                    session,
                    key="venue",
                )
        if venue.step_free is False and needs_steps_free:
            groups: list[str | None] = [*session.groups] if session.groups else [*needs_steps_free]
            people = [p for g in groups for p in needs_steps_free.get(g, [])]
            if people:
                names = ", ".join(f"'{p.id}'" for p in people[:3])
                more = f" and {len(people) - 3} more" if len(people) > 3 else ""
                yield at_session(
                    loaded,
                    "VP152",
                    f"'{session.id}' is at {venue.name}, which has no step-free access, and "
                    f"{names}{more} need{'s' if len(people) == 1 else ''} it",
                    session,
                    key="venue",
                )
        hours = venue.opening_hours
        if hours is not None and (session.start < hours.opens or session.end > hours.closes):
            yield at_session(
                loaded,
                "VP153",
                f"'{session.id}' ({hm(session.starts_at)}–{hm(session.ends_at)}) is outside "
                f"the opening hours of {venue.name} ({hours.opens:%H:%M}–{hours.closes:%H:%M})",
                session,
                key="start",
            )
