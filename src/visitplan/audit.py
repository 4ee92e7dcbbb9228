"""The privacy audit of ``public/``: nothing personal may go on the open web.

Every file is read with a real parser (icalendar for feeds, the standard library's
HTML parser for pages, json for data) so that folded, escaped or encoded text is
seen as a reader sees it. Text is compared as people write it: NFKC-normalised,
case-folded, without invisible characters, whatever the spaces and punctuation
between words. The audit looks for each participant's email, phone (in international
or national form), dietary and accessibility text and, for those who did not consent,
their name in either order and their id; for hosts' contact persons' names, emails
and phones; and for anything shaped like an email address or an international phone
number. A file it cannot read as text (a workbook, an archive, an image) is a finding
of its own, never a pass.

A participant's own page and feed (``p/<token>.*``) may show that participant's
name, and only theirs: given the tokens (``owners``), the audit reads those files
without their owner's name, so anyone else's name or anybody's private data in them
is still found. Without the tokens, a name on a personal page is a finding.
"""

from __future__ import annotations

import json
import os
import re
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from html import unescape
from html.parser import HTMLParser
from itertools import accumulate
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, unquote_plus

from visitplan.findings import Finding
from visitplan.layout import public_folder
from visitplan.model import Visit
from visitplan.text import comparable_words, invisible_removed, words_of

EMAIL = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}")
PHONE = re.compile(r"(?<![\w+])\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){2,5}(?!\w)")
# Needs shorter than this are generic words ("vegan", "wheelchair") that also appear
# in programme text and say nothing about a person on their own.
MIN_NEED_LENGTH = 15
MIN_NAME_LETTERS = 4  # shorter names ("Ana") are ordinary words too
MIN_ID_LETTERS = 5
MIN_PHONE_DIGITS = 6
CONTEXT = 300  # characters either side of an owner's name read for a longer name
# A phone's national number may be written after a trunk prefix (0, 06, 8), the
# country code, or 00 and the country code: up to this many digits before it.
MAX_PHONE_PREFIX = 5
NOT_A_DIGIT = re.compile(r"[^0-9]")
DIGIT_RUN = re.compile(r"\+?\d(?:[\d \t.\-/()\u00a0]*\d)?")
# Stands in a Texts mapping for a file that cannot be read as text (a NUL can never
# be part of the text of a readable file: such a file is unreadable).
UNREADABLE = "\x00cannot-read\x00"
# Suffixes of files that are never text, whatever their first bytes.
BINARY_SUFFIXES = frozenset(
    [
        ".xlsx",
        ".xlsm",
        ".xls",
        ".ods",
        ".docx",
        ".doc",
        ".odt",
        ".pptx",
        ".ppt",
        ".odp",
        ".pdf",
        ".zip",
        ".gz",
        ".tgz",
        ".bz2",
        ".xz",
        ".7z",
        ".rar",
        ".tar",
        ".png",
        ".jpg",
        ".jpeg",
        ".gif",
        ".webp",
        ".bmp",
        ".tif",
        ".tiff",
        ".ico",
        ".heic",
        ".avif",
        ".svgz",
        ".mp3",
        ".mp4",
        ".m4a",
        ".wav",
        ".ogg",
        ".webm",
        ".mov",
        ".woff",
        ".woff2",
        ".ttf",
        ".otf",
        ".eot",
        ".sqlite",
        ".db",
    ]
)
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


def audit_public(
    folder: Path, visit: Visit, tokens: Mapping[str, str] | None = None
) -> list[Finding]:
    """Findings for personal data in ``folder`` (a build's public/ or the build itself);
    InputError when it is neither. ``tokens`` (participant id -> personal token, as the
    state file keeps them) let each personal page show its owner's name."""
    public = public_folder(folder)
    paths = sorted(p for p in public.rglob("*") if p.is_file())
    return find_leaks(_texts_of(paths, public.parent, owners_of(visit, tokens or {})), visit)


@dataclass(frozen=True)
class Owner:
    """Whose a personal page is: the name it may show, and the words of every other
    name that holds it (in any order), which removing it would break up."""

    name: str
    longer: tuple[tuple[str, ...], ...] = ()


