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
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

from visitplan.exporters import BuildContext, version_lines
from visitplan.i18n import N_
from visitplan.labels import Labels
from visitplan.links import feed_links, personal_page_path, public_url
from visitplan.model import (
    PROGRAMME_KINDS,
    Participant,
    Session,
    SessionKind,
    Visit,
    interpretation_into,
)
from visitplan.text import without_control_characters
from visitplan.timeline import timeline

SIGNED_KINDS = PROGRAMME_KINDS | {SessionKind.SOCIAL}
CATERED_KINDS = frozenset({SessionKind.MEAL, SessionKind.BREAK, SessionKind.SOCIAL})
HEADER_FILL = "DDE4EE"
DATE_TIME_FORMAT = "yyyy-mm-dd hh:mm"
# Printing. Widths are Excel's (characters of the default 11 pt font, 7 px each).
A4_MM = (210.0, 297.0)
SIDE_MARGIN_IN = 0.4
USABLE_MM = {
    "portrait": A4_MM[0] - 2 * SIDE_MARGIN_IN * 25.4,
    "landscape": A4_MM[1] - 2 * SIDE_MARGIN_IN * 25.4,
}
SMALLEST_PRINT_PT = 8.0
FIT_SAFETY = 0.95  # spreadsheet programs round column widths up when they print
BODY_PT = 11.0
LINE_PT = 15.0  # one line of 11 pt text with its leading
# Attendance sheets: what a funder's auditor accepts.
SIGN_ROW_MM = 12.0
SIGN_COLUMN_MM = 35.0
SIGN_COLUMN_WIDTH = 20.0  # 145 px, 38 mm at 100 %
SIGN_PT = 10.0
LONGEST_WORD_WIDTH = 34.0
PT_PER_MM = 72 / 25.4


def column_mm(width: float) -> float:
    """How wide a column of Excel ``width`` prints at 100 %."""
    return (width * 7 + 5) * 25.4 / 96


def wrapped_lines(text: str, width: float, size_pt: float = BODY_PT) -> int:
    """Lines ``text`` takes in a wrapped column of Excel ``width`` (generous: every
    character counted as wide as a digit)."""
    room = max(int((width - 1) * BODY_PT / size_pt), 1)
    lines = 0
    for paragraph in str(text).split("\n"):
        count, used = 1, 0
        for word in paragraph.split():
            if not used:
                used = len(word)
            elif used + 1 + len(word) <= room:
                used += 1 + len(word)
            else:
                count, used = count + 1, len(word)
            while used > room:  # a word longer than the line breaks anywhere
                count, used = count + 1, used - room
        lines += count
    return lines


class ParticipantsWorkbook:
    id: ClassVar[str] = "participants-xlsx"
    name: ClassVar[str] = "Participants workbook (Excel)"

    def render(self, visit: Visit, context: BuildContext) -> list[Path]:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        labels = context.labels
        workbook.properties.language = labels.tag  # the language Excel proofs in
        funding = visit.details.branding.funding
        writer = _Writer(
            workbook,
            header=" · ".join(
                [print_text(visit.details.title, 100)]
                + [print_text(line) for line in version_lines(context)[:1]]
            ),
            footer=print_text(" ".join(funding.statement.split()) if funding else "", 160),
            page_of=print_text(labels("Page {page} of {pages}", page="\0", pages="\1"))
            .replace("\0", "&P")
            .replace("\1", "&N"),
        )
        attendance = Attendance(visit)
        _participants(writer, visit, context)
        _summary(writer, visit, context)
        _catering(writer, visit, context, attendance)
        for day in programme_days(visit):
            _attendance(writer, visit, context, day, attendance)
        _travel(writer, visit, context.labels)
        _hosts(writer, visit, context)
        _feeds(writer, visit, context)
        target = context.path("private", "participants.xlsx")
        workbook.save(target)
        return [target]


