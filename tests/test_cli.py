"""The command line as a user meets it: init, check, build, exit codes, messages."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import EXAMPLE_NAMES, EXAMPLES, MINIMAL, Run, write
from visitplan import __version__


def test_version(run: Run) -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"visitplan {__version__}"


def test_every_command_has_help_with_an_example(run: Run) -> None:
    for command in ("init", "check", "build", "schema"):
        result = run(command, "--help")
        assert result.exit_code == 0, command
        assert "Example: visitplan" in result.stdout, command


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_examples_load_without_errors(run: Run, name: str) -> None:
    result = run("check", EXAMPLES / name / "visit.yaml", "--format", "json")
    assert result.exit_code in (0, 1), result.stdout
    findings = json.loads(result.stdout)
    assert not [f for f in findings if f["code"] < "VP100"]


@pytest.mark.slow
@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_build_writes_agenda_and_manifest(
    run: Run, example_copy: Callable[[str], Path], name: str
) -> None:
    visit_file = example_copy(name)
    result = run("build", visit_file, "--force")
    assert result.exit_code == 0, result.stdout + result.stderr
    out = visit_file.parent / "build"
    agenda = (out / "private" / "agenda.md").read_text(encoding="utf-8")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["visit"]["id"] == name
    assert {o["path"] for o in manifest["outputs"]} >= {"private/agenda.md"}
    assert str(out) in result.stdout
    from visitplan.load import load_visit

    visit = load_visit(visit_file).visit
    for session in visit.sessions:
        assert session.start.strftime("%H:%M") in agenda
    assert manifest["counts"]["sessions"] == len(visit.sessions)
    assert manifest["counts"]["participants"] == len(visit.participants)


def test_invalid_file_exits_2_with_located_messages_and_no_traceback(
    run: Run, tmp_path: Path
) -> None:
    path = write(tmp_path, MINIMAL.replace("start: 9:30", "start: half past nine"))
    result = run("check", path)
    assert result.exit_code == 2
    assert f"{path}:19:12:" in result.stderr
    assert "'half past nine' is not a time of day" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_invalid_file_in_json_mode_prints_findings_as_json(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL.replace("venue: hall", "venue: hal"))
    result = run("check", path, "--format", "json")
    assert result.exit_code == 2
    (finding,) = json.loads(result.stdout)
    assert finding["code"] == "VP006"
    assert finding["line"] == 21 and finding["column"] == 12
    assert finding["hint"] == "did you mean 'hall'?"


def test_check_explains_a_code(run: Run) -> None:
    result = run("check", "--explain", "unknown-key")
    assert result.exit_code == 0
    assert "VP002" in result.stdout and "How to fix it" in result.stdout


def test_init_then_check_exits_0(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert run("init", "new-visit").exit_code == 0
    result = run("check", "new-visit/visit.yaml")
    assert result.exit_code == 0, result.stdout + result.stderr


def test_init_refuses_a_non_empty_folder(run: Run, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    result = run("init", tmp_path)
    assert result.exit_code == 2
    assert "not empty" in result.stderr and "never overwrites" in result.stderr
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert not (tmp_path / "visit.yaml").exists()


def test_init_copies_an_example(run: Run, tmp_path: Path) -> None:
    result = run("init", tmp_path / "demo", "--example", "milan-exchange-2026")
    assert result.exit_code == 0
    copied = (tmp_path / "demo" / "visit.yaml").read_text(encoding="utf-8")
    assert copied == (EXAMPLES / "milan-exchange-2026" / "visit.yaml").read_text(encoding="utf-8")


def test_init_with_unknown_example_lists_the_real_ones(run: Run, tmp_path: Path) -> None:
    result = run("init", tmp_path / "demo", "--example", "rome")
    assert result.exit_code == 2
    assert "milan-exchange-2026" in result.stderr


def test_build_refuses_to_replace_a_folder_it_did_not_make(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL)
    out = tmp_path / "reports"
    out.mkdir()
    (out / "budget.xlsx").write_bytes(b"precious")
    result = run("build", path, "-o", out)
    assert result.exit_code == 2
    assert "did not make" in result.stderr
    assert (out / "budget.xlsx").read_bytes() == b"precious"


@pytest.mark.slow
def test_piped_output_is_plain(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL.replace("venue: hall", "venue: hal"))
    done = subprocess.run(
        [sys.executable, "-m", "visitplan", "check", str(path)],
        capture_output=True,
        text=True,
        check=False,
        env={"NO_COLOR": "1", "PATH": ""},
    )
    assert done.returncode == 2
    assert "\x1b[" not in done.stderr
    assert f"{path}:21:12: error VP006: session 's1': unknown venue 'hal'" in done.stderr


def test_build_refuses_when_the_checks_find_errors(run: Run, tmp_path: Path) -> None:
    clash = "  - {id: s2, title: Clash, date: 2026-01-27, start: 10:00, end: 11:00}\n"
    text = MINIMAL.replace("participants:", clash + "participants:")
    path = write(tmp_path, text)
    refused = run("build", path)
    assert refused.exit_code == 1
    assert "VP101" in refused.stderr and "--force" in refused.stderr
    assert not (tmp_path / "build").exists()
    forced = run("build", path, "--force")
    assert forced.exit_code == 0
    assert (tmp_path / "build" / "manifest.json").is_file()


@pytest.mark.slow
def test_progress_bar_in_a_terminal_and_not_in_a_pipe(tmp_path: Path) -> None:
    import os
    import pty

    path = write(tmp_path, MINIMAL)
    command = [sys.executable, "-m", "visitplan", "build", str(path)]
    primary, secondary = pty.openpty()
    process = subprocess.Popen(
        command,
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        env={**os.environ, "TERM": "xterm", "COLUMNS": "100"},
    )
    os.close(secondary)
    seen = b""
    while True:
        try:
            chunk = os.read(primary, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    process.wait()
    os.close(primary)
    assert process.returncode == 0
    assert b"Building" in seen or b"Checking the programme" in seen
    piped = subprocess.run(command, capture_output=True, text=True, check=True)
    assert "Building" not in piped.stdout + piped.stderr
    assert "\x1b[" not in piped.stdout + piped.stderr
