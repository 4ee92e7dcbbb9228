"""Shared fixtures: the shipped examples and an in-process CLI runner."""

from __future__ import annotations

import functools
import os
import shutil
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path

import pytest
import typer.testing
from typer.testing import CliRunner, Result

# Typer makes a click command of the app on every invoke, reading the signature of
# every command (about 40 ms, a tenth of the whole run); the app does not change while
# the tests run, so that is done once.
_typer_testing = vars(typer.testing)
if "_get_command" in _typer_testing:
    _typer_testing["_get_command"] = functools.cache(_typer_testing["_get_command"])

# Builds in tests write their outputs in-process: forking a worker from a test process
# costs more than a small visit's whole build. The shared example builds below use two
# workers, so the parallel path is built and read back in every run.
os.environ.setdefault("VISITPLAN_WORKERS", "1")

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
EXAMPLE_NAMES = sorted(p.name for p in EXAMPLES.iterdir() if (p / "visit.yaml").is_file())
DATA = Path(__file__).parent / "data"

Run = Callable[..., Result]


@pytest.fixture
def run() -> Run:
    """Run the CLI in-process; the result has exit_code, stdout and stderr."""
    from visitplan.cli import app

    runner = CliRunner()

    def invoke(*args: str | Path) -> Result:
        return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)

    return invoke


@pytest.fixture
def example_copy(tmp_path: Path) -> Callable[[str], Path]:
    """A fresh copy of a shipped example; returns the path of its visit.yaml."""

    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(
            EXAMPLES / name, target, ignore=shutil.ignore_patterns("build", ".visitplan-state.json")
        )
        return target / "visit.yaml"

    return copy


BUILT_AT = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def example_builds(tmp_path_factory: pytest.TempPathFactory) -> Mapping[str, Path]:
    """Each shipped example built once for the whole run (read them, don't change them):
    name -> folder holding visit.yaml and build/.

    An example is built when a test first asks for it, and the test processes of one
    run share the builds: the first process to claim an example builds it, the others
    wait for it and read the same folder."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    base = tmp_path_factory.getbasetemp()
    shared = (base.parent if worker else base) / "example-builds"
    shared.mkdir(exist_ok=True)
    return ExampleBuilds(shared)


class ExampleBuilds(Mapping[str, Path]):
    """The shipped examples, each built on first use."""

    def __init__(self, shared: Path) -> None:
        self.shared = shared

    def __getitem__(self, name: str) -> Path:
        if name not in EXAMPLE_NAMES:
            raise KeyError(name)
        try:
            claim = os.open(self.shared / f"{name}.claimed", os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return _wait_for_example(self.shared, name)  # another test process builds it
        os.close(claim)
        _build_example(name, self.shared / name)
        return self.shared / name

    def __iter__(self) -> Iterator[str]:
        return iter(EXAMPLE_NAMES)

    def __len__(self) -> int:
        return len(EXAMPLE_NAMES)


def _build_example(name: str, folder: Path) -> None:
    """Build one example with two workers, so the parallel path is built and read back
    in every run; say when it is done, or why it failed, to the other test processes."""
    from visitplan.build import build
    from visitplan.load import load_visit

    workers = os.environ.get("VISITPLAN_WORKERS")
    os.environ["VISITPLAN_WORKERS"] = "2"
    try:
        folder.mkdir()
        copy_example_files(name, folder)
        build(load_visit(folder / "visit.yaml"), folder / "build", now=BUILT_AT, force=True)
    except BaseException as error:
        folder.with_name(f"{name}.failed").write_text(repr(error), encoding="utf-8")
        raise
    finally:
        if workers is None:
            del os.environ["VISITPLAN_WORKERS"]
        else:
            os.environ["VISITPLAN_WORKERS"] = workers
    folder.with_name(f"{name}.done").touch()


def _wait_for_example(shared: Path, name: str) -> Path:
    deadline = time.monotonic() + 600
    while not (shared / f"{name}.done").exists():
        failed = shared / f"{name}.failed"
        if failed.exists():
            pytest.fail(f"the example {name} did not build: {failed.read_text(encoding='utf-8')}")
        if time.monotonic() > deadline:
            pytest.fail(f"the example {name} was not built within ten minutes")
        time.sleep(0.05)
    return shared / name


def copy_example_files(name: str, folder: Path) -> None:
    """The example's visit.yaml and the images it names (logo, emblem), into ``folder``."""
    for item in (EXAMPLES / name).iterdir():
        if item.is_file() and item.suffix in {".yaml", ".png", ".jpg"}:
            shutil.copy(item, folder / item.name)


def write(tmp_path: Path, text: str, name: str = "visit.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


MINIMAL = """\
visit:
  id: mini
  title: Mini visit
  start_date: 2026-01-27
  end_date: 2026-01-28
  timezone: Europe/Rome
  country: IT
  objectives:
    - id: learn
      text: Learn something
venues:
  - id: hall
    name: Hall
    city: Milan
sessions:
  - id: s1
    title: Welcome
    date: 2026-01-27
    start: 9:30
    end: 10:30
    venue: hall
    objectives: [learn]
participants:
  - id: p1
    name: Representative, Norway
    country: NO
"""


# Fuzzing: the property tests (hypothesis) are slow tests, so the default run stays
# under a minute; `python -m pytest -m slow` (and CI) runs them with 150 cases per
# target, and the deep run, 10,000 per target, with
# `python -m pytest -m slow tests/test_fuzz*.py --hypothesis-profile=deep`. A run that
# leaves the slow tests out does not even import hypothesis.
@pytest.hookimpl(tryfirst=True)  # before hypothesis's own plugin loads a profile
def pytest_configure(config: pytest.Config) -> None:
    if leaves_out_slow_tests(config) and not config.getoption("hypothesis_profile", None):
        return
    from hypothesis import HealthCheck, settings

    settings.register_profile(
        "ci", max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
    settings.register_profile(
        "deep",
        max_examples=10_000,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    settings.load_profile("ci")


def leaves_out_slow_tests(config: pytest.Config) -> bool:
    return bool(config.getoption("markexpr") == "not slow")


# Modules that hold slow tests only (tests/test_structure.py checks that they do): a run
# that leaves out the slow tests does not import them at all.
SLOW_MODULES = frozenset(
    {
        "test_browser.py",
        "test_fuzz.py",
        "test_fuzz_import.py",
        "test_fuzz_output.py",
        "test_fuzz_text.py",
        "test_handover_pdf.py",
        "test_speed.py",
        "test_workbook_source_office.py",
        "test_workbook_source_watch.py",
    }
)


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if collection_path.name in SLOW_MODULES and leaves_out_slow_tests(config):
        return True
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every property test is a slow test."""
    for item in items:
        if getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
            item.add_marker(pytest.mark.slow)
