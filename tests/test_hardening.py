"""Hostile input, faults and privacy: each case with the exact kind of message, and no
file written outside the output folder."""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import ClassVar

import pytest

import visitplan.load
from conftest import EXAMPLE_NAMES, MINIMAL, Run, write
from visitplan.build import CHECKPOINTS, STOP_AT, BuildInterrupted, RefusedBuild, build
from visitplan.exporters import BuildContext, all_exporters
from visitplan.findings import InputError
from visitplan.load import load_text, load_visit
from visitplan.model import Visit


def files_under(folder: Path) -> set[Path]:
    return {p.relative_to(folder) for p in folder.rglob("*") if p.is_file()}


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# -- hostile visit files ----------------------------------------------------------------


def test_alias_bomb_is_refused_with_a_located_syntax_message() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + n)}: &{chr(98 + n)} [{', '.join(['*' + chr(97 + n)] * 9)}]\n" for n in range(8)
    )
    with pytest.raises(InputError) as caught:
        load_text(bomb)
    (finding,) = caught.value.findings
    assert finding.code == "VP001" and "too many values" in finding.message


def test_deep_nesting_is_refused() -> None:
    with pytest.raises(InputError) as caught:
        load_text("visit: " + "[" * 100 + "]" * 100)
    assert caught.value.findings[0].code == "VP001"
    assert "nests deeper than 64 levels" in caught.value.findings[0].message


def test_a_file_over_the_size_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(visitplan.load, "MAX_FILE_BYTES", 1000)
    path = write(tmp_path, MINIMAL + "# " + "x" * 2000 + "\n")
    with pytest.raises(InputError) as caught:
        load_visit(path)
    (finding,) = caught.value.findings
    assert finding.code == "VP010" and "over the limit" in finding.message


def test_a_year_long_typo_is_refused_before_it_plans_millions_of_days() -> None:
    with pytest.raises(InputError) as caught:
        load_text(MINIMAL.replace("end_date: 2026-01-28", "end_date: 2126-01-28"))
    (finding,) = caught.value.findings
    assert "the visit would last" in finding.message and "check the year" in finding.hint


@pytest.mark.parametrize("bad_id", ["../x", "a/b", "x" * 300, "a\u202eb", ".hidden", "a b"])
def test_ids_that_could_escape_a_folder_are_refused(bad_id: str) -> None:
    text = MINIMAL + "groups:\n  - {id: '" + bad_id + "', name: G}\n"
    with pytest.raises(InputError) as caught:
        load_text(text)
    assert any(
        f.code == "VP004" and "is not a usable id" in f.message for f in caught.value.findings
    )


@pytest.mark.slow
@pytest.mark.parametrize("reserved", ["CON", "nul", "lpt1", "aux.x", "g."])
def test_ids_windows_reserves_become_safe_file_names(tmp_path: Path, reserved: str) -> None:
    text = MINIMAL + "groups:\n  - {id: '" + reserved + "', name: G}\n"
    text = text.replace("    country: NO\n", "    country: NO\n    group: '" + reserved + "'\n")
    folder = tmp_path / "visit"
    folder.mkdir()
    visit_file = write(folder, text)
    before = files_under(tmp_path)
    build(load_visit(visit_file), folder / "build", force=True)
    written = files_under(tmp_path) - before
    assert all(str(p).startswith("visit/") for p in written)
    groups = [p.name for p in (folder / "build" / "public" / "groups").iterdir()]
    (name,) = groups
    stem = name.removesuffix(".ics")
    assert stem.split(".")[0].upper() not in {"CON", "NUL", "LPT1", "AUX"}
    assert not stem.endswith(".")


def test_form_text_never_becomes_markdown_markup(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        "    name: Representative, Norway\n",
        '    name: "[click me](http://evil.example) <div onclick=x>"\n'
        '    organisation: "# Heading | cell ![img](x)"\n',
    )
    visit_file = write(tmp_path, text)
    build(load_visit(visit_file), tmp_path / "build", force=True)
    agenda = (tmp_path / "build" / "private" / "agenda.md").read_text(encoding="utf-8")
    assert not re.search(r"(?<!\\)\]\(", agenda)  # no live link
    assert not re.search(r"(?<!\\)<(?!br>)", agenda)  # no live HTML but our line breaks
    assert r"\[click me\](http://evil.example) \<div onclick=x\>" in agenda
    assert r"\# Heading \| cell !\[img\](x)" in agenda


