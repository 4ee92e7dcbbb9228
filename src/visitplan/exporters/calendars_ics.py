"""Calendar feeds: the whole programme, one per group, one personal feed per participant.

Written with icalendar (RFC 5545: CRLF, folded lines, escaped text, a VTIMEZONE for
every TZID). Each event is serialised once; feeds are put together from those blocks,
because personal feeds repeat the same events thousands of times.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import ClassVar

from visitplan import __version__
from visitplan.exporters import BuildContext
from visitplan.labels import Labels, personal_language
from visitplan.links import feed_path
from visitplan.model import Participant, SessionKind, Visit, zone
from visitplan.publication import (
    PersonalFeed,
    Publication,
    PublishedEvent,
    TravelEvent,
    event_text,
    withdrawn,
)
from visitplan.text import lines_of_text, one_line

PRODID = f"-//visitplan//visitplan {__version__}//EN"
END = b"END:VCALENDAR\r\n"
REFRESH = timedelta(hours=1)


class CalendarFeeds:
    id: ClassVar[str] = "ics"
    name: ClassVar[str] = "Calendar feeds"

    def render(self, visit: Visit, context: BuildContext) -> list[Path]:
        publication = context.publication
        blocks = {e.session_id: _event(e, context.now) for e in publication.events}
        zones = _timezones(visit, publication)
        title = visit.details.title
        in_language = _InLanguage(visit, context, blocks)
        own = in_language.feed(visit.details.language)
        written = [
            _write(
                context.path("public", *feed_path("all", "")),
                _header(visit, title),
                own.blocks(publication.events, []),
                zones,
            )
        ]
        for group in visit.groups:
            written.append(
                _write(
                    context.path("public", *feed_path("group", group.id)),
                    _header(visit, f"{title} — {group.name}"),
                    own.blocks(
                        publication.events_for(group.id), publication.left_feed_of(group.id)
                    ),
                    zones,
                )
            )
        travel: dict[tuple[str, str, datetime, bool, int, datetime, bool], bytes] = {}
        by_group = {
            g: (publication.events_for(g), publication.left_feed_of(g)) for g in visit.group_keys()
        }
        by_id = {e.session_id: e for e in publication.events}
        unnamed = _header(visit, None)
        written += _guard_personal_folder(visit, context)
        for person in visit.participants:
            token = publication.tokens[person.id]
            feed = publication.personal_feed(person.id)
            labels = in_language.labels(personal_language(visit, person))
            extra = list(_travel_events(visit, person, token, feed, context, labels, travel))
            events, left = by_group.get(person.group) or (
                publication.events_for(person.group),
                publication.left_feed_of(person.group),
            )
            if feed.left:
                left = sorted(
                    [*left, *(by_id[sid] for sid in feed.left if sid in by_id)],
                    key=lambda e: (e.starts_at, e.session_id),
                )
            written.append(
                _write(
                    context.path("public", *feed_path("personal", token)),
                    _named(unnamed, personal_feed_name(visit, person)),
                    in_language.feed(labels.language).blocks(events, left),
                    zones,
                    extra,
                    visit.details.timezone,
                )
            )
        return written


def personal_feed_name(visit: Visit, person: Participant) -> str:
    """ "<visit title> — <name>": the participant's name as the visit file writes it.

    Not a "given name" cut from it: the model has one name field, and its first word
    is the family name in Hungarian, Chinese or Korean order, or half of "María José";
    the name as the person wrote it is theirs in every culture. The feed is at their
    secret address only."""
    return f"{visit.details.title} — {person.name}"


class _InLanguage:
    """The events' blocks in each participant language, each made once, on first use."""

    def __init__(self, visit: Visit, context: BuildContext, own: dict[str, bytes]) -> None:
        self.visit = visit
        self.context = context
        self._labels = {visit.details.language: context.labels}
        self._feeds = {visit.details.language: _Blocks(context, context.labels, own)}

    def labels(self, language: str) -> Labels:
        if language not in self._labels:
            self._labels[language] = Labels(language)
        return self._labels[language]

    def feed(self, language: str) -> _Blocks:
        if language not in self._feeds:
            labels = self.labels(language)
            sessions = {s.id: s for s in self.visit.sessions}
            blocks = {}
            for event in self.context.publication.events:
                session = sessions.get(event.session_id)
                text = (
                    event_text(self.visit, session, labels)
                    if session is not None
                    else withdrawn(event.text, labels)
                )
                blocks[event.session_id] = _event(replace(event, text=text), self.context.now)
            self._feeds[language] = _Blocks(self.context, labels, blocks)
        return self._feeds[language]


