"""Text as people type it: the characters no field may hold, and text made safe to show.

Used where text enters (the visit file, and any other reader that wants the same
rule), where it is printed on a terminal, and by writers of XML and calendar files
as a last guard.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Controls that are never text: C0 except tab, line feed and carriage return; DEL;
# C1 (U+0080-U+009F, in practice text decoded with the wrong code page, and U+009B
# is a terminal escape on its own); lone surrogates; and the Unicode noncharacters
# (U+FFFE, U+FFFF, U+FDD0-U+FDEF and the last two of every plane), which XML refuses.
_NEVER = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef" + "".join(
    chr(plane * 0x10000 + last) for plane in range(17) for last in (0xFFFE, 0xFFFF)
)
NEVER_IN_TEXT = re.compile(f"[{_NEVER}]")
# Line breaks, which a one-line value (a title, a name, an id) may not hold either.
LINE_BREAKS = "\n\r\u2028\u2029"
NOT_ON_ONE_LINE = re.compile(f"[{_NEVER}{LINE_BREAKS}]")

_NAMES = {
    "\x00": "NUL (null)",
    "\x01": "SOH",
    "\x07": "BEL (bell)",
    "\x08": "backspace",
    "\x0b": "vertical tab",
    "\x0c": "form feed",
    "\x1b": "ESC (escape)",
    "\x7f": "DEL",
    "\x85": "next line (NEL)",
    "\n": "line break",
    "\r": "carriage return",
    "\u2028": "line separator",
    "\u2029": "paragraph separator",
}


@dataclass(frozen=True)
class BadCharacter:
    """A character that may not stand where it is: its offset and what it is."""

    offset: int
    char: str

    @property
    def description(self) -> str:
        code = f"U+{ord(self.char):04X}"
        point = ord(self.char)
        name = _NAMES.get(self.char)
        if name is None and 0xD800 <= point <= 0xDFFF:
            name = "half of a broken character (a lone surrogate)"
        elif name is None and (0xFDD0 <= point <= 0xFDEF or point & 0xFFFE == 0xFFFE):
            name = "(not a character)"
        return f"{code} {name}" if name else f"the control character {code}"


def find_control_characters(text: str, *, single_line: bool = False) -> list[BadCharacter]:
    """Characters ``text`` may not hold: controls and non-characters anywhere, and line
    breaks too when it must stay on one line (a title, a name, an id)."""
    pattern = NOT_ON_ONE_LINE if single_line else NEVER_IN_TEXT
    return [BadCharacter(m.start(), m.group(0)) for m in pattern.finditer(text)]


def without_control_characters(text: str) -> str:
    """``text`` with every character XML and calendar files cannot carry replaced by a
    space: the writers' last guard, for text that did not pass through the loader."""
    return NEVER_IN_TEXT.sub(" ", text)


_BREAKS = re.compile("\r\n?|[\u2028\u2029]")
_ANY_BREAKS = re.compile("[\r\n\u2028\u2029]+")


def one_line(text: str) -> str:
    """``text`` for a one-line property (a calendar's name, an event's title): without
    control characters, line breaks made spaces."""
    return _ANY_BREAKS.sub(" ", without_control_characters(text))


def lines_of_text(text: str) -> str:
    """``text`` for a multi-line property: without control characters, every kind of
    line break (CR, CRLF, U+2028, U+2029) made a line feed, which writers escape."""
    return _BREAKS.sub("\n", without_control_characters(text))


# What a terminal could obey instead of print: every control except line feed and
# tab, and the invisible marks that reorder a line (bidirectional overrides).
_TERMINAL = re.compile(f"[{_NEVER}\r\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def shown_safely(text: str) -> str:
    """``text`` for a terminal: escape sequences and controls written out visibly
    (ESC as \\x1b), so that text from a file can never clear or recolour the screen."""
    return _TERMINAL.sub(_escaped, text)


_IN_JSON = re.compile("[\x7f-\x9f\ud800-\udfff\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def json_safely(text: str) -> str:
    """JSON text with the characters a terminal could obey, and broken ones, written as
    \\u escapes; JSON itself escapes only the C0 controls. Valid JSON stays valid:
    such characters can only stand inside its strings."""
    return _IN_JSON.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


# -- matching text as people write it -------------------------------------------------

# Characters that show nothing (zero-width spaces and joiners, soft hyphens, byte order
# marks: Unicode's "format" characters, and the fillers that render blank), dropped
# before comparing.
_INVISIBLE = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001"
    "\U000e0020-\U000e007f\u034f\u115f\u1160\u17b4\u17b5\u3164\uffa0]"
)
# What separates words: white space and punctuation (ASCII, Latin-1, general, CJK and
# the common marks of Arabic, Hebrew, Armenian and Devanagari). Everything else,
# combining accents included, belongs to a word.
_SEPARATORS = re.compile(
    "[\\s!-/:-@\\[-`{-~\u00a0-\u00bf\u00d7\u00f7\u2000-\u206f\u3000-\u303f"
    "\u0589\u05be\u05c0\u05c3\u05c6\u05f3\u05f4\u060c\u061b\u061f\u066a-\u066d"
    "\u06d4\u0964\u0965\ufe10-\ufe6f]+"
)


def invisible_removed(text: str) -> str:
    """``text`` as compared for identity: NFKC-normalised (a no-break space is a space,
    a full-width letter a letter), case-folded, without invisible characters."""
    if text.isascii():  # most text: NFKC changes nothing, case folding is lower()
        return text.lower()
    return _INVISIBLE.sub("", unicodedata.normalize("NFKC", text).casefold())


def words_of(folded: str) -> list[str]:
    """The words of text already passed through ``invisible_removed``."""
    return list(filter(None, _SEPARATORS.split(folded)))


def comparable_words(text: str) -> list[str]:
    """The words of ``text`` as compared for identity (see ``invisible_removed``);
    white space and punctuation separate words."""
    return words_of(invisible_removed(text))


# A Greek letter, perhaps with a diaeresis, then its accent (tonos), once decomposed.
_GREEK_ACCENT = re.compile("([\u0370-\u03ff\u1f00-\u1fff]\u0308?)[\u0301\u0300\u0342]")


def capitals(text: str) -> str:
    """``text`` in capitals as its readers write them: Greek capitals carry no accent
    ("ΤΟ ΠΡΟΓΡΑΜΜΑ ΣΑΣ", not "ΤΟ ΠΡΌΓΡΑΜΜΆ ΣΑΣ"), while other scripts keep theirs
    ("É" stays in French)."""
    upper = unicodedata.normalize("NFD", text.upper())
    return unicodedata.normalize("NFC", _GREEK_ACCENT.sub(r"\1", upper))
