"""How dates are written in every output: one style, taken from CLDR (Babel) for the
output's language, so that the web page and the documents of one visit agree.

- a day heading: the full date ("Monday, 13 April 2026");
- a date: day, month name and year ("13 April 2026");
- a period: the CLDR interval of two dates, with the month written out in full as
  for a single date ("13–17 April 2026"), in whatever order and punctuation the
  language uses;
- a moment (a build time, kept in UTC): the date as above, then the time and "UTC".
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from babel import Locale

# English dates are written the European way (13 April 2026), not the US way.
DATE_LOCALES = {"en": "en_GB"}
FALLBACK_LOCALE = "en_GB"
DATE_SKELETON = "yMMMMd"
# Most CLDR locales keep interval patterns for the abbreviated month (yMMMd) only;
# UTS #35 says to widen the field to the skeleton asked for, which Babel leaves undone.
INTERVAL_SKELETON = "yMMMd"


@cache
def locale_of(language: str) -> Locale:
    """The CLDR locale used for dates in ``language``; English (GB) when unknown."""
    from babel import Locale, UnknownLocaleError

    code = DATE_LOCALES.get(language, language)
    try:
        return Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return Locale.parse(FALLBACK_LOCALE)


def day_heading(day: date, language: str) -> str:
    """The date of a programme day as a heading: weekday, day, month and year, with a
    capital as a heading starts ("Segunda-feira, 13 de abril de 2026")."""
    from babel.dates import format_date

    return capitalised(format_date(day, format="full", locale=locale_of(language)), language)


def capitalised(text: str, language: str) -> str:
    """``text`` with the capital a heading or sentence starts with in ``language``
    (Dutch capitalises the digraph: "IJsselmonde")."""
    if not text:
        return text
    if language.split("-")[0].split("_")[0] == "nl" and text[:2].casefold() == "ij":
        return "IJ" + text[2:]
    return text[0].upper() + text[1:]


def date_text(day: date, language: str) -> str:
    """One date: day, month name and year (CLDR's long date; its skeleton yMMMMd is
    missing from the available formats of older CLDR releases)."""
    from babel.dates import format_date

    return format_date(day, format="long", locale=locale_of(language))


def date_range(first: date, last: date, language: str) -> str:
    """A period of days, written once: "27–28 January 2026"."""
    if first == last:
        return date_text(first, language)
    locale = locale_of(language)
    pieces = locale.interval_formats.get(DATE_SKELETON) or locale.interval_formats.get(
        INTERVAL_SKELETON
    )
    if not pieces:
        from babel.dates import format_interval

        return format_interval(first, last, DATE_SKELETON, locale=locale)
    from babel.dates import parse_pattern

    field = _greatest_difference(first, last)
    start_pattern, end_pattern = pieces[field]
    return parse_pattern(_full_month(start_pattern)).apply(first, locale) + parse_pattern(
        _full_month(end_pattern)
    ).apply(last, locale)


def moment_text(moment: datetime, language: str) -> str:
    """A moment in UTC: "10 January 2026, 09:00 UTC" in the language's own order."""
    from datetime import UTC

    from babel.dates import format_time

    utc = moment.astimezone(UTC)
    clock = format_time(utc, "HH:mm", locale=locale_of(language))
    return f"{date_text(utc.date(), language)}, {clock} UTC"


def session_span(start: datetime, end: datetime, language: str) -> str:
    """When a session runs, in short: "Tue 27 Jan 09:30–11:00" in the language's order."""
    from babel.dates import format_skeleton, format_time

    locale = locale_of(language)
    day = format_skeleton("MMMEd", start, locale=locale)
    begin = format_time(start, "HH:mm", locale=locale)
    finish = format_time(end, "HH:mm", locale=locale)
    return f"{day} {begin}–{finish}"


def _greatest_difference(first: date, last: date) -> str:
    if first.year != last.year:
        return "y"
    if first.month != last.month:
        return "M"
    return "d"


def _full_month(pattern: str) -> str:
    """``pattern`` with an abbreviated month (MMM, LLL) widened to the full name,
    leaving quoted literals alone."""
    out: list[str] = []
    quoted = False
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "'":
            quoted = not quoted
            out.append(char)
            index += 1
            continue
        run = 1
        while index + run < len(pattern) and pattern[index + run] == char:
            run += 1
        piece = pattern[index : index + run]
        if not quoted and char in "ML" and run == 3:
            piece = char * 4
        out.append(piece)
        index += run
    return "".join(out)
