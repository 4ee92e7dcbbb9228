"""The agenda's content, once: the Markdown and Word agendas both render this.

So the two always hold the same content in the same order, in the visit's language.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from visitplan.labels import Labels
from visitplan.model import REST_KINDS, Session, SessionKind, SessionStatus, Visit
from visitplan.session_view import Place, session_view

# Kinds whose name tells the reader something the title may not: a meeting is the
# default, and a meal, break, transfer or free time is plain from its title and shading.
TELLING_KINDS = frozenset(
    {SessionKind.SITE_VISIT, SessionKind.WORKSHOP, SessionKind.REFLECTION, SessionKind.SOCIAL}
)


@dataclass
class AgendaRow:
    session_id: str
    time: str
    title: str
    hosts: str  # "Hosted by A and B", or ""
    details: str  # grey line: the kind where it tells something, status, group, language
    places: list[Place]  # one place, or where a trip starts and where it ends
    quiet: bool  # travel, meals, breaks, free time: shown, but set back
    cancelled: bool

    @property
    def travel(self) -> bool:
        return len(self.places) > 1


@dataclass
class AgendaDay:
    label: str
    rows: list[AgendaRow]


@dataclass
class ParticipantGroup:
    """The people (or, in the public version, the organisations) of one country."""

    country: str
    rows: list[tuple[str, ...]]


@dataclass
class Agenda:
    title: str
    facts: list[tuple[str, str]]
    description: str
    objectives: list[str]
    guiding_question: str
    days: list[AgendaDay]
    host_columns: list[str]
    hosts: list[tuple[str, ...]]  # name, level and, when any host has one, contact
    participant_columns: tuple[str, ...]
    participant_groups: list[ParticipantGroup]
    participants_note: str = ""
    participant_count: int = 0
    organiser: str = ""
    subject: str = ""
    language: str = "en"

    @property
    def participants(self) -> list[tuple[str, ...]]:
        return [row for group in self.participant_groups for row in group.rows]


def build_agenda(visit: Visit, labels: Labels, *, with_names: bool = True) -> Agenda:
    details = visit.details
    cities = visit.cities()
    facts = [
        (labels("Project"), details.project or ""),
        (labels("Organiser"), details.organiser or ""),
        (labels("Funded by"), details.funder or ""),
        (labels("Dates"), labels.date_range(details.start_date, details.end_date)),
        (labels.plural("City", "Cities", min(len(cities), 2)), ", ".join(cities)),
    ]
    days = [
        AgendaDay(labels.full_date(day), [_row(visit, labels, s) for s in sessions])
        for day, sessions in visit.sessions_by_day(include_cancelled=True).items()
    ]
    host_rows: list[tuple[str, ...]] = []
    for host in visit.hosts:
        contact = host.contact
        parts = [contact.name, contact.role, contact.email, contact.phone] if contact else []
        host_rows.append((host.name, labels.level(host.level), ", ".join(p for p in parts if p)))
    host_columns = [labels.pgettext("institution", "Name"), labels("Level"), labels("Contact")]
    if not any(row[2] for row in host_rows):
        host_columns = host_columns[:2]
        host_rows = [row[:2] for row in host_rows]
    by_country: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    if with_names:
        columns: tuple[str, ...] = (
            labels("Name"),
            labels("Role"),
            labels("Organisation"),
        )
        for p in visit.participants:
            by_country[labels.country(p.country)].append(
                (p.name, p.role or "", p.organisation or "")
            )
        for rows in by_country.values():
            rows.sort(key=lambda row: (labels.sort_key(row[2]), labels.sort_key(row[0])))
        note = ""
    else:
        columns = (labels("Organisation"), labels("Participants"))
        counts = Counter(
            (labels.country(p.country), p.organisation or "") for p in visit.participants
        )
        for (country, organisation), n in counts.items():
            by_country[country].append((organisation, str(n)))
        for rows in by_country.values():
            rows.sort(key=lambda row: labels.sort_key(row[0]))
        note = labels(
            "Participants by country and organisation; names are not shared in this version."
        )
    groups = [
        ParticipantGroup(country, by_country[country])
        for country in sorted(by_country, key=labels.sort_key)
    ]
    return Agenda(
        title=details.title,
        facts=[(label, value) for label, value in facts if value],
        description=" ".join((details.description or "").split()),
        objectives=[" ".join(o.text.split()) for o in details.objectives],
        guiding_question=" ".join((details.guiding_question or "").split()),
        days=days,
        host_columns=host_columns,
        hosts=host_rows,
        participant_columns=columns,
        participant_groups=groups,
        participants_note=note,
        participant_count=len(visit.participants),
        organiser=details.organiser or "",
        subject=details.project or "",
        language=details.language,
    )


def _row(visit: Visit, labels: Labels, session: Session) -> AgendaRow:
    view = session_view(visit, session, labels)
    notes = []
    if session.kind in TELLING_KINDS and view.kind.casefold() not in session.title.casefold():
        notes.append(view.kind)
    notes += [note for note in (view.status, view.groups, view.language) if note]
    return AgendaRow(
        session_id=session.id,
        time=view.time,
        title=session.title,
        hosts=view.hosted_by,
        details=" · ".join(notes),
        places=list(view.places),
        quiet=session.kind in REST_KINDS or session.kind is SessionKind.TRAVEL,
        cancelled=session.status is SessionStatus.CANCELLED,
    )
