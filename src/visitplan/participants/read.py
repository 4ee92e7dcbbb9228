"""Reading registration spreadsheets: .xlsx/.xlsm, .ods/.xls/.xlsb and .csv/.tsv.

Every reader yields ``(row number, cells)`` as the spreadsheet shows them (row 1 is
the first row), streaming: a 5,000-row sheet is never held twice in memory.

Sheets are read in bounded time and memory whatever they declare: only cells that
exist are read (a workbook that claims a cell at XFD1048576 costs what its real cells
cost), and the limits below are enforced with a message that says where.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from visitplan.findings import InputError

# What a spreadsheet cell holds once read (an ODS duration is a timedelta).
Cell = str | int | float | bool | datetime | date | time | timedelta | None
MAX_ROWS = 200_000  # participants' rows; the header may stand a few rows lower
LAST_ROW = MAX_ROWS + 30  # the last sheet row read: MAX_ROWS below a header in row 30
MAX_COLUMNS = 500
MAX_CELL_CHARS = 10_000
CSV_FIELD_LIMIT = 1_000_000
# Largest part of a workbook, unpacked: far above any registration sheet, far below
# what would exhaust memory (a few KB can unpack to gigabytes).
MAX_UNPACKED_BYTES = 300 * 1024 * 1024
MAX_GRID_CELLS = 20_000_000  # rows x columns a sheet laid out as one grid may span
Range = tuple[int, int, int, int]  # min_row, min_col, max_row, max_col, 1-based


@dataclass
class Sheet:
    name: str  # as shown in messages: the file name, or the sheet's name
    rows: Iterator[tuple[int, list[Cell]]]
    # Merged ranges; complete once ``rows`` has been read to the end (an .xlsx lists
    # them after its cells).
    merged_ranges: list[Range] = field(default_factory=list)
    cut_columns: int = 0  # the last column holding a value beyond MAX_COLUMNS, if any

    def merged(self) -> list[Range]:
        return self.merged_ranges


def read_sheet(path: Path, sheet: str | None = None) -> Sheet:
    """The rows of a spreadsheet file; ``sheet`` picks a sheet by name (default: first)."""
    suffix = path.suffix.lower()
    if path.is_dir():
        raise _error(path, "this is a folder, not a file", "give the spreadsheet's file name")
    if not path.is_file():
        raise _error(path, "the file does not exist", "check the path")
    if suffix in {".xlsx", ".xlsm", ".ods", ".xls", ".xlsb"}:
        _refuse_protected(path)
    if suffix in {".xlsx", ".xlsm"}:
        if _is_ole(path):  # an old .xls saved under a new name
            return _read_calamine(path, sheet)
        return _read_xlsx(path, sheet)
    if suffix in {".ods", ".xls", ".xlsb"}:
        return _read_calamine(path, sheet)
    if suffix in {".csv", ".tsv", ".txt"}:
        table = Sheet(path.name, iter(()))
        table.rows = _read_csv(path, table)
        return table
    raise _error(
        path,
        f"visitplan cannot read '{suffix or 'files without an extension'}'",
        "save the sheet as .xlsx, .ods or .csv",
    )


def sheet_names(path: Path) -> list[str]:
    """The names of a workbook's sheets, in order ([] for a .csv file)."""
    suffix = path.suffix.lower()
    if suffix in {".csv", ".tsv", ".txt"} or not path.is_file():
        return []
    if suffix in {".xlsx", ".xlsm"} and not _is_ole(path):
        import zipfile

        from openpyxl import load_workbook

        _refuse_protected(path)
        _check_unpacked_sizes(path)
        try:
            workbook = load_workbook(path, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
            return []  # read_sheet says what is wrong
        names = list(workbook.sheetnames)
        workbook.close()
        return names
    if suffix in {".xlsx", ".xlsm", ".ods", ".xls", ".xlsb"}:
        from python_calamine import CalamineWorkbook

        _refuse_protected(path)
        if suffix == ".ods":
            _check_unpacked_sizes(path)
        try:
            return list(CalamineWorkbook.from_path(str(path)).sheet_names)
        except Exception:  # a damaged file: read_sheet says so
            return []
    return []


def _error(path: Path, message: str, hint: str) -> InputError:
    return InputError.of("VP010", message, hint, path)


OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")


def _is_ole(path: Path) -> bool:
    with path.open("rb") as stream:
        return stream.read(8) == OLE_MAGIC


def _refuse_protected(path: Path) -> None:
    """Excel saves a workbook with a password as an encrypted OLE container, not a zip;
    ODS marks encrypted parts in its manifest."""
    import zipfile

    if _is_ole(path):
        with path.open("rb") as stream:
            head = stream.read(1 << 20)
        if "EncryptedPackage".encode("utf-16-le") in head or b"EncryptionInfo" in head.replace(
            b"\x00", b""
        ):
            raise _protected(path)
        return
    try:
        with zipfile.ZipFile(path) as archive:
            if "META-INF/manifest.xml" in archive.namelist():
                info = archive.getinfo("META-INF/manifest.xml")
                if info.file_size < 10_000_000 and b"encryption-data" in archive.read(info):
                    raise _protected(path)
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError, EOFError):
        return


