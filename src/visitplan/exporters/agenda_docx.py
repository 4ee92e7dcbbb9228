"""``private/agenda.docx`` and ``private/agenda-public.docx``: the agenda for Word.

The public version lists participants only as counts by country and organisation, for
hosts who should not receive personal data. Content and order are those of
``agenda.md``. Each day is a Heading 1 with a table of three columns (time; session
with its hosts; venue with its address); the page turns to landscape when the
tables' longest words cannot fit side by side in portrait. A document of fewer than
about six pages has no contents list.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from visitplan.agenda import Agenda, AgendaRow, build_agenda
from visitplan.exporters import BuildContext
from visitplan.labels import Labels
from visitplan.model import Visit

# "09:30–11:00" at 10 pt, with cell padding and room for a wider substitute font.
TIME_COLUMN_PT = 74.0
QUIET_FILL = "F2F2F2"
GROUP_FILL = "E8ECF2"
CONTENTS_FROM_PAGES = 6
# Rough measures for the page estimate: lines on an A4 page, lines of a table row.
LINES_PER_PAGE = 46
CHARS_PER_LINE = 90


class WordAgenda:
    id: ClassVar[str] = "agenda-docx"
    name: ClassVar[str] = "Agenda (Word)"

    def render(self, visit: Visit, context: BuildContext) -> list[Path]:
        from visitplan.exporters._docx import frame_of

        written = []
        for with_names, name in ((True, "agenda.docx"), (False, "agenda-public.docx")):
            agenda = build_agenda(visit, context.labels, with_names=with_names)
            target = context.path("private", name)
            frame = frame_of(visit, context, context.labels("Programme"))
            write_agenda(agenda, context.labels, target, frame)
            written.append(target)
        return written


def day_columns(agenda: Agenda, labels: Labels) -> tuple[list[str], list[list[str]]]:
    """The day tables' header and the text of each column over all days."""
    header = [labels("Time"), labels("Session"), labels("Venue")]
    columns: list[list[str]] = [[h] for h in header]
    for day in agenda.days:
        for row in day.rows:
            for column, text in zip(columns, _cells(row), strict=True):
                column.append(text)
    return header, columns


def layout(agenda: Agenda, labels: Labels) -> tuple[bool, list[float]]:
    """Portrait when the day tables fit, else landscape; and the column widths."""
    from visitplan.exporters._docx import fit_columns, text_width_pt

    _, columns = day_columns(agenda, labels)
    for landscape in (False, True):
        widths = fit_columns(columns, text_width_pt(landscape), fixed={0: TIME_COLUMN_PT})
        if widths is not None:
            return landscape, widths
    # Words longer than a landscape page (a pasted URL): share the width evenly.
    available = text_width_pt(True) - TIME_COLUMN_PT
    return True, [TIME_COLUMN_PT] + [available / (len(columns) - 1)] * (len(columns) - 1)


