"""``visitplan feedback template``: the feedback form to print, pass around or copy
into Google Forms or Microsoft Forms, in the visit's language.

Two files: a workbook with the questions (to print) and a "Responses" sheet whose
headings are the questions, one row per respondent; and a plain-text list of the
questions to paste into an online form. Every question's title ends with its id in
square brackets (``[useful.d1-cnaim]``): a form's export keeps the title as its column
heading, so the import finds each answer's question whatever the form's language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from visitplan.feedback.questions import (
    HIGHEST_RATING,
    INTERPRETATION,
    LOAD_WORDS,
    LOADS,
    LOWEST_RATING,
    YES_NO_WORDS,
    Question,
    QuestionKind,
    questions,
)
from visitplan.i18n import N_

if TYPE_CHECKING:
    from visitplan.findings import InputError
    from visitplan.labels import Labels
    from visitplan.model import Visit

FORM_SHEET = N_("Feedback form")
RESPONSES_SHEET = N_("Responses")
LISTS_SHEET = N_("Lists")
FORM_TITLE = N_("Feedback: {title}")
ANONYMOUS = N_(
    "Your answers are anonymous: please do not write your name. Answer what you can; "
    "leave a question blank if it does not apply to you."
)
QUESTION_HEADING = N_("Question")
ANSWER_HEADING = N_("Answer")
ID_HEADING = N_("Id")
USEFUL_SCALE = N_("1 = not useful, 5 = very useful")
QUALITY_SCALE = N_("1 = poor, 5 = excellent")
SCALE_TYPE = N_("Linear scale from 1 to 5")
CHOICE_TYPE = N_("Multiple choice, one answer")
TEXT_TYPE = N_("Paragraph (free text)")
RATING_ERROR = N_("Type a whole number from 1 to 5.")
CHOICE_ERROR = N_("Choose one of the answers in the list.")
RESPONSES_HINT = N_(
    "To type in answers collected on paper: one row per respondent on the sheet "
    "“{sheet}”, then import this file with visitplan feedback import."
)
TEXT_INTRO = N_(
    "Make one question in Google Forms or Microsoft Forms for each question below. Copy "
    "its title as it is, with the id in square brackets, so that the import finds its "
    "answers; paste its choices as they are, one per line."
)
# A file that starts with this line, or a workbook with this keyword, is visitplan's:
# the template replaces it, and refuses anything else without --force.
TEXT_MARK = "(visitplan feedback template)"
WORKBOOK_MARK = "visitplan feedback template"
ROWS = 300
# A question's id at the end of its title, as the form and the import write it.
ID_SUFFIX = re.compile(r"\[\s*([^\[\]]+?)\s*\]\s*$")


@dataclass(frozen=True)
class FormFiles:
    workbook: Path
    questions: Path
    count: int  # questions in the form


def titled(question: Question, labels: Labels) -> str:
    """The question's title as the form carries it: its text and its id in brackets."""
    return f"{question.text(labels)} [{question.id}]"


def scale_of(question: Question, labels: Labels) -> str:
    return labels(QUALITY_SCALE if question.id == INTERPRETATION else USEFUL_SCALE)


def choices(question: Question, labels: Labels) -> list[str]:
    """The answers to choose from, in the labels' language (none for a free text)."""
    if question.kind is QuestionKind.RATING:
        return [str(n) for n in range(LOWEST_RATING, HIGHEST_RATING + 1)]
    if question.kind is QuestionKind.LOAD:
        return [labels(LOAD_WORDS[load]) for load in LOADS]
    if question.kind is QuestionKind.YES_NO:
        return [labels(YES_NO_WORDS[True]), labels(YES_NO_WORDS[False])]
    return []


def default_paths(visit_file: Path) -> tuple[Path, Path]:
    """``feedback-form.xlsx`` and ``feedback-questions.txt`` beside ``visit.yaml``;
    ``visit-revised.feedback-form.xlsx`` beside ``visit-revised.yaml``, so that two
    versions of a visit in one folder never share a form."""
    stem = visit_file.stem
    prefix = "" if stem.casefold() == "visit" else f"{stem}."
    folder = visit_file.parent
    return folder / f"{prefix}feedback-form.xlsx", folder / f"{prefix}feedback-questions.txt"


def write_form(
    visit: Visit,
    out: Path,
    text_out: Path,
    *,
    force: bool = False,
    visit_file: Path | None = None,
) -> FormFiles:
    """Write the form's workbook to ``out`` and its list of questions to ``text_out``.
    A file there that visitplan did not write is refused (InputError) unless ``force``;
    then nothing is written. The visit file itself, and a folder, are refused even with
    ``force``."""
    from visitplan.atomic import replace_file
    from visitplan.labels import Labels

    if out.suffix.lower() != ".xlsx":
        from visitplan.findings import InputError

        raise InputError.of(
            "VP508",
            f"{out}: the form is written as an Excel workbook",
            "give -o a name that ends in .xlsx, e.g. -o feedback-form.xlsx",
            out,
        )
    for path in (out, text_out):
        _refuse_unwritable(path, visit_file)
        if not force and (path.is_symlink() or (path.exists() and not _is_ours(path))):
            raise _foreign(path)
    labels = Labels(visit.details.language)
    asked = questions(visit)
    workbook = _workbook(visit, asked, labels)
    text = questions_text(visit, asked, labels)
    for path, data in ((out, workbook), (text_out, text.encode("utf-8"))):
        try:
            replace_file(path, data)
        except OSError as error:
            raise _not_written(error, path) from None
    return FormFiles(out, text_out, len(asked))


