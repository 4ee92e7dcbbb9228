"""Write a visit as a workbook: an Instructions sheet, one sheet per block, and a
hidden sheet of the drop-down lists.

On each block's sheet the first row (hidden) holds the field names, so that renamed
headings still map; the second row holds the headings in the visit's language. Dates
and times are real date and time cells, choices and ids come from drop-downs, and the
headings and the id column stay in view while scrolling.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import date, datetime, time
from enum import Enum
from pathlib import Path as FilePath
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from visitplan.i18n import N_
from visitplan.model import Path, Visit
from visitplan.workbook.layout import (
    COMMENT,
    COMMENT_HEADING,
    DEFAULT_HEADING,
    FIELD_HEADING,
    FIELD_ROW,
    FIRST_ROW,
    HEADING_ROW,
    NO,
    REFERENCE_ROWS,
    SHEET_TITLES,
    VALUE_HEADING,
    YES,
    CellKind,
    Column,
    Sheet,
    choice_values,
    country_codes,
    sheets,
)

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

    from visitplan.labels import Labels

# The columns of the Visit and Rules sheets, one row per field.
KEY_COLUMNS = ("field", "heading", "value", "default", COMMENT)
KEY, HEADING, VALUE, DEFAULT, NOTE = range(1, 6)
INSTRUCTIONS = (
    N_("This workbook is a visit for visitplan: one sheet per block of the visit."),
    N_(
        "On each sheet, one row is one item; its ID is a short word that must not change "
        "once the programme is published: calendar entries and links derive from it."
    ),
    N_(
        "Pick kinds, levels, statuses, countries and ids from the drop-down lists. Write "
        "dates as YYYY-MM-DD and times as HH:MM."
    ),
    N_(
        "Where a cell holds several ids or languages, separate them with commas; speakers, "
        "other names and accepted findings go one per line (Alt+Enter)."
    ),
    N_(
        "Headings may be renamed: the hidden first row says which field each column holds. "
        "Do not delete that row."
    ),
    N_("The Comments column is for you: visitplan does not read it."),
    N_("Check the visit with: visitplan check {file}"),
)
HEADER_FILL = "DDE4EE"
KEY_FILL = "F2F4F8"


def write_workbook(
    visit: Visit,
    path: FilePath,
    comments: Mapping[Path, str] | None = None,
) -> None:
    """Write ``visit`` to ``path`` (.xlsx) in one step. ``comments``: text kept in the
    Comments column, by the path of an item (``("sessions", 3)``) or of a key of the
    Visit or Rules sheet (``("visit", "start_date")``)."""
    from visitplan.atomic import replace_file

    stream = io.BytesIO()
    workbook_of(visit, comments or {}, path.name).save(stream)
    replace_file(path, stream.getvalue())


def workbook_of(visit: Visit, comments: Mapping[Path, str], file_name: str) -> Workbook:
    from openpyxl import Workbook

    from visitplan.labels import Labels

    labels = Labels(visit.details.language)
    workbook = Workbook()
    instructions = workbook.worksheets[0]
    instructions.title = labels(SHEET_TITLES["instructions"])
    _write_instructions(instructions, labels, file_name)
    lists = workbook.create_sheet(labels(SHEET_TITLES["lists"]))
    sources = _write_lists(lists, labels)
    titles = {sheet.section: labels(sheet.title) for sheet in sheets()}
    sources |= {
        section: f"={quoted(title)}!$A${FIRST_ROW}:$A${REFERENCE_ROWS}"
        for section, title in titles.items()
    }
    for sheet in sheets():
        target = workbook.create_sheet(titles[sheet.section])
        if sheet.is_list:
            _write_list_sheet(target, sheet, visit, comments, labels, sources)
        else:
            _write_key_sheet(target, sheet, visit, comments, labels, sources)
    for target in workbook.worksheets:
        _fit_rows(target)
    workbook.move_sheet(lists, offset=len(workbook.sheetnames) - 2)
    lists.sheet_state = "hidden"
    return workbook


# Points per line of wrapped text (11-point Calibri, Excel's and LibreOffice's default
# here); rows grow to show their text, as neither program does for a file it opens.
LINE_HEIGHT = 15
MAX_ROW_HEIGHT = 409  # Excel's limit


def _fit_rows(sheet: Worksheet) -> None:
    """Each row as tall as its wrapped text needs (estimated from the column widths)."""
    from openpyxl.utils import get_column_letter

    widths: dict[int, float] = {}
    for row in sheet.iter_rows(min_row=HEADING_ROW):
        lines = 1
        for cell in row:
            if not (isinstance(cell.value, str) and cell.alignment.wrap_text):
                continue
            column = cell.column
            if column not in widths:
                width = sheet.column_dimensions[get_column_letter(column)].width
                widths[column] = max((width or 13) * 1.2 - 1, 1)
            lines = max(lines, _lines(cell.value, widths[column]))
        if lines > 1:
            sheet.row_dimensions[row[0].row].height = min(lines * LINE_HEIGHT, MAX_ROW_HEIGHT)
            _to_top(row)


def _to_top(row: tuple[Any, ...]) -> None:
    """In a row grown for its wrapped text, the short values sit at the top, beside
    their heading, not at the bottom where a reader does not look for them."""
    from openpyxl.styles import Alignment

    for cell in row:
        if cell.value is not None and cell.alignment.vertical is None:
            cell.alignment = Alignment(horizontal=cell.alignment.horizontal, vertical="top")


def _lines(text: str, width: float) -> int:
    """Lines ``text`` takes in a column ``width`` characters wide, wrapped at words."""
    count = 0
    for paragraph in text.split("\n"):
        used, lines = 0, 1
        for word in paragraph.split(" "):
            if used and used + 1 + len(word) > width:
                lines += 1
                used = len(word)
            else:
                used += len(word) + (1 if used else 0)
            lines += int(max(used - 1, 0) // width)
            used = used if used <= width else used % int(width)
        count += lines
    return count


def quoted(title: str) -> str:
    """A sheet's name as a formula names it."""
    return "'{}'".format(title.replace("'", "''"))