def estimated_pages(agenda: Agenda) -> float:
    """About how many pages the agenda fills: enough to tell a short one from a long one."""

    def lines(text: str) -> int:
        return sum(1 + len(part) // CHARS_PER_LINE for part in text.split("\n"))

    total: float = 12 + lines(agenda.description) + sum(lines(o) for o in agenda.objectives)
    for day in agenda.days:
        total += 3
        total += sum(max(lines(cell) for cell in _cells(row)[1:]) + 0.4 for row in day.rows)
    total += 3 + len(agenda.hosts) * 1.5
    total += 3 + len(agenda.participants) + len(agenda.participant_groups)
    return total / LINES_PER_PAGE


def write_agenda(agenda: Agenda, labels: Labels, target: Path, frame: Any) -> None:
    from docx.shared import Pt

    from visitplan.exporters import _docx as word

    landscape, widths = layout(agenda, labels)
    document = word.new_document(landscape=landscape, frame=frame)
    add = word.Paragraphs(document)
    add.add(agenda.title, "Title")
    word.add_version(document, frame)
    for label, value in agenda.facts:
        paragraph = document.add_paragraph()
        paragraph.add_run(labels.colon(label) + " ").bold = True
        paragraph.add_run(value)
        paragraph.paragraph_format.space_after = Pt(0)
    if estimated_pages(agenda) >= CONTENTS_FROM_PAGES:
        word.add_contents(document, labels("Contents"), _headings(agenda, labels))
    if agenda.description:
        document.add_paragraph(agenda.description).paragraph_format.space_before = Pt(8)
    if agenda.objectives:
        add.heading(labels("Objectives"), level=1)
        for objective in agenda.objectives:
            add.add(objective, "List Bullet")
    if agenda.guiding_question:
        paragraph = document.add_paragraph()
        paragraph.add_run(labels.colon(labels("Guiding question")) + " ").bold = True
        paragraph.add_run(agenda.guiding_question).italic = True
    header, _ = day_columns(agenda, labels)
    for day in agenda.days:
        add.heading(day.label, level=1)
        if not day.rows:
            document.add_paragraph(labels("No programme: free day."))
            continue
        day_rows = [_rich_cells(row) for row in day.rows]
        day_fills: list[str | None] = [
            QUIET_FILL if row.quiet or row.cancelled else None for row in day.rows
        ]
        word.add_table(document, header, day_rows, widths, day_fills)
    available = word.text_width_pt(landscape)
    if agenda.hosts:
        add.heading(labels("Host institutions"), level=1)
        columns = [[title] for title in agenda.host_columns]
        for host in agenda.hosts:
            for column, text in zip(columns, host, strict=True):
                column.append(text)
        share = [available / len(columns)] * len(columns)
        host_widths = word.fit_columns(columns, available) or share
        word.add_table(document, agenda.host_columns, agenda.hosts, host_widths)
    if agenda.participants:
        add.heading(labels("Participants") + f" ({_count(agenda)})", level=1)
        if agenda.participants_note:
            document.add_paragraph(agenda.participants_note)
        columns = [[title] for title in agenda.participant_columns]
        for person in agenda.participants:
            for column, text in zip(columns, person, strict=True):
                column.append(text)
        share = [available / len(columns)] * len(columns)
        people_widths = word.fit_columns(columns, available) or share
        rows: list[Any] = []
        fills: list[str | None] = []
        for group in agenda.participant_groups:
            rows.append([[(group.country or "—", frozenset({"bold"}))]])
            fills.append(GROUP_FILL)
            rows += [list(r) for r in group.rows]
            fills += [None] * len(group.rows)
        word.add_table(document, list(agenda.participant_columns), rows, people_widths, fills)
    document.save(str(target))


def _count(agenda: Agenda) -> int:
    if agenda.participants_note:  # the public version: rows are counts
        return sum(int(row[-1]) for row in agenda.participants)
    return len(agenda.participants)


def _headings(agenda: Agenda, labels: Labels) -> list[tuple[int, str]]:
    entries = []
    if agenda.objectives:
        entries.append((1, labels("Objectives")))
    entries += [(1, day.label) for day in agenda.days]
    if agenda.hosts:
        entries.append((1, labels("Host institutions")))
    if agenda.participants:
        entries.append((1, labels("Participants") + f" ({_count(agenda)})"))
    return entries


def _cells(row: AgendaRow) -> list[str]:
    session = "\n".join(p for p in (row.title, row.hosts, row.details) if p)
    venue = "\n".join(
        ("→ " if n else "") + "\n".join(p for p in (place.name, place.address) if p)
        for n, place in enumerate(row.places)
    )
    return [row.time, session, venue]


def _rich_cells(row: AgendaRow) -> list[Any]:
    """The title in bold (travel, meals, breaks, free time not), cancelled struck
    through; the hosts under it; the kind, status and language in grey italics; each
    place with its own address in grey."""
    looks = {"bold"} if not row.quiet else set()
    if row.cancelled:
        looks.add("strike")
    session: list[tuple[str, frozenset[str]]] = [(row.title, frozenset(looks))]
    if row.hosts:
        session.append(("\n" + row.hosts, frozenset()))
    if row.details:
        session.append(("\n" + row.details, frozenset({"italic", "grey"})))
    venue: list[tuple[str, frozenset[str]]] = []
    for n, place in enumerate(row.places):
        venue.append((("\n→ " if n else "") + place.name, frozenset()))
        if place.address:
            venue.append(("\n" + place.address, frozenset({"grey"})))
    return [row.time, session, venue]
