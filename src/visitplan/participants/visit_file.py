"""Writing imported participants into ``visit.yaml`` without disturbing the rest.

Only the ``participants:`` block is rewritten, with ruamel.yaml in round-trip mode so
that comments and formatting inside it survive; every other line of the file stays
byte for byte as the user wrote it. Existing participants are updated in place (found
by id, then email), never duplicated. The file is replaced atomically, with a backup.

What each import took from the sheet is remembered beside the visit file
(``.visit.yaml.imported.json``: participant id -> field -> value). On the next import, a
field whose value in the visit file differs from what was last imported was corrected
by hand; while the sheet still says the same as last time, the correction is kept.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from visitplan.atomic import real_path, replace_file
from visitplan.findings import Finding
from visitplan.participants.importing import Imported, ImportResult

# What an import took from the sheet, per participant id: field -> value.
Remembered = dict[str, Mapping[str, object]]

_TOP_LEVEL = re.compile(r"^[^\s#]")
_PARTICIPANTS = re.compile(r"^participants\s*:")


@dataclass
class Merge:
    text: str  # the new file
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # corrections kept, said for a person
    imported: Remembered = field(default_factory=dict)  # for the next time

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated)


@dataclass(frozen=True)
class MergeOutcome:
    """What merging an import into a visit file did, or would do (``dry_run``)."""

    visit_file: Path
    added: int
    updated: int
    unchanged: int
    kept: list[str]  # corrections by hand that the sheet did not overrule, said for a person
    changed: bool  # the participants would change
    dry_run: bool
    problems: list[Finding] = field(default_factory=list)  # the merged file would not load
    diff: list[str] = field(default_factory=list)  # unified diff of a dry run's change
    backup: Path | None = None  # where the previous version was kept
    write_error: str | None = None  # why the file could not be written

    @property
    def summary(self) -> str:
        return f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged"


def merge_into_visit_file(visit_file: Path, result: ImportResult, dry_run: bool) -> MergeOutcome:
    """Merge ``result``'s participants into ``visit_file``: checked as a whole visit
    before anything is written, replaced atomically with a backup, and what was imported
    remembered for the next time. A dry run computes the diff and writes nothing."""
    import difflib

    from visitplan.findings import InputError
    from visitplan.load import WORKBOOK_SUFFIXES, load_text

    if visit_file.suffix.lower() in WORKBOOK_SUFFIXES:
        from visitplan.workbook.participants import merge_into_workbook

        return merge_into_workbook(visit_file, result, dry_run)
    original = visit_file.read_text(encoding="utf-8")
    merged = merge_participants(original, result.taken, read_imported(visit_file))
    outcome = MergeOutcome(
        visit_file,
        len(merged.added),
        len(merged.updated),
        len(merged.unchanged),
        merged.kept,
        merged.changed,
        dry_run,
    )
    if not merged.changed:
        if not dry_run:
            write_imported(visit_file, merged.imported)
        return outcome
    try:
        load_text(merged.text, str(visit_file))
    except InputError as error:
        return replace(outcome, problems=error.findings)
    if dry_run:
        diff = difflib.unified_diff(
            original.splitlines(keepends=True),
            merged.text.splitlines(keepends=True),
            str(visit_file),
            f"{visit_file} (after import)",
        )
        return replace(outcome, diff=list(diff))
    try:
        backup = write_atomically(visit_file, merged.text)
    except OSError as error:
        return replace(outcome, write_error=str(error.strerror or error))
    write_imported(visit_file, merged.imported, backup)
    return replace(outcome, backup=backup)


def block_range(lines: list[str]) -> tuple[int, int] | None:
    """[start, end) of the participants block: its key line to the last line that
    belongs to it (trailing blank lines and column-0 comments belong to what follows)."""
    start = next((n for n, line in enumerate(lines) if _PARTICIPANTS.match(line)), None)
    if start is None:
        return None
    end = start + 1
    while end < len(lines) and not _TOP_LEVEL.match(lines[end]):
        end += 1
    while end > start + 1 and (not lines[end - 1].strip() or lines[end - 1].startswith("#")):
        end -= 1
    return start, end


def _yaml() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 100
    yaml.preserve_quotes = True
    return yaml


def merge_participants(
    text: str, imported: list[Imported], previous: Remembered | None = None
) -> Merge:
    """The visit file's text with ``imported`` merged into its participants.

    ``previous`` is what the last import took from the sheet (``read_imported``): a field
    changed by hand since then, and unchanged in the sheet, keeps the hand's value."""
    lines = text.splitlines(keepends=True)
    block = _Block.of(lines)
    result = Merge(text="", imported=dict(previous or {}))
    known = _Known(block.people)
    for record in imported:
        _merge_record(block.people, known, record, previous or {}, result)
    if not result.changed:
        result.text = text
    elif not result.updated and (indent := block.indent) is not None:
        result.text = block.with_additions(indent, set(result.added))
    else:
        result.text = block.rewritten()
    return result


