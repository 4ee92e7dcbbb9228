"""Importing participants from registration spreadsheets.

Every row read is accounted for: taken, merged into another row as a duplicate, or
rejected with its row number, a reason and a hint. Nothing is dropped silently.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from visitplan.importers.columns import (
    HEADER_SEARCH_ROWS,
    ColumnMap,
    looks_like_header,
    map_columns,
)
from visitplan.importers.normalise import (
    DateOrder,
    ValueProblem,
    ascii_slug,
    clean_email,
    clean_name,
    clean_phone,
    clean_text,
    country_code,
    language_codes,
    parse_moment,
    yes_no,
)
from visitplan.importers.read import Cell, read_sheet
from visitplan.model import Visit

DATE_FIELDS = ("arrival", "departure", "timestamp")
# What forms write where there is no address (Microsoft Forms: "anonymous").
NO_EMAIL = frozenset({"anonymous", "-", "n/a", "none", "no email"})
FIELD_ORDER = (
    "id",
    "name",
    "organisation",
    "role",
    "country",
    "email",
    "phone",
    "group",
    "arrival",
    "departure",
    "dietary",
    "accessibility",
    "step_free",
    "languages",
    "migrant",
    "public",
    "notes",
)


@dataclass
class Row:
    number: int
    cells: list[Cell]


@dataclass
class Rejected:
    row: int
    reason: str
    hint: str
    cells: list[Cell]


@dataclass
class Merged:
    row: int
    into: int
    reason: str


@dataclass
class Imported:
    """A participant as it will be written: model field names, YAML-ready values."""

    row: int
    fields: dict[str, Any]
    stamp: datetime | None = None
    cells: list[Cell] = field(default_factory=list)

    @property
    def email(self) -> str:
        return str(self.fields.get("email") or "")


@dataclass
class ImportResult:
    sheet: str
    headers: list[str]
    rows_read: int
    taken: list[Imported] = field(default_factory=list)
    merged: list[Merged] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def accounted(self) -> bool:
        return len(self.taken) + len(self.merged) + len(self.rejected) == self.rows_read


class _Skip(Exception):
    def __init__(self, reason: str, hint: str) -> None:
        super().__init__(reason)
        self.hint = hint


def import_participants(
    path: Path,
    *,
    sheet: str | None = None,
    mapping: dict[str, str] | None = None,
    group: str | None = None,
    visit: Visit | None = None,
    keep_unmapped: bool = False,
) -> ImportResult:
    """Read, normalise and deduplicate the participants of a registration sheet."""
    from visitplan.findings import Finding, Location, Severity
    from visitplan.load import InputError

    table = read_sheet(path, sheet)
    header: ColumnMap | None = None
    data: list[Row] = []
    for number, cells in table.rows:
        if header is None:
            if number > HEADER_SEARCH_ROWS:
                break
            if looks_like_header(cells) or (mapping and _names_mapped(cells, mapping)):
                header = map_columns(number, cells, mapping or {})
            continue
        data.append(Row(number, cells))
    if header is None:
        raise InputError(
            [
                Finding(
                    Severity.ERROR,
                    "VP010",
                    f"no header row found in the first {HEADER_SEARCH_ROWS} rows of '{table.name}'",
                    "the sheet needs a row that names its columns (Name, Email, Country, ...); "
                    'for other headings, say which is which: --map "Nome do participante=name"',
                    Location(str(path)),
                )
            ]
        )
    if "name" not in header.fields.values() and not {"given_name", "family_name"} & set(
        header.fields.values()
    ):
        raise InputError(
            [
                Finding(
                    Severity.ERROR,
                    "VP010",
                    f"no column for the participants' names in '{table.name}' (headers: "
                    f"{', '.join(h for h in header.headers if h)})",
                    'say which column holds the name: --map "Your header=name"',
                    Location(str(path), header.header_row),
                )
            ]
        )
    while data and _empty(data[-1].cells):
        data.pop()
    result = ImportResult(table.name, header.headers, len(data))
    result.unmapped = header.unmapped
    orders = _date_orders(header, data, result)
    known_groups = {g.id for g in visit.groups} if visit else None
    records: list[Imported] = []
    for row in data:
        try:
            records.append(_record(row, header, orders, group, known_groups, keep_unmapped))
        except _Skip as skip:
            result.rejected.append(Rejected(row.number, str(skip), skip.hint, row.cells))
    _deduplicate(records, result)
    _assign_ids(result.taken, visit)
    _validate(result)
    return result


def _names_mapped(cells: Iterable[Cell], mapping: dict[str, str]) -> bool:
    from visitplan.importers.columns import normalise_header

    wanted = {normalise_header(k) for k in mapping}
    return any(normalise_header(c) in wanted for c in cells if isinstance(c, str))


def _empty(cells: list[Cell]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _date_orders(header: ColumnMap, data: list[Row], result: ImportResult) -> dict[str, str]:
    orders = {}
    for name in DATE_FIELDS:
        index = header.index_of(name)
        if index is None:
            continue
        values = [row.cells[index] for row in data if index < len(row.cells)]
        order, unsure = DateOrder.of(values)
        orders[name] = order
        ambiguous = [v for v in values if isinstance(v, str) and _ambiguous(v)]
        if unsure and ambiguous:
            result.notes.append(
                f"column '{header.headers[index]}': dates such as '{ambiguous[0]}' could be "
                "day/month or month/day; read as day/month (European order)"
            )
        elif order == DateOrder.MONTH_FIRST:
            result.notes.append(
                f"column '{header.headers[index]}': dates read as month/day (US order), as "
                "some of them only make sense that way"
            )
    return orders


def _ambiguous(text: str) -> bool:
    import re

    match = re.match(r"^\s*(\d{1,2})[./-](\d{1,2})[./-]\d{2,4}", text)
    if match is None:
        return False
    first, second = match.group(1), match.group(2)
    return int(first) <= 12 and int(second) <= 12 and first != second


def _record(
    row: Row,
    header: ColumnMap,
    orders: dict[str, str],
    group: str | None,
    known_groups: set[str] | None,
    keep_unmapped: bool,
) -> Imported:
    if _empty(row.cells):
        raise _Skip("the row is empty", "delete the row, or fill it in")

    cells = row.cells

    def cell(name: str) -> Cell:
        index = header.index_of(name)
        return cells[index] if index is not None and index < len(cells) else None

    fields: dict[str, Any] = {}
    name = clean_name(cell("name"))
    if not name:
        name = " ".join(
            p for p in (clean_name(cell("given_name")), clean_name(cell("family_name"))) if p
        )
    if not name:
        raise _Skip("no name", "fill in the participant's name")
    fields["name"] = name
    try:
        email = clean_text(cell("email"))
        if email and email.lower() not in NO_EMAIL:
            fields["email"] = clean_email(email)
        if clean_text(cell("country")):
            fields["country"] = country_code(cell("country"))
        moments = {}
        for key in DATE_FIELDS:
            moment = parse_moment(cell(key), orders.get(key, DateOrder.DAY_FIRST))
            if moment is not None:
                moments[key] = moment
    except ValueProblem as problem:
        raise _Skip(str(problem), problem.hint) from None
    if (
        "arrival" in moments
        and "departure" in moments
        and (moments["departure"] < moments["arrival"])
    ):
        raise _Skip(
            f"departure ({moments['departure']:%Y-%m-%d %H:%M}) is before arrival "
            f"({moments['arrival']:%Y-%m-%d %H:%M})",
            "swap the two dates, or correct them",
        )
    for key in ("arrival", "departure"):
        if key in moments:
            moment = moments[key]
            fields[key] = (
                f"{moment:%Y-%m-%d}"
                if moment.time() == datetime.min.time() and (not isinstance(cell(key), datetime))
                else f"{moment:%Y-%m-%d %H:%M}"
            )
    for key in ("organisation", "role", "dietary", "accessibility", "notes"):
        text = clean_text(cell(key))
        if text:
            fields[key] = text
    phone = clean_phone(cell("phone"), fields.get("country"))
    if phone:
        fields["phone"] = phone
    chosen_group = clean_text(cell("group")) or group
    if chosen_group:
        if known_groups is not None and chosen_group not in known_groups:
            raise _Skip(
                f"unknown group '{chosen_group}'",
                f"use one of the visit's groups: {', '.join(sorted(known_groups)) or 'none'}"
                " (add it under `groups:` first)",
            )
        fields["group"] = chosen_group
    for key in ("step_free", "migrant", "public"):
        flag = yes_no(cell(key))
        if flag:
            fields[key] = True
    languages = language_codes(cell("languages"))
    if languages:
        fields["languages"] = languages
    given_id = clean_text(cell("id"))
    if given_id:
        fields["id"] = given_id
    if keep_unmapped and header.unmapped:
        extra = [
            f"{h}: {clean_text(row.cells[i])}"
            for i, h in enumerate(header.headers)
            if h in header.unmapped and i < len(row.cells) and clean_text(row.cells[i])
        ]
        if extra:
            fields["notes"] = "; ".join(filter(None, [fields.get("notes"), *extra]))
    return Imported(row.number, fields, moments.get("timestamp"), row.cells)


@cache
def _key(text: str) -> str:
    return ascii_slug(text)


def _deduplicate(records: list[Imported], result: ImportResult) -> None:
    """A later submission replaces an earlier one; one email for two names is a conflict."""
    by_email: dict[str, Imported] = {}
    by_name: dict[tuple[str, str], Imported] = {}
    kept: list[Imported] = []
    for record in records:
        earlier: Imported | None = None
        if record.email:
            earlier = by_email.get(record.email)
            if earlier is not None and _key(earlier.fields["name"]) != _key(record.fields["name"]):
                result.rejected.append(
                    Rejected(
                        record.row,
                        f"email {record.email} is already used by '{earlier.fields['name']}' "
                        f"(row {earlier.row}), a different name",
                        "two people cannot share one email: correct one of them, or leave this "
                        "email empty",
                        record.cells,
                    )
                )
                continue
        else:
            earlier = by_name.get(
                (_key(record.fields["name"]), _key(record.fields.get("organisation", "")))
            )
        if earlier is None:
            kept.append(record)
        else:
            newer, older = _newer(record, earlier)
            result.merged.append(
                Merged(older.row, newer.row, "a later submission of the same person")
            )
            kept[kept.index(earlier)] = newer
        current = kept[-1] if earlier is None else newer
        if current.email:
            by_email[current.email] = current
        by_name[(_key(current.fields["name"]), _key(current.fields.get("organisation", "")))] = (
            current
        )
    result.taken = kept


def _newer(a: Imported, b: Imported) -> tuple[Imported, Imported]:
    if a.stamp and b.stamp:
        return (a, b) if a.stamp >= b.stamp else (b, a)
    return (a, b) if a.row > b.row else (b, a)


def _assign_ids(records: list[Imported], visit: Visit | None) -> None:
    """Keep the id of a participant already in the visit; make a new one from the name."""
    existing = visit.participants if visit else []
    by_email = {p.email: p.id for p in existing if p.email}
    by_name = {(_key(p.name), _key(p.organisation or "")): p.id for p in existing}
    used = {p.id for p in existing}
    for record in records:
        fields = record.fields
        match = by_email.get(record.email) if record.email else None
        match = match or by_name.get((_key(fields["name"]), _key(fields.get("organisation", ""))))
        if match:
            fields["id"] = match
            continue
        base = fields.get("id") or ascii_slug(fields["name"]) or "participant"
        candidate, n = base, 1
        while candidate in used:
            n += 1
            candidate = f"{base}-{n}"
        fields["id"] = candidate
        used.add(candidate)
    for record in records:
        record.fields = {k: record.fields[k] for k in FIELD_ORDER if k in record.fields}


def _validate(result: ImportResult) -> None:
    """Whatever passed so far must also load as a participant of the visit model."""
    from pydantic import ValidationError

    from visitplan.model import Participant

    valid = []
    for record in result.taken:
        try:
            Participant.model_validate(record.fields)
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            where = ".".join(str(p) for p in first["loc"])
            result.rejected.append(
                Rejected(
                    record.row,
                    f"{where}: {first['msg']}",
                    "correct the value in the sheet",
                    record.cells,
                )
            )
            continue
        valid.append(record)
    result.taken = valid
