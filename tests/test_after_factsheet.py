"""The good-practice factsheet (private/factsheet.docx), built by the CLI and read back
with python-docx: the seed's sections, the background table, the participants by
organisation, role and country without a name, and the evaluation from the answers."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import docx
import pytest
from babel.numbers import format_decimal, format_percent
from docx.shared import RGBColor
from typer.testing import CliRunner

from conftest import EXAMPLES, MINIMAL
from visitplan.cli import app
from visitplan.dates import locale_of
from visitplan.exporters.factsheet_docx import section_titles
from visitplan.feedback.questions import FREE_TIME, LOAD_PREFIX, USEFUL_PREFIX, rated_sessions
from visitplan.feedback.store import Feedback, write_feedback
from visitplan.labels import Labels
from visitplan.load import load_visit
from visitplan.model import Visit

GREY = RGBColor(0x7F, 0x7F, 0x7F)
SHAPE = EXAMPLES / "shape-porto-lousada"
# The sections of the SHAPE project's "Factsheet of good practice", in its order.
SEED_SECTIONS = [
    "Background information",
    "Summary",
    "Goals",
    "How does it work?",
    "Results",
    "Evaluation",
    "Who benefits?",
    "Source of funding and resources used",
    "Replicability",
    "Insights gained",
]
SHAPE_PARTICIPANTS = 23


def cli_build(visit_file: Path) -> Path:
    result = CliRunner().invoke(app, ["build", str(visit_file), "-q", "--force"])
    assert result.exit_code == 0, result.output
    # VP020: wording missing in the visit's language, written in English instead.
    assert "VP020" not in result.output, result.output
    return visit_file.parent / "build" / "private" / "factsheet.docx"


def shape_copy(folder: Path, language: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    text = (SHAPE / "visit.yaml").read_text(encoding="utf-8")
    if language:
        text = re.sub(r"^  language: \w+$", f"  language: {language}", text, count=1, flags=re.M)
    target = folder / "visit.yaml"
    target.write_text(text, encoding="utf-8")
    return target


def answers(visit: Visit) -> Feedback:
    """Twenty made-up responses: varied ratings, most days felt too heavy, most
    wanting more free time."""
    sessions = rated_sessions(visit)
    days = sorted({s.date for s in sessions})
    responses = []
    for n in range(20):
        response: dict[str, int | str | bool] = {
            USEFUL_PREFIX + s.id: (n + 2 * k) % 5 + 1 for k, s in enumerate(sessions) if n % 7
        }
        for k, day in enumerate(days):
            response[LOAD_PREFIX + day.isoformat()] = "heavy" if (n + k) % 4 else "right"
        if n % 5:
            response[FREE_TIME] = n % 3 == 0
        responses.append(response)
    return Feedback(visit.details.id, tuple(responses))


@pytest.fixture(scope="module")
def shape_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """SHAPE in English, with no answers to the feedback form, built."""
    visit_file = shape_copy(tmp_path_factory.mktemp("shape-en"))
    cli_build(visit_file)
    return visit_file


@pytest.fixture(scope="module")
def shape(shape_file: Path) -> Any:
    return docx.Document(str(shape_file.parent / "build" / "private" / "factsheet.docx"))


@pytest.fixture(scope="module")
def greek(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Visit, Feedback]:
    """SHAPE in Greek, with answers to the feedback form beside it."""
    visit_file = shape_copy(tmp_path_factory.mktemp("shape-el"), "el")
    visit = load_visit(visit_file).visit
    feedback = answers(visit)
    write_feedback(visit_file, feedback, visit.details.title)
    return docx.Document(str(cli_build(visit_file))), visit, feedback


def level_one(document: Any) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name == "Heading 1"]


def section(document: Any, title: str) -> list[Any]:
    """The paragraphs under the level-1 heading ``title``, up to the next one."""
    found: list[Any] = []
    inside = False
    for paragraph in document.paragraphs:
        if paragraph.style.name == "Heading 1":
            inside = paragraph.text == title
            continue
        if inside and paragraph.text.strip():
            found.append(paragraph)
    return found


def is_prompt(paragraph: Any) -> bool:
    runs = [r for r in paragraph.runs if r.text.strip()]
    return bool(runs) and all(r.italic and r.font.color.rgb == GREY for r in runs)


def table_after(document: Any, header: list[str]) -> Any:
    return next(t for t in document.tables if [c.text for c in t.rows[0].cells] == header)


def participants_table(document: Any, labels: Labels) -> Any:
    return table_after(document, [labels("Organisation"), labels("Role"), labels("Country")])


def totals_table(document: Any, labels: Labels) -> Any:
    return table_after(document, [labels("Country"), labels("Participants")])


def all_cells(document: Any) -> list[str]:
    return [cell.text for table in document.tables for row in table.rows for cell in row.cells]


# -- structure ---------------------------------------------------------------------


def test_the_headings_are_the_seed_sections_in_order(shape: Any) -> None:
    assert level_one(shape) == SEED_SECTIONS
    assert [p.text for p in shape.paragraphs if p.style.name == "Title"] == [
        "Factsheet of good practice"
    ]


@pytest.mark.slow
def test_a_greek_build_has_the_sections_in_greek(greek: tuple[Any, Visit, Feedback]) -> None:
    document, _, _ = greek
    labels = Labels("el")
    expected = section_titles(labels)
    assert level_one(document) == expected
    assert not labels.missing
    assert all(re.search("[α-ωΑ-Ω]", heading) for heading in expected)


def test_the_title_page_names_the_visit(shape: Any) -> None:
    texts = [p.text for p in shape.paragraphs[:4]]
    assert load_visit(SHAPE / "visit.yaml").visit.details.title in texts


# -- background table ----------------------------------------------------------------


def test_the_background_table_holds_what_the_visit_file_knows(shape: Any) -> None:
    visit = load_visit(SHAPE / "visit.yaml").visit
    labels = Labels("en")
    table = shape.tables[0]
    cells = {row.cells[0].text: row.cells[1] for row in table.rows}
    assert cells["Title"].text == visit.details.title
    assert cells["Geographic area"].text == labels.country("PT")
    assert cells["Cities"].text == labels.join(visit.cities())
    assert cells["Organisation"].text == visit.details.organiser
    assert cells["Contact person or organisation"].text == visit.details.organiser
    assert cells["Website"].text == visit.details.publishing.base_url
    assert cells["Start date"].text == labels.date(visit.details.start_date)
    assert cells["End date"].text == labels.date(visit.details.end_date)
    # The visit file keeps no address for readers: the cell asks for one.
    assert is_prompt(cells["Contact email"].paragraphs[0])


# -- results -----------------------------------------------------------------------------


def test_the_participants_table_has_a_row_per_participant_and_no_name(shape: Any) -> None:
    visit = load_visit(SHAPE / "visit.yaml").visit
    labels = Labels("en")
    table = participants_table(shape, labels)
    rows = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert len(rows) == SHAPE_PARTICIPANTS == len(visit.participants)
    assert Counter(tuple(r) for r in rows) == Counter(
        (p.organisation or "", p.role or "", labels.country(p.country)) for p in visit.participants
    )
    keys = [(labels.sort_key(r[2]), labels.sort_key(r[0])) for r in rows]
    assert keys == sorted(keys)
    text = "\n".join(all_cells(shape)) + "\n".join(p.text for p in shape.paragraphs)
    for person in visit.participants:
        assert person.name not in text
        assert person.id not in text


def test_the_totals_by_country_add_up_to_every_participant(shape: Any) -> None:
    visit = load_visit(SHAPE / "visit.yaml").visit
    labels = Labels("en")
    rows = [[c.text for c in row.cells] for row in totals_table(shape, labels).rows[1:]]
    *countries, total = rows
    assert total == [labels("Total"), str(SHAPE_PARTICIPANTS)]
    assert sum(int(n) for _, n in countries) == SHAPE_PARTICIPANTS
    assert {c: int(n) for c, n in countries} == Counter(
        labels.country(p.country) for p in visit.participants
    )


def test_the_results_say_how_many_came_from_where(shape: Any) -> None:
    visit = load_visit(SHAPE / "visit.yaml").visit
    labels = Labels("en")
    countries = labels.join(sorted({labels.country(p.country) for p in visit.participants}))
    texts = [p.text for p in section(shape, "Results")]
    assert is_prompt(section(shape, "Results")[0])
    assert any(t.startswith(f"{SHAPE_PARTICIPANTS} participants (") for t in texts)
    assert any(f"from {countries} took part" in t for t in texts)
    # The most frequent role comes first, written as running text writes it.
    role, _ = Counter(p.role for p in visit.participants).most_common(1)[0]
    assert role and any(f"participants ({role[0].lower()}{role[1:]}" in t for t in texts)


def test_how_it_works_has_a_paragraph_per_host_visited(shape: Any) -> None:
    visit = load_visit(SHAPE / "visit.yaml").visit
    visited: list[str] = []
    for session in visit.active_sessions():
        if session.kind in {"meeting", "site_visit", "workshop", "reflection"}:
            visited += [h for h in session.hosts if h not in visited]
    paragraphs = section(shape, "How does it work?")[1:]
    assert [p.runs[0].text.rstrip(":") for p in paragraphs] == [
        host.name for hid in visited if (host := visit.host(hid))
    ]
    for paragraph, hid in zip(paragraphs, visited, strict=True):
        host = visit.host(hid)
        assert host is not None
        assert paragraph.runs[0].bold
        if host.description:
            assert " ".join(host.description.split()) in paragraph.text
        assert is_prompt_run(paragraph.runs[-1])


def is_prompt_run(run: Any) -> bool:
    return bool(run.italic) and run.font.color.rgb == GREY and run.text.startswith("[")


def test_funding_names_the_funder_and_the_rest_are_prompts(shape: Any) -> None:
    visit = load_visit(SHAPE / "visit.yaml").visit
    funding = section(shape, "Source of funding and resources used")
    assert visit.details.funder in funding[0].text
    assert is_prompt(funding[-1])
    for title in ("Who benefits?", "Replicability", "Insights gained"):
        paragraphs = section(shape, title)
        assert paragraphs and all(is_prompt(p) for p in paragraphs)
        assert all(p.text.rstrip("]").endswith("?") for p in paragraphs)


# -- evaluation ----------------------------------------------------------------------


def test_without_answers_the_evaluation_is_a_prompt(shape: Any) -> None:
    paragraphs = section(shape, "Evaluation")
    assert len(paragraphs) == 1 and is_prompt(paragraphs[0])


@pytest.mark.slow
def test_with_answers_the_evaluation_is_filled_in(greek: tuple[Any, Visit, Feedback]) -> None:
    document, visit, feedback = greek
    labels = Labels("el")
    locale = locale_of("el")
    paragraphs = section(document, labels("Evaluation"))
    assert not is_prompt(paragraphs[0]) and is_prompt(paragraphs[-1])
    text = paragraphs[0].text
    ratings = [
        r[USEFUL_PREFIX + s.id]
        for r in feedback.responses
        for s in rated_sessions(visit)
        if USEFUL_PREFIX + s.id in r
    ]
    free = [r[FREE_TIME] for r in feedback.responses if FREE_TIME in r]
    assert (
        labels.plural(
            "{responses} of {n} participant answered the feedback form.",
            "{responses} of {n} participants answered the feedback form.",
            len(visit.participants),
            responses=len(feedback.responses),
        )
        in text
    )
    mean = sum(int(r) for r in ratings) / len(ratings)
    assert format_decimal(mean, format="0.0", locale=locale) in text
    assert format_percent(free.count(False) / len(free), locale=locale) in text
    for day in sorted({s.date for s in rated_sessions(visit)}):
        loads = [r[LOAD_PREFIX + day.isoformat()] for r in feedback.responses]
        heavy = 2 * loads.count("heavy") > len(loads)
        assert (labels.full_date(day) in text) == heavy
    means = []
    for session in rated_sessions(visit):
        given = [
            int(r[USEFUL_PREFIX + session.id])
            for r in feedback.responses
            if USEFUL_PREFIX + session.id in r
        ]
        means.append((-sum(given) / len(given), session.starts_at, session.title))
    best = sorted(means)[:3]
    assert text.endswith(
        labels(
            "The best-rated sessions: {sessions}.",
            sessions=labels.join(
                [
                    labels(
                        "“{title}” ({mean})",
                        title=title,
                        mean=format_decimal(-mean, format="0.0", locale=locale),
                    )
                    for mean, _, title in best
                ]
            ),
        )
    )


@pytest.mark.slow
def test_a_feedback_file_with_no_response_leaves_the_prompt(tmp_path: Path) -> None:
    visit_file = tmp_path / "visit.yaml"
    visit_file.write_text(MINIMAL, encoding="utf-8")
    write_feedback(visit_file, Feedback("mini", ()), "Mini visit")
    document = docx.Document(str(cli_build(visit_file)))
    paragraphs = section(document, "Evaluation")
    assert len(paragraphs) == 1 and is_prompt(paragraphs[0])


# -- other visits --------------------------------------------------------------------

ATTACK = MINIMAL.replace(
    """participants:
  - id: p1
    name: Representative, Norway
    country: NO
