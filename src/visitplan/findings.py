"""What a check or the loader found: a located, coded message with a hint.

Codes are stable: scripts read them from ``visitplan check --format json`` and users
silence them by name, so a code is never reused for another meaning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Self


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


@dataclass(frozen=True, slots=True)
class Location:
    """A place in an input file: 1-based line and column; in a workbook, the row and
    column of a cell of ``sheet`` (shown as ``visit.xlsx!Sessions!D7``)."""

    file: str
    line: int | None = None
    column: int | None = None
    sheet: str | None = None

    def __str__(self) -> str:
        if self.sheet is not None:
            return f"{self.file}!{self.sheet}" + (f"!{self.cell}" if self.cell else "")
        if self.line is None:
            return self.file
        if self.column is None:
            return f"{self.file}:{self.line}"
        return f"{self.file}:{self.line}:{self.column}"

    @property
    def cell(self) -> str:
        """The cell's reference (D7), the row's (7) or nothing."""
        if self.line is None:
            return ""
        if self.column is None:
            return str(self.line)
        letters, number = "", self.column
        while number > 0:
            number, rest = divmod(number - 1, 26)
            letters = chr(65 + rest) + letters
        return f"{letters}{self.line}"


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

    @classmethod
    def of(
        cls,
        code: str,
        message: str,
        hint: str | None = None,
        where: Location | Path | str | None = None,
        *,
        subject: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> Self:
        """The finding of a catalogued code: its severity, and its fix unless ``hint``."""
        info = CATALOGUE[code]
        location = where if where is None or isinstance(where, Location) else Location(str(where))
        return cls(
            info.severity,
            code,
            message,
            info.fix if hint is None else hint,
            location,
            subject=subject,
            extra=extra or {},
        )

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
        } | ({"sheet": loc.sheet} if loc and loc.sheet is not None else {})


class InputError(Exception):
    """Input a user can fix: carries every located finding."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = sorted(findings, key=Finding.sort_key)
        super().__init__("\n".join(f.as_text() for f in self.findings))

    @classmethod
    def of(
        cls,
        code: str,
        message: str,
        hint: str | None = None,
        where: Location | Path | str | None = None,
    ) -> Self:
        """An error of one catalogued finding."""
        return cls([Finding.of(code, message, hint, where)])


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
        "A file or folder cannot be read, written or used as it is (an output folder "
        "holding files visitplan did not make, a damaged state file).",
        "Check the path and that the file is UTF-8 text; follow the hint of the message.",
    ),
    CodeInfo(
        "VP011",
        "unusable-image",
        E,
        "An image named in `visit: branding:` is missing, too large or not a PNG or JPEG.",
        "Give the path of a PNG or JPEG file of at most 2 MB, relative to the visit file.",
    ),
    CodeInfo(
        "VP014",
        "control-character",
        E,
        "A text holds a control character (NUL, vertical tab, escape...) or, in a one-line "
        "value such as a title, name or id, a line break.",
        "Delete the character: retype the text around it, or remove the escape (\\0, \\v, "
        "\\e, \\n) from quoted text.",
    ),
    CodeInfo(
        "VP015",
        "nonexistent-time",
        E,
        "A local time that does not exist: the clocks jump over it when summer time "
        "starts (02:30 on the last Sunday of March in most of Europe).",
        "Write the time the clocks show then (an hour later), or another time.",
    ),
    CodeInfo(
        "VP016",
        "ambiguous-time",
        W,
        "A local time that happens twice: the clocks go back over it when summer time "
        "ends (02:30 on the last Sunday of October in most of Europe).",
        "Calendars take the first one (summer time); move it out of that hour if you "
        "mean the second, or accept it.",
    ),
    CodeInfo(
        "VP017",
        "formula-without-value",
        E,
        "A cell of the visit workbook holds a formula whose result was never saved, or "
        "an error value such as #REF! or #VALUE!.",
        "Open the workbook in Excel or LibreOffice, let it calculate and save it; or type "
        "the value itself instead of the formula.",
    ),
    CodeInfo(
        "VP020",
        "missing-translation",
        I,
        "Some fixed wording of the documents is not available in the visit's language.",
        "Translate the catalogue src/visitplan/locale/<language>/LC_MESSAGES/visitplan.po "
        "(see docs/translating.md), or use one of the 13 translated languages.",
    ),
    # Schedule checks (exit code 1 for errors; with --strict for warnings too).
    CodeInfo(
        "VP101",
        "overlap",
        E,
        "A group is in two sessions at the same time.",
        "Move one session, or give them to different groups.",
    ),
    CodeInfo(
        "VP102",
        "short-transfer",
        E,
        "Too little time to move the group between two venues.",
        "Leave more time between the sessions, or add a `travel` session.",
    ),
    CodeInfo(
        "VP103",
        "city-change",
        E,
        "Consecutive sessions are in different cities with no travel session between.",
        "Add a session of kind `travel` from one city to the other.",
    ),
    CodeInfo(
        "VP111",
        "long-day",
        W,
        "More hours of programme in a day than people can absorb.",
        "Move a session to another day, shorten it, or replace it by free time.",
    ),
    CodeInfo(
        "VP112",
        "long-span",
        W,
        "The day runs too long from first start to last end.",
        "Start later, end earlier, or make the evening optional.",
    ),
    CodeInfo(
        "VP113",
        "many-site-visits",
        W,
        "Too many site visits in one day.",
        "Spread the visits over more days; each move costs energy and time.",
    ),
    CodeInfo(
        "VP114",
        "early-or-late",
        I,
        "A session starts early or ends late.",
        "Check that participants can get there and back at that hour.",
    ),
    CodeInfo(
        "VP115",
        "no-break",
        W,
        "A long stretch of programme without a break.",
        "Add a break of at least 15 minutes (a `break` session or a gap).",
    ),
    CodeInfo(
        "VP116",
        "no-lunch",
        W,
        "No time for lunch on a day with programme before and after it.",
        "Leave a gap or a `meal` session of 45 minutes around midday.",
    ),
    CodeInfo(
        "VP117",
        "short-rest",
        W,
        "Too little rest between one day's end and the next day's start.",
        "End the evening earlier or start the next morning later.",
    ),
    CodeInfo(
        "VP121",
        "no-free-time",
        W,
        "Several days in a row with no free time.",
        "Add a `free_time` block of two hours or more, or leave an evening free.",
    ),
    CodeInfo(
        "VP122",
        "no-free-afternoon",
        W,
        "A long visit with no free afternoon.",
        "Leave one afternoon in the middle of the visit free.",
    ),
    CodeInfo(
        "VP123",
        "no-breathing-space",
        I,
        "A day with no gap of an hour between 09:00 and 19:00.",
        "Loosen the day: an hour of nothing lets people catch up.",
    ),
    CodeInfo(
        "VP131",
        "not-present",
        W,
        "Participants are expected at sessions before they arrive or after they leave.",
        "Check their travel, or the session times.",
    ),
    CodeInfo(
        "VP132",
        "tight-arrival",
        I,
        "A session starts soon after a participant arrives.",
        "Allow time to reach the hotel and the venue.",
    ),
    CodeInfo(
        "VP141",
        "objective-unserved",
        W,
        "An objective that no session serves.",
        "Link a session to it (`objectives:`) or drop the objective.",
    ),
    CodeInfo(
        "VP142",
        "host-not-met",
        I,
        "A host institution that appears in no session.",
        "Add it to a session's `hosts:` or remove it.",
    ),
    CodeInfo(
        "VP151",
        "over-capacity",
        E,
        "More attendees than the venue holds.",
        "Split the group, or choose a larger venue.",
    ),
    CodeInfo(
        "VP152",
        "not-step-free",
        E,
        "A participant who needs step-free access attends a venue without it.",
        "Choose another venue or arrange access with the host.",
    ),
    CodeInfo(
        "VP153",
        "outside-opening-hours",
        W,
        "A session outside the venue's opening hours.",
        "Move the session or confirm the special opening with the host.",
    ),
    CodeInfo(
        "VP161",
        "public-holiday",
        W,
        "A session on a public holiday where the venue is.",
        "Confirm with the host that they receive visitors that day, or move it.",
    ),
    CodeInfo(
        "VP162",
        "tentative",
        I,
        "A session not yet confirmed.",
        "Confirm it with the host and set `status: confirmed`.",
    ),
    CodeInfo(
        "VP163",
        "unknown-region",
        I,
        "A venue's region is not known for holidays.",
        "Use the ISO 3166-2 subdivision code without the country prefix.",
    ),
    CodeInfo(
        "VP171",
        "language-gap",
        W,
        "Attendees who do not speak the session's language and have no interpretation.",
        "Add interpretation into their language (`interpretation: [..]`).",
    ),
    # E-mails to participants (`visitplan participants message`, exit code 2).
    CodeInfo(
        "VP401",
        "messages-not-ready",
        E,
        "The messages cannot be made yet: the visit has no `publishing: base_url`, or a "
        "participant has no personal calendar link because no build has run since they "
        "were added.",
        "Set `visit: publishing: base_url:` to where public/ will be online, and run "
        "`visitplan build` before writing or sending the messages.",
    ),
    CodeInfo(
        "VP402",
        "mail-server",
        E,
        "The mail server cannot be reached, refuses the login, or closed the connection.",
        "Check --smtp HOST:PORT, --starttls and the VISITPLAN_SMTP_USER and "
        "VISITPLAN_SMTP_PASSWORD variables, then run the command again: messages already "
        "sent are not sent twice.",
    ),
    CodeInfo(
        "VP403",
        "recipient-refused",
        E,
        "The mail server refused a participant's address or their message.",
        "Correct the participant's `email:` in the visit file and run the command again.",
    ),
    CodeInfo(
        "VP404",
        "no-email",
        I,
        "A participant has no email address, so no message is made for them.",
        "Add their `email:`, or give them their links by hand.",
    ),
    CodeInfo(
        "VP405",
        "bad-mail-option",
        E,
        "--smtp, --from or the login variables are not written as sending needs them.",
        "Follow the hint: --smtp HOST:PORT, --from with an address, both "
        "VISITPLAN_SMTP_USER and VISITPLAN_SMTP_PASSWORD or neither.",
    ),
    # The feedback form and its answers (`visitplan feedback template` and `import`).
    CodeInfo(
        "VP501",
        "feedback-no-headings",
        E,
        "No row near the top of the response sheet has the form's questions as headings.",
        "Import the sheet a form exported, or head one column per question with its title "
        "as `visitplan feedback template` writes it (ending in its id, e.g. [free-time]).",
    ),
    CodeInfo(
        "VP502",
        "feedback-question-missing",
        W,
        "A question of the form has no column in the response sheet: none of its answers "
        "are imported.",
        "Add the column, headed with the question's title and its id in brackets, or rename "
        "the column that holds its answers so.",
    ),
    CodeInfo(
        "VP503",
        "feedback-unknown-column",
        I,
        "A column of the response sheet is no question of the form; it is not imported.",
        "Rename it as the question it answers (its title with the id in brackets), or leave "
        "it: its answers stay out.",
    ),
    CodeInfo(
        "VP504",
        "feedback-answer-unreadable",
        W,
        "An answer that is not one the question offers (a rating of 7, a load or yes/no "
        "nobody offered); it is left out, the rest of the response is kept.",
        "Correct the cell: a whole number from 1 to 5, one of the loads offered, yes or no.",
    ),
    CodeInfo(
        "VP505",
        "feedback-duplicate",
        I,
        "A response given twice: the same email, response id or time stamp as another row "
        "(the later is kept), or the same answers (the first is kept).",
        "Nothing to do; delete the row if you keep the sheet.",
    ),
    CodeInfo(
        "VP506",
        "feedback-empty-row",
        I,
        "A row without any answer, whose every answer could not be read, or that repeats "
        "the column headings.",
        "Nothing to do for an empty row; correct the answers of the other and import again.",
    ),
    CodeInfo(
        "VP507",
        "feedback-cleaned-text",
        W,
        "An answer held control characters (removed, the rest kept) or more text than a "
        "cell may hold (left out).",
        "Check the answer in the sheet.",
    ),
    CodeInfo(
        "VP508",
        "feedback-form-not-written",
        E,
        "The feedback form cannot be written: the file exists and visitplan did not write "
        "it, the name does not end in .xlsx, it is the visit file or a folder, or the folder "
        "cannot be written.",
        "Choose another name with -o, or replace the file with --force.",
    ),
    CodeInfo(
        "VP509",
        "feedback-question-twice",
        W,
        "Two columns of the response sheet are headed with the same question; the second is "
        "not read.",
        "Keep one column per question.",
    ),
    # The attendance record and `visitplan attendance import`.
    CodeInfo(
        "VP511",
        "attendance-unknown-id",
        E,
        "The attendance record names a session or a participant the visit does not have "
        "(or a cancelled session).",
        "Use the ids as the visit file writes them, or remove the entry; "
        "`visitplan attendance import` writes the record again.",
    ),
    CodeInfo(
        "VP512",
        "attendance-unknown-person",
        W,
        "A row of the imported sheet names nobody in the visit; its marks are not taken.",
        "Correct the name or id as the visit file writes it, or add the person to the "
        "visit (`visitplan participants import`), and import again.",
    ),
    CodeInfo(
        "VP513",
        "attendance-unknown-column",
        W,
        "A column of the imported sheet matches no session of the visit; it is not read.",
        "Head the column with the session's id or exact title, or leave it: other columns "
        "are read.",
    ),
    CodeInfo(
        "VP514",
        "attendance-no-columns",
        E,
        "The imported sheet has no column of participants (id or name) or no column of sessions.",
        "Head one column 'id' or 'name' and one column per session with its id or title, "
        "or import the sign-in sheets of participants.xlsx.",
    ),
    CodeInfo(
        "VP515",
        "attendance-ambiguous-person",
        W,
        "A row's name matches several participants; its marks are not taken.",
        "Add a column 'id' with the participant's id, or an 'organisation' column that "
        "tells them apart.",
    ),
    CodeInfo(
        "VP516",
        "attendance-person-twice",
        I,
        "A participant appears in two rows: the marks of both are taken.",
        "Nothing to do if both rows are theirs; otherwise correct the name.",
    ),
    # The privacy audit of public/ (exit code 1; a build refuses to publish).
    CodeInfo(
        "VP301",
        "personal-data-published",
        E,
        "A participant's email, phone, needs or unconsented name is in the public folder.",
        "Find where the text comes from (a session description, a title) and remove it.",
    ),
    CodeInfo(
        "VP302",
        "contact-published",
        E,
        "Something shaped like an email address or phone number is in the public folder.",
        "Keep contact details in hosts' contact blocks, which are never published.",
    ),
    CodeInfo(
        "VP303",
        "build-interrupted",
        E,
        "The build could not finish: the previous output was left as it was.",
        "Follow the message: wait for the other build, free disk space, or run it again.",
    ),
    CodeInfo(
        "VP304",
        "cannot-check-file",
        E,
        "A file in the public folder that the audit cannot read as text (a workbook, "
        "document, archive, PDF or image).",
        "Remove it from public/, or check it by hand before publishing it.",
    ),
)
