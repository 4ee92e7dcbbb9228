"""``private/participants.xlsx``: the organisers' workbook.

Sheets: Participants (a filterable table), Summary (counts), Catering & access (needs
per day and venue), one print-ready Attendance sheet per programme day with a
signature column per session (the evidence funders ask for), Travel & stay, Hosts and
Feeds (personal calendar links). Written in openpyxl's write-only mode; every piece of
text is stored as text, so nothing typed into a form ever becomes a formula.
"""

from __future__ import annotations

import warnings
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

from visitplan.exporters import BuildContext
from visitplan.exporters.ics import feed_path
from visitplan.model import PROGRAMME_KINDS, Participant, Session, SessionKind, Visit
from visitplan.text import without_control_characters
from visitplan.timeline import group_sessions

SIGNED_KINDS = PROGRAMME_KINDS | {SessionKind.SOCIAL}
CATERED_KINDS = frozenset({SessionKind.MEAL, SessionKind.BREAK, SessionKind.SOCIAL})
HEADER_FILL = "DDE4EE"


class ParticipantsWorkbook:
    id: ClassVar[str] = "participants-xlsx"
    name: ClassVar[str] = "Participants workbook (Excel)"

    def render(self, visit: Visit, context: BuildContext) -> list[Path]:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        writer = _Writer(workbook)
        attendance = Attendance(visit)
        _participants(writer, visit, context)
        _summary(writer, visit, context)
        _catering(writer, visit, context, attendance)
        for day in programme_days(visit):
            _attendance(writer, visit, context, day, attendance)
        _travel(writer, visit)
        _hosts(writer, visit, context)
        _feeds(writer, visit, context)
        target = context.path("private", "participants.xlsx")
        workbook.save(target)
        return [target]


def programme_days(visit: Visit) -> list[date]:
    return sorted({s.date for s in visit.active_sessions() if s.kind in SIGNED_KINDS})


class Attendance:
    """Who attends what, per day: computed once, so each sheet is linear in its rows."""

    def __init__(self, visit: Visit) -> None:
        self.members: dict[str | None, list[Participant]] = defaultdict(list)
        for person in visit.participants:
            self.members[person.group].append(person)
        self.by_day: dict[str | None, dict[date, set[str]]] = {}
        for group, timeline in group_sessions(visit).items():
            days: dict[date, set[str]] = defaultdict(set)
            for session in timeline:
                days[session.date].add(session.id)
            self.by_day[group] = days

    def groups_at(self, day: date, session_ids: set[str]) -> list[str | None]:
        return [g for g, days in self.by_day.items() if days.get(day, set()) & session_ids]

    def people_at(self, day: date, session_ids: set[str]) -> list[Participant]:
        """Participants present on ``day`` whose group attends any of ``session_ids``."""
        return [
            p
            for g in self.groups_at(day, session_ids)
            for p in self.members.get(g, [])
            if present_on(p, day)
        ]

    def of(self, person: Participant, day: date) -> set[str]:
        return self.by_day.get(person.group, {}).get(day, set())


def present_on(person: Participant, day: date) -> bool:
    if person.arrival is not None and person.arrival.date() > day:
        return False
    return not (person.departure is not None and person.departure.date() < day)


