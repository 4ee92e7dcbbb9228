"""The registration template in each catalogue language: written in the visit's language
(or --language), filled in by a participant in that language, imported without --map."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import Run
from visitplan.i18n import catalogue, languages
from visitplan.labels import Labels
from visitplan.participants.normalise import yes_no
from visitplan.participants.template import (
    COLUMNS,
    DIETARY,
    LISTS,
    PROMPT_TITLE_LENGTH,
    SHEET,
    YES_NO,
)

# Every language in the default run: writing and importing takes a fraction of a second.
# Three languages in the quick run (three scripts of plural and case); all with -m slow.
QUICK = {"en", "el", "pl"}
LANGUAGES = [
    language if language in QUICK else pytest.param(language, marks=pytest.mark.slow)
    for language in languages()
]
GROUPS = ["Group A – Housing", "Group B – Employment"]
VISIT = """\
visit:
  id: groups-visit
  title: Groups visit
  start_date: 2026-01-27
  end_date: 2026-01-28
  timezone: Europe/Lisbon
  country: PT
  language: {language}
groups:
  - id: housing
    name: Group A – Housing
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
"""


def write_visit(folder: Path, language: str) -> Path:
    visit_file = folder / "visit.yaml"
    visit_file.write_text(VISIT.format(language=language), encoding="utf-8")
    return visit_file


def cldr(language: str) -> Any:
    from babel import Locale

    from visitplan.dates import locale_of

    return Locale.parse(str(locale_of(language)))


def header_row(path: Path) -> list[str]:
    from openpyxl import load_workbook

    return [str(c.value) for c in load_workbook(path).worksheets[0][1]]


@pytest.mark.parametrize("language", LANGUAGES)
def test_template_is_written_and_imported_in_the_language(
    tmp_path: Path, run: Run, language: str
) -> None:
    from openpyxl import load_workbook

    labels = Labels(language)
    visit_file = write_visit(tmp_path, language)
    out = tmp_path / "registrations.xlsx"
    result = run("participants", "template", "-o", out, "--visit", visit_file)
    assert result.exit_code == 0, result.stderr

    workbook = load_workbook(out)
    assert workbook.sheetnames == [labels(SHEET), labels(LISTS)]
    sheet, lists = workbook.worksheets
    assert lists.sheet_state == "hidden"
    headers = [c.value for c in sheet[1]]
    assert headers == [labels(header) for _, header, _, _ in COLUMNS]
    if language != "en":
        english = [header for _, header, _, _ in COLUMNS]
        # A header may read as in English only where the catalogue says so ("Organisation").
        for written, source in zip(headers, english, strict=True):
            assert written != source or catalogue(language).has(source), (written, source)
        assert sum(w != s for w, s in zip(headers, english, strict=True)) > len(english) // 2

    validations = {str(v.sqref).split(":")[0][:1]: v for v in sheet.data_validations.dataValidation}
    assert len(validations) == len(COLUMNS)
    for index, (_, header, hint, _) in enumerate(COLUMNS):
        validation = validations[chr(ord("A") + index)]
        assert validation.prompt == labels(hint) and len(validation.prompt) <= 255
        title = validation.promptTitle
        assert len(title) <= PROMPT_TITLE_LENGTH
        assert title == labels(header) or labels(header).startswith(title.rstrip("…"))
    quoted = "'{}'".format(lists.title.replace("'", "''"))
    field_column = {name: chr(ord("A") + i) for i, (name, _, _, _) in enumerate(COLUMNS)}
    assert validations[field_column["country"]].formula1.startswith(f"={quoted}!$A$1")
    assert validations[field_column["dietary"]].formula1.startswith(f"={quoted}!$B$1")
    assert validations[field_column["group"]].formula1.startswith(f"={quoted}!$C$1")
    yes, no = (labels(word) for word in YES_NO)
    assert validations[field_column["step_free"]].formula1 == f'"{yes},{no}"'

    dietary = [c.value for c in lists["B"] if c.value]
    assert dietary == [labels(option) for option in DIETARY]
    countries = [c.value for c in lists["A"] if c.value]
    names = cldr(language).territories
    assert names["GR"] in countries and names["PT"] in countries
    if language != "en":
        assert cldr("en").territories["DE"] not in countries
    assert [c.value for c in lists["C"] if c.value] == GROUPS
    # Sheet names, headers, hints, dietary options, yes and no: each has its translation.
    assert labels.missing == set()

    # Two participants fill it in, in the language, with the drop-downs' values.
    column = {name: i for i, (name, _, _, _) in enumerate(COLUMNS)}

    def row(**values: object) -> list[object]:
        cells: list[object] = [None] * len(COLUMNS)
        for name, value in values.items():
            cells[column[name]] = value
        return cells

    sheet.append(
        row(
            name="Ελένη Παπαδοπούλου",
            organisation="Δήμος Αθηναίων",
            role="Social worker",
            country=names["GR"],
            email="eleni@example.gr",
            phone="+30 210 123 4567",
            group=GROUPS[1],
            arrival="2026-01-26 21:00",
            departure="2026-01-28 19:00",
            dietary=dietary[0],
            accessibility="Ramp",
            step_free=yes,
            languages=", ".join(labels.language_name(code) for code in ("el", "en")),
            interpretation=labels.language_name("it"),
            migrant=no,
            public=yes,
            notes="Arrives by train",
        )
    )
    sheet.append(
        row(
            name="Rui Mota",
            organisation="AIMA",
            country=names["PT"],
            email="rui@example.pt",
            group=GROUPS[0],
            dietary=dietary[-1],
            step_free=no,
            migrant=yes,
            public=no,
        )
    )
    workbook.save(out)
    result = run("participants", "import", out, "--visit", visit_file, "--format", "json")
    assert result.exit_code == 0, result.stderr
    account = json.loads(result.stdout)
    assert account["unmapped_columns"] == [] and account["warnings"] == []
    assert account["rejected"] == []
    eleni, rui = account["participants"]
    assert eleni == {
        "id": eleni["id"],
        "name": "Ελένη Παπαδοπούλου",
        "organisation": "Δήμος Αθηναίων",
        "role": "Social worker",
        "country": "GR",
        "email": "eleni@example.gr",
        "phone": "+302101234567",
        "group": "work",
        "arrival": "2026-01-26 21:00",
        "departure": "2026-01-28 19:00",
        "dietary": dietary[0],
        "accessibility": "Ramp",
        "step_free": True,
        "languages": ["el", "en"],
        "interpretation": "it",
        "public": True,
        "notes": "Arrives by train",
    }
    assert rui == {
        "id": "rui-mota",
        "name": "Rui Mota",
        "organisation": "AIMA",
        "country": "PT",
        "email": "rui@example.pt",
        "group": "housing",
        "dietary": dietary[-1],
        "migrant": True,
    }
    written = (tmp_path / "visit.yaml").read_text(encoding="utf-8")
    assert "rui-mota" in written and dietary[-1] in written


@pytest.mark.parametrize("language", languages())
def test_the_yes_and_no_of_the_drop_down_are_read_as_yes_and_no(language: str) -> None:
    yes, no = (Labels(language)(word) for word in YES_NO)
    assert yes_no(yes) is True and yes_no(no) is False
    assert yes_no(yes.upper()) is True and yes_no(f" {no.lower()} ") is False
    assert not {",", '"'} & set(yes + no), "the list is written into the validation's formula"


@pytest.mark.parametrize("language", languages())
def test_every_language_s_headers_name_their_field(language: str) -> None:
    from visitplan.participants.columns import field_for, looks_like_header

    translations = catalogue(language).translations
    headers = [translations.gettext(header) for _, header, _, _ in COLUMNS]
    assert [field_for(h) for h in headers] == [name for name, _, _, _ in COLUMNS]
    assert [field_for(f"  {h.upper()} ") for h in headers] == [name for name, _, _, _ in COLUMNS]
    assert looks_like_header(headers)


def test_language_option_writes_the_sheet_without_a_visit(tmp_path: Path, run: Run) -> None:
    out = tmp_path / "inscricoes.xlsx"
    result = run("participants", "template", "-o", out, "--language", "PT")
    assert result.exit_code == 0, result.stderr
    labels = Labels("pt")
    assert header_row(out) == [labels(header) for _, header, _, _ in COLUMNS]


def test_language_option_wins_over_the_visit_s(tmp_path: Path, run: Run) -> None:
    visit_file = write_visit(tmp_path, "de")
    out = tmp_path / "registrations.xlsx"
    result = run("participants", "template", "-o", out, "--visit", visit_file, "-l", "pt")
    assert result.exit_code == 0, result.stderr
    portuguese = [Labels("pt")(header) for _, header, _, _ in COLUMNS]
    assert header_row(out) == portuguese
    assert portuguese != [Labels("de")(header) for _, header, _, _ in COLUMNS]


def test_without_language_or_visit_the_sheet_is_english(tmp_path: Path, run: Run) -> None:
    out = tmp_path / "registrations.xlsx"
    assert run("participants", "template", "-o", out).exit_code == 0
    assert header_row(out) == [header for _, header, _, _ in COLUMNS]


@pytest.mark.parametrize("code", ["xx-unknown", "", "english", "e1"])
def test_unknown_language_is_a_located_error(tmp_path: Path, run: Run, code: str) -> None:
    out = tmp_path / "registrations.xlsx"
    result = run("participants", "template", "-o", out, "--language", code)
    assert result.exit_code == 2
    assert "--language" in result.stderr and f"'{code}' is not a language code" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not out.exists()


def test_a_language_without_wording_says_so_and_names_countries_in_it(
    tmp_path: Path, run: Run
) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "registrations.xlsx"
    result = run("participants", "template", "-o", out, "--language", "sv")
    assert result.exit_code == 0, result.stderr
    assert "'sv'" in result.stderr and "English" in result.stderr
    assert header_row(out) == [header for _, header, _, _ in COLUMNS]
    countries = [c.value for c in load_workbook(out).worksheets[1]["A"] if c.value]
    assert cldr("sv").territories["DE"] in countries
