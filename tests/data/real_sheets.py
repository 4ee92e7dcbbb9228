"""Registration sheets as real organisers receive them: merged cells, every script,
group names, broken encodings and hostile workbooks. Each function writes one file and
returns its path. Names and places are invented.
"""

from __future__ import annotations

import csv
import io
import zipfile
from itertools import groupby
from pathlib import Path
from typing import Any


def _rows_to_csv(rows: list[list[Any]], path: Path, encoding: str = "utf-8") -> Path:
    stream = io.StringIO()
    csv.writer(stream).writerows(rows)
    path.write_bytes(stream.getvalue().encode(encoding))
    return path


# -- merged cells: a participants' table written like the SHAPE factsheet's -------------


def merged_table(
    people: list[dict[str, Any]],
) -> tuple[list[list[Any]], list[tuple[int, int, int]]]:
    """Rows (header first) and the vertical merges (column, first row, last row), 1-based:
    each country written once per block of consecutive rows, and each organisation once
    per run of the same organisation."""
    rows: list[list[Any]] = [["Name", "Organisation", "Role", "Country"]]
    merges: list[tuple[int, int, int]] = []
    for column, key in ((4, "country_name"), (2, "organisation")):
        row = 2
        for _, block in groupby(people, key=lambda p: (p["country_name"], p[key])):
            size = len(list(block))
            if size > 1:
                merges.append((column, row, row + size - 1))
            row += size
    for person in people:
        rows.append(
            [person["name"], person["organisation"], person["role"], person["country_name"]]
        )
    for column, first, last in merges:
        for row in range(first + 1, last + 1):
            rows[row - 1][column - 1] = None  # what a merged cell leaves below its first row
    return rows, merges


def merged_xlsx(folder: Path, people: list[dict[str, Any]]) -> Path:
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    rows, merges = merged_table(people)
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for column, first, last in merges:
        letter = get_column_letter(column)
        sheet.merge_cells(f"{letter}{first}:{letter}{last}")
    path = folder / "shape-merged.xlsx"
    workbook.save(path)
    return path


def merged_ods(folder: Path, people: list[dict[str, Any]]) -> Path:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import CoveredTableCell, Table, TableCell, TableRow
    from odf.text import P

    rows, merges = merged_table(people)
    spans = {(first, column): last - first + 1 for column, first, last in merges}
    covered = {
        (row, column) for column, first, last in merges for row in range(first + 1, last + 1)
    }
    document = OpenDocumentSpreadsheet()
    table = Table(name="Participants")
    for number, values in enumerate(rows, start=1):
        row = TableRow()
        for column, value in enumerate(values, start=1):
            if (number, column) in covered:
                row.addElement(CoveredTableCell())
                continue
            span = spans.get((number, column))
            cell = (
                TableCell(valuetype="string", numberrowsspanned=span)
                if span
                else TableCell(valuetype="string")
            )
            cell.addElement(P(text=str(value)))
            row.addElement(cell)
        table.addElement(row)
    document.spreadsheet.addElement(table)
    path = folder / "shape-merged.ods"
    document.save(str(path))
    return path


# -- other scripts --------------------------------------------------------------------------


def greek_form(folder: Path) -> Path:
    """A Greek delegation's form: Greek headings, countries, yes/no and languages; names in
    Greek script and in Latin letters; phones in local form."""
    rows = [
        [
            "Ονοματεπώνυμο",
            "Φορέας",
            "Χώρα",
            "Ηλεκτρονικό ταχυδρομείο",
            "Τηλέφωνο",
            "Γλώσσες",
            "Συναίνεση για δημοσίευση",
            "Διερμηνεία",
        ],
        [
            "Δημήτρης Ιωάννου",
            "Δήμος Αθηναίων",
            "Ελλάδα",
            "d.ioannou@example.gr",
            "210 372 2001",
            "Ελληνικά, Αγγλικά",
            "Ναι",
            "Ελληνικά",
        ],
        [
            "Ελένη Παπαδοπούλου",
            "Δήμος Αθηναίων",
            "ΕΛΛΆΔΑ",
            "e.papadopoulou@example.gr",
            "6971234567",
            "Ελληνικά",
            "Όχι",
            "Αγγλικά → Ελληνικά",
        ],
        [
            "Γιώργος Νικολάου",
            "Δήμος Θεσσαλονίκης",
            "Κύπρος",
            "g.nikolaou@example.cy",
            "",
            "Ελληνικά, Γαλλικά",
            "ναι",
            "Καμία",
        ],
        [
            "Maria Konstantinou",
            "Ελληνικό Συμβούλιο για τους Πρόσφυγες",
            "Ελλάδα",
            "m.konstantinou@example.gr",
            "210 380 0990",
            "Αγγλικά",
            "Ναι",
            "",
        ],
    ]
    return _rows_to_csv(rows, folder / "ελληνικά.csv")


