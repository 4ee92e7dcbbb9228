"""What subscribers see of the programme, and how it changed since the last build.

A build *publishes* the visit: each session becomes a :class:`PublishedEvent` (its
public text, its times as aware datetimes, and its revision), compared with what the
builds before published (a :class:`Record`). Only sessions whose public content
changed get a new revision; a session removed or cancelled stays in the feeds as
cancelled; the differences are the :class:`Change` list every output words the same
way (:func:`describe_change`).

Every build that changes the programme makes a new :class:`ProgrammeVersion`, which
keeps the changes themselves; the record keeps every version (``history``), so that
the page and ``changes.json`` show the latest changes until a newer version replaces
them. Feeds are remembered too: an event that leaves a group's feed (the session
moved to another group) or a participant's feed (they changed group) stays in that
feed as cancelled until pruned, and arrivals and departures get revisions of their
own (:class:`TravelEvent`).

This module is pure: no files. ``state`` keeps the record and the personal feed
tokens in the state file, converting at that edge.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from visitplan.dates import session_span
from visitplan.labels import Labels
from visitplan.model import Participant, Session, SessionStatus, Visit, zone
from visitplan.session_view import session_view

TRAVEL_LENGTH = timedelta(minutes=30)  # an arrival or departure given with its time


@dataclass(frozen=True, slots=True)
class EventText:
    """A session as a subscriber sees it: nothing private (no notes, no people)."""

    summary: str
    start: datetime  # aware, in the session's time zone
    end: datetime
    tzid: str
    description: str
    category: str
    status: str  # a SessionStatus value
    location: str = ""
    geo: tuple[float, float] | None = None
    url: str | None = None

    @property
    def cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED.value


@dataclass(frozen=True, slots=True)
class PublishedEvent:
    """One session as subscribers see it, with its revision."""

    session_id: str
    uid: str
    text: EventText
    groups: tuple[str, ...]
    sequence: int
    last_modified: datetime  # aware, UTC
    # Group feeds that carried it and keep it as cancelled until pruned ("" stands for
    # the feeds of participants without a group).
    left: tuple[str, ...] = ()

    @property
    def cancelled(self) -> bool:
        return self.text.cancelled

    def left_feed_of(self, group: str | None) -> bool:
        """Whether the feed of ``group`` keeps this event as cancelled: it left it."""
        return (group or "") in self.left

    @property
    def starts_at(self) -> datetime:
        return self.text.start

    @property
    def ends_at(self) -> datetime:
        return self.text.end

    def attended_by(self, group: str | None) -> bool:
        return not self.groups or (group is not None and group in self.groups)

    def same_as(self, text: EventText, groups: tuple[str, ...]) -> bool:
        """Whether subscribers would see nothing new in ``text`` for ``groups``."""
        return self.text == text and self.groups == groups


@dataclass(frozen=True, slots=True)
class Change:
    """A difference since the previous build, as participants should read it."""

    kind: str  # added, moved, changed, cancelled
    session_id: str
    title: str
    tzid: str
    old_start: datetime | None = None
    old_end: datetime | None = None
    new_start: datetime | None = None
    new_end: datetime | None = None
    groups: tuple[str, ...] = ()  # the groups it concerns, before and after; () = everyone
    # What else changed, as the change is told (only what changed is set):
    place: str = ""  # where it is now, with the address: a new session's, or a new place
    audience: tuple[str, ...] | None = None  # the names of the groups it is now for; () all
    status: str = ""  # its new status (confirmed, tentative), when only that changed
    # Whom it concerns, when it was published: the groups' names (() = everyone) and how
    # many participants.
    concerns: tuple[str, ...] = ()
    people: int = 0


@dataclass(frozen=True, slots=True)
class ProgrammeVersion:
    """The programme's version number: it rises only when a build publishes changes.

    ``changes`` counts what that version changed by kind (added, moved, changed,
    cancelled), so that every document can say it in one line; ``changed`` holds the
    changes themselves (none in versions recorded before they were kept).
    """

    number: int = 0
    published: datetime | None = None  # when this version was first built
    changes: Mapping[str, int] = field(default_factory=dict)
    changed: tuple[Change, ...] = ()


@dataclass(frozen=True, slots=True)
class TravelEvent:
    """A participant's arrival or departure as their personal feed published it."""

    kind: str  # arrival, departure
    start: datetime  # aware, in the visit's time zone
    end: datetime
    all_day: bool  # given as a date only
    sequence: int
    last_modified: datetime  # aware, UTC
    cancelled: bool = False

    def same_time(self, other: TravelEvent) -> bool:
        return (self.start, self.end, self.all_day) == (other.start, other.end, other.all_day)


