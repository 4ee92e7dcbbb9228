"""``feedback.yaml``: the answers to the feedback form, kept beside the visit file.

One entry per response, question id to answer, with no name, address or time stamp:
the file can be shared with whoever writes the evaluation. A visit file named
``visit.yaml`` (or ``visit.xlsx``) keeps its answers in ``feedback.yaml``; another one,
such as ``visit-revised.yaml``, in ``visit-revised.feedback.yaml``, so two versions of
a visit in one folder never share answers. Attendance records follow the same rule.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from visitplan.feedback.questions import (
    HIGHEST_RATING,
    LOADS,
    LOWEST_RATING,
    Answer,
    QuestionKind,
    question_kind,
)
from visitplan.findings import Finding, InputError, Location

FEEDBACK = "feedback"
MAX_BYTES = 64 << 20
YES = frozenset({"yes", "true", "y", "1"})
NO = frozenset({"no", "false", "n", "0"})


def companion_path(visit_file: Path, name: str) -> Path:
    """The file ``name`` keeps beside ``visit_file``: ``feedback.yaml`` beside
    ``visit.yaml``, ``visit-revised.feedback.yaml`` beside ``visit-revised.yaml``."""
    stem = visit_file.stem
    file_name = f"{name}.yaml" if stem.casefold() == "visit" else f"{stem}.{name}.yaml"
    return visit_file.parent / file_name


def companion_problem(path: Path) -> str | None:
    """What keeps the file ``path`` from being read, when something is there that is
    not a file: a folder, a link to nothing, a pipe or device. None: a file, or
    nothing at all (then there are no answers)."""
    import stat

    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        if path.is_symlink():
            return f"{path.name} is a link to {path.readlink()}, which does not exist"
        return None
    except OSError as error:
        return f"{path.name} cannot be read: {error.strerror or error}"
    if stat.S_ISDIR(mode):
        return f"{path.name} is a folder, not a file"
    if not stat.S_ISREG(mode):
        return f"{path.name} is not a file (a pipe or a device)"
    return None


def feedback_path(visit_file: Path) -> Path:
    return companion_path(visit_file, FEEDBACK)


@dataclass(frozen=True)
class Feedback:
    """The anonymous responses to one visit's feedback form."""

    visit_id: str
    responses: tuple[Mapping[str, Answer], ...] = ()
    path: Path | None = field(default=None, compare=False)

    def answers(self, question_id: str) -> list[Answer]:
        """Every answer given to ``question_id`` (blank answers are not kept)."""
        return [r[question_id] for r in self.responses if question_id in r]

    def __len__(self) -> int:
        return len(self.responses)


def parse_answer(question_id: str, text: str) -> Answer | None:
    """The answer ``text`` to ``question_id`` means, or None when it is not one."""
    kind = question_kind(question_id)
    value = text.strip()
    if kind is QuestionKind.RATING:
        try:
            number = float(value.replace(",", "."))
        except ValueError:
            return None
        whole = int(number)
        return whole if whole == number and LOWEST_RATING <= whole <= HIGHEST_RATING else None
    if kind is QuestionKind.LOAD:
        return value.casefold() if value.casefold() in LOADS else None
    if kind is QuestionKind.YES_NO:
        if value.casefold() in YES:
            return True
        return False if value.casefold() in NO else None
    if kind is QuestionKind.TEXT:
        return value or None
    return None


