"""``visitplan feedback import``: the answers of a response sheet, matched to the
form's questions and kept without names in ``feedback.yaml``.

The sheet is read as registrations are (``participants.read``: any sheet, CSV dialect
and encoding, .xlsx/.ods/.xls, merged cells, bounded reading). A column's heading is
matched to a question by the id at the end of its title (``[useful.d1-cnaim]``), else
by the question's text in the visit's language or in English, however it is
capitalised, accented or spaced. Columns that say who answered (time stamp, email,
name, response id) are read only to find a respondent's second response, and never
kept.

Every row is accounted for: imported, a duplicate of another row (which one is said),
empty, or rejected because none of its answers could be read. An answer that cannot
be read (a rating of 7, a load nobody offered) is left out with a warning at its sheet,
row and column, and the rest of the row is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING

from visitplan.feedback.form import ID_SUFFIX, choices
from visitplan.feedback.questions import (
    HIGHEST_RATING,
    LOAD_WORDS,
    LOADS,
    LOWEST_RATING,
    YES_NO_WORDS,
    Answer,
    Question,
    QuestionKind,
    question_kind,
    questions,
)
from visitplan.feedback.store import (
    NO,
    YES,
    Feedback,
    companion_problem,
    feedback_path,
    parse_answer,
)
from visitplan.findings import Finding, InputError, Location
from visitplan.participants.columns import HEADER_SEARCH_ROWS, ColumnMap, normalise_header
from visitplan.participants.importing import (
    ImportResult,
    Row,
    _fill_merged,
    clean_controls,
    column_letter,
    read_cells,
)
from visitplan.participants.read import Cell, Sheet, read_sheet

if TYPE_CHECKING:
    from visitplan.labels import Labels
    from visitplan.model import Visit

# Columns that say who answered: dropped, the results are anonymous. Google Forms
# names its first column in the form owner's language.
WHO = frozenset(
    normalise_header(heading)
    for heading in (
        "Timestamp",
        "Email Address",
        "Email",
        "E-mail",
        "Name",
        "ID",
        "Start time",
        "Completion time",
        "Last modified time",
        "Horodateur",
        "Adresse e-mail",
        "Zeitstempel",
        "E-Mail-Adresse",
        "Marca temporal",
        "Dirección de correo electrónico",
        "Informazioni cronologiche",
        "Indirizzo email",
        "Carimbo de data/hora",
        "Endereço de e-mail",
        "Tijdstempel",
        "E-mailadres",
        "Sygnatura czasowa",
        "Adres e-mail",
        "Χρονική σήμανση",
        "Διεύθυνση ηλεκτρονικού ταχυδρομείου",
        "Marcaj de timp",
        "Adresă de e-mail",
        "Időbélyeg",
        "E-mail-cím",
        "Vremenska oznaka",
        "Adresa e-pošte",
        "Tidsstempel",
        "E-mailadresse",
    )
)
# What each identifying column tells: a respondent seen twice is one response too many.
RESPONDENT = {
    normalise_header(h): kind
    for kind, headings in {
        "email": ("Email Address", "Email", "E-mail", "Adresse e-mail", "E-Mail-Adresse"),
        "id": ("ID",),
        "timestamp": ("Timestamp", "Horodateur", "Zeitstempel", "Marca temporal"),
    }.items()
    for h in headings
}
RESPONDENT_WORDS = {
    "email": "email address",
    "id": "response id",
    "timestamp": "time stamp",
    "answers": "answers",
}
# "4", "4.0", "4 - useful", "4 (useful)": the number that starts the answer.
_RATING = re.compile(r"^\s*(\d+(?:[.,]\d+)?)(?:$|[\s\-–—:/()])")
_NUMBERED = re.compile(r"^\s*\d{1,3}\s*[.)]\s+")


@dataclass(frozen=True)
class Duplicate:
    row: int
    of: int  # the row that is kept
    reason: str

    def __str__(self) -> str:
        return f"row {self.row} is a duplicate of row {self.of} ({self.reason})"


@dataclass
class FeedbackImport:
    """The account of one response sheet: what each row became, and every problem."""

    sheet: str
    rows_read: int = 0
    responses: list[tuple[int, dict[str, Answer]]] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    empty: list[int] = field(default_factory=list)
    rejected: list[int] = field(default_factory=list)  # rows whose answers were all refused
    # Why a rejected row was, when not for its answers (a heading row typed again).
    rejected_why: dict[int, str] = field(default_factory=dict)
    warnings: list[Finding] = field(default_factory=list)  # located, in sheet order
    missing: list[Question] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    identifying: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    answers_refused: int = 0

    @property
    def accounted(self) -> bool:
        rows = len(self.responses) + len(self.duplicates) + len(self.empty) + len(self.rejected)
        return rows == self.rows_read

    @property
    def complete(self) -> bool:
        """Every answer read (exit code 0)."""
        return not self.rejected and not self.answers_refused


@dataclass(frozen=True)
class ImportOutcome:
    result: FeedbackImport
    target: Path  # feedback.yaml
    replaced: int | None  # responses the file held before (None: there was none)
    written: bool
    dry_run: bool


class _Matcher:
    """Headings to questions: the id in brackets, the id alone, or the question's text in
    the visit's language or English, with any capitals, accents, spaces or numbering."""

    def __init__(self, asked: list[Question], labels: Labels, english: Labels) -> None:
        self.by_id = {q.id.casefold(): q for q in asked}
        self.by_text: dict[str, Question] = {}
        # A grid's rows: a session's title, a day's date (None: two questions share it).
        self.by_row: dict[str, Question | None] = {}
        for question in asked:
            for wording in (labels, english):
                self.by_text.setdefault(_text_key(question.text(wording)), question)
                rows: set[str] = set()
                if question.session is not None:
                    rows.add(_text_key(question.session.title))
                if question.day is not None:
                    rows |= {_text_key(wording.full_date(question.day))}
                    rows |= {_text_key(wording.date(question.day)), question.day.isoformat()}
                for row in rows:
                    known = self.by_row.get(row, question)
                    self.by_row[row] = question if known is question else None

    def find(self, heading: str) -> Question | None:
        text = _NUMBERED.sub("", heading).strip()
        if not text:
            return None
        found = self.by_id.get(text.casefold())
        if found is not None:
            return found
        suffix = ID_SUFFIX.search(text)
        if suffix is not None:
            found = self.by_id.get(suffix.group(1).casefold())
            if found is not None:
                return found
            # A grid's column: "Question [row]" names its row's question.
            row = _text_key(suffix.group(1))
            found = self.by_text.get(row) or self.by_row.get(row)
            if found is not None:
                return found
            found = self.by_text.get(_text_key(text[: suffix.start()]))
            if found is not None:
                return found
        # Microsoft Forms heads a Likert question's rows with the row alone.
        return self.by_text.get(_text_key(text)) or self.by_row.get(_text_key(text))


