"""``visitplan participants template``: a registration sheet that imports cleanly.

Its column headers are the ones the importer recognises, in the visit's language (the
importer knows the headers of every language's template); countries, groups, dietary
needs and yes/no answers come from drop-down lists, and each column shows a hint.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from visitplan.i18n import N_

if TYPE_CHECKING:
    from visitplan.findings import InputError

COLUMNS: list[tuple[str, str, str, float]] = [
    # field, header, input hint, width
    ("name", N_("Name"), N_("Full name, as it should appear on badges and lists."), 28),
    ("organisation", N_("Organisation"), N_("The organisation that sends you."), 30),
    ("role", N_("Role"), N_("Your position, e.g. social worker, policy officer."), 24),
    ("country", N_("Country"), N_("Pick from the list, or type the country's name."), 18),
    ("email", N_("Email"), N_("Where we can reach you before the visit."), 30),
    ("phone", N_("Phone"), N_("With the country code, e.g. +351 912 345 678."), 20),
    ("group", N_("Group"), N_("The group you are in, if the organisers gave you one."), 14),
    (
        "arrival",
        N_("Arrival (date and time)"),
        N_("e.g. 2026-01-26 18:30 (local time of the visit)."),
        22,
    ),
    (
        "departure",
        N_("Departure (date and time)"),
        N_("e.g. 2026-01-28 17:00 (local time of the visit)."),
        22,
    ),
    ("dietary", N_("Dietary requirements"), N_("Pick from the list; details in Notes."), 22),
    (
        "accessibility",
        N_("Accessibility needs"),
        N_("Anything the organisers should arrange for you."),
        28,
    ),
    (
        "step_free",
        N_("Step-free access needed"),
        N_("Yes if you use a wheelchair or cannot take stairs."),
        14,
    ),
    (
        "languages",
        N_("Languages"),
        N_("Languages you follow a meeting in, e.g. English, Portuguese."),
        24,
    ),
    (
        "interpretation",
        N_("Interpretation needed"),
        N_("The language you need interpretation into, e.g. Greek; leave empty if none."),
        20,
    ),
    (
        "migrant",
        N_("Migrant participant"),
        N_("Yes if you take part as a person with a migration background."),
        14,
    ),
    (
        "public",
        N_("Consent to public listing"),
        N_("Yes if your name may appear in public documents."),
        14,
    ),
    ("notes", N_("Notes"), N_("Anything else."), 30),
]
SHEET = N_("Registrations")
# Hidden: the drop-down lists' values.
LISTS = N_("Lists")
# No "None": an empty cell says there is no need, and "None" would count as one.
DIETARY = [
    N_("Vegetarian"),
    N_("Vegan"),
    N_("Halal"),
    N_("Kosher"),
    N_("Gluten-free"),
    N_("Lactose-free"),
    N_("Other (see notes)"),
]
YES_NO = (N_("Yes"), N_("No"))
GROUP_ERROR = N_("Choose one of the visit's groups.")
ROWS = 500
# Excel's limit on a data validation's title.
PROMPT_TITLE_LENGTH = 32


def write_template(path: Path, groups: list[str], language: str = "en") -> None:
    """``groups``: the visit's group names, offered in the group column's drop-down;
    ``language``: that of the headers, hints, sheet names and drop-down lists."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from visitplan.labels import Labels

    if path.exists() or path.is_symlink():
        from visitplan.findings import InputError

        raise InputError.of(
            "VP010",
            f"{path} exists already; the template never overwrites a file",
            "choose another name with -o",
            path,
        )
    labels = Labels(language)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = labels(SHEET)
    lists = workbook.create_sheet(labels(LISTS))
    lists.sheet_state = "hidden"
    countries = country_names(language)
    for row, name in enumerate(countries, start=1):
        lists.cell(row=row, column=1, value=name)
    for row, value in enumerate(DIETARY, start=1):
        lists.cell(row=row, column=2, value=labels(value))
    for row, value in enumerate(groups, start=1):
        lists.cell(row=row, column=3, value=value)
    header_fill = PatternFill("solid", fgColor="DDE4EE")
    # A sheet's name in a formula is quoted when it has spaces or letters beyond ASCII.
    source = "'{}'".format(lists.title.replace("'", "''"))
    for column, (name, header, hint, width) in enumerate(COLUMNS, start=1):
        title = labels(header)
        cell = sheet.cell(row=1, column=column, value=title)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = width
        validation = _validation(name, source, len(countries), len(groups), labels)
        if validation is None:
            validation = DataValidation(allow_blank=True)
        validation.promptTitle = prompt_title(title)
        validation.prompt = labels(hint)
        validation.showInputMessage = True
        sheet.add_data_validation(validation)
        validation.add(f"{letter}2:{letter}{ROWS + 1}")
    sheet.freeze_panes = "A2"
    try:
        workbook.save(path)
    except OSError as error:
        raise _not_written(path, error) from None


def prompt_title(header: str) -> str:
    """``header`` as a hint's title, within Excel's limit: cut after a word, with "…"."""
    if len(header) <= PROMPT_TITLE_LENGTH:
        return header
    cut = header[: PROMPT_TITLE_LENGTH - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:-") + "…"


def country_names(language: str) -> list[str]:
    """The countries' names in ``language`` (CLDR), in that language's alphabetical order."""
    from babel import Locale

    from visitplan.dates import locale_of
    from visitplan.labels import Labels

    cldr = Locale.parse(str(locale_of(language)))
    names = {
        str(name)
        for code, name in cldr.territories.items()
        if len(str(code)) == 2 and str(code).isalpha() and str(code) not in {"ZZ", "XA", "XB"}
    }
    sort_key = Labels(language).sort_key
    return sorted(names, key=lambda name: (sort_key(name), name))


def _not_written(path: Path, error: OSError) -> InputError:
    from visitplan.findings import InputError, Location

    return InputError.of(
        "VP010",
        f"{path} cannot be written ({error.strerror or error})",
        "choose a folder that exists and that you may write to, e.g. -o registrations.xlsx",
        Location(str(path)),
    )


def _validation(name: str, source: str, countries: int, groups: int, labels: Any) -> Any:
    from openpyxl.worksheet.datavalidation import DataValidation

    if name == "country":
        return DataValidation(
            type="list",
            formula1=f"={source}!$A$1:$A${countries}",
            allow_blank=True,
            showErrorMessage=False,
        )
    if name == "dietary":
        return DataValidation(
            type="list",
            formula1=f"={source}!$B$1:$B${len(DIETARY)}",
            allow_blank=True,
            showErrorMessage=False,
        )
    if name == "group" and groups:
        return DataValidation(
            type="list",
            formula1=f"={source}!$C$1:$C${groups}",
            allow_blank=True,
            showErrorMessage=True,
            error=labels(GROUP_ERROR),
        )
    if name in {"step_free", "migrant", "public"}:
        yes, no = (labels(word) for word in YES_NO)
        return DataValidation(type="list", formula1=f'"{yes},{no}"', allow_blank=True)
    return None
