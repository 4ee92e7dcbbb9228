"""`visitplan participants message`: one e-mail per participant, as .eml files or sent
through a real SMTP server started in the test (aiosmtpd), never sent twice."""

from __future__ import annotations

import json
import os
import socket
import stat
import struct
import zlib
from collections.abc import Iterator
from email import message_from_bytes
from email.message import EmailMessage
from email.parser import BytesParser, Parser
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
import segno
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword

from conftest import Run, write
from visitplan.labels import Labels
from visitplan.links import feed_links, personal_page_path, public_url
from visitplan.load import load_visit
from visitplan.messages import CONTEXT, programme_body
from visitplan.state import read_state, state_path

BASE = "https://example.org/visits/mini/"
VISIT = f"""\
visit:
  id: mini
  title: Μελέτη επίσκεψης στο Μιλάνο
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
  - id: south
    name: South
venues:
  - id: hall
    name: Hall
    address: Via Roma 1
    city: Milan
sessions:
  - id: s1
    title: Welcome
    date: 2026-01-27
    start: "9:30"
    end: "10:30"
    venue: hall
    objectives: [learn]
  - id: s2
    title: North workshop
    date: 2026-01-27
    start: "11:00"
    end: "12:00"
    venue: hall
    groups: [north]
  - id: s3
    title: South workshop
    date: 2026-01-28
    start: "11:00"
    end: "12:00"
    venue: hall
    groups: [south]
participants:
  - id: ana
    name: Ana Silva
    email: Ana.Silva@Example.ORG
    languages: [pt, en]
    group: north
    arrival: 2026-01-26 18:30
  - id: eleni
    name: Ελένη Παπαδοπούλου
    email: eleni@example.org
    languages: [el]
    group: south
  - id: karim
    name: كريم عبد الله
    email: karim@example.org
    languages: [ar, fr]
    group: north
  - id: nomail
    name: Jan de Vries
    group: south
"""
WITH_EMAIL = ("ana", "eleni", "karim")


@pytest.fixture(scope="module")
def built_visit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The visit built once (the build makes the personal links): each test copies it."""
    from typer.testing import CliRunner

    from visitplan.cli import app

    path = write(tmp_path_factory.mktemp("built"), VISIT)
    result = CliRunner().invoke(app, ["build", str(path), "-q"])
    assert result.exit_code == 0, result.output
    return path.parent


@pytest.fixture
def visit_file(tmp_path: Path, built_visit: Path) -> Path:
    import shutil

    folder = tmp_path / "visit"
    shutil.copytree(built_visit, folder, symlinks=True)
    return folder / "visit.yaml"


# -- a real SMTP server --------------------------------------------------------------------


class Mailbox:
    """What the test server received; it can refuse addresses or drop the connection."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []
        self.refuse: set[str] = set()
        self.drop_after: int | None = None

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:
        if self.drop_after is not None and len(self.envelopes) >= self.drop_after:
            server.transport.close()  # the connection drops before the answer
            return "250 OK"
        self.envelopes.append(envelope)
        return "250 OK"

    def messages(self) -> list[EmailMessage]:
        found = []
        for envelope in self.envelopes:
            raw = envelope.original_content or envelope.content
            assert isinstance(raw, bytes)
            parsed = message_from_bytes(raw, policy=default)
            assert isinstance(parsed, EmailMessage)
            found.append(parsed)
        return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


def send(run: Run, visit_file: Path, port: int, *extra: str) -> Any:
    return run(
        "participants",
        "message",
        visit_file,
        "--smtp",
        f"127.0.0.1:{port}",
        "--no-starttls",
        "--from",
        "Visit office <office@example.org>",
        "--rate",
        "0",
        *extra,
    )


# -- reading messages back -----------------------------------------------------------------