def _refuse_unwritable(path: Path, visit_file: Path | None) -> None:
    """The visit file, a folder, or a place in a folder that does not exist: no form
    can go there, whatever --force says."""
    from visitplan.findings import InputError

    if visit_file is not None and path.exists() and _same_file(path, visit_file):
        raise InputError.of(
            "VP508",
            f"{path} is the visit file; the form would replace it",
            "give -o another name, e.g. -o feedback-form.xlsx",
            path,
        )
    if path.is_dir():
        raise InputError.of(
            "VP508",
            f"{path} is a folder, not a file",
            f"give -o a file name, e.g. -o {path / 'feedback-form.xlsx'}, or rename the folder",
            path,
        )
    if not path.parent.is_dir():
        raise InputError.of(
            "VP508",
            f"{path} cannot be written: the folder {path.parent} does not exist",
            "create the folder first, or give -o a file in a folder that exists",
            path,
        )


def _same_file(first: Path, second: Path) -> bool:
    try:
        return first.samefile(second)
    except OSError:
        return False


def questions_text(visit: Visit, asked: list[Question], labels: Labels) -> str:
    """The questions to paste into an online form: the title, then its type and its
    choices, one per line (Google Forms makes one choice of each pasted line)."""
    lines = [
        f"{labels(FORM_TITLE, title=' '.join(visit.details.title.split()))} {TEXT_MARK}",
        "",
        labels(TEXT_INTRO),
        labels(ANONYMOUS),
    ]
    for question in asked:
        lines += ["", titled(question, labels)]
        if question.kind is QuestionKind.RATING:
            lines.append(f"    {labels(SCALE_TYPE)} ({scale_of(question, labels)})")
        elif question.kind is QuestionKind.TEXT:
            lines.append(f"    {labels(TEXT_TYPE)}")
        else:
            lines.append(f"    {labels(CHOICE_TYPE)}:")
            lines += [f"    {choice}" for choice in choices(question, labels)]
    return "\n".join(lines) + "\n"


def _is_ours(path: Path) -> bool:
    """A form visitplan wrote: the text file's first line, the workbook's keyword."""
    import zipfile

    try:
        if path.suffix.lower() == ".xlsx":
            with zipfile.ZipFile(path) as archive:
                return WORKBOOK_MARK.encode() in archive.read("docProps/core.xml")
        with path.open(encoding="utf-8") as stream:
            return stream.readline().rstrip("\n").endswith(TEXT_MARK)
    except (OSError, KeyError, ValueError, UnicodeDecodeError, zipfile.BadZipFile):
        return False


def _foreign(path: Path) -> InputError:
    from visitplan.findings import InputError

    return InputError.of(
        "VP508",
        f"{path} exists already and visitplan did not write it",
        "choose another name with -o, or replace it with --force",
        path,
    )


def _not_written(error: OSError, path: Path) -> InputError:
    from visitplan.findings import InputError, Location

    # The error names the temporary file written first: the user knows ``path``.
    return InputError.of(
        "VP508",
        f"{path} cannot be written ({error.strerror or error})",
        "choose a folder that exists and that you may write to, e.g. -o feedback-form.xlsx",
        Location(str(path)),
    )


