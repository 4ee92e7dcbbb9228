"""The state file: what was published before, and the personal feed tokens.

The state file (``.visitplan-state.json``, beside the visit file) records, for each
session ever published, what subscribers saw (with a hash of it), its SEQUENCE and
LAST-MODIFIED and the group feeds it left; every version of the programme with its
changes (``history``); and for each participant their personal feed token and what
their feed carried (``feeds``: its group, the sessions it keeps as cancelled, their
arrival's and departure's revisions), so that calendars update cleanly between builds
(``publication`` compares). Files of the previous release, without ``history`` and
``feeds``, are read as they are. This module reads and
writes it, checked as a whole, and turns its JSON into the typed record and back:
nowhere else is a date a string. The file is safe to keep with the visit, but it
holds the personal feed tokens: whoever has it can find every personal calendar.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from visitplan.atomic import replace_file
from visitplan.findings import Finding, InputError, Location
from visitplan.model import Visit
from visitplan.publication import (
    Change,
    EventText,
    PersonalFeed,
    ProgrammeVersion,
    PublishedEvent,
    Record,
    TravelEvent,
    travel_span,
)
from visitplan.state_schema import TOKEN, StateProblem, locate, state_problems

STATE_FILE = ".visitplan-state.json"
STATE_VERSION = 1
TOKEN_BYTES = 18  # 144 bits: unguessable personal feed paths


@dataclass
class State:
    """The state file's content: what was published, and the personal feed tokens."""

    record: Record = field(default_factory=Record)
    tokens: dict[str, str] = field(default_factory=dict)
    visit_id: str | None = None
    # participant id -> digest of a message sent to them -> when it was sent: a message
    # is never sent twice (see ``messages``).
    sent: dict[str, dict[str, datetime]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        record = self.record
        return {
            "version": STATE_VERSION,
            **({"visit": self.visit_id} if self.visit_id else {}),
            "about": "visitplan's memory of what was published: calendar revisions and "
            "personal feed tokens. Keep it with visit.yaml; it holds the secret "
            "paths of the personal calendars.",
            "built_at": _moment(record.built_at),
            "sessions": {sid: _event_json(e) for sid, e in record.events.items()},
            "tokens": self.tokens,
            "programme_version": {
                "number": record.version.number,
                "published": _moment(record.version.published),
                "changes": dict(record.version.changes),
            },
            "history": [_version_json(v) for v in record.history],
            "feeds": {pid: _feed_json(feed) for pid, feed in record.feeds.items()},
            **({"messages_sent": self._sent_json()} if self.sent else {}),
        }

    def _sent_json(self) -> dict[str, dict[str, str]]:
        return {
            pid: {digest: moment.isoformat() for digest, moment in sorted(log.items())}
            for pid, log in self.sent.items()
        }


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
    built_at = raw.get("built_at")
    history = tuple(_version_of(entry) for entry in raw.get("history") or ())
    if history and history[-1].number == programme_version.number:
        programme_version = history[-1]  # with the changes themselves
    record = Record(
        events={sid: _event_of(sid, entry) for sid, entry in raw["sessions"].items()},
        built_at=datetime.fromisoformat(built_at) if built_at is not None else None,
        version=programme_version,
        history=history,
        feeds={pid: _feed_of(entry) for pid, entry in (raw.get("feeds") or {}).items()},
    )
    sent = {
        pid: {digest: datetime.fromisoformat(moment) for digest, moment in log.items()}
        for pid, log in raw.get("messages_sent", {}).items()
    }
    return State(record, raw["tokens"], raw.get("visit") or visit_id, sent)


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
    path = " → ".join(f"#{step + 1}" if isinstance(step, int) else step for step in problem.where)
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
    moment = None
    if published is not None:
        try:
            moment = datetime.fromisoformat(published)
        except (TypeError, ValueError):
            raise ValueError("programme_version.published is not a date") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
    if not isinstance(changes, dict) or not all(
        isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) and v >= 0
        for k, v in changes.items()
    ):
        raise ValueError("programme_version.changes is not a list of counts")
    return ProgrammeVersion(number, moment, dict(changes))