def owners_of(visit: Visit, tokens: Mapping[str, str]) -> dict[str, Owner]:
    """Personal token -> the owner whose name its page and feed may show."""
    people = {p.id: p.name for p in visit.participants}
    # Each other name under each of its words, so a large visit stays linear.
    others: dict[str, list[list[str]]] = defaultdict(list)
    for words in {tuple(comparable_words(s.value)) for _, s in personal_data(visit).words.values()}:
        for word in set(words):
            others[word].append(list(words))
    owners: dict[str, Owner] = {}
    for pid, token in tokens.items():
        if pid not in people:
            continue
        own = comparable_words(people[pid])
        longer = {
            tuple(order)
            for words in (others.get(own[0], []) if own else [])
            if len(words) > len(own)
            for order in (words[k:] + words[:k] for k in range(len(words)))
            if _holds(order, own)
        }
        owners[token] = Owner(people[pid], tuple(sorted(longer)))
    return owners


def _holds(words: list[str], part: list[str]) -> bool:
    return any(words[i : i + len(part)] == part for i in range(len(words) - len(part) + 1))


def _without_owner(units: list[str], owner: Owner) -> list[str]:
    """A personal file's text without its owner's name, as written or as a link
    carries it, whole words only; where the name is part of a longer one (another
    participant's "Anna Maria Rossi" on Maria Rossi's page) it stays, to be found."""
    name = owner.name
    pattern = _name_pattern(name)
    shortest = min(len(name), len(quote(name, safe="")))
    own = len(comparable_words(name))

    def kept(match: re.Match[str]) -> str:
        text = match.string
        before = comparable_words(text[max(0, match.start() - CONTEXT) : match.start()])
        after = comparable_words(text[match.end() : match.end() + CONTEXT])
        for words in owner.longer:
            for start in range(len(words) - own + 1):
                head, tail = list(words[:start]), list(words[start + own :])
                if (not head or before[-len(head) :] == head) and after[: len(tail)] == tail:
                    return match.group(0)
        return " "

    replace: Any = kept if owner.longer else " "
    # Most pieces of a page are white space between tags: too short to hold a name.
    return [pattern.sub(replace, u) if len(u) >= shortest else u for u in dict.fromkeys(units)]


@lru_cache(maxsize=1024)  # a participant's page and feed are read one after the other
def _name_pattern(name: str) -> re.Pattern[str]:
    forms = sorted({name, quote(name, safe="")}, key=len, reverse=True)
    return re.compile(
        r"(?<!\w)(?:" + "|".join(re.escape(f) for f in forms) + r")(?!\w)", re.IGNORECASE
    )


def collect_texts(
    paths: list[Path], root: Path, owners: Mapping[str, Owner] | None = None
) -> Texts:
    """The distinct pieces of text in ``paths``, each with where it was first seen; a
    file that cannot be read as text is kept as an ``UNREADABLE`` entry of its own.
    ``owners`` (token -> owner) says whose name each personal file may show."""
    decoded: dict[str, str | None] = {}
    pieces: dict[str, tuple[str, ...] | None] = {}
    where: Texts = {}
    for path in paths:
        shown = path.relative_to(root).as_posix()
        units = readable_units(path, decoded, pieces)
        if units is None:
            where[UNREADABLE + shown] = (shown, 1)
            continue
        owner = owners.get(path.stem) if owners and path.parent.name == "p" else None
        if owner:
            units = _without_owner(units, owner)
        for unit in dict.fromkeys(units):
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


@dataclass(frozen=True)
class Secret:
    """One piece of personal data: whose it is, what it is, and the value as written."""

    whose: str  # "a participant's", "a host's contact person's"
    what: str  # "email", "phone number", "name (no consent to publication)", ...
    value: str


@dataclass
class PersonalData:
    """Everything the audit looks for, prepared for comparison."""

    # Text compared word by word: joined words -> (length of the first word, secret).
    words: dict[str, tuple[int, Secret]] = field(default_factory=dict)
    emails: dict[str, Secret] = field(default_factory=dict)
    # A phone's national number (its digits) -> the prefixes it may be written after.
    phones: dict[str, tuple[frozenset[str], Secret]] = field(default_factory=dict)

    def add_words(self, secret: Secret, *, any_order: bool = False, minimum: int = 1) -> None:
        words = comparable_words(secret.value)
        if len("".join(words)) < minimum:
            return
        orders = [words[k:] + words[:k] for k in range(len(words))] if any_order else [words]
        for order in orders:
            self.words.setdefault("".join(order), (len(order[0]), secret))

    def add_email(self, secret: Secret) -> None:
        self.emails.setdefault(invisible_removed(secret.value), secret)

    def add_phone(self, secret: Secret, region: str | None) -> None:
        national, prefixes = _national_number(secret.value, region)
        if len(national) >= MIN_PHONE_DIGITS:
            self.phones.setdefault(national, (prefixes, secret))

    def phone_in(self, digits: str) -> Secret | None:
        """The phone whose national number ``digits`` is, written with a prefix or not."""
        for length in range(MIN_PHONE_DIGITS, len(digits) + 1):
            found = self.phones.get(digits[-length:])
            if found is not None and digits[:-length] in found[0]:
                return found[1]
        return None


