"""What a state file must hold before a build trusts it.

The state file is read back on every build, and it may have been edited by hand,
copied from another visit or damaged. It is checked as a whole against this schema:
its keys and their types, each personal feed token (a plain word that can only name
a file inside ``public/p/``, and one per participant) and the visit it belongs to.
Every problem is reported with its line in the file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from visitplan.model import SessionStatus

TOKEN = re.compile(r"[A-Za-z0-9_-]{16,128}")
ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
DIGEST = re.compile(r"[0-9a-f]{64}")
UID_DOMAIN = re.compile(r"@(.+)\.visitplan")
# Characters no output may carry: C0 controls but tab and line feed, DEL, lone
# surrogates and the two non-characters XML refuses.
_UNWRITABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_LINE_BREAK = re.compile("[\n\t]")
FIRST_YEAR, LAST_YEAR = 1900, 2199
MAX_SEQUENCE = 2**31 - 1
# "programme_version" is checked by state.py, which reads it.
TOP_KEYS = {
    "version",
    "about",
    "built_at",
    "visit",
    "sessions",
    "tokens",
    "programme_version",
    "history",
    "feeds",
    "messages_sent",
}
ENTRY_KEYS = {"uid", "digest", "sequence", "last_modified", "groups", "fields"}
VERSION_KEYS = {"number", "published", "counts", "changes"}
CHANGE_KEYS = {
    "kind",
    "session",
    "title",
    "tzid",
    "old_start",
    "old_end",
    "new_start",
    "new_end",
    "groups",
    "place",
    "audience",
    "status",
    "concerns",
    "people",
}
CHANGE_KINDS = {"added", "moved", "changed", "cancelled"}
FEED_KEYS = {"group", "left", "arrival", "departure"}
TRAVEL_KEYS = {"start", "all_day", "sequence", "last_modified", "cancelled"}
STATUSES = {s.value for s in SessionStatus}

Where = tuple[str | int, ...]  # keys, and positions in lists (from 0)


@dataclass
class StateProblem:
    where: Where  # from the top of the file to the bad value
    message: str
    hint: str = ""


@dataclass
class _Checker:
    problems: list[StateProblem] = field(default_factory=list)

    def bad(self, where: Where, message: str, hint: str = "") -> None:
        self.problems.append(StateProblem(where, message, hint))

    def mapping(self, where: Where, value: Any) -> dict[str, Any] | None:
        if isinstance(value, dict):
            return value
        self.bad(where, f"must be an object ({{...}}), not {_kind(value)}")
        return None

    def keys(
        self, where: Where, value: dict[str, Any], allowed: set[str], required: set[str]
    ) -> None:
        for key in sorted(set(value) - allowed):
            self.bad((*where, key), f"unknown key '{key}'")
        for key in sorted(required - set(value)):
            self.bad(where, f"'{key}' is missing")

    def text(self, where: Where, value: Any, *, lines: bool = False) -> str | None:
        if not isinstance(value, str):
            self.bad(where, f"must be text, not {_kind(value)}")
            return None
        found = _UNWRITABLE.search(value) or (None if lines else _LINE_BREAK.search(value))
        if found:
            self.bad(where, f"holds the control character U+{ord(found.group()):04X}")
            return None
        return value

    def moment(self, where: Where, value: Any) -> datetime | None:
        text = self.text(where, value)
        if text is None:
            return None
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            self.bad(where, f"'{text}' is not a date and time (2026-01-27T09:30:00+01:00)")
            return None
        if moment.tzinfo is None:
            self.bad(where, f"'{text}' has no UTC offset")
            return None
        if not FIRST_YEAR <= moment.year <= LAST_YEAR:
            self.bad(where, f"the year {moment.year} is outside {FIRST_YEAR}-{LAST_YEAR}")
            return None
        return moment

    def ids(self, where: Where, value: Any, what: str, *, empty: bool = False) -> None:
        """A list of ids (``empty``: "" too, the participants without a group)."""
        if not isinstance(value, list):
            self.bad(where, f"must be a list, not {_kind(value)}")
            return
        for item in value:
            if not (empty and item == ""):
                self.matches(where, item, ID, what)

    def flag(self, where: Where, value: Any) -> None:
        if not isinstance(value, bool):
            self.bad(where, f"must be true or false, not {_kind(value)}")

    def matches(self, where: Where, value: Any, pattern: re.Pattern[str], what: str) -> bool:
        text = self.text(where, value)
        if text is None:
            return False
        if not pattern.fullmatch(text):
            self.bad(where, f"'{_short(text)}' is not {what}")
            return False
        return True


def state_problems(raw: Any, version: int, visit_id: str | None) -> list[StateProblem]:
    """Everything wrong with a parsed state file of ``version``, for the visit ``visit_id``."""
    check = _Checker()
    top = check.mapping((), raw)
    if top is None:
        return check.problems
    if top.get("version") != version:
        check.bad(
            ("version",),
            f"version {_short(json.dumps(top.get('version')))} is not one this visitplan "
            f"reads ({version})",
            "it was written by another version of visitplan: build with that version",
        )
        return check.problems
    check.keys((), top, TOP_KEYS, {"version", "sessions", "tokens"})
    if "about" in top:
        check.text(("about",), top["about"], lines=True)
    if top.get("built_at") is not None:
        check.moment(("built_at",), top["built_at"])
    if "visit" in top and check.matches(("visit",), top["visit"], ID, "a visit id"):
        owner = top["visit"]
    else:
        owner = None
    sessions = check.mapping(("sessions",), top.get("sessions"))
    for session_id, entry in (sessions or {}).items():
        _session(check, ("sessions", session_id), session_id, entry)
    tokens = check.mapping(("tokens",), top.get("tokens"))
    _tokens(check, tokens or {})
    if top.get("history") is not None:
        _history(check, top["history"], top.get("programme_version"))
    if top.get("feeds") is not None:
        feeds = check.mapping(("feeds",), top["feeds"])
        for participant, feed in (feeds or {}).items():
            _feed(check, ("feeds", participant), participant, feed)
    if "messages_sent" in top:
        _messages_sent(check, top["messages_sent"])
    if owner is None and "visit" not in top and sessions:
        owner = _owner_from_uids(sessions)
    if visit_id is not None and owner is not None and owner != visit_id:
        check.bad(
            ("visit",) if "visit" in top else (),
            f"this state file belongs to the visit '{owner}', not to '{visit_id}'",
            f"if this file came from another visit, move it away: the next build starts "
            f"afresh; if you renamed the visit's id, change it back to '{owner}' (calendar "
            "entries and links derive from it)",
        )
    return check.problems


def _session(check: _Checker, where: Where, session_id: str, value: Any) -> None:
    check.matches(where, session_id, ID, "a session id")
    entry = check.mapping(where, value)
    if entry is None:
        return
    check.keys(where, entry, ENTRY_KEYS | {"left"}, ENTRY_KEYS)
    if "left" in entry:
        check.ids((*where, "left"), entry["left"], "a group id", empty=True)
    if "uid" in entry:
        uid = check.text((*where, "uid"), entry["uid"])
        if uid is not None and not 0 < len(uid) <= 255:
            check.bad((*where, "uid"), "must be 1 to 255 characters long")
    if "digest" in entry:
        check.matches((*where, "digest"), entry["digest"], DIGEST, "a SHA-256 checksum")
    if "sequence" in entry:
        _whole(check, (*where, "sequence"), entry["sequence"])
    if "last_modified" in entry:
        check.moment((*where, "last_modified"), entry["last_modified"])
    if "groups" in entry:
        groups = entry["groups"]
        if not isinstance(groups, list):
            check.bad((*where, "groups"), f"must be a list, not {_kind(groups)}")
        else:
            for group in groups:
                check.matches((*where, "groups"), group, ID, "a group id")
    if "fields" in entry:
        _fields(check, (*where, "fields"), entry["fields"])


def _history(check: _Checker, value: Any, current: Any) -> None:
    """The versions published so far, each with its changes, numbered upwards and
    ending with the programme version."""
    if not isinstance(value, list):
        check.bad(("history",), f"must be a list, not {_kind(value)}")
        return
    previous = 0
    for n, raw in enumerate(value):
        where: Where = ("history", n)
        entry = check.mapping(where, raw)
        if entry is None:
            continue
        check.keys(where, entry, VERSION_KEYS, {"number"})
        number = entry.get("number")
        _whole(check, (*where, "number"), number)
        if isinstance(number, int) and not isinstance(number, bool):
            if number <= previous:
                check.bad(
                    (*where, "number"),
                    f"version {number} comes after version {previous}",
                    "the versions go from the oldest to the latest",
                )
            previous = number
        if entry.get("published") is not None:
            check.moment((*where, "published"), entry["published"])
        counts = entry.get("counts", {})
        if not isinstance(counts, dict) or not all(
            k in CHANGE_KINDS and isinstance(v, int) and not isinstance(v, bool) and v >= 0
            for k, v in counts.items()
        ):
            check.bad((*where, "counts"), "must count the changes of each kind")
        changes = entry.get("changes", [])
        if not isinstance(changes, list):
            check.bad((*where, "changes"), f"must be a list, not {_kind(changes)}")
            continue
        for m, change in enumerate(changes):
            _change(check, (*where, "changes", m), change)
    stated = current.get("number") if isinstance(current, dict) else None
    if value and previous and isinstance(stated, int) and stated != previous:
        check.bad(
            ("history",),
            f"the latest version is {previous}, but programme_version says {stated}",
            "make the last entry of history the programme version",
        )


def _change(check: _Checker, where: Where, value: Any) -> None:
    change = check.mapping(where, value)
    if change is None:
        return
    check.keys(where, change, CHANGE_KEYS, {"kind", "session", "title", "tzid"})
    kind = change.get("kind")
    if "kind" in change and (not isinstance(kind, str) or kind not in CHANGE_KINDS):
        check.bad(
            (*where, "kind"),
            f"{_short(json.dumps(change['kind']))} is not one of {', '.join(sorted(CHANGE_KINDS))}",
        )
    if "session" in change:
        check.matches((*where, "session"), change["session"], ID, "a session id")
    for key in ("title", "place", "status"):
        if key in change:
            check.text((*where, key), change[key])
    zone = check.text((*where, "tzid"), change["tzid"]) if "tzid" in change else None
    if zone is not None and not _usable_zone(zone):
        check.bad((*where, "tzid"), f"'{_short(zone)}' is not a time zone")
    for key in ("old_start", "old_end", "new_start", "new_end"):
        if change.get(key) is not None:
            check.moment((*where, key), change[key])
    if "groups" in change:
        check.ids((*where, "groups"), change["groups"], "a group id")
    for key in ("audience", "concerns"):
        names = change.get(key)
        if names is None:
            continue
        if not isinstance(names, list):
            check.bad((*where, key), f"must be a list, not {_kind(names)}")
        else:
            for name in names:
                check.text((*where, key), name)
    if "people" in change:
        _whole(check, (*where, "people"), change["people"])


def _feed(check: _Checker, where: Where, participant: str, value: Any) -> None:
    """What one personal feed carried: its group, the sessions that left it, and the
    participant's arrival and departure."""
    check.matches(where, participant, ID, "a participant id")
    feed = check.mapping(where, value)
    if feed is None:
        return
    check.keys(where, feed, FEED_KEYS, {"group"})
    if feed.get("group") is not None:
        check.matches((*where, "group"), feed["group"], ID, "a group id")
    if "left" in feed:
        check.ids((*where, "left"), feed["left"], "a session id")
    for kind in ("arrival", "departure"):
        if kind in feed:
            _travel(check, (*where, kind), feed[kind])


