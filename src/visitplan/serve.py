"""``visitplan serve``: the public folder over HTTP, to try the page and subscriptions
on this computer or, with ``--host 0.0.0.0``, from a phone on the same network.

Each file is answered with a strong ETag (a hash of what is sent) and Last-Modified,
so calendar apps that poll the feeds get ``304 Not Modified`` until a build changes
them. No folder is ever listed (``public/p/`` holds the personal feeds), and nothing
outside the folder is served, even through a link.

The page's links carry the address the folder will have online (``base_url``); the
server rewrites them in the pages it sends to the address the request came to, so
that every subscribe link on the page works from the phone that opened it.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import socket
import threading
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, BinaryIO, ClassVar
from urllib.parse import quote, urlsplit

# Any private address will do: "connecting" a UDP socket sends nothing, but makes the
# system choose the interface, and so the address, it would send from.
_PROBE = ("10.254.254.254", 1)
ALL_INTERFACES = frozenset({"0.0.0.0", "::", ""})  # noqa: S104 - the user asks for it
_HOST_HEADER = re.compile(r"[A-Za-z0-9.\-]+(:\d{1,5})?|\[[0-9A-Fa-f:.]+\](:\d{1,5})?")
REWRITTEN_TYPES = ("text/html",)
# RFC 9110 8.8.3: an entity tag is an optionally weak quoted string; "*" matches any.
_ENTITY_TAG = re.compile(r'(?:W/)?"[\x21\x23-\x7e\x80-\xff]*"|\*')


def lan_address() -> str | None:
    """This computer's address on its local network (None without one), found without
    sending anything."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(_PROBE)
            address = str(probe.getsockname()[0])
        except OSError:
            return None
    return None if address.startswith("127.") or address == "0.0.0.0" else address  # noqa: S104


def published_base(folder: Path) -> str | None:
    """The address the folder will have online, as the build wrote it into the whole
    programme's feed (its URL is the page's address)."""
    from icalendar import Calendar

    try:
        calendar = Calendar.from_ical((folder / "calendar.ics").read_bytes())
    except (OSError, ValueError):
        return None
    url = str(calendar.get("url", ""))
    page = "index.html"
    return (
        url[: -len(page)]
        if url.startswith(("https://", "http://")) and url.endswith("/" + page)
        else None
    )


class PublicServer(ThreadingHTTPServer):
    """Serves one folder; knows the published address to rewrite in its pages."""

    daemon_threads = True

    def __init__(
        self,
        folder: Path,
        address: tuple[str, int],
        handler: type[PublicFolderHandler] | None = None,
    ) -> None:
        self.folder = folder.resolve()
        self.published = published_base(self.folder)
        self._tags: dict[tuple[str, int, int, str], str] = {}
        self._lock = threading.Lock()
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, handler or PublicFolderHandler)

    def rewritten(self, data: bytes, content_type: str, served: str) -> bytes:
        """``data`` with the published address replaced by ``served`` (an HTML page)."""
        if not self.published or not content_type.startswith(REWRITTEN_TYPES):
            return data
        old_web, new_web = self.published, served
        old_cal = "webcal://" + old_web.split("://", 1)[1]
        new_cal = "webcal://" + new_web.split("://", 1)[1]
        for old, new in (
            (quote(old_cal, safe=""), quote(new_cal, safe="")),
            (quote(old_web, safe=""), quote(new_web, safe="")),
            (old_cal, new_cal),
            (old_web, new_web),
        ):
            data = data.replace(old.encode(), new.encode())
        return data

    def etag(self, key: tuple[str, int, int, str], body: bytes) -> str:
        with self._lock:
            tag = self._tags.get(key)
            if tag is None:
                tag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
                self._tags[key] = tag
        return tag


