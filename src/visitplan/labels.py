"""The documents' fixed wording in the visit's language, and CLDR dates and names.

Labels live in one JSON catalogue per language (``labels/<code>.json``); dates,
country and language names and lists ("A, B and C") come from Babel's CLDR data.
A label missing in a language falls back to English and is remembered, so the build
can say so once.
"""

from __future__ import annotations

import json
import unicodedata
from datetime import date
from functools import cache, cached_property
from importlib import resources
from typing import Any

from visitplan import dates
from visitplan.model import GovernanceLevel, SessionKind

FALLBACK = "en"
# Where a language's documents are usually written, for the proofing language of
# Word files when the date locale names no country (pt is Portugal's Portuguese here).
DOCUMENT_TERRITORIES = {"pt": "PT", "it": "IT", "fr": "FR", "de": "DE", "es": "ES", "nl": "NL"}


@cache
def catalogue(language: str) -> dict[str, str]:
    """The labels of ``language``; empty when there is no catalogue for it."""
    source = resources.files("visitplan") / "labels" / f"{language}.json"
    if not source.is_file():
        return {}
    loaded: dict[str, str] = json.loads(source.read_text(encoding="utf-8"))
    return loaded


def languages() -> list[str]:
    folder = resources.files("visitplan") / "labels"
    return sorted(
        p.name.removesuffix(".json") for p in folder.iterdir() if p.name.endswith(".json")
    )


class Labels:
    """Wording for one language: ``labels("tk.hosted_by", hosts="ANCI")``."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.missing: set[str] = set()
        self._own = catalogue(language)
        self._english = catalogue(FALLBACK)
        self._locale = str(dates.locale_of(language))

    def __call__(self, key: str, **values: Any) -> str:
        text = self._own.get(key)
        if text is None:
            self.missing.add(key)
            text = self._english[key]
        return text.format(**values) if values else text

    def kind(self, kind: SessionKind) -> str:
        return self(f"kind.{kind.value}")

    def level(self, level: GovernanceLevel) -> str:
        return self(f"level.{level.value}")

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
        return str(self._cldr.languages.get(code, code))

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
