"""Certificates of attendance and the attendance record: built by the CLI, read back
with python-docx, openpyxl and PyYAML."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from conftest import Run, copy_example_files
from visitplan.load import load_visit

SHAPE = "shape-porto-lousada"
PROGRAMME = {"meeting", "site_visit", "workshop", "reflection"}
LEFT_EARLY = "hr-city-of-zagreb-1"
LEFT_AT = "2023-05-17 10:00"
IMPORTED = "de-city-of-stuttgart-1"
ARABIC_ID = "it-conngi-1"
ARABIC_NAME = "فاطمة الزهراء بن علي"


def certificates(folder: Path) -> Any:
    return Document(str(folder / "build" / "private" / "certificates.docx"))


def pages(document: Any) -> list[str]:
    """The text of each page, split at the page breaks of the body."""
    texts = [""]
    for element in document.element.body.iter():
        if element.tag == qn("w:t") and element.text:
            texts[-1] += element.text
        elif element.tag == qn("w:br") and element.get(qn("w:type")) == "page":
            texts.append("")
        elif element.tag == qn("w:p"):
            texts[-1] += "\n"
    return texts


def page_breaks(document: Any) -> int:
    return sum(
        1
        for element in document.element.body.iter(qn("w:br"))
        if element.get(qn("w:type")) == "page"
    )


def total_minutes(page: str) -> int:
    """The total the certificate prints, in minutes ("29 hours and 20 minutes")."""
    line = next(x for x in page.split("\n") if x.startswith("Total time in the programme"))
    hours = re.search(r"(\d+) hours?", line)
    minutes = re.search(r"(\d+) minutes?", line)
    return (int(hours[1]) if hours else 0) * 60 + (int(minutes[1]) if minutes else 0)


def raw_sessions(visit_file: Path) -> list[dict[str, Any]]:
    return list(yaml.safe_load(visit_file.read_text(encoding="utf-8"))["sessions"])


def minutes_of(session: dict[str, Any]) -> int:
    start = datetime.strptime(f"{session['date']} {session['start']}", "%Y-%m-%d %H:%M")
    end = datetime.strptime(f"{session['date']} {session['end']}", "%Y-%m-%d %H:%M")
    return int((end - start).total_seconds() // 60)


def page_of(document: Any, person_id: str, visit_file: Path) -> str:
    visit = load_visit(visit_file).visit
    index = [p.id for p in visit.participants].index(person_id)
    return pages(document)[index]


def set_participant(text: str, person_id: str, key: str, value: str) -> str:
    """``text`` with ``key: value`` set in the flow mapping of participant ``person_id``."""
    start = text.index(f"{{id: {person_id},")
    end = text.index("}", start)
    entry = text[start:end]
    if f" {key}: " in entry:
        entry = re.sub(rf'{key}: ("[^"]*"|[^,}}]*)', lambda _: f"{key}: {value}", entry)
    else:
        entry += f", {key}: {value}"
    return text[:start] + entry + text[end:]


@pytest.fixture(scope="module")
def changed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """SHAPE with one participant leaving on the morning of the third day, one named in
    Arabic, and one participant's attendance imported from a table: built once."""
    from typer.testing import CliRunner

    from visitplan.cli import app

    folder = tmp_path_factory.mktemp("certificates")
    copy_example_files(SHAPE, folder)
    visit_file = folder / "visit.yaml"
    text = visit_file.read_text(encoding="utf-8")
    text = set_participant(text, LEFT_EARLY, "departure", LEFT_AT)
    text = set_participant(text, ARABIC_ID, "name", f'"{ARABIC_NAME}"')
    visit_file.write_text(text, encoding="utf-8")
    marks = folder / "marks.csv"
    with marks.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(
            [
                "id",
                "Name",
                "d1-welcome",
                "CNAIM: services, support offices and Q&A with the direction",
                "d2-workshop",
                "Coffee with the mayor",
            ]
        )
        writer.writerow([IMPORTED, "", "x", "no", "", "x"])
        writer.writerow(["", "Nobody Atall", "x", "x", "x", ""])
        writer.writerow(["", "", "", "", "", ""])
    runner = CliRunner()
    imported = runner.invoke(app, ["attendance", "import", str(marks), "--visit", str(visit_file)])
    built = runner.invoke(app, ["build", str(visit_file), "--force"])
    assert built.exit_code == 0, built.output
    folder.joinpath("import-result.txt").write_text(
        f"{imported.exit_code}\n{imported.stderr}", encoding="utf-8"
    )
    yield folder


