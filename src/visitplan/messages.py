"""E-mails to participants: each one's programme and personal links, as .eml files or
sent through SMTP, never sent twice.

A message is put together in two parts. A :class:`Body` says what this message is
about (its subject, an introduction and sections of lines: :func:`programme_body`
gives a participant their programme); :func:`compose` wraps any body in the same
envelope for one participant: greeting, their personal page and calendar links, the
QR code of their feed as an inline image (``multipart/related``, referenced from the
HTML part by its Content-ID), a plain-text part, and the headers. Another kind of
message (what changed, for the people it concerns) is another function that returns
a Body.

Each message has a digest of what it says (recipient, subject, text, HTML and image;
not its Date or Message-ID). Sending records the digest in the state file after each
message, so a run that stops loses nothing, and a later run sends a participant only
a message they have not received: a changed programme again, the same one never.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import json
import smtplib
import socket
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP, SMTPUTF8, Policy
from email.utils import format_datetime, make_msgid
from pathlib import Path

from visitplan.atomic import replace_file
from visitplan.file_names import safe_stem
from visitplan.findings import Finding, InputError, Location
from visitplan.labels import Labels, personal_language
from visitplan.links import FeedLinks, feed_links, personal_page_path, public_url
from visitplan.load import Loaded
from visitplan.model import Participant, Session, Visit, zone
from visitplan.publication import Record, changes_for, describe_change
from visitplan.session_view import session_view
from visitplan.state import State, read_state, record_sent, state_path
from visitplan.text import capitals, one_line

# The catalogues' context of every phrase of the messages (written out in each call, for
# the extraction).
CONTEXT = "e-mail"
MESSAGES_FOLDER = "messages"
FOLDER_MANIFEST = ".visitplan-messages.json"
DEFAULT_PORT = 587
IMPLICIT_TLS_PORT = 465
USER_VARIABLE = "VISITPLAN_SMTP_USER"
PASSWORD_VARIABLE = "VISITPLAN_SMTP_PASSWORD"  # noqa: S105 - a variable's name
LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})


# -- what a message says -------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """A titled list of lines, e.g. one day of a programme."""

    title: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Section:
    heading: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Body:
    """What one message is about, as text (the envelope adds greeting and links)."""

    subject: str
    introduction: str
    sections: tuple[Section, ...] = ()


BodyMaker = Callable[[Visit, Participant, Labels], "Body | None"]


def programme_body(
    visit: Visit,
    person: Participant,
    labels: Labels,
    lines: dict[tuple[str, str], str] | None = None,
) -> Body:
    """A participant's programme in short: their group's sessions day by day (time,
    title, place), with their own arrival and departure. ``lines`` keeps each session's
    line per language, for the next participant (see :class:`ProgrammeBodies`)."""
    details = visit.details
    made = {} if lines is None else lines
    days: dict[date, list[tuple[datetime, str]]] = {}
    for sessions in visit.sessions_by_day().values():
        for session in sessions:
            if not session.groups or (person.group is not None and person.group in session.groups):
                key = (labels.language, session.id)
                line = made.get(key)
                if line is None:
                    line = made[key] = _session_line(visit, session, labels)
                days.setdefault(session.date, []).append((session.starts_at, line))
    local = details.timezone
    for moment, what in (
        (person.arrival, labels("Your arrival")),
        (person.departure, labels("Your departure")),
    ):
        if moment is not None:
            here = moment.astimezone(zone(local))
            days.setdefault(here.date(), []).append((here, f"{here:%H:%M}  {what}"))
    blocks = tuple(
        Block(labels.full_date(day), tuple(line for _, line in sorted(days[day], key=_first)))
        for day in sorted(days)
    )
    dates = labels.date_range(details.start_date, details.end_date)
    return Body(
        subject=labels.pgettext(
            "e-mail", "{title}: your programme and calendar", title=details.title
        ),
        introduction=labels.pgettext(
            "e-mail",
            "Here is your programme for {title} ({dates}), with your own calendar. "
            "Subscribe to it once: it then follows every change of the programme.",
            title=details.title,
            dates=dates,
        ),
        sections=(Section(labels.pgettext("e-mail", "Your programme"), blocks),),
    )


class ProgrammeBodies:
    """:func:`programme_body` for every participant of one run, each session's line
    made once per language."""

    def __init__(self) -> None:
        self._lines: dict[tuple[str, str], str] = {}

    def __call__(self, visit: Visit, person: Participant, labels: Labels) -> Body:
        return programme_body(visit, person, labels, self._lines)


class ChangeBodies:
    """What the latest version of the programme changed, for each participant it
    concerns (the changes to everyone, and those of the groups they were or are in);
    None for the others, who get no message."""

    def __init__(self, record: Record) -> None:
        self.record = record
        self.version = record.version

    @property
    def changed(self) -> bool:
        return bool(self.version.changed)

    def __call__(self, visit: Visit, person: Participant, labels: Labels) -> Body | None:
        changes = changes_for(self.record, visit, person.id)
        if not changes:
            return None
        details = visit.details
        published = self.version.published
        when = labels.date(published.date()) if published else ""
        heading = labels(
            "Changed in version {version}, {date}", version=self.version.number, date=when
        )
        return Body(
            subject=labels.pgettext(
                "e-mail", "{title}: your programme has changed", title=details.title
            ),
            introduction=labels.pgettext(
                "e-mail",
                "The programme of {title} has changed. Here is what changed for you. "
                "If you subscribed to your calendar, it follows by itself.",
                title=details.title,
            ),
            sections=(
                Section(
                    heading,
                    (Block("", tuple(describe_change(c, labels, whom=False) for c in changes)),),
                ),
            ),
        )


def change_bodies(loaded: Loaded) -> ChangeBodies:
    """The bodies of ``participants message --changes``, from the state file beside the
    visit file (InputError when it is damaged)."""
    state = read_state(state_path(loaded.path), loaded.visit.details.id)
    return ChangeBodies(state.record)


def changes_folder(visit_file: Path, version: int) -> Path:
    """Where the .eml files of one version's changes go: apart from the programme's."""
    return default_folder(visit_file) / f"changes-{version}"


def _first(item: tuple[datetime, str]) -> datetime:
    return item[0]


def _session_line(visit: Visit, session: Session, labels: Labels) -> str:
    view = session_view(visit, session, labels)
    if len(view.places) == 1:
        place = view.places[0].line
    else:
        place = " → ".join(p.name for p in view.places)
    line = f"{view.time}  {one_line(session.title)}"
    if view.status:
        line += f" ({view.status})"
    return f"{line} — {one_line(place)}" if place else line


# -- one participant's message ------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    """A participant with an address, in their language, with their links."""

    participant: Participant
    address: str  # as written in the visit file
    labels: Labels
    feed: FeedLinks
    page: str  # their personal page's address


@dataclass(frozen=True)
class Composed:
    """A message ready to write or send, and the digest of what it says."""

    recipient: Recipient
    message: EmailMessage
    digest: str

    @property
    def participant_id(self) -> str:
        return self.recipient.participant.id

    @property
    def envelope_to(self) -> str:
        return sendable_address(self.recipient.address)


def compose(
    visit: Visit,
    recipient: Recipient,
    body: Body,
    *,
    sender: Address | None = None,
    now: datetime | None = None,
) -> Composed:
    """The message of ``body`` for ``recipient``: greeting, body, their links and the QR
    code of their feed (inline), as plain text and HTML."""
    labels = recipient.labels
    person = recipient.participant
    https = recipient.feed.https or ""
    png = qr_png(https)
    cid = f"qr.{hashlib.sha256(https.encode()).hexdigest()[:24]}@visitplan"
    greeting = labels.pgettext("e-mail", "Dear {name},", name=one_line(person.name))
    links = _links(recipient)
    text = _text_part(greeting, body, links, labels)
    page = _html_part(greeting, body, links, labels, cid)
    subject = one_line(body.subject)

    message = EmailMessage()
    message["Subject"] = _Subject(subject)
    if sender is not None:
        message["From"] = sender
    local, _, domain = recipient.address.rpartition("@")  # the parser refuses a Greek name
    message["To"] = Address(display_name=one_line(person.name), username=local, domain=domain)
    message["Date"] = format_datetime((now or datetime.now(UTC)).astimezone(UTC))
    domain = sender.domain if sender is not None and sender.domain.isascii() else "visitplan"
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(text)
    message.add_alternative(page, subtype="html")
    message["Content-Language"] = labels.language  # after the content, which resets it
    html_part = next(p for p in message.iter_parts() if p.get_content_type() == "text/html")
    html_part.add_related(
        png, "image", "png", cid=f"<{cid}>", filename="calendar-qr.png", disposition="inline"
    )
    said = [
        recipient.address.casefold(),
        person.name,
        subject,
        text,
        page,
        hashlib.sha256(png).hexdigest(),
    ]
    digest = hashlib.sha256(json.dumps(said, ensure_ascii=False).encode("utf-8")).hexdigest()
    return Composed(recipient, message, digest)


class _Subject(str):
    """A subject that keeps its spaces when folded. The email package's own folding
    (Python 3.11 to 3.12) splits a non-ASCII subject into encoded words and drops the
    space between two of them, so "το πρόγραμμα και" arrives as "το πρόγραμμακαι";
    the older ``email.header`` encoder keeps each space inside a word."""

    name = "Subject"

    def fold(self, *, policy: Policy) -> str:
        from email.header import Header

        text = str(self)
        if getattr(policy, "utf8", False):  # RFC 6532: the header is written as it is
            return f"{self.name}: {text}{policy.linesep}"
        charset = None if text.isascii() else "utf-8"
        value = Header(text, charset, header_name=self.name).encode(linesep=policy.linesep)
        return f"{self.name}: {value}{policy.linesep}"


def qr_png(url: str) -> bytes:
    """The QR code of ``url`` as a PNG image (black on white, 5 pixels a module)."""
    import io

    import segno

    stream = io.BytesIO()
    segno.make(url, error="m").save(stream, kind="png", scale=5, border=2)
    return stream.getvalue()


def _links(recipient: Recipient) -> list[tuple[str, str]]:
    labels = recipient.labels
    feed = recipient.feed
    found = [
        (labels.pgettext("e-mail", "Your personal page"), recipient.page),
        (
            labels.pgettext("e-mail", "Your calendar's address (to subscribe in any app)"),
            feed.https,
        ),
        (labels.pgettext("e-mail", "Subscribe on iPhone, iPad, Mac or in Outlook"), feed.webcal),
        (labels.pgettext("e-mail", "Add to Google Calendar (Android)"), feed.google),
    ]
    return [(label, url) for label, url in found if url]


def _text_part(greeting: str, body: Body, links: list[tuple[str, str]], labels: Labels) -> str:
    """Greeting, introduction, the links (what to do first), then the body's sections."""
    lines = [greeting, "", body.introduction, ""]
    lines += [capitals(labels.pgettext("e-mail", "Your calendar and your page")), ""]
    lines += [f"{label}:\n  {url}" for label, url in links]
    lines += ["", labels.pgettext("e-mail", "These links are personal: please do not share them.")]
    lines.append("")
    for section in body.sections:
        lines += [capitals(section.heading), ""]
        for block in section.blocks:
            if block.title:
                lines.append(block.title)
            lines += [f"  {line}" for line in block.lines]
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _html_part(
    greeting: str, body: Body, links: list[tuple[str, str]], labels: Labels, cid: str
) -> str:
    """The same as the text part, with the QR code shown beside the links."""

    def e(value: str) -> str:
        return html.escape(value, quote=True)

    caption = labels.pgettext("e-mail", "Scan with your phone's camera to subscribe")
    heading = labels.pgettext("e-mail", "Your calendar and your page")
    personal = labels.pgettext("e-mail", "These links are personal: please do not share them.")
    out = [
        "<!doctype html>",
        f'<html lang="{e(labels.language)}"><head><meta charset="utf-8">',
        f"<title>{e(body.subject)}</title></head>",
        '<body style="font-family:Arial,Helvetica,sans-serif;font-size:15px;'
        'line-height:1.45;color:#1a1a1a;max-width:40em">',
        f"<p><bdi>{e(greeting)}</bdi></p>",
        f"<p>{e(body.introduction)}</p>",
        f'<h2 style="font-size:19px">{e(heading)}</h2>',
        f'<p><img src="cid:{e(cid)}" alt="{e(caption)}" width="200" height="200" '
        'style="width:200px;height:200px"><br>'
        f"{e(caption)}</p>",
        "<ul>",
    ]
    for label, url in links:
        out.append(
            f'<li><a href="{e(url)}">{e(label)}</a><br>'
            f'<span style="font-size:12px;color:#555;word-break:break-all">{e(url)}</span></li>'
        )
    out += ["</ul>", f"<p>{e(personal)}</p>"]
    for section in body.sections:
        out.append(f'<h2 style="font-size:19px">{e(section.heading)}</h2>')
        for block in section.blocks:
            if block.title:
                out.append(f'<h3 style="font-size:16px;margin-bottom:4px">{e(block.title)}</h3>')
            out.append('<ul style="margin-top:0;padding-left:1.2em">')
            out += [f"<li><bdi>{e(line)}</bdi></li>" for line in block.lines]
            out.append("</ul>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def sendable_address(address: str) -> str:
    """The address as a mail server takes it: the domain in lower case and, where the
    name before @ is plain ASCII, in its ASCII (IDNA) form."""
    local, _, domain = address.rpartition("@")
    domain = domain.lower()
    if local.isascii() and not domain.isascii():
        with contextlib.suppress(UnicodeError):
            domain = domain.encode("idna").decode("ascii")
    return f"{local}@{domain}"


# -- every participant's message -----------------------------------------------------------


@dataclass
class Prepared:
    """The messages of one run, and what the officer should know about them."""

    messages: list[Composed]
    notes: list[Finding] = field(default_factory=list)  # participants without an address
    state: State = field(default_factory=State)
    state_file: Path = Path()
    visit_id: str = ""

    def already_sent(self, composed: Composed) -> bool:
        return composed.digest in self.state.sent.get(composed.participant_id, {})


def prepare_messages(
    loaded: Loaded,
    *,
    sender: Address | None = None,
    now: datetime | None = None,
    body_of: BodyMaker | None = None,
) -> Prepared:
    """One message per participant with an email (``body_of`` may return None for a
    participant who gets none; by default their programme); InputError when the messages
    cannot carry their links."""
    body_of = body_of or ProgrammeBodies()
    visit = loaded.visit
    details = visit.details
    state_file = state_path(loaded.path)
    state = read_state(state_file, details.id)
    if not details.publishing.base_url:
        raise InputError.of(
            "VP401",
            "the messages need the address where public/ will be online, to link each "
            "participant's page and calendar",
            "add `publishing: base_url: https://...` under `visit:`, build, and upload "
            "public/ there",
            loaded.source.locate(("visit",), key=True),
        )
    notes: list[Finding] = []
    missing: list[Finding] = []
    messages: list[Composed] = []
    by_language: dict[str, Labels] = {}
    for person in visit.participants:
        if not person.email:
            notes.append(
                Finding.of(
                    "VP404",
                    f"{person.name} ({person.id}) has no email address",
                    "add their `email:`, or give them their links by hand "
                    "(`visitplan participants links`)",
                    loaded.source.item("participants", person.id),
                    subject=person.id,
                )
            )
            continue
        token = state.tokens.get(person.id)
        if token is None:
            missing.append(
                Finding.of(
                    "VP401",
                    f"{person.name} ({person.id}) has no personal calendar link yet",
                    f"run `visitplan build {loaded.path}` first: it gives every participant "
                    "their link",
                    loaded.source.item("participants", person.id),
                    subject=person.id,
                )
            )
            continue
        language = personal_language(visit, person)
        labels = by_language.setdefault(language, Labels(language))
        body = body_of(visit, person, labels)
        if body is None:
            continue
        recipient = Recipient(
            participant=person,
            address=person.email,
            labels=labels,
            feed=feed_links(visit, "personal", token, details.title),
            page=public_url(visit, personal_page_path(token)) or "",
        )
        messages.append(compose(visit, recipient, body, sender=sender, now=now))
    if missing:
        raise InputError(missing)
    return Prepared(messages, notes, state, state_file, details.id)


# -- .eml files for the officer to check ---------------------------------------------------


@dataclass
class FilesWritten:
    folder: Path
    written: list[Path]
    removed: list[Path]  # files of participants who no longer get a message


def default_folder(visit_file: Path) -> Path:
    return visit_file.resolve().parent / MESSAGES_FOLDER


def file_name(composed: Composed) -> str:
    return f"{safe_stem(composed.participant_id)}.eml"


def as_file(composed: Composed) -> bytes:
    """The message as an .eml file: CRLF lines, marked as not yet sent (Outlook opens
    it as a draft to send; other mail programs open it to read or forward)."""
    return b"X-Unsent: 1\r\n" + as_sent(composed)


def as_sent(composed: Composed) -> bytes:
    return composed.message.as_bytes(policy=_policy(composed))


def _policy(composed: Composed) -> Policy:
    """SMTP's (headers in ASCII, names as RFC 2047 encoded words), unless an address
    itself is written beyond ASCII, which only SMTPUTF8 (RFC 6532) can carry."""
    sender = composed.message.get("From")
    addresses = [composed.recipient.address]
    addresses += [a.addr_spec for a in getattr(sender, "addresses", ())]
    return SMTP if all(a.isascii() for a in addresses) else SMTPUTF8


def write_message_files(prepared: Prepared, folder: Path, *, dry_run: bool = False) -> FilesWritten:
    """Write each message to ``folder`` as ``<participant id>.eml``, each file in one
    step. A file there that visitplan did not write, or that was changed since, is never
    replaced: the run is refused before anything is written."""
    folder = folder.absolute()
    refuse_build_folder(folder)
    manifest_file = folder / FOLDER_MANIFEST
    ours = _read_folder_manifest(manifest_file)
    wanted = {file_name(c): c for c in prepared.messages}
    foreign = []
    for name in sorted(wanted):
        target = folder / name
        if (target.exists() or target.is_symlink()) and not _is_ours(target, ours):
            foreign.append(name)
    if foreign:
        shown = ", ".join(foreign[:5]) + (
            f" and {len(foreign) - 5} more" if len(foreign) > 5 else ""
        )
        raise InputError.of(
            "VP010",
            f"the messages folder holds files that visitplan did not write, or that were "
            f"changed since: {shown}",
            "move them elsewhere (they would be replaced), or choose another folder with -o",
            folder,
        )
    stale = [
        folder / name
        for name in sorted(ours)
        if name not in wanted and _is_ours(folder / name, ours)
    ]
    if dry_run:
        return FilesWritten(folder, [folder / n for n in sorted(wanted)], stale)
    written: list[Path] = []
    contents = {name: as_file(composed) for name, composed in wanted.items()}
    digests = {name: hashlib.sha256(data).hexdigest() for name, data in contents.items()}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # Until every file is written, either content of a file is visitplan's: a run
        # that stops half-way leaves nothing the next run would take for the user's.
        meanwhile = {name: [*ours.get(name, []), digests[name]] for name in wanted}
        _write_folder_manifest(manifest_file, {**ours, **meanwhile})
        for name, data in contents.items():
            replace_file(folder / name, data, mode=0o600)  # personal links: owner only
            written.append(folder / name)
        for path in stale:
            path.unlink(missing_ok=True)
        _write_folder_manifest(manifest_file, {name: [digests[name]] for name in wanted})
    except OSError as error:
        raise InputError.of(
            "VP010",
            f"the messages cannot be written ({error.strerror or error}); "
            f"{len(written)} of {len(wanted)} were written",
            "make the folder writable and check that the disk has space, or choose "
            "another folder with -o",
            Path(error.filename) if error.filename else folder,
        ) from None
    return FilesWritten(folder, written, stale)


def refuse_build_folder(folder: Path, what: str = "messages hold") -> None:
    """Never inside a build folder: public/ goes online, and a build replaces the whole
    folder. Links are followed: a link to public/p/ is inside it too."""
    from visitplan.layout import MANIFEST

    given, real = folder.absolute(), folder.resolve()
    for place in dict.fromkeys((given, *given.parents, real, *real.parents)):
        manifest = place / MANIFEST
        try:
            is_build = manifest.is_file() and '"generator": "visitplan"' in manifest.read_text(
                encoding="utf-8", errors="replace"
            )
        except OSError:
            is_build = False
        if is_build:
            raise InputError.of(
                "VP010",
                f"{folder} is inside the build folder {place}: {what} personal links, "
                "and a build replaces that folder",
                "choose a folder of its own with -o, e.g. the default, messages/ beside "
                "the visit file"
                if what == "messages hold"
                else "choose a place outside the build folder with -o, e.g. -o links.csv "
                "beside the visit file",
                folder,
            )


def _is_ours(path: Path, ours: Mapping[str, list[str]]) -> bool:
    if path.is_symlink() or not path.is_file():
        return False
    recorded = ours.get(path.name)
    if not recorded:
        return False
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() in recorded
    except OSError:
        return False


def _read_folder_manifest(path: Path) -> dict[str, list[str]]:
    """What visitplan wrote in the folder: file name -> checksums of its content."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    files = raw.get("files") if isinstance(raw, dict) else None
    if not isinstance(files, dict):
        return {}
    return {
        name: [d for d in digests if isinstance(d, str)]
        for name, digests in files.items()
        if isinstance(name, str)
        and isinstance(digests, list)
        and name.endswith(".eml")
        and "/" not in name
        and "\\" not in name
    }


def _write_folder_manifest(path: Path, files: dict[str, list[str]]) -> None:
    text = json.dumps(
        {"generator": "visitplan", "about": "the messages visitplan wrote here", "files": files},
        indent=1,
        sort_keys=True,
    )
    replace_file(path, (text + "\n").encode("utf-8"), mode=0o600)


# -- sending through SMTP ------------------------------------------------------------------


@dataclass(frozen=True)
class MailServer:
    """Where and how to send: STARTTLS by default; port 465 speaks TLS from the start."""

    host: str
    port: int
    starttls: bool = True
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 30.0

    @property
    def shown(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    @property
    def implicit_tls(self) -> bool:
        return self.port == IMPLICIT_TLS_PORT


def _option_error(option: str, message: str, hint: str) -> InputError:
    return InputError.of("VP405", message, hint, Location(option))


def mail_server(
    text: str, *, starttls: bool = True, environ: Mapping[str, str] | None = None
) -> MailServer:
    """The server of ``--smtp HOST:PORT`` (HOST alone: port 587), with the credentials
    of VISITPLAN_SMTP_USER and VISITPLAN_SMTP_PASSWORD."""
    import os

    env = os.environ if environ is None else environ
    host, port = parse_server(text)
    user = env.get(USER_VARIABLE) or None
    password = env.get(PASSWORD_VARIABLE) or None
    if (user is None) != (password is None):
        given, lacking = (
            (USER_VARIABLE, PASSWORD_VARIABLE) if user else (PASSWORD_VARIABLE, USER_VARIABLE)
        )
        raise _option_error(
            given,
            f"{given} is set but {lacking} is not",
            "set both to log in to the mail server, or neither to send without logging in",
        )
    tls = starttls or port == IMPLICIT_TLS_PORT
    if user is not None and not tls and host.lower() not in LOOPBACK:
        raise _option_error(
            "--no-starttls",
            f"the password would cross the network to {host} unencrypted",
            "leave out --no-starttls (it is meant for a test server on this computer), "
            "or use port 465",
        )
    return MailServer(host, port, starttls, user, password)


def parse_server(text: str) -> tuple[str, int]:
    """``smtp.example.org:587``, ``[2001:db8::1]:25`` or ``smtp.example.org`` (587)."""
    raw = text.strip()
    hint = "write it as HOST:PORT, e.g. --smtp smtp.example.org:587"
    if raw.startswith("["):
        host, _, rest = raw[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else ("" if not rest else None)
    elif raw.count(":") == 1:
        host, port_text = raw.split(":")
    elif ":" in raw:
        raise _option_error(
            "--smtp", f"'{raw}' is not HOST:PORT", "write an IPv6 address in brackets: [::1]:25"
        )
    else:
        host, port_text = raw, ""
    if port_text is None or not host or any(c.isspace() or c in "/@" for c in host):
        raise _option_error("--smtp", f"'{raw}' is not HOST:PORT", hint)
    if not port_text:
        return host, DEFAULT_PORT
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise _option_error("--smtp", f"'{port_text}' is not a port number (1 to 65535)", hint)
    return host, int(port_text)


def sender_address(text: str) -> Address:
    """The ``--from`` address: ``office@example.org`` or ``Name <office@example.org>``."""
    from email.utils import parseaddr

    from email_validator import EmailNotValidError, validate_email

    from visitplan.text import NOT_ON_ONE_LINE

    name, address = parseaddr(text.strip())
    hint = 'write an address, e.g. --from "Visit office <office@example.org>"'
    if NOT_ON_ONE_LINE.search(text.strip()):
        raise _option_error("--from", "the sender holds a line break or control character", hint)
    if not address or "@" not in address:
        raise _option_error("--from", f"'{text}' is not an email address", hint)
    try:
        checked = validate_email(address, check_deliverability=False)
    except EmailNotValidError as error:
        raise _option_error(
            "--from", f"'{address}' is not an email address ({error})", hint
        ) from None
    local, _, domain = checked.normalized.rpartition("@")
    return Address(display_name=one_line(name), username=local, domain=domain)


@dataclass
class SendOutcome:
    sent: list[Composed] = field(default_factory=list)
    already: list[Composed] = field(default_factory=list)  # sent by an earlier run
    pending: list[Composed] = field(default_factory=list)  # not sent (dry run, or stopped)
    refused: list[Finding] = field(default_factory=list)
    stopped: Finding | None = None


Progress = Callable[[str, Composed], None]


def send_messages(
    prepared: Prepared,
    server: MailServer,
    sender: Address,
    *,
    loaded: Loaded,
    rate: float = 20.0,
    dry_run: bool = False,
    progress: Progress | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> SendOutcome:
    """Send each message not sent before, at most ``rate`` a minute (0: no pause),
    recording each in the state file as soon as the server took it."""
    outcome = SendOutcome()
    todo = []
    for composed in prepared.messages:
        if prepared.already_sent(composed):
            outcome.already.append(composed)
            if progress:
                progress("already", composed)
        else:
            todo.append(composed)
    if dry_run or not todo:
        outcome.pending = todo
        return outcome
    try:
        connection = _connect(server)
    except _Stop as stop:
        outcome.stopped = stop.finding
        outcome.pending = todo
        return outcome
    pause = 60.0 / rate if rate > 0 else 0.0
    last: float | None = None
    try:
        for index, composed in enumerate(todo):
            if last is not None and pause:
                wait = last + pause - clock()
                if wait > 0:
                    sleep(wait)
            last = clock()
            try:
                _send_one(connection, server, sender, composed, loaded)
            except _Refused as refused:
                outcome.refused.append(refused.finding)
                if progress:
                    progress("refused", composed)
                continue
            except _Stop as stop:
                outcome.stopped = stop.finding
                outcome.pending = todo[index:]
                return outcome
            try:
                record_sent(
                    prepared.state_file,
                    prepared.visit_id,
                    composed.participant_id,
                    composed.digest,
                    datetime.now(UTC).replace(microsecond=0),
                )
            except OSError as error:
                outcome.sent.append(composed)
                outcome.stopped = Finding.of(
                    "VP010",
                    f"the message to {composed.recipient.address} was sent, but the state "
                    f"file cannot be written ({error.strerror or error}); stopped, so that "
                    "no one gets a message twice",
                    "make the state file writable and free disk space, then run again; "
                    "this participant may get this message a second time",
                    prepared.state_file,
                )
                outcome.pending = todo[index + 1 :]
                return outcome
            outcome.sent.append(composed)
            if progress:
                progress("sent", composed)
    finally:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            connection.quit()
        with contextlib.suppress(OSError):
            connection.close()
    return outcome


class _Stop(Exception):
    def __init__(self, finding: Finding) -> None:
        self.finding = finding


class _Refused(Exception):
    def __init__(self, finding: Finding) -> None:
        self.finding = finding


def _server_finding(server: MailServer, message: str, hint: str | None = None) -> _Stop:
    return _Stop(Finding.of("VP402", message, hint, Location(f"--smtp {server.shown}")))


def _connect(server: MailServer) -> smtplib.SMTP:
    context = ssl.create_default_context()
    connection: smtplib.SMTP | None = None
    try:
        if server.implicit_tls:
            connection = smtplib.SMTP_SSL(
                server.host, server.port, timeout=server.timeout, context=context
            )
        else:
            connection = smtplib.SMTP(server.host, server.port, timeout=server.timeout)
            connection.ehlo()
            if server.starttls:
                connection.starttls(context=context)
                connection.ehlo()
        if server.user is not None and server.password is not None:
            try:
                connection.login(server.user, server.password)
            except smtplib.SMTPServerDisconnected:
                # Some servers hang up on a failed login instead of answering 535.
                raise smtplib.SMTPAuthenticationError(535, b"the server hung up") from None
        return connection
    except BaseException as error:
        if connection is not None:
            with contextlib.suppress(OSError):
                connection.close()
        if isinstance(error, Exception):
            raise _connect_failure(server, error) from None
        raise


def _connect_failure(server: MailServer, error: Exception) -> _Stop:
    where = server.shown
    if isinstance(error, socket.gaierror):
        return _server_finding(
            server,
            f"the mail server {server.host} cannot be found ({error.strerror})",
            "check the spelling of the server's name, and that this computer is online",
        )
    if isinstance(error, ConnectionRefusedError):
        return _server_finding(
            server,
            f"nothing answers at {where}: the connection was refused",
            "check the host and the port your mail provider gives for sending (often 587)",
        )
    if isinstance(error, TimeoutError | socket.timeout):
        return _server_finding(
            server,
            f"the mail server at {where} did not answer within {server.timeout:g} s",
            "check the host and port, and that no firewall blocks it",
        )
    if isinstance(error, ssl.SSLCertVerificationError):
        return _server_finding(
            server,
            f"the mail server's certificate cannot be trusted ({error.verify_message})",
            "use the server name your mail provider gives (the one its certificate is for)",
        )
    if (
        isinstance(error, smtplib.SMTPNotSupportedError)
        and server.user is not None
        and ("AUTH" in str(error))
    ):
        return _server_finding(
            server,
            f"the mail server at {where} offers no login, but {USER_VARIABLE} is set",
            f"unset {USER_VARIABLE} and {PASSWORD_VARIABLE} to send without logging in",
        )
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return _server_finding(
            server,
            f"the mail server at {where} does not offer STARTTLS (encryption)",
            "use the port your provider gives for encrypted sending (587 or 465); "
            "--no-starttls is only for a test server on this computer",
        )
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return _server_finding(
            server,
            f"the mail server refused the login of {server.user} ({_reply(error)})",
            f"check {USER_VARIABLE} and {PASSWORD_VARIABLE}; some providers want an "
            "app password for programs",
        )
    if isinstance(error, ssl.SSLError):
        return _server_finding(
            server,
            f"no encrypted connection to {where} ({error.reason or error})",
            "port 465 speaks TLS from the start, 587 with STARTTLS: check the port",
        )
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return _server_finding(server, f"the mail server at {where} closed the connection")
    if isinstance(error, smtplib.SMTPResponseException):
        return _server_finding(server, f"the mail server at {where} answered: {_reply(error)}")
    if isinstance(error, OSError):
        return _server_finding(server, f"cannot connect to {where}: {error.strerror or error}")
    raise error


def _reply(error: smtplib.SMTPResponseException) -> str:
    text = error.smtp_error
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return one_line(f"{error.smtp_code} {words}".strip())[:200]


def _send_one(
    connection: smtplib.SMTP,
    server: MailServer,
    sender: Address,
    composed: Composed,
    loaded: Loaded,
) -> None:
    person = composed.recipient.participant
    where = loaded.source.item("participants", person.id, "email")
    message = composed.message
    try:
        connection.send_message(
            message, from_addr=sendable_address(sender.addr_spec), to_addrs=[composed.envelope_to]
        )
    except smtplib.SMTPRecipientsRefused as error:
        reasons = [_reply(smtplib.SMTPResponseException(*r)) for r in error.recipients.values()]
        raise _Refused(
            Finding.of(
                "VP403",
                f"the mail server refused the address of {person.name} "
                f"({composed.recipient.address}): {'; '.join(reasons)}",
                None,
                where,
                subject=person.id,
            )
        ) from None
    except smtplib.SMTPSenderRefused as error:
        raise _server_finding(
            server,
            f"the mail server refused to send from {sender.addr_spec} ({_reply(error)})",
            "use --from with an address this server lets you send from",
        ) from None
    except smtplib.SMTPDataError as error:
        if 400 <= error.smtp_code < 500:
            raise _server_finding(
                server,
                f"the mail server asked to try later ({_reply(error)})",
                "run the command again later, perhaps with a lower --rate: messages "
                "already sent are not sent twice",
            ) from None
        raise _Refused(
            Finding.of(
                "VP403",
                f"the mail server refused the message to {person.name} ({_reply(error)})",
                None,
                where,
                subject=person.id,
            )
        ) from None
    except smtplib.SMTPNotSupportedError:
        raise _Refused(
            Finding.of(
                "VP403",
                f"the address of {person.name} ({composed.recipient.address}) has "
                "characters beyond ASCII, which this mail server does not accept",
                "ask the participant for an address in plain letters",
                where,
                subject=person.id,
            )
        ) from None
    except (smtplib.SMTPServerDisconnected, OSError) as error:
        raise _server_finding(
            server,
            f"the connection to the mail server was lost ({error})",
            "run the command again: the messages already sent are not sent twice",
        ) from None
    except smtplib.SMTPResponseException as error:
        raise _server_finding(server, f"the mail server answered: {_reply(error)}") from None
