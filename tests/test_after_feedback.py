"""The feedback form and the import of its answers, as an organiser uses them: the CLI
run in a folder, the files it writes read back with openpyxl and PyYAML."""

from __future__ import annotations

import csv
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import Workbook, load_workbook

from conftest import EXAMPLES, Run
from visitplan.feedback.form import titled
from visitplan.feedback.questions import LOAD_WORDS, Question, QuestionKind, questions
from visitplan.labels import Labels
from visitplan.load import load_visit
from visitplan.model import Visit

SHAPE = EXAMPLES / "shape-porto-lousada"


@pytest.fixture
def shape(tmp_path: Path) -> Path:
    """A copy of the SHAPE example without its answers: the path of its visit.yaml."""
    folder = tmp_path / "shape"
    shutil.copytree(SHAPE, folder, ignore=shutil.ignore_patterns("build", ".visitplan-state.json"))
    (folder / "feedback.yaml").unlink()
    return folder / "visit.yaml"


def visit_of(visit_file: Path) -> Visit:
    return load_visit(visit_file).visit


def asked(visit_file: Path) -> tuple[list[Question], Labels]:
    visit = visit_of(visit_file)
    return questions(visit), Labels(visit.details.language)


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as stream:
        csv.writer(stream).writerows(rows)
    return path


def answers_of(visit_file: Path, name: str = "feedback.yaml") -> list[dict[str, Any]]:
    loaded = yaml.safe_load((visit_file.parent / name).read_text(encoding="utf-8"))
    responses: list[dict[str, Any]] = loaded["responses"]
    return responses


def google_sheet(visit_file: Path, answers: list[dict[str, str]]) -> list[list[str]]:
    """A Google Forms export: Timestamp, Email Address, then one column per question
    titled as the template writes it; ``answers`` by question id."""
    found, labels = asked(visit_file)
    rows = [["Timestamp", "Email Address", *(titled(q, labels) for q in found)]]
    for n, given in enumerate(answers, start=1):
        rows.append(
            [
                given.get("Timestamp", f"2023/05/18 0{n % 10}:00:00 PM GMT+1"),
                given.get("Email", f"person{n}@example.org"),
                *(given.get(q.id, "") for q in found),
            ]
        )
    return rows


FULL = {
    "useful.d1-cnaim": "5",
    "useful.d1-jrs": "4",
    "load.2023-05-15": "Too heavy",
    "free-time": "No",
    "keep": "The site visits.",
}


# -- the template ---------------------------------------------------------------------


def test_template_workbook_lists_the_visits_questions_with_their_ids(run: Run, shape: Path) -> None:
    result = run("feedback", "template", shape)
    assert result.exit_code == 0, result.output
    found, labels = asked(shape)
    workbook = load_workbook(shape.parent / "feedback-form.xlsx")
    form = workbook.worksheets[0]
    rows = [r for r in form.iter_rows(min_row=5, values_only=True) if isinstance(r[0], int)]
    assert [r[1] for r in rows] == [q.text(labels) for q in found]
    assert [r[3] for r in rows] == [q.id for q in found]
    assert [r[0] for r in rows] == list(range(1, len(found) + 1))
    load_row = next(r for r in rows if r[3] == "load.2023-05-15")
    assert all(labels(word) in load_row[2] for word in LOAD_WORDS.values())


def test_template_responses_sheet_has_the_titles_and_checks_answers(run: Run, shape: Path) -> None:
    run("feedback", "template", shape)
    found, labels = asked(shape)
    workbook = load_workbook(shape.parent / "feedback-form.xlsx")
    responses = workbook["Responses"]
    headings = [c.value for c in responses[1]]
    assert headings == [titled(q, labels) for q in found]
    ranges = {
        str(cell_range).split(":")[0][:-1]: validation
        for validation in responses.data_validations.dataValidation
        for cell_range in validation.sqref.ranges
    }
    for column, question in enumerate(found, start=1):
        letter = responses.cell(row=1, column=column).column_letter
        if question.kind is QuestionKind.TEXT:
            assert letter not in ranges
            continue
        validation = ranges[letter]
        if question.kind is QuestionKind.RATING:
            assert (validation.type, validation.formula1, validation.formula2) == (
                "whole",
                "1",
                "5",
            )
        else:
            assert validation.type == "list"
            lists = workbook[validation.formula1.split("!")[0].strip("='")]
            words = [c.value for c in lists[validation.formula1.split("!")[1][1]] if c.value]
            expected = (
                [labels(LOAD_WORDS[k]) for k in ("light", "right", "heavy")]
                if question.kind is QuestionKind.LOAD
                else [labels("Yes"), labels("No")]
            )
            assert words == expected