class _Writer:
    """Write-only sheets with styled headers and text that stays text."""

    def __init__(self, workbook: Any) -> None:
        from openpyxl.styles import Alignment, Font, PatternFill

        self.workbook = workbook
        self.bold = Font(bold=True)
        self.title = Font(bold=True, size=14)
        self.fill = PatternFill("solid", fgColor=HEADER_FILL)
        self.wrap = Alignment(wrap_text=True, vertical="top")
        self.grey = PatternFill("solid", fgColor="EEEEEE")

    def sheet(self, title: str, widths: Sequence[float], freeze: str | None = None) -> Any:
        """A new sheet; its settings come first, as write-only sheets require."""
        from openpyxl.utils import get_column_letter

        sheet = self.workbook.create_sheet(title[:31])
        if freeze:
            sheet.freeze_panes = freeze
        # Printable as it is: A4, as wide as the page, as many pages down as needed.
        sheet.page_setup.paperSize = "9"
        sheet.page_setup.orientation = "landscape" if sum(widths) > 100 else "portrait"
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        for n, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(n)].width = width
        return sheet

    def cell(
        self,
        sheet: Any,
        value: Any,
        *,
        bold: bool = False,
        header: bool = False,
        wrap: bool = False,
        grey: bool = False,
        title: bool = False,
    ) -> Any:
        from openpyxl.cell import WriteOnlyCell

        if isinstance(value, datetime):
            value = value.replace(tzinfo=None)
        if isinstance(value, str) and not value.isprintable():
            value = without_control_characters(value)  # XML cannot hold them
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            cell.data_type = "s"  # never a formula, whatever the text starts with
        if bold or header:
            cell.font = self.bold
        if title:
            cell.font = self.title
        if header:
            cell.fill = self.fill
        if wrap:
            cell.alignment = self.wrap
        if grey:
            cell.fill = self.grey
        if isinstance(value, datetime):
            cell.number_format = "yyyy-mm-dd hh:mm"
        return cell

    def row(self, sheet: Any, values: Iterable[Any], **style: bool) -> None:
        if style:
            sheet.append([self.cell(sheet, v, **style) for v in values])
        else:  # the fast path: plain values, no style to hash per cell
            sheet.append([self.plain(sheet, v) for v in values])

    def plain(self, sheet: Any, value: Any) -> Any:
        """A value as openpyxl writes it fastest; text that looks like a formula is
        still stored as text."""
        if isinstance(value, str):
            if not value:
                return None  # an empty cell is no cell: much less to write
            if value.startswith("=") or not value.isprintable():
                return self.cell(sheet, value)
            return value
        if isinstance(value, datetime):
            return value.replace(tzinfo=None)
        return value

    def table(self, sheet: Any, name: str, headers: Sequence[str], rows: int) -> None:
        """An Excel table with filters over the header and ``rows`` data rows."""
        from openpyxl.utils import get_column_letter
        from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

        last = get_column_letter(len(headers))
        table = Table(displayName=name, ref=f"A1:{last}{rows + 1}")
        table.tableColumns = [TableColumn(id=n, name=h) for n, h in enumerate(headers, 1)]
        table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
        from openpyxl.worksheet.filters import AutoFilter

        table.autoFilter = AutoFilter(ref=f"A1:{last}{rows + 1}")
        with warnings.catch_warnings():
            # openpyxl warns in write-only mode that columns must be set; they are.
            warnings.simplefilter("ignore", UserWarning)
            sheet.add_table(table)


def _yes(flag: bool | None) -> str:
    return "yes" if flag else ""


def _participants(writer: _Writer, visit: Visit, context: BuildContext) -> None:
    labels = context.labels
    headers = [
        "ID",
        "Name",
        "Organisation",
        "Role",
        "Country",
        "Email",
        "Phone",
        "Group",
        "Arrival",
        "Departure",
        "Dietary",
        "Accessibility",
        "Step-free",
        "Languages",
        "Migrant participant",
        "Public listing",
    ]
    sheet = writer.sheet(
        "Participants",
        [18, 28, 28, 22, 14, 28, 18, 12, 17, 17, 18, 24, 10, 14, 12, 12],
        freeze="C2",
    )
    writer.row(sheet, headers, header=True)
    for person in visit.participants:
        writer.row(
            sheet,
            [
                person.id,
                person.name,
                person.organisation,
                person.role,
                labels.country(person.country),
                person.email,
                person.phone,
                person.group,
                person.arrival,
                person.departure,
                person.dietary,
                person.accessibility,
                _yes(person.step_free),
                ", ".join(person.languages),
                _yes(person.migrant),
                _yes(person.public),
            ],
        )
    if visit.participants:
        writer.table(sheet, "Participants", headers, len(visit.participants))


