"""Importing participants from registration spreadsheets.

Every row read is accounted for: taken, merged into another row as a duplicate, or
rejected with its row number, a reason and a hint. Nothing is dropped silently: a cell
that cannot be read (a country, a date, a group) is left out of its row with a warning
at its row and column, and the row is taken without it.

A row goes through four steps, each a function of its own: ``read_cells`` (clean
control characters, enforce the cell limit), ``normalise_fields`` (cells to participant
fields), ``validate_row`` (what only the whole row can tell) and ``account_for``
(duplicates, ids, the model's own validation).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache, partial
from pathlib import Path
from typing import TypedDict, TypeVar

from visitplan.model import Visit
from visitplan.participants.columns import (
    HEADER_SEARCH_ROWS,
    ColumnMap,
    looks_like_header,
    map_columns,
    normalise_header,
)
from visitplan.participants.normalise import (
    DateOrder,
    LanguageProblem,
    ValueProblem,
    ascii_slug,
    clean_email,
    clean_name,
    clean_phone,
    clean_text,
    country_code,
    language_codes,
    means_no_need,
    parse_moment,
    yes_no,
)
from visitplan.participants.read import MAX_CELL_CHARS, MAX_COLUMNS, Cell, Sheet, read_sheet

DATE_FIELDS = ("arrival", "departure", "timestamp")
# What forms write where there is no address (Microsoft Forms: "anonymous").
NO_EMAIL = frozenset({"anonymous", "-", "n/a", "none", "no email"})
# Fields that hold one line: a line break in them is cleaned and reported.
SINGLE_LINE = frozenset(
    {
        "id",
        "name",
        "given_name",
        "family_name",
        "organisation",
        "role",
        "country",
        "email",
        "phone",
        "group",
        "arrival",
        "departure",
        "timestamp",
        "languages",
        "interpretation",
    }
)
# A participant's field as it is written to the visit file: text, a yes, or a list of
# language codes.
FieldValue = str | bool | list[str]
Fields = dict[str, FieldValue]

FIELD_ORDER = (
    "id",
    "name",
    "organisation",
    "role",
    "country",
    "email",
    "phone",
    "group",
    "arrival",
    "departure",
    "dietary",
    "accessibility",
    "step_free",
    "languages",
    "interpretation",
    "migrant",
    "public",
    "notes",
)


@dataclass(slots=True)
class Row:
    number: int
    cells: list[Cell]


@dataclass(slots=True)
class Rejected:
    row: int
    reason: str
    hint: str
    cells: list[Cell]


@dataclass(slots=True)
class Merged:
    row: int
    into: int
    reason: str

    def __str__(self) -> str:
        return f"row {self.into} replaces row {self.row} ({self.reason})"


@dataclass(slots=True)
class CellWarning:
    """A cell that was cleaned, or left out of its row, and why."""

    row: int
    column: str  # the column's letter, as the spreadsheet shows it
    header: str
    message: str
    dropped: bool = False  # the cell's value was left out of the participant

    @property
    def where(self) -> str:
        return f"{self.row}:{self.column}"


@dataclass(slots=True)
class Imported:
    """A participant as it will be written: model field names, YAML-ready values."""

    row: int
    fields: Fields
    stamp: datetime | None = None
    cells: list[Cell] = field(default_factory=list)
    key: str = ""  # name and organisation, compared (set once by _person_key)
    place: int = 0  # its index among the participants taken so far

    @property
    def email(self) -> str:
        return str(self.fields.get("email") or "")

    @property
    def name(self) -> str:
        return str(self.fields["name"])

    @property
    def id(self) -> str:
        """The participant's id: given in the sheet, or once ids are assigned."""
        return str(self.fields.get("id") or "")


class RejectedAccount(TypedDict):
    row: int
    reason: str
    hint: str


class MergedAccount(TypedDict):
    row: int
    into_row: int
    why: str


class WarningAccount(TypedDict):
    row: int
    column: str
    header: str
    message: str
    left_out: bool


