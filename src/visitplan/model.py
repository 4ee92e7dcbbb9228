"""The types of a visit definition (``visit.yaml``); validation only, no I/O.

Field descriptions here are what ``visitplan schema`` and the documentation show.
Times in a session are local to its venue; every datetime the model hands out is aware.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import cache, cached_property
from typing import Annotated, Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    PrivateAttr,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from visitplan.file_names import clash_key, safe_stem

# ---------------------------------------------------------------------------
# Scalar types. Every scalar arrives as the text the user wrote; these turn it
# into a value or raise an error whose message says which form is expected.

T = TypeVar("T")
MAX_VISIT_DAYS = 366
# Years a visit can be in. The time-zone database is reliable from 1970 on, and no
# programme is planned two centuries ahead; both ends stay far from the last date
# software can count to (31 December 9999), so no date arithmetic can overflow.
MIN_YEAR, MAX_YEAR = 1970, 2199
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_TIME_RE = re.compile(r"^([01]?\d|2[0-3])[:.h]([0-5]\d)$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME_RE = re.compile(
    r"^(\d{4}-\d{2}-\d{2})(?:[ T]([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$"
)


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value.strip()
    return str(value)


def _parse_id(value: Any) -> str:
    text = _text(value)
    if not _ID_RE.match(text):
        raise PydanticCustomError(
            "id_format",
            "'{value}' is not a usable id",
            {
                "value": text,
                "hint": "use 1-64 letters, digits, '-', '_' or '.', "
                "starting with a letter or digit, e.g. day1-welcome",
            },
        )
    return text


def _parse_time(value: Any) -> time:
    if isinstance(value, time):
        return value
    text = _text(value)
    match = _TIME_RE.match(text)
    if not match:
        raise PydanticCustomError(
            "time_format",
            "'{value}' is not a time of day",
            {"value": text, "hint": "write it as HH:MM on a 24-hour clock, e.g. 09:30 or 14:00"},
        )
    return time(int(match.group(1)), int(match.group(2)))


def _parse_date(value: Any) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return _within_years(value, value.isoformat())
    text = _text(value)
    try:
        if not _DATE_RE.match(text):
            raise ValueError
        parsed = date.fromisoformat(text)
    except ValueError:
        raise PydanticCustomError(
            "date_format",
            "'{value}' is not a date",
            {"value": text, "hint": "write dates as YYYY-MM-DD, e.g. 2026-01-27"},
        ) from None
    return _within_years(parsed, text)


def _within_years(moment: date, text: str) -> date:
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        raise PydanticCustomError(
            "date_range",
            "'{value}' is in the year {year}, outside the years visitplan plans for "
            "({first} to {last})",
            {
                "value": text,
                "year": moment.year,
                "first": MIN_YEAR,
                "last": MAX_YEAR,
                "hint": "check the year: it is probably a typing slip (write e.g. 2026)",
            },
        )
    return moment


def _parse_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        _within_years(value.date(), value.isoformat())
        return value
    text = _text(value)
    match = _DATETIME_RE.match(text)
    problem = PydanticCustomError(
        "datetime_format",
        "'{value}' is not a date and time",
        {
            "value": text,
            "hint": "write YYYY-MM-DD HH:MM, e.g. 2026-01-26 18:30 "
            "(local time of the visit), or just the date",
        },
    )
    if not match:
        raise problem
    day, hour, minute, second, offset = match.groups()
    try:
        parsed_day = date.fromisoformat(day)
    except ValueError:
        raise problem from None
    _within_years(parsed_day, text)
    if hour is None:
        return datetime.combine(parsed_day, time())
    result = datetime.combine(parsed_day, time(int(hour), int(minute), int(second or 0)))
    if offset:
        iso = result.isoformat() + ("+00:00" if offset == "Z" else offset)
        return datetime.fromisoformat(iso)
    return result


@cache
def zone(name: str) -> ZoneInfo:
    """The ZoneInfo for an IANA name (cached: a visit uses few zones, many times)."""
    return ZoneInfo(name)


def _check_time_zone(value: str) -> str:
    try:
        if not value or value.startswith(("/", ".")) or ".." in value:
            raise ValueError
        zone(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise PydanticCustomError(
            "time_zone",
            "'{value}' is not a time zone",
            {
                "value": value,
                "hint": "use an IANA name such as Europe/Rome, Europe/Lisbon or Europe/Brussels",
            },
        ) from None
    return value


def _parse_country(value: Any) -> str:
    text = _text(value).upper()
    if not re.fullmatch(r"[A-Z]{2}", text):
        raise PydanticCustomError(
            "country_code",
            "'{value}' is not a country code",
            {
                "value": _text(value),
                "hint": "use the two-letter ISO 3166 code, e.g. IT, PT, BE, DE, NO",
            },
        )
    return text


_PLAIN_EMAIL = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)


def _parse_email(value: Any) -> str:
    """An email address; plain ASCII ones by pattern, the rest by email-validator."""
    text = _text(value)
    if len(text) <= 254 and _PLAIN_EMAIL.match(text):
        return text
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise PydanticCustomError(
            "email_format",
            "'{value}' is not an email address",
            {"value": text, "hint": f"write it as name@example.org, or leave it out ({exc})"},
        ) from None


def _parse_language(value: Any) -> str:
    text = _text(value).lower()
    if not re.fullmatch(r"[a-z]{2,3}", text):
        raise PydanticCustomError(
            "language_code",
            "'{value}' is not a language code",
            {"value": _text(value), "hint": "use a two-letter ISO 639-1 code, e.g. en, it, pt"},
        )
    return text


def _as_list(value: Any) -> Any:
    """Accept a single value where a list is expected (``groups: a`` means ``[a]``)."""
    if isinstance(value, str):
        return [value]
    return value


def _normalise_choice(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip().lower().replace("-", "_").replace(" ", "_")
    return value


Id = Annotated[
    str,
    BeforeValidator(_parse_id),
    WithJsonSchema({"type": "string", "pattern": _ID_RE.pattern}),
]
LocalTime = Annotated[
    time,
    BeforeValidator(_parse_time),
    WithJsonSchema(
        {"type": "string", "pattern": r"^([01]?\d|2[0-3])[:.h][0-5]\d$", "examples": ["09:30"]}
    ),
]
LocalDate = Annotated[
    date,
    BeforeValidator(_parse_date),
    WithJsonSchema({"type": "string", "format": "date", "examples": ["2026-01-27"]}),
]
LocalDateTime = Annotated[
    datetime,
    BeforeValidator(_parse_datetime),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": _DATETIME_RE.pattern,
            "examples": ["2026-01-26 18:30", "2026-01-26"],
        }
    ),
]
TimeZoneName = Annotated[
    str,
    AfterValidator(_check_time_zone),
    WithJsonSchema({"type": "string", "examples": ["Europe/Rome"]}),
]
CountryCode = Annotated[
    str,
    BeforeValidator(_parse_country),
    WithJsonSchema({"type": "string", "pattern": "^[A-Za-z]{2}$", "examples": ["IT"]}),
]
LanguageCode = Annotated[
    str,
    BeforeValidator(_parse_language),
    WithJsonSchema({"type": "string", "pattern": "^[A-Za-z]{2,3}$", "examples": ["en"]}),
]
Flag = Annotated[
    bool,
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "boolean"},
                {
                    "type": "string",
                    "enum": ["yes", "no", "Yes", "No", "true", "false", "on", "off"],
                },
            ]
        }
    ),
]
Email = Annotated[
    str,
    BeforeValidator(_parse_email),
    WithJsonSchema({"type": "string", "format": "email"}),
]
# What people write in a needs field when they have none: not a need to cater for.
NO_NEED = frozenset(
    {
        *("", "-", "--", "—", "none", "no", "nothing", "n/a", "na", "nil", "not applicable"),
        *("nenhuma", "nenhum", "nada", "nessuna", "nessuno", "aucune", "aucun", "keine"),
        *("kein", "ninguna", "ninguno", "geen", "ingen", "καμία", "καμια", "κανένα"),
        *("nema", "nincs", "brak", "niciuna", "няма", "немає", "нет", "لا يوجد", "yok"),
    }
)


def _need(value: Any) -> Any:
    if isinstance(value, str) and value.strip().casefold().rstrip(".") in NO_NEED:
        return None
    return value


def _parse_interpretation(value: Any) -> str:
    text = _text(value).lower().replace(" ", "")
    if not re.fullmatch(r"(?:[a-z]{2,3}>)?[a-z]{2,3}", text):
        raise PydanticCustomError(
            "interpretation_format",
            "'{value}' is not an interpretation need",
            {
                "value": _text(value),
                "hint": "write the language they need interpretation into (el), or from>into "
                "(en>el), with two-letter codes",
            },
        )
    return text


Need = Annotated[str | None, BeforeValidator(_need)]
InterpretationNeed = Annotated[
    str,
    BeforeValidator(_parse_interpretation),
    WithJsonSchema({"type": "string", "pattern": "^([a-z]{2,3}>)?[a-z]{2,3}$"}),
]
IdList = Annotated[list[Id], BeforeValidator(_as_list)]
LanguageList = Annotated[list[LanguageCode], BeforeValidator(_as_list)]
TextList = Annotated[list[str], BeforeValidator(_as_list)]


class Strict(BaseModel):
    """Base of every block: unknown keys are errors, text is trimmed."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        populate_by_name=True,
        use_enum_values=False,
    )