@dataclass(frozen=True, slots=True)
class PersonalFeed:
    """What one participant's personal feed published: the group whose sessions it
    carried, the sessions it keeps as cancelled because they left it when the
    participant changed group, and their arrival and departure."""

    group: str | None = None
    left: tuple[str, ...] = ()  # session ids
    travel: tuple[TravelEvent, ...] = ()

    def travel_event(self, kind: str) -> TravelEvent | None:
        return next((t for t in self.travel if t.kind == kind), None)


@dataclass
class Record:
    """What the builds so far have published: each session's last revision, when the
    last build ran, the programme's version and every version before it, and what each
    participant's personal feed carried (by participant id)."""

    events: dict[str, PublishedEvent] = field(default_factory=dict)
    built_at: datetime | None = None
    version: ProgrammeVersion = field(default_factory=ProgrammeVersion)
    history: tuple[ProgrammeVersion, ...] = ()  # oldest first; the last is ``version``
    feeds: dict[str, PersonalFeed] = field(default_factory=dict)


@dataclass
class Publication:
    """Everything the public outputs show, with revisions, for one build."""

    visit_id: str
    events: list[PublishedEvent]  # by start time
    changes: list[Change]
    tokens: dict[str, str]  # participant id -> personal feed token
    previous_build: datetime | None
    now: datetime
    record: Record  # what this build publishes, for the next one to compare with

    @property
    def version(self) -> ProgrammeVersion:
        return self.record.version

    def events_for(self, group: str | None) -> list[PublishedEvent]:
        return [e for e in self.events if e.attended_by(group)]

    def left_feed_of(self, group: str | None) -> list[PublishedEvent]:
        """The events the feed of ``group`` keeps as cancelled: they left it."""
        return [e for e in self.events if e.left_feed_of(group) and not e.attended_by(group)]

    def personal_feed(self, participant_id: str) -> PersonalFeed:
        """What the participant's personal feed carries besides their group's events."""
        return self.record.feeds.get(participant_id, PersonalFeed())

    def versions(self) -> list[ProgrammeVersion]:
        """Every version of the programme, the latest first."""
        return list(reversed(self.record.history))


def uid_of(visit: Visit, session_id: str) -> str:
    return f"{session_id}@{visit.details.id}.visitplan"


def agenda_url(visit: Visit) -> str | None:
    base = visit.details.publishing.base_url
    return f"{base}index.html" if base else None


def withdrawn(text: EventText, labels: Labels) -> EventText:
    """What a cancelled session keeps in the feeds: its time, and no text at all.

    It stays so that subscribers' calendars drop it, possibly for many builds; its
    title, description and place may name people who have since withdrawn their
    consent, so only the time and the kind of session are kept."""
    return EventText(
        summary=labels("Cancelled session"),
        start=text.start,
        end=text.end,
        tzid=text.tzid,
        description="",
        category=text.category,
        status=SessionStatus.CANCELLED.value,
    )


def event_text(visit: Visit, session: Session, labels: Labels) -> EventText:
    """What a subscriber sees of a session, in the visit's language: nothing private
    (no notes, no people)."""
    view = session_view(visit, session, labels)
    venue = visit.venue(session.destination) or visit.venue(session.venue)
    geo = None
    if venue is not None and venue.lat is not None and venue.lon is not None:
        geo = (venue.lat, venue.lon)
    # A journey's LOCATION is where it goes, so that tapping it navigates there; where
    # it starts is said in the description.
    location = view.places[-1].line if view.places else ""
    lines: list[str] = [view.kind]
    if len(view.places) > 1:
        lines.append(labels("From: {place}", place=view.places[0].line))
    if session.description:
        lines += ["", session.description]
    if view.hosted_by:
        lines.append(view.hosted_by)
    if session.speakers:
        lines.append(labels("Speakers: {speakers}", speakers=", ".join(session.speakers)))
    objectives = [o.text for oid in session.objectives if (o := visit.objective(oid))]
    if objectives:
        listed = labels.semicolon.join(o.strip().rstrip(".;") for o in objectives)
        lines.append(labels("Objectives: {objectives}", objectives=listed))
    lines += [line for line in (view.language, view.groups) if line]
    url = agenda_url(visit)
    if url:
        lines += ["", labels("Programme: {url}", url=url)]
    text = EventText(
        summary=session.title,
        start=session.starts_at,
        end=session.ends_at,
        tzid=str(session.tz),
        location=location,
        geo=geo,
        description="\n".join(lines),
        category=view.kind,
        status=session.status.value,
        url=f"{url}#{session.id}" if url else None,
    )
    return withdrawn(text, labels) if session.is_cancelled else text


