"""The participants workbook, read back with openpyxl."""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path

import pytest
from openpyxl import load_workbook

import cldr
from conftest import EXAMPLE_NAMES, EXAMPLES, Run
from data import registrations
from visitplan.build import build
from visitplan.exporters.participants_xlsx import (
    SIGNED_KINDS,
    attendance_slots,
    present_on,
    programme_days,
)
from visitplan.labels import Labels
from visitplan.load import load_visit
from visitplan.timeline import timeline

SHEETS = ["Participants", "Summary", "Catering & access", "Travel & stay", "Hosts", "Feeds"]


@pytest.fixture(scope="module")
def built(example_builds: Mapping[str, Path]) -> Mapping[str, Path]:
    return example_builds


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_sheets_are_as_listed(built: dict[str, Path], name: str) -> None:
    workbook = load_workbook(built[name] / "build" / "private" / "participants.xlsx")
    visit = load_visit(built[name] / "visit.yaml").visit
    labels = Labels(visit.details.language)
    days = [labels("Attendance {day}", day=d.isoformat()) for d in programme_days(visit)]
    sheets = [labels(s) for s in SHEETS]
    assert workbook.sheetnames == [*sheets[:3], *days, *sheets[3:]]
    assert len(days) == len(visit.details.days())


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_participants_sheet_is_a_filterable_table(built: dict[str, Path], name: str) -> None:
    workbook = load_workbook(built[name] / "build" / "private" / "participants.xlsx")
    visit = load_visit(built[name] / "visit.yaml").visit
    sheet = workbook[Labels(visit.details.language)("Participants")]
    assert sheet.freeze_panes == "C2"
    (table,) = sheet.tables.values()
    assert table.ref == f"A1:P{len(visit.participants) + 1}"
    assert sheet.max_row == len(visit.participants) + 1
    ids = [sheet.cell(row=n, column=1).value for n in range(2, sheet.max_row + 1)]
    assert ids == [p.id for p in visit.participants]


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_attendance_sheets_are_ready_to_print(built: dict[str, Path], name: str) -> None:
    workbook = load_workbook(built[name] / "build" / "private" / "participants.xlsx")
    visit = load_visit(built[name] / "visit.yaml").visit
    labels = Labels(visit.details.language)
    timelines = timeline(visit).sessions
    for day in programme_days(visit):
        sheet = workbook[labels("Attendance {day}", day=day.isoformat())]
        setup = sheet.page_setup
        assert setup.paperSize == 9 and setup.scale == 100
        assert not sheet.sheet_properties.pageSetUpPr.fitToPage
        assert setup.orientation in {"landscape", "portrait"}
        assert sheet.print_title_rows == "$4:$4"
        sessions = [s for s in visit.active_sessions() if s.date == day and s.kind in SIGNED_KINDS]
        header = [c.value for c in sheet[4]]
        fixed = ["No.", "Name", "Organisation", "Role", "Country"]
        assert header[:5] == [labels(h) for h in fixed]
        slots = attendance_slots(visit, sessions, labels)
        assert header[5 + bool(visit.groups) :] == [label for label, _ in slots]
        assert [sum(len(held) for _, held in slots)] == [len(sessions)]
        expected = [
            p
            for p in visit.participants
            if present_on(p, day)
            and {s.id for s in timelines[p.group] if s.date == day} & {s.id for s in sessions}
        ]
        names = [sheet.cell(row=n, column=2).value for n in range(5, sheet.max_row + 1)]
        walk_ins = visit.details.attendance.blank_rows
        assert names[len(names) - walk_ins :] == [None] * walk_ins
        assert sorted(names[: len(names) - walk_ins]) == sorted(p.name for p in expected)


def test_summary_counts_match_the_visit(built: dict[str, Path]) -> None:
    workbook = load_workbook(
        built["shape-porto-lousada"] / "build" / "private" / "participants.xlsx"
    )
    sheet = workbook["Summary"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    countries = {
        r[0]: r[1]
        for r in rows[rows.index(["Country", "Participants"]) + 1 :]
        if r[0] and r[0] != "Organisation"
    }
    assert countries[cldr.country("HR")] == 5 and countries[cldr.country("DE")] == 7
    assert countries[cldr.country("HU")] == 7 and countries[cldr.country("IT")] == 4


def test_catering_sheet_lists_needs_per_day_and_venue(built: dict[str, Path]) -> None:
    workbook = load_workbook(
        built["milan-exchange-2026"] / "build" / "private" / "participants.xlsx"
    )
    rows = [[c.value for c in row] for row in workbook["Catering & access"].iter_rows()]
    lunch = [r for r in rows if r[2] == "Trattoria near the Duomo"]
    assert lunch and "gluten-free: 1" in lunch[0][4] and "vegetarian: 1" in lunch[0][4]
    assert any("uses a wheelchair" in (r[5] or "") for r in rows)


def test_feeds_sheet_has_personal_links(built: dict[str, Path]) -> None:
    workbook = load_workbook(
        built["milan-exchange-2026"] / "build" / "private" / "participants.xlsx"
    )
    links = [row[4].value for row in workbook["Feeds"].iter_rows(min_row=2)]
    assert len(links) == 14
    assert all(
        link.startswith("webcal://example.org/visits/milan-exchange-2026/p/") for link in links
    )
    for link in links:
        assert (
            built["milan-exchange-2026"] / "build" / "public" / "p" / link.rsplit("/", 1)[1]
        ).is_file()


@pytest.mark.slow
def test_imported_formula_text_is_a_text_cell(tmp_path: Path, run: Run) -> None:
    shutil.copy(EXAMPLES / "milan-exchange-2026" / "visit.yaml", tmp_path / "visit.yaml")
    sheet = registrations.injection_csv(tmp_path)
    assert run("participants", "import", sheet, "--visit", tmp_path / "visit.yaml").exit_code == 0
    build(load_visit(tmp_path / "visit.yaml"), tmp_path / "build", force=True)
    workbook = load_workbook(tmp_path / "build" / "private" / "participants.xlsx")
    cells = {c.value: c for row in workbook["Participants"].iter_rows() for c in row}
    evil = cells['=HYPERLINK("http://evil.example","click")']
    assert evil.data_type == "s"
    assert cells["@SUM(A1:A9)"].data_type == "s"
    for name in workbook.sheetnames:
        for row in workbook[name].iter_rows():
            assert all(c.data_type != "f" for c in row), name


def test_parallel_group_sessions_share_a_signature_column() -> None:
    visit = load_visit(EXAMPLES / "milan-exchange-2026" / "visit.yaml").visit
    first = visit.active_sessions()[1]
    twin = first.model_copy(update={"id": "twin", "title": "Other group's visit"})
    columns = attendance_slots(visit, [first, twin], Labels("en"))
    assert len(columns) == 1
    assert columns[0][0] == (
        f"Signature — {first.start:%H:%M}–{first.end:%H:%M} by group: "
        f"{first.title}, Other group's visit"
    )
