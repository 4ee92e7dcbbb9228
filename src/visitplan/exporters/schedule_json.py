"""``public/schedule.json``: the programme in the c3voc/frab schedule format.

Conference-schedule apps (Giggity and others) read this format and show the programme
offline. Venues are the rooms; each event's guid is a UUID 5 of its calendar UID, so
it stays the same as long as the session id does.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote

from visitplan import __version__
from visitplan.exporters import BuildContext
from visitplan.i18n import N_
from visitplan.labels import Labels
from visitplan.model import Session, Visit, zone
from visitplan.publication import uid_of

SCHEMA_URL = "https://c3voc.de/schedule/schema.json"
# The schema's pattern for time_zone_name (it leaves out names such as Etc/GMT+1).
ZONE_NAME = re.compile(r"^([A-Z][a-z]+/[A-Z][a-z]+)|UTC$")
NO_VENUE = N_("Elsewhere")


class ScheduleJson:
    id: ClassVar[str] = "schedule-json"
    name: ClassVar[str] = "Schedule (frab JSON)"

    def render(self, visit: Visit, context: BuildContext) -> list[Path]:
        target = context.path("public", "schedule.json")
        target.write_text(
            json.dumps(schedule(visit, context.labels), indent=1, ensure_ascii=False) + "\n",
            encoding="utf-8",
        )
        return [target]


def event_guid(visit: Visit, session_id: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, uid_of(visit, session_id)))


def schedule(visit: Visit, labels: Labels) -> dict[str, Any]:
    details = visit.details
    rooms = {v.id: v.name for v in visit.venues}
    days = []
    for index, (day, sessions) in enumerate(visit.sessions_by_day().items(), start=1):
        by_room: dict[str, list[dict[str, Any]]] = {}
        for session in sessions:
            room = rooms.get(session.venue or "", labels(NO_VENUE))
            by_room.setdefault(room, []).append(_event(visit, session, room, labels))
        # A day without sessions spans the whole day, with the visit's UTC offset.
        local = zone(details.timezone)
        starts = [s.starts_at for s in sessions] or [datetime.combine(day, time(), local)]
        ends = [s.ends_at for s in sessions] or [
            datetime.combine(day + timedelta(days=1), time(), local)
        ]
        days.append(
            {
                "index": index,
                "date": day.isoformat(),
                "day_start": min(starts).isoformat(),
                "day_end": max(ends).isoformat(),
                "rooms": by_room,
            }
        )
    used_rooms = {s.venue for s in visit.active_sessions()}
    return {
        "$schema": SCHEMA_URL,
        "generator": {"name": "visitplan", "version": __version__},
        "schedule": {
            "version": __version__,
            **(
                {"base_url": web_uri(details.publishing.base_url)}
                if details.publishing.base_url
                else {}
            ),
            "conference": {
                "acronym": acronym(details.id),
                "title": details.title,
                "start": details.start_date.isoformat(),
                "end": details.end_date.isoformat(),
                "daysCount": len(days),
                "timeslot_duration": "00:15",
                **(
                    {"time_zone_name": details.timezone}
                    if ZONE_NAME.search(details.timezone)
                    else {}
                ),
                "rooms": [
                    {
                        "name": v.name,
                        "guid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"venue-{v.id}@{details.id}")),
                        "capacity": v.capacity,
                    }
                    for v in visit.venues
                    if v.id in used_rooms
                ],
                "days": days,
            },
        },
    }


def acronym(visit_id: str) -> str:
    """The schema's acronym: lower case letters, digits and underscores."""
    text = re.sub(r"[^a-z0-9_]", "_", visit_id.lower())
    return text if len(text) >= 4 else (text + "____")[:4]


def web_uri(text: str) -> str:
    """A web address as a URI: spaces and letters outside ASCII percent-encoded."""
    return quote(text, safe=":/?#[]@!$&'()*+,;=%~")


def _event(visit: Visit, session: Session, room: str, labels: Labels) -> dict[str, Any]:
    guid = event_guid(visit, session.id)
    hosts = [h.name for hid in session.hosts if (h := visit.host(hid)) is not None]
    base = visit.details.publishing.base_url
    return {
        "id": uuid.UUID(guid).int >> 97 or 1,  # a stable positive 31-bit integer
        "guid": guid,
        "date": session.starts_at.isoformat(),
        "end": session.ends_at.isoformat(),
        "start": f"{session.starts_at:%H:%M}",
        "duration": f"{session.minutes // 60:02d}:{session.minutes % 60:02d}",
        "room": room,
        "slug": _slug(f"{acronym(visit.details.id)}-{session.id}"),
        # The schema wants an absolute URI; without a public address, the event's URN.
        "url": web_uri(f"{base}index.html#{session.id}") if base else f"urn:uuid:{guid}",
        "title": session.title,
        "subtitle": "",
        "track": labels.kind(session.kind),
        "type": session.kind.value,
        "language": session.language or visit.details.language,
        "abstract": session.description or "",
        "description": labels("Hosted by {hosts}", hosts=labels.join(hosts)) if hosts else "",
        "persons": [{"name": name} for name in session.speakers],
        "links": [],
        "attachments": [],
    }


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9_-]+", "-", text.lower()).strip("-_")
    return slug or "session"