# ---------------------------------------------------------------------------
# Choices


class GovernanceLevel(StrEnum):
    NATIONAL = "national"
    REGIONAL = "regional"
    INTERMEDIARY = "intermediary"
    MUNICIPAL = "municipal"
    CIVIL_SOCIETY = "civil_society"
    INTERNATIONAL = "international"


class SessionKind(StrEnum):
    MEETING = "meeting"
    SITE_VISIT = "site_visit"
    WORKSHOP = "workshop"
    TRAVEL = "travel"
    MEAL = "meal"
    BREAK = "break"
    FREE_TIME = "free_time"
    REFLECTION = "reflection"
    SOCIAL = "social"

    @property
    def is_programme(self) -> bool:
        """Whether it is content that tires: meetings, visits, workshops, debriefs."""
        return self in PROGRAMME_KINDS

    @property
    def is_rest(self) -> bool:
        """Whether it gives rest: meals, breaks and free time."""
        return self in REST_KINDS


PROGRAMME_KINDS = frozenset(
    {SessionKind.MEETING, SessionKind.SITE_VISIT, SessionKind.WORKSHOP, SessionKind.REFLECTION}
)
REST_KINDS = frozenset({SessionKind.MEAL, SessionKind.BREAK, SessionKind.FREE_TIME})