# The instructions' column fits the width of a portrait A4 or Letter page, so that a
# printed line is not cut at the page's edge.
INSTRUCTIONS_WIDTH = 80


def _write_instructions(sheet: Worksheet, labels: Labels, file_name: str) -> None:
    from openpyxl.styles import Alignment, Font

    sheet.column_dimensions["A"].width = INSTRUCTIONS_WIDTH
    sheet.cell(row=1, column=1, value=labels(SHEET_TITLES["instructions"])).font = Font(
        bold=True, size=14
    )
    for row, line in enumerate(INSTRUCTIONS, start=3):
        cell = sheet.cell(row=row, column=1)
        _text(cell, labels(line, file=file_name) if "{file}" in line else labels(line))
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _write_lists(sheet: Worksheet, labels: Labels) -> dict[str, str]:
    """The drop-downs' values, one list a column; returns each list's formula."""
    from openpyxl.utils import get_column_letter

    named: dict[str, list[str]] = {
        "yes_no": [labels(YES), labels(NO)],
        "countries": country_codes(),
    }
    for sheet_def in sheets():
        for column in sheet_def.columns:
            if column.kind is CellKind.CHOICE and column.choices:
                named[column.choices] = choice_values(column.choices)
    formulas = {}
    for number, (name, values) in enumerate(named.items(), start=1):
        letter = get_column_letter(number)
        sheet.cell(row=1, column=number, value=name)
        for row, value in enumerate(values, start=2):
            _text(sheet.cell(row=row, column=number), value)
        formulas[name] = f"={quoted(sheet.title)}!${letter}$2:${letter}${len(values) + 1}"
    return formulas


def _header(cell: Any, text: str, fill: str = HEADER_FILL) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    _text(cell, text)
    cell.font = Font(bold=True)
    cell.fill = PatternFill("solid", fgColor=fill)
    cell.alignment = Alignment(wrap_text=True, vertical="top")


def _write_list_sheet(
    target: Worksheet,
    sheet: Sheet,
    visit: Visit,
    comments: Mapping[Path, str],
    labels: Labels,
    sources: dict[str, str],
) -> None:
    from openpyxl.utils import get_column_letter

    items: list[BaseModel] = list(
        visit.details.objectives if sheet.section == "objectives" else getattr(visit, sheet.section)
    )
    columns = list(sheet.columns)
    for number, column in enumerate(columns, start=1):
        letter = get_column_letter(number)
        target.cell(row=FIELD_ROW, column=number, value=column.field)
        _header(target.cell(row=HEADING_ROW, column=number), labels(column.heading))
        target.column_dimensions[letter].width = column.width
        last = max(REFERENCE_ROWS, FIRST_ROW + len(items) + 500)
        _drop_down(target, column, sources, f"{letter}{FIRST_ROW}:{letter}{last}")
    note_column = len(columns) + 1
    target.cell(row=FIELD_ROW, column=note_column, value=COMMENT)
    _header(target.cell(row=HEADING_ROW, column=note_column), labels(COMMENT_HEADING))
    target.column_dimensions[get_column_letter(note_column)].width = 40
    for n, item in enumerate(items):
        row = FIRST_ROW + n
        for number, column in enumerate(columns, start=1):
            value = _value_of(item, column.path)
            if value is not _UNSET:
                put_value(
                    target.cell(row=row, column=number), column, value, labels, visit.details.tz
                )
        note = comments.get((sheet.section, n))
        if note:
            _wrapped(target.cell(row=row, column=note_column), note)
    target.row_dimensions[FIELD_ROW].hidden = True
    target.freeze_panes = f"B{FIRST_ROW}"
    target.auto_filter.ref = None