def test_one_page_per_participant_each_with_their_name(example_builds: Mapping[str, Path]) -> None:
    folder = example_builds[SHAPE]
    document = certificates(folder)
    people = load_visit(folder / "visit.yaml").visit.participants
    assert len(people) == 23
    assert page_breaks(document) == len(people) - 1
    texts = pages(document)
    assert len(texts) == len(people)
    for text, person in zip(texts, people, strict=True):
        assert person.name.split(",")[0] in text
        assert text.count("Certificate of attendance") == 1


def test_certificate_names_the_visit_place_and_dates(example_builds: Mapping[str, Path]) -> None:
    from visitplan.labels import Labels

    folder = example_builds[SHAPE]
    visit = load_visit(folder / "visit.yaml").visit
    first = pages(certificates(folder))[0]
    labels = Labels("en")
    assert visit.details.title in first and (visit.details.project or "") in first
    assert labels.date(visit.details.start_date) in first
    assert labels.date(visit.details.end_date) in first
    assert "Porto" in first and "Lousada" in first and labels.country("PT") in first
    assert visit.details.organiser and visit.details.organiser in first
    for line in ("Place and date", "Signature", "Name and role of the signatory"):
        assert line in first


def test_everyone_present_has_every_programme_session(example_builds: Mapping[str, Path]) -> None:
    folder = example_builds[SHAPE]
    sessions = raw_sessions(folder / "visit.yaml")
    expected = sum(minutes_of(s) for s in sessions if s["kind"] in PROGRAMME)
    first = pages(certificates(folder))[0]
    assert total_minutes(first) == expected
    for session in sessions:
        assert (session["title"] in first) == (session["kind"] in PROGRAMME), session["id"]


@pytest.mark.slow
def test_hours_of_a_participant_who_left_early(changed: Path) -> None:
    left = datetime.strptime(LEFT_AT, "%Y-%m-%d %H:%M")
    could = [
        s
        for s in raw_sessions(changed / "visit.yaml")
        if s["kind"] in PROGRAMME
        and datetime.strptime(f"{s['date']} {s['end']}", "%Y-%m-%d %H:%M") <= left
    ]
    page = page_of(certificates(changed), LEFT_EARLY, changed / "visit.yaml")
    assert total_minutes(page) == sum(minutes_of(s) for s in could)
    assert "Municipality of Lousada: integration at small-town scale" not in page
    assert "Evaluation and next steps" not in page
    assert could[-1]["title"] in page


@pytest.mark.slow
def test_imported_attendance_changes_sessions_and_hours(changed: Path) -> None:
    sessions = {s["id"]: s for s in raw_sessions(changed / "visit.yaml")}
    planned = sum(minutes_of(s) for s in sessions.values() if s["kind"] in PROGRAMME)
    page = page_of(certificates(changed), IMPORTED, changed / "visit.yaml")
    missed = sessions["d1-cnaim"], sessions["d2-workshop"]
    assert total_minutes(page) == planned - sum(minutes_of(s) for s in missed)
    assert sessions["d1-welcome"]["title"] in page
    for session in missed:
        assert session["title"] not in page
    record = yaml.safe_load((changed / "attendance.yaml").read_text(encoding="utf-8"))
    assert record["visit"] == SHAPE
    # The others keep their planned presence.
    assert IMPORTED in record["sessions"]["d1-welcome"]
    assert IMPORTED not in record["sessions"]["d1-cnaim"]
    assert len(record["sessions"]["d1-cnaim"]) == 22
    other = page_of(certificates(changed), "hu-jozsefv-ros-municipality-1", changed / "visit.yaml")
    assert total_minutes(other) == planned


@pytest.mark.slow
def test_unknown_person_and_column_are_reported_where_they_are(changed: Path) -> None:
    code, stderr = (changed / "import-result.txt").read_text(encoding="utf-8").split("\n", 1)
    assert code == "1"
    assert "VP512" in stderr and "marks.csv!B3" in stderr and "Nobody Atall" in stderr
    assert "VP513" in stderr and "marks.csv!F1" in stderr and "Coffee with the mayor" in stderr
    assert "3 rows read: 1 matched, 1 naming nobody in the visit, 1 empty" in stderr