class SessionStatus(StrEnum):
    CONFIRMED = "confirmed"
    TENTATIVE = "tentative"
    CANCELLED = "cancelled"


Level = Annotated[GovernanceLevel, BeforeValidator(_normalise_choice)]
Kind = Annotated[SessionKind, BeforeValidator(_normalise_choice)]
Status = Annotated[SessionStatus, BeforeValidator(_normalise_choice)]


# ---------------------------------------------------------------------------
# Blocks


class Objective(Strict):
    id: Id = Field(description="Stable id, referred to by sessions' `objectives`.")
    text: str = Field(min_length=1, description="What the visit should achieve.")


class Publishing(Strict):
    base_url: str | None = Field(
        default=None,
        description="Public address where the `public/` folder will be uploaded, e.g. "
        "https://example.org/visits/milan-2026/ (used for calendar links and QR codes).",
    )

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^\s/]+", value):
            raise PydanticCustomError(
                "url_format",
                "'{value}' is not a web address",
                {
                    "value": value,
                    "hint": "start it with https://, e.g. https://example.org/visits/milan-2026/",
                },
            )
        return value if value is None or value.endswith("/") else value + "/"


class Funding(Strict):
    statement: str = Field(
        min_length=1,
        description="The funding statement as the funder requires it, e.g. "
        "'Funded by the European Union. Views and opinions expressed are however those of "
        "the author(s) only...'.",
    )
    emblem: str | None = Field(
        default=None,
        description="The funder's emblem: a PNG or JPEG file (at most 2 MB), its path "
        "relative to the visit file.",
    )


class OnSiteContact(Strict):
    name: str = Field(min_length=1, description="Who participants call during the visit.")
    phone: str | None = Field(default=None, description="A phone number that answers on site.")


class Branding(Strict):
    logo: str | None = Field(
        default=None,
        description="The organiser's logo: a PNG or JPEG file (at most 2 MB), its path "
        "relative to the visit file. Export an SVG logo as PNG first.",
    )
    funding: Funding | None = Field(
        default=None, description="Funding statement, with the funder's emblem if required."
    )
    contact: OnSiteContact | None = Field(
        default=None, description="On-site contact, printed on the agenda and the badges."
    )

    def images(self) -> list[tuple[tuple[str, ...], str]]:
        """Each image file named, with its place in the block."""
        found: list[tuple[tuple[str, ...], str]] = []
        if self.logo:
            found.append((("logo",), self.logo))
        if self.funding is not None and self.funding.emblem:
            found.append((("funding", "emblem"), self.funding.emblem))
        return found


class AttendanceOrder(StrEnum):
    FAMILY_NAME = "family_name"
    NAME = "name"
    ORGANISATION = "organisation"


class AttendanceSheets(Strict):
    order: Annotated[AttendanceOrder, BeforeValidator(_normalise_choice)] = Field(
        default=AttendanceOrder.FAMILY_NAME,
        description="Order of the people on each sign-in sheet, within their country: "
        "family_name (the last word of the name), name, or organisation.",
    )
    blank_rows: int = Field(
        default=4, ge=0, le=200, description="Numbered empty rows at the end for walk-ins."
    )


class Badges(Strict):
    width_mm: float = Field(
        default=80, ge=40, le=190, description="Width of a name badge in millimetres."
    )
    height_mm: float = Field(
        default=50, ge=30, le=270, description="Height of a name badge in millimetres."
    )


