"""``visitplan attendance import``: who came, from the typed sign-in sheets or a table.

Two shapes are read, with the participants import's reader (any sheet, dialect,
encoding, merged cells):

- the sign-in sheets of ``participants.xlsx`` (one sheet per day, named with its
  date): a name column and one signature column per time slot, in which someone typed
  an x, a tick or initials;
- a table with one row per participant (an ``id`` or ``name`` column) and one column
  per session, headed with the session's id or title: a cell with an x, a tick,
  initials, yes or 1 means they came; blank, no, 0 or a dash means they did not.

Every row below the heading is accounted for: matched to a participant, a person the
visit does not have (with the row and the fix), or empty. For each session the sheet
has a column for, the people it has a row for are recorded as their cells say; the
others keep what the record said of them, or their planned presence. Sessions without
a column, and sheets with no mark at all (days not typed yet), are left as they were.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from visitplan.attendance.record import (
    AttendanceRecord,
    read_attendance,
    sessions_by_id,
    write_attendance,
)
from visitplan.findings import Finding, InputError, Location, Severity
from visitplan.labels import Labels
from visitplan.model import Participant, Session, Visit
from visitplan.participants.columns import field_for, normalise_header
from visitplan.participants.read import Cell, Sheet, read_sheet, sheet_names
from visitplan.timeline import present_for

HEADER_SEARCH_ROWS = 30
DAY_IN_NAME = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
# What a typed cell says when the person did not come; anything else typed is a mark.
NOT_THERE = frozenset(
    {
        "no",
        "n",
        "0",
        "false",
        "absent",
        "non",
        "nein",
        "nao",
        "não",
        "όχι",
        "οχι",
        "nie",
        "nu",
        "nej",
        "nem",
        "ne",
        "-",
        "—",
        "–",
        "✗",
        "✘",
    }
)
PERSON_FIELDS = frozenset({"id", "name", "given_name", "family_name", "organisation"})


@dataclass
class AttendanceImport:
    """What an import found and did."""

    source: str
    record: AttendanceRecord  # the record as written (or as it would be, with --dry-run)
    sessions: list[str]  # the sessions the sheet has columns for, in time order
    rows_read: int = 0
    matched: int = 0
    unknown: int = 0
    empty: int = 0
    marks: int = 0  # attendances taken
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    written: Path | None = None

    @property
    def complete(self) -> bool:
        """Every row matched or empty, every column read."""
        return not any(f.severity is not Severity.INFO for f in self.findings)


@dataclass
class _Columns:
    """Which column holds what, on one sheet."""

    header_row: int
    person: dict[str, int]  # field -> column index (0-based)
    sessions: dict[int, list[Session]]  # column index -> the sessions it may mean


def import_attendance(
    path: Path, visit: Visit, visit_file: Path, *, dry_run: bool = False
) -> AttendanceImport:
    """Read who came from ``path``, merge it into the record beside ``visit_file`` and
    write it (unless ``dry_run``)."""
    labels = Labels(visit.details.language)
    matcher = _SessionMatcher(visit, labels)
    tables = _tables(path, visit)
    existing = read_attendance(visit_file, visit)
    people = _People(visit)
    came: dict[str, set[str]] = defaultdict(set)
    decided: dict[str, set[str]] = defaultdict(set)  # session -> people the sheet has rows of
    result = AttendanceImport(path.name, AttendanceRecord(visit.details.id), [])
    for table, day in tables:
        _read_table(path, table, day, matcher, people, came, decided, result)
    covered = set(decided)
    if not covered:
        nothing = Finding.of(
            "VP514",
            f"{path.name}: no cell marks anyone of the visit present, so there is nothing "
            "to record",
            "type an x (or initials, yes, 1) where a person came, then import again",
            path,
        )
        raise InputError([nothing, *result.findings])
    sessions = dict(existing.sessions) if existing is not None else {}
    held = sessions_by_id(visit)
    for session_id in covered:
        # People the sheet has no row for keep what was known of them.
        kept = {
            p.id
            for p in visit.participants
            if p.id not in decided[session_id] and _known_present(p, held[session_id], existing)
        }
        sessions[session_id] = frozenset(came.get(session_id, set()) | kept)
    order = {s.id: n for n, s in enumerate(visit.active_sessions())}
    result.sessions = sorted(covered, key=lambda s: order.get(s, 0))
    result.record = AttendanceRecord(visit.details.id, sessions)
    result.marks = sum(len(came.get(s, ())) for s in covered)
    if not dry_run:
        result.written = write_attendance(visit_file, result.record, visit)
    return result


def _known_present(
    person: Participant, session: Session, existing: AttendanceRecord | None
) -> bool:
    """Whether ``person`` counted as present at ``session`` before this import."""
    if existing is not None and session.id in existing.sessions:
        return person.id in existing.sessions[session.id]
    return session.attended_by(person.group) and present_for(person, session)


def _tables(path: Path, visit: Visit) -> list[tuple[Sheet, date | None]]:
    """The sheets to read: every sign-in sheet of a programme day (a sheet named with
    its date), else the first sheet."""
    days = set(visit.sessions_by_day())
    chosen = []
    for name in sheet_names(path):
        found = DAY_IN_NAME.search(name)
        if found is None:
            continue
        try:
            day = date(int(found[1]), int(found[2]), int(found[3]))
        except ValueError:
            continue
        if day in days:
            chosen.append((name, day))
    if chosen:
        return [(read_sheet(path, name), day) for name, day in chosen]
    return [(read_sheet(path), None)]


class _People:
    """The visit's participants, found by id or by name (case, accents and punctuation
    do not matter)."""

    def __init__(self, visit: Visit) -> None:
        self.by_id = {p.id.casefold(): p for p in visit.participants}
        self.by_name: dict[str, list[Participant]] = defaultdict(list)
        for person in visit.participants:
            self.by_name[normalise_header(person.name)].append(person)

    def close_name(self, key: str) -> str | None:
        from difflib import get_close_matches

        close = get_close_matches(key, list(self.by_name), n=1, cutoff=0.75)
        return self.by_name[close[0]][0].name if close else None


class _SessionMatcher:
    """Column headings to sessions: a session's id or title, or the heading of a
    sign-in sheet's signature column ("Signature — 09:15 Title (Venue)")."""

    def __init__(self, visit: Visit, labels: Labels) -> None:
        from visitplan.exporters.participants_xlsx import SIGNED_KINDS, attendance_slots

        # The sign-in sheet's "No." column and its like: not a session, not a problem.
        self.numbering = {"no", "nr", "n", "number", "", normalise_header(labels("No."))}
        self.keys: dict[str, list[Session]] = defaultdict(list)
        self.by_day: dict[date, list[Session]] = defaultdict(list)
        held = sessions_by_id(visit)
        for session in held.values():
            self.keys[normalise_header(session.id)].append(session)
            title = normalise_header(session.title)
            if title != normalise_header(session.id):
                self.keys[title].append(session)
            self.by_day[session.date].append(session)
        for sessions in visit.sessions_by_day().values():
            signed = [s for s in sessions if s.kind in SIGNED_KINDS]
            for label, slot in attendance_slots(visit, signed, labels):
                key = normalise_header(label)
                for session in slot:
                    if session not in self.keys[key]:
                        self.keys[key].append(session)

    def match(self, heading: str, day: date | None) -> list[Session]:
        """The sessions ``heading`` may mean (several for a slot parallel groups share);
        [] when it means none, or sessions at different times."""
        key = normalise_header(heading)
        if not key:
            return []
        found = list(self.keys.get(key, []))
        if day is not None:
            found = [s for s in found if s.date == day]
            if not found:  # a heading in another wording that names a session's title
                padded = f" {key} "
                found = [
                    s
                    for s in self.by_day.get(day, [])
                    if (title := normalise_header(s.title)) and f" {title} " in padded
                ]
        if len({(s.starts_at, s.ends_at) for s in found}) > 1:
            return []
        return found


