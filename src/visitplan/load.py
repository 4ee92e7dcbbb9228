"""Read ``visit.yaml`` into the model, keeping each value's line and column.

The file is composed with PyYAML's libyaml-backed composer and every scalar is kept
as the text the user wrote; pydantic converts it. So YAML 1.1's guesses never apply:
``NO`` stays Norway's code and ``9:30`` stays a time. Every problem in the file is
reported at once, each with its place and a hint.
"""

from __future__ import annotations

import hashlib
import math
import types
import typing
from dataclasses import dataclass, field
from difflib import get_close_matches
from enum import Enum
from pathlib import Path as FilePath
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from visitplan.findings import Finding, InputError, Location, Severity
from visitplan.model import Path, Visit, consistency_problems
from visitplan.text import BadCharacter, find_control_characters

try:  # libyaml is 10-20x faster; the pure-Python composer gives the same nodes
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]


class _Loader(_BaseLoader):
    """Composes nodes without guessing types: every scalar is kept as written anyway,
    so YAML's implicit resolution (a regex per scalar) is skipped."""

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            return "tag:yaml.org,2002:str"
        if kind is yaml.SequenceNode:
            return "tag:yaml.org,2002:seq"
        return "tag:yaml.org,2002:map"


MAX_FILE_BYTES = 50 * 1024 * 1024
# A visit given as a workbook, one sheet per block (visitplan.workbook).
WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm", ".ods"})
MAX_NODES = 1_000_000  # guards against alias "billion laughs" expansions
MAX_DEPTH = 64
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_LIST_SECTIONS = ("hosts", "venues", "groups", "sessions", "participants")
# Keys whose text may run over several lines; every other value is one line (a title,
# a name, an id), because it becomes a calendar property, a file name or a heading.
MULTILINE_KEYS = frozenset(
    {"description", "notes", "address", "guiding_question", "text", "dietary", "accessibility"}
)


@dataclass
class SourceMap:
    """Where each value (and each key) of the file starts: 1-based line and column."""

    file: str
    values: dict[Path, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path, tuple[int, int]] = field(default_factory=dict)
    item_paths: dict[tuple[str, str], Path] = field(default_factory=dict)
    # Values holding characters no text may hold: (path, first bad character, one-line).
    bad_text: list[tuple[Path, BadCharacter, bool]] = field(default_factory=list)

    def locate(self, path: Path, *, key: bool = False) -> Location:
        """The place of the value at ``path`` (or of its key), else its nearest parent."""
        if key and path in self.keys:
            return Location(self.file, *self.keys[path])
        for depth in range(len(path), -1, -1):
            place = self.values.get(path[:depth])
            if place is not None:
                return Location(self.file, *place)
        return Location(self.file)

    def item(self, section: str, item_id: str, key: str | None = None) -> Location:
        """The place of the item with ``item_id`` in ``section`` (or of one of its keys)."""
        path = self.item_paths.get((section, item_id))
        if path is None:
            return Location(self.file)
        return self.locate((*path, key) if key else path, key=key is not None)


@dataclass
class Loaded:
    visit: Visit
    source: SourceMap
    path: FilePath
    digest: str | None = None  # SHA-256 of the file as read, to notice later edits


def size_text(count: int, *, up: bool = False) -> str:
    """A size in MB (or KB below one MB) to one decimal, rounded so that a size over a
    limit never reads as the limit itself."""
    unit, name = (1 << 20, "MB") if count >= 1 << 20 else (1 << 10, "KB")
    tenths = count * 10 / unit
    value = (math.ceil(tenths) if up else math.floor(tenths)) / 10
    return f"{value:g} {name}"