def _text_key(text: str) -> str:
    """A question's text as compared: brackets' contents kept (a session's date)."""
    return normalise_header(re.sub(r"[()\[\]]", " ", text))


@dataclass
class _Header:
    row: int
    headings: list[str]
    columns: dict[int, Question]  # column index -> question
    who: dict[int, str]  # column index -> "email", "id", "timestamp" or "" (a name...)
    order: dict[str, int]  # question id -> its place in the form


def import_responses(
    path: Path, visit: Visit, *, sheet: str | None = None
) -> tuple[FeedbackImport, Feedback]:
    """Read ``path`` and account for every row; the responses as ``Feedback``."""
    from visitplan.labels import Labels

    asked = questions(visit)
    labels = Labels(visit.details.language)
    matcher = _Matcher(asked, labels, Labels("en"))
    table, header, rows = _find_header(path, sheet, matcher, asked)
    result = FeedbackImport(table.name)
    _account_header(header, asked, table, result, labels)
    while rows and _blank(rows[-1].cells):
        rows.pop()
    result.rows_read = len(rows)
    if table.cut_columns:
        result.notes.append(
            f"columns beyond {column_letter(len(header.headings) - 1)} were not read: "
            "visitplan reads the first 500 columns of a sheet"
        )
    notes = ImportResult(table.name, header.headings, 0)
    _fill_merged(rows, table.merged(), ColumnMap(header.row, header.headings, {}), notes)
    result.notes.extend(notes.notes)
    readers = _AnswerReaders(labels)
    kept: list[_Response] = []
    for row in rows:
        response = _read_row(row, header, table.name, readers, result)
        if response is not None:
            kept.append(response)
    _deduplicate(kept, result)
    answered, expected = len(result.responses), len(visit.participants)
    if answered > expected:
        result.notes.append(
            f"{answered} {'response' if answered == 1 else 'responses'} for the {expected} "
            f"{'participant' if expected == 1 else 'participants'} of the visit file: check "
            "that the sheet holds only this visit's answers, or add the missing "
            "participants, so that the evaluation counts right"
        )
    result.warnings.sort(key=lambda f: f.extra.get("order", (0, 0)))
    feedback = Feedback(visit.details.id, tuple(answers for _, answers in result.responses))
    return result, feedback


