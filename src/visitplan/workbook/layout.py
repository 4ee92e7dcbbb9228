"""Which sheets a visit workbook has and which columns each holds.

The columns are derived from the model (``visitplan.model``): every field of a block
is a column (a row, on the Visit and Rules sheets), a nested block's fields are
columns named with a dot (``contact.email``), and the kind of cell (date, time, yes
or no, list...) follows the field's type. A field added to the model without a
heading here stops the workbook from being made, so none can be forgotten.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import Enum, StrEnum
from functools import cache
from typing import Any

from pydantic import BaseModel

from visitplan.i18n import N_
from visitplan.model import (
    Group,
    Host,
    Objective,
    Participant,
    Rules,
    Session,
    Venue,
    VisitDetails,
)

# Rows above the data on a list sheet: the field names (hidden), then the headings.
FIELD_ROW, HEADING_ROW, FIRST_ROW = 1, 2, 3
# Drop-downs that refer to another sheet's ids cover this many rows of it, so that
# rows added later are offered too.
REFERENCE_ROWS = 2000
# The column of comments (kept from the YAML file's comments; not part of the visit).
COMMENT = "#"


class CellKind(StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"  # may run over several lines
    DATE = "date"
    TIME = "time"
    DATETIME = "datetime"
    FLAG = "flag"
    WHOLE = "whole"
    NUMBER = "number"
    CHOICE = "choice"
    IDS = "ids"  # a list written "a, b"
    TEXTS = "texts"  # a list written one item a line
    TIMES = "times"  # a pair of times, "11:30, 14:30"


@dataclass(frozen=True)
class Column:
    """One field of a block: its place in an item (``contact.email``), its heading, the
    kind of cell, and the drop-down list that offers its values (a name of LISTS or a
    section whose ids it refers to)."""

    field: str
    heading: str
    kind: CellKind
    choices: str | None = None
    width: float = 16
    required: bool = False
    default: Any = None

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(self.field.split("."))


@dataclass(frozen=True)
class Sheet:
    """A block of the visit: ``section`` is its key in visit.yaml (``visit`` and
    ``rules`` are one item, shown as rows of key and value; the others are lists, one
    item a row)."""

    section: str
    title: str
    columns: tuple[Column, ...]
    model: type[BaseModel]

    @property
    def is_list(self) -> bool:
        return self.section not in {"visit", "rules"}


# Headings of the fields; a field of one block only is keyed "section.field".
HEADINGS = {
    "id": N_("ID"),
    "name": N_("Name"),
    "title": N_("Title"),
    "description": N_("Description"),
    "notes": N_("Notes"),
    "kind": N_("Kind"),
    "country": N_("Country"),
    "timezone": N_("Time zone"),
    "language": N_("Language"),
    "visit.project": N_("Project"),
    "visit.organiser": N_("Organiser"),
    "visit.funder": N_("Funder"),
    "visit.start_date": N_("First day"),
    "visit.end_date": N_("Last day"),
    "visit.guiding_question": N_("Guiding question"),
    "visit.publishing.base_url": N_("Public web address"),
    "visit.branding.logo": N_("Logo file"),
    "visit.branding.funding.statement": N_("Funding statement"),
    "visit.branding.funding.emblem": N_("Funder's emblem file"),
    "visit.branding.contact.name": N_("On-site contact"),
    "visit.branding.contact.phone": N_("On-site contact's phone"),
    "visit.attendance.order": N_("Order of sign-in sheets"),
    "visit.attendance.blank_rows": N_("Blank rows on sign-in sheets"),
    "visit.badges.width_mm": N_("Badge width (mm)"),
    "visit.badges.height_mm": N_("Badge height (mm)"),
    "objectives.text": N_("Objective"),
    "hosts.level": N_("Level"),
    "hosts.contact.name": N_("Contact person"),
    "hosts.contact.role": N_("Contact's role"),
    "hosts.contact.email": N_("Contact's email"),
    "hosts.contact.phone": N_("Contact's phone"),
    "hosts.website": N_("Website"),
    "hosts.venue": N_("Usual venue"),
    "venues.address": N_("Address"),
    "venues.city": N_("City"),
    "venues.region": N_("Region"),
    "venues.lat": N_("Latitude"),
    "venues.lon": N_("Longitude"),
    "venues.capacity": N_("Capacity"),
    "venues.step_free": N_("Step-free"),
    "venues.opening_hours.opens": N_("Opens"),
    "venues.opening_hours.closes": N_("Closes"),
    "groups.aliases": N_("Other names"),
    "sessions.date": N_("Date"),
    "sessions.start": N_("Start"),
    "sessions.end": N_("End"),
    "sessions.venue": N_("Venue"),
    "sessions.destination": N_("Destination"),
    "sessions.hosts": N_("Hosts"),
    "sessions.objectives": N_("Objectives"),
    "sessions.groups": N_("Groups"),
    "sessions.speakers": N_("Speakers"),
    "sessions.interpretation": N_("Interpretation"),
    "sessions.status": N_("Status"),
    "sessions.accept": N_("Accepted findings"),
    "participants.organisation": N_("Organisation"),
    "participants.role": N_("Role"),
    "participants.email": N_("Email"),
    "participants.phone": N_("Phone"),
    "participants.group": N_("Group"),
    "participants.arrival": N_("Arrival"),
    "participants.departure": N_("Departure"),
    "participants.dietary": N_("Dietary needs"),
    "participants.accessibility": N_("Accessibility needs"),
    "participants.step_free": N_("Step-free access needed"),
    "participants.languages": N_("Languages"),
    "participants.interpretation": N_("Interpretation needed"),
    "participants.migrant": N_("Migrant participant"),
    "participants.public": N_("Consent to public listing"),
}
SHEET_TITLES = {
    "instructions": N_("Instructions"),
    "visit": N_("Visit"),
    "objectives": N_("Objectives"),
    "hosts": N_("Hosts"),
    "venues": N_("Venues"),
    "groups": N_("Groups"),
    "sessions": N_("Sessions"),
    "participants": N_("Participants"),
    "rules": N_("Rules"),
    "lists": N_("Lists"),
}
FIELD_HEADING = N_("Field")
VALUE_HEADING = N_("Value")
DEFAULT_HEADING = N_("Default")
COMMENT_HEADING = N_("Comments")
YES, NO = N_("Yes"), N_("No")
# Fields that hold ids of another block: the drop-down offers that block's ids.
REFERENCES = {
    "venue": "venues",
    "destination": "venues",
    "hosts": "hosts",
    "objectives": "objectives",
    "groups": "groups",
    "group": "groups",
}
# Fields whose text may run over several lines (as in visit.yaml).
LONG_TEXT = frozenset(
    {"description", "notes", "address", "guiding_question", "text", "dietary", "accessibility"}
)
# Lists of free text, one item a line in their cell (a speaker's name may hold a
# comma); every other list holds ids or codes, written "a, b".
TEXT_LISTS = frozenset({"speakers", "accept", "aliases", "ignore"})
WIDTHS = {
    CellKind.TEXT: 22,
    CellKind.LONG_TEXT: 40,
    CellKind.DATE: 12,
    CellKind.TIME: 8,
    CellKind.DATETIME: 17,
    CellKind.FLAG: 10,
    CellKind.WHOLE: 10,
    CellKind.NUMBER: 11,
    CellKind.CHOICE: 14,
    CellKind.IDS: 20,
    CellKind.TEXTS: 28,
    CellKind.TIMES: 14,
}
NARROW = {"id": 18, "country": 9, "language": 9, "interpretation": 12, "title": 36, "name": 30}
_BLOCKS: tuple[tuple[str, type[BaseModel]], ...] = (
    ("visit", VisitDetails),
    ("objectives", Objective),
    ("hosts", Host),
    ("venues", Venue),
    ("groups", Group),
    ("sessions", Session),
    ("participants", Participant),
    ("rules", Rules),
)


@cache
def sheets() -> tuple[Sheet, ...]:
    """Every block's sheet, in the workbook's order (after the instructions)."""
    return tuple(
        Sheet(section, SHEET_TITLES[section], tuple(_columns(section, model)), model)
        for section, model in _BLOCKS
    )


def sheet_of(section: str) -> Sheet:
    return next(sheet for sheet in sheets() if sheet.section == section)


def heading_of(section: str, field: str) -> str:
    """The heading of ``field``; a field without one is a mistake in this module."""
    if section == "rules":
        return field  # thresholds keep the names docs/checks.md explains
    found = HEADINGS.get(f"{section}.{field}") or HEADINGS.get(field)
    if found is None:
        raise LookupError(f"no heading for the field {section}.{field}: add it to HEADINGS")
    return found


def _columns(section: str, model: type[BaseModel], prefix: str = "") -> list[Column]:
    found = []
    for name, info in model.model_fields.items():
        field = prefix + name
        if section == "visit" and field == "objectives":
            continue  # a sheet of its own
        annotation = info.annotation
        nested = _nested_model(annotation)
        if nested is not None:
            found += _columns(section, nested, field + ".")
            continue
        kind, choices = _kind(name, annotation)
        if name in REFERENCES and section != REFERENCES[name]:
            choices = REFERENCES[name]
        width = NARROW.get(name, WIDTHS[kind])
        default = None if info.is_required() else info.get_default(call_default_factory=True)
        found.append(
            Column(
                field,
                heading_of(section, field),
                kind,
                choices,
                width,
                required=info.is_required() and not prefix,
                default=default,
            )
        )
    return found


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    for candidate in _alternatives(annotation):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _alternatives(annotation: Any) -> list[Any]:
    """The types an annotation allows, without None and Annotated wrappers."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _alternatives(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [
            kind
            for arg in typing.get_args(annotation)
            if arg is not type(None)
            for kind in _alternatives(arg)
        ]
    return [annotation]


