"""The visit as a workbook: converted both ways without loss, read like visit.yaml,
errors located at their cells.

(tests/test_workbook.py is about the organisers' participants.xlsx, an output.)
"""

from __future__ import annotations

import itertools
import re
import secrets
import shutil
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pydantic import BaseModel

from visitplan.build import build
from visitplan.load import load_visit
from visitplan.model import Visit
from visitplan.workbook.layout import FIELD_ROW, HEADING_ROW, sheets

ROOT = Path(__file__).resolve().parent.parent
ONE_SOURCE = shutil.ignore_patterns("visit.xlsx", "build", ".visitplan-state.json")
EXAMPLES = sorted(p.name for p in (ROOT / "examples").iterdir() if (p / "visit.yaml").is_file())


def leaf_fields(model: type[BaseModel], prefix: str = "") -> set[str]:
    from visitplan.workbook.layout import _nested_model

    found = set()
    for name, info in model.model_fields.items():
        nested = _nested_model(info.annotation)
        if nested is not None:
            found |= leaf_fields(nested, f"{prefix}{name}.")
        else:
            found.add(prefix + name)
    return found


def test_every_field_of_the_model_has_a_column() -> None:
    expected = {
        "visit": leaf_fields(Visit.model_fields["details"].annotation) - {"objectives"},  # type: ignore[arg-type]
    }
    for section in ("hosts", "venues", "groups", "sessions", "participants"):
        model = Visit.model_fields[section].annotation.__args__[0]  # type: ignore[union-attr]
        expected[section] = leaf_fields(model)
    expected["rules"] = leaf_fields(Visit.model_fields["rules"].annotation)  # type: ignore[arg-type]
    from visitplan.model import Objective

    expected["objectives"] = leaf_fields(Objective)
    got = {sheet.section: {c.field for c in sheet.columns} for sheet in sheets()}
    assert got == expected


def convert(run: Any, source: Path, target: Path) -> None:
    result = run("convert", str(source), str(target))
    assert result.exit_code == 0, result.output


def dumped(path: Path) -> dict[str, Any]:
    return load_visit(path).visit.model_dump()


@pytest.mark.slow
@pytest.mark.parametrize("example", EXAMPLES)
def test_yaml_to_workbook_to_yaml_gives_the_same_model(
    run: Any, tmp_path: Path, example: str
) -> None:
    folder = tmp_path / example
    shutil.copytree(ROOT / "examples" / example, folder, ignore=ONE_SOURCE)
    convert(run, folder / "visit.yaml", folder / "visit.xlsx")
    convert(run, folder / "visit.xlsx", folder / "again.yaml")
    original = dumped(folder / "visit.yaml")
    assert dumped(folder / "visit.xlsx") == original
    assert dumped(folder / "again.yaml") == original


def _build(visit_file: Path) -> dict[str, bytes]:
    counter = itertools.count()
    real = secrets.token_urlsafe
    secrets.token_urlsafe = lambda n=None: f"tok{next(counter):020d}"  # type: ignore[assignment]
    try:
        now = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
        result = build(load_visit(visit_file), force=True, now=now)
    finally:
        secrets.token_urlsafe = real
    files = {}
    for path in sorted(result.out.rglob("*")):
        if path.is_file() and path.name != "manifest.json":
            data = path.read_bytes()
            if path.suffix == ".ics":
                data = re.sub(rb"DTSTAMP:[^\r\n]*\r\n", b"", data)
            elif path.suffix in {".docx", ".xlsx"}:
                # The parts, without the zip's and openpyxl's clocks (the time written,
                # which is not the build's).
                with zipfile.ZipFile(path) as archive:
                    data = b"".join(
                        name.encode() + archive.read(name)
                        for name in sorted(archive.namelist())
                        if not (path.suffix == ".xlsx" and name == "docProps/core.xml")
                    )
            files[path.relative_to(result.out).as_posix()] = data
    return files


