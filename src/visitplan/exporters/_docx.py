"""Building blocks of the Word documents (shared, not an output): page set-up, fields,
placeholders, table widths.

Used by the agenda and the takeaway template; python-docx is imported here only, and
only when one of them is built.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Length, Mm, Pt, RGBColor

from visitplan.exporters import BuildContext, version_lines
from visitplan.labels import Labels
from visitplan.model import Visit, VisitDetails
from visitplan.text import without_control_characters

A4 = (Mm(210), Mm(297))
MARGIN = Mm(18)
PLACEHOLDER_GREY = RGBColor(0x7F, 0x7F, 0x7F)
CELL_PADDING_PT = 11.0  # Word's default left and right cell margins, together
TABLE_FONT_PT = 10.0

# Approximate advance widths of Calibri, in em: enough to choose column widths.
_NARROW = set("fijlrtI.,;:!|'()[]{} ")
_WIDE = set("mwMW@%")


def text_width(text: str, size_pt: float = TABLE_FONT_PT) -> float:
    """Estimated width of ``text`` in points at ``size_pt`` (Calibri-like metrics)."""
    total = 0.0
    for char in text:
        if char in _NARROW:
            total += 0.27
        elif char in _WIDE:
            total += 0.85
        elif char.isupper() or char.isdigit():
            total += 0.58
        else:
            total += 0.5
    return total * size_pt


def longest_word_width(text: str, size_pt: float = TABLE_FONT_PT) -> float:
    return max((text_width(word, size_pt) for word in text.split()), default=0.0)


def text_width_pt(landscape: bool) -> float:
    page_width = A4[1] if landscape else A4[0]
    return float(Length(page_width - 2 * MARGIN).pt)


@dataclass
class Frame:
    """What surrounds every page of a document: properties, running header and footer,
    the organiser's logo, the funding statement and the version line."""

    title: str
    subject: str
    author: str
    language: str  # BCP 47, e.g. pt-PT
    created: datetime
    page_of: str  # "Page {page} of {pages}" in the document's language
    logo: Path | None = None
    funding: str = ""
    emblem: Path | None = None
    contact: str = ""
    version: list[str] = field(default_factory=list)  # "Version 3 — date", what changed


def frame_of(visit: Visit, context: BuildContext, subject: str) -> Frame:
    """The frame of a document of ``visit`` built now."""
    from visitplan.images import image_path

    labels = context.labels
    branding = visit.details.branding
    funding = branding.funding
    contact = branding.contact
    contact_line = ""
    if contact is not None:
        contact_line = (
            labels("On-site contact: {name}, {phone}", name=contact.name, phone=contact.phone)
            if contact.phone
            else labels("On-site contact: {name}", name=contact.name)
        )
    return Frame(
        title=visit.details.title,
        subject=subject,
        author=visit.details.organiser or "",
        language=labels.tag,
        created=context.now,
        page_of=labels("Page {page} of {pages}", page="{page}", pages="{pages}"),
        logo=image_path(context.visit_file, branding.logo) if branding.logo else None,
        funding=" ".join(funding.statement.split()) if funding else "",
        emblem=(
            image_path(context.visit_file, funding.emblem)
            if funding is not None and funding.emblem
            else None
        ),
        contact=contact_line,
        version=version_lines(context),
    )


def new_document(*, landscape: bool, frame: Frame) -> Any:
    """An A4 document with real styles in the visit's language, a running header with
    the logo, and a footer with the funding statement, the on-site contact and
    "Page X of Y"."""
    document = copy.deepcopy(_styled(frame.language))
    section = document.sections[0]
    width, height = A4
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        width, height = height, width
    section.page_width, section.page_height = width, height
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, MARGIN)
    section.header_distance = section.footer_distance = Mm(8)
    if frame.logo is not None:  # room for the logo above the text
        section.top_margin = Length(MARGIN + Mm(8))
    properties = document.core_properties
    properties.title = frame.title
    properties.subject = frame.subject
    properties.author = frame.author
    properties.last_modified_by = frame.author
    properties.created = properties.modified = frame.created.replace(tzinfo=None)
    properties.language = frame.language
    properties.revision = 1
    properties.keywords = ""
    properties.comments = ""
    head = section.header.paragraphs[0]
    if frame.logo is not None:
        picture(head.add_run(), frame.logo, width_mm=60, height_mm=10)
        head.add_run("  ")
    run = head.add_run(xml_text(frame.title))
    run.font.size = Pt(8)
    run.font.color.rgb = PLACEHOLDER_GREY
    footer = section.footer
    foot = footer.paragraphs[0]
    foot.paragraph_format.space_after = Pt(0)
    if frame.contact:
        small(foot.add_run(xml_text(frame.contact)))
        foot = footer.add_paragraph()
    if frame.emblem is not None:
        # The emblem beside the statement, as funders' guidelines show it. LibreOffice
        # loses a paragraph of a footer that starts with a table: a paragraph comes first.
        if not frame.contact:
            small(foot.add_run(""), 2)
        usable = Length(width - 2 * MARGIN)
        table = footer.add_table(rows=1, cols=2, width=usable)
        table.autofit = False
        emblem_width = Mm(20)
        set_widths(table, [Length(emblem_width).pt, Length(usable - emblem_width).pt])
        picture(table.cell(0, 0).paragraphs[0].add_run(), frame.emblem, width_mm=17, height_mm=12)
        small(table.cell(0, 1).paragraphs[0].add_run(xml_text(frame.funding)), 7.5)
        foot = footer.add_paragraph()
    elif frame.funding:
        small(foot.add_run(xml_text(frame.funding)), 7.5)
        foot = footer.add_paragraph()
    page_numbers(foot, frame.page_of)
    return document