def _kind(name: str, annotation: Any) -> tuple[CellKind, str | None]:
    (base,) = _alternatives(annotation)[:1] or [str]
    origin = typing.get_origin(base)
    if origin is tuple:
        return CellKind.TIMES, None
    if origin is list:
        return (CellKind.TEXTS if name in TEXT_LISTS else CellKind.IDS), None
    if base is bool:
        return CellKind.FLAG, "yes_no"
    if base is datetime:
        return CellKind.DATETIME, None
    if base is date:
        return CellKind.DATE, None
    if base is time:
        return CellKind.TIME, None
    if base is int:
        return CellKind.WHOLE, None
    if base is float:
        return CellKind.NUMBER, None
    if isinstance(base, type) and issubclass(base, Enum):
        return CellKind.CHOICE, base.__name__
    if name == "country":
        return CellKind.TEXT, "countries"
    return (CellKind.LONG_TEXT if name in LONG_TEXT else CellKind.TEXT), None


def choice_values(name: str) -> list[str]:
    """The values of a drop-down of choices (an enum of the model, by its name)."""
    from visitplan import model

    enum = getattr(model, name)
    return [str(member.value) for member in enum]


def country_codes() -> list[str]:
    """Two-letter country codes CLDR knows, in order."""
    from babel import Locale

    territories = Locale.parse("en").territories
    return sorted(
        str(code)
        for code in territories
        if len(str(code)) == 2 and str(code).isalpha() and str(code) not in {"ZZ", "XA", "XB"}
    )
