"""New visit folders: the commented starter file and the shipped examples."""

from __future__ import annotations

import re
import shutil
from importlib import resources
from pathlib import Path

from visitplan.findings import InputError, Location

STARTER = "visit.yaml"


def examples_root() -> Path:
    """Where the shipped examples are: inside the package, or the source checkout."""
    packaged = Path(str(resources.files("visitplan"))) / "examples"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "examples"


def example_names() -> list[str]:
    root = examples_root()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / "visit.yaml").is_file())


def init_folder(folder: Path, example: str | None = None, language: str | None = None) -> Path:
    """Create ``folder`` with a starter visit.yaml or a copy of an example; never overwrite.

    ``language`` sets the visit's language (that of every output) in the new file."""
    if language is not None:
        language = known_language(language)
    if folder.exists() and not folder.is_dir():
        raise InputError.of(
            "VP010",
            "a file with this name exists",
            "choose a new folder name",
            Location(str(folder)),
        )
    if folder.is_dir() and any(folder.iterdir()):
        raise InputError.of(
            "VP010",
            "the folder is not empty; init never overwrites files",
            "choose a new folder name, e.g. `visitplan init my-visit`",
            Location(str(folder)),
        )
    if example is None:
        folder.mkdir(parents=True, exist_ok=True)
        template = resources.files("visitplan") / "templates" / STARTER
        target = folder / STARTER
        target.write_text(template.read_text(encoding="utf-8"), encoding="utf-8")
        if language is not None:
            _set_language(target, language)
        return target
    names = example_names()
    if example not in names:
        raise InputError.of(
            "VP010",
            f"there is no example called '{example}'",
            f"choose one of: {', '.join(names)}",
            Location("--example"),
        )
    source = examples_root() / example
    folder.mkdir(parents=True, exist_ok=True)
    for item in source.iterdir():
        if item.name in {"build", ".visitplan-state.json"} or item.name.startswith("."):
            continue
        if item.is_dir():
            shutil.copytree(item, folder / item.name)
        else:
            shutil.copy2(item, folder / item.name)
    if language is not None:
        _set_language(folder / STARTER, language)
    return folder / STARTER


# The visit's language line: "  language: en   # comment".
_LANGUAGE_LINE = re.compile(r"^(  language:[ \t]*)([A-Za-z]{2,3})\b", re.MULTILINE)


def known_language(code: str) -> str:
    """``code`` as a lower-case language code that CLDR knows, else InputError."""
    from babel import Locale, UnknownLocaleError

    from visitplan.i18n import languages

    text = code.strip().lower()
    try:
        if not re.fullmatch(r"[a-z]{2,3}", text):
            raise ValueError(text)
        Locale.parse(text)
    except (ValueError, UnknownLocaleError):
        raise InputError.of(
            "VP004",
            f"'{code}' is not a language code",
            f"use a two-letter code; the outputs are translated into {', '.join(languages())}",
            Location("--language"),
        ) from None
    return text


def _set_language(visit_file: Path, language: str) -> None:
    """Change the first ``language:`` of the visit block, keeping the rest as written."""
    text = visit_file.read_text(encoding="utf-8")
    visit_file.write_text(_LANGUAGE_LINE.sub(rf"\g<1>{language}", text, count=1), encoding="utf-8")