def _protected(path: Path) -> InputError:
    return _error(
        path,
        "the workbook is protected by a password, so visitplan cannot read it",
        "open it in Excel or LibreOffice with the password, save a copy without one "
        "(Excel: File > Info > Protect Workbook > Encrypt with Password, then clear it), "
        "and import the copy",
    )


def _looks_like_text(path: Path) -> bool:
    """The start of the file is text: no NUL byte, and UTF-8 (or UTF-16 with its mark)."""
    try:
        with path.open("rb") as stream:
            start = stream.read(4096)
    except OSError:
        return False
    if start.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    if not start or b"\x00" in start:
        return False
    try:
        start.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.start > len(start) - 4  # a character cut at the end of the block
    return True


def _check_unpacked_sizes(path: Path) -> None:
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if info.file_size > MAX_UNPACKED_BYTES:
                    raise _error(
                        path,
                        f"part '{info.filename}' of the workbook unpacks to "
                        f"{info.file_size / 1024 / 1024:,.0f} MB, over the limit of "
                        f"{MAX_UNPACKED_BYTES // 1024 // 1024} MB",
                        "this is not an ordinary registration sheet: copy the participants "
                        "into a new workbook, or save the sheet as CSV",
                    )
    except zipfile.BadZipFile:
        return  # load_workbook says so, in its own words


def _read_xlsx(path: Path, wanted: str | None) -> Sheet:
    import zipfile

    from openpyxl import load_workbook

    _check_unpacked_sizes(path)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        if _looks_like_text(path):
            raise _error(
                path,
                "the file is text (a CSV file?) with a name ending in .xlsx, not an Excel workbook",
                f"rename it to {path.with_suffix('.csv').name} and import that",
            ) from None
        raise _error(
            path,
            f"the file is not a readable Excel workbook ({exc})",
            "open it in Excel or LibreOffice and save it again as .xlsx",
        ) from None
    names = workbook.sheetnames
    name = _pick(path, names, wanted)
    worksheet = workbook[name]
    shown = name if wanted or len(names) > 1 else path.name
    sheet = Sheet(shown, iter(()))
    sheet.rows = _xlsx_rows(path, workbook, worksheet, name, sheet)
    return sheet