@pytest.mark.parametrize("example", EXAMPLES)
@pytest.mark.slow
def test_builds_of_the_yaml_and_of_its_workbook_are_the_same(tmp_path: Path, example: str) -> None:
    from visitplan.workbook.convert import convert as run_convert

    from_yaml, from_workbook = tmp_path / "yaml", tmp_path / "workbook"
    shutil.copytree(ROOT / "examples" / example, from_yaml, ignore=ONE_SOURCE)
    shutil.copytree(ROOT / "examples" / example, from_workbook, ignore=ONE_SOURCE)
    (from_workbook / "visit.yaml").rename(from_workbook / "source.yaml")
    run_convert(from_workbook / "source.yaml", from_workbook / "visit.xlsx")
    (from_workbook / "source.yaml").unlink()
    one, other = _build(from_yaml / "visit.yaml"), _build(from_workbook / "visit.xlsx")
    assert sorted(one) == sorted(other)
    different = [name for name in one if one[name] != other[name]]
    assert different == []


@pytest.mark.slow
def test_init_writes_a_workbook_that_checks_clean(run: Any, tmp_path: Path) -> None:
    result = run("init", str(tmp_path / "v"), "--format", "xlsx", "--example", EXAMPLES[0])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "v" / "visit.yaml").exists()
    checked = run("check", str(tmp_path / "v" / "visit.xlsx"))
    assert checked.exit_code == 0, checked.output


def test_headings_are_in_the_visits_language_and_field_names_in_a_hidden_row(
    run: Any, tmp_path: Path
) -> None:
    from visitplan.labels import Labels

    convert(run, ROOT / "examples" / "italy-study-visit-2026" / "visit.yaml", tmp_path / "v.xlsx")
    labels = Labels("pt")
    book = load_workbook(tmp_path / "v.xlsx")
    sessions = book[labels("Sessions")]
    assert sessions.row_dimensions[FIELD_ROW].hidden
    assert sessions.cell(FIELD_ROW, 1).value == "id"
    assert sessions.cell(HEADING_ROW, 1).value == labels("ID")
    fields = [c.value for c in sessions[FIELD_ROW]]
    assert sessions.cell(HEADING_ROW, fields.index("start") + 1).value == labels("Start")
    assert sessions.freeze_panes == "B3"
    assert all(len(title) <= 31 for title in book.sheetnames)


def test_dates_and_times_are_typed_cells_and_choices_have_drop_downs(
    run: Any, tmp_path: Path
) -> None:
    convert(run, ROOT / "examples" / "milan-exchange-2026" / "visit.yaml", tmp_path / "v.xlsx")
    book = load_workbook(tmp_path / "v.xlsx")
    sessions = book["Sessions"]
    fields = [c.value for c in sessions[FIELD_ROW]]
    row = 3
    date_cell = sessions.cell(row, fields.index("date") + 1)
    start_cell = sessions.cell(row, fields.index("start") + 1)
    assert isinstance(date_cell.value, datetime)
    assert start_cell.is_date and start_cell.number_format == "hh:mm"
    formulas = [(str(v.formula1), str(v.sqref)) for v in sessions.data_validations.dataValidation]
    venue_letter = sessions.cell(1, fields.index("venue") + 1).column_letter
    assert any("'Venues'!$A$3:$A$2000" in f and venue_letter in ref for f, ref in formulas)
    kind_letter = sessions.cell(1, fields.index("kind") + 1).column_letter
    assert any("'Lists'" in f and ref.startswith(kind_letter) for f, ref in formulas)
    assert book["Lists"].sheet_state == "hidden"
    width = sessions.column_dimensions[
        sessions.cell(1, fields.index("title") + 1).column_letter
    ].width
    assert width > 20


PLANTED = [
    # sheet, field, value, what the message says
    ("Sessions", "start", "25:99", "is not a time"),
    ("Sessions", "venue", "palazo-marino", "unknown venue"),
    ("Sessions", "kind", "lecture", "is not a valid kind"),
    ("Sessions", "end", "08:00", "not after it starts"),
    ("Sessions", "date", "2026-02-30", "is not a date"),
    ("Hosts", "level", "federal", "is not a valid level"),
    ("Venues", "capacity", "many", "is not a whole number"),  # rows 3 and 4 of Venues
    ("Participants", "email", "not-an-address", "is not an email address"),
    ("Participants", "group", "nobody", "unknown group"),
    ("Venues", "step_free", "perhaps", "is not yes or no"),
]