def test_template_text_lists_each_question_with_its_type_and_choices(run: Run, shape: Path) -> None:
    run("feedback", "template", shape)
    found, labels = asked(shape)
    lines = (shape.parent / "feedback-questions.txt").read_text(encoding="utf-8").splitlines()
    for question in found:
        at = lines.index(titled(question, labels))
        kind = lines[at + 1].strip()
        if question.kind is QuestionKind.RATING:
            assert kind.startswith("Linear scale from 1 to 5")
        elif question.kind is QuestionKind.LOAD:
            assert kind.startswith("Multiple choice")
            assert [x.strip() for x in lines[at + 2 : at + 5]] == [
                "Too light",
                "About right",
                "Too heavy",
            ]
        elif question.kind is QuestionKind.YES_NO:
            assert [x.strip() for x in lines[at + 2 : at + 4]] == ["Yes", "No"]
        else:
            assert kind.startswith("Paragraph")


def test_template_with_out_names_the_text_file_after_it(run: Run, shape: Path) -> None:
    out = shape.parent / "forms" / "shape.xlsx"
    out.parent.mkdir()
    assert run("feedback", "template", shape, "-o", out).exit_code == 0
    assert out.is_file() and (out.parent / "shape.txt").is_file()


def test_template_refuses_a_file_it_did_not_write_unless_forced(run: Run, shape: Path) -> None:
    mine = shape.parent / "feedback-questions.txt"
    mine.write_text("my own notes\n", encoding="utf-8")
    refused = run("feedback", "template", shape)
    assert refused.exit_code == 2
    assert "VP508" in refused.stderr and "--force" in refused.stderr
    assert mine.read_text(encoding="utf-8") == "my own notes\n"
    assert not (shape.parent / "feedback-form.xlsx").exists()
    assert run("feedback", "template", shape, "--force").exit_code == 0
    assert "Too heavy" in mine.read_text(encoding="utf-8")


def test_template_replaces_the_form_it_wrote(run: Run, shape: Path) -> None:
    assert run("feedback", "template", shape).exit_code == 0
    again = run("feedback", "template", shape)
    assert again.exit_code == 0, again.output