# -- faults ----------------------------------------------------------------------------------


class Editing:
    """An exporter that saves the visit file while the build runs."""

    id: ClassVar[str] = "editing"
    name: ClassVar[str] = "Editor in the middle"

    def render(self, visit: Visit, context: BuildContext) -> list[Path]:
        path = context.visit_file
        path.write_text(path.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
        return []


@pytest.mark.slow
def test_a_visit_file_saved_during_the_build_stops_it(tmp_path: Path) -> None:
    visit_file = write(tmp_path, MINIMAL)
    build(load_visit(visit_file), tmp_path / "build")
    before = snapshot(tmp_path / "build")
    with pytest.raises(BuildInterrupted) as caught:
        build(load_visit(visit_file), tmp_path / "build", exporters=[*all_exporters(), Editing()])
    assert caught.value.finding.code == "VP303"
    assert "changed while the build was running" in caught.value.finding.message
    assert snapshot(tmp_path / "build") == before


def test_a_second_build_on_the_same_folder_is_refused(tmp_path: Path, run: Run) -> None:
    visit_file = write(tmp_path, MINIMAL)
    (tmp_path / ".build.lock").write_text(str(os.getppid()), encoding="utf-8")  # alive
    result = run("build", visit_file)
    assert result.exit_code == 1
    assert "VP303" in result.stderr and "another build is writing" in result.stderr
    assert not (tmp_path / "build").exists()


@pytest.mark.slow
def test_a_lock_left_by_a_killed_build_is_taken_over(tmp_path: Path) -> None:
    visit_file = write(tmp_path, MINIMAL)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (tmp_path / ".build.lock").write_text(str(dead.pid), encoding="utf-8")
    build(load_visit(visit_file), tmp_path / "build")
    assert (tmp_path / "build" / "manifest.json").is_file()
    assert not (tmp_path / ".build.lock").exists()


def test_an_output_folder_that_cannot_be_made_is_a_clear_error(tmp_path: Path, run: Run) -> None:
    visit_file = write(tmp_path, MINIMAL)
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    result = run("build", visit_file, "-o", tmp_path / "a-file" / "build")
    assert result.exit_code == 1
    assert "Build failed, previous output left as it was" in result.stderr
    assert "Traceback" not in result.stderr


class DiskFull:
    id: ClassVar[str] = "disk-full"
    name: ClassVar[str] = "Disk full"

    def render(self, visit: Visit, context: BuildContext) -> list[Path]:
        raise OSError(28, "No space left on device")


def test_a_full_disk_is_a_clear_error_and_the_old_output_stays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run: Run
) -> None:
    import visitplan.exporters as registry

    visit_file = write(tmp_path, MINIMAL)
    assert run("build", visit_file).exit_code == 0
    before = snapshot(tmp_path / "build")
    monkeypatch.setattr(registry, "all_exporters", lambda: [DiskFull()])
    monkeypatch.setattr("visitplan.build.all_exporters", lambda: [DiskFull()])
    result = run("build", visit_file)
    assert result.exit_code == 1
    assert "No space left on device" in result.stderr and "disk has space" in result.stderr
    assert snapshot(tmp_path / "build") == before


def test_an_interrupted_import_never_leaves_half_a_visit_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from visitplan.participants import visit_file as writer

    path = write(tmp_path, MINIMAL)

    def broken_fsync(_: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError):
        writer.write_atomically(path, MINIMAL + "participants-broken\n")
    assert path.read_text(encoding="utf-8") == MINIMAL
    monkeypatch.undo()
    backup = writer.write_atomically(path, MINIMAL + "# new\n")
    assert backup.read_text(encoding="utf-8") == MINIMAL
    assert path.read_text(encoding="utf-8").endswith("# new\n")


