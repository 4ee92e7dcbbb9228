"""Documents an officer can send as they are, read back with python-docx and openpyxl:
rows that never split, headings kept with what follows, page X of Y, document
properties, branding, the version line, sign-in sheets printed at full size, badges."""

from __future__ import annotations

import json
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.oxml.ns import qn
from openpyxl import load_workbook

from conftest import BUILT_AT, EXAMPLE_NAMES, EXAMPLES, MINIMAL, Run, write
from visitplan.exporters.badges_docx import grid
from visitplan.exporters.participants_xlsx import (
    SIGN_COLUMN_MM,
    SIGN_ROW_MM,
    USABLE_MM,
    column_mm,
    family_name,
    programme_days,
)
from visitplan.labels import Labels
from visitplan.load import load_visit
from visitplan.model import Visit

WORD_FILES = ["agenda.docx", "agenda-public.docx", "takeaways.docx"]
ITALY = "italy-study-visit-2026"
# The language Word is told a document is in, for each language of a shipped example.
WORD_LANGUAGE = {"en": "en-GB", "pt": "pt-PT"}
MM_PER_PT = 25.4 / 72


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


def body_tables(document: Any) -> Iterator[Any]:
    yield from document.tables


def instructions(part: Any) -> str:
    return " ".join(t.text or "" for t in part.iter(qn("w:instrText")))