def load_visit(path: str | FilePath) -> Loaded:
    """Read and validate a visit file; raise InputError listing every problem."""
    file_path = FilePath(path)
    shown = str(path)
    try:
        size = file_path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(
                [
                    Finding.of(
                        "VP010",
                        f"the file is {size_text(size, up=True)}, over the limit of "
                        f"{size_text(MAX_FILE_BYTES)}",
                        "split the visit or remove pasted content",
                        Location(shown),
                    )
                ]
            )
        if file_path.suffix.lower() in WORKBOOK_SUFFIXES:
            from visitplan.workbook.read import load_workbook_visit

            loaded = load_workbook_visit(file_path, shown)
            loaded.digest = hashlib.sha256(file_path.read_bytes()).hexdigest()
            return loaded
        raw = file_path.read_bytes()
    except IsADirectoryError:
        raise InputError(
            [
                Finding.of(
                    "VP010",
                    "this is a folder, not a visit file",
                    f"give the file inside it, e.g. {shown}/visit.yaml",
                    Location(shown),
                )
            ]
        ) from None
    except OSError as exc:
        raise InputError(
            [
                Finding.of(
                    "VP010",
                    f"cannot read the file: {exc.strerror}",
                    "check the path and the file's permissions",
                    Location(shown),
                )
            ]
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            [
                Finding.of(
                    "VP010",
                    "the file is not UTF-8 text",
                    "save it as UTF-8 (in most editors: Save As, encoding UTF-8)",
                    Location(shown, line),
                )
            ]
        ) from None
    loaded = load_text(text, shown, file_path)
    loaded.digest = hashlib.sha256(raw).hexdigest()
    return loaded


def load_text(text: str, shown: str = "visit.yaml", path: FilePath | None = None) -> Loaded:
    """Validate a visit given as YAML text; ``shown`` names it in messages."""
    source = SourceMap(shown)
    findings: list[Finding] = []
    data = _compose(text, source, findings)
    if not isinstance(data, dict):
        if not findings:
            findings.append(
                Finding.of(
                    "VP004",
                    "the file does not hold a visit definition",
                    "it should start with `visit:` followed by the visit's title, dates and time "
                    "zone; `visitplan init` writes a starter file",
                    Location(shown, 1, 1),
                )
            )
        raise InputError(findings)
    return load_data(data, source, findings, path)


def load_data(
    data: dict[str, Any],
    source: SourceMap,
    findings: list[Finding],
    path: FilePath | None = None,
) -> Loaded:
    """Validate a visit given as plain values (from YAML or a workbook), each placed by
    ``source``; ``findings`` holds what reading found already."""
    _index_items(data, source)
    findings += _bad_text_findings(source, data)
    visit = _validate(data, source, findings)
    if findings and any(f.severity is Severity.ERROR for f in findings):
        raise InputError(findings)
    if visit is None:  # pragma: no cover - a failed validation always leaves findings
        raise InputError(findings)
    # Image files are found beside the visit file; text without a file has no folder.
    images = _image_problems(visit, source, path) if path is not None else []
    if images:
        raise InputError(images)
    return Loaded(visit, source, path or FilePath(source.file))


def _image_problems(visit: Visit, source: SourceMap, visit_file: FilePath) -> list[Finding]:
    """The logo and emblem files: each exists, is a PNG or JPEG, and is at most 2 MB."""
    from visitplan.images import image_path, image_problem

    found = []
    for place, named in visit.details.branding.images():
        problem = image_problem(image_path(visit_file, named))
        if problem is not None:
            message, hint = problem
            where = source.locate(("visit", "branding", *place))
            found.append(Finding.of("VP011", message, hint, where))
    return found


# ---------------------------------------------------------------------------
# YAML nodes -> plain values


def _compose(text: str, source: SourceMap, findings: list[Finding]) -> Any:
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.reader.ReaderError as exc:
        findings.append(_unreadable_character(text, exc, source))
        return None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = (
            Location(source.file, mark.line + 1, mark.column + 1) if mark else Location(source.file)
        )
        problem = exc.problem or "the YAML cannot be read"
        context = f" ({exc.context})" if exc.context else ""
        findings.append(
            Finding.of("VP001", f"YAML syntax: {problem}{context}", _syntax_hint(problem), where)
        )
        return None
    except yaml.YAMLError as exc:
        findings.append(
            Finding.of("VP001", f"YAML syntax: {exc}", _syntax_hint(""), Location(source.file))
        )
        return None
    if node is None:
        return None
    try:
        if "&" in text:  # only anchors can make a file expand
            _check_size(node)
        return _plain(node, (), source, findings, 0)
    except _TooLarge as exc:
        findings.append(
            Finding.of(
                "VP001",
                str(exc),
                "write the values out without anchors and aliases, or split the file",
                Location(source.file),
            )
        )
        return None


def _unreadable_character(text: str, exc: yaml.reader.ReaderError, source: SourceMap) -> Finding:
    """A control character written straight into the file (not as an escape)."""
    # libyaml counts bytes, not characters: find the character itself.
    found = text.find(chr(exc.character)) if isinstance(exc.character, int) else -1
    position = found if found >= 0 else min(max(exc.position, 0), len(text))
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    char = text[position] if position < len(text) else chr(exc.character)
    return Finding.of(
        "VP014",
        f"the file holds {BadCharacter(position, char).description}, which no text may hold",
        "delete it: it is invisible in most editors, so retype the text around it",
        Location(source.file, line, column),
    )


