"""Imported participants written into a visit workbook's Participants sheet.

Only cells of that sheet change: a participant found by id, then by email, has the
cells the registration sheet changed rewritten; a new one gets the next empty row.
Every other sheet, style, column width, drop-down and cell comment stays as it was
(openpyxl keeps them; it drops drawn shapes, form controls and pivot tables, which a
visit workbook has no use for). Nothing changed: the file is not written at all. The
merged workbook is checked as a whole visit before it replaces the file, and the
previous version is kept as ``visit.xlsx.bak``.
"""

from __future__ import annotations

import io
import re
import tempfile
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from visitplan.findings import InputError, Location
from visitplan.participants.importing import FieldValue, ImportResult
from visitplan.participants.visit_file import (
    MergeOutcome,
    comparable,
    read_imported,
    write_imported,
)
from visitplan.workbook.layout import FIELD_ROW, FIRST_ROW, Column, sheet_of

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from visitplan.labels import Labels

_MOMENT = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T](\d{1,2}):(\d{2}))?$")


def merge_into_workbook(visit_file: Path, result: ImportResult, dry_run: bool) -> MergeOutcome:
    """Merge ``result``'s participants into the workbook ``visit_file``."""
    from openpyxl import load_workbook

    from visitplan.labels import Labels
    from visitplan.load import load_visit

    if visit_file.suffix.lower() == ".ods":
        raise InputError.of(
            "VP010",
            "visitplan reads .ods workbooks but cannot write them, so it cannot add the "
            "participants to this one",
            "save the workbook as .xlsx in LibreOffice (File > Save As), then import into "
            "the .xlsx; or import without --visit and paste the rows",
            Location(str(visit_file)),
        )
    visit = load_visit(visit_file).visit
    _refuse_drawings(visit_file)
    labels = Labels(visit.details.language)
    original = visit_file.read_bytes()
    book = load_workbook(io.BytesIO(original), keep_vba=visit_file.suffix.lower() == ".xlsm")
    sheet = _participants_sheet(book, visit_file)
    previous = read_imported(visit_file)
    changes = _Changes(sheet, labels)
    added: list[str] = []
    updated: list[str] = []
    unchanged: list[str] = []
    kept: list[str] = []
    imported = dict(previous)
    for record in result.taken:
        row = changes.find(record.id, record.email)
        if row is None:
            row = changes.new_row()
            changes.write_row(row, record.fields)
            added.append(record.id)
            imported[record.id] = dict(record.fields)
            continue
        its_id = str(changes.value(row, "id") or record.id)
        imported[its_id] = dict(record.fields)
        last = previous.get(its_id, {})
        changed = False
        for key, value in record.fields.items():
            if key == "id" or key not in changes.columns or changes.same(row, key, value):
                continue
            if key in last and comparable(last[key]) == comparable(value):
                kept.append(
                    f"kept your correction of {key} for row {record.row} "
                    f"({record.fields.get('name', '')}) in {sheet.title}!"
                    f"{changes.cell(row, key).coordinate}, as the sheet still says "
                    f"{comparable(value)!r}"
                )
                continue
            changes.write(row, key, value)
            changed = True
        (updated if changed else unchanged).append(its_id)
    outcome = MergeOutcome(
        visit_file, len(added), len(updated), len(unchanged), kept, bool(added or updated), dry_run
    )
    if not outcome.changed:
        if not dry_run:
            write_imported(visit_file, imported)
        return outcome
    stream = io.BytesIO()
    book.save(stream)
    merged = stream.getvalue()
    problems = _problems(visit_file, merged)
    if problems:
        return replace(outcome, problems=problems)
    if dry_run:
        return replace(outcome, diff=[f"{line}\n" for line in changes.described])
    from visitplan.atomic import real_path, replace_file
    from visitplan.participants.visit_file import backup_path

    target = real_path(visit_file)
    try:
        backup = backup_path(visit_file)
        replace_file(backup, original)
        replace_file(target, merged)
    except OSError as error:
        return replace(outcome, write_error=str(error.strerror or error))
    write_imported(visit_file, imported, backup)
    return replace(outcome, backup=backup)


def _refuse_drawings(visit_file: Path) -> None:
    """Pictures and drawn shapes would be lost on saving (openpyxl keeps charts, and
    pictures only where Pillow is installed): refuse rather than drop them."""
    import importlib.util
    import zipfile

    pictures_kept = importlib.util.find_spec("PIL") is not None
    lost = []
    with zipfile.ZipFile(visit_file) as archive:
        for name in archive.namelist():
            if not re.fullmatch(r"xl/drawings/drawing\d+\.xml", name):
                continue
            text = archive.read(name)
            shapes = len(re.findall(rb"<(?:\w+:)?sp[ >]", text))
            pictures = 0 if pictures_kept else len(re.findall(rb"<(?:\w+:)?pic[ >]", text))
            if shapes:
                lost.append(f"{shapes} drawn shape(s)")
            if pictures:
                lost.append(f"{pictures} picture(s)")
    if lost:
        raise InputError.of(
            "VP010",
            f"the workbook holds {', '.join(lost)}, which writing the participants into it "
            "would remove; nothing was changed",
            "move them to another file (or keep the logo as a file named in the Visit "
            "sheet), then import again; or import without --visit and paste the rows",
            Location(str(visit_file)),
        )