def personal_data(visit: Visit) -> PersonalData:
    """Participants' contacts, needs, and names and ids without consent; hosts' contact
    persons. Names listed as speakers of a session are published on purpose."""
    data = PersonalData()
    country = visit.details.country
    speakers = {
        "".join(comparable_words(s)) for session in visit.sessions for s in session.speakers
    }
    consented = {"".join(comparable_words(p.name)) for p in visit.participants if p.public}
    other_ids = {
        "".join(comparable_words(item_id))
        for item_id in (
            visit.details.id,
            *(o.id for o in visit.details.objectives),
            *(h.id for h in visit.hosts),
            *(v.id for v in visit.venues),
            *(g.id for g in visit.groups),
            *(s.id for s in visit.sessions),
        )
    }
    participant = "a participant's"
    for person in visit.participants:
        if person.email:
            data.add_email(Secret(participant, "email", person.email))
        if person.phone:
            data.add_phone(
                Secret(participant, "phone number", person.phone), person.country or country
            )
        for what, need in (
            ("dietary needs", person.dietary),
            ("accessibility needs", person.accessibility),
        ):
            if need and len(need) >= MIN_NEED_LENGTH:
                data.add_words(Secret(participant, what, need))
        if not person.public:
            name = Secret(participant, "name (no consent to publication)", person.name)
            data.add_words(name, any_order=True, minimum=MIN_NAME_LETTERS)
            if "".join(comparable_words(person.id)) not in other_ids:
                secret = Secret(participant, "id (no consent to publication)", person.id)
                data.add_words(secret, minimum=MIN_ID_LETTERS)
    contact_person = "a host's contact person's"
    for host in visit.hosts:
        contact = host.contact
        if contact is None:
            continue
        if contact.email:
            data.add_email(Secret(contact_person, "email", contact.email))
        if contact.phone:
            data.add_phone(Secret(contact_person, "phone number", contact.phone), country)
        joined = "".join(comparable_words(contact.name or ""))
        if contact.name and joined not in speakers and joined not in consented:
            secret = Secret(contact_person, "name", contact.name)
            data.add_words(secret, any_order=True, minimum=MIN_NAME_LETTERS)
    return data


def _national_number(phone: str, region: str | None) -> tuple[str, frozenset[str]]:
    """A phone's national significant number, and the prefixes it may be written after:
    none, the country's trunk prefix (0, 06, 8...), the country code with or without 00."""
    import phonenumbers

    try:
        parsed = phonenumbers.parse(phone, region)
    except phonenumbers.NumberParseException:
        return _digits(phone).lstrip("0"), frozenset({"", "0", "00"})
    national = phonenumbers.national_significant_number(parsed)
    code = str(parsed.country_code)
    prefixes = {"", "0", code, "00" + code}
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(
        phonenumbers.region_code_for_number(parsed) or ""
    )
    if metadata is not None and metadata.national_prefix:
        prefixes.add(metadata.national_prefix)
    return national, frozenset(p for p in prefixes if len(p) <= MAX_PHONE_PREFIX)


def _digits(text: str) -> str:
    if text.isascii():  # nearly always: dates and times in the feeds
        return NOT_A_DIGIT.sub("", text)
    return "".join(str(unicodedata.decimal(c)) for c in text if c.isdecimal())


@dataclass
class _Unit:
    """One distinct piece of public text, prepared for comparison."""

    text: str
    words: list[str]
    joined: str
    bounds: frozenset[int]
    folded: str

    @classmethod
    def of(cls, text: str) -> _Unit:
        folded = invisible_removed(text)
        words = words_of(folded)
        bounds = frozenset(accumulate(map(len, words), initial=0))
        return cls(text, words, "".join(words), bounds, folded)

    def holds(self, joined: str) -> bool:
        """Whether these words follow one another here, whole (not inside a word)."""
        start = self.joined.find(joined)
        while start >= 0:
            if start in self.bounds and start + len(joined) in self.bounds:
                return True
            start = self.joined.find(joined, start + 1)
        return False


