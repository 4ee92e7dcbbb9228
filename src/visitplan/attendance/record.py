"""``attendance.yaml``: who actually came to each session, kept beside the visit file.

A session listed holds the ids of the participants who came; a session not listed
falls back to the planned presence (the participant's group's sessions between their
arrival and departure). ``visitplan attendance import`` writes it; the certificates
of attendance read it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from visitplan.feedback.store import MAX_BYTES, companion_path, companion_problem
from visitplan.findings import Finding, InputError, Location
from visitplan.model import PROGRAMME_KINDS, Participant, Session, Visit
from visitplan.timeline import merge, minutes, planned_sessions

ATTENDANCE = "attendance"


def attendance_path(visit_file: Path) -> Path:
    return companion_path(visit_file, ATTENDANCE)


@dataclass(frozen=True)
class AttendanceRecord:
    """Who came, session by session: session id -> ids of the participants present."""

    visit_id: str
    sessions: Mapping[str, frozenset[str]] = field(default_factory=dict)
    path: Path | None = field(default=None, compare=False)


def attended_sessions(
    visit: Visit, person: Participant, record: AttendanceRecord | None
) -> list[Session]:
    """The programme sessions (meetings, site visits, workshops, reflection) ``person``
    attended, in time order: as recorded where the record lists the session, else as
    planned. Someone recorded at another group's session attended it too."""
    listed = record.sessions if record is not None else {}
    chosen = {s.id: s for s in planned_sessions(visit, person) if s.id not in listed}
    if listed:
        by_id = sessions_by_id(visit)
        for session_id, people in listed.items():
            session = by_id.get(session_id)
            if session is not None and person.id in people:
                chosen[session.id] = session
    return sorted(
        (s for s in chosen.values() if s.kind in PROGRAMME_KINDS),
        key=lambda s: (s.starts_at, s.ends_at, s.id),
    )


def sessions_by_id(visit: Visit) -> dict[str, Session]:
    """The visit's sessions that are held (not cancelled), by id."""
    return {s.id: s for s in visit.active_sessions()}


def attended_minutes(sessions: list[Session]) -> int:
    """Minutes spent in ``sessions``; overlapping ones count once."""
    return sum(minutes(i) for i in merge([(s.starts_at, s.ends_at) for s in sessions]))


_HINT = "`visitplan attendance import` writes it again from the typed sign-in sheets"


