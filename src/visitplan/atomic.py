"""Replacing a file in one step: complete or unchanged, through links, keeping its mode.

The new content goes to a temporary file beside the file it replaces (``.NAME.tmp-PID``)
and is renamed over it. A failure removes the temporary file at once; one left by a
process that was killed is removed by the next write of the same file, or by
``remove_stale_temps`` (the build calls it for the visit and state files).
"""

from __future__ import annotations

import contextlib
import glob
import os
import stat
from pathlib import Path


def real_path(path: Path) -> Path:
    """Where a write to ``path`` must land: the file a link points to, not the link."""
    return path.resolve()


def replace_file(path: Path, data: bytes, *, mode: int | None = None) -> Path:
    """Write ``data`` to ``path`` in one step; return the file really written.

    A link is written through to its target. The file keeps its permissions and, where
    allowed, its owner; ``mode`` sets the permissions of the new file instead."""
    target = real_path(path)
    remove_stale_temps(target)
    try:
        before: os.stat_result | None = target.stat()
    except FileNotFoundError:
        before = None
    if mode is None:
        mode = stat.S_IMODE(before.st_mode) if before is not None else _default_mode()
    temp = _temp_of(target, os.getpid())
    temp.unlink(missing_ok=True)  # ours only if an earlier process had this id
    descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
            os.fchmod(stream.fileno(), mode)
            if before is not None and hasattr(os, "fchown"):
                with contextlib.suppress(OSError):  # only the owner or root may change it
                    os.fchown(stream.fileno(), before.st_uid, before.st_gid)
        temp.replace(target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return target


def remove_stale_temps(path: Path) -> None:
    """Remove temporary copies of ``path`` left by processes that no longer run."""
    target = real_path(path)
    prefix = f".{target.name}.tmp-"
    for leftover in target.parent.glob(glob.escape(prefix) + "*"):
        pid = leftover.name[len(prefix) :]
        if not pid.isdigit() or (int(pid) != os.getpid() and process_alive(int(pid))):
            continue
        with contextlib.suppress(OSError):
            leftover.unlink()


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):
        return False
    except PermissionError:
        return True
    return True


def _temp_of(target: Path, pid: int) -> Path:
    return target.with_name(f".{target.name}.tmp-{pid}")


def _default_mode() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask
