"""The privacy audit of ``public/``: nothing personal may go on the open web.

Every file is read with a real parser (icalendar for feeds, the standard library's
HTML parser for pages, json for data) so that folded, escaped or encoded text is
seen as a reader sees it. The audit looks for each participant's email, phone,
dietary and accessibility text and, for those who did not consent, their name; and
for anything shaped like an email address or an international phone number.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from visitplan.findings import CATALOGUE, Finding, Location
from visitplan.model import Visit

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
PHONE = re.compile(r"(?<![\w+])\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){2,5}(?!\w)")
# Needs shorter than this are generic words ("vegan", "wheelchair") that also appear
# in programme text and say nothing about a person on their own.
MIN_NEED_LENGTH = 15
UID_DOMAIN = ".visitplan"
PARALLEL_FROM = 500  # files; below this, forking costs more than it saves
NOT_TEXT = frozenset(
    {
        "BEGIN",
        "END",
        "VERSION",
        "CALSCALE",
        "METHOD",
        "DTSTART",
        "DTEND",
        "DTSTAMP",
        "LAST-MODIFIED",
        "SEQUENCE",
        "GEO",
        "TZOFFSETFROM",
        "TZOFFSETTO",
        "REFRESH-INTERVAL",
        "X-PUBLISHED-TTL",
        "TRANSP",
        "STATUS",
        "TZID",
        "RRULE",
    }
)  # calendar UIDs look like addresses: session@visit.visitplan


# Distinct text -> (the first file it is in, relative to the build; how many files).
Texts = dict[str, tuple[str, int]]


def audit_public(folder: Path, visit: Visit) -> list[Finding]:
    """Findings for personal data in ``folder`` (a build's public/ or the build itself)."""
    public = folder / "public" if (folder / "public").is_dir() else folder
    paths = sorted(p for p in public.rglob("*") if p.is_file())
    return find_leaks(_texts_of(paths, public.parent), visit)


def collect_texts(paths: list[Path], root: Path) -> Texts:
    """The distinct pieces of text in ``paths``, each with where it was first seen."""
    decoded: dict[str, str | None] = {}
    where: Texts = {}
    for path in paths:
        shown = path.relative_to(root).as_posix()
        for unit in dict.fromkeys(readable_units(path, decoded)):
            first, count = where.get(unit, (shown, 0))
            where[unit] = (min(first, shown), count + 1)
    return where


def merge_texts(parts: Iterable[Texts]) -> Texts:
    merged: Texts = {}
    for part in parts:
        for unit, (first, count) in part.items():
            if unit in merged:
                seen, total = merged[unit]
                merged[unit] = (min(seen, first), total + count)
            else:
                merged[unit] = (first, count)
    return merged


def find_leaks(texts: Texts, visit: Visit) -> list[Finding]:
    """Personal data and contact-shaped text among ``texts``.

    Feeds repeat the same texts thousands of times, so each distinct piece of text is
    checked once, and each secret only against the texts that contain its words.
    """
    units = list(texts)
    index: dict[str, set[int]] = defaultdict(set)
    for number, unit in enumerate(units):
        for word in _words(unit):
            index[word].add(number)
    findings: list[Finding] = []
    secrets = _secrets(visit)
    known = {value for _, value in secrets}
    for what, value in secrets:
        words = _words(value)
        if not words:
            continue
        candidates = set.intersection(*(index.get(w, set()) for w in words))
        for number in sorted(candidates):
            if value in units[number]:
                findings.append(
                    _published(
                        "VP301",
                        f"a participant's {what} is published",
                        f"'{_mask(value)}' must not be published",
                        texts[units[number]],
                    )
                )
    for unit in units:
        for match in EMAIL.finditer(unit):
            value = match.group(0)
            if value not in known and not value.endswith(UID_DOMAIN):
                findings.append(
                    _published(
                        "VP302",
                        "an email address is published",
                        f"'{_mask(value)}': take contact addresses out of the visit's public text",
                        texts[unit],
                    )
                )
        for match in PHONE.finditer(unit):
            if match.group(0) not in known:
                findings.append(
                    _published(
                        "VP302",
                        "a phone number is published",
                        f"'{_mask(match.group(0))}': take phone numbers out of the visit's public "
                        "text",
                        texts[unit],
                    )
                )
    return findings


def _texts_of(paths: list[Path], root: Path) -> Texts:
    """Many files (thousands of personal feeds) are read by two forked processes on
    Linux, each half of them."""
    workers = min(2, os.cpu_count() or 1)
    if len(paths) < PARALLEL_FROM or workers < 2 or sys.platform != "linux":
        return collect_texts(paths, root)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    halves = [paths[n::workers] for n in range(workers)]
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        parts = list(pool.map(collect_texts, halves, [root] * workers))
    return merge_texts(parts)


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"\W+", text.casefold()) if w]