class VisitDetails(Strict):
    id: Id = Field(description="Short stable id of the visit; calendar UIDs derive from it.")
    title: str = Field(min_length=1, description="Title as shown on every document.")
    project: str | None = Field(default=None, description="Project or programme it belongs to.")
    organiser: str | None = Field(default=None, description="Who organises the visit.")
    funder: str | None = Field(default=None, description="Who funds it, as it must be credited.")
    description: str | None = Field(
        default=None, description="Context: why this visit, why here (pre-fills the report)."
    )
    start_date: LocalDate = Field(description="First day of the visit (YYYY-MM-DD).")
    end_date: LocalDate = Field(description="Last day of the visit (YYYY-MM-DD).")
    timezone: TimeZoneName = Field(
        description="Default IANA time zone of venues and arrival/departure times."
    )
    country: CountryCode = Field(description="Host country (ISO 3166 two-letter code).")
    language: LanguageCode = Field(
        default="en",
        description="Language of every output: en, da, de, el, es, fr, hr, hu, it, nl, pl, pt, ro.",
    )
    guiding_question: str | None = Field(
        default=None, description="The question that guides the exchange."
    )
    objectives: list[Objective] = Field(
        default_factory=list, description="What the visit should achieve, each with an id."
    )
    publishing: Publishing = Field(
        default_factory=Publishing, description="Where the public outputs will be published."
    )
    branding: Branding = Field(
        default_factory=Branding,
        description="Logo, funding statement and on-site contact for the documents.",
    )
    attendance: AttendanceSheets = Field(
        default_factory=AttendanceSheets,
        description="How the per-day sign-in sheets of participants.xlsx are laid out.",
    )
    badges: Badges = Field(
        default_factory=Badges, description="Size of the name badges (badges.docx)."
    )

    @field_validator("end_date")
    @classmethod
    def _end_after_start(cls, value: date, info: ValidationInfo) -> date:
        start = info.data.get("start_date")
        if start is not None and value < start:
            raise PydanticCustomError(
                "date_order",
                "the visit ends ({end}) before it starts ({start})",
                {
                    "end": value.isoformat(),
                    "start": start.isoformat(),
                    "hint": "end_date must be on or after start_date",
                },
            )
        if start is not None and (value - start).days >= MAX_VISIT_DAYS:
            raise PydanticCustomError(
                "date_span",
                "the visit would last {days} days, from {start} to {end}",
                {
                    "days": (value - start).days + 1,
                    "start": start.isoformat(),
                    "end": value.isoformat(),
                    "hint": f"visitplan plans visits of up to {MAX_VISIT_DAYS} days; check "
                    "the year of start_date and end_date",
                },
            )
        return value

    @property
    def tz(self) -> ZoneInfo:
        return zone(self.timezone)

    def days(self) -> list[date]:
        span = (self.end_date - self.start_date).days
        return [self.start_date + timedelta(days=n) for n in range(span + 1)]


class Contact(Strict):
    name: str | None = Field(default=None, description="Contact person (or a role).")
    role: str | None = None
    email: Email | None = None
    phone: str | None = None


class Host(Strict):
    id: Id
    name: str = Field(min_length=1, description="Institution's name as it should appear.")
    kind: str | None = Field(
        default=None, description="What it is: ministry, city service, NGO, reception centre..."
    )
    level: Level = Field(
        description="Governance level: national, regional, intermediary, municipal, "
        "civil_society or international."
    )
    description: str | None = None
    contact: Contact | None = None
    website: str | None = None
    venue: Id | None = Field(default=None, description="Venue id where it usually receives.")


class OpeningHours(Strict):
    opens: LocalTime
    closes: LocalTime


class Venue(Strict):
    id: Id
    name: str = Field(min_length=1)
    address: str | None = Field(default=None, description="Street address, as for a taxi.")
    city: str | None = None
    country: CountryCode | None = Field(
        default=None, description="Country of the venue; defaults to the visit's country."
    )
    region: str | None = Field(
        default=None,
        description="Region for regional public holidays: the ISO 3166-2 subdivision code "
        "without the country prefix, e.g. 25 for Lombardy, 13 for Porto district.",
    )
    lat: float | None = Field(default=None, ge=-90, le=90, description="Latitude (WGS 84).")
    lon: float | None = Field(default=None, ge=-180, le=180, description="Longitude (WGS 84).")
    timezone: TimeZoneName | None = Field(
        default=None, description="IANA time zone; defaults to the visit's."
    )
    capacity: int | None = Field(default=None, ge=1, description="How many people fit.")
    step_free: Flag | None = Field(
        default=None, description="Whether it can be reached without steps (wheelchair)."
    )
    opening_hours: OpeningHours | None = None

    @model_validator(mode="after")
    def _both_coordinates(self) -> Venue:
        if (self.lat is None) != (self.lon is None):
            raise PydanticCustomError(
                "coordinates",
                "venue '{id}' has only one of lat and lon",
                {"id": self.id, "hint": "give both lat and lon, or neither"},
            )
        return self

    @property
    def has_coordinates(self) -> bool:
        return self.lat is not None and self.lon is not None


class Group(Strict):
    id: Id
    name: str = Field(min_length=1)
    description: str | None = None
    aliases: TextList = Field(
        default_factory=list,
        description="Other names registration sheets use for this group (imports match "
        "them, as they match the id and the name).",
    )