def _read_table(
    path: Path,
    table: Sheet,
    day: date | None,
    matcher: _SessionMatcher,
    people: _People,
    came: dict[str, set[str]],
    decided: dict[str, set[str]],
    result: AttendanceImport,
) -> None:
    rows = list(table.rows)
    seen_rows: dict[str, str] = {}  # a person's first row on this sheet
    where = _Where(path, table)
    columns = _columns(rows, day, matcher, where, result)
    _fill_merged(rows, table.merged(), columns.header_row)
    sheet_came: dict[str, set[str]] = defaultdict(set)
    for number, cells in rows:
        if number <= columns.header_row:
            continue
        result.rows_read += 1
        person_text = _person_text(cells, columns)
        marked = {
            index: sessions
            for index, sessions in columns.sessions.items()
            if _came(_cell(cells, index))
        }
        if not person_text:
            if marked:
                result.unknown += 1
                first = min(marked)
                result.findings.append(
                    Finding.of(
                        "VP512",
                        "the row has marks but no name or id",
                        "write the person's name in the row (as the visit file writes it) "
                        "and import again",
                        where(number, first + 1),
                    )
                )
            else:
                result.empty += 1
            continue
        person = _find_person(cells, columns, people, person_text, number, where, result)
        if person is None:
            result.unknown += 1
            continue
        result.matched += 1
        shown = where(number)
        if person.id in seen_rows:
            result.findings.append(
                Finding.of(
                    "VP516",
                    f"'{person.name}' is also in {seen_rows[person.id]}: the marks of both "
                    "rows are taken",
                    None,
                    shown,
                    subject=person.id,
                )
            )
        else:
            seen_rows[person.id] = str(shown)
        for sessions in marked.values():
            sheet_came[_for_person(sessions, person).id].add(person.id)
    if not sheet_came:  # a sheet nobody has typed into yet says nothing
        if day is not None:
            result.notes.append(
                f"{where.sheet}: no marks, so its sessions keep the planned presence"
            )
        return
    for sessions in columns.sessions.values():
        for session in sessions:
            decided[session.id] |= set(seen_rows)
    for session_id, people_there in sheet_came.items():
        came[session_id] |= people_there


