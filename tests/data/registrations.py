"""Realistic registration files, made on the fly: what forms and hand-made sheets produce.

Each function writes one file into a folder and returns its path. Names are invented
and deliberately varied in script, accents, case and spacing.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path
from typing import Any


def google_forms_csv(folder: Path) -> Path:
    """Google Forms export: a timestamp column, and one person who submitted twice."""
    rows = [
        [
            "Timestamp",
            "Full name",
            "Email Address",
            "Organisation",
            "Country of residence",
            "Arrival date",
            "Dietary requirements",
        ],
        [
            "10/01/2026 10:15:02",
            "Ana Ferreira",
            "Ana.Ferreira@Example.org",
            "AIMA",
            "Portugal",
            "26/01/2026 18:30",
            "vegetarian",
        ],
        [
            "10/01/2026 11:02:40",
            "  jan   de VRIES ",
            "jan@example.nl",
            "Gemeente Utrecht",
            "Nederland",
            "26/01/2026 20:00",
            "",
        ],
        [
            "11/01/2026 09:00:00",
            "Søren Madsen",
            "soren@example.dk",
            "Danish Refugee Council",
            "Danmark",
            "27/01/2026 07:30",
            "gluten-free",
        ],
        [
            "12/01/2026 16:45:10",
            "Ana Ferreira",
            "ana.ferreira@example.org",
            "AIMA",
            "Portugal",
            "26/01/2026 18:30",
            "vegan",
        ],
        [
            "13/01/2026 08:00:00",
            "Lea Wagner",
            "lea.wagner@example.at",
            "Stadt Wien",
            "Österreich",
            "26/01/2026 17:00",
            "",
        ],
    ]
    path = folder / "google-forms.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows(rows)
    return path


def microsoft_forms_xlsx(folder: Path) -> Path:
    """Microsoft Forms export: ID, start and completion times, real datetime cells."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Sheet1"
    sheet.append(
        [
            "ID",
            "Start time",
            "Completion time",
            "Email",
            "Name",
            "Organization",
            "Country",
            "Arrival",
            "Departure",
            "Phone number",
        ]
    )
    sheet.append(
        [
            1,
            datetime(2026, 3, 1, 9, 0),
            datetime(2026, 3, 1, 9, 5),
            "m.rossi@example.it",
            "Marco Rossi",
            "Comune di Bologna",
            "Italy",
            datetime(2026, 4, 12, 21, 0),
            datetime(2026, 4, 17, 19, 0),
            "051 219 1111",
        ]
    )
    sheet.append(
        [
            2,
            datetime(2026, 3, 2, 14, 0),
            datetime(2026, 3, 2, 14, 9),
            "k.horvat@example.hr",
            "Katarina Horvat",
            "City of Zagreb",
            "Croatia",
            datetime(2026, 4, 12, 18, 15),
            datetime(2026, 4, 17, 16, 0),
            "+385 1 610 1111",
        ]
    )
    sheet.append(
        [
            3,
            datetime(2026, 3, 3, 8, 0),
            datetime(2026, 3, 3, 8, 4),
            "anonymous",
            "Eszter Nagy",
            "Artemisszió Foundation",
            "Hungary",
            datetime(2026, 4, 13, 7, 0),
            datetime(2026, 4, 17, 20, 0),
            None,
        ]
    )
    path = folder / "microsoft-forms.xlsx"
    workbook.save(path)
    return path


def titled_xlsx(folder: Path) -> Path:
    """A hand-made sheet: a merged title cell, a blank row, then the header."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet["A1"] = "Registrations — study visit to Rome and Milan"
    sheet.merge_cells("A1:E1")
    sheet.append([])
    sheet.append(["Name", "Organisation", "Role", "Country", "E-mail"])
    sheet.append(
        [
            "Rita Santos",
            "Câmara Municipal de Lisboa",
            "Social worker",
            "PT",
            "rita.santos@example.pt",
        ]
    )
    sheet.append(
        [
            "Tiago Costa",
            "Instituto da Segurança Social",
            "Technician",
            "Portugal",
            "tiago.costa@example.pt",
        ]
    )
    path = folder / "titled.xlsx"
    workbook.save(path)
    return path


def windows_semicolon_csv(folder: Path) -> Path:
    """Excel's 'CSV' in Portuguese Windows: cp1252, semicolons, day-first dates."""
    text = (
        "Nome;Apelido;Instituição;País;Correio electrónico;Data de chegada;Data de partida\r\n"
        "João;Gonçalves;Associação Nacional de Municípios;Portugal;joao@example.pt;"
        "12/04/2026 21:00;17/04/2026 19:00\r\n"
        "Inês;Simões;AIMA;Portugal;ines@example.pt;13/04/2026;17/04/2026\r\n"
        "Zoë;Müller;Câmara do Porto;Alemanha;zoe@example.de;12/04/2026 18:45;16/04/2026 12:00\r\n"
    )
    path = folder / "windows.csv"
    path.write_bytes(text.encode("cp1252"))
    return path


