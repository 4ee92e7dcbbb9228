"""Loading visit.yaml: values as written, and every mistake located with a hint."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from conftest import MINIMAL, write
from visitplan.findings import InputError
from visitplan.load import load_text, load_visit


def problems(text: str) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_text(text, "visit.yaml")
    return [f.as_text() for f in caught.value.findings]


def test_norway_stays_a_country_code_and_930_stays_a_time(tmp_path: Path) -> None:
    loaded = load_visit(write(tmp_path, MINIMAL))
    assert loaded.visit.participants[0].country == "NO"
    session = loaded.visit.sessions[0]
    assert session.start == time(9, 30)
    assert session.starts_at.isoformat() == "2026-01-27T09:30:00+01:00"


def test_session_times_are_aware_in_the_venue_zone() -> None:
    text = MINIMAL.replace("    city: Milan\n", "    city: Lisbon\n    timezone: Europe/Lisbon\n")
    session = load_text(text).visit.sessions[0]
    assert str(session.starts_at.tzinfo) == "Europe/Lisbon"
    assert session.starts_at.utcoffset() is not None


def test_arrival_without_offset_is_local_to_the_visit() -> None:
    text = MINIMAL + "    arrival: 2026-01-26 18:30\n    departure: 2026-01-28\n"
    person = load_text(text).visit.participants[0]
    assert person.arrival is not None and person.departure is not None
    assert person.arrival.isoformat() == "2026-01-26T18:30:00+01:00"
    assert person.departure.isoformat() == "2026-01-28T23:59:00+01:00"


EIGHT_MISTAKES = """\
visit:
  id: broken
  title: Broken visit
  start_date: 2026-01-27
  end_date: 2026-01-28
  timezone: Europe/Milano
  country: IT
  objectives:
    - id: learn
      text: Learn
venues:
  - id: hall
    name: Hall
    capacity: forty
sessions:
  - id: s1
    title: Welcome
    date: 2026-01-27
    start: 9.75
    end: 10:30
    venu: hall
  - id: s1
    title: Lunch
    kind: meel
    date: 2026-02-27
    start: 12:00
    end: 11:00
    venue: hal
    objectives: [lern]
participants:
  - id: p1
    name: Someone
    email: someone-at-example.org
    arrival: 2026-01-28 10:00
    departure: 2026-01-27 10:00
    group: g1
  - id: p2
"""


def test_every_mistake_gets_one_located_message_in_file_order() -> None:
    with pytest.raises(InputError) as caught:
        load_text(EIGHT_MISTAKES, "visit.yaml")
    findings = caught.value.findings
    got = [(f.location.line if f.location else None, f.code) for f in findings]
    assert got == [
        (6, "VP004"),  # time zone
        (14, "VP004"),  # capacity not a number
        (19, "VP004"),  # not a time
        (21, "VP002"),  # unknown key venu
        (22, "VP005"),  # duplicate id
        (24, "VP004"),  # unknown kind
        (25, "VP008"),  # outside the visit's dates
        (27, "VP004"),  # ends before it starts
        (28, "VP006"),  # unknown venue
        (29, "VP006"),  # unknown objective
        (33, "VP004"),  # email
        (35, "VP004"),  # departure before arrival
        (36, "VP006"),  # unknown group
        (37, "VP003"),  # missing name
    ]
    assert all(f.location and f.location.column for f in findings)
    assert all(f.hint for f in findings)


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        (
            "    venu: hall\n",
            "visit.yaml:21:5: session 's1': unknown key 'venu' — did you mean 'venue'?",
        ),
        ("    start: 9.75\n", "'9.75' is not a time of day — write it as HH:MM"),
        ("  timezone: Europe/Milano\n", "'Europe/Milano' is not a time zone — use an IANA name"),
        ("    kind: meel\n", "'meel' is not a valid kind — did you mean 'meal'?"),
        ("    venue: hal\n", "unknown venue 'hal' — did you mean 'hall'?"),
        ("    objectives: [lern]\n", "unknown objective 'lern' — did you mean 'learn'?"),
        ("    email: someone", "is not an email address — write it as name@example.org"),
        ("    departure: 2026-01-27", "leaves (2026-01-27 10:00) before arriving"),
        ("    group: g1", "unknown group 'g1' — add it under `groups:` first"),
        ("  - id: p2", "participant 'p2': missing required key 'name' — add `name:`"),
        ("    date: 2026-02-27", "the date 2026-02-27 is outside the visit"),
        ("    end: 11:00", "the session ends at 11:00, not after it starts at 12:00"),
        ("  - id: s1\n    title: Lunch", "id 's1' is used twice in sessions"),
        ("    capacity: forty", "'forty' is not a whole number"),
    ],
)
def test_each_kind_of_mistake_is_explained(snippet: str, expected: str) -> None:
    assert snippet in EIGHT_MISTAKES
    assert any(expected in line for line in problems(EIGHT_MISTAKES)), expected


def test_yaml_syntax_error_has_line_and_column() -> None:
    text = MINIMAL.replace("    title: Welcome\n", "    title: Welcome: the city\n")
    (line,) = problems(text)
    assert line.startswith("visit.yaml:17:19: YAML syntax")
    assert "needs quotes" in line


def test_tab_indentation_is_a_located_syntax_error() -> None:
    text = MINIMAL.replace("  title: Mini visit", "\ttitle: Mini visit")
    (line,) = problems(text)
    assert line.startswith("visit.yaml:3:")


def test_duplicate_key_is_reported_not_silently_overwritten() -> None:
    text = MINIMAL.replace("    end: 10:30\n", "    end: 10:30\n    end: 11:30\n")
    (line,) = problems(text)
    assert "key 'end' appears twice" in line and line.startswith("visit.yaml:21:5:")


def test_date_in_wrong_format() -> None:
    (line,) = problems(MINIMAL.replace("    date: 2026-01-27", "    date: 27/01/2026"))
    assert "'27/01/2026' is not a date — write dates as YYYY-MM-DD" in line


def test_visit_ending_before_it_starts() -> None:
    (line,) = problems(MINIMAL.replace("end_date: 2026-01-28", "end_date: 2026-01-20"))
    assert "the visit ends (2026-01-20) before it starts (2026-01-27)" in line


def test_not_a_mapping_gets_a_starting_hint() -> None:
    (line,) = problems("- just\n- a list\n")
    assert "does not hold a visit definition" in line and "visit:" in line


def test_empty_file_is_a_clear_error() -> None:
    (line,) = problems("")
    assert "does not hold a visit definition" in line


def test_alias_bomb_is_refused() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + n)}: &{chr(98 + n)} [{', '.join(['*' + chr(97 + n)] * 10)}]\n" for n in range(7)
    )
    (line,) = problems(bomb)
    assert "too many values" in line


def test_not_utf8_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "visit.yaml"
    path.write_bytes(MINIMAL.replace("Mini visit", "Visite à Milan").encode("latin-1"))
    with pytest.raises(InputError) as caught:
        load_visit(path)
    assert "not UTF-8" in caught.value.findings[0].message
    assert caught.value.findings[0].location.line == 3  # type: ignore[union-attr]


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        load_visit(tmp_path / "nope.yaml")
    assert "cannot read the file" in caught.value.findings[0].message


def test_quoted_empty_string_is_not_null() -> None:
    text = MINIMAL.replace("    name: Hall\n", "    name: ''\n")
    (line,) = problems(text)
    assert "name is empty" in line


def test_deep_nesting_is_refused() -> None:
    (line,) = problems("visit: " + "[" * 200 + "]" * 200 + "\n")
    assert "nests deeper than" in line