class _TooLarge(Exception):
    pass


def _check_size(root: yaml.Node) -> None:
    """Refuse files whose aliases expand beyond MAX_NODES values, without expanding them."""
    sizes: dict[int, int] = {}

    def size(node: yaml.Node, depth: int) -> int:
        if depth > MAX_DEPTH:
            raise _TooLarge(f"the file nests deeper than {MAX_DEPTH} levels")
        known = sizes.get(id(node))
        if known is not None:
            return known
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(size(child, depth + 1) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            total += sum(size(k, depth + 1) + size(v, depth + 1) for k, v in node.value)
        if total > MAX_NODES:
            raise _TooLarge(
                "the file expands to too many values (anchors and aliases "
                f"repeated beyond {MAX_NODES:,} values)"
            )
        sizes[id(node)] = total
        return total

    size(root, 0)


def _plain(
    node: yaml.Node,
    path: Path,
    source: SourceMap,
    findings: list[Finding],
    depth: int,
) -> Any:
    if depth > MAX_DEPTH:
        raise _TooLarge(f"the file nests deeper than {MAX_DEPTH} levels")
    mark = node.start_mark
    source.values[path] = (mark.line + 1, mark.column + 1)
    if isinstance(node, yaml.ScalarNode):
        if node.style is None and node.value in _NULLS:
            return None
        note_bad_text(node.value, path, source)
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [
            _plain(item, (*path, n), source, findings, depth + 1)
            for n, item in enumerate(node.value)
        ]
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key_mark = key_node.start_mark
            where = (key_mark.line + 1, key_mark.column + 1)
            if not isinstance(key_node, yaml.ScalarNode):
                findings.append(
                    Finding.of(
                        "VP004",
                        "a key must be a plain word",
                        "write `name: value`",
                        Location(source.file, *where),
                    )
                )
                continue
            key = key_node.value
            if key == "<<":
                findings.append(
                    Finding.of(
                        "VP004",
                        "merge keys (<<) are not supported",
                        "write the keys out in full",
                        Location(source.file, *where),
                    )
                )
                continue
            if key in result:
                findings.append(
                    Finding.of(
                        "VP009",
                        f"key '{key}' appears twice in this block",
                        "keep one: YAML would silently use only the last one",
                        Location(source.file, *where),
                    )
                )
                continue
            source.keys[(*path, key)] = where
            result[key] = _plain(value_node, (*path, key), source, findings, depth + 1)
        return result
    return None  # pragma: no cover - composer yields only the three node kinds


def note_bad_text(value: str, path: Path, source: SourceMap) -> None:
    """Remember a value holding a control character (or a line break where one line
    is expected), to report it at its place."""
    key = next((part for part in reversed(path) if isinstance(part, str)), "")
    single_line = key not in MULTILINE_KEYS
    bad = find_control_characters(value, single_line=single_line)
    if bad:
        source.bad_text.append((path, bad[0], single_line))


def _bad_text_findings(source: SourceMap, data: dict[str, Any]) -> list[Finding]:
    """One located error per value holding a control character or, in a one-line
    value, a line break. They arrive through escapes such as "\\v" or "\\0" in quoted
    text, or pasted from another program, and would break documents and calendars."""
    findings = []
    for path, bad, single_line in source.bad_text:
        key = next((str(part) for part in reversed(path) if isinstance(part, str)), "value")
        position = f"character {bad.offset + 1}"
        if bad.char in "\n\r\u2028\u2029" and single_line:
            message = f"{key} must be on one line, but has a {bad.description} ({position})"
            hint = (
                "replace the line break by a space; only description, notes, address and "
                "similar texts may have several lines"
            )
        else:
            message = f"{key} contains {bad.description} ({position}), which no text may hold"
            hint = (
                "delete it: it is invisible in most editors, so retype the text around it "
                "(or remove the escape such as \\v, \\0 or \\e in quoted text)"
            )
        findings.append(
            Finding.of("VP014", _with_subject(message, path, data), hint, source.locate(path))
        )
    return findings


def _syntax_hint(problem: str) -> str:
    if "tab" in problem:
        return "indent with spaces, not tabs"
    if "mapping values are not allowed" in problem:
        return "a value containing ': ' needs quotes, e.g. title: \"Welcome: the city\""
    if "could not find expected ':'" in problem:
        return "each line of a block needs `key: value`; check the indentation"
    if "found character '@'" in problem or "found character '`'" in problem:
        return "put the value in quotes"
    return (
        "check the indentation and quotes on this line and the one before; values "
        "containing ': ' or starting with '@', '&', '*' or '!' need quotes"
    )


def _index_items(data: dict[str, Any], source: SourceMap) -> None:
    for section in _LIST_SECTIONS:
        items = data.get(section)
        if isinstance(items, list):
            for n, item in enumerate(items):
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    source.item_paths.setdefault((section, item["id"]), (section, n))
    details = data.get("visit")
    if isinstance(details, dict) and isinstance(details.get("objectives"), list):
        for n, item in enumerate(details["objectives"]):
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                source.item_paths.setdefault(("objectives", item["id"]), ("visit", "objectives", n))


# ---------------------------------------------------------------------------
# Plain values -> model, errors -> findings


def _validate(data: dict[str, Any], source: SourceMap, findings: list[Finding]) -> Visit | None:
    visit: Visit | None
    try:
        visit = Visit.model_validate(data)
    except ValidationError as exc:
        for details in exc.errors(include_url=False):
            findings.append(_finding_from_error(details, data, source))
        visit = _partial_visit(data, exc)
        if visit is None:
            return None
        known = _raw_ids(data)
        dates_unknown = any(
            tuple(e["loc"][:2]) in {("visit", "start_date"), ("visit", "end_date")}
            for e in exc.errors(include_url=False)
        )
    else:
        known, dates_unknown = {}, False
    for problem in consistency_problems(visit, known):
        if dates_unknown and problem.code == "VP008":
            continue  # the visit's own dates are wrong: sessions cannot be judged by them
        path = _raw_path(problem.path, data, visit)
        findings.append(
            Finding.of(
                problem.code,
                _with_subject(problem.message, path, data),
                problem.hint,
                source.locate(path),
            )
        )
    return visit


def _partial_visit(data: dict[str, Any], exc: ValidationError) -> Visit | None:
    """The file with its invalid values replaced by neutral stand-ins.

    Consistency (ids, references, dates) is then checked on the rest, so that one
    run reports every problem. Stand-ins never raise alarms of their own: the widest
    dates for the visit, the visit's first day and a whole day for a session.
    """
    bad: dict[Path, set[str]] = {}
    for error in exc.errors(include_url=False):
        loc = error["loc"]
        if not loc:
            return None
        if loc[0] in _LIST_SECTIONS:
            depth = 2
        elif loc[:2] == ("visit", "objectives") and len(loc) > 3:
            depth = 3
        elif loc[0] == "visit":
            depth = 1
        else:
            depth = 0
        item, key = tuple(loc[:depth]), str(loc[depth]) if len(loc) > depth else None
        bad.setdefault(item, set())
        if key is not None:
            bad[item].add(key)
        else:
            bad[item].add("*")
    details = _patched(data.get("visit"), bad.get(("visit",), set()), _VISIT_STAND_INS)
    if details is None:
        return None
    if bad.get(("visit",), set()) & {"start_date", "end_date"}:
        # Dates unknown: any valid one stands for both, and the date checks are skipped.
        good = [
            details[k]
            for k in ("start_date", "end_date")
            if k in details and k not in bad.get(("visit",), set())
        ]
        stand_in = good[0] if good else _VISIT_STAND_INS["start_date"]
        details.update(start_date=stand_in, end_date=stand_in)
    objectives = details.get("objectives")
    if isinstance(objectives, list):
        details["objectives"] = _patched_list(
            objectives, bad, ("visit", "objectives"), {"id": "", "text": "?"}
        )
    # A whole block that is wrong (rules: 5, sessions: yes) is left out.
    cleaned = {k: v for k, v in data.items() if (k,) not in bad or k == "visit"}
    cleaned["visit"] = details
    stand_ins = {**_ITEM_STAND_INS, "date": str(details.get("start_date"))}
    for section in _LIST_SECTIONS:
        items = cleaned.get(section)
        if isinstance(items, list):
            cleaned[section] = _patched_list(items, bad, (section,), stand_ins)
    try:
        return Visit.model_validate(cleaned)
    except ValidationError:
        return None


_VISIT_STAND_INS = {
    "id": "visit",
    "title": "?",
    "start_date": "2000-01-01",
    "end_date": "2000-01-01",
    "timezone": "UTC",
    "country": "ZZ",
}
_ITEM_STAND_INS = {
    "id": "",
    "name": "?",
    "title": "?",
    "text": "?",
    "level": "civil_society",
    "start": "00:00",
    "end": "23:59",
}


def _patched(item: Any, bad_keys: set[str], stand_ins: dict[str, str]) -> dict[str, Any] | None:
    if not isinstance(item, dict) or "*" in bad_keys:
        return None
    patched = {k: v for k, v in item.items() if k not in bad_keys}
    for key in bad_keys:
        if key in stand_ins:
            patched[key] = stand_ins[key]
    return patched


def _patched_list(
    items: list[Any], bad: dict[Path, set[str]], prefix: Path, stand_ins: dict[str, str]
) -> list[Any]:
    result = []
    for n, item in enumerate(items):
        keys = bad.get((*prefix, n))
        if keys is None:
            result.append(item)
            continue
        patched = _patched(item, keys, stand_ins)
        if patched is None:
            continue
        if "id" in keys or "id" not in patched:
            patched["id"] = f"invalid-item-{n + 1}"
        result.append(patched)
    return result


def _raw_ids(data: dict[str, Any]) -> dict[str, set[str]]:
    known: dict[str, set[str]] = {}
    for section in (*_LIST_SECTIONS, "objectives"):
        items = data.get(section)
        if section == "objectives":
            details = data.get("visit")
            items = details.get("objectives") if isinstance(details, dict) else None
        if isinstance(items, list):
            known[section] = {
                item["id"]
                for item in items
                if isinstance(item, dict) and isinstance(item.get("id"), str)
            }
    return known


def _raw_path(path: Path, data: dict[str, Any], visit: Visit) -> Path:
    """Map a path in a (possibly partial) model back to the file's own positions."""
    if len(path) < 2 or not isinstance(path[1], int) or path[0] not in _LIST_SECTIONS:
        if path[:2] == ("visit", "objectives") and len(path) > 2 and isinstance(path[2], int):
            item = visit.details.objectives[path[2]]
            raw_items = (data.get("visit") or {}).get("objectives") or []
            return ("visit", "objectives", _raw_index(raw_items, item.id, path[2]), *path[3:])
        return path
    section = str(path[0])
    item_id = getattr(getattr(visit, section)[path[1]], "id", None)
    raw_items = data.get(section) or []
    return (section, _raw_index(raw_items, item_id, path[1]), *path[2:])


def _raw_index(raw_items: list[Any], item_id: str | None, fallback: int) -> int:
    # Duplicate ids: the n-th item with this id in the partial model is found by
    # position when the raw list was not shortened.
    if (
        fallback < len(raw_items)
        and isinstance(raw_items[fallback], dict)
        and (raw_items[fallback].get("id") == item_id)
    ):
        return fallback
    for n, item in enumerate(raw_items):
        if isinstance(item, dict) and item.get("id") == item_id:
            return n
    return fallback


def _finding_from_error(details: ErrorDetails, data: dict[str, Any], source: SourceMap) -> Finding:
    loc: Path = tuple(details["loc"])
    kind = details["type"]
    ctx = details.get("ctx") or {}
    value = details.get("input")
    if kind == "extra_forbidden":
        key = str(loc[-1])
        allowed = _allowed_keys(loc[:-1])
        close = get_close_matches(key, allowed, n=1, cutoff=0.6)
        hint = (
            f"did you mean '{close[0]}'?"
            if close
            else (f"allowed here: {', '.join(allowed)}" if allowed else "remove it")
        )
        return Finding.of(
            "VP002",
            _with_subject(f"unknown key '{key}'", loc, data),
            hint,
            source.locate(loc, key=True),
        )
    if kind == "missing":
        key = str(loc[-1])
        described = _describe(loc)
        hint = f"add `{key}:`" + (f" here: {described}" if described else "")
        return Finding.of(
            "VP003",
            _with_subject(f"missing required key '{key}'", loc, data),
            hint,
            # The key is not in the file: its parent's place (a workbook's empty cell).
            source.locate(loc),
        )
    message, hint = _explain(kind, details["msg"], ctx, value, loc)
    return Finding.of("VP004", _with_subject(message, loc, data), hint, source.locate(loc))


def _explain(kind: str, msg: str, ctx: dict[str, Any], value: Any, loc: Path) -> tuple[str, str]:
    shown = _show(value)
    if "hint" in ctx:
        return msg, str(ctx["hint"])
    key = next((str(part) for part in reversed(loc) if isinstance(part, str)), "value")
    if kind == "enum":
        choices = [
            c.strip("'")
            for c in str(ctx.get("expected", "")).replace(" or ", ", ").split(", ")
            if c
        ]
        close = get_close_matches(str(value), choices, n=1, cutoff=0.5)
        hint = (
            f"did you mean '{close[0]}'? " if close else ""
        ) + f"use one of: {', '.join(choices)}"
        return f"{shown} is not a valid {key}", hint
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return f"{shown} is not a whole number", f"write {key} as digits, e.g. 40"
    if kind in {"float_parsing", "float_type"}:
        return f"{shown} is not a number", f"write {key} as a number, e.g. 45.4642"
    if kind in {"bool_parsing", "bool_type"}:
        return f"{shown} is not yes or no", f"write {key}: yes or {key}: no"
    if kind in {"list_type", "tuple_type"}:
        return f"{key} should be a list", "write each item on its own line starting with '- '"
    if kind in {"model_type", "dict_type", "model_attributes_type"}:
        return f"{key} should be a block of keys", (
            "indent its keys under it, e.g.\n  contact:\n    name: ..."
            if key != "value"
            else "indent the keys under it"
        )
    if kind in {"string_type"}:
        return f"{key} should be a single text value", (
            "put it on one line, in quotes if it contains ': ' or starts with '- '"
        )
    if kind == "string_too_short":
        return f"{key} is empty", f"write a value after `{key}:` or remove the line"
    if kind in {"greater_than_equal", "greater_than", "less_than_equal", "less_than"}:
        bound = next(iter(ctx.values()), "")
        words = {
            "greater_than_equal": "at least",
            "greater_than": "more than",
            "less_than_equal": "at most",
            "less_than": "less than",
        }[kind]
        return f"{key} is {shown}; it must be {words} {bound}", f"correct {key}"
    if kind == "too_short" or kind == "too_long":
        return f"{key} has the wrong number of items", _describe(loc) or f"correct {key}"
    if kind == "value_error" and key == "email":
        return f"{shown} is not an email address", "write it as name@example.org, or leave it out"
    return msg, _describe(loc) or f"correct {key}"


def _show(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return "a block" if isinstance(value, dict) else "a list"
    text = str(value)
    return f"'{text[:60]}{'...' if len(text) > 60 else ''}'"


def _with_subject(message: str, loc: Path, data: dict[str, Any]) -> str:
    """Prefix ``session 'x':`` so the message says which item it is about."""
    if len(loc) >= 2 and loc[0] in _LIST_SECTIONS and isinstance(loc[1], int):
        items = data.get(str(loc[0]))
        if isinstance(items, list) and loc[1] < len(items):
            item = items[loc[1]]
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                return f"{str(loc[0])[:-1]} '{item['id']}': {message}"
            return f"{str(loc[0])[:-1]} {loc[1] + 1}: {message}"
    return message


def _model_at(loc: Path) -> type[BaseModel] | None:
    model: type[BaseModel] | None = Visit
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        fields = {(f.alias or name): f for name, f in model.model_fields.items()}
        chosen = fields.get(part)
        model = _inner_model(chosen.annotation) if chosen is not None else None
    return model


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (list, tuple, typing.Union, types.UnionType, typing.Annotated):
        for arg in typing.get_args(annotation):
            found = _inner_model(arg)
            if found is not None:
                return found
    return None


def _allowed_keys(loc: Path) -> list[str]:
    model = _model_at(loc)
    if model is None:
        return []
    return [f.alias or name for name, f in model.model_fields.items()]


def _describe(loc: Path) -> str:
    parent = _model_at(loc[:-1])
    if parent is None or not loc or not isinstance(loc[-1], str):
        return ""
    fields = {(f.alias or name): f for name, f in parent.model_fields.items()}
    chosen = fields.get(loc[-1])
    if chosen is None:
        return ""
    if chosen.description:
        return chosen.description[0].lower() + chosen.description[1:].rstrip(".")
    annotation = chosen.annotation
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return "use one of: " + ", ".join(str(m.value) for m in annotation)
    return ""
