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

PAGE_MM = (210.0, 297.0)
MARGIN_MM = 10.0
GAP_MM = 10.0
PADDING_MM = 3.0


class NameBadges:
    id: ClassVar[str] = "badges-docx"
    name: ClassVar[str] = "Name badges (Word)"

    def render(self, visit: Visit, context: BuildContext) -> list[Path]:
        from visitplan.exporters.word import frame_of

        target = context.path("private", "badges.docx")
        frame = frame_of(visit, context, visit.details.title)
        write_badges(visit, context.labels, target, frame)
        return [target]


def grid(width_mm: float, height_mm: float) -> tuple[int, int]:
    """Badges across and down an A4 page, with margins and cutting gaps."""
    across = int((PAGE_MM[0] - 2 * MARGIN_MM + GAP_MM) // (width_mm + GAP_MM))
    down = int((PAGE_MM[1] - 2 * MARGIN_MM + GAP_MM) // (height_mm + GAP_MM))
    return max(across, 1), max(down, 1)


# Lower-case words that belong to family names: "Maria da Silva", "Jan van Dijk".
PARTICLES = frozenset(
    [
        "da",
        "das",
        "de",
        "del",
        "della",
        "der",
        "di",
        "do",
        "dos",
        "du",
        "el",
        "la",
        "le",
        "van",
        "von",
        "y",
        "zu",
        "bin",
        "ibn",
        "al",
    ]
)


def split_name(name: str) -> tuple[str, str]:
    """The given name to print large and the rest under it. A name that reads as a
    role or a description ("Representative, Fedasil", "Head of the Department for
    Adult Education", "Migrant participant 1") is printed whole."""
    words = name.split()
    personal = (
        "," not in name
        and 2 <= len(words) <= 5
        and all(not w[0].islower() or (n and w in PARTICLES) for n, w in enumerate(words))
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
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_ALIGN_VERTICAL, WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm

    from visitplan.exporters import word

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
    people = sorted(
        visit.participants,
        key=lambda p: (labels.sort_key(labels.country(p.country)), labels.sort_key(p.name)),
    )
    per_page = across * down
    pages = [people[n : n + per_page] for n in range(0, len(people), per_page)] or [[]]
    for number, page in enumerate(pages):
        if number:
            breaker = document.add_paragraph()
            breaker.add_run().add_break(WD_BREAK.PAGE)
            _tight(breaker)
        columns = 2 * across - 1
        rows = 2 * down - 1
        table = document.add_table(rows=rows, cols=columns)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        widths = [size.width_mm if c % 2 == 0 else GAP_MM for c in range(columns)]
        word.set_widths(table, [float(Mm(w).pt) for w in widths])
        for r, row in enumerate(table.rows):
            _exact_height(row, size.height_mm if r % 2 == 0 else GAP_MM)
            for c, cell in enumerate(row.cells):
                _tight(cell.paragraphs[0])
                if r % 2 or c % 2:
                    continue
                index = (r // 2) * across + c // 2
                _cut_lines(cell)
                cell.vertical_alignment = WD_ALIGN_VERTICAL.CENTER
                if index >= len(page):
                    continue
                _fill(
                    cell,
                    badge_lines(visit, labels, page[index], frame.contact),
                    frame,
                    size.width_mm,
                )
                for paragraph in cell.paragraphs:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        after = document.add_paragraph()
        _tight(after)
    document.save(str(target))


LOOKS = {
    "big": (22.0, True),
    "name": (15.0, False),
    "text": (10.0, False),
    "small": (8.0, False),
    "tiny": (6.5, False),
}


def _fill(cell: Any, lines: list[tuple[str, str]], frame: Any, width_mm: float) -> None:
    from docx.shared import Pt, RGBColor

    from visitplan.exporters.word import picture, xml_text

    first = cell.paragraphs[0]
    if frame.logo is not None:
        picture(first.add_run(), frame.logo, width_mm=width_mm - 2 * PADDING_MM, height_mm=8)
        paragraph = cell.add_paragraph()
    else:
        paragraph = first
    for n, (text, look) in enumerate(lines):
        if n:
            paragraph = cell.add_paragraph()
        points, bold = LOOKS[look]
        # A long name gets a smaller size rather than a third line.
        room = (width_mm - 2 * PADDING_MM) / 25.4 * 72
        while look in ("big", "name") and points > 14 and len(text) * points * 0.55 > room:
            points -= 1
        run = paragraph.add_run(xml_text(text))
        run.font.size = Pt(points)
        run.bold = bold
        if look in ("small", "tiny"):
            run.font.color.rgb = RGBColor(0x59, 0x59, 0x59)
        paragraph.paragraph_format.space_after = Pt(2 if look in ("big", "name") else 0)
        paragraph.paragraph_format.space_before = Pt(0) if n or frame.logo is None else Pt(2)
        paragraph.paragraph_format.line_spacing = 1.0


def _tight(paragraph: Any) -> None:
    from docx.shared import Pt

    paragraph.paragraph_format.space_before = Pt(0)
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.line_spacing = 1.0


def _exact_height(row: Any, height_mm: float) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = row._tr.get_or_add_trPr()
    height = OxmlElement("w:trHeight")
    height.set(qn("w:val"), str(round(height_mm / 25.4 * 1440)))
    height.set(qn("w:hRule"), "exact")
    properties.append(height)
    split = OxmlElement("w:cantSplit")
    split.set(qn("w:val"), "true")
    properties.append(split)


def _cut_lines(cell: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = cell._tc.get_or_add_tcPr()
    borders = OxmlElement("w:tcBorders")
    for side in ("top", "left", "bottom", "right"):
        line = OxmlElement(f"w:{side}")
        line.set(qn("w:val"), "dashed")
        line.set(qn("w:sz"), "4")
        line.set(qn("w:color"), "A6A6A6")
        borders.append(line)
    properties.append(borders)
