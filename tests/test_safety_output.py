"""Nothing lost: what a build or an import writes, replaces and leaves behind.

Each test does what a user did: runs the command line in a temporary folder (foreign
folders, links, full disks, damaged state files), then reads the files back.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft6Validator, FormatChecker
from typer.testing import CliRunner

from conftest import DATA, MINIMAL, Run, write
from visitplan.cli import app

STATE = ".visitplan-state.json"
RESTART = "every participant's personal calendar link will change"
TWO_PEOPLE = MINIMAL + (
    "  - id: p2\n    name: Maria Rossi\n    country: IT\n"
    "    arrival: 2026-01-26 18:00\n    departure: 2026-01-28 20:00\n"
)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def files_in(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")}


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


# -- 1. foreign folders -----------------------------------------------------------------


def test_a_folder_with_another_programs_manifest_is_left_alone(tmp_path: Path, run: Run) -> None:
    visit_file = write(tmp_path, MINIMAL)
    web = tmp_path / "web"
    web.mkdir()
    (web / "manifest.json").write_text('{"name": "app"}', encoding="utf-8")
    (web / "precious.txt").write_text("keep me", encoding="utf-8")
    before = snapshot(web)
    result = run("build", visit_file, "-o", web)
    assert result.exit_code == 2
    assert "VP010" in result.stderr and "did not make" in result.stderr
    assert "its manifest.json is another program's" in result.stderr
    assert snapshot(web) == before
    assert not (tmp_path / STATE).exists()


def test_the_folder_of_the_visit_file_is_never_an_output_folder(tmp_path: Path, run: Run) -> None:
    visit_file = write(tmp_path, MINIMAL)
    (tmp_path / "notes.txt").write_text("my notes", encoding="utf-8")
    (tmp_path / "manifest.json").write_text('{"name": "app"}', encoding="utf-8")
    before = snapshot(tmp_path)
    result = run("build", visit_file, "-o", tmp_path)
    assert result.exit_code == 2
    assert "VP010" in result.stderr and f"holds the visit file {visit_file}" in result.stderr
    assert snapshot(tmp_path) == before
    assert files_in(tmp_path) == {"visit.yaml", "notes.txt", "manifest.json"}


def test_an_ancestor_of_the_visit_file_is_never_an_output_folder(tmp_path: Path, run: Run) -> None:
    project = tmp_path / "project" / "milan"
    project.mkdir(parents=True)
    visit_file = write(project, MINIMAL)
    result = run("build", visit_file, "-o", tmp_path / "project")
    assert result.exit_code == 2
    assert "holds the visit file" in result.stderr
    assert files_in(tmp_path) == {"project", "project/milan", "project/milan/visit.yaml"}


def test_a_folder_holding_the_state_file_is_never_an_output_folder(
    tmp_path: Path, run: Run
) -> None:
    visit_file = write(tmp_path, MINIMAL)
    assert run("build", visit_file, "-o", tmp_path / "out").exit_code == 0
    keep = tmp_path / "secrets"
    keep.mkdir()
    (tmp_path / STATE).rename(keep / "state.json")
    (tmp_path / STATE).symlink_to(keep / "state.json")
    before = snapshot(keep)
    result = run("build", visit_file, "-o", keep)
    assert result.exit_code == 2
    assert f"holds the state file {keep / 'state.json'}" in result.stderr
    assert snapshot(keep) == before


def test_a_file_added_to_the_build_folder_stops_the_next_build(tmp_path: Path, run: Run) -> None:
    visit_file = write(tmp_path, MINIMAL)
    assert run("build", visit_file).exit_code == 0
    out = tmp_path / "build"
    (out / "private" / "minutes.docx").write_bytes(b"the meeting's minutes")
    (out / "photos").mkdir()
    (out / "photos" / "group.jpg").write_bytes(b"\xff\xd8")
    before = snapshot(out)
    result = run("build", visit_file)
    assert result.exit_code == 2
    assert "VP010" in result.stderr
    assert "photos/" in result.stderr and "private/minutes.docx" in result.stderr
    assert snapshot(out) == before


def test_an_output_edited_by_hand_is_not_overwritten(tmp_path: Path, run: Run) -> None:
    visit_file = write(tmp_path, MINIMAL)
    assert run("build", visit_file).exit_code == 0
    agenda = tmp_path / "build" / "private" / "agenda.md"
    agenda.write_text(agenda.read_text(encoding="utf-8") + "\nMy notes from the call.\n")
    result = run("build", visit_file)
    assert result.exit_code == 2
    assert "private/agenda.md (changed since the build)" in result.stderr
    assert agenda.read_text(encoding="utf-8").endswith("My notes from the call.\n")


@pytest.mark.slow
def test_a_link_placed_in_the_build_folder_stops_the_next_build(tmp_path: Path, run: Run) -> None:
    visit_file = write(tmp_path, MINIMAL)
    assert run("build", visit_file).exit_code == 0
    elsewhere = tmp_path / "uploads"
    elsewhere.mkdir()
    (elsewhere / "file.txt").write_text("x", encoding="utf-8")
    (tmp_path / "build" / "uploads").symlink_to(elsewhere)
    result = run("build", visit_file)
    assert result.exit_code == 2 and "uploads" in result.stderr
    assert (tmp_path / "build" / "uploads").is_symlink()
    assert (elsewhere / "file.txt").read_text(encoding="utf-8") == "x"


def test_the_manifest_is_visitplans_own_and_lists_every_file(tmp_path: Path, run: Run) -> None:
    visit_file = write(tmp_path, MINIMAL)
    assert run("build", visit_file).exit_code == 0
    out = tmp_path / "build"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["generator"] == "visitplan" and manifest["format"] == 2
    listed = {entry["path"] for entry in manifest["outputs"]}
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert listed == on_disk - {"manifest.json"}
    # Its own build, with what file managers leave behind, is replaced without a word.
    (out / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    (out / "public" / "Thumbs.db").write_bytes(b"\xd0\xcf")
    assert run("build", visit_file).exit_code == 0


def old_manifest(out: Path) -> None:
    """Make the manifest look like one written by the previous version."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    manifest["generator"] = "visitplan 0.1.0"
    del manifest["format"], manifest["version"]
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


