"""`visitplan serve`: ETag and Last-Modified, no folder listings, nothing outside the
folder, links that work from the device that opened the page, and the LAN address."""

from __future__ import annotations

import http.client
import ipaddress
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import Run, write
from visitplan.serve import PublicServer, lan_address, make_server, published_base, terminal_qr

BASE = "https://example.org/visits/mini/"
VISIT = f"""\
visit:
  id: mini
  title: Mini visit
  start_date: 2026-01-27
  end_date: 2026-01-28
  timezone: Europe/Rome
  country: IT
  publishing:
    base_url: {BASE}
  objectives:
    - id: learn
      text: Learn something
groups:
  - id: north
    name: North
venues:
  - id: hall
    name: Hall
    city: Milan
sessions:
  - id: s1
    title: Welcome
    date: 2026-01-27
    start: "9:30"
    end: "10:30"
    venue: hall
    objectives: [learn]
participants:
  - id: p1
    name: Representative, Norway
    country: NO
    group: north
"""


@pytest.fixture(scope="module")
def public(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from visitplan.build import build
    from visitplan.load import load_visit

    folder = tmp_path_factory.mktemp("serve")
    build(load_visit(write(folder, VISIT)), folder / "build", force=True)
    return folder / "build" / "public"


@pytest.fixture
def server(public: Path) -> Iterator[PublicServer]:
    running = make_server(public, 0)
    thread = threading.Thread(target=running.serve_forever, daemon=True)
    thread.start()
    try:
        yield running
    finally:
        running.shutdown()
        running.server_close()


def get(
    server: PublicServer, path: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=10)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_a_feed_has_a_strong_etag_and_if_none_match_gives_304(server: PublicServer) -> None:
    status, headers, body = get(server, "/calendar.ics")
    assert status == 200 and body.startswith(b"BEGIN:VCALENDAR")
    tag = headers["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', tag)  # strong: no W/
    assert get(server, "/calendar.ics")[1]["ETag"] == tag  # stable
    status, headers, body = get(server, "/calendar.ics", {"If-None-Match": tag})
    assert status == 304 and body == b"" and headers["ETag"] == tag
    assert get(server, "/calendar.ics", {"If-None-Match": f'"other", W/{tag}'})[0] == 304
    assert get(server, "/calendar.ics", {"If-None-Match": '"other"'})[0] == 200


@pytest.mark.slow
def test_last_modified_and_if_modified_since(server: PublicServer) -> None:
    modified = get(server, "/calendar.ics")[1]["Last-Modified"]
    assert get(server, "/calendar.ics", {"If-Modified-Since": modified})[0] == 304
    earlier = "Thu, 01 Jan 2015 00:00:00 GMT"
    assert get(server, "/calendar.ics", {"If-Modified-Since": earlier})[0] == 200
    # If-None-Match decides when both are sent (RFC 9110).
    both = {"If-Modified-Since": modified, "If-None-Match": '"other"'}
    assert get(server, "/calendar.ics", both)[0] == 200
    assert get(server, "/calendar.ics", {"If-Modified-Since": "yesterday"})[0] == 200


@pytest.mark.slow
def test_a_rebuilt_file_gets_a_new_etag(tmp_path: Path, run: Run) -> None:
    path = write(tmp_path, VISIT)
    assert run("build", path, "-q").exit_code == 0
    running = make_server(tmp_path / "build" / "public", 0)
    thread = threading.Thread(target=running.serve_forever, daemon=True)
    thread.start()
    try:
        first = get(running, "/calendar.ics")[1]["ETag"]
        path.write_text(VISIT.replace("Welcome", "Opening"), encoding="utf-8")
        assert run("build", path, "-q").exit_code == 0
        status, headers, body = get(running, "/calendar.ics", {"If-None-Match": first})
        assert status == 200 and b"Opening" in body and headers["ETag"] != first
    finally:
        running.shutdown()
        running.server_close()


def test_no_folder_is_listed(server: PublicServer, public: Path) -> None:
    status, _, body = get(server, "/p/")
    assert status == 200 and b".ics" not in body  # the empty, noindex page
    assert get(server, "/p")[0] == 301
    assert get(server, "/groups/")[0] == 404
    token = next(public.glob("p/*.ics")).name
    status, headers, _ = get(server, f"/p/{token}")
    assert status == 200 and headers["Content-Type"].startswith("text/calendar")


@pytest.mark.slow
def test_without_its_empty_page_p_is_still_not_listed(tmp_path: Path, run: Run) -> None:
    path = write(tmp_path, VISIT)
    assert run("build", path, "-q").exit_code == 0
    public = tmp_path / "build" / "public"
    (public / "p" / "index.html").unlink()
    running = make_server(public, 0)
    threading.Thread(target=running.serve_forever, daemon=True).start()
    try:
        status, _, body = get(running, "/p/")
        assert status == 404 and b".ics" not in body
    finally:
        running.shutdown()
        running.server_close()


@pytest.mark.slow
def test_nothing_outside_the_folder_is_served(tmp_path: Path, run: Run) -> None:
    path = write(tmp_path, VISIT)
    assert run("build", path, "-q").exit_code == 0
    public = tmp_path / "build" / "public"
    secret = tmp_path / "secret.txt"
    secret.write_text("private", encoding="utf-8")
    (public / "linked.txt").symlink_to(secret)
    running = make_server(public, 0)
    threading.Thread(target=running.serve_forever, daemon=True).start()
    try:
        assert get(running, "/linked.txt")[0] == 404
        assert get(running, "/../secret.txt")[0] == 404
        assert get(running, "/%2e%2e/secret.txt")[0] == 404
    finally:
        running.shutdown()
        running.server_close()


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hrefs += [value for name, value in attrs if name == "href" and value]


@pytest.mark.slow
def test_the_pages_links_point_to_the_address_it_was_opened_at(
    server: PublicServer, public: Path
) -> None:
    assert published_base(public) == BASE
    port = server.server_address[1]
    for host in (f"127.0.0.1:{port}", f"192.168.1.20:{port}"):
        status, _, body = get(server, "/", {"Host": host})
        assert status == 200
        links = Links()
        links.feed(body.decode("utf-8"))
        assert not [h for h in links.hrefs if "example.org" in h]
        assert f"webcal://{host}/calendar.ics" in links.hrefs
    # The files themselves are served as they were built.
    assert get(server, "/calendar.ics")[2] == (public / "calendar.ics").read_bytes()


@pytest.mark.slow
def test_a_malformed_host_header_is_not_echoed(server: PublicServer) -> None:
    status, _, body = get(server, "/", {"Host": "evil.example/<script>"})
    assert status == 200
    assert b"evil.example" not in body


@pytest.mark.slow
def test_the_lan_address_is_found_without_the_network() -> None:
    found = lan_address()
    if found is not None:  # a machine without a network has none
        address = ipaddress.ip_address(found)
        assert not address.is_loopback and not address.is_unspecified


@pytest.mark.slow
def test_serving_on_all_interfaces_prints_the_address_and_its_qr_code(
    public: Path,
) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "visitplan", "serve", str(public), "--port", "0",
         "--host", "0.0.0.0"],  # noqa: S104 - what a phone on the network needs
        stdout=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )  # fmt: skip
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        found = re.search(r"at (http://(\S+?):(\d+)/)", first)
        assert found, first
        url, host, port = found.groups()
        lines = [process.stdout.readline() for _ in range(2)]
        assert f"webcal://{host}:{port}/calendar.ics" in lines[0]
        if host == "localhost":  # no network on this machine: nothing to scan
            return
        assert "Scan" in lines[1]
        expected = terminal_qr(url)
        printed = "".join(process.stdout.readline() for _ in expected.splitlines())
        assert printed == expected
        connection = http.client.HTTPConnection("127.0.0.1", int(port), timeout=10)
        connection.request("GET", "/calendar.ics")
        assert connection.getresponse().status == 200  # also reachable here
        connection.close()
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_bad_host_is_explained(public: Path, run: Run) -> None:
    result = run("serve", public, "--host", "999.1.1.1", "--port", "0")
    assert result.exit_code == 2 and "Cannot listen on 999.1.1.1" in result.stderr
    assert "Traceback" not in result.output