def print_text(text: str, limit: int = 60) -> str:
    """Text for a print header or footer: '&' starts a code there, and Excel refuses
    a header or footer longer than 255 characters in all (so each part is cut short)."""
    text = text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
    return text.replace("&", "&&")


def programme_days(visit: Visit) -> list[date]:
    return sorted({s.date for s in visit.active_sessions() if s.kind in SIGNED_KINDS})


class Attendance:
    """Who attends what, per day: computed once, so each sheet is linear in its rows."""

    def __init__(self, visit: Visit) -> None:
        self.members: dict[str | None, list[Participant]] = defaultdict(list)
        for person in visit.participants:
            self.members[person.group].append(person)
        self.by_day: dict[str | None, dict[date, set[str]]] = {}
        for group, sessions in timeline(visit).sessions.items():
            days: dict[date, set[str]] = defaultdict(set)
            for session in sessions:
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

    def __init__(
        self, workbook: Any, header: str = "", footer: str = "", page_of: str = "&P / &N"
    ) -> None:
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        self.workbook = workbook
        self.print_header = header
        self.print_footer = footer
        self.page_of = page_of
        self.bold = Font(bold=True)
        self.title = Font(bold=True, size=14)
        self.fill = PatternFill("solid", fgColor=HEADER_FILL)
        self.wrap = Alignment(wrap_text=True, vertical="top")
        self.grey = PatternFill("solid", fgColor="EEEEEE")
        line = Side(style="thin", color="000000")
        self.border = Border(left=line, right=line, top=line, bottom=line)
        self.sign_font = Font(size=SIGN_PT)
        self.sign_bold = Font(size=SIGN_PT, bold=True)
        self.sign_looks: dict[tuple[bool, bool, bool], Any] = {}
        self.centre = Alignment(wrap_text=True, vertical="top", horizontal="center")

    def sheet(
        self,
        title: str,
        widths: Sequence[float],
        freeze: str | None = None,
        *,
        fit: bool = True,
    ) -> Any:
        """A new sheet; its settings come first, as write-only sheets require.

        Printable as it is on A4: portrait when the columns fit at full size, else
        landscape; shrunk to the page's width only while the text stays at 8 pt or
        more, else printed at full size over several pages with the first column
        repeated on each.
        """
        from openpyxl.utils import get_column_letter

        sheet = self.workbook.create_sheet(title[:31])
        if freeze:
            sheet.freeze_panes = freeze
        setup = sheet.page_setup
        setup.paperSize = "9"
        setup.fitToHeight = 0
        total = sum(column_mm(w) for w in widths)
        margins = sheet.page_margins
        margins.left = margins.right = SIDE_MARGIN_IN
        margins.top = margins.bottom = 0.75
        margins.header = margins.footer = 0.3
        if fit:
            if total <= USABLE_MM["portrait"] * FIT_SAFETY:
                setup.orientation = "portrait"
            else:
                setup.orientation = "landscape"
                scale = USABLE_MM["landscape"] * FIT_SAFETY / total
                if scale * BODY_PT >= SMALLEST_PRINT_PT:
                    setup.fitToWidth = 1
                    sheet.sheet_properties.pageSetUpPr.fitToPage = True
                else:
                    setup.scale = 100
                    sheet.print_title_cols = "A:A"
            if freeze and freeze[-1] == "2":
                sheet.print_title_rows = "1:1"
        self.header_footer(sheet)
        for n, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(n)].width = width
        return sheet

    def header_footer(self, sheet: Any, centre: str = "") -> None:
        # Left and right only: a centred text would print over a long title.
        """The visit (and version) at the top of each printed page; the funding
        statement and "Page X of Y" at the foot."""
        if self.print_header:
            sheet.oddHeader.left.text = self.print_header
            sheet.oddHeader.left.size = 8
        if centre:
            sheet.oddHeader.right.text = centre
            sheet.oddHeader.right.size = 9
        if self.print_footer:
            sheet.oddFooter.left.text = self.print_footer
            sheet.oddFooter.left.size = 7
        sheet.oddFooter.right.text = self.page_of
        sheet.oddFooter.right.size = 8

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
            cell.number_format = DATE_TIME_FORMAT
        return cell

    def sign(
        self,
        sheet: Any,
        value: Any,
        *,
        header: bool = False,
        grey: bool = False,
        centre: bool = False,
    ) -> Any:
        """A cell of a sign-in sheet: bordered, wrapped within itself, 10 pt.

        The looks are set once per kind of cell and copied: setting four styles on each
        of a large programme's millions of sign-in cells would take minutes.
        """
        from copy import copy

        from openpyxl.cell import WriteOnlyCell

        looks = self.sign_looks.get((header, grey, centre))
        if looks is None:
            model = WriteOnlyCell(sheet)
            model.border = self.border
            model.alignment = self.centre if centre else self.wrap
            model.font = self.sign_bold if header else self.sign_font
            if header:
                model.fill = self.fill
            elif grey:
                model.fill = self.grey
            looks = self.sign_looks[(header, grey, centre)] = model._style
        cell = WriteOnlyCell(sheet, value=value if value != "" else None)
        if isinstance(value, str) and value:
            cell.data_type = "s"
        cell._style = copy(looks)
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
            return self.cell(sheet, value)  # with a date format that has no seconds
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


