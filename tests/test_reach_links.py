"""`visitplan participants links`: the list read back with csv and json, as Excel and
a mail merge would read it; and the workbook's personal links."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest

from conftest import Run, write
from test_reach_page import VISIT

COLUMNS = ["name", "email", "language", "page", "feed", "webcal", "google", "outlook"]


@pytest.fixture
def built(tmp_path: Path, run: Run) -> Path:
    visit_file = write(tmp_path, VISIT)
    assert run("build", visit_file).exit_code == 0
    return visit_file


def tokens(visit_file: Path) -> dict[str, str]:
    state = json.loads((visit_file.parent / ".visitplan-state.json").read_text("utf-8"))
    found: dict[str, str] = state["tokens"]
    return found


def test_the_csv_opens_in_excel_with_every_script_intact(built: Path, run: Run) -> None:
    target = built.parent / "links.csv"
    result = run("participants", "links", "--visit", built, "-o", target)
    assert result.exit_code == 0, result.output
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the byte-order mark Excel needs for UTF-8
    with target.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert list(rows[0]) == COLUMNS
    assert [r["name"] for r in rows] == ["Ελένη Παπαδοπούλου", "Олена Коваленко", "أميرة حداد"]
    assert [r["language"] for r in rows] == ["el", "en", "en"]
    assert rows[2]["email"] == "amira@example.org"


@pytest.mark.slow
def test_each_row_holds_that_participants_own_links(built: Path, run: Run) -> None:
    result = run("participants", "links", "--visit", built, "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    public = built.parent / "build" / "public"
    for row, person in zip(rows, ["eleni", "olena", "amira"], strict=True):
        token = tokens(built)[person]
        assert list(row) == COLUMNS
        assert row["page"] == f"https://example.org/study/p/{token}.html"
        assert (public / "p" / f"{token}.html").is_file(), person
        assert row["feed"] == f"https://example.org/study/p/{token}.ics"
        assert row["webcal"] == f"webcal://example.org/study/p/{token}.ics"
        assert parse_qs(urlsplit(row["google"]).query) == {"cid": [row["webcal"]]}
        outlook = parse_qs(urlsplit(row["outlook"]).query)
        assert outlook["url"] == [row["feed"]]
        assert outlook["name"] == [f"Study visit to Athens — {row['name']}"]


@pytest.mark.slow
def test_the_same_links_at_every_run(built: Path, run: Run) -> None:
    first = run("participants", "links", "--visit", built).stdout
    assert run("build", built).exit_code == 0
    assert run("participants", "links", "--visit", built).stdout == first


def test_before_any_build_it_says_to_build_first(tmp_path: Path, run: Run) -> None:
    visit_file = write(tmp_path, VISIT)
    result = run("participants", "links", "--visit", visit_file)
    assert result.exit_code == 2
    assert "VP010" in result.stderr and "visitplan build" in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / ".visitplan-state.json").exists()  # no token made here


@pytest.mark.slow
def test_a_new_participant_waits_for_the_next_build(built: Path, run: Run) -> None:
    text = built.read_text(encoding="utf-8") + "  - id: newcomer\n    name: New Comer\n"
    built.write_text(text, encoding="utf-8")
    result = run("participants", "links", "--visit", built)
    assert result.exit_code == 2 and "'newcomer'" in result.stderr
    assert run("build", built).exit_code == 0
    assert "New Comer" in run("participants", "links", "--visit", built).stdout


@pytest.mark.slow
def test_without_a_base_url_it_lists_paths_and_says_why(tmp_path: Path, run: Run) -> None:
    visit_file = write(
        tmp_path, VISIT.replace("  publishing:\n    base_url: https://example.org/study/\n", "")
    )
    assert run("build", visit_file).exit_code == 0
    result = run("participants", "links", "--visit", visit_file, "--format", "json")
    assert result.exit_code == 0
    assert "base_url" in result.stderr
    rows = json.loads(result.stdout)
    token = tokens(visit_file)["eleni"]
    assert rows[0]["page"] == f"public/p/{token}.html"
    assert rows[0]["feed"] == f"public/p/{token}.ics"
    assert rows[0]["webcal"] == rows[0]["google"] == rows[0]["outlook"] == ""
    assert (tmp_path / "build" / rows[0]["page"]).is_file()


@pytest.mark.slow
def test_a_name_that_looks_like_a_formula_stays_text(tmp_path: Path, run: Run) -> None:
    visit_file = write(tmp_path, VISIT.replace("name: أميرة حداد", 'name: "=HYPERLINK(1)"'))
    assert run("build", visit_file, "--force").exit_code == 0
    result = run("participants", "links", "--visit", visit_file)
    rows = list(csv.DictReader(result.stdout.splitlines()))
    assert rows[2]["name"] == "'=HYPERLINK(1)"


@pytest.mark.slow
def test_writing_to_a_folder_is_a_located_error(built: Path, run: Run) -> None:
    result = run("participants", "links", "--visit", built, "-o", built.parent)
    assert result.exit_code == 2 and "is a folder" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.slow
def test_the_workbook_offers_https_google_and_outlook_links(built: Path) -> None:
    book = openpyxl.load_workbook(built.parent / "build" / "private" / "participants.xlsx")
    sheet = book["Feeds"]
    rows = list(sheet.iter_rows(values_only=True))
    token = tokens(built)["eleni"]
    (eleni,) = [r for r in rows if r[0] == "Ελένη Παπαδοπούλου"]
    assert eleni[2] == f"https://example.org/study/p/{token}.html"
    assert eleni[3] == f"https://example.org/study/p/{token}.ics"
    assert eleni[4] == f"webcal://example.org/study/p/{token}.ics"
    assert parse_qs(urlsplit(str(eleni[5])).query) == {"cid": [eleni[4]]}
    assert urlsplit(str(eleni[6])).netloc == "outlook.live.com"
