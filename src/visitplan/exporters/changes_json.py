"""``public/changes.json``: what the latest version of the programme changed, and every
version before it, for people and tools."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from visitplan.exporters import BuildContext
from visitplan.labels import Labels
from visitplan.model import Visit
from visitplan.publication import Change, ProgrammeVersion, describe_change


class ChangesList:
    id: ClassVar[str] = "changes"
    name: ClassVar[str] = "What changed"

    def render(self, visit: Visit, context: BuildContext) -> list[Path]:
        publication = context.publication
        versions = publication.versions()
        latest = versions[0] if versions else publication.version
        before = versions[1] if len(versions) > 1 else None
        document = {
            "visit": visit.details.id,
            # The latest version's changes stay until a newer version replaces them.
            "since": _moment(before.published) if before and latest.changed else None,
            "built_at": context.now.isoformat(),
            "version": latest.number,
            "published": _moment(latest.published),
            "changes": [_change(change, context.labels) for change in latest.changed],
            "versions": [_version(version, context.labels) for version in versions],
        }
        target = context.path("public", "changes.json")
        target.write_text(
            json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        return [target]


def _version(version: ProgrammeVersion, labels: Labels) -> dict[str, Any]:
    return {
        "number": version.number,
        "published": _moment(version.published),
        "counts": dict(version.changes),
        "changes": [_change(change, labels) for change in version.changed],
    }


def _change(change: Change, labels: Labels) -> dict[str, Any]:
    return {
        "kind": change.kind,
        "session": change.session_id,
        "title": change.title,
        "old_start": _moment(change.old_start),
        "old_end": _moment(change.old_end),
        "new_start": _moment(change.new_start),
        "new_end": _moment(change.new_end),
        "timezone": change.tzid,
        "place": change.place or None,
        "groups": list(change.audience) if change.audience is not None else None,
        "status": change.status or None,
        "concerns": {"groups": list(change.concerns), "participants": change.people},
        "text": describe_change(change, labels),
    }


def _moment(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