def import_feedback(
    path: Path,
    visit: Visit,
    visit_file: Path,
    *,
    sheet: str | None = None,
    dry_run: bool = False,
    report: Path | None = None,
) -> ImportOutcome:
    """Import ``path`` and write its responses to the feedback file beside
    ``visit_file`` (replacing the answers it held), unless ``dry_run``. A sheet without
    any response changes nothing: an export made before anyone answered does not wipe
    the answers imported before."""
    from visitplan.feedback.store import write_feedback

    target = feedback_path(visit_file)
    problem = companion_problem(target)
    if problem is not None:
        raise InputError.of(
            "VP010",
            f"{problem}; nothing was imported",
            "rename it or move it away, then import again",
            target,
        )
    if report is not None:
        _refuse_report(report, (path, visit_file, target))
    result, feedback = import_responses(path, visit, sheet=sheet)
    if report is not None:
        write_report(report, result)
    replaced = _held(target)
    written = not dry_run and bool(result.responses)
    if written:
        try:
            write_feedback(visit_file, feedback, visit.details.title)
        except OSError as error:
            raise InputError.of(
                "VP010",
                f"{target} cannot be written ({error.strerror or error}); nothing was imported",
                "free disk space or make the folder writable, then import again",
                target,
            ) from None
    return ImportOutcome(result, target, replaced, written, dry_run)


