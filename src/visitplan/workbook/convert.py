"""``visitplan convert``: a visit from visit.yaml to a workbook and back.

Both ways go through the validated model, so what is converted is a valid visit and
the other form gives the same model. The YAML file's comments go to the Comments
column of the item (or Visit and Rules row) they sit in, and come back as comments
before that item or after that key.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime, time
from enum import Enum
from pathlib import Path as FilePath
from typing import Any

from pydantic import BaseModel

from visitplan.findings import InputError, Location
from visitplan.load import WORKBOOK_SUFFIXES, load_visit
from visitplan.model import Path, Visit
from visitplan.workbook.layout import sheets

YAML_SUFFIXES = frozenset({".yaml", ".yml"})


def convert(source: FilePath, target: FilePath, *, force: bool = False) -> FilePath:
    """Write ``source`` (visit.yaml or a workbook) as ``target`` (the other form)."""
    source_kind = _kind(source, "the visit file to convert")
    target_kind = _kind(target, "the file to write")
    if target_kind == "ods":
        raise InputError.of(
            "VP010",
            "visitplan writes workbooks as .xlsx only",
            "convert to visit.xlsx, then open it in LibreOffice and save it as .ods "
            "(visitplan reads .ods)",
            Location(str(target)),
        )
    if source_kind == target_kind:
        raise InputError.of(
            "VP010",
            "the two files are of the same kind",
            "convert visit.yaml to visit.xlsx, or visit.xlsx to visit.yaml",
            Location(str(target)),
        )
    if (target.exists() or target.is_symlink()) and not force:
        raise InputError.of(
            "VP010",
            "the file exists already; convert never overwrites a file unless told to",
            "choose another name, or add --force to replace it",
            Location(str(target)),
        )
    loaded = load_visit(source)
    if target_kind == "xlsx":
        from visitplan.workbook.write import write_workbook

        comments = yaml_comments(source) if source_kind == "yaml" else {}
        write_workbook(loaded.visit, target, comments)
    else:
        from visitplan.atomic import replace_file

        comments = workbook_comments(loaded.visit, source)
        replace_file(target, yaml_text(loaded.visit, comments).encode("utf-8"))
    return target


def _kind(path: FilePath, what: str) -> str:
    suffix = path.suffix.lower()
    if suffix in YAML_SUFFIXES:
        return "yaml"
    if suffix == ".ods":
        return "ods"
    if suffix in WORKBOOK_SUFFIXES:
        return "xlsx"
    raise InputError.of(
        "VP010",
        f"{what} must end in .yaml, .xlsx or .ods",
        "e.g. visitplan convert visit.yaml visit.xlsx",
        Location(str(path)),
    )


# ---------------------------------------------------------------------------
# Model -> YAML


def plain(visit: Visit) -> dict[str, Any]:
    """The visit as visit.yaml would hold it: only what was set, in the model's order."""
    tz = visit.details.tz
    return {
        key: value
        for key, value in (
            ("visit", _plain_model(visit.details, tz)),
            *(
                (name, [_plain_model(item, tz) for item in getattr(visit, name)])
                for name in ("hosts", "venues", "groups", "sessions", "participants")
            ),
            ("rules", _plain_model(visit.rules, tz)),
        )
        if value
    }


def _plain_model(item: BaseModel, tz: Any) -> dict[str, Any]:
    found = {}
    for name in type(item).model_fields:
        if name not in item.model_fields_set:
            continue
        value = _plain_value(getattr(item, name), tz)
        if value is not None:
            found[name] = value
    return found


def _plain_value(value: Any, tz: Any) -> Any:
    if isinstance(value, BaseModel):
        return _plain_model(value, tz) or None
    if isinstance(value, list | tuple):
        return [_plain_value(item, tz) for item in value]
    if isinstance(value, bool):
        return value
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, datetime):
        if value.tzinfo is None or value.tzinfo == tz:
            return f"{value:%Y-%m-%d %H:%M}"
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return f"{value:%H:%M}"
    return value


