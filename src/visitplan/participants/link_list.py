"""Each participant's own links, one row per person, for a mail merge in Word or
Outlook: their personal page, their feed's https and webcal addresses, and the links
that add it to Google Calendar and Outlook.com.

The links come from the personal tokens a build recorded in the state file; this
module never makes a token, so a person can never have two (``visitplan build``
gives one to each new participant). Written as CSV (UTF-8 with a byte-order mark,
which Excel needs to read names in Greek, Cyrillic or Arabic) or JSON.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from visitplan.atomic import replace_file
from visitplan.findings import InputError
from visitplan.labels import personal_language
from visitplan.links import feed_links, personal_page_path, public_url
from visitplan.model import Visit
from visitplan.participants.report import inert
from visitplan.state import read_state, state_path

COLUMNS = ("name", "email", "language", "page", "feed", "webcal", "google", "outlook")
FORMATS = ("csv", "json")


@dataclass(frozen=True, slots=True)
class ParticipantLinks:
    """One participant's row; without a base_url, ``page`` and ``feed`` are paths
    inside the build folder and the other links are empty."""

    name: str
    email: str
    language: str
    page: str
    feed: str
    webcal: str
    google: str
    outlook: str


@dataclass
class LinkList:
    rows: list[ParticipantLinks]
    base_url: str | None


def participant_links(visit_file: Path, visit: Visit) -> LinkList:
    """Every participant's links, from the tokens of the state file beside
    ``visit_file``; InputError when someone has no token yet."""
    state_file = state_path(visit_file)
    tokens = read_state(state_file, visit.details.id).tokens
    missing = [p.id for p in visit.participants if p.id not in tokens]
    if missing:
        shown = ", ".join(f"'{m}'" for m in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        raise InputError.of(
            "VP010",
            f"{len(missing)} participant(s) have no personal link yet: {shown}{more}",
            f"run `visitplan build {visit_file}` first: the build gives each new "
            "participant their personal link and records it in this state file",
            state_file,
        )
    title = visit.details.title
    rows = []
    for person in visit.participants:
        token = tokens[person.id]
        feed = feed_links(visit, "personal", token, f"{title} — {person.name}")
        page_path = personal_page_path(token)
        rows.append(
            ParticipantLinks(
                name=person.name,
                email=person.email or "",
                language=personal_language(visit, person),
                page=public_url(visit, page_path) or "public/" + "/".join(page_path),
                feed=feed.https or "public/" + feed.path,
                webcal=feed.webcal or "",
                google=feed.google or "",
                outlook=feed.outlook or "",
            )
        )
    return LinkList(rows, visit.details.publishing.base_url)


def links_text(rows: list[ParticipantLinks], output: str) -> str:
    """The rows as CSV (a header row, then one row per participant) or JSON (a list
    of objects with the same keys)."""
    if output == "json":
        return json.dumps([asdict(r) for r in rows], ensure_ascii=False, indent=2) + "\n"
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        # Names and emails come from registration forms: never a formula in Excel.
        writer.writerow([inert(getattr(row, column)) for column in COLUMNS])
    return stream.getvalue()


def write_links(rows: list[ParticipantLinks], output: str, target: Path) -> None:
    """Write the rows to ``target`` at once (a failed write leaves no half file)."""
    text = links_text(rows, output)
    encoding = "utf-8-sig" if output == "csv" else "utf-8"
    if target.is_dir():
        raise InputError.of(
            "VP010",
            f"{target} is a folder",
            "give a file name, e.g. -o links.csv",
            target,
        )
    from visitplan.messages import refuse_build_folder

    refuse_build_folder(target.parent, "the list holds")
    try:
        replace_file(target, text.encode(encoding), mode=0o600)
    except OSError as error:
        raise InputError.of(
            "VP010",
            f"cannot write {target}: {error.strerror or error}",
            "choose another place with -o, or free disk space",
            target,
        ) from None
