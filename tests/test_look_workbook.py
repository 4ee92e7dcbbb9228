"""How the visit workbook reads on screen and on paper, read back with openpyxl."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Run

# A4 portrait with the default margins (0.7 inch each side) prints 6.87 inches, 659
# pixels at 96 dpi; a column of N characters of the default font is 7 N + 5 pixels.
PRINTABLE_PIXELS = 659


@pytest.fixture
def workbook(run: Run, example_copy: Callable[[str], Path], tmp_path: Path) -> object:
    import openpyxl

    target = tmp_path / "visit.xlsx"
    result = run("convert", example_copy("milan-exchange-2026"), target)
    assert result.exit_code == 0, result.output
    return openpyxl.load_workbook(target)


def test_instructions_fit_the_width_of_a_printed_page(workbook: object) -> None:
    sheet = workbook.worksheets[0]  # type: ignore[attr-defined]
    width = sheet.column_dimensions["A"].width
    assert width * 7 + 5 <= PRINTABLE_PIXELS
    assert all(cell.alignment.wrap_text for (cell,) in sheet.iter_rows(min_row=3))


def test_values_in_a_tall_row_sit_at_its_top_beside_their_heading(workbook: object) -> None:
    grown = 0
    for sheet in workbook.worksheets:  # type: ignore[attr-defined]
        for number, dimension in sheet.row_dimensions.items():
            if not dimension.height or dimension.height <= 15:
                continue
            grown += 1
            for cell in sheet[number]:
                if cell.value is not None:
                    assert cell.alignment.vertical == "top", (sheet.title, cell.coordinate)
    assert grown
