"""Versions that last: the latest changes stay on the page and in changes.json until a
newer version replaces them, every version is kept in the state file, and each change
says what changed and whom it concerns."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import html5lib
import pytest

from conftest import Run, write
from visitplan.labels import Labels
from visitplan.load import load_visit
from visitplan.publication import changes_for, concerned
from visitplan.state import read_state, state_path

GROUPED = """\
visit:
  id: grouped
  title: Grouped visit
  start_date: 2026-03-27
  end_date: 2026-03-30
  timezone: Europe/Rome
  country: IT
  language: en
venues:
  - id: hall
    name: Hall
    address: Via Roma 1
    city: Milan
  - id: annex
    name: Annex
    address: Corso Como 5
    city: Milan
groups:
  - id: a
    name: Group A
  - id: b
    name: Group B
sessions:
  - id: s1
    title: Welcome
    date: 2026-03-27
    start: "09:30"
    end: "10:30"
    venue: hall
  - id: s2
    title: Workshop on housing
    date: 2026-03-27
    start: "11:00"
    end: "12:00"
    venue: hall
    groups: [a]
  - id: s3
    title: Workshop on work
    date: 2026-03-27
    start: "14:00"
    end: "15:00"
    venue: annex
    groups: [b]
participants:
  - id: p1
    name: Anna Maria Rossi
    group: a
    dietary: vegetarian, no nuts please
  - id: p2
    name: Jan de Vries
    group: b
  - id: p3
    name: Ewa Kowalska
    group: a
"""


def build(run: Run, visit_file: Path) -> Path:
    result = run("build", visit_file)
    assert result.exit_code == 0, result.output
    return visit_file.parent / "build" / "public"


def changes_json(public: Path) -> dict:  # type: ignore[type-arg]
    loaded: dict = json.loads((public / "changes.json").read_text(encoding="utf-8"))  # type: ignore[type-arg]
    return loaded


def page_notice(public: Path) -> tuple[str, list[str], list[str]]:
    """The notice's heading, its changes, and the headings of earlier versions."""
    document = html5lib.parse(
        (public / "index.html").read_text(encoding="utf-8"), namespaceHTMLElements=False
    )
    section = document.find(".//section[@class='changes']")
    if section is None:
        return "", [], []
    heading = section.find("h2")
    latest = section.find("ul")
    earlier = section.find("details")
    return (
        "".join(heading.itertext()) if heading is not None else "",
        ["".join(li.itertext()) for li in latest.findall("li")] if latest is not None else [],
        ["".join(h.itertext()) for h in earlier.findall("h3")] if earlier is not None else [],
    )


def edit(visit_file: Path, old: str, new: str) -> None:
    text = visit_file.read_text(encoding="utf-8")
    assert old in text
    visit_file.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.slow
def test_a_build_without_programme_change_keeps_the_latest_notice(tmp_path: Path, run: Run) -> None:
    visit_file = write(tmp_path, GROUPED)
    build(run, visit_file)
    edit(visit_file, '    end: "10:30"\n    venue: hall', '    end: "10:30"\n    venue: annex')
    public = build(run, visit_file)
    heading, changes, _ = page_notice(public)
    assert heading.startswith("Changed in version 2")
    assert len(changes) == 1 and "Welcome" in changes[0]
    first = changes_json(public)
    # Only a participant's needs change: no new version, and the notice stays.
    edit(visit_file, "vegetarian, no nuts please", "vegan")
    public = build(run, visit_file)
    assert page_notice(public)[:2] == (heading, changes)
    again = changes_json(public)
    assert again["version"] == first["version"] == 2
    assert again["changes"] == first["changes"]
    assert again["since"] == first["since"] is not None


@pytest.mark.slow
def test_a_venue_change_names_the_new_place_with_its_address(tmp_path: Path, run: Run) -> None:
    visit_file = write(tmp_path, GROUPED)
    build(run, visit_file)
    edit(visit_file, '    end: "10:30"\n    venue: hall', '    end: "10:30"\n    venue: annex')
    public = build(run, visit_file)
    (change,) = changes_json(public)["changes"]
    assert change["place"] == "Annex, Corso Como 5, Milan"
    labels = Labels("en")
    assert labels("New place: {place}", place="Annex, Corso Como 5, Milan") in change["text"]
    assert "Corso Como 5" in page_notice(public)[1][0]


