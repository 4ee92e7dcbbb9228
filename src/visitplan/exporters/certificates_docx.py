"""``private/certificates.docx``: one certificate of attendance per participant, one
page each, in the visit's language (a certificate is the organiser's document, like
the agenda, not the participant's own page).

Each certifies that the person took part in the visit (title, project, place, dates),
lists the programme sessions they attended (meetings, site visits, workshops and
reflection: the learning time funders count; meals, travel and social evenings are
not) with the total time, and ends with the organiser's signature block. Attendance
is the planned presence (the group's sessions between arrival and departure) unless
``attendance.yaml`` records who came. A long list turns into a summary per day so
that each certificate stays on its page.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

from visitplan.attendance.record import AttendanceRecord, attended_minutes, attended_sessions
from visitplan.exporters import BuildContext
from visitplan.i18n import N_
from visitplan.labels import Labels
from visitplan.model import Participant, Session, Visit

SENTENCE_PT = 12.0
# Lines of the sessions table a page holds besides the rest of the certificate; a
# longer list is summarised per day. The sentence's lines beyond three are taken off.
TABLE_LINES = 18
DATE_COLUMN_PT = 92.0
TIME_COLUMN_PT = 74.0
SIGNATURE_LINE = "_" * 34
BOLD, ITALIC, END = "\x01", "\x02", "\x03"

CERTIFY = N_(
    "This is to certify that {participant} took part in {visit}, held in {place} from "
    "{start} to {end}."
)
CERTIFY_ONE_DAY = N_(
    "This is to certify that {participant} took part in {visit}, held in {place} on {date}."
)


class Certificates:
    id: ClassVar[str] = "certificates-docx"
    name: ClassVar[str] = "Certificates of attendance (Word)"

    def render(self, visit: Visit, context: BuildContext) -> list[Path]:
        from visitplan.exporters._docx import frame_of

        target = context.path("private", "certificates.docx")
        frame = frame_of(visit, context, context.labels("Certificate of attendance"))
        # A certificate carries the branding, not the on-site contact, the programme's
        # version or page numbers.
        frame = dataclasses.replace(frame, contact="", page_of="", version=[])
        write_certificates(visit, context.labels, target, frame, context.attendance)
        return [target]


def duration_text(minutes: int, labels: Labels) -> str:
    """ "12 hours and 35 minutes", as the language writes it."""
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(labels.plural("{n} hour", "{n} hours", hours))
    if rest or not hours:
        parts.append(labels.plural("{n} minute", "{n} minutes", rest))
    return labels.join(parts)


def shown_name(person: Participant) -> str:
    """The name as the certificate prints it: a name written "Role, Organisation" loses
    the organisation, which follows it in brackets."""
    name = " ".join(person.name.split())
    organisation = " ".join((person.organisation or "").split())
    if organisation and name.endswith(f", {organisation}"):
        name = name.removesuffix(f", {organisation}")
    return name


def certificate_sentence(
    visit: Visit, person: Participant, labels: Labels, place: str | None = None
) -> str:
    """The certifying sentence, with the name marked bold and the visit's title
    italic (between the BOLD/ITALIC and END marks)."""
    details = visit.details
    organisation = " ".join((person.organisation or "").split())
    participant = f"{BOLD}{shown_name(person)}{END}"
    if organisation:
        participant += f" ({organisation})"
    title = f"{ITALIC}{' '.join(details.title.split())}{END}"
    if details.project:
        title += f" ({' '.join(details.project.split())})"
    if place is None:
        place = place_of(visit, labels)
    if details.start_date == details.end_date:
        return labels(
            CERTIFY_ONE_DAY,
            participant=participant,
            visit=title,
            place=place,
            date=labels.date(details.start_date),
        )
    return labels(
        CERTIFY,
        participant=participant,
        visit=title,
        place=place,
        start=labels.date(details.start_date),
        end=labels.date(details.end_date),
    )


def place_of(visit: Visit, labels: Labels) -> str:
    """Where the visit was held: its cities, then the country."""
    return ", ".join([*visit.cities(), labels.country(visit.details.country)])


def session_rows(
    sessions: list[Session], labels: Labels, title_width_pt: float, budget: int = TABLE_LINES
) -> tuple[list[str], list[list[str]]]:
    """The table of sessions attended: one row per session when they fit on the page,
    else one row per day (how many sessions, how long), the last days summed up when
    even those do not fit."""
    from visitplan.exporters._docx import text_width

    def lines(text: str) -> int:
        return 1 + int(text_width(text) // max(title_width_pt - 12, 1))

    if sum(lines(s.title) for s in sessions) <= budget:
        header = [labels("Date"), labels("Time"), labels("Session")]
        # The date on the first row of each day only: the days stand apart.
        return header, [
            [
                labels.date(s.date) if n == 0 or sessions[n - 1].date != s.date else "",
                f"{s.start:%H:%M}–{s.end:%H:%M}",
                " ".join(s.title.split()),
            ]
            for n, s in enumerate(sessions)
        ]
    by_day: dict[date, list[Session]] = defaultdict(list)
    for session in sessions:
        by_day[session.date].append(session)
    header = [labels("Date"), labels("Sessions"), labels("Time in sessions")]
    days = sorted(by_day)
    shown = days if len(days) <= budget else days[: budget - 1]
    rows = [
        [
            labels.date(day),
            labels.plural("{n} session", "{n} sessions", len(by_day[day])),
            duration_text(attended_minutes(by_day[day]), labels),
        ]
        for day in shown
    ]
    rest = days[len(shown) :]
    if rest:
        held = [s for day in rest for s in by_day[day]]
        rows.append(
            [
                labels("{start} to {end}", start=labels.date(rest[0]), end=labels.date(rest[-1])),
                labels.plural("{n} session", "{n} sessions", len(held)),
                duration_text(attended_minutes(held), labels),
            ]
        )
    return header, rows


def write_certificates(
    visit: Visit, labels: Labels, target: Path, frame: Any, record: AttendanceRecord | None
) -> None:
    from copy import deepcopy
    from functools import partial

    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    from visitplan.exporters import _docx as word

    document = word.new_document(landscape=False, frame=frame)
    add = word.Paragraphs(document)  # its styles resolved once
    width, end = document._block_width, document.element.body.sectPr
    styles = {"Table Grid": document.styles["Table Grid"]}
    available = word.text_width_pt(False)
    title_width = available - DATE_COLUMN_PT - TIME_COLUMN_PT
    widths = [DATE_COLUMN_PT, TIME_COLUMN_PT, title_width]
    twips = [str(round(w * 20)) for w in widths]
    organiser = " ".join((visit.details.organiser or "").split())
    place = place_of(visit, labels)
    # What every certificate shares is made once and copied: python-docx would take
    # a minute over five thousand certificates.
    made: dict[Any, list[Any]] = {}

    def shared(key: Any, make: Any) -> None:
        if key not in made:
            scratch = _Page(document, width, end, styles)
            add.document = scratch
            make(scratch)
            made[key] = list(scratch.element)
        for element in made[key]:
            end.addprevious(deepcopy(element))

    def title(_: Any) -> None:
        paragraph = add.add(labels("Certificate of attendance"), "Title")
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.space_before = Pt(24)
        paragraph.paragraph_format.space_after = Pt(24)

    def heading(_: Any) -> None:
        paragraph = add.add()
        paragraph.paragraph_format.keep_with_next = True
        paragraph.add_run(labels("Sessions attended")).bold = True

    def header_row(target: Any, header: list[str]) -> None:
        word.add_table(target, header, [], widths)

    def signature(_: Any) -> None:
        signed = add.add()
        signed.paragraph_format.space_before = Pt(40)
        signed.paragraph_format.keep_with_next = True
        signed.add_run(labels.colon(labels("For the organiser")) + " ").bold = True
        if organiser:
            marked_runs(signed, organiser)
        else:
            word.placeholder(signed, labels("Organiser"))
        labels_ = (N_("Place and date"), N_("Signature"), N_("Name and role of the signatory"))
        for n, label in enumerate(labels_):
            line = add.add()
            line.paragraph_format.space_before = Pt(24)
            line.paragraph_format.keep_with_next = n < len(labels_) - 1
            line.add_run(labels.colon(labels(label)) + " " + SIGNATURE_LINE)

    for number, person in enumerate(visit.participants):
        if number:  # the next certificate starts a page
            run = OxmlElement("w:r")
            page_break = OxmlElement("w:br")
            page_break.set(qn("w:type"), "page")
            run.append(page_break)
            end.getprevious().append(run)
        shared("title", title)
        page = _Page(document, width, end, styles)
        add.document = page
        sentence = add.add()
        sentence.paragraph_format.space_after = Pt(18)
        sentence.paragraph_format.line_spacing = 1.2
        text = certificate_sentence(visit, person, labels, place)
        marked_runs(sentence, text, SENTENCE_PT)
        plain = "".join(c for c in text if c not in (BOLD, ITALIC, END))
        sentence_lines = 1 + int(word.text_width(plain, SENTENCE_PT) // available)
        page.close()
        shared("heading", heading)
        sessions = attended_sessions(visit, person, record)
        page = _Page(document, width, end, styles)
        add.document = page
        if sessions:
            budget = TABLE_LINES - max(sentence_lines - 3, 0)
            header, rows = session_rows(sessions, labels, title_width, budget)
            page.close()
            shared(tuple(header), partial(header_row, header=header))
            table = end.getprevious()
            for values in rows:
                table.append(word._row(values, twips, None))
            page = _Page(document, width, end, styles)
            add.document = page
        else:
            word.placeholder(
                add.add(),
                labels("No session of the programme is recorded for this participant."),
            )
        total = add.add()
        total.paragraph_format.space_before = Pt(10)
        total.add_run(labels.colon(labels("Total time in the programme")) + " ").bold = True
        total.add_run(duration_text(attended_minutes(sessions), labels))
        page.close()
        shared("signature", signature)
    document.save(str(target))


class _Page:
    """One certificate, made apart and then moved into the document's body at once.

    python-docx looks for the end of the body, the page width and styles by searching
    the whole document each time; with five thousand certificates written straight
    into it that takes minutes. These are found once here."""

    def __init__(self, document: Any, width: Any, end: Any, styles: dict[str, Any]) -> None:
        from docx.document import _Body
        from docx.oxml import OxmlElement

        self.document = document
        self.width = width
        self.end = end
        self.styles = styles
        self.element = OxmlElement("w:body")
        self.body = _Body(self.element, document)

    def add_paragraph(self, text: str = "", style: Any = None) -> Any:
        return self.body.add_paragraph(text, style)

    def add_table(self, rows: int, cols: int) -> Any:
        return self.body.add_table(rows, cols, self.width)

    def close(self) -> None:
        for child in list(self.element):
            self.end.addprevious(child)


def marked_runs(paragraph: Any, text: str, size: float | None = None) -> None:
    """``text`` as runs: parts between BOLD and END bold, between ITALIC and END
    italic; each run right to left when it is written in Arabic or Hebrew."""
    from visitplan.exporters._docx import xml_text

    looks = ""
    piece = ""

    def flush() -> None:
        if piece:
            run = paragraph.add_run(xml_text(piece))
            run.bold = looks == BOLD or None
            run.italic = looks == ITALIC or None
            if size is not None:
                run.font.size = _pt(size)
            script_properties(run, piece)

    for char in text:
        if char in (BOLD, ITALIC, END):
            flush()
            piece = ""
            looks = "" if char == END else char
        else:
            piece += char
    flush()


def _pt(size: float) -> Any:
    from docx.shared import Pt

    return Pt(size)


def right_to_left(text: str) -> bool:
    return any(unicodedata.bidirectional(c) in ("R", "AL") for c in text)


def script_properties(run: Any, text: str) -> None:
    """A run in Arabic or Hebrew is marked right to left and as complex script, with
    its bold and size set for that script too: Word and LibreOffice then shape and
    order its letters, in a font that has them."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    if not right_to_left(text):
        return
    properties = run._r.get_or_add_rPr()
    if run.bold:
        properties.append(OxmlElement("w:bCs"))
    if run.italic:
        properties.append(OxmlElement("w:iCs"))
    size = properties.find(qn("w:sz"))
    if size is not None:
        complex_size = OxmlElement("w:szCs")
        complex_size.set(qn("w:val"), size.get(qn("w:val")))
        properties.append(complex_size)
    properties.append(OxmlElement("w:rtl"))
    properties.append(OxmlElement("w:cs"))
    _order(properties)


# The order the Office schema gives a run's properties (a subset: those set here).
_RUN_PROPERTY_ORDER = [
    "rStyle",
    "rFonts",
    "b",
    "bCs",
    "i",
    "iCs",
    "caps",
    "strike",
    "color",
    "sz",
    "szCs",
    "u",
    "rtl",
    "cs",
    "lang",
]


def _order(properties: Any) -> None:
    rank = {name: n for n, name in enumerate(_RUN_PROPERTY_ORDER)}
    children = list(properties)
    children.sort(key=lambda c: rank.get(c.tag.rsplit("}", 1)[-1], len(rank)))
    for child in children:
        properties.remove(child)
        properties.append(child)
