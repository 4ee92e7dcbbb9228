"""``private/agenda.md``: the agenda as Markdown for e-mails and wikis.

Same content and order as ``agenda.docx`` (both render ``agenda.build_agenda``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar

from visitplan.agenda import Agenda, AgendaRow, build_agenda
from visitplan.exporters import BuildContext, version_lines
from visitplan.labels import Labels
from visitplan.model import Visit

# Characters that Markdown would read as markup, links, HTML or table cells.
_MARKUP = re.compile(r"([\\`*_\[\]<>#|~])")


def escape(text: str | None) -> str:
    """User text as inert Markdown: one line, no markup, no links, no HTML."""
    if not text:
        return ""
    one_line = " ".join(text.split())
    return _MARKUP.sub(r"\\\1", one_line)


class MarkdownAgenda:
    id: ClassVar[str] = "agenda-md"
    name: ClassVar[str] = "Agenda (Markdown)"

    def render(self, visit: Visit, context: BuildContext) -> list[Path]:
        agenda = build_agenda(visit, context.labels)
        target = context.path("private", "agenda.md")
        lines = list(agenda_lines(agenda, context.labels))
        version = [f"*{escape(line)}*" for line in version_lines(context)]
        lines[2:2] = [" ".join(version), ""] if version else []
        text = "\n".join(lines) + "\n"
        target.write_text(text, encoding="utf-8")
        return [target]


def agenda_lines(agenda: Agenda, labels: Labels) -> Iterable[str]:
    yield f"# {escape(agenda.title)}"
    yield ""
    for label, value in agenda.facts:
        yield f"- **{escape(label)}:** {escape(value)}"
    if agenda.description:
        yield ""
        yield escape(agenda.description)
    if agenda.objectives:
        yield ""
        yield "## " + labels("Objectives")
        yield ""
        for objective in agenda.objectives:
            yield f"- {escape(objective)}"
    if agenda.guiding_question:
        yield ""
        label = labels.colon(labels("Guiding question"))
        yield f"**{label}** {escape(agenda.guiding_question)}"
    columns = [labels("Time"), labels("Session"), labels("Venue")]
    for day in agenda.days:
        yield ""
        yield f"## {escape(day.label)}"
        yield ""
        if not day.rows:
            yield labels("No programme: free day.")
            continue
        yield "| " + " | ".join(columns) + " |"
        yield "|" + " --- |" * len(columns)
        for row in day.rows:
            yield _row(row)
    if agenda.hosts:
        yield ""
        yield "## " + labels("Host institutions")
        yield ""
        for name, level, *contact in agenda.hosts:
            line = f"- **{escape(name)}** ({escape(level)})"
            yield line + (f" — {escape(contact[0])}" if contact and contact[0] else "")
    if agenda.participants:
        yield ""
        count = agenda.participant_count
        yield "## " + labels("Participants") + f" ({count})"
        yield ""
        if agenda.participants_note:
            yield escape(agenda.participants_note)
            yield ""
        yield "| " + " | ".join(agenda.participant_columns) + " |"
        yield "|" + " --- |" * len(agenda.participant_columns)
        blanks = [""] * (len(agenda.participant_columns) - 1)
        for group in agenda.participant_groups:
            yield "| " + " | ".join([f"**{escape(group.country or '—')}**", *blanks]) + " |"
            for cells in group.rows:
                yield "| " + " | ".join(escape(c) for c in cells) + " |"


def _row(row: AgendaRow) -> str:
    title = escape(row.title)
    if row.cancelled:
        title = f"~~{title}~~"
    if row.hosts:
        title += f"<br>{escape(row.hosts)}"
    if row.details:
        title += f"<br>*{escape(row.details)}*"
    place = "<br>→ ".join(
        escape(p.name) + (f"<br>{escape(p.address)}" if p.address else "") for p in row.places
    )
    return "| " + " | ".join([row.time, title, place]) + " |"
