"""Nothing personal is published: names as people write them, contacts of hosts,
national phone numbers, files the audit cannot read, personal feeds, folder listings
and withdrawn consent. Each test runs the command line in a folder, then reads the
files back."""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import icalendar
import pytest
from typer.testing import Result

from conftest import Run, write

VISIT = """\
visit:
  id: privacy
  title: Privacy visit
  start_date: 2026-03-02
  end_date: 2026-03-03
  timezone: Europe/Rome
  country: IT
venues:
  - id: hall
    name: Hall
    city: Milan
hosts:
  - id: city
    name: City of Milan
    level: municipal
    contact:
      name: Giulia Bianchi
      email: giulia.bianchi@comune.example.it
      phone: "+39 02 8845 1234"
groups:
  - id: north
    name: Northern delegation
sessions:
  - id: s1
    title: Welcome
    date: 2026-03-02
    start: "09:30"
    end: "10:30"
    venue: hall
    hosts: [city]
    description: The city's welcome.
participants:
  - id: mrossi-milano
    name: Maria Rossi
    country: IT
    email: maria.rossi@example.it
    phone: "+39 333 123 4567"
    group: north
    arrival: 2026-03-01 18:00
    departure: 2026-03-03 19:00
  - id: jan
    name: Jan de Vries
    country: NL
    public: yes
"""


def visit_with(tmp_path: Path, description: str) -> Path:
    """The visit with ``description`` as the welcome session's public text."""
    text = VISIT.replace(
        "    description: The city's welcome.\n", f'    description: "{description}"\n'
    )
    return write(tmp_path, text)


def public_text(folder: Path, but_pages_of: str | None = None) -> str:
    """Every public file's text; with ``but_pages_of``, without the one personal page
    that holds that name and its owner's feed (a participant's own page and feed name
    them)."""
    files = [p for p in sorted(folder.rglob("*")) if p.is_file()]
    if but_pages_of is not None:
        pages = [p for p in files if p.parent.name == "p" and p.suffix == ".html"]
        own = [p for p in pages if but_pages_of in p.read_text(encoding="utf-8").lower()]
        assert len(own) == 1, own
        files = [p for p in files if not (p.parent.name == "p" and p.stem == own[0].stem)]
    return "\n".join(p.read_text(encoding="utf-8") for p in files)