@functools.lru_cache(maxsize=8)
def _styled(language: str) -> Any:
    """An empty document with the styles every document shares, in ``language``: made
    once and copied, since reading Word's default template is a good part of the cost
    of a small document. Never changed itself."""
    document = Document()
    # Not carried over from python-docx's template: Word 2010's second copy of the
    # styles (430 KB, which later Word and LibreOffice ignore) and the template's
    # thumbnail, which file browsers would show as a picture of an empty page.
    for relations in (document.part.rels, document.part.package.rels):
        for key, relation in list(relations.items()):
            if relation.reltype.endswith(("/stylesWithEffects", "/metadata/thumbnail")):
                del relations[key]
    normal = document.styles["Normal"]
    normal.font.size = Pt(10.5)
    _set_language(document, language)
    for level in (1, 2, 3):
        style = document.styles[f"Heading {level}"]
        style.paragraph_format.keep_with_next = True
        style.paragraph_format.keep_together = True
    document.styles["Title"].paragraph_format.keep_with_next = True
    return document


@functools.cache
def style_id(name: str) -> str:
    """The id of one of the styles of Word's default template, which every document
    starts from: python-docx searches the style list on every lookup by name."""
    return str(_styled("en").styles[name].style_id)


def table_grid(table: Any) -> None:
    """Give ``table`` the 'Table Grid' style."""
    table._tbl.tblStyle_val = style_id("Table Grid")


def picture(run: Any, path: Path, *, width_mm: float, height_mm: float) -> None:
    """The image as large as fits in ``width_mm`` x ``height_mm``, keeping its shape:
    a very wide logo does not run off the page, a tall emblem does not fill the footer."""
    from docx.image.image import Image

    image = Image.from_file(str(path))
    ratio = image.px_width / image.px_height
    if height_mm * ratio > width_mm:
        run.add_picture(str(path), width=Mm(width_mm))
    else:
        run.add_picture(str(path), height=Mm(height_mm))


def small(run: Any, size: float = 8) -> Any:
    run.font.size = Pt(size)
    run.font.color.rgb = RGBColor(0x40, 0x40, 0x40)
    return run


def page_numbers(paragraph: Any, template: str) -> None:
    """ "Page {page} of {pages}" with the numbers as PAGE and NUMPAGES fields, in the
    order the language puts them."""
    for piece in re.split(r"(\{page\}|\{pages\})", template):
        if piece == "{page}":
            add_field(paragraph, "PAGE", "1", 8)
        elif piece == "{pages}":
            add_field(paragraph, "NUMPAGES", "1", 8)
        elif piece:
            small(paragraph.add_run(piece))


def add_version(document: Any, frame: Frame) -> None:
    """The version line under the title, in grey: what changed since the last version."""
    for n, line in enumerate(frame.version):
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.space_after = Pt(0 if n < len(frame.version) - 1 else 6)
        run = small(paragraph.add_run(xml_text(line)), 9)
        run.bold = n == 0


def _set_language(document: Any, tag: str) -> None:
    """The proofing language of every style: the defaults and each style's own runs."""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    targets = []
    if defaults is not None:
        run_defaults = defaults.find(qn("w:rPrDefault"))
        if run_defaults is not None:
            targets.append(run_defaults.find(qn("w:rPr")))
    for style in styles.findall(qn("w:style")):
        if style.get(qn("w:type")) in ("paragraph", "character"):
            targets.append(style.get_or_add_rPr())
    for properties in targets:
        if properties is None:
            continue
        language = properties.find(qn("w:lang"))
        if language is None:
            language = OxmlElement("w:lang")
            properties.append(language)
        language.set(qn("w:val"), tag)
        language.set(qn("w:eastAsia"), tag)
        language.set(qn("w:bidi"), tag)