@dataclass
class _Block:
    """The ``participants:`` block of a visit file's lines, [start, end), as ruamel reads it."""

    lines: list[str]
    start: int
    end: int
    found: bool  # False: the file has no block yet, and it goes at the end
    yaml: Any  # ruamel's round-trip reader, which writes the block back
    document: Any  # ruamel's round-trip mapping holding the block
    people: Any  # ruamel's round-trip list of participants

    @classmethod
    def of(cls, lines: list[str]) -> _Block:
        from ruamel.yaml.comments import CommentedMap, CommentedSeq

        found = block_range(lines)
        if found is None:
            block_text, start, end = "participants:\n", len(lines), len(lines)
        else:
            start, end = found
            block_text = "".join(lines[start:end])
        yaml = _yaml()
        document = yaml.load(block_text) or CommentedMap()
        people = document.get("participants")
        if not isinstance(people, CommentedSeq):
            people = CommentedSeq(people or [])
            document["participants"] = people
        return cls(lines, start, end, found is not None, yaml, document, people)

    @property
    def indent(self) -> int | None:
        return _item_indent(self.lines[self.start : self.end]) if self.found else None

    def with_additions(self, indent: int, added: set[str]) -> str:
        """The file with only the added participants appended to the block: the existing
        entries stay exactly as the user wrote them."""
        lines, start, end = self.lines, self.start, self.end
        appender = _yaml()
        appender.indent(mapping=2, sequence=indent + 2, offset=indent)
        stream = io.StringIO()
        appender.dump([item for item in self.people if str(item.get("id")) in added], stream)
        tail = "".join(lines[start:end])
        if not tail.endswith("\n"):
            tail += "\n"
        return "".join(lines[:start]) + tail + stream.getvalue() + "".join(lines[end:])

    def rewritten(self) -> str:
        """The file with the whole block written anew (a new block goes at the end, after
        a blank line)."""
        stream = io.StringIO()
        self.yaml.dump(self.document, stream)
        prefix = "".join(self.lines[: self.start])
        if not self.found and prefix and not prefix.endswith("\n"):
            prefix += "\n"
        if not self.found and prefix:
            prefix += "\n"
        return prefix + stream.getvalue() + "".join(self.lines[self.end :])


def _merge_record(
    people: Any, known: _Known, record: Imported, previous: Remembered, result: Merge
) -> None:
    """Add ``record``, or update the participant it already is (found by id, then email)."""
    from ruamel.yaml.comments import CommentedMap

    current = known.find(record)
    if current is None:
        people.append(CommentedMap(record.fields))
        result.added.append(record.id)
        result.imported[record.id] = dict(record.fields)
        return
    its_id = str(current.get("id"))
    result.imported[its_id] = dict(record.fields)
    changed = _update(current, record, previous.get(its_id, {}), result)
    (result.updated if changed else result.unchanged).append(its_id)


class _Known:
    """The participants already in the file, by id and by email (as the file was read:
    one just added is not found again)."""

    def __init__(self, people: Any) -> None:
        self.by_id = {str(p.get("id")): p for p in people if isinstance(p, dict)}
        self.by_email = {
            str(p.get("email")).lower(): p for p in people if isinstance(p, dict) and p.get("email")
        }

    def find(self, record: Imported) -> Any:
        return self.by_id.get(record.id) or (
            self.by_email.get(record.email) if record.email else None
        )


def _update(current: Any, record: Imported, last: Mapping[str, object], result: Merge) -> bool:
    """Write the sheet's values into ``current``, but for corrections by hand that the
    sheet did not overrule; whether anything changed."""
    changed = False
    for key, value in record.fields.items():
        here = current.get(key)
        if key == "id" or comparable(here) == comparable(value):
            continue
        if key in last and comparable(last[key]) == comparable(value):
            result.kept.append(
                f"kept your correction of {key} for row {record.row} "
                f"({record.fields.get('name', '')}): {_shown(here)}, not {_shown(value)} "
                "as the sheet still says"
            )
            continue
        current[key] = value
        changed = True
    return changed


