"""Inputs nobody designed for, after the visit: damaged answer and attendance files,
odd paths for the form and the report, sheets with a heading row typed twice."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import EXAMPLES, Run

SHAPE = "shape-porto-lousada"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def copy_example(tmp_path: Path, name: str = SHAPE) -> Path:
    target = tmp_path / name
    shutil.copytree(
        EXAMPLES / name, target, ignore=shutil.ignore_patterns("build", ".visitplan-state.json")
    )
    return target


def copy_workbook_example(tmp_path: Path) -> Path:
    target = tmp_path / "workbook"
    shutil.copytree(EXAMPLES / "milan-exchange-2026-workbook", target)
    return target / "visit.xlsx"


def assert_user_error(result: object, *words: str) -> str:
    """Exit 2 with a located message that says what and how, and no traceback."""
    exit_code = getattr(result, "exit_code")  # noqa: B009
    output = getattr(result, "stdout") + getattr(result, "stderr")  # noqa: B009
    assert exit_code == 2, output
    assert "Traceback" not in output
    assert "internal error" not in output
    for word in words:
        assert word in output, output
    return str(output)


# -- the feedback form ----------------------------------------------------------------


def test_form_never_replaces_the_visit_workbook_even_with_force(tmp_path: Path, run: Run) -> None:
    visit = copy_workbook_example(tmp_path)
    before = digest(visit)
    result = run("feedback", "template", visit, "-o", visit, "--force")
    assert_user_error(result, "is the visit file")
    assert digest(visit) == before
    assert openpyxl.load_workbook(visit).sheetnames[0] != "Form"


def test_a_folder_where_the_questions_go_is_refused_with_its_name(
    tmp_path: Path, run: Run
) -> None:
    visit = copy_example(tmp_path) / "visit.yaml"
    (visit.parent / "feedback-questions.txt").mkdir()
    for force in ((), ("--force",)):
        result = run("feedback", "template", visit, *force)
        output = assert_user_error(result, "feedback-questions.txt is a folder")
        assert ".tmp-" not in output
    assert not (visit.parent / "feedback-form.xlsx").exists()


def test_a_form_in_a_folder_that_does_not_exist_names_the_folder(
    tmp_path: Path, run: Run
) -> None:
    visit = copy_example(tmp_path) / "visit.yaml"
    out = tmp_path / "nowhere" / "form.xlsx"
    result = run("feedback", "template", visit, "-o", out)
    output = assert_user_error(result, "does not exist", str(out.parent))
    assert ".tmp-" not in output
    assert not out.parent.exists()
