"""File names made from ids: accepted by every system, and unique where it matters.

Group feeds are written as ``public/groups/<id>.ics``. Windows refuses some names
whatever their extension, and names that end in a dot or a space; macOS and Windows
do not tell ``Room`` from ``room``. Two ids that end up as the same file name would
give one group the other's programme, so the visit file is refused instead.
"""

from __future__ import annotations

# Names Windows refuses as file names, whatever the extension.
RESERVED_NAMES = frozenset(
    {
        "CON",
        "PRN",
        "AUX",
        "NUL",
        *(f"COM{n}" for n in range(10)),
        *(f"LPT{n}" for n in range(10)),
    }
)


def safe_stem(name: str) -> str:
    """An id as a file name that every system accepts (ids are already plain ASCII)."""
    stem = name.rstrip(". ") or "_"
    if stem.split(".")[0].upper() in RESERVED_NAMES:
        stem = f"_{stem}"
    return stem + "_" * (len(name) - len(name.rstrip(". ")))


def clash_key(name: str) -> str:
    """Two ids clash as file names when this is equal for both (case-insensitive disks)."""
    return safe_stem(name).casefold()
