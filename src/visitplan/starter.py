"""New visit folders: the commented starter file and the shipped examples."""

from __future__ import annotations

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


def init_folder(folder: Path, example: str | None = None) -> Path:
    """Create ``folder`` with a starter visit.yaml or a copy of an example; never overwrite."""
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
    return folder / STARTER