def _summary(writer: _Writer, visit: Visit, context: BuildContext) -> None:
    labels = context.labels
    sheet = writer.sheet("Summary", [40, 12])
    writer.row(sheet, [visit.details.title], title=True)
    writer.row(sheet, [f"{len(visit.participants)} participants"])
    blocks = [
        (
            "Country",
            Counter(labels.country(p.country) or "(not given)" for p in visit.participants),
        ),
        ("Organisation", Counter(p.organisation or "(not given)" for p in visit.participants)),
        (
            "Group",
            Counter(
                (g.name if (g := visit.group(p.group or "")) else p.group) or "(everyone)"
                for p in visit.participants
            ),
        ),
        ("Role", Counter(p.role or "(not given)" for p in visit.participants)),
    ]
    for title, counts in blocks:
        sheet.append([])
        writer.row(sheet, [title, "Participants"], header=True)
        for name, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
            writer.row(sheet, [name, count])


def _catering(writer: _Writer, visit: Visit, context: BuildContext, attendance: Attendance) -> None:
    """Per day and venue: how many people, which diets, which access needs."""
    sheet = writer.sheet("Catering & access", [16, 34, 30, 11, 34, 40], freeze="A2")
    writer.row(
        sheet,
        ["Date", "Sessions", "Venue", "People", "Dietary needs", "Accessibility needs"],
        header=True,
    )
    by_slot: dict[tuple[date, str], list[Session]] = defaultdict(list)
    for session in visit.active_sessions():
        venue = visit.venue(session.venue)
        by_slot[(session.date, venue.name if venue else "")].append(session)
    for (day, venue_name), sessions in sorted(by_slot.items()):
        people = attendance.people_at(day, {s.id for s in sessions})
        diets = Counter(p.dietary for p in people if p.dietary)
        access = [f"{p.name}: {p.accessibility}" for p in people if p.accessibility]
        access += [
            f"{p.name}: step-free access" for p in people if p.step_free and not p.accessibility
        ]
        writer.row(
            sheet,
            [
                context.labels.full_date(day),
                "; ".join(f"{s.start:%H:%M} {s.title}" for s in sessions),
                venue_name,
                len(people),
                "; ".join(f"{need}: {n}" for need, n in sorted(diets.items())),
                "; ".join(access),
            ],
            wrap=True,
        )


def attendance_slots(sessions: list[Session]) -> list[tuple[str, list[Session]]]:
    """The day's signature columns: one per time slot; parallel group sessions share one."""
    slots: dict[tuple[Any, Any], list[Session]] = defaultdict(list)
    for session in sessions:
        slots[(session.start, session.end)].append(session)
    columns = []
    for (start, end), held in sorted(slots.items(), key=lambda item: item[0]):
        titles = list(dict.fromkeys(s.title for s in held))
        if len(titles) == 1:
            label = f"{start:%H:%M} {titles[0]}"
        else:
            shown = ", ".join(titles[:3]) + (", ..." if len(titles) > 3 else "")
            label = f"{start:%H:%M}–{end:%H:%M} by group: {shown}"
        columns.append((label, held))
    return columns


