"""Hostile and unlucky registration files: control characters, broken encodings,
formula-like headings, spreadsheet bombs and passwords get answers, never a crash."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from conftest import EXAMPLES, Run
from data import real_sheets


def _import_json(run: Run, path: Path) -> tuple[int, dict[str, Any], str]:
    result = run("participants", "import", path, "--format", "json")
    account = json.loads(result.stdout) if result.stdout.strip() else {}
    return result.exit_code, account, result.stderr


# -- control characters --------------------------------------------------------------------

CONTROLS = {
    "vertical tab": "\x0b",
    "form feed": "\x0c",
    "NUL": "\x00",
    "SOH": "\x01",
    "ESC": "\x1b",
    "U+FFFE": "\ufffe",
}


@pytest.mark.parametrize("name", CONTROLS)
def test_control_characters_in_a_csv_are_cleaned_and_reported(
    tmp_path: Path, run: Run, name: str
) -> None:
    char = CONTROLS[name]
    path = tmp_path / "controls.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["Name", "Organisation", "Notes"])
        writer.writerow(["Ana Silva", f"AI{char}MA", f"red{char}[2J text"])
        writer.writerow(["Rui Mota", "CM Porto", "plain"])
    code, account, stderr = _import_json(run, path)
    assert code == 0, stderr
    people = {p["name"]: p for p in account["participants"]}
    assert char not in json.dumps(account, ensure_ascii=False)
    assert people["Ana Silva"]["organisation"].replace(" ", "") == "AIMA"
    where = {(w["row"], w["column"]) for w in account["warnings"]}
    assert where == {(2, "B"), (2, "C")}
    assert f"U+{ord(char):04X}" in stderr and "controls.csv!2:B (Organisation)" in stderr
    assert "\x1b" not in stderr


def test_a_line_break_in_a_name_is_cleaned_and_reported(tmp_path: Path, run: Run) -> None:
    path = tmp_path / "names.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["Name", "Accessibility needs"])
        writer.writerow(["Ana\nSilva", "Ground floor\nnear the lift"])
    code, account, _ = _import_json(run, path)
    assert code == 0
    (person,) = account["participants"]
    assert person["name"] == "Ana Silva"
    assert person["accessibility"] == "Ground floor near the lift"
    (warning,) = account["warnings"]
    assert (warning["row"], warning["column"]) == (2, "A") and "line break" in warning["message"]


def test_escaped_controls_and_lone_surrogates_in_an_xlsx_are_cleaned(
    tmp_path: Path, run: Run
) -> None:
    from openpyxl import Workbook

    # Excel stores characters XML cannot hold as _xHHHH_.
    workbook = Workbook()
    workbook.active.append(["Name", "Email"])
    workbook.active.append(["Ana_xD800_ Silva", "ana@example.org"])
    workbook.active.append(["Rui_x000B_Mota_x001B_[2J_xFFFE_", "rui@example.org"])
    path = tmp_path / "escaped.xlsx"
    workbook.save(path)
    code, account, stderr = _import_json(run, path)
    assert code == 0, stderr
    names = [p["name"] for p in account["participants"]]
    assert names == ["Ana Silva", "Rui Mota[2J"]
    messages = {w["row"]: w["message"] for w in account["warnings"]}
    assert "U+D800" in messages[2] and "surrogate" in messages[2]
    assert "U+000B" in messages[3] and "U+001B" in messages[3] and "U+FFFE" in messages[3]


@pytest.mark.slow
def test_an_imported_visit_with_cleaned_cells_builds(tmp_path: Path, run: Run) -> None:
    visit_file = tmp_path / "visit.yaml"
    shutil.copy(EXAMPLES / "milan-exchange-2026" / "visit.yaml", visit_file)
    path = tmp_path / "controls.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["Name", "Organisation", "Dietary requirements", "Notes"])
        row = ["Eve\x0bExample", "Org\x00\x01\x1b[31m", "vegan\x0c", "note\ufffe\nmore"]
        writer.writerow(row)
    assert run("participants", "import", path, "--visit", visit_file).exit_code == 0
    text = visit_file.read_text(encoding="utf-8")
    assert not any(c in text for c in "\x0b\x00\x01\x1b\x0c\ufffe")
    assert run("build", visit_file, "--force").exit_code in (0, 1)


# -- broken encodings ------------------------------------------------------------------------


def test_a_utf8_marker_followed_by_latin1_says_where(tmp_path: Path, run: Run) -> None:
    path = real_sheets.bom_then_latin1_csv(tmp_path)
    position = path.read_bytes().index("é".encode("latin-1")) + 1
    result = run("participants", "import", path)
    assert result.exit_code == 2
    assert f"says it is UTF-8, but byte {position} (line 2" in result.stderr
    assert "save it again as UTF-8" in result.stderr and "Traceback" not in result.output


def test_utf16_cut_off_says_which_byte(tmp_path: Path, run: Run) -> None:
    path = real_sheets.utf16_cut_off_csv(tmp_path)
    size = path.stat().st_size
    result = run("participants", "import", path)
    assert result.exit_code == 2
    assert f"says it is UTF-16, but byte {size} (line 2) is cut off" in result.stderr
    assert "save it again as UTF-8" in result.stderr


def test_utf16_lone_surrogate_says_where(tmp_path: Path, run: Run) -> None:
    path = real_sheets.utf16_lone_surrogate_csv(tmp_path)
    start = path.read_bytes().index(b"\x00\xd8") + 1
    result = run("participants", "import", path)
    assert result.exit_code == 2
    assert f"bytes {start}–{start + 1} (line 2) hold half a character" in result.stderr


# -- the rejected-rows report ------------------------------------------------------------------


def test_the_report_neutralises_formula_like_headings(tmp_path: Path, run: Run) -> None:
    path = tmp_path / "headings.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(
            ["Name", "Email", '=HYPERLINK("http://evil.example","x")', "@SUM(A1)", "+1", "-2"]
        )
        writer.writerow(["", "a@example.org", "a", "b", "c", "d"])  # no name: rejected
        writer.writerow(["Ana Silva", "ana@example.org", "a", "b", "c", "d"])
    report = tmp_path / "rejected.csv"
    result = run("participants", "import", path, "--report", report)
    assert result.exit_code == 1
    with report.open(encoding="utf-8-sig") as stream:
        rows = list(csv.reader(stream))
    headings = rows[0][3:]
    assert headings[:2] == ["Name", "Email"]
    for heading in headings[2:]:
        assert heading.startswith("'"), heading
    assert rows[1][0] == "2"


# -- spreadsheet bombs ----------------------------------------------------------------------


def test_a_value_at_the_last_cell_of_the_grid_is_refused_with_its_place(
    tmp_path: Path, run: Run
) -> None:
    path = real_sheets.far_cell_xlsx(tmp_path)
    assert path.stat().st_size < 10_000
    result = run("participants", "import", path)
    assert result.exit_code == 2
    assert "XFD1048576" in result.stderr and "200,000" in result.stderr


@pytest.mark.parametrize(("row", "column"), [(1_048_576, 16_384), (40_000, 16_000)])
def test_an_ods_spanning_the_grid_is_refused_before_it_is_laid_out(
    tmp_path: Path, run: Run, row: int, column: int
) -> None:
    from openpyxl.utils import get_column_letter

    where = f"{get_column_letter(column)}{row}"
    path = real_sheets.far_cell_ods(tmp_path, row, column)
    assert path.stat().st_size < 10_000
    result = run("participants", "import", path)
    assert result.exit_code == 2
    assert f"Sheet1!{where}" in result.stderr


def test_a_declared_dimension_is_not_trusted(tmp_path: Path, run: Run) -> None:
    code, account, stderr = _import_json(run, real_sheets.declared_huge_xlsx(tmp_path))
    assert code == 0, stderr
    assert [p["name"] for p in account["participants"]] == ["Ana Silva", "Rui Mota"]


def test_an_empty_styled_cell_far_away_costs_nothing(tmp_path: Path, run: Run) -> None:
    path = real_sheets.far_cell_xlsx(tmp_path, value=None)
    from openpyxl import load_workbook
    from openpyxl.styles import Font

    workbook = load_workbook(path)
    workbook.active["XFD1048576"].font = Font(bold=True)
    workbook.save(path)
    code, account, stderr = _import_json(run, path)
    assert code == 0, stderr
    assert len(account["participants"]) == 2


def test_a_cell_over_the_length_limit_is_left_out_with_its_place(tmp_path: Path, run: Run) -> None:
    from visitplan.participants.read import MAX_CELL_CHARS

    code, account, _ = _import_json(run, real_sheets.long_cell_xlsx(tmp_path, MAX_CELL_CHARS * 3))
    assert code == 1
    people = {p["name"]: p for p in account["participants"]}
    assert "notes" not in people["Ana Silva"] and people["Rui Mota"]["notes"] == "short"
    (warning,) = account["warnings"]
    assert (warning["row"], warning["column"]) == (2, "C")
    assert f"over the limit of {MAX_CELL_CHARS:,}" in warning["message"]


def test_a_huge_text_in_a_small_workbook_is_read_and_left_out(tmp_path: Path, run: Run) -> None:
    """A small file whose one text unpacks to millions of characters."""
    import zipfile

    size = 5_000_000
    plain = real_sheets.long_cell_xlsx(tmp_path, 10)
    path = tmp_path / "huge-string.xlsx"
    with (
        zipfile.ZipFile(plain) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            data = source.read(item)
            data = data.replace(b">aaaaaaaaaa<", b">" + b"a" * size + b"<")
            target.writestr(item.filename, data)
    assert path.stat().st_size < 100_000
    assert sum(i.file_size for i in zipfile.ZipFile(path).infolist()) > size
    code, account, _ = _import_json(run, path)
    assert code == 1
    assert "notes" not in account["participants"][0]
    assert f"{size:,} characters" in account["warnings"][0]["message"]


@pytest.mark.slow
def test_more_rows_than_the_limit_are_refused_with_the_line(tmp_path: Path, run: Run) -> None:
    from visitplan.participants.read import LAST_ROW

    path = tmp_path / "long.csv"
    path.write_text("Name,Email\n" + "x,\n" * LAST_ROW, encoding="utf-8")
    result = run("participants", "import", path)
    assert result.exit_code == 2
    assert f"line {LAST_ROW + 1:,}" in result.stderr


def test_columns_beyond_the_limit_are_said_not_read(tmp_path: Path, run: Run) -> None:
    from visitplan.participants.read import MAX_COLUMNS

    path = tmp_path / "wide.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["Name", "Email", *(f"Q{n}" for n in range(MAX_COLUMNS + 10))])
        writer.writerow(["Ana Silva", "ana@example.org", *(["x"] * (MAX_COLUMNS + 10))])
    code, account, _ = _import_json(run, path)
    assert code == 0
    assert any("were not read" in note for note in account["notes"])


def test_a_password_protected_workbook_says_so(tmp_path: Path, run: Run) -> None:
    result = run("participants", "import", real_sheets.password_xlsx(tmp_path, "pw"))
    assert result.exit_code == 2
    assert "protected by a password" in result.stderr
    assert "not a zip file" not in result.stderr


def test_ten_thousand_columns(tmp_path: Path, run: Run) -> None:
    header = ["Name", "Email"] + [f"Question {n}" for n in range(10_000)]
    path = tmp_path / "wide.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerow(["Ana Silva", "ana@example.org", *(["x"] * 10_000)])
    result = run("participants", "import", path, "--format", "json")
    assert result.exit_code == 0
    assert '"name": "Ana Silva"' in result.output
