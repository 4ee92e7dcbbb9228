"""``visitplan build``: run the checks and every exporter, then swap the output in at once.

Outputs are written to a temporary folder beside ``OUT``; only when every exporter
succeeded does it replace the previous ``OUT``. A failed or interrupted build leaves
the previous outputs as they were, and the next build cleans up what it left.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import os
import shutil
import stat
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from visitplan import __version__
from visitplan.atomic import process_alive, real_path, remove_stale_temps, replace_file
from visitplan.attendance.record import read_attendance
from visitplan.audit import (
    Owner,
    Texts,
    collect_texts,
    find_leaks,
    merge_texts,
    owners_of,
    withdrawn_leaks,
)
from visitplan.checks import run_checks
from visitplan.exporters import BuildContext, Exporter, all_exporters
from visitplan.feedback.store import read_feedback
from visitplan.findings import CATALOGUE, Finding, InputError, Severity
from visitplan.labels import Labels
from visitplan.layout import MANIFEST
from visitplan.load import Loaded
from visitplan.model import Visit
from visitplan.publication import Change, publish
from visitplan.state import State, read_state, sent_log_now, state_path, tokens_for, write_state

GENERATOR = "visitplan"
# 2: "generator": "visitplan", a format number, the absolute path of the visit file,
# and every file of the folder under "outputs". Manifests of older builds say
# "generator": "visitplan 0.x" and have no format number.
MANIFEST_FORMAT = 2
# What file managers drop into any folder they show; it holds nothing of the user's.
SYSTEM_LITTER = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
Progress = Callable[[str, int, int], None]

# The moments of a build, in order, at which the tests kill it (VISITPLAN_STOP_AT=NAME
# sends this process SIGKILL there) to prove that no moment damages the output.
CHECKPOINTS = ("started", "exported", "audited", "state-written", "moved-away", "swapped")
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

    def __init__(self, message: str, hint: str, where: Path | None = None) -> None:
        self.finding = Finding.of("VP303", message, hint, where)
        super().__init__(message)


@dataclass
class BuildResult:
    out: Path
    outputs: list[Path]
    findings: list[Finding]
    manifest: dict[str, Any] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)
    previous_build: datetime | None = None


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
    # Through a link to a web root, the build replaces the folder it points to.
    target = out.resolve()
    _refuse_visit_folder(target, loaded.path)
    _refuse_file(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with _lock(target), _quiet_aftermath():
        _recover(target)
        _refuse_foreign_folder(target)
        result = _build_locked(loaded, target, findings, exporters, progress, now, prune_cancelled)
    result.outputs = [out / p.relative_to(target) for p in result.outputs]
    result.out = out
    return result


def _build_locked(
    loaded: Loaded,
    out: Path,
    findings: list[Finding],
    exporters: list[Exporter] | None,
    progress: Progress | None,
    now: datetime | None,
    prune_cancelled: bool,
) -> BuildResult:
    chosen = exporters if exporters is not None else all_exporters()
    now = now or datetime.now(UTC).replace(microsecond=0)
    state_file = state_path(loaded.path)
    visit_file = real_path(loaded.path)
    backup = visit_file.with_name(visit_file.name + ".bak")
    for written in (state_file, visit_file, backup):  # copies a killed process left
        remove_stale_temps(written)
    previous = read_state(state_file, loaded.visit.details.id)
    tokens, kept_tokens = tokens_for(loaded.visit, previous)
    labels = Labels(loaded.visit.details.language)
    publication = publish(
        loaded.visit, previous.record, tokens, now, labels, prune_cancelled=prune_cancelled
    )
    state = State(publication.record, kept_tokens, loaded.visit.details.id, previous.sent)
    cancelled = [(e.session_id, e.uid) for e in publication.events if e.cancelled]
    leaks = withdrawn_leaks(cancelled, loaded.visit)
    if leaks:
        raise RefusedBuild(leaks, "privacy audit")
    feedback = read_feedback(loaded.path, loaded.visit.details.id)
    attendance = read_attendance(loaded.path, loaded.visit)
    temp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    checkpoint("started")
    try:
        context = BuildContext(
            out=temp,
            visit_file=loaded.path,
            now=now,
            publication=publication,
            labels=labels,
            feedback=feedback,
            findings=list(findings),
            attendance=attendance,
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
        owners = owners_of(loaded.visit, publication.tokens)
        leaks = find_leaks(
            merge_texts([texts, collect_texts(unreported, temp, owners)]), loaded.visit
        )
        if leaks:
            raise RefusedBuild(leaks, "privacy audit")
        checkpoint("audited")
        _refuse_changed_source(loaded)
        manifest = _manifest(loaded, temp, context.now)
        (temp / MANIFEST).write_text(
            json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        _refuse_foreign_folder(out)  # files dropped into OUT while the build ran
        # The state goes first: published feeds whose revisions and personal links were
        # not recorded would change under their subscribers at the next build.
        state.sent = sent_log_now(state_file, loaded.visit.details.id, previous.sent)
        restore = _save_state(state_file, state)
        checkpoint("state-written")
        try:
            _swap_in(temp, out)
        except BaseException:
            restore()
            raise
        checkpoint("swapped")
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
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


# Exporters built on one library run one after another in the same worker, so that the
# library (python-docx: a tenth of a second) is imported by one process, not by both.
SAME_WORKER = (
    frozenset(
        {
            "takeaways-docx",
            "agenda-docx",
            "badges-docx",
            "evaluation-docx",
            "factsheet-docx",
            "certificates-docx",
        }
    ),
)

# What forked workers inherit: set just before the pool starts, read by the children.
_SHARED: tuple[list[Exporter], Visit, BuildContext, dict[str, Owner]] | None = None


def _render_some(indices: tuple[int, ...]) -> list[tuple[list[Path], list[str], Texts]]:
    assert _SHARED is not None  # noqa: S101 - set by the parent before forking
    chosen, visit, context, owners = _SHARED
    return [_render(chosen[index], visit, context, owners) for index in indices]


def _render(
    one: Exporter, visit: Visit, context: BuildContext, owners: dict[str, Owner]
) -> tuple[list[Path], list[str], Texts]:
    """One exporter's files, and the text of those that will be public, read back for
    the privacy audit while the other worker is still busy."""
    paths = one.render(visit, context)
    public = context.out / "public"
    texts = collect_texts([p for p in paths if public in p.parents], context.out, owners)
    return paths, sorted(context.labels.missing), texts


def _tasks(chosen: list[Exporter]) -> list[tuple[int, ...]]:
    """The exporters' indices in the order of ``chosen``, those of a SAME_WORKER set
    together (where the first of them stands)."""
    tasks: list[tuple[int, ...]] = []
    placed: set[int] = set()
    for n, one in enumerate(chosen):
        if n in placed:
            continue
        group = next((g for g in SAME_WORKER if one.id in g), frozenset({one.id}))
        task = tuple(m for m, other in enumerate(chosen) if m == n or other.id in group)
        placed.update(task)
        tasks.append(task)
    return tasks


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
    tasks = _tasks(chosen)
    owners = owners_of(visit, context.publication.tokens)
    if workers() < 2 or len(tasks) < 2 or sys.platform != "linux":
        for n, one in enumerate(chosen):
            if progress:
                progress(one.name, n, count)
            results[n] = _render(one, visit, context, owners)
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        _SHARED = (chosen, visit, context, owners)
        try:
            with ProcessPoolExecutor(
                max_workers=workers(), mp_context=multiprocessing.get_context("fork")
            ) as pool:
                futures = {pool.submit(_render_some, task): task for task in tasks}
                done = 0
                for future in as_completed(futures):
                    for n, result in zip(futures[future], future.result(), strict=True):
                        results[n] = result
                        done += 1
                        if progress:
                            progress(chosen[n].name, done, count)
        finally:
            _SHARED = None
    for _, missing, _ in results.values():
        context.labels.missing.update(missing)
    outputs = [path for n in range(count) for path in results[n][0]]
    return outputs, merge_texts(results[n][2] for n in range(count))


def _missing_labels(labels: Labels) -> list[Finding]:
    if not labels.missing:
        return []
    return [
        Finding.of(
            "VP020",
            f"{len(labels.missing)} document label(s) have no '{labels.language}' wording; "
            "English was used for them",
            f"{CATALOGUE['VP020'].fix} Missing: {', '.join(sorted(labels.missing)[:6])}",
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
        if holder is not None and process_alive(holder):
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


@contextlib.contextmanager
def _quiet_aftermath() -> Iterator[None]:
    """One message for one failed write. When a disk fills up, the office libraries'
    half-written zip files fail once more as Python collects them ("Exception ignored in
    ZipFile.__del__"); the error that stopped the build already says it all."""
    default = sys.unraisablehook

    def hook(unraisable: Any) -> None:
        if not isinstance(unraisable.exc_value, OSError):
            default(unraisable)

    sys.unraisablehook = hook  # forked workers inherit it
    try:
        yield
    except BaseException as error:
        # Let the failed writers go now, while their repeats are silenced.
        traceback.clear_frames(error.__traceback__)
        gc.collect()
        raise
    finally:
        sys.unraisablehook = default


def _lock_holder(lock: Path) -> int | None:
    try:
        text = lock.read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


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


def _refused(message: str, hint: str, where: Path) -> InputError:
    return InputError.of("VP010", message, hint, where)


def _refuse_file(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise _refused(
            "the output path is a file, not a folder", "choose another output folder with -o", out
        )


def _refuse_visit_folder(out: Path, visit_file: Path) -> None:
    """A build replaces its output folder as a whole: never one that holds the visit."""
    for kept, what in ((visit_file, "the visit file"), (state_path(visit_file), "the state file")):
        for place in (kept.absolute(), kept.resolve()):
            if out == place or out in place.parents:
                raise _refused(
                    f"the output folder {out} holds {what} {place}: a build replaces its "
                    "output folder as a whole, so nothing was done",
                    "choose an output folder of its own with -o, e.g. the default, build/ "
                    "beside the visit file",
                    out,
                )


def _refuse_foreign_folder(out: Path) -> None:
    """Replace ``out`` only when it holds nothing but visitplan's last build.

    Its manifest.json must be visitplan's own and list every file in it, unchanged; a
    manifest of an older visitplan, which promised no such list, must match the folder
    exactly."""
    if not out.is_dir() or all(_is_litter(entry) for entry in out.iterdir()):
        return
    manifest_file = out / MANIFEST
    manifest = _read_manifest(manifest_file)
    hint = (
        "visitplan replaces its output folder as a whole: choose another output folder "
        "with -o, or an empty one"
    )
    if manifest is None:
        why = (
            "it has no manifest.json"
            if not manifest_file.exists()
            else "its manifest.json is another program's"
        )
        raise _refused(
            f"the output folder already holds files that visitplan did not make ({why})",
            hint,
            out,
        )
    listed, older = manifest
    foreign, missing = _unlisted(out, listed)
    if older and (foreign or missing):
        raise _refused(
            "the output folder was made by an older visitplan and does not match its "
            "manifest.json" + (f": it also holds {_some(foreign)}" if foreign else ""),
            "if nothing in it is yours, delete the folder by hand and build again; "
            "otherwise choose another output folder with -o",
            out,
        )
    if foreign:
        raise _refused(
            f"the output folder holds files that visitplan did not make: {_some(foreign)}",
            "move these elsewhere (the build would delete them), or choose another "
            "output folder with -o",
            out,
        )


@dataclass(frozen=True)
class _Listed:
    """A file as the manifest recorded it."""

    size: int
    sha256: str | None = None
    mtime_ns: int | None = None

    def matches(self, path: Path, found: os.stat_result) -> bool:
        if found.st_size != self.size:
            return False
        if self.mtime_ns is not None and found.st_mtime_ns == self.mtime_ns:
            return True  # as written: no need to read it
        return self.sha256 is None or _sha256(path) == self.sha256


def _is_litter(entry: Path) -> bool:
    return entry.name in SYSTEM_LITTER and entry.is_file() and not entry.is_symlink()


def _read_manifest(path: Path) -> tuple[dict[str, _Listed], bool] | None:
    """The files a manifest lists and whether an older visitplan wrote it; None when it
    is not a manifest visitplan wrote."""
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > 64 << 20:
            return None
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("outputs"), list):
        return None
    generator = manifest.get("generator")
    if generator == GENERATOR and manifest.get("format") == MANIFEST_FORMAT:
        older = False
    elif (
        isinstance(generator, str)
        and generator.startswith("visitplan 0.")
        and "format" not in manifest
    ):
        older = True
    else:
        return None
    listed: dict[str, _Listed] = {}
    for entry in manifest["outputs"]:
        if not isinstance(entry, dict):
            return None
        name, size = entry.get("path"), entry.get("bytes")
        digest, mtime = entry.get("sha256"), entry.get("mtime_ns")
        if not isinstance(name, str) or type(size) is not int:
            return None
        parts = name.split("/")
        if name.startswith("/") or "\\" in name or {"", ".", ".."} & set(parts):
            return None
        listed[name] = _Listed(
            size,
            digest if isinstance(digest, str) else None,
            mtime if type(mtime) is int else None,
        )
    return listed, older


def _unlisted(out: Path, listed: dict[str, _Listed]) -> tuple[list[str], list[str]]:
    """What ``out`` holds that is not listed (or was changed), and what is missing."""
    folders = {
        "/".join(name.split("/")[:n]) for name in listed for n in range(1, name.count("/") + 1)
    }
    foreign: list[str] = []
    seen: set[str] = set()
    pending = [("", out)]
    while pending:
        prefix, folder = pending.pop()
        with os.scandir(folder) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                name = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    if name in folders:
                        pending.append((name + "/", Path(entry.path)))
                    else:
                        foreign.append(name + "/")
                elif not entry.is_file(follow_symlinks=False):
                    foreign.append(name)  # a link, or something else that is not a file
                elif name == MANIFEST or (entry.name in SYSTEM_LITTER and name not in listed):
                    continue
                elif name not in listed:
                    foreign.append(name)
                elif not listed[name].matches(Path(entry.path), entry.stat(follow_symlinks=False)):
                    foreign.append(f"{name} (changed since the build)")
                else:
                    seen.add(name)
    return sorted(foreign), sorted(set(listed) - seen)


def _some(names: list[str], shown: int = 5) -> str:
    more = len(names) - shown
    return ", ".join(names[:shown]) + (f" and {more} more" if more > 0 else "")


def _recover(out: Path) -> None:
    """Undo what an interrupted build left: a moved-away OUT and temporary folders."""
    olds = sorted(out.parent.glob(f".{out.name}.old-*"))
    if not out.exists() and olds:
        olds[-1].rename(out)
        olds = olds[:-1]
    for leftover in [*olds, *out.parent.glob(f".{out.name}.tmp-*")]:
        shutil.rmtree(leftover, ignore_errors=True)


def _save_state(path: Path, state: State) -> Callable[[], None]:
    """Write the state of this build; return what puts the previous one back."""
    target = real_path(path)
    try:
        before: bytes | None = target.read_bytes()
    except FileNotFoundError:
        before = None
    except OSError as error:
        raise _state_unwritable(path, error) from None
    try:
        write_state(path, state)
    except OSError as error:
        raise _state_unwritable(path, error) from None

    def restore() -> None:
        with contextlib.suppress(OSError):
            if before is None:
                target.unlink(missing_ok=True)
            else:
                replace_file(target, before)

    return restore


def _state_unwritable(path: Path, error: OSError) -> BuildInterrupted:
    return BuildInterrupted(
        f"the state file cannot be written ({error.strerror or error}): nothing was "
        "published and the previous output is unchanged",
        "free disk space beside the visit file, or make the state file writable, then build again",
        path,
    )


def _swap_in(temp: Path, out: Path) -> None:
    if not out.exists():
        temp.rename(out)
        return
    # A web root keeps the permissions its server needs.
    temp.chmod(stat.S_IMODE(out.stat().st_mode))
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    old.rmdir()
    out.rename(old)
    checkpoint("moved-away")
    try:
        temp.rename(out)
    except BaseException as error:
        try:
            old.rename(out)
        except OSError:
            raise BuildInterrupted(
                f"the new output could not replace {out}, and the previous output could "
                f"not be moved back from {old}",
                "build again: the next build puts the previous output back first",
            ) from error
        raise
    shutil.rmtree(old, ignore_errors=True)


def _manifest(loaded: Loaded, root: Path, now: datetime) -> dict[str, Any]:
    """What was built: every file of the folder, so that the next build can tell that
    the folder holds nothing else before it replaces it."""
    visit = loaded.visit
    files = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        found = path.stat()
        files.append(
            {
                "path": path.relative_to(root).as_posix(),
                "bytes": found.st_size,
                "sha256": _sha256(path),
                "mtime_ns": found.st_mtime_ns,
            }
        )
    source: dict[str, Any] = {"file": str(loaded.path.resolve())}
    with contextlib.suppress(OSError):
        source["sha256"] = _sha256(loaded.path)
    return {
        "generator": GENERATOR,
        "format": MANIFEST_FORMAT,
        "version": __version__,
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


def visit_of_build(out: Path) -> Path:
    """The visit file a build (or its public/) was made from, as its manifest records
    it; refused when the file is missing or is not the version the build came from."""
    manifest_file = out / MANIFEST
    if not manifest_file.is_file() and out.name == "public":
        manifest_file = out.parent / MANIFEST
    hint = "name the visit file with --visit"
    try:
        manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
        named, digest = manifest["visit"]["file"], manifest["visit"].get("sha256")
        if not isinstance(named, str) or not isinstance(digest, str | None):
            raise TypeError(named)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        raise _refused(
            f"{out} has no readable manifest.json to say which visit it was built from",
            hint,
            manifest_file,
        ) from None
    path = Path(named)
    if not path.is_absolute():
        raise _refused(
            f"manifest.json names the visit file only as '{named}' (a build of an older "
            "visitplan), so it cannot say which file that is",
            f"{hint}, or build again",
            manifest_file,
        )
    try:
        current = _sha256(path)
    except OSError:
        raise _refused(
            f"the visit file this build was made from, {path}, is missing or cannot be read",
            f"{hint}, or build again from the visit file",
            manifest_file,
        ) from None
    if digest is not None and current != digest:
        raise _refused(
            f"{path} has changed since this build was made, so it is not the visit the "
            "build came from",
            f"build again, then audit; or audit against the file as it is now with --visit {path}",
            manifest_file,
        )
    return path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