def _attendance(
    writer: _Writer, visit: Visit, context: BuildContext, day: date, attendance: Attendance
) -> None:
    """A print-ready sign-in sheet: one row per expected person, one signature column
    per time slot of the day (parallel sessions of different groups share a column)."""
    sessions = [s for s in visit.sessions_by_day().get(day, []) if s.kind in SIGNED_KINDS]
    slots = attendance_slots(sessions)
    labels = context.labels
    people = sorted(
        attendance.people_at(day, {s.id for s in sessions}),
        key=lambda p: (
            labels.sort_key(labels.country(p.country)),
            labels.sort_key(p.organisation or ""),
            p.name,
        ),
    )
    grouped = bool(visit.groups)
    widths = [5, 38, 34, 14, 22] + ([12] if grouped else []) + [16] * len(slots)
    sheet = writer.sheet(f"Attendance {day.isoformat()}", widths, freeze="C4")
    sheet.page_setup.orientation = "landscape" if len(slots) > 2 else "portrait"
    sheet.print_title_rows = "3:3"
    sheet.print_options.gridLines = True
    # Room for a signature on every row: one sheet-wide height, not one per row.
    sheet.sheet_format.defaultRowHeight = 32
    sheet.sheet_format.customHeight = True
    sheet.row_dimensions[3].height = 62
    writer.row(sheet, [visit.details.title], title=True)
    writer.row(sheet, [f"Attendance — {labels.full_date(day)}"], bold=True)
    header = ["No.", "Name", "Organisation", "Country", "Role"]
    header += (["Group"] if grouped else []) + [label for label, _ in slots]
    writer.row(sheet, header, header=True, wrap=True)
    slot_ids = [{s.id for s in held} for _, held in slots]
    for number, person in enumerate(people, start=1):
        mine = attendance.of(person, day)
        values: list[Any] = [
            number,
            person.name,
            person.organisation,
            labels.country(person.country),
            person.role,
        ]
        if grouped:
            values.append(person.group or "")
        values += ["" if ids & mine else "—" for ids in slot_ids]
        writer.row(sheet, values)


def _travel(writer: _Writer, visit: Visit) -> None:
    sheet = writer.sheet("Travel & stay", [28, 28, 17, 17, 8], freeze="A2")
    writer.row(sheet, ["Name", "Organisation", "Arrival", "Departure", "Nights"], header=True)
    travellers = sorted(
        visit.participants,
        key=lambda p: (p.arrival is None, p.arrival.isoformat() if p.arrival else "", p.name),
    )
    for person in travellers:
        nights = None
        if person.arrival and person.departure:
            nights = max((person.departure.date() - person.arrival.date()).days, 0)
        writer.row(
            sheet, [person.name, person.organisation, person.arrival, person.departure, nights]
        )
    sheet.append([])
    writer.row(sheet, ["Day", "Arriving", "Leaving", "Staying the night"], header=True)
    first, last = visit.details.start_date, visit.details.end_date
    day = first - timedelta(days=1)
    while day <= last:
        arriving = sum(1 for p in visit.participants if p.arrival and p.arrival.date() == day)
        leaving = sum(1 for p in visit.participants if p.departure and p.departure.date() == day)
        staying = sum(
            1
            for p in visit.participants
            if p.arrival and p.departure and p.arrival.date() <= day < p.departure.date()
        )
        writer.row(sheet, [day.isoformat(), arriving, leaving, staying])
        day += timedelta(days=1)


def _hosts(writer: _Writer, visit: Visit, context: BuildContext) -> None:
    sheet = writer.sheet("Hosts", [34, 16, 24, 26, 22, 28, 18, 30], freeze="A2")
    writer.row(
        sheet,
        ["Institution", "Level", "Kind", "Contact", "Role", "Email", "Phone", "Website"],
        header=True,
    )
    for host in visit.hosts:
        contact = host.contact
        writer.row(
            sheet,
            [
                host.name,
                context.labels.level(host.level),
                host.kind,
                contact.name if contact else None,
                contact.role if contact else None,
                contact.email if contact else None,
                contact.phone if contact else None,
                host.website,
            ],
        )


def _feeds(writer: _Writer, visit: Visit, context: BuildContext) -> None:
    base = visit.details.publishing.base_url or ""
    sheet = writer.sheet("Feeds", [28, 22, 90], freeze="A2")
    writer.row(
        sheet,
        ["Name", "Email", "Personal calendar link (send it to this person only)"],
        header=True,
    )
    for person in visit.participants:
        token = context.publication.tokens.get(person.id)
        if token is None:
            continue
        path = "/".join(feed_path("personal", token))
        link = ("webcal://" + (base + path).split("://", 1)[1]) if base else f"public/{path}"
        writer.row(sheet, [person.name, person.email, link])