def _xlsx_rows(
    path: Path, workbook: Any, worksheet: Any, name: str, sheet: Sheet
) -> Iterator[tuple[int, list[Cell]]]:
    """The rows that hold values, parsed straight from the sheet's XML: openpyxl's own
    row iterator pads every row to the declared dimension, which a hostile file sets
    to 16,384 columns by 1,048,576 rows."""
    import warnings
    import zipfile
    from xml.etree.ElementTree import ParseError

    from openpyxl.worksheet._reader import WorkSheetParser

    try:
        with worksheet._get_source() as source:
            parser = WorkSheetParser(
                source,
                worksheet._shared_strings,
                data_only=True,
                epoch=workbook.epoch,
                date_formats=workbook._date_formats,
                timedelta_formats=workbook._timedelta_formats,
            )
            cut_columns = 0
            rows = parser.parse()
            while True:
                with warnings.catch_warnings():
                    # A date out of range is read as #VALUE!, which its cell's message
                    # names; openpyxl's warning of it is not for the terminal.
                    warnings.simplefilter("ignore")
                    step = next(rows, None)
                if step is None:
                    break
                number, parsed = step
                present = [c for c in parsed if c["value"] is not None]
                if not present:
                    continue
                width = max(c["column"] for c in present)
                if number > LAST_ROW:
                    far = max(present, key=lambda c: c["column"])
                    raise _limit_error(path, name, number, far["column"], "rows")
                cells: list[Cell] = [None] * min(width, MAX_COLUMNS)
                for cell in present:
                    if cell["column"] <= MAX_COLUMNS:
                        value = cell["value"]
                        if isinstance(value, str) and "_x" in value:
                            value = _OOXML_ESCAPE.sub(_unescaped, value)
                        cells[cell["column"] - 1] = value
                    else:
                        cut_columns = max(cut_columns, cell["column"])
                yield number, cells
            if parser.merged_cells is not None:
                sheet.merged_ranges = _xlsx_ranges(parser.merged_cells)
            if cut_columns:
                sheet.cut_columns = cut_columns
    except (ParseError, ValueError, KeyError, IndexError, zipfile.BadZipFile) as exc:
        raise _error(
            path,
            f"the sheet '{name}' is damaged ({type(exc).__name__}: {str(exc)[:200]})",
            "open it in Excel or LibreOffice and save it again as .xlsx",
        ) from None
    finally:
        workbook.close()


# Excel writes characters XML cannot hold (control characters, lone surrogates) as
# _xHHHH_, and a literal "_x" as _x005F_x; openpyxl leaves them as they are.
_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _unescaped(match: re.Match[str]) -> str:
    return chr(int(match.group(1), 16))


def _xlsx_ranges(merged: Any) -> list[Range]:
    from openpyxl.utils.cell import range_boundaries

    ranges: list[Range] = []
    for item in merged.mergeCell:
        min_col, min_row, max_col, max_row = range_boundaries(item.ref)
        if None not in (min_col, min_row, max_col, max_row):
            ranges.append((int(min_row), int(min_col), int(max_row), int(max_col)))
    return ranges


def _limit_error(path: Path, sheet: str, row: int, column: int, what: str) -> InputError:
    where = f"{sheet}!{_letters(column)}{row}"
    return _error(
        path,
        f"{where}: the sheet has values beyond row {LAST_ROW:,}; visitplan reads "
        f"at most {MAX_ROWS:,} rows of participants",
        "delete what lies below the participants (Ctrl+End shows the last cell Excel "
        "counts), or split the participants over several files",
    )


def _letters(column: int) -> str:
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _read_calamine(path: Path, wanted: str | None) -> Sheet:
    from python_calamine import CalamineWorkbook

    layout: list[Range] | None = None
    if path.suffix.lower() == ".ods":
        _check_unpacked_sizes(path)
        # calamine lays every sheet out as one grid when it opens the file: find the
        # real extent first.
        try:
            table, last_row, last_column, layout = _ods_layout(path, wanted)
        except Exception:  # a damaged file: calamine says so below
            table, last_row, last_column = "", 0, 0
        if last_row > LAST_ROW:
            raise _limit_error(path, table, last_row, last_column, "rows")
        if last_row * last_column > MAX_GRID_CELLS:
            raise _error(
                path,
                f"{table}!{_letters(last_column)}{last_row}: the sheet has values as far "
                f"as column {_letters(last_column)} and row {last_row:,}, more than "
                "visitplan reads",
                f"delete what lies beyond the participants (the first {MAX_COLUMNS} "
                "columns are read), or copy them into a new sheet",
            )
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        names = workbook.sheet_names
        name = _pick(path, names, wanted)
        worksheet = workbook.get_sheet_by_name(name)
        end = worksheet.end
        if end is not None and end[0] + 1 > LAST_ROW:
            raise _limit_error(path, name, end[0] + 1, end[1] + 1, "rows")
        data = worksheet.to_python(skip_empty_area=False)
        merged = [
            (r0 + 1, c0 + 1, r1 + 1, c1 + 1)
            for (r0, c0), (r1, c1) in (worksheet.merged_cell_ranges or [])
        ]
        if layout is not None and not merged:
            merged = layout
    except InputError:
        raise
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise _error(
            path,
            f"the file is not a readable spreadsheet ({exc})",
            "open it in LibreOffice or Excel and save it again as .xlsx",
        ) from None
    sheet = Sheet(name if wanted or len(names) > 1 else path.name, iter(()), merged)

    def rows() -> Iterator[tuple[int, list[Cell]]]:
        for number, values in enumerate(data, start=1):
            if len(values) > MAX_COLUMNS and any(v != "" for v in values[MAX_COLUMNS:]):
                sheet.cut_columns = max(
                    sheet.cut_columns,
                    max(n for n, v in enumerate(values, start=1) if v != ""),
                )
            yield number, [None if v == "" else v for v in values[:MAX_COLUMNS]]

    sheet.rows = rows()
    return sheet