def _held(target: Path) -> int | None:
    """How many responses the feedback file holds now (None: there is no file)."""
    if not target.is_file():
        return None
    import yaml

    try:
        loaded = yaml.safe_load(target.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return 0
    responses = loaded.get("responses") if isinstance(loaded, dict) else None
    return len(responses) if isinstance(responses, list) else 0


# -- the heading row ------------------------------------------------------------------


def _find_header(
    path: Path, sheet: str | None, matcher: _Matcher, asked: list[Question]
) -> tuple[Sheet, _Header, list[Row]]:
    """The sheet, its heading row and the rows below it. Without ``sheet``, the first
    sheet of a workbook whose headings name the form's questions."""
    table = read_sheet(path, sheet)
    found = _header_and_rows(table, matcher, asked)
    if found is None and sheet is None:
        for name in _other_sheets(path):
            other = read_sheet(path, name)
            found = _header_and_rows(other, matcher, asked)
            if found is not None:
                table = other
                break
    if found is None:
        example = asked[0].id if asked else "free-time"
        raise InputError.of(
            "VP501",
            f"no row in the first {HEADER_SEARCH_ROWS} rows of '{table.name}' has the form's "
            "questions as headings",
            "the response sheet needs one column per question, headed with the question's "
            f"title as `visitplan feedback template` wrote it (ending in its id, e.g. "
            f"[{example}]); Google Forms and Microsoft Forms exports have them",
            Location(str(path)),
        )
    header, rows = found
    return table, header, rows


def _other_sheets(path: Path) -> list[str]:
    """The names of a workbook's sheets after the first (none for a CSV file)."""
    if path.suffix.lower() in {".csv", ".tsv", ".txt"}:
        return []
    try:
        if path.suffix.lower() in {".xlsx", ".xlsm"}:
            from openpyxl import load_workbook

            workbook = load_workbook(path, read_only=True)
            names = list(workbook.sheetnames)
            workbook.close()
        else:
            from python_calamine import CalamineWorkbook

            names = list(CalamineWorkbook.from_path(str(path)).sheet_names)
    except Exception:  # the first sheet was read: what cannot be read here has no answers
        return []
    return names[1:]


def _header_and_rows(
    table: Sheet, matcher: _Matcher, asked: list[Question]
) -> tuple[_Header, list[Row]] | None:
    header: _Header | None = None
    rows: list[Row] = []
    next_row = 0
    wanted = min(2, len(asked))
    order = {q.id: n for n, q in enumerate(asked)}
    for number, cells in table.rows:
        if header is None:
            if number > HEADER_SEARCH_ROWS:
                return None
            headings = [_heading(c) for c in cells]
            columns: dict[int, Question] = {}
            for index, heading in enumerate(headings):
                question = matcher.find(heading)
                if question is not None:
                    columns[index] = question
            distinct = len({q.id for q in columns.values()})
            # Two questions, or one beside a form's own column (Timestamp, ID).
            if distinct >= wanted or (distinct and any(_says_who(h) for h in headings)):
                header = _Header(number, headings, columns, {}, order)
                next_row = number + 1
            continue
        # A workbook leaves out rows without cells; they count as the empty rows they are.
        rows.extend(Row(n, []) for n in range(next_row, number))
        rows.append(Row(number, cells))
        next_row = number + 1
    return (header, rows) if header is not None else None


def _says_who(heading: str) -> bool:
    return normalise_header(heading) in WHO


def _heading(cell: Cell) -> str:
    if cell is None:
        return ""
    text, _removed = clean_controls(str(cell), single_line=True)
    return " ".join(text.split())


def _account_header(
    header: _Header, asked: list[Question], table: Sheet, result: FeedbackImport, labels: Labels
) -> None:
    """Questions without a column, a question with two, the columns that say who
    answered (left out) and the columns that are no question (listed)."""
    from visitplan.participants.columns import field_for

    seen: dict[str, int] = {}
    for index in sorted(header.columns):
        question = header.columns[index]
        if question.id in seen:
            heading = header.headings[index]
            result.warnings.append(
                _at(
                    "VP509",
                    table.name,
                    header.row,
                    index,
                    heading,
                    f"this column is a second column for the question [{question.id}] "
                    f"(the first is column {column_letter(seen[question.id])}); its answers "
                    "were not read",
                    "keep one column per question: delete or rename this one",
                )
            )
            del header.columns[index]
        else:
            seen[question.id] = index
    for index, heading in enumerate(header.headings):
        if not heading or index in header.columns:
            continue
        key = normalise_header(heading)
        guess = field_for(heading)
        if key in WHO or guess in {"timestamp", "email", "name", "given_name", "family_name"}:
            header.who[index] = RESPONDENT.get(key, guess if guess in ("email",) else "")
            if key == normalise_header("ID"):
                header.who[index] = "id"
            if guess == "timestamp" and not header.who[index]:
                header.who[index] = "timestamp"
            result.identifying.append(heading)
        else:
            result.unknown.append(heading)
            suffix = ID_SUFFIX.search(heading)
            if suffix is not None and question_kind(suffix.group(1)) is not None:
                result.warnings.append(
                    _at(
                        "VP503",
                        table.name,
                        header.row,
                        index,
                        heading,
                        f"[{suffix.group(1)}] is no question of this visit's form: a session "
                        "cancelled, removed or renamed since the form was made, or a form of "
                        "another visit; its answers were not imported",
                        "check --visit; to keep these answers, put the session back in the "
                        "programme with its id, then import again",
                    )
                )
    for question in asked:
        if question.id not in seen:
            result.missing.append(question)
            result.warnings.append(
                Finding.of(
                    "VP502",
                    f"{table.name}: no column for the question “{question.text(labels)}” "
                    f"[{question.id}]; none of its answers were imported",
                    "add a column headed with the question's title as `visitplan feedback "
                    f"template` writes it, ending in [{question.id}], or rename the column "
                    "that holds its answers so",
                    Location(table.name),
                    subject=question.id,
                    extra={"order": (0, 0)},
                )
            )


def _at(
    code: str, sheet: str, row: int, index: int, heading: str, message: str, hint: str
) -> Finding:
    """A finding at a cell: ``Responses!C7 (heading): message``."""
    shown = f" ({_short(heading)})" if heading else ""
    return Finding.of(
        code,
        f"{sheet}!{column_letter(index)}{row}{shown}: {message}",
        hint,
        Location(sheet, row, index + 1),
        extra={"order": (row, index + 1)},
    )


def _short(heading: str) -> str:
    return heading if len(heading) <= 60 else heading[:57].rstrip() + "…"


def _blank(cells: list[Cell]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


# -- a row's answers ------------------------------------------------------------------


@dataclass
class _Response:
    row: int
    answers: dict[str, Answer]
    who: dict[str, str]  # "email"/"id"/"timestamp" -> its value as text


class _AnswerReaders:
    """The words a load or a yes/no answer may be written with: the form's, in the
    visit's language and in English, and the stored ids."""

    def __init__(self, labels: Labels) -> None:
        from visitplan.labels import Labels

        english = Labels("en")
        self.loads: dict[str, str] = {}
        for load in LOADS:
            self.loads[normalise_header(load)] = load
            for wording in (labels, english):
                self.loads.setdefault(normalise_header(wording(LOAD_WORDS[load])), load)
        self.yes_no: dict[str, bool] = dict.fromkeys(YES, True) | dict.fromkeys(NO, False)
        for flag, word in YES_NO_WORDS.items():
            for wording in (labels, english):
                self.yes_no.setdefault(normalise_header(wording(word)), flag)
        self.load_choices = ", ".join(choices(Question("", QuestionKind.LOAD), labels))
        self.yes_no_choices = ", ".join(choices(Question("", QuestionKind.YES_NO), labels))

    def read(self, question: Question, cell: Cell) -> Answer | str:
        """The answer, or the reason (a str starting with '!') it cannot be one."""
        if isinstance(cell, bool):
            cell = "yes" if cell else "no"
        text = _as_text(cell)
        kind = question.kind
        if kind is QuestionKind.RATING:
            match = _RATING.match(text)
            answer = parse_answer(question.id, match.group(1)) if match else None
            if answer is None:
                return f"!'{text}' is not a rating from {LOWEST_RATING} to {HIGHEST_RATING}"
            return answer
        if kind is QuestionKind.LOAD:
            load = self.loads.get(normalise_header(text))
            return load if load is not None else f"!'{text}' is not one of the loads offered"
        if kind is QuestionKind.YES_NO:
            flag = self.yes_no.get(normalise_header(text))
            return flag if flag is not None else f"!'{text}' is not a yes or a no"
        return text.strip()

    def hint(self, question: Question) -> str:
        if question.kind is QuestionKind.RATING:
            return (
                f"write a whole number from {LOWEST_RATING} to {HIGHEST_RATING} "
                "(4, 4.0 and “4 - useful” are read), or leave it blank"
            )
        if question.kind is QuestionKind.LOAD:
            return f"write one of: {self.load_choices} (or light, right, heavy)"
        return f"write {self.yes_no_choices}"


def _as_text(cell: Cell) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime):
        return f"{cell:%Y-%m-%d %H:%M:%S}"
    if isinstance(cell, date | time):
        return cell.isoformat()
    return "" if cell is None else str(cell)


def _read_row(
    row: Row, header: _Header, sheet: str, readers: _AnswerReaders, result: FeedbackImport
) -> _Response | None:
    """The row's answers; an empty or unreadable row is accounted for and gives None."""
    only_answers = [c if index in header.columns else None for index, c in enumerate(row.cells)]
    if _blank(only_answers):
        result.empty.append(row.number)
        return None
    if _repeats_headings(only_answers, header):
        result.rejected.append(row.number)
        result.rejected_why[row.number] = (
            f"row {row.number} repeats the column headings: it is not a response"
        )
        return None
    cleaned, cell_warnings = read_cells(Row(row.number, only_answers), _columns(header))
    for warning in cell_warnings:
        index = _index(warning.column)
        result.warnings.append(
            _at(
                "VP507",
                sheet,
                row.number,
                index,
                header.headings[index],
                warning.message,
                "correct the cell in the sheet if the answer reads wrongly",
            )
        )
        if warning.dropped:
            result.answers_refused += 1
    answers: dict[str, Answer] = {}
    for index, question in header.columns.items():
        cell = cleaned.values[index] if index < len(cleaned.values) else None
        if cell is None or (isinstance(cell, str) and not cell.strip()):
            continue
        answer = readers.read(question, cell)
        if isinstance(answer, str) and answer.startswith("!"):
            result.answers_refused += 1
            result.warnings.append(
                _at(
                    "VP504",
                    sheet,
                    row.number,
                    index,
                    header.headings[index],
                    f"{answer[1:]}; left out, the rest of the row was kept",
                    readers.hint(question),
                )
            )
            continue
        if answer != "":
            answers[question.id] = answer
    if not answers:
        result.rejected.append(row.number)
        return None
    who = {
        kind: _as_text(row.cells[index]).strip().casefold()
        for index, kind in header.who.items()
        if kind and index < len(row.cells) and _as_text(row.cells[index]).strip()
    }
    if "@" not in who.get("email", "@"):  # Microsoft Forms' "anonymous" is nobody's address
        del who["email"]
    ordered = dict(sorted(answers.items(), key=lambda item: header.order[item[0]]))
    return _Response(row.number, ordered, who)


def _repeats_headings(cells: list[Cell], header: _Header) -> bool:
    """A second heading row (a sheet pasted under another, a title row typed twice):
    every cell of the question columns says its column's heading."""
    filled = [
        (index, cell) for index, cell in enumerate(cells) if not _blank([cell]) and cell is not None
    ]
    return bool(filled) and all(
        normalise_header(_heading(cell)) == normalise_header(header.headings[index])
        for index, cell in filled
    )


def _columns(header: _Header) -> ColumnMap:
    """The question columns as ``read_cells`` takes them: free text keeps its lines."""
    return ColumnMap(header.row, header.headings, {})


def _index(letters: str) -> int:
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return number - 1


# -- duplicates -----------------------------------------------------------------------


def _deduplicate(kept: list[_Response], result: FeedbackImport) -> None:
    """A respondent seen twice (the same email, response id or time stamp): the later
    response replaces the earlier. The same answers twice, from respondents not known
    to differ: the later row is the duplicate."""
    by_who: dict[tuple[str, str], int] = {}
    by_answers: dict[tuple[tuple[str, str], ...], int] = {}
    chosen: dict[int, _Response] = {}  # place -> response
    place_of_row: dict[int, int] = {}
    for response in kept:
        earlier: int | None = None
        reason = ""
        for kind in ("email", "id", "timestamp"):
            value = response.who.get(kind)
            found = by_who.get((kind, value)) if value is not None else None
            if found is not None and not _differ(chosen[place_of_row[found]], response):
                earlier, reason = found, f"the same {RESPONDENT_WORDS[kind]}"
                break
        if earlier is not None:
            place = place_of_row[earlier]
            result.duplicates.append(
                Duplicate(
                    earlier,
                    response.row,
                    f"{reason}; row {response.row}, the later response, is kept",
                )
            )
            chosen[place] = response
            place_of_row[response.row] = place
        else:
            key = tuple(sorted((k, repr(v)) for k, v in response.answers.items()))
            same = by_answers.get(key)
            if same is not None and not _differ(chosen[place_of_row[same]], response):
                result.duplicates.append(Duplicate(response.row, same, "the same answers"))
                continue
            place = len(chosen)
            chosen[place] = response
            place_of_row[response.row] = place
            by_answers.setdefault(key, response.row)
        for kind, value in response.who.items():
            by_who[(kind, value)] = response.row
    result.responses = [(r.row, r.answers) for _, r in sorted(chosen.items())]
    result.duplicates.sort(key=lambda d: d.row)


def _differ(first: _Response, second: _Response) -> bool:
    """Two respondents known to be different people: different emails or ids."""
    return any(
        kind in first.who and kind in second.who and first.who[kind] != second.who[kind]
        for kind in ("email", "id")
    )


# -- the report -----------------------------------------------------------------------


REPORT_HEADINGS = ("row", "column", "code", "problem", "how to fix it")


def _refuse_report(report: Path, keep: tuple[Path, ...]) -> None:
    """The report replaces only a report: never the sheet, the visit file, the answers
    or any other file visitplan did not write."""
    for other in keep:
        try:
            same = report.samefile(other)
        except OSError:
            same = False
        if same:
            raise InputError.of(
                "VP010",
                f"--report {report} is the file {other.name}; the report would replace it",
                "give the report a name of its own, e.g. --report problems.csv",
                Location(str(report)),
            )
    if report.is_dir() or not report.exists():
        return  # a folder, or a missing one, is said when the report is written
    try:
        with report.open(encoding="utf-8-sig", newline="") as stream:
            first = stream.readline().rstrip("\r\n")
    except (OSError, UnicodeDecodeError):
        first = ""
    if first != ",".join(REPORT_HEADINGS):
        raise InputError.of(
            "VP010",
            f"--report {report} exists already and is not a report visitplan wrote",
            "give the report another name, e.g. --report problems.csv, or move the file away",
            Location(str(report)),
        )


def write_report(path: Path, result: FeedbackImport) -> None:
    """Every row that was not imported as it stood, and every answer left out, as a CSV
    to open in a spreadsheet: row, column, heading, problem, how to fix it."""
    import csv

    from visitplan.participants.report import inert

    lines: list[tuple[int, str, str, str, str]] = []
    for finding in result.warnings:
        where = finding.location
        row = where.line if where and where.line else 0
        column = column_letter(where.column - 1) if where and where.column else ""
        lines.append((row, column, finding.code, finding.message, finding.hint))
    for duplicate in result.duplicates:
        lines.append((duplicate.row, "", "VP505", str(duplicate), "nothing to do"))
    for number in result.empty:
        lines.append((number, "", "VP506", f"row {number} holds no answer", "nothing to do"))
    for number in result.rejected:
        why = result.rejected_why.get(number)
        lines.append(
            (
                number,
                "",
                "VP506",
                why or f"row {number}: none of its answers could be read",
                "delete the row" if why else "correct the answers, then import again",
            )
        )
    lines.sort(key=lambda line: (line[0], len(line[1]), line[1]))
    from io import StringIO

    from visitplan.atomic import replace_file

    stream = StringIO(newline="")
    writer = csv.writer(stream)
    writer.writerow(REPORT_HEADINGS)
    for line in lines:
        writer.writerow([line[0] or "", line[1], line[2], inert(line[3]), inert(line[4])])
    try:
        if path.is_dir():
            raise IsADirectoryError(21, "Is a directory")
        replace_file(path, stream.getvalue().encode("utf-8-sig"))
    except OSError as error:
        raise InputError.of(
            "VP010",
            f"the report {path} cannot be written ({error.strerror or error}); "
            "nothing was imported",
            "choose a folder that exists and that you may write to, e.g. --report problems.csv",
            Location(str(path)),
        ) from None
