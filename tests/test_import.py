"""Importing registration spreadsheets of every kind; every row accounted for."""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import EXAMPLES, Run
from data import registrations
from visitplan.load import load_visit
from visitplan.participants import ImportResult, import_participants
from visitplan.participants.importing import Fields


def by_name(result: ImportResult) -> dict[str, Fields]:
    return {str(r.fields["name"]): r.fields for r in result.taken}


def assert_accounted(result: ImportResult) -> None:
    assert result.accounted, (
        result.rows_read,
        len(result.taken),
        len(result.merged),
        len(result.rejected),
    )


def test_google_forms_csv_with_a_second_submission(tmp_path: Path) -> None:
    result = import_participants(registrations.google_forms_csv(tmp_path))
    assert_accounted(result)
    assert (result.rows_read, len(result.taken), len(result.merged), len(result.rejected)) == (
        5,
        4,
        1,
        0,
    )
    people = by_name(result)
    ana = people["Ana Ferreira"]
    assert ana["email"] == "ana.ferreira@example.org"
    assert ana["dietary"] == "vegan"  # the later submission wins
    assert ana["arrival"] == "2026-01-26 18:30"
    assert people["Jan de Vries"]["country"] == "NL"
    assert people["Søren Madsen"]["country"] == "DK"
    assert people["Lea Wagner"]["country"] == "AT"
    assert result.merged[0].row == 2 and result.merged[0].into == 5


def test_microsoft_forms_xlsx_with_real_datetimes(tmp_path: Path) -> None:
    result = import_participants(registrations.microsoft_forms_xlsx(tmp_path))
    assert_accounted(result)
    assert len(result.taken) == 3
    people = by_name(result)
    assert people["Marco Rossi"]["arrival"] == "2026-04-12 21:00"
    assert people["Marco Rossi"]["phone"] == "+390512191111"
    assert people["Katarina Horvat"]["phone"] == "+38516101111"
    assert people["Katarina Horvat"]["country"] == "HR"
    assert "email" not in people["Eszter Nagy"]  # "anonymous"
    assert "ID" not in result.unmapped and "Start time" not in result.unmapped


def test_title_rows_and_merged_title_cell_above_the_header(tmp_path: Path) -> None:
    result = import_participants(registrations.titled_xlsx(tmp_path))
    assert_accounted(result)
    assert result.rows_read == 2
    people = by_name(result)
    assert people["Rita Santos"]["country"] == "PT"
    assert people["Tiago Costa"]["organisation"] == "Instituto da Segurança Social"


def test_windows_1252_semicolon_csv_with_day_first_dates(tmp_path: Path) -> None:
    result = import_participants(registrations.windows_semicolon_csv(tmp_path))
    assert_accounted(result)
    people = by_name(result)
    assert set(people) == {"João Gonçalves", "Inês Simões", "Zoë Müller"}
    assert people["João Gonçalves"]["arrival"] == "2026-04-12 21:00"
    assert people["Inês Simões"]["departure"] == "2026-04-17"
    assert people["Zoë Müller"]["country"] == "DE"  # "Alemanha"
    assert people["João Gonçalves"]["organisation"] == "Associação Nacional de Municípios"


def test_utf8_bom_csv_with_newlines_and_italian_headers(tmp_path: Path) -> None:
    result = import_participants(registrations.bom_newlines_csv(tmp_path))
    assert_accounted(result)
    people = by_name(result)
    giulia = people["Giulia Bianchi"]
    assert giulia["accessibility"] == "Needs a ground-floor room and step-free access"
    assert giulia["country"] == "IT" and giulia["organisation"] == "ANCI"
    assert people["Luca Verdi"]["email"] == "luca@example.it"


def test_ods_with_german_headers(tmp_path: Path) -> None:
    result = import_participants(registrations.ods_file(tmp_path))
    assert_accounted(result)
    people = by_name(result)
    assert people["Jonas Becker"]["country"] == "DE"
    assert people["Jonas Becker"]["arrival"] == "2026-01-26 19:00"
    assert people["Mia Schulz"]["organisation"] == "LAKA Baden-Württemberg"


def test_shape_participants_with_countries_in_their_own_languages(tmp_path: Path) -> None:
    visit = load_visit(EXAMPLES / "shape-porto-lousada" / "visit.yaml").visit
    people = [
        {
            "name": p.name,
            "organisation": p.organisation or "",
            "role": p.role or "",
            "country": p.country or "",
            "migrant": p.migrant,
        }
        for p in visit.participants
    ]
    result = import_participants(registrations.shape_xlsx(tmp_path, people))
    assert_accounted(result)
    assert len(result.taken) == 23
    imported = by_name(result)
    for person in visit.participants:
        assert imported[person.name]["country"] == person.country
        assert bool(imported[person.name].get("migrant")) == person.migrant