_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"


def _ods_layout(path: Path, name: str | None) -> tuple[str, int, int, list[Range]]:
    """The name of a table of an .ods (``name``, or the first), the last row and column
    holding a value in it, and its merged
    ranges (calamine does not report them), read as a stream: repeated rows and
    columns are counted, never expanded."""
    import zipfile
    from xml.etree.ElementTree import iterparse

    ns = f"{{{_TABLE}}}"
    table, row = f"{ns}table", f"{ns}table-row"
    ranges: list[Range] = []
    inside = False
    row_number = row_repeat = 0
    column_number = cell_start = 0
    last_row = last_column = 0
    found_name = ""
    cells = (f"{ns}table-cell", f"{ns}covered-table-cell")
    with zipfile.ZipFile(path) as archive, archive.open("content.xml") as content:
        # The part's unpacked size was checked; expat (2.4 and later) refuses entity
        # amplification ("billion laughs"), and no external entity is ever fetched.
        for event, element in iterparse(content, events=("start", "end")):  # noqa: S314
            tag = element.tag
            if tag == table:
                if event == "start":
                    found = element.get(f"{ns}name") or ""
                    inside = found == name or (name is None and not found_name)
                    found_name = found_name or (found if inside else "")
                    row_number = 0
                elif inside:
                    break
                else:
                    element.clear()
                continue
            if not inside:
                continue
            if tag == row and event == "start":
                column_number = 0
                row_repeat = int(element.get(f"{ns}number-rows-repeated") or 1)
            elif tag == row:
                row_number += row_repeat
                element.clear()
            elif event == "end" and tag in cells:
                if len(element) or element.get(f"{_OFFICE}value-type"):
                    last_row = max(last_row, row_number + row_repeat)
                    last_column = max(last_column, column_number)
                element.clear()
            elif event == "start" and tag in cells:
                cell_start = column_number
                rows = int(element.get(f"{ns}number-rows-spanned") or 1)
                columns = int(element.get(f"{ns}number-columns-spanned") or 1)
                if rows > 1 or columns > 1:
                    first_row, first_column = row_number + 1, cell_start + 1
                    ranges.append(
                        (first_row, first_column, first_row + rows - 1, first_column + columns - 1)
                    )
                column_number += int(element.get(f"{ns}number-columns-repeated") or 1)
    return found_name, last_row, last_column, ranges


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


class EncodingProblem(ValueError):
    """Bytes that do not fit the encoding the file announces."""