def read_feedback(visit_file: Path, visit_id: str) -> Feedback | None:
    """The answers kept beside ``visit_file`` (None when there are none); InputError
    locates every problem of a damaged file."""
    import yaml

    path = feedback_path(visit_file)
    problem = companion_problem(path)
    if problem is not None:
        raise InputError.of("VP010", problem, f"rename it or move it away; {_HINT}", path)
    if not path.is_file():
        return None
    shown = str(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise _error(f"{path.name} is larger than {MAX_BYTES >> 20} MB", path)
        text = path.read_text(encoding="utf-8")
        # libyaml reads 50,000 responses in seconds, not minutes; the same nodes and marks.
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except OSError as exc:
        raise _error(f"{path.name} cannot be read: {exc.strerror or exc}", path) from exc
    except UnicodeDecodeError as exc:
        raise _error(f"{path.name} is not UTF-8 text (byte {exc.start + 1})", path) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = Location(shown, mark.line + 1, mark.column + 1) if mark else path
        raise _error(f"{path.name} is not valid YAML", where) from exc
    problems: list[Finding] = []
    found_id, responses = _read_root(root, shown, problems)
    if found_id is not None and found_id != visit_id:
        problems.append(
            Finding.of(
                "VP010",
                f"{path.name} holds the answers of the visit '{found_id}', not '{visit_id}'",
                f"move it away: it belongs beside that visit's file; {_HINT}",
                path,
            )
        )
    if problems:
        raise InputError(problems)
    return Feedback(visit_id, tuple(responses), path)


_HINT = "`visitplan feedback import` writes it again from the form's answers"


def _error(message: str, where: Location | Path) -> InputError:
    return InputError.of("VP010", message, _HINT, where)


def _at(shown: str, node: Any) -> Location:
    return Location(shown, node.start_mark.line + 1, node.start_mark.column + 1)


def _read_root(
    root: Any, shown: str, problems: list[Finding]
) -> tuple[str | None, list[dict[str, Answer]]]:
    import yaml

    if not isinstance(root, yaml.MappingNode):
        problems.append(Finding.of("VP010", "this is not a feedback file", _HINT, shown))
        return None, []
    visit_id: str | None = None
    responses: list[dict[str, Answer]] = []
    for key, value in root.value:
        if key.value == "visit" and isinstance(value, yaml.ScalarNode):
            visit_id = str(value.value)
        elif key.value == "responses" and isinstance(value, yaml.SequenceNode):
            responses = list(_read_responses(value, shown, problems))
        elif key.value not in ("visit", "responses"):
            problems.append(
                Finding.of("VP010", f"unknown key '{key.value}'", _HINT, _at(shown, key))
            )
        else:
            problems.append(
                Finding.of("VP010", f"'{key.value}' has the wrong form", _HINT, _at(shown, value))
            )
    if visit_id is None:
        problems.append(Finding.of("VP010", "the file names no visit (`visit:`)", _HINT, shown))
    return visit_id, responses


def _read_responses(node: Any, shown: str, problems: list[Finding]) -> Iterator[dict[str, Answer]]:
    import yaml

    for item in node.value:
        if not isinstance(item, yaml.MappingNode):
            problems.append(
                Finding.of("VP010", "a response is not a list of answers", _HINT, _at(shown, item))
            )
            continue
        response: dict[str, Answer] = {}
        for key, value in item.value:
            question_id = str(key.value)
            answer = (
                parse_answer(question_id, str(value.value))
                if isinstance(value, yaml.ScalarNode) and question_kind(question_id)
                else None
            )
            if answer is None or question_id in response:
                shown_value = (
                    value.value
                    if isinstance(value, yaml.ScalarNode)
                    else "a list"
                    if isinstance(value, yaml.SequenceNode)
                    else "a mapping"
                )
                problems.append(
                    Finding.of(
                        "VP010",
                        f"'{question_id}: {shown_value}' is not an answer visitplan knows"
                        + (" (the question is answered twice)" if question_id in response else ""),
                        (
                            "keep one answer per question"
                            if question_id in response
                            else _answer_hint(question_id)
                        )
                        + f"; {_HINT}",
                        _at(shown, key),
                    )
                )
                continue
            response[question_id] = answer
        yield response


def _answer_hint(question_id: str) -> str:
    """What an answer to ``question_id`` is written as."""
    kind = question_kind(question_id)
    if kind is QuestionKind.RATING:
        return f"a rating is a whole number from {LOWEST_RATING} to {HIGHEST_RATING}"
    if kind is QuestionKind.LOAD:
        return "a load is one of: " + ", ".join(LOADS)
    if kind is QuestionKind.YES_NO:
        return "a yes/no answer is true or false"
    if kind is QuestionKind.TEXT:
        return "an open answer is text, in quotes"
    return f"no question has the id '{question_id}'; remove the line"


def write_feedback(visit_file: Path, feedback: Feedback, title: str) -> Path:
    """Write ``feedback`` beside ``visit_file`` in one step; return the file written."""
    import yaml

    from visitplan.atomic import replace_file

    header = (
        f"# Answers to the feedback form of “{' '.join(title.split())}”, without names.\n"
        "# Written by `visitplan feedback import`; each entry is one response, question\n"
        "# id to answer.\n"
    )
    body = yaml.safe_dump(
        {"visit": feedback.visit_id, "responses": [dict(r) for r in feedback.responses]},
        allow_unicode=True,
        sort_keys=False,
        width=88,
    )
    return replace_file(feedback_path(visit_file), (header + body).encode("utf-8"))
