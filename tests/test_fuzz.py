"""Fuzzing: mutated visit files and broken spreadsheets never crash the command line.

Property: the CLI, run in-process, exits 0, 1 or 2, raises nothing, prints no
traceback, and when it refuses the input (exit 2) says where the problem is.
"""

from __future__ import annotations

import copy
import csv
import io
import re
from functools import cache
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import EXAMPLE_NAMES, EXAMPLES
from test_schema import as_editor_sees
from visitplan.cli import app

RUNNER = CliRunner()


@cache
def bases() -> list[Any]:
    """The shipped examples as an editor sees them, read once, when first fuzzed."""
    return [as_editor_sees(EXAMPLES / name / "visit.yaml") for name in EXAMPLE_NAMES]


ODD_TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=40)
ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    ODD_TEXT,
    st.sampled_from(
        [
            "0001-01-01",
            "9999-12-31",
            "2026-02-30",
            "25:99",
            "Mars/Olympus",
            "Europe/Rome",
            "",
            "~",
            "NO",
            "yes",
            "&anchor",
            "*alias",
            "- x",
            "{",
        ]
    ),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(ODD_TEXT, st.integers(), max_size=2),
)


def invoke(*args: str) -> Any:
    return RUNNER.invoke(app, list(args), catch_exceptions=False)


def paths_of(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths_of(value, (*prefix, key))
    elif isinstance(node, list):
        for n, value in enumerate(node):
            found += paths_of(value, (*prefix, n))
    return found


def at(node: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        node = node[part]
    return node


@st.composite
def mutated_visits(draw: st.DrawFn) -> str:
    document = copy.deepcopy(draw(st.sampled_from(bases())))
    for _ in range(draw(st.integers(1, 4))):
        paths = [p for p in paths_of(document) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent, key = at(document, path[:-1]), path[-1]
        action = draw(st.sampled_from(["delete", "replace", "empty", "clash", "duplicate"]))
        if action == "delete":
            del parent[key]
        elif action == "replace":
            parent[key] = draw(ODD_VALUES)
        elif action == "empty":
            parent[key] = [] if draw(st.booleans()) else {}
        elif action == "clash" and isinstance(parent, dict) and "id" in parent:
            parent["id"] = draw(st.sampled_from(["d1-opening", "milan", "g1", "aima-1", "x"]))
        elif action == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[key]))
    text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
    if draw(st.booleans()):  # damage the text itself
        position = draw(st.integers(0, len(text)))
        damage = draw(st.one_of(ODD_TEXT, st.sampled_from(["\t", ": :", "\n  - ", "'"])))
        text = text[:position] + damage + text[position:]
    if draw(st.integers(0, 9)) == 0:
        lines = text.splitlines(keepends=True)
        line = draw(st.integers(0, max(len(lines) - 1, 0)))
        text = "".join(lines[: line + 1] + lines[line:])  # a duplicated key or item
    return text


@given(mutated_visits())
def test_mutated_visit_files_never_crash(
    tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "visit.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    result = invoke("check", str(path), "--format", "json")
    assert result.exit_code in (0, 1, 2)
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        assert re.search(r'"line": \d+|visit.yaml', result.output), result.output


# -- spreadsheets -----------------------------------------------------------------------

GOOD_ROWS = [
    ["Name", "Email", "Country", "Arrival", "Organisation"],
    ["Zoë Müller", "zoe@example.de", "Österreich", "26/01/2026 18:00", "Ação"],
    ["João Gonçalves", "joao@example.pt", "PT", "2026-01-27", "Câmara"],
]


@cache
def valid_xlsx() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    for row in GOOD_ROWS:
        workbook.active.append(row)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


CELLS = st.one_of(
    ODD_TEXT,
    st.sampled_from(['"', '""', "a,b", "x;y", "line\nbreak", "=1+1", "\x00", "31/02/2026", "@x"]),
)


@st.composite
def broken_sheets(draw: st.DrawFn) -> tuple[str, bytes]:
    kind = draw(st.sampled_from(["bytes", "truncated", "encoding", "ragged"]))
    if kind == "bytes":
        suffix = draw(st.sampled_from([".xlsx", ".csv", ".ods", ".xls", ".tsv"]))
        return suffix, draw(st.binary(max_size=2000))
    if kind == "truncated":
        whole = valid_xlsx()
        return ".xlsx", whole[: draw(st.integers(0, len(whole)))]
    if kind == "encoding":
        stream = io.StringIO()
        csv.writer(stream, delimiter=draw(st.sampled_from([",", ";", "\t"]))).writerows(GOOD_ROWS)
        codec = draw(
            st.sampled_from(
                [
                    "utf-16",
                    "cp1251",
                    "cp437",
                    "latin-1",
                    "utf-8-sig",
                    "shift_jis",
                    "utf-32",
                    "mac_roman",
                ]
            )
        )
        return ".csv", stream.getvalue().encode(codec, errors="replace")
    rows = [GOOD_ROWS[0], *draw(st.lists(st.lists(CELLS, max_size=8), max_size=8))]
    stream = io.StringIO()
    csv.writer(stream).writerows(rows)
    return ".csv", stream.getvalue().encode("utf-8", errors="surrogatepass")


@given(broken_sheets())
def test_broken_spreadsheets_never_crash(
    tmp_path_factory: pytest.TempPathFactory, sheet: tuple[str, bytes]
) -> None:
    suffix, data = sheet
    path = tmp_path_factory.mktemp("sheet") / f"registrations{suffix}"
    path.write_bytes(data)
    result = invoke("participants", "import", str(path), "--format", "json")
    assert result.exit_code in (0, 1, 2)
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        assert "registrations" in result.output