def yaml_text(visit: Visit, comments: dict[Path, str] | None = None) -> str:
    """visit.yaml for ``visit``; ``comments`` by item path or (section, key)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import LiteralScalarString

    def commented(value: Any) -> Any:
        if isinstance(value, dict):
            return CommentedMap((k, commented(v)) for k, v in value.items())
        if isinstance(value, list):
            return CommentedSeq(commented(v) for v in value)
        if isinstance(value, str) and "\n" in value:
            return LiteralScalarString(value)
        if isinstance(value, str) and _needs_quotes(value):
            from ruamel.yaml.scalarstring import DoubleQuotedScalarString

            return DoubleQuotedScalarString(value)
        return value

    document = commented(plain(visit))
    for path, text in (comments or {}).items():
        _attach(document, path, text)
    yaml = YAML()
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 88
    stream = io.StringIO()
    yaml.dump(document, stream)
    return stream.getvalue()


def _needs_quotes(text: str) -> bool:
    """Text that YAML 1.1 readers (or a person) would take for something else."""
    return text.lower() in {"yes", "no", "on", "off", "true", "false", "null", "~", "y", "n"}


def _attach(document: Any, path: Path, text: str) -> None:
    section, where = path[0], path[1]
    block = document.get("visit", {}).get("objectives") if section == "objectives" else None
    if block is None:
        block = document.get(section)
    if block is None:
        return
    lines = text.splitlines() or [""]
    if isinstance(where, int) and where < len(block):
        block.yaml_set_comment_before_after_key(where, before="\n".join(lines), indent=2)
    elif isinstance(where, str):
        key = where.split(".")[0]
        if key in block:
            block.yaml_set_comment_before_after_key(key, before="\n".join(lines), indent=2)


# ---------------------------------------------------------------------------
# Comments


def yaml_comments(path: FilePath) -> dict[Path, str]:
    """The comments of visit.yaml, by the item (or Visit and Rules key) they sit in.

    A comment on its own line before an item belongs, for YAML, to the item above it;
    it is kept with that item. Comments before the first block go with the visit's id.
    """
    from ruamel.yaml import YAML

    try:
        text = path.read_text(encoding="utf-8")
        if not re.search(r"(?m)(^|\s)#", text):
            return {}  # no comment: spare the round-trip reader (slow on a large file)
        document: Any = YAML().load(text)
    except Exception:  # the file was validated already; comments are a courtesy
        return {}
    found: dict[Path, str] = {}
    if not isinstance(document, dict):
        return found
    head = _comment_texts(getattr(_ca(document), "comment", None))
    details = document.get("visit")
    for section in ("visit", "rules"):
        block: Any = document.get(section)
        if isinstance(block, dict):
            for key in block:
                if key == "objectives":
                    continue
                texts = _comment_texts(_ca(block).items.get(key)) + _nested_comments(block[key])
                if texts:
                    found[(section, key)] = "\n".join(texts)
    if head:
        first: Path = ("visit", "id")
        found[first] = "\n".join([*head, found.get(first, "")]).strip()
    sections: list[tuple[str, Any]] = [
        (name, document.get(name))
        for name in ("hosts", "venues", "groups", "sessions", "participants")
    ]
    if isinstance(details, dict):
        sections.append(("objectives", details.get("objectives")))
    items: Any
    for section, items in sections:
        if not isinstance(items, list):
            continue
        for n, item in enumerate(items):
            texts = _comment_texts(_ca(items).items.get(n)) + _nested_comments(item)
            if texts:
                found[(section, n)] = "\n".join(texts)
    return found


def _ca(node: Any) -> Any:
    """ruamel.yaml's record of the comments around a block."""
    return getattr(node, "ca", None)


def _nested_comments(value: Any) -> list[str]:
    texts: list[str] = []
    ca = getattr(value, "ca", None)
    if ca is None:
        return texts
    texts += _comment_texts(ca.comment)
    for key, tokens in ca.items.items():
        found = _comment_texts(tokens)
        if found and isinstance(key, str) and isinstance(value, dict):
            texts += found
        else:
            texts += found
    for child in value.values() if isinstance(value, dict) else value:
        texts += _nested_comments(child)
    return texts


def _comment_texts(tokens: Any) -> list[str]:
    texts: list[str] = []
    if tokens is None:
        return texts
    for token in tokens if isinstance(tokens, list) else [tokens]:
        if token is None:
            continue
        if isinstance(token, list):
            texts += _comment_texts(token)
            continue
        value = getattr(token, "value", None)
        if isinstance(value, str):
            for line in value.splitlines():
                line = line.strip()
                if line.startswith("#"):
                    texts.append(line.lstrip("#").strip())
    return texts


def workbook_comments(visit: Visit, path: FilePath) -> dict[Path, str]:
    """The Comments column of a workbook, by item (or Visit and Rules key)."""
    from visitplan.workbook.layout import COMMENT, FIELD_ROW
    from visitplan.workbook.read import _section_of, read_grids

    found: dict[Path, str] = {}
    del visit
    for grid in read_grids(path, str(path)):
        section = _section_of(grid)
        if section is None:
            continue
        header = [str(v).strip() if v is not None else "" for v in grid.rows[0]]
        if COMMENT not in header:
            continue
        note = header.index(COMMENT) + 1
        list_sheet = next(s for s in sheets() if s.section == section).is_list
        n = 0
        for row in range(FIELD_ROW + 2, len(grid.rows) + 1):
            cells = grid.rows[row - 1]
            filled = any(
                v is not None and str(v).strip() for i, v in enumerate(cells, start=1) if i != note
            )
            text = grid.value(row, note)
            if list_sheet:
                if not filled:
                    continue
                if text is not None and str(text).strip():
                    found[(section, n)] = str(text).strip()
                n += 1
            elif text is not None and str(text).strip() and grid.value(row, 1):
                found[(section, str(grid.value(row, 1)).strip())] = str(text).strip()
    return found


def init_workbook(created: FilePath, file_format: str) -> FilePath:
    """Turn the visit.yaml ``init`` just wrote into a workbook of ``file_format``."""
    if file_format not in {"xlsx"}:
        created.unlink()
        raise InputError.of(
            "VP010",
            f"'{file_format}' is not a format init writes",
            "use --format yaml or --format xlsx (save it as .ods in LibreOffice if you like)",
            Location("--format"),
        )
    target = created.with_suffix(".xlsx")
    convert(created, target)
    created.unlink()
    return target
