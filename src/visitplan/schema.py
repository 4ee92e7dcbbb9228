"""The JSON Schema of ``visit.yaml``, generated from the model for editors and tools."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from visitplan.model import Visit

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def visit_schema() -> dict[str, Any]:
    schema = Visit.model_json_schema(by_alias=True, mode="validation")
    return {
        "$schema": SCHEMA_DIALECT,
        "title": "visitplan visit definition (visit.yaml)",
        **{k: v for k, v in schema.items() if k != "title"},
    }


def schema_text() -> str:
    return json.dumps(visit_schema(), indent=2, ensure_ascii=False) + "\n"


def write_schema(out: Path) -> None:
    out.write_text(schema_text(), encoding="utf-8")
