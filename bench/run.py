"""visitplan's benchmark: start-up, check and build against size, each output against its
library floor, imports, and peak memory. Writes bench/results.md.

    python bench/run.py                 # the full run (a few minutes)
    python bench/run.py --quick         # N = 1, 2 only and fewer repeats (a smoke test)
    python bench/run.py --assert        # exit 1 when a target is missed
    python bench/run.py --large-import  # only the 200,000-row import (its own section)

Every figure is the median of several runs on this machine, in one run, so the ratios
compare like with like. visitplan's modules are compiled to byte code first, as
``pip install`` does, so that no command pays for compiling them.
"""

from __future__ import annotations

import argparse
import compileall
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import generate  # noqa: E402

PYTHON = sys.executable
VISITPLAN = [PYTHON, "-m", "visitplan"]
MILAN = HERE.parent / "examples" / "milan-exchange-2026"

TARGETS = {
    "help_ratio": 1.5,
    "check_milan": 3.0,
    "build_milan": 8.0,
    "check_10": 2.0,
    "build_10": 15.0,
    "floor_sum": 1.0,
    "exponent": 1.0,
    "exporter_ratio": 1.5,
    "import_xlsx": 3.0,
    "import_csv": 1.0,
    "memory_mib": 1024.0,
    "large_import_s": 60.0,
    "large_import_mib": 300.0,
}
LARGE_ROWS = 200_000
LARGE_MARK = "## A 200,000-row registration CSV"


def median_time(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run(args: list[str], **env: str) -> None:
    subprocess.run(
        args,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **env},
    )


def fitted_exponent(sizes: list[int], times: list[float]) -> float:
    """Slope of log(time) against log(N), least squares."""
    xs = [math.log(n) for n in sizes]
    ys = [math.log(t) for t in times]
    mean_x, mean_y = statistics.mean(xs), statistics.mean(ys)
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mean_x) ** 2 for x in xs
    )


def startup(repeat: int) -> dict[str, float]:
    help_time = median_time(lambda: run([*VISITPLAN, "--help"]), repeat)
    typer_time = median_time(lambda: run([PYTHON, "-c", "import typer"]), repeat)
    return {"help": help_time, "typer": typer_time, "help_ratio": help_time / typer_time}


# The least any `check` can cost with this stack: a typer command with check's
# arguments (typer builds pydantic adapters for them), pydantic, PyYAML composing the
# file, and rich printing one line. No visitplan code.
LOOP_FLOOR = """
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer()


class Format(str, Enum):
    text = "text"
    json = "json"


@app.command()
def check(
    visit_file: Annotated[Path | None, typer.Argument()] = None,
    output: Annotated[Format, typer.Option("--format")] = Format.text,
    strict: Annotated[bool, typer.Option("--strict")] = False,
    explain: Annotated[str | None, typer.Option("--explain")] = None,
) -> None:
    import pydantic  # noqa: F401
    import yaml
    from rich.console import Console

    yaml.compose(visit_file.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    Console().print("checked")


@app.command()
def build() -> None:
    pass


app()
"""


def milan(work: Path, repeat: int) -> dict[str, float]:
    """Check and build of the Milan example (a copy: the build keeps its state beside it),
    the edit-check loop of an officer."""
    folder = work / "milan"
    shutil.copytree(MILAN, folder)
    visit = folder / "visit.yaml"
    floor = work / "loop_floor.py"
    floor.write_text(LOOP_FLOOR, encoding="utf-8")
    return {
        "floor": median_time(lambda: run([PYTHON, str(floor), "check", str(visit)]), repeat),
        "check": median_time(lambda: run([*VISITPLAN, "check", str(visit)]), repeat),
        "build": median_time(
            lambda: run([*VISITPLAN, "build", str(visit), "--force", "--quiet"]), repeat
        ),
    }


def scaling(work: Path, sizes: list[int], repeat: int) -> dict[str, dict[int, float]]:
    checks, builds = {}, {}
    for n in sizes:
        folder = work / f"visit-{n}"
        folder.mkdir()
        visit = folder / "visit.yaml"
        visit.write_text(generate.visit_yaml(n), encoding="utf-8")
        checks[n] = median_time(lambda v=visit: run([*VISITPLAN, "check", str(v)]), repeat)
        builds[n] = median_time(
            lambda v=visit: run([*VISITPLAN, "build", str(v), "--force", "--quiet"]), repeat
        )
    return {"check": checks, "build": builds}


