"""The command line: parse arguments, call the library, print, map errors to exit codes.

Exit codes: 0 no errors; 1 errors found (with --strict, warnings too) or the build
failed; 2 the input cannot be read or is invalid. Library modules are imported inside
the commands so that ``visitplan --help`` starts instantly.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sys
from collections.abc import Callable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from visitplan import __version__

if TYPE_CHECKING:
    from rich.console import Console

    from visitplan.build import BuildResult
    from visitplan.feedback.importing import ImportOutcome as FeedbackOutcome
    from visitplan.findings import Finding
    from visitplan.load import Loaded
    from visitplan.participants.importing import ImportResult
    from visitplan.participants.visit_file import MergeOutcome

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2

app = typer.Typer(
    name="visitplan",
    help="Plan, check and publish study visits and exchange programmes.\n\n"
    "Start with `visitplan init my-visit`, edit my-visit/visit.yaml, then run "
    "`visitplan check my-visit/visit.yaml` and `visitplan build my-visit/visit.yaml`.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

_state = {"debug": False}


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


def _version(value: bool) -> None:
    if value:
        print(f"visitplan {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks of internal errors (for bug reports).")
    ] = False,
) -> None:
    _state["debug"] = debug


# ---------------------------------------------------------------------------
# Terminal output


def _console(stderr: bool = False) -> Console:
    return _safe_console_class()(stderr=stderr, highlight=False, soft_wrap=not _is_terminal(stderr))


@functools.cache
def _safe_console_class() -> type[Console]:
    """A console that shows text from files as text: every piece of text it prints,
    whatever the command, has its escape sequences and control characters written
    out visibly (ESC as \\x1b), so a CSV cell or an id cannot clear or recolour the
    terminal. Only rich's own control codes (cursor moves of the progress bar) and
    styles, added after this step, reach the terminal as codes."""
    from rich.console import Console
    from rich.segment import Segment

    from visitplan.text import shown_safely

    class SafeConsole(Console):
        def render(self, renderable: Any, options: Any = None) -> Iterator[Segment]:
            for segment in super().render(renderable, options):
                if segment.control or segment.text.isprintable():
                    yield segment
                else:
                    yield Segment(shown_safely(segment.text), segment.style, segment.control)

    return SafeConsole


def _print_json(value: Any) -> None:
    """JSON for scripts: controls, broken characters and bidirectional marks written as
    \\u escapes (JSON escapes only C0 controls by itself)."""
    from visitplan.text import json_safely

    print(json_safely(json.dumps(value, indent=2, ensure_ascii=False)))


def _is_terminal(stderr: bool = False) -> bool:
    stream = sys.stderr if stderr else sys.stdout
    return stream.isatty() and os.environ.get("TERM") != "dumb"


def _print_findings(findings: list[Finding], *, stderr: bool = False) -> None:
    console = _console(stderr)
    if not _is_terminal(stderr):
        for finding in findings:
            console.out(
                f"{_where(finding)}: {finding.severity.value} {finding.code}: "
                f"{finding.message}" + (f" — {finding.hint}" if finding.hint else "")
            )
        return
    # Only a terminal gets the table: editors and scripts read lines, sooner.
    from rich.markup import escape
    from rich.table import Table

    styles = {"error": "bold red", "warning": "yellow", "info": "cyan"}
    table = Table(show_lines=False, expand=True, pad_edge=False)
    table.add_column("", no_wrap=True)
    table.add_column("code", no_wrap=True)
    table.add_column("where", no_wrap=True)
    table.add_column("what is wrong", ratio=3)
    table.add_column("how to fix it", ratio=2, style="dim")
    for finding in findings:
        table.add_row(
            f"[{styles[finding.severity.value]}]{finding.severity.value}[/]",
            finding.code,
            escape(_where(finding)),
            escape(finding.message),
            escape(finding.hint),
        )
    console.print(table)


CHART_MAX_GROUPS = 8


def _print_load_chart(loaded: Loaded) -> None:
    """Per group and day: programme hours, daytime free time and span, as bars."""
    from visitplan.timeline import day_loads, group_label

    visit = loaded.visit
    rules = visit.rules
    loads = day_loads(visit)
    console = _console()
    terminal = _is_terminal()
    full, half = ("█", "▌") if terminal else ("#", "+")
    shown = list(loads.items())[:CHART_MAX_GROUPS]
    for group, rows in shown:
        title = "Load per day" + (f", {group_label(visit, group)}" if visit.groups else "")
        console.print(
            f"\n{title} (one block = 30 min; programme / daytime free / span)",
            style="bold" if terminal else None,
        )
        for row in rows:
            bar = full * (row.programme // 30) + (half if row.programme % 30 >= 15 else "")
            heavy = row.programme > rules.max_programme_hours * 60
            long_span = row.span > rules.max_day_span_hours * 60
            label = f"{row.day:%a} {row.day.day:>2} {row.day:%b}"
            figures = f"{_hm(row.programme):>6}  free {_hm(row.free):>6}  span "
            if not terminal:
                console.out(f"  {label}  {bar:<22} {figures}{_hm(row.span)}")
                continue
            style = "red" if heavy else "green"
            span = f"[red]{_hm(row.span)}[/]" if long_span else _hm(row.span)
            console.print(f"  {label}  [{style}]{bar:<22}[/] {figures}{span}")
    if len(loads) > CHART_MAX_GROUPS:
        console.print(
            f"  ... and {len(loads) - CHART_MAX_GROUPS} more groups "
            "(see --format json for the findings)"
        )


def _hm(minutes: int) -> str:
    return f"{minutes // 60}h{minutes % 60:02d}"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _where(finding: Finding) -> str:
    return str(finding.location) if finding.location else "-"


def _refuse(message: str) -> NoReturn:
    """Say in red why the command cannot go on (a problem of the input), exit code 2."""
    _console(stderr=True).print(message, style="bold red", markup=False)
    raise typer.Exit(EXIT_INPUT) from None


def _fail_input(findings: list[Finding], output: OutputFormat = OutputFormat.text) -> NoReturn:
    if output is OutputFormat.json:
        _print_json([f.as_json() for f in findings])
    else:
        _print_findings(findings, stderr=True)
        count = sum(1 for f in findings if f.severity.value == "error")
        _console(stderr=True).print(
            f"{count} problem{'s' if count != 1 else ''} to fix before the visit can be used.",
            style="bold red",
        )
    raise typer.Exit(EXIT_INPUT)


def _load(path: Path, output: OutputFormat = OutputFormat.text) -> Loaded:
    from visitplan.findings import InputError
    from visitplan.load import load_visit

    try:
        return load_visit(path)
    except InputError as error:
        _fail_input(error.findings, output)


# ---------------------------------------------------------------------------
# Commands

VisitArg = Annotated[
    Path,
    typer.Argument(
        help="The visit file, e.g. my-visit/visit.yaml (or visit.xlsx, visit.ods).",
        show_default=False,
    ),
]


@app.command()
def init(
    folder: Annotated[
        Path, typer.Argument(help="Folder to create (must be new or empty).")
    ] = Path(),
    example: Annotated[
        str | None,
        typer.Option(
            "--example",
            "-e",
            help="Copy a shipped example instead of the starter file: "
            "milan-exchange-2026, italy-study-visit-2026 or shape-porto-lousada.",
        ),
    ] = None,
    language: Annotated[
        str | None,
        typer.Option(
            "--language",
            "-l",
            help="The visit's language, that of every output: en, da, de, el, es, fr, hr, "
            "hu, it, nl, pl, pt or ro (default: the file's, en for the starter).",
            show_default=False,
        ),
    ] = None,
    file_format: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="yaml: a visit.yaml to edit in a text editor; xlsx: a visit.xlsx "
            "workbook, one sheet per block, to fill in in Excel or LibreOffice.",
        ),
    ] = "yaml",
) -> None:
    """Create a visit folder with a commented visit.yaml (or a visit.xlsx) to fill in.

    Example: visitplan init my-visit --example milan-exchange-2026

    Example: visitplan init visita-atenas --language el

    Example: visitplan init my-visit --format xlsx
    """
    from visitplan.findings import InputError
    from visitplan.starter import init_folder

    try:
        created = init_folder(folder, example, language)
        if file_format != "yaml":
            from visitplan.workbook.convert import init_workbook

            created = init_workbook(created, file_format)
    except InputError as error:
        _fail_input(error.findings)
    console = _console()
    console.print(f"Created {created}")
    console.print(f"Next: edit it, then run `visitplan check {created}`.")


@app.command()
def check(
    visit_file: Annotated[
        Path | None,
        typer.Argument(help="The visit file, e.g. my-visit/visit.yaml.", show_default=False),
    ] = None,
    output: Annotated[
        OutputFormat,
        typer.Option(
            "--format", "-f", help="text: a table for people; json: a list of findings for scripts."
        ),
    ] = OutputFormat.text,
    strict: Annotated[
        bool, typer.Option("--strict", help="Fail (exit 1) on warnings too.")
    ] = False,
    explain: Annotated[
        str | None,
        typer.Option(
            "--explain",
            metavar="CODE",
            help="Explain a finding code or name (e.g. VP006 or "
            "unknown-reference) and how to fix it.",
            show_default=False,
        ),
    ] = None,
    watch: Annotated[
        bool,
        typer.Option(
            "--watch",
            "-w",
            help="Check again each time the visit file is saved, until Ctrl+C.",
        ),
    ] = False,
) -> None:
    """Find what will go wrong before the programme is sent.

    Exit 0: no errors; 1: errors (with --strict, warnings too); 2: the file cannot
    be read or is invalid. With --watch: exit 0 on Ctrl+C.

    Example: visitplan check my-visit/visit.yaml --format json

    Example: visitplan check my-visit/visit.xlsx --watch
    """
    from visitplan.checks import run_checks
    from visitplan.findings import Severity

    if explain is not None:
        _explain(explain)
        return
    if visit_file is None:
        _refuse(
            "Give the visit file to check, e.g. `visitplan check my-visit/visit.yaml`.",
        )
    if watch:
        _watch(visit_file, lambda: check(visit_file, output, strict))
        return
    loaded = _load(visit_file, output)
    findings = run_checks(loaded) + _companion_findings(loaded)
    if output is OutputFormat.json:
        _print_json([f.as_json() for f in findings])
    else:
        if findings:
            _print_findings(findings)
        _print_load_chart(loaded)
        counts = {s: sum(1 for f in findings if f.severity is s) for s in Severity}
        visit = loaded.visit
        summary = (
            f"{visit_file}: {_count(len(visit.sessions), 'session')}, "
            f"{_count(len(visit.participants), 'participant')}, "
            f"{_count(len(visit.details.days()), 'day')} — "
            f"{_count(counts[Severity.ERROR], 'error')}, "
            f"{_count(counts[Severity.WARNING], 'warning')}, "
            f"{_count(counts[Severity.INFO], 'note')}"
        )
        _console().print(summary, style="bold green" if not counts[Severity.ERROR] else "bold")
    failing = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
    if any(f.severity in failing for f in findings):
        raise typer.Exit(EXIT_FINDINGS)


def _companion_findings(loaded: Loaded) -> list[Finding]:
    """What stops a build in the files kept beside the visit: the feedback answers and
    the attendance record, read as the build reads them."""
    from visitplan.attendance.record import read_attendance
    from visitplan.feedback.store import read_feedback
    from visitplan.findings import InputError

    found: list[Finding] = []
    try:
        read_feedback(loaded.path, loaded.visit.details.id)
    except InputError as error:
        found += error.findings
    try:
        read_attendance(loaded.path, loaded.visit)
    except InputError as error:
        found += error.findings
    return found


def _watch(visit_file: Path, action: Callable[[], None]) -> None:
    """Run ``action`` now and after each save of ``visit_file``, until Ctrl+C."""
    from datetime import datetime

    from visitplan.watch import on_save

    def once() -> None:
        with contextlib.suppress(typer.Exit):
            action()
        _console(stderr=True).print(
            f"{datetime.now():%H:%M:%S} watching {visit_file} (Ctrl+C to stop)", markup=False
        )

    try:
        once()
    except KeyboardInterrupt:  # Ctrl+C ends watching, whenever it comes: exit 0
        return
    on_save(visit_file, once)


@app.command()
def build(
    visit_file: VisitArg,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Output folder (default: build/ next to the visit file): new, empty or "
            "an earlier build; a link is built through to its folder.",
            show_default=False,
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Build even when the checks find errors.")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bar and no list of files.")
    ] = False,
    prune_cancelled: Annotated[
        bool,
        typer.Option(
            "--prune-cancelled",
            help="Drop cancelled and removed sessions from the calendar feeds (after "
            "subscribers have seen them cancelled).",
        ),
    ] = False,
) -> None:
    """Produce every output: agendas, calendars, participant sheets, report template, factsheet.

    Everything is written to a temporary folder first; the previous output is replaced
    only when all of it succeeded. Once feedback answers are kept beside the visit
    (feedback.yaml), private/evaluation.docx sets them against the checks.

    Example: visitplan build my-visit/visit.yaml -o my-visit/build
    """
    from visitplan.build import BuildInterrupted, RefusedBuild
    from visitplan.build import build as run_build
    from visitplan.findings import InputError

    loaded = _load(visit_file)
    try:
        with _progress_bar(enabled=not quiet and _is_terminal(stderr=True)) as progress:
            result = run_build(
                loaded, out, force=force, prune_cancelled=prune_cancelled, progress=progress
            )
    except InputError as error:
        _fail_input(error.findings)
    except RefusedBuild as refused:
        _print_findings(refused.findings, stderr=True)
        if refused.reason == "privacy audit":
            message = (
                f"Not published: the privacy audit found {len(refused.findings)} "
                "piece(s) of personal data that would go into public/. The previous "
                "output is unchanged."
            )
        else:
            message = (
                f"Not built: the checks found {len(refused.findings)} error(s). Fix "
                "them, or build anyway with --force."
            )
        _console(stderr=True).print(message, style="bold red")
        raise typer.Exit(EXIT_FINDINGS) from None
    except BuildInterrupted as interrupted:
        _print_findings([interrupted.finding], stderr=True)
        raise typer.Exit(EXIT_FINDINGS) from None
    except OSError as error:
        where = f" ({error.filename})" if error.filename else ""
        _console(stderr=True).print(
            f"Build failed, previous output left as it was: {error.strerror or error}{where}. "
            "Check that the output folder is writable and the disk has space.",
            style="bold red",
        )
        raise typer.Exit(EXIT_FINDINGS) from None
    console = _console()
    if result.findings:
        _print_findings(result.findings)
    _print_changes(result)
    if quiet:
        console.print(f"Built {_count(len(result.outputs), 'file')} into {result.out}")
        return
    console.print("Written:")
    personal = pages = 0
    for path in result.outputs:
        own = path.parent == result.out / "public" / "p" and path.name != "index.html"
        if own and path.suffix == ".ics":
            personal += 1
        elif own and path.suffix == ".html":
            pages += 1
        else:
            console.print(f"  {path.relative_to(result.out)}")
    if personal or pages:
        console.print(
            f"  public/p/  {_count(personal, 'personal calendar feed')} and "
            f"{_count(pages, 'personal page')} (`visitplan participants links` lists them)"
        )
    console.print(
        f"Built {_count(len(result.outputs), 'file')} into {result.out}", style="bold green"
    )


@contextlib.contextmanager
def _progress_bar(*, enabled: bool) -> Iterator[Callable[[str, int, int], None] | None]:
    """A bar on the terminal while outputs are written; nothing when piped or quiet.

    It refreshes only when told to (no background thread), because the build may fork
    worker processes."""
    if not enabled:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=_console(stderr=True),
        transient=True,
        auto_refresh=False,
    )
    task = bar.add_task("Checking the programme", total=None)
    with bar:
        bar.refresh()

        def update(name: str, done: int, total: int) -> None:
            bar.update(task, total=total, completed=done, description=f"Building: {name}")
            bar.refresh()

        yield update


def _print_changes(result: BuildResult) -> None:
    from visitplan.dates import moment_text
    from visitplan.labels import Labels
    from visitplan.publication import describe_change

    if not result.changes:
        return
    console = _console()
    since = moment_text(result.previous_build, "en") if result.previous_build else "the last build"
    console.print(f"Changed since {since}:", style="bold")
    english = Labels("en")  # the command line speaks English
    for change in result.changes:
        console.print(f"  {describe_change(change, english)}", markup=False)


@app.command()
def audit(
    out: Annotated[Path, typer.Argument(help="A build folder (or its public/).")],
    visit_file: Annotated[
        Path | None,
        typer.Option(
            "--visit",
            "-v",
            help="The visit file whose participants' data to look for "
            "(default: the one the build's manifest names, if it has not changed since).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Look for personal data in a build's public folder before it goes online.

    Finds every participant's email, phone (also written nationally), dietary and
    accessibility text, the names (in any capitals, spacing or order) and ids of those
    who did not consent, hosts' contact persons, anything shaped like an email address
    or an international phone number, and every file it cannot read as text (a
    workbook, archive, PDF or image: remove it or check it by hand). A participant's
    personal page and feed (public/p/) may show their own name and no one else's:
    the tokens in the state file beside the visit file say whose each one is. Exit 0:
    nothing found; 1: something found.
    `visitplan build` runs the same audit and refuses to publish on a finding.

    Example: visitplan audit my-visit/build
    """
    from visitplan.audit import audit_public
    from visitplan.build import visit_of_build
    from visitplan.findings import InputError
    from visitplan.state import read_state, state_path

    try:
        loaded = _load(visit_file or visit_of_build(out))
        tokens = read_state(state_path(loaded.path), loaded.visit.details.id).tokens
        findings = audit_public(out, loaded.visit, tokens)
    except InputError as error:
        _fail_input(error.findings)
    if findings:
        _print_findings(findings)
        _console().print(
            f"{_count(len(findings), 'finding')}: do not publish {out} as it is.", style="bold red"
        )
        raise typer.Exit(EXIT_FINDINGS)
    _console().print(f"No personal data found in {out}.", style="bold green")


