"""What was published before, so that calendars update cleanly between builds.

The state file (``.visitplan-state.json``, beside the visit file) records, for each
session ever published, a hash of what subscribers saw, its SEQUENCE and
LAST-MODIFIED, and the personal feed token of each participant. A build compares the
programme with it: only sessions whose published content changed get a new SEQUENCE;
a session removed or cancelled stays in the feeds as cancelled; and the differences
make the "what changed" list. The file is safe to keep with the visit, but it holds
the personal feed tokens: whoever has it can find every personal calendar.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from visitplan.atomic import replace_file
from visitplan.findings import Finding, InputError, Location
from visitplan.model import Session, SessionStatus, Visit
from visitplan.state_schema import TOKEN, StateProblem, locate, state_problems
from visitplan.wording import KIND_LABELS

STATE_FILE = ".visitplan-state.json"
STATE_VERSION = 1
TOKEN_BYTES = 18  # 144 bits: unguessable personal feed paths


@dataclass
class PublishedEvent:
    """One session as subscribers see it, with its revision."""

    session_id: str
    uid: str
    fields: dict[str, Any]  # summary, start, end, tzid, location, geo, description, ...
    groups: list[str]
    sequence: int
    last_modified: str  # ISO 8601, UTC
    digest: str

    @property
    def cancelled(self) -> bool:
        return bool(self.fields["status"] == SessionStatus.CANCELLED.value)

    @property
    def starts_at(self) -> datetime:
        return datetime.fromisoformat(self.fields["start"])

    @property
    def ends_at(self) -> datetime:
        return datetime.fromisoformat(self.fields["end"])

    def attended_by(self, group: str | None) -> bool:
        return not self.groups or (group is not None and group in self.groups)

    def as_state(self) -> dict[str, Any]:
        return {
            "uid": self.uid,
            "digest": self.digest,
            "sequence": self.sequence,
            "last_modified": self.last_modified,
            "groups": self.groups,
            "fields": self.fields,
        }


@dataclass
class Change:
    """A difference since the previous build, as participants should read it."""

    kind: str  # added, moved, changed, cancelled
    session_id: str
    title: str
    old_start: str | None = None
    old_end: str | None = None
    new_start: str | None = None
    new_end: str | None = None
    tzid: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "session": self.session_id,
            "title": self.title,
            "old_start": self.old_start,
            "old_end": self.old_end,
            "new_start": self.new_start,
            "new_end": self.new_end,
            "timezone": self.tzid,
        }


@dataclass
class ProgrammeVersion:
    """The programme's version number: it rises only when a build publishes changes.

    ``changes`` counts what that version changed by kind (added, moved, changed,
    cancelled), so that every document can say it in one line.
    """

    number: int = 0
    published: str | None = None  # ISO 8601, UTC: when this version was first built
    changes: dict[str, int] = field(default_factory=dict)

    def as_state(self) -> dict[str, Any]:
        return {"number": self.number, "published": self.published, "changes": self.changes}


@dataclass
class State:
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    built_at: str | None = None
    programme_version: ProgrammeVersion = field(default_factory=ProgrammeVersion)
    visit_id: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "version": STATE_VERSION,
            **({"visit": self.visit_id} if self.visit_id else {}),
            "about": "visitplan's memory of what was published: calendar revisions and "
            "personal feed tokens. Keep it with visit.yaml; it holds the secret "
            "paths of the personal calendars.",
            "built_at": self.built_at,
            "sessions": self.sessions,
            "tokens": self.tokens,
            "programme_version": self.programme_version.as_state(),
        }


@dataclass
class Publication:
    """Everything the public outputs show, with revisions, for one build."""

    visit_id: str
    events: list[PublishedEvent]
    changes: list[Change]
    tokens: dict[str, str]
    previous_build: str | None
    now: datetime
    state: State

    @property
    def version(self) -> ProgrammeVersion:
        return self.state.programme_version

    def events_for(self, group: str | None) -> list[PublishedEvent]:
        return [e for e in self.events if e.attended_by(group)]


def state_path(visit_file: Path) -> Path:
    return visit_file.parent / STATE_FILE


MAX_STATE_BYTES = 256 << 20
RESTART_HINT = (
    "correct it, or restore the file from a backup or version control; deleting the file "
    "starts again, and every participant's personal calendar link will change"
)


def read_state(path: Path, visit_id: str | None = None) -> State:
    """The state of the previous build (empty when there was none), checked as a whole;
    InputError lists every problem with its line."""
    if not path.exists():
        return State(visit_id=visit_id)
    shown = str(path)
    try:
        if not path.is_file():
            raise _unreadable(shown, "it is not a regular file")
        if path.stat().st_size > MAX_STATE_BYTES:
            raise _unreadable(shown, f"it is over {MAX_STATE_BYTES >> 20} MB")
        data = path.read_bytes()
    except OSError as exc:
        raise _unreadable(shown, exc.strerror or str(exc)) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise _unreadable(shown, "it is not UTF-8 text", line) from None
    try:
        raw = json.loads(text)
    except ValueError as exc:
        if isinstance(exc, json.JSONDecodeError):
            where: tuple[int | None, int | None] = (exc.lineno, exc.colno)
            reason = exc.msg
        else:
            where, reason = (None, None), str(exc)
        raise _unreadable(shown, f"it is not valid JSON ({reason})", *where) from None
    problems = state_problems(raw, STATE_VERSION, visit_id)
    if problems:
        raise InputError([_finding(shown, text, problem) for problem in problems])
    try:
        programme_version = _read_version(raw.get("programme_version"))
    except ValueError as exc:
        raise _unreadable(shown, str(exc), *(locate(text, ("programme_version",)) or ())) from None
    return State(
        sessions=raw["sessions"],
        tokens=raw["tokens"],
        built_at=raw.get("built_at"),
        programme_version=programme_version,
        visit_id=raw.get("visit") or visit_id,
    )


def _unreadable(
    shown: str, reason: str, line: int | None = None, column: int | None = None
) -> InputError:
    return InputError.of(
        "VP010",
        f"the state file cannot be read: {reason}",
        RESTART_HINT,
        Location(shown, line, column),
    )


def _finding(shown: str, text: str, problem: StateProblem) -> Finding:
    place = locate(text, problem.where)
    path = " → ".join(problem.where)
    return Finding.of(
        "VP010",
        f"state file: {path + ': ' if path else ''}{problem.message}",
        f"{problem.hint}; or {RESTART_HINT}" if problem.hint else RESTART_HINT,
        Location(shown, *place) if place else Location(shown),
    )


def _read_version(raw: Any) -> ProgrammeVersion:
    """The stored programme version; none (files of earlier builds) counts as version 1
    once a build has been published."""
    if raw is None:
        return ProgrammeVersion()
    if not isinstance(raw, dict):
        raise ValueError("programme_version is not an object")
    number, published, changes = raw.get("number"), raw.get("published"), raw.get("changes")
    if isinstance(number, bool) or not isinstance(number, int) or number < 0:
        raise ValueError("programme_version.number is not a whole number")
    if published is not None:
        try:
            datetime.fromisoformat(published)
        except (TypeError, ValueError):
            raise ValueError("programme_version.published is not a date") from None
    if not isinstance(changes, dict) or not all(
        isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) and v >= 0
        for k, v in changes.items()
    ):
        raise ValueError("programme_version.changes is not a list of counts")
    return ProgrammeVersion(number, published, dict(changes))


def next_version(state: State, changes: list[Change], stamp: str) -> ProgrammeVersion:
    """Version 1 on the first build; one more whenever a build changes the programme."""
    before = state.programme_version
    if state.built_at is None:
        return ProgrammeVersion(1, stamp, {})
    counts = dict(Counter(change.kind for change in changes))
    if counts:
        return ProgrammeVersion(max(before.number, 1) + 1, stamp, counts)
    if before.number == 0:  # a state written before versions were counted
        return ProgrammeVersion(1, state.built_at, {})
    return before


def write_state(path: Path, state: State) -> None:
    """Write the state so that it is either complete or unchanged (through a link, to
    the file it points to; keeping the file's permissions)."""
    text = json.dumps(state.as_json(), indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    replace_file(path, text.encode("utf-8"))


def new_token(taken: set[str] | frozenset[str] = frozenset()) -> str:
    """A fresh personal feed token, unlike every one in ``taken`` even ignoring case
    (feed files of two tokens that differ only in capitals collide on some disks)."""
    while True:
        token = secrets.token_urlsafe(TOKEN_BYTES)
        if TOKEN.fullmatch(token) and token.casefold() not in taken:
            return token


def rotate_token(state: State, participant_id: str) -> str:
    token = new_token({t.casefold() for t in state.tokens.values()})
    state.tokens[participant_id] = token
    return token


def uid_of(visit: Visit, session_id: str) -> str:
    return f"{session_id}@{visit.details.id}.visitplan"


def agenda_url(visit: Visit) -> str | None:
    base = visit.details.publishing.base_url
    return f"{base}index.html" if base else None


CANCELLED_TITLE = "Cancelled session"


def withdrawn(fields: dict[str, Any]) -> dict[str, Any]:
    """What a cancelled session keeps in the feeds: its time, and no text at all.

    It stays so that subscribers' calendars drop it, possibly for many builds; its
    title, description and place may name people who have since withdrawn their
    consent, so only the time and the kind of session are kept."""
    return {
        "summary": CANCELLED_TITLE,
        "start": fields["start"],
        "end": fields["end"],
        "tzid": fields["tzid"],
        "location": "",
        "geo": None,
        "description": "",
        "category": str(fields.get("category") or ""),
        "status": SessionStatus.CANCELLED.value,
        "url": None,
    }


def published_fields(visit: Visit, session: Session) -> dict[str, Any]:
    """What a subscriber sees of a session: nothing private (no notes, no people)."""
    venue = visit.venue(session.venue)
    destination = visit.venue(session.destination)
    location = ""
    if venue is not None:
        parts = [venue.name, venue.address, venue.city]
        location = ", ".join(p for p in dict.fromkeys(parts) if p)
        if destination is not None:
            location += f" → {destination.name}"
    lines: list[str] = [KIND_LABELS[session.kind]]
    if session.description:
        lines += ["", session.description]
    hosts = [h.name for hid in session.hosts if (h := visit.host(hid)) is not None]
    if hosts:
        lines.append(f"Hosts: {', '.join(hosts)}")
    if session.speakers:
        lines.append(f"Speakers: {', '.join(session.speakers)}")
    objectives = [o.text for oid in session.objectives if (o := visit.objective(oid))]
    if objectives:
        lines.append("Objectives: " + "; ".join(objectives))
    if session.language:
        line = f"Language: {session.language}"
        if session.interpretation:
            line += f", interpretation into {', '.join(session.interpretation)}"
        lines.append(line)
    if session.groups:
        names = [(g.name if (g := visit.group(gid)) else gid) for gid in session.groups]
        lines.append(f"For: {', '.join(names)}")
    url = agenda_url(visit)
    if url:
        lines += ["", f"Programme: {url}"]
    fields = {
        "summary": session.title,
        "start": session.starts_at.isoformat(),
        "end": session.ends_at.isoformat(),
        "tzid": str(session.tz),
        "location": location,
        "geo": [venue.lat, venue.lon] if venue is not None and venue.has_coordinates else None,
        "description": "\n".join(lines),
        "category": KIND_LABELS[session.kind],
        "status": session.status.value,
        "url": f"{url}#{session.id}" if url else None,
    }
    return withdrawn(fields) if session.is_cancelled else fields


def _digest(fields: dict[str, Any], groups: list[str]) -> str:
    canonical = json.dumps([fields, groups], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def publish(
    visit: Visit, state: State, now: datetime, *, prune_cancelled: bool = False
) -> Publication:
    """This build's events, revisions and changes, and the state to write after it."""
    stamp = now.isoformat()
    first_build = state.built_at is None
    events: list[PublishedEvent] = []
    changes: list[Change] = []
    current_ids = set()
    for session in visit.sessions:
        current_ids.add(session.id)
        fields = published_fields(visit, session)
        groups = list(session.groups)
        digest = _digest(fields, groups)
        before = state.sessions.get(session.id)
        if before is None:
            event = PublishedEvent(
                session.id, uid_of(visit, session.id), fields, groups, 0, stamp, digest
            )
            if not first_build and not session.is_cancelled:
                changes.append(_change("added", event))
        elif before.get("digest") == digest:
            event = PublishedEvent(
                session.id,
                before["uid"],
                fields,
                groups,
                int(before["sequence"]),
                before["last_modified"],
                digest,
            )
        else:
            event = PublishedEvent(
                session.id,
                before["uid"],
                fields,
                groups,
                int(before["sequence"]) + 1,
                stamp,
                digest,
            )
            if not (event.cancelled and before["fields"].get("status") == event.fields["status"]):
                changes.append(_compare(before, event))  # still cancelled: nothing to tell
        if prune_cancelled and event.cancelled:
            continue
        events.append(event)
    for session_id, before in state.sessions.items():
        if session_id in current_ids or prune_cancelled:
            continue
        fields = withdrawn(before["fields"])
        digest = _digest(fields, before["groups"])
        if digest == before["digest"]:
            event = PublishedEvent(
                session_id,
                before["uid"],
                fields,
                before["groups"],
                int(before["sequence"]),
                before["last_modified"],
                before["digest"],
            )
        else:
            event = PublishedEvent(
                session_id,
                before["uid"],
                fields,
                before["groups"],
                int(before["sequence"]) + 1,
                stamp,
                digest,
            )
            if before["fields"].get("status") != SessionStatus.CANCELLED.value:
                changes.append(_change("cancelled", event, before=before))
        events.append(event)
    events.sort(key=lambda e: (e.starts_at, e.session_id))
    taken = {t.casefold() for t in state.tokens.values()}
    tokens = {}
    for person in visit.participants:
        token = state.tokens.get(person.id)
        if token is None:
            token = new_token(taken)
            taken.add(token.casefold())
        tokens[person.id] = token
    kept_tokens = {**state.tokens, **tokens}
    new_state = State(
        sessions={e.session_id: e.as_state() for e in events},
        tokens=kept_tokens,
        built_at=stamp,
        programme_version=next_version(state, changes, stamp),
        visit_id=visit.details.id,
    )
    changes.sort(key=lambda c: (c.new_start or c.old_start or "", c.session_id))
    return Publication(visit.details.id, events, changes, tokens, state.built_at, now, new_state)


def _compare(before: dict[str, Any], event: PublishedEvent) -> Change:
    old = before["fields"]
    new = event.fields
    if event.cancelled and old.get("status") != SessionStatus.CANCELLED.value:
        return _change("cancelled", event, before=before)
    if old.get("status") == SessionStatus.CANCELLED.value and not event.cancelled:
        return _change("added", event)
    moved = (old["start"], old["end"]) != (new["start"], new["end"])
    return _change("moved" if moved else "changed", event, before=before)


def _change(kind: str, event: PublishedEvent, before: dict[str, Any] | None = None) -> Change:
    old = before["fields"] if before else None
    return Change(
        kind=kind,
        session_id=event.session_id,
        title=str(event.fields["summary"]),
        old_start=old["start"] if old else None,
        old_end=old["end"] if old else None,
        new_start=None if kind == "cancelled" else event.fields["start"],
        new_end=None if kind == "cancelled" else event.fields["end"],
        tzid=str(event.fields["tzid"]),
    )