def find_leaks(texts: Texts, visit: Visit) -> list[Finding]:
    """Personal data, contact-shaped text and unreadable files among ``texts``.

    Feeds repeat the same texts thousands of times, so each distinct piece of text is
    checked once, and each secret only against the texts that hold its first word.
    """
    findings = [
        _finding(
            "VP304",
            "cannot check this file: remove it from public/ or check it by hand",
            "the audit reads only text (pages, calendars, JSON, plain text); workbooks, "
            "documents, archives, PDFs and images may hold anything",
            where,
        )
        for unit, (where, _) in sorted(texts.items())
        if unit.startswith(UNREADABLE)
    ]
    units = [_Unit.of(unit) for unit in texts if not unit.startswith(UNREADABLE)]
    index: dict[str, set[int]] = defaultdict(set)
    for number, unit in enumerate(units):
        for word in unit.words:
            index[word].add(number)
    data = personal_data(visit)
    found: set[tuple[int, Secret]] = set()
    for joined, (first, secret) in data.words.items():
        candidates: set[int] = set()
        for length in range(first, len(joined) + 1):
            candidates |= index.get(joined[:length], set())
        for number in sorted(candidates):
            if (number, secret) not in found and units[number].holds(joined):
                found.add((number, secret))
                findings.append(_leak(secret, texts[units[number].text], units[number].text))
    for number, unit in enumerate(units):
        findings += _contacts_in(unit, data, texts[unit.text], found, number)
    return findings


def withdrawn_leaks(cancelled: list[tuple[str, str]], visit: Visit) -> list[Finding]:
    """Personal data in what cancelled sessions keep in the feeds: their id, in their
    calendar UID (``cancelled`` holds session ids and UIDs). Such an entry cannot be
    reworded, only dropped, so the finding names the session and the way out."""
    if not cancelled:
        return []
    where = ("public/calendar.ics", 1)
    session_of = {text: session_id for session_id, uid in cancelled for text in (session_id, uid)}
    findings: dict[str, Finding] = {}
    for leak in find_leaks(dict.fromkeys(session_of, where), visit):
        session_id = session_of.get(str(leak.extra.get("text")))
        if leak.code != "VP301" or session_id is None or session_id in findings:
            continue
        findings[session_id] = _finding(
            "VP301",
            f"the cancelled session '{session_id}' stays in the calendar feeds so that "
            f"subscribers see it cancelled, and its id holds personal data: {leak.message}",
            "delete the session from visit.yaml if it is still there, then build once with "
            "--prune-cancelled to take cancelled sessions out of the feeds (calendars that "
            "have not synced since keep the old entry)",
            where[0],
        )
    return [findings[key] for key in sorted(findings)]


def _contacts_in(
    unit: _Unit,
    data: PersonalData,
    where: tuple[str, int],
    found: set[tuple[int, Secret]],
    number: int,
) -> list[Finding]:
    findings = []
    if "@" in unit.folded:
        for match in EMAIL.finditer(unit.folded):
            value = match.group(0)
            secret = data.emails.get(value)
            if secret is not None:
                if (number, secret) not in found:
                    found.add((number, secret))
                    findings.append(_leak(secret, where, unit.text))
            elif not value.endswith(UID_DOMAIN):
                findings.append(
                    _published(
                        "VP302",
                        "an email address is published",
                        f"'{_mask(value)}': take contact addresses out of the visit's public text",
                        where,
                    )
                )
    known_phones: set[str] = set()
    if data.phones:
        for match in DIGIT_RUN.finditer(unit.folded):
            digits = _digits(match.group(0))
            secret = data.phone_in(digits) if len(digits) >= MIN_PHONE_DIGITS else None
            if secret is not None:
                known_phones.add(digits)
                if (number, secret) not in found:
                    found.add((number, secret))
                    findings.append(_leak(secret, where, unit.text))
    for match in PHONE.finditer(unit.folded):
        if _digits(match.group(0)) not in known_phones:
            findings.append(
                _published(
                    "VP302",
                    "a phone number is published",
                    f"'{_mask(match.group(0))}': take phone numbers out of the visit's public text",
                    where,
                )
            )
    return findings


def _leak(secret: Secret, where: tuple[str, int], text: str) -> Finding:
    """A VP301 finding; ``extra["text"]`` is the piece of text it was found in."""
    finding = _published(
        "VP301",
        f"{secret.whose} {secret.what} is published",
        f"'{_mask(secret.value)}' must not be published",
        where,
    )
    finding.extra["text"] = text
    return finding


def _texts_of(paths: list[Path], root: Path, owners: Mapping[str, Owner]) -> Texts:
    """Many files (thousands of personal feeds) are read by two forked processes on
    Linux, each half of them."""
    workers = min(2, os.cpu_count() or 1)
    if len(paths) < PARALLEL_FROM or workers < 2 or sys.platform != "linux":
        return collect_texts(paths, root, owners)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    halves = [paths[n::workers] for n in range(workers)]
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        parts = list(pool.map(collect_texts, halves, [root] * workers, [owners] * workers))
    return merge_texts(parts)