feeds_app = typer.Typer(help="Personal calendar feeds.", no_args_is_help=True)
app.add_typer(feeds_app, name="feeds")


@feeds_app.command("rotate")
def feeds_rotate(
    participant: Annotated[str, typer.Argument(help="The participant's id.")],
    visit_file: Annotated[
        Path,
        typer.Option(
            "--visit", "-v", help="The visit file (visit.yaml or visit.xlsx).", show_default=False
        ),
    ] = Path("visit.yaml"),
) -> None:
    """Give a participant a new personal calendar link (the old one stops at the next build).

    Use it when a personal link was shared by mistake.

    Example: visitplan feeds rotate be-fedasil --visit my-visit/visit.yaml
    """
    from visitplan.findings import InputError
    from visitplan.state import rotate_feed_link

    loaded = _load(visit_file)
    try:
        rotate_feed_link(loaded.path, loaded.visit, participant)
    except InputError as error:
        _fail_input(error.findings)
    except OSError as error:
        _console(stderr=True).print(
            f"The state file beside {visit_file} cannot be written "
            f"({error.strerror or error}); the link was not changed. Free disk space or "
            "make the file writable, then try again.",
            style="bold red",
            markup=False,
        )
        raise typer.Exit(EXIT_FINDINGS) from None
    _console().print(
        f"New personal feed link for '{participant}'. Run `visitplan build "
        f"{visit_file}` to publish it; the old link stops working then."
    )


