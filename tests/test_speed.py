"""The edit-check loop stays quick by structure: what `check` and `build` import, and
in how many processes. No timers here; bench/run.py measures the times."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# Each test starts visitplan in fresh processes: a few seconds, so in the full run.
pytestmark = pytest.mark.slow

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
MILAN = "milan-exchange-2026"
# What only `build` needs: the office and calendar libraries, the page's templates and
# QR codes, the privacy audit's phone numbers, CLDR dates and the build's worker pool.
BUILD_ONLY = (
    "openpyxl",
    "docx",
    "icalendar",
    "jinja2",
    "segno",
    "phonenumbers",
    "babel",
    "ruamel",
    "concurrent.futures",
    "multiprocessing",
)


def imports_of(*args: str | Path, cwd: Path, **env: str) -> list[str]:
    """Every module imported by ``visitplan ARGS`` (in each process it ran), in order,
    with its output going to a pipe as an editor or a script reads it."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "visitplan", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **env},
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr[-2000:]
    return [
        line.split("|")[-1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and not line.rstrip().endswith("package")
    ]


@pytest.fixture
def milan(tmp_path: Path) -> Path:
    target = tmp_path / MILAN
    shutil.copytree(
        EXAMPLES / MILAN, target, ignore=shutil.ignore_patterns("build", ".visitplan-state.json")
    )
    return target / "visit.yaml"


def test_check_imports_no_library_that_only_build_needs(milan: Path) -> None:
    imported = imports_of("check", milan, cwd=milan.parent)
    assert "visitplan.checks" in imported
    unwanted = {
        name
        for name in imported
        if any(name == lib or name.startswith(lib + ".") for lib in BUILD_ONLY)
    }
    assert not unwanted, sorted(unwanted)


def modules_after(*args: str | Path) -> set[str]:
    """The names in sys.modules when ``visitplan ARGS`` ends (one process)."""
    script = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('\\n'.join(sys.modules), file=sys.stderr))\n"
        f"sys.argv = ['visitplan', *{[str(a) for a in args]!r}]\n"
        "from visitplan.cli import main\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert done.returncode in (0, 1), done.stderr[-2000:]
    return set(done.stderr.splitlines())


def test_check_loads_the_holidays_of_the_venues_country_only(milan: Path) -> None:
    modules = modules_after("check", milan)
    # Milan's venues are in Italy: its module, and not the package of 250 countries.
    assert "holidays.countries.italy" in modules
    assert "holidays.countries" not in modules
    assert "holidays.countries.france" not in modules


def test_piped_check_draws_no_table(milan: Path) -> None:
    imported = imports_of("check", milan, cwd=milan.parent)
    assert "rich.table" not in imported


@pytest.mark.skipif(sys.platform != "linux", reason="worker processes are forked on Linux")
def test_two_worker_build_imports_python_docx_in_one_process_only(milan: Path) -> None:
    imported = imports_of("build", milan, "--quiet", cwd=milan.parent, VISITPLAN_WORKERS="2")
    assert imported.count("docx") == 1
    assert (milan.parent / "build" / "private" / "agenda.docx").is_file()
    assert (milan.parent / "build" / "private" / "badges.docx").is_file()
    assert (milan.parent / "build" / "private" / "takeaways.docx").is_file()