@pytest.mark.slow
def test_history_survives_several_builds_and_changes_json_carries_it(
    tmp_path: Path, run: Run
) -> None:
    visit_file = write(tmp_path, GROUPED)
    build(run, visit_file)
    edit(visit_file, 'start: "14:00"\n    end: "15:00"', 'start: "15:00"\n    end: "16:00"')
    build(run, visit_file)
    edit(visit_file, "    groups: [a]\n", "    groups: [b]\n")
    build(run, visit_file)
    edit(visit_file, "Workshop on work", "Workshop on work and training")
    public = build(run, visit_file)
    public = build(run, visit_file)  # and one more with nothing new
    document = changes_json(public)
    assert [v["number"] for v in document["versions"]] == [4, 3, 2, 1]
    sessions = [[c["session"] for c in v["changes"]] for v in document["versions"]]
    assert sessions == [["s3"], ["s2"], ["s3"], []]
    assert document["versions"][2]["changes"][0]["kind"] == "moved"
    assert document["changes"] == document["versions"][0]["changes"]
    heading, latest, earlier = page_notice(public)
    assert heading.startswith("Changed in version 4")
    assert "Workshop on work and training" in latest[0]
    assert [h.split(" — ")[0] for h in earlier] == ["Version 3", "Version 2"]
    history = read_state(state_path(visit_file)).record.history
    assert [v.number for v in history] == [1, 2, 3, 4]
    assert history[2].changed[0].audience == ("Group B",)


@pytest.mark.slow
def test_a_change_says_whom_it_concerns(tmp_path: Path, run: Run) -> None:
    visit_file = write(tmp_path, GROUPED)
    build(run, visit_file)
    edit(visit_file, "    groups: [a]\n", "    groups: [b]\n")
    public = build(run, visit_file)
    (change,) = changes_json(public)["changes"]
    record = read_state(state_path(visit_file)).record
    (stored,) = record.version.changed
    visit = load_visit(visit_file).visit
    people = len(concerned(visit, stored))
    assert change["concerns"] == {"groups": ["Group A", "Group B"], "participants": people}
    assert people == 3
    labels = Labels("en")
    expected = labels(
        "Concerns: {groups} ({people})",
        groups="Group A, Group B",
        people=labels.plural("{n} participant", "{n} participants", people),
    )
    assert expected in change["text"]
    assert labels("Now for: {groups}", groups="Group B") in change["text"]


@pytest.mark.slow
def test_the_changes_of_one_participant_come_from_the_state(tmp_path: Path, run: Run) -> None:
    visit_file = write(tmp_path, GROUPED)
    build(run, visit_file)
    edit(visit_file, 'start: "14:00"\n    end: "15:00"', 'start: "15:00"\n    end: "16:00"')
    edit(visit_file, '    end: "10:30"\n    venue: hall', '    end: "10:30"\n    venue: annex')
    build(run, visit_file)
    visit = load_visit(visit_file).visit
    record = read_state(state_path(visit_file)).record
    assert {c.session_id for c in changes_for(record, visit, "p1")} == {"s1"}
    assert {c.session_id for c in changes_for(record, visit, "p2")} == {"s1", "s3"}


@pytest.mark.slow
def test_a_cancelled_sessions_title_stays_unpublished(tmp_path: Path, run: Run) -> None:
    visit_file = write(tmp_path, GROUPED)
    build(run, visit_file)
    edit(visit_file, "    groups: [a]\n", "    groups: [a]\n    status: cancelled\n")
    public = build(run, visit_file)
    (change,) = changes_json(public)["changes"]
    assert change["kind"] == "cancelled"
    assert "housing" not in (public / "changes.json").read_text(encoding="utf-8")
    assert (
        "housing"
        not in (public / "index.html")
        .read_text(encoding="utf-8")
        .split('<section class="changes"')[1]
        .split("</section>")[0]
    )
    assert "housing" not in json.dumps(json.loads(state_path(visit_file).read_text())["history"])


@pytest.mark.slow
def test_greek_changes_are_worded_in_greek(tmp_path: Path, run: Run) -> None:
    text = GROUPED.replace("language: en", "language: el").replace(
        "Workshop on work", "Εργαστήριο για την εργασία"
    )
    visit_file = write(tmp_path, text)
    build(run, visit_file)
    edit(visit_file, "    venue: annex\n    groups: [b]", "    venue: hall\n    groups: [b]")
    public = build(run, visit_file)
    (change,) = changes_json(public)["changes"]
    labels = Labels("el")
    assert change["text"].startswith(labels("Updated: {title}, {when}", title="", when="")[:5])
    assert "Εργαστήριο για την εργασία" in change["text"]
    assert labels("New place: {place}", place="Hall, Via Roma 1, Milan") in change["text"]
    heading = page_notice(public)[0]
    assert heading.startswith(labels("Changed in version {version}, {date}", version=2, date=""))