def test_template_refuses_a_link_and_a_name_that_is_not_a_workbook(
    run: Run, shape: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere.xlsx"
    elsewhere.write_bytes(b"not mine")
    (shape.parent / "feedback-form.xlsx").symlink_to(elsewhere)
    assert run("feedback", "template", shape).exit_code == 2
    assert elsewhere.read_bytes() == b"not mine"
    wrong = run("feedback", "template", shape, "-o", shape.parent / "form.docx")
    assert wrong.exit_code == 2 and ".xlsx" in wrong.stderr


def test_template_of_the_revised_visit_has_its_own_files(run: Run, shape: Path) -> None:
    assert run("feedback", "template", shape.parent / "visit-revised.yaml").exit_code == 0
    assert (shape.parent / "visit-revised.feedback-form.xlsx").is_file()
    assert (shape.parent / "visit-revised.feedback-questions.txt").is_file()
    assert not (shape.parent / "feedback-form.xlsx").exists()


def test_greek_template_asks_in_greek(run: Run, tmp_path: Path) -> None:
    folder = tmp_path / "el"
    assert (
        run("init", folder, "--example", "shape-porto-lousada", "--language", "el").exit_code == 0
    )
    visit_file = folder / "visit.yaml"
    assert run("feedback", "template", visit_file).exit_code == 0
    found, labels = asked(visit_file)
    workbook = load_workbook(folder / "feedback-form.xlsx")
    headings = [c.value for c in workbook.worksheets[1][1]]
    assert headings == [titled(q, labels) for q in found]
    assert re.search("[α-ω]", headings[0])
    assert workbook.worksheets[1].title == labels("Responses")


# -- the import ----------------------------------------------------------------------


def test_google_forms_csv_imports_every_answer(run: Run, shape: Path) -> None:
    rows = google_sheet(shape, [FULL, {**FULL, "useful.d1-cnaim": "3", "free-time": "Yes"}])
    sheet = write_csv(shape.parent / "responses.csv", rows)
    result = run("feedback", "import", sheet, "--visit", shape)
    assert result.exit_code == 0, result.output
    assert answers_of(shape) == [
        {
            "useful.d1-cnaim": 5,
            "useful.d1-jrs": 4,
            "load.2023-05-15": "heavy",
            "free-time": False,
            "keep": "The site visits.",
        },
        {
            "useful.d1-cnaim": 3,
            "useful.d1-jrs": 4,
            "load.2023-05-15": "heavy",
            "free-time": True,
            "keep": "The site visits.",
        },
    ]
    assert "2 rows read: 2 imported" in result.stderr


def test_microsoft_forms_xlsx_imports_and_keeps_no_names(run: Run, shape: Path) -> None:
    found, labels = asked(shape)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Sheet1"
    # Microsoft Forms: its own columns first, then the questions as typed in the form
    # (here without the ids).
    sheet.append(
        ["ID", "Start time", "Completion time", "Email", "Name", *(q.text(labels) for q in found)]
    )
    people = [("1", "maria.rossi@example.org", "Maria Rossi"), ("2", "anonymous", "")]
    for ident, email, name in people:
        answers: list[Any] = []
        for question in found:
            answers.append(
                {
                    QuestionKind.RATING: 4.0,
                    QuestionKind.LOAD: "Too heavy",
                    QuestionKind.YES_NO: "Yes",
                    QuestionKind.TEXT: f"{name or 'someone'} liked it",
                }[question.kind]
            )
        sheet.append([ident, "5/18/23 10:00:00", "5/18/23 10:12:00", email, name, *answers])
    path = shape.parent / "Feedback SHAPE(1-2).xlsx"
    workbook.save(path)
    result = run("feedback", "import", path, "--visit", shape)
    assert result.exit_code == 0, result.output
    got = answers_of(shape)
    assert len(got) == 2
    assert set(got[0]) == {q.id for q in found}
    assert got[0]["useful.d1-cnaim"] == 4 and got[0]["free-time"] is True
    stored = (shape.parent / "feedback.yaml").read_text(encoding="utf-8")
    assert "@example.org" not in stored and "10:12" not in stored and "5/18/23" not in stored
    for heading in ("ID", "Start time", "Completion time", "Email", "Name"):
        assert f"'{heading}'" in result.stderr


def test_missing_question_duplicate_and_out_of_range_rating_each_have_their_row(
    run: Run, shape: Path
) -> None:
    rows = google_sheet(
        shape,
        [
            FULL,  # row 2
            {**FULL, "useful.d1-cnaim": "7", "Email": "b@example.org"},  # row 3
            {**FULL, "Email": "c@example.org"},  # row 4: same answers as row 2, other person
            {**FULL, "Timestamp": "x", "Email": "", "keep": "First try"},  # row 5
            {**FULL, "Timestamp": "x", "Email": "", "keep": "Again"},  # row 6: same stamp
            {"Timestamp": "y", "Email": ""},  # row 7: no answer
            {**FULL, "Timestamp": "z", "Email": ""},  # row 8: same answers as row 2
        ],
    )
    free_time = rows[0].index(next(h for h in rows[0] if h.endswith("[free-time]")))
    for row in rows:
        del row[free_time]
    sheet = write_csv(shape.parent / "responses.csv", rows)
    result = run("feedback", "import", sheet, "--visit", shape)
    assert result.exit_code == 1, result.output
    err = " ".join(result.stderr.split())
    assert "VP502" in err and "[free-time]" in err and "Was there enough free time?" in err
    cnaim = rows[0].index(next(h for h in rows[0] if h.endswith("[useful.d1-cnaim]")))
    letter = chr(ord("A") + cnaim)
    assert f"VP504 responses.csv!{letter}3" in err and "'7' is not a rating" in err
    assert "row 5 is a duplicate of row 6 (the same time stamp" in err
    assert "row 8 is a duplicate of row 2 (the same answers)" in err
    assert "row 4 is a duplicate" not in err
    assert "row 7" in err and "without answers" in err
    assert "7 rows read: 4 imported, 2 duplicate, 1 empty, 0 rejected; 1 answer left out" in err
    got = answers_of(shape)
    assert len(got) == 4
    assert "useful.d1-cnaim" not in got[1] and got[1]["useful.d1-jrs"] == 4
    assert got[3]["keep"] == "Again"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"useful.d1-cnaim": "4.0"}, {"useful.d1-cnaim": 4}),
        ({"useful.d1-cnaim": "4 - useful"}, {"useful.d1-cnaim": 4}),
        ({"useful.d1-cnaim": " 5 (very useful)"}, {"useful.d1-cnaim": 5}),
        ({"load.2023-05-15": "too heavy"}, {"load.2023-05-15": "heavy"}),
        ({"load.2023-05-15": "HEAVY"}, {"load.2023-05-15": "heavy"}),
        ({"load.2023-05-15": " About  right "}, {"load.2023-05-15": "right"}),
        ({"free-time": "yes"}, {"free-time": True}),
    ],
)
def test_answers_are_read_as_people_write_them(
    run: Run, shape: Path, given: dict[str, str], expected: dict[str, Any]
) -> None:
    sheet = write_csv(shape.parent / "r.csv", google_sheet(shape, [given]))
    result = run("feedback", "import", sheet, "--visit", shape)
    assert result.exit_code == 0, result.output
    assert answers_of(shape) == [expected]