class _Blocks:
    """The events of one language, as a feed that carries them, and as a feed they left
    (cancelled there: the session moved to another group, or its owner did)."""

    def __init__(self, context: BuildContext, labels: Labels, blocks: dict[str, bytes]) -> None:
        self.context = context
        self.labels = labels
        self.carried = blocks
        self.gone: dict[str, bytes] = {}

    def blocks(self, events: list[PublishedEvent], left: list[PublishedEvent]) -> list[Block]:
        result = [
            (e.starts_at, e.session_id, e.text.tzid, self.carried[e.session_id]) for e in events
        ]
        for event in left:
            if event.session_id not in self.gone:
                gone = replace(event, text=withdrawn(event.text, self.labels))
                self.gone[event.session_id] = _event(gone, self.context.now)
            result.append(
                (event.starts_at, event.session_id, event.text.tzid, self.gone[event.session_id])
            )
        if left:
            result.sort(key=lambda b: (b[0], b[1]))
        return result


# An event ready for a feed: its start and session id (the order), its zone, its text.
Block = tuple[datetime, str, str, bytes]


def _header(visit: Visit, name: str | None) -> bytes:
    """The calendar's properties, named ``name`` (None: to be named by :func:`_named`)."""
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if name is not None:
        name = one_line(name)  # X- properties are written as given: no raw line break
        calendar.add("name", name)
        calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", visit.details.timezone)
    if visit.details.description:
        calendar.add("x-wr-caldesc", one_line(" ".join(visit.details.description.split())))
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    base = visit.details.publishing.base_url
    if base:
        calendar.add("url", f"{base}index.html")
    ical: bytes = calendar.to_ical()
    return ical[: -len(END)]


def _named(unnamed: bytes, name: str) -> bytes:
    """A header of :func:`_header` without a name, named: one per personal feed, where
    making the whole header for each of thousands of participants costs seconds."""
    from icalendar import vText
    from icalendar.parser import Contentline, Parameters

    name = one_line(name)
    lines = b"".join(
        Contentline.from_parts(key, Parameters(), vText(name)).to_ical() + b"\r\n"
        for key in ("NAME", "X-WR-CALNAME")
    )
    start, _, rest = unnamed.partition(b"METHOD:PUBLISH\r\n")
    return start + b"METHOD:PUBLISH\r\n" + lines + rest


def _timezones(visit: Visit, publication: Publication) -> dict[str, bytes]:
    from icalendar import Timezone

    zones = {e.text.tzid for e in publication.events} | {visit.details.timezone}
    # Whole calendar years: the block stays the same when sessions move.
    years = [e.starts_at.year for e in publication.events] + [
        visit.details.start_date.year,
        visit.details.end_date.year,
    ]
    first, last = date(min(years), 1, 1), date(max(years), 12, 31)
    return {
        tzid: Timezone.from_tzid(tzid, first_date=first, last_date=last).to_ical()
        for tzid in sorted(zones)
    }


def _event(event: PublishedEvent, now: datetime) -> bytes:
    from icalendar import Event

    text = event.text
    tz = zone(text.tzid)
    vevent = Event()
    vevent.add("uid", event.uid)
    vevent.add("dtstamp", now)
    vevent.add("dtstart", text.start.astimezone(tz))
    vevent.add("dtend", text.end.astimezone(tz))
    # Text may come from an old state file as well as the visit: cleaned again here.
    vevent.add("summary", one_line(text.summary))  # "Cancelled session" if so
    if text.location:
        vevent.add("location", one_line(text.location))
    if text.geo:
        vevent.add("geo", text.geo)
    vevent.add("description", lines_of_text(text.description))
    vevent.add("categories", [text.category])
    vevent.add("status", text.status.upper())
    if text.url:
        vevent.add("url", text.url)
    vevent.add("sequence", event.sequence)
    vevent.add("last-modified", event.last_modified)
    vevent.add("transp", "TRANSPARENT" if event.cancelled else "OPAQUE")
    block: bytes = vevent.to_ical()
    return block