class Paragraphs:
    """Adds paragraphs in named styles, resolving each style's id once: python-docx
    searches the style list on every lookup by name, which dominates a long document."""

    NAMES = ("Title", "Heading 1", "Heading 2", "List Bullet", "List Number")

    def __init__(self, document: Any) -> None:
        self.document = document
        self.ids = {name: style_id(name) for name in self.NAMES}

    def add(self, text: str = "", style: str | None = None) -> Any:
        """A paragraph at the end of the document (or of the cell or page it adds to)."""
        body = getattr(getattr(self.document, "element", None), "body", None)
        if body is None:
            paragraph = self.document.add_paragraph(xml_text(text))
        else:
            paragraph = self._append(body, text)
        if style is not None:
            paragraph._p.style = self.ids[style]
        return paragraph

    def _append(self, body: Any, text: str) -> Any:
        """A paragraph just before the body's section properties. python-docx looks for
        them among all the body's children on every new paragraph, which makes a document
        of many thousand paragraphs (the evaluation's open answers) take minutes."""
        from docx.text.paragraph import Paragraph

        element = OxmlElement("w:p")
        end = body[-1] if len(body) else None
        if end is not None and end.tag == qn("w:sectPr"):
            end.addprevious(element)
        else:
            body.append(element)
        paragraph = Paragraph(element, self.document._body)
        if text:
            paragraph.add_run(xml_text(text))
        return paragraph

    def heading(self, text: str, level: int) -> Any:
        return self.add(text, f"Heading {level}")


def add_field(paragraph: Any, instruction: str, shown: str, size: float | None = None) -> None:
    """A Word field (PAGE, TOC, ...) with ``shown`` as its result until it is updated."""
    runs = [_field_char(paragraph, "begin"), paragraph.add_run()]
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    runs[-1]._r.append(code)
    runs += [_field_char(paragraph, "separate"), paragraph.add_run(shown)]
    runs.append(_field_char(paragraph, "end"))
    if size is not None:  # LibreOffice shows the result in the looks of the first run
        for run in runs:
            small(run, size)


def _field_char(paragraph: Any, kind: str) -> Any:
    run = paragraph.add_run()
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    run._r.append(char)
    return run


def add_contents(document: Any, title: str, entries: Sequence[tuple[int, str]]) -> None:
    """A table-of-contents field whose shown result already lists the headings.

    Word and LibreOffice show the list as it is, with no prompt to refresh it; updating
    the field (F9 in Word) adds page numbers and links.
    """
    heading = document.add_paragraph()
    heading.add_run(title).bold = True
    first = document.add_paragraph()
    _field_char(first, "begin")
    run = first.add_run()
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = ' TOC \\o "1-2" \\h \\z \\u '
    run._r.append(code)
    _field_char(first, "separate")
    paragraphs = [first] + [document.add_paragraph() for _ in entries[1:]]
    for paragraph, (level, text) in zip(paragraphs, entries, strict=False):
        paragraph.paragraph_format.left_indent = Mm(6 * (level - 1))
        paragraph.paragraph_format.space_after = Pt(0)
        paragraph.add_run(text)
    _field_char(paragraphs[-1], "end")


def placeholder(paragraph: Any, text: str) -> Any:
    """A prompt to replace: grey italic, in square brackets, so it never passes for content."""
    run = paragraph.add_run(f"[{text}]")
    run.italic = True
    run.font.color.rgb = PLACEHOLDER_GREY
    return run


def text_or_prompt(add: Paragraphs, text: str | None, prompt: str) -> None:
    """``text`` paragraph by paragraph (blank lines part them), or ``prompt`` as a
    placeholder when there is none."""
    if text:
        for block in text.split("\n\n"):
            add.add(" ".join(block.split()))
    else:
        placeholder(add.add(), prompt)


def objectives(add: Paragraphs, details: VisitDetails, labels: Labels) -> None:
    """What the visit aimed at, as bullets, and the question that guided it."""
    if details.objectives:
        add.add(labels("The visit aimed to:"))
        for objective in details.objectives:
            add.add(" ".join(objective.text.split()), "List Bullet")
    if details.guiding_question:
        add.add(labels("Discussions were guided by the question:"))
        question = add.add()
        question.add_run(xml_text(" ".join(details.guiding_question.split()))).bold = True


def shade(cell: Any, fill: str) -> None:
    properties = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    properties.append(shading)


