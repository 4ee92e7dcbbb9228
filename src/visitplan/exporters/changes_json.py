"""``public/changes.json``: what changed since the previous build, for people and tools."""

from __future__ import annotations

import json
from pathlib import Path
from typing import ClassVar

from visitplan.exporters import BuildContext
from visitplan.exporters.html import describe_change
from visitplan.model import Visit


class ChangesList:
    id: ClassVar[str] = "changes"
    name: ClassVar[str] = "What changed"

    def render(self, visit: Visit, context: BuildContext) -> list[Path]:
        publication = context.publication
        document = {
            "visit": visit.details.id,
            "since": publication.previous_build,
            "built_at": context.now.isoformat(),
            "changes": [
                {**change.as_json(), "text": describe_change(change)}
                for change in publication.changes
            ],
        }
        target = context.path("public", "changes.json")
        target.write_text(
            json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        return [target]