def test_ten_planted_mistakes_give_ten_located_messages(run: Any, tmp_path: Path) -> None:
    source = ROOT / "examples" / "milan-exchange-2026" / "visit.yaml"
    workbook = tmp_path / "visit.xlsx"
    convert(run, source, workbook)
    book = load_workbook(workbook)
    places = []
    for n, (title, field, value, _) in enumerate(PLANTED):
        sheet = book[title]
        fields = [c.value for c in sheet[FIELD_ROW]]
        # each on its own row: one message per item (Venues has five rows)
        row = 3 + n if title != "Venues" else 3 + n - 6
        cell = sheet.cell(row, fields.index(field) + 1)
        cell.value = value
        places.append(f"visit.xlsx!{title}!{cell.coordinate}")
    book.save(workbook)
    result = run("check", str(workbook), "--format", "json")
    assert result.exit_code == 2
    import json

    findings = json.loads(result.stdout)
    shown = {f"{f['file'].split('/')[-1]}!{f['sheet']}!{_cell(f)}": f["message"] for f in findings}
    for place, (_, _, _, words) in zip(places, PLANTED, strict=True):
        assert place in shown, (place, shown)
        assert words in shown[place]
    assert len(findings) == 10


def _cell(finding: dict[str, Any]) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(finding['column'])}{finding['line']}"


def test_a_located_error_reads_file_sheet_and_cell(run: Any, tmp_path: Path) -> None:
    workbook = tmp_path / "visit.xlsx"
    convert(run, ROOT / "examples" / "milan-exchange-2026" / "visit.yaml", workbook)
    book = load_workbook(workbook)
    sheet = book["Sessions"]
    sheet["D7"] = "9.75"
    book.save(workbook)
    result = run("check", str(workbook))
    assert result.exit_code == 2
    assert f"{workbook}!Sessions!D7:" in result.output


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("8:30", "08:30"),
        ("8.30", "08:30"),
        (8.3, "08:30"),
        (0.3541667, "08:30"),
        ("0.3541667", "08:30"),
        (8, "08:00"),
        ("8h30", "08:30"),
    ],
)
@pytest.mark.slow
def test_times_are_read_as_officers_type_them(
    run: Any, tmp_path: Path, typed: Any, expected: str
) -> None:
    workbook = tmp_path / "visit.xlsx"
    convert(run, ROOT / "examples" / "milan-exchange-2026" / "visit.yaml", workbook)
    book = load_workbook(workbook)
    sheet = book["Sessions"]
    fields = [c.value for c in sheet[FIELD_ROW]]
    sheet.cell(3, fields.index("start") + 1).value = typed
    book.save(workbook)
    visit = load_visit(workbook).visit
    assert f"{visit.sessions[0].start:%H:%M}" == expected


@pytest.mark.parametrize("typed", ["27/01/2026", "27.01.2026", "2026-01-27", datetime(2026, 1, 27)])
@pytest.mark.slow
def test_dates_are_read_as_text_or_as_dates(run: Any, tmp_path: Path, typed: Any) -> None:
    workbook = tmp_path / "visit.xlsx"
    convert(run, ROOT / "examples" / "milan-exchange-2026" / "visit.yaml", workbook)
    book = load_workbook(workbook)
    sheet = book["Sessions"]
    fields = [c.value for c in sheet[FIELD_ROW]]
    sheet.cell(3, fields.index("date") + 1).value = typed
    book.save(workbook)
    assert load_visit(workbook).visit.sessions[0].date.isoformat() == "2026-01-27"


def test_a_formula_without_a_saved_result_is_an_error_at_its_cell(run: Any, tmp_path: Path) -> None:
    workbook = tmp_path / "visit.xlsx"
    convert(run, ROOT / "examples" / "milan-exchange-2026" / "visit.yaml", workbook)
    book = load_workbook(workbook)
    sheet = book["Venues"]
    fields = [c.value for c in sheet[FIELD_ROW]]
    cell = sheet.cell(3, fields.index("capacity") + 1)
    cell.value = "=20+40"  # openpyxl saves no result: as a script-made file would be
    book.save(workbook)
    result = run("check", str(workbook), "--format", "json")
    assert result.exit_code == 2
    import json

    (finding,) = json.loads(result.stdout)
    assert finding["code"] == "VP017"
    assert (finding["sheet"], _cell(finding)) == ("Venues", cell.coordinate)