def _participants_sheet(book: Any, visit_file: Path) -> Worksheet:
    from visitplan.workbook.read import Grid, _section_of

    for sheet in book.worksheets:
        first = [cell.value for cell in sheet[FIELD_ROW]] if sheet.max_row >= FIELD_ROW else []
        if _section_of(Grid(sheet.title, [first])) == "participants":
            return sheet
    raise InputError.of(
        "VP010",
        "the workbook has no Participants sheet (with its hidden first row of field names)",
        "add one: convert the visit to YAML and back (`visitplan convert`) writes every "
        "sheet, or import without --visit",
        Location(str(visit_file)),
    )


def _problems(visit_file: Path, merged: bytes) -> list[Any]:
    """What would be wrong with the visit once merged (checked in a copy beside it, so
    that images named relative to it are found)."""
    from visitplan.load import load_data
    from visitplan.workbook.read import read_workbook

    with tempfile.NamedTemporaryFile(
        suffix=visit_file.suffix, dir=visit_file.absolute().parent, delete=False
    ) as temp:
        temp.write(merged)
    try:
        data, source, findings = read_workbook(Path(temp.name), str(visit_file))
        load_data(data, source, findings, visit_file)
    except InputError as error:
        return error.findings
    finally:
        Path(temp.name).unlink(missing_ok=True)
    return []


class _Changes:
    """The Participants sheet's rows, and the cells an import writes."""

    def __init__(self, sheet: Worksheet, labels: Labels) -> None:
        from openpyxl import Workbook

        self.sheet = sheet
        self.labels = labels
        named = {c.field: c for c in sheet_of("participants").columns}
        header = [cell.value for cell in sheet[FIELD_ROW]]
        self.columns: dict[str, tuple[int, Column]] = {
            str(name): (number, named[str(name)])
            for number, name in enumerate(header, start=1)
            if str(name) in named
        }
        self.last = max(
            (
                row
                for row in range(FIRST_ROW, sheet.max_row + 1)
                if any(
                    not _blank(sheet.cell(row, number).value) for number, _ in self.columns.values()
                )
            ),
            default=FIRST_ROW - 1,
        )
        self.by_id: dict[str, int] = {}
        self.by_email: dict[str, int] = {}
        for row in range(FIRST_ROW, self.last + 1):
            person = self.value(row, "id")
            if not _blank(person):
                self.by_id.setdefault(str(person).strip(), row)
            email = self.value(row, "email")
            if not _blank(email):
                self.by_email.setdefault(str(email).strip().lower(), row)
        self.scratch = Workbook().worksheets[0]
        self.described: list[str] = []

    def find(self, person: str, email: str) -> int | None:
        return self.by_id.get(person) or (self.by_email.get(email.lower()) if email else None)

    def new_row(self) -> int:
        self.last += 1
        return self.last

    def cell(self, row: int, key: str) -> Any:
        return self.sheet.cell(row, self.columns[key][0])

    def value(self, row: int, key: str) -> Any:
        return self.cell(row, key).value if key in self.columns else None

    def write_row(self, row: int, fields: dict[str, FieldValue]) -> None:
        for key, value in fields.items():
            if key in self.columns:
                self.write(row, key, value)

    def write(self, row: int, key: str, value: FieldValue) -> None:
        from visitplan.workbook.write import put_value

        cell = self.cell(row, key)
        before = cell.value
        put_value(cell, self.columns[key][1], _typed(value), self.labels)
        self.described.append(
            f"{self.sheet.title}!{cell.coordinate}: {_shown(before)} -> {_shown(cell.value)}"
        )

    def same(self, row: int, key: str, value: FieldValue) -> bool:
        """Whether the cell already says ``value`` (as the reader would take both)."""
        from visitplan.workbook.read import read_cell
        from visitplan.workbook.write import put_value

        column = self.columns[key][1]
        scratch = self.scratch.cell(1, 1)
        put_value(scratch, column, _typed(value), self.labels)
        return bool(read_cell(self.value(row, key), column) == read_cell(scratch.value, column))


def _typed(value: FieldValue) -> Any:
    """An imported value as the model types it: a date and time, a yes, a list, text."""
    if isinstance(value, str):
        match = _MOMENT.match(value.strip())
        if match:
            day, hour, minute = match.groups()
            try:
                return datetime.fromisoformat(f"{day} {int(hour or 0):02d}:{minute or '00'}")
            except ValueError:
                return value
    return value


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _shown(value: Any) -> str:
    return "(empty)" if _blank(value) else repr(value)