@pytest.mark.parametrize("answer", ["4.5", "0", "useful", "-3"])
def test_a_rating_that_is_not_one_is_left_out_at_its_cell(
    run: Run, shape: Path, answer: str
) -> None:
    sheet = write_csv(
        shape.parent / "r.csv", google_sheet(shape, [{"useful.d1-cnaim": answer, "keep": "ok"}])
    )
    result = run("feedback", "import", sheet, "--visit", shape)
    assert result.exit_code == 1
    assert "VP504 r.csv!" in result.stderr and "2" in result.stderr
    assert answers_of(shape) == [{"keep": "ok"}]


def test_every_row_is_accounted_for(run: Run, shape: Path) -> None:
    given = [FULL, {}, {"useful.d1-cnaim": "9"}, FULL, {"keep": "x"}, {}, {"keep": "y"}]
    rows = google_sheet(shape, given)
    for row in rows[1:]:
        row[0] = row[1] = ""  # nobody known: rows compared by their answers only
    sheet = write_csv(shape.parent / "r.csv", rows)
    result = run("feedback", "import", sheet, "--visit", shape, "--report", shape.parent / "p.csv")
    err = " ".join(result.stderr.split())
    counts = re.search(
        r"(\d+) rows read: (\d+) imported, (\d+) duplicate, (\d+) empty, (\d+) rejected", err
    )
    assert counts is not None
    read, *parts = (int(n) for n in counts.groups())
    assert read == len(given) and sum(parts) == read
    assert parts == [3, 1, 2, 1]
    with (shape.parent / "p.csv").open(encoding="utf-8-sig") as stream:
        report = list(csv.DictReader(stream))
    assert {r["row"] for r in report} == {"3", "4", "5", "7"}


def test_reimport_replaces_the_answers_and_says_so(run: Run, shape: Path) -> None:
    sheet = write_csv(shape.parent / "r.csv", google_sheet(shape, [FULL, {"keep": "b"}]))
    run("feedback", "import", sheet, "--visit", shape)
    write_csv(sheet, google_sheet(shape, [{"keep": "only this"}]))
    again = run("feedback", "import", sheet, "--visit", shape)
    assert again.exit_code == 0
    assert "replacing the 2 responses it held" in " ".join(again.stderr.split())
    assert answers_of(shape) == [{"keep": "only this"}]


def test_dry_run_writes_nothing(run: Run, shape: Path) -> None:
    sheet = write_csv(shape.parent / "r.csv", google_sheet(shape, [FULL]))
    before = sorted(p.name for p in shape.parent.iterdir())
    result = run("feedback", "import", sheet, "--visit", shape, "--dry-run")
    assert result.exit_code == 0 and "nothing written" in result.stderr
    assert sorted(p.name for p in shape.parent.iterdir()) == before


