"""The participants package and its commands: the command line only parses and prints,
the library does the work and returns typed results, and a row's steps stand alone."""

from __future__ import annotations

import ast
import json
import shutil
import typing
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Run
from data import registrations
from visitplan.load import load_visit
from visitplan.participants import importing, outcome, visit_file
from visitplan.participants.columns import map_columns
from visitplan.participants.importing import Cells, Context, normalise_fields, validate_row
from visitplan.participants.outcome import ImportOptions, import_sheet
from visitplan.participants.read import Cell
from visitplan.participants.visit_file import merge_into_visit_file

CLI = Path(__file__).resolve().parent.parent / "src" / "visitplan" / "cli.py"

# Calls that read or write files, or write YAML, JSON or CSV: library work.
FILE_METHODS = frozenset(
    {
        "open",
        "read_text",
        "write_text",
        "read_bytes",
        "write_bytes",
        "unlink",
        "mkdir",
        "rename",
        "touch",
        "dump",
        "dump_all",
        "safe_dump",
    }
)
FILE_FUNCTIONS = frozenset({"open", "YAML", "write_atomically", "replace_file", "load_text"})
FILE_MODULES = ("ruamel", "yaml", "csv", "difflib", "shutil", "tempfile")


def _cli_functions() -> dict[str, ast.FunctionDef]:
    tree = ast.parse(CLI.read_text(encoding="utf-8"))
    return {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}


def _is_participants_command(function: ast.FunctionDef) -> bool:
    return any(
        isinstance(d, ast.Call)
        and isinstance(d.func, ast.Attribute)
        and isinstance(d.func.value, ast.Name)
        and d.func.value.id == "participants_app"
        for d in function.decorator_list
    )


def _participants_functions() -> dict[str, ast.FunctionDef]:
    """The participants commands and every function of cli.py they call, however deep."""
    functions = _cli_functions()
    return _reached(functions, {n for n, f in functions.items() if _is_participants_command(f)})


def _reached(functions: dict[str, ast.FunctionDef], names: set[str]) -> dict[str, ast.FunctionDef]:
    found = {n: functions[n] for n in names}
    todo = list(found.values())
    while todo:
        for node in ast.walk(todo.pop()):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                name = node.func.id
                if name in functions and name not in found:
                    found[name] = functions[name]
                    todo.append(functions[name])
    return found


def test_the_participants_commands_are_found() -> None:
    names = set(_participants_functions())
    assert {"participants_import", "participants_template", "_print_import_summary"} <= names


def test_participants_commands_do_no_file_io_of_their_own() -> None:
    """Reading the sheet, writing the report and merging into visit.yaml are library
    work; the commands and their helpers only parse options and print."""
    found = []
    for name, function in _participants_functions().items():
        for node in ast.walk(function):
            if isinstance(node, ast.Call):
                called = node.func
                if isinstance(called, ast.Attribute) and called.attr in FILE_METHODS:
                    found.append(f"{name}:{node.lineno} .{called.attr}(")
                if isinstance(called, ast.Name) and called.id in FILE_FUNCTIONS:
                    found.append(f"{name}:{node.lineno} {called.id}(")
            if isinstance(node, ast.Import | ast.ImportFrom):
                modules = (
                    [node.module or ""]
                    if isinstance(node, ast.ImportFrom)
                    else [a.name for a in node.names]
                )
                for module in modules:
                    if module.split(".")[0] in FILE_MODULES:
                        found.append(f"{name}:{node.lineno} import {module}")
    assert found == []


def test_participants_import_reaches_the_library_through_one_call() -> None:
    """One call returns everything the command prints: the command imports nothing that
    reads rows or merges them, only the call and the writers of its printed formats."""
    command = _cli_functions()["participants_import"]
    imported = {
        (node.module, alias.name)
        for node in ast.walk(command)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("visitplan.part")
        for alias in node.names
    }
    library_calls = {name for module, name in imported if module != "visitplan.participants.report"}
    assert library_calls == {"ImportOptions", "import_sheet"}


