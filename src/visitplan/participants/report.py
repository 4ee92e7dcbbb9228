"""The account of an import: the rejected rows as a CSV to fix and import again, and
the whole account as JSON."""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import TextIO

from visitplan.participants.importing import ImportResult

# Text starting like a formula is prefixed with an apostrophe, so that a spreadsheet
# program opening the report shows it instead of running it.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_rejected(path: Path, result: ImportResult) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["row", "problem", "how to fix it", *(inert(h) for h in result.headers)])
        for rejected in sorted(result.rejected, key=lambda r: r.row):
            writer.writerow(
                [rejected.row, rejected.reason, rejected.hint, *(inert(c) for c in rejected.cells)]
            )


def write_account(stream: TextIO, account: Mapping[str, object]) -> None:
    """``account`` as JSON, one list item per line, written as it goes: 200,000
    participants never become one string in memory."""
    stream.write("{")
    for n, (key, value) in enumerate(account.items()):
        stream.write(("," if n else "") + f"\n  {json.dumps(key)}: ")
        if isinstance(value, list) and value:
            stream.write("[")
            for m, item in enumerate(value):
                stream.write(("," if m else "") + "\n    ")
                stream.write(json.dumps(item, ensure_ascii=False))
            stream.write("\n  ]")
        else:
            stream.write(json.dumps(value, ensure_ascii=False))
    stream.write("\n}\n")


def write_participants_yaml(stream: TextIO, result: ImportResult) -> None:
    """The participants taken, as the ``participants:`` block of a visit file."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.dump({"participants": [r.fields for r in result.taken]}, stream)
