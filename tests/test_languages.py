"""Every output in the visit's language: no English fixed text in a non-English build.

The Milan example is built in each language with a catalogue. Its own texts (titles,
descriptions, names) stay as the organiser wrote them; everything visitplan adds
around them - the page's headings and buttons, the feeds' fixed texts, the workbook's
sheet names and header rows, the documents' paragraphs - must be in that language.
"""

from __future__ import annotations

import html
import re
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import docx
import icalendar
import pytest
from babel.messages.pofile import read_po
from openpyxl import load_workbook

from conftest import EXAMPLES, Run
from visitplan.build import build
from visitplan.i18n import SOURCE_LANGUAGE, languages
from visitplan.labels import Labels
from visitplan.load import load_visit

LOCALE = Path(__file__).resolve().parent.parent / "src" / "visitplan" / "locale"
OTHER = [language for language in languages() if language != SOURCE_LANGUAGE]
# One language in the quick run; every one with -m slow.
QUICK = "el" if "el" in OTHER else OTHER[0]


def english_fragments(language: str) -> list[re.Pattern[str]]:
    """The English pieces of every message the language translates differently."""
    with (LOCALE / "visitplan.pot").open("rb") as stream:
        template = read_po(stream)
    labels = Labels(language)
    found: set[str] = set()
    translations: list[str] = []
    for message in template:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
        translated = (
            labels.plural(ids[0], ids[1], 2, **_dummy(ids[1], plural=True))
            if len(ids) > 1
            else labels(ids[0], **_dummy(ids[0]))
        )
        translations.append(translated)
        for english in ids:
            for piece in re.split(r"\{\w+\}", english):
                piece = piece.strip(" :.,;()—-·")
                if len(piece) >= 4 and re.search(r"[A-Za-z]{3}", piece):
                    found.add(piece)
    patterns = [re.compile(rf"(?<![\w-]){re.escape(piece)}(?![\w-])") for piece in sorted(found)]
    # A piece the language writes the same way in any of its own messages is its own
    # word too (Italian "Date" for "Dates", German "Workshop").
    return [p for p in patterns if not any(p.search(t) for t in translations)]


def _dummy(message: str, *, plural: bool = False) -> dict[str, str]:
    """A stand-in for each field of ``message`` (a plural's ``n`` is given apart)."""
    fields = re.findall(r"\{(\w+)\}", message)
    return {name: "\x00" for name in fields if not (plural and name == "n")}


def own_texts(visit: Any) -> list[str]:
    """Every text of the visit file itself, longest first."""
    texts: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, str):
            texts.add(value)
            texts.add(" ".join(value.split()))
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)

    walk(visit.model_dump(mode="json"))
    return sorted((t for t in texts if len(t) >= 4), key=len, reverse=True)


def docx_texts(path: Path) -> Iterator[str]:
    document: Any = docx.Document(str(path))
    for paragraph in document.paragraphs:
        yield paragraph.text
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                yield cell.text
    for section in document.sections:
        for part in (section.header, section.footer):
            for paragraph in part.paragraphs:
                yield paragraph.text


def output_texts(out: Path) -> dict[str, list[str]]:
    page = (out / "public" / "index.html").read_text(encoding="utf-8")
    page = re.sub(r"<script.*?</script>|<style.*?</style>", " ", page, flags=re.S)
    texts = {"index.html": [html.unescape(t) for t in re.split(r"<[^>]+>", page)]}
    calendar = icalendar.Calendar.from_ical((out / "public" / "calendar.ics").read_bytes())
    feed = [str(calendar.get("X-WR-CALNAME", ""))]
    personal = sorted((out / "public" / "p").glob("*.ics"))
    for source in [calendar] + [icalendar.Calendar.from_ical(p.read_bytes()) for p in personal]:
        for event in source.walk("VEVENT"):
            feed += [str(event.get(key, "")) for key in ("SUMMARY", "DESCRIPTION", "LOCATION")]
            categories: Any = event.get("CATEGORIES")
            feed += [str(c) for c in categories.cats] if categories is not None else []
    texts["calendar feeds"] = feed
    workbook = load_workbook(out / "private" / "participants.xlsx", read_only=True)
    sheets = list(workbook.sheetnames)
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(max_row=4, values_only=True):
            sheets += [str(v) for v in row if isinstance(v, str)]
    texts["participants.xlsx"] = sheets
    for name in ("agenda.docx", "agenda-public.docx", "takeaways.docx", "badges.docx"):
        texts[name] = list(docx_texts(out / "private" / name))
    return texts


def english_in(out: Path, language: str, visit: Any) -> list[str]:
    fragments = english_fragments(language)
    own = own_texts(visit)
    found = []
    for output, texts in output_texts(out).items():
        for text in texts:
            for mine in own:  # the organiser's words may be in any language
                text = text.replace(mine, "\x00")
            found += [f"{output}: {p.pattern!r} in {text!r}" for p in fragments if p.search(text)]
    return found


def build_in(tmp_path: Path, language: str) -> tuple[Path, Any]:
    folder = tmp_path / "milan"
    shutil.copytree(EXAMPLES / "milan-exchange-2026", folder)
    visit_file = folder / "visit.yaml"
    text = visit_file.read_text(encoding="utf-8")
    visit_file.write_text(text.replace("  language: en", f"  language: {language}", 1), "utf-8")
    loaded = load_visit(visit_file)
    assert loaded.visit.details.language == language
    result = build(loaded, force=True)
    assert not [f for f in result.findings if f.code == "VP020"]  # nothing fell back
    return result.out, loaded.visit


