"""``visitplan build``: run the checks and every exporter, then swap the output in at once.

Outputs are written to a temporary folder beside ``OUT``; only when every exporter
succeeded does it replace the previous ``OUT``. A failed or interrupted build leaves
the previous outputs as they were, and the next build cleans up what it left.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from visitplan import __version__
from visitplan.audit import Texts, collect_texts, find_leaks, merge_texts, withdrawn_leaks
from visitplan.checks import run_checks
from visitplan.exporters import BuildContext, Exporter, all_exporters
from visitplan.findings import CATALOGUE, Finding, Location, Severity
from visitplan.labels import Labels
from visitplan.load import InputError, Loaded
from visitplan.model import Visit
from visitplan.state import Change, publish, read_state, state_path, write_state

MANIFEST = "manifest.json"
Progress = Callable[[str, int, int], None]

# The moments of a build, in order, at which the tests kill it (VISITPLAN_STOP_AT=NAME
# sends this process SIGKILL there) to prove that no moment damages the output.
CHECKPOINTS = ("started", "exported", "audited", "moved-away", "swapped", "state-written")
STOP_AT = "VISITPLAN_STOP_AT"


def checkpoint(name: str) -> None:
    """A named moment of the build: where VISITPLAN_STOP_AT kills it, for the tests."""
    if os.environ.get(STOP_AT) == name:
        import signal

        os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))


class RefusedBuild(Exception):
    """The checks (or the privacy audit) found errors; nothing was published."""

    def __init__(self, findings: list[Finding], reason: str = "checks") -> None:
        self.findings = findings
        self.reason = reason
        super().__init__(f"{len(findings)} error(s) found by the {reason}")


class BuildInterrupted(Exception):
    """The build could not finish for a reason outside the visit file; OUT is intact."""

    def __init__(self, message: str, hint: str) -> None:
        self.finding = Finding(Severity.ERROR, "VP303", message, hint)
        super().__init__(message)


@dataclass
class BuildResult:
    out: Path
    outputs: list[Path]
    findings: list[Finding]
    manifest: dict[str, Any] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)
    previous_build: str | None = None


def default_out(visit_file: Path) -> Path:
    return visit_file.resolve().parent / "build"


def build(
    loaded: Loaded,
    out: Path | None = None,
    *,
    force: bool = False,
    exporters: list[Exporter] | None = None,
    progress: Progress | None = None,
    now: datetime | None = None,
    prune_cancelled: bool = False,
) -> BuildResult:
    """Build every output of ``loaded`` into ``out`` (default: build/ beside the file)."""
    out = (out or default_out(loaded.path)).absolute()
    findings = run_checks(loaded)
    errors = [f for f in findings if f.severity is Severity.ERROR]
    if errors and not force:
        raise RefusedBuild(errors)
    _refuse_foreign_folder(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with _lock(out):
        return _build_locked(loaded, out, findings, exporters, progress, now, prune_cancelled)


def _build_locked(
    loaded: Loaded,
    out: Path,
    findings: list[Finding],
    exporters: list[Exporter] | None,
    progress: Progress | None,
    now: datetime | None,
    prune_cancelled: bool,
) -> BuildResult:
    _recover(out)
    chosen = exporters if exporters is not None else all_exporters()
    now = now or datetime.now(UTC).replace(microsecond=0)
    state_file = state_path(loaded.path)
    publication = publish(
        loaded.visit, read_state(state_file), now, prune_cancelled=prune_cancelled
    )
    cancelled = [(e.session_id, e.uid) for e in publication.events if e.cancelled]
    leaks = withdrawn_leaks(cancelled, loaded.visit)
    if leaks:
        raise RefusedBuild(leaks, "privacy audit")
    temp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    checkpoint("started")
    try:
        context = BuildContext(
            out=temp,
            visit_file=loaded.path,
            now=now,
            publication=publication,
            labels=Labels(loaded.visit.details.language),
        )
        outputs, texts = run_exporters(chosen, loaded.visit, context, progress)
        checkpoint("exported")
        if progress:
            progress("manifest", len(chosen), len(chosen))
        findings += _missing_labels(context.labels)
        if progress:
            progress("privacy audit", len(chosen), len(chosen))
        # Public files no exporter reported (none should exist) are read here.
        reported = set(outputs)
        unreported = [
            p for p in sorted((temp / "public").rglob("*")) if p.is_file() and p not in reported
        ]
        leaks = find_leaks(merge_texts([texts, collect_texts(unreported, temp)]), loaded.visit)
        if leaks:
            raise RefusedBuild(leaks, "privacy audit")
        checkpoint("audited")
        _refuse_changed_source(loaded)
        manifest = _manifest(loaded, temp, outputs, context.now)
        (temp / MANIFEST).write_text(
            json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        _swap_in(temp, out)
        checkpoint("swapped")
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    # Only a build that was published moves the revisions on.
    write_state(state_file, publication.state)
    checkpoint("state-written")
    return BuildResult(
        out,
        [out / p.relative_to(temp) for p in outputs],
        findings,
        manifest,
        publication.changes,
        publication.previous_build,
    )


def workers() -> int:
    """How many processes build the outputs: VISITPLAN_WORKERS, else up to 2 cores."""
    wanted = os.environ.get("VISITPLAN_WORKERS", "")
    if wanted.isdigit() and int(wanted) > 0:
        return int(wanted)
    return min(2, os.cpu_count() or 1)


# What forked workers inherit: set just before the pool starts, read by the children.
_SHARED: tuple[list[Exporter], Visit, BuildContext] | None = None


def _render_one(index: int) -> tuple[list[Path], list[str], Texts]:
    assert _SHARED is not None  # noqa: S101 - set by the parent before forking
    chosen, visit, context = _SHARED
    return _render(chosen[index], visit, context)


def _render(
    one: Exporter, visit: Visit, context: BuildContext
) -> tuple[list[Path], list[str], Texts]:
    """One exporter's files, and the text of those that will be public, read back for
    the privacy audit while the other worker is still busy."""
    paths = one.render(visit, context)
    public = context.out / "public"
    texts = collect_texts([p for p in paths if public in p.parents], context.out)
    return paths, sorted(context.labels.missing), texts


def run_exporters(
    chosen: list[Exporter],
    visit: Visit,
    context: BuildContext,
    progress: Progress | None = None,
) -> tuple[list[Path], Texts]:
    """Every exporter's files, and the text of the public ones. On Linux with 2+ cores
    exporters run in forked processes: the visit is shared by the fork, not copied."""
    global _SHARED
    count = len(chosen)
    results: dict[int, tuple[list[Path], list[str], Texts]] = {}
    if workers() < 2 or count < 2 or sys.platform != "linux":
        for n, one in enumerate(chosen):
            if progress:
                progress(one.name, n, count)
            results[n] = _render(one, visit, context)
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        _SHARED = (chosen, visit, context)
        try:
            with ProcessPoolExecutor(
                max_workers=workers(), mp_context=multiprocessing.get_context("fork")
            ) as pool:
                futures = {pool.submit(_render_one, n): n for n in range(count)}
                for done, future in enumerate(as_completed(futures), start=1):
                    results[futures[future]] = future.result()
                    if progress:
                        progress(chosen[futures[future]].name, done, count)
        finally:
            _SHARED = None
    for _, missing, _ in results.values():
        context.labels.missing.update(missing)
    outputs = [path for n in range(count) for path in results[n][0]]
    return outputs, merge_texts(results[n][2] for n in range(count))


def _missing_labels(labels: Labels) -> list[Finding]:
    if not labels.missing:
        return []
    info = CATALOGUE["VP020"]
    return [
        Finding(
            info.severity,
            "VP020",
            f"{len(labels.missing)} document label(s) have no '{labels.language}' wording; "
            "English was used for them",
            f"{info.fix} Missing: {', '.join(sorted(labels.missing)[:6])}",
        )
    ]


@contextlib.contextmanager
def _lock(out: Path) -> Iterator[None]:
    """One build at a time per output folder: a second one is refused, not interleaved."""
    lock = out.parent / f".{out.name}.lock"
    try:
        descriptor = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        holder = _lock_holder(lock)
        if holder is not None and _alive(holder):
            raise BuildInterrupted(
                f"another build is writing {out} (process {holder})",
                "wait for it to finish, then build again",
            ) from None
        lock.unlink(missing_ok=True)  # left by a build that was killed
        descriptor = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    try:
        os.write(descriptor, str(os.getpid()).encode())
        os.close(descriptor)
        yield
    finally:
        lock.unlink(missing_ok=True)


def _lock_holder(lock: Path) -> int | None:
    try:
        text = lock.read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _refuse_changed_source(loaded: Loaded) -> None:
    """The outputs must match one version of the visit file: if it was saved during the
    build, the build is not published."""
    if loaded.digest is None:
        return
    try:
        current = _sha256(loaded.path)
    except OSError:
        current = None
    if current != loaded.digest:
        raise BuildInterrupted(
            f"{loaded.path} changed while the build was running",
            "nothing was published; run the build again on the saved file",
        )


def _refuse_foreign_folder(out: Path) -> None:
    """Never replace a folder visitplan did not make: it may hold the user's files."""
    if out.exists() and not out.is_dir():
        raise InputError(
            [
                Finding(
                    Severity.ERROR,
                    "VP010",
                    "the output path is a file, not a folder",
                    "choose another output folder with -o",
                    Location(str(out)),
                )
            ]
        )
    if out.is_dir() and any(out.iterdir()) and not (out / MANIFEST).is_file():
        raise InputError(
            [
                Finding(
                    Severity.ERROR,
                    "VP010",
                    "the output folder already holds files that visitplan did not make",
                    "choose another output folder with -o, or empty this one; visitplan only "
                    "replaces folders with its own manifest.json",
                    Location(str(out)),
                )
            ]
        )


