"""``private/agenda.docx`` and ``private/agenda-public.docx``: the agenda for Word.

The public version lists participants only as counts by country and organisation, for
hosts who should not receive personal data. Content and order are those of
``agenda.md``. Each day is a Heading 1 with a table; the page turns to landscape when
the tables' longest words cannot fit side by side in portrait.
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


class WordAgenda:
    id: ClassVar[str] = "agenda-docx"
    name: ClassVar[str] = "Agenda (Word)"

    def render(self, visit: Visit, context: BuildContext) -> list[Path]:
        written = []
        for with_names, name in ((True, "agenda.docx"), (False, "agenda-public.docx")):
            agenda = build_agenda(visit, context.labels, with_names=with_names)
            target = context.path("private", name)
            write_agenda(agenda, context.labels, target)
            written.append(target)
        return written


def day_columns(agenda: Agenda, labels: Labels) -> tuple[list[str], list[list[str]]]:
    """The day tables' header and the text of each column over all days."""
    header = [labels("col.time"), labels("col.session"), labels("col.venue"), labels("col.hosts")]
    if agenda.has_interpretation:
        header.append(labels("col.interpretation"))
    columns: list[list[str]] = [[h] for h in header]
    for day in agenda.days:
        for row in day.rows:
            cells = _cells(row, agenda.has_interpretation)
            for column, text in zip(columns, cells, strict=True):
                column.append(text)
    return header, columns


def layout(agenda: Agenda, labels: Labels) -> tuple[bool, list[float]]:
    """Portrait when the day tables fit, else landscape; and the column widths."""
    from visitplan.exporters.word import fit_columns, text_width_pt

    _, columns = day_columns(agenda, labels)
    for landscape in (False, True):
        widths = fit_columns(columns, text_width_pt(landscape), fixed={0: TIME_COLUMN_PT})
        if widths is not None:
            return landscape, widths
    # Words longer than a landscape page (a pasted URL): share the width evenly.
    available = text_width_pt(True) - TIME_COLUMN_PT
    return True, [TIME_COLUMN_PT] + [available / (len(columns) - 1)] * (len(columns) - 1)


def write_agenda(agenda: Agenda, labels: Labels, target: Path) -> None:
    from docx.shared import Pt

    from visitplan.exporters import word

    landscape, widths = layout(agenda, labels)
    document = word.new_document(
        landscape=landscape, header=agenda.title, page_label=labels("page")
    )
    add = word.Paragraphs(document)
    add.add(agenda.title, "Title")
    for label, value in agenda.facts:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{label}: ").bold = True
        paragraph.add_run(value)
        paragraph.paragraph_format.space_after = Pt(0)
    word.add_contents(document, labels("contents"), _headings(agenda, labels), labels("toc_hint"))
    if agenda.description:
        document.add_paragraph(agenda.description)
    if agenda.objectives:
        add.heading(labels("section.objectives"), level=1)
        for objective in agenda.objectives:
            add.add(objective, "List Bullet")
    if agenda.guiding_question:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{labels('guiding_question')}: ").bold = True
        paragraph.add_run(agenda.guiding_question).italic = True
    header, _ = day_columns(agenda, labels)
    for day in agenda.days:
        add.heading(day.label, level=1)
        if not day.rows:
            document.add_paragraph(labels("free_day"))
            continue
        rows = [_rich_cells(row, agenda.has_interpretation) for row in day.rows]
        fills = [QUIET_FILL if row.quiet or row.cancelled else None for row in day.rows]
        word.add_table(document, header, rows, widths, fills)
    if agenda.hosts:
        add.heading(labels("section.hosts"), level=1)
        columns = [[labels("col.name")], [labels("col.level")], [labels("col.contact")]]
        for host in agenda.hosts:
            for column, text in zip(columns, host, strict=True):
                column.append(text)
        available = word.text_width_pt(landscape)
        host_widths = word.fit_columns(columns, available) or [available / 3] * 3
        word.add_table(document, [c[0] for c in columns], agenda.hosts, host_widths)
    if agenda.participants:
        add.heading(f"{labels('section.participants')} ({_count(agenda)})", level=1)
        if agenda.participants_note:
            document.add_paragraph(agenda.participants_note)
        columns = [[title] for title in agenda.participant_columns]
        for person in agenda.participants:
            for column, text in zip(columns, person, strict=True):
                column.append(text)
        available = word.text_width_pt(landscape)
        people_widths = word.fit_columns(columns, available) or [available / 3] * 3
        word.add_table(
            document, list(agenda.participant_columns), agenda.participants, people_widths
        )
    document.save(str(target))


def _count(agenda: Agenda) -> int:
    if agenda.participants_note:  # the public version: rows are counts
        return sum(int(row[2]) for row in agenda.participants)
    return len(agenda.participants)


def _headings(agenda: Agenda, labels: Labels) -> list[tuple[int, str]]:
    entries = []
    if agenda.objectives:
        entries.append((1, labels("section.objectives")))
    entries += [(1, day.label) for day in agenda.days]
    if agenda.hosts:
        entries.append((1, labels("section.hosts")))
    if agenda.participants:
        entries.append((1, f"{labels('section.participants')} ({_count(agenda)})"))
    return entries


def _cells(row: Any, interpretation: bool) -> list[str]:
    session = f"{row.title}\n{row.kind}" + (f" · {row.note}" if row.note else "")
    venue = row.venue + (f"\n{row.address}" if row.address else "")
    cells = [row.time, session, venue, row.hosts]
    if interpretation:
        cells.append(row.interpretation)
    return cells


def _rich_cells(row: AgendaRow, interpretation: bool) -> list[Any]:
    """The title in bold (travel, meals, breaks, free time not), cancelled struck through,
    the kind and notes in grey italics under it."""
    looks = {"bold"} if not row.quiet else set()
    if row.cancelled:
        looks.add("strike")
    detail = row.kind + (f" · {row.note}" if row.note else "")
    cells: list[Any] = _cells(row, interpretation)
    cells[1] = [(row.title, frozenset(looks)), ("\n" + detail, frozenset({"italic", "grey"}))]
    return cells