def _travel(check: _Checker, where: Where, value: Any) -> None:
    """A participant's arrival or departure as their feed published it."""
    event = check.mapping(where, value)
    if event is None:
        return
    check.keys(where, event, TRAVEL_KEYS, {"start", "sequence", "last_modified"})
    if "start" in event:
        check.moment((*where, "start"), event["start"])
    for key in ("all_day", "cancelled"):
        if key in event:
            check.flag((*where, key), event[key])
    if "sequence" in event:
        _whole(check, (*where, "sequence"), event["sequence"])
    if "last_modified" in event:
        check.moment((*where, "last_modified"), event["last_modified"])


def _whole(check: _Checker, where: Where, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        check.bad(where, f"must be a whole number, not {_kind(value)}")
    elif not 0 <= value <= MAX_SEQUENCE:
        check.bad(where, f"{value} is outside 0-{MAX_SEQUENCE}")


def _fields(check: _Checker, where: Where, value: Any) -> None:
    fields = check.mapping(where, value)
    if fields is None:
        return
    required = {"summary", "start", "end", "tzid", "description", "category", "status"}
    for key in sorted(required - set(fields)):
        check.bad(where, f"'{key}' is missing")
    texts: dict[str, Callable[[Where, Any], object]] = {
        "summary": check.text,
        "category": check.text,
        "location": check.text,
        "description": lambda w, v: check.text(w, v, lines=True),
    }
    for key, test in texts.items():
        if key in fields:
            test((*where, key), fields[key])
    start = check.moment((*where, "start"), fields["start"]) if "start" in fields else None
    end = check.moment((*where, "end"), fields["end"]) if "end" in fields else None
    if start is not None and end is not None and end < start:
        check.bad((*where, "end"), "ends before it starts")
    zone = check.text((*where, "tzid"), fields["tzid"]) if "tzid" in fields else None
    if zone is not None and not _usable_zone(zone):
        check.bad((*where, "tzid"), f"'{_short(fields['tzid'])}' is not a time zone")
    status = fields.get("status")
    if "status" in fields and (not isinstance(status, str) or status not in STATUSES):
        check.bad(
            (*where, "status"),
            f"{_short(json.dumps(fields['status']))} is not one of {', '.join(sorted(STATUSES))}",
        )
    if fields.get("url") is not None:
        check.text((*where, "url"), fields["url"])
    geo = fields.get("geo")
    if geo is not None and not _is_position(geo):
        check.bad((*where, "geo"), "must be null or [latitude, longitude]")


def _tokens(check: _Checker, tokens: dict[str, Any]) -> None:
    owners: dict[str, str] = {}
    for participant, token in tokens.items():
        where = ("tokens", participant)
        check.matches(where, participant, ID, "a participant id")
        if not check.matches(where, token, TOKEN, "a personal feed token"):
            continue
        first = owners.setdefault(token.casefold(), participant)
        if first != participant:
            check.bad(
                where,
                f"'{participant}' has the same personal feed token as '{first}', so each "
                "would receive the other's calendar",
                f"delete the line of '{participant}': the next build gives them a new link",
            )


def _messages_sent(check: _Checker, value: Any) -> None:
    """participant id -> {message digest: when it was sent}."""
    log = check.mapping(("messages_sent",), value)
    for participant, sent in (log or {}).items():
        where = ("messages_sent", participant)
        check.matches(where, participant, ID, "a participant id")
        entries = check.mapping(where, sent)
        for digest, moment in (entries or {}).items():
            if check.matches((*where, digest), digest, DIGEST, "a SHA-256 checksum"):
                check.moment((*where, digest), moment)


def _owner_from_uids(sessions: dict[str, Any]) -> str | None:
    """The visit a state file without a 'visit' key was written for, from its UIDs."""
    owners = set()
    for entry in sessions.values():
        uid = entry.get("uid") if isinstance(entry, dict) else None
        found = UID_DOMAIN.search(uid) if isinstance(uid, str) else None
        if found is None:
            return None
        owners.add(found.group(1))
    return owners.pop() if len(owners) == 1 else None


def _usable_zone(name: str) -> bool:
    if not name or name.startswith(("/", ".")) or ".." in name:
        return False
    try:
        ZoneInfo(name)
    except (KeyError, ValueError, OSError):
        return False
    return True


def _is_position(value: Any) -> bool:
    if not isinstance(value, list) or len(value) != 2:
        return False
    if any(isinstance(v, bool) or not isinstance(v, int | float) for v in value):
        return False
    lat, lon = value
    return bool(-90 <= lat <= 90 and -180 <= lon <= 180)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text '{_short(value)}'"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _short(text: str, limit: int = 40) -> str:
    shown = text.encode("unicode_escape").decode("ascii") if _UNWRITABLE.search(text) else text
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def locate(text: str, where: Where) -> tuple[int, int] | None:
    """Line and column of the value at ``where`` in the JSON ``text`` (of its key, when
    the last step is a key); through lists, as far as the path can be followed."""
    if any(isinstance(step, int) for step in where):
        found = _position(text, where)
    else:
        found = _key_position(text, tuple(str(step) for step in where))
    if found is None:
        return None
    line = text.count("\n", 0, found) + 1
    return line, found - (text.rfind("\n", 0, found) + 1) + 1


def _key_position(text: str, where: tuple[str, ...]) -> int | None:
    """The offset of the last key of ``where``, found key by key from the top (each
    object's keys follow its own key in the file): this finds keys even in a file that
    is not valid JSON as a whole."""
    position, found = 0, None
    for key in where:
        pattern = re.compile(r"(?<!\\)" + re.escape(json.dumps(key, ensure_ascii=False)) + r"\s*:")
        match = pattern.search(text, position)
        if match is None:
            pattern = re.compile(r"(?<!\\)" + re.escape(json.dumps(key)) + r"\s*:")
            match = pattern.search(text, position)
        if match is None:
            break
        position, found = match.end(), match.start()
    return found


_SPACE = re.compile(r"[ \t\n\r]*")
_SCALAR = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null")


def _position(text: str, where: Where) -> int | None:
    """The offset of the value (or key) at ``where``, following the JSON's structure;
    the deepest place reached when the path goes further than the file."""
    from json.decoder import scanstring  # type: ignore[attr-defined]

    def skip(at: int) -> int:
        match = _SPACE.match(text, at)
        return match.end() if match else at

    def end_of(at: int) -> int:
        """The offset after the value starting at ``at``."""
        at = skip(at)
        if text.startswith('"', at):
            return int(scanstring(text, at + 1)[1])
        if text.startswith(("{", "["), at):
            closing = "}" if text[at] == "{" else "]"
            at = skip(at + 1)
            while not text.startswith(closing, at):
                if closing == "}":
                    at = skip(int(scanstring(text, skip(at) + 1)[1]))
                    at += 1  # the colon
                at = skip(end_of(at))
                if text.startswith(",", at):
                    at = skip(at + 1)
            return at + 1
        match = _SCALAR.match(text, at)
        if match is None:
            raise ValueError(at)
        return match.end()

    at, found = skip(0), None
    try:
        for step in where:
            if isinstance(step, str) and text.startswith("{", at):
                at = skip(at + 1)
                while not text.startswith("}", at):
                    key_at = at
                    key, at = scanstring(text, at + 1)
                    at = skip(skip(at) + 1)
                    if key == step:
                        found = key_at
                        break
                    at = skip(end_of(at))
                    if text.startswith(",", at):
                        at = skip(at + 1)
                else:
                    return found
            elif isinstance(step, int) and text.startswith("[", at):
                at = skip(at + 1)
                for _ in range(step):
                    at = skip(end_of(at))
                    if not text.startswith(",", at):
                        return found
                    at = skip(at + 1)
                found = at
            else:
                return found
    except (ValueError, IndexError):
        return found
    return found
