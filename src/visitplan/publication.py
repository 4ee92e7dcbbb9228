"""What subscribers see of the programme, and how it changed since the last build.

A build *publishes* the visit: each session becomes a :class:`PublishedEvent` (its
public text, its times as aware datetimes, and its revision), compared with what the
builds before published (a :class:`Record`). Only sessions whose public content
changed get a new revision; a session removed or cancelled stays in the feeds as
cancelled; the differences are the :class:`Change` list every output words the same
way (:func:`describe_change`).

This module is pure: no files. ``state`` keeps the record and the personal feed
tokens in the state file, converting at that edge.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from visitplan.dates import session_span
from visitplan.labels import Labels
from visitplan.model import Participant, Session, SessionStatus, Visit
from visitplan.session_view import session_view


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

    @property
    def cancelled(self) -> bool:
        return self.text.cancelled

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


@dataclass(frozen=True, slots=True)
class ProgrammeVersion:
    """The programme's version number: it rises only when a build publishes changes.

    ``changes`` counts what that version changed by kind (added, moved, changed,
    cancelled), so that every document can say it in one line.
    """

    number: int = 0
    published: datetime | None = None  # when this version was first built
    changes: Mapping[str, int] = field(default_factory=dict)


@dataclass
class Record:
    """What the builds so far have published: each session's last revision, when the
    last build ran, and the programme's version."""

    events: dict[str, PublishedEvent] = field(default_factory=dict)
    built_at: datetime | None = None
    version: ProgrammeVersion = field(default_factory=ProgrammeVersion)


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
    venue = visit.venue(session.venue)
    geo = None
    if venue is not None and venue.lat is not None and venue.lon is not None:
        geo = (venue.lat, venue.lon)
    location = " → ".join(
        place.line if n == 0 else place.name for n, place in enumerate(view.places)
    )
    lines: list[str] = [view.kind]
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
    the visit's language, in which subscribers read the events."""
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
                event, change = _removed(earlier, withdrawn(earlier.text, labels), now)
                events.append(event)
                if change is not None:
                    changes.append(change)
    events.sort(key=lambda e: (e.starts_at, e.session_id))
    changes.sort(key=lambda c: (c.new_start or c.old_start or now, c.session_id))
    record = Record(
        events={e.session_id: e for e in events},
        built_at=now,
        version=next_version(before, changes, now),
    )
    return Publication(visit.details.id, events, changes, tokens, before.built_at, now, record)


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
        return event, _change("added", event) if added else None
    if earlier.same_as(text, groups):
        return replace(earlier, text=text), None
    event = replace(
        earlier, text=text, groups=groups, sequence=earlier.sequence + 1, last_modified=now
    )
    if event.cancelled and earlier.cancelled:
        return event, None  # still cancelled: nothing to tell
    return event, _compare(earlier, event)


def _removed(
    earlier: PublishedEvent, text: EventText, now: datetime
) -> tuple[PublishedEvent, Change | None]:
    """A session no longer in the visit stays in the feeds, cancelled (``text``)."""
    if earlier.same_as(text, earlier.groups):
        return earlier, None
    event = replace(earlier, text=text, sequence=earlier.sequence + 1, last_modified=now)
    return event, None if earlier.cancelled else _change("cancelled", event, earlier)


def _compare(earlier: PublishedEvent, event: PublishedEvent) -> Change:
    if event.cancelled and not earlier.cancelled:
        return _change("cancelled", event, earlier)
    if earlier.cancelled and not event.cancelled:
        return _change("added", event)
    moved = (earlier.starts_at, earlier.ends_at) != (event.starts_at, event.ends_at)
    return _change("moved" if moved else "changed", event, earlier)


def _change(kind: str, event: PublishedEvent, earlier: PublishedEvent | None = None) -> Change:
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
        return ProgrammeVersion(max(version.number, 1) + 1, now, counts)
    if version.number == 0:  # a state written before versions were counted
        return ProgrammeVersion(1, before.built_at, {})
    return version


def describe_change(change: Change, labels: Labels) -> str:
    """One line a participant understands: what moved, from when to when."""
    old = _span(change.old_start, change.old_end, labels.language)
    new = _span(change.new_start, change.new_end, labels.language)
    if change.kind == "cancelled":  # a cancelled session's title is not published
        return labels("Cancelled: the session of {when}", when=old)
    if change.kind == "added":
        return labels("New: {title}, {when}", title=change.title, when=new)
    if change.kind == "moved":
        return labels("Moved: {title}, from {old} to {new}", title=change.title, old=old, new=new)
    return labels("Updated: {title}, {when}", title=change.title, when=new)


def _span(start: datetime | None, end: datetime | None, language: str) -> str:
    if start is None or end is None:
        return ""
    return session_span(start, end, language)
