"""The documents' fixed wording in the visit's language, and CLDR dates and names.

Phrases come from the gettext catalogues (``visitplan.i18n``); dates, country and
language names and lists ("A, B and C") from Babel's CLDR data. A phrase missing in
a language is written in English and remembered, so the build can say so once.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from functools import cached_property
from typing import Any

from visitplan import dates
from visitplan.i18n import N_, catalogue, languages
from visitplan.model import GovernanceLevel, Participant, SessionKind, Visit

# Languages whose names CLDR capitalises although running text does not.
LOWER_CASE_LANGUAGE_NAMES = frozenset({"el"})
KINDS = {
    SessionKind.MEETING: N_("Meeting"),
    SessionKind.SITE_VISIT: N_("Site visit"),
    SessionKind.WORKSHOP: N_("Workshop"),
    SessionKind.TRAVEL: N_("Travel"),
    SessionKind.MEAL: N_("Meal"),
    SessionKind.BREAK: N_("Break"),
    SessionKind.FREE_TIME: N_("Free time"),
    SessionKind.REFLECTION: N_("Reflection"),
    SessionKind.SOCIAL: N_("Social"),
}
LEVELS = {
    GovernanceLevel.NATIONAL: N_("National"),
    GovernanceLevel.REGIONAL: N_("Regional"),
    GovernanceLevel.INTERMEDIARY: N_("Intermediary"),
    GovernanceLevel.MUNICIPAL: N_("Municipal"),
    GovernanceLevel.CIVIL_SOCIETY: N_("Civil society"),
    GovernanceLevel.INTERNATIONAL: N_("International"),
}
# Where a language's documents are usually written, for the proofing language of
# Word files when the date locale names no country (pt is Portugal's Portuguese here).
DOCUMENT_TERRITORIES = {
    "pt": "PT",
    "it": "IT",
    "fr": "FR",
    "de": "DE",
    "es": "ES",
    "nl": "NL",
    "da": "DK",
    "el": "GR",
    "hr": "HR",
    "hu": "HU",
    "pl": "PL",
    "ro": "RO",
}


class Labels:
    """Wording for one language: ``labels("Hosted by {hosts}", hosts="ANCI")``."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.missing: set[str] = set()
        self._catalogue = catalogue(language)
        self._locale = str(dates.locale_of(language))

    def __call__(self, message: str, **values: Any) -> str:
        if not self._catalogue.has(message):
            self.missing.add(message)
        text = self._catalogue.translations.gettext(message)
        return text.format(**values) if values else text

    def pgettext(self, context: str, message: str, **values: Any) -> str:
        """``message`` in ``context``, for a word that reads differently in two places
        ("Name" of a person, "Name" of an institution)."""
        if not self._catalogue.has(message, context):
            self.missing.add(message)
        text = self._catalogue.translations.pgettext(context, message)
        return text.format(**values) if values else text

    def plural(self, singular: str, plural: str, n: int, **values: Any) -> str:
        """The form of ``n`` in this language: ``labels.plural("{n} day", "{n} days", n)``."""
        if not self._catalogue.has(singular):
            self.missing.add(singular)
        text = self._catalogue.translations.ngettext(singular, plural, n)
        return text.format(n=n, **values)

    @property
    def semicolon(self) -> str:
        """What separates the items of a list of phrases: "; " (Greek writes "· ",
        its ";" being a question mark)."""
        return self(N_("; "))

    def colon(self, label: str) -> str:
        """``label`` followed by a colon as the language writes it ("Lieu :" in French)."""
        return self(N_("{label}:"), label=label)

    def kind(self, kind: SessionKind) -> str:
        return self(KINDS[kind])

    def level(self, level: GovernanceLevel) -> str:
        return self(LEVELS[level])

    def full_date(self, day: date) -> str:
        return dates.day_heading(day, self.language)

    def date_range(self, first: date, last: date) -> str:
        return dates.date_range(first, last, self.language)

    def date(self, day: date) -> str:
        return dates.date_text(day, self.language)

    @property
    def tag(self) -> str:
        """The language as Word and LibreOffice name it for proofing, e.g. pt-PT."""
        territory = self._cldr.territory or DOCUMENT_TERRITORIES.get(self._cldr.language)
        return f"{self._cldr.language}-{territory}" if territory else self._cldr.language

    def country(self, code: str | None) -> str:
        if not code:
            return ""
        return str(self._territories.get(code.upper(), code.upper()))

    def language_name(self, code: str) -> str:
        """The language's name as running text writes it: CLDR capitalises Greek
        names ("Ιταλικά"), which Greek writes in lower case ("στα ιταλικά")."""
        name = str(self._cldr.languages.get(code, code))
        return name.lower() if self._cldr.language in LOWER_CASE_LANGUAGE_NAMES else name

    def join(self, items: list[str]) -> str:
        from babel.lists import format_list

        return format_list(items, locale=self._locale) if items else ""

    def sort_key(self, text: str) -> str:
        """Alphabetical order that ignores accents and case (Österreich near Oman)."""
        decomposed = unicodedata.normalize("NFKD", text.casefold())
        return "".join(c for c in decomposed if not unicodedata.combining(c))

    @cached_property
    def _cldr(self) -> Any:
        from babel import Locale

        return Locale.parse(self._locale)

    @cached_property
    def _territories(self) -> dict[str, str]:
        return {str(code): str(name) for code, name in self._cldr.territories.items()}


def personal_language(visit: Visit, person: Participant) -> str:
    """The language of a participant's own outputs (feed, page, links): their first
    language when the outputs are translated into it, else the visit's."""
    if person.languages and person.languages[0] in languages():
        return person.languages[0]
    return visit.details.language
