"""Read a visit workbook into the plain values ``visit.yaml`` would give, each placed
at its cell, so that the loader validates both the same way and locates every error
as ``visit.xlsx!Sessions!D7``.

A block's sheet is found by its hidden row of field names, whatever the sheet is
called. Cells are taken as the officer typed them: real dates and times, text dates,
``9.30``, ``9:30`` and time fractions (``0.3958``); formulas by their saved result.
.xlsx and .xlsm are read with openpyxl, .ods with calamine (formulas are not told
apart from values there).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path as FilePath
from typing import Any

from visitplan.findings import Finding, InputError, Location
from visitplan.load import Loaded, SourceMap, load_data, note_bad_text
from visitplan.model import Path
from visitplan.workbook.layout import (
    COMMENT,
    FIELD_ROW,
    CellKind,
    Column,
    Sheet,
    sheet_of,
    sheets,
)

MAX_ROWS = 100_000
MAX_COLUMNS = 200
# What a cell shows when its formula failed.
FORMULA_ERRORS = frozenset(
    {"#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#N/A", "#NUM!", "#NULL!", "#SPILL!", "#CALC!"}
)
_TEXT_DATE = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})(?:\s+(.*))?$")
_FRACTION = re.compile(r"^0?[.,]\d+$")
_SEPARATORS = re.compile(r"[,;\n\r]+")
_EXCEL_EPOCH = datetime(1899, 12, 30)


@dataclass
class WorkbookSource(SourceMap):
    """Where each value of a workbook is: its sheet, row and column."""

    cells: dict[Path, tuple[str, int, int]] = field(default_factory=dict)

    def locate(self, path: Path, *, key: bool = False) -> Location:
        for depth in range(len(path), -1, -1):
            place = self.cells.get(path[:depth])
            if place is not None:
                return Location(self.file, place[1], place[2], sheet=place[0])
        return Location(self.file)


@dataclass
class Grid:
    """A sheet's values by row (1-based rows and columns) and its formulas without a
    saved result."""

    title: str
    rows: list[list[Any]]
    unsaved: set[tuple[int, int]] = field(default_factory=set)

    def value(self, row: int, column: int) -> Any:
        if row > len(self.rows):
            return None
        cells = self.rows[row - 1]
        return cells[column - 1] if column <= len(cells) else None


class _CellProblem(Exception):
    def __init__(self, code: str, message: str, hint: str) -> None:
        super().__init__(message)
        self.code, self.message, self.hint = code, message, hint


def load_workbook_visit(path: FilePath, shown: str) -> Loaded:
    """Read and validate a visit workbook; InputError lists every problem at its cell,
    with hints said for cells rather than for YAML keys."""
    data, source, findings = read_workbook(path, shown)
    unreadable = {f.location for f in findings if f.location and f.location.line}
    try:
        return load_data(data, source, findings, path)
    except InputError as error:
        raise InputError(
            [
                _for_cells(f)
                for f in error.findings
                # A cell that could not be read is not also missing.
                if not (f.code == "VP003" and f.location in unreadable)
            ]
        ) from None


_ADD_KEY = re.compile(r"^add `([\w.]+):`(?: here: (.*))?$")
_YES_NO_HINT = re.compile(r"^write (\w+): yes or \1: no$")


def _for_cells(finding: Finding) -> Finding:
    """A hint that speaks of YAML keys, as it reads for a workbook's cells."""
    from dataclasses import replace

    hint = finding.hint
    if match := _ADD_KEY.match(hint):
        key, what = match.groups()
        hint = f"fill in the {key} cell" + (f": {what}" if what else "")
    elif _YES_NO_HINT.match(hint):
        hint = "choose yes or no from the drop-down list"
    elif hint == "write each item on its own line starting with '- '":
        hint = "write the items in the cell, separated by commas"
    elif hint.startswith("add it under `"):
        hint = hint.replace("add it under `", "add it on the sheet of `", 1)
    return replace(finding, hint=hint) if hint != finding.hint else finding


