"""The agenda's content, once: the Markdown and Word agendas both render this.

So the two always hold the same content in the same order, in the visit's language.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from visitplan.labels import Labels
from visitplan.model import REST_KINDS, Session, SessionKind, SessionStatus, Visit


@dataclass
class AgendaRow:
    session_id: str
    time: str
    title: str
    kind: str  # the localised kind label
    note: str  # status and group, e.g. "to be confirmed · Group: A"
    venue: str
    address: str
    hosts: str
    interpretation: str
    quiet: bool  # travel, meals, breaks, free time: shown, but set back
    cancelled: bool


@dataclass
class AgendaDay:
    label: str
    rows: list[AgendaRow]


@dataclass
class Agenda:
    title: str
    facts: list[tuple[str, str]]
    description: str
    objectives: list[str]
    guiding_question: str
    days: list[AgendaDay]
    hosts: list[tuple[str, str, str]]  # name, level, contact
    participant_columns: tuple[str, str, str]
    participants: list[tuple[str, str, str]]  # name, organisation, country (or counts)
    participants_note: str = ""
    has_interpretation: bool = field(default=False)


def build_agenda(visit: Visit, labels: Labels, *, with_names: bool = True) -> Agenda:
    details = visit.details
    facts = [
        (labels("fact.project"), details.project or ""),
        (labels("fact.organiser"), details.organiser or ""),
        (labels("fact.funder"), details.funder or ""),
        (labels("fact.dates"), labels.date_range(details.start_date, details.end_date)),
        (labels("fact.cities"), ", ".join(visit.cities())),
    ]
    days = [
        AgendaDay(labels.full_date(day), [_row(visit, labels, s) for s in sessions])
        for day, sessions in visit.sessions_by_day(include_cancelled=True).items()
    ]
    hosts = []
    for host in visit.hosts:
        contact = host.contact
        parts = [contact.name, contact.role, contact.email, contact.phone] if contact else []
        hosts.append((host.name, labels.level(host.level), ", ".join(p for p in parts if p)))
    if with_names:
        columns = (labels("col.name"), labels("col.organisation"), labels("col.country"))
        people = sorted(
            ((p.name, p.organisation or "", labels.country(p.country)) for p in visit.participants),
            key=lambda row: (labels.sort_key(row[2]), labels.sort_key(row[1]), row[0]),
        )
        note = ""
    else:
        columns = (labels("col.country"), labels("col.organisation"), labels("col.count"))
        counts = Counter(
            (labels.country(p.country), p.organisation or "") for p in visit.participants
        )
        people = sorted(
            ((country, org, str(n)) for (country, org), n in counts.items()),
            key=lambda row: (labels.sort_key(row[0]), labels.sort_key(row[1])),
        )
        note = labels("participants_public_note")
    return Agenda(
        title=details.title,
        facts=[(label, value) for label, value in facts if value],
        description=" ".join((details.description or "").split()),
        objectives=[" ".join(o.text.split()) for o in details.objectives],
        guiding_question=" ".join((details.guiding_question or "").split()),
        days=days,
        hosts=hosts,
        participant_columns=columns,
        participants=people,
        participants_note=note,
        has_interpretation=any(s.language or s.interpretation for s in visit.sessions),
    )


def _row(visit: Visit, labels: Labels, session: Session) -> AgendaRow:
    venue = visit.venue(session.venue)
    destination = visit.venue(session.destination)
    place = venue.name if venue else ""
    if destination is not None:
        place = f"{place} → {destination.name}" if place else destination.name
    address = ", ".join(p for p in (venue.address, venue.city) if p) if venue else ""
    notes = []
    if session.status is SessionStatus.CANCELLED:
        notes.append(labels("status.cancelled"))
    elif session.status is SessionStatus.TENTATIVE:
        notes.append(labels("status.tentative"))
    if session.groups:
        names = [(g.name if (g := visit.group(gid)) else gid) for gid in session.groups]
        notes.append(f"{labels('group')}: {', '.join(names)}")
    interpretation = ""
    if session.language:
        interpretation = labels.language_name(session.language)
        if session.interpretation:
            targets = ", ".join(labels.language_name(code) for code in session.interpretation)
            interpretation += f" → {targets}"
    hosts = [h.name for hid in session.hosts if (h := visit.host(hid)) is not None]
    return AgendaRow(
        session_id=session.id,
        time=f"{session.start:%H:%M}–{session.end:%H:%M}",
        title=session.title,
        kind=labels.kind(session.kind),
        note=" · ".join(notes),
        venue=place,
        address=address,
        hosts=", ".join(hosts),
        interpretation=interpretation,
        quiet=session.kind in REST_KINDS or session.kind is SessionKind.TRAVEL,
        cancelled=session.status is SessionStatus.CANCELLED,
    )
