"""The house rules of the code, read from the source: layers, one way to make a finding."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "visitplan"
TESTS = Path(__file__).resolve().parent


@cache
def modules() -> dict[str, ast.Module]:
    return {
        path.relative_to(SRC).as_posix(): ast.parse(path.read_text(encoding="utf-8"))
        for path in sorted(SRC.rglob("*.py"))
    }


def test_findings_are_made_only_through_the_catalogue() -> None:
    """Severity and default hint come from the catalogue: no module builds a Finding or
    an InputError's finding by hand."""
    by_hand = []
    for name, tree in modules().items():
        if name == "findings.py":
            continue
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "Finding"
            ):
                by_hand.append(f"{name}:{node.lineno}")
    assert by_hand == []


# -- layers ----------------------------------------------------------------------------------


def module_name(path: str) -> str:
    name = "visitplan." + path.removesuffix(".py").replace("/", ".")
    return name.removesuffix(".__init__")


def imported(tree: ast.Module) -> set[str]:
    """Every visitplan module a module imports, at its top or inside functions."""
    known = {module_name(path) for path in modules()}
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("visitplan")}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("visitplan"):
            module = str(node.module)
            found.add(module)
            found |= {f"{module}.{a.name}" for a in node.names} & known
    return found


def is_exporter(name: str) -> bool:
    """An output's module (not the registry, not a shared private helper)."""
    parent, _, leaf = name.rpartition(".")
    return parent == "visitplan.exporters" and not leaf.startswith("_")


def test_exporters_import_no_other_exporter_and_not_the_state_file() -> None:
    """An exporter reads the visit and the publication; editing one output's wording
    never changes another output."""
    wrong = []
    for path, tree in modules().items():
        name = module_name(path)
        if not is_exporter(name):
            continue
        for other in imported(tree):
            if other.startswith("visitplan.state") or (is_exporter(other) and other != name):
                wrong.append(f"{name} imports {other}")
    assert wrong == []


# Each module family, and the families it may import (besides the ones below it).
LAYERS: dict[str, set[str]] = {
    "visitplan.cli": set(),  # nothing imports the command line
    "visitplan.build": {"visitplan.cli"},
    "visitplan.exporters": {"visitplan.cli", "visitplan.build", "visitplan.checks"},
    "visitplan.checks": {"visitplan.cli", "visitplan.build", "visitplan.exporters"},
    "visitplan.participants": {"visitplan.cli", "visitplan.build", "visitplan.exporters"},
    "visitplan.publication": {
        "visitplan.cli",
        "visitplan.build",
        "visitplan.exporters",
        "visitplan.checks",
        "visitplan.state",
        "visitplan.participants",
        "visitplan.audit",
    },
    "visitplan.model": {
        "visitplan.cli",
        "visitplan.build",
        "visitplan.exporters",
        "visitplan.checks",
        "visitplan.state",
        "visitplan.participants",
        "visitplan.publication",
        "visitplan.load",
        "visitplan.timeline",
        "visitplan.audit",
    },
}


def test_imports_point_one_way() -> None:
    graph = {module_name(path): imported(tree) for path, tree in modules().items()}
    wrong = []
    for name, targets in graph.items():
        for family, forbidden in LAYERS.items():
            if name != family and not name.startswith(family + "."):
                continue
            for target in targets:
                if any(target == f or target.startswith(f + ".") for f in forbidden):
                    wrong.append(f"{name} imports {target}")
        if name != "visitplan.__main__" and "visitplan.cli" in targets:
            wrong.append(f"{name} imports visitplan.cli")
    assert wrong == []


# -- one source of truth for "when" -------------------------------------------------------------

# Between the loaded model (aware datetimes) and the calendar files nothing turns a
# time into text and back: the publication layer and the feeds exporter hold datetimes.
PATH_TO_ICS = (
    "publication.py",
    "timeline.py",
    "exporters/__init__.py",
    "exporters/calendars_ics.py",
)


def test_no_iso_text_on_the_way_from_the_model_to_the_calendars() -> None:
    found = []
    for path in PATH_TO_ICS:
        tree = modules()[path]
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ("isoformat", "fromisoformat"):
                found.append(f"{path}:{node.lineno} {node.attr}")
    assert found == []


def test_publishing_and_writing_the_feeds_never_format_or_parse_iso_text(tmp_path: Path) -> None:
    """Watched while it runs: from the loaded visit to the written .ics files, no
    datetime becomes ISO text or is read back from it."""
    import sys
    from datetime import UTC, datetime
    from types import FrameType
    from typing import Any

    from conftest import EXAMPLES
    from visitplan.exporters import BuildContext, exporter
    from visitplan.labels import Labels
    from visitplan.load import load_visit
    from visitplan.publication import Record, publish

    loaded = load_visit(EXAMPLES / "milan-exchange-2026" / "visit.yaml")
    visit = loaded.visit
    feeds = exporter("ics")
    now = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    tokens = {p.id: f"token{n:019d}" for n, p in enumerate(visit.participants)}
    calls: list[str] = []

    def watch(frame: FrameType, event: str, arg: Any) -> None:
        if event == "c_call" and getattr(arg, "__name__", "") in ("isoformat", "fromisoformat"):
            calls.append(f"{frame.f_code.co_filename}:{frame.f_lineno}")

    sys.setprofile(watch)
    try:
        first = publish(visit, Record(), tokens, now, Labels("en"))
        again = publish(
            visit, first.record, tokens, now, Labels("en")
        )  # a second build, from the record
        context = BuildContext(tmp_path, loaded.path, now, again, Labels("en"))
        written = feeds.render(visit, context)
    finally:
        sys.setprofile(None)
    assert any(p.suffix == ".ics" for p in written)
    assert calls == []


# -- a thin command line -----------------------------------------------------------------------

FILE_CALLS = {
    "open",
    "read_text",
    "write_text",
    "read_bytes",
    "write_bytes",
    "exists",
    "is_file",
    "is_dir",
    "iterdir",
    "glob",
    "rglob",
    "mkdir",
    "unlink",
    "rename",
    "replace",
    "rmtree",
    "stat",
    "load",
    "dump",
}


def test_the_cli_does_no_file_work_of_its_own() -> None:
    """Commands parse options, call the library and print: reading and writing files
    is the library's (printing to the terminal is the CLI's)."""
    found = []
    for node in ast.walk(modules()["cli.py"]):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in FILE_CALLS:
                found.append(f"cli.py:{node.lineno} {name}()")
    assert found == []


def _is_slow_mark(node: ast.expr) -> bool:
    """``pytest.mark.slow``, or ``given(...)``: every property test is a slow test."""
    if isinstance(node, ast.Call):
        node = node.func
        if isinstance(node, ast.Name) and node.id == "given":
            return True
    return isinstance(node, ast.Attribute) and node.attr == "slow"


def test_modules_left_out_of_the_default_run_hold_only_slow_tests() -> None:
    from conftest import SLOW_MODULES

    for name in sorted(SLOW_MODULES):
        tree = ast.parse((TESTS / name).read_text(encoding="utf-8"))
        marked = [
            mark
            for node in tree.body
            if isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets)
            for mark in (node.value.elts if isinstance(node.value, ast.List) else [node.value])
        ]
        if any(_is_slow_mark(mark) for mark in marked):
            continue
        tests = [
            node
            for node in tree.body
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and node.name.startswith("test")
        ]
        assert tests, name
        for test in tests:
            assert any(_is_slow_mark(d) for d in test.decorator_list), f"{name}::{test.name}"