class Session(Strict):
    id: Id = Field(description="Stable id; the calendar UID derives from it.")
    title: str = Field(min_length=1)
    kind: Kind = Field(
        default=SessionKind.MEETING,
        description="meeting, site_visit, workshop, travel, meal, break, free_time, "
        "reflection or social.",
    )
    date: LocalDate
    start: LocalTime = Field(description="Local time at the venue, HH:MM.")
    end: LocalTime = Field(description="Local time at the venue, HH:MM.")
    venue: Id | None = Field(default=None, description="Venue id (where it starts, for travel).")
    destination: Id | None = Field(
        default=None, description="For travel: the venue id where the trip ends."
    )
    hosts: IdList = Field(default_factory=list, description="Host ids met in this session.")
    objectives: IdList = Field(default_factory=list, description="Objective ids it serves.")
    groups: IdList = Field(
        default_factory=list, description="Group ids that attend; empty means everyone."
    )
    speakers: TextList = Field(default_factory=list)
    language: LanguageCode | None = Field(
        default=None, description="Language the session is held in."
    )
    interpretation: LanguageList = Field(
        default_factory=list,
        description="Languages interpretation is provided into, e.g. [en, pt].",
    )
    description: str | None = None
    notes: str | None = Field(default=None, description="Organisers' notes (not published).")
    status: Status = SessionStatus.CONFIRMED
    accept: TextList = Field(
        default_factory=list,
        description="Check findings accepted for this session (by name or code), e.g. [long-day].",
    )

    _tz: ZoneInfo = PrivateAttr(default_factory=lambda: zone("UTC"))

    @field_validator("end")
    @classmethod
    def _end_after_start(cls, value: time, info: ValidationInfo) -> time:
        start = info.data.get("start")
        if start is not None and value <= start:
            raise PydanticCustomError(
                "time_order",
                "the session ends at {end}, not after it starts at {start}",
                {
                    "end": value.strftime("%H:%M"),
                    "start": start.strftime("%H:%M"),
                    "hint": "end must be later than start on the same day; split a session "
                    "that runs past midnight",
                },
            )
        return value

    @property
    def tz(self) -> ZoneInfo:
        return self._tz

    # Cached: checks and exporters read these millions of times on a large visit.
    # The visit sets the zone once, right after validation, before any is read.
    @cached_property
    def starts_at(self) -> datetime:
        return datetime.combine(self.date, self.start, tzinfo=self._tz)

    @cached_property
    def ends_at(self) -> datetime:
        return datetime.combine(self.date, self.end, tzinfo=self._tz)

    @cached_property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def is_cancelled(self) -> bool:
        return self.status is SessionStatus.CANCELLED

    def attended_by(self, group: str | None) -> bool:
        """Whether a member of ``group`` (None: no group) attends this session."""
        return not self.groups or (group is not None and group in self.groups)


class Participant(Strict):
    id: Id
    name: str = Field(min_length=1, description="Full name (or a role where names are not kept).")
    organisation: str | None = None
    role: str | None = None
    country: CountryCode | None = Field(
        default=None, description="Country they come from (ISO two-letter code)."
    )
    email: Email | None = None
    phone: str | None = None
    group: Id | None = Field(default=None, description="Group id; none means no sub-group.")
    arrival: LocalDateTime | None = Field(
        default=None, description="When they arrive, local time of the visit (YYYY-MM-DD HH:MM)."
    )
    departure: LocalDateTime | None = Field(
        default=None, description="When they leave, local time of the visit (YYYY-MM-DD HH:MM)."
    )
    dietary: Need = Field(
        default=None, description="Dietary needs (private); 'none' or '-' means none."
    )
    accessibility: Need = Field(
        default=None, description="Accessibility needs (private); 'none' or '-' means none."
    )
    step_free: Flag = Field(
        default=False, description="Needs step-free access (wheelchair, reduced mobility)."
    )
    languages: LanguageList = Field(default_factory=list, description="Languages they follow.")
    interpretation: InterpretationNeed | None = Field(
        default=None,
        description="Interpretation they need: the language they need it into (el), or a "
        "pair from>into (en>el); none means none.",
    )
    migrant: Flag = Field(default=False, description="Takes part as a migrant participant.")
    public: Flag = Field(
        default=False, description="Consents to their name appearing in public documents."
    )
    notes: str | None = None
    # Arrival or departure given as a date only (no time): an all-day event in their feed.
    _arrival_is_date: bool = PrivateAttr(default=False)
    _departure_is_date: bool = PrivateAttr(default=False)

    @model_validator(mode="wrap")
    @classmethod
    def _note_dates_only(cls, data: Any, handler: ModelWrapValidatorHandler[Participant]) -> Any:
        person = handler(data)
        if isinstance(data, dict) and isinstance(person, Participant):
            person._arrival_is_date = _date_only(data.get("arrival"))
            person._departure_is_date = _date_only(data.get("departure"))
        return person

    @property
    def arrival_is_date(self) -> bool:
        return self._arrival_is_date

    @property
    def departure_is_date(self) -> bool:
        return self._departure_is_date

    @field_validator("departure")
    @classmethod
    def _leaves_after_arriving(cls, value: datetime | None, info: ValidationInfo) -> Any:
        arrival = info.data.get("arrival")
        if value is not None and arrival is not None and _naive(value) < _naive(arrival):
            raise PydanticCustomError(
                "departure_order",
                "leaves ({departure}) before arriving ({arrival})",
                {
                    "departure": f"{value:%Y-%m-%d %H:%M}",
                    "arrival": f"{arrival:%Y-%m-%d %H:%M}",
                    "hint": "swap arrival and departure, or correct the dates",
                },
            )
        return value


