"""Turning what people type into forms into clean values.

Countries become ISO codes from codes or from their names in any language CLDR
knows; dates are read in ISO, European and US orders and as Excel serial numbers;
phones become E.164 where the country is known; names lose stray spaces and shouting.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from functools import cache, lru_cache

from visitplan.names import NAME_PARTICLES
from visitplan.participants.columns import normalise_header


class ValueProblem(ValueError):
    """A cell that cannot be understood; carries a hint."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


# -- text and names ----------------------------------------------------------------


def clean_text(value: object) -> str:
    """Text on one line; the apostrophe a spreadsheet puts before '=...' is dropped."""
    if value is None:
        return ""
    original = str(value)
    text = " ".join(original.split())
    if text[:1] == "'" and text[1:2] in ("=", "+", "-", "@"):
        return text[1:]
    # The same object when nothing changed: a large import keeps one copy of each text.
    return original if text == original else text


def clean_name(value: object) -> str:
    """'  jan  de VRIES ' -> 'Jan de Vries'; a name in mixed case (McDonald) is kept."""
    text = clean_text(value)
    words = text.split(" ")
    mono = [w.isupper() or w.islower() or not any(c.isalpha() for c in w) for w in words]
    if not all(mono) or len(words) > 5:
        return text
    result = []
    for n, word in enumerate(words):
        lower = word.lower()
        if n and lower in NAME_PARTICLES:
            result.append(lower)
        else:
            result.append(
                re.sub(r"(^|[-'’])(\w)", lambda m: m.group(1) + m.group(2).upper(), lower)
            )
    return " ".join(result)


# -- email and phone ------------------------------------------------------------------


_PLAIN_EMAIL = re.compile(
    r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"
)