def _published(code: str, message: str, hint: str, where: tuple[str, int]) -> Finding:
    first, count = where
    more = f" (and {count - 1} more files)" if count > 1 else ""
    return _finding(code, message + more, hint, first)


def readable_units(
    path: Path,
    decoded: dict[str, str | None] | None = None,
    pieces: dict[str, tuple[str, ...] | None] | None = None,
) -> list[str] | None:
    """The pieces of text a reader of ``path`` sees: property values, page text,
    comments and attributes, JSON strings; None when it cannot be read as text. A
    piece holding %-escapes (a link's ``?who=Maria%20Rossi``) is read decoded too."""
    units = _units_of(path, decoded, pieces)
    if units is None:
        return None
    return units + [
        plain
        for unit in units
        if "%" in unit and _PERCENT_ESCAPE.search(unit)
        for plain in dict.fromkeys((unquote(unit), unquote_plus(unit)))
        if plain != unit
    ]


_PERCENT_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")


def _units_of(
    path: Path,
    decoded: dict[str, str | None] | None,
    pieces: dict[str, tuple[str, ...] | None] | None,
) -> list[str] | None:
    suffix = path.suffix.lower()
    if suffix in BINARY_SUFFIXES:
        return None
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    if "\x00" in text:
        return None  # not text, whatever it is called
    if suffix == ".ics":
        return list(_calendar_text(text, {} if decoded is None else decoded))
    if suffix in {".html", ".htm"}:
        return _page_text(text, {} if pieces is None else pieces)
    if suffix == ".json":
        try:
            return list(_json_strings(json.loads(text)))
        except ValueError:
            return [text]
    return [text]


def _calendar_text(text: str, decoded: dict[str, str | None]) -> Iterator[str]:
    """Text values of a calendar, line by line, with icalendar's own unfolding and
    decoding. Each distinct content line is decoded once per audit (``decoded``):
    thousands of personal feeds repeat the same events."""
    from icalendar import vText
    from icalendar.parser import Contentline
    from icalendar.parser.content_line import NEWLINE, UFOLD

    unfolded = UFOLD.sub("", text)
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
        name, parameters, value = line.parts()
    except ValueError:
        return str(line)  # not a content line: audit it as it is
    if name in NOT_TEXT:
        return None  # dates, offsets, numbers and structure carry no personal data
    text = str(text_type.from_ical(value))
    # Parameters carry text too (CN=Maria Rossi on an attendee).
    extra = [str(v) for v in parameters.values()] if parameters else []
    return "\n".join([text, *extra])


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


# Where a page is cut into pieces read once per audit: personal pages repeat the same
# sessions hundreds of times.
PIECE_START = re.compile(r"\n(?=<(?:article|section)[\s>])")


def _page_text(text: str, pieces: dict[str, tuple[str, ...] | None]) -> list[str]:
    """The text of a page, each piece of it read once per audit (``pieces``).

    A piece is read on its own, by a fresh parser; that equals reading it inside the
    page only when the parser ends it as it starts, outside any tag, comment or
    script (every piece starts with a tag, so the text before it ends there too).
    Should any piece not end so, the whole page is read in one go."""
    parts: list[str] = []
    for piece in PIECE_START.split(text):
        if piece not in pieces:
            reader = _TextOfPage()
            reader.feed(piece)
            closed = reader.at_rest()
            reader.close()
            pieces[piece] = tuple(reader.parts) if closed else None
        found = pieces[piece]
        if found is None:
            reader = _TextOfPage()
            reader.feed(text)
            reader.close()
            return reader.parts
        parts += found
    return parts


class _TextOfPage(HTMLParser):
    """Text and attribute values of a page (links and data attributes included)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.parts += [unescape(value) for _, value in attrs if value]

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_comment(self, data: str) -> None:
        self.parts.append(data)  # not shown, but anyone can read the page's source

    def unknown_decl(self, data: str) -> None:
        self.parts.append(data)

    def at_rest(self) -> bool:
        """Whether what was fed ended outside any tag, comment, declaration or
        script: only text (no "<") may be waiting."""
        return self.cdata_elem is None and "<" not in self.rawdata


def _finding(code: str, message: str, hint: str, where: str) -> Finding:
    return Finding.of(code, message, hint, where)


def _mask(text: str) -> str:
    """Enough to find it, not enough to republish it in a log."""
    return text if len(text) <= 4 else text[:3] + "…" + text[-2:]
