"""The rejected rows of an import, as a CSV to fix and import again."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

from visitplan.importers import ImportResult

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
        writer.writerow(["row", "problem", "how to fix it", *result.headers])
        for rejected in sorted(result.rejected, key=lambda r: r.row):
            writer.writerow(
                [rejected.row, rejected.reason, rejected.hint, *(inert(c) for c in rejected.cells)]
            )