@pytest.mark.slow
def test_a_build_of_the_previous_version_is_replaced_when_it_matches_its_manifest(
    tmp_path: Path, run: Run
) -> None:
    visit_file = write(tmp_path, MINIMAL)
    assert run("build", visit_file).exit_code == 0
    old_manifest(tmp_path / "build")
    assert run("build", visit_file).exit_code == 0
    manifest = json.loads((tmp_path / "build" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["generator"] == "visitplan"


@pytest.mark.slow
def test_a_build_of_the_previous_version_with_other_files_is_left_alone(
    tmp_path: Path, run: Run
) -> None:
    visit_file = write(tmp_path, MINIMAL)
    assert run("build", visit_file).exit_code == 0
    out = tmp_path / "build"
    old_manifest(out)
    (out / "readme.txt").write_text("mine", encoding="utf-8")
    before = snapshot(out)
    result = run("build", visit_file)
    assert result.exit_code == 2
    assert "older visitplan" in result.stderr and "delete the folder by hand" in result.stderr
    assert snapshot(out) == before


# -- 2. links ---------------------------------------------------------------------------


@pytest.mark.slow
def test_an_output_folder_given_as_a_link_is_built_in_its_target(tmp_path: Path, run: Run) -> None:
    visit_file = write(tmp_path, MINIMAL)
    webroot = tmp_path / "www" / "html"
    webroot.mkdir(parents=True)
    webroot.chmod(0o755)
    link = tmp_path / "site"
    link.symlink_to(webroot)
    for _ in range(2):
        result = run("build", visit_file, "-o", link)
        assert result.exit_code == 0, result.stderr
    assert link.is_symlink() and link.resolve() == webroot.resolve()
    assert (webroot / "public" / "index.html").is_file()
    assert stat.S_IMODE(webroot.stat().st_mode) == 0o755  # the web server can still read it
    leftovers = [p.name for p in [*tmp_path.iterdir(), *webroot.parent.iterdir()]]
    assert sorted(leftovers) == sorted([STATE, "site", "visit.yaml", "www", "html"])


def registrations(folder: Path) -> Path:
    sheet = folder / "registrations.csv"
    sheet.write_text("Name,Email,Country\nJan de Vries,jan@example.org,NL\n", encoding="utf-8")
    return sheet


def test_import_into_a_linked_visit_file_writes_the_file_it_points_to(
    tmp_path: Path, run: Run
) -> None:
    real = tmp_path / "shared" / "visit.yaml"
    real.parent.mkdir()
    real.write_text(MINIMAL, encoding="utf-8")
    link = tmp_path / "visit.yaml"
    link.symlink_to(real)
    result = run("participants", "import", registrations(tmp_path), "--visit", link)
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert "Jan de Vries" in real.read_text(encoding="utf-8")
    assert (real.parent / "visit.yaml.bak").read_text(encoding="utf-8") == MINIMAL
    assert not (tmp_path / "visit.yaml.bak").exists()


# -- 3. truthful failures, temporary files, mode and line endings --------------------------


def test_import_keeps_the_permissions_of_the_visit_file(tmp_path: Path, run: Run) -> None:
    visit_file = write(tmp_path, MINIMAL)
    visit_file.chmod(0o600)
    result = run("participants", "import", registrations(tmp_path), "--visit", visit_file)
    assert result.exit_code == 0, result.stderr
    assert stat.S_IMODE(visit_file.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "visit.yaml.bak").stat().st_mode) == 0o600


def test_import_keeps_windows_line_endings(tmp_path: Path, run: Run) -> None:
    visit_file = tmp_path / "visit.yaml"
    visit_file.write_bytes(MINIMAL.replace("\n", "\r\n").encode("utf-8"))
    before = visit_file.read_bytes().count(b"\r\n")
    result = run("participants", "import", registrations(tmp_path), "--visit", visit_file)
    assert result.exit_code == 0, result.stderr
    data = visit_file.read_bytes()
    assert b"Jan de Vries" in data
    assert data.count(b"\r\n") == data.count(b"\n") > before
    assert data.count(b"\r") == data.count(b"\r\n")


@pytest.mark.slow
def test_copies_left_by_killed_processes_are_removed_by_the_next_build(
    tmp_path: Path, run: Run
) -> None:
    visit_file = write(tmp_path, MINIMAL)
    assert run("build", visit_file).exit_code == 0
    pid = dead_pid()
    state_copy = tmp_path / f".{STATE}.tmp-{pid}"
    visit_copy = tmp_path / f".visit.yaml.tmp-{pid}"
    backup_copy = tmp_path / f".visit.yaml.bak.tmp-{pid}"
    state_copy.write_bytes((tmp_path / STATE).read_bytes())
    visit_copy.write_text(MINIMAL, encoding="utf-8")
    backup_copy.write_text(MINIMAL, encoding="utf-8")
    assert run("build", visit_file).exit_code == 0
    assert {p.name for p in tmp_path.iterdir()} == {"visit.yaml", STATE, "build"}
    assert not state_copy.exists() and not visit_copy.exists() and not backup_copy.exists()


def test_a_copy_left_by_a_killed_import_is_removed_by_the_next_import(
    tmp_path: Path, run: Run
) -> None:
    visit_file = write(tmp_path, MINIMAL)
    left = tmp_path / f".visit.yaml.tmp-{dead_pid()}"
    left.write_text(MINIMAL + "  - id: half\n", encoding="utf-8")
    result = run("participants", "import", registrations(tmp_path), "--visit", visit_file)
    assert result.exit_code == 0, result.stderr
    assert files_in(tmp_path) == {
        "visit.yaml",
        "visit.yaml.bak",
        ".visit.yaml.imported.json",  # what was imported, for corrections to survive
        "registrations.csv",
    }


def can_mount_a_small_disk() -> bool:
    if sys.platform != "linux" or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"],
        capture_output=True,
        check=False,
    )
    return probe.returncode == 0


