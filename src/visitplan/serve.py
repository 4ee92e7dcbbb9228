"""``visitplan serve``: the public folder on localhost, to try the page and subscriptions."""

from __future__ import annotations

import functools
import os
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar


class PublicFolderHandler(SimpleHTTPRequestHandler):
    """Static files with the content types calendar clients expect."""

    extensions_map: ClassVar[dict[str, str]] = {  # type: ignore[misc]
        **SimpleHTTPRequestHandler.extensions_map,
        ".ics": "text/calendar; charset=utf-8",
        ".json": "application/json; charset=utf-8",
        ".html": "text/html; charset=utf-8",
    }

    def log_message(self, format: str, *args: Any) -> None:
        return  # quiet: the CLI says where it serves

    def list_directory(self, path: str | os.PathLike[str]) -> None:
        """Never a listing of a folder: public/p/ holds the personal feeds."""
        self.send_error(HTTPStatus.NOT_FOUND, "Not found")
        return None


def make_server(folder: Path, port: int = 8000, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """A server for ``folder`` (not started); port 0 picks a free one."""
    handler = functools.partial(PublicFolderHandler, directory=str(folder))
    return ThreadingHTTPServer((host, port), handler)
