"""Bad text is answered, not crashed on: control characters and line breaks are refused
where they enter, escape sequences are shown escaped, and far dates are refused. Each
test runs the command line in a folder, then reads the answer or the files back."""

from __future__ import annotations

import json
import re
from pathlib import Path

import icalendar
import pytest
from openpyxl import load_workbook

from conftest import MINIMAL, Run, write

RICH = """\
visit:
  id: text
  title: Text visit
  description: "The context."
  start_date: 2026-03-02
  end_date: 2026-03-03
  timezone: Europe/Rome
  country: IT
venues:
  - id: hall
    name: Hall
    city: Milan
groups:
  - id: north
    name: Northern delegation
sessions:
  - id: s1
    title: Welcome
    date: 2026-03-02
    start: "09:30"
    end: "10:30"
    venue: hall
    description: "The city's welcome."
participants:
  - id: p1
    name: Ana Silva
    country: PT
    group: north
"""

# The value each field has in RICH, and where it is (line, column of the value).
FIELDS = {
    "visit title": ("Text visit", 3, 10),
    "visit description": ('"The context."', 4, 16),
    "group name": ("Northern delegation", 15, 11),
    "session title": ("Welcome", 18, 12),
    "session description": ('"The city\'s welcome."', 23, 18),
    "participant name": ("Ana Silva", 26, 11),
}
CONTROLS = {
    "vertical tab": "\\v",
    "form feed": "\\f",
    "NUL": "\\0",
    "SOH": "\\x01",
    "ESC": "\\e",
    "U+FFFE": "\\uFFFE",
    "DEL": "\\x7F",
    "C1 CSI": "\\x9B",
}


def with_escape(field: str, escape: str) -> str:
    """RICH with the YAML escape ``escape`` inside the value of ``field``."""
    value, line, _ = FIELDS[field]
    lines = RICH.splitlines(keepends=True)
    plain = value.strip('"')
    assert plain in lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(value, f'"{plain[:3]}{escape}{plain[3:]}"')
    return "".join(lines)


@pytest.mark.slow
@pytest.mark.parametrize("control", sorted(CONTROLS))
@pytest.mark.parametrize("field", sorted(FIELDS))
def test_a_control_character_is_refused_where_it_is(
    tmp_path: Path, run: Run, field: str, control: str
) -> None:
    visit_file = write(tmp_path, with_escape(field, CONTROLS[control]))
    _, line, column = FIELDS[field]
    for command in (("check",), ("build", "--force")):
        result = run(*command, visit_file)
        assert result.exit_code == 2, (command, result.output)
        assert f"visit.yaml:{line}:{column}: error VP014:" in result.output
        assert "which no text may hold" in result.output
        assert "Traceback" not in result.output
    assert not (tmp_path / "build").exists()


def test_every_bad_value_is_reported_at_once(tmp_path: Path, run: Run) -> None:
    text = with_escape("session description", "\\0")
    text = text.replace("name: Ana Silva", 'name: "Ana\\vSilva"')
    text = text.replace("title: Text visit", 'title: "Text\\nvisit"')
    result = run("check", write(tmp_path, text), "--format", "json")
    assert result.exit_code == 2
    found = [(f["code"], f["line"]) for f in json.loads(result.stdout)]
    assert found == [("VP014", 3), ("VP014", 23), ("VP014", 26)]


def test_a_control_character_typed_into_the_file_is_located(tmp_path: Path, run: Run) -> None:
    text = RICH.replace("name: Northern delegation", "name: Northern\x0bdelegation")
    path = tmp_path / "visit.yaml"
    path.write_bytes(text.encode("utf-8"))
    result = run("check", path)
    assert result.exit_code == 2
    assert "visit.yaml:15:" in result.output and "VP014" in result.output
    assert "U+000B vertical tab" in result.output


def test_a_broken_surrogate_is_refused_with_its_place(tmp_path: Path, run: Run) -> None:
    text = RICH.replace("title: Welcome", 'title: "Wel\\uD800come"')
    result = run("check", write(tmp_path, text))
    assert result.exit_code == 2
    assert re.search(r"visit\.yaml:18:\d+: error VP00[14]", result.output), result.output


@pytest.mark.parametrize(
    ("field", "escape"),
    [
        ("visit title", "\\n"),
        ("visit title", "\\r"),
        ("group name", "\\n"),
        ("session title", "\\r\\nBEGIN:VEVENT"),
        ("participant name", "\\u2028"),
    ],
)
def test_a_line_break_in_a_one_line_value_is_refused(
    tmp_path: Path, run: Run, field: str, escape: str
) -> None:
    _, line, column = FIELDS[field]
    result = run("build", write(tmp_path, with_escape(field, escape)))
    assert result.exit_code == 2
    assert f"visit.yaml:{line}:{column}: error VP014:" in result.output
    assert "must be on one line" in result.output


def test_an_id_with_a_line_break_is_refused(tmp_path: Path, run: Run) -> None:
    text = RICH.replace("  - id: north\n", '  - id: "north\\n"\n').replace(
        "group: north", 'group: "north\\n"'
    )
    result = run("check", write(tmp_path, text))
    assert result.exit_code == 2
    assert "visit.yaml:14:9: error VP014:" in result.output


