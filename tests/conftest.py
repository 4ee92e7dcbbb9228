"""Shared fixtures: the shipped examples and an in-process CLI runner."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from visitplan.cli import app

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
def example_builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each shipped example built once for the whole run (read them, don't change them):
    name -> folder holding visit.yaml and build/."""
    from visitplan.build import build
    from visitplan.load import load_visit

    folders = {}
    workers = os.environ.get("VISITPLAN_WORKERS")
    os.environ["VISITPLAN_WORKERS"] = "2"
    try:
        for name in EXAMPLE_NAMES:
            folder = tmp_path_factory.mktemp(name)
            copy_example_files(name, folder)
            build(load_visit(folder / "visit.yaml"), folder / "build", now=BUILT_AT, force=True)
            folders[name] = folder
    finally:
        if workers is None:
            del os.environ["VISITPLAN_WORKERS"]
        else:
            os.environ["VISITPLAN_WORKERS"] = workers
    return folders


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
# `python -m pytest -m slow tests/test_fuzz*.py --hypothesis-profile=deep`.
from hypothesis import HealthCheck, settings  # noqa: E402

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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every property test is a slow test."""
    for item in items:
        if getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
            item.add_marker(pytest.mark.slow)
