"""``private/badges.docx``: name badges to print on A4 and cut out (or on label sheets).

Each badge shows the logo when the visit has one, the given name large, then the
family name, the organisation, the country in the visit's language and the group.
Badges are 80 x 50 mm by default (``visit: badges:``), as many to a page as fit with
a 10 mm gap for cutting: eight on A4. The cut lines are dashed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from visitplan.exporters import BuildContext
from visitplan.labels import Labels
from visitplan.model import Participant, Visit
from visitplan.names import NAME_PARTICLES

PAGE_MM = (210.0, 297.0)
MARGIN_MM = 10.0
GAP_MM = 10.0
PADDING_MM = 3.0


class NameBadges:
    id: ClassVar[str] = "badges-docx"
    name: ClassVar[str] = "Name badges (Word)"

    def render(self, visit: Visit, context: BuildContext) -> list[Path]:
        from visitplan.exporters._docx import frame_of

        target = context.path("private", "badges.docx")
        frame = frame_of(visit, context, visit.details.title)
        write_badges(visit, context.labels, target, frame)
        return [target]


def grid(width_mm: float, height_mm: float) -> tuple[int, int]:
    """Badges across and down an A4 page, with margins and cutting gaps."""
    across = int((PAGE_MM[0] - 2 * MARGIN_MM + GAP_MM) // (width_mm + GAP_MM))
    down = int((PAGE_MM[1] - 2 * MARGIN_MM + GAP_MM) // (height_mm + GAP_MM))
    return max(across, 1), max(down, 1)


def split_name(name: str) -> tuple[str, str]:
    """The given name to print large and the rest under it. A name that reads as a
    role or a description ("Representative, Fedasil", "Head of the Department for
    Adult Education", "Migrant participant 1") is printed whole."""
    words = name.split()
    personal = (
        "," not in name
        and 2 <= len(words) <= 5
        and all(not w[0].islower() or (n and w in NAME_PARTICLES) for n, w in enumerate(words))
        and not any(c.isdigit() for c in name)
    )
    if not personal:
        return name, ""
    return words[0], " ".join(words[1:])


def badge_lines(
    visit: Visit, labels: Labels, person: Participant, contact: str = ""
) -> list[tuple[str, str]]:
    """A badge's text, line by line, each with its look: big, name, text, small."""
    name = " ".join(person.name.split())
    organisation = " ".join((person.organisation or "").split())
    if organisation and name.endswith(f", {organisation}"):  # "Representative, Fedasil"
        name = name.removesuffix(f", {organisation}")
    given, family = split_name(name)
    group = visit.group(person.group) if person.group else None
    lines = [
        (given, "big"),
        (family, "name"),
        (person.organisation or "", "text"),
        (labels.country(person.country), "text"),
        (group.name if group else "", "small"),
        (contact, "tiny"),
    ]
    return [(text, look) for text, look in lines if text]


def write_badges(visit: Visit, labels: Labels, target: Path, frame: Any) -> None:
    """The badges, a table per page. The tables are built as XML directly: the
    python-docx calls for a few thousand badges would take minutes."""
    from docx.enum.section import WD_ORIENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm

    from visitplan.exporters import _docx as word

    size = visit.details.badges
    across, down = grid(size.width_mm, size.height_mm)
    document = word.new_document(landscape=False, frame=frame)
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(MARGIN_MM))
    # Badges carry no running header or footer: the page is for cutting.
    for part in (section.header, section.footer):
        part.is_linked_to_previous = False
        for child in list(part._element):
            part._element.remove(child)
        part._element.append(OxmlElement("w:p"))
    body = document.element.body
    for child in [c for c in body if c.tag != qn("w:sectPr")]:
        body.remove(child)
    logo = _logo_drawing(document, frame, size.width_mm) if frame.logo is not None else None
    people = sorted(
        visit.participants,
        key=lambda p: (labels.sort_key(labels.country(p.country)), labels.sort_key(p.name)),
    )
    per_page = across * down
    pages = [people[n : n + per_page] for n in range(0, len(people), per_page)] or [[]]
    end = body.find(qn("w:sectPr"))
    drawings = 0
    for number, page in enumerate(pages):
        if number:
            end.addprevious(_paragraph([("", "break")]))
        badges = []
        for person in page:
            lines = badge_lines(visit, labels, person, frame.contact)
            badge = _badge(lines, size.width_mm, logo, drawings)
            drawings += logo is not None
            badges.append(badge)
        end.addprevious(_page_table(badges, across, down, size.width_mm, size.height_mm))
        end.addprevious(_paragraph([]))
    document.save(str(target))


LOOKS = {
    "big": (22.0, True),
    "name": (15.0, False),
    "text": (10.0, False),
    "small": (8.0, False),
    "tiny": (6.5, False),
}