def test_revised_visit_keeps_its_own_answers(run: Run, shape: Path) -> None:
    revised = shape.parent / "visit-revised.yaml"
    sheet = write_csv(shape.parent / "r.csv", google_sheet(shape, [{"keep": "revised"}]))
    assert run("feedback", "import", sheet, "--visit", revised).exit_code == 0
    assert answers_of(revised, "visit-revised.feedback.yaml") == [{"keep": "revised"}]
    assert not (shape.parent / "feedback.yaml").exists()


def test_the_templates_responses_sheet_imports_back(run: Run, shape: Path) -> None:
    run("feedback", "template", shape)
    form = shape.parent / "feedback-form.xlsx"
    workbook = load_workbook(form)
    responses = workbook["Responses"]
    headings = [c.value for c in responses[1]]
    answers: dict[str, Any] = {"[useful.d1-jrs]": 5, "[load.2023-05-16]": "About right"}
    for column, heading in enumerate(headings, start=1):
        for suffix, value in answers.items():
            if heading.endswith(suffix):
                responses.cell(row=2, column=column, value=value)
    workbook.save(form)
    result = run("feedback", "import", form, "--visit", shape)
    assert result.exit_code == 0, result.output
    assert answers_of(shape) == [{"useful.d1-jrs": 5, "load.2023-05-16": "right"}]


# -- what the import is given -----------------------------------------------------------


def test_headings_in_capitals_and_odd_spaces_without_ids_match(run: Run, shape: Path) -> None:
    found, labels = asked(shape)
    cnaim = next(q for q in found if q.id == "useful.d1-cnaim")
    day = next(q for q in found if q.id == "load.2023-05-15")
    headings = [
        "\u00a0" + cnaim.text(labels).upper().replace(" ", "  ") + " ",
        "3. " + day.text(labels).replace("“", '"'),
        "  was there ENOUGH free\ttime ",
    ]
    sheet = write_csv(shape.parent / "r.csv", [headings, ["5", "Too heavy", "no"]])
    result = run("feedback", "import", sheet, "--visit", shape)
    assert result.exit_code == 0, result.output
    assert answers_of(shape) == [
        {"useful.d1-cnaim": 5, "load.2023-05-15": "heavy", "free-time": False}
    ]


def test_greek_headings_and_answers_match(run: Run, tmp_path: Path) -> None:
    folder = tmp_path / "el"
    run("init", folder, "--example", "shape-porto-lousada", "--language", "el")
    (folder / "feedback.yaml").unlink()
    visit_file = folder / "visit.yaml"
    found, labels = asked(visit_file)
    free = next(q for q in found if q.id == "free-time")
    day = next(q for q in found if q.id == "load.2023-05-15")
    # Retyped in the form without ids, in capitals (Greek capitals drop the accents).
    headings = ["Χρονική σήμανση", free.text(labels).upper(), day.text(labels)]
    values = ["2023/05/18", labels("No"), labels(LOAD_WORDS["heavy"])]
    sheet = write_csv(folder / "r.csv", [headings, values])
    result = run("feedback", "import", sheet, "--visit", visit_file)
    assert result.exit_code == 0, result.output
    assert answers_of(visit_file) == [{"load.2023-05-15": "heavy", "free-time": False}]


def test_control_characters_are_cleaned_with_their_cell(run: Run, shape: Path) -> None:
    sheet = write_csv(
        shape.parent / "r.csv",
        google_sheet(shape, [{"keep": "The\x00 visits\x1b", "change": "Line one\nline two"}]),
    )
    result = run("feedback", "import", sheet, "--visit", shape)
    assert result.exit_code == 0, result.output
    assert "VP507" in result.stderr and "NUL" in result.stderr and "!" in result.stderr
    assert answers_of(shape) == [{"keep": "The visits", "change": "Line one\nline two"}]


def test_utf16_csv_with_tabs_imports(run: Run, shape: Path) -> None:
    rows = google_sheet(shape, [{"keep": "Ótimo, obrigado – ευχαριστώ"}])
    path = shape.parent / "r.csv"
    with path.open("w", encoding="utf-16", newline="") as stream:
        csv.writer(stream, delimiter="\t").writerows(rows)
    result = run("feedback", "import", path, "--visit", shape)
    assert result.exit_code == 0, result.output
    assert answers_of(shape) == [{"keep": "Ótimo, obrigado – ευχαριστώ"}]