""",
    """hosts:
  - id: quiet
    name: Ευρωπαϊκό Κέντρο   Ένταξης
    level: national
participants:
  - id: p1
    name: Ingrid Solberg
    organisation: "Oslo\\tkommune"
    role: Adviser
    country: no
    email: ingrid.solberg@example.org
  - id: p2
    name: Олена Коваленко
    organisation: Київська міська рада
    role: Спеціалістка
    country: UA
    email: olena@example.org
  - id: nobody
    name: Fatima Zahra El Amrani
""",
).replace("    objectives: [learn]\n", "    objectives: [learn]\n    hosts: [quiet]\n")


def test_real_names_and_an_empty_participant_stay_out(tmp_path: Path) -> None:
    visit_file = tmp_path / "visit.yaml"
    visit_file.write_text(ATTACK, encoding="utf-8")
    document = docx.Document(str(cli_build(visit_file)))
    visit = load_visit(visit_file).visit
    labels = Labels("en")
    rows = [[c.text for c in r.cells] for r in participants_table(document, labels).rows[1:]]
    assert rows == [
        ["Oslo kommune", "Adviser", labels.country("NO")],
        ["Київська міська рада", "Спеціалістка", labels.country("UA")],
        ["", "", ""],
    ]
    text = "\n".join(all_cells(document) + [p.text for p in document.paragraphs])
    for person in visit.participants:
        assert person.name not in text
        assert person.email is None or person.email not in text
        for part in person.name.split():
            assert part not in text
    totals = [[c.text for c in r.cells] for r in totals_table(document, labels).rows[1:]]
    assert sum(int(n) for _, n in totals[:-1]) == len(visit.participants) == 3
    assert totals[-2] == [labels("(not given)"), "1"]
    # A host with no description still gets its paragraph, and a prompt to describe it.
    host = section(document, "How does it work?")[1]
    assert host.runs[0].text == "Ευρωπαϊκό Κέντρο Ένταξης:"
    assert is_prompt_run(host.runs[-1])


@pytest.mark.slow
def test_a_visit_with_no_hosts_asks_who_was_visited(tmp_path: Path) -> None:
    visit_file = tmp_path / "visit.yaml"
    visit_file.write_text(MINIMAL, encoding="utf-8")
    document = docx.Document(str(cli_build(visit_file)))
    assert level_one(document) == SEED_SECTIONS
    paragraphs = section(document, "How does it work?")
    assert len(paragraphs) == 1 and is_prompt(paragraphs[0])
    # No organiser, funder, description or website: each is asked for, none left blank.
    cells = {row.cells[0].text: row.cells[1] for row in document.tables[0].rows}
    for label in ("Organisation", "Contact person or organisation", "Contact email", "Website"):
        assert is_prompt(cells[label].paragraphs[0]), label
    assert is_prompt(section(document, "Summary")[0])


CANCELLED_HOST = MINIMAL.replace(
    "    objectives: [learn]\n",
    """    objectives: [learn]
    hosts: [quiet]
    status: cancelled
  - id: s2
    title: Walk
    date: 2026-01-28
    start: 9:30
    end: 10:30
    venue: hall
    objectives: [learn]