class _Where:
    """Where a cell is, as the officer finds it: ``file.xlsx!Sheet!E7`` or ``file.csv!E7``."""

    def __init__(self, path: Path, table: Sheet) -> None:
        self.file = path.name
        self.sheet = table.name if table.name != path.name else None

    def __call__(self, row: int, column: int | None = None) -> Location:
        if self.sheet is not None:
            return Location(self.file, row, column, sheet=self.sheet)
        cell = Location(self.file, row, column).cell
        return Location(f"{self.file}!{cell}")


def _columns(
    rows: list[tuple[int, list[Cell]]],
    day: date | None,
    matcher: _SessionMatcher,
    where: _Where,
    result: AttendanceImport,
) -> _Columns:
    """The heading row (the first of the top rows with a name or id column) and what
    each of its columns holds. A column that means no session is reported."""
    for number, cells in rows[:HEADER_SEARCH_ROWS]:
        headings = ["" if c is None else " ".join(str(c).split()) for c in cells]
        person: dict[str, int] = {}
        sessions: dict[int, list[Session]] = {}
        unknown: list[tuple[int, str]] = []
        for index, heading in enumerate(headings):
            if not heading:
                continue
            found = matcher.match(heading, day)
            if found:
                sessions[index] = found
                continue
            name = field_for(heading)
            if name in PERSON_FIELDS:
                person.setdefault(name, index)
            elif name is None and normalise_header(heading) not in matcher.numbering:
                unknown.append((index, heading))
        if {"id", "name"} & set(person) or {"given_name", "family_name"} <= set(person):
            for index, heading in unknown:
                result.findings.append(
                    Finding.of(
                        "VP513",
                        f"the column '{_shown(heading)}' matches no session of the visit"
                        + _several(heading, matcher, day),
                        None,
                        where(number, index + 1),
                    )
                )
            if not sessions:
                raise InputError.of(
                    "VP514",
                    "no column names a session of the visit",
                    None,
                    where(number),
                )
            return _Columns(number, person, sessions)
    raise InputError.of(
        "VP514",
        f"no column of participants (a heading 'id' or 'name') in the first "
        f"{HEADER_SEARCH_ROWS} rows",
        None,
        Location(where.file, sheet=where.sheet) if where.sheet else where.file,
    )