def _item_indent(block: list[str]) -> int | None:
    """The column of the block's '- ' items; None for a flow list or no items."""
    for line in block[1:]:
        stripped = line.lstrip(" ")
        if stripped.startswith("- ") or stripped.rstrip() == "-":
            return len(line) - len(stripped)
    return None


def _shown(value: object) -> str:
    if value is None:
        return "(empty)"
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return repr(str(value)) if not isinstance(value, bool) else ("yes" if value else "no")


def imported_path(visit_file: Path) -> Path:
    return visit_file.with_name(f".{visit_file.name}.imported.json")


def read_imported(visit_file: Path) -> Remembered:
    """What the last import took from the sheet, per participant id ({} when unknown)."""
    try:
        data = json.loads(imported_path(visit_file).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    people = data.get("participants") if isinstance(data, dict) else None
    if not isinstance(people, dict):
        return {}
    return {str(k): v for k, v in people.items() if isinstance(v, dict)}


def write_imported(visit_file: Path, imported: Remembered, backup: Path | None = None) -> None:
    """Remember what was imported, and the backup visitplan kept (``backup``, else the
    one remembered before); private (0600), written whole or not at all."""
    path = imported_path(visit_file)
    temp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    data: dict[str, Any] = {"format": 1, "participants": imported}
    kept = _backup_record(backup) if backup is not None else _recorded_backup(visit_file)
    if kept is not None:
        data["backup"] = {"name": kept[0], "sha256": kept[1]}
    text = json.dumps(data, ensure_ascii=False, indent=1)
    try:
        descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            stream.write(text)
        temp.replace(path)
    except OSError:
        temp.unlink(missing_ok=True)


def comparable(value: object) -> object:
    """A value as its text (lists item by item; yes/no and nothing as they are), so that
    a value read from a file and one read from a form compare equal."""
    if isinstance(value, list):
        return [comparable(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    return str(value)


def _backup_record(backup: Path) -> tuple[str, str] | None:
    try:
        return backup.name, hashlib.sha256(backup.read_bytes()).hexdigest()
    except OSError:
        return None


def _recorded_backup(visit_file: Path) -> tuple[str, str] | None:
    """The name and checksum of the backup the last import kept, if remembered."""
    try:
        data = json.loads(imported_path(visit_file).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    kept = data.get("backup") if isinstance(data, dict) else None
    if not isinstance(kept, dict):
        return None
    name, digest = kept.get("name"), kept.get("sha256")
    return (name, digest) if isinstance(name, str) and isinstance(digest, str) else None


def backup_path(visit_file: Path) -> Path:
    """Where the previous version of ``visit_file`` is kept: ``visit.yaml.bak``, unless
    a file is there that this visit's last import did not keep (the user's own copy,
    say), which is never replaced: then the first free ``visit.yaml.N.bak``."""
    target = real_path(visit_file)
    recorded = _recorded_backup(visit_file)
    for number in range(1, 1000):
        name = f"{target.name}.bak" if number == 1 else f"{target.name}.{number}.bak"
        candidate = target.with_name(name)
        if not candidate.exists() and not candidate.is_symlink():
            return candidate
        ours = recorded is not None and recorded[0] == name and candidate.is_file()
        if ours and _backup_record(candidate) == recorded:
            return candidate
    raise OSError("no free name for a backup beside it (999 backups are there)")


def write_atomically(path: Path, text: str) -> Path:
    """Replace ``path`` with ``text``: complete or not at all, the old one kept as .bak.

    A link is written through to the file it points to. The file and its backup keep
    the file's permissions and its line endings (a Windows file stays CRLF)."""
    target = real_path(path)
    backup = backup_path(path)
    try:
        before = target.read_bytes()
        mode: int | None = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        before, mode = None, None
    newline = line_ending(before or b"")
    data = re.sub(r"\r\n?|\n", newline, text).encode("utf-8")
    if before is not None:
        replace_file(backup, before, mode=mode)
    replace_file(target, data)
    return backup


def line_ending(data: bytes) -> str:
    """The line ending most lines of ``data`` use ("\n" when it has none)."""
    crlf = data.count(b"\r\n")
    counts = {"\n": data.count(b"\n") - crlf, "\r\n": crlf, "\r": data.count(b"\r") - crlf}
    return max(counts, key=lambda ending: counts[ending]) if any(counts.values()) else "\n"