@pytest.mark.slow
def test_state_and_build_sit_beside_the_workbook(run: Any, tmp_path: Path) -> None:
    workbook = tmp_path / "visit.xlsx"
    convert(run, ROOT / "examples" / "milan-exchange-2026" / "visit.yaml", workbook)
    result = run("build", str(workbook), "-q")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "build" / "public" / "calendar.ics").is_file()
    assert (tmp_path / ".visitplan-state.json").is_file()


@pytest.mark.slow
def test_comments_of_the_yaml_go_to_the_comments_column_and_back(run: Any, tmp_path: Path) -> None:
    source = tmp_path / "visit.yaml"
    text = (ROOT / "examples" / "milan-exchange-2026" / "visit.yaml").read_text()
    source.write_text(
        text.replace("  - id: d1-opening\n", "  - id: d1-opening  # ask for the big hall\n")
    )
    convert(run, source, tmp_path / "visit.xlsx")
    book = load_workbook(tmp_path / "visit.xlsx")
    sheet = book["Sessions"]
    fields = [c.value for c in sheet[FIELD_ROW]]
    ids = [c.value for c in sheet["A"]]
    note = sheet.cell(ids.index("d1-opening") + 1, fields.index("#") + 1).value
    assert "ask for the big hall" in note
    convert(run, tmp_path / "visit.xlsx", tmp_path / "back.yaml")
    assert "# ask for the big hall" in (tmp_path / "back.yaml").read_text()


def test_convert_never_overwrites_without_force(run: Any, tmp_path: Path) -> None:
    target = tmp_path / "visit.xlsx"
    target.write_bytes(b"mine")
    result = run(
        "convert", str(ROOT / "examples" / "milan-exchange-2026" / "visit.yaml"), str(target)
    )
    assert result.exit_code == 2
    assert target.read_bytes() == b"mine"


def test_a_damaged_workbook_is_an_input_error(run: Any, tmp_path: Path) -> None:
    workbook = tmp_path / "visit.xlsx"
    workbook.write_bytes(b"PK\x03\x04 not really a workbook")
    result = run("check", str(workbook))
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def cells(path: Path) -> dict[str, Any]:
    """Every sheet's values, styles, widths and drop-downs (not the file's bytes, which
    hold the time it was written)."""
    book = load_workbook(path)
    return {
        sheet.title: (
            [
                (cell.coordinate, cell.value, cell.number_format, cell.alignment.wrap_text)
                for row in sheet.iter_rows()
                for cell in row
            ],
            {k: v.width for k, v in sheet.column_dimensions.items()},
            {k: v.height for k, v in sheet.row_dimensions.items()},
            sorted((str(v.formula1), str(v.sqref)) for v in sheet.data_validations.dataValidation),
        )
        for sheet in book.worksheets
    }


@pytest.mark.slow
def test_the_shipped_example_workbook_is_its_yaml_converted(run: Any, tmp_path: Path) -> None:
    """After changing the example's visit.yaml or the workbook's layout, run the
    command in examples/milan-exchange-2026-workbook/README.md."""
    shipped = ROOT / "examples" / "milan-exchange-2026-workbook" / "visit.xlsx"
    convert(run, MILAN, tmp_path / "visit.xlsx")
    assert cells(shipped) == cells(tmp_path / "visit.xlsx")


@pytest.fixture
def greek_workbook(run: Any, tmp_path: Path) -> Path:
    """The starter visit, in Greek, as a workbook: sheet names in Greek script."""
    result = run("init", tmp_path / "v", "--language", "el", "--format", "xlsx")
    assert result.exit_code == 0, result.output
    return tmp_path / "v" / "visit.xlsx"


def sessions_sheet(book: Any) -> Any:
    from visitplan.labels import Labels

    return book[Labels("el")("Sessions")]


def check_json(run: Any, workbook: Path) -> tuple[int, list[dict[str, Any]]]:
    import json

    result = run("check", workbook, "--format", "json")
    return result.exit_code, json.loads(result.stdout) if result.stdout.strip() else []


@pytest.mark.slow
def test_a_greek_workbook_checks_clean(run: Any, greek_workbook: Path) -> None:
    assert check_json(run, greek_workbook)[0] == 0


