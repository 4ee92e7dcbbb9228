"""A session as every output shows it, in the visit's language: built once per session.

The agendas, the web page and the calendar feeds all say the same things about a
session (its kind, status, place, hosts, groups, language and interpretation); each
phrase is made here, so that it exists once and reads the same everywhere.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from visitplan.labels import Labels
from visitplan.model import Session, SessionStatus, Venue, Visit

# "00184 Roma", "4620-123 Lousada", "SW1A 1AA London": the address already names a place.
_POSTCODE_PLACE = re.compile(r"\b\d{4,5}(?:-\d{3})?\s+\w|\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b")


@dataclass(frozen=True)
class Place:
    """A venue as the outputs show it: its name, and its address with the city when the
    address does not already say it."""

    name: str
    address: str

    @property
    def line(self) -> str:
        return f"{self.name}, {self.address}" if self.address else self.name


@dataclass(frozen=True)
class SessionView:
    session: Session
    kind: str  # "Site visit"
    status: str  # "", "to be confirmed" or "cancelled"
    places: tuple[Place, ...]  # where it is; for travel, from where and to where
    hosts: tuple[str, ...]
    hosted_by: str  # "Hosted by A and B", or ""
    groups: str  # "Group: A, B", or "" when it is for everyone
    language: str  # "In Italian, interpreted into English", or ""
    time: str  # "09:30–11:00", local to the venue


def place_of(venue: Venue) -> Place:
    """The venue's name and address, the city added only when the address lacks it."""
    address = venue.address or ""
    city = venue.city or ""
    if city and not _names_a_place(address, city):
        address = f"{address}, {city}" if address else city
    return Place(venue.name, address)


def _names_a_place(address: str, city: str) -> bool:
    def plain(text: str) -> str:
        decomposed = unicodedata.normalize("NFKD", text.casefold())
        return "".join(c for c in decomposed if not unicodedata.combining(c))

    return plain(city) in plain(address) or bool(_POSTCODE_PLACE.search(address))


def session_view(visit: Visit, session: Session, labels: Labels) -> SessionView:
    places = tuple(
        place_of(v)
        for v in (visit.venue(session.venue), visit.venue(session.destination))
        if v is not None
    )
    status = {
        SessionStatus.TENTATIVE: labels("to be confirmed"),
        SessionStatus.CANCELLED: labels("cancelled"),
    }.get(session.status, "")
    groups = ""
    if session.groups:
        names = [(g.name if (g := visit.group(gid)) else gid) for gid in session.groups]
        groups = labels.colon(labels("Group")) + " " + ", ".join(names)
    hosts = tuple(h.name for hid in session.hosts if (h := visit.host(hid)) is not None)
    return SessionView(
        session=session,
        kind=labels.kind(session.kind),
        status=status,
        places=places,
        hosts=hosts,
        hosted_by=labels("Hosted by {hosts}", hosts=labels.join(list(hosts))) if hosts else "",
        groups=groups,
        language=language_line(session, labels),
        time=f"{session.start:%H:%M}–{session.end:%H:%M}",
    )


def language_line(session: Session, labels: Labels) -> str:
    """ "In Italian, interpreted into English", with CLDR's names of the languages."""
    if not session.language:
        return ""
    language = labels.language_name(session.language)
    if not session.interpretation:
        return labels("In {language}", language=language)
    targets = labels.join([labels.language_name(code) for code in session.interpretation])
    return labels("In {language}, interpreted into {targets}", language=language, targets=targets)