def read_workbook(
    path: FilePath, shown: str
) -> tuple[dict[str, Any], WorkbookSource, list[Finding]]:
    """The visit's plain values, their places, and what could not be read."""
    grids = read_grids(path, shown)
    source = WorkbookSource(shown)
    findings: list[Finding] = []
    data: dict[str, Any] = {}
    found: dict[str, Grid] = {}
    for grid in grids:
        section = _section_of(grid)
        if section is None:
            continue
        if section in found:
            findings.append(
                Finding.of(
                    "VP009",
                    f"the sheets '{found[section].title}' and '{grid.title}' both hold the "
                    f"{section} block",
                    "keep one of them: merge their rows, then delete the other sheet",
                    Location(shown, FIELD_ROW, 1, sheet=grid.title),
                )
            )
            continue
        found[section] = grid
    lost = _sheets_without_field_names(grids, found, shown) if len(found) < len(sheets()) else []
    findings += lost
    if "visit" not in found:
        raise InputError.of(
            "VP003",
            "the workbook has no Visit sheet (the sheet of the visit's title, dates and "
            "time zone, with its hidden first row of field names)",
            "start from a workbook visitplan wrote: `visitplan init DIR --format xlsx` or "
            "`visitplan convert visit.yaml visit.xlsx`",
            Location(shown),
        )
    reader = _Reader(source, findings)
    objectives: list[dict[str, Any]] = []
    for sheet in sheets():
        block = found.get(sheet.section)
        if block is None:
            continue
        grid = block
        if sheet.section == "objectives":
            objectives = reader.list_sheet(grid, sheet)
        elif sheet.is_list:
            items = reader.list_sheet(grid, sheet)
            if items:
                data[sheet.section] = items
        else:
            values = reader.key_sheet(grid, sheet)
            if values or sheet.section == "visit":
                data[sheet.section] = values
    if objectives:
        data["visit"]["objectives"] = objectives
    if "sessions" not in found and not lost:  # a sheet that lost its field names is said
        findings.append(_no_sessions_sheet(data["visit"].get("language"), shown))
    return data, source, findings


def _no_sessions_sheet(language: Any, shown: str) -> Finding:
    """A workbook whose sheet of sessions was deleted: the visit would have no programme."""
    from visitplan.labels import Labels

    title = Labels(language if isinstance(language, str) else "en")(sheet_of("sessions").title)
    return Finding.of(
        "VP003",
        f"the workbook has no sheet of sessions ('{title}'), so the visit has no programme",
        f"put the '{title}' sheet back from a copy of the workbook, or make the workbook "
        "again with `visitplan convert` from the visit's last YAML file; a visit without "
        "sessions keeps the sheet, empty",
        Location(shown),
    )


def _sheets_without_field_names(
    grids: list[Grid], found: dict[str, Grid], shown: str
) -> list[Finding]:
    """Sheets named as a block's sheet (in any language) that lost their row of field
    names: their rows would otherwise be left out without a word."""
    from visitplan.i18n import languages
    from visitplan.labels import Labels

    missing = [sheet for sheet in sheets() if sheet.section not in found]
    titles = {
        Labels(language)(sheet.title).casefold().strip(): sheet.section
        for language in languages()
        for sheet in missing
    }
    problems = []
    for grid in grids:
        section = titles.get(grid.title.casefold().strip())
        if section is None or _section_of(grid) is not None:
            continue
        problems.append(
            Finding.of(
                "VP010",
                f"the sheet '{grid.title}' has lost its first row of field names, so its "
                "rows cannot be read",
                "insert a first row holding the field names (copy it from a workbook "
                "that `visitplan convert` or `visitplan init --format xlsx` writes), then "
                "hide it again",
                Location(shown, FIELD_ROW, 1, sheet=grid.title),
            )
        )
    return problems