def decode(raw: bytes) -> tuple[str, str]:
    """Text and the encoding it was in: BOMs first, then UTF-8, then detection.

    A file that announces its encoding with a BOM and then breaks it raises
    ``EncodingProblem``, saying what is wrong and where."""
    for bom, encoding, label in (
        (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
        (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
        (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
    ):
        if raw.startswith(bom):
            try:
                return raw.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                if encoding == "utf-8-sig":  # positions count from after the marker
                    exc.start, exc.end = exc.start + len(bom), exc.end + len(bom)
                raise EncodingProblem(_where_broken(raw, exc, encoding, label)) from None
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


def _where_broken(raw: bytes, exc: UnicodeDecodeError, encoding: str, label: str) -> str:
    line = raw[: exc.start].decode(encoding, errors="replace").count("\n") + 1
    bad = raw[exc.start : exc.end]
    if label == "UTF-16" and exc.end >= len(raw) and len(raw) % 2:
        return (
            f"the file says it is UTF-16, but byte {len(raw):,} (line {line}) is cut off: "
            "the file ends in the middle of a character"
        )
    if label == "UTF-16":
        return (
            f"the file says it is UTF-16, but bytes {exc.start + 1:,}–{exc.end:,} (line "
            f"{line}) hold half a character (a lone surrogate, {bad.hex(' ')})"
        )
    return (
        f"the file says it is UTF-8, but byte {exc.start + 1:,} (line {line}, "
        f"0x{bad[:1].hex()}) is not UTF-8; the text after the marker looks like another "
        "encoding, such as Latin-1 or Windows-1252"
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


def _shared(value: str, seen: dict[str, str]) -> str:
    """One object for each short text that repeats (countries, dates, answers): a large
    file's rows then cost what their distinct values cost."""
    if len(value) > 40:
        return value
    found = seen.get(value)
    if found is not None:
        return found
    if len(seen) < 100_000:
        seen[value] = value
    return value


def csv_encoding(path: Path) -> str:
    """The encoding of a CSV file, found without holding its text: BOMs, then UTF-8
    checked as a stream, then detection (``decode``) for anything else."""
    with path.open("rb") as stream:
        head = stream.read(4)
        for bom, encoding in (
            (codecs.BOM_UTF8, "utf-8-sig"),
            (codecs.BOM_UTF16_LE, "utf-16"),
            (codecs.BOM_UTF16_BE, "utf-16"),
        ):
            if head.startswith(bom):
                return encoding if _decodes(path, encoding) else _refuse_broken(path)
    if _decodes(path, "utf-8"):
        return "utf-8"
    return decode(path.read_bytes())[1]


def _decodes(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with path.open("rb") as stream:
            while chunk := stream.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _refuse_broken(path: Path) -> str:
    decode(path.read_bytes())  # raises EncodingProblem, which says where
    raise AssertionError("unreachable: the file did not decode")


def _read_csv(path: Path, sheet: Sheet) -> Iterator[tuple[int, list[Cell]]]:
    try:
        encoding = csv_encoding(path)
    except EncodingProblem as problem:
        raise _error(
            path,
            str(problem),
            "open it in a spreadsheet program or text editor and save it again as UTF-8 "
            "(CSV UTF-8 in Excel)",
        ) from None
    errors = "strict" if encoding in ("utf-8", "utf-8-sig", "utf-16") else "replace"
    # Read as a stream: a large file's text is never held whole beside its rows.
    with path.open(encoding=encoding, errors=errors, newline="") as stream:
        yield from _csv_rows(path, stream, sheet)


def _csv_rows(path: Path, stream: Any, sheet: Sheet) -> Iterator[tuple[int, list[Cell]]]:
    text = stream.read(20_000)
    stream.seek(0)
    dialect = sniff_dialect(text)
    csv.field_size_limit(CSV_FIELD_LIMIT)
    reader = csv.reader(stream, dialect)
    number = 0
    seen: dict[str, str] = {}
    try:
        for number, values in enumerate(reader, start=1):
            if number > LAST_ROW and any(values):
                raise _error(
                    path,
                    f"line {reader.line_num:,}: the file has more than {LAST_ROW:,} rows; "
                    f"visitplan reads at most {MAX_ROWS:,} rows of participants",
                    "split the participants over several files",
                )
            if len(values) > MAX_COLUMNS and any(values[MAX_COLUMNS:]):
                sheet.cut_columns = max(
                    sheet.cut_columns, max(n for n, v in enumerate(values, start=1) if v)
                )
            yield number, [_shared(v, seen) if v != "" else None for v in values[:MAX_COLUMNS]]
    except csv.Error as exc:
        raise _error(
            path,
            f"the CSV file is damaged near line {reader.line_num} ({exc})",
            "open it in a spreadsheet program and save it again as CSV",
        ) from None