def peak_memory(work: Path, n: int) -> float:
    """The largest resident size of the build's processes, in MiB (one worker: all of it
    in one process)."""
    visit = work / f"visit-{n}" / "visit.yaml"
    script = (
        "import resource, subprocess, sys;"
        f"subprocess.run({[*VISITPLAN, 'build', str(visit), '--force', '--quiet']!r},"
        " stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True,"
        " env={**__import__('os').environ, 'VISITPLAN_WORKERS': '1'});"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    done = subprocess.run([PYTHON, "-c", script], capture_output=True, text=True, check=True)
    return int(done.stdout.strip()) / 1024


def exporters_against_floors(work: Path, n: int, repeat: int) -> list[tuple[str, float, float]]:
    """(output, exporter seconds, floor seconds) at size n, each alone, in this process."""
    import floors

    from visitplan.exporters import BuildContext, exporter
    from visitplan.labels import Labels
    from visitplan.load import load_visit
    from visitplan.publication import Record, publish
    from visitplan.state import State, tokens_for

    loaded = load_visit(work / f"visit-{n}" / "visit.yaml")
    visit = loaded.visit
    now = datetime.now(UTC).replace(microsecond=0)
    publication = publish(visit, Record(), tokens_for(visit, State())[0], now, Labels("en"))
    rows = []
    for exporter_id, prepare in floors.FLOORS.items():
        out = Path(tempfile.mkdtemp(dir=work))
        context = BuildContext(
            out=out, visit_file=loaded.path, now=now, publication=publication, labels=Labels("en")
        )
        one = exporter(exporter_id)

        def render(o=one, c=context, target=out) -> None:  # type: ignore[no-untyped-def]
            shutil.rmtree(target)
            target.mkdir()
            o.render(visit, c)

        own = median_time(render, repeat)
        write_floor = prepare(visit, publication, out)  # reads what visitplan wrote
        floor_out = Path(tempfile.mkdtemp(dir=work))
        floor_time = median_time(lambda w=write_floor, f=floor_out: w(f), repeat)
        rows.append((exporter_id, own, floor_time))
        shutil.rmtree(out)
        shutil.rmtree(floor_out)
    return rows


def imports(work: Path, repeat: int) -> dict[str, float]:
    result = {}
    for suffix in ("xlsx", "csv"):
        sheet = work / f"registrations.{suffix}"
        generate.write_sheet(sheet, 5000)
        result[suffix] = median_time(
            lambda s=sheet: run([*VISITPLAN, "participants", "import", str(s), "--format", "json"]),
            repeat,
        )
    return result


def large_import(work: Path) -> dict[str, float]:
    """Wall time, CPU time and peak resident memory of importing a 200,000-row CSV (the
    bench generator's 15 columns) with the whole account printed as JSON."""
    sheet = work / "registrations-200k.csv"
    generate.write_sheet(sheet, LARGE_ROWS)
    command = [*VISITPLAN, "participants", "import", str(sheet), "--format", "json"]
    script = (
        "import resource, subprocess, sys, time;"
        "start = time.perf_counter();"
        f"subprocess.run({command!r},"
        " stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True);"
        "wall = time.perf_counter() - start;"
        "usage = resource.getrusage(resource.RUSAGE_CHILDREN);"
        "print(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss)"
    )
    done = subprocess.run([PYTHON, "-c", script], capture_output=True, text=True, check=True)
    wall, cpu, rss = done.stdout.split()
    return {
        "wall": float(wall),
        "cpu": float(cpu),
        "mib": int(rss) / 1024,
        "mb": sheet.stat().st_size / 1e6,
    }


def large_import_section(result: dict[str, float], missed: list[str]) -> list[str]:
    def verdict(name: str, value: float, target: float) -> str:
        if value > target:
            missed.append(name)
            return "**missed**"
        return "met"

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return [
        LARGE_MARK,
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: `visitplan participants import` of "
        f"{LARGE_ROWS:,} rows ({result['mb']:.0f} MB, 15 columns from `bench/generate.py`) "
        f"with `--format json`, one run, on {os.cpu_count()} CPU(s) with a load average of "
        f"{load:.1f} when it ended (wall time grows with the load; CPU time does not).",
        "",
        "| measure | value | target | |",
        "| --- | --- | --- | --- |",
        f"| wall time | {result['wall']:.1f} s | ≤ {TARGETS['large_import_s']:.0f} s | "
        f"{verdict('large import time', result['wall'], TARGETS['large_import_s'])} |",
        f"| CPU time | {result['cpu']:.1f} s | | |",
        f"| peak memory | {result['mib']:.0f} MiB | ≤ {TARGETS['large_import_mib']:.0f} MiB | "
        f"{verdict('large import memory', result['mib'], TARGETS['large_import_mib'])} |",
    ]


def write_large_import_only(out: Path, strict: bool) -> int:
    with tempfile.TemporaryDirectory(prefix="visitplan-bench-") as temp:
        result = large_import(Path(temp))
    missed: list[str] = []
    section = large_import_section(result, missed)
    text = out.read_text(encoding="utf-8") if out.exists() else "# Benchmark results\n"
    before = text.split(LARGE_MARK)[0].rstrip("\n")
    out.write_text(before + "\n\n" + "\n".join(section) + "\n", encoding="utf-8")
    print("\n".join(section))
    return 1 if (strict and missed) else 0


def _load() -> float:
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="sizes 1 and 2, fewer repeats")
    parser.add_argument(
        "--assert", dest="strict", action="store_true", help="exit 1 when a target is missed"
    )
    parser.add_argument("--out", type=Path, default=HERE / "results.md")
    parser.add_argument("--large-import", action="store_true", help="only the 200,000-row import")
    args = parser.parse_args()
    if args.large_import:
        return write_large_import_only(args.out, args.strict)
    sizes = [1, 2] if args.quick else [1, 2, 5, 10]
    repeat = 1 if args.quick else 3
    largest = sizes[-1]
    load_at_start = _load()
    import visitplan

    compileall.compile_dir(Path(visitplan.__file__).parent, quiet=1)
    with tempfile.TemporaryDirectory(prefix="visitplan-bench-") as temp:
        work = Path(temp)
        print("start-up ...", flush=True)
        start = startup(3 if args.quick else 7)
        print("the Milan example ...", flush=True)
        loop = milan(work, 3 if args.quick else 7)
        print("check and build ...", flush=True)
        scale = scaling(work, sizes, repeat)
        print("exporters against floors ...", flush=True)
        outputs = exporters_against_floors(work, largest, repeat)
        print("imports ...", flush=True)
        imported = imports(work, repeat)
        print("memory ...", flush=True)
        memory = peak_memory(work, largest)
        print("a 200,000-row import ...", flush=True)
        large = large_import(work)
    typer_time = start["typer"]
    floor_sum = sum(floor for _, _, floor in outputs)
    check_exp = fitted_exponent(sizes, [scale["check"][n] for n in sizes])
    build_exp = fitted_exponent(sizes, [scale["build"][n] for n in sizes])
    missed = []

    def verdict(name: str, value: float, target: float) -> str:
        ok = value <= target
        if not ok:
            missed.append(name)
        return "met" if ok else "**missed**"

    lines = [
        "# Benchmark results",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `python bench/run.py"
        f"{' --quick' if args.quick else ''}` on {os.cpu_count()} CPU(s), "
        f"{platform.processor() or platform.machine()}, Python "
        f"{platform.python_version()}, {os.environ.get('VISITPLAN_WORKERS') or 'default'} "
        "build workers. Times are medians of "
        f"{repeat} run(s), whole commands including start-up unless said otherwise. "
        f"Load average: {load_at_start:.1f} when the run started, {_load():.1f} when it "
        "ended (other work on the machine slows every command; the ratios to "
        "`import typer` are measured in the same minutes and vary less).",
        "",
        "| measure | value | target | |",
        "| --- | --- | --- | --- |",
        f"| `visitplan --help` | {start['help']:.3f} s | | |",
        f"| `python -c 'import typer'` | {start['typer']:.3f} s | | |",
        f"| help / import typer | {start['help_ratio']:.2f}× | ≤ {TARGETS['help_ratio']}× | "
        f"{verdict('help', start['help_ratio'], TARGETS['help_ratio'])} |",
        f"| a typer command with check's arguments, importing pydantic, yaml and rich "
        f"(no visitplan code) / import typer | {loop['floor'] / typer_time:.2f}× | | |",
        f"| `visitplan check` of the Milan example | {loop['check']:.2f} s | | |",
        f"| Milan check / import typer | {loop['check'] / typer_time:.2f}× | "
        f"≤ {TARGETS['check_milan']}× | "
        f"{verdict('Milan check', loop['check'] / typer_time, TARGETS['check_milan'])} |",
        f"| `visitplan build` of the Milan example | {loop['build']:.2f} s | | |",
        f"| Milan build / import typer | {loop['build'] / typer_time:.2f}× | "
        f"≤ {TARGETS['build_milan']}× | "
        f"{verdict('Milan build', loop['build'] / typer_time, TARGETS['build_milan'])} |",
    ]
    for n in sizes:
        lines.append(
            f"| check, N = {n} | {scale['check'][n]:.2f} s | "
            + (
                f"≤ {TARGETS['check_10']} s | "
                f"{verdict('check', scale['check'][n], TARGETS['check_10'])} |"
                if n == 10
                else "| |"
            )
        )
    for n in sizes:
        lines.append(
            f"| build, N = {n} | {scale['build'][n]:.2f} s | "
            + (
                f"≤ {TARGETS['build_10']} s | "
                f"{verdict('build', scale['build'][n], TARGETS['build_10'])} |"
                if n == 10
                else "| |"
            )
        )
    lines += [
        f"| build, N = {largest} / sum of its outputs' library floors ({floor_sum:.2f} s) | "
        f"{scale['build'][largest] / floor_sum:.2f}× | ≤ {TARGETS['floor_sum']}× | "
        f"{verdict('floor sum', scale['build'][largest] / floor_sum, TARGETS['floor_sum'])} |",
        f"| scaling exponent of check, N = {sizes[0]}–{largest} | {check_exp:.2f} | "
        f"≤ {TARGETS['exponent']} | {verdict('check exponent', check_exp, TARGETS['exponent'])} |",
        f"| scaling exponent of build, N = {sizes[0]}–{largest} | {build_exp:.2f} | "
        f"≤ {TARGETS['exponent']} | {verdict('build exponent', build_exp, TARGETS['exponent'])} |",
        f"| import of 5,000 rows, xlsx | {imported['xlsx']:.2f} s | ≤ {TARGETS['import_xlsx']} s"
        f" | {verdict('import xlsx', imported['xlsx'], TARGETS['import_xlsx'])} |",
        f"| import of 5,000 rows, csv | {imported['csv']:.2f} s | ≤ {TARGETS['import_csv']} s | "
        f"{verdict('import csv', imported['csv'], TARGETS['import_csv'])} |",
        f"| peak memory of a build, N = {largest} (one process) | {memory:.0f} MiB | "
        f"≤ {TARGETS['memory_mib']:.0f} MiB | "
        f"{verdict('memory', memory, TARGETS['memory_mib'])} |",
        "",
        f"## Each output alone at N = {largest}, against its library floor",
        "",
        "In-process times, without start-up. The floor is the same content written "
        "directly with the library by the plainest code (see `bench/floors.py`).",
        "",
        "| output | visitplan | floor | ratio | target | |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, own, floor in outputs:
        ratio = own / floor
        lines.append(
            f"| {name} | {own:.2f} s | {floor:.2f} s | {ratio:.2f}× | "
            f"≤ {TARGETS['exporter_ratio']}× | "
            f"{verdict(name, ratio, TARGETS['exporter_ratio'])} |"
        )
    lines += ["", *large_import_section(large, missed)]
    lines += ["", "Missed: " + (", ".join(missed) if missed else "none") + "."]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 1 if (args.strict and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
