"""The Word agenda and the takeaway template, read back with python-docx."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import docx
import pytest
from docx.shared import RGBColor

from conftest import EXAMPLE_NAMES, EXAMPLES
from visitplan.build import build
from visitplan.exporters.word import CELL_PADDING_PT, longest_word_width
from visitplan.labels import Labels
from visitplan.load import load_visit
from visitplan.model import GovernanceLevel, Visit

GREY = RGBColor(0x7F, 0x7F, 0x7F)


def build_example(folder: Path, name: str, language: str | None = None) -> Path:
    text = (EXAMPLES / name / "visit.yaml").read_text(encoding="utf-8")
    if language:
        text = text.replace("  language: en\n", f"  language: {language}\n", 1)
    (folder / "visit.yaml").write_text(text, encoding="utf-8")
    build(load_visit(folder / "visit.yaml"), folder / "build", force=True)
    return folder / "build" / "private"


@pytest.fixture(scope="module")
def built(example_builds: dict[str, Path]) -> dict[str, Path]:
    return {name: folder / "build" / "private" for name, folder in example_builds.items()}


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
    document = docx.Document(str(built[name] / "agenda.docx"))
    expected = [("Title", visit.details.title), ("Heading 1", "Objectives")]
    expected += [("Heading 1", labels.full_date(day)) for day in visit.details.days()]
    expected += [
        ("Heading 1", "Host institutions"),
        ("Heading 1", f"Participants ({len(visit.participants)})"),
    ]
    assert headings(document) == expected


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_every_session_is_under_its_day(built: dict[str, Path], name: str) -> None:
    visit = visit_of(name)
    labels = Labels("en")
    document = docx.Document(str(built[name] / "agenda.docx"))
    found: list[tuple[str, str]] = []
    day = None
    for block in blocks(document):
        if hasattr(block, "style") and block.style.name == "Heading 1":
            day = block.text
        elif hasattr(block, "rows") and day is not None and block.rows[0].cells[0].text == "Time":
            for row in block.rows[1:]:
                title = row.cells[1].text.split("\n")[0]
                found.append((day, f"{row.cells[0].text} {title}"))
    expected = [
        (labels.full_date(s.date), f"{s.start:%H:%M}–{s.end:%H:%M} {s.title}")
        for s in visit.sessions
    ]
    assert sorted(found) == sorted(expected)


def test_agenda_lists_participants_and_hosts(built: dict[str, Path]) -> None:
    document = docx.Document(str(built["milan-exchange-2026"] / "agenda.docx"))
    people = document.tables[-1]
    assert [c.text for c in people.rows[0].cells] == ["Name", "Organisation", "Country"]
    names = {row.cells[0].text for row in people.rows[1:]}
    assert "Representative, Fedasil" in names and len(names) == 14
    hosts = document.tables[-2]
    assert [c.text for c in hosts.rows[1].cells][:2] == ["Municipality of Milan", "Municipal"]


def test_agenda_has_page_numbers_and_contents_fields(built: dict[str, Path]) -> None:
    with zipfile.ZipFile(built["milan-exchange-2026"] / "agenda.docx") as archive:
        footers = "".join(
            archive.read(n).decode() for n in archive.namelist() if n.startswith("word/footer")
        )
        body = archive.read("word/document.xml").decode()
    assert "PAGE" in footers and 'w:fldCharType="begin"' in footers
    assert 'TOC \\o "1-2"' in body


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_public_agenda_has_no_personal_data(built: dict[str, Path], name: str) -> None:
    text = all_text(docx.Document(str(built[name] / "agenda-public.docx")))
    for person in visit_of(name).participants:
        for secret in (person.name, person.email, person.phone):
            if secret:
                assert secret not in text, secret
    assert "names are not shared" in text


def test_public_agenda_counts_participants_by_country(built: dict[str, Path]) -> None:
    document = docx.Document(str(built["shape-porto-lousada"] / "agenda-public.docx"))
    counts = document.tables[-1]
    assert [c.text for c in counts.rows[0].cells] == ["Country", "Organisation", "Participants"]
    total = sum(int(row.cells[2].text) for row in counts.rows[1:])
    assert total == 23


def test_markdown_and_word_agenda_hold_the_same_content(built: dict[str, Path]) -> None:
    markdown = (built["italy-study-visit-2026"] / "agenda.md").read_text(encoding="utf-8")
    document = docx.Document(str(built["italy-study-visit-2026"] / "agenda.docx"))
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
    document = docx.Document(str(built[largest] / "agenda.docx"))
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
    ("Heading 2", "Good practice 1: [Name of the practice]"),
    ("Heading 2", "Good practice 2: [Name of the practice]"),
    ("Heading 1", "7. Opportunities and challenges"),
    ("Heading 2", "Opportunities"),
    ("Heading 2", "Challenges"),
    ("Heading 1", "8. Concluding takeaways"),
    ("Heading 2", "Strategic insight"),
    ("Heading 1", "Participating representatives"),
    ("Heading 1", "Institutions and organisations met"),
]


def test_milan_takeaways_follow_the_seed_outline(built: dict[str, Path]) -> None:
    document = docx.Document(str(built["milan-exchange-2026"] / "takeaways.docx"))
    assert headings(document) == MILAN_OUTLINE


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_every_host_is_under_its_level(built: dict[str, Path], name: str) -> None:
    visit = visit_of(name)
    labels = Labels("en")
    document = docx.Document(str(built[name] / "takeaways.docx"))
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
        key = (
            "level.regional_intermediary"
            if host.level in (GovernanceLevel.REGIONAL, GovernanceLevel.INTERMEDIARY)
            else f"level.{host.level.value}"
        )
        assert placed.get(host.name) == labels(key), host.name


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
    document = docx.Document(str(built["milan-exchange-2026"] / "takeaways.docx"))
    lines = representative_lines(document, "Participating representatives")
    assert lines == [
        "Belgium: representatives from Fedasil and Bruss'Help;",
        "Denmark: representatives from Danish Return Agency and Danish Refugee Council;",
        "Germany: representatives from Raphaelswerk and State Office for Refugee Affairs;",
        "Ireland: representatives from Immigration Service Delivery;",
        "Italy: representative from Ministry of the Interior;",
        "Luxembourg: representative from Ministry of Home Affairs;",
        "Spain: representatives from Basque Government and Bilbao City Council;",
        "Switzerland: representatives from State Secretariat for Migration (SEM) and Canton "
        "of Zurich.",
    ]


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_placeholders_are_grey_italic_in_brackets(built: dict[str, Path], name: str) -> None:
    document = docx.Document(str(built[name] / "takeaways.docx"))
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
    text = all_text(docx.Document(str(built["milan-exchange-2026"] / "takeaways.docx")))
    assert " ".join((visit.details.description or "").split()) in text
    for objective in visit.details.objectives:
        assert " ".join(objective.text.split()) in text
    dates = Labels(visit.details.language).date_range(
        visit.details.start_date, visit.details.end_date
    )
    assert "Place: Milan, Italy" in text and f"Dates: {dates}" in text


# -- languages -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Monday, 13 April 2026"),
        ("pt", "segunda-feira, 13 de abril de 2026"),
        ("it", "lunedì 13 aprile 2026"),
        ("fr", "lundi 13 avril 2026"),
        ("de", "Montag, 13. April 2026"),
        ("es", "lunes, 13 de abril de 2026"),
    ],
)
def test_dates_in_the_document_language(language: str, expected: str) -> None:
    assert Labels(language).full_date(date(2026, 4, 13)) == expected


@pytest.mark.parametrize(
    ("language", "heading", "day", "section", "line"),
    [
        (
            "pt",
            "Objetivos",
            "segunda-feira, 13 de abril de 2026",
            "2. Objetivos e foco da visita",
            "Portugal: representantes de Agency for Integration, Migration and Asylum (AIMA), ",
        ),
        (
            "it",
            "Obiettivi",
            "lunedì 13 aprile 2026",
            "2. Obiettivi e focus della visita",
            "Portogallo: rappresentanti di Agency for Integration, Migration and Asylum (AIMA), ",
        ),
    ],
)
def test_italy_in_portuguese_and_italian(
    tmp_path: Path, language: str, heading: str, day: str, section: str, line: str
) -> None:
    private = build_example(tmp_path, "italy-study-visit-2026", language)
    agenda = docx.Document(str(private / "agenda.docx"))
    texts = [text for _, text in headings(agenda)]
    assert heading in texts and day in texts
    takeaways = docx.Document(str(private / "takeaways.docx"))
    assert section in [text for _, text in headings(takeaways)]
    heading_text = {"pt": "Representantes participantes", "it": "Rappresentanti partecipanti"}
    (representatives,) = representative_lines(takeaways, heading_text[language])
    assert representatives.startswith(line)
    assert " e IOM Portugal." in representatives
    markdown = (private / "agenda.md").read_text(encoding="utf-8")
    assert f"## {day}" in markdown


def test_countries_are_named_in_the_document_language(tmp_path: Path) -> None:
    private = build_example(tmp_path, "milan-exchange-2026", "de")
    takeaways = docx.Document(str(private / "takeaways.docx"))
    lines = representative_lines(takeaways, "Teilnehmende Vertreterinnen und Vertreter")
    countries = [line.split(":")[0] for line in lines]
    assert countries == sorted(countries, key=Labels("de").sort_key)
    assert "Belgien" in countries and "Schweiz" in countries


def test_unknown_language_falls_back_to_english_and_says_so(tmp_path: Path) -> None:
    folder = tmp_path
    text = (EXAMPLES / "milan-exchange-2026" / "visit.yaml").read_text(encoding="utf-8")
    (folder / "visit.yaml").write_text(
        text.replace("  language: en\n", "  language: nl\n"), encoding="utf-8"
    )
    result = build(load_visit(folder / "visit.yaml"), folder / "build")
    notes = [f for f in result.findings if f.code == "VP020"]
    assert len(notes) == 1 and "'nl'" in notes[0].message
    agenda = docx.Document(str(folder / "build" / "private" / "agenda.docx"))
    assert "Objectives" in [text for _, text in headings(agenda)]
    assert "dinsdag 27 januari 2026" in [text for _, text in headings(agenda)]


# -- files that open cleanly -----------------------------------------------------------


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_word_files_are_zips_of_well_formed_xml(built: dict[str, Path], name: str) -> None:
    for path in built[name].glob("*.docx"):
        with zipfile.ZipFile(path) as archive:
            assert archive.testzip() is None
            assert "[Content_Types].xml" in archive.namelist()
            for part in archive.namelist():
                if part.endswith((".xml", ".rels")):
                    ElementTree.fromstring(archive.read(part))  # noqa: S314 - our own output


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
