"""The translation catalogues: complete, in step with the code, and used.

The template (``locale/visitplan.pot``) is what ``pybabel extract`` finds in the code;
every language's catalogue translates every message of it, with the same fields.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.dates import format_date
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from visitplan.dates import locale_of as babel_locale
from visitplan.i18n import SOURCE_LANGUAGE, catalogue, languages
from visitplan.labels import Labels

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "src" / "visitplan" / "locale"
# As in docs/translating.md: the names of the calls whose text is translated.
KEYWORDS = {
    "labels": None,
    "plural": (1, 2),
    "N_": None,
    "_": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
}
FIELD = re.compile(r"\{(\w+)\}")


def key(
    message_id: str | tuple[str, ...] | list[str], context: str | None
) -> tuple[str | None, str]:
    first = message_id if isinstance(message_id, str) else message_id[0]
    return context, first


def template() -> Catalog:
    with (LOCALE / "visitplan.pot").open("rb") as stream:
        return read_po(stream)


def test_the_template_holds_every_message_of_the_code() -> None:
    """A phrase added to the code without running the extraction fails here."""
    found = {
        key(message, context)
        for _, _, message, _, context in extract_from_dir(
            str(ROOT / "src" / "visitplan"),
            method_map=[("**.py", "python"), ("templates/**.j2", "jinja2")],
            keywords=KEYWORDS,
        )
    }
    shipped = {key(m.id, m.context) for m in template() if m.id}
    assert found - shipped == set(), "run the extraction (docs/translating.md)"
    assert shipped - found == set(), "messages no code uses: run the extraction"


def test_every_language_with_documents_has_a_catalogue() -> None:
    assert {"pt", "it", "fr", "de", "es"} <= set(languages())


@pytest.mark.parametrize("language", [lang for lang in languages() if lang != SOURCE_LANGUAGE])
def test_every_message_is_translated_with_the_same_fields(language: str) -> None:
    with (LOCALE / language / "LC_MESSAGES" / "visitplan.po").open("rb") as stream:
        own = read_po(stream, locale=language)
    problems = []
    for message in template():
        if not message.id:
            continue
        translated = own.get(message.id, message.context)
        if translated is None or translated.fuzzy:
            problems.append(f"missing: {message.id!r}")
            continue
        strings = (
            translated.string if isinstance(translated.string, tuple) else (translated.string,)
        )
        ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
        if not all(strings) or len(strings) != (own.num_plurals if len(ids) > 1 else 1):
            problems.append(f"incomplete: {message.id!r}")
            continue
        fields = set(FIELD.findall(ids[-1])) - {"n"}
        for string in strings:
            if set(FIELD.findall(str(string))) - {"n"} != fields:
                problems.append(f"fields differ: {message.id!r} -> {string!r}")
    assert problems == []


@pytest.mark.parametrize("language", [lang for lang in languages() if lang != SOURCE_LANGUAGE])
def test_the_build_reads_every_translation(language: str) -> None:
    """What the outputs use (the catalogue compiled in memory) has every message."""
    own = catalogue(language)
    missing = [m.id for m in template() if m.id and not own.has(key(m.id, m.context)[1], m.context)]
    assert missing == []


def test_a_missing_translation_is_english_and_remembered() -> None:
    labels = Labels("xx")  # no catalogue
    assert labels("Programme") == "Programme"
    assert labels.missing == {"Programme"}
    english = Labels("en")
    assert english("Hosted by {hosts}", hosts="ANCI") == "Hosted by ANCI"
    assert english.missing == set()


@pytest.mark.parametrize("language", ["pt", "fr", "es", "it", "el", "nl", "pl", "hr"])
def test_day_headings_start_with_a_capital(language: str) -> None:
    from datetime import date

    heading = Labels(language).full_date(date(2026, 4, 13))
    assert heading[0].isupper(), heading
    assert (
        heading[1:]
        == format_date(date(2026, 4, 13), format="full", locale=babel_locale(language))[1:]
    )


def test_dutch_capitalises_the_ij_digraph() -> None:
    from visitplan.dates import capitalised

    assert capitalised("ijsselmonde", "nl") == "IJsselmonde"
    assert capitalised("ijsselmonde", "en") == "Ijsselmonde"


# Excel sheet names: at most 31 characters, none of : \ / ? * [ ]; "{day}" is a
# 10-character date.
SHEET_NAMES = [
    "Participants",
    "Summary",
    "Catering & access",
    "Attendance {day}",
    "Travel & stay",
    "Hosts",
    "Feeds",
    "Registrations",
    "Lists",
]


@pytest.mark.parametrize("language", languages())
def test_sheet_names_fit_excel(language: str) -> None:
    labels = Labels(language)
    for message in SHEET_NAMES:
        name = labels(message, day="2026-04-13") if "{day}" in message else labels(message)
        assert len(name) <= 31 and not set(name) & set(":\\/?*[]"), (message, name)


# -- nothing English slips past the catalogue ------------------------------------------------

OUTPUT_MODULES = ["exporters/*.py", "publication.py", "session_view.py", "agenda.py", "labels.py"]
PHRASE = re.compile(r"[A-Za-z]{2,}(?: [A-Za-z]{2,})+")
# Text in these modules that is not wording a reader sees in the visit's language.
NOT_WORDING = {
    "List Bullet",  # Word style names
    "List Number",
    "Table Grid",
    "yyyy-mm-dd hh:mm",  # an Excel number format
    "DejaVu Sans",  # the charts' font
    "outside lower center",  # where a chart's legend goes
    # robots.txt, read by web crawlers
    "# Personal calendars are at unguessable addresses; keep robots out of them.\n"
    "User-agent: *\nDisallow: ",
}
TRANSLATING_CALLS = {"labels", "N_", "plural", "pgettext", "colon", "_", "self"}


def untranslated_phrases(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    passed: set[int] = set()  # string constants that go through the catalogue, or are not output
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in TRANSLATING_CALLS:
                passed |= {id(sub) for arg in node.args for sub in ast.walk(arg)}
            if name.endswith("Error"):  # a programming error's message, not an output
                passed |= {id(sub) for arg in node.args for sub in ast.walk(arg)}
        body = getattr(node, "body", None)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef) and body:
            first = body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                passed.add(id(first.value))  # a docstring
        target = getattr(node, "target", None)
        if isinstance(node, ast.AnnAssign) and isinstance(target, ast.Name) and target.id == "name":
            passed.add(id(node.value))  # an exporter's name, for the English CLI
    return [
        f"{path.name}:{node.lineno} {node.value!r}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in passed
        and node.value not in NOT_WORDING
        and not node.value.startswith("<")  # markup
        and PHRASE.search(node.value)
    ]


def test_every_phrase_of_the_outputs_goes_through_the_catalogue() -> None:
    """A phrase typed into an output's code without labels(...) would stay English in
    every language; the extraction cannot see it, so this looks for it."""
    source = ROOT / "src" / "visitplan"
    found = [
        phrase
        for pattern in OUTPUT_MODULES
        for path in sorted(source.glob(pattern))
        for phrase in untranslated_phrases(path)
    ]
    assert found == []
