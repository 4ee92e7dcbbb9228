"""Attacks on the personal pages and feeds, the messages, the workbook and the
server, each kept as the test that failed before its fix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import Run, write

VISIT = """\
visit:
  id: att
  title: Study visit to Athens
  start_date: 2026-03-10
  end_date: 2026-03-11
  timezone: Europe/Athens
  country: GR
  publishing:
    base_url: https://example.org/study/
venues:
  - id: hall
    name: City Hall
    city: Athens
groups:
  - id: north
    name: North group
  - id: south
    name: South group
sessions:
  - id: opening
    title: Opening
    date: 2026-03-10
    start: 9:30
    end: 10:30
    venue: hall
  - id: south-visit
    title: Visit for the south
    date: 2026-03-11
    start: 11:00
    end: 12:30
    venue: hall
    groups: [south]
participants:
  - id: mr1
    name: Maria Rossi
    country: IT
    group: north
    email: maria@example.org
  - id: amr
    name: Anna  MARIA ROSSI
    country: IT
    group: south
    email: anna@example.org
  - id: mr2
    name: Maria Rossi
    country: IT
    group: south
    email: maria2@example.org
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The visit above, built once (read it, copy it before changing it)."""
    from typer.testing import CliRunner

    from visitplan.cli import app

    folder = tmp_path_factory.mktemp("names")
    visit = write(folder, VISIT)
    result = CliRunner().invoke(app, ["build", str(visit)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return folder


def _token(folder: Path, participant: str) -> str:
    state = json.loads((folder / ".visitplan-state.json").read_text(encoding="utf-8"))
    tokens = state["tokens"]
    assert isinstance(tokens, dict)
    return str(tokens[participant])


@pytest.mark.parametrize(
    ("suffix", "planted"),
    [
        (".html", "Anna Maria Rossi"),
        (".ics", "ANNA MARIA ROSSI"),
        (".html", "Maria Rossi, Anna"),
    ],
)
def test_a_longer_name_holding_the_owners_is_found_on_the_owners_page(
    run: Run, built: Path, tmp_path: Path, suffix: str, planted: str
) -> None:
    """Maria Rossi's page may show her name; "Anna Maria Rossi" (another participant,
    no consent) holds it and must still be found there, in any order."""
    import shutil

    folder = tmp_path / "copy"
    shutil.copytree(built, folder)
    page = folder / "build" / "public" / "p" / (_token(folder, "mr1") + suffix)
    text = page.read_text(encoding="utf-8")
    anchor = "Opening"
    assert anchor in text
    page.write_text(text.replace(anchor, f"{anchor} with {planted}", 1), encoding="utf-8")
    result = run("audit", folder / "build", "--visit", folder / "visit.yaml")
    assert result.exit_code == 1, result.output
    assert "VP301" in result.output
    assert f"public/p/{page.name}" in result.output


def test_the_owners_own_name_is_not_a_finding_beside_longer_names(run: Run, built: Path) -> None:
    """The same build passes: every owner's page shows their own name only."""
    result = run("audit", built / "build", "--visit", built / "visit.yaml")
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workbook as `init --format xlsx` writes it (copy it before changing it)."""
    from typer.testing import CliRunner

    from visitplan.cli import app

    folder = tmp_path_factory.mktemp("workbook") / "visit"
    result = CliRunner().invoke(app, ["init", str(folder), "--format", "xlsx"])
    assert result.exit_code == 0, result.output
    return folder / "visit.xlsx"


@pytest.mark.parametrize(
    ("sheet", "cell", "field", "shown"),
    [
        # The hidden field row of a list sheet: column C (kind) renamed 'title'.
        ("Sessions", (1, 3), "title", "Sessions!C1"),
        # The hidden field column of a key sheet: the project's row renamed 'title'.
        ("Visit", (5, 1), "title", "Visit!A5"),
    ],
)
def test_a_field_named_twice_in_a_workbook_is_refused_at_its_cell(
    run: Run,
    workbook: Path,
    tmp_path: Path,
    sheet: str,
    cell: tuple[int, int],
    field: str,
    shown: str,
) -> None:
    """Two columns (or rows) for one field would keep one value and drop the other
    without a word: the second is an error at its cell, exit 2."""
    import openpyxl

    book = openpyxl.load_workbook(workbook)
    book[sheet].cell(*cell, field)
    target = tmp_path / "visit.xlsx"
    book.save(target)
    for command in ("check", "build"):
        result = run(command, target)
        assert result.exit_code == 2, result.output
        assert f"{target.name}!{shown}: error VP009" in result.output
        assert f"'{field}'" in result.output
        assert "Traceback" not in result.output
    assert not (tmp_path / "build").exists()


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["yaml", "xlsx"])
def test_a_backup_visitplan_did_not_keep_is_never_replaced(
    run: Run, workbook: Path, tmp_path: Path, kind: str
) -> None:
    """The user's own visit.yaml.bak (or .xlsx.bak) stays as it was; the previous
    version goes beside it, and the next import replaces only that one."""
    import shutil

    if kind == "yaml":
        visit = write(tmp_path, VISIT)
    else:
        visit = tmp_path / "visit.xlsx"
        shutil.copy(workbook, visit)
    mine = visit.with_name(visit.name + ".bak")
    mine.write_bytes(b"my own copy, from last week")
    sheets = []
    for number, (name, email) in enumerate(
        [("Ελένη Παπαδοπούλου", "eleni@example.org"), ("أميرة حداد", "amira@example.org")]
    ):
        sheet = tmp_path / f"registrations-{number}.csv"
        sheet.write_text(f"Name,Email,Country\n{name},{email},GR\n", encoding="utf-8")
        sheets.append(sheet)
    before = visit.read_bytes()
    result = run("participants", "import", sheets[0], "--visit", visit)
    assert result.exit_code == 0, result.output
    assert mine.read_bytes() == b"my own copy, from last week"
    kept = visit.with_name(f"{visit.name}.2.bak")
    assert kept.read_bytes() == before
    assert kept.name in result.output
    middle = visit.read_bytes()
    result = run("participants", "import", sheets[1], "--visit", visit)
    assert result.exit_code == 0, result.output
    assert mine.read_bytes() == b"my own copy, from last week"
    assert kept.read_bytes() == middle
    assert sorted(p.name for p in tmp_path.glob("visit.*.bak")) == sorted([mine.name, kept.name])


@pytest.mark.slow
def test_a_number_too_large_for_a_date_gives_a_located_message_and_no_warning(
    workbook: Path, tmp_path: Path
) -> None:
    """A date or time cell holding 1e300 (a slip of the keyboard) is answered at its
    cell; openpyxl's warning, with its own file path, never reaches the terminal, in
    the visit workbook or in a registration sheet."""
    import subprocess
    import sys

    import openpyxl

    book = openpyxl.load_workbook(workbook)
    book["Sessions"].cell(3, 5, 1e300)
    visit = tmp_path / "visit.xlsx"
    book.save(visit)
    sheet = openpyxl.Workbook()
    rows = sheet.active
    assert rows is not None
    rows.append(["Name", "Email", "Country", "Arrival"])
    rows.append(["Ana Silva", "ana@example.org", "PT", 1e300])
    rows["D2"].number_format = "yyyy-mm-dd"
    registrations = tmp_path / "registrations.xlsx"
    sheet.save(registrations)
    env = {"PYTHONWARNINGS": "default", "PATH": "/usr/bin:/bin"}
    for args, located in (
        (["check", str(visit)], "visit.xlsx!Sessions!E3: error"),
        (
            ["participants", "import", str(registrations), "--visit", str(workbook), "--dry-run"],
            "registrations.xlsx!2:D",
        ),
    ):
        done = subprocess.run(
            [sys.executable, "-m", "visitplan", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        output = done.stdout + done.stderr
        assert located in output, output
        assert "Warning" not in output and "site-packages" not in output, output
        assert "Traceback" not in output


def test_messages_never_go_into_a_build_folder_through_a_link(
    run: Run, built: Path, tmp_path: Path
) -> None:
    """-o naming a link to build/public/p/ would put every participant's name, email
    and personal links into the folder that goes online: refused, nothing written."""
    import shutil

    folder = tmp_path / "copy"
    shutil.copytree(built, folder)
    personal = folder / "build" / "public" / "p"
    before = sorted(p.name for p in personal.iterdir())
    link = folder / "outbox"
    link.symlink_to(personal, target_is_directory=True)
    result = run("participants", "message", folder / "visit.yaml", "-o", link)
    assert result.exit_code == 2, result.output
    assert "error VP010" in result.output
    assert str(folder / "build") in result.output
    assert sorted(p.name for p in personal.iterdir()) == before
    assert run("audit", folder / "build", "--visit", folder / "visit.yaml").exit_code == 0


@pytest.mark.slow
@pytest.mark.parametrize("through_link", [False, True])
def test_the_list_of_links_never_goes_into_a_build_folder(
    run: Run, built: Path, tmp_path: Path, through_link: bool
) -> None:
    """`participants links -o build/public/links.csv` would publish every participant's
    name, email and personal links (and `serve` would hand them out at once)."""
    import shutil

    folder = tmp_path / "copy"
    shutil.copytree(built, folder)
    public = folder / "build" / "public"
    target = public / "links.csv"
    if through_link:
        (folder / "outbox").symlink_to(public, target_is_directory=True)
        target = folder / "outbox" / "links.csv"
    result = run("participants", "links", "--visit", folder / "visit.yaml", "-o", target)
    assert result.exit_code == 2, result.output
    assert "error VP010" in result.output
    assert not (public / "links.csv").exists()
    result = run("participants", "links", "--visit", folder / "visit.yaml", "-o", folder / "l.csv")
    assert result.exit_code == 0, result.output
    assert "maria2@example.org" in (folder / "l.csv").read_text(encoding="utf-8-sig")


@pytest.mark.parametrize(
    "link", ["https://x.example/?who=Maria%20Rossi", "https://x.example/?who=Rossi%2C+Maria"]
)
def test_a_name_written_into_a_link_is_found(
    run: Run, built: Path, tmp_path: Path, link: str
) -> None:
    """A link on the public page that carries a name %-escaped (as a form or a map
    service writes it) is read as a reader's browser decodes it."""
    import shutil

    folder = tmp_path / "copy"
    shutil.copytree(built, folder)
    page = folder / "build" / "public" / "index.html"
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("<body", f'<a href="{link}">x</a><body', 1), encoding="utf-8")
    result = run("audit", folder / "build", "--visit", folder / "visit.yaml")
    assert result.exit_code == 1, result.output
    assert "public/index.html: error VP301" in result.output