def interpretation_into(need: str | None) -> tuple[str | None, str | None]:
    """(from, into) of an interpretation need: 'en>el' -> ('en', 'el'), 'el' -> (None, 'el')."""
    if not need:
        return None, None
    source, _, into = need.rpartition(">")
    return source or None, into


def _date_only(value: Any) -> bool:
    """Whether a written arrival or departure is a date without a time."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return True
    if not isinstance(value, str):
        return False
    match = _DATETIME_RE.match(value.strip())
    return match is not None and match.group(2) is None


def _naive(moment: datetime) -> datetime:
    return moment.replace(tzinfo=None)


class Rules(Strict):
    """Thresholds of the schedule checks; each default is explained in docs/checks.md."""

    max_programme_hours: float = Field(
        default=6.0,
        gt=0,
        description="Most hours of programme (meetings, visits, workshops, debriefs) in one day.",
    )
    max_day_span_hours: float = Field(
        default=11.0, gt=0, description="Most hours from a day's first start to its last end."
    )
    max_site_visits: int = Field(default=3, ge=0, description="Most site visits in one day.")
    earliest_start: LocalTime = Field(default=time(8, 0), description="Earliest usual start.")
    latest_end: LocalTime = Field(default=time(21, 0), description="Latest usual end.")
    max_continuous_minutes: int = Field(
        default=150, gt=0, description="Most minutes of back-to-back programme without a break."
    )
    min_break_minutes: int = Field(
        default=15, ge=0, description="Shortest gap that counts as a break."
    )
    lunch_window: tuple[LocalTime, LocalTime] = Field(
        default=(time(11, 30), time(14, 30)), description="When lunch should happen [from, to]."
    )
    min_lunch_minutes: int = Field(default=45, ge=0, description="Shortest lunch gap.")
    free_block_hours: float = Field(
        default=2.0, gt=0, description="Shortest daytime free-time block that counts."
    )
    free_time_every_days: int = Field(
        default=3, ge=1, description="A free block or free evening is expected every N days."
    )
    free_afternoon_from_days: int = Field(
        default=4, ge=1, description="Visits this long or longer need a free afternoon."
    )
    daily_gap_minutes: int = Field(
        default=60, ge=0, description="Each day should have a gap this long in daytime hours."
    )
    min_rest_hours: float = Field(
        default=11.0, ge=0, description="Least rest between a day's end and the next start."
    )
    arrival_buffer_hours: float = Field(
        default=2.0, ge=0, description="Least time between arrival and the first session."
    )
    detour_factor: float = Field(
        default=1.4, ge=1, description="Street distance over straight-line distance."
    )
    urban_speed_kmh: float = Field(
        default=15.0, gt=0, description="Door-to-door speed of a group moving in a city."
    )
    transfer_overhead_minutes: int = Field(
        default=10, ge=0, description="Minutes to gather a group, leave and settle in."
    )
    default_transfer_minutes: int = Field(
        default=30, ge=0, description="Transfer time between venues without coordinates."
    )
    ignore: TextList = Field(
        default_factory=list, description="Checks turned off for the whole visit (names or codes)."
    )


class Visit(Strict):
    """A whole visit definition, as written in ``visit.yaml``."""

    details: VisitDetails = Field(alias="visit", description="The visit itself.")
    hosts: list[Host] = Field(default_factory=list, description="Institutions met.")
    venues: list[Venue] = Field(default_factory=list, description="Places where sessions happen.")
    groups: list[Group] = Field(
        default_factory=list, description="Sub-groups for parallel tracks (default: one group)."
    )
    sessions: list[Session] = Field(default_factory=list, description="The programme.")
    participants: list[Participant] = Field(default_factory=list)
    rules: Rules = Field(default_factory=Rules, description="Overrides of check thresholds.")

    @model_validator(mode="after")
    def _localise(self) -> Visit:
        """Give each session its venue's time zone and make arrival/departure aware."""
        visit_tz = self.details.timezone
        venue_zone = {v.id: v.timezone or visit_tz for v in self.venues}
        for session in self.sessions:
            session._tz = zone(venue_zone.get(session.venue or "", visit_tz))
        tz = zone(visit_tz)
        for person in self.participants:
            if person.arrival is not None and person.arrival.tzinfo is None:
                person.arrival = person.arrival.replace(tzinfo=tz)
            if person.departure is not None and person.departure.tzinfo is None:
                departure = person.departure
                if person.departure_is_date:  # leaves some time that day
                    departure = departure.replace(hour=23, minute=59)
                person.departure = departure.replace(tzinfo=tz)
        return self

    # -- look-ups -------------------------------------------------------------

    def venue(self, venue_id: str | None) -> Venue | None:
        return self._index().venues.get(venue_id or "")

    def host(self, host_id: str) -> Host | None:
        return self._index().hosts.get(host_id)

    def group(self, group_id: str) -> Group | None:
        return self._index().groups.get(group_id)

    def objective(self, objective_id: str) -> Objective | None:
        return self._index().objectives.get(objective_id)

    def _index(self) -> _Index:
        if self._cached_index is None:
            self._cached_index = _Index(self)
        return self._cached_index

    _cached_index: _Index | None = PrivateAttr(default=None)
    # Views computed once and shared by checks and exporters: the visit is not changed
    # after loading.
    _active: list[Session] | None = PrivateAttr(default=None)
    _by_day: dict[bool, dict[date, list[Session]]] = PrivateAttr(default_factory=dict)
    _derived: dict[type, object] = PrivateAttr(default_factory=dict)

    def derived(self, kind: type[T], make: Callable[[Visit], T]) -> T:
        """The view of type ``kind`` derived from this visit (such as its timeline),
        made by ``make`` on first use and kept."""
        found = self._derived.get(kind)
        if not isinstance(found, kind):
            found = make(self)
            self._derived[kind] = found
        return found

    # -- views ----------------------------------------------------------------

    def active_sessions(self) -> list[Session]:
        """Sessions not cancelled, in time order (computed once; do not modify)."""
        if self._active is None:
            self._active = sorted(
                (s for s in self.sessions if not s.is_cancelled),
                key=lambda s: (s.starts_at, s.ends_at, s.id),
            )
        return self._active

    def sessions_by_day(self, *, include_cancelled: bool = False) -> dict[date, list[Session]]:
        """Sessions per local date, in time order; every visit day is present."""
        found = self._by_day.get(include_cancelled)
        if found is None:
            days: dict[date, list[Session]] = {day: [] for day in self.details.days()}
            chosen = self.sessions if include_cancelled else self.active_sessions()
            for session in sorted(chosen, key=lambda s: (s.starts_at, s.ends_at, s.id)):
                days.setdefault(session.date, []).append(session)
            found = self._by_day[include_cancelled] = dict(sorted(days.items()))
        return found

    def group_keys(self) -> list[str | None]:
        """Each distinct day plan: every group, plus None when someone has no group."""
        keys: list[str | None] = [g.id for g in self.groups]
        if not self.groups or any(p.group is None for p in self.participants):
            keys.append(None)
        return keys

    def cities(self) -> list[str]:
        """Cities of the venues used, in order of first use."""
        seen: dict[str, None] = {}
        for session in self.active_sessions():
            venue = self.venue(session.venue)
            if venue is not None and venue.city:
                seen.setdefault(venue.city, None)
        return list(seen)


