"""``private/agenda.md``: the programme day by day, as Markdown for e-mails and wikis."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar

from visitplan.exporters import BuildContext
from visitplan.model import Session, SessionKind, SessionStatus, Visit
from visitplan.wording import KIND_LABELS, LEVEL_LABELS, date_range, day_label

# Characters that Markdown would read as markup, links, HTML or table cells.
_MARKUP = re.compile(r"([\\`*_\[\]<>#|~])")


def escape(text: str | None) -> str:
    """User text as inert Markdown: one line, no markup, no links, no HTML."""
    if not text:
        return ""
    one_line = " ".join(text.split())
    return _MARKUP.sub(r"\\\1", one_line)


class MarkdownAgenda:
    id: ClassVar[str] = "agenda-md"
    name: ClassVar[str] = "Agenda (Markdown)"

    def render(self, visit: Visit, context: BuildContext) -> list[Path]:
        target = context.path("private", "agenda.md")
        target.write_text("\n".join(agenda_lines(visit)) + "\n", encoding="utf-8")
        return [target]


def agenda_lines(visit: Visit) -> Iterable[str]:
    details = visit.details
    yield f"# {escape(details.title)}"
    yield ""
    facts = [
        ("Project", details.project),
        ("Organiser", details.organiser),
        ("Funder", details.funder),
        ("Dates", date_range(visit)),
        ("Cities", ", ".join(visit.cities()) or None),
    ]
    for label, value in facts:
        if value:
            yield f"- **{label}:** {escape(value)}"
    if details.description:
        yield ""
        yield escape(details.description)
    if details.objectives:
        yield ""
        yield "## Objectives"
        yield ""
        for objective in details.objectives:
            yield f"- {escape(objective.text)}"
    if details.guiding_question:
        yield ""
        yield f"**Guiding question:** {escape(details.guiding_question)}"
    for day, sessions in visit.sessions_by_day(include_cancelled=True).items():
        yield ""
        yield f"## {day_label(day)}"
        yield ""
        if not sessions:
            yield "No programme: free day."
            continue
        yield "| Time | Session | Venue | Hosts |"
        yield "| --- | --- | --- | --- |"
        for session in sessions:
            yield _session_row(visit, session)
    yield from _hosts(visit)
    yield from _participants(visit)


def _session_row(visit: Visit, session: Session) -> str:
    time_range = f"{session.start:%H:%M}–{session.end:%H:%M}"
    title = escape(session.title)
    label = KIND_LABELS[session.kind]
    if session.kind not in (SessionKind.MEETING,):
        title = f"{title} ({label.lower()})" if label.lower() not in title.lower() else title
    if session.status is SessionStatus.CANCELLED:
        title = f"~~{title}~~ (cancelled)"
    elif session.status is SessionStatus.TENTATIVE:
        title = f"{title} (to be confirmed)"
    if session.groups:
        names = [(g.name if (g := visit.group(gid)) else gid) for gid in session.groups]
        title += f"<br>*Group: {escape(', '.join(names))}*"
    venue = visit.venue(session.venue)
    place = ""
    if venue is not None:
        place = escape(venue.name)
        if venue.address:
            place += f"<br>{escape(venue.address)}"
    destination = visit.venue(session.destination)
    if destination is not None:
        place += f" → {escape(destination.name)}"
    hosts = ", ".join(
        escape(host.name) for hid in session.hosts if (host := visit.host(hid)) is not None
    )
    return f"| {time_range} | {title} | {place} | {hosts} |"


def _hosts(visit: Visit) -> Iterable[str]:
    if not visit.hosts:
        return
    yield ""
    yield "## Host institutions"
    yield ""
    for host in visit.hosts:
        line = f"- **{escape(host.name)}** ({LEVEL_LABELS[host.level].lower()})"
        contact = host.contact
        if contact is not None:
            parts = [contact.name, contact.role, contact.email, contact.phone]
            shown = ", ".join(escape(p) for p in parts if p)
            if shown:
                line += f" — {shown}"
        yield line


def _participants(visit: Visit) -> Iterable[str]:
    if not visit.participants:
        return
    yield ""
    yield f"## Participants ({len(visit.participants)})"
    yield ""
    yield "| Name | Organisation | Country |"
    yield "| --- | --- | --- |"
    for person in sorted(visit.participants, key=lambda p: (p.country or "", p.name)):
        yield f"| {escape(person.name)} | {escape(person.organisation)} | {person.country or ''} |"