def plain(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    content: str = part.get_content()
    return content


def html_and_image(message: EmailMessage) -> tuple[str, str, bytes]:
    """The HTML part, and the Content-ID and bytes of the image it shows inline."""
    related = next(p for p in message.walk() if p.get_content_type() == "multipart/related")
    parts = list(related.iter_parts())
    page = next(p for p in parts if p.get_content_type() == "text/html")
    image = next(p for p in parts if p.get_content_type() == "image/png")
    assert image.get_content_disposition() == "inline"
    cid = str(image["Content-ID"]).strip("<>")
    data = image.get_content()
    assert isinstance(data, bytes)
    return page.get_content(), cid, data


def png_modules(png: bytes) -> list[list[bool]]:
    """The dark modules of a QR code in a 1-bit greyscale PNG, read pixel by pixel."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks = 8, {}
    idat = b""
    while position < len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        kind = png[position + 4 : position + 8]
        data = png[position + 8 : position + 8 + length]
        if kind == b"IDAT":
            idat += data
        chunks[kind] = data
        position += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (depth, colour) == (1, 0)
    raw = zlib.decompress(idat)
    stride = (width + 7) // 8
    rows: list[list[bool]] = []
    previous = bytearray(stride)
    for y in range(height):
        filter_type = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - 1] if x else 0
            up = previous[x]
            if filter_type == 1:
                line[x] = (line[x] + left) & 0xFF
            elif filter_type == 2:
                line[x] = (line[x] + up) & 0xFF
            elif filter_type == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif filter_type == 4:
                corner = previous[x - 1] if x else 0
                p = left + up - corner
                best = min((abs(p - left), 0), (abs(p - up), 1), (abs(p - corner), 2))[1]
                line[x] = (line[x] + (left, up, corner)[best]) & 0xFF
        previous = line
        rows.append([not (line[x // 8] >> (7 - x % 8)) & 1 for x in range(width)])
    # The top-left finder pattern: its first dark run is 7 modules wide.
    top = next(y for y, row in enumerate(rows) if any(row))
    first = rows[top].index(True)
    run = next(x for x in range(first, width) if not rows[top][x]) - first
    scale = run // 7
    size = (width - 2 * first) // scale
    return [
        [rows[first + r * scale + scale // 2][first + c * scale + scale // 2] for c in range(size)]
        for r in range(size)
    ]


def encodes(png: bytes, url: str) -> bool:
    modules = png_modules(png)
    for level in "lmqh":
        matrix = [[bool(v) for v in row] for row in segno.make(url, error=level).matrix]
        if matrix == modules:
            return True
    return False


def links_of(visit_file: Path, participant: str) -> tuple[str, str, str, str]:
    loaded = load_visit(visit_file)
    token = read_state(state_path(visit_file)).tokens[participant]
    feed = feed_links(loaded.visit, "personal", token, loaded.visit.details.title)
    page = public_url(loaded.visit, personal_page_path(token))
    assert feed.https and feed.webcal and feed.google and page
    return page, feed.https, feed.webcal, feed.google


def expected_subject(visit_file: Path, participant: str, language: str) -> str:
    loaded = load_visit(visit_file)
    person = next(p for p in loaded.visit.participants if p.id == participant)
    return programme_body(loaded.visit, person, Labels(language)).subject


# -- sending -------------------------------------------------------------------------------


def test_each_participant_with_an_email_gets_one_message(
    visit_file: Path, run: Run, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    result = send(run, visit_file, port)
    assert result.exit_code == 0, result.output
    assert sorted(rcpt for e in box.envelopes for rcpt in e.rcpt_tos) == sorted(
        ["Ana.Silva@example.org", "eleni@example.org", "karim@example.org"]
    )
    assert all(e.mail_from == "office@example.org" for e in box.envelopes)
    assert "Jan de Vries" in result.stderr and "no email" in result.stderr  # a note
    assert "Sent 3 of 3 messages" in result.stdout


def test_messages_are_in_each_participants_language(
    visit_file: Path, run: Run, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    assert send(run, visit_file, port).exit_code == 0
    by_address = {m["To"].addresses[0].addr_spec.lower(): m for m in box.messages()}
    # Portuguese and Greek have catalogues; Arabic has none, so the visit's (English).
    for participant, address, language in (
        ("ana", "ana.silva@example.org", "pt"),
        ("eleni", "eleni@example.org", "el"),
        ("karim", "karim@example.org", "en"),
    ):
        message = by_address[address]
        subject = expected_subject(visit_file, participant, language)
        assert message["Subject"] == subject
        assert message["Content-Language"] == language
    english = expected_subject(visit_file, "ana", "en")
    assert by_address["ana.silva@example.org"]["Subject"] != english  # really translated
    heading = Labels("pt").pgettext(CONTEXT, "Your programme")
    assert heading.upper() in plain(by_address["ana.silva@example.org"])


@pytest.mark.slow
def test_greek_and_arabic_names_and_titles_survive_header_encoding(
    visit_file: Path, run: Run, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    assert send(run, visit_file, port).exit_code == 0
    raw = {e.rcpt_tos[0]: e.original_content or e.content for e in box.envelopes}
    for address, name in (
        ("eleni@example.org", "Ελένη Παπαδοπούλου"),
        ("karim@example.org", "كريم عبد الله"),
    ):
        data = raw[address]
        assert isinstance(data, bytes)
        headers = data.split(b"\r\n\r\n", 1)[0]
        assert headers.isascii()  # RFC 2047 encoded words, nothing raw
        parsed = BytesParser(policy=default).parsebytes(data)
        assert parsed["To"].addresses[0].display_name == name
        assert "Μελέτη επίσκεψης στο Μιλάνο" in parsed["Subject"]


def test_each_message_carries_its_owners_links(
    visit_file: Path, run: Run, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    assert send(run, visit_file, port).exit_code == 0
    by_address = {m["To"].addresses[0].addr_spec.lower(): m for m in box.messages()}
    others = {p: links_of(visit_file, p) for p in WITH_EMAIL}
    for participant, address in (
        ("ana", "ana.silva@example.org"),
        ("eleni", "eleni@example.org"),
        ("karim", "karim@example.org"),
    ):
        message = by_address[address]
        text = plain(message)
        page, _, _ = html_and_image(message)
        for link in others[participant]:
            assert link in text
            assert link.replace("&", "&amp;") in page
        for someone, links in others.items():
            if someone != participant:
                assert not any(link in text or link in page for link in links)


def test_the_qr_code_is_an_inline_image_of_the_feeds_https_address(
    visit_file: Path, run: Run, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    assert send(run, visit_file, port).exit_code == 0
    message = next(m for m in box.messages() if m["To"].addresses[0].username == "eleni")
    page, cid, png = html_and_image(message)
    assert f'src="cid:{cid}"' in page
    _, https, _, _ = links_of(visit_file, "eleni")
    assert encodes(png, https)
    assert not encodes(png, links_of(visit_file, "ana")[1])


@pytest.mark.slow
def test_the_programme_is_the_participants_own(
    visit_file: Path, run: Run, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    assert send(run, visit_file, port).exit_code == 0
    by_user = {m["To"].addresses[0].username.lower(): plain(m) for m in box.messages()}
    assert "Welcome" in by_user["ana.silva"] and "North workshop" in by_user["ana.silva"]
    assert "South workshop" not in by_user["ana.silva"]
    assert "South workshop" in by_user["eleni"] and "North workshop" not in by_user["eleni"]
    assert "18:30" in by_user["ana.silva"]  # her arrival
    assert Labels("pt")("Your arrival") in by_user["ana.silva"]
    assert Labels("pt").full_date(__import__("datetime").date(2026, 1, 26)) in by_user["ana.silva"]


def test_a_second_run_sends_nothing(
    visit_file: Path, run: Run, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    assert send(run, visit_file, port).exit_code == 0
    again = send(run, visit_file, port)
    assert again.exit_code == 0, again.output
    assert len(box.envelopes) == 3
    assert "already received" in again.stdout
    state = json.loads(state_path(visit_file).read_text(encoding="utf-8"))
    assert sorted(state["messages_sent"]) == sorted(WITH_EMAIL)


@pytest.mark.slow
def test_a_changed_programme_is_sent_again_to_those_it_changes(
    visit_file: Path, run: Run, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    assert send(run, visit_file, port).exit_code == 0
    text = visit_file.read_text(encoding="utf-8").replace("South workshop", "South seminar")
    visit_file.write_text(text, encoding="utf-8")
    assert run("build", visit_file, "-q").exit_code == 0
    assert send(run, visit_file, port).exit_code == 0
    later = [e.rcpt_tos[0] for e in box.envelopes[3:]]
    assert later == ["eleni@example.org"]


@pytest.mark.slow
def test_a_build_keeps_the_sent_log(
    visit_file: Path, run: Run, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    assert send(run, visit_file, port).exit_code == 0
    assert run("build", visit_file, "-q").exit_code == 0
    assert send(run, visit_file, port).exit_code == 0
    assert len(box.envelopes) == 3


@pytest.mark.slow
def test_dry_run_sends_nothing_and_says_what_it_would(
    visit_file: Path, run: Run, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    result = send(run, visit_file, port, "--dry-run")
    assert result.exit_code == 0, result.output
    assert box.envelopes == []
    assert "would send 3 messages" in result.stdout
    assert "eleni@example.org" in result.stdout
    assert "messages_sent" not in state_path(visit_file).read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_refused_recipient_is_reported_and_the_others_are_sent(
    visit_file: Path, run: Run, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    box.refuse.add("eleni@example.org")
    result = send(run, visit_file, port)
    assert result.exit_code == 2
    assert "VP403" in result.stderr and "eleni@example.org" in result.stderr
    assert f"{visit_file}:" in result.stderr  # located at her email in the visit file
    assert len(box.envelopes) == 2
    assert "Traceback" not in result.output


@pytest.mark.slow
def test_a_dropped_connection_keeps_the_log_of_what_was_sent(
    visit_file: Path, run: Run, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    box.drop_after = 1
    result = send(run, visit_file, port)
    assert result.exit_code == 2, result.output
    assert "VP402" in result.stderr and "Traceback" not in result.output
    assert "run the command again" in result.stdout
    assert len(box.envelopes) == 1
    state = json.loads(state_path(visit_file).read_text(encoding="utf-8"))
    assert len(state["messages_sent"]) == 1
    box.drop_after = None
    assert send(run, visit_file, port).exit_code == 0
    assert sorted(e.rcpt_tos[0].lower() for e in box.envelopes) == sorted(
        ["ana.silva@example.org", "eleni@example.org", "karim@example.org"]
    )


@pytest.mark.slow
def test_starttls_is_required_unless_turned_off(
    visit_file: Path, run: Run, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    result = run(
        "participants", "message", visit_file, "--smtp", f"127.0.0.1:{port}",
        "--from", "office@example.org",
    )  # fmt: skip
    assert result.exit_code == 2
    assert "STARTTLS" in result.stderr and "Traceback" not in result.output
    assert box.envelopes == []


class Authenticator:
    def __call__(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            b"office",
            b"secret",
        )
        return AuthResult(success=ok, handled=False)  # the server answers 535 itself


@pytest.fixture
def guarded_mailbox() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    port = free_port()
    controller = Controller(
        box,
        hostname="127.0.0.1",
        port=port,
        authenticator=Authenticator(),
        auth_require_tls=False,
        auth_required=True,
    )
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
@pytest.mark.slow
def test_credentials_come_from_the_environment(
    visit_file: Path, run: Run, guarded_mailbox: tuple[Mailbox, int], monkeypatch: Any
) -> None:
    box, port = guarded_mailbox
    monkeypatch.setenv("VISITPLAN_SMTP_USER", "office")
    monkeypatch.setenv("VISITPLAN_SMTP_PASSWORD", "wrong")
    refused = send(run, visit_file, port)
    assert refused.exit_code == 2 and "VP402" in refused.stderr
    assert "login" in refused.stderr and "Traceback" not in refused.output
    assert box.envelopes == []
    monkeypatch.setenv("VISITPLAN_SMTP_PASSWORD", "secret")
    assert send(run, visit_file, port).exit_code == 0
    assert len(box.envelopes) == 3


@pytest.mark.slow
def test_a_password_never_crosses_the_network_unencrypted(
    visit_file: Path, run: Run, monkeypatch: Any
) -> None:
    monkeypatch.setenv("VISITPLAN_SMTP_USER", "office")
    monkeypatch.setenv("VISITPLAN_SMTP_PASSWORD", "secret")
    result = run(
        "participants", "message", visit_file, "--smtp", "smtp.example.org:25",
        "--no-starttls", "--from", "office@example.org",
    )  # fmt: skip
    assert result.exit_code == 2 and "unencrypted" in result.stderr


@pytest.mark.parametrize(
    ("server", "said"),
    [
        ("127.0.0.1:notaport", "not a port number"),
        ("127.0.0.1:70000", "not a port number"),
        ("smtp example.org:25", "not HOST:PORT"),
        ("::1:25", "brackets"),
    ],
)
@pytest.mark.slow
def test_a_bad_server_option_is_explained(
    visit_file: Path, run: Run, server: str, said: str
) -> None:
    result = run(
        "participants", "message", visit_file, "--smtp", server, "--from", "office@example.org"
    )
    assert result.exit_code == 2
    assert said in result.stderr and "--smtp" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.slow
def test_a_refused_connection_is_explained(visit_file: Path, run: Run) -> None:
    result = run(
        "participants", "message", visit_file, "--smtp", f"127.0.0.1:{free_port()}",
        "--no-starttls", "--from", "office@example.org",
    )  # fmt: skip
    assert result.exit_code == 2
    assert "refused" in result.stderr and "VP402" in result.stderr


@pytest.mark.slow
def test_sending_needs_a_sender(visit_file: Path, run: Run) -> None:
    result = run("participants", "message", visit_file, "--smtp", "127.0.0.1:25")
    assert result.exit_code == 2 and "--from" in result.stderr
    bad = run("participants", "message", visit_file, "--smtp", "127.0.0.1:25", "--from", "office")
    assert bad.exit_code == 2 and "not an email address" in bad.stderr


# -- .eml files ----------------------------------------------------------------------------


def test_eml_files_parse_and_match_what_would_be_sent(visit_file: Path, run: Run) -> None:
    result = run("participants", "message", visit_file)
    assert result.exit_code == 0, result.output
    folder = visit_file.parent / "messages"
    files = sorted(folder.glob("*.eml"))
    assert [f.stem for f in files] == sorted(WITH_EMAIL)
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600  # personal links: owner only
        message = BytesParser(policy=default).parsebytes(path.read_bytes())
        assert isinstance(message, EmailMessage)
        assert message["X-Unsent"] == "1"
        page, cid, png = html_and_image(message)
        assert f"cid:{cid}" in page
        _, https, _, _ = links_of(visit_file, path.stem)
        assert https in plain(message) and encodes(png, https)
    assert "3 messages" in result.stdout


def test_a_file_visitplan_did_not_write_is_never_replaced(visit_file: Path, run: Run) -> None:
    folder = visit_file.parent / "messages"
    folder.mkdir()
    mine = folder / "eleni.eml"
    mine.write_text("my own draft", encoding="utf-8")
    result = run("participants", "message", visit_file)
    assert result.exit_code == 2
    assert "eleni.eml" in result.stderr and "did not write" in result.stderr
    assert mine.read_text(encoding="utf-8") == "my own draft"
    assert not (folder / "ana.eml").exists()  # refused before anything was written


@pytest.mark.slow
def test_files_it_wrote_are_replaced_but_not_once_edited(visit_file: Path, run: Run) -> None:
    assert run("participants", "message", visit_file).exit_code == 0
    assert run("participants", "message", visit_file).exit_code == 0  # its own: replaced
    edited = visit_file.parent / "messages" / "ana.eml"
    edited.write_bytes(edited.read_bytes() + b"\r\nP.S.")
    result = run("participants", "message", visit_file)
    assert result.exit_code == 2 and "ana.eml" in result.stderr
    assert edited.read_bytes().endswith(b"P.S.")


@pytest.mark.slow
def test_a_folder_that_cannot_be_written_is_explained(
    visit_file: Path, run: Run, tmp_path: Path
) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    if os.access(folder, os.W_OK):  # root writes into read-only folders
        folder = Path("/proc/visitplan-messages")  # where nobody may make a folder
    try:
        result = run("participants", "message", visit_file, "-o", folder)
    finally:
        (tmp_path / "locked").chmod(0o700)
    assert result.exit_code == 2 and "VP010" in result.stderr
    assert "cannot be written" in result.stderr and "Traceback" not in result.output


@pytest.mark.slow
def test_an_output_folder_that_is_a_file_is_explained(
    visit_file: Path, run: Run, tmp_path: Path
) -> None:
    blocker = tmp_path / "occupied"
    blocker.write_text("not a folder", encoding="utf-8")
    result = run("participants", "message", visit_file, "-o", blocker)
    assert result.exit_code == 2 and "VP010" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.slow
def test_messages_never_go_into_a_build_folder(visit_file: Path, run: Run) -> None:
    public = visit_file.parent / "build" / "public"
    result = run("participants", "message", visit_file, "-o", public / "mail")
    assert result.exit_code == 2 and "build folder" in result.stderr
    assert not (public / "mail").exists()


@pytest.mark.slow
def test_dry_run_writes_no_file(visit_file: Path, run: Run) -> None:
    result = run("participants", "message", visit_file, "--dry-run")
    assert result.exit_code == 0 and "would write 3 messages" in result.stdout
    assert not (visit_file.parent / "messages").exists()


# -- what must exist first -----------------------------------------------------------------


def test_a_participant_without_a_link_needs_a_build_first(tmp_path: Path, run: Run) -> None:
    path = write(tmp_path, VISIT)  # never built: no tokens
    result = run("participants", "message", path)
    assert result.exit_code == 2
    assert "VP401" in result.stderr and "visitplan build" in result.stderr
    assert f"{path}:" in result.stderr  # located at the participant


@pytest.mark.slow
def test_messages_need_the_public_address(tmp_path: Path, run: Run) -> None:
    path = write(tmp_path, VISIT.replace(f"  publishing:\n    base_url: {BASE}\n", ""))
    assert run("build", path, "-q").exit_code == 0
    result = run("participants", "message", path)
    assert result.exit_code == 2 and "base_url" in result.stderr


@pytest.mark.slow
def test_a_damaged_state_file_is_located(visit_file: Path, run: Run) -> None:
    state = state_path(visit_file)
    data = json.loads(state.read_text(encoding="utf-8"))
    data["messages_sent"] = {"ana": {"not-a-digest": "2026-01-01T00:00:00+00:00"}}
    state.write_text(json.dumps(data, indent=1), encoding="utf-8")
    result = run("participants", "message", visit_file)
    assert result.exit_code == 2
    assert "VP010" in result.stderr and "not-a-digest" in result.stderr
    assert f"{state}:" in result.stderr
    state.write_text("{ broken", encoding="utf-8")
    result = run("participants", "message", visit_file)
    assert result.exit_code == 2 and "not valid JSON" in result.stderr


def test_an_email_with_a_space_is_refused_where_it_is_written(tmp_path: Path, run: Run) -> None:
    path = write(tmp_path, VISIT.replace("eleni@example.org", "eleni @example.org"))
    result = run("participants", "message", path)
    assert result.exit_code == 2 and "not an email address" in result.stderr


def test_a_control_character_in_a_title_is_refused_where_it_is_written(
    tmp_path: Path, run: Run
) -> None:
    path = write(tmp_path, VISIT.replace("title: Welcome", 'title: "Wel\\ecome"'))
    result = run("participants", "message", path)
    assert result.exit_code == 2 and "VP014" in result.stderr


# -- addresses beyond ASCII, and pacing ----------------------------------------------------


@pytest.mark.slow
def test_an_accented_domain_is_sent_in_its_ascii_form(
    tmp_path: Path, run: Run, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    path = write(tmp_path, VISIT.replace("eleni@example.org", "eleni@bücher.example"))
    assert run("build", path, "-q").exit_code == 0
    assert send(run, path, port).exit_code == 0
    assert "eleni@" + "bücher".encode("idna").decode() + ".example" in [
        e.rcpt_tos[0] for e in box.envelopes
    ]


@pytest.mark.slow
def test_a_greek_address_is_written_to_a_file_and_sent(
    tmp_path: Path, run: Run, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    greek = "ελένη@παράδειγμα.ελ"
    path = write(tmp_path, VISIT.replace("eleni@example.org", greek))
    assert run("build", path, "-q").exit_code == 0
    assert run("participants", "message", path).exit_code == 0
    data = (tmp_path / "messages" / "eleni.eml").read_bytes()
    parsed = Parser(policy=default).parsestr(data.decode("utf-8"))  # RFC 6532: UTF-8 headers
    assert parsed["To"].addresses[0].addr_spec == greek
    assert send(run, path, port).exit_code == 0  # with SMTPUTF8, which the server offers
    assert greek in [e.rcpt_tos[0] for e in box.envelopes]


@pytest.mark.slow
def test_messages_are_paced_to_the_rate(visit_file: Path, mailbox: tuple[Mailbox, int]) -> None:
    from visitplan.messages import mail_server, prepare_messages, send_messages, sender_address

    box, port = mailbox
    moments = [0.0]
    waits: list[float] = []

    def clock() -> float:
        return moments[-1]

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        moments.append(moments[-1] + seconds)

    loaded = load_visit(visit_file)
    sender = sender_address("office@example.org")
    outcome = send_messages(
        prepare_messages(loaded, sender=sender),
        mail_server(f"127.0.0.1:{port}", starttls=False, environ={}),
        sender,
        loaded=loaded,
        rate=4,  # a minute holds four: one every 15 s
        sleep=sleep,
        clock=clock,
    )
    assert len(outcome.sent) == 3 and len(box.envelopes) == 3
    assert waits == [15.0, 15.0]


@pytest.mark.slow
def test_a_build_keeps_what_was_sent_while_it_ran(visit_file: Path) -> None:
    """The build reads the state when it starts and writes it when it ends: a message
    recorded in between is kept."""
    from datetime import UTC, datetime

    from visitplan.build import build
    from visitplan.state import record_sent

    loaded = load_visit(visit_file)
    moment = datetime(2026, 1, 5, tzinfo=UTC)

    def exporter_that_sends() -> Any:
        class Sends:
            id = "sends"
            name = "records a message while the build runs"

            def render(self, visit: Any, context: Any) -> list[Path]:
                record_sent(state_path(visit_file), "mini", "ana", "a" * 64, moment)
                return []

        return Sends()

    build(loaded, visit_file.parent / "build", exporters=[exporter_that_sends()], force=True)
    assert read_state(state_path(visit_file)).sent == {"ana": {"a" * 64: moment}}


@pytest.mark.slow
def test_another_body_can_be_composed_for_chosen_participants(visit_file: Path) -> None:
    """What another kind of message needs: a body of its own, for some participants."""
    from visitplan.messages import Block, Body, Section, prepare_messages

    def notice(visit: Any, person: Any, labels: Labels) -> Body | None:
        if person.group != "south":
            return None
        return Body(
            "Changed", "The programme changed.", (Section("What", (Block("Day", ("x",)),)),)
        )

    prepared = prepare_messages(load_visit(visit_file), body_of=notice)
    assert [c.participant_id for c in prepared.messages] == ["eleni"]
    message = prepared.messages[0].message
    assert message["Subject"] == "Changed" and "The programme changed." in plain(message)
    assert links_of(visit_file, "eleni")[1] in plain(message)  # the envelope adds the links


@pytest.mark.slow
def test_a_sender_with_a_line_break_is_refused(visit_file: Path, run: Run) -> None:
    result = run(
        "participants", "message", visit_file, "--from", "office@example.org\nBcc: all@example.org"
    )
    assert result.exit_code == 2 and "line break" in result.stderr
    assert not (visit_file.parent / "messages").exists()


@pytest.mark.slow
def test_a_greek_sender_name_is_encoded_and_read_back(visit_file: Path, run: Run) -> None:
    sender = "Γραφείο επισκέψεων <office@example.org>"
    assert run("participants", "message", visit_file, "--from", sender).exit_code == 0
    data = (visit_file.parent / "messages" / "ana.eml").read_bytes()
    assert data.split(b"\r\n\r\n", 1)[0].isascii()
    parsed = BytesParser(policy=default).parsebytes(data)
    assert parsed["From"].addresses[0].display_name == "Γραφείο επισκέψεων"