def _yes(flag: bool | None, labels: Labels) -> str:
    return labels("yes") if flag else ""


def _participants(writer: _Writer, visit: Visit, context: BuildContext) -> None:
    labels = context.labels
    headers = [
        labels("ID"),
        labels("Name"),
        labels("Organisation"),
        labels("Role"),
        labels("Country"),
        labels("Email"),
        labels("Phone"),
        labels("Group"),
        labels("Arrival"),
        labels("Departure"),
        labels("Dietary"),
        labels("Accessibility"),
        labels("Step-free"),
        labels("Languages"),
        labels("Migrant participant"),
        labels("Public listing"),
    ]
    sheet = writer.sheet(
        labels("Participants"),
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
                _yes(person.step_free, labels),
                labels.join([labels.language_name(code) for code in person.languages]),
                _yes(person.migrant, labels),
                _yes(person.public, labels),
            ],
        )
    if visit.participants:
        writer.table(sheet, "Participants", headers, len(visit.participants))


def _summary(writer: _Writer, visit: Visit, context: BuildContext) -> None:
    labels = context.labels
    sheet = writer.sheet(labels("Summary"), [40, 12])
    writer.row(sheet, [visit.details.title], title=True)
    count = len(visit.participants)
    writer.row(sheet, [labels.plural("{n} participant", "{n} participants", count)])
    unknown = labels("(not given)")
    blocks = [
        (
            labels("Country"),
            Counter(labels.country(p.country) or unknown for p in visit.participants),
        ),
        (labels("Organisation"), Counter(p.organisation or unknown for p in visit.participants)),
        (
            labels("Group"),
            Counter(
                (g.name if (g := visit.group(p.group or "")) else p.group) or labels("(everyone)")
                for p in visit.participants
            ),
        ),
        (labels("Role"), Counter(p.role or unknown for p in visit.participants)),
    ]
    for title, counts in blocks:
        sheet.append([])
        writer.row(sheet, [title, labels("Participants")], header=True)
        for name, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
            writer.row(sheet, [name, count])


