"""Fuzzing: control characters, line breaks and other odd characters in every string
field of a visit file never crash ``check`` or ``build``.

Property: a character no text may hold (or a line break in a one-line value) is
refused with exit code 2 and a finding at that value's line; anything else checks and
builds (exit 0 or 1, never a traceback), and no output file carries a control
character. The normal run tries 150 cases; ``--hypothesis-profile=deep`` 10,000.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import re
from collections.abc import Iterator
from typing import Any

import icalendar
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from visitplan.cli import app
from visitplan.load import MULTILINE_KEYS
from visitplan.text import find_control_characters

RUNNER = CliRunner()

# A visit with every kind of string field filled in.
BASE: dict[str, Any] = {
    "visit": {
        "id": "fuzz-visit",
        "title": "Fuzzing visit",
        "project": "Text project",
        "organiser": "City of Milan",
        "funder": "A fund",
        "description": "Why this visit.\nSecond line.",
        "start_date": "2026-03-02",
        "end_date": "2026-03-03",
        "timezone": "Europe/Rome",
        "country": "IT",
        "language": "en",
        "guiding_question": "What works?",
        "objectives": [{"id": "learn", "text": "Learn what works"}],
        "publishing": {"base_url": "https://example.org/visits/fuzz/"},
    },
    "hosts": [
        {
            "id": "city",
            "name": "City of Milan",
            "kind": "city service",
            "level": "municipal",
            "description": "The city's social services.",
            "contact": {
                "name": "Office of international relations",
                "role": "Coordinator",
                "email": "office@comune.example.it",
                "phone": "+39 02 8845 1234",
            },
            "website": "https://www.comune.example.it",
            "venue": "hall",
        }
    ],
    "venues": [
        {
            "id": "hall",
            "name": "Town hall",
            "address": "Piazza della Scala 2",
            "city": "Milan",
            "country": "IT",
            "region": "25",
            "timezone": "Europe/Rome",
            "opening_hours": {"opens": "08:00", "closes": "20:00"},
        },
        {"id": "centre", "name": "Welcome centre", "city": "Milan"},
    ],
    "groups": [
        {"id": "north", "name": "Northern delegation", "description": "From the north."},
        {"id": "south", "name": "Southern delegation"},
    ],
    "sessions": [
        {
            "id": "s1",
            "title": "Welcome and context",
            "kind": "meeting",
            "date": "2026-03-02",
            "start": "09:30",
            "end": "11:00",
            "venue": "hall",
            "hosts": ["city"],
            "objectives": ["learn"],
            "speakers": ["The deputy mayor"],
            "language": "en",
            "interpretation": ["it"],
            "description": "Opening of the visit.",
            "notes": "Organisers only.",
            "status": "confirmed",
            "accept": ["tentative"],
        },
        {
            "id": "s2",
            "title": "To the welcome centre",
            "kind": "travel",
            "date": "2026-03-02",
            "start": "11:15",
            "end": "11:45",
            "venue": "hall",
            "destination": "centre",
            "groups": ["north"],
        },
        {
            "id": "s3",
            "title": "Old plan",
            "date": "2026-03-03",
            "start": "10:00",
            "end": "11:00",
            "status": "cancelled",
        },
    ],
    "participants": [
        {
            "id": "p1",
            "name": "Ana Silva",
            "organisation": "Câmara Municipal",
            "role": "Social worker",
            "country": "PT",
            "email": "ana@example.pt",
            "phone": "+351 21 000 0000",
            "group": "north",
            "arrival": "2026-03-01 18:00",
            "departure": "2026-03-03 19:00",
            "dietary": "Vegetarian, no nuts at all",
            "accessibility": "Needs a quiet room",
            "languages": ["pt", "en"],
            "notes": "First visit.",
            "public": "no",
        },
        {"id": "p2", "name": "Jan de Vries", "country": "NL", "public": "yes"},
    ],
    "rules": {"ignore": ["no-free-time"]},
}

ODD = st.sampled_from(
    [
        "\x00",
        "\x01",
        "\x07",
        "\x08",
        "\x0b",
        "\x0c",
        "\x1b",
        "\x1b[2J",
        "\x1f",
        "\x7f",
        "\x85",
        "\x9b",
        "\ufffe",
        "\uffff",
        "\ufdd0",
        "\U0001fffe",
        "\ud800",
        "\udfff",
        "\n",
        "\r",
        "\r\n",
        "\u2028",
        "\u2029",
        "\t",
        "\u00a0",
        "\u00ad",
        "\u200b",
        "\u202e",
        "\ufeff",
        "\u0301",
        "ß",
        "Ω",
        "ж",
        "ع",
        "😀",
    ]
)


def string_paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(node, str):
        return [prefix]
    found: list[tuple[Any, ...]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            found += string_paths(value, (*prefix, key))
    elif isinstance(node, list):
        for n, value in enumerate(node):
            found += string_paths(value, (*prefix, n))
    return found


PATHS = string_paths(BASE)


def at(node: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        node = node[part]
    return node


@st.composite
def visits_with_odd_text(draw: st.DrawFn) -> tuple[str, list[tuple[tuple[Any, ...], str]]]:
    """The YAML text, and each changed value's path with its new text."""
    document = copy.deepcopy(BASE)
    changed: dict[tuple[Any, ...], str] = {}
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(PATHS))
        parent, key = at(document, path[:-1]), path[-1]
        value: str = parent[key]
        position = draw(st.integers(0, len(value)))
        value = value[:position] + draw(ODD) + value[position:]
        parent[key] = value
        changed[path] = value
    text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=1000)
    return text, list(changed.items())


