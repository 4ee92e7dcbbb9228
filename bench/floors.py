"""The floor of each output: the same content written by the plainest library code.

Each ``prepare`` reads what visitplan wrote (so the content is exactly the same) and
returns a function that writes it again, which is what the benchmark times:

- calendars: every event the feeds hold (sessions with the same properties, each
  participant's arrival and departure) serialised once with icalendar, then the same
  feed files written with their bytes;
- the workbook: the same rows, sheet by sheet, in openpyxl's write-only mode;
- the Word files: the same paragraphs (with their style names) and table rows, through
  python-docx's public API.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

Writer = Callable[[Path], None]


def ics(visit: Any, publication: Any, own: Path) -> Writer:
    from datetime import timedelta

    from icalendar import Calendar, Event

    feeds = {p.relative_to(own): p.read_bytes() for p in sorted(own.rglob("*.ics"))}

    def write(out: Path) -> None:
        calendar = Calendar()
        calendar.add("prodid", "-//floor//EN")
        calendar.add("version", "2.0")
        # Every event the feeds hold, each serialised once: the sessions with the same
        # properties, and each participant's arrival and departure.
        for published in publication.events:
            text = published.text
            event = Event()
            event.add("uid", published.uid)
            event.add("dtstamp", publication.now)
            event.add("dtstart", published.starts_at)
            event.add("dtend", published.ends_at)
            event.add("summary", text.summary)
            event.add("location", text.location)
            if text.geo:
                event.add("geo", text.geo)
            event.add("description", text.description)
            event.add("categories", [text.category])
            event.add("status", text.status.upper())
            if text.url:
                event.add("url", text.url)
            event.add("sequence", published.sequence)
            event.add("transp", "OPAQUE")
            calendar.add_component(event)
        for person in visit.participants:
            for kind, moment in (("arrival", person.arrival), ("departure", person.departure)):
                if moment is None:
                    continue
                event = Event()
                event.add("uid", f"{kind}-{person.id}@{visit.details.id}.visitplan")
                event.add("dtstamp", publication.now)
                event.add("dtstart", moment)
                event.add("dtend", moment + timedelta(minutes=30))
                event.add("summary", kind)
                event.add("categories", ["Travel"])
                event.add("transp", "TRANSPARENT")
                calendar.add_component(event)
        calendar.to_ical()
        for relative, data in feeds.items():
            target = out / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)

    return write


def workbook(visit: Any, publication: Any, own: Path) -> Writer:
    from openpyxl import Workbook, load_workbook

    source = load_workbook(own / "private" / "participants.xlsx", read_only=True)
    sheets = {
        name: [list(row) for row in source[name].iter_rows(values_only=True)]
        for name in source.sheetnames
    }
    source.close()

    def write(out: Path) -> None:
        target = Workbook(write_only=True)
        for name, rows in sheets.items():
            sheet = target.create_sheet(name)
            for row in rows:
                sheet.append(row)
        target.save(out / "participants.xlsx")

    return write


def _word(paths: list[Path]) -> Writer:
    import docx

    documents = []
    for path in paths:
        source = docx.Document(str(path))
        blocks: list[tuple[str, Any]] = []
        for block in source.iter_inner_content():
            if hasattr(block, "rows"):
                blocks.append(("table", [[c.text for c in row.cells] for row in block.rows]))
            else:
                blocks.append(("paragraph", (block.text, block.style.name)))
        documents.append((path.name, blocks))

    def write(out: Path) -> None:
        for name, blocks in documents:
            document = docx.Document()
            for kind, content in blocks:
                if kind == "paragraph":
                    text, style = content
                    document.add_paragraph(_xml(text), style=style)
                else:
                    table = document.add_table(rows=0, cols=len(content[0]))
                    table.style = "Table Grid"
                    for values in content:
                        cells = table.add_row().cells
                        for cell, text in zip(cells, values, strict=True):
                            cell.text = _xml(text)
            document.save(str(out / name))

    return write


def _xml(text: str) -> str:
    return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f]", " ", text)


def agenda(visit: Any, publication: Any, own: Path) -> Writer:
    return _word([own / "private" / "agenda.docx", own / "private" / "agenda-public.docx"])


def takeaways(visit: Any, publication: Any, own: Path) -> Writer:
    return _word([own / "private" / "takeaways.docx"])


FLOORS: dict[str, Callable[[Any, Any, Path], Writer]] = {
    "ics": ics,
    "participants-xlsx": workbook,
    "agenda-docx": agenda,
    "takeaways-docx": takeaways,
}