def _catering(writer: _Writer, visit: Visit, context: BuildContext, attendance: Attendance) -> None:
    """Per day and venue, in time order: how many people, which diets, which access and
    interpretation needs."""
    labels = context.labels
    widths = [16, 34, 30, 9, 34, 40, 30]
    sheet = writer.sheet(labels("Catering & access"), widths, freeze="A2")
    writer.row(
        sheet,
        [
            labels("Date"),
            labels("Sessions"),
            labels("Venue"),
            labels("People"),
            labels("Dietary needs"),
            labels("Accessibility needs"),
            labels("Interpretation needs"),
        ],
        header=True,
    )
    by_slot: dict[tuple[date, str], list[Session]] = defaultdict(list)
    for session in visit.active_sessions():
        venue = visit.venue(session.venue)
        by_slot[(session.date, venue.name if venue else "")].append(session)
    in_time_order = sorted(
        by_slot.items(), key=lambda item: (item[0][0], item[1][0].starts_at, item[0][1])
    )
    for number, ((day, venue_name), sessions) in enumerate(in_time_order, start=2):
        people = attendance.people_at(day, {s.id for s in sessions})
        diets = Counter(p.dietary for p in people if p.dietary)
        access = [f"{labels.colon(p.name)} {p.accessibility}" for p in people if p.accessibility]
        step_free = labels("step-free access")
        access += [
            f"{labels.colon(p.name)} {step_free}"
            for p in people
            if p.step_free and not p.accessibility
        ]
        interpretation = Counter(p.interpretation for p in people if p.interpretation)
        values = [
            labels.full_date(day),
            labels.semicolon.join(f"{s.start:%H:%M} {s.title}" for s in sessions),
            venue_name,
            len(people),
            labels.semicolon.join(f"{labels.colon(need)} {n}" for need, n in sorted(diets.items())),
            labels.semicolon.join(access),
            labels.semicolon.join(
                f"{labels.colon(_need_text(need, labels))} {n}"
                for need, n in sorted(interpretation.items())
            ),
        ]
        lines = max(wrapped_lines(str(v), w) for v, w in zip(values, widths, strict=True))
        sheet.row_dimensions[number].height = lines * LINE_PT + 4
        writer.row(sheet, values, wrap=True)


def _need_text(need: str, labels: Labels) -> str:
    source, into = interpretation_into(need)
    target = labels.language_name(into or "")
    if not source:
        return labels("into {target}", target=target)
    return labels("{source} into {target}", source=labels.language_name(source), target=target)


def attendance_slots(
    visit: Visit, sessions: list[Session], labels: Labels
) -> list[tuple[str, list[Session]]]:
    """The day's signature columns, each with its header ("Signature — 09:15 Title
    (Venue)"): one per time slot; parallel group sessions share one."""
    slots: dict[tuple[Any, Any], list[Session]] = defaultdict(list)
    for session in sessions:
        slots[(session.start, session.end)].append(session)
    columns = []
    for (start, end), held in sorted(slots.items(), key=lambda item: item[0]):
        titles = list(dict.fromkeys(s.title for s in held))
        if len(titles) == 1:
            venue = visit.venue(held[0].venue)
            if venue is not None:
                label = labels(
                    "Signature — {time} {title} ({venue})",
                    time=f"{start:%H:%M}",
                    title=titles[0],
                    venue=venue.name,
                )
            else:
                label = labels("Signature — {time} {title}", time=f"{start:%H:%M}", title=titles[0])
        else:
            shown = ", ".join(titles[:3]) + (", ..." if len(titles) > 3 else "")
            label = labels(
                "Signature — {time} by group: {titles}",
                time=f"{start:%H:%M}–{end:%H:%M}",
                titles=shown,
            )
        columns.append((label, held))
    return columns


def family_name(name: str) -> str:
    """The last word of a name, for the order of a sign-in sheet ("Maria da Silva":
    Silva). A name written "Family, Given" gives the part before the comma."""
    if "," in name:
        return name.split(",", 1)[0].strip()
    words = name.split()
    return words[-1] if words else ""


def attendance_order(labels: Labels, order: str) -> Callable[[Participant], tuple[str, ...]]:
    def key(person: Participant) -> tuple[str, ...]:
        country = labels.sort_key(labels.country(person.country))
        organisation = labels.sort_key(person.organisation or "")
        name = labels.sort_key(person.name)
        if order == "organisation":
            return (country, organisation, name)
        if order == "name":
            return (country, name)
        return (country, labels.sort_key(family_name(person.name)), name)

    return key