def clean_email(value: object) -> str:
    """Lower case and checked: plain ASCII addresses by pattern, others by email-validator."""
    cleaned = clean_text(value)
    text = cleaned.lower().removeprefix("mailto:")
    if len(text) <= 254 and _PLAIN_EMAIL.match(text):
        return cleaned if text == cleaned else text
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(text, check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise ValueProblem(
            f"'{text}' is not an email address ({exc})", "correct it, or leave the cell empty"
        ) from None


# "+351 21 123 4567": already international; E.164 is its digits (phonenumbers would
# take 40 times as long to say so). Anything with a "(0)" or letters goes the long way.
_INTERNATIONAL = re.compile(r"^\+[1-9][\d \-.]{6,20}\d$")


def clean_phone(value: object, country: str | None) -> str:
    text = clean_text(value)
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    if not text:
        return ""
    if _INTERNATIONAL.match(text):
        digits = re.sub(r"\D", "", text)
        if 8 <= len(digits) <= 15:
            return "+" + digits
    import phonenumbers

    try:
        number = phonenumbers.parse(text, country)
    except phonenumbers.NumberParseException:
        return text
    if phonenumbers.is_possible_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return text


# -- countries --------------------------------------------------------------------------

VARIANTS = {
    "uk": "GB",
    "u k": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "great britain": "GB",
    "britain": "GB",
    "united kingdom": "GB",
    "usa": "US",
    "u s a": "US",
    "us": "US",
    "united states of america": "US",
    "czechia": "CZ",
    "czech republic": "CZ",
    "turkiye": "TR",
    "turkey": "TR",
    "holland": "NL",
    "the netherlands": "NL",
    "republic of ireland": "IE",
    "eire": "IE",
    "kosovo": "XK",
    "north macedonia": "MK",
    "macedonia": "MK",
    "russia": "RU",
    "moldova": "MD",
    "republic of moldova": "MD",
    "syria": "SY",
    "iran": "IR",
    "bolivia": "BO",
    "venezuela": "VE",
    "vietnam": "VN",
    "south korea": "KR",
    "korea": "KR",
    "ivory coast": "CI",
    "cote d ivoire": "CI",
    "cape verde": "CV",
    "cabo verde": "CV",
    "palestine": "PS",
    "swaziland": "SZ",
    "el": "GR",  # the EU's own code for Greece
}
# Locales searched first: quick for European forms; the full CLDR index only if needed.
FIRST_LOCALES = (
    "en",
    "pt",
    "it",
    "fr",
    "de",
    "es",
    "nl",
    "da",
    "sv",
    "nb",
    "fi",
    "pl",
    "cs",
    "sk",
    "sl",
    "hr",
    "sr",
    "bs",
    "hu",
    "ro",
    "bg",
    "el",
    "lt",
    "lv",
    "et",
    "ga",
    "mt",
    "lb",
    "ca",
    "eu",
    "gl",
    "uk",
    "ru",
    "tr",
    "ar",
    "fa",
    "sq",
    "mk",
    "he",
    "zh",
    "ja",
)


def _key(text: str) -> str:
    return normalise_header(text)


# Two-letter territory codes that are not countries (CLDR's "Unknown Region" is ZZ; its
# name in Greek, Russian or Arabic must never be taken for a country).
NOT_COUNTRIES = frozenset({"ZZ", "QO", "EU", "EZ", "UN", "XA", "XB"})


@cache
def _codes() -> frozenset[str]:
    from babel import Locale

    codes = (str(c) for c in Locale("en").territories)
    return frozenset(
        c for c in codes if len(c) == 2 and c.isalpha() and c.upper() not in NOT_COUNTRIES
    )


@cache
def _names_in(identifier: str) -> dict[str, str]:
    """Territory names in one locale: normalised name -> code (never an empty key)."""
    from babel import Locale

    try:
        territories = Locale.parse(identifier).territories
    except (ValueError, KeyError):
        return {}
    names: dict[str, str] = {}
    for code, name in territories.items():
        code = str(code)
        key = _key(str(name))
        if key and len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES:
            names.setdefault(key, code)
    return names


@cache
def _all_locales(first: tuple[str, ...] = FIRST_LOCALES) -> list[str]:
    """Every CLDR language (with its script variants: sr_Latn, zh_Hant) but the ones
    already searched first. Regional variants (en_GB, es_419) are left out: they name
    countries as their language does, and reading them would triple the search."""
    from babel.localedata import locale_identifiers

    def regional(identifier: str) -> bool:
        return any(not (len(part) == 4 and part.istitle()) for part in identifier.split("_")[1:])

    return sorted(i for i in locale_identifiers() if i not in first and not regional(i))


def country_code(value: object) -> str:
    """An ISO 3166 alpha-2 code from a code or a country's name in any language."""
    return _country_code(clean_text(value))


@lru_cache(maxsize=4096)
def _country_code(text: str) -> str:
    if not text:
        return ""
    if len(text) == 2 and text.isascii() and text.upper() in _codes() | {"XK"}:
        return text.upper()
    key = _key(text)
    if not key:
        raise ValueProblem(f"'{text}' is not a country", _COUNTRY_HINT)
    if key in VARIANTS:
        return VARIANTS[key]
    # Locales are searched one by one, the likely ones first, and each is read once.
    for identifier in (*FIRST_LOCALES, *_all_locales()):
        code = _names_in(identifier).get(key)
        if code:
            return code
    if text.upper() in ALPHA3:
        return ALPHA3[text.upper()]
    raise ValueProblem(f"'{text}' is not a country visitplan knows", _COUNTRY_HINT)


_COUNTRY_HINT = "write the country's name (in any language) or its two-letter code, e.g. PT, IT, BE"


# Three-letter codes seen in forms (ISO 3166 alpha-3) for the countries of Europe.
ALPHA3 = {
    "AUT": "AT",
    "BEL": "BE",
    "BGR": "BG",
    "CHE": "CH",
    "CYP": "CY",
    "CZE": "CZ",
    "DEU": "DE",
    "DNK": "DK",
    "ESP": "ES",
    "EST": "EE",
    "FIN": "FI",
    "FRA": "FR",
    "GBR": "GB",
    "GRC": "GR",
    "HRV": "HR",
    "HUN": "HU",
    "IRL": "IE",
    "ISL": "IS",
    "ITA": "IT",
    "LTU": "LT",
    "LUX": "LU",
    "LVA": "LV",
    "MLT": "MT",
    "NLD": "NL",
    "NOR": "NO",
    "POL": "PL",
    "PRT": "PT",
    "ROU": "RO",
    "SVK": "SK",
    "SVN": "SI",
    "SWE": "SE",
    "UKR": "UA",
    "TUR": "TR",
    "USA": "US",
}


# -- dates and times -------------------------------------------------------------------

EXCEL_EPOCH = datetime(1899, 12, 30)
_NUMERIC_DATE = re.compile(
    r"^(\d{1,4})[./-](\d{1,2})[./-](\d{1,4})"
    r"(?:[ T,]+(\d{1,2})[:.h](\d{2})(?::(\d{2}))?(?:\s*([AaPp])\.?[Mm]\.?)?)?"
    r"(?:\s*(?:GMT|UTC|Z)?[+-]?\d{0,2}:?\d{0,2})?$"
)
_MONTHS = {
    m: n
    for n, names in enumerate(
        [
            ("jan", "january", "janeiro", "gennaio", "janvier", "januar", "enero", "gen", "ene"),
            ("feb", "february", "fevereiro", "febbraio", "fevrier", "februar", "febrero", "fev"),
            ("mar", "march", "marco", "marzo", "mars", "marz"),
            ("apr", "april", "abril", "aprile", "avril", "abr", "avr"),
            ("may", "maio", "maggio", "mai", "mayo", "mag"),
            ("jun", "june", "junho", "giugno", "juin", "juni", "junio", "giu"),
            ("jul", "july", "julho", "luglio", "juillet", "juli", "julio", "lug"),
            ("aug", "august", "agosto", "aout", "ago"),
            ("sep", "sept", "september", "setembro", "settembre", "septembre", "septiembre", "set"),
            (
                "oct",
                "october",
                "outubro",
                "ottobre",
                "octobre",
                "oktober",
                "octubre",
                "out",
                "ott",
                "okt",
            ),
            ("nov", "november", "novembro", "novembre", "noviembre"),
            (
                "dec",
                "december",
                "dezembro",
                "dicembre",
                "decembre",
                "dezember",
                "diciembre",
                "dez",
                "dic",
            ),
        ],
        start=1,
    )
    for m in names
}


class DateOrder:
    """Whether a column writes day/month or month/day, judged from all its values."""

    DAY_FIRST = "day-first"
    MONTH_FIRST = "month-first"

    @staticmethod
    def of(values: Sequence[object]) -> tuple[str, bool]:
        """The order, and whether the column gave no evidence either way."""
        day_first = month_first = False
        for value in values:
            if not isinstance(value, str):
                continue
            match = _NUMERIC_DATE.match(value.strip())
            if not match or len(match.group(1)) == 4:
                continue
            first, second = int(match.group(1)), int(match.group(2))
            day_first |= first > 12 >= second
            month_first |= second > 12 >= first
        if month_first and not day_first:
            return DateOrder.MONTH_FIRST, False
        return DateOrder.DAY_FIRST, not day_first


def parse_moment(value: object, order: str = DateOrder.DAY_FIRST) -> datetime | None:
    """A naive local datetime (00:00 for a date alone) from what a sheet holds."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return _parse_text_moment(value, order)
    return _parse_moment(value, order)


@lru_cache(maxsize=16_384)
def _parse_text_moment(value: str, order: str) -> datetime | None:
    return _parse_moment(value, order)


def _parse_moment(value: object, order: str) -> datetime | None:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime.combine(value, time())
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 20_000 < value < 80_000:  # an Excel serial date, 1954-2119
            return (EXCEL_EPOCH + timedelta(days=float(value))).replace(microsecond=0)
        raise ValueProblem(f"'{value}' is not a date", _DATE_HINT)
    text = clean_text(value)
    try:
        return datetime.fromisoformat(text).replace(tzinfo=None)
    except ValueError:
        pass
    match = _NUMERIC_DATE.match(text)
    if match:
        return _numeric(match, order, text)
    return _words(text)


_DATE_HINT = "write dates as 2026-01-27 or 27/01/2026, with the time after a space (18:30)"


def _numeric(match: re.Match[str], order: str, text: str) -> datetime:
    a, b, c, hour, minute, second, ampm = match.groups()
    if len(a) == 4:
        year, month, day = int(a), int(b), int(c)
    elif order == DateOrder.MONTH_FIRST:
        month, day, year = int(a), int(b), int(c)
    else:
        day, month, year = int(a), int(b), int(c)
    if year < 100:
        year += 2000
    h = int(hour or 0)
    if ampm:
        h = h % 12 + (12 if ampm.lower() == "p" else 0)
    try:
        return datetime(year, month, day, h, int(minute or 0), int(second or 0))
    except ValueError:
        raise ValueProblem(f"'{text}' is not a real date", _DATE_HINT) from None


def _words(text: str) -> datetime:
    """'27 January 2026', '27 de janeiro de 2026 18:30', 'January 27, 2026'."""
    plain = normalise_header(text)
    day = month = year = None
    clock = re.search(r"(\d{1,2})[:h](\d{2})", text)
    numbers = [int(n) for n in re.findall(r"\b\d{1,4}\b", re.sub(r"\d{1,2}[:h]\d{2}", " ", text))]
    for word in plain.split():
        if word in _MONTHS:
            month = _MONTHS[word]
            break
    years = [n for n in numbers if n > 31]
    days = [n for n in numbers if n <= 31]
    if years:
        year = years[0]
    if days:
        day = days[0]
    if not (day and month and year):
        raise ValueProblem(f"'{text}' is not a date", _DATE_HINT)
    try:
        moment = datetime(year, month, day)
    except ValueError:
        raise ValueProblem(f"'{text}' is not a real date", _DATE_HINT) from None
    if clock:
        moment = moment.replace(hour=int(clock.group(1)), minute=int(clock.group(2)))
    return moment


# -- yes/no and languages ------------------------------------------------------------

# Yes and no in the languages of the documents and of the delegations that come most
# (en pt it fr de es nl da el hr hu pl ro, bg uk ru ar tr), compared as normalised keys.
_YES = frozenset(
    {
        *("yes", "y", "x", "true", "1", "ok", "agree", "i agree"),
        *("sim", "s", "concordo"),  # pt
        *("si", "sì", "certo"),  # it, es
        *("oui", "o", "d accord"),  # fr
        *("ja", "j"),  # de, nl, da
        *("ναι", "ναί", "ν"),  # el
        *("da", "d"),  # hr, ro, bg, ru
        *("igen", "i"),  # hu
        *("tak", "t"),  # pl
        *("да", "д", "так", "т"),  # bg, ru, uk
        *("نعم", "أجل", "ن"),  # ar
        *("evet", "e"),  # tr
    }
)
_NO = frozenset(
    {
        *("no", "n", "false", "0", "none", "-"),
        *("nao", "não"),  # pt
        *("non",),  # fr, it
        *("nein",),  # de
        *("nee",),  # nl
        *("nej",),  # da
        *("οχι", "όχι", "ο"),  # el
        *("ne",),  # hr
        *("nem",),  # hu
        *("nie",),  # pl
        *("nu",),  # ro
        *("не", "нет", "ні", "н"),  # bg, ru, uk
        *("لا",),  # ar
        *("hayır", "hayir", "h"),  # tr
    }
)
_YES_KEYS = frozenset(normalise_header(w) for w in _YES)
_NO_KEYS = frozenset(normalise_header(w) for w in _NO if normalise_header(w)) | {""}


def yes_no(value: object) -> bool | None:
    """True, False, or None when the cell is empty or not a yes/no answer."""
    if isinstance(value, bool):
        return value
    return _yes_no(str(value) if value is not None else "")


@lru_cache(maxsize=4096)
def _yes_no(value: str) -> bool | None:
    if not value.strip():
        return None
    text = normalise_header(value)
    first = text.split()[0] if text else ""
    if text in _YES_KEYS or first in _YES_KEYS:
        return True
    if text in _NO_KEYS or first in _NO_KEYS:
        return False
    return None


# What people write in a needs column when they have none; the whole cell must say it
# ("No pork" is a need).
_NO_NEED = frozenset(
    normalise_header(w)
    for w in (
        *("none", "no", "nothing", "n a", "na", "nil", "no need", "no needs", "not applicable"),
        *("no requirements", "no special requirements", "no dietary requirements", "normal"),
        *("nenhuma", "nenhum", "nada", "nao", "não", "sem restricoes", "sem restrições"),
        *("nessuna", "nessuno", "niente", "nulla"),
        *("aucune", "aucun", "rien", "non", "néant"),
        *("keine", "kein", "keins", "nein", "nichts"),
        *("ninguna", "ninguno", "ningún"),
        *("geen", "nee", "ingen", "nej"),
        *("καμία", "κανένα", "καμια", "τίποτα", "όχι"),
        *("nema", "ništa", "ne", "nincs", "nem", "brak", "nie", "żadne"),
        *("niciuna", "nimic", "nu"),
        *("няма", "нет", "ні", "немає", "нічого", "ничего", "не"),
        *("لا يوجد", "لا شيء", "لا"),
        *("yok", "hayır"),
    )
) | {""}


def means_no_need(value: object) -> bool:
    """Whether a needs cell ("None", "Nessuna", "Keine", "-") says there is no need."""
    return normalise_header(value) in _NO_NEED


LANGUAGE_LOCALES = (
    *("en", "pt", "it", "fr", "de", "es", "nl", "da", "el", "hr", "hu", "pl", "ro"),
    *("bg", "uk", "ru", "ar", "tr", "sv", "fi", "cs", "sk", "sl", "sr", "he", "zh", "ja"),
)


@cache
def _language_names_in(identifier: str) -> dict[str, str]:
    """Language names in one locale: normalised name -> code (ISO 639-1 where there is one)."""
    from babel import Locale

    try:
        languages = Locale.parse(identifier).languages
    except (ValueError, KeyError):
        return {}
    index: dict[str, str] = {}
    for code, name in languages.items():
        key = _key(str(name))
        usable = key and "_" not in code and len(code) in (2, 3) and code.isalpha()
        if usable and (len(code) == 2 or key not in index):
            index[key] = code
    return index


def _language_code(key: str) -> str | None:
    if len(key) == 2 and key.isascii() and key.isalpha():
        return key
    for identifier in (*LANGUAGE_LOCALES, *_all_locales(LANGUAGE_LOCALES)):
        code = _language_names_in(identifier).get(key)
        if code:
            return code
    return None


def language_codes(value: object) -> list[str]:
    """'English, Português / it' -> ['en', 'pt', 'it']; a name visitplan does not know
    is a ValueProblem that names it."""
    codes, unknown = _language_codes(clean_text(value))
    if unknown:
        raise LanguageProblem(list(codes), unknown)
    return list(codes)


class LanguageProblem(ValueProblem):
    """Some languages of a cell are unknown; the known ones are kept."""

    def __init__(self, known: list[str], unknown: tuple[str, ...]) -> None:
        super().__init__(
            f"{', '.join(repr(u) for u in unknown)} "
            f"{'is not a language' if len(unknown) == 1 else 'are not languages'} "
            "visitplan knows",
            "write language names (in any language) or two-letter codes, e.g. en, pt, el",
        )
        self.known = known


_LANGUAGE_SEPARATORS = re.compile(
    r"[,;/+&\n、，،·]| and | e | et | und | y | en | og | i | és | și | ve | και | и | і | و "
)


@lru_cache(maxsize=4096)
def _language_codes(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    codes: list[str] = []
    unknown: list[str] = []
    for part in _LANGUAGE_SEPARATORS.split(f" {text} "):
        key = _key(part)
        if not key:
            continue
        code = _language_code(key)
        if code is None:
            unknown.append(part.strip())
        elif code not in codes:
            codes.append(code)
    return tuple(codes), tuple(unknown)


# Greek "ου" is one sound, u (ELOT 743): Ιωάννου -> ioannou, not ioannoy.
_GREEK_DIGRAPHS = re.compile(r"(?i)ο[υύ]")


def ascii_slug(text: str) -> str:
    """An id-ready slug in ASCII, transliterated from any script ('Δημήτρης Ιωάννου' ->
    'dimitris-ioannou', 'Олена Коваль' -> 'olena-koval')."""
    from anyascii import anyascii

    text = unicodedata.normalize("NFKC", text)
    text = _GREEK_DIGRAPHS.sub(lambda m: "Ou" if m.group(0)[0].isupper() else "ou", text)
    plain = anyascii(text).casefold()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:40].strip("-")