def _section_of(grid: Grid) -> str | None:
    """The block a sheet holds, told by its row of field names."""
    names = [str(v).strip() for v in (grid.rows[0] if grid.rows else []) if v is not None]
    if names[:3] == ["field", "heading", "value"]:
        keys = {str(row[0]).strip() for row in grid.rows[1:] if row and row[0] is not None}
        for sheet in sheets():
            if not sheet.is_list and {c.field for c in sheet.columns} & keys:
                return sheet.section
        return None
    best, score = None, 0
    if "id" not in names:
        return None
    for sheet in sheets():
        common = len({c.field for c in sheet.columns} & set(names)) if sheet.is_list else 0
        if common > score:
            best, score = sheet.section, common
    return best if score >= 2 else None


class _Reader:
    def __init__(self, source: WorkbookSource, findings: list[Finding]) -> None:
        self.source = source
        self.findings = findings

    def list_sheet(self, grid: Grid, sheet: Sheet) -> list[dict[str, Any]]:
        section = sheet.section
        prefix: Path = ("visit", "objectives") if section == "objectives" else (section,)
        columns = {c.field: c for c in sheet.columns}
        header = grid.rows[0] if grid.rows else []
        placed: list[tuple[int, Column | None]] = []
        first: dict[str, int] = {}
        for number, name in enumerate(header[:MAX_COLUMNS], start=1):
            text = str(name).strip() if name is not None else ""
            if text in first:
                self._twice(grid, FIELD_ROW, number, text, "column", first[text])
            elif text in columns:
                first[text] = number
                placed.append((number, columns[text]))
            elif text == COMMENT:
                continue
            else:
                placed.append((number, None))
        heading_row = FIELD_ROW + 1
        items: list[dict[str, Any]] = []
        for row in range(heading_row + 1, len(grid.rows) + 1):
            item: dict[str, Any] = {}
            places: dict[Path, tuple[str, int, int]] = {}
            n = len(items)
            for number, column in placed:
                raw = grid.value(row, number)
                if column is None:
                    if not _blank(raw):
                        self._unknown_column(grid, number, row, sheet)
                    continue
                places[(*prefix, n, *column.path)] = (grid.title, row, number)
                if (row, number) in grid.unsaved:
                    self._problem(grid, row, number, _unsaved())
                    item.setdefault("\0", True)
                    continue
                if _blank(raw):
                    continue
                try:
                    value = cell_value(raw, column)
                except _CellProblem as problem:
                    self._problem(grid, row, number, problem)
                    item.setdefault("\0", True)
                    continue
                if value is None:
                    continue
                _set(item, column.path, value)
                self._note_text(value, (*prefix, n, *column.path), column)
            if not item:
                continue
            item.pop("\0", None)
            self.source.cells.update(places)
            id_column = next((number for number, c in placed if c and c.field == "id"), 1)
            self.source.cells[(*prefix, n)] = (grid.title, row, id_column)
            items.append(item)
        self.source.cells.setdefault(prefix, (grid.title, heading_row, 1))
        if len(grid.rows) > MAX_ROWS:
            raise InputError.of(
                "VP010",
                f"the sheet has {len(grid.rows):,} rows, more than visitplan reads ({MAX_ROWS:,})",
                "delete the empty or extra rows below the last item",
                Location(self.source.file, MAX_ROWS, 1, sheet=grid.title),
            )
        return items

    def key_sheet(self, grid: Grid, sheet: Sheet) -> dict[str, Any]:
        columns = {c.field: c for c in sheet.columns}
        values: dict[str, Any] = {}
        prefix: Path = (sheet.section,)
        self.source.cells[prefix] = (grid.title, FIELD_ROW + 1, 3)
        first_row: dict[str, int] = {}
        for row in range(FIELD_ROW + 2, len(grid.rows) + 1):
            key = grid.value(row, 1)
            raw = grid.value(row, 3)
            if _blank(key):
                if not _blank(raw):
                    self._problem(
                        grid,
                        row,
                        1,
                        _CellProblem(
                            "VP002",
                            "this row has a value but no field name in its (hidden) first column",
                            "unhide column A and write the field's name, or move the value "
                            "to the row of its field",
                        ),
                    )
                continue
            name = str(key).strip()
            column = columns.get(name)
            if name in first_row:
                self._twice(grid, row, 1, name, "row", first_row[name])
                continue
            if column is not None:
                first_row[name] = row
            if column is None:
                from difflib import get_close_matches

                close = get_close_matches(name, list(columns), n=1, cutoff=0.6)
                self._problem(
                    grid,
                    row,
                    1,
                    _CellProblem(
                        "VP002",
                        f"unknown field '{name}'",
                        f"did you mean '{close[0]}'?" if close else "remove this row",
                    ),
                )
                continue
            path = (*prefix, *column.path)
            self.source.cells[path] = (grid.title, row, 3)
            if (row, 3) in grid.unsaved:
                self._problem(grid, row, 3, _unsaved())
                continue
            if _blank(raw):
                continue
            try:
                value = cell_value(raw, column)
            except _CellProblem as problem:
                self._problem(grid, row, 3, problem)
                continue
            if value is not None:
                _set(values, column.path, value)
                self._note_text(value, path, column)
        return values

    def _note_text(self, value: Any, path: Path, column: Column) -> None:
        if isinstance(value, str):
            note_bad_text(value, path, self.source)
        elif isinstance(value, list):
            for n, item in enumerate(value):
                if isinstance(item, str):
                    note_bad_text(item, (*path, n), self.source)

    def _problem(self, grid: Grid, row: int, column: int, problem: _CellProblem) -> None:
        self.findings.append(
            Finding.of(
                problem.code,
                problem.message,
                problem.hint,
                Location(self.source.file, row, column, sheet=grid.title),
            )
        )

    def _twice(self, grid: Grid, row: int, column: int, name: str, what: str, first: int) -> None:
        """A field named a second time: one of the two would be lost without a word."""
        from openpyxl.utils import get_column_letter

        earlier = get_column_letter(first) if what == "column" else str(first)
        self._problem(
            grid,
            row,
            column,
            _CellProblem(
                "VP009",
                f"the field '{name}' is named a second time (first in {what} {earlier}), "
                "so the values of one of the two would be lost",
                (
                    "write this column's own field name in its hidden first row, or move "
                    f"its values into column {earlier} and delete this column"
                )
                if what == "column"
                else f"keep one of the two: move the value you mean into row {earlier} and "
                "delete this row",
            ),
        )

    def _unknown_column(self, grid: Grid, column: int, row: int, sheet: Sheet) -> None:
        heading = grid.value(FIELD_ROW + 1, column)
        named = f"'{heading}'" if not _blank(heading) else "without a field name"
        self._problem(
            grid,
            row,
            column,
            _CellProblem(
                "VP002",
                f"a value in a column {named}, which is not a field of this sheet",
                "write the field's name in the hidden first row of the column, or move "
                "the text to the Comments column",
            ),
        )


