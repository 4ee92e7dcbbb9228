"""Doing something again each time the visit file is saved: ``check --watch`` and
``serve --watch`` (which rebuilds, and reloads the page open in a browser).

watchfiles (a maintained wrapper of the operating systems' file notifications) is
imported only when watching. The folder of the file is watched, not the file: editors
and Excel save by writing a new file and renaming it over the old one.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http import HTTPStatus
from pathlib import Path
from typing import Any

from visitplan.serve import PublicFolderHandler

# Saves come as a burst of events (write, rename, metadata): wait this long after the
# last one, and look this often, so that a save is acted on well within a second.
DEBOUNCE_MS = 150
STEP_MS = 40
VERSION_PATH = "/__visitplan/version"
# Added to every page served while watching: asks for the build's version each second
# and reloads the page when it changes.
RELOAD_SCRIPT = (
    "<script>(function(){var seen=null;setInterval(function(){"
    f"fetch('{VERSION_PATH}',{{cache:'no-store'}}).then(function(r){{return r.text()}})"
    ".then(function(v){if(seen!==null&&v!==seen){location.reload()}seen=v})"
    ".catch(function(){})},1000)})();</script>"
)


def on_save(path: Path, action: Callable[[], None], stop: threading.Event | None = None) -> None:
    """Call ``action`` each time ``path`` is saved, until Ctrl+C (or ``stop`` is set);
    returns normally then."""
    from watchfiles import watch

    target = path.resolve()

    def is_target(change: Any, name: str) -> bool:
        return Path(name).resolve() == target

    try:
        for _ in watch(
            target.parent,
            watch_filter=is_target,
            debounce=DEBOUNCE_MS,
            step=STEP_MS,
            stop_event=stop,
            raise_interrupt=False,
        ):
            action()
    except KeyboardInterrupt:  # Ctrl+C while acting: the end of watching, not an error
        return


class Version:
    """The number of the build being served; it goes up with each rebuild."""

    def __init__(self) -> None:
        self.number = 0
        self._lock = threading.Lock()

    def bump(self) -> None:
        with self._lock:
            self.number += 1


def reloading_handler(folder: Path, version: Version) -> type[PublicFolderHandler]:
    """A handler of ``folder`` whose pages reload themselves after a rebuild."""

    class ReloadingHandler(PublicFolderHandler):
        def do_GET(self) -> None:
            if self.path == VERSION_PATH:
                self._send(str(version.number).encode(), "text/plain; charset=utf-8")
                return
            page = self._page()
            if page is None:
                super().do_GET()
                return
            text = page.read_bytes()
            script = RELOAD_SCRIPT.encode()
            marker = text.rfind(b"</body>")
            text = text[:marker] + script + text[marker:] if marker >= 0 else text + script
            self._send(text, "text/html; charset=utf-8")

        def _page(self) -> Path | None:
            translated = Path(self.translate_path(self.path))
            if translated.is_dir():
                if not self.path.split("?")[0].endswith("/"):
                    return None  # the folder's address gets its "/" first
                translated = translated / "index.html"
            inside = translated.resolve().is_relative_to(folder.resolve())
            page = inside and translated.suffix == ".html" and translated.is_file()
            return translated if page else None

        def _send(self, body: bytes, kind: str) -> None:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

    return ReloadingHandler


def visit_file_of(out: Path) -> Path | None:
    """The visit file a build's manifest names (even if it changed since: watching
    is about the changes), or None."""
    for manifest in (out / "manifest.json", out.parent / "manifest.json"):
        try:
            named = json.loads(manifest.read_text(encoding="utf-8"))["visit"]["file"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if isinstance(named, str) and Path(named).is_absolute():
            return Path(named)
    return None
