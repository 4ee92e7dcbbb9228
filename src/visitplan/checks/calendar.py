"""Calendar: sessions on public holidays where the venue is, and unconfirmed sessions.

Holidays come from the ``holidays`` package, by the venue's country and region;
each (country, region) is looked up once for the visit's years.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from visitplan.checks.base import at_item, at_session, day_name
from visitplan.findings import Finding
from visitplan.load import Loaded
from visitplan.model import SessionStatus


def check_holidays(loaded: Loaded) -> Iterator[Finding]:
    import holidays

    visit = loaded.visit
    years = list(range(visit.details.start_date.year, visit.details.end_date.year + 1))
    cache: dict[tuple[str, str | None], Any] = {}

    def lookup(country: str, region: str | None) -> Any:
        if (country, region) not in cache:
            try:
                found = holidays.country_holidays(country, subdiv=region, years=years)
            except NotImplementedError:
                found = None
            cache[(country, region)] = found
        return cache[(country, region)]

    for place in visit.venues:
        country = place.country or visit.details.country
        if place.region and lookup(country, place.region) is None:
            yield at_item(
                loaded,
                "VP163",
                f"venue '{place.id}': region '{place.region}' is not known for {country}; "
                "only national holidays are checked there",
                "venues",
                place.id,
            )
    for session in visit.active_sessions():
        venue = visit.venue(session.venue)
        country = (venue.country if venue else None) or visit.details.country
        region = venue.region if venue else None
        found: dict[date, str] = lookup(country, region) or lookup(country, None) or {}
        name = found.get(session.date)
        if name:
            where = (venue.city or venue.name) if venue else country
            yield at_session(
                loaded,
                "VP161",
                f"'{session.id}' is on {day_name(session.starts_at)}, a public holiday in "
                f"{where} ({country}): {name}",
                session,
                key="date",
            )


def check_tentative(loaded: Loaded) -> Iterator[Finding]:
    for session in loaded.visit.sessions:
        if session.status is SessionStatus.TENTATIVE:
            yield at_session(
                loaded, "VP162", f"'{session.id}' is not confirmed yet", session, key="status"
            )