hosts:
  - id: quiet
    name: Quiet host
    level: municipal
    description: Seen only on paper.
""",
)


@pytest.mark.slow
def test_a_host_met_only_in_a_cancelled_session_is_not_described(tmp_path: Path) -> None:
    visit_file = tmp_path / "visit.yaml"
    visit_file.write_text(CANCELLED_HOST, encoding="utf-8")
    document = docx.Document(str(cli_build(visit_file)))
    paragraphs = section(document, "How does it work?")
    assert len(paragraphs) == 1 and is_prompt(paragraphs[0])
    assert "Quiet host" not in paragraphs[0].text


def test_a_control_character_stops_the_build_at_its_place(tmp_path: Path) -> None:
    visit_file = tmp_path / "visit.yaml"
    visit_file.write_text(
        ATTACK.replace('"Oslo\\tkommune"', '"Oslo\\u0007kommune"'), encoding="utf-8"
    )
    result = CliRunner().invoke(app, ["build", str(visit_file), "-q", "--force"])
    assert result.exit_code == 2
    assert re.search(r"visit\.yaml:\d+:\d+: error VP\d+: participant 'p1'", result.output)
    assert not (tmp_path / "build").exists()


def test_the_factsheet_stays_private(shape_file: Path) -> None:
    build = shape_file.parent / "build"
    assert (build / "private" / "factsheet.docx").is_file()
    assert not list((build / "public").rglob("factsheet*"))


@pytest.mark.slow
@pytest.mark.office
@pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None,
    reason="needs LibreOffice and poppler's pdftotext",
)
def test_the_greek_factsheet_prints_its_totals_on_one_page(tmp_path: Path) -> None:
    """LibreOffice's pages: the totals by country and their heading on one page, the
    column heading unbroken, and "Page X of Y" in Greek."""
    visit_file = shape_copy(tmp_path / "el", "el")
    factsheet = cli_build(visit_file)
    done = subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(factsheet),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "factsheet.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pages = text.split("\f")
    labels = Labels("el")
    visit = load_visit(visit_file).visit
    page = next(p for p in pages if labels("Participants by country") in p)
    for country in {labels.country(p.country) for p in visit.participants}:
        assert country in page.split(labels("Participants by country"))[1]
    assert labels("Total") in page
    assert re.search(rf"{labels('Country')}\s+{labels('Participants')}", page)