@pytest.mark.slow
def test_a_name_in_arabic_prints_right_to_left(changed: Path) -> None:
    document = certificates(changed)
    page = page_of(document, ARABIC_ID, changed / "visit.yaml")
    assert ARABIC_NAME in page
    runs = [r for p in document.paragraphs for r in p.runs if ARABIC_NAME in r.text]
    assert runs and all(r._r.rPr.find(qn("w:rtl")) is not None for r in runs)
    assert all(r._r.rPr.find(qn("w:bCs")) is not None for r in runs)  # bold in Arabic too


@pytest.mark.slow
def test_sign_in_sheets_typed_after_the_visit_are_imported(
    example_builds: Mapping[str, Path], tmp_path: Path, run: Run
) -> None:
    folder = example_builds[SHAPE]
    copy_example_files(SHAPE, tmp_path)
    workbook = load_workbook(folder / "build" / "private" / "participants.xlsx")
    sheet = next(workbook[n] for n in workbook.sheetnames if "2023-05-16" in n)
    header = [c.value for c in sheet[4]]
    first = header.index("Name") + 1
    signature = [n for n, h in enumerate(header, start=1) if str(h).startswith("Signature")]
    marked = str(sheet.cell(5, first).value)
    sheet.cell(5, signature[0]).value = "✓"
    sheet.cell(6, signature[1]).value = "J.S."
    other = str(sheet.cell(6, first).value)
    walk_in = sheet.max_row
    sheet.cell(walk_in, first).value = "Guest from the ministry"
    sheet.cell(walk_in, signature[0]).value = "x"
    typed = tmp_path / "typed.xlsx"
    workbook.save(typed)

    result = run("attendance", "import", typed, "--visit", tmp_path / "visit.yaml")

    assert result.exit_code == 1
    assert f"typed.xlsx!{sheet.title}!B{walk_in}" in result.stderr
    assert "no marks, so its sessions keep the planned presence" in result.stderr
    record = yaml.safe_load((tmp_path / "attendance.yaml").read_text(encoding="utf-8"))
    visit = load_visit(tmp_path / "visit.yaml").visit
    ids = {p.name: p.id for p in visit.participants}
    signed = PROGRAMME | {"social"}  # the sheet's signature columns
    day = [
        s
        for s in visit.active_sessions()
        if s.date.isoformat() == "2023-05-16" and s.kind.value in signed
    ]
    assert set(record["sessions"]) == {s.id for s in day}
    assert record["sessions"][day[0].id] == [ids[marked]]
    assert record["sessions"][day[1].id] == [ids[other]]