def read_attendance(visit_file: Path, visit: Visit) -> AttendanceRecord | None:
    """The record kept beside ``visit_file`` (None when there is none); InputError
    locates every problem, such as a session or participant the visit does not have."""
    import yaml

    path = attendance_path(visit_file)
    problem = companion_problem(path)
    if problem is not None:
        raise InputError.of("VP010", problem, f"rename it or move it away; {_HINT}", path)
    if not path.is_file():
        return None
    shown = str(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise _error(f"{path.name} is larger than {MAX_BYTES >> 20} MB", path)
        text = path.read_text(encoding="utf-8")
        # libyaml reads 50,000 responses in seconds, not minutes; the same nodes and marks.
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except OSError as exc:
        raise _error(f"{path.name} cannot be read: {exc.strerror or exc}", path) from exc
    except UnicodeDecodeError as exc:
        raise _error(f"{path.name} is not UTF-8 text (byte {exc.start + 1})", path) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = Location(shown, mark.line + 1, mark.column + 1) if mark else path
        raise _error(f"{path.name} is not valid YAML", where) from exc
    problems: list[Finding] = []
    found_id, sessions = _read_root(root, shown, visit, problems)
    if found_id is not None and found_id != visit.details.id:
        problems.append(
            Finding.of(
                "VP010",
                f"{path.name} records the attendance of the visit '{found_id}', not "
                f"'{visit.details.id}'",
                f"move it away: it belongs beside that visit's file; {_HINT}",
                path,
            )
        )
    if problems:
        raise InputError(problems)
    return AttendanceRecord(visit.details.id, sessions, path)


def _error(message: str, where: Location | Path) -> InputError:
    return InputError.of("VP010", message, _HINT, where)


def _at(shown: str, node: Any) -> Location:
    return Location(shown, node.start_mark.line + 1, node.start_mark.column + 1)


def _read_root(
    root: Any, shown: str, visit: Visit, problems: list[Finding]
) -> tuple[str | None, dict[str, frozenset[str]]]:
    import yaml

    if root is None or not isinstance(root, yaml.MappingNode):
        problems.append(
            Finding.of(
                "VP010", "this is not an attendance record (`visit:` and `sessions:`)", _HINT, shown
            )
        )
        return None, {}
    visit_id: str | None = None
    sessions: dict[str, frozenset[str]] = {}
    for key, value in root.value:
        if key.value == "visit" and isinstance(value, yaml.ScalarNode):
            visit_id = str(value.value)
        elif key.value == "sessions" and isinstance(value, yaml.MappingNode):
            sessions = _read_sessions(value, shown, visit, problems)
        elif key.value == "sessions" and isinstance(value, yaml.ScalarNode) and not value.value:
            sessions = {}
        elif key.value not in ("visit", "sessions"):
            problems.append(
                Finding.of(
                    "VP010",
                    f"unknown key '{key.value}'",
                    "an attendance record holds `visit:` and `sessions:` only",
                    _at(shown, key),
                )
            )
        else:
            problems.append(
                Finding.of(
                    "VP010",
                    f"'{key.value}' has the wrong form",
                    "write `sessions:` as session id: [participant ids who came]",
                    _at(shown, value),
                )
            )
    if visit_id is None:
        problems.append(Finding.of("VP010", "the record names no visit (`visit:`)", _HINT, shown))
    return visit_id, sessions


def _read_sessions(
    node: Any, shown: str, visit: Visit, problems: list[Finding]
) -> dict[str, frozenset[str]]:
    import yaml

    people = {p.id for p in visit.participants}
    held = sessions_by_id(visit)
    every = {s.id for s in visit.sessions}
    sessions: dict[str, frozenset[str]] = {}
    for key, value in node.value:
        session_id = str(key.value)
        if session_id not in held:
            problems.append(
                Finding.of(
                    "VP511",
                    f"'{session_id}' is not a session of the visit"
                    if session_id not in every
                    else f"the session '{session_id}' is cancelled",
                    _session_hint(visit, session_id, cancelled=session_id in every),
                    _at(shown, key),
                    subject=session_id,
                )
            )
            continue
        if session_id in sessions:
            problems.append(
                Finding.of(
                    "VP511",
                    f"the session '{session_id}' is listed twice",
                    "keep one list of the people who came to it",
                    _at(shown, key),
                    subject=session_id,
                )
            )
            continue
        if isinstance(value, yaml.ScalarNode) and not value.value:
            items: list[Any] = []
        elif isinstance(value, yaml.SequenceNode):
            items = value.value
        else:
            problems.append(
                Finding.of(
                    "VP010",
                    f"'{session_id}' is not a list of participant ids",
                    "write the ids of the people who came as a list: [id-1, id-2]",
                    _at(shown, value),
                )
            )
            continue
        came: set[str] = set()
        for item in items:
            person_id = str(item.value) if isinstance(item, yaml.ScalarNode) else ""
            if person_id not in people:
                problems.append(
                    Finding.of(
                        "VP511",
                        f"'{person_id or '?'}' under '{session_id}' is not a participant of "
                        "the visit",
                        _person_hint(visit, person_id),
                        _at(shown, item),
                        subject=session_id,
                    )
                )
                continue
            came.add(person_id)
        sessions[session_id] = frozenset(came)
    return sessions


def _session_hint(visit: Visit, session_id: str, *, cancelled: bool) -> str:
    from difflib import get_close_matches

    if cancelled:
        return "remove it from the record: a cancelled session was not held"
    close = get_close_matches(session_id, [s.id for s in visit.active_sessions()], n=1)
    suggestion = f"did you mean '{close[0]}'? " if close else ""
    return f"{suggestion}use the session's `id:` as the visit file writes it, or remove it"


def _person_hint(visit: Visit, person_id: str) -> str:
    from difflib import get_close_matches

    close = get_close_matches(person_id, [p.id for p in visit.participants], n=1)
    suggestion = f"did you mean '{close[0]}'? " if close else ""
    return f"{suggestion}use the participant's `id:` as the visit file writes it, or remove it"


def write_attendance(visit_file: Path, record: AttendanceRecord, visit: Visit) -> Path:
    """Write ``record`` beside ``visit_file`` in one step; return the file written."""
    import yaml

    from visitplan.atomic import replace_file

    header = (
        f"# Who came to each session of “{' '.join(visit.details.title.split())}”.\n"
        "# Written by `visitplan attendance import`; each session id lists the ids of\n"
        "# the participants who came. A session not listed counts as planned: each\n"
        "# participant's group's sessions between their arrival and departure.\n"
    )
    order = {s.id: n for n, s in enumerate(visit.active_sessions())}
    body = yaml.safe_dump(
        {
            "visit": record.visit_id,
            "sessions": {
                sid: sorted(record.sessions[sid])
                for sid in sorted(record.sessions, key=lambda s: (order.get(s, 0), s))
            },
        },
        allow_unicode=True,
        sort_keys=False,
        width=88,
    )
    return replace_file(attendance_path(visit_file), (header + body).encode("utf-8"))
