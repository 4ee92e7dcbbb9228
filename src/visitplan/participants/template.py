"""``visitplan participants template``: a registration sheet that imports cleanly.

Its column headers are the ones the importer recognises; countries, groups, dietary
needs and yes/no answers come from drop-down lists, and each column shows a hint.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from visitplan.findings import InputError

COLUMNS: list[tuple[str, str, float]] = [
    # header, input hint, width
    ("Name", "Full name, as it should appear on badges and lists.", 28),
    ("Organisation", "The organisation that sends you.", 30),
    ("Role", "Your position, e.g. social worker, policy officer.", 24),
    ("Country", "Pick from the list, or type the country's name.", 18),
    ("Email", "Where we can reach you before the visit.", 30),
    ("Phone", "With the country code, e.g. +351 912 345 678.", 20),
    ("Group", "The group you are in, if the organisers gave you one.", 14),
    ("Arrival (date and time)", "e.g. 2026-01-26 18:30 (local time of the visit).", 22),
    ("Departure (date and time)", "e.g. 2026-01-28 17:00 (local time of the visit).", 22),
    ("Dietary requirements", "Pick from the list; details in Notes.", 22),
    ("Accessibility needs", "Anything the organisers should arrange for you.", 28),
    ("Step-free access needed", "Yes if you use a wheelchair or cannot take stairs.", 14),
    ("Languages", "Languages you follow a meeting in, e.g. English, Portuguese.", 24),
    (
        "Interpretation needed",
        "The language you need interpretation into, e.g. Greek; leave empty if none.",
        20,
    ),
    ("Migrant participant", "Yes if you take part as a person with a migration background.", 14),
    ("Consent to public listing", "Yes if your name may appear in public documents.", 14),
    ("Notes", "Anything else.", 30),
]
# No "None": an empty cell says there is no need, and "None" would count as one.
DIETARY = [
    "Vegetarian",
    "Vegan",
    "Halal",
    "Kosher",
    "Gluten-free",
    "Lactose-free",
    "Other (see notes)",
]
ROWS = 500


def write_template(path: Path, groups: list[str]) -> None:
    """``groups``: the visit's group names, offered in the group column's drop-down."""
    from babel import Locale
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Registrations"
    lists = workbook.create_sheet("Lists")
    lists.sheet_state = "hidden"
    countries = sorted(
        str(name)
        for code, name in Locale("en").territories.items()
        if len(str(code)) == 2 and str(code).isalpha() and str(code) not in {"ZZ", "XA", "XB"}
    )
    for row, name in enumerate(countries, start=1):
        lists.cell(row=row, column=1, value=name)
    for row, value in enumerate(DIETARY, start=1):
        lists.cell(row=row, column=2, value=value)
    for row, value in enumerate(groups, start=1):
        lists.cell(row=row, column=3, value=value)
    header_fill = PatternFill("solid", fgColor="DDE4EE")
    for column, (header, hint, width) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=column, value=header)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = width
        validation = _validation(header, len(countries), len(groups))
        if validation is None:
            validation = DataValidation(allow_blank=True)
        validation.promptTitle = header[:32]
        validation.prompt = hint
        validation.showInputMessage = True
        sheet.add_data_validation(validation)
        validation.add(f"{letter}2:{letter}{ROWS + 1}")
    sheet.freeze_panes = "A2"
    try:
        workbook.save(path)
    except OSError as error:
        raise _not_written(path, error) from None


def _not_written(path: Path, error: OSError) -> InputError:
    from visitplan.findings import InputError, Location

    return InputError.of(
        "VP010",
        f"{path} cannot be written ({error.strerror or error})",
        "choose a folder that exists and that you may write to, e.g. -o registrations.xlsx",
        Location(str(path)),
    )


def _validation(header: str, countries: int, groups: int) -> Any:
    from openpyxl.worksheet.datavalidation import DataValidation

    if header == "Country":
        return DataValidation(
            type="list",
            formula1=f"=Lists!$A$1:$A${countries}",
            allow_blank=True,
            showErrorMessage=False,
        )
    if header == "Dietary requirements":
        return DataValidation(
            type="list",
            formula1=f"=Lists!$B$1:$B${len(DIETARY)}",
            allow_blank=True,
            showErrorMessage=False,
        )
    if header == "Group" and groups:
        return DataValidation(
            type="list",
            formula1=f"=Lists!$C$1:$C${groups}",
            allow_blank=True,
            showErrorMessage=True,
            error="Choose one of the visit's groups.",
        )
    if header in {"Step-free access needed", "Migrant participant", "Consent to public listing"}:
        return DataValidation(type="list", formula1='"Yes,No"', allow_blank=True)
    return None