def _unsaved() -> _CellProblem:
    return _CellProblem(
        "VP017",
        "the cell holds a formula whose result was never saved",
        "open the workbook in Excel or LibreOffice and save it (that calculates it), or "
        "type the value instead of the formula",
    )


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _set(item: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for name in path[:-1]:
        inner = item.setdefault(name, {})
        if not isinstance(inner, dict):
            return
        item = inner
    item[path[-1]] = value


# ---------------------------------------------------------------------------
# One cell -> the value visit.yaml would hold


def read_cell(raw: Any, column: Column) -> Any:
    """What a cell says, as the reader takes it (a problem gives the raw value back),
    to tell whether two cells say the same."""
    if _blank(raw):
        return None
    try:
        return cell_value(raw, column)
    except _CellProblem:
        return raw


def cell_value(raw: Any, column: Column) -> Any:
    """The value of a cell as the model takes it; text the model judges is passed on."""
    if isinstance(raw, str):
        raw = raw.strip()
        if raw in FORMULA_ERRORS:
            raise _CellProblem(
                "VP017",
                f"the cell shows the error {raw}: its formula cannot be calculated",
                "correct the formula, or type the value instead",
            )
    kind = column.kind
    if kind is CellKind.DATE:
        return _date(raw)
    if kind is CellKind.TIME:
        return _time(raw)
    if kind is CellKind.DATETIME:
        return _datetime(raw)
    if kind is CellKind.FLAG:
        return _flag(raw)
    if kind in (CellKind.WHOLE, CellKind.NUMBER):
        if isinstance(raw, float) and kind is CellKind.WHOLE and raw.is_integer():
            return int(raw)
        return raw if isinstance(raw, int | float) and not isinstance(raw, bool) else _text(raw)
    if kind is CellKind.IDS:
        return [part.strip() for part in _SEPARATORS.split(_text(raw)) if part.strip()]
    if kind is CellKind.TEXTS:
        return [line.strip() for line in re.split(r"[\r\n]+", _text(raw)) if line.strip()]
    if kind is CellKind.TIMES:
        return [_time(part.strip()) for part in re.split(r"[,;]", _text(raw)) if part.strip()]
    return _text(raw)


def _text(raw: Any) -> str:
    if isinstance(raw, bool):
        return "yes" if raw else "no"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, datetime):
        return raw.isoformat(sep=" ", timespec="minutes")
    if isinstance(raw, date | time):
        return raw.isoformat()
    return str(raw).strip() if not isinstance(raw, str) else raw


