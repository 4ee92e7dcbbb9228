"""Fuzzing what a build trusts on disk: the state file and the output folder.

Properties: whatever the state file holds, the build answers (exit 0, 1 or 2, no
traceback), a refusal names the state file, and no feed is written outside
``public/p/``; whatever was put into an output folder, the build either replaces a
folder holding only its own last build, or refuses and leaves every foreign file as it
was. The normal run tries the profile's cases per target; the deep run 10,000:

    python -m pytest tests/test_fuzz_output.py --hypothesis-profile=deep

The builds run in this process, through the library, with the outputs that read the
state (the calendars, the page, changes.json, schedule.json): a hundred times faster
than every output, so that the deep run takes minutes, not hours. ``outcome`` answers
as the CLI does (exit 2 for input to fix, 1 for a build refused or interrupted); the
CLI's own handling of these is tested in test_safety_output.py.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import MINIMAL
from test_fuzz import paths_of
from visitplan.build import BuildInterrupted, RefusedBuild
from visitplan.build import build as run_build
from visitplan.exporters import Exporter, exporter
from visitplan.findings import InputError
from visitplan.load import load_visit
from visitplan.state import read_state

STATE = ".visitplan-state.json"
VISIT = MINIMAL + (
    "  - id: p2\n    name: Maria Rossi\n    country: IT\n    group: g1\n"
    "    arrival: 2026-01-26 18:00\n"
    "groups:\n  - {id: g1, name: Group one}\n"
)
LITTER = {".DS_Store", "Thumbs.db", "desktop.ini"}


@pytest.fixture(autouse=True, scope="module")
def one_worker() -> Iterator[None]:
    """Builds in this process, not forked: hundreds of small builds."""
    before = os.environ.get("VISITPLAN_WORKERS")
    os.environ["VISITPLAN_WORKERS"] = "1"
    yield
    if before is None:
        del os.environ["VISITPLAN_WORKERS"]
    else:
        os.environ["VISITPLAN_WORKERS"] = before


@dataclass
class Outcome:
    exit_code: int
    output: str  # the findings' text, as the CLI prints them


@cache
def readers_of_the_state() -> list[Exporter]:
    return [exporter(name) for name in ("ics", "html", "changes", "schedule-json")]


def build(folder: Path) -> Outcome:
    """Build ``folder/visit.yaml`` as ``visitplan build`` does; any exception but the
    ones the CLI answers fails the test."""
    try:
        run_build(load_visit(folder / "visit.yaml"), exporters=readers_of_the_state())
    except InputError as error:
        return Outcome(2, "\n".join(f"{f.code} {f.as_text()}" for f in error.findings))
    except RefusedBuild as refused:
        return Outcome(1, "\n".join(f"{f.code} {f.as_text()}" for f in refused.findings))
    except BuildInterrupted as interrupted:
        return Outcome(1, interrupted.finding.as_text())
    return Outcome(0, "")


@cache
def first_build() -> tuple[str, dict[str, bytes]]:
    """The state file and the output of one build of VISIT (made once per run)."""
    folder = Path(tempfile.mkdtemp(prefix="visitplan-fuzz-"))
    try:
        (folder / "visit.yaml").write_text(VISIT, encoding="utf-8")
        # A second build over a changed programme, so the state holds revisions.
        assert build(folder).exit_code == 0
        changed = VISIT.replace("start: 9:30", "start: 9:45")
        (folder / "visit.yaml").write_text(changed, encoding="utf-8")
        assert build(folder).exit_code == 0
        (folder / "visit.yaml").write_text(VISIT, encoding="utf-8")
        out = folder / "build"
        files = {
            p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()
        }
        return (folder / STATE).read_text(encoding="utf-8"), files
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# -- state-file mutations -------------------------------------------------------------------

ODD_TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=30)
TOKENS = st.one_of(
    st.sampled_from(
        [
            "../../../escaped",
            "..",
            "/etc/passwd",
            "a\\b",
            "CON",
            "x" * 200,
            "",
            "AAAAAAAAAAAAAAAAAAAAAAAA",
            "aaaaaaaaaaaaaaaaaaaaaaaa",
            "p/../../escaped-token-xx",
        ]
    ),
    st.text(alphabet="abcXYZ019_-./\\\0 é", min_size=0, max_size=40),
)
ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    ODD_TEXT,
    TOKENS,
    st.sampled_from(
        [
            "2026-01-27T09:30:00+01:00",
            "2026-01-27T09:30:00",
            "9999-12-31T23:59:59+14:00",
            "0001-01-01T00:00:00+00:00",
            "Europe/Rome",
            "Mars/Olympus",
            "cancelled",
            "confirmed",
            "mini",
            "another-visit",
            "s1@mini.visitplan",
            "a\r\nBEGIN:VEVENT",
            "rep@example.org",
        ]
    ),
    st.lists(st.integers(-200, 200), max_size=3),
    st.dictionaries(ODD_TEXT, st.integers(), max_size=2),
)


def parent_of(node: Any, path: tuple[Any, ...]) -> Any:
    for part in path[:-1]:
        node = node[part]
    return node


@st.composite
def mutated_states(draw: st.DrawFn, base: dict[str, Any]) -> str:
    state = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 4))):
        paths = [p for p in paths_of(state) if p]
        path = draw(st.sampled_from(paths)) if paths else ()
        how = draw(
            st.sampled_from(["replace", "delete", "add", "same-token", "token", "visit", "raw"])
        )
        if how == "raw":
            text = json.dumps(state)
            cut = draw(st.integers(0, len(text)))
            return text[:cut] + draw(st.sampled_from(["", "}", ",", "\x00", "\ufffe", "é"]))
        if not isinstance(state, dict):
            break
        tokens = state.get("tokens")
        if how == "same-token" and isinstance(tokens, dict) and len(tokens) >= 2:
            a, b = list(tokens)[:2]
            tokens[b] = tokens[a]
        elif how == "token" and isinstance(tokens, dict):
            tokens[draw(st.sampled_from(["p1", "p2", "ghost"]))] = draw(TOKENS)
        elif how == "visit":
            state["visit"] = draw(ODD_VALUES)
        elif not path:
            state = draw(ODD_VALUES)
        else:
            parent = parent_of(state, path)
            if how == "delete":
                del parent[path[-1]]
            elif how == "add" and isinstance(parent, dict):
                parent[draw(ODD_TEXT)] = draw(ODD_VALUES)
            else:
                parent[path[-1]] = draw(ODD_VALUES)
    return json.dumps(
        state, ensure_ascii=draw(st.booleans()), indent=draw(st.sampled_from([None, 1]))
    )


@given(st.data())
def test_state_file_mutations_are_answered_and_never_escape_the_output(data: st.DataObject) -> None:
    text = data.draw(mutated_states(json.loads(first_build()[0])), label="state file")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        (folder / "visit.yaml").write_text(VISIT, encoding="utf-8")
        (folder / STATE).write_text(text, encoding="utf-8", errors="surrogatepass")
        result = build(folder)
        assert result.exit_code in (0, 1, 2), result.output
        if result.exit_code == 2:
            assert "VP010" in result.output and STATE in result.output
            assert not (folder / "build").exists()
        assert {p.name for p in folder.iterdir()} <= {"visit.yaml", STATE, "build"}
        out = folder / "build"
        if out.exists():
            assert {p.name for p in out.iterdir()} == {"public", "manifest.json"}
            personal = out / "public" / "p"
            assert all(p.parent == personal for p in personal.rglob("*"))
            feeds = list(personal.glob("*.ics"))
            assert len(feeds) == 2  # one per participant: no token shared
        if result.exit_code == 0:
            state = read_state(folder / STATE, "mini")  # what it wrote reads back
            assert len({t.casefold() for t in state.tokens.values()}) == len(state.tokens)


# -- output folders with foreign files -------------------------------------------------------

NAMES = st.one_of(
    st.sampled_from(
        [
            "notes.txt",
            "public",
            "private",
            "manifest.json",
            "Manifest.json",
            ".DS_Store",
            "Thumbs.db",
            "desktop.ini",
            ".htaccess",
            "index.html",
            "p",
            "groups",
            "calendar.ics",
            "agenda.md",
        ]
    ),
    st.text(
        alphabet=st.characters(codec="utf-8", exclude_characters="/\0"), min_size=1, max_size=20
    ).filter(lambda n: n not in (".", "..") and len(n.encode("utf-8")) < 200),
)
ENTRIES = st.lists(
    st.tuples(
        st.lists(NAMES, min_size=1, max_size=3),  # where: folders, then the name
        st.sampled_from(["file", "folder", "link", "edit", "manifest"]),
        st.binary(max_size=64),
    ),
    max_size=4,
)


def contents(folder: Path) -> dict[str, bytes | str]:
    """Everything under ``folder``: files by content, links by target, folders."""
    found: dict[str, bytes | str] = {}
    for path in folder.rglob("*"):
        key = path.relative_to(folder).as_posix()
        if path.is_symlink():
            found[key] = f"-> {path.readlink()}"
        elif path.is_dir():
            found[key] = "folder"
        else:
            found[key] = path.read_bytes()
    return found


def plant(out: Path, entries: list[tuple[list[str], str, bytes]], outside: Path) -> None:
    """Put foreign things into ``out``, as people and programs do."""
    for where, kind, data in entries:
        *folders, name = where
        parent = out.joinpath(*folders)
        target = parent / name
        try:
            parent.mkdir(parents=True, exist_ok=True)
            if kind == "edit":  # change an output visitplan wrote
                written = sorted(
                    p
                    for p in out.rglob("*")
                    if p.is_file() and not p.is_symlink() and p.name != "manifest.json"
                )
                if written:
                    victim = written[len(data) % len(written)]
                    victim.write_bytes(victim.read_bytes() + b"\n" + data)
            elif kind == "manifest" and not (out / "manifest.json").is_symlink():
                (out / "manifest.json").write_bytes(data or b'{"name": "app"}')
            elif kind == "folder":
                target.mkdir(exist_ok=True)
            elif kind == "link":
                target.symlink_to(outside)
            elif not target.is_symlink() and (not target.exists() or target.is_file()):
                target.write_bytes(data)
        except OSError:
            continue  # a name the disk refuses, or a file where a folder should be


@given(st.booleans(), ENTRIES)
def test_output_folders_with_foreign_files_lose_nothing(
    built_before: bool, entries: list[tuple[list[str], str, bytes]]
) -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        (folder / "visit.yaml").write_text(VISIT, encoding="utf-8")
        (folder / STATE).write_text(first_build()[0], encoding="utf-8")
        out = folder / "build"
        if built_before:
            for path, data in first_build()[1].items():
                (out / path).parent.mkdir(parents=True, exist_ok=True)
                (out / path).write_bytes(data)
        outside = folder / "outside.txt"
        outside.write_text("not in the build", encoding="utf-8")
        out.mkdir(exist_ok=True)
        plant(out, entries, outside)
        before = contents(out)
        own = first_build()[1] if built_before else {}
        listed = {*own, "manifest.json"} if built_before else set()
        unknown = {
            key
            for key, value in before.items()
            if not (
                own.get(key) == value
                or (value == "folder" and any(o.startswith(key + "/") for o in listed))
                or (isinstance(value, bytes) and key.rsplit("/", 1)[-1] in LITTER)
            )
        }
        result = build(folder)
        assert result.exit_code in (0, 2), result.output
        if unknown:
            assert result.exit_code == 2, (unknown, result.output)
            assert "VP010" in result.output
            assert contents(out) == before
        else:
            assert result.exit_code == 0, result.output
        assert outside.read_text(encoding="utf-8") == "not in the build"
        leftovers = [p.name for p in folder.iterdir() if p.name.startswith(".build.")]
        assert leftovers == []
