"""``private/evaluation.docx``: the feedback's means and counts, its charts, and the
check's findings beside what participants said, read back from the built document."""

from __future__ import annotations

import io
import random
import re
import shutil
import statistics
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import yaml
from docx import Document
from docx.shared import Mm
from typer.testing import CliRunner

from cldr import full_date, one_date
from conftest import EXAMPLES
from visitplan.build import build as run_build
from visitplan.cli import app
from visitplan.exporters import exporter
from visitplan.feedback.store import Feedback, write_feedback
from visitplan.load import load_visit

SHAPE = "shape-porto-lousada"
RESPONSES = 20
NOT_ENOUGH_FREE_TIME = 14  # of RESPONSES: 70 %


def shape_visit(folder: Path) -> dict[str, Any]:
    """The visit file as YAML says it, independently of visitplan's model."""
    loaded: dict[str, Any] = yaml.safe_load((folder / "visit.yaml").read_text(encoding="utf-8"))
    return loaded


def rated(visit: dict[str, Any]) -> list[dict[str, Any]]:
    """The sessions a form asks about: programme that takes place."""
    programme = {"meeting", "site_visit", "workshop", "reflection"}
    return [
        s
        for s in visit["sessions"]
        if s.get("kind", "meeting") in programme and s.get("status") != "cancelled"
    ]


def answers_for(visit: dict[str, Any], seed: int = 19) -> list[dict[str, Any]]:
    """RESPONSES answers as a Forms export gives them: some questions skipped, the first
    three days mostly too heavy, most without enough free time."""
    rng = random.Random(seed)  # noqa: S311 - answers to test with, not secrets
    sessions = rated(visit)
    days = sorted({str(s["date"]) for s in sessions})
    responses = []
    for n in range(RESPONSES):
        response: dict[str, Any] = {}
        for session in sessions:
            if rng.random() < 0.9:
                response[f"useful.{session['id']}"] = rng.choice([1, 2, 3, 4, 4, 5, 5])
        for day in days:
            heavy = day != days[-1]
            choices = ["heavy", "heavy", "heavy", "right"] if heavy else ["right", "light"]
            response[f"load.{day}"] = rng.choice(choices)
        response["free-time"] = n >= NOT_ENOUGH_FREE_TIME
        if rng.random() < 0.5:
            response["interpretation"] = rng.choice([3, 4, 5])
        if n % 3 == 0:
            response["keep"] = f"The walking debate ({n})"
        if n % 4 == 0:
            response["change"] = "Fewer visits a day,\nand a free afternoon"
        if n == 5:
            response["comments"] = "Ευχαριστούμε: το πρόγραμμα ήταν πολύ πυκνό."
        responses.append(response)
    return responses