class _Index:
    """Id look-ups, built once per visit."""

    def __init__(self, visit: Visit) -> None:
        self.venues = {v.id: v for v in visit.venues}
        self.hosts = {h.id: h for h in visit.hosts}
        self.groups = {g.id: g for g in visit.groups}
        self.objectives = {o.id: o for o in visit.details.objectives}


# ---------------------------------------------------------------------------
# Consistency across blocks (ids, references, dates). The loader maps each
# problem's path to a line and column.

Path = tuple[str | int, ...]


class Problem(BaseModel):
    """A consistency problem at a path inside the visit file."""

    path: Path
    code: str
    message: str
    hint: str = ""


def consistency_problems(
    visit: Visit, known: dict[str, set[str]] | None = None
) -> Iterator[Problem]:
    """Duplicate ids, unknown references and sessions outside the visit's dates.

    ``known`` adds ids of items that exist in the file but failed validation, so
    that a typo in one venue does not also make every reference to it an error.
    """
    known = known or {}
    yield from _duplicates(visit)
    ids = {
        "venues": {v.id for v in visit.venues} | known.get("venues", set()),
        "hosts": {h.id for h in visit.hosts} | known.get("hosts", set()),
        "groups": {g.id for g in visit.groups} | known.get("groups", set()),
        "objectives": {o.id for o in visit.details.objectives} | known.get("objectives", set()),
    }

    def check(path: Path, value: str | None, kind: str, what: str) -> Iterator[Problem]:
        if value is not None and value not in ids[kind]:
            yield _unknown(path, value, ids[kind], what, kind)

    for n, host in enumerate(visit.hosts):
        yield from check(("hosts", n, "venue"), host.venue, "venues", "venue")
    first, last = visit.details.start_date, visit.details.end_date
    for n, session in enumerate(visit.sessions):
        yield from check(("sessions", n, "venue"), session.venue, "venues", "venue")
        yield from check(("sessions", n, "destination"), session.destination, "venues", "venue")
        for field_name, kind, what in (
            ("hosts", "hosts", "host"),
            ("objectives", "objectives", "objective"),
            ("groups", "groups", "group"),
        ):
            for m, ref in enumerate(getattr(session, field_name)):
                yield from check(("sessions", n, field_name, m), ref, kind, what)
        if not first <= session.date <= last:
            yield Problem(
                path=("sessions", n, "date"),
                code="VP008",
                message=f"the date {session.date.isoformat()} is outside the "
                f"visit ({first.isoformat()} to {last.isoformat()})",
                hint="correct the date, or widen the visit's start_date/end_date",
            )
        for key, moment in (("start", session.starts_at), ("end", session.ends_at)):
            if wall_time(moment) == "gap":
                yield _nonexistent(("sessions", n, key), moment)
    for n, person in enumerate(visit.participants):
        yield from check(("participants", n, "group"), person.group, "groups", "group")
        travel: list[tuple[str, datetime | None, bool]] = [
            ("arrival", person.arrival, person.arrival_is_date),
            ("departure", person.departure, person.departure_is_date),
        ]
        for key, when, date_only in travel:
            if when is not None and not date_only and wall_time(when) == "gap":
                yield _nonexistent(("participants", n, key), when)