def write_state(path: Path, state: State) -> None:
    """Write the state so that it is either complete or unchanged (through a link, to
    the file it points to; keeping the file's permissions)."""
    text = json.dumps(state.as_json(), indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    replace_file(path, text.encode("utf-8"))


def record_sent(
    path: Path, visit_id: str, participant_id: str, digest: str, moment: datetime
) -> None:
    """Add one sent message to the state file at once, read afresh (a build may have
    written it meanwhile), so that an interrupted run loses nothing it sent."""
    state = read_state(path, visit_id)
    state.sent.setdefault(participant_id, {})[digest] = moment
    write_state(path, state)


def sent_log_now(
    path: Path, visit_id: str | None, known: dict[str, dict[str, datetime]]
) -> dict[str, dict[str, datetime]]:
    """The sent-log as the state file holds it now, with ``known`` (messages may have
    been sent while a build ran); ``known`` alone when the file cannot be read."""
    try:
        current = read_state(path, visit_id).sent
    except (InputError, OSError):
        return known
    merged = {pid: dict(log) for pid, log in known.items()}
    for pid, log in current.items():
        merged.setdefault(pid, {}).update(log)
    return merged


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


def rotate_feed_link(visit_file: Path, visit: Visit, participant_id: str) -> Path:
    """Give a participant a new personal feed token, in the state file beside
    ``visit_file`` (returned); the old link stops at the next build.

    InputError when there is no such participant or the state file is damaged; OSError
    when it cannot be written (then nothing changed)."""
    if participant_id not in {p.id for p in visit.participants}:
        known = ", ".join(p.id for p in visit.participants[:8])
        raise InputError.of(
            "VP006",
            f"there is no participant '{participant_id}' in {visit_file}",
            f"give the id of one of its participants: {known}" if known else "",
            visit_file,
        )
    path = state_path(visit_file)
    state = read_state(path, visit.details.id)
    rotate_token(state, participant_id)
    write_state(path, state)
    return path


def tokens_for(visit: Visit, state: State) -> tuple[dict[str, str], dict[str, str]]:
    """Each participant's personal feed token (kept from the state, new ones for new
    participants), and every token to keep in the state (those of people who left the
    visit too, so that they get the same link if they come back)."""
    taken = {t.casefold() for t in state.tokens.values()}
    tokens = {}
    for person in visit.participants:
        token = state.tokens.get(person.id)
        if token is None:
            token = new_token(taken)
            taken.add(token.casefold())
        tokens[person.id] = token
    return tokens, {**state.tokens, **tokens}


# -- between the typed record and the file's JSON --------------------------------------


def _moment(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _text_json(text: EventText) -> dict[str, Any]:
    return {
        "summary": text.summary,
        "start": text.start.isoformat(),
        "end": text.end.isoformat(),
        "tzid": text.tzid,
        "location": text.location,
        "geo": list(text.geo) if text.geo is not None else None,
        "description": text.description,
        "category": text.category,
        "status": text.status,
        "url": text.url,
    }


def _event_json(event: PublishedEvent) -> dict[str, Any]:
    fields = _text_json(event.text)
    groups = list(event.groups)
    canonical = json.dumps([fields, groups], sort_keys=True, ensure_ascii=False)
    return {
        "uid": event.uid,
        "digest": hashlib.sha256(canonical.encode("utf-8")).hexdigest(),
        "sequence": event.sequence,
        "last_modified": event.last_modified.isoformat(),
        "groups": groups,
        "fields": fields,
        **({"left": list(event.left)} if event.left else {}),
    }


def _event_of(session_id: str, raw: dict[str, Any]) -> PublishedEvent:
    """A stored event, already checked by the schema."""
    fields = raw["fields"]
    geo = fields.get("geo")
    text = EventText(
        summary=fields["summary"],
        start=datetime.fromisoformat(fields["start"]),
        end=datetime.fromisoformat(fields["end"]),
        tzid=fields["tzid"],
        description=fields["description"],
        category=fields["category"],
        status=fields["status"],
        location=fields.get("location") or "",
        geo=(geo[0], geo[1]) if geo is not None else None,
        url=fields.get("url"),
    )
    return PublishedEvent(
        session_id,
        raw["uid"],
        text,
        tuple(raw["groups"]),
        raw["sequence"],
        datetime.fromisoformat(raw["last_modified"]),
        tuple(raw.get("left") or ()),
    )


def _change_json(change: Change) -> dict[str, Any]:
    return {
        "kind": change.kind,
        "session": change.session_id,
        "title": change.title,
        "tzid": change.tzid,
        "old_start": _moment(change.old_start),
        "old_end": _moment(change.old_end),
        "new_start": _moment(change.new_start),
        "new_end": _moment(change.new_end),
        "groups": list(change.groups),
        "place": change.place,
        "audience": list(change.audience) if change.audience is not None else None,
        "status": change.status,
        "concerns": list(change.concerns),
        "people": change.people,
    }


def _change_of(raw: dict[str, Any]) -> Change:
    """A stored change, already checked by the schema."""

    def moment(key: str) -> datetime | None:
        value = raw.get(key)
        return datetime.fromisoformat(value) if value is not None else None

    audience = raw.get("audience")
    return Change(
        kind=raw["kind"],
        session_id=raw["session"],
        title=raw["title"],
        tzid=raw["tzid"],
        old_start=moment("old_start"),
        old_end=moment("old_end"),
        new_start=moment("new_start"),
        new_end=moment("new_end"),
        groups=tuple(raw.get("groups") or ()),
        place=raw.get("place") or "",
        audience=tuple(audience) if audience is not None else None,
        status=raw.get("status") or "",
        concerns=tuple(raw.get("concerns") or ()),
        people=raw.get("people") or 0,
    )


def _version_json(version: ProgrammeVersion) -> dict[str, Any]:
    return {
        "number": version.number,
        "published": _moment(version.published),
        "counts": dict(version.changes),
        "changes": [_change_json(change) for change in version.changed],
    }


def _version_of(raw: dict[str, Any]) -> ProgrammeVersion:
    published = raw.get("published")
    return ProgrammeVersion(
        raw["number"],
        datetime.fromisoformat(published) if published is not None else None,
        dict(raw.get("counts") or {}),
        tuple(_change_of(change) for change in raw.get("changes") or ()),
    )


def _feed_json(feed: PersonalFeed) -> dict[str, Any]:
    """A personal feed, compactly: thousands of them may be kept (an event's end follows
    from its start; what is usual is left out)."""
    result: dict[str, Any] = {"group": feed.group}
    if feed.left:
        result["left"] = list(feed.left)
    for t in feed.travel:
        result[t.kind] = {
            "start": t.start.isoformat(),
            "sequence": t.sequence,
            "last_modified": t.last_modified.isoformat(),
            **({"all_day": True} if t.all_day else {}),
            **({"cancelled": True} if t.cancelled else {}),
        }
    return result


def _feed_of(raw: dict[str, Any]) -> PersonalFeed:
    """A stored personal feed, already checked by the schema."""
    travel = []
    for kind in ("arrival", "departure"):
        t = raw.get(kind)
        if t is None:
            continue
        moment = datetime.fromisoformat(t["start"])
        all_day = bool(t.get("all_day", False))
        start, end = travel_span(moment, all_day, moment.tzinfo or UTC)
        travel.append(
            TravelEvent(
                kind,
                start,
                end,
                all_day,
                t["sequence"],
                datetime.fromisoformat(t["last_modified"]),
                bool(t.get("cancelled", False)),
            )
        )
    return PersonalFeed(raw.get("group"), tuple(raw.get("left") or ()), tuple(travel))
