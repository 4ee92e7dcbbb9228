"""Where things are in a build folder: ``public/`` (what goes online), ``private/``
(the organisers' documents) and ``manifest.json`` (what visitplan wrote there)."""

from __future__ import annotations

from pathlib import Path

from visitplan.findings import InputError

MANIFEST = "manifest.json"
PUBLIC = "public"
PAGE = "index.html"


def public_folder(out: Path, *, with_page: bool = False) -> Path:
    """The public folder of ``out``, a build folder or its ``public/`` itself (with
    ``with_page``, any folder holding the web page, such as a copy of ``public/``).

    InputError when ``out`` is neither, or (``with_page``) when it has no web page."""
    if (out / PUBLIC).is_dir():
        folder = out / PUBLIC
    elif out.is_dir() and (out.name == PUBLIC or (with_page and (out / PAGE).is_file())):
        folder = out
    else:
        raise InputError.of(
            "VP010",
            f"{out} has no {PUBLIC}/ folder",
            "give a build folder (the one `visitplan build` wrote), or build first, e.g. "
            "`visitplan build visit.yaml`",
            out,
        )
    if with_page and not (folder / PAGE).is_file():
        raise InputError.of(
            "VP010",
            f"{folder} has no {PAGE}",
            "build first, e.g. `visitplan build visit.yaml`",
            folder,
        )
    return folder