def wall_time(moment: datetime) -> str | None:
    """ "gap" when a local time does not exist (the clocks jump over it in spring),
    "fold" when it happens twice (they go back in autumn), else None. zoneinfo reads a
    time in the gap with the offset before the jump: through UTC and back, it comes
    out as another wall time."""
    if moment.tzinfo is None:
        return None
    back = moment.astimezone(UTC).astimezone(moment.tzinfo)
    if back.replace(tzinfo=None) != moment.replace(tzinfo=None):
        return "gap"
    if moment.replace(fold=0).utcoffset() != moment.replace(fold=1).utcoffset():
        return "fold"
    return None


def _nonexistent(path: Path, moment: datetime) -> Problem:
    shown = moment.astimezone(UTC).astimezone(moment.tzinfo)  # the same instant
    return Problem(
        path=path,
        code="VP015",
        message=f"{moment:%H:%M} on {moment:%Y-%m-%d} does not exist in {moment.tzinfo}: "
        "the clocks go forward that night and skip it",
        hint=f"write the time the clocks show then ({shown:%H:%M}), or another time",
    )


def _duplicates(visit: Visit) -> Iterator[Problem]:
    sections: list[tuple[Path, Iterable[Any]]] = [
        (("visit", "objectives"), visit.details.objectives),
        (("hosts",), visit.hosts),
        (("venues",), visit.venues),
        (("groups",), visit.groups),
        (("sessions",), visit.sessions),
        (("participants",), visit.participants),
    ]
    for prefix, items in sections:
        first_seen: dict[str, int] = {}
        for n, item in enumerate(items):
            if item.id in first_seen:
                yield Problem(
                    path=(*prefix, n, "id"),
                    code="VP005",
                    message=f"id '{item.id}' is used twice in {prefix[-1]} "
                    f"(first as item {first_seen[item.id] + 1})",
                    hint="give each one its own id; ids must stay stable once published",
                )
            else:
                first_seen[item.id] = n
    yield from _file_name_clashes(visit)


def _file_name_clashes(visit: Visit) -> Iterator[Problem]:
    """Groups whose feeds would be one file: ``a.`` and ``a_``, or ``Room`` and ``room``."""
    first_seen: dict[str, str] = {}
    for n, group in enumerate(visit.groups):
        key = clash_key(group.id)
        other = first_seen.setdefault(key, group.id)
        if other != group.id:
            yield Problem(
                path=("groups", n, "id"),
                code="VP005",
                message=f"groups '{other}' and '{group.id}' would share one calendar file, "
                f"groups/{safe_stem(other)}.ics: Windows and macOS do not tell capitals "
                "apart, and a final '.' or space becomes '_'",
                hint=f"rename '{group.id}' or '{other}' so that they differ in more than "
                "capitals or a final '.'",
            )


def _unknown(path: Path, value: str, ids: set[str], what: str, kind: str) -> Problem:
    from difflib import get_close_matches

    close = get_close_matches(value, sorted(ids), n=1, cutoff=0.6)
    if close:
        hint = f"did you mean '{close[0]}'?"
    elif ids:
        hint = f"known {kind}: {', '.join(sorted(ids)[:8])}{', ...' if len(ids) > 8 else ''}"
    else:
        hint = f"add it under `{kind}:` first"
    if kind == "objectives":
        hint = hint.replace("under `objectives:`", "under `visit: objectives:`")
    return Problem(path=path, code="VP006", message=f"unknown {what} '{value}'", hint=hint)