def _write_key_sheet(
    target: Worksheet,
    sheet: Sheet,
    visit: Visit,
    comments: Mapping[Path, str],
    labels: Labels,
    sources: dict[str, str],
) -> None:
    item: BaseModel = visit.details if sheet.section == "visit" else visit.rules
    for number, name in enumerate(KEY_COLUMNS, start=1):
        target.cell(row=FIELD_ROW, column=number, value=name)
    for number, heading in (
        (KEY, FIELD_HEADING),
        (HEADING, FIELD_HEADING),
        (VALUE, VALUE_HEADING),
        (DEFAULT, DEFAULT_HEADING),
        (NOTE, COMMENT_HEADING),
    ):
        _header(target.cell(row=HEADING_ROW, column=number), labels(heading))
    noted: set[str] = set()
    for offset, column in enumerate(sheet.columns):
        row = FIRST_ROW + offset
        target.cell(row=row, column=KEY, value=column.field)
        _header(target.cell(row=row, column=HEADING), labels(column.heading), KEY_FILL)
        value = _value_of(item, column.path)
        if value is not _UNSET:
            put_value(target.cell(row=row, column=VALUE), column, value, labels, visit.details.tz)
        if column.default is not None and column.default not in ([], ()):
            put_value(
                target.cell(row=row, column=DEFAULT),
                column,
                column.default,
                labels,
                visit.details.tz,
            )
        _drop_down(target, column, sources, f"C{row}")
        top = column.field.split(".")[0]
        note = comments.get((sheet.section, column.field))
        if note is None and top not in noted:  # a comment in a nested block
            note = comments.get((sheet.section, top))
        noted.add(top)
        if note:
            _wrapped(target.cell(row=row, column=NOTE), note)
    widths = {"A": 24, "B": 30, "C": 50, "D": 14, "E": 40}
    for letter, width in widths.items():
        target.column_dimensions[letter].width = width
    target.column_dimensions["A"].hidden = True
    target.row_dimensions[FIELD_ROW].hidden = True
    target.freeze_panes = f"C{FIRST_ROW}"


def _drop_down(target: Worksheet, column: Column, sources: dict[str, str], cells: str) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    if column.choices is None or column.choices not in sources:
        return
    several = column.kind is CellKind.IDS
    reference = column.choices in SHEET_TITLES
    validation = DataValidation(
        type="list",
        formula1=sources[column.choices],
        allow_blank=True,
        # Several ids in one cell ("a, b") are not one of the list: no refusal there;
        # an id whose row is still to be added is a warning only.
        showErrorMessage=not several,
        errorStyle="warning" if reference else "stop",
    )
    target.add_data_validation(validation)
    validation.add(cells)


class _Unset:
    pass


_UNSET = _Unset()


def _value_of(item: BaseModel, path: tuple[str, ...]) -> Any:
    """The value at ``path`` as the file set it, or _UNSET when it was left out."""
    current: Any = item
    for name in path:
        if not isinstance(current, BaseModel) or name not in current.model_fields_set:
            return _UNSET
        current = getattr(current, name)
    return _UNSET if current is None else current


def put_value(cell: Any, column: Column, value: Any, labels: Labels, zone: Any = None) -> None:
    """Write a value of the model into ``cell`` as the column's kind of cell; a date
    and time in ``zone`` (the visit's) or without a zone is written as it reads there,
    one in another zone as text with its offset."""
    from openpyxl.styles import Alignment

    kind = column.kind
    if kind is CellKind.DATE and isinstance(value, date):
        cell.value = value
        cell.number_format = "yyyy-mm-dd"
    elif kind is CellKind.TIME and isinstance(value, time):
        cell.value = value
        cell.number_format = "hh:mm"
    elif kind is CellKind.DATETIME and isinstance(value, datetime):
        if value.tzinfo is None or value.tzinfo == zone:
            cell.value = value.replace(tzinfo=None)
            cell.number_format = "yyyy-mm-dd hh:mm"
        else:  # another zone than the visit's: written out, with its offset
            _text(cell, value.isoformat(sep=" ", timespec="minutes"))
    elif kind is CellKind.FLAG:
        _text(cell, labels(YES) if value else labels(NO))
    elif kind in (CellKind.WHOLE, CellKind.NUMBER) and isinstance(value, int | float):
        cell.value = value
    elif kind is CellKind.TIMES:
        _text(cell, ", ".join(f"{moment:%H:%M}" for moment in value))
    elif kind is CellKind.IDS:
        _text(cell, ", ".join(str(item) for item in value))
    elif kind is CellKind.TEXTS:
        _wrapped(cell, "\n".join(str(item) for item in value))
    elif isinstance(value, Enum):
        _text(cell, str(value.value))
    else:
        _text(cell, str(value))
        if kind is CellKind.LONG_TEXT:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _wrapped(cell: Any, text: str) -> None:
    from openpyxl.styles import Alignment

    _text(cell, text)
    cell.alignment = Alignment(wrap_text=True, vertical="top")


def _text(cell: Any, text: str) -> None:
    """Text as text: never a formula, whatever it starts with."""
    cell.value = text
    cell.data_type = "s"
