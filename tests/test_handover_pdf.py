"""The Word documents as LibreOffice prints them: converted to PDF, read back page by
page with ``pdftotext -layout``. Slow (one LibreOffice run for all documents)."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.oxml.ns import qn

from conftest import EXAMPLE_NAMES, EXAMPLES
from visitplan.load import load_visit

pytestmark = [
    pytest.mark.slow,
    pytest.mark.office,
    pytest.mark.skipif(
        shutil.which("soffice") is None or shutil.which("pdftotext") is None,
        reason="needs LibreOffice and poppler's pdftotext",
    ),
]

DOCUMENTS = ["agenda.docx", "agenda-public.docx", "takeaways.docx", "badges.docx"]


def plain(text: str) -> str:
    """Text as compared: NFKC (ligatures apart), one space between words."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def tall_rows_visit(folder: Path) -> Path:
    """A day of sessions whose rows are many lines tall, so that page ends fall inside
    rows unless rows are kept whole."""
    hosts = "".join(
        f"  - {{id: h{n}, name: Host institution number {n} with a long official name, "
        "level: municipal}\n"
        for n in range(6)
    )
    sessions = "".join(
        f"  - {{id: s{n}, title: Session {n} on a subject that takes a few words to say, "
        f'date: 2026-01-27, start: "{7 + n // 2}:{30 * (n % 2):02d}", '
        f'end: "{7 + n // 2}:{30 * (n % 2) + 25:02d}", venue: hall, '
        f"hosts: [{', '.join(f'h{(n + k) % 6}' for k in range(n % 4 + 2))}]}}\n"
        for n in range(24)
    )
    text = f"""\
visit:
  id: tall
  title: Tall rows
  start_date: 2026-01-27
  end_date: 2026-01-27
  timezone: Europe/Rome
  country: IT
venues:
  - {{id: hall, name: Hall, address: "Via Example 1, 20121 Milano"}}
hosts:
{hosts}sessions:
{sessions}"""
    (folder / "visit.yaml").write_text(text, encoding="utf-8")
    return folder / "visit.yaml"


@pytest.fixture(scope="module")
def builds(
    example_builds: Mapping[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    """The examples, and a visit of tall rows."""
    from visitplan.build import build

    folder = tmp_path_factory.mktemp("tall")
    build(load_visit(tall_rows_visit(folder)), folder / "build", force=True)
    return {**example_builds, "tall-rows": folder}


@pytest.fixture(scope="module")
def pdfs(builds: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every example's Word documents converted by LibreOffice, in one run."""
    out = tmp_path_factory.mktemp("pdf")
    sources = []
    for name, folder in builds.items():
        for document in DOCUMENTS:
            copy = out / f"{name}--{document}"
            shutil.copy(folder / "build" / "private" / document, copy)
            sources.append(str(copy))
    done = subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{out}/profile",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            *sources,
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return out


def pages(pdf: Path) -> list[str]:
    """The text of each page, laid out as printed."""
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


def docx_of(builds: dict[str, Path], name: str, document: str) -> Any:
    return docx.Document(str(builds[name] / "build" / "private" / document))


def footer_text(document: Any) -> str:
    footer = document.sections[0].footer._element
    return plain(" ".join(t.text or "" for t in footer.iter(qn("w:t"))))


def body_lines(page: str, footer: str) -> list[str]:
    """The page's lines without the running footer (funding, contact, page number)."""
    lines = [plain(line) for line in page.splitlines() if line.strip()]
    while lines and (
        re.fullmatch(r"Page \d+ of \d+", lines[-1]) or lines[-1] in footer or not lines[-1]
    ):
        lines.pop()
    return lines


@pytest.mark.parametrize("name", [*EXAMPLE_NAMES, "tall-rows"])
@pytest.mark.parametrize("document", ["agenda.docx", "agenda-public.docx", "takeaways.docx"])
def test_no_heading_ends_a_page(
    builds: dict[str, Path], pdfs: Path, name: str, document: str
) -> None:
    source = docx_of(builds, name, document)
    headings = [
        plain(p.text)
        for p in source.paragraphs
        if p.style.name.startswith("Heading") and p.text.strip()
    ]
    footer = footer_text(source)
    printed = pages(pdfs / f"{name}--{Path(document).stem}.pdf")
    assert len(printed) >= 1
    for number, page in enumerate(printed[:-1], start=1):
        lines = body_lines(page, footer)
        assert lines, number
        last = lines[-1]
        for heading in headings:
            stranded = last == heading or (len(last) >= 15 and heading.startswith(last))
            assert not stranded, f"page {number} ends with the heading {heading!r}"


def words(text: str) -> list[str]:
    """The words of ``text``; a hyphen may end a printed line, so it splits words."""
    return plain(text.replace("-", " ")).split()


@pytest.mark.parametrize("name", [*EXAMPLE_NAMES, "tall-rows"])
def test_every_table_row_prints_on_one_page(builds: dict[str, Path], pdfs: Path, name: str) -> None:
    source = docx_of(builds, name, "agenda.docx")
    printed = [" ".join(words(page)) for page in pages(pdfs / f"{name}--agenda.pdf")]
    cursor = offset = 0
    checked = 0
    for table in source.tables:
        for row in table.rows[1:]:
            cells = [cell.text for cell in row.cells][: len(row._tr.tc_lst)]
            # A day's row starts with its time, then its title; others with a name.
            start = " ".join(words(cells[0])[:2])
            if re.fullmatch(r"\d\d:\d\d–\d\d:\d\d", cells[0]):
                start = " ".join([cells[0], *words(cells[1])[:2]])
            # Where the row begins: the first place after the previous row's start.
            while cursor < len(printed) and start not in printed[cursor][offset:]:
                cursor, offset = cursor + 1, 0
            assert cursor < len(printed), f"row {cells!r} not found"
            offset = printed[cursor].index(start, offset) + 1
            # The row's words follow its start on the same page.
            page_words = set(printed[cursor][offset - 1 :].split())
            missing = [w for cell in cells for w in words(cell) if w not in page_words]
            assert not missing, f"row {cells[:2]!r} runs over page {cursor + 1}: {missing}"
            checked += 1
    assert checked >= 20


def test_italy_walk_shows_each_address_with_its_place(pdfs: Path) -> None:
    visit = load_visit(EXAMPLES / "italy-study-visit-2026" / "visit.yaml").visit
    hotel, ministry = visit.venue("hotel-rome"), visit.venue("viminale")
    assert hotel is not None and ministry is not None
    text = "\n".join(pages(pdfs / "italy-study-visit-2026--agenda.pdf"))
    lines = text.splitlines()
    title = next(s.title for s in visit.sessions if s.id == "d1-transfer")
    at = next(n for n, line in enumerate(lines) if title in line)
    # The venue column: the last piece of each line of the row.
    column = [plain(re.split(r"\s{2,}", line.strip())[-1]) for line in lines[at : at + 4]]
    assert column == [
        hotel.name,
        plain(hotel.address or ""),
        f"→ {ministry.name}",
        plain(ministry.address or ""),
    ]


def test_shape_badges_print_on_three_pages(pdfs: Path) -> None:
    printed = pages(pdfs / "shape-porto-lousada--badges.pdf")
    assert len(printed) == 3
    visit = load_visit(EXAMPLES / "shape-porto-lousada" / "visit.yaml").visit
    countries = {"Croatia", "Germany", "Hungary", "Italy"}
    assert len(visit.participants) == 23
    assert countries <= set(" ".join(printed).split())