def test_merged_title_above_the_headings_and_merged_answers(run: Run, shape: Path) -> None:
    found, labels = asked(shape)
    workbook = Workbook()
    sheet = workbook.active
    sheet["A1"] = "Feedback of the SHAPE visit"
    sheet.merge_cells("A1:C1")
    sheet.append([titled(found[1], labels), titled(found[2], labels), "Notes"])
    sheet.append([5, 4, "a"])
    sheet.append([None, 3, "b"])
    sheet.merge_cells("A3:A4")  # one rating typed for two people
    path = shape.parent / "r.xlsx"
    workbook.save(path)
    result = run("feedback", "import", path, "--visit", shape)
    assert result.exit_code == 0, result.output
    assert answers_of(shape) == [
        {found[1].id: 5, found[2].id: 4},
        {found[1].id: 5, found[2].id: 3},
    ]
    assert "merged" in result.stderr and "'Notes'" in result.stderr


@pytest.mark.parametrize("content", ["", "\n\n", "just,some,words\n1,2,3\n"])
def test_a_file_without_the_forms_headings_is_refused_with_a_hint(
    run: Run, shape: Path, content: str
) -> None:
    path = shape.parent / "r.csv"
    path.write_text(content, encoding="utf-8")
    result = run("feedback", "import", path, "--visit", shape)
    assert result.exit_code == 2
    assert "VP501" in result.stderr and "Traceback" not in result.output
    assert not (shape.parent / "feedback.yaml").exists()


def test_a_file_with_only_headings_changes_nothing(run: Run, shape: Path) -> None:
    earlier = write_csv(shape.parent / "r.csv", google_sheet(shape, [FULL]))
    run("feedback", "import", earlier, "--visit", shape)
    only = write_csv(shape.parent / "h.csv", google_sheet(shape, [])[:1])
    result = run("feedback", "import", only, "--visit", shape)
    assert result.exit_code == 0
    assert "0 rows read" in result.stderr and "not changed" in result.stderr
    assert len(answers_of(shape)) == 1


def test_a_damaged_workbook_is_a_located_error(run: Run, shape: Path) -> None:
    path = shape.parent / "r.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    result = run("feedback", "import", path, "--visit", shape)
    assert result.exit_code == 2 and "Traceback" not in result.output


# -- the SHAPE example -------------------------------------------------------------------


def test_the_examples_answers_are_a_fresh_import_of_its_responses(run: Run, shape: Path) -> None:
    result = run("feedback", "import", shape.parent / "feedback-responses.csv", "--visit", shape)
    assert result.exit_code == 0, result.output
    fresh = (shape.parent / "feedback.yaml").read_text(encoding="utf-8")
    assert fresh == (SHAPE / "feedback.yaml").read_text(encoding="utf-8")


def test_the_examples_responses_are_what_its_script_makes(
    tmp_path: Path, load_script: Callable[[Path], Any]
) -> None:
    script = load_script(SHAPE / "make_feedback.py")
    out = tmp_path / "again.csv"
    script.make(SHAPE / "visit.yaml", out)
    assert out.read_bytes() == (SHAPE / "feedback-responses.csv").read_bytes()


def test_the_examples_answers_say_what_the_projects_evaluation_found() -> None:
    responses = answers_of(SHAPE / "visit.yaml")
    assert len(responses) == 19
    dense = ("2023-05-15", "2023-05-16", "2023-05-17")
    for day in dense:
        loads = [r[f"load.{day}"] for r in responses]
        assert loads.count("heavy") > len(loads) / 2
    no_time = sum(1 for r in responses if r["free-time"] is False)
    assert 0.6 <= no_time / len(responses) <= 0.8

    def mean(key: str) -> float:
        given = [r[key] for r in responses if key in r]
        return float(sum(given)) / len(given)

    assert mean("useful.d1-cnaim") > mean("useful.d3-partner-talks") + 1
    text = (SHAPE / "feedback.yaml").read_text(encoding="utf-8")
    assert "@" not in text and "GMT" not in text