def repeat_as_header(row: Any) -> None:
    """The row repeats at the top of each page; it never splits and stays with the
    first row of the body."""
    properties = row._tr.get_or_add_trPr()
    for tag in ("w:cantSplit", "w:tblHeader"):
        flag = OxmlElement(tag)
        flag.set(qn("w:val"), "true")
        properties.append(flag)
    for cell in row.cells:
        for paragraph in cell.paragraphs:
            paragraph.paragraph_format.keep_with_next = True


# A cell is plain text, or segments of text with their looks.
Segment = tuple[str, frozenset[str]]  # looks: bold, italic, grey, strike
CellValue = str | Sequence[Segment]


def xml_text(text: str) -> str:
    """Text Word can store: control characters (from pasted forms) become spaces."""
    return without_control_characters(text)


def add_table(
    document: Any,
    header: Sequence[str],
    rows: Sequence[Sequence[CellValue]],
    widths_pt: Sequence[float],
    fills: Sequence[str | None] | None = None,
) -> Any:
    """A 'Table Grid' table with a repeated bold header row and fixed column widths.

    No row splits across pages. A row of one value spans the table (a group's title,
    kept with the row after it).

    The header row is made with python-docx; body rows are built as XML elements
    directly, which is a hundred times faster for the thousands of rows of a large
    programme and produces the same markup.
    """
    table = document.add_table(rows=1, cols=len(header))
    table_grid(table)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    repeat_as_header(table.rows[0])
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(xml_text(text))
        run.bold = True
        run.font.size = Pt(TABLE_FONT_PT)
        shade(cell, "E8ECF2")
    set_widths(table, widths_pt)
    twips = [str(round(w * 20)) for w in widths_pt]
    body = table._tbl
    for n, values in enumerate(rows):
        fill = fills[n] if fills else None
        body.append(_row(values, twips, fill))
    return table


def _row(values: Sequence[CellValue], twips: Sequence[str], fill: str | None) -> Any:
    from lxml import etree

    twips_all = list(twips)

    def sub(parent: Any, tag: str, **attributes: str) -> Any:
        element = etree.SubElement(parent, qn(tag))
        for name, value in attributes.items():
            element.set(qn(f"w:{name}"), value)
        return element

    row = etree.Element(qn("w:tr"))
    sub(sub(row, "w:trPr"), "w:cantSplit", val="true")
    spanning = len(values) == 1 and len(twips) > 1
    if spanning:
        twips = [str(sum(int(w) for w in twips))]
    for value, width in zip(values, twips, strict=True):
        cell = sub(row, "w:tc")
        properties = sub(cell, "w:tcPr")
        sub(properties, "w:tcW", w=width, type="dxa")
        if spanning:
            sub(properties, "w:gridSpan", val=str(len(twips_all)))
        if fill:
            sub(properties, "w:shd", val="clear", color="auto", fill=fill)
        paragraph = sub(cell, "w:p")
        if spanning:
            sub(sub(paragraph, "w:pPr"), "w:keepNext")
        segments = [(value, frozenset())] if isinstance(value, str) else value
        for text, looks in segments:
            if not text:
                continue
            run = sub(paragraph, "w:r")
            looks_xml = sub(run, "w:rPr")
            if "bold" in looks:
                sub(looks_xml, "w:b")
            if "italic" in looks:
                sub(looks_xml, "w:i")
            if "strike" in looks:
                sub(looks_xml, "w:strike")
            if "grey" in looks:
                sub(looks_xml, "w:color", val="595959")
            sub(looks_xml, "w:sz", val=str(round(TABLE_FONT_PT * 2)))
            for number, line in enumerate(xml_text(text).split("\n")):
                if number:
                    sub(run, "w:br")
                piece = sub(run, "w:t")
                piece.text = line
                if line != line.strip():
                    piece.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return row


def set_widths(table: Any, widths_pt: Sequence[float]) -> None:
    for column, width in zip(table.columns, widths_pt, strict=True):
        column.width = Pt(width)
        for cell in column.cells:
            cell.width = Pt(width)


def fit_columns(
    columns: Sequence[Sequence[str]], available: float, fixed: dict[int, float] | None = None
) -> list[float] | None:
    """Column widths (pt) within ``available``: each at least its longest word.

    The rest is shared in proportion to how much text a column holds. None when even
    the longest words do not fit side by side.
    """
    fixed = fixed or {}
    minimum = [
        fixed.get(n, max(longest_word_width(text) for text in texts) + CELL_PADDING_PT)
        for n, texts in enumerate(columns)
    ]
    if sum(minimum) > available:
        return None
    weight = [
        0.0 if n in fixed else sum(text_width(t) for t in texts) / max(len(texts), 1)
        for n, texts in enumerate(columns)
    ]
    spare = available - sum(minimum)
    total = sum(weight) or 1.0
    return [m + spare * w / total for m, w in zip(minimum, weight, strict=True)]