@pytest.mark.slow
@pytest.mark.parametrize("moment", CHECKPOINTS)
def test_killing_a_build_at_any_moment_never_damages_the_output(
    tmp_path: Path, moment: str
) -> None:
    """SIGKILL at each named moment of a build: the output is the previous build or the
    complete new one, never a mix, and the next build cleans up and succeeds."""
    visit_file = tmp_path / "visit.yaml"
    visit_file.write_text(MINIMAL, encoding="utf-8")
    command = [sys.executable, "-m", "visitplan", "build", str(visit_file), "--force", "--quiet"]
    env = {**os.environ, "VISITPLAN_WORKERS": "1"}
    subprocess.run(command, check=True, capture_output=True, env=env)
    out = tmp_path / "build"
    before = snapshot(out)
    visit_file.write_text(MINIMAL.replace("title: Welcome", "title: Welcome again"), "utf-8")

    killed = subprocess.run(command, capture_output=True, env={**env, STOP_AT: moment}, check=False)

    assert killed.returncode == -signal.SIGKILL, killed.stderr
    swapped = CHECKPOINTS.index(moment) >= CHECKPOINTS.index("swapped")
    if moment == "moved-away":
        # Between the two renames OUT is briefly absent; the old output waits beside it.
        assert not out.exists()
        (old,) = tmp_path.glob(".build.old-*")
        assert snapshot(old) == before
    else:
        after = snapshot(out)
        if swapped:
            assert after != before
            manifest = json.loads(after["manifest.json"])
            assert {e["path"] for e in manifest["outputs"]} | {"manifest.json"} == set(after)
            for entry in manifest["outputs"]:
                assert hashlib.sha256(after[entry["path"]]).hexdigest() == entry["sha256"]
            assert b"Welcome again" in after["public/calendar.ics"]
        else:
            assert after == before
    result = subprocess.run(command, capture_output=True, env=env, check=False)
    assert result.returncode == 0, result.stderr
    assert b"Welcome again" in (out / "public" / "calendar.ics").read_bytes()
    leftovers = [
        p.name
        for p in tmp_path.iterdir()
        if p.name.startswith(".build.") or p.name.endswith(".lock")
    ]
    assert leftovers == []


# -- privacy ----------------------------------------------------------------------------------


def test_audit_finds_a_planted_email(tmp_path: Path, run: Run) -> None:
    visit_file = write(
        tmp_path,
        MINIMAL.replace("    country: NO\n", "    country: NO\n    email: rep@example.no\n"),
    )
    assert run("build", visit_file).exit_code == 0
    page = tmp_path / "build" / "public" / "index.html"
    page.write_text(
        page.read_text(encoding="utf-8").replace("</footer>", "Questions: rep@example.no</footer>"),
        encoding="utf-8",
    )
    result = run("audit", tmp_path / "build")
    assert result.exit_code == 1
    assert "VP301" in result.stdout and "public/index.html" in result.stdout


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_every_example_passes_the_audit(
    run: Run, name: str, example_builds: Mapping[str, Path]
) -> None:
    result = run("audit", example_builds[name] / "build")
    assert result.exit_code == 0, result.stdout
    assert "No personal data found" in result.stdout


def test_build_refuses_to_publish_personal_data(tmp_path: Path) -> None:
    text = MINIMAL.replace("    country: NO\n", "    country: NO\n    email: rep@example.no\n")
    text = text.replace("    title: Welcome\n", "    title: Welcome — write to rep@example.no\n")
    visit_file = write(tmp_path, text)
    with pytest.raises(RefusedBuild) as caught:
        build(load_visit(visit_file), tmp_path / "build")
    assert caught.value.reason == "privacy audit"
    assert {f.code for f in caught.value.findings} == {"VP301"}
    assert not (tmp_path / "build").exists()


def test_names_without_consent_stay_out_of_public(tmp_path: Path) -> None:
    text = MINIMAL.replace("    name: Representative, Norway\n", "    name: Ingrid Solberg\n")
    text = text.replace("    title: Welcome\n", "    title: Welcome by Ingrid Solberg\n")
    visit_file = write(tmp_path, text)
    with pytest.raises(RefusedBuild):
        build(load_visit(visit_file), tmp_path / "build")
    consented = text.replace(
        "    name: Ingrid Solberg\n", "    name: Ingrid Solberg\n    public: yes\n"
    )
    build(load_visit(write(tmp_path, consented)), tmp_path / "build")


def test_no_hand_written_parser_in_the_package() -> None:
    source = Path(__file__).resolve().parents[1] / "src" / "visitplan"
    for path in source.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for tell in ('split(",")', "split(';')", 'split(":", 1)', "BEGIN:VEVENT", ".split('\\n')"):
            assert tell not in text, (path.name, tell)