@pytest.fixture
def load_script() -> Callable[[Path], Any]:
    import importlib.util

    def load(path: Path) -> Any:
        spec = importlib.util.spec_from_file_location(path.stem, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    return load


def test_answers_of_a_visit_workbook_go_beside_it(run: Run, tmp_path: Path) -> None:
    folder = tmp_path / "workbook"
    shutil.copytree(EXAMPLES / "milan-exchange-2026-workbook", folder)
    visit_file = folder / "visit.xlsx"
    before = visit_file.read_bytes()
    found, labels = asked(visit_file)
    rows = [["Timestamp", titled(found[0], labels), titled(found[-1], labels)]]
    rows.append(["2026/05/18 10:00:00 AM GMT+2", "5", "Thank you"])
    sheet = write_csv(folder / "r.csv", rows)
    result = run("feedback", "import", sheet, "--visit", visit_file)
    assert result.exit_code == 0, result.output
    assert answers_of(visit_file) == [{found[0].id: 5, found[-1].id: "Thank you"}]
    assert visit_file.read_bytes() == before
    assert run("feedback", "template", visit_file).exit_code == 0
    assert (folder / "feedback-form.xlsx").is_file()


def test_a_google_forms_grid_matches_its_rows(run: Run, shape: Path) -> None:
    found, labels = asked(shape)
    cnaim = next(q for q in found if q.id == "useful.d1-cnaim")
    day = next(q for q in found if q.id == "load.2023-05-16")
    assert cnaim.session is not None and day.day is not None
    headings = [
        f"How useful were these sessions? [{cnaim.session.title}]",
        f"How was each day? [{labels.full_date(day.day)}]",
        "Was there enough free time? [free-time]",
    ]
    sheet = write_csv(shape.parent / "r.csv", [headings, ["4", "Too heavy", "Yes"]])
    result = run("feedback", "import", sheet, "--visit", shape)
    assert result.exit_code == 0, result.output
    assert answers_of(shape) == [
        {"useful.d1-cnaim": 4, "load.2023-05-16": "heavy", "free-time": True}
    ]


def test_a_question_in_two_columns_reads_the_first(run: Run, shape: Path) -> None:
    found, labels = asked(shape)
    free = next(q for q in found if q.id == "free-time")
    headings = [titled(free, labels), "keep", free.text(labels)]
    sheet = write_csv(shape.parent / "r.csv", [headings, ["Yes", "x", "No"]])
    result = run("feedback", "import", sheet, "--visit", shape)
    assert "VP509 r.csv!C1" in result.stderr
    assert answers_of(shape) == [{"free-time": True, "keep": "x"}]


def test_anonymous_microsoft_forms_responses_are_not_one_person(run: Run, shape: Path) -> None:
    found, _labels = asked(shape)
    cnaim = next(q for q in found if q.id == "useful.d1-cnaim")
    assert cnaim.session is not None
    workbook = Workbook()
    sheet = workbook.active
    # A Likert question: Microsoft Forms heads each row's column with the row alone.
    sheet.append(["ID", "Start time", "Completion time", "Email", "Name", cnaim.session.title])
    for n, rating in enumerate((5, 4, 5), start=1):
        sheet.append([n, "5/18/23 10:00:00", "5/18/23 10:05:00", "anonymous", None, rating])
    path = shape.parent / "ms.xlsx"
    workbook.save(path)
    result = run("feedback", "import", path, "--visit", shape)
    assert result.exit_code == 0, result.output
    assert answers_of(shape) == [{cnaim.id: 5}, {cnaim.id: 4}, {cnaim.id: 5}]


def test_a_question_the_visit_no_longer_asks_is_named(run: Run, shape: Path) -> None:
    headings = ["Timestamp", "How useful was the boat trip? [useful.d2-boat]", "keep"]
    sheet = write_csv(shape.parent / "r.csv", [headings, ["1", "5", "x"]])
    result = run("feedback", "import", sheet, "--visit", shape)
    assert result.exit_code == 0, result.output
    err = " ".join(result.stderr.split())
    assert "VP503 r.csv!B1" in err and "[useful.d2-boat] is no question" in err
    assert answers_of(shape) == [{"keep": "x"}]


def test_more_responses_than_participants_is_said(run: Run, shape: Path) -> None:
    participants = len(visit_of(shape).participants)
    given = [{"keep": f"answer {n}"} for n in range(participants + 2)]
    sheet = write_csv(shape.parent / "many.csv", google_sheet(shape, given))
    result = run("feedback", "import", sheet, "--visit", shape)
    err = " ".join(result.stderr.split())
    assert f"{participants + 2} responses for the {participants} participants" in err
    assert "columns that say who answered, left out" in err
    assert len(answers_of(shape)) == participants + 2
