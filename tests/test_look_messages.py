"""What a participant reads in a message: the subject line, the headings and the
changes, read back from the .eml files with the email package."""

from __future__ import annotations

import email
import email.policy
import shutil
import unicodedata
from email.message import EmailMessage
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
FIRST = "start: 09:00                    # assumed\n    end: 09:30"


@pytest.fixture(scope="module")
def greek_messages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[EmailMessage]]:
    """The first messages of a visit in Greek ("programme"), then those of version 2,
    which moves the first session a quarter of an hour earlier ("changes")."""
    from typer.testing import CliRunner

    from visitplan.cli import app

    folder = tmp_path_factory.mktemp("el") / "visit"
    shutil.copytree(EXAMPLES / "milan-exchange-2026", folder)
    visit = folder / "visit.yaml"
    text = visit.read_text(encoding="utf-8").replace("  language: en\n", "  language: el\n", 1)
    visit.write_text(text, encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(app, ["build", str(visit)]).exit_code == 0
    result = runner.invoke(app, ["participants", "message", str(visit)])
    assert result.exit_code == 0, result.output
    assert FIRST in text
    visit.write_text(text.replace(FIRST, "start: 08:45\n    end: 09:15", 1), encoding="utf-8")
    assert runner.invoke(app, ["build", str(visit)]).exit_code == 0
    result = runner.invoke(app, ["participants", "message", str(visit), "--changes"])
    assert result.exit_code == 0, result.output
    found: dict[str, list[EmailMessage]] = {"programme": [], "changes": []}
    for path in sorted((folder / "messages").glob("**/*.eml")):
        with path.open("rb") as stream:
            message = email.message_from_binary_file(stream, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        found["changes" if path.parent.name.startswith("changes-") else "programme"].append(message)
    assert found["programme"] and found["changes"]
    return found


def _plain(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert isinstance(part, EmailMessage)
    content = part.get_content()
    assert isinstance(content, str)
    return content


@pytest.mark.slow
def test_greek_subject_keeps_the_spaces_between_its_words(
    greek_messages: dict[str, list[EmailMessage]],
) -> None:
    from visitplan.labels import Labels

    words = Labels("el").pgettext("e-mail", "{title}: your programme and calendar", title="T")
    from email.header import decode_header, make_header

    for message in greek_messages["programme"]:
        assert str(message["Subject"]).endswith(words.removeprefix("T"))
        # Read as RFC 2047 says, as mail programs do: the encoded words joined as written.
        (raw,) = [v for k, v in message.raw_items() if k == "Subject"]
        assert str(make_header(decode_header(raw))).endswith(words.removeprefix("T"))


def test_greek_headings_in_capitals_carry_no_accents(
    greek_messages: dict[str, list[EmailMessage]],
) -> None:
    from visitplan.labels import Labels

    heading = Labels("el").pgettext("e-mail", "Your calendar and your page")
    bare = "".join(
        c for c in unicodedata.normalize("NFD", heading.upper()) if not unicodedata.combining(c)
    )
    for message in greek_messages["programme"]:
        lines = _plain(message).splitlines()
        assert bare in lines
        assert heading.upper() not in lines


def test_a_change_message_tells_what_changed_not_how_many_it_concerns(
    greek_messages: dict[str, list[EmailMessage]],
) -> None:
    from visitplan.labels import Labels

    labels = Labels("el")
    moved = labels("Moved: {title}, from {old} to {new}", title="X", old="O", new="N")
    concerns = labels("Concerns everyone ({people})", people="P").split("(")[0].strip()
    for message in greek_messages["changes"]:
        content = _plain(message)
        assert moved.split(":")[0] + ":" in content
        assert concerns not in content