def check_language(tmp_path: Path, language: str) -> None:
    out, visit = build_in(tmp_path, language)
    assert english_in(out, language, visit) == []
    page = (out / "public" / "index.html").read_text(encoding="utf-8")
    assert f'<html lang="{language}">' in page
    tag = Labels(language).tag
    styles = (out / "private" / "agenda.docx").read_bytes()
    assert tag.split("-")[0] == language
    document: Any = docx.Document(str(out / "private" / "agenda.docx"))
    languages_used = {
        element.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}val")
        for element in document.styles.element.iter(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}lang"
        )
    }
    assert languages_used == {tag}, languages_used
    assert styles


@pytest.mark.slow
def test_a_non_english_build_has_no_english_fixed_text(tmp_path: Path) -> None:
    check_language(tmp_path, QUICK)


@pytest.mark.slow
@pytest.mark.parametrize("language", OTHER)
def test_every_language_builds_without_english_fixed_text(tmp_path: Path, language: str) -> None:
    check_language(tmp_path, language)


@pytest.mark.slow
def test_the_check_would_see_english(example_builds: Mapping[str, Path]) -> None:
    """The test above can fail: an English build is full of the English fixed texts."""
    out = example_builds["milan-exchange-2026"] / "build"
    fragments = english_fragments(QUICK)
    texts = output_texts(out)
    hits = {name for name, items in texts.items() for t in items for p in fragments if p.search(t)}
    assert {"index.html", "calendar feeds", "participants.xlsx", "agenda.docx"} <= hits


def test_init_sets_the_language(tmp_path: Path, run: Run) -> None:
    result = run("init", tmp_path / "new", "--language", "el")
    assert result.exit_code == 0, result.output
    text = (tmp_path / "new" / "visit.yaml").read_text(encoding="utf-8")
    assert load_visit(tmp_path / "new" / "visit.yaml").visit.details.language == "el"
    assert "language: el" in text
    copied = run("init", tmp_path / "copy", "--example", "milan-exchange-2026", "-l", "PT")
    assert copied.exit_code == 0, copied.output
    assert load_visit(tmp_path / "copy" / "visit.yaml").visit.details.language == "pt"


@pytest.mark.parametrize("code", ["klingon", "x", "e1", "", "english"])
def test_init_refuses_a_language_that_is_not_one(tmp_path: Path, run: Run, code: str) -> None:
    result = run("init", tmp_path / "new", "--language", code)
    assert result.exit_code == 2
    assert "--language" in result.stderr and "VP004" in result.stderr
    assert not (tmp_path / "new").exists()


@pytest.mark.slow  # builds the Milan example once more
def test_a_personal_feed_speaks_the_participants_first_language(tmp_path: Path) -> None:
    """In an English visit, a participant whose first language is translated gets
    their own feed's fixed texts in it, around the visit's own titles."""
    from visitplan.state import read_state, state_path

    other = QUICK
    visit_file = tmp_path / "visit.yaml"
    shutil.copytree(EXAMPLES / "milan-exchange-2026", tmp_path, dirs_exist_ok=True)
    text = visit_file.read_text(encoding="utf-8")
    marker = "country: BE, role: Outreach coordinator,"
    assert marker in text
    visit_file.write_text(text.replace(marker, f"{marker} languages: [{other}, en],", 1), "utf-8")
    loaded = load_visit(visit_file)
    (person,) = [p for p in loaded.visit.participants if p.languages[:1] == [other]]
    english = next(p for p in loaded.visit.participants if not p.languages)
    build(loaded, force=True)
    tokens = read_state(state_path(visit_file)).tokens
    own, labels = Labels(other), Labels("en")

    def feed(person_id: str) -> list[Any]:
        path = tmp_path / "build" / "public" / "p" / f"{tokens[person_id]}.ics"
        return list(icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT"))

    mine = feed(person.id)
    summaries = {str(e["SUMMARY"]) for e in mine}
    assert own("Your arrival") in summaries and labels("Your arrival") not in summaries
    kinds = {str(c) for e in mine for c in e.get("CATEGORIES").cats}
    assert own.kind(loaded.visit.sessions[0].kind) in kinds
    titles = {s.title for s in loaded.visit.sessions}
    assert titles & summaries  # the visit's own titles, as written
    theirs = feed(english.id)
    assert labels("Your arrival") in {str(e["SUMMARY"]) for e in theirs}
    # The same sessions, revisions and UIDs in both languages (each person's own arrival
    # and departure have UIDs of their own).

    def sessions(events: list[Any]) -> set[tuple[str, int]]:
        travel = ("arrival-", "departure-")
        return {
            (str(e["UID"]), int(e["SEQUENCE"]))
            for e in events
            if not str(e["UID"]).startswith(travel)
        }

    assert sessions(mine) == sessions(theirs)


def test_the_workbook_names_its_language(example_builds: Mapping[str, Path]) -> None:
    for name, folder in example_builds.items():
        language = load_visit(folder / "visit.yaml").visit.details.language
        path = folder / "build" / "private" / "participants.xlsx"
        workbook = load_workbook(path, read_only=True)
        assert workbook.properties.language == Labels(language).tag, name