class ImportAccount(TypedDict):
    """The whole import as plain data, as ``--format json`` prints it."""

    sheet: str
    rows_read: int
    participants: list[Fields]
    rejected: list[RejectedAccount]
    merged: list[MergedAccount]
    warnings: list[WarningAccount]
    unmapped_columns: list[str]
    notes: list[str]


@dataclass
class ImportResult:
    sheet: str
    headers: list[str]
    rows_read: int
    taken: list[Imported] = field(default_factory=list)
    merged: list[Merged] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    warnings: list[CellWarning] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    columns: dict[str, int] = field(default_factory=dict)  # field -> column index

    @property
    def accounted(self) -> bool:
        return len(self.taken) + len(self.merged) + len(self.rejected) == self.rows_read

    def account(self) -> ImportAccount:
        """The whole import as plain data (``--format json``)."""
        return {
            "sheet": self.sheet,
            "rows_read": self.rows_read,
            "participants": [r.fields for r in self.taken],
            "rejected": [
                {"row": r.row, "reason": r.reason, "hint": r.hint}
                for r in sorted(self.rejected, key=lambda r: r.row)
            ],
            "merged": [{"row": m.row, "into_row": m.into, "why": m.reason} for m in self.merged],
            "warnings": [
                {
                    "row": w.row,
                    "column": w.column,
                    "header": w.header,
                    "message": w.message,
                    "left_out": w.dropped,
                }
                for w in sorted(self.warnings, key=lambda w: (w.row, len(w.column), w.column))
            ],
            "unmapped_columns": list(self.unmapped),
            "notes": list(self.notes),
        }


class _Skip(Exception):
    def __init__(self, reason: str, hint: str) -> None:
        super().__init__(reason)
        self.hint = hint


@dataclass
class Context:
    """What every row of one import shares."""

    header: ColumnMap
    orders: dict[str, str]
    group: str | None = None
    groups: GroupIndex | None = None
    value_map: dict[str, dict[str, str]] = field(default_factory=dict)
    keep_unmapped: bool = False


class GroupIndex:
    """A visit's groups found by id, name or alias, however they are capitalised or accented."""

    def __init__(self, visit: Visit) -> None:
        self.by_key: dict[str, str] = {}
        for group in visit.groups:
            for text in (group.id, group.name, *group.aliases):
                key = normalise_header(text)
                if key:
                    self.by_key.setdefault(key, group.id)
        self.listing = ", ".join(f"{g.name} ({g.id})" for g in visit.groups) or "none"

    def find(self, text: str) -> str | None:
        return self.by_key.get(normalise_header(text))


def import_participants(
    path: Path,
    *,
    sheet: str | None = None,
    mapping: dict[str, str] | None = None,
    group: str | None = None,
    visit: Visit | None = None,
    keep_unmapped: bool = False,
    value_map: dict[str, dict[str, str]] | None = None,
) -> ImportResult:
    """Read, normalise and deduplicate the participants of a registration sheet.

    ``value_map`` rewrites values before they are read: field -> {value as typed: value}.
    """
    table = read_sheet(path, sheet)
    found, data, header_warnings = _header_and_rows(table, mapping or {})
    header = _checked_header(found, table, path, mapping or {})
    while data and _empty(data[-1].cells):
        data.pop()
    result = ImportResult(table.name, header.headers, len(data))
    result.unmapped = header.unmapped
    result.columns = dict(header.by_field)
    result.warnings.extend(header_warnings)
    if table.cut_columns:
        result.notes.append(
            f"columns {column_letter(MAX_COLUMNS)} to {column_letter(table.cut_columns - 1)} "
            f"were not read: visitplan reads the first {MAX_COLUMNS} columns of a sheet"
        )
    _fill_merged(data, table.merged(), header, result)
    context = Context(
        header=header,
        orders=_date_orders(header, data, result),
        group=group,
        groups=GroupIndex(visit) if visit else None,
        value_map={
            name: {normalise_header(v): target for v, target in values.items()}
            for name, values in (value_map or {}).items()
        },
        keep_unmapped=keep_unmapped,
    )
    records: list[Imported] = []
    data.reverse()  # taken from the end, so each row's cells go as soon as it is read
    while data:
        row = data.pop()
        try:
            row_cells, warnings = read_cells(row, header)
            result.warnings.extend(warnings)
            read = normalise_fields(row.number, row_cells, context)
            result.warnings.extend(read.warnings)
            validate_row(read.moments)
        except _Skip as skip:
            result.rejected.append(Rejected(row.number, str(skip), skip.hint, row.cells))
            continue
        # The row's own cells are not kept: on 200,000 rows they would double the memory.
        # A row rejected later is reported with its fields in their columns.
        records.append(Imported(row.number, read.fields, read.stamp))
    account_for(records, result, visit)
    return result