@pytest.fixture(scope="module")
def built_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The visit built once by the command line: a folder with visit.yaml and build/."""
    from typer.testing import CliRunner

    from visitplan.cli import app

    folder = tmp_path_factory.mktemp("privacy")
    write(folder, VISIT)
    result = CliRunner().invoke(app, ["build", str(folder / "visit.yaml")])
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture
def site(built_once: Path, tmp_path: Path) -> Path:
    """A copy of that build, to add files to as someone preparing the upload would."""
    shutil.copytree(built_once, tmp_path / "site")
    return tmp_path / "site"


def audit_with(run: Run, site: Path, text: str) -> Result:
    """Add a text file to the public folder, then audit the build."""
    (site / "build" / "public" / "notes.txt").write_text(text, encoding="utf-8")
    return run("audit", site / "build", "--visit", site / "visit.yaml")


def test_the_visit_builds_and_passes_the_audit(site: Path, run: Run) -> None:
    result = run("audit", site / "build", "--visit", site / "visit.yaml")
    assert result.exit_code == 0, result.stdout


# -- names as people write them ------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "MARIA ROSSI",
        "maria rossi",
        "Maria\u00a0Rossi",  # no-break space
        "Ma\u200bria Rossi",  # zero-width space inside
        "Maria Ros\u00adsi",  # soft hyphen inside
        "Maria  Rossi",  # two spaces
        "Rossi, Maria",
        "ROSSI Maria",
        "\uff2d\uff41\uff52\uff49\uff41 \uff32\uff4f\uff53\uff53\uff49",  # full-width letters
        "Maria\u2060Rossi",  # word joiner between the names
    ],
)
def test_a_name_without_consent_is_found_however_it_is_written(
    site: Path, run: Run, written: str
) -> None:
    result = audit_with(run, site, f"Presented by {written}.")
    assert result.exit_code == 1
    assert "VP301" in result.stdout and "name (no consent to publication)" in result.stdout
    assert "public/notes.txt" in result.stdout


@pytest.mark.slow
def test_the_build_refuses_a_name_written_in_another_order(tmp_path: Path, run: Run) -> None:
    result = run("build", visit_with(tmp_path, "Presented by ROSSI,\u00a0Maria."))
    assert result.exit_code == 1
    assert "VP301" in result.output and "name (no consent to publication)" in result.output
    assert not (tmp_path / "build").exists()


def test_a_longer_name_sharing_words_is_not_taken_for_someone(site: Path, run: Run) -> None:
    text = "Music by Maria Rossini in the Rossi-Marian hall, with Mariarossa wine."
    result = audit_with(run, site, text)
    assert result.exit_code == 0, result.stdout


def test_the_audit_finds_a_name_in_a_comment_of_the_page(site: Path, run: Run) -> None:
    page = site / "build" / "public" / "index.html"
    html = page.read_text(encoding="utf-8")
    page.write_text(html.replace("</body>", "<!-- ROSSI,\u00a0maria --></body>"), encoding="utf-8")
    result = run("audit", site / "build", "--visit", site / "visit.yaml")
    assert result.exit_code == 1
    assert "VP301" in result.stdout and "public/index.html" in result.stdout


def test_a_participants_id_is_personal_data(site: Path, run: Run) -> None:
    result = audit_with(run, site, "Ask MROSSI-Milano at the door.")
    assert result.exit_code == 1
    assert "a participant's id (no consent to publication) is published" in result.stdout


@pytest.mark.parametrize(
    "written",
    [
        "Ask Giulia Bianchi",
        "Ask BIANCHI, Giulia",
        "GIULIA.BIANCHI@comune.example.it",
        "02 8845 1234",
    ],
)
def test_a_hosts_contact_person_is_personal_data(site: Path, run: Run, written: str) -> None:
    result = audit_with(run, site, f"{written} for the entrance.")
    assert result.exit_code == 1
    assert "VP301" in result.stdout and "a host's contact person's" in result.stdout


@pytest.mark.slow
def test_the_build_refuses_a_hosts_contact_in_a_description(tmp_path: Path, run: Run) -> None:
    result = run("build", visit_with(tmp_path, "Ask Giulia Bianchi for the entrance."))
    assert result.exit_code == 1
    assert "a host's contact person's name is published" in result.output


@pytest.mark.slow
def test_a_contact_person_who_speaks_may_be_named(tmp_path: Path, run: Run) -> None:
    text = VISIT.replace(
        "    hosts: [city]\n", "    hosts: [city]\n    speakers: [Giulia Bianchi]\n"
    )
    result = run("build", write(tmp_path, text))
    assert result.exit_code == 0, result.output
    calendar = (tmp_path / "build" / "public" / "calendar.ics").read_bytes()
    event = icalendar.Calendar.from_ical(calendar).walk("VEVENT")[0]
    assert "Speakers: Giulia Bianchi" in str(event["DESCRIPTION"])


@pytest.mark.parametrize(
    "written",
    ["333 123 4567", "333-1234567", "(333) 123.45.67", "0039 333 1234567", "+39 3331234567"],
)
def test_a_participants_phone_is_found_in_national_form(site: Path, run: Run, written: str) -> None:
    result = audit_with(run, site, f"Questions: {written}")
    assert result.exit_code == 1
    assert "a participant's phone number is published" in result.stdout


@pytest.mark.slow
def test_the_build_refuses_a_phone_in_national_form(tmp_path: Path, run: Run) -> None:
    result = run("build", visit_with(tmp_path, "Questions: 333 123 4567"))
    assert result.exit_code == 1
    assert "a participant's phone number is published" in result.output


def test_other_numbers_are_not_taken_for_a_phone(site: Path, run: Run) -> None:
    result = audit_with(run, site, "Bus 333 from stop 1234567 at 09:30; room 4567.")
    assert result.exit_code == 0, result.stdout


@pytest.mark.parametrize(
    "name",
    ["participants.xlsx", "agenda.docx", "photos.zip", "feed.ics.gz", "flyer.pdf", "logo.png"],
)
def test_a_file_the_audit_cannot_read_is_a_finding(site: Path, run: Run, name: str) -> None:
    public = site / "build" / "public"
    private = site / "build" / "private"
    target = public / "extra" / name
    target.parent.mkdir()
    if name.endswith((".xlsx", ".docx")):
        shutil.copy(private / name, target)
    elif name.endswith(".zip"):
        with zipfile.ZipFile(target, "w") as archive:
            archive.writestr("names.txt", "Maria Rossi")
    elif name.endswith(".gz"):
        target.write_bytes(gzip.compress((public / "calendar.ics").read_bytes()))
    elif name.endswith(".pdf"):
        target.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n")
    else:
        target.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    result = run("audit", site / "build", "--visit", site / "visit.yaml")
    assert result.exit_code == 1
    assert "VP304" in result.stdout
    assert f"public/extra/{name}" in result.stdout
    assert "cannot check this file: remove it from public/ or check it by hand" in result.stdout


def test_a_plain_text_file_is_read_not_refused(site: Path, run: Run) -> None:
    assert audit_with(run, site, "Opening hours: 9 to 17.\n").exit_code == 0
    result = audit_with(run, site, "Contact: Rossi Maria.\n")
    assert result.exit_code == 1 and "public/notes.txt" in result.stdout


# -- personal feeds name no one ----------------------------------------------------------------


def personal_feeds(public: Path) -> list[Path]:
    return sorted((public / "p").glob("*.ics"))


def test_personal_feeds_name_only_their_owner(tmp_path: Path, run: Run) -> None:
    text = VISIT.replace("  - id: mrossi-milano\n", "  - id: maria-rossi\n")
    visit_file = write(tmp_path, text)
    assert run("build", visit_file).exit_code == 0
    public = tmp_path / "build" / "public"
    uids = []
    for feed in personal_feeds(public):
        for event in icalendar.Calendar.from_ical(feed.read_bytes()).walk("VEVENT"):
            uids.append(str(event["UID"]))
    travel = [u for u in uids if u.startswith(("arrival-", "departure-"))]
    assert len(travel) == 2
    for uid in travel:
        assert "maria" not in uid.lower() and "rossi" not in uid.lower()
        assert re.fullmatch(r"(arrival|departure)-[0-9a-f]{32}@privacy\.visitplan", uid)
    # The same on the next build: calendars update the entries, no duplicates.
    assert run("build", visit_file).exit_code == 0
    again = [
        str(e["UID"])
        for feed in personal_feeds(public)
        for e in icalendar.Calendar.from_ical(feed.read_bytes()).walk("VEVENT")
    ]
    assert sorted(u for u in again if u.startswith(("arrival-", "departure-"))) == sorted(travel)
    # Her own feed and page are named for her (they are hers alone); nothing else names her.
    state = json.loads((tmp_path / ".visitplan-state.json").read_text("utf-8"))
    token = state["tokens"]["maria-rossi"]
    calendar = icalendar.Calendar.from_ical((public / "p" / f"{token}.ics").read_bytes())
    assert str(calendar["X-WR-CALNAME"]).endswith("— Maria Rossi")
    own = [public / "p" / f"{token}.ics", public / "p" / f"{token}.html"]
    assert "maria" in own[1].read_text(encoding="utf-8").lower()
    others = [p for p in sorted(public.rglob("*")) if p.is_file() and p not in own]
    assert all("maria" not in p.read_text(encoding="utf-8").lower() for p in others)
    assert run("audit", tmp_path / "build").exit_code == 0


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.text: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "meta" and values.get("name"):
            self.meta[str(values["name"])] = str(values.get("content"))
        if tag == "a":
            self.links.append(str(values.get("href")))

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.text.append(data)


def test_the_personal_folder_has_an_empty_noindex_page(tmp_path: Path, run: Run) -> None:
    assert run("build", write(tmp_path, VISIT)).exit_code == 0
    page = _Page()
    page.feed((tmp_path / "build" / "public" / "p" / "index.html").read_text(encoding="utf-8"))
    assert "noindex" in page.meta["robots"]
    assert page.text == [] and page.links == []


@pytest.mark.slow
def test_robots_txt_keeps_robots_out_of_personal_feeds(tmp_path: Path, run: Run) -> None:
    assert run("build", write(tmp_path, VISIT)).exit_code == 0
    robots = (tmp_path / "build" / "public" / "robots.txt").read_text(encoding="utf-8")
    assert "User-agent: *" in robots.splitlines() and "Disallow: /p/" in robots.splitlines()
    text = VISIT.replace(
        "  country: IT\n",
        "  country: IT\n  publishing:\n    base_url: https://example.org/visits/milan-2026/\n",
        1,
    )
    assert run("build", write(tmp_path, text)).exit_code == 0
    robots = (tmp_path / "build" / "public" / "robots.txt").read_text(encoding="utf-8")
    assert "Disallow: /visits/milan-2026/p/" in robots.splitlines()


def fetch(url: str) -> Any:
    assert url.startswith("http://127.0.0.1:")
    return urllib.request.urlopen(url, timeout=10)  # noqa: S310 - the local test server


@pytest.mark.slow
def test_serve_never_lists_a_folder(tmp_path: Path, run: Run) -> None:
    assert run("build", write(tmp_path, VISIT)).exit_code == 0
    public = tmp_path / "build" / "public"
    (public / "p" / "index.html").unlink()  # as if a host had dropped the empty page
    server = subprocess.Popen(
        [sys.executable, "-m", "visitplan", "serve", str(tmp_path / "build"), "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        first = server.stdout.readline()
        port = re.search(r"http://localhost:(\d+)/", first)
        assert port, first
        base = f"http://127.0.0.1:{port.group(1)}"
        with fetch(base + "/") as response:  # the page itself
            assert response.status == 200
        for folder in ("/p/", "/groups/"):
            with pytest.raises(urllib.error.HTTPError) as refused:
                fetch(base + folder)
            assert refused.value.code == 404
            body = refused.value.read().decode("utf-8", errors="replace")
            assert ".ics" not in body
        token = personal_feeds(public)[0].name
        with fetch(f"{base}/p/{token}") as response:
            assert response.headers["Content-Type"].startswith("text/calendar")
    finally:
        server.terminate()
        server.wait(timeout=10)


# -- withdrawn consent -------------------------------------------------------------------------

TALK = """\
  - id: s2
    title: Jan de Vries presents Utrecht
    date: 2026-03-03
    start: "10:00"
    end: "11:00"
    venue: hall