@pytest.mark.slow
def test_line_breaks_in_descriptions_reach_the_calendar_escaped(tmp_path: Path, run: Run) -> None:
    text = RICH.replace(
        'description: "The city\'s welcome."',
        'description: "First line\\r\\nSecond line\\rThird\\u2028Fourth\\tand a tab"',
    )
    assert run("build", write(tmp_path, text)).exit_code == 0
    raw = (tmp_path / "build" / "public" / "calendar.ics").read_bytes()
    assert re.search(rb"[^\r]\n|\r[^\n]", raw) is None  # only CRLF ends lines
    assert "\u2028".encode() not in raw
    (event,) = icalendar.Calendar.from_ical(raw).walk("VEVENT")
    description = str(event["DESCRIPTION"])
    assert "First line\nSecond line\nThird\nFourth\tand a tab" in description
    workbook = load_workbook(tmp_path / "build" / "private" / "participants.xlsx")
    assert workbook.sheetnames


def test_no_control_character_reaches_any_output(tmp_path: Path, run: Run) -> None:
    text = with_escape("session description", "\\0")
    assert run("build", write(tmp_path, text), "--force").exit_code == 2
    assert run("build", write(tmp_path, RICH)).exit_code == 0
    for path in (tmp_path / "build").rglob("*"):
        if path.suffix in {".ics", ".html", ".json", ".md", ".txt"}:
            content = path.read_text(encoding="utf-8")
            assert re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", content) is None, path


# -- terminal escapes ------------------------------------------------------------------------

CLEAR = "\x1b[2J\x1b[31m"


def test_an_escape_sequence_in_a_visit_id_is_shown_escaped(tmp_path: Path, run: Run) -> None:
    text = MINIMAL.replace("  id: mini\n", '  id: "mini\\e[2J\\e[31m"\n')
    for command in (("check",), ("build",), ("check", "--format", "json")):
        result = run(*command, write(tmp_path, text))
        assert result.exit_code == 2
        assert "\x1b" not in result.output
        assert "\\x1b[2J" in result.output or "\\u001b[2J" in result.output


def test_an_escape_sequence_in_a_csv_cell_is_shown_escaped(tmp_path: Path, run: Run) -> None:
    sheet = tmp_path / "registrations.csv"
    sheet.write_text(
        "Name,Email,Country\n"
        f"Ana Silva,ana{CLEAR}@example.pt,PT\n"
        f"Bo Berg,bo@example.se,Atlantis{CLEAR}\n"
        f"Cy{CLEAR}\x9b2J,cy@example.org,{CLEAR}\n",
        encoding="utf-8",
    )
    for extra in ((), ("--format", "json"), ("--visit", write(tmp_path, MINIMAL))):
        result = run("participants", "import", sheet, *extra)
        assert result.exit_code in (0, 1, 2)
        assert "\x1b" not in result.output and "\x9b" not in result.output, extra
    result = run("participants", "import", sheet)
    # The importer takes the escape out of the cell and says where it was.
    assert "registrations.csv!2:B" in result.output and "U+001B (ESC)" in result.output


def test_an_escape_sequence_in_an_argument_is_shown_escaped(tmp_path: Path, run: Run) -> None:
    visit_file = write(tmp_path, MINIMAL)
    result = run("feeds", "rotate", f"p1{CLEAR}", "--visit", visit_file)
    assert result.exit_code == 2
    assert "\x1b" not in result.output and "p1\\x1b[2J" in result.output


# -- far dates -------------------------------------------------------------------------------


@pytest.mark.parametrize("year", ["0001", "1969", "2200", "9999"])
@pytest.mark.parametrize(
    ("old", "place"),
    [
        ("  start_date: 2026-01-27\n  end_date: 2026-01-28\n", "visit.yaml:4:15"),
        ("    date: 2026-01-27\n", "visit.yaml:18:11"),
        ("    country: NO\n", "visit.yaml:27:14"),
    ],
)
@pytest.mark.slow
def test_a_year_no_visit_is_in_is_refused(
    tmp_path: Path, run: Run, year: str, old: str, place: str
) -> None:
    if old.startswith("  start_date"):
        new = f"  start_date: {year}-01-27\n  end_date: {year}-01-28\n"
    elif old.startswith("    date"):
        new = f"    date: {year}-01-27\n"
    else:
        new = f"    country: NO\n    arrival: {year}-01-26 18:00\n"
    visit_file = write(tmp_path, MINIMAL.replace(old, new))
    for command in (("check",), ("build", "--force")):
        result = run(*command, visit_file)
        assert result.exit_code == 2, result.output
        shown = re.escape(place) + r": error VP004: (?:\w+ '[\w-]+': )?'" + year + "-01-2"
        assert re.search(shown, result.output), result.output
        assert "outside the years visitplan plans for (1970 to 2199)" in result.output


@pytest.mark.parametrize("year", ["1970", "2199"])
@pytest.mark.slow
def test_the_first_and_last_years_build(tmp_path: Path, run: Run, year: str) -> None:
    text = MINIMAL.replace("2026-01-27", f"{year}-12-30").replace("2026-01-28", f"{year}-12-31")
    text = text.replace("    country: NO\n", f"    country: NO\n    departure: {year}-12-31\n")
    assert run("build", write(tmp_path, text), "--force").exit_code == 0
    calendar = (tmp_path / "build" / "public" / "calendar.ics").read_bytes()
    (event,) = icalendar.Calendar.from_ical(calendar).walk("VEVENT")
    assert event.decoded("DTSTART").year == int(year)