def one_decimal(values: list[int]) -> Decimal:
    exact = statistics.mean(Fraction(v) for v in values)
    return (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def build(visit_file: Path, *args: str) -> None:
    result = CliRunner().invoke(app, ["build", str(visit_file), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output


@dataclass
class Built:
    folder: Path
    visit: dict[str, Any]
    responses: list[dict[str, Any]]
    document: Any

    def text(self) -> str:
        return "\n".join(p.text for p in self.document.paragraphs)


@pytest.fixture(scope="module")
def shape(tmp_path_factory: pytest.TempPathFactory) -> Built:
    folder = tmp_path_factory.mktemp("evaluation") / SHAPE
    shutil.copytree(EXAMPLES / SHAPE, folder, ignore=shutil.ignore_patterns("build", "*.json"))
    for old in folder.glob("*feedback.yaml"):
        old.unlink()
    visit = shape_visit(folder)
    responses = answers_for(visit)
    title = visit["visit"]["title"]
    feedback = Feedback(visit["visit"]["id"], tuple(responses))
    write_feedback(folder / "visit.yaml", feedback, title)
    # Only the evaluation is read here: the other documents of a build are left out.
    run_build(load_visit(folder / "visit.yaml"), exporters=[exporter("evaluation-docx")])
    document = Document(str(folder / "build" / "private" / "evaluation.docx"))
    return Built(folder, visit, responses, document)


def table_with(document: Any, heading: str) -> list[list[str]]:
    for table in document.tables:
        rows = [[cell.text for cell in row.cells] for row in table.rows]
        if rows and rows[0][0] == heading:
            return rows
    raise AssertionError(f"no table headed {heading!r}")


def test_session_means_equal_the_means_of_the_answers(shape: Built) -> None:
    rows = table_with(shape.document, "Session")
    written = {row[0]: (Decimal(row[2]), int(row[3])) for row in rows[1:]}
    expected = {}
    for session in rated(shape.visit):
        values = [
            r[f"useful.{session['id']}"] for r in shape.responses if f"useful.{session['id']}" in r
        ]
        expected[" ".join(session["title"].split())] = (one_decimal(values), len(values))
    assert written == expected
    means = [mean for mean, _ in written.values()]
    assert [Decimal(row[2]) for row in rows[1:]] == sorted(means, reverse=True)


def test_overall_mean_and_responses_are_written(shape: Built) -> None:
    every = [v for r in shape.responses for k, v in r.items() if k.startswith("useful.")]
    text = shape.text()
    assert f"Mean usefulness over all sessions: {one_decimal(every)} out of 5" in text
    assert f"({len(every)} ratings of" in text
    participants = len(shape.visit["participants"])
    assert f"Responses: {RESPONSES} of {participants} participants" in text


def test_interpretation_mean_is_written(shape: Built) -> None:
    values = [r["interpretation"] for r in shape.responses if "interpretation" in r]
    assert (
        f"Quality of the interpretation: {one_decimal(values)} out of 5 (n = {len(values)})."
        in shape.text()
    )


def check_loads(visit_file: Path) -> dict[str, tuple[str, str]]:
    """Each day's programme and span as `visitplan check` draws them: 'Mon 15 May' ->
    ('8h35', '13h30')."""
    result = CliRunner().invoke(app, ["check", str(visit_file)])
    loads = {}
    for line in result.output.splitlines():
        found = re.match(r"\s+(\w{3} \d+ \w{3})\s+[#+]*\s+(\S+)\s+free\s+\S+\s+span\s+(\S+)", line)
        if found:
            loads[found[1]] = (found[2], found[3])
    return loads


def test_each_days_load_beside_the_checks_measure(shape: Built) -> None:
    measured = check_loads(shape.folder / "visit.yaml")
    days = sorted({str(s["date"]) for s in rated(shape.visit)})
    assert len(measured) == len(days)
    bullets = [p.text for p in shape.document.paragraphs if p.style.name == "List Bullet"]
    for day in days:
        counts = Counter(r[f"load.{day}"] for r in shape.responses)
        moment = date.fromisoformat(day)
        programme, span = measured[f"{moment:%a} {moment.day} {moment:%b}"]
        sentence = (
            f"{full_date(moment)}: {counts['heavy']} of {sum(counts.values())} found it too "
            f"heavy, {counts['right']} about right, {counts['light']} too light; "
        )
        line = next(b for b in bullets if b.startswith(sentence))
        assert f"; {as_document(programme)} of programme, " in line
        assert f", {as_document(span)} from first start to last end." in line


def as_document(check_hours: str) -> str:
    """The check's 8h35 as the document writes it: 8 h 35 (and 12h00: 12 h)."""
    hours, minutes = check_hours.split("h")
    return f"{hours} h {minutes}" if minutes.strip("0") else f"{hours} h"


def test_free_time_counts_and_share(shape: Built) -> None:
    enough = RESPONSES - NOT_ENOUGH_FREE_TIME
    assert (
        f"{NOT_ENOUGH_FREE_TIME} of {RESPONSES} (70%) said there was not enough free time; "
        f"{enough} (30%) said there was enough." in shape.text()
    )


def test_charts_are_print_quality_png_images(shape: Built) -> None:
    from PIL import Image

    shapes = shape.document.inline_shapes
    assert len(shapes) == 3  # usefulness, load, free time
    for inline in shapes:
        blip = inline._inline.graphic.graphicData.pic.blipFill.blip
        part = shape.document.part.related_parts[blip.embed]
        assert part.content_type == "image/png"
        image = Image.open(io.BytesIO(part.blob))
        assert image.format == "PNG"
        width, height = image.size
        dpi = image.info["dpi"]
        assert round(dpi[0]) == round(dpi[1]) == 200
        assert 1000 <= width <= 1400  # 16 cm at 200 dpi: 1260
        assert 200 <= height <= 3000
        assert abs(inline.width - Mm(160)) < Mm(1)
        assert abs(inline.height / inline.width - height / width) < 0.01
        assert b"Software" not in part.blob and b"matplotlib" not in part.blob
        assert inline._inline.docPr.get("descr")


def test_check_beside_feedback_names_vp121_and_the_share(shape: Built) -> None:
    rows = table_with(shape.document, "The check found")
    free = next(n for n, row in enumerate(rows) if row[0] == "Free time")
    found, said = rows[free + 1]
    assert "VP121 no-free-time:" in found
    assert said == f"70% said there was not enough free time ({NOT_ENOUGH_FREE_TIME} of 20)."
    day = rows.index([full_date(date(2023, 5, 15))] * 2)
    assert "VP111 long-day:" in rows[day + 1][0]
    assert "found it too heavy" in rows[day + 1][1]


def test_answers_that_agree_with_the_check_suggest_no_new_threshold(shape: Built) -> None:
    assert "The answers agree with the check's thresholds: none needs to change." in shape.text()


def test_comments_are_kept_verbatim_under_their_question(shape: Built) -> None:
    paragraphs = shape.document.paragraphs
    headings = [n for n, p in enumerate(paragraphs) if p.style.name == "Heading 2"]
    texts = {paragraphs[n].text: n for n in headings}
    keep = texts["What should the next visit keep?"]
    change = texts["What should the next visit change?"]
    comments = texts["Any other comments?"]
    assert [p.text for p in paragraphs[keep + 1 : change]] == [
        r["keep"] for r in shape.responses if "keep" in r
    ]
    assert [p.text for p in paragraphs[change + 1 : comments]] == [
        r["change"] for r in shape.responses if "change" in r
    ]
    assert [p.text for p in paragraphs[comments + 1 :]] == [
        r["comments"] for r in shape.responses if "comments" in r
    ]


def test_no_participant_name_in_the_evaluation(shape: Built) -> None:
    text = shape.text() + "".join(
        cell.text for table in shape.document.tables for row in table.rows for cell in row.cells
    )
    for person in shape.visit["participants"]:
        assert person["name"] not in text
    assert not (shape.folder / "build" / "public" / "evaluation.docx").exists()


@pytest.mark.slow
def test_no_evaluation_without_feedback(shape: Built) -> None:
    revised = shape.folder / "visit-revised.yaml"
    assert not (shape.folder / "visit-revised.feedback.yaml").exists()
    out = shape.folder / "revised-build"
    build(revised, "-o", str(out))
    assert (out / "private" / "takeaways.docx").exists()
    assert not list(out.rglob("evaluation*"))


def test_help_does_not_import_matplotlib() -> None:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "visitplan", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "matplotlib" not in done.stderr
    assert "numpy" not in done.stderr


# --- The charts on their own ---------------------------------------------------------


@pytest.mark.slow
def test_same_answers_give_the_same_chart_bytes() -> None:
    from visitplan.exporters._charts import usefulness_chart

    rows = [("Ένα", 4.2, "4,2 (n = 5)"), ("Два", 3.0, "3,0 (n = 4)")]
    assert usefulness_chart(rows, "axis") == usefulness_chart(rows, "axis")


def test_titles_with_dollars_and_control_characters_are_drawn_as_text() -> None:
    from PIL import Image

    from visitplan.exporters._charts import short_label, usefulness_chart

    title = "Budget: $5 a day, $10 with \\frac{1}{2} lunch\x07 " + "very long " * 20
    label = short_label(title)
    assert label.count("\n") == 1 and label.endswith("…")
    png = usefulness_chart([(label, 5.0, "5.0 (n = 1)")], "x")
    assert Image.open(io.BytesIO(png)).size[0] > 1000


def chart_characters(language: str) -> Iterator[str]:
    """Every text the charts of a visit in ``language`` draw, with session titles in
    Greek and Cyrillic."""
    from visitplan.feedback.questions import LOAD_WORDS
    from visitplan.labels import Labels

    labels = Labels(language)
    yield from (labels(word) for word in LOAD_WORDS.values())
    for message in (
        "Mean usefulness (1 = not useful, 5 = very useful)",
        "As participants felt it",
        "As the check measures it",
        "Share of the answers (%)",
        "Hours",
        "Programme",
        "Span of the day",
        "Limits of the check",
        "Enough free time",
        "Not enough free time",
        "Answers",
    ):
        yield labels(message)
    yield labels.full_date(date(2023, 5, 17))
    yield "Συνάντηση με τον Δήμο Θεσσαλονίκης · Встреча с мэрией"


@pytest.mark.parametrize("language", ["el", "de", "pl", "hr", "ro", "hu"])
def test_chart_font_has_every_character_of_the_charts(language: str) -> None:
    """No character drawn as a box: DejaVu Sans, the charts' font, has them all."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    from visitplan.exporters._charts import FONT

    font = FT2Font(font_manager.findfont(font_manager.FontProperties(family=FONT)))
    assert font.family_name == FONT
    covered = set(font.get_charmap())
    missing = {c for text in chart_characters(language) for c in text if ord(c) not in covered}
    assert not missing - {"\n"}


# --- Thresholds the answers contradict ------------------------------------------------


def evaluation_of(visit_file: Path, responses: list[dict[str, Any]]) -> Any:
    from visitplan.checks import run_checks
    from visitplan.exporters.evaluation_docx import evaluate
    from visitplan.load import load_visit

    loaded = load_visit(visit_file)
    feedback = Feedback(loaded.visit.details.id, tuple(responses))
    return evaluate(loaded.visit, feedback, run_checks(loaded))


def test_a_light_day_felt_too_heavy_suggests_a_lower_programme_limit() -> None:
    visit_file = EXAMPLES / SHAPE / "visit.yaml"
    responses = [{"load.2023-05-18": "heavy"}] * 3 + [{"load.2023-05-18": "right"}]
    suggestions = evaluation_of(visit_file, responses).suggestions
    # Thursday has 2 h 30 of programme and no finding: below 2 h 30 the check flags it.
    assert [(s.setting, s.value, s.current) for s in suggestions] == [
        ("max_programme_hours", 2.0, 6.0)
    ]


def test_flagged_days_felt_about_right_suggest_a_higher_limit() -> None:
    visit_file = EXAMPLES / SHAPE / "visit.yaml"
    responses = [
        {"load.2023-05-15": "right", "load.2023-05-16": "right", "load.2023-05-17": "heavy"}
    ] * 3
    suggestions = evaluation_of(visit_file, responses).suggestions
    # Tuesday (9 h 50 of programme) was felt about right, Wednesday (8 h 25) too heavy:
    # no single limit fits both, so none is suggested for the programme hours.
    assert not [s for s in suggestions if s.setting == "max_programme_hours"]
    responses = [{"load.2023-05-15": "right", "load.2023-05-16": "right"}] * 3
    suggestions = evaluation_of(visit_file, responses).suggestions
    assert ("max_programme_hours", 10.0) in [(s.setting, s.value) for s in suggestions]
    assert ("max_day_span_hours", 13.5) in [(s.setting, s.value) for s in suggestions]


def test_enough_free_time_despite_the_check_suggests_a_longer_stretch() -> None:
    visit_file = EXAMPLES / SHAPE / "visit.yaml"
    suggestions = evaluation_of(visit_file, [{"free-time": True}] * 4).suggestions
    assert [(s.setting, s.value, s.share) for s in suggestions] == [
        ("free_time_every_days", 4, 100)
    ]


@pytest.mark.slow
def test_contradicted_threshold_is_written_in_the_document(tmp_path: Path) -> None:
    folder = tmp_path / SHAPE
    shutil.copytree(EXAMPLES / SHAPE, folder, ignore=shutil.ignore_patterns("build", "*.json"))
    visit = shape_visit(folder)
    responses: list[dict[str, Any]] = [{"load.2023-05-18": "heavy", "useful.d4-evaluation": 2}] * 5
    write_feedback(folder / "visit.yaml", Feedback(visit["visit"]["id"], tuple(responses)), "x")
    build(folder / "visit.yaml")
    document = Document(str(folder / "build" / "private" / "evaluation.docx"))
    text = "\n".join(p.text for p in document.paragraphs)
    assert (
        f"Most participants found {one_date(date(2023, 5, 18))} too heavy, but the check "
        "found no long day there. For the next visit, set `max_programme_hours: 2` under "
        "`rules:` (now 6)" in text
    )
    assert len(document.inline_shapes) == 2  # no free-time answers: no free-time chart


@pytest.mark.slow
def test_greek_visit_evaluation_in_greek(tmp_path: Path) -> None:
    from visitplan.labels import Labels

    folder = tmp_path / SHAPE
    shutil.copytree(EXAMPLES / SHAPE, folder, ignore=shutil.ignore_patterns("build", "*.json"))
    source = folder / "visit.yaml"
    text = source.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^(  language:).*$", r"\1 el", text, count=1)
    if "  language: el" not in text:
        text = text.replace("visit:\n", "visit:\n  language: el\n", 1)
    source.write_text(text, encoding="utf-8")
    visit = shape_visit(folder)
    assert visit["visit"]["language"] == "el"
    write_feedback(source, Feedback(visit["visit"]["id"], tuple(answers_for(visit))), "x")
    build(source)
    document = Document(str(folder / "build" / "private" / "evaluation.docx"))
    labels = Labels("el")
    assert document.paragraphs[0].text == labels("Evaluation of the visit")
    assert labels("Evaluation of the visit") != "Evaluation of the visit"
    assert document.core_properties.language == "el-GR"
    descriptions = [s._inline.docPr.get("descr") for s in document.inline_shapes]
    assert len(descriptions) == 3
    for description in descriptions:
        assert re.search("[α-ω]", description), description
    assert labels("As participants felt it") in descriptions[1]


@pytest.mark.slow
def test_no_answers_yet_gives_an_evaluation_without_charts_or_verdict(tmp_path: Path) -> None:
    folder = tmp_path / SHAPE
    shutil.copytree(EXAMPLES / SHAPE, folder, ignore=shutil.ignore_patterns("build", "*.json"))
    visit = shape_visit(folder)
    write_feedback(folder / "visit.yaml", Feedback(visit["visit"]["id"], ()), "x")
    build(folder / "visit.yaml")
    document = Document(str(folder / "build" / "private" / "evaluation.docx"))
    texts = [p.text for p in document.paragraphs]
    assert f"Responses: 0 of {len(visit['participants'])} participants" in texts
    assert "[No answers to the feedback form yet.]" in texts
    assert len(document.inline_shapes) == 0
    assert not [t for t in texts if "thresholds" in t]


def test_no_threshold_is_suggested_for_a_check_the_visit_turns_off(tmp_path: Path) -> None:
    source = (EXAMPLES / SHAPE / "visit.yaml").read_text(encoding="utf-8")
    visit_file = tmp_path / "visit.yaml"
    visit_file.write_text(source + "\nrules:\n  ignore: [long-day, VP112]\n", encoding="utf-8")
    responses = [{"load.2023-05-18": "heavy"}] * 3
    assert evaluation_of(visit_file, responses).suggestions == []