small_disk = pytest.mark.skipif(
    not can_mount_a_small_disk(), reason="needs unshare and a tmpfs mount (Linux)"
)

# Runs in a private mount namespace where `disk` is a tmpfs of DISK_SIZE: each step of a
# test on a full disk, then what it found, as JSON.
DRIVER = r"""
import json, os, subprocess, sys
from pathlib import Path

work, disk, steps = Path(sys.argv[1]), Path(sys.argv[2]), json.loads(sys.argv[3])
found = {}


def fill(_):
    descriptor = os.open(disk / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(descriptor, b"\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def copy(names):
    source, target = names
    (Path(target)).write_bytes(Path(source).read_bytes())


def run(args):
    done = subprocess.run(
        [sys.executable, "-m", "visitplan", *args], capture_output=True, text=True
    )
    return {"code": done.returncode, "stdout": done.stdout, "stderr": done.stderr}


def files(folder):
    folder = Path(folder)
    return {
        p.relative_to(folder).as_posix(): p.read_bytes().hex()
        for p in sorted(folder.rglob("*")) if p.is_file()
    } if folder.exists() else None


def names(folder):
    return sorted(p.name for p in Path(folder).iterdir())


for number, (action, argument) in enumerate(steps):
    found[str(number)] = {"fill": fill, "copy": copy, "run": run, "files": files,
                          "names": names}[action](argument)
print(json.dumps(found))
"""