def bom_newlines_csv(folder: Path) -> Path:
    """UTF-8 with a BOM, Italian headers, and a quoted field that spans lines."""
    stream = io.StringIO()
    writer = csv.writer(stream)
    writer.writerow(
        [
            "Nome",
            "Cognome",
            "Ente di appartenenza",
            "Paese",
            "Indirizzo email",
            "Esigenze particolari",
        ]
    )
    writer.writerow(
        [
            "Giulia",
            "Bianchi",
            "ANCI",
            "Italia",
            "giulia@example.it",
            "Needs a ground-floor room\nand step-free access",
        ]
    )
    writer.writerow(["Luca", "Verdi", "Cittalia", "IT", "luca@example.it", ""])
    path = folder / "bom.csv"
    path.write_bytes(stream.getvalue().encode("utf-8-sig"))
    return path


def ods_file(folder: Path) -> Path:
    """An OpenDocument spreadsheet with German headers."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    table = Table(name="Anmeldungen")
    rows = [
        ["Vorname", "Nachname", "Organisation", "Land", "E-Mail", "Anreise"],
        [
            "Jonas",
            "Becker",
            "Stadt Stuttgart",
            "Deutschland",
            "jonas@example.de",
            "2026-01-26 19:00",
        ],
        ["Mia", "Schulz", "LAKA Baden-Württemberg", "DE", "mia@example.de", "2026-01-27 08:00"],
    ]
    for values in rows:
        row = TableRow()
        for value in values:
            cell = TableCell(valuetype="string")
            cell.addElement(P(text=value))
            row.addElement(cell)
        table.addElement(row)
    document.spreadsheet.addElement(table)
    path = folder / "anmeldungen.ods"
    document.save(str(path))
    return path


def bad_rows_xlsx(folder: Path) -> Path:
    """Rows that must be rejected, each for its own reason, among good ones."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Name", "Email", "Country", "Arrival", "Departure"])
    sheet.append(["Good Person", "good@example.org", "BE", "2026-01-26", "2026-01-28"])  # 2
    sheet.append([None, "nameless@example.org", "BE", None, None])  # 3: no name
    sheet.append(["Bad Email", "bad-at-example.org", "BE", None, None])  # 4
    sheet.append(["Bad Date", "date@example.org", "BE", "31/02/2026", None])  # 5
    sheet.append(["Time Traveller", "tt@example.org", "BE", "2026-01-28", "2026-01-26"])  # 6
    sheet.append(["First Owner", "shared@example.org", "DK", None, None])  # 7
    sheet.append(["Second Owner", "shared@example.org", "DK", None, None])  # 8: conflict
    sheet.append(["   ", " ", None, None, None])  # 9: whitespace only
    sheet.append(["Atlantis Person", "atl@example.org", "Atlantis", None, None])  # 10
    sheet.append(["Last Good", "last@example.org", "Lëtzebuerg", None, None])  # 11
    path = folder / "bad-rows.xlsx"
    workbook.save(path)
    return path


def shape_xlsx(folder: Path, participants: list[dict[str, Any]]) -> Path:
    """The SHAPE participants as a sheet, countries in their own languages."""
    from openpyxl import Workbook

    own = {"HR": "Hrvatska", "DE": "Deutschland", "HU": "Magyarország", "IT": "Italia"}
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Name", "Organisation", "Role", "Country", "Migrant participant"])
    for person in participants:
        sheet.append(
            [
                person["name"],
                person["organisation"],
                person["role"],
                own[person["country"]],
                "Yes" if person["migrant"] else "No",
            ]
        )
    path = folder / "shape.xlsx"
    workbook.save(path)
    return path


def injection_csv(folder: Path) -> Path:
    rows = [
        ["Name", "Organisation", "Email", "Notes"],
        [
            "Eve Example",
            '=HYPERLINK("http://evil.example","click")',
            "eve@example.org",
            "+1 555 0100",
        ],
        ["Mallory Example", "@SUM(A1:A9)", "mallory@example.org", "-2+3"],
    ]
    path = folder / "injection.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows(rows)
    return path