# -- the header and the sheet as a whole ----------------------------------------------


def _header_and_rows(
    table: Sheet, mapping: dict[str, str]
) -> tuple[ColumnMap | None, list[Row], list[CellWarning]]:
    """The header (the first row that looks like one, or names a --map heading, in the
    first HEADER_SEARCH_ROWS) and the rows below it, empty ones included."""
    header: ColumnMap | None = None
    data: list[Row] = []
    header_warnings: list[CellWarning] = []
    next_row = 0
    for number, cells in table.rows:
        if header is None:
            if number > HEADER_SEARCH_ROWS:
                break
            cleaned, header_warnings = _clean_header(number, cells)
            if looks_like_header(cleaned) or (mapping and _names_mapped(cleaned, mapping)):
                header = map_columns(number, cleaned, mapping)
                next_row = number + 1
            continue
        # A workbook leaves out rows without cells; they count as the empty rows they are.
        # (The reader refuses sheets that reach past its LAST_ROW, so this is bounded.)
        data.extend(Row(n, []) for n in range(next_row, number))
        data.append(Row(number, cells))
        next_row = number + 1
    return header, data, header_warnings


def _checked_header(
    header: ColumnMap | None, table: Sheet, path: Path, mapping: dict[str, str]
) -> ColumnMap:
    """The header; a sheet without one, or without a column for the names, is refused."""
    from visitplan.findings import InputError, Location

    if header is None:
        raise InputError.of(
            "VP010",
            f"no header row found in the first {HEADER_SEARCH_ROWS} rows of '{table.name}'",
            "the sheet needs a row that names its columns (Name, Email, Country, ...); "
            'for other headings, say which is which: --map "Nome do participante=name"',
            Location(str(path)),
        )
    if "name" in header.fields.values() or {"given_name", "family_name"} & set(
        header.fields.values()
    ):
        return header
    hint = 'say which column holds the name: --map "Your header=name"'
    if mapping:
        hint = (
            f"none of the --map headers ({', '.join(repr(k) for k in mapping)}) is a "
            f"heading of row {header.header_row}, or none of them maps to name; copy the "
            "heading exactly as the sheet shows it"
        )
    raise InputError.of(
        "VP010",
        f"no column for the participants' names in '{table.name}' (headers: "
        f"{', '.join(h for h in header.headers if h)})",
        hint,
        Location(str(path), header.header_row),
    )


def _clean_header(number: int, cells: list[Cell]) -> tuple[list[Cell], list[CellWarning]]:
    cleaned: list[Cell] = []
    warnings: list[CellWarning] = []
    for index, value in enumerate(cells):
        if isinstance(value, str):
            value, removed = clean_controls(value, single_line=True)
            if removed:
                warnings.append(
                    CellWarning(number, column_letter(index), value, f"heading: {removed}")
                )
        cleaned.append(value)
    return cleaned, warnings


def _names_mapped(cells: Iterable[Cell], mapping: dict[str, str]) -> bool:
    wanted = {normalise_header(k) for k in mapping}
    return any(normalise_header(c) in wanted for c in cells if isinstance(c, str))