def _recover(out: Path) -> None:
    """Undo what an interrupted build left: a moved-away OUT and temporary folders."""
    olds = sorted(out.parent.glob(f".{out.name}.old-*"))
    if not out.exists() and olds:
        olds[-1].rename(out)
        olds = olds[:-1]
    for leftover in [*olds, *out.parent.glob(f".{out.name}.tmp-*")]:
        shutil.rmtree(leftover, ignore_errors=True)


def _swap_in(temp: Path, out: Path) -> None:
    if not out.exists():
        temp.rename(out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    old.rmdir()
    out.rename(old)
    checkpoint("moved-away")
    try:
        temp.rename(out)
    except BaseException:
        old.rename(out)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _manifest(loaded: Loaded, root: Path, outputs: list[Path], now: datetime) -> dict[str, Any]:
    visit = loaded.visit
    files = []
    for path in sorted(outputs):
        files.append(
            {
                "path": path.relative_to(root).as_posix(),
                "bytes": path.stat().st_size,
                "sha256": _sha256(path),
            }
        )
    source: dict[str, Any] = {"file": str(loaded.path)}
    with contextlib.suppress(OSError):
        source["sha256"] = _sha256(loaded.path)
    return {
        "generator": f"visitplan {__version__}",
        "built_at": now.isoformat(),
        "visit": {"id": visit.details.id, "title": visit.details.title, **source},
        "counts": {
            "days": len(visit.details.days()),
            "sessions": len(visit.sessions),
            "cancelled_sessions": sum(1 for s in visit.sessions if s.is_cancelled),
            "participants": len(visit.participants),
            "groups": len(visit.groups),
            "hosts": len(visit.hosts),
            "venues": len(visit.venues),
            "countries": len({p.country for p in visit.participants if p.country}),
        },
        "outputs": files,
    }


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