@pytest.mark.slow
def test_dry_run_writes_nothing(tmp_path: Path, run: Run) -> None:
    copy_example_files(SHAPE, tmp_path)
    marks = tmp_path / "marks.csv"
    marks.write_text("Name;d4-evaluation\nMUNICIPAL COUNCILLOR, comune di bologna;X\n", "utf-8")
    result = run("attendance", "import", marks, "--visit", tmp_path / "visit.yaml", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert "1 matched" in result.stderr and "Nothing written" in result.stderr
    assert not (tmp_path / "attendance.yaml").exists()


def test_a_sheet_without_names_is_refused_with_the_fix(tmp_path: Path, run: Run) -> None:
    copy_example_files(SHAPE, tmp_path)
    marks = tmp_path / "marks.csv"
    marks.write_text("Who,d4-evaluation\nsomeone,x\n", "utf-8")
    result = run("attendance", "import", marks, "--visit", tmp_path / "visit.yaml")
    assert result.exit_code == 2
    assert "VP514" in result.stderr and "'id' or 'name'" in result.stderr
    assert "Traceback" not in result.output


def test_a_wrong_id_in_the_record_stops_the_build_where_it_is(tmp_path: Path, run: Run) -> None:
    copy_example_files(SHAPE, tmp_path)
    (tmp_path / "attendance.yaml").write_text(
        "visit: shape-porto-lousada\nsessions:\n  d1-welcom: [it-conngi-1]\n"
        "  d1-cnaim: [it-conngi-1, nobody]\n",
        encoding="utf-8",
    )
    result = run("build", tmp_path / "visit.yaml", "--force")
    assert result.exit_code == 2
    assert "attendance.yaml:3:3" in result.stderr and "d1-welcome" in result.stderr
    assert "attendance.yaml:4:27" in result.stderr and "'nobody'" in result.stderr
    assert not (tmp_path / "build").exists()


def test_check_finds_what_would_stop_the_build_beside_the_visit(tmp_path: Path, run: Run) -> None:
    copy_example_files(SHAPE, tmp_path)
    (tmp_path / "attendance.yaml").write_text(
        "visit: shape-porto-lousada\nsessions:\n  d1-cnaim: [it-conngi-1, nobody]\n",
        encoding="utf-8",
    )
    (tmp_path / "feedback.yaml").write_text("visit: [unclosed\n", encoding="utf-8")
    result = run("check", tmp_path / "visit.yaml", "--format", "json")
    assert result.exit_code == 1
    found = [f for f in json.loads(result.stdout) if Path(f["file"]).name != "visit.yaml"]
    assert [(Path(f["file"]).name, f["severity"]) for f in found] == [
        ("feedback.yaml", "error"),
        ("attendance.yaml", "error"),
    ], found
    assert "'nobody'" in found[1]["message"] and found[1]["line"] == 3
    (tmp_path / "attendance.yaml").unlink()
    (tmp_path / "feedback.yaml").unlink()
    assert run("check", tmp_path / "visit.yaml").exit_code == 0


@pytest.mark.slow
def test_greek_build_writes_greek_certificates(tmp_path: Path, run: Run) -> None:
    from babel.dates import format_date

    from visitplan.labels import Labels

    copy_example_files(SHAPE, tmp_path)
    visit_file = tmp_path / "visit.yaml"
    text = visit_file.read_text(encoding="utf-8").replace("language: en", "language: el")
    text = set_participant(text, ARABIC_ID, "name", '"Ελένη Παπαδοπούλου"')
    visit_file.write_text(text, encoding="utf-8")
    result = run("build", visit_file, "--force")
    assert result.exit_code == 0, result.output
    labels = Labels("el")
    document = certificates(tmp_path)
    texts = pages(document)
    assert len(texts) == 23
    title = labels("Certificate of attendance")
    assert title != "Certificate of attendance"
    assert all(title in page and "Certificate" not in page for page in texts)
    visit = load_visit(visit_file).visit
    start = format_date(visit.details.start_date, format="long", locale="el")
    assert start in texts[0]
    assert "Ελένη Παπαδοπούλου" in page_of(document, ARABIC_ID, visit_file)
    assert labels("Total time in the programme") in texts[0]


def pdf_pages(docx: Path, out: Path) -> int:
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(out), str(docx)],
        check=True,
        capture_output=True,
        timeout=240,
    )
    info = subprocess.run(
        ["pdfinfo", str(out / (docx.stem + ".pdf"))], check=True, capture_output=True, text=True
    ).stdout
    return int(re.search(r"Pages:\s+(\d+)", info)[1])  # type: ignore[index]


@pytest.mark.slow
@pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdfinfo") is None,
    reason="LibreOffice or poppler is not installed",
)
def test_each_certificate_stays_on_its_page_even_for_a_long_visit(tmp_path: Path, run: Run) -> None:
    """A long name and organisation, and a programme of forty sessions: still one
    page each once LibreOffice lays them out."""
    copy_example_files(SHAPE, tmp_path)
    visit_file = tmp_path / "visit.yaml"
    text = visit_file.read_text(encoding="utf-8")
    text = set_participant(
        text,
        ARABIC_ID,
        "name",
        '"Maria Fernanda dos Santos Oliveira de Albuquerque e Vasconcelos"',
    )
    text = set_participant(
        text,
        ARABIC_ID,
        "organisation",
        '"Coordinamento Nazionale Nuove Generazioni Italiane, sezione Emilia-Romagna"',
    )
    extra = []
    for n in range(26):
        day = 15 + n % 4
        hour = 21 + n // 13
        minute = 0 if (n // 4) % 2 == 0 else 30
        extra.append(
            f"  - {{id: extra-{n}, title: Additional exchange session number {n} on practice, "
            f'kind: meeting, date: 2023-05-{day}, start: "{hour:02d}:{minute:02d}", '
            f'end: "{hour:02d}:{minute + 20:02d}", venue: cnaim}}\n'
        )
    text = text.replace("\nparticipants:\n", "\n" + "".join(extra) + "\nparticipants:\n", 1)
    visit_file.write_text(text, encoding="utf-8")
    result = run("build", visit_file, "--force")
    assert result.exit_code == 0, result.output
    docx = tmp_path / "build" / "private" / "certificates.docx"
    assert pdf_pages(docx, tmp_path) == 23
    page = page_of(Document(str(docx)), ARABIC_ID, visit_file)
    assert "Maria Fernanda dos Santos" in page and "sessions" in page  # the summary per day
