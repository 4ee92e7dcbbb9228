"""Which column holds what: the header row, found below titles and blank rows, mapped
to participant fields by synonyms in the languages of European forms (Latin, Greek and
Cyrillic scripts) and in Arabic, Hebrew, Chinese and Japanese, as registration forms
(Google Forms, Microsoft Forms, EUSurvey, Eventbrite) and hand-made sheets write them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache

# field -> header words (compared after normalise_header: case, accents and punctuation
# do not matter).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": (
        "name",
        "full name",
        "your name",
        "participant",
        "participant name",
        "name and surname",
        "first and last name",
        "nome",
        "nome completo",
        "nominativo",
        "nome e cognome",
        "nom",
        "nom complet",
        "nom et prenom",
        "prenom et nom",
        "vor und nachname",
        "vollstandiger name",
        "nombre",
        "nombre completo",
        "nombre y apellidos",
        "attendee name",
        "ονοματεπωνυμο",
        "ονομα",
        "ονομα και επωνυμο",
        "ονοματεπωνυμο συμμετεχοντα",
        "фио",
        "имя и фамилия",
        "полное имя",
        "прізвище та ім я",
        "піб",
        "повне ім я",
        "име",
        "име и фамилия",
        "الاسم",
        "الاسم الكامل",
        "שם",
        "שם מלא",
        "姓名",
        "名前",
        "氏名",
        "ad soyad",
        "isim",
        "imie i nazwisko",
        "naam",
        "volledige naam",
        "navn",
        "fulde navn",
        "ime i prezime",
        "nev",
        "teljes nev",
        "nume",
        "nume complet",
        "nume si prenume",
    ),
    "given_name": (
        "first name",
        "given name",
        "given names",
        "forename",
        "primeiro nome",
        "nome proprio",
        "prenom",
        "vorname",
        "nombre de pila",
        "μικρο ονομα",
        "имя",
        "ім я",
        "imie",
        "voornaam",
        "fornavn",
        "keresztnev",
        "prenume",
    ),
    "family_name": (
        "last name",
        "surname",
        "family name",
        "apelido",
        "apelidos",
        "sobrenome",
        "ultimo nome",
        "cognome",
        "nom de famille",
        "nachname",
        "familienname",
        "apellido",
        "apellidos",
        "επωνυμο",
        "фамилия",
        "прізвище",
        "фамилно име",
        "اسم العائلة",
        "soyad",
        "nazwisko",
        "achternaam",
        "efternavn",
        "prezime",
        "vezeteknev",
        "nume de familie",
    ),
    "email": (
        "email",
        "e mail",
        "email address",
        "e mail address",
        "mail",
        "correio electronico",
        "correio eletronico",
        "endereco de email",
        "posta elettronica",
        "indirizzo email",
        "indirizzo e mail",
        "courriel",
        "adresse e mail",
        "adresse electronique",
        "e mail adresse",
        "correo electronico",
        "correo",
        "username",
        "ηλεκτρονικο ταχυδρομειο",
        "διευθυνση email",
        "электронная почта",
        "эл почта",
        "почта",
        "електронна пошта",
        "ел пошта",
        "имейл",
        "البريد الالكتروني",
        "البريد الإلكتروني",
        "דוא ל",
        "דואר אלקטרוני",
        "电子邮件",
        "邮箱",
        "メール",
        "メールアドレス",
        "e posta",
        "e postadresse",
        "adres e mail",
        "e mailadres",
        "adresa de e mail",
    ),
    "organisation": (
        "organisation",
        "organization",
        "institution",
        "organisation institution",
        "employer",
        "company",
        "agency",
        "entity",
        "sending organisation",
        "affiliation",
        "instituicao",
        "organizacao",
        "entidade",
        "entidade organizacao",
        "ente",
        "organizzazione",
        "istituzione",
        "ente di appartenenza",
        "organisme",
        "structure",
        "einrichtung",
        "organisation behorde",
        "behorde",
        "institucion",
        "organizacion",
        "entidad",
        "φορεας",
        "οργανισμος",
        "οργανωση",
        "организация",
        "организация учреждение",
        "організація",
        "установа організація",
        "установа",
        "организация институция",
        "الجهة",
        "المنظمة",
        "المؤسسة",
        "ארגון",
        "机构",
        "组织",
        "単位",
        "所属",
        "kurum",
        "kurulus",
        "organizacja",
        "instytucja",
        "organisatie",
        "organizacija",
        "szervezet",
        "intezmeny",
        "organizatie",
        "institutie",
    ),
    "role": (
        "role",
        "position",
        "job title",
        "function",
        "job",
        "cargo",
        "funcao",
        "ruolo",
        "posizione",
        "qualifica",
        "fonction",
        "poste",
        "funktion",
        "stelle",
        "puesto",
        "ιδιοτητα",
        "θεση",
        "ρολος",
        "должность",
        "роль",
        "посада",
        "длъжност",
        "المنصب",
        "الوظيفة",
        "תפקיד",
        "职务",
        "職位",
        "gorev",
        "unvan",
        "stanowisko",
        "functie",
        "stilling",
        "funkcija",
        "beosztas",
        "functia",
    ),
    "country": (
        "country",
        "country of residence",
        "country region",
        "home country",
        "pais",
        "pais de residencia",
        "paese",
        "paese di residenza",
        "nazione",
        "pays",
        "pays de residence",
        "land",
        "wohnsitzland",
        "country of origin",
        "χωρα",
        "χωρα διαμονης",
        "страна",
        "країна",
        "държава",
        "البلد",
        "الدولة",
        "מדינה",
        "国家",
        "国",
        "ulke",
        "kraj",
        "land van herkomst",
        "drzava",
        "orszag",
        "tara",
    ),
    "phone": (
        "phone",
        "telephone",
        "phone number",
        "mobile",
        "mobile number",
        "mobile phone",
        "cell phone",
        "telefone",
        "telemovel",
        "numero de telefone",
        "telefono",
        "cellulare",
        "numero di telefono",
        "portable",
        "numero de telephone",
        "telefon",
        "handy",
        "telefonnummer",
        "movil",
        "celular",
        "τηλεφωνο",
        "κινητο",
        "телефон",
        "мобильный телефон",
        "мобільний телефон",
        "الهاتف",
        "رقم الهاتف",
        "טלפון",
        "电话",
        "電話",
        "telefon numarasi",
        "numer telefonu",
        "telefoonnummer",
        "telefonszam",
    ),
    "group": (
        "group",
        "grupo",
        "gruppo",
        "groupe",
        "gruppe",
        "track",
        "study group",
        "ομαδα",
        "группа",
        "група",
        "المجموعة",
        "קבוצה",
        "组",
        "グループ",
        "grup",
        "grupa",
        "groep",
        "csoport",
    ),
    "arrival": (
        "arrival",
        "arrival date",
        "arrival date and time",
        "arrival time",
        "arriving",
        "chegada",
        "data de chegada",
        "data e hora de chegada",
        "arrivo",
        "data di arrivo",
        "arrivee",
        "date d arrivee",
        "ankunft",
        "anreise",
        "ankunftsdatum",
        "llegada",
        "fecha de llegada",
    ),
    "departure": (
        "departure",
        "departure date",
        "departure date and time",
        "departure time",
        "leaving",
        "partida",
        "data de partida",
        "data e hora de partida",
        "partenza",
        "data di partenza",
        "depart",
        "date de depart",
        "abreise",
        "abfahrt",
        "abreisedatum",
        "salida",
        "fecha de salida",
        "regreso",
    ),
    "dietary": (
        "dietary requirements",
        "dietary needs",
        "dietary restrictions",
        "diet",
        "food",
        "allergies",
        "food allergies",
        "dietary",
        "restricoes alimentares",
        "alimentacao",
        "necessidades alimentares",
        "esigenze alimentari",
        "allergie",
        "dieta",
        "regime alimentaire",
        "restrictions alimentaires",
        "ernahrung",
        "ernahrungsweise",
        "allergien",
        "restricciones alimentarias",
        "alergias",
        "διατροφη",
        "διατροφικες αναγκες",
        "питание",
        "диета",
        "харчування",
        "дієта",
        "хранене",
        "النظام الغذائي",
        "תזונה",
        "饮食",
        "食事",
        "diyet",
        "dieta",
        "dieet",
        "kost",
        "prehrana",
        "etrend",
        "dieta",
    ),
    "accessibility": (
        "accessibility",
        "accessibility needs",
        "access needs",
        "special needs",
        "accessibility requirements",
        "mobility",
        "acessibilidade",
        "necessidades especiais",
        "accessibilita",
        "esigenze particolari",
        "accessibilite",
        "besoins particuliers",
        "barrierefreiheit",
        "besondere bedurfnisse",
        "accesibilidad",
        "necesidades especiales",
        "προσβασιμοτητα",
        "доступность",
        "доступність",
        "إمكانية الوصول",
        "נגישות",
        "无障碍",
        "アクセシビリティ",
        "erisilebilirlik",
        "dostepnosc",
        "toegankelijkheid",
        "tilgaengelighed",
        "pristupacnost",
        "akadalymentesseg",
        "accesibilitate",
    ),
    "step_free": (
        "wheelchair",
        "step free access",
        "wheelchair user",
        "cadeira de rodas",
        "sedia a rotelle",
        "fauteuil roulant",
        "rollstuhl",
        "silla de ruedas",
    ),
    "languages": (
        "languages",
        "language",
        "languages spoken",
        "linguas",
        "idiomas",
        "lingue",
        "langues",
        "sprachen",
        "γλωσσες",
        "γλωσσα",
        "языки",
        "язык",
        "мови",
        "мова",
        "езици",
        "اللغات",
        "اللغة",
        "שפות",
        "语言",
        "言語",
        "diller",
        "jezyki",
        "talen",
        "sprog",
        "jezici",
        "nyelvek",
        "limbi",
    ),
    "migrant": ("migrant participant", "migrant", "migration background"),
    "public": (
        "consent",
        "public listing",
        "publish my name",
        "consent to publication",
        "consentimento",
        "consenso",
        "consentement",
        "einwilligung",
        "consentimiento",
        "συναινεση",
        "συγκαταθεση",
        "согласие",
        "згода",
        "съгласие",
        "الموافقة",
        "הסכמה",
        "同意",
        "onay",
        "zgoda",
        "toestemming",
        "samtykke",
        "suglasnost",
        "hozzajarulas",
        "consimtamant",
    ),
    "interpretation": (
        "interpretation",
        "interpreting",
        "interpretation needed",
        "need interpretation",
        "will you need interpretation",
        "interpreter",
        "interpretacao",
        "interpretariato",
        "interpretazione",
        "interpretation simultanee",
        "dolmetschen",
        "dolmetscher",
        "interpretacion",
        "διερμηνεια",
        "перевод",
        "переклад",
        "الترجمة الفورية",
        "tolk",
        "tolkning",
        "tlumaczenie",
    ),
    "timestamp": (
        "timestamp",
        "submitted at",
        "submission date",
        "completion time",
        "date submitted",
        "order date",
        "carimbo de data hora",
        "informazioni cronologiche",
        "horodateur",
        "zeitstempel",
        "marca temporal",
    ),
    "id": ("id", "participant id"),
    "notes": (
        "notes",
        "comments",
        "remarks",
        "observacoes",
        "note",
        "remarques",
        "bemerkungen",
        "anmerkungen",
        "observaciones",
        "comentarios",
        "σχολια",
        "παρατηρησεις",
        "примечания",
        "комментарии",
        "примітки",
        "коментарі",
        "ملاحظات",
        "הערות",
        "备注",
        "備考",
        "notlar",
        "uwagi",
        "opmerkingen",
        "bemaerkninger",
        "napomene",
        "megjegyzes",
        "observatii",
    ),
}
FIELDS = (*SYNONYMS, "ignore")
# Columns that registration platforms add and that hold nothing about the person.
NOISE = frozenset(
    {
        "start time",
        "last modified time",
        "order",
        "order no",
        "ticket type",
        "response id",
        "respondent",
        "row",
        "no",
        "n",
        "nr",
    }
)
AMBIGUOUS_NAME = frozenset(
    {"nome", "nombre", "nom", "name", "ονομα", "имя", "ім я", "име", "ime", "isim"}
)
HEADER_SEARCH_ROWS = 30


# Scripts whose accents are marks that writers leave out at will (é/e, ά/α, ё/е, harakat,
# niqqud); in other scripts (Devanagari, Thai...) a mark is part of the letter and stays.
_FOLDED_SCRIPTS = ("LATIN", "GREEK", "CYRILLIC", "ARABIC", "HEBREW")


@lru_cache(maxsize=4096)
def _folded(base: str) -> bool:
    return bool(base) and unicodedata.name(base, "").startswith(_FOLDED_SCRIPTS)


def normalise_header(text: object) -> str:
    """A key to compare what people type, in any script: NFKC, casefolded, accents
    folded where the script treats them as optional, punctuation and spaces collapsed."""
    return _normalise(str(text or ""))


_ASCII_GAPS = re.compile(r"[^a-z0-9]+")
_BRACKETS = re.compile(r"\(.*?\)|\[.*?\]")


@lru_cache(maxsize=16_384)
def _normalise(text: str) -> str:
    if text.isascii():  # the common case, and the same result, far quicker
        return _ASCII_GAPS.sub(" ", _BRACKETS.sub(" ", text.lower())).strip()
    composed = unicodedata.normalize("NFKC", text).casefold()
    composed = _BRACKETS.sub(" ", composed)
    kept: list[str] = []
    base = ""
    for char in unicodedata.normalize("NFD", composed):
        category = unicodedata.category(char)
        if category == "Mn":
            if not _folded(base):
                kept.append(char)
            continue
        if category[0] in "PSZC":
            kept.append(" ")
            base = ""
            continue
        kept.append(char)
        base = char
    return " ".join(unicodedata.normalize("NFC", "".join(kept)).split())


_LOOKUP = {normalise_header(synonym): name for name, words in SYNONYMS.items() for synonym in words}
_BY_LENGTH = sorted(_LOOKUP, key=len, reverse=True)


@cache
def _template_headers() -> dict[str, str]:
    """The headers of ``visitplan participants template`` in every language of the
    catalogues -> their field; a header two fields share in some languages is left out."""
    from visitplan.i18n import catalogue, languages
    from visitplan.participants.template import COLUMNS

    fields: dict[str, set[str]] = {}
    for language in languages():
        translations = catalogue(language).translations
        for name, header, _hint, _width in COLUMNS:
            key = normalise_header(translations.gettext(header))
            if key:
                fields.setdefault(key, set()).add(name)
    return {key: names.pop() for key, names in fields.items() if len(names) == 1}


def field_for(header: object) -> str | None:
    """The field a header names: a header of the template in any language, an exact
    synonym, else the longest synonym it contains."""
    text = normalise_header(header)
    if not text:
        return None
    template = _template_headers()
    if text in template:
        return template[text]
    if text in _LOOKUP:
        return _LOOKUP[text]
    padded = f" {text} "
    for synonym in _BY_LENGTH:
        if len(synonym) > 3 and f" {synonym} " in padded:
            return _LOOKUP[synonym]
    return None


@dataclass
class ColumnMap:
    header_row: int
    headers: list[str]
    fields: dict[int, str]  # column index -> field
    unmapped: list[str] = field(default_factory=list)

    by_field: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        self.by_field = {name: index for index, name in self.fields.items()}

    def index_of(self, name: str) -> int | None:
        return self.by_field.get(name)


def map_columns(header_row: int, cells: Sequence[object], overrides: dict[str, str]) -> ColumnMap:
    headers = [str(c).strip() if c is not None else "" for c in cells]
    fields: dict[int, str] = {}
    wanted = {normalise_header(k): v for k, v in overrides.items()}
    for index, header in enumerate(headers):
        if not header:
            continue
        chosen = wanted.get(normalise_header(header)) or field_for(header)
        if chosen and chosen != "ignore" and chosen not in fields.values():
            fields[index] = chosen
    # "Nome" + "Cognome", "Nombre" + "Apellidos": the first is the given name.
    if "family_name" in fields.values():
        for index, name in list(fields.items()):
            if name == "name" and normalise_header(headers[index]) in AMBIGUOUS_NAME:
                fields[index] = "given_name"
    unmapped = [
        h
        for i, h in enumerate(headers)
        if h
        and i not in fields
        and normalise_header(h) not in NOISE
        and wanted.get(normalise_header(h)) != "ignore"
    ]
    return ColumnMap(header_row, headers, fields, unmapped)


def looks_like_header(cells: Sequence[object]) -> bool:
    """A row with at least two cells that name fields, one of them a name or an email."""
    found = {field_for(c) for c in cells if isinstance(c, str)}
    found.discard(None)
    return len(found) >= 2 and bool(found & {"name", "given_name", "family_name", "email"})
