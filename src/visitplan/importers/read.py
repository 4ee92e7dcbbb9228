"""Reading registration spreadsheets: .xlsx/.xlsm, .ods/.xls/.xlsb and .csv/.tsv.

Every reader yields ``(row number, cells)`` as the spreadsheet shows them (row 1 is
the first row), streaming: a 5,000-row sheet is never held twice in memory.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from visitplan.findings import Finding, Location, Severity
from visitplan.load import InputError

Cell = Any  # str, int, float, bool, datetime, date, time or None
MAX_COLUMNS = 500
CSV_FIELD_LIMIT = 1_000_000


@dataclass
class Sheet:
    name: str  # as shown in messages: the file name, or the sheet's name
    rows: Iterator[tuple[int, list[Cell]]]


def read_sheet(path: Path, sheet: str | None = None) -> Sheet:
    """The rows of a spreadsheet file; ``sheet`` picks a sheet by name (default: first)."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise _error(path, "the file does not exist", "check the path")
    if suffix in {".xlsx", ".xlsm"}:
        return _read_xlsx(path, sheet)
    if suffix in {".ods", ".xls", ".xlsb"}:
        return _read_calamine(path, sheet)
    if suffix in {".csv", ".tsv", ".txt"}:
        return Sheet(path.name, _read_csv(path))
    raise _error(
        path,
        f"visitplan cannot read '{suffix or 'files without an extension'}'",
        "save the sheet as .xlsx, .ods or .csv",
    )


def _error(path: Path, message: str, hint: str) -> InputError:
    return InputError([Finding(Severity.ERROR, "VP010", message, hint, Location(str(path)))])


def _read_xlsx(path: Path, wanted: str | None) -> Sheet:
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise _error(
            path,
            f"the file is not a readable Excel workbook ({exc})",
            "open it in Excel or LibreOffice and save it again as .xlsx",
        ) from None
    names = workbook.sheetnames
    name = _pick(path, names, wanted)
    worksheet = workbook[name]

    def rows() -> Iterator[tuple[int, list[Cell]]]:
        try:
            for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
                yield number, list(values[:MAX_COLUMNS])
        finally:
            workbook.close()

    return Sheet(name if wanted or len(names) > 1 else path.name, rows())


def _read_calamine(path: Path, wanted: str | None) -> Sheet:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        names = workbook.sheet_names
        name = _pick(path, names, wanted)
        data = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except InputError:
        raise
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise _error(
            path,
            f"the file is not a readable spreadsheet ({exc})",
            "open it in LibreOffice or Excel and save it again as .xlsx",
        ) from None

    def rows() -> Iterator[tuple[int, list[Cell]]]:
        for number, values in enumerate(data, start=1):
            yield number, [None if v == "" else v for v in values[:MAX_COLUMNS]]

    return Sheet(name if wanted or len(names) > 1 else path.name, rows())


def _pick(path: Path, names: list[str], wanted: str | None) -> str:
    if wanted is None:
        if not names:
            raise _error(path, "the workbook has no sheets", "add the participants to a sheet")
        return names[0]
    if wanted in names:
        return wanted
    raise _error(
        path, f"there is no sheet called '{wanted}'", f"sheets in this file: {', '.join(names)}"
    )


def decode(raw: bytes) -> tuple[str, str]:
    """Text and the encoding it was in: BOMs first, then UTF-8, then detection."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if raw.startswith(bom):
            return raw.decode(encoding), encoding
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(raw[:200_000]).best()
    guess = best.encoding if best is not None else "cp1252"
    if guess.replace("-", "_").lower() in _LATIN_PAGES:
        # Latin code pages decode each other's bytes into letters too; the right one
        # leaves fewest symbols stuck inside words. Ties go to Western European.
        guess = min(_LATIN_CANDIDATES, key=lambda e: _misfits(raw.decode(e, errors="replace")))
    return raw.decode(guess, errors="replace"), guess


_LATIN_CANDIDATES = ("cp1252", "cp1250", "cp1257", "iso8859_15", "iso8859_2")
_LATIN_PAGES = frozenset(
    {
        "ascii",
        "latin_1",
        "iso8859_1",
        "iso8859_2",
        "iso8859_15",
        "cp1250",
        "cp1252",
        "cp1257",
        "windows_1250",
        "windows_1252",
        "mac_roman",
        "cp850",
        "cp437",
        "iso8859_9",
        "cp1254",
    }
)


def _misfits(text: str) -> int:
    """Non-ASCII symbols between letters: the mark of a wrong code page."""
    return sum(
        1
        for n in range(1, len(text) - 1)
        if ord(text[n]) > 127
        and not text[n].isalpha()
        and text[n - 1].isalpha()
        and text[n + 1].isalpha()
    ) + text.count("\ufffd")


def sniff_dialect(sample: str) -> type[csv.Dialect] | csv.Dialect:
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        lines = [line for line in sample.splitlines()[:10] if line.strip()]
        counts = {d: sum(line.count(d) for line in lines) for d in ",;\t|"}
        delimiter = max(counts, key=lambda d: counts[d])

        class Fallback(csv.excel):
            pass

        Fallback.delimiter = delimiter
        return Fallback


def _read_csv(path: Path) -> Iterator[tuple[int, list[Cell]]]:
    text, _ = decode(path.read_bytes())
    dialect = sniff_dialect(text[:20_000])
    csv.field_size_limit(CSV_FIELD_LIMIT)
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        for number, values in enumerate(reader, start=1):
            yield number, [v if v != "" else None for v in values[:MAX_COLUMNS]]
    except csv.Error as exc:
        raise _error(
            path,
            f"the CSV file is damaged near record {reader.line_num} ({exc})",
            "open it in a spreadsheet program and save it again as CSV",
        ) from None
