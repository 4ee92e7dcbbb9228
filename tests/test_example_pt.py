"""The Italy example ships in Portuguese for its Portuguese delegation: its outputs say
so to browsers, Word and calendars, and carry the visit's own Portuguese texts, while
the Italian institutions and places keep their Italian names."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import docx
import html5lib
import icalendar
import pytest
from docx.oxml.ns import qn

import cldr
from conftest import EXAMPLES
from visitplan.load import load_visit
from visitplan.model import SessionKind, Visit

ITALY = "italy-study-visit-2026"
XHTML = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture(scope="module")
def visit() -> Visit:
    return load_visit(EXAMPLES / ITALY / "visit.yaml").visit


@pytest.fixture(scope="module")
def build_dir(example_builds: Mapping[str, Path]) -> Path:
    return example_builds[ITALY] / "build"


def word_text(path: Path) -> str:
    document: Any = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    for section in document.sections:
        for part in (section.header, section.footer):
            # Headers and footers lay their text out in tables as well as paragraphs.
            parts.append("".join(n.text or "" for n in part._element.iter(qn("w:t"))))
    return "\n".join(parts)


def test_the_visit_is_declared_portuguese(visit: Visit) -> None:
    assert visit.details.language == "pt"


def test_page_says_it_is_portuguese(build_dir: Path) -> None:
    parser = html5lib.HTMLParser(strict=True)
    page = parser.parse((build_dir / "public" / "index.html").read_text(encoding="utf-8"))
    assert page.get("lang") == "pt"


@pytest.mark.parametrize(
    "file", ["agenda.docx", "agenda-public.docx", "takeaways.docx", "badges.docx"]
)
def test_word_documents_are_in_european_portuguese(build_dir: Path, file: str) -> None:
    path = build_dir / "private" / file
    with zipfile.ZipFile(path) as archive:
        styles = archive.read("word/styles.xml").decode()
    assert set(re.findall(r'<w:lang w:val="([^"]+)"', styles)) == {"pt-PT"}
    assert docx.Document(str(path)).core_properties.language == "pt-PT"


def test_agenda_days_are_written_in_portuguese(build_dir: Path, visit: Visit) -> None:
    document: Any = docx.Document(str(build_dir / "private" / "agenda.docx"))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    for day in visit.details.days():
        assert cldr.full_date(day, "pt") in headings, day


def test_delegation_is_listed_under_portugal_in_portuguese(build_dir: Path) -> None:
    document: Any = docx.Document(str(build_dir / "private" / "agenda.docx"))
    people = document.tables[-1]
    countries = [row.cells[0].text for row in people.rows[1:] if len(row._tr.tc_lst) == 1]
    assert countries == [cldr.country("PT", "pt")]


def test_agenda_carries_the_visits_portuguese_texts(build_dir: Path, visit: Visit) -> None:
    text = word_text(build_dir / "private" / "agenda.docx")
    details = visit.details
    assert details.title.startswith("Visita de estudo a Itália")
    assert details.title in text
    for objective in details.objectives:
        assert " ".join(objective.text.split()) in text
    assert details.guiding_question is not None
    assert " ".join(details.guiding_question.split()) in text
    funding = details.branding.funding
    assert funding is not None and funding.statement.startswith("Financiado pela União Europeia")
    assert " ".join(funding.statement.split()) in text
    for person in visit.participants:
        assert person.name in text and (person.role or "") in text
    assert "Agência para a Integração, Migrações e Asilo (AIMA)" in text
    assert "Instituto da Segurança Social (ISS)" in text


def test_meals_and_site_visits_are_titled_in_portuguese(visit: Visit) -> None:
    meals = [s.title for s in visit.sessions if s.kind is SessionKind.MEAL]
    assert meals and set(meals) == {"Almoço"}
    visits = [s.title for s in visit.sessions if s.kind is SessionKind.SITE_VISIT]
    assert visits and all(t.startswith("Visita de campo: ") for t in visits)


def test_italian_institutions_and_places_keep_their_italian_names(
    build_dir: Path, visit: Visit
) -> None:
    takeaways = word_text(build_dir / "private" / "takeaways.docx")
    for host_id, name in [
        ("interior", "Ministero dell'Interno"),
        ("rome-social", "Comune di Roma – Servizi Sociali"),
        ("sammartini", "Centro Sammartini e Unità Mobili del Comune di Milano"),
    ]:
        host = visit.host(host_id)
        assert host is not None and host.name == name
        assert name in takeaways
    sammartini = visit.venue("sammartini")
    assert sammartini is not None and sammartini.address is not None
    assert sammartini.address.startswith("Via Giovanni Battista Sammartini")


def test_calendar_events_carry_the_portuguese_titles(build_dir: Path, visit: Visit) -> None:
    feed = icalendar.Calendar.from_ical((build_dir / "public" / "calendar.ics").read_bytes())
    summaries = {str(e["UID"]).split("@")[0]: str(e["SUMMARY"]) for e in feed.walk("VEVENT")}
    assert summaries == {s.id: s.title for s in visit.sessions}
    train = next(s for s in visit.sessions if s.id == "d4-train")
    assert train.title == "Comboio de alta velocidade Roma–Milão"