@pytest.mark.slow
def test_a_sheet_that_lost_its_field_names_is_an_error_not_a_silent_loss(
    run: Any, greek_workbook: Path
) -> None:
    book = load_workbook(greek_workbook)
    sessions_sheet(book).delete_rows(FIELD_ROW)
    book.save(greek_workbook)
    code, findings = check_json(run, greek_workbook)
    assert code == 2
    assert [(f["code"], f["sheet"], _cell(f)) for f in findings] == [
        ("VP010", sessions_sheet(book).title, "A1")
    ]


def test_a_workbook_without_its_sessions_sheet_is_refused(run: Any, greek_workbook: Path) -> None:
    book = load_workbook(greek_workbook)
    title = sessions_sheet(book).title
    del book[title]
    book.save(greek_workbook)
    code, findings = check_json(run, greek_workbook)
    assert code == 2
    assert [f["code"] for f in findings] == ["VP003"]
    assert f"'{title}'" in findings[0]["message"] and findings[0]["file"].endswith("visit.xlsx")


@pytest.mark.slow
def test_an_error_value_is_one_message_at_its_cell(run: Any, greek_workbook: Path) -> None:
    book = load_workbook(greek_workbook)
    sessions_sheet(book)["B3"] = "#REF!"
    book.save(greek_workbook)
    code, findings = check_json(run, greek_workbook)
    assert code == 2
    assert [(f["code"], _cell(f)) for f in findings] == [("VP017", "B3")]


@pytest.mark.slow
def test_a_value_in_a_column_of_no_field_is_an_error_at_its_cell(
    run: Any, greek_workbook: Path
) -> None:
    book = load_workbook(greek_workbook)
    sessions_sheet(book)["Z4"] = "bring umbrellas"
    book.save(greek_workbook)
    code, findings = check_json(run, greek_workbook)
    assert (code, [(f["code"], _cell(f)) for f in findings]) == (2, [("VP002", "Z4")])


@pytest.mark.slow
def test_a_copied_block_sheet_is_an_error_not_a_second_programme(
    run: Any, greek_workbook: Path
) -> None:
    book = load_workbook(greek_workbook)
    book.copy_worksheet(sessions_sheet(book))
    book.save(greek_workbook)
    code, findings = check_json(run, greek_workbook)
    assert (code, [f["code"] for f in findings]) == (2, ["VP009"])


@pytest.mark.slow
def test_text_that_looks_like_a_formula_stays_text_both_ways(run: Any, tmp_path: Path) -> None:
    source = tmp_path / "visit.yaml"
    text = MILAN_TEXT.replace(
        "title: Registration and welcome coffee", "title: \"=HYPERLINK('x')\"", 1
    )
    source.write_text(text, encoding="utf-8")
    convert(run, source, tmp_path / "visit.xlsx")
    book = load_workbook(tmp_path / "visit.xlsx")
    cell = book["Sessions"]["B3"]
    assert (cell.value, cell.data_type) == ("=HYPERLINK('x')", "s")
    convert(run, tmp_path / "visit.xlsx", tmp_path / "back.yaml")
    assert load_visit(tmp_path / "back.yaml").visit.sessions[0].title == "=HYPERLINK('x')"


MILAN_TEXT = (ROOT / "examples" / "milan-exchange-2026" / "visit.yaml").read_text(encoding="utf-8")


@pytest.mark.slow
def test_feeds_rotate_and_audit_take_the_workbook(run: Any, tmp_path: Path) -> None:
    workbook = tmp_path / "visit.xlsx"
    convert(run, MILAN, workbook)
    assert run("build", workbook, "-q").exit_code == 0
    state = tmp_path / ".visitplan-state.json"
    before = state.read_bytes()
    rotated = run("feeds", "rotate", "be-fedasil", "--visit", workbook)
    assert rotated.exit_code == 0, rotated.output
    assert state.read_bytes() != before
    assert run("build", workbook, "-q").exit_code == 0
    audited = run("audit", tmp_path / "build", "--visit", workbook)
    assert audited.exit_code == 0, audited.output
    assert run("audit", tmp_path / "build").exit_code == 0  # the manifest names the workbook


MILAN = ROOT / "examples" / "milan-exchange-2026" / "visit.yaml"