def _date(raw: Any) -> Any:
    if isinstance(raw, datetime):
        return raw.date() if raw.time() == time() else raw.isoformat(sep=" ")
    if isinstance(raw, date):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return _serial(raw).date().isoformat() if 0 < raw < 2_958_466 else str(raw)
    text = _text(raw)
    match = _TEXT_DATE.match(text)
    if match and not match.group(4):
        day, month, year = match.group(1, 2, 3)
        return f"{year}-{int(month):02d}-{int(day):02d}"
    return text


def _time(raw: Any) -> Any:
    if isinstance(raw, time):
        return time(raw.hour, raw.minute)
    if isinstance(raw, datetime):
        # Before March 1900 Excel's day numbers count from 31 December 1899.
        serial = (raw - datetime(1899, 12, 31)).total_seconds() / 86400
        if 1 <= serial < 60:  # a number such as 9.3 in a cell formatted as a time
            raw = round(serial, 6)
        else:
            return time(raw.hour, raw.minute)
    if isinstance(raw, timedelta):
        return _minutes(round(raw.total_seconds() / 60), str(raw))
    if isinstance(raw, str) and _FRACTION.match(raw):
        raw = float(raw.replace(",", "."))
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        if 0 <= raw < 1:  # Excel keeps a time as the fraction of a day
            return _minutes(round(raw * 24 * 60), str(raw))
        hours = int(raw)
        minutes = round((raw - hours) * 100)  # 9.30 typed in a number cell: 9.3
        if 0 <= hours < 24 and minutes < 60:
            return time(hours, minutes)
        return f"{raw:g}"
    return _text(raw)