@pytest.mark.slow
def test_bad_rows_are_each_reported_with_their_row(tmp_path: Path) -> None:
    result = import_participants(registrations.bad_rows_xlsx(tmp_path))
    assert_accounted(result)
    assert result.rows_read == 10
    reasons = {r.row: r.reason for r in result.rejected}
    assert sorted(reasons) == [3, 6, 8, 9]
    assert reasons[3] == "no name"
    assert "departure (2026-01-26 00:00) is before arrival" in reasons[6]
    assert "shared@example.org is already used by 'First Owner' (row 7)" in reasons[8]
    assert reasons[9] == "the row is empty"
    assert all(r.hint for r in result.rejected)
    # A cell that cannot be read costs that cell, not the row.
    left_out = {(w.row, w.column): w.message for w in result.warnings if w.dropped}
    assert "'bad-at-example.org' is not an email address" in left_out[(4, "B")]
    assert "'31/02/2026' is not a real date" in left_out[(5, "D")]
    assert "'Atlantis' is not a country" in left_out[(10, "C")]
    people = by_name(result)
    assert "email" not in people["Bad Email"] and "arrival" not in people["Bad Date"]
    assert "country" not in people["Atlantis Person"]
    assert people["Last Good"]["country"] == "LU"


def test_a_sheet_without_a_recognisable_header_is_a_clear_error(tmp_path: Path, run: Run) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("Wer,Wo\nA,B\n", encoding="utf-8")
    result = run("participants", "import", path)
    assert result.exit_code == 2
    assert "no header row found" in result.stderr and "--map" in result.stderr


