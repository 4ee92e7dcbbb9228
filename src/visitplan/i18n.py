"""Translation catalogues: the outputs' fixed wording in each language, with gettext.

The source text is English and is the message's id. Each language's translations are
in ``locale/<language>/LC_MESSAGES/visitplan.po``, the format translators' tools
(Poedit, Weblate) and the Python ecosystem use; ``locale/visitplan.pot`` is the
template ``pybabel extract`` makes from the code (see docs/translating.md).

A catalogue is read with Babel and compiled in memory, once per process. Text marked
with :func:`N_` is translated where it is used, so that lists of phrases can be
written once and still be found by the extraction.
"""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from functools import cache
from importlib import resources
from io import BytesIO

DOMAIN = "visitplan"
SOURCE_LANGUAGE = "en"
# (context, id): the context is None for most messages.
MessageKey = tuple[str | None, str]


def N_(message: str) -> str:
    """Mark ``message`` for translation where it is used (returns it as it is)."""
    return message


@dataclass(frozen=True)
class Catalogue:
    """One language's translations, and which messages have one."""

    language: str
    translations: gettext.NullTranslations
    translated: frozenset[MessageKey]

    def has(self, message: str, context: str | None = None) -> bool:
        return self.language == SOURCE_LANGUAGE or (context, message) in self.translated


def _catalogue_file(language: str) -> resources.abc.Traversable:
    return resources.files("visitplan") / "locale" / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def catalogue(language: str) -> Catalogue:
    """The catalogue of ``language`` (English, or none at all: the source text)."""
    source = _catalogue_file(language)
    if language == SOURCE_LANGUAGE or not source.is_file():
        return Catalogue(language, gettext.NullTranslations(), frozenset())
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with source.open("rb") as stream:
        messages = read_po(stream, locale=language, domain=DOMAIN)
    translated = set()
    for message in messages:
        if not message.id or message.fuzzy:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if all(strings):
            first = message.id[0] if isinstance(message.id, tuple | list) else message.id
            translated.add((message.context, str(first)))
    compiled = BytesIO()
    write_mo(compiled, messages)
    compiled.seek(0)
    return Catalogue(language, gettext.GNUTranslations(compiled), frozenset(translated))


def languages() -> list[str]:
    """Every language with a catalogue, English included."""
    folder = resources.files("visitplan") / "locale"
    found = {p.name for p in folder.iterdir() if _catalogue_file(p.name).is_file()}
    return sorted(found | {SOURCE_LANGUAGE})