def _several(heading: str, matcher: _SessionMatcher, day: date | None) -> str:
    found = matcher.keys.get(normalise_header(heading), [])
    if day is not None:
        found = [s for s in found if s.date == day]
    if len(found) > 1:
        return f" alone: {len(found)} sessions have that title ({', '.join(s.id for s in found)})"
    return ""


def _fill_merged(
    rows: list[tuple[int, list[Cell]]], merged: list[tuple[int, int, int, int]], header: int
) -> None:
    """Cells merged below the heading take the value of their range's top-left cell."""
    by_number = dict(rows)
    for min_row, min_col, max_row, max_col in merged:
        if min_row <= header or min_row not in by_number:
            continue
        origin = by_number[min_row]
        value = origin[min_col - 1] if min_col - 1 < len(origin) else None
        if value is None:
            continue
        for number in range(min_row, max_row + 1):
            cells = by_number.get(number)
            if cells is None:
                continue
            for column in range(min_col - 1, max_col):
                if column >= len(cells):
                    cells.extend([None] * (column + 1 - len(cells)))
                cells[column] = value


def _cell(cells: list[Cell], index: int) -> Cell:
    return cells[index] if index < len(cells) else None


def _text(cell: Cell) -> str:
    return "" if cell is None else " ".join(str(cell).split())


def _person_text(cells: list[Cell], columns: _Columns) -> str:
    texts = [_text(_cell(cells, i)) for f, i in columns.person.items() if f != "organisation"]
    return " ".join(t for t in texts if t)


def _came(cell: Cell) -> bool:
    """Whether a cell marks the person present: anything typed but no, 0 or a dash."""
    if cell is None:
        return False
    if isinstance(cell, bool):
        return cell
    if isinstance(cell, int | float):
        return cell != 0
    text = " ".join(str(cell).split())
    if not text:
        return False
    return text.casefold() not in NOT_THERE and normalise_header(text) not in NOT_THERE


def _find_person(
    cells: list[Cell],
    columns: _Columns,
    people: _People,
    person_text: str,
    number: int,
    where: _Where,
    result: AttendanceImport,
) -> Participant | None:
    given_id = _text(_cell(cells, columns.person["id"])) if "id" in columns.person else ""
    if given_id:
        person = people.by_id.get(given_id.casefold())
        if person is not None:
            return person
    if "name" in columns.person:
        name = _text(_cell(cells, columns.person["name"]))
    else:
        parts = (columns.person.get("given_name"), columns.person.get("family_name"))
        name = " ".join(_text(_cell(cells, i)) for i in parts if i is not None).strip()
    key = normalise_header(name)
    found = people.by_name.get(key, []) if key else []
    if len(found) > 1 and "organisation" in columns.person:
        organisation = normalise_header(_text(_cell(cells, columns.person["organisation"])))
        found = [p for p in found if normalise_header(p.organisation or "") == organisation]
    if len(found) == 1:
        return found[0]
    shown = _shown(name or given_id or person_text)
    at = where(number, _person_column(columns))
    if len(found) > 1:
        result.findings.append(
            Finding.of(
                "VP515",
                f"'{shown}' is the name of {len(found)} participants "
                f"({', '.join(p.id for p in found)}); the row's marks are not taken",
                None,
                at,
            )
        )
        return None
    close = people.close_name(key) if key else None
    hint = (
        (f"did you mean '{close}'? " if close else "")
        + "write the name or id as the visit file writes it, or add the person to the visit "
        "(`visitplan participants import`), and import again"
    )
    result.findings.append(
        Finding.of(
            "VP512",
            f"'{shown}' is not a participant of the visit; the row's marks are not taken",
            hint,
            at,
        )
    )
    return None


def _shown(text: str, limit: int = 80) -> str:
    """User text fit for a message: no control characters, not too long."""
    from visitplan.text import without_control_characters

    text = " ".join(without_control_characters(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _person_column(columns: _Columns) -> int:
    """The 1-based column a row's person is read from, for messages."""
    for name in ("name", "id", "given_name", "family_name"):
        if name in columns.person:
            return columns.person[name] + 1
    return 1


def _for_person(sessions: list[Session], person: Participant) -> Session:
    """Of the sessions a column may mean (parallel groups' sessions share a signature
    column), the one the person's group attends."""
    for session in sessions:
        if session.attended_by(person.group):
            return session
    return sessions[0]