def publish(
    visit: Visit,
    before: Record,
    tokens: dict[str, str],
    now: datetime,
    labels: Labels,
    *,
    prune_cancelled: bool = False,
) -> Publication:
    """This build's events, revisions and changes, and the record to keep after it.

    ``tokens`` are the participants' personal feed tokens (see ``state``); ``labels``
    the visit's language, in which subscribers read the events. ``prune_cancelled``
    drops what the feeds keep as cancelled (sessions, arrivals and departures)."""
    first_build = before.built_at is None
    events: list[PublishedEvent] = []
    changes: list[Change] = []
    for session in visit.sessions:
        text = event_text(visit, session, labels)
        event, change = _revise(
            visit, session, text, before.events.get(session.id), now, announce=not first_build
        )
        if change is not None:
            changes.append(change)
        if not (prune_cancelled and event.cancelled):
            events.append(event)
    current = {session.id for session in visit.sessions}
    if not prune_cancelled:
        for session_id, earlier in before.events.items():
            if session_id not in current:
                event, change = _removed(visit, earlier, withdrawn(earlier.text, labels), now)
                events.append(event)
                if change is not None:
                    changes.append(change)
    keys = _feed_keys(visit)
    events = [
        _leaving(event, before.events.get(event.session_id), keys, prune_cancelled)
        for event in events
    ]
    events.sort(key=lambda e: (e.starts_at, e.session_id))
    feeds, moved = _personal_feeds(visit, before, events, now, prune_cancelled)
    if moved:  # in or out of someone's feed: a new revision, so that calendars follow
        events = [
            replace(e, sequence=e.sequence + 1, last_modified=now)
            if e.session_id in moved and e.last_modified != now
            else e
            for e in events
        ]
    changes.sort(key=lambda c: (c.new_start or c.old_start or now, c.session_id))
    changes = [_addressed(visit, change) for change in changes]
    version = next_version(before, changes, now)
    record = Record(
        events={e.session_id: e for e in events},
        built_at=now,
        version=version,
        history=_history(before, version),
        feeds=feeds,
    )
    return Publication(visit.details.id, events, changes, tokens, before.built_at, now, record)


def _feed_keys(visit: Visit) -> tuple[str, ...]:
    """The group feeds a session can leave: each group's, and "" for the participants
    without a group."""
    return (*(g.id for g in visit.groups), "")


def _leaving(
    event: PublishedEvent, earlier: PublishedEvent | None, keys: tuple[str, ...], prune: bool
) -> PublishedEvent:
    """The event with the group feeds it has left (and that keep it as cancelled)."""
    if prune:
        return replace(event, left=()) if event.left else event
    carried = set(earlier.left) if earlier is not None else set()
    if earlier is not None:
        carried |= {k for k in keys if earlier.attended_by(k or None)}
    left = tuple(k for k in keys if k in carried and not event.attended_by(k or None))
    return event if left == event.left else replace(event, left=left)


def _personal_feeds(
    visit: Visit, before: Record, events: list[PublishedEvent], now: datetime, prune: bool
) -> tuple[dict[str, PersonalFeed], set[str]]:
    """What each personal feed carries besides its group's events, and the sessions that
    came into or left a personal feed because its owner changed group."""
    by_id = {e.session_id: e for e in events}
    order = {e.session_id: n for n, e in enumerate(events)}
    tz = zone(visit.details.timezone)
    feeds: dict[str, PersonalFeed] = {}
    moved: set[str] = set()
    for person in visit.participants:
        earlier = before.feeds.get(person.id)
        group = person.group

        def carries(session_id: str) -> bool:
            event = by_id[session_id]
            return event.attended_by(group) or event.left_feed_of(group)  # noqa: B023

        left: list[str] = []
        if earlier is not None and not prune:
            carried = set(earlier.left)
            if earlier.group != group:
                carried |= {
                    sid
                    for sid, e in before.events.items()
                    if e.attended_by(earlier.group) or e.left_feed_of(earlier.group)
                }
            left = sorted(
                (sid for sid in carried if sid in by_id and not carries(sid)), key=order.__getitem__
            )
            moved |= set(left) - set(earlier.left)
            moved |= {sid for sid in earlier.left if sid in by_id and carries(sid)}
        travel = _travel(person, earlier, tz, now, prune)
        feeds[person.id] = PersonalFeed(group, tuple(left), travel)
    for participant_id, feed in before.feeds.items():  # kept for those who may come back
        feeds.setdefault(participant_id, feed)
    return feeds, moved