def test_map_option_names_unknown_headers(tmp_path: Path, run: Run) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("Wer,Woher\nAnna Schmidt,Österreich\n", encoding="utf-8")
    result = run(
        "participants",
        "import",
        path,
        "--map",
        "Wer=name",
        "--map",
        "Woher=country",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["participants"] == [
        {"id": "anna-schmidt", "name": "Anna Schmidt", "country": "AT"}
    ]


@pytest.mark.slow
def test_cli_summary_report_and_exit_code(tmp_path: Path, run: Run) -> None:
    report = tmp_path / "rejected.csv"
    result = run(
        "participants", "import", registrations.bad_rows_xlsx(tmp_path), "--report", report
    )
    assert result.exit_code == 1
    assert "bad-rows.xlsx!5:D (Arrival): '31/02/2026' is not a real date" in result.stderr
    assert "10 rows read: 6 taken, 0 merged as duplicates, 4 rejected" in result.stderr
    with report.open(encoding="utf-8-sig") as stream:
        rows = list(csv.reader(stream))
    assert rows[0][:3] == ["row", "problem", "how to fix it"]
    assert [r[0] for r in rows[1:]] == ["3", "6", "8", "9"]
    again = run("participants", "import", report, "--format", "json")
    assert again.exit_code == 1  # the same problems, until fixed
    assert "4 rows read" in again.stderr


# -- into visit.yaml ---------------------------------------------------------------------


def _milan(tmp_path: Path) -> Path:
    shutil.copy(EXAMPLES / "milan-exchange-2026" / "visit.yaml", tmp_path / "visit.yaml")
    return tmp_path / "visit.yaml"


def test_import_keeps_every_line_outside_the_participants(tmp_path: Path, run: Run) -> None:
    visit_file = _milan(tmp_path)
    before = visit_file.read_text(encoding="utf-8").splitlines()
    sheet = registrations.google_forms_csv(tmp_path)
    result = run("participants", "import", sheet, "--visit", visit_file)
    assert result.exit_code == 0, result.stderr
    assert "4 added, 0 updated, 0 unchanged" in result.stderr
    after = visit_file.read_text(encoding="utf-8").splitlines()
    # Additions only: every line the user wrote is still there, in order, untouched;
    # the new participants follow the existing ones.
    assert after[: len(before)] == before
    assert after[len(before)].startswith("  - id: ana-ferreira")
    visit = load_visit(visit_file).visit
    assert len(visit.participants) == 18
    assert (tmp_path / "visit.yaml.bak").read_text(encoding="utf-8").splitlines() == before
    second = run("participants", "import", sheet, "--visit", visit_file)
    assert "nothing to change" in second.stderr
    assert visit_file.read_text(encoding="utf-8").splitlines() == after


def test_import_updates_existing_participants_by_email(tmp_path: Path, run: Run) -> None:
    visit_file = _milan(tmp_path)
    sheet = tmp_path / "update.csv"
    sheet.write_text(
        "Name,Email,Dietary requirements\nRepresentative, Fedasil placeholder,"
        "return.counsellor@fedasil.example.org,halal\n",
        encoding="utf-8",
    )
    sheet.write_text(
        'Name,Email,Dietary requirements\n"Representative, Fedasil",'
        "return.counsellor@fedasil.example.org,halal\n",
        encoding="utf-8",
    )
    result = run("participants", "import", sheet, "--visit", visit_file)
    assert "0 added, 1 updated" in result.stderr
    visit = load_visit(visit_file).visit
    fedasil = [p for p in visit.participants if p.id == "be-fedasil"]
    assert len(fedasil) == 1 and fedasil[0].dietary == "halal"
    assert len(visit.participants) == 14


def test_dry_run_writes_nothing(tmp_path: Path, run: Run) -> None:
    visit_file = _milan(tmp_path)
    before = visit_file.read_bytes()
    result = run(
        "participants",
        "import",
        registrations.google_forms_csv(tmp_path),
        "--visit",
        visit_file,
        "--dry-run",
    )
    assert result.exit_code == 0
    assert "+  - id: ana-ferreira" in result.stdout
    assert visit_file.read_bytes() == before
    assert not (tmp_path / "visit.yaml.bak").exists()


def test_unknown_group_values_are_left_out_with_a_warning(tmp_path: Path, run: Run) -> None:
    visit_file = _milan(tmp_path)
    sheet = tmp_path / "groups.csv"
    sheet.write_text("Name,Group\nSomeone New,blue\n", encoding="utf-8")
    result = run("participants", "import", sheet, "--visit", visit_file)
    assert result.exit_code == 1
    assert "groups.csv!2:B (Group): 'blue' is not one of the visit's groups" in result.stderr
    assert "1 added" in result.stderr  # the row is taken, without a group


def test_formula_text_stays_text(tmp_path: Path) -> None:
    result = import_participants(registrations.injection_csv(tmp_path))
    people = by_name(result)
    assert people["Eve Example"]["organisation"] == '=HYPERLINK("http://evil.example","click")'
    assert people["Mallory Example"]["notes"] == "-2+3"


# -- the registration template ----------------------------------------------------------------


def test_template_round_trips(
    tmp_path: Path, run: Run, example_copy: Callable[[str], Path]
) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "registrations.xlsx"
    assert run("participants", "template", "-o", path).exit_code == 0
    workbook = load_workbook(path)
    sheet = workbook["Registrations"]
    assert sheet.freeze_panes == "A2"
    validations = {str(v.sqref).split(":")[0]: v for v in sheet.data_validations.dataValidation}
    assert validations["D2"].type == "list" and validations["D2"].prompt
    assert validations["J2"].type == "list"
    sheet.append(
        [
            "Maria Costa",
            "AIMA",
            "Case manager",
            "Portugal",
            "maria@example.pt",
            "+351 912 345 678",
            None,
            "2026-04-12 21:00",
            "2026-04-17 19:00",
            "Vegetarian",
            None,
            "Yes",
            "Portuguese, English",
            "None",
            "No",
            "Yes",
            "Arrives by train",
        ]
    )
    workbook.save(path)
    result = import_participants(path)
    assert_accounted(result)
    assert result.unmapped == []
    (maria,) = [r.fields for r in result.taken]
    assert maria == {
        "id": "maria-costa",
        "name": "Maria Costa",
        "organisation": "AIMA",
        "role": "Case manager",
        "country": "PT",
        "email": "maria@example.pt",
        "phone": "+351912345678",
        "arrival": "2026-04-12 21:00",
        "departure": "2026-04-17 19:00",
        "dietary": "Vegetarian",
        "step_free": True,
        "languages": ["pt", "en"],
        "public": True,
        "notes": "Arrives by train",
    }


def test_template_refuses_to_overwrite(tmp_path: Path, run: Run) -> None:
    path = tmp_path / "registrations.xlsx"
    path.write_bytes(b"mine")
    result = run("participants", "template", "-o", path)
    assert result.exit_code == 2 and path.read_bytes() == b"mine"