def png(path: Path, width: int = 4, height: int = 2) -> Path:
    """A small valid PNG, written by hand."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    rows = b"".join(b"\x00" + b"\x10\x20\x30" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
    return path


# -- every Word document -----------------------------------------------------------


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
@pytest.mark.parametrize("file", WORD_FILES)
def test_no_table_row_splits_and_headers_repeat(
    built: dict[str, Path], name: str, file: str
) -> None:
    document = document_at(built[name] / file)
    for table in body_tables(document):
        rows = table._tbl.tr_lst
        for row in rows:
            properties = row.trPr
            assert properties is not None and properties.find(qn("w:cantSplit")) is not None
        assert rows[0].trPr.find(qn("w:tblHeader")) is not None


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
@pytest.mark.parametrize("file", WORD_FILES)
def test_headings_keep_with_next(built: dict[str, Path], name: str, file: str) -> None:
    document: Any = document_at(built[name] / file)
    found = 0
    for paragraph in document.paragraphs:
        if paragraph.style.name.startswith("Heading"):
            found += 1
            keep = paragraph.paragraph_format.keep_with_next
            if keep is None:
                keep = paragraph.style.paragraph_format.keep_with_next
            assert keep, paragraph.text
    assert found


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
@pytest.mark.parametrize("file", WORD_FILES)
def test_short_documents_have_no_contents_field(
    built: dict[str, Path], name: str, file: str
) -> None:
    document = document_at(built[name] / file)
    assert "TOC" not in instructions(document.element.body)
    assert "Update Field" not in "\n".join(p.text for p in document.paragraphs)


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
@pytest.mark.parametrize("file", [*WORD_FILES, "badges.docx"])
def test_core_properties_say_what_and_who(built: dict[str, Path], name: str, file: str) -> None:
    visit = visit_of(name)
    properties = document_at(built[name] / file).core_properties
    assert properties.title == visit.details.title
    assert properties.author == (visit.details.organiser or "")
    assert properties.created == BUILT_AT
    assert properties.modified == BUILT_AT
    assert properties.language == WORD_LANGUAGE[visit.details.language]
    assert properties.subject


def style_languages(path: Path) -> set[str]:
    with zipfile.ZipFile(path) as archive:
        styles = archive.read("word/styles.xml").decode()
    return set(re.findall(r'<w:lang w:val="([^"]+)"', styles))


@pytest.mark.parametrize("file", [*WORD_FILES, "badges.docx"])
def test_styles_carry_the_visit_language(built: dict[str, Path], file: str) -> None:
    assert style_languages(built[ITALY] / file) == {"pt-PT"}


@pytest.mark.slow
def test_portuguese_build_writes_portuguese_styles_and_properties(tmp_path: Path, run: Run) -> None:
    text = (EXAMPLES / "milan-exchange-2026" / "visit.yaml").read_text(encoding="utf-8")
    path = write(tmp_path, text.replace("  language: en\n", "  language: pt\n", 1))
    assert run("build", path, "--force").exit_code == 0
    private = tmp_path / "build" / "private"
    for file in [*WORD_FILES, "badges.docx"]:
        assert style_languages(private / file) == {"pt-PT"}
        assert docx.Document(str(private / file)).core_properties.language == "pt-PT"
    footer = docx.Document(str(private / "agenda.docx")).sections[0].footer
    assert "Página" in "".join(p.text for p in footer.paragraphs)


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
@pytest.mark.parametrize("file", WORD_FILES)
def test_footer_says_page_x_of_y(built: dict[str, Path], name: str, file: str) -> None:
    labels = Labels(visit_of(name).details.language)
    footer = document_at(built[name] / file).sections[0].footer._element
    fields = instructions(footer).split()
    assert fields.count("PAGE") == 1 and fields.count("NUMPAGES") == 1
    text = "".join(t.text or "" for t in footer.iter(qn("w:t")))
    # the shown results until the fields are updated
    assert labels("Page {page} of {pages}", page=1, pages=1) in text


@pytest.mark.slow  # a few seconds: in the full run
def test_long_programme_has_contents_without_a_refresh_prompt(tmp_path: Path, run: Run) -> None:
    sessions = "\n".join(
        f"  - {{id: s{day}-{n}, title: Session {n} of day {day} on a long subject, "
        f'date: 2026-02-{day:02d}, start: "{8 + n}:00", end: "{8 + n}:45"}}'
        for day in range(2, 22)
        for n in range(10)
    )
    text = MINIMAL.replace("2026-01-27", "2026-02-02").replace("2026-01-28", "2026-02-21")
    path = write(tmp_path, text.replace("sessions:\n", "sessions:\n" + sessions + "\n", 1))
    assert run("build", path, "--force").exit_code == 0
    document = docx.Document(str(tmp_path / "build" / "private" / "agenda.docx"))
    assert "TOC" in instructions(document.element.body)
    assert "Update Field" not in "\n".join(p.text for p in document.paragraphs)


# -- the agenda's content ----------------------------------------------------------------


def day_rows(document: Any, language: str = "en") -> Iterator[list[str]]:
    time = Labels(language)("Time")
    for table in document.tables:
        if table.rows[0].cells[0].text == time:
            for row in table.rows[1:]:
                yield [cell.text for cell in row.cells]


def test_travel_rows_give_each_place_its_own_address(built: dict[str, Path]) -> None:
    visit = visit_of(ITALY)
    document = document_at(built[ITALY] / "agenda.docx")
    title = next(s.title for s in visit.sessions if s.id == "d1-transfer")
    rows = day_rows(document, visit.details.language)
    (walk,) = [r for r in rows if r[1].startswith(title)]
    start = visit.venue("hotel-rome")
    end = visit.venue("viminale")
    assert start is not None and end is not None
    assert walk[2].split("\n") == [start.name, start.address, f"→ {end.name}", end.address]


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_city_only_where_the_address_lacks_it(built: dict[str, Path], name: str) -> None:
    visit = visit_of(name)
    document = document_at(built[name] / "agenda.docx")
    rows = list(day_rows(document, visit.details.language))
    assert rows
    text = "\n".join(r[2] for r in rows)
    for venue in visit.venues:
        if venue.address and venue.city:
            assert f"{venue.address}, {venue.city}" not in text
    assert "00184 Roma, Roma" not in text and "Lousada, Lousada" not in text


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_day_tables_have_three_full_columns(built: dict[str, Path], name: str) -> None:
    language = visit_of(name).details.language
    document = document_at(built[name] / "agenda.docx")
    labels = Labels(language)
    for table in document.tables:
        if table.rows[0].cells[0].text == labels("Time"):
            header = [c.text for c in table.rows[0].cells]
            assert header == [labels("Time"), labels("Session"), labels("Venue")]
    rows = list(day_rows(document, language))
    assert rows and all(row[1] and row[2] for row in rows)


def test_kind_is_shown_only_where_it_tells_something(built: dict[str, Path]) -> None:
    labels = Labels("en")
    rows = list(day_rows(document_at(built["milan-exchange-2026"] / "agenda.docx")))
    for row in rows:
        lines = row[1].split("\n")
        for kind in ("meal", "break", "travel", "meeting"):
            assert labels(f"kind.{kind}") not in lines[1:], row
    lunch = [r for r in rows if r[1].startswith("Lunch")]
    assert lunch and all(r[1] == "Lunch" for r in lunch)


def test_interpretation_and_hosts_are_in_the_session_cell(built: dict[str, Path]) -> None:
    visit = visit_of(ITALY)
    labels = Labels(visit.details.language)
    document = document_at(built[ITALY] / "agenda.docx")
    rows = {r[1].split("\n")[0]: r for r in day_rows(document, visit.details.language)}
    session = next(s for s in visit.sessions if s.id == "d1-interior")
    cell = rows[session.title][1].split("\n")
    assert cell[1] == labels("Hosted by {hosts}", hosts="Ministero dell'Interno")
    assert cell[2] == labels(
        "In {language}, interpreted into {targets}",
        language=labels.language_name("it"),
        targets=labels.language_name("pt"),
    )


def test_hosts_table_leaves_out_an_empty_contact_column(built: dict[str, Path]) -> None:
    for name in EXAMPLE_NAMES:
        visit = visit_of(name)
        labels = Labels(visit.details.language)
        document = document_at(built[name] / "agenda.docx")
        hosts = next(
            t
            for t in document.tables
            if [c.text for c in t.rows[0].cells][:2]
            == [labels.pgettext("institution", "Name"), labels("Level")]
        )
        has_contact = any(h.contact for h in visit.hosts)
        assert len(hosts.columns) == (3 if has_contact else 2), name


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_delegation_is_grouped_by_country_with_roles(built: dict[str, Path], name: str) -> None:
    visit = visit_of(name)
    labels = Labels(visit.details.language)
    people = document_at(built[name] / "agenda.docx").tables[-1]
    header = [labels("Name"), labels("Role"), labels("Organisation")]
    assert [c.text for c in people.rows[0].cells] == header
    country = None
    seen: dict[str, str] = {}
    countries: list[str] = []
    for row in people.rows[1:]:
        cells = row._tr.tc_lst
        if len(cells) == 1:
            country = row.cells[0].text
            countries.append(country)
            continue
        name_, role, _ = (c.text for c in row.cells)
        seen[name_] = country or ""
        person = next(p for p in visit.participants if p.name == name_)
        assert role == (person.role or "")
    assert len(countries) == len(set(countries))
    assert seen == {p.name: labels.country(p.country) for p in visit.participants}


# -- the takeaways -----------------------------------------------------------------------


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_takeaways_host_prompts_are_whole_sentences(built: dict[str, Path], name: str) -> None:
    visit = visit_of(name)
    labels = Labels(visit.details.language)
    document = document_at(built[name] / "takeaways.docx")
    texts = [p.text for p in document.paragraphs]
    for host in visit.hosts:
        message = (
            "Describe the role of the host, {host}, in the system, the work presented "
            "and what the participants learned."
        )
        prompt = f"[{labels(message, host=host.name)}]"
        assert prompt in texts, host.name
        at = texts.index(host.name)
        if host.description:
            assert texts[at + 1] == " ".join(host.description.split())
            assert texts[at + 2] == prompt
        else:
            assert texts[at + 1] == prompt


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_no_placeholder_reaches_a_heading(built: dict[str, Path], name: str) -> None:
    labels = Labels(visit_of(name).details.language)
    document: Any = document_at(built[name] / "takeaways.docx")
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert not [h for h in headings if "[" in h]
    first = labels("Good practice {n}", n=1) + ":"
    good = [p for p in document.paragraphs if p.text.startswith(first)]
    assert good and good[0].paragraph_format.keep_with_next


# -- branding --------------------------------------------------------------------------


def test_italy_agenda_carries_logo_funding_and_contact(built: dict[str, Path]) -> None:
    visit = visit_of(ITALY)
    branding = visit.details.branding
    assert branding.funding is not None and branding.contact is not None
    document = document_at(built[ITALY] / "agenda.docx")
    section = document.sections[0]
    assert section.header._element.findall(".//" + qn("w:drawing"))
    footer = section.footer._element
    assert footer.findall(".//" + qn("w:drawing"))
    text = "".join(t.text or "" for t in footer.iter(qn("w:t")))
    assert " ".join(branding.funding.statement.split()) in text
    assert branding.contact.name in text and (branding.contact.phone or "") in text


def test_badges_carry_the_logo(built: dict[str, Path]) -> None:
    document = document_at(built[ITALY] / "badges.docx")
    pictures = document.element.body.findall(".//" + qn("w:drawing"))
    assert len(pictures) == len(visit_of(ITALY).participants)


def branded(tmp_path: Path, logo: str, emblem: str | None = None) -> Path:
    block = f"  branding:\n    logo: {logo}\n"
    if emblem:
        block += f"    funding:\n      statement: Funded by someone.\n      emblem: {emblem}\n"
    return write(tmp_path, MINIMAL.replace("  country: IT\n", "  country: IT\n" + block, 1))


def error_lines(result: Any) -> str:
    return str(result.stdout) + str(result.stderr)


def test_missing_logo_is_a_located_error(tmp_path: Path, run: Run) -> None:
    path = branded(tmp_path, "logo.png")
    line = path.read_text().splitlines().index("    logo: logo.png") + 1
    result = run("check", path)
    assert result.exit_code == 2
    assert f"visit.yaml:{line}:11" in error_lines(result)
    assert "VP011" in error_lines(result) and "does not exist" in error_lines(result)


def test_svg_logo_is_refused_with_a_way_out(tmp_path: Path, run: Run) -> None:
    (tmp_path / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    result = run("check", branded(tmp_path, "logo.svg"))
    assert result.exit_code == 2
    assert "SVG" in error_lines(result) and "PNG" in error_lines(result)


def test_text_file_posing_as_png_is_refused(tmp_path: Path, run: Run) -> None:
    (tmp_path / "logo.png").write_text("not an image")
    result = run("check", branded(tmp_path, "logo.png"))
    assert result.exit_code == 2 and "not a PNG or JPEG" in error_lines(result)


def test_damaged_png_is_refused(tmp_path: Path, run: Run) -> None:
    good = png(tmp_path / "good.png").read_bytes()
    (tmp_path / "logo.png").write_bytes(good[:20])
    result = run("check", branded(tmp_path, "logo.png"))
    assert result.exit_code == 2 and "damaged" in error_lines(result)


def test_image_over_two_megabytes_is_refused(tmp_path: Path, run: Run) -> None:
    good = png(tmp_path / "good.png").read_bytes()
    (tmp_path / "big.png").write_bytes(good + b"\0" * (2 * 1024 * 1024))
    result = run("check", branded(tmp_path, "good.png", emblem="big.png"))
    assert result.exit_code == 2
    assert "over the limit of 2 MB" in error_lines(result) and "VP011" in error_lines(result)


def test_a_folder_is_not_an_image(tmp_path: Path, run: Run) -> None:
    (tmp_path / "logo.png").mkdir()
    result = run("check", branded(tmp_path, "logo.png"))
    assert result.exit_code == 2 and "not a file" in error_lines(result)


def test_small_png_logo_builds_everywhere(tmp_path: Path, run: Run) -> None:
    png(tmp_path / "Logo Ünïcode.png")
    path = branded(tmp_path, '"Logo Ünïcode.png"', emblem='"Logo Ünïcode.png"')
    assert run("build", path, "--force").exit_code == 0
    workbook = load_workbook(tmp_path / "build" / "private" / "participants.xlsx")
    assert "Funded by someone." in workbook["Summary"].oddFooter.left.text


# -- the version line --------------------------------------------------------------------


def version_text(folder: Path) -> list[str]:
    document = docx.Document(str(folder / "build" / "private" / "agenda.docx"))
    return [p.text for p in document.paragraphs[1:3]]


@pytest.mark.slow  # a few seconds: in the full run
def test_version_rises_only_when_the_programme_changes(
    example_copy: Callable[[str], Path], run: Run
) -> None:
    path = example_copy("milan-exchange-2026")
    labels = Labels("en")
    assert run("build", path).exit_code == 0
    first = docx.Document(str(path.parent / "build" / "private" / "agenda.docx"))
    assert not first.paragraphs[1].text.startswith("Version")
    assert run("build", path).exit_code == 0
    state = json.loads((path.parent / ".visitplan-state.json").read_text())
    published = state["programme_version"]["published"]
    day = labels.date(datetime.fromisoformat(published).date())
    assert version_text(path.parent)[0] == labels("Version {version} — {date}", version=1, date=day)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("    start: 09:30", "    start: 09:40", 1), encoding="utf-8")
    assert run("build", path).exit_code == 0
    state = json.loads((path.parent / ".visitplan-state.json").read_text())
    assert state["programme_version"]["number"] == 2
    day = labels.date(datetime.fromisoformat(state["programme_version"]["published"]).date())
    summary = labels(
        "Changes since version {previous}: {changes}.",
        previous=1,
        changes=labels("sessions moved: {n}", n=1),
    )
    assert version_text(path.parent) == [
        labels("Version {version} — {date}", version=2, date=day),
        summary,
    ]
    assert run("build", path).exit_code == 0
    assert version_text(path.parent) == [
        labels("Version {version} — {date}", version=2, date=day),
        summary,
    ]
    workbook = load_workbook(path.parent / "build" / "private" / "participants.xlsx")
    assert (
        labels("Version {version} — {date}", version=2, date=day)
        in workbook["Summary"].oddHeader.left.text
    )
    markdown = (path.parent / "build" / "private" / "agenda.md").read_text(encoding="utf-8")
    assert labels("Version {version} — {date}", version=2, date=day) in markdown


@pytest.mark.parametrize(
    "stored",
    [
        "3",
        '{"number": -1, "published": null, "changes": {}}',
        '{"number": 2, "published": "yesterday", "changes": {}}',
        '{"number": 2, "published": null, "changes": {"moved": "x"}}',
        '{"number": true, "published": null, "changes": {}}',
    ],
)
@pytest.mark.slow
def test_damaged_version_in_state_is_a_located_error(
    example_copy: Callable[[str], Path],
    example_builds: Mapping[str, Path],
    run: Run,
    stored: str,
) -> None:
    path = example_copy("milan-exchange-2026")
    built = example_builds["milan-exchange-2026"] / ".visitplan-state.json"
    state_file = path.parent / ".visitplan-state.json"
    state = json.loads(built.read_text())
    state["programme_version"] = json.loads(stored)
    state_file.write_text(json.dumps(state))
    result = run("build", path)
    assert result.exit_code == 2
    assert "VP010" in error_lines(result) and "programme_version" in error_lines(result)


# -- the workbook -----------------------------------------------------------------------


def workbook_of(built: Mapping[str, Path], name: str) -> Any:
    """The example's participants workbook, read once for the run: read it, don't change it."""
    return _read_workbook(built[name] / "participants.xlsx")


@cache
def _read_workbook(path: Path) -> Any:
    return load_workbook(path)


HEADER_ROW = 4


def attendance_sheet(workbook: Any, visit: Visit, day: Any) -> Any:
    """The day's attendance sheet, named in the visit's language."""
    labels = Labels(visit.details.language)
    return workbook[labels("Attendance {day}", day=day.isoformat())]


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_attendance_print_settings(built: dict[str, Path], name: str) -> None:
    visit = visit_of(name)
    workbook = workbook_of(built, name)
    labels = Labels(visit.details.language)
    for day in programme_days(visit):
        sheet = attendance_sheet(workbook, visit, day)
        setup = sheet.page_setup
        slots = sheet.max_column - (6 if visit.groups else 5)
        assert setup.orientation == ("landscape" if slots > 2 else setup.orientation)
        assert setup.scale == 100 and not sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
        assert sheet.print_title_cols == ("$A:$F" if visit.groups else "$A:$E")
        assert sheet.page_margins.left <= 0.5 and sheet.page_margins.top >= 0.5
        assert not sheet.print_options.gridLines
        assert visit.details.title[:50] in sheet.oddHeader.left.text
        assert sheet.oddHeader.right.text == labels.full_date(day)
        page_of = labels("Page {page} of {pages}", page="&P", pages="&N")
        assert sheet.oddFooter.right.text == page_of
        funding = visit.details.branding.funding
        if funding:
            assert sheet.oddFooter.left.text.startswith(" ".join(funding.statement.split())[:60])


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_attendance_rows_and_signature_boxes_print_big_enough(
    built: dict[str, Path], name: str
) -> None:
    visit = visit_of(name)
    workbook = workbook_of(built, name)
    fixed = 6 if visit.groups else 5
    for day in programme_days(visit):
        sheet = attendance_sheet(workbook, visit, day)
        scale = (sheet.page_setup.scale or 100) / 100
        for row in range(HEADER_ROW + 1, sheet.max_row + 1):
            height = sheet.row_dimensions[row].height
            assert height is not None and height * scale * MM_PER_PT >= SIGN_ROW_MM, row
        letters = [c.column_letter for c in sheet[HEADER_ROW]]
        for letter in letters[fixed:]:
            assert column_mm(sheet.column_dimensions[letter].width) * scale >= SIGN_COLUMN_MM
        # Each printed page holds the names and whole signature boxes.
        usable = USABLE_MM[sheet.page_setup.orientation]
        names = sum(column_mm(sheet.column_dimensions[x].width) for x in letters[:fixed])
        breaks = [b.id for b in sheet.col_breaks.brk] + [len(letters)]
        start = fixed
        for end in breaks:
            widths = [column_mm(sheet.column_dimensions[x].width) for x in letters[start:end]]
            assert names + sum(widths) <= usable, (day, start, end)
            start = end


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_attendance_text_wraps_within_its_cells(built: dict[str, Path], name: str) -> None:
    visit = visit_of(name)
    workbook = workbook_of(built, name)
    for day in programme_days(visit):
        sheet = attendance_sheet(workbook, visit, day)
        for row in sheet.iter_rows(min_row=HEADER_ROW):
            for cell in row:
                assert cell.alignment.wrap_text, cell.coordinate
                assert cell.border.left.style == "thin" and cell.border.bottom.style == "thin"
                if isinstance(cell.value, str):
                    width = sheet.column_dimensions[cell.column_letter].width
                    longest = max((len(w) for w in cell.value.split()), default=0)
                    assert longest <= width, (cell.coordinate, cell.value)


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_signature_headers_name_time_title_and_venue(built: dict[str, Path], name: str) -> None:
    visit = visit_of(name)
    labels = Labels(visit.details.language)
    # The fixed words around the fields, in the visit's language.
    signature = labels("Signature — {time} {title}", time="\0", title="").split("\0")[0]
    by_group = labels("Signature — {time} by group: {titles}", time="\0", titles="\1")
    by_group = by_group.split("\0")[1].split("\1")[0].split(":")[0].strip()
    assert signature.strip() and by_group
    workbook = workbook_of(built, name)
    for day in programme_days(visit):
        sheet = attendance_sheet(workbook, visit, day)
        headers = [c.value for c in sheet[HEADER_ROW]][6 if visit.groups else 5 :]
        assert headers and all(h.startswith(signature) for h in headers)
        single = [h for h in headers if by_group not in h]
        assert all(h.endswith(")") for h in single if "(" in h)


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_attendance_sorted_by_family_name_within_country(built: dict[str, Path], name: str) -> None:
    visit = visit_of(name)
    labels = Labels(visit.details.language)
    workbook = workbook_of(built, name)
    people = {p.name: p for p in visit.participants}
    blanks = visit.details.attendance.blank_rows
    for day in programme_days(visit):
        sheet = attendance_sheet(workbook, visit, day)
        rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=HEADER_ROW + 1)]
        named = rows[: len(rows) - blanks]
        assert all(r[1] is None for r in rows[len(rows) - blanks :])
        assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
        keys = [
            (
                labels.sort_key(labels.country(people[r[1]].country)),
                labels.sort_key(family_name(r[1])),
            )
            for r in named
        ]
        assert keys == sorted(keys)


@pytest.mark.slow
def test_attendance_order_and_walk_ins_can_be_chosen(tmp_path: Path, run: Run) -> None:
    text = (EXAMPLES / "shape-porto-lousada" / "visit.yaml").read_text(encoding="utf-8")
    options = "  attendance:\n    order: organisation\n    blank_rows: 0\n"
    path = write(tmp_path, text.replace("\nhosts:", "\n" + options + "\nhosts:", 1))
    result = run("build", path, "--force")
    assert result.exit_code == 0, error_lines(result)
    visit = load_visit(path).visit
    labels = Labels("en")
    people = {p.name: p for p in visit.participants}
    workbook = load_workbook(tmp_path / "build" / "private" / "participants.xlsx")
    day = programme_days(visit)[0]
    rows = [[c.value for c in r] for r in workbook[f"Attendance {day}"].iter_rows(min_row=5)]
    assert all(r[1] for r in rows)
    keys = [
        (
            labels.sort_key(labels.country(people[r[1]].country)),
            labels.sort_key(people[r[1]].organisation or ""),
        )
        for r in rows
    ]
    assert keys == sorted(keys)


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_no_date_format_has_seconds(built: dict[str, Path], name: str) -> None:
    workbook = workbook_of(built, name)
    dated = 0
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert "ss" not in cell.number_format.lower(), (sheet.title, cell.coordinate)
                if cell.is_date:
                    dated += 1
                    width = sheet.column_dimensions[cell.column_letter].width
                    assert width >= len("2026-01-27 18:30"), (sheet.title, cell.coordinate)
    assert dated


def test_catering_rows_run_in_time_order_with_room_for_their_text(built: dict[str, Path]) -> None:
    visit = visit_of("shape-porto-lousada")
    labels = Labels("en")
    sheet = workbook_of(built, "shape-porto-lousada")["Catering & access"]
    order = {labels.full_date(d): n for n, d in enumerate(visit.details.days())}
    keys = []
    for row in sheet.iter_rows(min_row=2):
        day, sessions = row[0].value, row[1].value
        keys.append((order[day], sessions.split(";")[0][:5]))
        lines = max(len(str(c.value or "")) for c in row) / 30
        assert sheet.row_dimensions[row[0].row].height >= 15 * min(lines, 1)
    assert keys == sorted(keys)


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_other_sheets_print_at_eight_points_or_more(built: dict[str, Path], name: str) -> None:
    workbook = workbook_of(built, name)
    for sheet in workbook.worksheets:
        if sheet.title.startswith("Attendance"):
            continue
        letters = [c.column_letter for c in next(sheet.iter_rows(max_row=1))]
        total = sum(column_mm(sheet.column_dimensions[x].width) for x in letters)
        usable = USABLE_MM[sheet.page_setup.orientation]
        if sheet.sheet_properties.pageSetUpPr.fitToPage:
            assert 11 * min(1.0, usable / total) >= 8, sheet.title
        else:
            assert (sheet.page_setup.scale or 100) == 100, sheet.title
        assert "&P" in sheet.oddFooter.right.text


# -- badges -----------------------------------------------------------------------------


def badge_pages(path: Path) -> list[list[str]]:
    """The text of each badge, page by page (one table per page)."""
    document = docx.Document(str(path))
    pages = []
    for table in document.tables:
        badges = []
        for r, row in enumerate(table.rows):
            for c, cell in enumerate(row.cells):
                if r % 2 == 0 and c % 2 == 0:
                    badges.append(cell.text.strip())
        pages.append(badges)
    return pages


def test_shape_badges_fill_three_pages_of_eight(built: dict[str, Path]) -> None:
    visit = visit_of("shape-porto-lousada")
    assert len(visit.participants) == 23
    assert grid(80, 50) == (2, 4)
    pages = badge_pages(built["shape-porto-lousada"] / "badges.docx")
    assert [len(page) for page in pages] == [8, 8, 8]
    filled = [text for page in pages for text in page if text]
    assert len(filled) == 23
    breaks = document_at(built["shape-porto-lousada"] / "badges.docx").element.body
    assert len(breaks.findall(".//" + qn("w:br"))) == 2


def test_badges_are_eighty_by_fifty_millimetres(built: dict[str, Path]) -> None:
    document = document_at(built["shape-porto-lousada"] / "badges.docx")
    table = document.tables[0]
    assert round(table.columns[0].width.mm) == 80
    row: Any = table.rows[0]._tr
    height = row.trPr.find(qn("w:trHeight"))
    assert height.get(qn("w:hRule")) == "exact"
    assert round(int(height.get(qn("w:val"))) / 1440 * 25.4) == 50


def test_badge_shows_given_name_large_then_the_rest(built: dict[str, Path]) -> None:
    document = document_at(built["milan-exchange-2026"] / "badges.docx")
    labels = Labels("en")
    visit = visit_of("milan-exchange-2026")
    first = document.tables[0].rows[0].cells[0]
    lines = [p for p in first.paragraphs if p.text]
    sizes = [max(r.font.size.pt for r in p.runs if r.font.size) for p in lines]
    assert sizes[0] == max(sizes)
    texts = [p.text for p in lines]
    countries = {labels.country(p.country) for p in visit.participants}
    assert countries & set(texts)


@pytest.mark.slow
def test_badge_size_can_be_chosen(tmp_path: Path, run: Run) -> None:
    text = (EXAMPLES / "shape-porto-lousada" / "visit.yaml").read_text(encoding="utf-8")
    options = "  badges:\n    width_mm: 90\n    height_mm: 55\n"
    path = write(tmp_path, text.replace("\nhosts:", "\n" + options + "\nhosts:", 1))
    assert run("build", path, "--force").exit_code == 0
    pages = badge_pages(tmp_path / "build" / "private" / "badges.docx")
    across, down = grid(90, 55)
    assert [len(p) for p in pages] == [across * down] * len(pages)
    assert sum(1 for page in pages for text in page if text) == 23


@pytest.mark.parametrize(
    ("name", "given", "rest"),
    [
        ("Maria da Silva", "Maria", "da Silva"),
        ("Ελένη Παπαδοπούλου", "Ελένη", "Παπαδοπούλου"),
        ("محمد علي", "محمد", "علي"),
        (
            "Head of the Department for Adult Education",
            "Head of the Department for Adult Education",
            "",
        ),
        ("Migrant participant 1", "Migrant participant 1", ""),
        ("Representative, Fedasil", "Representative, Fedasil", ""),
    ],
)
def test_badge_splits_only_personal_names(name: str, given: str, rest: str) -> None:
    from visitplan.exporters.badges_docx import split_name

    assert split_name(name) == (given, rest)


@pytest.mark.slow
def test_badges_of_names_in_other_scripts(tmp_path: Path, run: Run) -> None:
    people = "".join(
        f"  - {{id: q{n}, name: {name}, country: {country}}}\n"
        for n, (name, country) in enumerate(
            [("Ελένη Παπαδοπούλου", "GR"), ("Дмитрий Иванов", "UA"), ("محمد علي", "SY")]
        )
    )
    path = write(tmp_path, MINIMAL + people)
    assert run("build", path, "--force").exit_code == 0
    pages = badge_pages(tmp_path / "build" / "private" / "badges.docx")
    text = " ".join(t for page in pages for t in page)
    for word in ("Ελένη", "Παπαδοπούλου", "Иванов", "محمد"):
        assert word in text


@pytest.mark.slow
def test_a_very_wide_logo_stays_within_the_page(tmp_path: Path, run: Run) -> None:
    png(tmp_path / "wide.png", width=400, height=4)
    assert run("build", branded(tmp_path, "wide.png", emblem="wide.png"), "--force").exit_code == 0
    for file in ("agenda.docx", "badges.docx"):
        document = docx.Document(str(tmp_path / "build" / "private" / file))
        section: Any = document.sections[0]
        usable = section.page_width - section.left_margin - section.right_margin
        shapes = [
            *section.header._element.iter(qn("wp:extent")),
            *section.footer._element.iter(qn("wp:extent")),
            *document.element.body.iter(qn("wp:extent")),
        ]
        assert shapes
        assert all(int(shape.get("cx")) <= usable for shape in shapes), file


@pytest.mark.slow
def test_a_long_day_with_a_pasted_address_still_prints_whole_boxes(
    tmp_path: Path, run: Run
) -> None:
    sessions = "".join(
        f"  - {{id: x{n}, title: Workshop {n}, date: 2026-01-28, "
        f'start: "{8 + n}:00", end: "{8 + n}:50", venue: hall}}\n'
        for n in range(9)
    )
    text = MINIMAL.replace("sessions:\n", "sessions:\n" + sessions, 1).replace(
        "    country: NO\n",
        "    country: NO\n    organisation: https://example.org/" + "a" * 80 + "\n",
        1,
    )
    path = write(tmp_path, text)
    assert run("build", path, "--force").exit_code == 0
    workbook = load_workbook(tmp_path / "build" / "private" / "participants.xlsx")
    sheet = workbook["Attendance 2026-01-28"]
    letters = [c.column_letter for c in sheet[HEADER_ROW]]
    assert len(letters) == 5 + 9
    usable = USABLE_MM[sheet.page_setup.orientation]
    names = sum(column_mm(sheet.column_dimensions[x].width) for x in letters[:5])
    breaks = [b.id for b in sheet.col_breaks.brk] + [len(letters)]
    assert len(breaks) >= 3
    start = 5
    for end in breaks:
        boxes = [column_mm(sheet.column_dimensions[x].width) for x in letters[start:end]]
        assert boxes and min(boxes) >= SIGN_COLUMN_MM
        assert names + sum(boxes) <= usable
        start = end