def test_participants_helpers_of_the_cli_are_not_typed_any() -> None:
    """The helpers only the participants commands use (the CLI's shared printing helpers
    are not theirs to change)."""
    functions = _cli_functions()
    others = {
        n
        for n, f in functions.items()
        if f.decorator_list and not _is_participants_command(f) and not n.startswith("_")
    }
    shared = _reached(functions, others)
    own = {n: f for n, f in _participants_functions().items() if n not in shared}
    assert "_print_import_summary" in own
    loose = []
    for name, function in own.items():
        annotations = [a.annotation for a in function.args.args if a.annotation is not None]
        if function.returns is not None:
            annotations.append(function.returns)
        for annotation in annotations:
            if any(isinstance(n, ast.Name) and n.id == "Any" for n in ast.walk(annotation)):
                loose.append(name)
    assert loose == []


RESULT_TYPES = [
    importing.ImportResult,
    importing.Imported,
    importing.Rejected,
    importing.Merged,
    importing.CellWarning,
    importing.RowFields,
    importing.ImportAccount,
    visit_file.Merge,
    visit_file.MergeOutcome,
    outcome.ImportOptions,
    outcome.ImportOutcome,
    outcome.OutcomeAccount,
]
RESULT_FUNCTIONS: list[Callable[..., object]] = [
    importing.import_participants,
    importing.normalise_fields,
    visit_file.merge_participants,
    visit_file.merge_into_visit_file,
    visit_file.read_imported,
    outcome.import_sheet,
]


def _mentions_any(hint: object) -> bool:
    if hint is typing.Any:
        return True
    return any(_mentions_any(arg) for arg in typing.get_args(hint))


@pytest.mark.parametrize("kind", RESULT_TYPES, ids=lambda k: k.__name__)
def test_import_result_types_carry_no_any(kind: type) -> None:
    hints = typing.get_type_hints(kind)
    assert hints
    assert [name for name, hint in hints.items() if _mentions_any(hint)] == []


@pytest.mark.parametrize("function", RESULT_FUNCTIONS, ids=lambda f: f.__name__)
def test_import_functions_take_and_return_no_any(function: Callable[..., object]) -> None:
    hints = typing.get_type_hints(function)
    assert "return" in hints
    assert [name for name, hint in hints.items() if _mentions_any(hint)] == []


# -- the library call and the command agree ----------------------------------------------


def _milan_copy(folder: Path, examples: Path) -> Path:
    shutil.copytree(examples / "milan-exchange-2026", folder)
    return folder / "visit.yaml"


def test_command_prints_the_account_the_library_call_returns(tmp_path: Path, run: Run) -> None:
    from conftest import EXAMPLES

    sheet = registrations.google_forms_csv(tmp_path)
    by_command = _milan_copy(tmp_path / "command", EXAMPLES)
    by_library = _milan_copy(tmp_path / "library", EXAMPLES)

    printed = run("participants", "import", sheet, "--visit", by_command, "-f", "json")
    returned = import_sheet(
        sheet, ImportOptions(), visit=load_visit(by_library).visit, visit_file=by_library
    )

    assert printed.exit_code == 0, printed.stderr
    assert json.loads(printed.stdout) == json.loads(json.dumps(returned.account()))
    assert by_command.read_bytes() == by_library.read_bytes()


def test_dry_run_returns_the_diff_and_writes_nothing(tmp_path: Path) -> None:
    from conftest import EXAMPLES

    sheet = registrations.google_forms_csv(tmp_path)
    visit = _milan_copy(tmp_path / "visit", EXAMPLES)
    before = visit.read_bytes()
    result = importing.import_participants(sheet, visit=load_visit(visit).visit)

    merge = merge_into_visit_file(visit, result, dry_run=True)

    assert merge.changed and merge.added == len(result.taken) and merge.backup is None
    added = [line for line in merge.diff if line.startswith("+") and "name:" in line]
    assert len(added) == len(result.taken)
    assert visit.read_bytes() == before
    assert sorted(p.name for p in visit.parent.iterdir()) == ["README.md", "visit.yaml"]


