"""What a check or the loader found: a located, coded message with a hint.

Codes are stable: scripts read them from ``visitplan check --format json`` and users
silence them by name, so a code is never reused for another meaning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


@dataclass(frozen=True, slots=True)
class Location:
    """A place in an input file: 1-based line and column."""

    file: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        if self.line is None:
            return self.file
        if self.column is None:
            return f"{self.file}:{self.line}"
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem or remark about a visit."""

    severity: Severity
    code: str
    message: str
    hint: str = ""
    location: Location | None = None
    subject: str | None = None  # the id of the session, participant, ... concerned
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def name(self) -> str:
        return CATALOGUE[self.code].name if self.code in CATALOGUE else self.code

    def sort_key(self) -> tuple[int, int, int, str]:
        loc = self.location
        return (
            loc.line if loc and loc.line is not None else 1 << 30,
            loc.column if loc and loc.column is not None else 0,
            SEVERITY_ORDER[self.severity],
            self.code,
        )

    def as_text(self) -> str:
        where = f"{self.location}: " if self.location else ""
        hint = f" — {self.hint}" if self.hint else ""
        return f"{where}{self.message}{hint}"

    def as_json(self) -> dict[str, Any]:
        loc = self.location
        return {
            "severity": self.severity.value,
            "code": self.code,
            "name": self.name,
            "message": self.message,
            "hint": self.hint,
            "subject": self.subject,
            "file": loc.file if loc else None,
            "line": loc.line if loc else None,
            "column": loc.column if loc else None,
        }


@dataclass(frozen=True, slots=True)
class CodeInfo:
    code: str
    name: str
    severity: Severity
    summary: str
    fix: str


def _catalogue(*entries: CodeInfo) -> dict[str, CodeInfo]:
    return {entry.code: entry for entry in entries}


E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741

CATALOGUE: dict[str, CodeInfo] = _catalogue(
    # Reading and validating the visit file (exit code 2).
    CodeInfo(
        "VP001",
        "yaml-syntax",
        E,
        "The file is not valid YAML.",
        "Look at the line shown and the one before it: a missing colon, a tab, "
        "an unclosed quote or wrong indentation are the usual causes.",
    ),
    CodeInfo(
        "VP002",
        "unknown-key",
        E,
        "A key the visit file does not know.",
        "Check the spelling; `visitplan schema` lists every key.",
    ),
    CodeInfo(
        "VP003",
        "missing-key",
        E,
        "A required key is missing.",
        "Add the key; `visitplan schema` says what it holds.",
    ),
    CodeInfo(
        "VP004",
        "invalid-value",
        E,
        "A value has the wrong type or format.",
        "Write it in the form the hint shows.",
    ),
    CodeInfo(
        "VP005",
        "duplicate-id",
        E,
        "Two items of the same kind share an id.",
        "Ids must be unique: rename one of them.",
    ),
    CodeInfo(
        "VP006",
        "unknown-reference",
        E,
        "An id that refers to a venue, host, group, objective or session that does not exist.",
        "Fix the spelling or add the missing item.",
    ),
    CodeInfo(
        "VP007",
        "ends-before-start",
        E,
        "A session ends before it starts, or a participant leaves before arriving.",
        "Swap or correct the times.",
    ),
    CodeInfo(
        "VP008",
        "outside-visit-dates",
        E,
        "A session lies outside the visit's dates.",
        "Move the session or widen the visit's start_date/end_date.",
    ),
    CodeInfo(
        "VP009",
        "duplicate-key",
        E,
        "The same key appears twice in one block.",
        "Keep one of them: YAML would silently keep only the last.",
    ),
    CodeInfo(
        "VP010",
        "unreadable-file",
        E,
        "The file cannot be read.",
        "Check the path and that the file is UTF-8 text.",
    ),
)
