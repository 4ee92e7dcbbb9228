"""`visitplan participants message --changes`: only the participants a change concerns
hear what changed for them, in their language, through a real SMTP server."""

# The visit and the SMTP server are the fixtures of the messages' tests, imported.
# ruff: noqa: F811

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Run
from test_reach_message import (  # noqa: F401
    Mailbox,
    built_visit,
    mailbox,
    plain,
    send,
    visit_file,
)
from visitplan.labels import Labels
from visitplan.load import load_visit
from visitplan.messages import CONTEXT
from visitplan.publication import describe_change
from visitplan.state import read_state, state_path


def move_north_workshop(path: Path, run: Run) -> None:
    text = path.read_text(encoding="utf-8")
    moved = text.replace(
        'start: "11:00"\n    end: "12:00"\n    venue: hall\n    groups: [north]',
        'start: "14:00"\n    end: "15:00"\n    venue: hall\n    groups: [north]',
    )
    assert moved != text
    path.write_text(moved, encoding="utf-8")
    result = run("build", path, "-q")
    assert result.exit_code == 0, result.output


def test_changes_go_only_to_the_people_a_moved_session_concerns(
    visit_file: Path,
    run: Run,
    mailbox: tuple[Mailbox, int],
) -> None:
    box, port = mailbox
    move_north_workshop(visit_file, run)
    result = send(run, visit_file, port, "--changes")
    assert result.exit_code == 0, result.output
    # The north group: Ana and Karim (Eleni is in the south; Jan has no address).
    assert sorted(e.rcpt_tos[0] for e in box.envelopes) == [
        "Ana.Silva@example.org",
        "karim@example.org",
    ]
    visit = load_visit(visit_file).visit
    record = read_state(state_path(visit_file), visit.details.id).record
    (change,) = record.version.changed
    assert change.session_id == "s2" and change.kind == "moved"
    for message in box.messages():
        language = str(message["Content-Language"])
        labels = Labels(language)
        subject = labels.pgettext(
            CONTEXT, "{title}: your programme has changed", title=visit.details.title
        )
        assert str(message["Subject"]) == subject
        assert describe_change(change, labels, whom=False) in plain(message)
    # Said once: a second run sends no one anything.
    again = send(run, visit_file, port, "--changes")
    assert again.exit_code == 0, again.output
    assert len(box.envelopes) == 2


@pytest.mark.slow
def test_without_a_change_no_one_is_written_to(visit_file: Path, run: Run) -> None:
    result = run("participants", "message", visit_file, "--changes")
    assert result.exit_code == 0, result.output
    assert "no one gets a message" in result.output
    assert not (visit_file.parent / "messages").exists()


@pytest.mark.slow
def test_change_files_go_to_their_own_folder(visit_file: Path, run: Run) -> None:
    assert run("participants", "message", visit_file).exit_code == 0
    programme = sorted(p.name for p in (visit_file.parent / "messages").glob("*.eml"))
    move_north_workshop(visit_file, run)
    result = run("participants", "message", visit_file, "--changes")
    assert result.exit_code == 0, result.output
    version = read_state(state_path(visit_file)).record.version.number
    folder = visit_file.parent / "messages" / f"changes-{version}"
    assert sorted(p.name for p in folder.glob("*.eml")) == ["ana.eml", "karim.eml"]
    # The programme's messages are untouched.
    assert sorted(p.name for p in (visit_file.parent / "messages").glob("*.eml")) == programme
