"""Importing registrations into a visit workbook: only the Participants sheet changes."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from data.registrations import google_forms_csv
from visitplan.load import load_visit
from visitplan.workbook.layout import FIELD_ROW

ROOT = Path(__file__).resolve().parent.parent
MILAN = ROOT / "examples" / "milan-exchange-2026" / "visit.yaml"


def workbook_of(run: Any, folder: Path) -> Path:
    target = folder / "visit.xlsx"
    result = run("convert", MILAN, target)
    assert result.exit_code == 0, result.output
    return target


def snapshot(path: Path, skip: str | None = None) -> dict[str, Any]:
    """Every sheet's cells (value and style), widths, heights, validations and panes."""
    book = load_workbook(path)
    found: dict[str, Any] = {}
    for sheet in book.worksheets:
        if sheet.title == skip:
            continue
        found[sheet.title] = {
            "cells": {
                cell.coordinate: (
                    cell.value,
                    cell.number_format,
                    cell.font.b,
                    cell.fill.fgColor.rgb,
                    cell.alignment.wrap_text,
                    cell.comment.text if cell.comment else None,
                )
                for row in sheet.iter_rows()
                for cell in row
            },
            "widths": {k: v.width for k, v in sheet.column_dimensions.items()},
            "hidden": {k: v.hidden for k, v in sheet.row_dimensions.items()},
            "validations": sorted(
                (str(v.formula1), str(v.sqref)) for v in sheet.data_validations.dataValidation
            ),
            "freeze": sheet.freeze_panes,
            "state": sheet.sheet_state,
        }
    return found


def test_import_adds_participants_and_leaves_every_other_sheet_as_it_was(
    run: Any, tmp_path: Path
) -> None:
    from openpyxl.comments import Comment

    workbook = workbook_of(run, tmp_path)
    book = load_workbook(workbook)
    book["Venues"]["C3"].comment = Comment("ask for the side entrance", "officer")
    book["Sessions"].column_dimensions["B"].width = 51
    book.save(workbook)
    before = snapshot(workbook, skip="Participants")
    participants_before = snapshot(workbook)["Participants"]
    sheet = google_forms_csv(tmp_path)
    result = run("participants", "import", sheet, "--visit", workbook)
    assert result.exit_code == 0, result.output
    assert snapshot(workbook, skip="Participants") == before
    after = snapshot(workbook)["Participants"]
    assert after["widths"] == participants_before["widths"]
    assert after["validations"] == participants_before["validations"]
    changed = {k for k, v in after["cells"].items() if participants_before["cells"].get(k) != v}
    first_new_row = 3 + 14  # the example has 14 participants
    assert changed and all(
        int(k.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) >= first_new_row for k in changed
    )
    visit = load_visit(workbook).visit
    assert len(visit.participants) == 14 + 4
    assert (tmp_path / "visit.xlsx.bak").read_bytes() != workbook.read_bytes()


@pytest.mark.slow
def test_a_second_import_changes_not_even_the_files_bytes(run: Any, tmp_path: Path) -> None:
    workbook = workbook_of(run, tmp_path)
    sheet = google_forms_csv(tmp_path)
    assert run("participants", "import", sheet, "--visit", workbook).exit_code == 0
    once = workbook.read_bytes()
    stamp = workbook.stat().st_mtime_ns
    again = run("participants", "import", sheet, "--visit", workbook)
    assert again.exit_code == 0
    assert "nothing to change" in again.output
    assert workbook.read_bytes() == once
    assert workbook.stat().st_mtime_ns == stamp


