"""The image files a visit names (logo, funder's emblem): where they are and whether
the documents can use them.

Only PNG and JPEG are accepted: Word, LibreOffice and python-docx read both, and
turning an SVG into pixels would need a rendering library for one logo.
"""

from __future__ import annotations

from pathlib import Path

MAX_IMAGE_BYTES = 2 * 1024 * 1024
_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8\xff"


def image_path(visit_file: Path, named: str) -> Path:
    """The file ``named`` in the visit file, relative to the visit file's folder."""
    return visit_file.parent / Path(named).expanduser()


def image_problem(path: Path) -> tuple[str, str] | None:
    """What keeps ``path`` from being used as a logo or emblem, with how to fix it."""
    shown = str(path)
    try:
        if not path.exists():
            return f"the image {shown} does not exist", (
                "check the file name; a relative path starts from the visit file's folder"
            )
        if not path.is_file():
            return f"{shown} is not a file", "give the path of a PNG or JPEG file"
        size = path.stat().st_size
        if size > MAX_IMAGE_BYTES:
            return (
                f"the image {shown} is {size / 1024 / 1024:.1f} MB, over the limit of 2 MB",
                "save a smaller copy (a logo needs about 600 pixels across)",
            )
        blob = path.read_bytes()
    except OSError as exc:
        return f"cannot read the image {shown}: {exc.strerror}", "check the file's permissions"
    head = blob[:512].lstrip()
    if path.suffix.lower() == ".svg" or head.startswith((b"<svg", b"<?xml")):
        return f"{shown} is an SVG drawing", (
            "export it as PNG (in Inkscape: File > Export; in a browser: open it and take a "
            "screenshot) and name the PNG file here"
        )
    if not blob.startswith((_PNG, _JPEG)):
        return f"{shown} is not a PNG or JPEG image", "save the image as PNG or JPEG"
    from docx.image.exceptions import UnrecognizedImageError
    from docx.image.image import Image

    try:
        image = Image.from_blob(blob)
        if image.px_width <= 0 or image.px_height <= 0:
            raise ValueError
    except (UnrecognizedImageError, ValueError, IndexError, KeyError, EOFError, Exception):
        return f"the image {shown} is damaged", "open it in an image editor and save it again"
    return None