def node_at(text: str, path: tuple[Any, ...]) -> Any:
    node: Any = yaml.compose(text)
    for part in path:
        if isinstance(node, yaml.MappingNode):
            node = next(v for k, v in node.value if k.value == part)
        else:
            node = node.value[part]
    return node


def line_of(text: str, path: tuple[Any, ...]) -> int:
    return int(node_at(text, path).start_mark.line) + 1


def syntax_lines(lines: dict[int, str]) -> list[int]:
    """Lines whose value YAML itself cannot read back (its escape of a lone surrogate)."""
    return [line for line, value in lines.items() if re.search("[\ud800-\udfff]", value)]


def refused(path: tuple[Any, ...], value: str) -> bool:
    key = next(str(p) for p in reversed(path) if isinstance(p, str))
    return bool(find_control_characters(value, single_line=key not in MULTILINE_KEYS))


@contextlib.contextmanager
def one_worker() -> Iterator[None]:
    """Tiny builds are quickest in one process (no fork per build)."""
    before = os.environ.get("VISITPLAN_WORKERS")
    os.environ["VISITPLAN_WORKERS"] = "1"
    try:
        yield
    finally:
        if before is None:
            del os.environ["VISITPLAN_WORKERS"]
        else:
            os.environ["VISITPLAN_WORKERS"] = before


CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


@given(visits_with_odd_text())
def test_odd_characters_in_any_string_field_never_crash(
    tmp_path_factory: pytest.TempPathFactory,
    case: tuple[str, list[tuple[tuple[Any, ...], str]]],
) -> None:
    text, changed = case
    folder = tmp_path_factory.mktemp("text")
    visit_file = folder / "visit.yaml"
    visit_file.write_text(text, encoding="utf-8")
    result = RUNNER.invoke(
        app, ["check", str(visit_file), "--format", "json"], catch_exceptions=False
    )
    assert result.exit_code in (0, 1, 2), result.output
    # Each value as YAML reads it back: written raw, NEL and U+2028 are line breaks
    # to YAML and fold into a space; written as escapes, they stay.
    read_back = [(path, str(node_at(text, path).value)) for path, _ in changed]
    bad = [(path, value) for path, value in read_back if refused(path, value)]
    if bad:
        assert result.exit_code == 2, (bad, result.output)
        findings = json.loads(result.stdout)
        lines = {line_of(text, path): value for path, value in bad}
        syntax = [f for f in findings if f["code"] == "VP001"]
        if syntax:  # YAML stops at the first broken escape (a lone surrogate)
            assert [f["line"] for f in syntax] == [min(syntax_lines(lines))], findings
            return
        located = {f["line"] for f in findings if f["code"] == "VP014"}
        assert set(lines) <= located, (bad, findings)
        return
    if result.exit_code == 2:
        return  # refused for another reason (an id or a date made invalid): located
    with one_worker():
        built = RUNNER.invoke(
            app,
            ["build", str(visit_file), "--force", "-q", "-o", str(folder / "build")],
            catch_exceptions=False,
        )
    assert built.exit_code in (0, 1), built.output
    if built.exit_code == 1:
        assert "VP30" in built.output, built.output  # the privacy audit refused it
        return
    public = folder / "build" / "public"
    icalendar.Calendar.from_ical((public / "calendar.ics").read_bytes())
    for path in (folder / "build").rglob("*"):
        if path.suffix in {".ics", ".html", ".json", ".md", ".txt"}:
            content = path.read_text(encoding="utf-8")
            assert CONTROL.search(content) is None, (path.name, changed)
