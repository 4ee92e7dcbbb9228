"""What a participant sees in a message's subject line and headings, read back from
the .eml files with the email package."""

from __future__ import annotations

import email
import email.policy
import shutil
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture(scope="module")
def greek_messages(tmp_path_factory: pytest.TempPathFactory) -> list[email.message.EmailMessage]:
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
    found = []
    for path in sorted((folder / "messages").glob("*.eml")):
        with path.open("rb") as stream:
            message = email.message_from_binary_file(stream, policy=email.policy.default)
        assert isinstance(message, email.message.EmailMessage)
        found.append(message)
    assert found
    return found


def test_greek_subject_keeps_the_spaces_between_its_words(
    greek_messages: list[email.message.EmailMessage],
) -> None:
    from visitplan.labels import Labels

    words = Labels("el").pgettext("e-mail", "{title}: your programme and calendar", title="T")
    for message in greek_messages:
        assert str(message["Subject"]).endswith(words.removeprefix("T"))


def test_greek_headings_in_capitals_carry_no_accents(
    greek_messages: list[email.message.EmailMessage],
) -> None:
    import unicodedata

    from visitplan.labels import Labels

    heading = Labels("el").pgettext("e-mail", "Your calendar and your page")
    bare = "".join(
        c for c in unicodedata.normalize("NFD", heading.upper()) if not unicodedata.combining(c)
    )
    for message in greek_messages:
        part = message.get_body(("plain",))
        assert part is not None
        lines = part.get_content().splitlines()
        assert bare in lines
        assert heading.upper() not in lines