def travel_span(moment: datetime, all_day: bool, tz: tzinfo) -> tuple[datetime, datetime]:
    """An arrival's or departure's event: the whole day when only a date was given,
    else half an hour from the time given (00:00 included)."""
    local = moment.astimezone(tz)
    if all_day:
        day = datetime.combine(local.date(), time(), tzinfo=tz)
        return day, datetime.combine(local.date() + timedelta(days=1), time(), tzinfo=tz)
    return local, local + TRAVEL_LENGTH


def _travel(
    person: Participant, earlier: PersonalFeed | None, tz: ZoneInfo, now: datetime, prune: bool
) -> tuple[TravelEvent, ...]:
    """The participant's arrival and departure with their revisions: a new one when the
    time changed, and a cancelled one when it was removed (until pruned)."""
    result = []
    for kind, moment, all_day in (
        ("arrival", person.arrival, person.arrival_is_date),
        ("departure", person.departure, person.departure_is_date),
    ):
        old = earlier.travel_event(kind) if earlier is not None else None
        if old is not None:  # a state file keeps offsets: back to the visit's zone
            old_start, old_end = travel_span(old.start, old.all_day, tz)
            old = replace(old, start=old_start, end=old_end)
        if moment is None:
            if old is None or prune:
                continue
            if not old.cancelled:
                old = replace(old, cancelled=True, sequence=old.sequence + 1, last_modified=now)
            result.append(old)
            continue
        start, end = travel_span(moment, all_day, tz)
        new = TravelEvent(kind, start, end, all_day, 0, now)
        if old is None:
            result.append(new)
        elif old.same_time(new) and not old.cancelled:
            result.append(old)
        else:
            result.append(replace(new, sequence=old.sequence + 1))
    return tuple(result)


def _revise(
    visit: Visit,
    session: Session,
    text: EventText,
    earlier: PublishedEvent | None,
    now: datetime,
    announce: bool,
) -> tuple[PublishedEvent, Change | None]:
    """The session's event: a new revision only when what subscribers see changed."""
    groups = tuple(session.groups)
    if earlier is None:
        event = PublishedEvent(session.id, uid_of(visit, session.id), text, groups, 0, now)
        added = announce and not session.is_cancelled
        return event, _change(visit, "added", event) if added else None
    if earlier.same_as(text, groups):
        return replace(earlier, text=text), None
    event = replace(
        earlier, text=text, groups=groups, sequence=earlier.sequence + 1, last_modified=now
    )
    if event.cancelled and earlier.cancelled:
        return event, None  # still cancelled: nothing to tell
    return event, _compare(visit, earlier, event)


def _removed(
    visit: Visit, earlier: PublishedEvent, text: EventText, now: datetime
) -> tuple[PublishedEvent, Change | None]:
    """A session no longer in the visit stays in the feeds, cancelled (``text``)."""
    if earlier.same_as(text, earlier.groups):
        return earlier, None
    event = replace(earlier, text=text, sequence=earlier.sequence + 1, last_modified=now)
    return event, None if earlier.cancelled else _change(visit, "cancelled", event, earlier)


def _compare(visit: Visit, earlier: PublishedEvent, event: PublishedEvent) -> Change:
    if event.cancelled and not earlier.cancelled:
        return _change(visit, "cancelled", event, earlier)
    if earlier.cancelled and not event.cancelled:
        return _change(visit, "added", event)
    moved = (earlier.starts_at, earlier.ends_at) != (event.starts_at, event.ends_at)
    change = _change(visit, "moved" if moved else "changed", event, earlier)
    old, new = earlier.text, event.text
    return replace(
        change,
        place=new.location if new.location != old.location else "",
        audience=_names(visit, event.groups) if earlier.groups != event.groups else None,
        status=new.status if new.status != old.status else "",
    )


def _change(
    visit: Visit, kind: str, event: PublishedEvent, earlier: PublishedEvent | None = None
) -> Change:
    new = kind != "cancelled"
    return Change(
        kind=kind,
        session_id=event.session_id,
        title=event.text.summary,
        tzid=event.text.tzid,
        old_start=earlier.starts_at if earlier else None,
        old_end=earlier.ends_at if earlier else None,
        new_start=event.starts_at if new else None,
        new_end=event.ends_at if new else None,
        groups=_concerned_groups(event, earlier),
        place=event.text.location if kind == "added" else "",
    )