def _element(tag: str, parent: Any = None, **attributes: str) -> Any:
    from docx.oxml.ns import qn
    from lxml import etree

    element = etree.Element(qn(tag)) if parent is None else etree.SubElement(parent, qn(tag))
    for name, value in attributes.items():
        element.set(qn(f"w:{name}"), value)
    return element


def _twips(mm: float) -> str:
    return str(round(mm / 25.4 * 1440))


def _paragraph(runs: list[tuple[str, str]], after_pt: float = 0) -> Any:
    """A centred paragraph of runs (text, look); look "break" is a page break."""
    from visitplan.exporters._docx import xml_text

    paragraph = _element("w:p")
    properties = _element("w:pPr", paragraph)
    _element(
        "w:spacing",
        properties,
        before="0",
        after=str(round(after_pt * 20)),
        line="240",
        lineRule="auto",
    )
    _element("w:jc", properties, val="center")
    for text, look in runs:
        run = _element("w:r", paragraph)
        if look == "break":
            _element("w:br", run, type="page")
            continue
        points, bold = LOOKS[look]
        looks = _element("w:rPr", run)
        if bold:
            _element("w:b", looks)
        if look in ("small", "tiny"):
            _element("w:color", looks, val="595959")
        _element("w:sz", looks, val=str(round(points * 2)))
        piece = _element("w:t", run)
        piece.text = xml_text(text)
        piece.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return paragraph


def _badge(lines: list[tuple[str, str]], width_mm: float, logo: Any, number: int) -> list[Any]:
    """A badge's paragraphs: the logo, then the lines, large names made smaller rather
    than run onto a third line."""
    from copy import deepcopy

    from docx.oxml.ns import qn

    paragraphs = []
    if logo is not None:
        holder = _paragraph([], after_pt=2)
        drawing = deepcopy(logo)
        for properties in drawing.iter(qn("wp:docPr")):
            properties.set("id", str(1000 + number))
            properties.set("name", f"Logo {number + 1}")
        _element("w:r", holder).append(drawing)
        paragraphs.append(holder)
    room = (width_mm - 2 * PADDING_MM) / 25.4 * 72
    for text, look in lines:
        points, _ = LOOKS[look]
        while look in ("big", "name") and points > 14 and len(text) * points * 0.55 > room:
            points -= 1
        paragraph = _paragraph([(text, look)], after_pt=2 if look in ("big", "name") else 0)
        size = paragraph.find(f".//{qn('w:sz')}")
        size.set(qn("w:val"), str(round(points * 2)))
        paragraphs.append(paragraph)
    return paragraphs


def _page_table(
    badges: list[list[Any]], across: int, down: int, width_mm: float, height_mm: float
) -> Any:
    """One page: badges in a grid, with gaps for cutting between them; dashed cut lines."""
    columns = [width_mm if c % 2 == 0 else GAP_MM for c in range(2 * across - 1)]
    table = _element("w:tbl")
    properties = _element("w:tblPr", table)
    _element("w:tblW", properties, w=_twips(sum(columns)), type="dxa")
    _element("w:jc", properties, val="center")
    _element("w:tblLayout", properties, type="fixed")
    grid_xml = _element("w:tblGrid", table)
    for width in columns:
        _element("w:gridCol", grid_xml, w=_twips(width))
    for r in range(2 * down - 1):
        row = _element("w:tr", table)
        row_properties = _element("w:trPr", row)
        _element("w:cantSplit", row_properties, val="true")
        _element(
            "w:trHeight",
            row_properties,
            val=_twips(height_mm if r % 2 == 0 else GAP_MM),
            hRule="exact",
        )
        for c, width in enumerate(columns):
            cell = _element("w:tc", row)
            cell_properties = _element("w:tcPr", cell)
            _element("w:tcW", cell_properties, w=_twips(width), type="dxa")
            if r % 2 or c % 2:
                cell.append(_paragraph([]))
                continue
            borders = _element("w:tcBorders", cell_properties)
            for side in ("top", "left", "bottom", "right"):
                _element(f"w:{side}", borders, val="dashed", sz="4", space="0", color="A6A6A6")
            _element("w:vAlign", cell_properties, val="center")
            index = (r // 2) * across + c // 2
            content = badges[index] if index < len(badges) else [_paragraph([])]
            for paragraph in content:
                cell.append(paragraph)
    return table


def _logo_drawing(document: Any, frame: Any, width_mm: float) -> Any:
    """The logo's drawing, made once through python-docx (which adds the image to the
    package) and copied onto every badge."""
    from docx.oxml.ns import qn

    from visitplan.exporters._docx import picture

    paragraph = document.add_paragraph()
    picture(paragraph.add_run(), frame.logo, width_mm=width_mm - 2 * PADDING_MM, height_mm=8)
    drawing = paragraph._p.find(f".//{qn('w:drawing')}")
    paragraph._p.getparent().remove(paragraph._p)
    return drawing
