"""Inputs nobody designed for, after the visit: damaged answer and attendance files,
odd paths for the form and the report, sheets with a heading row typed twice."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import openpyxl
import pytest

from conftest import EXAMPLES, Run

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


def test_a_folder_where_the_questions_go_is_refused_with_its_name(tmp_path: Path, run: Run) -> None:
    visit = copy_example(tmp_path) / "visit.yaml"
    (visit.parent / "feedback-questions.txt").mkdir()
    for force in ((), ("--force",)):
        result = run("feedback", "template", visit, *force)
        output = assert_user_error(result, "feedback-questions.txt is a folder")
        assert ".tmp-" not in output
    assert not (visit.parent / "feedback-form.xlsx").exists()


def test_a_form_in_a_folder_that_does_not_exist_names_the_folder(tmp_path: Path, run: Run) -> None:
    visit = copy_example(tmp_path) / "visit.yaml"
    out = tmp_path / "nowhere" / "form.xlsx"
    result = run("feedback", "template", visit, "-o", out)
    output = assert_user_error(result, "does not exist", str(out.parent))
    assert ".tmp-" not in output
    assert not out.parent.exists()


# -- importing the answers ------------------------------------------------------------


def responses_with_headings_twice(folder: Path) -> Path:
    lines = (folder / "feedback-responses.csv").read_text(encoding="utf-8").splitlines()
    sheet = folder / "two-headings.csv"
    sheet.write_text("\n".join([lines[0], lines[0], *lines[1:]]) + "\n", encoding="utf-8")
    return sheet


@pytest.mark.parametrize("target", ["visit.yaml", "responses", "feedback.yaml", "README.md"])
def test_the_report_never_replaces_a_file_visitplan_did_not_write(
    tmp_path: Path, run: Run, target: str
) -> None:
    folder = copy_example(tmp_path)
    sheet = responses_with_headings_twice(folder)
    report = sheet if target == "responses" else folder / target
    kept = {p: digest(p) for p in folder.iterdir() if p.is_file()}
    result = run("feedback", "import", sheet, "--visit", folder / "visit.yaml", "--report", report)
    assert_user_error(result, "--report", "problems.csv")
    assert {p: digest(p) for p in kept} == kept


def test_the_report_replaces_the_report_it_wrote_before(tmp_path: Path, run: Run) -> None:
    folder = copy_example(tmp_path)
    sheet = responses_with_headings_twice(folder)
    visit, report = folder / "visit.yaml", folder / "problems.csv"
    for _ in range(2):
        result = run("feedback", "import", sheet, "--visit", visit, "--report", report)
        assert result.exit_code == 1, result.stderr
    import csv

    with report.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert [(r["row"], r["code"]) for r in rows] == [("2", "VP506")]
    assert "headings" in rows[0]["problem"]


def test_a_heading_row_typed_twice_is_no_response(tmp_path: Path, run: Run) -> None:
    import yaml

    folder = copy_example(tmp_path)
    sheet = responses_with_headings_twice(folder)
    result = run("feedback", "import", sheet, "--visit", folder / "visit.yaml")
    assert result.exit_code == 1, result.stderr
    assert "1 rejected" in result.stderr
    assert "two-headings.csv!2: row 2 repeats the column headings" in result.stderr
    stored = yaml.safe_load((folder / "feedback.yaml").read_text(encoding="utf-8"))
    original = (folder / "feedback-responses.csv").read_text(encoding="utf-8").splitlines()
    assert len(stored["responses"]) == len(original) - 1
    texts = [str(v) for response in stored["responses"] for v in response.values()]
    assert not any("[keep]" in text or "[comments]" in text for text in texts)


# -- what lies beside the visit -------------------------------------------------------


def _folder(path: Path) -> None:
    path.mkdir()


def _dangling(path: Path) -> None:
    path.symlink_to(path.with_name("nowhere.yaml"))


def _loop(path: Path) -> None:
    path.symlink_to(path.name)


@pytest.mark.parametrize("name", ["feedback.yaml", "attendance.yaml"])
@pytest.mark.parametrize(
    ("make", "says"),
    [(_folder, "is a folder"), (_dangling, "nowhere.yaml, which does not exist"), (_loop, "")],
)
@pytest.mark.slow
def test_something_not_a_file_beside_the_visit_stops_the_build(
    tmp_path: Path, run: Run, name: str, make: object, says: str
) -> None:
    folder = copy_example(tmp_path)
    (folder / name).unlink(missing_ok=True)
    make(folder / name)  # type: ignore[operator]
    result = run("build", folder / "visit.yaml", "-q")
    assert_user_error(result, f"{name}: error VP010", says, "move it away")
    assert not (folder / "build").exists()


def test_feedback_import_over_a_folder_says_so(tmp_path: Path, run: Run) -> None:
    folder = copy_example(tmp_path)
    (folder / "feedback.yaml").unlink()
    (folder / "feedback.yaml").mkdir()
    result = run(
        "feedback", "import", folder / "feedback-responses.csv", "--visit", folder / "visit.yaml"
    )
    output = assert_user_error(result, "feedback.yaml is a folder", "rename it or move it away")
    assert "disk" not in output


@pytest.mark.slow
def test_a_hand_edited_answer_of_the_wrong_type_is_shown_as_written(
    tmp_path: Path, run: Run
) -> None:
    folder = copy_example(tmp_path)
    (folder / "feedback.yaml").write_text(
        "visit: shape-porto-lousada\n"
        "responses:\n"
        "- useful.d1-welcome: 4.5\n"
        "  interpretation: [1, 2]\n"
        "  keep: {a: 1}\n",
        encoding="utf-8",
    )
    result = run("build", folder / "visit.yaml", "-q")
    output = assert_user_error(
        result,
        "feedback.yaml:3:3",
        "'useful.d1-welcome: 4.5'",
        "whole number from 1 to 5",
        "feedback.yaml:4:3",
        "'interpretation: a list'",
        "feedback.yaml:5:3",
        "'keep: a mapping'",
    )
    assert "Node" not in output


@pytest.mark.parametrize("command", ["feedback", "attendance"])
def test_a_csv_saved_under_an_xlsx_name_says_to_rename_it(
    tmp_path: Path, run: Run, command: str
) -> None:
    folder = copy_example(tmp_path)
    fake = folder / "responses.xlsx"
    fake.write_bytes((folder / "feedback-responses.csv").read_bytes())
    result = run(command, "import", fake, "--visit", folder / "visit.yaml")
    assert_user_error(result, "responses.xlsx", "is text", "rename it to responses.csv")


@pytest.mark.parametrize("command", ["feedback", "attendance"])
def test_a_folder_given_as_the_sheet_is_called_a_folder(
    tmp_path: Path, run: Run, command: str
) -> None:
    folder = copy_example(tmp_path)
    result = run(command, "import", folder, "--visit", folder / "visit.yaml")
    output = assert_user_error(result, "is a folder")
    assert "does not exist" not in output


# 25 times the answers of the largest visits: a document of every open answer, in
# bounded time (it was quadratic in the number of paragraphs).
RESPONSES = 5_000


@pytest.mark.slow
def test_five_thousand_responses_import_and_build_in_bounded_time(tmp_path: Path, run: Run) -> None:
    import csv
    import time

    import docx

    folder = copy_example(tmp_path)
    with (folder / "feedback-responses.csv").open(encoding="utf-8", newline="") as stream:
        heading, *answers = list(csv.reader(stream))
    sheet = folder / "many.csv"
    with sheet.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(heading)
        for n in range(RESPONSES):
            row = list(answers[n % len(answers)])
            row[0], row[-1] = f"2023/05/18 {n}", f"comment {n}"
            writer.writerow(row)
    started = time.monotonic()
    result = run("feedback", "import", sheet, "--visit", folder / "visit.yaml")
    imported = time.monotonic() - started
    assert result.exit_code == 0, result.stderr
    assert f"{RESPONSES} rows read: {RESPONSES} imported" in result.stderr
    assert f"{RESPONSES} responses for the 23 participants" in result.stderr
    started = time.monotonic()
    result = run("build", folder / "visit.yaml", "-q")
    built = time.monotonic() - started
    assert result.exit_code == 0, result.stderr
    text = "\n".join(
        p.text for p in docx.Document(str(folder / "build/private/evaluation.docx")).paragraphs
    )
    assert f"comment {RESPONSES - 1}" in text
    assert imported < 240 and built < 240, (imported, built)