def _minutes(total: int, shown: str) -> Any:
    if 0 <= total < 24 * 60:
        return time(total // 60, total % 60)
    if total == 24 * 60:
        return shown  # midnight at the end of the day: the model says what to write
    return shown


def _datetime(raw: Any) -> Any:
    if isinstance(raw, datetime):
        return raw.replace(second=0, microsecond=0)
    if isinstance(raw, date):
        return raw.isoformat()  # a bare date, as in visit.yaml
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        if 0 < raw < 2_958_466:
            moment = _serial(raw)
            return moment.date().isoformat() if raw == int(raw) else moment
        return str(raw)
    text = _text(raw)
    match = _TEXT_DATE.match(text)
    if match:
        day, month, year, rest = match.groups()
        return f"{year}-{int(month):02d}-{int(day):02d}" + (f" {rest}" if rest else "")
    return text


def _serial(number: float) -> datetime:
    moment = _EXCEL_EPOCH + timedelta(days=number)
    return moment.replace(second=0, microsecond=0) + timedelta(
        minutes=1 if moment.second >= 30 else 0
    )


def _flag(raw: Any) -> Any:
    from visitplan.participants.normalise import yes_no

    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float):
        return _text(raw)
    answer = yes_no(raw)
    return _text(raw) if answer is None else answer


# ---------------------------------------------------------------------------
# Files -> grids


def read_grids(path: FilePath, shown: str) -> list[Grid]:
    """Every sheet of the workbook as rows of values."""
    from visitplan.participants.read import _check_unpacked_sizes

    try:
        _check_unpacked_sizes(path)
    except InputError as error:
        raise InputError(
            [Finding.of(f.code, f.message, f.hint, Location(shown)) for f in error.findings]
        ) from None
    try:
        if path.suffix.lower() == ".ods":
            return _calamine_grids(path)
        return _openpyxl_grids(path)
    except InputError:
        raise
    except Exception as exc:  # damaged files raise the reading library's own errors
        raise InputError.of(
            "VP010",
            f"the file is not a readable workbook ({type(exc).__name__}: {exc})",
            "open it in Excel or LibreOffice and save it again as .xlsx",
            Location(shown),
        ) from None


def _openpyxl_grids(path: FilePath) -> list[Grid]:
    import warnings

    from openpyxl import load_workbook

    with warnings.catch_warnings():
        # openpyxl warns of features it does not read, and (while the rows are read)
        # of dates out of its range, which it gives as #VALUE!: never to the terminal.
        warnings.simplefilter("ignore")
        return _grids_of(load_workbook, path)


def _grids_of(load_workbook: Any, path: FilePath) -> list[Grid]:
    values = load_workbook(path, read_only=True, data_only=True)
    formulas = load_workbook(path, read_only=True, data_only=False)
    grids = []
    try:
        for sheet in values.worksheets:
            rows = _rows(sheet.iter_rows(values_only=True))
            grid = Grid(sheet.title, rows)
            for number, cells in enumerate(formulas[sheet.title].iter_rows(values_only=True), 1):
                if number > len(rows):
                    break
                for column, cell in enumerate(cells[:MAX_COLUMNS], start=1):
                    if (
                        isinstance(cell, str)
                        and cell.startswith("=")
                        and (_blank(grid.value(number, column)))
                    ) or (
                        not isinstance(cell, str | None)
                        and type(cell).__name__
                        in {
                            "ArrayFormula",
                            "DataTableFormula",
                        }
                        and _blank(grid.value(number, column))
                    ):
                        grid.unsaved.add((number, column))
            grids.append(grid)
    finally:
        values.close()
        formulas.close()
    return grids


def _rows(rows: Any) -> list[list[Any]]:
    found: list[list[Any]] = []
    last = 0
    for number, cells in enumerate(rows, start=1):
        if number > MAX_ROWS + 10:
            found.append([None])  # enough to say the sheet is too long
            break
        row = list(cells[:MAX_COLUMNS])
        found.append(row)
        if any(not _blank(cell) for cell in row):
            last = number
    return found[: max(last, len(found) if len(found) > MAX_ROWS else last)]


def _calamine_grids(path: FilePath) -> list[Grid]:
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(path))
    grids = []
    for name in workbook.sheet_names:
        sheet = workbook.get_sheet_by_name(name)
        rows = sheet.to_python(skip_empty_area=False)
        grids.append(Grid(name, _rows([[None if v == "" else v for v in r] for r in rows])))
    return grids
