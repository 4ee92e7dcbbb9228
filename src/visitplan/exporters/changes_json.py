"""``public/changes.json``: what changed since the previous build, for people and tools."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from visitplan.exporters import BuildContext
from visitplan.labels import Labels
from visitplan.model import Visit
from visitplan.publication import Change, describe_change


class ChangesList:
    id: ClassVar[str] = "changes"
    name: ClassVar[str] = "What changed"

    def render(self, visit: Visit, context: BuildContext) -> list[Path]:
        publication = context.publication
        document = {
            "visit": visit.details.id,
            "since": _moment(publication.previous_build),
            "built_at": context.now.isoformat(),
            "changes": [_change(change, context.labels) for change in publication.changes],
        }
        target = context.path("public", "changes.json")
        target.write_text(
            json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        return [target]


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
        "text": describe_change(change, labels),
    }


def _moment(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