def test_a_merge_the_visit_refuses_is_returned_and_not_written(tmp_path: Path) -> None:
    """A participant whose group the visit does not have makes the merged file invalid:
    the outcome carries the findings and the file keeps its bytes."""
    from conftest import EXAMPLES

    visit = _milan_copy(tmp_path / "visit", EXAMPLES)
    before = visit.read_bytes()
    sheet = tmp_path / "groups.csv"
    sheet.write_text("Name,Email,Group\nAna Ferreira,ana@example.org,nowhere\n", "utf-8")
    # Without the visit, the group is taken as written; the visit file refuses it.
    result = importing.import_participants(sheet)

    merge = merge_into_visit_file(visit, result, dry_run=False)

    assert merge.problems and merge.backup is None
    assert any("nowhere" in f.message for f in merge.problems)
    assert visit.read_bytes() == before


# -- a row's steps, each alone ----------------------------------------------------------


def _row(headings: list[str], values: list[Cell]) -> tuple[Cells, Context]:
    header = map_columns(1, headings, {})
    return Cells(values, header), Context(header=header, orders={})


def test_a_row_is_read_into_typed_fields_and_its_dates() -> None:
    cells, context = _row(
        ["Name", "Country", "Arrival", "Departure", "Languages", "Migrant"],
        [
            "  maria   KONSTANTINOU ",
            "Ελλάδα",
            "26/01/2026 18:30",
            "30/01/2026",
            "Greek, English",
            "Yes",
        ],
    )

    read = normalise_fields(2, cells, context)

    assert read.warnings == []
    assert read.fields["country"] == "GR"
    assert read.fields["arrival"] == "2026-01-26 18:30"
    assert read.fields["departure"] == "2026-01-30"
    assert read.fields["languages"] == ["el", "en"]
    assert read.fields["migrant"] is True
    assert set(read.moments) == {"arrival", "departure"} and read.stamp is None


def test_a_cell_that_cannot_be_read_is_left_out_with_its_column() -> None:
    cells, context = _row(["Name", "Email", "Migrant"], ["Ana", "not an address", "perhaps"])

    read = normalise_fields(7, cells, context)

    assert "email" not in read.fields and "migrant" not in read.fields
    assert [(w.row, w.column, w.dropped) for w in read.warnings] == [
        (7, "B", True),
        (7, "C", True),
    ]


def test_a_departure_before_the_arrival_is_refused_by_the_row_check() -> None:
    cells, context = _row(["Name", "Arrival", "Departure"], ["Ana", "30/01/2026", "26/01/2026"])
    read = normalise_fields(3, cells, context)

    with pytest.raises(Exception, match="before arrival"):
        validate_row(read.moments)


# -- paths the library cannot write ------------------------------------------------------


def test_a_report_that_cannot_be_written_is_a_located_error_and_imports_nothing(
    tmp_path: Path, run: Run
) -> None:
    from conftest import EXAMPLES

    sheet = registrations.google_forms_csv(tmp_path)
    visit = _milan_copy(tmp_path / "visit", EXAMPLES)
    before = visit.read_bytes()
    report = tmp_path / "no such folder" / "rejected.csv"

    result = run("participants", "import", sheet, "--visit", visit, "--report", report)

    assert result.exit_code == 2
    assert "VP010" in result.stderr and report.name in result.stderr
    assert "Traceback" not in result.stderr
    assert visit.read_bytes() == before
    assert not report.parent.exists()


def test_a_template_that_cannot_be_written_is_a_located_error(tmp_path: Path, run: Run) -> None:
    out = tmp_path / "no such folder" / "registrations.xlsx"

    result = run("participants", "template", "-o", out)

    assert result.exit_code == 2
    assert "VP010" in result.stderr and out.name in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.parent.exists()