participants:
"""


@pytest.mark.slow
def test_withdrawn_consent_leaves_no_name_in_the_feeds(tmp_path: Path, run: Run) -> None:
    visit_file = write(tmp_path, VISIT.replace("participants:\n", TALK, 1))
    assert run("build", visit_file).exit_code == 0
    public = tmp_path / "build" / "public"
    assert "Jan de Vries presents Utrecht" in (public / "calendar.ics").read_text(encoding="utf-8")
    # Jan withdraws consent: the talk goes, and so does the permission.
    visit_file.write_text(VISIT.replace("    public: yes\n", ""), encoding="utf-8")
    result = run("build", visit_file)
    assert result.exit_code == 0, result.output
    for feed in (public / "calendar.ics", *personal_feeds(public)):
        calendar = icalendar.Calendar.from_ical(feed.read_bytes())
        (cancelled,) = [e for e in calendar.walk("VEVENT") if str(e["UID"]).startswith("s2@")]
        assert str(cancelled["STATUS"]) == "CANCELLED"
        assert str(cancelled["SUMMARY"]) == "Cancelled session"
        assert cancelled.decoded("DTSTART").hour == 10
        assert not str(cancelled.get("DESCRIPTION", "")) and not cancelled.get("LOCATION")
    assert "vries" not in public_text(public, but_pages_of="vries").lower()
    assert run("audit", tmp_path / "build").exit_code == 0
    assert run("build", visit_file).exit_code == 0  # and every later build


@pytest.mark.slow
def test_a_cancelled_session_whose_id_names_someone_says_how_to_drop_it(
    tmp_path: Path, run: Run
) -> None:
    talk = TALK.replace("  - id: s2\n", "  - id: jan-de-vries-talk\n")
    visit_file = write(tmp_path, VISIT.replace("participants:\n", talk, 1))
    assert run("build", visit_file).exit_code == 0
    visit_file.write_text(VISIT.replace("    public: yes\n", ""), encoding="utf-8")
    before = public_text(tmp_path / "build" / "public")
    result = run("build", visit_file)
    assert result.exit_code == 1
    assert "the cancelled session 'jan-de-vries-talk'" in result.output
    assert "--prune-cancelled" in result.output
    assert public_text(tmp_path / "build" / "public") == before  # nothing published
    assert run("build", visit_file, "--prune-cancelled").exit_code == 0
    public = tmp_path / "build" / "public"
    assert "vries" not in public_text(public, but_pages_of="vries").lower()
    assert run("build", visit_file).exit_code == 0
