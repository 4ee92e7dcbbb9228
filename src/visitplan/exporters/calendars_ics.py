"""Calendar feeds: the whole programme, one per group, one personal feed per participant.

Written with icalendar (RFC 5545: CRLF, folded lines, escaped text, a VTIMEZONE for
every TZID). Each event is serialised once; feeds are put together from those blocks,
because personal feeds repeat the same events thousands of times.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import ClassVar

from visitplan import __version__
from visitplan.exporters import BuildContext
from visitplan.labels import Labels, personal_language
from visitplan.links import feed_path
from visitplan.model import Participant, SessionKind, Visit, zone
from visitplan.publication import Publication, PublishedEvent, event_text, withdrawn
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
        written = [
            _write(
                context.path("public", *feed_path("all", "")),
                _header(visit, title),
                publication.events,
                blocks,
                zones,
            )
        ]
        for group in visit.groups:
            written.append(
                _write(
                    context.path("public", *feed_path("group", group.id)),
                    _header(visit, f"{title} — {group.name}"),
                    publication.events_for(group.id),
                    blocks,
                    zones,
                )
            )
        personal_header = _header(visit, title)
        travel: dict[tuple[str, str, datetime], bytes] = {}
        by_group = {g: publication.events_for(g) for g in visit.group_keys()}
        in_language = _InLanguage(visit, context, blocks)
        written += _guard_personal_folder(visit, context)
        for person in visit.participants:
            token = publication.tokens[person.id]
            labels = in_language.labels(personal_language(visit, person))
            extra = list(_travel_events(visit, person, token, context, labels, travel))
            events = by_group.get(person.group)
            if events is None:
                events = publication.events_for(person.group)
            written.append(
                _write(
                    context.path("public", *feed_path("personal", token)),
                    personal_header,
                    events,
                    in_language.blocks(labels.language),
                    zones,
                    extra,
                    visit.details.timezone,
                )
            )
        return written


class _InLanguage:
    """The events' blocks in each participant language, each made once, on first use."""

    def __init__(self, visit: Visit, context: BuildContext, own: dict[str, bytes]) -> None:
        self.visit = visit
        self.context = context
        self._labels = {visit.details.language: context.labels}
        self._blocks = {visit.details.language: own}

    def labels(self, language: str) -> Labels:
        if language not in self._labels:
            self._labels[language] = Labels(language)
        return self._labels[language]

    def blocks(self, language: str) -> dict[str, bytes]:
        if language not in self._blocks:
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
            self._blocks[language] = blocks
        return self._blocks[language]


def _header(visit: Visit, name: str) -> bytes:
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
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
    context: BuildContext,
    labels: Labels,
    cache: dict[tuple[str, str, datetime], bytes],
) -> Iterable[bytes]:
    """The participant's own arrival and departure, in their personal feed only.

    Many people arrive at the same time: each distinct event is serialised once and
    only its UID line (also made by icalendar) differs per person.
    """
    for kind, moment in (("arrival", person.arrival), ("departure", person.departure)):
        if moment is None:
            continue
        local = moment.astimezone(zone(visit.details.timezone))
        key = (labels.language, kind, local)
        if key not in cache:
            cache[key] = _travel_block(kind, local, context.now, labels)
        uid = _uid_line(travel_uid(visit, person, token, kind))
        yield cache[key].replace(f"UID:{TEMPLATE_UID}\r\n".encode(), uid)


def _travel_block(kind: str, local: datetime, now: datetime, labels: Labels) -> bytes:
    from icalendar import Event

    vevent = Event()
    vevent.add("uid", TEMPLATE_UID)
    vevent.add("dtstamp", now)
    if local.time() in (time(0, 0), time(23, 59)):  # a date without a time: all day
        vevent.add("dtstart", local.date())
        vevent.add("dtend", local.date() + timedelta(days=1))
    else:
        vevent.add("dtstart", local)
        vevent.add("dtend", local + timedelta(minutes=30))
    vevent.add("summary", labels("Your arrival") if kind == "arrival" else labels("Your departure"))
    vevent.add("categories", [labels.kind(SessionKind.TRAVEL)])
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
    events: list[PublishedEvent],
    blocks: dict[str, bytes],
    zones: dict[str, bytes],
    extra: list[bytes] | None = None,
    extra_zone: str | None = None,
) -> Path:
    used = {e.text.tzid for e in events}
    if extra and extra_zone:
        used.add(extra_zone)
    parts = [header]
    parts += [zones[z] for z in sorted(used) if z in zones]
    parts += [blocks[e.session_id] for e in events]
    parts += extra or []
    parts.append(END)
    path.write_bytes(b"".join(parts))
    return path