@pytest.mark.slow
def test_a_changed_registration_updates_its_row_only(run: Any, tmp_path: Path) -> None:
    workbook = workbook_of(run, tmp_path)
    sheet = google_forms_csv(tmp_path)
    assert run("participants", "import", sheet, "--visit", workbook).exit_code == 0
    rows = list(csv.reader(sheet.open(encoding="utf-8")))
    rows[3][6] = "halal"  # Søren Madsen's dietary needs
    with sheet.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows(rows)
    before = snapshot(workbook)["Participants"]["cells"]
    result = run("participants", "import", sheet, "--visit", workbook)
    assert result.exit_code == 0, result.output
    assert "0 added, 1 updated" in result.output
    after = snapshot(workbook)["Participants"]["cells"]
    changed = [k for k, v in after.items() if before.get(k) != v]
    assert len(changed) == 1
    assert after[changed[0]][0] == "halal"


@pytest.mark.slow
def test_a_dry_run_lists_the_cells_and_writes_nothing(run: Any, tmp_path: Path) -> None:
    workbook = workbook_of(run, tmp_path)
    original = workbook.read_bytes()
    result = run(
        "participants", "import", google_forms_csv(tmp_path), "--visit", workbook, "--dry-run"
    )
    assert result.exit_code == 0, result.output
    assert "Participants!B17: (empty) -> " in result.stdout
    assert workbook.read_bytes() == original
    assert not (tmp_path / "visit.xlsx.bak").exists()


@pytest.mark.slow
def test_imported_text_never_becomes_a_formula(run: Any, tmp_path: Path) -> None:
    workbook = workbook_of(run, tmp_path)
    sheet = tmp_path / "regs.csv"
    sheet.write_text(
        'Name,Organisation,Email\n"=HYPERLINK(""http://x"",""y"")",=1+1,a@example.org\n',
        encoding="utf-8",
    )
    result = run("participants", "import", sheet, "--visit", workbook)
    assert result.exit_code in (0, 1), result.output
    book = load_workbook(workbook)
    participants = book["Participants"]
    fields = [c.value for c in participants[FIELD_ROW]]
    organisation = participants.cell(3 + 14, fields.index("organisation") + 1)
    assert organisation.data_type == "s"


def test_an_ods_visit_is_refused_for_imports_with_a_way_out(run: Any, tmp_path: Path) -> None:
    fake = tmp_path / "visit.ods"
    fake.write_bytes(b"not a workbook")
    result = run("participants", "import", google_forms_csv(tmp_path), "--visit", fake)
    assert result.exit_code == 2
    assert "Traceback" not in result.output


@pytest.mark.slow
def test_a_workbook_with_drawn_shapes_is_refused_rather_than_stripped(
    run: Any, tmp_path: Path
) -> None:
    import zipfile

    from openpyxl.chart import BarChart, Reference

    workbook = workbook_of(run, tmp_path)
    book = load_workbook(workbook)
    chart = BarChart()
    chart.add_data(Reference(book["Venues"], min_col=10, min_row=3, max_row=7))
    book["Instructions"].add_chart(chart, "D20")
    book.save(workbook)
    # A text box drawn beside the chart, as Excel writes one (openpyxl would drop it).
    drawn = tmp_path / "drawn.xlsx"
    with zipfile.ZipFile(workbook) as source, zipfile.ZipFile(drawn, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/drawings/drawing1.xml":
                data = data.replace(b"</wsDr>", b"<sp macro=''></sp></wsDr>")
            target.writestr(item, data)
    drawn.replace(workbook)
    original = workbook.read_bytes()
    result = run("participants", "import", google_forms_csv(tmp_path), "--visit", workbook)
    assert result.exit_code == 2
    assert "drawn shape" in result.output
    assert workbook.read_bytes() == original


@pytest.mark.slow
def test_charts_survive_an_import(run: Any, tmp_path: Path) -> None:
    from openpyxl.chart import BarChart, Reference

    workbook = workbook_of(run, tmp_path)
    book = load_workbook(workbook)
    chart = BarChart()
    chart.add_data(Reference(book["Venues"], min_col=10, min_row=3, max_row=7))
    book["Instructions"].add_chart(chart, "D20")
    book.save(workbook)
    result = run("participants", "import", google_forms_csv(tmp_path), "--visit", workbook)
    assert result.exit_code == 0, result.output
    assert len(load_workbook(workbook)["Instructions"]._charts) == 1