class PublicFolderHandler(SimpleHTTPRequestHandler):
    """Static files with the content types calendar clients expect."""

    server: PublicServer
    extensions_map: ClassVar[dict[str, str]] = {  # type: ignore[misc]
        **SimpleHTTPRequestHandler.extensions_map,
        ".ics": "text/calendar; charset=utf-8",
        ".json": "application/json; charset=utf-8",
        ".html": "text/html; charset=utf-8",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, directory=str(args[2].folder), **kwargs)

    def log_message(self, format: str, *args: Any) -> None:
        return  # quiet: the CLI says where it serves

    def list_directory(self, path: str | os.PathLike[str]) -> None:
        """Never a listing of a folder: public/p/ holds the personal feeds."""
        self.send_error(HTTPStatus.NOT_FOUND, "Not found")
        return None

    def send_head(self) -> BinaryIO | None:
        url_path = urlsplit(self.path).path
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not url_path.endswith("/"):
                self.send_response(HTTPStatus.MOVED_PERMANENTLY)
                self.send_header("Location", url_path + "/")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            path = path / "index.html"
        elif url_path.endswith("/"):
            self._not_found()
            return None
        try:
            resolved = path.resolve(strict=True)
            resolved.relative_to(self.server.folder)  # nothing outside, even by a link
            if not resolved.is_file():
                self._not_found()
                return None
            found = resolved.stat()
            data = resolved.read_bytes()
        except (OSError, ValueError, RuntimeError):
            self._not_found()
            return None
        content_type = self.guess_type(str(path))
        served = self._served_base()
        body = self.server.rewritten(data, content_type, served)
        key = (str(resolved), found.st_mtime_ns, found.st_size, served)
        tag = self.server.etag(key, body)
        modified = self.date_time_string(int(found.st_mtime))
        status = HTTPStatus.NOT_MODIFIED if self._unchanged(tag, found.st_mtime) else HTTPStatus.OK
        self.send_response(status)
        self.send_header("ETag", tag)
        self.send_header("Last-Modified", modified)
        self.send_header("Cache-Control", "no-cache")  # ask again each time: a trial server
        if status is HTTPStatus.NOT_MODIFIED:
            self.end_headers()
            return None
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def _not_found(self) -> None:
        self.send_error(HTTPStatus.NOT_FOUND, "Not found")

    def _unchanged(self, tag: str, mtime: float) -> bool:
        """RFC 9110: If-None-Match (weak comparison) decides; If-Modified-Since only
        when there is none."""
        match = self.headers.get("If-None-Match")
        if match is not None:
            tags = _ENTITY_TAG.findall(match)
            return "*" in tags or any(t.removeprefix("W/") == tag for t in tags)
        since = self.headers.get("If-Modified-Since")
        if since is None:
            return False
        try:
            moment = parsedate_to_datetime(since)
        except (TypeError, ValueError, IndexError, OverflowError):
            return False
        if moment.tzinfo is None:
            return False
        return int(mtime) <= moment.timestamp()

    def _served_base(self) -> str:
        """The address this request came to: that of its Host header when well formed."""
        host = self.headers.get("Host", "")
        if not _HOST_HEADER.fullmatch(host):
            name, port = str(self.server.server_address[0]), self.server.server_address[1]
            host = f"[{name}]:{port}" if ":" in name else f"{name}:{port}"
        return f"http://{host}/"


def make_server(
    folder: Path,
    port: int = 8000,
    host: str = "127.0.0.1",
    handler: type[PublicFolderHandler] | None = None,
) -> PublicServer:
    """A server for ``folder`` (not started); port 0 picks a free one. ``handler``: a
    kind of :class:`PublicFolderHandler` (pages that reload themselves, say)."""
    return PublicServer(folder, (host, port), handler)


def shown_addresses(server: PublicServer, host: str) -> tuple[str, bool]:
    """The address to give people, and whether it is reachable from other devices."""
    port = server.server_address[1]
    if host in ALL_INTERFACES:
        lan = lan_address()
        if lan is not None:
            return f"http://{lan}:{port}/", True
        return f"http://localhost:{port}/", False
    if host in {"127.0.0.1", "localhost"}:
        return f"http://localhost:{port}/", False
    if host == "::1":
        return f"http://[::1]:{port}/", False
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/", True


def terminal_qr(url: str) -> str:
    """A QR code of ``url`` drawn with block characters (no colour codes)."""
    import segno

    stream = io.StringIO()
    segno.make(url, error="m").terminal(out=stream, compact=True, border=2)
    return stream.getvalue()