def _attendance(
    writer: _Writer, visit: Visit, context: BuildContext, day: date, attendance: Attendance
) -> None:
    """A print-ready sign-in sheet: one row per expected person, then a few blank rows
    for walk-ins, and one signature column per time slot of the day (parallel sessions
    of different groups share a column).

    Printed at full size: rows at least 12 mm high and signature boxes at least 35 mm
    wide. When the day's columns do not fit across the page, they continue on the next
    page, with the numbers and names repeated.
    """
    from openpyxl.worksheet.pagebreak import Break

    labels = context.labels
    options = visit.details.attendance
    sessions = [s for s in visit.sessions_by_day().get(day, []) if s.kind in SIGNED_KINDS]
    slots = attendance_slots(visit, sessions, labels)
    people = sorted(
        attendance.people_at(day, {s.id for s in sessions}),
        key=attendance_order(labels, options.order.value),
    )
    grouped = bool(visit.groups)
    header = [
        labels("No."),
        labels("Name"),
        labels("Organisation"),
        labels("Role"),
        labels("Country"),
    ]
    header += [labels("Group")] if grouped else []
    texts: list[list[str]] = [[h] for h in header]
    for person in people:
        shown = [person.name, person.organisation or "", person.role or ""]
        shown += [labels.country(person.country)] + ([person.group or ""] if grouped else [])
        for column, text in zip(texts[1:], shown, strict=True):
            column.append(text)
    base = [4.0, 22.0, 20.0, 15.0, 11.0] + ([10.0] if grouped else [])
    # Each column as wide as its longest word, within reason: a pasted web address
    # must not push the signature boxes off the page.
    widths = [
        min(
            max(width, max(len(word) for text in column for word in (text.split() or [""])) + 1.5),
            LONGEST_WORD_WIDTH,
        )
        for width, column in zip(base, texts, strict=True)
    ]
    fixed_mm = sum(column_mm(w) for w in widths) / FIT_SAFETY
    orientation = "portrait"
    if (
        len(slots) > 2
        or fixed_mm + len(slots) * column_mm(SIGN_COLUMN_WIDTH) > USABLE_MM["portrait"]
    ):
        orientation = "landscape"
    room = USABLE_MM[orientation] - fixed_mm
    fits = max(int(room // column_mm(SIGN_COLUMN_WIDTH)), 1)
    # Spread the columns evenly over the pages they need: 4 columns as 2 + 2, not 3 + 1.
    pages = -(-len(slots) // fits) if slots else 1
    per_page = -(-len(slots) // pages) if slots else 1
    sheet = writer.sheet(
        labels("Attendance {day}", day=day.isoformat()),
        widths + [SIGN_COLUMN_WIDTH] * len(slots),
        freeze=f"C{HEADER_ROW + 1}",
        fit=False,
    )
    setup = sheet.page_setup
    setup.orientation = orientation
    setup.scale = 100
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.print_title_cols = f"A:{_letter(len(widths))}"
    for first in range(per_page, len(slots), per_page):
        sheet.col_breaks.append(Break(id=len(widths) + first))
    venues = list(
        dict.fromkeys(v.name for s in sessions if (v := visit.venue(s.venue)) is not None)
    )
    writer.header_footer(sheet, centre=print_text(labels.full_date(day)))

    sheet.append([writer.cell(sheet, visit.details.title, title=True)])
    sheet.append(
        [writer.cell(sheet, labels("Attendance — {day}", day=labels.full_date(day)), bold=True)]
    )
    sheet.append([labels("Venue: {venues}", venues=", ".join(venues))] if venues else [])
    header += [label for label, _ in slots]
    header_lines = max(
        [wrapped_lines(h, w, SIGN_PT) for h, w in zip(header, widths, strict=False)]
        + [wrapped_lines(label, SIGN_COLUMN_WIDTH, SIGN_PT) for label, _ in slots]
    )
    sheet.row_dimensions[HEADER_ROW].height = header_lines * 13 + 6
    sheet.append([writer.sign(sheet, text, header=True) for text in header])
    slot_ids = [{s.id for s in held} for _, held in slots]
    smallest = SIGN_ROW_MM * PT_PER_MM + 2
    row = HEADER_ROW
    for number, person in enumerate(people, start=1):
        row += 1
        mine = attendance.of(person, day)
        values: list[Any] = [
            number,
            person.name,
            person.organisation or "",
            person.role or "",
            labels.country(person.country),
        ]
        if grouped:
            values.append(person.group or "")
        lines = max(wrapped_lines(str(v), w, SIGN_PT) for v, w in zip(values, widths, strict=True))
        sheet.row_dimensions[row].height = max(smallest, lines * 13 + 6)
        cells = [writer.sign(sheet, number, centre=True)]
        cells += [writer.sign(sheet, v) for v in values[1:]]
        cells += [
            writer.sign(sheet, "" if ids & mine else "—", grey=not ids & mine) for ids in slot_ids
        ]
        sheet.append(cells)
    for number in range(len(people) + 1, len(people) + options.blank_rows + 1):
        row += 1
        sheet.row_dimensions[row].height = smallest
        cells = [writer.sign(sheet, number, centre=True)]
        sheet.append(cells + [writer.sign(sheet, "") for _ in header[1:]])


HEADER_ROW = 4


def _letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(column))


def _travel(writer: _Writer, visit: Visit, labels: Labels) -> None:
    sheet = writer.sheet(labels("Travel & stay"), [28, 28, 17, 17, 8], freeze="A2")
    headers = [N_("Name"), N_("Organisation"), N_("Arrival"), N_("Departure"), N_("Nights")]
    writer.row(sheet, [labels(h) for h in headers], header=True)
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
    headers = [N_("Day"), N_("Arriving"), N_("Leaving"), N_("Staying the night")]
    writer.row(sheet, [labels(h) for h in headers], header=True)
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
    labels = context.labels
    sheet = writer.sheet(labels("Hosts"), [34, 16, 24, 26, 22, 28, 18, 30], freeze="A2")
    headers = [
        N_("Institution"),
        N_("Level"),
        N_("Kind"),
        N_("Contact"),
        N_("Role"),
        N_("Email"),
        N_("Phone"),
        N_("Website"),
    ]
    writer.row(sheet, [labels(h) for h in headers], header=True)
    for host in visit.hosts:
        contact = host.contact
        writer.row(
            sheet,
            [
                host.name,
                labels.level(host.level),
                host.kind,
                contact.name if contact else None,
                contact.role if contact else None,
                contact.email if contact else None,
                contact.phone if contact else None,
                host.website,
            ],
        )


def _feeds(writer: _Writer, visit: Visit, context: BuildContext) -> None:
    labels = context.labels
    sheet = writer.sheet(labels("Feeds"), [28, 22, 60, 60, 60, 60, 60], freeze="A2")
    writer.row(
        sheet,
        [
            labels("Name"),
            labels("Email"),
            labels("Personal page"),
            labels("Personal calendar link (send it to this person only)"),
            labels("Subscribe"),
            labels("Add to Google Calendar"),
            labels("Add to Outlook.com"),
        ],
        header=True,
    )
    title = visit.details.title
    for person in visit.participants:
        token = context.publication.tokens.get(person.id)
        if token is None:
            continue
        links = feed_links(visit, "personal", token, f"{title} — {person.name}")
        page = public_url(visit, personal_page_path(token))
        page = page or "public/" + "/".join(personal_page_path(token))
        row = [person.name, person.email, page, links.https or f"public/{links.path}"]
        writer.row(sheet, [*row, links.webcal, links.google, links.outlook])
