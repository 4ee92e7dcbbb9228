"""The outputs of ``visitplan build``: one module per format, listed once here.

Each exporter is a class with an ``id``, a human ``name`` and one ``render()`` that
writes its files below the output folder and returns their paths. The registry
names classes by import path, so a module (and its heavy library) is imported only
when its output is built.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar, Protocol

from visitplan.attendance.record import AttendanceRecord
from visitplan.feedback.store import Feedback
from visitplan.findings import Finding
from visitplan.i18n import N_
from visitplan.labels import Labels
from visitplan.model import Visit
from visitplan.publication import Publication


@dataclass
class BuildContext:
    """What every exporter may use besides the visit."""

    out: Path  # the (temporary) output folder; exporters write below it
    visit_file: Path
    now: datetime
    publication: Publication
    labels: Labels
    options: dict[str, Any] = field(default_factory=dict)
    feedback: Feedback | None = None  # the answers to the feedback form, once imported
    attendance: AttendanceRecord | None = None  # who came to which session, once imported
    findings: list[Finding] = field(default_factory=list)  # what the schedule checks found

    def path(self, *parts: str) -> Path:
        for part in parts:  # ids and tokens are checked on input; this is the last guard
            if part in ("", ".", "..") or any(c in part for c in "/\\\0"):
                raise ValueError(f"{part!r} is not a file name inside the output folder")
        target = self.out.joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        return target


CHANGE_COUNTS = {
    "added": N_("sessions added: {n}"),
    "moved": N_("sessions moved: {n}"),
    "changed": N_("sessions updated: {n}"),
    "cancelled": N_("sessions cancelled: {n}"),
}


def version_lines(context: BuildContext) -> list[str]:
    """From the second build on: "Version 3 — 26 November 2026" and what it changed."""
    publication = context.publication
    if publication.previous_build is None:
        return []
    labels = context.labels
    version = publication.version
    published = version.published or context.now
    lines = [
        labels(
            "Version {version} — {date}", version=version.number, date=labels.date(published.date())
        )
    ]
    counts = [
        labels(message, n=version.changes[kind])
        for kind, message in CHANGE_COUNTS.items()
        if version.changes.get(kind)
    ]
    if counts and version.number > 1:
        lines.append(
            labels(
                "Changes since version {previous}: {changes}.",
                previous=version.number - 1,
                changes=labels.join(counts),
            )
        )
    return lines


class Exporter(Protocol):
    id: ClassVar[str]
    name: ClassVar[str]

    def render(self, visit: Visit, context: BuildContext) -> list[Path]: ...


# id -> "module:Class". The longest first (calendar feeds, whose thousands of files are
# also read back for the privacy audit): with two worker processes the long ones start
# at once and the short ones fill in.
REGISTRY: dict[str, str] = {
    "ics": "visitplan.exporters.calendars_ics:CalendarFeeds",
    "participants-xlsx": "visitplan.exporters.participants_xlsx:ParticipantsWorkbook",
    "takeaways-docx": "visitplan.exporters.takeaways_docx:TakeawaysTemplate",
    "agenda-docx": "visitplan.exporters.agenda_docx:WordAgenda",
    "badges-docx": "visitplan.exporters.badges_docx:NameBadges",
    "evaluation-docx": "visitplan.exporters.evaluation_docx:EvaluationReport",
    "factsheet-docx": "visitplan.exporters.factsheet_docx:GoodPracticeFactsheet",
    "certificates-docx": "visitplan.exporters.certificates_docx:Certificates",
    "html": "visitplan.exporters.index_html:WebAgenda",
    "personal-pages": "visitplan.exporters.index_html:PersonalPages",
    "agenda-md": "visitplan.exporters.agenda_md:MarkdownAgenda",
    "changes": "visitplan.exporters.changes_json:ChangesList",
    "schedule-json": "visitplan.exporters.schedule_json:ScheduleJson",
}


def exporter(exporter_id: str) -> Exporter:
    """The exporter registered under ``exporter_id``, imported on first use."""
    module_name, _, class_name = REGISTRY[exporter_id].partition(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    instance: Exporter = cls()
    return instance


def all_exporters() -> list[Exporter]:
    return [exporter(exporter_id) for exporter_id in REGISTRY]
