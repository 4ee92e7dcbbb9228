"""What CLDR (Babel) writes, computed the way the outputs compute it, so that tests
never hard-code a library's wording and a new Babel release cannot break them."""

from __future__ import annotations

from datetime import date, datetime

from babel import Locale
from babel.dates import format_date, format_skeleton, format_time
from babel.lists import format_list

# The outputs write English dates the European way.
LOCALES = {"en": "en_GB"}


def locale(language: str) -> str:
    return LOCALES.get(language, language)


def country(code: str, language: str = "en") -> str:
    return str(Locale.parse(locale(language)).territories[code])


def listing(items: list[str], language: str = "en") -> str:
    return format_list(items, locale=locale(language))


def full_date(day: date, language: str = "en") -> str:
    """A day heading: CLDR's full date, starting with a capital."""
    text = format_date(day, format="full", locale=locale(language))
    return text[:1].upper() + text[1:]


def one_date(day: date, language: str = "en") -> str:
    return format_date(day, format="long", locale=locale(language))


def month_name(day: date, language: str = "en") -> str:
    """The month as written inside a full date (the format context: genitive where the
    language has one)."""
    return str(Locale.parse(locale(language)).months["format"]["wide"][day.month])


def session_span(start: datetime, end: datetime, language: str = "en") -> str:
    day = format_skeleton("MMMEd", start, locale=locale(language))
    return f"{day} {format_time(start, 'HH:mm', locale=locale(language))}–" + format_time(
        end, "HH:mm", locale=locale(language)
    )


def moment(moment: datetime, language: str = "en") -> str:
    clock = format_time(moment, "HH:mm", locale=locale(language))
    return f"{one_date(moment.date(), language)}, {clock} UTC"


def language_name(code: str, language: str = "en") -> str:
    from babel import Locale

    return str(Locale.parse(locale(language)).languages[code])