def strip_new_parts(state_file: Path) -> None:
    """The state file as the previous release wrote it: no history, no feeds."""
    raw = json.loads(state_file.read_text(encoding="utf-8"))
    del raw["history"], raw["feeds"]
    for entry in raw["sessions"].values():
        entry.pop("left", None)
    state_file.write_text(json.dumps(raw, indent=1), encoding="utf-8")


@pytest.mark.slow
def test_a_state_file_of_the_previous_release_is_read(tmp_path: Path, run: Run) -> None:
    visit_file = write(tmp_path, GROUPED)
    build(run, visit_file)
    edit(visit_file, 'start: "14:00"\n    end: "15:00"', 'start: "15:00"\n    end: "16:00"')
    build(run, visit_file)
    strip_new_parts(state_path(visit_file))
    public = build(run, visit_file)  # nothing new: version 2 stays, its changes unknown
    assert changes_json(public)["version"] == 2
    edit(visit_file, "Workshop on work", "Workshop on work and training")
    public = build(run, visit_file)
    document = changes_json(public)
    assert [v["number"] for v in document["versions"]] == [3, 2]
    assert [c["session"] for c in document["changes"]] == ["s3"]
    assert document["versions"][1]["counts"] == {"moved": 1}


@pytest.mark.parametrize(
    ("damage", "where"),
    [
        (lambda raw: raw["history"][1].update(number="two"), "history → #2 → number"),
        (lambda raw: raw["history"][1]["changes"][0].update(kind="moved away"), "kind"),
        (lambda raw: raw["history"][1]["changes"][0].update(kind=[]), "kind"),
        (
            lambda raw: raw["history"][1]["changes"][0].update(new_start="tomorrow"),
            "history → #2 → changes → #1 → new_start",
        ),
        (lambda raw: raw["history"].reverse(), "history → #2 → number"),
        (lambda raw: raw["feeds"]["p1"].update(left="s1"), "feeds → p1 → left"),
        (
            lambda raw: raw["sessions"]["s2"].update(left=["a", 3]),
            "sessions → s2 → left",
        ),
    ],
)
@pytest.mark.slow
def test_a_damaged_new_part_of_the_state_is_located(
    tmp_path: Path,
    run: Run,
    damage: Callable[[dict[str, Any]], None],
    where: str,
) -> None:
    visit_file = write(tmp_path, GROUPED)
    build(run, visit_file)
    edit(visit_file, "    groups: [a]\n", "    groups: [b]\n")
    build(run, visit_file)
    state_file = state_path(visit_file)
    raw = json.loads(state_file.read_text(encoding="utf-8"))
    damage(raw)
    text = json.dumps(raw, indent=1, ensure_ascii=False, sort_keys=True)
    state_file.write_text(text, encoding="utf-8")
    result = run("build", visit_file)
    assert result.exit_code == 2, result.output
    assert "VP010" in result.output and where in result.output
    assert "Traceback" not in result.output
    line = int(result.output.split(f"{state_file.name}:")[1].split(":")[0])
    assert 1 < line <= text.count("\n") + 1


@pytest.mark.slow
def test_a_state_that_says_it_was_never_built_starts_its_history_again(
    tmp_path: Path, run: Run
) -> None:
    """A state file whose built_at was cleared, but with two versions kept, is built
    again from version 1, and what the build writes reads back."""
    visit_file = write(tmp_path, GROUPED)
    build(run, visit_file)
    edit(visit_file, 'start: "14:00"\n    end: "15:00"', 'start: "15:00"\n    end: "16:00"')
    build(run, visit_file)
    path = state_path(visit_file)
    raw = json.loads(path.read_text(encoding="utf-8"))
    assert [v["number"] for v in raw["history"]] == [1, 2]
    raw["built_at"] = None
    path.write_text(json.dumps(raw), encoding="utf-8")
    build(run, visit_file)
    again = json.loads(path.read_text(encoding="utf-8"))
    assert [v["number"] for v in again["history"]] == [1]
    build(run, visit_file)  # and the next build reads it