def ukrainian_form(folder: Path) -> Path:
    rows = [
        ["Прізвище", "Ім'я", "Організація", "Країна", "Електронна пошта", "Мови", "Згода"],
        [
            "Коваль",
            "Олена",
            "Київська міська рада",
            "Україна",
            "olena@example.ua",
            "українська, англійська",
            "Так",
        ],
        [
            "Шевченко",
            "Андрій",
            "Львівська міська рада",
            "Польща",
            "andrii@example.ua",
            "українська",
            "Ні",
        ],
        [
            "Іваненко",
            "Юлія",
            "Харківська міська рада",
            "UA",
            "yulia@example.ua",
            "англійська",
            "так",
        ],
    ]
    return _rows_to_csv(rows, folder / "реєстрація.csv")


def arabic_form(folder: Path) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "التسجيل"
    sheet.append(["الاسم الكامل", "المؤسسة", "البلد", "البريد الإلكتروني", "اللغات", "الموافقة"])
    sheet.append(
        ["محمد علي", "بلدية عمّان", "الأردن", "m.ali@example.jo", "العربية، الإنجليزية", "نعم"]
    )
    sheet.append(["فاطمة حسن", "الهلال الأحمر", "مصر", "f.hassan@example.eg", "العربية", "لا"])
    sheet.append(["Omar Haddad", "بلدية بيروت", "لبنان", "o.haddad@example.lb", "الفرنسية", "نعم"])
    path = folder / "arabic.xlsx"
    workbook.save(path)
    return path


# -- groups --------------------------------------------------------------------------------


GROUPS_VISIT = """\
visit:
  id: groups-visit
  title: Groups visit
  start_date: 2026-01-27
  end_date: 2026-01-28
  timezone: Europe/Lisbon
  country: PT
groups:
  - id: housing
    name: Group A – Housing
    aliases: [Wohnen, Habitação]
  - id: work
    name: Group B – Employment
venues:
  - id: hall
    name: Hall
sessions:
  - id: s1
    title: Welcome
    date: 2026-01-27
    start: 9:30
    end: 10:30
    venue: hall
    language: en
    interpretation: [el]
  - id: s2
    title: Lunch
    kind: meal
    date: 2026-01-27
    start: 12:30
    end: 13:30
    venue: hall
"""


def group_sheet(folder: Path) -> Path:
    rows = [
        ["Name", "Email", "Group"],
        ["Ana Ribeiro", "ana@example.pt", "Group A – Housing"],
        ["Bruno Lima", "bruno@example.pt", "group a - housing"],
        ["Carla Sousa", "carla@example.pt", "HOUSING"],
        ["Dieter Braun", "dieter@example.de", "Wohnen"],
        ["Elisa Costa", "elisa@example.pt", "Habitacao"],
        ["Filipe Rocha", "filipe@example.pt", "Employment track"],
        ["Gabi Horn", "gabi@example.de", "Blue"],
    ]
    return _rows_to_csv(rows, folder / "groups.csv")


# -- broken encodings and hostile workbooks ------------------------------------------------


def bom_then_latin1_csv(folder: Path) -> Path:
    path = folder / "bom-latin1.csv"
    path.write_bytes(b"\xef\xbb\xbfName,Country\r\n" + "José Simões,Portugal\r\n".encode("latin-1"))
    return path


def utf16_cut_off_csv(folder: Path) -> Path:
    path = folder / "cut.csv"
    path.write_bytes("Name,Country\r\nAna Silva,Portugal\r\n".encode("utf-16")[:-1])
    return path


