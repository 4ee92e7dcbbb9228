"""The Word agenda and the takeaway template, read back with python-docx."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator, Mapping
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import docx
import pytest
from docx.shared import RGBColor

import cldr
from conftest import EXAMPLE_NAMES, EXAMPLES, copy_example_files
from visitplan.build import build
from visitplan.dates import date_range
from visitplan.exporters._docx import CELL_PADDING_PT, longest_word_width
from visitplan.labels import Labels
from visitplan.load import load_visit
from visitplan.model import GovernanceLevel, Visit

GREY = RGBColor(0x7F, 0x7F, 0x7F)


def build_example(folder: Path, name: str, language: str | None = None) -> Path:
    copy_example_files(name, folder)
    text = (EXAMPLES / name / "visit.yaml").read_text(encoding="utf-8")
    if language:
        text = re.sub(r"^  language: \w+$", f"  language: {language}", text, count=1, flags=re.M)
    (folder / "visit.yaml").write_text(text, encoding="utf-8")
    build(load_visit(folder / "visit.yaml"), folder / "build", force=True)
    return folder / "build" / "private"


@pytest.fixture(scope="module")
def built(example_builds: Mapping[str, Path]) -> dict[str, Path]:
    return {name: folder / "build" / "private" for name, folder in example_builds.items()}


@cache
def document_at(path: Path) -> Any:
    """A document of the shared example builds, read once for the run: read it, don't
    change it."""
    return docx.Document(str(path))


def visit_of(name: str) -> Visit:
    return load_visit(EXAMPLES / name / "visit.yaml").visit


def blocks(document: Any) -> Iterator[Any]:
    yield from document.iter_inner_content()


def headings(document: Any) -> list[tuple[str, str]]:
    return [
        (p.style.name, p.text)
        for p in document.paragraphs
        if p.style.name.startswith("Heading") or p.style.name == "Title"
    ]


def all_text(document: Any) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    for section in document.sections:
        parts += [p.text for p in section.header.paragraphs + section.footer.paragraphs]
    return "\n".join(parts)


# -- the agenda ------------------------------------------------------------------


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_agenda_headings_in_order_with_real_styles(built: dict[str, Path], name: str) -> None:
    visit = visit_of(name)
    labels = Labels(visit.details.language)
    document = document_at(built[name] / "agenda.docx")
    expected = [("Title", visit.details.title), ("Heading 1", labels("Objectives"))]
    expected += [("Heading 1", labels.full_date(day)) for day in visit.details.days()]
    expected += [
        ("Heading 1", labels("Host institutions")),
        ("Heading 1", f"{labels('Participants')} ({len(visit.participants)})"),
    ]
    assert headings(document) == expected


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_every_session_is_under_its_day(built: dict[str, Path], name: str) -> None:
    visit = visit_of(name)
    labels = Labels(visit.details.language)
    document = document_at(built[name] / "agenda.docx")
    found: list[tuple[str, str]] = []
    day = None
    time = labels("Time")
    for block in blocks(document):
        if hasattr(block, "style") and block.style.name == "Heading 1":
            day = block.text
        elif hasattr(block, "rows") and day is not None and block.rows[0].cells[0].text == time:
            for row in block.rows[1:]:
                title = row.cells[1].text.split("\n")[0]
                found.append((day, f"{row.cells[0].text} {title}"))
    expected = [
        (labels.full_date(s.date), f"{s.start:%H:%M}–{s.end:%H:%M} {s.title}")
        for s in visit.sessions
    ]
    assert sorted(found) == sorted(expected)


def test_agenda_lists_participants_and_hosts(built: dict[str, Path]) -> None:
    document = document_at(built["milan-exchange-2026"] / "agenda.docx")
    people = document.tables[-1]
    assert [c.text for c in people.rows[0].cells] == ["Name", "Role", "Organisation"]
    names = {row.cells[0].text for row in people.rows[1:] if len(row._tr.tc_lst) == 3}
    assert "Representative, Fedasil" in names and len(names) == 14
    hosts = document.tables[-2]
    assert [c.text for c in hosts.rows[1].cells][:2] == ["Municipality of Milan", "Municipal"]


def test_agenda_has_page_numbers_and_no_contents_when_short(built: dict[str, Path]) -> None:
    with zipfile.ZipFile(built["milan-exchange-2026"] / "agenda.docx") as archive:
        footers = "".join(
            archive.read(n).decode() for n in archive.namelist() if n.startswith("word/footer")
        )
        body = archive.read("word/document.xml").decode()
    assert "PAGE" in footers and 'w:fldCharType="begin"' in footers
    assert "TOC " not in body


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_public_agenda_has_no_personal_data(built: dict[str, Path], name: str) -> None:
    visit = visit_of(name)
    text = all_text(document_at(built[name] / "agenda-public.docx"))
    for person in visit.participants:
        for secret in (person.name, person.email, person.phone):
            if secret:
                assert secret not in text, secret
    notice = "Participants by country and organisation; names are not shared in this version."
    assert Labels(visit.details.language)(notice) in text


def test_public_agenda_counts_participants_by_country(built: dict[str, Path]) -> None:
    document = document_at(built["shape-porto-lousada"] / "agenda-public.docx")
    counts = document.tables[-1]
    assert [c.text for c in counts.rows[0].cells] == ["Organisation", "Participants"]
    total = sum(int(row.cells[1].text) for row in counts.rows[1:] if len(row._tr.tc_lst) == 2)
    assert total == 23


def test_markdown_and_word_agenda_hold_the_same_content(built: dict[str, Path]) -> None:
    markdown = (built["italy-study-visit-2026"] / "agenda.md").read_text(encoding="utf-8")
    document = document_at(built["italy-study-visit-2026"] / "agenda.docx")
    md_headings = [
        line.removeprefix("## ") for line in markdown.splitlines() if line.startswith("## ")
    ]
    docx_headings = [text for style, text in headings(document) if style == "Heading 1"]
    assert md_headings == docx_headings
    for block in blocks(document):
        if hasattr(block, "rows"):
            for row in block.rows[1:]:
                assert row.cells[1].text.split("\n")[0].replace("|", "\\|") in markdown


def test_largest_example_fits_the_page(built: dict[str, Path]) -> None:
    """No column narrower than its longest word at 10 pt, unless the page is landscape."""
    sizes = {n: len(visit_of(n).sessions) + len(visit_of(n).participants) for n in EXAMPLE_NAMES}
    largest = max(sizes, key=lambda n: sizes[n])
    document = document_at(built[largest] / "agenda.docx")
    section: Any = document.sections[0]
    landscape = section.page_width > section.page_height
    usable = (section.page_width - section.left_margin - section.right_margin) / 12700
    for table in document.tables:
        widths = [column.width.pt for column in table.columns]
        assert sum(widths) <= usable + 1
        for n, column in enumerate(table.columns):
            longest = max(longest_word_width(cell.text) for cell in column.cells)
            assert widths[n] >= longest + CELL_PADDING_PT - 0.01 or landscape, (n, longest)


# -- the takeaway template -----------------------------------------------------------

MILAN_OUTLINE = [
    ("Title", "Event takeaways"),
    ("Heading 1", "1. Context"),
    ("Heading 1", "2. Objectives and focus of the visit"),
    ("Heading 1", "3. The vertical perspective: levels of governance"),
    ("Heading 2", "National"),
    ("Heading 2", "Regional and intermediary"),
    ("Heading 2", "Municipal"),
    ("Heading 2", "Civil society"),
    ("Heading 2", "International"),
    ("Heading 1", "4. The horizontal perspective: cooperation on the ground"),
    ("Heading 1", "5. What we saw"),
    ("Heading 2", "Opening: Milan's model of migration governance and co-design"),
    ("Heading 2", "Working across levels — national, regional and intermediary perspectives"),
    ("Heading 2", "Site visit: the Milano Welcome Center one-stop desk"),
    ("Heading 2", "LGNet3: support for migrants in secondary movement"),
    ("Heading 2", "RI.VOL.ARE IN RE.TE: focal points for voluntary return and reintegration"),
    ("Heading 2", "Site visit: Centro Sammartini and the mobile outreach teams"),
    ("Heading 1", "6. Good practices observed"),
    ("Heading 1", "7. Opportunities and challenges"),
    ("Heading 2", "Opportunities"),
    ("Heading 2", "Challenges"),
    ("Heading 1", "8. Concluding takeaways"),
    ("Heading 2", "Strategic insight"),
    ("Heading 1", "Participating representatives"),
    ("Heading 1", "Institutions and organisations met"),
]


def test_milan_takeaways_follow_the_seed_outline(built: dict[str, Path]) -> None:
    document = document_at(built["milan-exchange-2026"] / "takeaways.docx")
    assert headings(document) == MILAN_OUTLINE


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_every_host_is_under_its_level(built: dict[str, Path], name: str) -> None:
    visit = visit_of(name)
    labels = Labels(visit.details.language)
    document = document_at(built[name] / "takeaways.docx")
    level = None
    placed: dict[str, str] = {}
    in_vertical = False
    for paragraph in document.paragraphs:
        style = paragraph.style.name if paragraph.style is not None else ""
        if style == "Heading 1":
            in_vertical = paragraph.text.startswith("3.")
        elif style == "Heading 2" and in_vertical:
            level = paragraph.text
        elif in_vertical and level and paragraph.runs and paragraph.runs[0].bold:
            placed[paragraph.text] = level
    for host in visit.hosts:
        heading = (
            labels("Regional and intermediary")
            if host.level in (GovernanceLevel.REGIONAL, GovernanceLevel.INTERMEDIARY)
            else labels.level(host.level)
        )
        assert placed.get(host.name) == heading, host.name


def representative_lines(document: Any, heading: str) -> list[str]:
    lines: list[str] = []
    inside = False
    for paragraph in document.paragraphs:
        if paragraph.style.name == "Heading 1":
            inside = paragraph.text == heading
        elif inside:
            lines.append(paragraph.text)
    return lines


def test_one_representatives_line_per_country(built: dict[str, Path]) -> None:
    document = document_at(built["milan-exchange-2026"] / "takeaways.docx")
    lines = representative_lines(document, "Participating representatives")
    many, one = "representatives", "representative"
    delegations = {
        "BE": (many, ["Fedasil", "Bruss'Help"]),
        "DK": (many, ["Danish Return Agency", "Danish Refugee Council"]),
        "DE": (many, ["Raphaelswerk", "State Office for Refugee Affairs"]),
        "IE": (many, ["Immigration Service Delivery"]),
        "IT": (one, ["Ministry of the Interior"]),
        "LU": (one, ["Ministry of Home Affairs"]),
        "ES": (many, ["Basque Government", "Bilbao City Council"]),
        "CH": (many, ["State Secretariat for Migration (SEM)", "Canton of Zurich"]),
    }
    by_name = sorted(delegations, key=lambda code: Labels("en").sort_key(cldr.country(code)))
    expected = [
        f"{cldr.country(code)}: {delegations[code][0]} from "
        f"{cldr.listing(delegations[code][1])}{'.' if code == by_name[-1] else ';'}"
        for code in by_name
    ]
    assert lines == expected


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_placeholders_are_grey_italic_in_brackets(built: dict[str, Path], name: str) -> None:
    document = document_at(built[name] / "takeaways.docx")
    prompts = [run for p in document.paragraphs for run in p.runs if run.text.startswith("[")]
    assert len(prompts) > 20
    for run in prompts:
        assert run.text.endswith("]"), run.text
        assert run.italic and run.font.color.rgb == GREY, run.text
    plain = [
        run
        for p in document.paragraphs
        for run in p.runs
        if not run.text.startswith("[") and run.font.color.rgb == GREY
    ]
    assert plain == []


def test_takeaways_prefill_context_and_objectives(built: dict[str, Path]) -> None:
    visit = visit_of("milan-exchange-2026")
    text = all_text(document_at(built["milan-exchange-2026"] / "takeaways.docx"))
    assert " ".join((visit.details.description or "").split()) in text
    for objective in visit.details.objectives:
        assert " ".join(objective.text.split()) in text
    assert f"Place: Milan, {cldr.country('IT')}" in text
    first, last = visit.details.start_date, visit.details.end_date
    (dates_line,) = [line for line in text.splitlines() if line.startswith("Dates: ")]
    # One style for every date of the visit: the month written out as in a full date,
    # both days and the year, exactly as the web page writes the same period.
    assert cldr.month_name(first) in dates_line and dates_line.endswith(str(last.year))
    assert str(first.day) in dates_line and str(last.day) in dates_line
    assert dates_line == f"Dates: {date_range(first, last, 'en')}"


# -- languages -------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "pt", "it", "fr", "de", "es", "el", "hu"])
def test_dates_in_the_document_language(language: str) -> None:
    day = date(2026, 4, 13)
    assert Labels(language).full_date(day) == cldr.full_date(day, language)


@pytest.mark.parametrize("language", ["en", "pt", "it", "fr", "de", "es", "el", "hu", "pl"])
@pytest.mark.parametrize(
    ("first", "last"),
    [
        (date(2026, 1, 27), date(2026, 1, 28)),
        (date(2026, 3, 30), date(2026, 4, 2)),
        (date(2026, 12, 29), date(2027, 1, 2)),
        (date(2026, 6, 16), date(2026, 6, 16)),
    ],
)
def test_a_period_is_written_with_full_month_names(language: str, first: date, last: date) -> None:
    text = Labels(language).date_range(first, last)
    assert cldr.month_name(first, language) in text
    assert cldr.month_name(last, language) in text
    assert str(last.year) in text
    assert str(first.day) in text and str(last.day) in text
    if first == last:
        assert text == cldr.one_date(first, language)


@pytest.mark.parametrize(
    ("language", "heading", "section", "from_word", "and_word"),
    [
        (
            "pt",
            "Objetivos",
            "2. Objetivos e foco da visita",
            "representantes das seguintes entidades:",
            " e ",
        ),
        ("it", "Obiettivi", "2. Obiettivi e focus della visita", "rappresentanti di", " e "),
    ],
)
@pytest.mark.slow
def test_italy_in_portuguese_and_italian(
    tmp_path: Path, language: str, heading: str, section: str, from_word: str, and_word: str
) -> None:
    day = cldr.full_date(visit_of("italy-study-visit-2026").details.start_date, language)
    line = (
        f"{cldr.country('PT', language)}: {from_word} "
        "Agência para a Integração, Migrações e Asilo (AIMA), "
    )
    private = build_example(tmp_path, "italy-study-visit-2026", language)
    agenda = docx.Document(str(private / "agenda.docx"))
    texts = [text for _, text in headings(agenda)]
    assert heading in texts and day in texts
    takeaways = docx.Document(str(private / "takeaways.docx"))
    assert section in [text for _, text in headings(takeaways)]
    heading_text = {"pt": "Representantes participantes", "it": "Rappresentanti partecipanti"}
    (representatives,) = representative_lines(takeaways, heading_text[language])
    assert representatives.startswith(line)
    assert representatives.endswith(
        cldr.listing(["X", "OIM Portugal"], language).removeprefix("X") + "."
    )
    markdown = (private / "agenda.md").read_text(encoding="utf-8")
    assert f"## {day}" in markdown


def test_countries_are_named_in_the_document_language(tmp_path: Path) -> None:
    private = build_example(tmp_path, "milan-exchange-2026", "de")
    takeaways = docx.Document(str(private / "takeaways.docx"))
    lines = representative_lines(takeaways, "Teilnehmende Vertreterinnen und Vertreter")
    countries = [line.split(":")[0] for line in lines]
    assert countries == sorted(countries, key=Labels("de").sort_key)
    assert cldr.country("BE", "de") in countries and cldr.country("CH", "de") in countries


@pytest.mark.slow
def test_unknown_language_falls_back_to_english_and_says_so(tmp_path: Path) -> None:
    folder = tmp_path
    text = (EXAMPLES / "milan-exchange-2026" / "visit.yaml").read_text(encoding="utf-8")
    (folder / "visit.yaml").write_text(
        text.replace("  language: en\n", "  language: fi\n"), encoding="utf-8"
    )
    result = build(load_visit(folder / "visit.yaml"), folder / "build")
    notes = [f for f in result.findings if f.code == "VP020"]
    assert len(notes) == 1 and "'fi'" in notes[0].message
    agenda = docx.Document(str(folder / "build" / "private" / "agenda.docx"))
    assert "Objectives" in [text for _, text in headings(agenda)]
    assert cldr.full_date(date(2026, 1, 27), "fi") in [text for _, text in headings(agenda)]


# -- files that open cleanly -----------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_word_files_are_zips_of_well_formed_xml(built: dict[str, Path], name: str) -> None:
    for path in built[name].glob("*.docx"):
        with zipfile.ZipFile(path) as archive:
            assert archive.testzip() is None
            assert "[Content_Types].xml" in archive.namelist()
            for part in archive.namelist():
                if part.endswith((".xml", ".rels")):
                    ElementTree.fromstring(archive.read(part))  # noqa: S314 - our own output


@pytest.mark.slow
@pytest.mark.office
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_converts_every_document(built: dict[str, Path], tmp_path: Path) -> None:
    documents = sorted(built["milan-exchange-2026"].glob("*.docx"))
    done = subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            *map(str, documents),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    for document in documents:
        pdf = tmp_path / f"{document.stem}.pdf"
        assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF")