def _names(visit: Visit, group_ids: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(g.name if (g := visit.group(gid)) else gid for gid in group_ids)


def _addressed(visit: Visit, change: Change) -> Change:
    """The change with whom it concerns when it is published: the groups' names and the
    number of participants."""
    return replace(
        change, concerns=_names(visit, change.groups), people=len(concerned(visit, change))
    )


def _concerned_groups(event: PublishedEvent, earlier: PublishedEvent | None) -> tuple[str, ...]:
    """The groups a change concerns: those who attended before and those who attend now
    (none, when either was everyone)."""
    if not event.groups or (earlier is not None and not earlier.groups):
        return ()
    before = earlier.groups if earlier is not None else ()
    return tuple(dict.fromkeys((*before, *event.groups)))


def concerned(visit: Visit, change: Change) -> list[Participant]:
    """The participants a change concerns, in the visit's order."""
    if not change.groups:
        return list(visit.participants)
    return [p for p in visit.participants if p.group in change.groups]


def next_version(before: Record, changes: list[Change], now: datetime) -> ProgrammeVersion:
    """Version 1 on the first build; one more whenever a build changes the programme."""
    version = before.version
    if before.built_at is None:
        return ProgrammeVersion(1, now, {})
    counts = dict(Counter(change.kind for change in changes))
    if counts:
        return ProgrammeVersion(max(version.number, 1) + 1, now, counts, tuple(changes))
    if version.number == 0:  # a state written before versions were counted
        return ProgrammeVersion(1, before.built_at, {})
    return version


def _history(before: Record, version: ProgrammeVersion) -> tuple[ProgrammeVersion, ...]:
    """Every version so far, ``version`` last (a state written before the history was
    kept starts it with its latest version)."""
    history = before.history or ((before.version,) if before.version.number else ())
    # Only earlier versions: a state file that says it was never built starts again at
    # version 1, and must not keep a version 2 before it (it could not be read back).
    return (*(v for v in history if v.number < version.number), version)


def latest_changes(record: Record) -> tuple[ProgrammeVersion, tuple[Change, ...]]:
    """The latest version and what it changed (nothing for the first version, or for a
    version recorded before changes were kept)."""
    return record.version, record.version.changed


def changes_for(record: Record, visit: Visit, participant_id: str) -> list[Change]:
    """What the latest version changed that concerns one participant: the changes to
    everyone, and those of the groups they were or are in (as the state remembers)."""
    person = next((p for p in visit.participants if p.id == participant_id), None)
    feed = record.feeds.get(participant_id)
    groups = {g for g in (person.group if person else None, feed.group if feed else None) if g}
    return [c for c in record.version.changed if not c.groups or groups & set(c.groups)]


def describe_change(change: Change, labels: Labels, *, whom: bool = True) -> str:
    """One line a participant understands: what changed (time, date, place with its
    address, groups, status) and, unless ``whom`` is false (a message to one of the
    people it concerns), whom it concerns."""
    return labels.semicolon.join(change_lines(change, labels, whom=whom))


def change_lines(change: Change, labels: Labels, *, whom: bool = True) -> list[str]:
    """What :func:`describe_change` says, one phrase a line: what happened first, then
    the new place, groups and status, then whom it concerns."""
    old = _span(change.old_start, change.old_end, labels.language)
    new = _span(change.new_start, change.new_end, labels.language)
    if change.kind == "cancelled":  # a cancelled session's title is not published
        lines = [labels("Cancelled: the session of {when}", when=old)]
    elif change.kind == "added":
        lines = [labels("New: {title}, {when}", title=change.title, when=new)]
        if change.place:
            lines.append(labels("Place: {place}", place=change.place))
    else:
        if change.kind == "moved":
            lines = [
                labels("Moved: {title}, from {old} to {new}", title=change.title, old=old, new=new)
            ]
        else:
            lines = [labels("Updated: {title}, {when}", title=change.title, when=new)]
        if change.place:
            lines.append(labels("New place: {place}", place=change.place))
        if change.audience:
            lines.append(labels("Now for: {groups}", groups=", ".join(change.audience)))
        elif change.audience is not None:
            lines.append(labels("Now for everyone"))
        if change.status == SessionStatus.CONFIRMED.value:
            lines.append(labels("Status: confirmed"))
        elif change.status == SessionStatus.TENTATIVE.value:
            lines.append(labels("Status: to be confirmed"))
    if not whom:
        return lines
    people = labels.plural("{n} participant", "{n} participants", change.people)
    if change.concerns:
        groups = ", ".join(change.concerns)
        lines.append(labels("Concerns: {groups} ({people})", groups=groups, people=people))
    elif change.people:
        lines.append(labels("Concerns everyone ({people})", people=people))
    return lines


def _span(start: datetime | None, end: datetime | None, language: str) -> str:
    if start is None or end is None:
        return ""
    return session_span(start, end, language)