TEMPLATE_UID = "visitplan-travel-template"
# An empty page for public/p/: a web host that lists folders shows nothing there, and
# search engines are asked not to index it.
EMPTY_PAGE = (
    '<!doctype html>\n<html><head><meta charset="utf-8">'
    '<meta name="robots" content="noindex, nofollow"><title></title></head>'
    "<body></body></html>\n"
)


def _guard_personal_folder(visit: Visit, context: BuildContext) -> list[Path]:
    """public/p/index.html (empty, noindex) and public/robots.txt (keep out of /p/)."""
    from urllib.parse import urlsplit

    page = context.path("public", "p", "index.html")
    page.write_text(EMPTY_PAGE, encoding="utf-8")
    base = visit.details.publishing.base_url
    folder = urlsplit(base).path if base else "/"
    robots = context.path("public", "robots.txt")
    robots.write_text(
        "# Personal calendars are at unguessable addresses; keep robots out of them.\n"
        f"User-agent: *\nDisallow: {folder.rstrip('/')}/p/\n",
        encoding="utf-8",
    )
    return [page, robots]


def travel_uid(visit: Visit, person: Participant, token: str, kind: str) -> str:
    """An arrival's or departure's UID: opaque, so a feed names no one, and stable as
    long as the participant's personal link is (a keyed hash of visit, participant and
    kind, the key being their secret token)."""
    import hashlib
    import hmac

    message = f"{visit.details.id}\n{person.id}\n{kind}".encode()
    digest = hmac.new(token.encode(), message, hashlib.sha256).hexdigest()[:32]
    return f"{kind}-{digest}@{visit.details.id}.visitplan"


def _travel_events(
    visit: Visit,
    person: Participant,
    token: str,
    feed: PersonalFeed,
    context: BuildContext,
    labels: Labels,
    cache: dict[tuple[str, str, datetime, bool, int, datetime, bool], bytes],
) -> Iterable[bytes]:
    """The participant's own arrival and departure, in their personal feed only, with
    their revisions (cancelled when removed, until pruned).

    Many people arrive at the same time: each distinct event is serialised once and
    only its UID line (also made by icalendar) differs per person.
    """
    for event in feed.travel:
        key = (
            labels.language,
            event.kind,
            event.start,
            event.all_day,
            event.sequence,
            event.last_modified,
            event.cancelled,
        )
        if key not in cache:
            cache[key] = _travel_block(event, context.now, labels)
        uid = _uid_line(travel_uid(visit, person, token, event.kind))
        yield cache[key].replace(f"UID:{TEMPLATE_UID}\r\n".encode(), uid)


def _travel_block(event: TravelEvent, now: datetime, labels: Labels) -> bytes:
    from icalendar import Event

    vevent = Event()
    vevent.add("uid", TEMPLATE_UID)
    vevent.add("dtstamp", now)
    if event.all_day:  # given as a date only
        vevent.add("dtstart", event.start.date())
        vevent.add("dtend", event.end.date())
    else:
        vevent.add("dtstart", event.start)
        vevent.add("dtend", event.end)
    arrival = event.kind == "arrival"
    vevent.add("summary", labels("Your arrival") if arrival else labels("Your departure"))
    vevent.add("categories", [labels.kind(SessionKind.TRAVEL)])
    if event.cancelled:
        vevent.add("status", "CANCELLED")
    vevent.add("sequence", event.sequence)
    vevent.add("last-modified", event.last_modified)
    vevent.add("transp", "TRANSPARENT")
    block: bytes = vevent.to_ical()
    return block


def _uid_line(uid: str) -> bytes:
    from icalendar import vText
    from icalendar.parser import Contentline, Parameters

    line: bytes = Contentline.from_parts("UID", Parameters(), vText(uid)).to_ical()
    return line + b"\r\n"


def _write(
    path: Path,
    header: bytes,
    events: list[Block],
    zones: dict[str, bytes],
    extra: list[bytes] | None = None,
    extra_zone: str | None = None,
) -> Path:
    used = {tzid for _, _, tzid, _ in events}
    if extra and extra_zone:
        used.add(extra_zone)
    parts = [header]
    parts += [zones[z] for z in sorted(used) if z in zones]
    parts += [block for _, _, _, block in events]
    parts += extra or []
    parts.append(END)
    path.write_bytes(b"".join(parts))
    return path