def on_a_small_disk(tmp_path: Path, steps: list[tuple[str, Any]], size: str = "64k") -> Any:
    disk = tmp_path / "disk"
    disk.mkdir()
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER, encoding="utf-8")
    mount = f'mount -t tmpfs -o size={size} tmpfs "$3" && exec "$0" "$@"'
    arguments = [str(driver), str(tmp_path), str(disk), json.dumps(steps)]
    done = subprocess.run(
        ["unshare", "-rm", "sh", "-c", mount, sys.executable, *arguments],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.slow  # a real full disk: a tmpfs in a private mount namespace
@small_disk
def test_a_state_file_that_cannot_be_written_publishes_nothing(tmp_path: Path) -> None:
    """A full disk beside the visit file: no swap, and the message says so."""
    (tmp_path / "v1.yaml").write_text(MINIMAL, encoding="utf-8")
    (tmp_path / "v2.yaml").write_text(TWO_PEOPLE, encoding="utf-8")
    disk, out = tmp_path / "disk", tmp_path / "out"
    build = ("run", ["build", str(disk / "visit.yaml"), "-o", str(out), "--quiet"])
    found = on_a_small_disk(
        tmp_path,
        [
            ("copy", [str(tmp_path / "v1.yaml"), str(disk / "visit.yaml")]),
            build,
            ("files", str(out)),
            ("files", str(disk)),
            ("copy", [str(tmp_path / "v2.yaml"), str(disk / "visit.yaml")]),
            ("fill", None),
            build,
            ("files", str(out)),
            ("files", str(disk)),
        ],
    )
    assert found["1"]["code"] == 0, found["1"]["stderr"]
    failed = found["6"]
    assert failed["code"] == 1
    assert "VP303" in failed["stderr"] and "state file cannot be written" in failed["stderr"]
    assert "nothing was published" in failed["stderr"] and "Traceback" not in failed["stderr"]
    assert found["7"] == found["2"]  # the previous output, as it was
    state_before, state_after = found["3"][STATE], found["8"][STATE]
    assert state_after == state_before
    assert set(found["8"]) == {"visit.yaml", STATE, "filler"}  # no temporary copy


@pytest.mark.slow  # a real full disk: a tmpfs in a private mount namespace
@small_disk
def test_an_import_on_a_full_disk_changes_nothing_and_leaves_no_copy(tmp_path: Path) -> None:
    (tmp_path / "v1.yaml").write_text(MINIMAL, encoding="utf-8")
    disk = tmp_path / "disk"
    found = on_a_small_disk(
        tmp_path,
        [
            ("copy", [str(tmp_path / "v1.yaml"), str(disk / "visit.yaml")]),
            ("fill", None),
            (
                "run",
                [
                    "participants",
                    "import",
                    str(registrations(tmp_path)),
                    "--visit",
                    str(disk / "visit.yaml"),
                ],
            ),
            ("names", str(disk)),
            ("files", str(disk)),
        ],
    )
    failed = found["2"]
    assert failed["code"] == 1
    assert "was not changed" in failed["stderr"] and "Traceback" not in failed["stderr"]
    assert found["3"] == ["filler", "visit.yaml"]
    assert bytes.fromhex(found["4"]["visit.yaml"]).decode("utf-8") == MINIMAL


# -- 5. the audit reads the visit the build came from --------------------------------------


def test_audit_reads_the_visit_the_build_came_from(
    tmp_path: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`build project/visit.yaml -o site/out`, then `audit site/out`, from one folder."""
    monkeypatch.chdir(tmp_path)
    project = tmp_path / "project"
    project.mkdir()
    text = MINIMAL.replace("    name: Representative, Norway\n", "    name: Ingrid Solberg\n")
    visit_file = write(project, text)
    out = Path("site", "out")
    assert run("build", "project/visit.yaml", "-o", out).exit_code == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["visit"]["file"] == str(visit_file.resolve())
    assert manifest["visit"]["sha256"] == hashlib.sha256(visit_file.read_bytes()).hexdigest()
    # An unrelated visit beside the build is not the one the audit reads.
    write(tmp_path / "site", MINIMAL.replace("id: mini", "id: other"))
    page = out / "public" / "index.html"
    page.write_text(page.read_text(encoding="utf-8").replace("</body>", "Ingrid Solberg</body>"))
    result = run("audit", out)
    assert result.exit_code == 1
    assert "VP301" in result.stdout


def test_audit_says_when_the_visit_of_the_build_is_missing(tmp_path: Path, run: Run) -> None:
    visit_file = write(tmp_path, MINIMAL)
    out = tmp_path / "out"
    assert run("build", visit_file, "-o", out).exit_code == 0
    visit_file.rename(tmp_path / "moved.yaml")
    result = run("audit", out)
    assert result.exit_code == 2
    assert f"{visit_file.resolve()}, is missing" in result.stderr
    assert "--visit" in result.stderr


def test_audit_says_when_the_visit_changed_since_the_build(tmp_path: Path, run: Run) -> None:
    visit_file = write(tmp_path, MINIMAL)
    assert run("build", visit_file).exit_code == 0
    write(tmp_path, TWO_PEOPLE)
    result = run("audit", tmp_path / "build")
    assert result.exit_code == 2
    assert "has changed since this build was made" in result.stderr
    assert run("audit", tmp_path / "build", "--visit", visit_file).exit_code == 0


# -- 12. the state file is checked as a whole --------------------------------------------


@pytest.fixture(scope="module")
def first_state(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The state file a first build of TWO_PEOPLE writes (built once for the module)."""
    folder = tmp_path_factory.mktemp("first-build")
    result = CliRunner().invoke(app, ["build", str(write(folder, TWO_PEOPLE))])
    assert result.exit_code == 0, result.output
    return (folder / STATE).read_text(encoding="utf-8")


def built_state(tmp_path: Path, first_state: str) -> tuple[Path, dict[str, Any]]:
    """A visit that was built once (its state file beside it), and that state."""
    visit_file = write(tmp_path, TWO_PEOPLE)
    return visit_file, json.loads(first_state)


def damage_session(state: dict[str, Any]) -> str:
    state["sessions"]["s1"] = {}
    return "sessions → s1: 'digest' is missing"


def damage_sequence(state: dict[str, Any]) -> str:
    state["sessions"]["s1"]["sequence"] = "abc"
    return "sessions → s1 → sequence: must be a whole number, not the text 'abc'"


def damage_token(state: dict[str, Any]) -> str:
    state["tokens"]["p1"] = "../../../escaped"
    return "tokens → p1: '../../../escaped' is not a personal feed token"


def share_token(state: dict[str, Any]) -> str:
    state["tokens"]["p2"] = state["tokens"]["p1"]
    return "'p2' has the same personal feed token as 'p1'"


def share_token_but_capitals(state: dict[str, Any]) -> str:
    state["tokens"]["p2"] = state["tokens"]["p1"].swapcase()
    return "'p2' has the same personal feed token as 'p1'"


def other_visit(state: dict[str, Any]) -> str:
    state["visit"] = "another-visit"
    return "belongs to the visit 'another-visit', not to 'mini'"


def other_visit_of_the_previous_version(state: dict[str, Any]) -> str:
    del state["visit"]
    for entry in state["sessions"].values():
        entry["uid"] = entry["uid"].replace("@mini.", "@another-visit.")
    return "belongs to the visit 'another-visit', not to 'mini'"


def bad_zone(state: dict[str, Any]) -> str:
    state["sessions"]["s1"]["fields"]["tzid"] = "../../etc/passwd"
    return "tzid: '../../etc/passwd' is not a time zone"


def control_character(state: dict[str, Any]) -> str:
    state["sessions"]["s1"]["fields"]["summary"] = "Welcome\x0b"
    return "summary: holds the control character U+000B"


@pytest.mark.parametrize(
    "damage",
    [
        damage_session,
        damage_sequence,
        damage_token,
        share_token,
        share_token_but_capitals,
        other_visit,
        other_visit_of_the_previous_version,
        bad_zone,
        control_character,
    ],
)
@pytest.mark.slow
def test_a_damaged_state_file_is_refused_with_its_place_and_fix(
    tmp_path: Path, run: Run, first_state: str, damage: Any
) -> None:
    visit_file, state = built_state(tmp_path, first_state)
    expected = damage(state)
    (tmp_path / STATE).write_text(json.dumps(state, indent=1), encoding="utf-8")
    before = snapshot(tmp_path)
    result = run("build", visit_file)
    assert result.exit_code == 2
    assert "VP010" in result.stderr and expected in result.stderr
    assert f"{tmp_path / STATE}:" in result.stderr  # with its line
    assert RESTART in result.stderr
    assert snapshot(tmp_path) == before
    # A token such as "../../../escaped" would have written beside or above the visit.
    assert not list(tmp_path.rglob("escaped*")) and not list(tmp_path.parent.glob("escaped*"))


@pytest.mark.slow
def test_every_problem_of_a_state_file_is_reported_at_once(
    tmp_path: Path, run: Run, first_state: str
) -> None:
    visit_file, state = built_state(tmp_path, first_state)
    damage_sequence(state)
    damage_token(state)
    text = json.dumps(state, indent=1)
    (tmp_path / STATE).write_text(text, encoding="utf-8")
    result = run("build", visit_file)
    assert result.exit_code == 2
    lines = text.splitlines()
    sequence_line = next(n for n, line in enumerate(lines, 1) if '"sequence": "abc"' in line)
    token_line = next(n for n, line in enumerate(lines, 1) if "../../../escaped" in line)
    assert f"{STATE}:{sequence_line}:" in result.stderr
    assert f"{STATE}:{token_line}:" in result.stderr
    assert "2 problems to fix" in result.stderr


def test_a_state_file_that_is_not_json_says_where(
    tmp_path: Path, run: Run, first_state: str
) -> None:
    visit_file, state = built_state(tmp_path, first_state)
    text = json.dumps(state, indent=1).replace('"tokens": {', '"tokens": {,', 1)
    (tmp_path / STATE).write_text(text, encoding="utf-8")
    result = run("build", visit_file)
    assert result.exit_code == 2
    line = next(n for n, row in enumerate(text.splitlines(), 1) if '"tokens": {,' in row)
    assert f"{STATE}:{line}:" in result.stderr and "not valid JSON" in result.stderr


# -- 13. unique output names ---------------------------------------------------------------


@pytest.mark.parametrize(("first", "second"), [("a.", "a_"), ("Room", "room"), ("g.", "G_")])
def test_groups_that_would_share_a_feed_file_are_refused(
    tmp_path: Path, run: Run, first: str, second: str
) -> None:
    text = (
        MINIMAL + f"groups:\n  - {{id: '{first}', name: One}}\n  - {{id: '{second}', name: Two}}\n"
    )
    visit_file = write(tmp_path, text)
    result = run("check", visit_file)
    assert result.exit_code == 2
    assert "VP005" in result.stderr
    assert f"groups '{first}' and '{second}' would share one calendar file" in result.stderr
    assert run("build", visit_file, "--force").exit_code == 2
    assert not (tmp_path / "build").exists()


@pytest.mark.slow
@pytest.mark.parametrize("reserved", ["COM0", "lpt0", "Com9", "con"])
def test_every_windows_device_name_is_renamed(tmp_path: Path, run: Run, reserved: str) -> None:
    text = MINIMAL + f"groups:\n  - {{id: '{reserved}', name: One}}\n"
    visit_file = write(tmp_path, text)
    assert run("build", visit_file).exit_code == 0
    (feed,) = (tmp_path / "build" / "public" / "groups").iterdir()
    assert feed.name == f"_{reserved}.ics"
    page = (tmp_path / "build" / "public" / "index.html").read_text(encoding="utf-8")
    assert f"groups/_{reserved}.ics" in page


# -- 16. full disk and size limits ----------------------------------------------------------


@pytest.mark.slow  # a real full disk: a tmpfs in a private mount namespace
@small_disk
@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_full_disk_prints_one_clean_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: str
) -> None:
    monkeypatch.setenv("VISITPLAN_WORKERS", workers)
    visit_file = write(tmp_path, MINIMAL)
    disk = tmp_path / "disk"
    found = on_a_small_disk(
        tmp_path,
        [("run", ["build", str(visit_file), "-o", str(disk / "out")]), ("names", str(disk))],
    )
    failed = found["0"]
    assert failed["code"] == 1
    assert failed["stderr"].count("No space left on device") == 1, failed["stderr"]
    assert "Exception ignored" not in failed["stderr"]
    assert "Traceback" not in failed["stderr"]
    assert "Build failed, previous output left as it was" in failed["stderr"]
    assert found["1"] == []  # no half-written temporary folder, no lock


def test_the_size_limit_is_said_correctly(tmp_path: Path, run: Run) -> None:
    visit_file = write(tmp_path, MINIMAL)
    with visit_file.open("r+b") as stream:
        stream.truncate(52 * 1024 * 1024)
    result = run("check", visit_file)
    assert result.exit_code == 2
    assert "the file is 52 MB, over the limit of 50 MB" in result.stderr
    with visit_file.open("r+b") as stream:
        stream.truncate(50 * 1024 * 1024 + 1)
    assert "the file is 50.1 MB, over the limit of 50 MB" in run("check", visit_file).stderr


# -- 17. schedule.json is valid c3voc JSON, formats checked --------------------------------


def c3voc_validator() -> Draft6Validator:
    schema = json.loads((DATA / "c3voc-schedule.schema.json").read_text(encoding="utf-8"))
    checker = FormatChecker()  # every format jsonschema knows, not only draft 6's
    # Without these, jsonschema skips the formats silently and every value passes.
    assert {"date-time", "uri", "uuid", "date"} <= set(checker.checkers)
    return Draft6Validator(schema, format_checker=checker)


def test_schedule_json_is_valid_c3voc_json_with_formats_checked(tmp_path: Path, run: Run) -> None:
    """No base_url, and a day without sessions: both used to break formats."""
    visit_file = write(tmp_path, MINIMAL)
    assert run("build", visit_file).exit_code == 0
    document = json.loads(
        (tmp_path / "build" / "public" / "schedule.json").read_text(encoding="utf-8")
    )
    errors = [e.message for e in c3voc_validator().iter_errors(document)]
    assert errors == []
    days = document["schedule"]["conference"]["days"]
    empty = next(day for day in days if not day["rooms"])
    assert empty["day_start"] == "2026-01-28T00:00:00+01:00"
    (event,) = [e for day in days for items in day["rooms"].values() for e in items]
    assert event["url"] == f"urn:uuid:{event['guid']}"


def test_schedule_json_urls_are_uris_with_a_public_address(tmp_path: Path, run: Run) -> None:
    text = MINIMAL.replace(
        "  country: IT\n",
        "  country: IT\n  publishing:\n    base_url: https://example.org/visite di Milano/è/\n",
    )
    visit_file = write(tmp_path, text)
    assert run("build", visit_file).exit_code == 0
    document = json.loads(
        (tmp_path / "build" / "public" / "schedule.json").read_text(encoding="utf-8")
    )
    assert [e.message for e in c3voc_validator().iter_errors(document)] == []
    (event,) = [
        e
        for day in document["schedule"]["conference"]["days"]
        for i in day["rooms"].values()
        for e in i
    ]
    assert event["url"] == "https://example.org/visite%20di%20Milano/%C3%A8/index.html#s1"


def test_the_schedule_check_catches_what_used_to_be_written() -> None:
    """The validator really checks formats: the old values fail."""
    day = {"index": 1, "date": "2026-03-30", "rooms": {}}
    old_day = {**day, "day_start": "2026-03-30T00:00:00", "day_end": "2026-03-30T00:00:00"}
    document = {
        "schedule": {
            "version": "1",
            "conference": {
                "acronym": "mini",
                "title": "Mini",
                "start": "2026-03-30",
                "end": "2026-03-30",
                "daysCount": 1,
                "timeslot_duration": "00:15",
                "days": [old_day],
            },
        }
    }
    messages = [e.message for e in c3voc_validator().iter_errors(document)]
    assert "'2026-03-30T00:00:00' is not a 'date-time'" in messages
    document["schedule"]["base_url"] = ""
    assert "'' is not a 'uri'" in [e.message for e in c3voc_validator().iter_errors(document)]