def _workbook(visit: Visit, asked: list[Question], labels: Labels) -> bytes:
    from io import BytesIO

    from openpyxl import Workbook

    workbook = Workbook()
    workbook.properties.creator = "visitplan"
    workbook.properties.keywords = WORKBOOK_MARK
    workbook.properties.language = labels.tag
    workbook.properties.title = labels(FORM_TITLE, title=" ".join(visit.details.title.split()))
    form = workbook.active
    form.title = _sheet_title(labels(FORM_SHEET))
    _form_sheet(form, visit, asked, labels)
    responses = workbook.create_sheet(_sheet_title(labels(RESPONSES_SHEET)))
    lists = workbook.create_sheet(_sheet_title(labels(LISTS_SHEET)))
    lists.sheet_state = "hidden"
    _responses_sheet(responses, lists, asked, labels)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_title(text: str) -> str:
    """A sheet's name as Excel allows it: 31 characters, none of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", " ", text)[:31].strip() or "Sheet"


def _text_cell(sheet: Any, row: int, column: int, value: str) -> Any:
    cell = sheet.cell(row=row, column=column, value=value)
    cell.data_type = "s"  # a title starting with "=" stays text, never a formula
    return cell


def _form_sheet(sheet: Any, visit: Visit, asked: list[Question], labels: Labels) -> None:
    """The questions to print: number, question, the answers to tick, and the id."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    title = labels(FORM_TITLE, title=" ".join(visit.details.title.split()))
    _text_cell(sheet, 1, 1, title).font = Font(bold=True, size=14)
    intro = _text_cell(sheet, 2, 1, labels(ANONYMOUS))
    intro.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=4)
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=4)
    sheet.row_dimensions[2].height = 32
    widths = {"A": 5, "B": 54, "C": 40, "D": 16}
    for letter, width in widths.items():
        sheet.column_dimensions[letter].width = width
    fill = PatternFill("solid", fgColor="DDE4EE")
    line = Side(style="thin", color="A0A8B4")
    box = Border(top=line, bottom=line, left=line, right=line)
    for column, heading in enumerate(
        ("#", labels(QUESTION_HEADING), labels(ANSWER_HEADING), labels(ID_HEADING)), start=1
    ):
        cell = _text_cell(sheet, 4, column, heading)
        cell.font, cell.fill, cell.border = Font(bold=True), fill, box
    grey = Font(color="707070", size=8)
    top = Alignment(wrap_text=True, vertical="top")
    for number, question in enumerate(asked, start=1):
        row = 4 + number
        sheet.cell(row=row, column=1, value=number).alignment = top
        _text_cell(sheet, row, 2, question.text(labels)).alignment = top
        answer = _text_cell(sheet, row, 3, _answer_text(question, labels))
        answer.alignment = top
        ident = _text_cell(sheet, row, 4, question.id)
        ident.font, ident.alignment = grey, top
        for column in range(1, 5):
            sheet.cell(row=row, column=column).border = box
        lines = len(question.text(labels)) // 55 + 1
        # Room to write by hand under an open question.
        sheet.row_dimensions[row].height = (
            90 if question.kind is QuestionKind.TEXT else max(15 * lines, 30)
        )
    note = _text_cell(
        sheet, len(asked) + 6, 1, labels(RESPONSES_HINT, sheet=labels(RESPONSES_SHEET))
    )
    note.font = Font(italic=True, color="707070")
    note.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.merge_cells(
        start_row=len(asked) + 6, start_column=1, end_row=len(asked) + 6, end_column=4
    )
    sheet.row_dimensions[len(asked) + 6].height = 32
    sheet.print_title_rows = "4:4"
    sheet.page_setup.orientation = "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.gridLines = False
    sheet.freeze_panes = "A5"


def _answer_text(question: Question, labels: Labels) -> str:
    """What the printed form shows to tick: ☐ 1 ☐ 2 ... and the scale, or the choices."""
    if question.kind is QuestionKind.TEXT:
        return ""
    boxes = "   ".join(f"☐ {choice}" for choice in choices(question, labels))
    if question.kind is QuestionKind.RATING:
        return f"{boxes}\n({scale_of(question, labels)})"
    return boxes


def _responses_sheet(sheet: Any, lists: Any, asked: list[Question], labels: Labels) -> None:
    """Headings are the questions' titles (with their ids), one row per respondent;
    ratings, loads and yes/no answers are checked as they are typed."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    loads = choices(asked_kind(QuestionKind.LOAD), labels)
    yes_no = choices(asked_kind(QuestionKind.YES_NO), labels)
    for row, word in enumerate(loads, start=1):
        _text_cell(lists, row, 1, word)
    for row, word in enumerate(yes_no, start=1):
        _text_cell(lists, row, 2, word)
    source = "'{}'".format(lists.title.replace("'", "''"))
    rating = DataValidation(
        type="whole",
        operator="between",
        formula1=str(LOWEST_RATING),
        formula2=str(HIGHEST_RATING),
        allow_blank=True,
        showErrorMessage=True,
        error=labels(RATING_ERROR),
    )
    load = DataValidation(
        type="list",
        formula1=f"={source}!$A$1:$A${len(loads)}",
        allow_blank=True,
        showErrorMessage=True,
        error=labels(CHOICE_ERROR),
    )
    yes = DataValidation(
        type="list",
        formula1=f"={source}!$B$1:$B${len(yes_no)}",
        allow_blank=True,
        showErrorMessage=True,
        error=labels(CHOICE_ERROR),
    )
    for validation in (rating, load, yes):
        sheet.add_data_validation(validation)
    by_kind = {QuestionKind.RATING: rating, QuestionKind.LOAD: load, QuestionKind.YES_NO: yes}
    fill = PatternFill("solid", fgColor="DDE4EE")
    for column, question in enumerate(asked, start=1):
        cell = _text_cell(sheet, 1, column, titled(question, labels))
        cell.font, cell.fill = Font(bold=True), fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = 40 if question.kind is QuestionKind.TEXT else 22
        validation = by_kind.get(question.kind)
        if validation is not None:
            validation.add(f"{letter}2:{letter}{ROWS + 1}")
    sheet.row_dimensions[1].height = 75
    sheet.freeze_panes = "A2"


def asked_kind(kind: QuestionKind) -> Question:
    """A question of ``kind``, for its choices."""
    return Question(f"{kind.value}", kind)