def _published(code: str, message: str, hint: str, where: tuple[str, int]) -> Finding:
    first, count = where
    more = f" (and {count - 1} more files)" if count > 1 else ""
    return _finding(code, message + more, hint, first)


def _secrets(visit: Visit) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for person in visit.participants:
        if person.email:
            found.append(("email", person.email))
        if person.phone:
            found.append(("phone number", person.phone))
        for what, need in (
            ("dietary needs", person.dietary),
            ("accessibility needs", person.accessibility),
        ):
            if need and len(need) >= MIN_NEED_LENGTH:
                found.append((what, need))
        if not person.public and len(person.name) >= 5:
            found.append(("name (no consent to publication)", person.name))
    return found


def readable_units(path: Path, decoded: dict[str, str | None] | None = None) -> list[str]:
    """The pieces of text a reader of ``path`` sees: property values, page text and
    attributes, JSON strings."""
    suffix = path.suffix.lower()
    try:
        raw = path.read_bytes()
    except OSError:
        return []
    if suffix == ".ics":
        return list(_calendar_text(raw, {} if decoded is None else decoded))
    text = raw.decode("utf-8", errors="replace")
    if suffix in {".html", ".htm"}:
        reader = _TextOfPage()
        reader.feed(text)
        return reader.parts
    if suffix == ".json":
        try:
            return list(_json_strings(json.loads(text)))
        except ValueError:
            return [text]
    return [text]


def _calendar_text(raw: bytes, decoded: dict[str, str | None]) -> Iterator[str]:
    """Text values of a calendar, line by line, with icalendar's own unfolding and
    decoding. Each distinct content line is decoded once per audit (``decoded``):
    thousands of personal feeds repeat the same events."""
    from icalendar import vText
    from icalendar.parser import Contentline
    from icalendar.parser.content_line import NEWLINE, UFOLD

    unfolded = UFOLD.sub("", raw.decode("utf-8", errors="replace"))
    for line in NEWLINE.split(unfolded):
        if not line:
            continue
        if line not in decoded:
            decoded[line] = _decode_line(Contentline(line), vText)  # type: ignore[no-untyped-call]
        value = decoded[line]
        if value is not None:
            yield value


def _decode_line(line: Any, text_type: Any) -> str | None:
    try:
        name, _, value = line.parts()
    except ValueError:
        return str(line)  # not a content line: audit it as it is
    if name in NOT_TEXT:
        return None  # dates, offsets, numbers and structure carry no personal data
    return str(text_type.from_ical(value))


def _json_strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item)


class _TextOfPage(HTMLParser):
    """Text and attribute values of a page (links and data attributes included)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.parts += [unescape(value) for _, value in attrs if value]

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _finding(code: str, message: str, hint: str, where: str) -> Finding:
    info = CATALOGUE[code]
    return Finding(info.severity, code, message, hint, Location(where))


def _mask(text: str) -> str:
    """Enough to find it, not enough to republish it in a log."""
    return text if len(text) <= 4 else text[:3] + "…" + text[-2:]