def _empty(cells: list[Cell]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _fill_merged(
    data: list[Row],
    merged: list[tuple[int, int, int, int]],
    header: ColumnMap,
    result: ImportResult,
) -> None:
    """Cells merged inside the data take the value of their range's top-left cell."""
    if not data or not merged:
        return
    first = data[0].number
    by_number = {row.number: row for row in data}
    blocks: Counter[int] = Counter()
    for min_row, min_col, max_row, max_col in merged:
        if min_row <= header.header_row or min_row not in by_number:
            continue
        origin = by_number[min_row].cells
        value = origin[min_col - 1] if min_col - 1 < len(origin) else None
        if value is None:
            continue
        for number in range(max(min_row, first), max_row + 1):
            row = by_number.get(number)
            if row is None:
                continue
            for column in range(min_col - 1, max_col):
                if column >= len(row.cells):
                    row.cells.extend([None] * (column + 1 - len(row.cells)))
                if (number, column) != (min_row, min_col - 1):
                    row.cells[column] = value
        blocks[min_col - 1] += 1
    for column, count in sorted(blocks.items()):
        name = header.headers[column] if column < len(header.headers) else column_letter(column)
        result.notes.append(
            f"{name or column_letter(column)}: {count} merged block{'s' if count != 1 else ''} "
            "filled from the first cell of each block"
        )


def _date_orders(header: ColumnMap, data: list[Row], result: ImportResult) -> dict[str, str]:
    orders = {}
    for name in DATE_FIELDS:
        index = header.index_of(name)
        if index is None:
            continue
        values = [row.cells[index] for row in data if index < len(row.cells)]
        order, unsure = DateOrder.of(values)
        orders[name] = order
        ambiguous = [v for v in values if isinstance(v, str) and _ambiguous(v)]
        if unsure and ambiguous:
            result.notes.append(
                f"column '{header.headers[index]}': dates such as '{ambiguous[0]}' could be "
                "day/month or month/day; read as day/month (European order)"
            )
        elif order == DateOrder.MONTH_FIRST:
            result.notes.append(
                f"column '{header.headers[index]}': dates read as month/day (US order), as "
                "some of them only make sense that way"
            )
    return orders


def _ambiguous(text: str) -> bool:
    match = re.match(r"^\s*(\d{1,2})[./-](\d{1,2})[./-]\d{2,4}", text)
    if match is None:
        return False
    first, second = match.group(1), match.group(2)
    return int(first) <= 12 and int(second) <= 12 and first != second


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column: 0 -> A, 26 -> AA."""
    number, letters = index + 1, ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# -- step 1: read the cells ---------------------------------------------------------------

_LINE_BREAKS = frozenset("\n\r\u2028\u2029\x85")
_SPACING = frozenset("\x0b\x0c\x1c\x1d\x1e\x1f")


def _unwanted(char: str) -> bool:
    """Control characters (but tab and line breaks), lone surrogates, noncharacters."""
    if char in _LINE_BREAKS or char == "\t":
        return False
    code = ord(char)
    category = unicodedata.category(char)
    return category in ("Cc", "Cs") or 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE


# Every character _unwanted() or a line break could be: one search decides that a cell
# needs no cleaning (almost every cell), without a loop over its characters.
_SUSPECT = re.compile(
    "[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\u2028\u2029"
    + "".join(f"{chr(plane + 0xFFFE)}{chr(plane + 0xFFFF)}" for plane in range(0, 1 << 20, 1 << 16))
    + "\U0010fffe\U0010ffff"
    + "]"
)


def clean_controls(text: str, *, single_line: bool) -> tuple[str, str]:
    """``text`` without control characters (and line breaks, in a single-line field), and
    what was removed, said for a person ('' when nothing was)."""
    if _SUSPECT.search(text) is None:
        return text, ""
    removed: Counter[str] = Counter()
    kept: list[str] = []
    for char in text:
        if _unwanted(char):
            removed[_char_name(char)] += 1
            if char in _SPACING:  # tabs and separators of another age: words stay apart
                kept.append(" ")
        elif single_line and char in _LINE_BREAKS:
            removed["line break"] += 1
            kept.append(" ")
        else:
            kept.append(char)
    if not removed:
        return text, ""
    said = ", ".join(f"{n} × {name}" if n > 1 else name for name, n in removed.items())
    return "".join(kept), f"removed {said}"


@lru_cache(maxsize=256)
def _char_name(char: str) -> str:
    code = ord(char)
    names = {0: "NUL", 0x0B: "vertical tab", 0x0C: "form feed", 0x1B: "ESC", 0x7F: "DEL"}
    if code in names:
        return f"U+{code:04X} ({names[code]})"
    if unicodedata.category(char) == "Cs":
        return f"U+{code:04X} (half of a character: a lone surrogate)"
    if unicodedata.category(char) == "Cc":
        return f"U+{code:04X} (a control character)"
    return f"U+{code:04X} (not a character)"


@dataclass(slots=True)
class Cells:
    """One row's cells, cleaned, by field."""

    values: list[Cell]
    header: ColumnMap

    def get(self, name: str) -> Cell:
        index = self.header.index_of(name)
        return self.values[index] if index is not None and index < len(self.values) else None

    def column(self, name: str) -> tuple[str, str]:
        index = self.header.index_of(name)
        if index is None:
            return "", ""
        return column_letter(index), self.header.headers[index]


def read_cells(row: Row, header: ColumnMap) -> tuple[Cells, list[CellWarning]]:
    """The row's cells cleaned of control characters and over-long text, with a warning
    for each cell that was changed."""
    if _empty(row.cells):
        raise _Skip("the row is empty", "delete the row, or fill it in")
    values: list[Cell] = []
    warnings: list[CellWarning] = []
    for index, value in enumerate(row.cells):
        if isinstance(value, str):
            name = header.fields.get(index)
            heading = header.headers[index] if index < len(header.headers) else ""
            if len(value) > MAX_CELL_CHARS:
                warnings.append(
                    CellWarning(
                        row.number,
                        column_letter(index),
                        heading,
                        f"{len(value):,} characters, over the limit of {MAX_CELL_CHARS:,} "
                        "per cell: the cell was left out — shorten it in the sheet",
                        True,
                    )
                )
                value = None
            else:
                value, removed = clean_controls(value, single_line=name in SINGLE_LINE)
                if removed:
                    warnings.append(
                        CellWarning(
                            row.number,
                            column_letter(index),
                            heading,
                            f"{removed}; the rest of the cell was kept",
                        )
                    )
        values.append(value)
    return Cells(values, header), warnings


# -- step 2: cells to fields ------------------------------------------------------------


@dataclass(slots=True)
class RowFields:
    """One row read into a participant's fields, with the moments its dates name."""

    fields: Fields
    moments: dict[str, datetime]
    warnings: list[CellWarning]

    @property
    def stamp(self) -> datetime | None:
        """When the form was submitted, if the sheet says."""
        return self.moments.get("timestamp")


def normalise_fields(number: int, cells: Cells, context: Context) -> RowFields:
    """The participant's fields from one row's cells. A cell that cannot be read is left
    out with a warning; only a row without a name is rejected (``_Skip``)."""
    row = _RowReader(number, cells, context)
    row.fields["name"] = _full_name(row)
    _read_contact(row)
    moments = _read_moments(row)
    _read_texts(row)
    _read_group(row)
    _read_flags(row)
    _read_languages(row)
    _read_given_id(row)
    _keep_unmapped(row)
    fields = {k: v for k, v in row.fields.items() if v is not None}
    return RowFields(fields, moments, row.warnings)


_Value = TypeVar("_Value")


class _RowReader:
    """A row's cells by field, after --map-value, and the fields and warnings made of them."""

    __slots__ = ("cells", "context", "fields", "number", "raw", "warnings")

    def __init__(self, number: int, cells: Cells, context: Context) -> None:
        self.number, self.cells, self.context = number, cells, context
        values = cells.values
        self.raw = {
            name: values[index]
            for name, index in cells.header.by_field.items()
            if index < len(values)
        }
        for name, mapped in context.value_map.items():
            value = self.raw.get(name)
            if value is not None:
                self.raw[name] = mapped.get(normalise_header(value), value)
        self.fields: dict[str, FieldValue | None] = {}
        self.warnings: list[CellWarning] = []

    def cell(self, name: str) -> Cell:
        return self.raw.get(name)

    def text(self, name: str) -> str:
        return clean_text(self.raw.get(name))

    def warn(self, name: str, message: str, hint: str) -> None:
        """Leave the field's cell out of the row, saying why at its row and column."""
        letter, heading = self.cells.column(name)
        self.warnings.append(
            CellWarning(
                self.number, letter, heading, f"{message}; left out of this row — {hint}", True
            )
        )

    def read(self, name: str, reader: Callable[[Cell], _Value]) -> _Value | None:
        """``reader`` applied to the field's cell; None, with a warning, if it cannot."""
        try:
            return reader(self.raw.get(name))
        except ValueProblem as problem:
            self.warn(name, str(problem), problem.hint)
            return None


def _full_name(row: _RowReader) -> str:
    name = clean_name(row.cell("name"))
    if not name:
        parts = (clean_name(row.cell("given_name")), clean_name(row.cell("family_name")))
        name = " ".join(p for p in parts if p)
    if not name:
        raise _Skip("no name", "fill in the participant's name")
    return name


def _read_contact(row: _RowReader) -> None:
    """Email (forms' "anonymous" is no email) and country."""
    email = row.text("email")
    if email and email.lower() not in NO_EMAIL:
        row.fields["email"] = row.read("email", clean_email)
    if row.text("country"):
        row.fields["country"] = row.read("country", country_code)


def _read_moments(row: _RowReader) -> dict[str, datetime]:
    """The row's dates; arrival and departure also as the text the visit file holds."""
    moments: dict[str, datetime] = {}
    for key in DATE_FIELDS:
        if row.raw.get(key) is None:  # nothing to read, nothing to say
            continue
        order = row.context.orders.get(key, DateOrder.DAY_FIRST)
        moment = row.read(key, _moment_reader(order))
        if moment is not None:
            moments[key] = moment
    for key in ("arrival", "departure"):
        if key in moments:
            moment = moments[key]
            plain_date = moment.time() == datetime.min.time() and not isinstance(
                row.cells.get(key), datetime
            )
            row.fields[key] = _moment_text(moment, plain_date)
    return moments


def _read_texts(row: _RowReader) -> None:
    """Free text; a need written as "none" or "no" is no need."""
    for key in ("organisation", "role", "notes"):
        text = row.text(key)
        if text:
            row.fields[key] = text
    for key in ("dietary", "accessibility"):
        text = row.text(key)
        if text and not means_no_need(text):
            row.fields[key] = text
    country = row.fields.get("country")
    phone = clean_phone(row.cell("phone"), country if isinstance(country, str) else None)
    if phone:
        row.fields["phone"] = phone


def _read_group(row: _RowReader) -> None:
    """The group chosen in the row, found among the visit's; else the import's --group."""
    chosen = row.text("group")
    groups = row.context.groups
    if not chosen:
        if row.context.group:
            row.fields["group"] = row.context.group
        return
    found = groups.find(chosen) if groups else chosen
    if found:
        row.fields["group"] = found
    elif groups is not None:
        row.warn(
            "group",
            f"'{chosen}' is not one of the visit's groups",
            f"known groups: {groups.listing}; add '{chosen}' to a group's "
            f'aliases: in the visit file, or say which it is: --map-value "group:'
            f'{chosen}=GROUP-ID"',
        )


def _read_flags(row: _RowReader) -> None:
    """Yes/no answers: a yes is kept, a no left out, anything else warned about."""
    for key in ("step_free", "migrant", "public"):
        answer = row.cell(key)
        flag = yes_no(answer)
        if flag:
            row.fields[key] = True
        elif flag is None and clean_text(answer):
            row.warn(key, f"'{clean_text(answer)}' is not a yes or a no", "write Yes or No")


def _read_languages(row: _RowReader) -> None:
    """Languages spoken (the known ones of a cell are kept) and interpretation needed."""
    try:
        languages = language_codes(row.cell("languages"))
    except LanguageProblem as problem:
        row.warn("languages", str(problem), problem.hint)
        languages = problem.known
    if languages:
        row.fields["languages"] = languages
    need = row.read("interpretation", interpretation_need)
    if need:
        row.fields["interpretation"] = need


def _read_given_id(row: _RowReader) -> None:
    given_id = row.text("id")
    if given_id:
        row.fields["id"] = given_id


def _keep_unmapped(row: _RowReader) -> None:
    """With --keep-unmapped, the text of unrecognised columns goes into the notes."""
    header, values = row.context.header, row.cells.values
    if not (row.context.keep_unmapped and header.unmapped):
        return
    extra = [
        f"{h}: {clean_text(values[i])}"
        for i, h in enumerate(header.headers)
        if h in header.unmapped and i < len(values) and clean_text(values[i])
    ]
    if extra:
        notes = row.fields.get("notes")
        row.fields["notes"] = "; ".join(
            filter(None, [notes if isinstance(notes, str) else None, *extra])
        )


@lru_cache(maxsize=8)
def _moment_reader(order: str) -> Callable[[Cell], datetime | None]:
    return partial(parse_moment, order=order)


@lru_cache(maxsize=4096)
def _moment_text(moment: datetime, plain_date: bool) -> str:
    return f"{moment:%Y-%m-%d}" if plain_date else f"{moment:%Y-%m-%d %H:%M}"


_PAIR = re.compile(r"\s*(?:→|->|>|=>| to | into | para | in | en | nach | a | σε | на | إلى )\s*")


def interpretation_need(value: object) -> str | None:
    """'English → Greek', 'en>el', 'Greek', 'Yes, into Greek' -> 'en>el' / 'el'; no need -> None."""
    text = clean_text(value)
    if not text or means_no_need(text):
        return None
    if yes_no(text) is False:
        return None
    parts = [p for p in _PAIR.split(text) if clean_text(p)]
    codes: list[str] = []
    for part in parts:
        try:
            found = language_codes(part)
        except LanguageProblem as problem:
            found = problem.known
        if not found and yes_no(part) is True:
            continue
        if not found:
            raise ValueProblem(
                f"'{text}' is not an interpretation need visitplan can read",
                "write the language they need interpretation into (Greek, el), or a pair "
                "(English → Greek, en>el); None if they need none",
            )
        codes.extend(found)
    if not codes:
        raise ValueProblem(
            f"'{text}' does not say into which language",
            "write the language they need interpretation into (Greek, el), or a pair "
            "(English → Greek, en>el)",
        )
    return codes[-1] if len(codes) == 1 else f"{codes[0]}>{codes[-1]}"


# -- step 3: what only the whole row can tell ------------------------------------------------


def validate_row(moments: dict[str, datetime]) -> None:
    """What only the whole row can tell: a departure before the arrival."""
    if (
        "arrival" in moments
        and "departure" in moments
        and (moments["departure"] < moments["arrival"])
    ):
        raise _Skip(
            f"departure ({moments['departure']:%Y-%m-%d %H:%M}) is before arrival "
            f"({moments['arrival']:%Y-%m-%d %H:%M})",
            "swap the two dates, or correct them",
        )


# -- step 4: duplicates, ids, and the model's own validation ------------------------------


def account_for(records: list[Imported], result: ImportResult, visit: Visit | None) -> None:
    _deduplicate(records, result)
    records.clear()
    _assign_ids(result.taken, visit)
    for record in result.taken:  # done with them: 200,000 rows need the room
        record.key, record.stamp = "", None
    _validate(result)


def _key(text: str) -> str:
    return normalise_header(text)


def _person_key(record: Imported) -> str:
    """Name and organisation, as one comparable key (one string: 200,000 of them)."""
    if not record.key:
        name, organisation = record.name, str(record.fields.get("organisation", ""))
        record.key = f"{_key(name)}\x1f{_key(organisation)}"
    return record.key


def _deduplicate(records: list[Imported], result: ImportResult) -> None:
    """A later submission replaces an earlier one; one email for two names is a conflict."""
    by_email: dict[str, Imported] = {}
    # Names are compared only for rows without an email, so only then are they indexed.
    by_name: dict[str, Imported] | None = {} if any(not r.email for r in records) else None
    kept: list[Imported] = []
    for record in records:
        earlier: Imported | None = None
        same = "same email"
        if record.email:
            earlier = by_email.get(record.email)
            if earlier is not None and _key(earlier.name) != _key(record.name):
                result.rejected.append(
                    Rejected(
                        record.row,
                        f"email {record.email} is already used by '{earlier.fields['name']}' "
                        f"(row {earlier.row}), a different name",
                        "two people cannot share one email: correct one of them, or leave this "
                        "email empty",
                        _as_cells(record, result),
                    )
                )
                continue
        elif by_name is not None:
            earlier = by_name.get(_person_key(record))
            same = "same name and organisation"
        if earlier is None:
            record.place = len(kept)
            kept.append(record)
            current = record
        else:
            newer, older, how = _newer(record, earlier)
            result.merged.append(Merged(older.row, newer.row, f"{same}, {how}"))
            newer.place = earlier.place
            kept[earlier.place] = newer
            current = newer
        if current.email:
            by_email[current.email] = current
        if by_name is not None:
            by_name[_person_key(current)] = current
    result.taken = kept


def _as_cells(record: Imported, result: ImportResult) -> list[Cell]:
    """The record's values in the columns they came from (for the rejected-rows report)."""
    cells: list[Cell] = [None] * len(result.headers)
    for name, index in result.columns.items():
        found = record.fields.get(name)
        value: Cell = ", ".join(str(v) for v in found) if isinstance(found, list) else found
        if name == "given_name":
            value = record.name
        if index < len(cells) and value is not None:
            cells[index] = value
    return cells


def _newer(a: Imported, b: Imported) -> tuple[Imported, Imported, str]:
    if a.stamp and b.stamp:
        return (a, b, "later timestamp") if a.stamp >= b.stamp else (b, a, "later timestamp")
    return (a, b, "later row") if a.row > b.row else (b, a, "later row")


def _assign_ids(records: list[Imported], visit: Visit | None) -> None:
    """Keep the id of a participant already in the visit; make a new one from the name,
    transliterated to Latin letters from any script."""
    existing = visit.participants if visit else []
    by_email = {p.email.lower(): p.id for p in existing if p.email}
    by_name = {f"{_key(p.name)}\x1f{_key(p.organisation or '')}": p.id for p in existing}
    used = {p.id for p in existing}
    suffixes: dict[str, int] = {}
    for record in records:
        fields = record.fields
        match = by_email.get(record.email) if record.email else None
        if match is None and by_name:
            match = by_name.get(_person_key(record))
        if match:
            fields["id"] = match
            continue
        base = record.id or ascii_slug(record.name) or "participant"
        candidate, n = base, suffixes.get(base, 1)
        while candidate in used:  # linear: each base remembers the suffix it reached
            n += 1
            candidate = f"{base}-{n}"
        if n > 1:
            suffixes[base] = n
        fields["id"] = candidate
        used.add(candidate)
    for record in records:
        record.fields = {k: record.fields[k] for k in FIELD_ORDER if k in record.fields}


def _validate(result: ImportResult) -> None:
    """Whatever passed so far must also load as a participant of the visit model; a field
    the model refuses is left out with a warning, a refused name or id rejects the row."""
    from pydantic import ValidationError

    from visitplan.model import Participant

    valid = []
    for record in result.taken:
        for _ in range(len(FIELD_ORDER)):
            try:
                Participant.model_validate(record.fields)
            except ValidationError as exc:
                first = exc.errors(include_url=False)[0]
                where = str(first["loc"][0]) if first["loc"] else ""
                message = str(first["msg"])
                if where in ("name", "id", "") or where not in record.fields:
                    result.rejected.append(
                        Rejected(
                            record.row,
                            f"{where}: {message}",
                            "correct the value in the sheet",
                            _as_cells(record, result),
                        )
                    )
                    break
                value = record.fields.pop(where)
                index = result.columns.get(where)
                result.warnings.append(
                    CellWarning(
                        record.row,
                        column_letter(index) if index is not None else "",
                        result.headers[index] if index is not None else where,
                        f"'{value}' cannot be a participant's {where} ({message}); left out "
                        "of this row — correct it in the sheet",
                        True,
                    )
                )
                continue
            valid.append(record)
            break
    result.taken = valid