@app.command()
def serve(
    out: Annotated[Path, typer.Argument(help="The build folder (its public/ is served).")] = Path(
        "build"
    ),
    port: Annotated[int, typer.Option("--port", "-p", help="Port to listen on.")] = 8000,
    host: Annotated[
        str,
        typer.Option(
            "--host",
            help="Address to listen on: 127.0.0.1 (this computer only), or 0.0.0.0 for "
            "phones on the same network too (the address and a QR code to scan are shown).",
        ),
    ] = "127.0.0.1",
    watch: Annotated[
        bool,
        typer.Option(
            "--watch",
            "-w",
            help="Rebuild each time the visit file is saved, and reload the page open in "
            "the browser.",
        ),
    ] = False,
    visit_file: Annotated[
        Path | None,
        typer.Option(
            "--visit",
            "-v",
            help="With --watch: the visit file to rebuild from (default: the one the "
            "build's manifest names).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve the public folder, to try the web page and calendar subscriptions.

    The links on the page point to this server while it runs. Feeds answer with ETag
    and Last-Modified, as a web host does; folders are never listed.

    Example: visitplan serve my-visit/build --port 8080

    Example: visitplan serve my-visit/build --host 0.0.0.0   (then scan the QR code)

    Example: visitplan serve my-visit/build --watch
    """
    if watch:
        _serve_watching(out, port, host, visit_file)
        return
    from visitplan.findings import InputError
    from visitplan.layout import public_folder
    from visitplan.serve import make_server, shown_addresses, terminal_qr

    try:
        folder = public_folder(out, with_page=True)
    except InputError as error:
        _fail_input(error.findings)
    try:
        server = make_server(folder, port, host)
    except OSError as error:
        reason = error.strerror or str(error)
        hint = (
            "Try another with --port."
            if isinstance(error.errno, int) and error.errno in {13, 98, 48, 10048}
            else "Give an address of this computer, or 0.0.0.0 for every network."
        )
        _refuse(
            f"Cannot listen on {host} port {port}: {reason}. {hint}",
        )
    address, shared = shown_addresses(server, host)
    console = _console()
    console.print(f"Serving {folder} at {address} (Ctrl+C to stop)", markup=False)
    calendar = "webcal://" + address.removeprefix("http://") + "calendar.ics"
    console.print(f"  calendar: {calendar}", markup=False)
    if shared:
        console.print(
            "  Scan with a phone on the same network to open the page (anyone on this "
            "network can, while it runs):",
            markup=False,
        )
        sys.stdout.write(terminal_qr(address))
        sys.stdout.flush()
    elif host != "127.0.0.1" and host not in {"localhost", "::1"}:
        console.print("  No network found: reachable from this computer only.", markup=False)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        console.print("Stopped.")
    finally:
        server.server_close()


@app.command()
def convert(
    source: Annotated[
        Path,
        typer.Argument(help="The visit file to convert: visit.yaml, visit.xlsx or visit.ods."),
    ],
    target: Annotated[Path, typer.Argument(help="The file to write: visit.xlsx, or visit.yaml.")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace the target file if it exists.")
    ] = False,
) -> None:
    """Convert a visit between visit.yaml and a workbook (one sheet per block).

    Both are equal as a source: check, build and import read either. The YAML file's
    comments go to the workbook's Comments column, and back.

    Example: visitplan convert my-visit/visit.yaml my-visit/visit.xlsx

    Example: visitplan convert my-visit/visit.xlsx my-visit/visit.yaml --force
    """
    from visitplan.findings import InputError
    from visitplan.workbook.convert import convert as run_convert

    try:
        written = run_convert(source, target, force=force)
    except InputError as error:
        _fail_input(error.findings)
    except OSError as error:
        _refuse(
            f"{target} cannot be written ({error.strerror or error}). Choose a folder "
            "you may write to, and check the disk has space.",
        )
    _console().print(f"Wrote {written}", markup=False)


def _serve_watching(out: Path, port: int, host: str, visit_file: Path | None) -> None:
    """Serve ``out``'s public folder, rebuilding it from the visit file on each save;
    pages served reload themselves after a rebuild."""
    import threading

    from visitplan.build import RefusedBuild
    from visitplan.build import build as run_build
    from visitplan.findings import InputError
    from visitplan.layout import public_folder
    from visitplan.load import load_visit
    from visitplan.serve import make_server, shown_addresses
    from visitplan.watch import Version, on_save, reloading_handler, visit_file_of

    source = visit_file or visit_file_of(out)
    if source is None:
        _refuse(
            f"{out} does not say which visit file it was built from: give it with --visit.",
        )
    try:
        folder = public_folder(out, with_page=True)
    except InputError as error:
        _fail_input(error.findings)
    version = Version()
    try:
        server = make_server(folder, port, host, reloading_handler(folder, version))
    except OSError as error:
        _refuse(
            f"Cannot listen on {host} port {port}: {error.strerror or error}. Try another "
            "with --port.",
        )
    console = _console()
    address, _ = shown_addresses(server, host)
    console.print(f"Serving {folder} at {address} (Ctrl+C to stop)", markup=False)
    console.print(f"Rebuilding on each save of {source}", markup=False)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def rebuild() -> None:
        from datetime import datetime

        try:
            result = run_build(load_visit(source), out)
        except InputError as error:
            _print_findings(error.findings, stderr=True)
            console.print("Not rebuilt: the page shows the last good build.", markup=False)
            return
        except RefusedBuild as refused:
            _print_findings(refused.findings, stderr=True)
            console.print("Not rebuilt: the page shows the last good build.", markup=False)
            return
        except OSError as error:
            console.print(f"Not rebuilt: {error.strerror or error}.", markup=False)
            return
        version.bump()
        console.print(
            f"{datetime.now():%H:%M:%S} rebuilt {len(result.outputs)} files; the page reloads",
            markup=False,
        )

    try:
        on_save(source, rebuild)
    finally:
        server.shutdown()
        server.server_close()
    console.print("Stopped.")


@app.command()
def schema(
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write to this file instead of the screen.")
    ] = None,
) -> None:
    """Print the JSON Schema of visit.yaml (for editors' completion and validation).

    Example: visitplan schema -o visit.schema.json
    """
    from visitplan.schema import schema_text, write_schema

    if out is None:
        sys.stdout.write(schema_text())
    else:
        write_schema(out)
        _console().print(f"Wrote {out}")


participants_app = typer.Typer(
    help="Import participants from registration spreadsheets; make a registration sheet; "
    "list each participant's own links; e-mail each participant their programme and links.",
    no_args_is_help=True,
)
app.add_typer(participants_app, name="participants")


@participants_app.command("import")
def participants_import(
    sheet_file: Annotated[
        Path,
        typer.Argument(
            help="The registrations: .xlsx, .ods, .xls or .csv (any delimiter and encoding).",
            show_default=False,
        ),
    ],
    visit_file: Annotated[
        Path | None,
        typer.Option(
            "--visit",
            "-v",
            help="Merge into this visit file, visit.yaml or visit.xlsx (comments and "
            "layout are kept; in a workbook only the Participants sheet changes; "
            "existing participants are updated, never duplicated).",
            show_default=False,
        ),
    ] = None,
    sheet: Annotated[
        str | None,
        typer.Option("--sheet", help="The sheet to read (default: the first).", show_default=False),
    ] = None,
    mapping: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help='Say which column is which: "Header=field" (repeatable); field is '
            "name, given_name, family_name, email, organisation, role, country, phone, group, "
            "arrival, departure, dietary, accessibility, languages, interpretation, notes "
            "or ignore. Headings in any script work.",
            show_default=False,
        ),
    ] = None,
    value_mapping: Annotated[
        list[str] | None,
        typer.Option(
            "--map-value",
            help='Say what a value means: "field:Value=meaning" (repeatable), e.g. '
            '"group:Housing=housing" or "country:Kosova=XK".',
            show_default=False,
        ),
    ] = None,
    group: Annotated[
        str | None,
        typer.Option(
            "--group", "-g", help="Put everyone without a group in this group.", show_default=False
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Show what would change in the visit file; write nothing."),
    ] = False,
    report: Annotated[
        Path | None,
        typer.Option(
            "--report",
            help="Write the rejected rows, with the reason, to this CSV file to fix "
            "and import again.",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="yaml: print the participants (without --visit); json: print the whole "
            "account of the import (participants, rejected, merged, warnings, "
            "unmapped_columns).",
        ),
    ] = "yaml",
    keep_unmapped: Annotated[
        bool,
        typer.Option(
            "--keep-unmapped",
            help="Keep the text of unrecognised columns in each participant's notes.",
        ),
    ] = False,
) -> None:
    """Import participants from a registration spreadsheet.

    Every row is accounted for: taken, merged as a duplicate (a later submission replaces
    an earlier one), or rejected with its row number and the reason. A cell that cannot
    be read (a country, a date, a group) is left out of its row with a warning at its
    row and column. Exit 0: all rows taken or merged, every cell read; 1: some rows were
    rejected or some cells left out; 2: the file cannot be read, or the report cannot
    be written.

    Example: visitplan participants import registrations.xlsx --visit my-visit/visit.yaml
    """
    from visitplan.findings import InputError
    from visitplan.participants.outcome import ImportOptions, import_sheet

    visit = _load(visit_file).visit if visit_file else None
    options = ImportOptions(
        sheet=sheet,
        mapping=_parse_maps(mapping or []),
        value_map=_parse_value_maps(value_mapping or []),
        group=group,
        keep_unmapped=keep_unmapped,
    )
    try:
        outcome = import_sheet(
            sheet_file,
            options,
            visit=visit,
            visit_file=visit_file,
            report=report,
            dry_run=dry_run,
        )
    except InputError as error:
        _fail_input(error.findings)
    _print_import_summary(outcome.result)
    if outcome.report is not None:
        _console(stderr=True).print(f"Rejected rows written to {outcome.report}")
    if outcome.merge is not None:
        _print_merge(outcome.merge)
    if output == "json":
        from visitplan.participants.report import write_account

        write_account(sys.stdout, outcome.account())
    elif visit_file is None:
        from visitplan.participants.report import write_participants_yaml

        write_participants_yaml(sys.stdout, outcome.result)
    if not outcome.complete:
        raise typer.Exit(EXIT_FINDINGS)


def _parse_maps(items: list[str]) -> dict[str, str]:
    """--map "Header=field" options as heading -> field."""
    overrides = {}
    for item in items:
        header, _, field = item.rpartition("=")
        if not header or not field:
            _console(stderr=True).print(
                f'--map needs "Header=field", not "{item}"', style="bold red", markup=False
            )
            raise typer.Exit(EXIT_INPUT)
        overrides[header.strip()] = field.strip()
    return overrides


def _parse_value_maps(items: list[str]) -> dict[str, dict[str, str]]:
    """--map-value "field:Value=meaning" options as field -> value as typed -> meaning."""
    values: dict[str, dict[str, str]] = {}
    for item in items:
        name, _, rest = item.partition(":")
        typed, _, meaning = rest.rpartition("=")
        if not name.strip() or not typed.strip() or not meaning.strip():
            _refuse(
                f'--map-value needs "field:Value=meaning", not "{item}"',
            )
        from visitplan.participants.columns import FIELDS

        if name.strip() not in FIELDS:
            _refuse(
                f'--map-value "{item}": "{name.strip()}" is not a field; use one of '
                + ", ".join(f for f in FIELDS if f != "ignore"),
            )
        values.setdefault(name.strip(), {})[typed.strip()] = meaning.strip()
    return values


def _print_import_summary(result: ImportResult) -> None:
    from rich.table import Table

    console = _console(stderr=True)
    for rejected in sorted(result.rejected, key=lambda r: r.row):
        console.print(
            f"{result.sheet}!{rejected.row}: {rejected.reason} — {rejected.hint}",
            markup=False,
            style="yellow" if _is_terminal(True) else None,
        )
    for warning in sorted(result.warnings, key=lambda w: (w.row, len(w.column), w.column)):
        heading = f" ({warning.header})" if warning.header else ""
        console.print(
            f"{result.sheet}!{warning.where}{heading}: {warning.message}",
            markup=False,
            style="yellow" if _is_terminal(True) else None,
        )
    for merged in result.merged:
        console.print(f"{result.sheet}: {merged}", markup=False)
    for note in result.notes:
        console.print(f"note: {note}", markup=False)
    if result.unmapped:
        console.print(
            "columns not imported: "
            + ", ".join(f"'{h}'" for h in result.unmapped)
            + ' (name them with --map "Header=field", or keep them in notes with '
            "--keep-unmapped)",
            markup=False,
        )
    table = Table(title=f"{result.sheet}: {result.rows_read} rows read", title_justify="left")
    table.add_column("taken", justify="right")
    table.add_column("merged (duplicates)", justify="right")
    table.add_column("rejected", justify="right")
    table.add_row(str(len(result.taken)), str(len(result.merged)), str(len(result.rejected)))
    if _is_terminal(True):
        console.print(table)
    else:
        console.out(
            f"{result.sheet}: {result.rows_read} rows read: {len(result.taken)} taken, "
            f"{len(result.merged)} merged as duplicates, {len(result.rejected)} rejected"
        )


def _print_merge(merge: MergeOutcome) -> None:
    console = _console(stderr=True)
    for kept in merge.kept:
        console.print(kept, markup=False)
    visit_file = merge.visit_file
    if not merge.changed:
        console.print(f"{visit_file}: nothing to change ({merge.summary}).")
    elif merge.problems:
        console.print(
            f"{visit_file} was not changed: with these participants it would not be valid:",
            style="bold red",
        )
        _fail_input(merge.problems)
    elif merge.dry_run:
        sys.stdout.writelines(merge.diff)
        console.print(f"Dry run: {merge.summary}; nothing written.")
    elif merge.write_error is not None:
        console.print(
            f"{visit_file} was not changed: it cannot be written ({merge.write_error}). "
            "Free disk space or make it writable, then import again.",
            style="bold red",
            markup=False,
        )
        raise typer.Exit(EXIT_FINDINGS)
    elif merge.backup is not None:
        backup = merge.backup
        shown = backup.name if backup.parent == visit_file.absolute().parent else str(backup)
        console.print(f"{visit_file}: {merge.summary} (previous version kept as {shown}).")


@participants_app.command("message")
def participants_message(
    visit_file: VisitArg,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Folder for the .eml files (default: messages/ beside the visit file). "
            "Files visitplan did not write there are never replaced.",
            show_default=False,
        ),
    ] = None,
    smtp: Annotated[
        str | None,
        typer.Option(
            "--smtp",
            metavar="HOST:PORT",
            help="Send through this mail server instead of writing files, e.g. "
            "smtp.example.org:587 (port 465: TLS from the start). Log in with the "
            "VISITPLAN_SMTP_USER and VISITPLAN_SMTP_PASSWORD environment variables.",
            show_default=False,
        ),
    ] = None,
    starttls: Annotated[
        bool,
        typer.Option(
            "--starttls/--no-starttls",
            help="Encrypt the connection with STARTTLS. --no-starttls is for a test "
            "server on this computer; a password is never sent unencrypted elsewhere.",
        ),
    ] = True,
    sender: Annotated[
        str | None,
        typer.Option(
            "--from",
            help='The sender, e.g. "Visit office <office@example.org>" (needed with --smtp).',
            show_default=False,
        ),
    ] = None,
    rate: Annotated[
        float,
        typer.Option("--rate", min=0, help="At most this many messages a minute (0: no pause)."),
    ] = 20,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Say what would be written or sent; do nothing."),
    ] = False,
    changes: Annotated[
        bool,
        typer.Option(
            "--changes",
            help="Only what the latest version of the programme changed, to the "
            "participants it concerns (files go to messages/changes-N/).",
        ),
    ] = False,
) -> None:
    """E-mail each participant their programme, links and calendar QR code, in their language.

    Without --smtp, writes one .eml file per participant to check (and, in Outlook, to
    send as drafts). With --smtp, sends them; each message sent is recorded in the
    state file, so running the command again never sends anyone the same message
    twice (a changed programme is sent again). Run `visitplan build` first: the
    messages link each participant's personal page and calendar.

    With --changes, only the participants the latest version's changes concern get a
    message, saying what changed for them (after `visitplan build`).

    Example: visitplan participants message my-visit/visit.yaml

    Example: visitplan participants message my-visit/visit.yaml --changes

    Example (with both variables set): visitplan participants message
    my-visit/visit.yaml --smtp smtp.example.org:587 --from "Visit office
    <office@example.org>" --dry-run
    """
    from visitplan.findings import InputError
    from visitplan.messages import (
        change_bodies,
        changes_folder,
        default_folder,
        mail_server,
        prepare_messages,
        send_messages,
        sender_address,
        write_message_files,
    )

    loaded = _load(visit_file)
    try:
        server = mail_server(smtp, starttls=starttls) if smtp is not None else None
        if server is not None and sender is None:
            raise InputError.of(
                "VP405",
                "--smtp needs --from: the address the messages are sent from",
                'add e.g. --from "Visit office <office@example.org>"',
                "--from",
            )
        from_address = sender_address(sender) if sender is not None else None
        bodies = change_bodies(loaded) if changes else None
        if bodies is not None and not bodies.changed:
            _console().print(
                f"Version {bodies.version.number} of the programme changed nothing that "
                "was published before: no one gets a message. (Build after changing the "
                "programme, then run this again.)",
                markup=False,
            )
            return
        prepared = prepare_messages(loaded, sender=from_address, body_of=bodies)
    except InputError as error:
        _fail_input(error.findings)
    if prepared.notes:
        notes = _console(stderr=True)
        notes.print(
            f"note: {_count(len(prepared.notes), 'participant')} without an email address "
            "get no message:",
            markup=False,
        )
        for note in prepared.notes[:10]:
            notes.print(f"  {_where(note)}: {note.message}", markup=False)
        if len(prepared.notes) > 10:
            notes.print(f"  ... and {len(prepared.notes) - 10} more", markup=False)
        notes.print(f"  — {prepared.notes[0].hint}", markup=False)
    console = _console()
    if server is None or from_address is None:  # --smtp without --from was refused above
        if out is not None:
            folder = out
        elif bodies is not None:
            folder = changes_folder(loaded.path, bodies.version.number)
        else:
            folder = default_folder(loaded.path)
        try:
            files = write_message_files(prepared, folder, dry_run=dry_run)
        except InputError as error:
            _fail_input(error.findings)
        if dry_run:
            console.print(
                f"Dry run: would write {_count(len(files.written), 'message')} to "
                f"{files.folder}; nothing written.",
                markup=False,
            )
            for path in files.written:
                console.print(f"  {path.name}", markup=False)
        else:
            console.print(
                f"Wrote {_count(len(files.written), 'message')} to {files.folder}: open "
                "them to check (Outlook opens each as a draft to send).",
                markup=False,
            )
        if files.removed:
            verb = "would remove" if dry_run else "removed"
            console.print(
                f"  {verb} {_count(len(files.removed), 'earlier message')} of participants "
                "who get none now: " + ", ".join(p.name for p in files.removed),
                markup=False,
            )
        return

    def shown(composed: Any) -> str:
        person = composed.recipient.participant
        return f"{person.name} <{composed.recipient.address}>"

    def progress(event: str, composed: Any) -> None:
        if event == "sent":
            console.print(f"  sent: {shown(composed)}", markup=False)

    outcome = send_messages(
        prepared,
        server,
        from_address,
        loaded=loaded,
        rate=rate,
        dry_run=dry_run,
        progress=None if dry_run else progress,
    )
    if dry_run:
        console.print(
            f"Dry run: would send {_count(len(outcome.pending), 'message')} through "
            f"{server.shown} from {from_address}; nothing sent.",
            markup=False,
        )
        for composed in outcome.pending:
            console.print(f"  to {shown(composed)}: {composed.message['Subject']}", markup=False)
    if outcome.already:
        console.print(
            f"{_count(len(outcome.already), 'participant')} already received this message "
            "(not sent again): " + ", ".join(c.recipient.participant.id for c in outcome.already),
            markup=False,
        )
    problems = outcome.refused + ([outcome.stopped] if outcome.stopped else [])
    if problems:
        _print_findings(problems, stderr=True)
    if not dry_run:
        total = len(outcome.sent) + len(outcome.pending) + len(outcome.refused)
        summary = f"Sent {len(outcome.sent)} of {_count(total, 'message')}"
        if outcome.refused:
            summary += f"; {len(outcome.refused)} refused"
        if outcome.stopped:
            summary += (
                f"; stopped with {len(outcome.pending)} not sent: run the command again "
                "to send them (no one gets a message twice)"
            )
        console.print(summary + ".", markup=False)
    if problems:
        raise typer.Exit(EXIT_INPUT)


@participants_app.command("template")
def participants_template(
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Where to write the registration sheet.")
    ] = Path("registrations.xlsx"),
    visit_file: Annotated[
        Path | None,
        typer.Option(
            "--visit",
            "-v",
            help="Offer this visit's groups in the group column, and write the sheet in "
            "the visit's language.",
            show_default=False,
        ),
    ] = None,
    language: Annotated[
        str | None,
        typer.Option(
            "--language",
            "-l",
            help="The sheet's language (headers, hints, drop-down lists): en, da, de, el, "
            "es, fr, hr, hu, it, nl, pl, pt or ro (default: the visit's, else en).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Write a blank registration spreadsheet with the expected columns and drop-down lists.

    The sheet is in the visit's language (or --language); a filled-in sheet in any
    language imports without --map.

    Example: visitplan participants template -o registrations.xlsx --visit my-visit/visit.yaml

    Example: visitplan participants template -o inscricoes.xlsx --language pt
    """
    from visitplan.findings import InputError
    from visitplan.participants.template import write_template
    from visitplan.starter import known_language

    try:
        chosen = known_language(language) if language is not None else None
    except InputError as error:
        _fail_input(error.findings)
    visit = _load(visit_file).visit if visit_file else None
    groups = [g.name for g in visit.groups] if visit else []
    chosen = chosen or (visit.details.language if visit else "en")
    try:
        write_template(out, groups, chosen)
    except InputError as error:
        _fail_input(error.findings)
    from visitplan.i18n import languages

    if chosen not in languages():
        _console(stderr=True).print(
            f"visitplan has no '{chosen}' wording yet: the headers and hints are in English, "
            f"the country names in '{chosen}'. Translated: {', '.join(languages())}.",
            markup=False,
        )
    _console().print(
        f"Wrote {out}. Share it, then: visitplan participants import {out} --visit visit.yaml"
    )


class LinksFormat(StrEnum):
    csv = "csv"
    json = "json"


@participants_app.command("links")
def participants_links(
    visit_file: Annotated[
        Path, typer.Option("--visit", "-v", help="The visit file.", show_default=False)
    ] = Path("visit.yaml"),
    output: Annotated[
        LinksFormat,
        typer.Option(
            "--format",
            "-f",
            help="csv (UTF-8 with a byte-order mark, as Excel and Word's mail merge read "
            "names in any script) or json.",
        ),
    ] = LinksFormat.csv,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write to this file instead of the screen."),
    ] = None,
) -> None:
    """List each participant's own links, for a mail merge in Word or Outlook.

    One row per participant: name, email, language (of their page and calendar),
    personal page, calendar address (https), webcal link, and the links that add the
    calendar to Google Calendar and Outlook.com. The links are those of the last
    build: run `visitplan build` first, so that every participant has one. Send
    each person their own row only.

    Example: visitplan participants links --visit my-visit/visit.yaml -o links.csv

    Example: visitplan participants links --visit my-visit/visit.yaml --format json
    """
    from visitplan.findings import InputError
    from visitplan.participants.link_list import links_text, participant_links, write_links

    loaded = _load(visit_file)
    try:
        found = participant_links(loaded.path, loaded.visit)
        if out is not None:
            write_links(found.rows, output.value, out)
    except InputError as error:
        _fail_input(error.findings)
    if found.base_url is None:
        _console(stderr=True).print(
            f"{visit_file}: no `publishing: base_url:` in the visit, so only the paths "
            "inside the build folder are listed. Add the address where public/ will be "
            "online (visit: publishing: base_url: https://example.org/my-visit/) to get "
            "links participants can open.",
            markup=False,
        )
    if out is None:
        sys.stdout.write(links_text(found.rows, output.value))
    else:
        _console(stderr=True).print(
            f"Wrote {len(found.rows)} participants' links to {out}. Each row is for "
            "that person only.",
            markup=False,
        )


feedback_app = typer.Typer(
    help="After the visit: the feedback form to print or copy into Google Forms or "
    "Microsoft Forms, and the import of its answers, kept without names.",
    no_args_is_help=True,
)
app.add_typer(feedback_app, name="feedback")


@feedback_app.command("template")
def feedback_template(
    visit_file: VisitArg,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Where to write the form's workbook (.xlsx); the list of questions goes "
            "beside it, with the same name ending in .txt (default: feedback-form.xlsx "
            "and feedback-questions.txt beside the visit file).",
            show_default=False,
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="Replace the files even if visitplan did not write them."),
    ] = False,
) -> None:
    """Write the feedback form, in the visit's language.

    Two files: a workbook with the questions, ready to print, and a sheet "Responses"
    (one row per respondent, ratings, loads and yes/no checked as they are typed); and a
    plain-text list of the questions, each with its answer type and choices, to paste
    into Google Forms or Microsoft Forms. Each question's title ends with its id in
    square brackets, e.g. [useful.d1-cnaim]: keep it in the online form, and the import
    finds every answer's question. Files visitplan wrote before are replaced; others
    only with --force.

    Example: visitplan feedback template my-visit/visit.yaml

    Example: visitplan feedback template my-visit/visit.yaml -o my-visit/form.xlsx
    """
    from visitplan.feedback.form import default_paths, write_form
    from visitplan.findings import InputError

    loaded = _load(visit_file)
    workbook, text = default_paths(visit_file)
    if out is not None:
        workbook, text = out, out.with_suffix(".txt")
    try:
        files = write_form(loaded.visit, workbook, text, force=force, visit_file=visit_file)
    except InputError as error:
        _fail_input(error.findings)
    _console().print(
        f"Wrote {files.workbook} and {files.questions} ({_count(files.count, 'question')}). "
        f"Collect the answers, then: visitplan feedback import RESPONSES --visit {visit_file}",
        markup=False,
    )


@feedback_app.command("import")
def feedback_import(
    responses: Annotated[
        Path,
        typer.Argument(
            help="The answers: a Google Forms or Microsoft Forms export (.csv, .xlsx), or "
            "the form's workbook filled in (.xlsx, .ods, .xls, .csv of any delimiter and "
            "encoding).",
            show_default=False,
        ),
    ],
    visit_file: Annotated[
        Path,
        typer.Option(
            "--visit",
            "-v",
            help="The visit file (visit.yaml or visit.xlsx); the answers are kept in "
            "feedback.yaml beside it (beside visit-revised.yaml: "
            "visit-revised.feedback.yaml).",
        ),
    ] = Path("visit.yaml"),
    sheet: Annotated[
        str | None,
        typer.Option(
            "--sheet",
            help="The sheet to read (default: the first whose headings are the form's questions).",
            show_default=False,
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Show what would be imported; write nothing."),
    ] = False,
    report: Annotated[
        Path | None,
        typer.Option(
            "--report",
            help="Write every row not imported as it stood and every answer left out, with "
            "the reason and how to fix it, to this CSV file.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Import the answers to the feedback form, without names.

    Each column is matched to a question by the id at the end of its heading
    ([useful.d1-cnaim]), else by the question's text in the visit's language or in
    English. Columns that say who answered (time stamp, email, name, response id) are
    used only to find a second response of one person, and never kept. Every row is
    accounted for: imported, duplicate (of which row), empty, or rejected; an answer
    that cannot be read (a rating of 7) is left out with its sheet, row and column, and
    the rest of the row is kept. Importing again replaces the answers of feedback.yaml.
    Exit 0: every answer read; 1: some answers or rows were left out; 2: the file
    cannot be read.

    Example: visitplan feedback import responses.csv --visit my-visit/visit.yaml
    """
    from visitplan.feedback.importing import import_feedback
    from visitplan.findings import InputError

    loaded = _load(visit_file)
    try:
        outcome = import_feedback(
            responses,
            loaded.visit,
            loaded.path,
            sheet=sheet,
            dry_run=dry_run,
            report=report,
        )
    except InputError as error:
        _fail_input(error.findings)
    _print_feedback_summary(outcome, report)
    if not outcome.result.complete:
        raise typer.Exit(EXIT_FINDINGS)


def _print_feedback_summary(outcome: FeedbackOutcome, report: Path | None) -> None:
    console = _console(stderr=True)
    result = outcome.result
    style = "yellow" if _is_terminal(True) else None
    for finding in result.warnings:
        console.print(
            f"{finding.code} {finding.message} — {finding.hint}", markup=False, style=style
        )
    for duplicate in result.duplicates:
        console.print(f"VP505 {result.sheet}: {duplicate}", markup=False)
    for number in result.rejected:
        why = result.rejected_why.get(number, "none of the row's answers could be read")
        console.print(
            f"VP506 {result.sheet}!{number}: {why}; the row was not imported",
            markup=False,
            style=style,
        )
    if result.empty:
        rows = ", ".join(str(n) for n in result.empty[:20])
        more = f" and {len(result.empty) - 20} more" if len(result.empty) > 20 else ""
        console.print(
            f"VP506 {result.sheet}: {_count(len(result.empty), 'row')} without answers "
            f"(row {rows}{more})",
            markup=False,
        )
    for note in result.notes:
        console.print(f"note: {note}", markup=False)
    if result.identifying:
        console.print(
            "columns that say who answered, left out (the answers are kept without names): "
            + ", ".join(f"'{h}'" for h in result.identifying),
            markup=False,
        )
    if result.unknown:
        console.print(
            "VP503 columns that are no question of the form, not imported: "
            + ", ".join(f"'{h}'" for h in result.unknown)
            + " (head a column with its question's title, ending in its id in brackets, "
            "as `visitplan feedback template` writes it)",
            markup=False,
        )
    console.out(
        f"{result.sheet}: {_count(result.rows_read, 'row')} read: "
        f"{len(result.responses)} imported, {len(result.duplicates)} duplicate, "
        f"{len(result.empty)} empty, {len(result.rejected)} rejected; "
        f"{_count(result.answers_refused, 'answer')} left out"
    )
    if report is not None:
        console.print(f"Problems written to {report}", markup=False)
    before = (
        ""
        if outcome.replaced is None
        else f", replacing the {_count(outcome.replaced, 'response')} it held"
    )
    if outcome.written:
        console.print(
            f"Wrote {_count(len(result.responses), 'response')} to {outcome.target}{before}. "
            "`visitplan build` now writes the evaluation.",
            markup=False,
        )
    elif not result.responses:
        console.print(f"No response to import: {outcome.target} was not changed.", markup=False)
    else:
        console.print(
            f"Dry run: {outcome.target} would hold {_count(len(result.responses), 'response')}"
            f"{before}; nothing written.",
            markup=False,
        )


attendance_app = typer.Typer(
    help="Record who actually came to each session, for the certificates of attendance.",
    no_args_is_help=True,
)
app.add_typer(attendance_app, name="attendance")


@attendance_app.command("import")
def attendance_import(
    marks_file: Annotated[
        Path,
        typer.Argument(
            help="The typed sign-in sheets (participants.xlsx from the build, one sheet per "
            "day), or a table with one row per participant (an 'id' or 'name' column) and "
            "one column per session (headed with its id or title): .xlsx, .ods, .xls or "
            ".csv.",
            show_default=False,
        ),
    ],
    visit_file: Annotated[
        Path,
        typer.Option(
            "--visit",
            "-v",
            help="The visit file; the record is kept beside it in attendance.yaml.",
        ),
    ] = Path("visit.yaml"),
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Show what the sheet says; write nothing."),
    ] = False,
) -> None:
    """Mark who came to each session, from the typed sign-in sheets or a table of marks.

    A cell with an x, a tick, initials, yes or 1 means the person came; blank, no, 0 or
    a dash means they did not. Names are matched whatever their case and accents. For
    each session the sheet has a column for, the people it has a row for are recorded
    as marked; everyone else, and every session without a column (or a day's sheet
    with no mark yet), keeps what attendance.yaml said, else the planned presence
    (each participant's group's sessions between their arrival and departure). The
    next build prints the certificates from it.

    Exit 0: every row matched (or empty) and every column read; 1: some rows name
    nobody in the visit, or some columns no session (each shown with its row or
    column); 2: the sheet or the visit cannot be read.

    Example: visitplan attendance import participants.xlsx --visit my-visit/visit.yaml
    """
    from visitplan.attendance.importing import import_attendance
    from visitplan.findings import InputError

    loaded = _load(visit_file)
    try:
        result = import_attendance(marks_file, loaded.visit, loaded.path, dry_run=dry_run)
    except InputError as error:
        _fail_input(error.findings)
    console = _console(stderr=True)
    for finding in result.findings:
        console.print(
            f"{finding.code} {finding.as_text()}",
            markup=False,
            style="yellow" if _is_terminal(True) and finding.severity.value != "info" else None,
        )
    for note in result.notes:
        console.print(f"note: {note}", markup=False)
    console.out(
        f"{result.source}: {_count(result.rows_read, 'row')} read: {result.matched} matched, "
        f"{result.unknown} naming nobody in the visit, {result.empty} empty; "
        f"{_count(len(result.sessions), 'session')} recorded, "
        f"{_count(result.marks, 'attendance')} marked"
    )
    if result.written is not None:
        console.out(f"Written to {result.written}")
    else:
        console.out("Nothing written (--dry-run).")
    if not result.complete:
        raise typer.Exit(EXIT_FINDINGS)


def _explain(code: str) -> None:
    from visitplan.findings import CATALOGUE

    wanted = code.strip()
    for info in CATALOGUE.values():
        if wanted.upper() == info.code or wanted.lower() == info.name:
            console = _console()
            console.print(f"{info.code} {info.name} ({info.severity.value})", style="bold")
            console.print(info.summary)
            console.print(f"How to fix it: {info.fix}")
            return
    _console(stderr=True).print(
        f"Unknown code '{code}'. Known codes: " + ", ".join(CATALOGUE), style="bold red"
    )
    raise typer.Exit(EXIT_INPUT)


def main() -> None:
    """Entry point: no traceback reaches the user for anything they can fix."""
    try:
        app()
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        sys.exit(130)
    except Exception:
        if _state["debug"]:
            raise
        import traceback

        print(
            "visitplan hit an internal error (a bug, not a problem in your files). "
            "Run again with --debug and report what it prints:",
            file=sys.stderr,
        )
        from visitplan.text import shown_safely

        problem = "".join(traceback.format_exception_only(*sys.exc_info()[:2])).strip()
        print(shown_safely(problem), file=sys.stderr)
        sys.exit(3)
