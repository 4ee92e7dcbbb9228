"""Building blocks of the Word documents: page set-up, fields, placeholders, table widths.

Used by the agenda and the takeaway template; python-docx is imported here only, and
only when one of them is built.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Length, Mm, Pt, RGBColor

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


def new_document(*, landscape: bool, header: str, page_label: str) -> Any:
    """An A4 document with real styles, a running header and page numbers in the footer."""
    document = Document()
    section = document.sections[0]
    width, height = A4
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        width, height = height, width
    section.page_width, section.page_height = width, height
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, MARGIN)
    normal = document.styles["Normal"]
    normal.font.size = Pt(10.5)
    head = section.header.paragraphs[0]
    run = head.add_run(header)
    run.font.size = Pt(8)
    run.font.color.rgb = PLACEHOLDER_GREY
    foot = section.footer.paragraphs[0]
    foot.add_run(f"{page_label} ")
    add_field(foot, "PAGE", "1")
    return document


class Paragraphs:
    """Adds paragraphs in named styles, resolving each style's id once: python-docx
    searches the style list on every lookup by name, which dominates a long document."""

    NAMES = ("Title", "Heading 1", "Heading 2", "List Bullet", "List Number")

    def __init__(self, document: Any) -> None:
        self.document = document
        self.ids = {name: document.styles[name].style_id for name in self.NAMES}

    def add(self, text: str = "", style: str | None = None) -> Any:
        paragraph = self.document.add_paragraph(xml_text(text))
        if style is not None:
            paragraph._p.style = self.ids[style]
        return paragraph

    def heading(self, text: str, level: int) -> Any:
        return self.add(text, f"Heading {level}")


def add_field(paragraph: Any, instruction: str, shown: str) -> None:
    """A Word field (PAGE, TOC, ...) with ``shown`` as its result until it is updated."""
    _field_char(paragraph, "begin")
    run = paragraph.add_run()
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    run._r.append(code)
    _field_char(paragraph, "separate")
    paragraph.add_run(shown)
    _field_char(paragraph, "end")


def _field_char(paragraph: Any, kind: str) -> None:
    run = paragraph.add_run()
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    run._r.append(char)


def add_contents(document: Any, title: str, entries: Sequence[tuple[int, str]], hint: str) -> None:
    """A table-of-contents field whose shown result already lists the headings.

    Word and LibreOffice show the list as it is (no page numbers) until the field is
    updated, which adds page numbers and links.
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
    if not entries:
        first.add_run(hint)
    _field_char(paragraphs[-1], "end")
    note = document.add_paragraph()
    placeholder(note, hint)


def placeholder(paragraph: Any, text: str) -> Any:
    """A prompt to replace: grey italic, in square brackets, so it never passes for content."""
    run = paragraph.add_run(f"[{text}]")
    run.italic = True
    run.font.color.rgb = PLACEHOLDER_GREY
    return run


def shade(cell: Any, fill: str) -> None:
    properties = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    properties.append(shading)


def repeat_as_header(row: Any) -> None:
    properties = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    properties.append(flag)


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

    The header row is made with python-docx; body rows are built as XML elements
    directly, which is a hundred times faster for the thousands of rows of a large
    programme and produces the same markup.
    """
    table = document.add_table(rows=1, cols=len(header))
    table.style = document.styles["Table Grid"]
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

    def sub(parent: Any, tag: str, **attributes: str) -> Any:
        element = etree.SubElement(parent, qn(tag))
        for name, value in attributes.items():
            element.set(qn(f"w:{name}"), value)
        return element

    row = etree.Element(qn("w:tr"))
    for value, width in zip(values, twips, strict=True):
        cell = sub(row, "w:tc")
        properties = sub(cell, "w:tcPr")
        sub(properties, "w:tcW", w=width, type="dxa")
        if fill:
            sub(properties, "w:shd", val="clear", color="auto", fill=fill)
        paragraph = sub(cell, "w:p")
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