def utf16_lone_surrogate_csv(folder: Path) -> Path:
    path = folder / "surrogate.csv"
    good = "Name,Country\r\nAna Silva,".encode("utf-16-le")
    path.write_bytes(b"\xff\xfe" + good + b"\x00\xd8" + "Portugal\r\n".encode("utf-16-le"))
    return path


def far_cell_xlsx(folder: Path, value: Any = "x") -> Path:
    """Two participants, and one cell at the very last cell a sheet can have (2 KB)."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Name", "Email"])
    sheet.append(["Ana Silva", "ana@example.org"])
    sheet.append(["Rui Mota", "rui@example.org"])
    sheet["XFD1048576"] = value
    path = folder / "far-cell.xlsx"
    workbook.save(path)
    return path


def far_cell_ods(folder: Path, row: int, column: int) -> Path:
    """Two participants and one value far away, reached by repeated empty rows and
    columns: a file of a few KB that spans the grid."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    def text_cell(value: str) -> Any:
        cell = TableCell(valuetype="string")
        cell.addElement(P(text=value))
        return cell

    document = OpenDocumentSpreadsheet()
    table = Table(name="Sheet1")
    for values in (["Name", "Email"], ["Ana Silva", "ana@example.org"]):
        line = TableRow()
        for value in values:
            line.addElement(text_cell(value))
        table.addElement(line)
    gap = TableRow(numberrowsrepeated=row - 3)
    gap.addElement(TableCell(numbercolumnsrepeated=column))
    table.addElement(gap)
    last = TableRow()
    last.addElement(TableCell(numbercolumnsrepeated=column - 1))
    last.addElement(text_cell("x"))
    table.addElement(last)
    document.spreadsheet.addElement(table)
    path = folder / "far-cell.ods"
    document.save(str(path))
    return path


def declared_huge_xlsx(folder: Path) -> Path:
    """Real cells in A1:B3, but a dimension that claims the whole grid."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Name", "Email"])
    sheet.append(["Ana Silva", "ana@example.org"])
    sheet.append(["Rui Mota", "rui@example.org"])
    plain = folder / "plain.xlsx"
    workbook.save(plain)
    path = folder / "declared-huge.xlsx"
    with (
        zipfile.ZipFile(plain) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(
                    b'<dimension ref="A1:B3"/>', b'<dimension ref="A1:XFD1048576"/>'
                )
                assert b"XFD1048576" in data
            target.writestr(item, data)
    return path


def long_cell_xlsx(folder: Path, length: int) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Name", "Email", "Notes"])
    sheet.append(["Ana Silva", "ana@example.org", "a" * length])
    sheet.append(["Rui Mota", "rui@example.org", "short"])
    path = folder / "long-cell.xlsx"
    workbook.save(path)
    return path


def password_xlsx(folder: Path, password: str) -> Path:
    from msoffcrypto.format.ooxml import OOXMLFile
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["Name", "Email"])
    workbook.active.append(["Ana Silva", "ana@example.org"])
    plain = folder / "plain-for-password.xlsx"
    workbook.save(plain)
    path = folder / "protected.xlsx"
    with plain.open("rb") as source, path.open("wb") as target:
        office = OOXMLFile(source)
        office.encrypt(password, target)
    return path


def large_csv(path: Path, rows: int) -> Path:
    """A big Google Forms-like export: timestamps, names, emails, countries, dates."""
    countries = ["Portugal", "Italia", "Deutschland", "Ελλάδα", "España", "Hrvatska", "BE"]
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(
            ["Timestamp", "Full name", "Email", "Organisation", "Country", "Arrival", "Dietary"]
        )
        for n in range(rows):
            writer.writerow(
                [
                    f"{1 + n % 28:02d}/01/2026 10:{n % 60:02d}:00",
                    f"Person {n} Example",
                    f"person{n}@example.org",
                    f"Organisation {n % 300}",
                    countries[n % len(countries)],
                    f"{1 + n % 28:02d}/02/2026 18:30",
                    "vegetarian" if n % 5 == 0 else "",
                ]
            )
    return path
