"""Overlaps and moves: a group in two places at once, or without time to get there."""

from __future__ import annotations

from collections.abc import Iterator
from math import asin, cos, radians, sin, sqrt

from visitplan.checks.base import at_session, hm
from visitplan.findings import Finding
from visitplan.load import Loaded
from visitplan.model import Rules, Session, SessionKind, Venue, Visit
from visitplan.timeline import group_label, timeline

EARTH_RADIUS_KM = 6371.0


def check_overlaps(loaded: Loaded) -> Iterator[Finding]:
    """A group in two sessions at once. O(S log S) per group: sorted sweep, no pairs."""
    visit = loaded.visit
    reported: set[tuple[str, str]] = set()
    for group, sessions in timeline(visit).sessions.items():
        latest: Session | None = None
        for session in sessions:  # in start order
            if latest is not None and session.starts_at < latest.ends_at:
                pair = (latest.id, session.id)
                if pair not in reported:
                    reported.add(pair)
                    yield at_session(
                        loaded,
                        "VP101",
                        f"'{session.id}' ({hm(session.starts_at)}–{hm(session.ends_at)}) overlaps "
                        f"'{latest.id}' ({hm(latest.starts_at)}–{hm(latest.ends_at)}) for "
                        f"{group_label(visit, group)}",
                        session,
                        involved=[latest],
                        key="start",
                    )
            if latest is None or session.ends_at > latest.ends_at:
                latest = session


def check_transfers(loaded: Loaded) -> Iterator[Finding]:
    """Consecutive sessions at venues too far apart for the gap between them.

    O(S) per group: only neighbours in time are compared.
    """
    visit = loaded.visit
    rules = visit.rules
    reported: set[tuple[str, str]] = set()
    for sessions in timeline(visit).sessions.values():
        previous: Session | None = None
        for session in sessions:
            if visit.venue(session.venue) is None:
                continue
            if previous is not None and (previous.id, session.id) not in reported:
                finding = _move(loaded, visit, rules, previous, session)
                if finding is not None:
                    reported.add((previous.id, session.id))
                    yield finding
            previous = session


def _move(
    loaded: Loaded, visit: Visit, rules: Rules, before: Session, after: Session
) -> Finding | None:
    origin = visit.venue(before.destination or before.venue)
    target = visit.venue(after.venue)
    if origin is None or target is None or origin.id == target.id:
        return None
    travelling = SessionKind.TRAVEL in (before.kind, after.kind)
    other_city = _other_city(origin, target)
    if other_city and not travelling:
        return at_session(
            loaded,
            "VP103",
            f"'{after.id}' is in {target.city} but the session before it, "
            f"'{before.id}', is in {origin.city}, with no travel between",
            after,
            involved=[before],
            key="venue",
            hint=f"add a session of kind `travel` from {origin.name} ({origin.city}) to "
            f"{target.name} ({target.city}) between them",
        )
    if other_city or before.date != after.date:
        return None
    needed = transfer_minutes(origin, target, rules)
    gap = int((after.starts_at - before.ends_at).total_seconds() // 60)
    if gap >= needed:
        return None
    return at_session(
        loaded,
        "VP102",
        f"{gap} min to get from {origin.name} ('{before.id}' ends {hm(before.ends_at)}) to "
        f"{target.name} ('{after.id}' starts {hm(after.starts_at)}); a group needs about "
        f"{needed} min",
        after,
        involved=[before],
        key="start",
        hint=f"start '{after.id}' at least {needed - gap} min later, or add a `travel` "
        "session for the move",
    )


def transfer_minutes(origin: Venue, target: Venue, rules: Rules) -> int:
    """Door-to-door minutes for a group: street distance at urban speed, plus overhead."""
    if origin.lat is None or origin.lon is None or target.lat is None or target.lon is None:
        return rules.default_transfer_minutes
    km = great_circle_km(origin.lat, origin.lon, target.lat, target.lon) * rules.detour_factor
    return round(km / rules.urban_speed_kmh * 60) + rules.transfer_overhead_minutes


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = radians(lat1), radians(lat2)
    dphi, dlambda = phi2 - phi1, radians(lon2 - lon1)
    a = sin(dphi / 2) ** 2 + cos(phi1) * cos(phi2) * sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * asin(sqrt(a))


def _other_city(origin: Venue, target: Venue) -> bool:
    """Both cities known and different (a venue without a city is taken as nearby)."""
    if not origin.city or not target.city:
        return False
    return origin.city.strip().casefold() != target.city.strip().casefold()
