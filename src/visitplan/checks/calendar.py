"""Calendar: sessions on public holidays where the venue is, unconfirmed sessions, and
times that happen twice when the clocks go back.

Holidays come from the ``holidays`` package, by the venue's country and region;
each (country, region) is looked up once for the visit's years.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from visitplan.checks.base import at_item, at_participant, at_session, day_name
from visitplan.findings import Finding
from visitplan.load import Loaded
from visitplan.model import SessionStatus, wall_time


def country_class(code: str) -> Any:
    """The ``holidays`` class of one country, or None when the package has none.

    ``holidays.country_holidays`` imports the package ``holidays.countries``, whose
    ``__init__`` imports all 250 countries (a quarter of a second, on every check);
    here only the one country's module is executed. Names are matched as
    ``country_holidays`` matches them: the class name, the ISO codes and the aliases.
    """
    import holidays
    from holidays.registry import COUNTRIES

    found_module = next((m for m, names in COUNTRIES.items() if code in names), None)
    if found_module is None:
        return None
    names = COUNTRIES[found_module]
    name = f"holidays.countries.{found_module}"
    found = sys.modules.get(name)
    if found is None:
        path = Path(holidays.__file__).with_name("countries") / f"{found_module}.py"
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None or "holidays.countries" in path.read_text("utf-8"):
            # A country built on another one (Aland Islands on Finland) goes the usual way.
            found = importlib.import_module(name)
        else:
            found = importlib.util.module_from_spec(spec)
            sys.modules[name] = found
            try:
                spec.loader.exec_module(found)
            except BaseException:
                del sys.modules[name]
                raise
    return getattr(found, names[0])


def check_holidays(loaded: Loaded) -> Iterator[Finding]:
    import holidays

    visit = loaded.visit
    years = list(range(visit.details.start_date.year, visit.details.end_date.year + 1))
    cache: dict[tuple[str, str | None], Any] = {}

    def lookup(country: str, region: str | None) -> Any:
        if (country, region) not in cache:
            try:
                entity = country_class(country)
                if entity is None:
                    found = holidays.country_holidays(country, subdiv=region, years=years)
                else:
                    found = entity(years=years, subdiv=region)
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


def check_ambiguous_times(loaded: Loaded) -> Iterator[Finding]:
    """Times in the hour the clocks go back over: they happen twice, and calendars take
    the first. (A time the clocks skip is an error when the file is read.)"""
    visit = loaded.visit

    def said(moment: datetime) -> str:
        return (
            f"{moment:%H:%M} on {moment:%Y-%m-%d} happens twice in {moment.tzinfo} (the "
            "clocks go back that night); calendars show the first, in summer time"
        )

    for session in visit.sessions:
        for key, moment in (("start", session.starts_at), ("end", session.ends_at)):
            if wall_time(moment) == "fold":
                yield at_session(
                    loaded, "VP016", f"'{session.id}' {key}s at {said(moment)}", session, key=key
                )
    for person in visit.participants:
        travel: list[tuple[str, datetime | None, bool]] = [
            ("arrival", person.arrival, person.arrival_is_date),
            ("departure", person.departure, person.departure_is_date),
        ]
        for key, when, date_only in travel:
            if when is not None and not date_only and wall_time(when) == "fold":
                yield at_participant(
                    loaded, "VP016", f"'{person.id}' {key}: {said(when)}", person, key=key
                )
